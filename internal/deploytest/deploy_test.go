// Package deploytest runs deploy.sh end to end: the real gcloud CLI and
// cmd/cxhook against internal/fakegcp, through gcloud's endpoint overrides,
// a dummy access token file and a throwaway CLOUDSDK_CONFIG. It deploys the
// repository's root and function modules of their own (the modules table)
// from copies outside the repository, and asserts the exact requests
// (method, path, query and body) against golden files in testdata/,
// regenerated with
//
//	go test ./internal/deploytest -update
//
// The golden files hold gcloud's own requests too, so a new gcloud release
// may change them: review the diff before accepting it. They were made with
// Google Cloud SDK 528.0.0.
package deploytest

import (
	"archive/zip"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cxhook/cxhook/internal/fakegcp"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	fnProject  = "fn-proj"
	fnName     = "projects/fn-proj/locations/us-central1/functions/cxhook"
	runService = "projects/fn-proj/locations/us-central1/services/cxhook"
	sameAgent  = "projects/fn-proj/locations/global/agents/a1"
	crossAgent = "projects/agent-proj/locations/europe-west1/agents/a2"
)

// deployer runs deploy.sh against one fake.
type deployer struct {
	t      *testing.T
	root   string // the repository
	fake   *fakegcp.Fake
	srv    *fakegcp.Servers
	env    []string
	config string // CLOUDSDK_CONFIG
	token  string // the dummy access token file
}

func newDeployer(t *testing.T, gcloud string) *deployer {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	f := fakegcp.New()
	f.AddProject(fnProject, "111")
	f.AddProject("agent-proj", "222")
	f.AddAgent(sameAgent)
	f.AddAgent(crossAgent)
	srv := fakegcp.Start(t, f)
	dir := t.TempDir()
	token := filepath.Join(dir, "token")
	if err := os.WriteFile(token, []byte("dummy-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"PATH=" + filepath.Dir(gcloud) + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + dir,
		"CLOUDSDK_CONFIG=" + filepath.Join(dir, "gcloud"),
		"CLOUDSDK_AUTH_ACCESS_TOKEN_FILE=" + token,
		"CLOUDSDK_CORE_DISABLE_PROMPTS=1",
		"CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=true",
		"CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=true",
		"GOTOOLCHAIN=local",
	}
	// Keep what go needs to build cmd/cxhook with this machine's caches;
	// drop anything else that could send gcloud elsewhere.
	env = append(env, goEnv(t)...)
	if tmp := os.Getenv("TMPDIR"); tmp != "" {
		env = append(env, "TMPDIR="+tmp)
	}
	config := filepath.Join(dir, "gcloud")
	if err := os.Mkdir(config, 0o700); err != nil {
		t.Fatal(err)
	}
	return &deployer{t: t, root: root, fake: f, srv: srv, env: append(env, srv.Env()...), config: config, token: token}
}

// run runs deploy.sh with args, fails the test unless it exits with
// wantCode, and returns its output.
func (d *deployer) run(wantCode int, extraEnv []string, args ...string) string {
	d.t.Helper()
	cmd := exec.Command("bash", append([]string{filepath.Join(d.root, "deploy.sh")}, args...)...)
	cmd.Env = append(d.env, extraEnv...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	start := time.Now()
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		d.t.Fatal(err)
	}
	d.t.Logf("deploy.sh %s: exit %d in %v", strings.Join(args, " "), code, time.Since(start).Round(time.Millisecond))
	if code != wantCode {
		d.t.Fatalf("deploy.sh exited %d, want %d:\n%s", code, wantCode, out.String())
	}
	return out.String()
}

// golden compares the requests the fake received since the last call with
// testdata/NAME.txt, then forgets them.
func (d *deployer) golden(name string) {
	d.t.Helper()
	var b strings.Builder
	for _, r := range d.fake.Requests() {
		b.WriteString(r.String() + "\n\n")
		if bytes.Contains(r.Body, []byte("allUsers")) || bytes.Contains(r.Body, []byte("allAuthenticatedUsers")) {
			d.t.Errorf("%s %s makes the function public:\n%s", r.Method, r.Path, r.Body)
		}
	}
	d.fake.ResetRequests()
	got := b.String()
	// The servers' ports change from run to run.
	for _, api := range []string{fakegcp.Storage} {
		got = strings.ReplaceAll(got, strings.TrimSuffix(d.srv.URL(api), "/"), "http://"+api+".fake")
	}
	path := filepath.Join("testdata", name+".txt")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			d.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		d.t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		d.t.Errorf("requests differ from %s (-want +got):\n%s", path, diff)
	}
}

