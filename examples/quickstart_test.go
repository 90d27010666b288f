// Package examples holds the tests that keep the README's "Write your own
// handler" and "Testing your function" true: the code shown there is the
// code of the quickstart module, file for file, and the module builds,
// refuses to start unconfigured on Cloud Run, and runs locally as the
// README says. They also hold the README's other Go code to the
// repository: an excerpt is part of a tested file, and a snippet compiles
// in a copy of the module it is written for.
package examples

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readme returns the repository's README.
func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fileBlock matches a code block that the README says is a file:
// <!-- file: PATH --> then a fenced block.
var fileBlock = regexp.MustCompile("(?s)<!-- file: ([^ ]+) -->\n```go\n(.*?)```\n")

// readmeFiles returns the files the README shows, by path from the
// repository's root.
func readmeFiles(t *testing.T) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, m := range fileBlock.FindAllStringSubmatch(readme(t), -1) {
		if _, dup := files[m[1]]; dup {
			t.Errorf("the README shows %s twice", m[1])
		}
		files[m[1]] = m[2]
	}
	return files
}

// TestReadmeShowsTheQuickstart checks that the README's code is the
// quickstart module's, byte for byte, and that the module holds nothing
// else the README does not show.
func TestReadmeShowsTheQuickstart(t *testing.T) {
	t.Parallel()
	shown := readmeFiles(t)
	var inModule []string
	err := filepath.WalkDir("quickstart", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") {
			inModule = append(inModule, "examples/"+filepath.ToSlash(path))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var inReadme []string
	for path := range shown {
		if strings.HasPrefix(path, "examples/quickstart/") {
			inReadme = append(inReadme, path)
		}
	}
	slices.Sort(inModule)
	slices.Sort(inReadme)
	if !slices.Equal(inModule, inReadme) || len(inModule) < 4 {
		t.Errorf("the quickstart module holds %v, the README shows %v", inModule, inReadme)
	}
	for path, code := range shown {
		b, err := os.ReadFile(filepath.Join("..", path))
		if err != nil {
			t.Errorf("the README shows %s: %v", path, err)
			continue
		}
		if string(b) != code {
			t.Errorf("the README's %s differs from the file, first at line %d", path, firstDiff(string(b), code))
		}
	}

	// The module is what the README's commands make of it.
	mod, err := os.ReadFile("quickstart/go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"module example.com/quickstart\n", "\ngo 1.25.0\n", "\nreplace github.com/cxhook/cxhook => ../..\n"} {
		if !strings.Contains(string(mod), want) {
			t.Errorf("quickstart/go.mod lacks %q", want)
		}
	}
	for _, cmd := range scratchCommands {
		if !strings.Contains(readme(t), strings.Join(cmd, " ")) {
			t.Errorf("the README does not say to run %q", strings.Join(cmd, " "))
		}
	}
}

func firstDiff(a, b string) int {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return i + 1
		}
	}
	return min(len(la), len(lb)) + 1
}

