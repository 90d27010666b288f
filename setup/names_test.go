package setup_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cxhook/cxhook/setup"
	"github.com/google/go-cmp/cmp"
)

func TestParseAgent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		want     setup.Agent
		wantErr  string
	}{
		{
			name: "a global agent",
			in:   "projects/my-agents/locations/global/agents/0a1b2c3d-aaaa",
			want: setup.Agent{Project: "my-agents", Location: "global", ID: "0a1b2c3d-aaaa"},
		},
		{
			name: "a regional agent",
			in:   "projects/my-agents/locations/us-central1/agents/x1",
			want: setup.Agent{Project: "my-agents", Location: "us-central1", ID: "x1"},
		},
		{
			name: "a project given by number",
			in:   "projects/123456/locations/global/agents/x1",
			want: setup.Agent{Project: "123456", Location: "global", ID: "x1"},
		},
		{name: "a console URL", in: "https://dialogflow.cloud.google.com/cx/projects/p/locations/global/agents/x", wantErr: "want projects/PROJECT/locations/LOCATION/agents/ID"},
		{name: "a missing location", in: "projects/my-agents/agents/x1", wantErr: "want projects/PROJECT"},
		{name: "a trailing slash", in: "projects/my-agents/locations/global/agents/x1/", wantErr: "want projects/PROJECT"},
		{name: "an upper-case project", in: "projects/My-Agents/locations/global/agents/x1", wantErr: `"My-Agents" is not a project ID or number`},
		{name: "a bad location", in: "projects/my-agents/locations/US/agents/x1", wantErr: `"US" is not a location`},
		{name: "a bad agent ID", in: "projects/my-agents/locations/global/agents/x%20", wantErr: "is not an agent ID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := setup.ParseAgent(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseAgent(%q) error = %v, want it to contain %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("ParseAgent(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
			if got.String() != tc.in {
				t.Errorf("String() = %q, want %q", got.String(), tc.in)
			}
		})
	}
}

func TestAgentEndpoint(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ location, want string }{
		{"global", "https://dialogflow.googleapis.com"},
		{"us-central1", "https://us-central1-dialogflow.googleapis.com"},
		{"europe-west2", "https://europe-west2-dialogflow.googleapis.com"},
	} {
		if got := (setup.Agent{Project: "p", Location: tc.location, ID: "a"}).Endpoint(); got != tc.want {
			t.Errorf("Endpoint() for %s = %q, want %q", tc.location, got, tc.want)
		}
	}
}

