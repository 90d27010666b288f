package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
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
		"GOOGLE_CLOUD_PROJECT=fn-proj\n"
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	for _, r := range f.Requests() {
		if r.Auth != "Bearer dummy-token" {
			t.Errorf("%s %s sent Authorization %q, want the token file's token", r.Method, r.Path, r.Auth)
		}
	}
	if len(f.Requests()) != 2 {
		t.Errorf("requests:\n%v", f.Requests())
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
	for _, want := range []string{"cxhook env", "cxhook setup", "-agent projects/A/locations/L/agents/ID", "-webhook-timeout", "-dry-run"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
}