// goEnv returns the go settings that deploy.sh's build must share with
// this test's, as it runs with a throwaway HOME.
func goEnv(t *testing.T) []string {
	t.Helper()
	vars := []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOFLAGS", "GOPROXY", "GOROOT"}
	out, err := exec.Command("go", append([]string{"env"}, vars...)...).Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	var env []string
	for i, v := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		env = append(env, vars[i]+"="+v)
	}
	return env
}

func findGcloud(t *testing.T) string {
	t.Helper()
	gcloud, err := exec.LookPath("gcloud")
	if err != nil {
		if onCI() {
			t.Fatal("gcloud is not on PATH, and CI is set: install the Google Cloud CLI (the golden files were made with Google Cloud SDK 528.0.0)")
		}
		t.Skip("gcloud is not on PATH: skipping the deploy.sh end-to-end test (on CI this fails)")
	}
	return gcloud
}

// onCI reports whether CI is set, and not to false or 0, as .ci/shellcheck
// reads it.
func onCI() bool {
	ci := os.Getenv("CI")
	return ci != "" && ci != "false" && ci != "0"
}

// binDir holds the cmd/cxhook that cxhookBinary builds.
var binDir string

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// cxhookBinary builds cmd/cxhook once, for the scenarios that do not
// exercise deploy.sh's own build.
var cxhookBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "deploytest")
	if err != nil {
		return "", err
	}
	binDir = dir
	bin := filepath.Join(dir, "cxhook")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/cxhook")
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/cxhook: %v\n%s", err, out)
	}
	return bin, nil
})

// cliEnv returns the setting that makes deploy.sh use the built cxhook.
func cliEnv(t *testing.T) []string {
	t.Helper()
	bin, err := cxhookBinary()
	if err != nil {
		t.Fatal(err)
	}
	return []string{"CXHOOK_CLI=" + bin}
}

