package scaffold

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cxhook/cxhook/setup"
)

// The agents the build test scaffolds: the three shared ones, the small
// pizza agent, and testdata/edge, whose display names, tags and templates
// are made to trip a generator (keywords, predeclared and imported names,
// leading digits, Unicode, tags that collide once made identifiers or file
// names, every system entity type, nested, list and non-object templates,
// mappings through filters and indexes, credentials).
var buildAgents = []struct {
	name, dir string
}{
	{"flight-bot", "../testdata/agents/digibhem-flight-bot"},
	{"goodbye-graffiti", "../testdata/agents/goodbye-graffiti"},
	{"servicenow-demo", "../testdata/agents/servicenow-demo"},
	{"pizza", "../agent/testdata/pizza"},
	{"edge", "testdata/edge"},
}

// goTool returns the go command, or skips (fails on CI) without one.
func goTool(t *testing.T) string {
	t.Helper()
	g, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("go is not on PATH")
		}
		t.Skip("go is not on PATH")
	}
	return g
}

// goRun runs the go command in dir with GOFLAGS set to flags, offline:
// modules come from the module cache only (GOPROXY=off), those of this
// repository's own build. The build cache is the one this test's go
// command uses, shared by every module built.
func goRun(t *testing.T, dir, flags string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOWORK=off", "GOPROXY=off", "GOFLAGS="+flags)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func mustGo(t *testing.T, dir, flags string, args ...string) string {
	t.Helper()
	out, err := goRun(t, dir, flags, args...)
	if err != nil {
		t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return out
}

// scaffoldInto generates the module for the export in src into a new
// directory, with go.mod's replace pointing at this checkout, and returns
// the directory.
func scaffoldInto(t *testing.T, src string) (string, *Module) {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	export, closer, err := Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	m, err := Generate(export, Options{Module: "example.com/" + filepath.Base(src), CxhookReplace: root})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "fn")
	if err := Write(dir, m, false); err != nil {
		t.Fatal(err)
	}
	return dir, m
}

// TestScaffoldedModulesBuild scaffolds a module from each agent, as cxhook
// init --cxhook-replace writes it, and does what its README says: go mod
// tidy, go vet, go test (the tests it was written with: the agent check
// and a request for every call site), go build; then go mod vendor, after
// which setup.CheckModule (what deploy.sh --source checks) accepts it. The
// function's own package must link none of cxhook's tool packages.
func TestScaffoldedModulesBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds five modules")
	}
	goTool(t)
	for _, tc := range buildAgents {
		t.Run(tc.name, func(t *testing.T) {
			dir, m := scaffoldInto(t, tc.dir)
			mustGo(t, dir, "-mod=mod", "mod", "tidy")
			mustGo(t, dir, "-mod=readonly", "vet", "./...")
			out := mustGo(t, dir, "-mod=readonly", "test", "-count=1", "-v", "./...")
			if !strings.Contains(out, "--- PASS: TestAgent") || !strings.Contains(out, "--- PASS: TestCallSites") {
				t.Errorf("go test ran neither TestAgent nor TestCallSites:\n%s", out)
			}
			// Every handler answers, not written yet, with the code
			// unimplemented: one subtest per served call site says so.
			if n := strings.Count(out, "not written yet: "); n == 0 && len(m.Handlers) > 0 {
				t.Errorf("no call site reached a handler not written yet:\n%s", out)
			}
			mustGo(t, dir, "-mod=readonly", "build", "./...")
			deps := mustGo(t, dir, "-mod=readonly", "list", "-deps", ".")
			for _, forbidden := range []string{"github.com/cxhook/cxhook/agent", "github.com/cxhook/cxhook/scaffold", "github.com/cxhook/cxhook/setup", "google.golang.org/grpc", "google.golang.org/protobuf"} {
				for dep := range strings.Lines(deps) {
					if dep = strings.TrimSpace(dep); dep == forbidden || strings.HasPrefix(dep, forbidden+"/") {
						t.Errorf("the function links %s", dep)
					}
				}
			}
			if _, err := setup.CheckModule(dir, setup.EntryPoint); err == nil {
				t.Error("setup.CheckModule accepts the module with a replace outside it, not vendored")
			}
			mustGo(t, dir, "", "mod", "vendor")
			mod, err := setup.CheckModule(dir, setup.EntryPoint)
			if err != nil {
				t.Fatalf("setup.CheckModule: %v", err)
			}
			if mod.Runtime != "go125" || !mod.Vendored {
				t.Errorf("setup.CheckModule: %+v, want runtime go125, vendored", mod)
			}
		})
	}
}

// TestScaffoldedTestFailsWithoutHandler takes a handler's registration out
// of a scaffolded module: its tests must fail, naming the tag.
func TestScaffoldedTestFailsWithoutHandler(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module")
	}
	dir, _ := scaffoldInto(t, "../agent/testdata/pizza")
	path := filepath.Join(dir, "function.go")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const line = "\tmux.HandleFunc(\"placeOrder\", placeOrder)\n"
	if !bytes.Contains(b, []byte(line)) {
		t.Fatalf("function.go does not register placeOrder:\n%s", b)
	}
	if err := os.WriteFile(path, bytes.Replace(b, []byte(line), nil, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	mustGo(t, dir, "-mod=mod", "mod", "tidy")
	out, err := goRun(t, dir, "-mod=readonly", "test", "-count=1", "./...")
	if err == nil {
		t.Fatalf("go test passed without the handler of placeOrder:\n%s", out)
	}
	for _, want := range []string{
		`no handler serves tag "placeOrder"`, // TestAgent
		"status 404",                         // TestCallSites
		"--- FAIL: TestAgent", "--- FAIL: TestCallSites/placeOrder_order-pizza_final",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("go test output lacks %q:\n%s", want, out)
		}
	}
}

// TestScaffoldedModuleRuns builds a scaffolded module's local runner and
// posts a call site's request to it, as its README says: the handler not
// written yet answers 501 with the code unimplemented, the log line names
// it, and SIGTERM ends the runner.
func TestScaffoldedModuleRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module")
	}
	dir, _ := scaffoldInto(t, "../agent/testdata/pizza")
	mustGo(t, dir, "-mod=mod", "mod", "tidy")
	bin := filepath.Join(t.TempDir(), "local")
	mustGo(t, dir, "-mod=readonly", "build", "-o", bin, "./cmd/local")
	body, err := os.ReadFile(filepath.Join(dir, "testdata", "requests", "placeOrder_order-pizza_final.json"))
	if err != nil {
		t.Fatal(err)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "PORT="+port, "HOST=127.0.0.1", "K_SERVICE=", "CXHOOK_AUTH=", "FUNCTION_TARGET=", "CXHOOK_WEBHOOK_TIMEOUT=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	var status int
	var answer []byte
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Post("http://127.0.0.1:"+port+"/", "application/json", bytes.NewReader(body))
		if err == nil {
			answer, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			status = resp.StatusCode
			if err == nil {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the runner does not answer: %v\n%s", err, &stderr)
		}
	}
	if status != http.StatusNotImplemented || !bytes.Contains(answer, []byte(`"code":"unimplemented"`)) {
		t.Errorf("answer %d %s, want 501 with the code unimplemented", status, answer)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("still running 20 s after SIGTERM")
	}
	if ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("ended with %v, want death by SIGTERM\n%s", cmd.ProcessState, &stderr)
	}
	if !strings.Contains(stdout.String(), `the handler of tag \"placeOrder\" in placeorder.go is not written yet`) {
		t.Errorf("the log does not name the handler:\n%s", &stdout)
	}
}
