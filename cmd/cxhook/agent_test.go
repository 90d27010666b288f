package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const flightAgent = "../../agent/testdata/digibhem-flight-bot"

func noEnv(string) string { return "" }

func TestCheckCommand(t *testing.T) {
	for _, tt := range []struct {
		name     string
		args     []string
		code     int
		stdout   []string // starts of lines stdout must hold
		notOut   []string // substrings it must not
		stderrIs string   // the last line of stderr
	}{
		{"served as the example will, flexible handlers and Google's API apart",
			[]string{"--tag", "checkMileage,findAvailableTicket", "--flexible-tag", "getPreviousFeedbackDate", "--flexible-tag", "updateFeedback",
				"--external", "prebuilt_components_address_collection:address_validation"},
			0, []string{`flows/Default Start Flow/pages/Show One-Way Available Flights.json: warning: page "Show One-Way Available Flights" calls webhooks`},
			[]string{": error:"}, "cxhook check: 0 errors, 3 warnings"},
		{"the validation tag unserved",
			[]string{"--tag", "checkMileage,findAvailableTicket", "--flexible-tag", "getPreviousFeedbackDate,updateFeedback"},
			1, []string{`flows/Address Collection/pages/%3e address validation api.json: entryFulfillment.tag: error: tag "validation" on FLEXIBLE webhook "prebuilt_components_address_collection:address_validation": no flexible handler serves it (the body template carries no tag; the URI's path is "/v1:validateAddress") [unserved-flexible]`},
			nil, "cxhook check: 1 errors, 3 warnings"},
		{"the function's URL and timeout",
			[]string{"--tag", "checkMileage,findAvailableTicket", "--external", "prebuilt_components_address_collection:address_validation",
				"--function-url", "https://cxhook-1.us-central1.run.app", "--webhook-timeout", "5s"},
			1, []string{`webhooks/Apigee Integration.json: genericWebService.uri: error: webhook "Apigee Integration" calls "https://gcp-ce-40-prod.apigee.net/cx/flights/v1", not the function at "https://cxhook-1.us-central1.run.app", for tags the function serves [webhook-uri]`},
			nil, "cxhook check: 3 errors, 4 warnings"},
		{"no handlers: the tags listed", nil,
			0, []string{"tags the agent calls:", `  findAvailableTicket      standard 7 call sites, webhook "Apigee Integration"`},
			[]string{"unserved"}, "cxhook check: 0 errors, 3 warnings"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := cxhook(t, noEnv, append([]string{"check", "--agent", flightAgent}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			lines := strings.Split(out, "\n")
			for _, want := range tt.stdout {
				if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, want) }) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			for _, not := range tt.notOut {
				if strings.Contains(out, not) {
					t.Errorf("stdout holds %q:\n%s", not, out)
				}
			}
			if got := strings.Split(strings.TrimSpace(errOut), "\n"); got[len(got)-1] != tt.stderrIs {
				t.Errorf("stderr ends %q, want %q", got[len(got)-1], tt.stderrIs)
			}
		})
	}
}

func TestAgentCommandErrors(t *testing.T) {
	dir := t.TempDir()
	blob := filepath.Join(dir, "agent.blob")
	if err := os.WriteFile(blob, []byte("\n\x05hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, "broken")
	if err := os.CopyFS(broken, os.DirFS("../../agent/testdata/pizza")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(broken, "webhooks", "pizzeria.json"), []byte(`{"displayName": "pizzeria",`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"check"}, 1, "cxhook check: --agent is required"},
		{[]string{"check", "--agent", blob}, 1, "export the agent again as JSON package"},
		{[]string{"check", "--agent", broken, "--tag", "checkSize,placeOrder"}, 1, "webhooks/pizzeria.json: error: invalid JSON"},
		{[]string{"check", "--agent", flightAgent, "--webhook-timeout", "1m"}, 2, "want a timeout up to 30s"},
		{[]string{"check", "--agent", flightAgent, "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"requests", "--agent", flightAgent}, 2, "--out is required"},
		{[]string{"requests", "--agent", flightAgent, "--out", dir, "--agent-name", "agents/x"}, 2, "want projects/P/locations/L/agents/A"},
		{[]string{"requests", "--agent", broken, "--out", filepath.Join(dir, "out")}, 1, "webhooks/pizzeria.json: error: invalid JSON"},
	} {
		code, out, errOut := cxhook(t, noEnv, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("cxhook %s: exit %d, stderr %q; want %d and %q (stdout %q)", strings.Join(tt.args, " "), code, errOut, tt.code, tt.want, out)
		}
	}
	code, out, _ := cxhook(t, noEnv, "check", "-h")
	if code != 0 || !strings.HasPrefix(out, "Usage:\n  cxhook check --agent EXPORT") || !strings.Contains(out, "-flexible-tag") {
		t.Errorf("check -h: exit %d\n%s", code, out)
	}
}

func TestRequestsCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "requests")
	run := func() map[string]string {
		t.Helper()
		code, stdout, errOut := cxhook(t, noEnv, "requests", "--agent", flightAgent, "--out", out,
			"--agent-name", "projects/zyra/locations/us-central1/agents/4f2b9c1e-7d3a-4e58-b6a2-91c0d8e7f345")
		if code != 0 || errOut != "cxhook requests: wrote 13 requests to "+out+"\n" {
			t.Fatalf("exit %d\n%s%s", code, stdout, errOut)
		}
		files := map[string]string{}
		entries, _ := os.ReadDir(out)
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(out, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			files[e.Name()] = string(b)
		}
		return files
	}
	first := run()
	if len(first) != 13 {
		t.Fatalf("%d files", len(first))
	}
	var req struct {
		FulfillmentInfo struct{ Tag string }
		PageInfo        struct{ CurrentPage string }
	}
	body := first["checkMileage_check-frequent-flyer-account-miles_final.json"]
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatal(err)
	}
	if req.FulfillmentInfo.Tag != "checkMileage" || req.PageInfo.CurrentPage != "projects/zyra/locations/us-central1/agents/4f2b9c1e-7d3a-4e58-b6a2-91c0d8e7f345/flows/00000000-0000-0000-0000-000000000000/pages/0819e073-c914-4659-97b1-5a23df9695f0" {
		t.Errorf("request %+v", req)
	}
	flexible := 0
	for name := range first {
		if strings.HasSuffix(name, "_flexible.json") {
			flexible++
		}
	}
	if flexible != 3 {
		t.Errorf("%d flexible bodies, want 3", flexible)
	}
	if second := run(); len(second) != len(first) {
		t.Errorf("a second run wrote %d files", len(second))
	} else {
		for name, b := range first {
			if second[name] != b {
				t.Errorf("%s differs from run to run", name)
			}
		}
	}
}