func TestDeploy(t *testing.T) {
	gcloud := findGcloud(t)
	cli := cliEnv(t)

	t.Run("same project, then a rerun", func(t *testing.T) {
		t.Parallel()
		d := newDeployer(t, gcloud)
		args := []string{"--project", fnProject, "--region", "us-central1", "--agent", sameAgent}

		out := d.run(0, nil, args...) // builds cmd/cxhook itself
		checkUpload(t, d.fake)
		d.golden("same-project")
		if !strings.Contains(out, "building cmd/cxhook") {
			t.Errorf("deploy.sh did not build cmd/cxhook:\n%s", out)
		}
		policy := d.fake.Policy(runService)
		webhooks := d.fake.Webhooks(sameAgent)
		function := d.fake.Function(fnName)

		d.run(0, cli, args...)
		d.golden("same-project-rerun")
		if got := d.fake.PolicyWrites(runService); got != 2 {
			t.Errorf("%d writes of the Run service policy, want 2: cxhook's grant and gcloud's own rewrite on the rerun", got)
		}
		delete(policy, "etag")
		after := d.fake.Policy(runService)
		delete(after, "etag")
		if diff := cmp.Diff(policy, after); diff != "" {
			t.Errorf("the rerun changed the policy (-before +after):\n%s", diff)
		}
		if diff := cmp.Diff(webhooks, d.fake.Webhooks(sameAgent)); diff != "" {
			t.Errorf("the rerun changed the webhook (-before +after):\n%s", diff)
		}
		if diff := cmp.Diff(function["serviceConfig"], d.fake.Function(fnName)["serviceConfig"]); diff != "" {
			t.Errorf("the rerun changed the function's service config (-before +after):\n%s", diff)
		}
	})

	t.Run("cross project", func(t *testing.T) {
		t.Parallel()
		d := newDeployer(t, gcloud)
		// The token file comes from gcloud's configuration this time, not
		// the environment: deploy.sh must get cxhook's token from gcloud.
		d.env = slices.DeleteFunc(d.env, func(kv string) bool {
			return strings.HasPrefix(kv, "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE=")
		})
		if err := os.WriteFile(filepath.Join(d.config, "properties"), []byte("[auth]\naccess_token_file = "+d.token+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		d.run(0, cli, "--project="+fnProject, "--region=us-central1", "--agent="+crossAgent,
			"--webhook-timeout=4.5s", "--min-instances=1", "--concurrency=8", "--memory=512Mi", "--cpu=1")
		for _, r := range d.fake.Requests() {
			if r.API != fakegcp.Storage && r.Auth != "Bearer dummy-token" {
				t.Errorf("%s %s %s sent Authorization %q, want gcloud's token", r.Method, r.API, r.Path, r.Auth)
			}
		}
		d.golden("cross-project")
		want := []any{map[string]any{
			"role":    "roles/run.invoker",
			"members": []any{"serviceAccount:service-222@gcp-sa-dialogflow.iam.gserviceaccount.com"},
		}}
		if diff := cmp.Diff(want, d.fake.Policy(runService)["bindings"]); diff != "" {
			t.Errorf("bindings (-want +got):\n%s", diff)
		}
		// 85% of 512Mi; a rerun without --memory keeps the function's
		// memory, and so its GOMEMLIMIT.
		checkMemoryLimit(t, d.fake, "435MiB")
		d.run(0, cli, "--project="+fnProject, "--region=us-central1", "--agent="+crossAgent, "--webhook-timeout=4.5s")
		checkMemoryLimit(t, d.fake, "435MiB")
		if got := d.fake.Function(fnName)["serviceConfig"].(map[string]any)["availableMemory"]; got != "512Mi" {
			t.Errorf("availableMemory %v after the rerun, want 512Mi", got)
		}
	})

	t.Run("1st gen", func(t *testing.T) {
		t.Parallel()
		d := newDeployer(t, gcloud)
		// GOMEMLIMIT in deploy.sh's environment is deployed as it is.
		d.run(0, append(cli, "GOMEMLIMIT=300MiB"), "--project", fnProject, "--region", "us-central1", "--agent", crossAgent, "--gen1")
		d.golden("gen1")
		checkMemoryLimit(t, d.fake, "300MiB")
		want := []any{map[string]any{
			"role":    "roles/cloudfunctions.invoker",
			"members": []any{"serviceAccount:service-222@gcp-sa-dialogflow.iam.gserviceaccount.com"},
		}}
		if diff := cmp.Diff(want, d.fake.Policy(fnName)["bindings"]); diff != "" {
			t.Errorf("bindings (-want +got):\n%s", diff)
		}
	})
}

// checkMemoryLimit checks the deployed function's GOMEMLIMIT.
func checkMemoryLimit(t *testing.T, f *fakegcp.Fake, want string) {
	t.Helper()
	fn := f.Function(fnName)
	env, _ := fn["environmentVariables"].(map[string]any) // 1st gen
	if sc, ok := fn["serviceConfig"].(map[string]any); ok {
		env, _ = sc["environmentVariables"].(map[string]any)
	}
	if got := env["GOMEMLIMIT"]; got != want {
		t.Errorf("GOMEMLIMIT=%v, want %s (environment %v)", got, want, env)
	}
}

// uploaded returns the names of the files gcloud uploaded.
func uploaded(t *testing.T, f *fakegcp.Fake) []string {
	t.Helper()
	var body []byte
	for _, r := range f.Requests() {
		if r.API == fakegcp.Storage {
			body = f.Upload(r.Path)
		}
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("upload is not a zip: %v", err)
	}
	var names []string
	for _, file := range zr.File {
		names = append(names, file.Name)
	}
	return names
}

// buildUpload unpacks what gcloud uploaded into a new directory and builds
// its root package from vendor/, offline, as Cloud Functions' buildpack
// builds the function from the upload alone: whatever .gcloudignore left
// out, the function's package must not need.
func buildUpload(t *testing.T, f *fakegcp.Fake) {
	t.Helper()
	var body []byte
	for _, r := range f.Requests() {
		if r.API == fakegcp.Storage {
			body = f.Upload(r.Path)
		}
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("upload is not a zip: %v", err)
	}
	dir := t.TempDir()
	for _, file := range zr.File {
		if strings.HasSuffix(file.Name, "/") {
			continue
		}
		path := filepath.Join(dir, filepath.FromSlash(file.Name))
		if !strings.HasPrefix(path, dir+string(filepath.Separator)) {
			t.Fatalf("upload holds %q", file.Name)
		}
		rc, err := file.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err == nil {
			err = os.MkdirAll(filepath.Dir(path), 0o755)
		}
		if err == nil {
			err = os.WriteFile(path, b, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	// -trimpath keeps the temporary directory out of the build's cache
	// keys, so that the packages each upload vendors are compiled once.
	cmd := exec.Command("go", "build", "-trimpath", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOFLAGS=-mod=vendor", "GOPROXY=off", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("the upload does not build from vendor/: %v\n%s", err, out)
	}
}

// checkUpload checks what gcloud uploaded: the module and the function's
// package, without the repository's history, tests or admin-time code.
func checkUpload(t *testing.T, f *fakegcp.Fake) {
	t.Helper()
	names := uploaded(t, f)
	for _, want := range []string{"go.mod", "go.sum", "function.go"} {
		if !slices.Contains(names, want) {
			t.Errorf("upload lacks %s: %v", want, names)
		}
	}
	for _, name := range names {
		for _, prefix := range []string{".git/", "cmd/", "setup/", "internal/fakegcp/", "internal/deploytest/", "deploy.sh"} {
			if strings.HasPrefix(name, prefix) {
				t.Errorf("upload holds %s", name)
			}
		}
		if strings.HasSuffix(name, "_test.go") || strings.Contains(name, "testdata/") {
			t.Errorf("upload holds %s", name)
		}
	}
}

// TestDeployChecksInputs needs neither gcloud nor a build: deploy.sh
// refuses bad input before it runs anything.
func TestDeployChecksInputs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no project", []string{"--region", "us-central1"}, "--project is required"},
		{"a flag without its value", []string{"--project"}, "--project needs a value"},
		{"an unknown flag", []string{"--project", "fn-proj", "--region", "us-central1", "--allow-unauthenticated"}, "unknown argument: --allow-unauthenticated"},
		{"an agent given as a URL", []string{"--project", "fn-proj", "--region", "us-central1", "--agent", "https://dialogflow.cloud.google.com/x"}, "--agent https://dialogflow.cloud.google.com/x: want projects/PROJECT/locations/LOCATION/agents/ID"},
		{"a timeout over 30s", []string{"--project", "fn-proj", "--region", "us-central1", "--webhook-timeout", "45s"}, "at most 30s"},
		{"a timeout in minutes", []string{"--project", "fn-proj", "--region", "us-central1", "--webhook-timeout", "1m"}, "want seconds or milliseconds"},
		{"concurrency on 1st gen", []string{"--project", "fn-proj", "--region", "us-central1", "--gen1", "--concurrency", "4"}, "1st gen functions serve one request per instance"},
		{"cpu without memory", []string{"--project", "fn-proj", "--region", "us-central1", "--cpu", "1"}, "--cpu needs --memory"},
		{"an upper-case name", []string{"--project", "fn-proj", "--region", "us-central1", "--name", "CxHook"}, "--name CxHook: want up to 63 lowercase"},
		{"a source that is not a directory", []string{"--project", "fn-proj", "--region", "us-central1", "--source", "/nonexistent/module"}, "--source /nonexistent/module: no such directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command("bash", append([]string{"../../deploy.sh"}, tc.args...)...)
			cmd.Env = []string{"PATH=/nonexistent"} // nothing may be run
			out, err := cmd.CombinedOutput()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), tc.want) {
				t.Errorf("deploy.sh %v: %v, output %q; want exit 2 and %q", tc.args, err, out, tc.want)
			}
		})
	}
}

