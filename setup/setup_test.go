package setup_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/cxhook/cxhook/internal/fakegcp"
	"github.com/cxhook/cxhook/setup"
	"github.com/google/go-cmp/cmp"
)

func TestRunCrossProject(t *testing.T) {
	t.Parallel()
	cfg := crossProject(t)
	f := newWorld(t, cfg)
	s, log := newSetup(t, f)

	if err := s.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}

	want := strings.Join([]string{
		"GET cloudresourcemanager /v1/projects/fn-proj",
		"GET cloudresourcemanager /v1/projects/agent-proj",
		"GET cloudfunctions /v2/projects/fn-proj/locations/us-central1/functions/cxhook",
		"POST serviceusage /v1beta1/projects/222/services/dialogflow.googleapis.com:generateServiceIdentity",
		"GET serviceusage /v1beta1/operations/finish.1",
		"GET run /v2/projects/fn-proj/locations/us-central1/services/cxhook:getIamPolicy?options.requestedPolicyVersion=3",
		"POST run /v2/projects/fn-proj/locations/us-central1/services/cxhook:setIamPolicy",
		"GET dialogflow /v3/projects/agent-proj/locations/global/agents/a1/webhooks?pageSize=1000",
		"POST dialogflow /v3/projects/agent-proj/locations/global/agents/a1/webhooks",
	}, "\n")
	if diff := cmp.Diff(want, requests(f)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if !f.HasServiceAgent(agentNumber) {
		t.Error("the agent project's service agent was not created")
	}
	wantPolicy := map[string]any{
		"etag":     f.Policy(runService)["etag"],
		"bindings": []any{map[string]any{"role": "roles/run.invoker", "members": []any{agentMember}}},
	}
	if diff := cmp.Diff(wantPolicy, f.Policy(runService)); diff != "" {
		t.Errorf("policy of %s (-want +got):\n%s", runService, diff)
	}
	hooks := f.Webhooks(agentName)
	if len(hooks) != 1 {
		t.Fatalf("agent has %d webhooks, want 1", len(hooks))
	}
	wantHook := map[string]any{
		"name":        hooks[0]["name"],
		"displayName": "cxhook",
		"genericWebService": map[string]any{
			"uri":              runURL,
			"serviceAgentAuth": json.Number("2"), // ID_TOKEN, sent as a number by the REST client
		},
		"timeout": "5s",
	}
	if diff := cmp.Diff(wantHook, hooks[0]); diff != "" {
		t.Errorf("webhook (-want +got):\n%s", diff)
	}
	for _, line := range []string{
		"function projects/fn-proj/locations/us-central1/functions/cxhook (2nd gen) answers at " + runURL,
		"function environment: up to date",
		"Dialogflow service agent of project agent-proj: service-222@gcp-sa-dialogflow.iam.gserviceaccount.com",
		"roles/run.invoker on " + runService + ": granted to " + agentMember,
		`webhook "cxhook" of agent ` + agentName + ": created",
	} {
		if !strings.Contains(log.String(), line) {
			t.Errorf("progress lacks %q:\n%s", line, log)
		}
	}
}

