package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cxhook/cxhook/internal/fakegcp"
	"github.com/google/go-cmp/cmp"
)

// world serves the fake on local ports and returns the environment that
// points cxhook at it, as deploy.sh's test points gcloud at it.
func world(t *testing.T) (*fakegcp.Fake, func(string) string) {
	t.Helper()
	f := fakegcp.New()
	f.AddProject("fn-proj", "111")
	f.AddProject("agent-proj", "222")
	srv := fakegcp.Start(t, f)
	token := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(token, []byte("dummy-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CLOUDSDK_AUTH_ACCESS_TOKEN_FILE": token}
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return f, func(k string) string { return env[k] }
}

func cxhook(t *testing.T, getenv func(string) string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, getenv, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestEnv(t *testing.T) {
	t.Parallel()
	f, getenv := world(t)

	code, out, errOut := cxhook(t, getenv, "env", "--project", "fn-proj", "--region", "us-central1",
		"--agent", "projects/agent-proj/locations/global/agents/a1", "--webhook-timeout", "4.5s")

	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := "CXHOOK_AGENT_PROJECT_NUMBERS=222\n" +
		"CXHOOK_AUDIENCES=https://cxhook-111.us-central1.run.app,https://us-central1-fn-proj.cloudfunctions.net/cxhook\n" +
		"CXHOOK_AUTH=platform\n" +
		"CXHOOK_WEBHOOK_TIMEOUT=4.5s\n" +
		"GOMEMLIMIT=207MiB\n" + // 85% of 256M: the function is not deployed yet
		"GOOGLE_CLOUD_PROJECT=fn-proj\n"
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	for _, r := range f.Requests() {
		if r.Auth != "Bearer dummy-token" {
			t.Errorf("%s %s sent Authorization %q, want the token file's token", r.Method, r.Path, r.Auth)
		}
	}
	if len(f.Requests()) != 3 { // two project numbers, then the function (404)
		t.Errorf("requests:\n%v", f.Requests())
	}
}

// GOMEMLIMIT follows the instance memory: --memory, else the deployed
// function's, else 256M; GOMEMLIMIT in cxhook's environment wins.
func TestEnvMemoryLimit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		function map[string]any // deployed, if not nil
		gen1     bool
		args     []string
		env      string // GOMEMLIMIT in cxhook's environment
		want     string
		reads    int // requests to the Cloud Functions API
	}{
		{name: "a new function", want: "207MiB", reads: 1},
		{name: "--memory", args: []string{"--memory=512Mi"}, want: "435MiB"},
		{name: "--memory in decimal units", args: []string{"--memory", "1G"}, want: "810MiB"},
		{name: "the deployed function's memory", function: map[string]any{"serviceConfig": map[string]any{"availableMemory": "1Gi"}}, want: "870MiB", reads: 1},
		{name: "a deployed function without a size", function: map[string]any{"serviceConfig": map[string]any{}}, want: "207MiB", reads: 1},
		{name: "a deployed function of the default size", function: map[string]any{"serviceConfig": map[string]any{"availableMemory": "256M"}}, want: "207MiB", reads: 1},
		{name: "--memory over the deployed function's", function: map[string]any{"serviceConfig": map[string]any{"availableMemory": "1Gi"}}, args: []string{"--memory=2Gi"}, want: "1740MiB"},
		{name: "a 1st gen function's memory", gen1: true, function: map[string]any{"availableMemoryMb": 512}, want: "415MiB", reads: 1},
		{name: "GOMEMLIMIT given", env: "300MiB", args: []string{"--memory=512Mi"}, want: "300MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, getenv := world(t)
			if tc.function != nil {
				f.AddFunction(!tc.gen1, "projects/fn-proj/locations/us-central1/functions/cxhook", tc.function)
			}
			args := append([]string{"env", "--project=fn-proj", "--region=us-central1"}, tc.args...)
			if tc.gen1 {
				args = append(args, "--gen1")
			}
			code, out, errOut := cxhook(t, func(k string) string {
				if k == "GOMEMLIMIT" {
					return tc.env
				}
				return getenv(k)
			}, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !strings.Contains(out, "\nGOMEMLIMIT="+tc.want+"\n") {
				t.Errorf("stdout lacks GOMEMLIMIT=%s:\n%s", tc.want, out)
			}
			reads := 0
			for _, r := range f.Requests() {
				if r.API == "cloudfunctions" {
					reads++
				}
			}
			if reads != tc.reads {
				t.Errorf("%d requests to Cloud Functions, want %d:\n%v", reads, tc.reads, f.Requests())
			}
		})
	}
}