// TestReadmeExampleAnswer checks the answer the Quick start shows for its
// curl command against the example's golden answer for that request.
func TestReadmeExampleAnswer(t *testing.T) {
	t.Parallel()
	m := regexp.MustCompile("(?s)<!-- answer: ([^ ]+) -->\n```json\n(.*?)\n```").FindStringSubmatch(readme(t))
	if m == nil {
		t.Fatal("the README shows no answer")
	}
	golden, err := os.ReadFile(filepath.Join("..", m[1]))
	if err != nil {
		t.Fatal(err)
	}
	var shown, want any
	if err := json.Unmarshal([]byte(m[2]), &shown); err != nil {
		t.Fatalf("the README's answer is not JSON: %v", err)
	}
	if err := json.Unmarshal(golden, &want); err != nil {
		t.Fatal(err)
	}
	if b1, b2 := mustJSON(shown), mustJSON(want); b1 != b2 {
		t.Errorf("the README shows %s, the function answers %s (%s)", b1, b2, m[1])
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
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

// run runs the go command in dir, with env added.
func run(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append([]string{"GOTOOLCHAIN=local"}, env...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return string(out)
}

// scratchCommands are the README's commands that make the module, in
// order, with the files written between the third and the fourth.
var scratchCommands = [][]string{
	{"go", "mod", "init", "example.com/quickstart"},
	{"go", "mod", "edit", "-go=1.25.0"},
	{"go", "mod", "edit", "-replace", "github.com/cxhook/cxhook=../cxhook"},
	{"go", "mod", "tidy"},
	{"go", "mod", "vendor"},
}

// TestQuickstartFromScratch follows the README: a new module next to a
// clone of cxhook (here, a link to this checkout), the files as the README
// shows them, go mod tidy, and go mod vendor; then the module's directory
// alone, as gcloud uploads it, builds from vendor/ with no module proxy.
func TestQuickstartFromScratch(t *testing.T) {
	t.Parallel()
	goTool(t)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	if err := os.Symlink(root, filepath.Join(tmp, "cxhook")); err != nil {
		t.Fatal(err)
	}
	mod := filepath.Join(tmp, "quickstart")
	if err := os.Mkdir(mod, 0o755); err != nil {
		t.Fatal(err)
	}
	// The README's commands run as a user runs them, with the environment's
	// module proxy and checksum database: go mod tidy in a new module needs
	// go.mod files and checksums this repository's own build never fetches
	// (with GOPROXY=off it passed only where an earlier download had left
	// them in the cache). The build from vendor/ below is offline.
	env := []string{"GOFLAGS="}
	for i, cmd := range scratchCommands {
		if i == 3 {
			for path, code := range readmeFiles(t) {
				rel, ok := strings.CutPrefix(path, "examples/quickstart/")
				if !ok {
					continue
				}
				dst := filepath.Join(mod, filepath.FromSlash(rel))
				if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(dst, []byte(code), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		run(t, mod, env, cmd[1:]...)
		if i == 0 {
			b, _ := os.ReadFile(filepath.Join(mod, "go.mod"))
			t.Logf("go mod init wrote: %q", regexp.MustCompile(`(?m)^go .*$`).Find(b))
		}
	}
	b, err := os.ReadFile(filepath.Join(mod, "go.mod"))
	if err != nil || !strings.Contains(string(b), "\ngo 1.25.0\n") {
		t.Fatalf("go.mod after the README's commands:\n%s", b)
	}
	run(t, mod, []string{"GOFLAGS=-mod=readonly"}, "vet", "./...")

	// What gcloud uploads: the module's directory, without ../cxhook.
	upload := filepath.Join(t.TempDir(), "quickstart")
	if err := os.CopyFS(upload, os.DirFS(mod)); err != nil {
		t.Fatal(err)
	}
	run(t, upload, []string{"GOFLAGS=-mod=vendor", "GOPROXY=off"}, "build", "./...")
}

// TestQuickstartRuns builds the quickstart module's local runner and
// starts it twice: as on Cloud Run (K_SERVICE set) without CXHOOK_AUTH,
// where it must refuse to start, naming the variable; and locally, where
// the README's curl command must get the README's answer, and SIGTERM must
// end it.
func TestQuickstartRuns(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "local")
	run(t, "quickstart", []string{"GOFLAGS=-mod=readonly"}, "build", "-o", bin, "./cmd/local")
	clean := []string{"CXHOOK_AUTH=", "CXHOOK_AUDIENCES=", "CXHOOK_AGENT_PROJECT_NUMBERS=", "CXHOOK_ALLOWED_EMAILS=",
		"CXHOOK_INSECURE_ALLOW_NO_AUTH=", "CXHOOK_WEBHOOK_TIMEOUT=", "FUNCTION_TARGET=", "HOST=127.0.0.1"}

	t.Run("refuses to start on Cloud Run without CXHOOK_AUTH", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin)
		cmd.Env = append(os.Environ(), append(clean, "K_SERVICE=webhook", "PORT="+freePort(t))...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() <= 0 {
			t.Fatalf("ended with %v, want a non-zero exit status\n%s", err, &stderr)
		}
		if !strings.Contains(stderr.String(), "CXHOOK_AUTH") || strings.Contains(stderr.String(), "serving") {
			t.Errorf("stderr does not name CXHOOK_AUTH, or it served:\n%s", &stderr)
		}
	})

	t.Run("runs locally", func(t *testing.T) {
		m := regexp.MustCompile("(?s)<!-- curl: examples/quickstart -->\n```sh\n(curl [^\n]*)\n```\n.*?```json\n(.*?)\n```").FindStringSubmatch(readme(t))
		if m == nil {
			t.Fatal("the README shows no curl command for the quickstart")
		}
		data := regexp.MustCompile(`--data '([^']*)'`).FindStringSubmatch(m[1])
		if data == nil || !strings.HasSuffix(m[1], " http://127.0.0.1:8080/") {
			t.Fatalf("cannot read the README's curl command %q", m[1])
		}
		port := freePort(t)
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), append(clean, "K_SERVICE=", "PORT="+port)...)
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
		url := "http://127.0.0.1:" + port + "/"
		var body []byte
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			resp, err := http.Post(url, "application/json", strings.NewReader(data[1]))
			if err == nil {
				body, err = io.ReadAll(resp.Body)
				resp.Body.Close()
				if err == nil && resp.StatusCode != 200 {
					t.Fatalf("status %d: %s", resp.StatusCode, body)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the runner does not answer: %v\n%s", err, &stderr)
			}
		}
		if string(body) != m[2] {
			t.Errorf("answer\n%s\nthe README shows\n%s", body, m[2])
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
		if !strings.Contains(stdout.String(), `"message":"webhook call"`) {
			t.Errorf("no access line on stdout:\n%s", &stdout)
		}
	})
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

// excerptBlock matches a code block that the README copies from part of a
// file: <!-- excerpt: PATH --> then a fenced Go block.
var excerptBlock = regexp.MustCompile("(?s)<!-- excerpt: ([^ ]+) -->\n```go\n(.*?)```\n")

// TestReadmeExcerpts checks that each excerpt the README shows is in its
// file: its lines in a row, each after the same indentation.
func TestReadmeExcerpts(t *testing.T) {
	t.Parallel()
	excerpts := excerptBlock.FindAllStringSubmatch(readme(t), -1)
	if len(excerpts) == 0 {
		t.Fatal("the README shows no excerpt")
	}
	for _, m := range excerpts {
		b, err := os.ReadFile(filepath.Join("..", m[1]))
		if err != nil {
			t.Errorf("the README shows an excerpt of %s: %v", m[1], err)
			continue
		}
		if !containsLines(string(b), m[2]) {
			t.Errorf("%s does not hold the README's excerpt:\n%s", m[1], m[2])
		}
	}
}

// containsLines reports whether the lines of excerpt appear in text in a
// row, each after the same indentation (tabs); blank lines match blank
// lines.
func containsLines(text, excerpt string) bool {
	want := strings.Split(strings.TrimSuffix(excerpt, "\n"), "\n")
	lines := strings.Split(text, "\n")
	for i := 0; i+len(want) <= len(lines); i++ {
		indent, ok := strings.CutSuffix(lines[i], want[0])
		if !ok || strings.Trim(indent, "\t") != "" {
			continue
		}
		match := true
		for j, w := range want {
			if l := lines[i+j]; w == "" && strings.TrimSpace(l) != "" || w != "" && l != indent+w {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// compileBlock matches a Go file that the README shows for a module to
// hold: <!-- compile: DIR --> then a fenced Go block, DIR a module of this
// repository.
var compileBlock = regexp.MustCompile("(?s)<!-- compile: ([^ ]+) -->\n```go\n(.*?)```\n")

// TestReadmeSnippetsCompile adds each such file to a copy of its module,
// its replace of github.com/cxhook/cxhook pointed at this checkout, and
// runs go vet there, which compiles the tests too.
func TestReadmeSnippetsCompile(t *testing.T) {
	t.Parallel()
	goTool(t)
	snippets := compileBlock.FindAllStringSubmatch(readme(t), -1)
	if len(snippets) == 0 {
		t.Fatal("the README shows no snippet to compile")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range snippets {
		mod := filepath.Join(t.TempDir(), filepath.Base(m[1]))
		if err := os.CopyFS(mod, os.DirFS(filepath.Join(root, filepath.FromSlash(m[1])))); err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("readme_snippet_%d.go", i+1)
		if strings.Contains(m[2], "\n\t\"testing\"\n") {
			name = strings.TrimSuffix(name, ".go") + "_test.go"
		}
		if err := os.WriteFile(filepath.Join(mod, name), []byte(m[2]), 0o644); err != nil {
			t.Fatal(err)
		}
		env := []string{"GOFLAGS=-mod=readonly"}
		run(t, mod, env, "mod", "edit", "-replace", "github.com/cxhook/cxhook="+root)
		run(t, mod, env, "vet", "./...")
	}
}