func TestRunTwiceChangesNothing(t *testing.T) {
	t.Parallel()
	cfg := crossProject(t)
	f := newWorld(t, cfg)
	s, log := newSetup(t, f)
	if err := s.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	f.ResetRequests()
	before := f.Webhooks(agentName)
	policy := f.Policy(runService)

	if err := s.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}

	// Only reads, and generateServiceIdentity, which is idempotent.
	want := strings.Join([]string{
		"GET cloudresourcemanager /v1/projects/fn-proj",
		"GET cloudresourcemanager /v1/projects/agent-proj",
		"GET cloudfunctions /v2/projects/fn-proj/locations/us-central1/functions/cxhook",
		"POST serviceusage /v1beta1/projects/222/services/dialogflow.googleapis.com:generateServiceIdentity",
		"GET serviceusage /v1beta1/operations/finish.4",
		"GET run /v2/projects/fn-proj/locations/us-central1/services/cxhook:getIamPolicy?options.requestedPolicyVersion=3",
		"GET dialogflow /v3/projects/agent-proj/locations/global/agents/a1/webhooks?pageSize=1000",
	}, "\n")
	if diff := cmp.Diff(want, requests(f)); diff != "" {
		t.Errorf("requests of the rerun (-want +got):\n%s", diff)
	}
	if got := f.PolicyWrites(runService); got != 1 {
		t.Errorf("%d writes of the policy in two runs, want 1", got)
	}
	if diff := cmp.Diff(policy, f.Policy(runService)); diff != "" {
		t.Errorf("policy changed (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(before, f.Webhooks(agentName)); diff != "" {
		t.Errorf("webhooks changed (-before +after):\n%s", diff)
	}
	for _, line := range []string{
		"roles/run.invoker on " + runService + ": already granted to " + agentMember,
		`webhook "cxhook" of agent ` + agentName + ": unchanged",
	} {
		if !strings.Contains(log.String(), line) {
			t.Errorf("progress lacks %q:\n%s", line, log)
		}
	}
}

func TestRunPollsServiceIdentityUntilDone(t *testing.T) {
	t.Parallel()
	cfg := crossProject(t)
	f := newWorld(t, cfg)
	f.SetOperationPolls(3) // three "not done" answers, then done
	s, _ := newSetup(t, f)

	if err := s.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}

	polls := strings.Count(requests(f), "GET serviceusage /v1beta1/operations/")
	if polls != 4 {
		t.Errorf("operations.get called %d times, want 4 (3 not done, then done):\n%s", polls, requests(f))
	}
	if !f.HasServiceAgent(agentNumber) {
		t.Error("service agent not created")
	}
}

func TestRunRegionalAgent(t *testing.T) {
	t.Parallel()
	cfg := crossProject(t)
	a, err := setup.ParseAgent("projects/agent-proj/locations/europe-west1/agents/a2")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Agents = []setup.Agent{a}
	f := newWorld(t, cfg)
	s, _ := newSetup(t, f)

	if err := s.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}

	var got []string
	for _, r := range f.Requests() {
		if r.API == fakegcp.Dialogflow {
			got = append(got, r.Method+" "+r.Host+r.Path)
		}
	}
	want := []string{
		"GET europe-west1-dialogflow.googleapis.com/v3/projects/agent-proj/locations/europe-west1/agents/a2/webhooks",
		"POST europe-west1-dialogflow.googleapis.com/v3/projects/agent-proj/locations/europe-west1/agents/a2/webhooks",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Dialogflow requests (-want +got):\n%s", diff)
	}
	if n := len(f.Webhooks(a.String())); n != 1 {
		t.Errorf("regional agent has %d webhooks, want 1", n)
	}
}

func TestRunUpdatesExistingWebhookInPlace(t *testing.T) {
	t.Parallel()
	cfg := crossProject(t)
	f := newWorld(t, cfg)
	name := f.AddWebhook(agentName, map[string]any{
		"displayName": "cxhook",
		"genericWebService": map[string]any{
			"uri":              "https://old.example.com/hook",
			"serviceAgentAuth": "NONE",
			"requestHeaders":   map[string]any{"x-team": "support"},
		},
		"timeout": "5s",
	})
	f.AddWebhook(agentName, map[string]any{
		"displayName":       "other",
		"genericWebService": map[string]any{"uri": "https://other.example.com"},
	})
	s, log := newSetup(t, f)

	if err := s.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}

	var writes []fakegcp.Request
	for _, r := range f.Requests() {
		if r.API == fakegcp.Dialogflow && r.Method != "GET" {
			writes = append(writes, r)
		}
	}
	if len(writes) != 1 {
		t.Fatalf("%d webhook writes, want one PATCH:\n%s", len(writes), requests(f))
	}
	w := writes[0]
	if w.Method != "PATCH" || w.Path != "/v3/"+name {
		t.Errorf("write is %s %s, want PATCH /v3/%s", w.Method, w.Path, name)
	}
	if got, want := w.Query.Get("updateMask"), "genericWebService.uri,genericWebService.serviceAgentAuth"; got != want {
		t.Errorf("updateMask = %q, want %q", got, want)
	}
	hooks := f.Webhooks(agentName)
	if len(hooks) != 2 {
		t.Fatalf("agent has %d webhooks, want 2", len(hooks))
	}
	wantHook := map[string]any{
		"name":        name,
		"displayName": "cxhook",
		"genericWebService": map[string]any{
			"uri":              runURL,
			"serviceAgentAuth": json.Number("2"),
			"requestHeaders":   map[string]any{"x-team": "support"},
		},
		"timeout": "5s",
	}
	if diff := cmp.Diff(wantHook, hooks[0]); diff != "" {
		t.Errorf("webhook (-want +got):\n%s", diff)
	}
	if !strings.Contains(log.String(), "updated generic_web_service.uri, generic_web_service.service_agent_auth") {
		t.Errorf("progress does not say what was updated:\n%s", log)
	}
}