// A GOMEMLIMIT that Go cannot read would stop go build and cxhook with a
// runtime error: deploy.sh says what is wrong first.
func TestDeployChecksGOMEMLIMIT(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("bash", "../../deploy.sh", "--project", "fn-proj", "--region", "us-central1")
	cmd.Env = []string{"PATH=/nonexistent", "GOMEMLIMIT=200M"}
	out, err := cmd.CombinedOutput()
	want := "GOMEMLIMIT=200M in the environment: want a size such as 200MiB or 1GiB, or off"
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), want) {
		t.Errorf("%v, output %q; want exit 2 and %q", err, out, want)
	}
}

func TestDeployDryRunCallsNothing(t *testing.T) {
	t.Parallel()
	d := newDeployer(t, "/nonexistent/gcloud") // gcloud must not run
	out := d.run(0, cliEnv(t), "--project", fnProject, "--region", "us-central1", "--agent", crossAgent, "--memory", "512Mi", "--dry-run")

	if n := len(d.fake.Requests()); n != 0 {
		t.Errorf("dry run made %d requests", n)
	}
	// The commands, pasted into a shell, are the words deploy.sh runs.
	cmds := pastedCommands(t, out)
	want := [][]string{
		{"gcloud", "functions", "deploy", "cxhook", "--project=fn-proj", "--region=us-central1", "--gen2", "--runtime=go125",
			"--trigger-http", "--no-allow-unauthenticated", "--entry-point=Webhook", "--source=.", "--timeout=5s",
			"--update-env-vars=^|^CXHOOK_AGENT_PROJECT_NUMBERS=<number of agent-proj>" +
				"|CXHOOK_AUDIENCES=https://cxhook-<number of fn-proj>.us-central1.run.app,https://us-central1-fn-proj.cloudfunctions.net/cxhook" +
				"|CXHOOK_AUTH=platform|CXHOOK_WEBHOOK_TIMEOUT=5s|GOMEMLIMIT=435MiB|GOOGLE_CLOUD_PROJECT=fn-proj",
			"--memory=512Mi"},
		{"cxhook", "setup", "--project", "fn-proj", "--region", "us-central1", "--name", "cxhook", "--webhook-timeout", "5s", "--agent", crossAgent},
	}
	if diff := cmp.Diff(want, cmds); diff != "" {
		t.Errorf("commands (-want +got):\n%s\noutput:\n%s", diff, out)
	}
	for _, line := range strings.Split(out, "\n") {
		if len(line) > 100 && !strings.HasPrefix(line, "    ") {
			t.Errorf("line of %d columns: %s", len(line), line)
		}
	}
	if !strings.Contains(out, "5. Grant roles/run.invoker") {
		t.Errorf("dry run output lacks the plan:\n%s", out)
	}
}

