package setup_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cxhook/cxhook/internal/fakegcp"
	"github.com/cxhook/cxhook/internal/logbuf"
	"github.com/cxhook/cxhook/setup"
	"google.golang.org/api/option"
)

// The world most tests start from: a 2nd gen function in fn-proj, deployed
// with the environment deploy.sh gives it, and an agent in agent-proj.
const (
	fnProject    = "fn-proj"
	fnNumber     = "111"
	agentProject = "agent-proj"
	agentNumber  = "222"
	region       = "us-central1"
	fnName       = "projects/fn-proj/locations/us-central1/functions/cxhook"
	runService   = "projects/fn-proj/locations/us-central1/services/cxhook"
	agentName    = "projects/agent-proj/locations/global/agents/a1"
	runURL       = "https://cxhook-111.us-central1.run.app"
	agentMember  = "serviceAccount:service-222@gcp-sa-dialogflow.iam.gserviceaccount.com"
)

func crossProject(t *testing.T) setup.Config {
	t.Helper()
	a, err := setup.ParseAgent(agentName)
	if err != nil {
		t.Fatal(err)
	}
	return setup.Config{Project: fnProject, Region: region, Function: "cxhook", Agents: []setup.Agent{a}}
}

// newWorld returns a fake with the projects, the agent and the function
// of cfg deployed as deploy.sh deploys it. The options are applied to the
// fake first.
func newWorld(t *testing.T, cfg setup.Config, opts ...func(*fakegcp.Fake)) *fakegcp.Fake {
	t.Helper()
	f := fakegcp.New()
	for _, o := range opts {
		o(f)
	}
	f.AddProject(fnProject, fnNumber)
	f.AddProject(agentProject, agentNumber)
	for _, a := range cfg.Agents {
		f.AddAgent(a.String())
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	env := cfg.Env(map[string]string{fnProject: fnNumber, agentProject: agentNumber})
	envJSON := map[string]any{}
	for k, v := range env {
		envJSON[k] = v
	}
	if cfg.Gen == setup.Gen1 {
		f.AddFunction(false, cfg.FunctionName(), map[string]any{
			"entryPoint":           "Webhook",
			"runtime":              "go125",
			"timeout":              "5s",
			"environmentVariables": envJSON,
		})
	} else {
		f.AddFunction(true, cfg.FunctionName(), map[string]any{
			"buildConfig":   map[string]any{"entryPoint": "Webhook", "runtime": "go125"},
			"serviceConfig": map[string]any{"timeoutSeconds": 5, "environmentVariables": envJSON},
		})
	}
	return f
}

// newSetup returns a Setup whose clients keep their production endpoints
// but reach the fake, and the buffer its progress lines go to.
func newSetup(t *testing.T, f *fakegcp.Fake) (*setup.Setup, *logbuf.Buffer) {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	log := new(logbuf.Buffer)
	s, err := setup.New(context.Background(), setup.Options{
		ClientOptions: []option.ClientOption{option.WithHTTPClient(fakegcp.Client(srv.URL))},
		Log:           log,
		PollInterval:  time.Millisecond,
		Backoff:       func(int) time.Duration { return time.Millisecond },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, log
}

// requests formats the fake's requests, one a line, without bodies.
func requests(f *fakegcp.Fake) string {
	var lines []string
	for _, r := range f.Requests() {
		line := r.Method + " " + r.API + " " + r.Path
		if len(r.Query) > 0 {
			line += "?" + r.Query.Encode()
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