func TestRunFirstGeneration(t *testing.T) {
	t.Parallel()
	cfg := crossProject(t)
	cfg.Gen = setup.Gen1
	f := newWorld(t, cfg)
	s, _ := newSetup(t, f)

	if err := s.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}

	want := strings.Join([]string{
		"GET cloudresourcemanager /v1/projects/agent-proj",
		"GET cloudfunctions /v1/projects/fn-proj/locations/us-central1/functions/cxhook",
		"POST serviceusage /v1beta1/projects/222/services/dialogflow.googleapis.com:generateServiceIdentity",
		"GET serviceusage /v1beta1/operations/finish.1",
		"GET cloudfunctions /v1/projects/fn-proj/locations/us-central1/functions/cxhook:getIamPolicy?options.requestedPolicyVersion=3",
		"POST cloudfunctions /v1/projects/fn-proj/locations/us-central1/functions/cxhook:setIamPolicy",
		"GET dialogflow /v3/projects/agent-proj/locations/global/agents/a1/webhooks?pageSize=1000",
		"POST dialogflow /v3/projects/agent-proj/locations/global/agents/a1/webhooks",
	}, "\n")
	if diff := cmp.Diff(want, requests(f)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	bindings := f.Policy(fnName)["bindings"]
	want1 := []any{map[string]any{"role": "roles/cloudfunctions.invoker", "members": []any{agentMember}}}
	if diff := cmp.Diff(want1, bindings); diff != "" {
		t.Errorf("bindings (-want +got):\n%s", diff)
	}
	if uri := f.Webhooks(agentName)[0]["genericWebService"].(map[string]any)["uri"]; uri != "https://us-central1-fn-proj.cloudfunctions.net/cxhook" {
		t.Errorf("webhook uri = %v", uri)
	}
}

func TestRunSameProjectWithoutAgent(t *testing.T) {
	t.Parallel()
	cfg := setup.Config{Project: fnProject, Region: region, Function: "cxhook"}
	f := newWorld(t, cfg)
	s, log := newSetup(t, f)

	if err := s.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}

	want := []any{map[string]any{
		"role":    "roles/run.invoker",
		"members": []any{"serviceAccount:service-111@gcp-sa-dialogflow.iam.gserviceaccount.com"},
	}}
	if diff := cmp.Diff(want, f.Policy(runService)["bindings"]); diff != "" {
		t.Errorf("bindings (-want +got):\n%s", diff)
	}
	if !strings.Contains(log.String(), "no agent given") || !strings.Contains(log.String(), runURL) {
		t.Errorf("progress does not say how to add the webhook:\n%s", log)
	}
}