// pastedCommands returns the words of each command in a dry run's output,
// as bash reads them when the lines are pasted.
func pastedCommands(t *testing.T, out string) [][]string {
	t.Helper()
	var cmds [][]string
	lines := strings.Split(out, "\n")
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "  gcloud ") && !strings.HasPrefix(lines[i], "  cxhook ") {
			continue
		}
		text := lines[i]
		for strings.HasSuffix(lines[i], "\\") && i+1 < len(lines) {
			i++
			text += "\n" + lines[i]
		}
		cmd := exec.Command("bash", "-c", `words() { printf '%s\0' "$@"; }; words `+strings.TrimSpace(text))
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("bash cannot read %q: %v", text, err)
		}
		cmds = append(cmds, strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00"))
	}
	return cmds
}

// A dry run stops before printing any command when cxhook refuses the
// flags: here the README's placeholder agent ID.
func TestDeployDryRunStopsOnRefusal(t *testing.T) {
	t.Parallel()
	d := newDeployer(t, "/nonexistent/gcloud")
	out := d.run(2, cliEnv(t), "--project", "my-functions", "--region", "europe-west1",
		"--agent", "projects/my-agents/locations/europe-west1/agents/0a1b2c3d-...", "--dry-run")
	if !strings.Contains(out, `"0a1b2c3d-..." is not an agent ID`) || strings.Contains(out, "gcloud functions deploy") || strings.Contains(out, "It would run") {
		t.Errorf("output:\n%s", out)
	}
}