func TestRuntime(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		stdout   string
		stderr   string
	}{
		{"the repository", []string{"runtime", "--source", "../.."}, 0, "go125\n", ""},
		{"a directory without go.mod", []string{"runtime", "--source=."}, 1, "", "cxhook runtime: .: no go.mod"},
		{"a flag of env", []string{"runtime", "--project=p"}, 2, "", "flag provided but not defined: -project"},
		{"a stray argument", []string{"runtime", "../.."}, 2, "", `unexpected argument "../.."`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := cxhook(t, func(string) string { return "" }, tc.args...)
			if code != tc.wantCode || out != tc.stdout || !strings.Contains(errOut, tc.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q and %q", code, out, errOut, tc.wantCode, tc.stdout, tc.stderr)
			}
		})
	}
}

func TestSetupRegionalAgentThroughOverride(t *testing.T) {
	t.Parallel()
	f, getenv := world(t)
	agent := "projects/agent-proj/locations/us-central1/agents/a1"
	f.AddAgent(agent)
	f.AddFunction(true, "projects/fn-proj/locations/us-central1/functions/cxhook", map[string]any{
		"serviceConfig": map[string]any{"timeoutSeconds": 5},
	})

	code, out, errOut := cxhook(t, getenv, "setup", "--project=fn-proj", "--region=us-central1", "--agent="+agent)

	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if out != "" {
		t.Errorf("stdout = %q, want progress on stderr only", out)
	}
	var got []string
	for _, r := range f.Requests() {
		got = append(got, r.Method+" "+r.API+" "+r.Path)
	}
	// The DIALOGFLOW override serves every location: the agent's location
	// is in the path.
	want := []string{
		"GET cloudresourcemanager /v1/projects/fn-proj",
		"GET cloudresourcemanager /v1/projects/agent-proj",
		"GET cloudfunctions /v2/projects/fn-proj/locations/us-central1/functions/cxhook",
		"PATCH cloudfunctions /v2/projects/fn-proj/locations/us-central1/functions/cxhook",
		"GET cloudfunctions /v2/projects/fn-proj/locations/us-central1/operations/operation-1",
		"POST serviceusage /v1beta1/projects/222/services/dialogflow.googleapis.com:generateServiceIdentity",
		"GET serviceusage /v1beta1/operations/finish.2",
		"GET run /v2/projects/fn-proj/locations/us-central1/services/cxhook:getIamPolicy",
		"POST run /v2/projects/fn-proj/locations/us-central1/services/cxhook:setIamPolicy",
		"GET dialogflow /v3/projects/agent-proj/locations/us-central1/agents/a1/webhooks",
		"POST dialogflow /v3/projects/agent-proj/locations/us-central1/agents/a1/webhooks",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	for _, line := range []string{
		"cxhook: function environment: updating CXHOOK_AGENT_PROJECT_NUMBERS, CXHOOK_AUDIENCES, CXHOOK_AUTH, CXHOOK_WEBHOOK_TIMEOUT",
		"cxhook: roles/run.invoker on projects/fn-proj/locations/us-central1/services/cxhook: granted to serviceAccount:service-222@gcp-sa-dialogflow.iam.gserviceaccount.com",
		`cxhook: webhook "cxhook" of agent ` + agent + ": created",
		"cxhook: done",
	} {
		if !strings.Contains(errOut, line) {
			t.Errorf("stderr lacks %q:\n%s", line, errOut)
		}
	}
}

func TestDryRunCallsNothing(t *testing.T) {
	t.Parallel()
	for _, verb := range []string{"env", "setup"} {
		t.Run(verb, func(t *testing.T) {
			t.Parallel()
			f, getenv := world(t)

			code, out, errOut := cxhook(t, getenv, verb, "--project=fn-proj", "--region=us-central1", "--dry-run",
				"--agent=projects/agent-proj/locations/global/agents/a1")

			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if n := len(f.Requests()); n != 0 {
				t.Errorf("dry run made %d requests", n)
			}
			if !strings.Contains(out, "<number of agent-proj>") {
				t.Errorf("stdout does not show the unresolved numbers:\n%s", out)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"no command", nil, 2, "Usage:"},
		{"an unknown command", []string{"deploy"}, 2, `unknown command "deploy"`},
		{"no project", []string{"setup", "--region=us-central1"}, 2, "--project and --region are required"},
		{"a bad agent", []string{"setup", "--project=fn-proj", "--region=us-central1", "--agent=agents/x"}, 2, "want projects/PROJECT/locations/LOCATION/agents/ID"},
		{"a bad name", []string{"env", "--project=fn-proj", "--region=us-central1", "--name=Web_Hook"}, 2, `function name "Web_Hook"`},
		{"a timeout over 30s", []string{"env", "--project=fn-proj", "--region=us-central1", "--webhook-timeout=45s"}, 2, "webhook timeout 45s"},
		{"a stray argument", []string{"env", "--project=fn-proj", "--region=us-central1", "extra"}, 2, `unexpected argument "extra"`},
		{"a missing token file", []string{"env", "--project=fn-proj", "--region=us-central1"}, 1, "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE"},
		{"a memory without a unit", []string{"env", "--project=fn-proj", "--region=us-central1", "--memory=512"}, 2, `memory "512": want from 1Mi to 1024Gi`},
		{"a memory in millibytes", []string{"env", "--project=fn-proj", "--region=us-central1", "--memory=512m"}, 2, `memory "512m": want a size such as 512Mi`},
		{"--memory for setup", []string{"setup", "--project=fn-proj", "--region=us-central1", "--memory=512Mi"}, 2, "flag provided but not defined: -memory"},
		{"--webhook-name for env", []string{"env", "--project=fn-proj", "--region=us-central1", "--webhook-name=x"}, 2, "flag provided but not defined: -webhook-name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			getenv := func(k string) string {
				if k == "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE" {
					return filepath.Join(t.TempDir(), "missing")
				}
				return ""
			}
			code, _, errOut := cxhook(t, getenv, tc.args...)
			if code != tc.wantCode || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tc.wantCode, tc.want)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	code, out, _ := cxhook(t, func(string) string { return "" }, "help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"cxhook runtime", "cxhook env", "cxhook setup", "--agent projects/A/locations/L/agents/ID", "--webhook-timeout D", "--dry-run", "--memory M", "--source DIR"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
}

// The usage line of each command names exactly the flags it takes, and the
// list of flags describes each flag some command takes.
func TestHelpMatchesFlags(t *testing.T) {
	t.Parallel()
	_, out, _ := cxhook(t, func(string) string { return "" }, "help")
	flagName := regexp.MustCompile(`--([a-z0-9-]+)`)
	lines := strings.Split(out, "\n")
	for _, verb := range []string{"runtime", "env", "setup"} {
		var inUsage []string
		for i, line := range lines {
			if !strings.HasPrefix(line, "  cxhook "+verb+" ") {
				continue
			}
			// The usage of a command runs on while lines are indented past it.
			for j := i; j < len(lines) && (j == i || strings.HasPrefix(lines[j], "                 ")); j++ {
				for _, m := range flagName.FindAllStringSubmatch(lines[j], -1) {
					inUsage = append(inUsage, m[1])
				}
			}
		}
		fs, _ := newFlags(verb)
		var defined []string
		fs.VisitAll(func(f *flag.Flag) { defined = append(defined, f.Name) })
		slices.Sort(inUsage)
		if diff := cmp.Diff(defined, slices.Compact(inUsage)); diff != "" {
			t.Errorf("cxhook %s: flags (-defined +in the usage line):\n%s", verb, diff)
		}
		for _, name := range defined {
			if !strings.Contains(out, "\n  --"+name) {
				t.Errorf("the flag list lacks --%s", name)
			}
		}
	}
}