func TestRunAddsReportedURLToAudiences(t *testing.T) {
	t.Parallel()
	cfg := crossProject(t)
	f := newWorld(t, cfg, (*fakegcp.Fake).ReportHashedRunURLs)
	s, log := newSetup(t, f)

	if err := s.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}

	hashed := "https://cxhook-abcdefghij-uc.a.run.app"
	env := f.Function(fnName)["serviceConfig"].(map[string]any)["environmentVariables"].(map[string]any)
	want := runURL + ",https://us-central1-fn-proj.cloudfunctions.net/cxhook," + hashed
	if env["CXHOOK_AUDIENCES"] != want {
		t.Errorf("CXHOOK_AUDIENCES = %v, want %v", env["CXHOOK_AUDIENCES"], want)
	}
	if env["CXHOOK_AGENT_PROJECT_NUMBERS"] != agentNumber || env["CXHOOK_AUTH"] != "platform" || env["CXHOOK_WEBHOOK_TIMEOUT"] != "5s" {
		t.Errorf("environment = %v", env)
	}
	if !strings.Contains(requests(f), "PATCH cloudfunctions /v2/"+fnName+"?updateMask=serviceConfig.environmentVariables") {
		t.Errorf("no PATCH of the environment:\n%s", requests(f))
	}
	if uri := f.Webhooks(agentName)[0]["genericWebService"].(map[string]any)["uri"]; uri != hashed {
		t.Errorf("webhook uri = %v, want the reported %v", uri, hashed)
	}
	if !strings.Contains(log.String(), "function environment: updating CXHOOK_AUDIENCES") {
		t.Errorf("progress:\n%s", log)
	}
}

func TestRunExplainsPermissionDenied(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, permission    string
		wantRole, wantOn    string
		wantProject         string
		wantInsteadContains string
	}{
		{
			name:                "writing the Run service's policy",
			permission:          "run.services.setIamPolicy",
			wantRole:            "roles/run.admin",
			wantOn:              runService,
			wantProject:         fnProject,
			wantInsteadContains: "gcloud run services add-iam-policy-binding cxhook --project=fn-proj --region=us-central1 --member=" + agentMember + " --role=roles/run.invoker",
		},
		{
			name:                "creating the service agent",
			permission:          "serviceusage.services.use",
			wantRole:            "roles/serviceusage.serviceUsageConsumer",
			wantOn:              "projects/agent-proj",
			wantProject:         agentProject,
			wantInsteadContains: "gcloud beta services identity create --service=dialogflow.googleapis.com --project=agent-proj",
		},
		{
			name:        "creating the webhook",
			permission:  "dialogflow.webhooks.create",
			wantRole:    "roles/dialogflow.admin",
			wantOn:      agentName,
			wantProject: agentProject,
		},
		{
			name:        "reading the function",
			permission:  "cloudfunctions.functions.get",
			wantRole:    "roles/cloudfunctions.viewer",
			wantOn:      fnName,
			wantProject: fnProject,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := crossProject(t)
			f := newWorld(t, cfg)
			f.Deny(tc.permission)
			s, _ := newSetup(t, f)

			err := s.Run(context.Background(), cfg)

			var pe *setup.PermissionError
			if !errors.As(err, &pe) {
				t.Fatalf("Run() = %v, want a *PermissionError", err)
			}
			if pe.Permission != tc.permission || pe.Resource != tc.wantOn || pe.Role != tc.wantRole || pe.Project != tc.wantProject {
				t.Errorf("PermissionError{%q, %q, role %q, project %q}, want {%q, %q, %q, %q}",
					pe.Permission, pe.Resource, pe.Role, pe.Project, tc.permission, tc.wantOn, tc.wantRole, tc.wantProject)
			}
			msg := err.Error()
			for _, want := range []string{
				"permission " + tc.permission + " denied on " + tc.wantOn,
				"gcloud projects add-iam-policy-binding " + tc.wantProject + " --member=user:YOUR_EMAIL --role=" + tc.wantRole,
				tc.wantInsteadContains,
			} {
				if !strings.Contains(msg, want) {
					t.Errorf("message lacks %q:\n%s", want, msg)
				}
			}
		})
	}
}