// modules are the function modules of their own that TestDeployModule
// deploys, each from a copy outside the repository. A module that replaces
// github.com/cxhook/cxhook with a directory gets the replace pointed at
// this repository and is vendored, as a module in another repository
// would have to be (gcloud uploads the module's directory alone).
var modules = []struct {
	name string
	dir  string // relative to this package
	// make, if set, writes the module into a new directory and returns
	// it, instead of dir.
	make func(t *testing.T) string
	// notUploaded are files of the module that its .gcloudignore leaves
	// out of the upload.
	notUploaded []string
}{
	{name: "testdata module", dir: "testdata/module"},
	// The README's "Write your own handler" module, as a team writes it.
	{name: "quickstart", dir: "../../examples/quickstart"},
	// The module cxhook init writes for the pizza agent.
	{name: "cxhook init module", make: initModule,
		notUploaded: []string{"function_test.go", "cmd/local/main.go", "testdata/agent/agent.json", "testdata/requests/placeOrder_order-pizza_final.json"}},
}

// initModule writes a module with cxhook init, from the pizza agent's
// export, into a new directory, and runs go mod tidy in it, as the
// module's README says; copyModule vendors it.
func initModule(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin, err := cxhookBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "pizzeria")
	for _, args := range [][]string{
		{bin, "init", dir, "--agent", filepath.Join(root, "agent", "testdata", "pizza"), "--cxhook-replace", root},
		{"go", "mod", "tidy"},
	} {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = filepath.Dir(dir)
		if args[0] == "go" {
			cmd.Dir = dir
		}
		cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod", "GOPROXY=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return dir
}