func TestFunctionTimeout(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want time.Duration }{
		{5 * time.Second, 5 * time.Second},
		{4500 * time.Millisecond, 5 * time.Second},
		{time.Millisecond, time.Second},
		{30 * time.Second, 30 * time.Second},
	} {
		if got := setup.FunctionTimeout(tc.in); got != tc.want {
			t.Errorf("FunctionTimeout(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestPolicyGrant(t *testing.T) {
	t.Parallel()
	const role, me = "roles/run.invoker", "serviceAccount:me@x"
	cond := []byte(`{"expression":"true"}`)
	for _, tc := range []struct {
		name        string
		in, want    []*setup.Binding
		wantChanged bool
	}{
		{
			name:        "an empty policy gets a new binding",
			want:        []*setup.Binding{{Role: role, Members: []string{me}}},
			wantChanged: true,
		},
		{
			name:        "an existing unconditional binding of the role gains the member",
			in:          []*setup.Binding{{Role: "roles/viewer", Members: []string{"user:a"}}, {Role: role, Members: []string{"user:b"}}},
			want:        []*setup.Binding{{Role: "roles/viewer", Members: []string{"user:a"}}, {Role: role, Members: []string{"user:b", me}}},
			wantChanged: true,
		},
		{
			name: "a member already granted is left alone",
			in:   []*setup.Binding{{Role: role, Members: []string{me, "user:b"}}},
			want: []*setup.Binding{{Role: role, Members: []string{me, "user:b"}}},
		},
		{
			name:        "a conditional grant does not count and is not changed",
			in:          []*setup.Binding{{Role: role, Members: []string{me}, Condition: cond}},
			want:        []*setup.Binding{{Role: role, Members: []string{me}, Condition: cond}, {Role: role, Members: []string{me}}},
			wantChanged: true,
		},
		{
			name:        "the same member in another role does not count",
			in:          []*setup.Binding{{Role: "roles/run.admin", Members: []string{me}}},
			want:        []*setup.Binding{{Role: "roles/run.admin", Members: []string{me}}, {Role: role, Members: []string{me}}},
			wantChanged: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := &setup.Policy{Version: 3, Etag: "e", Bindings: tc.in}
			changed := p.Grant(role, me)
			if changed != tc.wantChanged {
				t.Errorf("Grant() = %v, want %v", changed, tc.wantChanged)
			}
			if diff := cmp.Diff(tc.want, p.Bindings); diff != "" {
				t.Errorf("bindings (-want +got):\n%s", diff)
			}
			if p.Version != 3 || p.Etag != "e" {
				t.Errorf("version %d, etag %q changed", p.Version, p.Etag)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		cfg     setup.Config
		wantErr string
	}{
		{name: "a minimal config", cfg: setup.Config{Project: "my-proj", Region: "us-central1", Function: "cxhook"}},
		{name: "a project ID too short", cfg: setup.Config{Project: "abc", Region: "us-central1", Function: "cxhook"}, wantErr: `project "abc"`},
		{name: "a zone for a region", cfg: setup.Config{Project: "my-proj", Region: "us-central1-a", Function: "cxhook"}, wantErr: `region "us-central1-a"`},
		{name: "an underscore in the name", cfg: setup.Config{Project: "my-proj", Region: "us-central1", Function: "cx_hook"}, wantErr: `function name "cx_hook"`},
		{name: "a timeout over 30s", cfg: setup.Config{Project: "my-proj", Region: "us-central1", Function: "cxhook", WebhookTimeout: 31 * time.Second}, wantErr: "webhook timeout 31s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := tc.cfg
			err := cfg.Validate()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if cfg.WebhookTimeout != 5*time.Second || cfg.WebhookName != cfg.Function {
					t.Errorf("defaults not filled in: %+v", cfg)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Validate() = %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestConfigPlanCallsNothing(t *testing.T) {
	t.Parallel()
	cfg := crossProject(t)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(cfg.Plan(), "\n")
	want := strings.Join([]string{
		"1. Look up the project numbers of fn-proj, agent-proj (Resource Manager projects.get).",
		"2. Read function projects/fn-proj/locations/us-central1/functions/cxhook (2nd gen, Cloud Functions v2): its URL, environment and timeout.",
		"3. Make its environment hold CXHOOK_AGENT_PROJECT_NUMBERS=<number of agent-proj> CXHOOK_AUDIENCES=https://cxhook-<number of fn-proj>.us-central1.run.app,https://us-central1-fn-proj.cloudfunctions.net/cxhook CXHOOK_AUTH=platform CXHOOK_WEBHOOK_TIMEOUT=5s GOOGLE_CLOUD_PROJECT=fn-proj, with the function's URL in CXHOOK_AUDIENCES; update the function if not.",
		"4. Make sure the Dialogflow service agent of agent-proj exists (Service Usage v1beta1 generateServiceIdentity, polled until done).",
		"5. Grant roles/run.invoker on the function's Cloud Run service (projects/fn-proj/locations/us-central1/services/cxhook unless the function reports another) to serviceAccount:service-<number of agent-proj>@gcp-sa-dialogflow.iam.gserviceaccount.com: read-modify-write of its IAM policy, nothing written if already granted.",
		`6. Create or update webhook "cxhook" of agent projects/agent-proj/locations/global/agents/a1 (at https://dialogflow.googleapis.com): uri = the function's URL, serviceAgentAuth = ID_TOKEN, timeout = 5s.`,
	}, "\n")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Plan() (-want +got):\n%s", diff)
	}
}