// copyModule copies the module in dir to a new directory outside the
// repository, without its vendor directory, and returns the copy. With
// vendor, it points github.com/cxhook/cxhook, if the module needs it, at
// this repository (go mod edit -replace) and runs go mod vendor.
func copyModule(t *testing.T, dir string, vendor bool) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(dir))
	err := filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if rel == "vendor" {
			return filepath.SkipDir
		}
		if e.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	if !vendor {
		return dst
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(dst, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	var steps [][]string
	if bytes.Contains(gomod, []byte("github.com/cxhook/cxhook")) {
		steps = append(steps, []string{"go", "mod", "edit", "-replace=github.com/cxhook/cxhook=" + root})
	}
	steps = append(steps, []string{"go", "mod", "vendor"})
	for _, args := range steps {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = dst
		cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOFLAGS=")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return dst
}

// A module of its own deploys with --source through the same requests as
// the repository's root (same-project.txt, then same-project-rerun.txt):
// the same steps, flags and idempotence; only the upload differs.
func TestDeployModule(t *testing.T) {
	gcloud := findGcloud(t)
	cli := cliEnv(t)
	for _, m := range modules {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			d := newDeployer(t, gcloud)
			dir := m.dir
			if m.make != nil {
				dir = m.make(t)
			}
			src := copyModule(t, dir, true)
			args := []string{"--project", fnProject, "--region", "us-central1", "--agent", sameAgent, "--source", src}

			out := d.run(0, cli, args...)
			names := uploaded(t, d.fake)
			buildUpload(t, d.fake)
			d.golden("same-project")
			if !strings.Contains(out, "deploying "+src+" as cxhook") {
				t.Errorf("deploy.sh did not say what it deploys:\n%s", out)
			}
			for _, want := range []string{"go.mod", "go.sum", "function.go", "vendor/modules.txt",
				"vendor/github.com/cxhook/cxhook/fulfillment/doc.go",
				"vendor/github.com/GoogleCloudPlatform/functions-framework-go/funcframework/framework.go"} {
				if !slices.Contains(names, want) {
					t.Errorf("upload lacks %s: %v", want, names)
				}
			}
			for _, name := range names {
				if strings.HasPrefix(name, ".git/") || strings.HasPrefix(name, "vendor/github.com/cxhook/cxhook/setup/") ||
					strings.HasPrefix(name, "vendor/github.com/cxhook/cxhook/agent/") || slices.Contains(m.notUploaded, name) {
					t.Errorf("upload holds %s", name)
				}
			}
			checkMemoryLimit(t, d.fake, "207MiB")

			d.run(0, cli, args...)
			d.golden("same-project-rerun")
		})
	}
}

// deploy.sh refuses, before calling anything, a module that Cloud
// Functions cannot build or start, and names the fix. It needs no gcloud.
func TestDeployRefusesModules(t *testing.T) {
	t.Parallel()
	edit := func(file, old, new string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			path := filepath.Join(dir, file)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(b, []byte(old)) {
				t.Fatalf("%s lacks %q", file, old)
			}
			if err := os.WriteFile(path, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		name   string
		vendor bool
		change func(t *testing.T, dir string)
		want   string
	}{
		{"a go line too new", true, edit("go.mod", "go 1.25.0", "go 1.27.0"),
			"go.mod says go 1.27.0, newer than Go 1.26 of go126, the newest Go runtime Cloud Functions offers (go mod init writes the local toolchain's version): lower it: go mod edit -go=1.25.0"},
		{"no entry point", true, edit("function.go", `functions.HTTP("Webhook",`, `functions.HTTP("Hello",`),
			`the root package registers "Hello", not "Webhook"`},
		{"no registration", true, edit("function.go", `functions.HTTP("Webhook", fulfillment.NewHTTPHandler(mux).ServeHTTP)`, `_ = functions.HTTP`),
			`does not call functions.HTTP("Webhook", ...): register the handler in an init function of that package`},
		{"a replace outside, not vendored", false, nil,
			"go.mod replaces github.com/cxhook/cxhook with ../../../.., outside the module's directory, and gcloud uploads that directory alone: vendor the module's dependencies (go mod vendor in"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := newDeployer(t, "/nonexistent/gcloud") // gcloud must not run
			src := copyModule(t, modules[0].dir, tc.vendor)
			if tc.change != nil {
				tc.change(t, src)
			}
			for _, dry := range []bool{false, true} {
				args := []string{"--project", fnProject, "--region", "us-central1", "--source", src}
				if dry {
					args = append(args, "--dry-run")
				}
				out := d.run(2, cliEnv(t), args...)
				if !strings.Contains(out, tc.want) || strings.Contains(out, "gcloud functions deploy") {
					t.Errorf("deploy.sh %v:\n%s\nwant %q and no command", args, out, tc.want)
				}
			}
			if n := len(d.fake.Requests()); n != 0 {
				t.Errorf("made %d requests", n)
			}
		})
	}
}
