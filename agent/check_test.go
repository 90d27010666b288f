package agent_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/fulfillment"
)

// rules returns "severity rule loc" for each finding, for comparing.
func rules(fs []agent.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Severity.String()+" "+f.Rule+" "+f.Loc.String())
	}
	return out
}

// TestCheckFlightAgent runs the check on the flight agent as the example
// serves it once flexible handlers exist: two standard tags, the feedback
// component's two tags flexible.
func TestCheckFlightAgent(t *testing.T) {
	a := load(t, flightAgent)
	served := agent.Served{
		Tags:         []string{"checkMileage", "findAvailableTicket"},
		FlexibleTags: []string{"getPreviousFeedbackDate", "updateFeedback"},
	}
	findings := agent.Check(a, served, agent.CheckOptions{})
	const validationPage = "flows/Address Collection/pages/%3e address validation api.json"
	want := []string{
		"error unserved-flexible " + validationPage + ": entryFulfillment.tag",
		"warning no-webhook-error-handler flows/Default Start Flow/pages/Check Frequent Flyer Account Miles.json",
		"warning no-webhook-error-handler flows/Default Start Flow/pages/Collect One-Way Ticket Information.json",
		"warning no-webhook-error-handler flows/Default Start Flow/pages/Show One-Way Available Flights.json",
	}
	if got := rules(findings); !slices.Equal(got, want) {
		t.Fatalf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if m := findings[0].Message; !strings.Contains(m, `tag "validation" on FLEXIBLE webhook`) {
		t.Errorf("message %q", m)
	}
	for _, f := range findings {
		for _, tag := range append(slices.Clone(served.Tags), served.FlexibleTags...) {
			if f.Severity == agent.Error && strings.Contains(f.Message, `"`+tag+`"`) {
				t.Errorf("an error for served tag %s: %s", tag, f)
			}
		}
	}

	// Served as standard handlers, as the example does today, the feedback
	// tags are the wrong kind.
	today := agent.Check(a, agent.Served{Tags: []string{"checkMileage", "findAvailableTicket", "getPreviousFeedbackDate", "updateFeedback"}}, agent.CheckOptions{})
	if got := rules(today)[:3]; !slices.Equal(got, []string{
		"error unserved-flexible " + validationPage + ": entryFulfillment.tag",
		"error kind-mismatch flows/Feedback/pages/%3e invoke last feedback check API.json: entryFulfillment.tag",
		"error kind-mismatch flows/Feedback/pages/%3e invoke update feedback API.json: entryFulfillment.tag",
	}) {
		t.Errorf("findings with standard feedback handlers:\n%s", strings.Join(got, "\n"))
	}

	// Nothing served: every tag is reported.
	none := agent.Check(a, agent.Served{}, agent.CheckOptions{})
	if n := strings.Count(strings.Join(rules(none), "\n"), "error unserved-tag"); n != 10 {
		t.Errorf("%d unserved standard call sites, want 10", n)
	}
}

func TestCheckOptions(t *testing.T) {
	a := load(t, flightAgent)
	served := agent.Served{Tags: []string{"checkMileage", "findAvailableTicket"}}
	findings := agent.Check(a, served, agent.CheckOptions{FunctionURL: "https://cxhook-123.europe-west1.run.app", WebhookTimeout: 10 * time.Second})
	var got []string
	for _, f := range findings {
		if f.Rule == agent.RuleWebhookURI || f.Rule == agent.RuleWebhookTimeout {
			got = append(got, f.String())
		}
	}
	want := []string{
		`webhooks/Apigee Integration.json: genericWebService.uri: error: webhook "Apigee Integration" calls "https://gcp-ce-40-prod.apigee.net/cx/flights/v1", not the function at "https://cxhook-123.europe-west1.run.app", for tags the function serves [webhook-uri]`,
		`webhooks/Apigee Integration.json: timeout: warning: webhook "Apigee Integration" waits 30s, more than the function's CXHOOK_WEBHOOK_TIMEOUT 10s: the function answers with its timeout response sooner than it needs to [webhook-timeout]`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// checkAgent is a small agent whose page calls the webhooks named in its
// fulfillments; the cases below vary it.
func checkAgent(page string, webhooks ...string) fstest.MapFS {
	fsys := fstest.MapFS{
		"agent.json": file(`{"startFlow": "F"}`),
		"flows/F/F.json": file(`{"name": "00000000-0000-0000-0000-000000000000", "displayName": "F",
			"transitionRoutes": [{"condition": "true", "targetPage": "P"}]}`),
		"flows/F/pages/P.json": file(page),
		"webhooks/std.json":    file(`{"displayName": "std", "genericWebService": {"uri": "https://fn.example.com/"}, "timeout": {"seconds": 5}}`),
		"webhooks/flex.json": file(`{"displayName": "flex", "genericWebService": {"uri": "https://fn.example.com/flex",
			"webhookType": "FLEXIBLE", "requestBody": "{\"x\": \"$session.params.x\", \"fulfillmentInfo\": {\"tag\": \"bodyTag\"}}"}}`),
		"webhooks/path.json": file(`{"displayName": "path", "genericWebService": {"uri": "https://fn.example.com/validate",
			"webhookType": "FLEXIBLE", "requestBody": "{\"x\": \"$flow.x\"}"}}`),
	}
	for _, w := range webhooks {
		fsys["webhooks/"+w] = file(`{"displayName": "other", "genericWebService": {"uri": "https://elsewhere.example.com"}, "timeout": {"seconds": 3}}`)
	}
	return fsys
}

func TestCheckRules(t *testing.T) {
	const handles = `"eventHandlers": [{"event": "webhook.error", "targetPage": "End Session"}]`
	for _, tt := range []struct {
		name   string
		page   string
		served agent.Served
		opts   agent.CheckOptions
		want   []string // "severity rule path", and the message must hold the last word after "|"
	}{
		{"served", `{"displayName": "P", "entryFulfillment": {"webhook": "std", "tag": "a"}, ` + handles + `}`,
			agent.Served{Tags: []string{"a"}}, agent.CheckOptions{}, nil},
		{"unserved tag", `{"displayName": "P", "entryFulfillment": {"webhook": "std", "tag": "a"}, ` + handles + `}`,
			agent.Served{Tags: []string{"A"}}, agent.CheckOptions{},
			[]string{`error unserved-tag entryFulfillment.tag|case-sensitively`, `warning unused-handler |"A"`}},
		{"no tag", `{"displayName": "P", "entryFulfillment": {"webhook": "std"}, ` + handles + `}`,
			agent.Served{}, agent.CheckOptions{}, []string{`warning no-tag entryFulfillment|fallback`}},
		{"standard site, flexible handler", `{"displayName": "P", "entryFulfillment": {"webhook": "std", "tag": "a"}, ` + handles + `}`,
			agent.Served{FlexibleTags: []string{"a"}}, agent.CheckOptions{},
			[]string{`error kind-mismatch entryFulfillment.tag|STANDARD`}},
		{"flexible site served by its body's tag", `{"displayName": "P", "entryFulfillment": {"webhook": "flex", "tag": "bodyTag"}, ` + handles + `}`,
			agent.Served{FlexibleTags: []string{"bodyTag"}}, agent.CheckOptions{}, nil},
		{"flexible site whose page tag differs", `{"displayName": "P", "entryFulfillment": {"webhook": "flex", "tag": "pageTag"}, ` + handles + `}`,
			agent.Served{FlexibleTags: []string{"bodyTag"}}, agent.CheckOptions{},
			[]string{`warning flexible-tag-differs entryFulfillment.tag|"bodyTag"`}},
		{"flexible site, standard handler", `{"displayName": "P", "entryFulfillment": {"webhook": "flex", "tag": "bodyTag"}, ` + handles + `}`,
			agent.Served{Tags: []string{"bodyTag"}}, agent.CheckOptions{},
			[]string{`error kind-mismatch entryFulfillment.tag|FLEXIBLE`}},
		{"flexible site unserved", `{"displayName": "P", "entryFulfillment": {"webhook": "flex", "tag": "bodyTag"}, ` + handles + `}`,
			agent.Served{}, agent.CheckOptions{}, []string{`error unserved-flexible entryFulfillment.tag|"bodyTag"`}},
		{"flexible site served by path", `{"displayName": "P", "entryFulfillment": {"webhook": "path", "tag": "v"}, ` + handles + `}`,
			agent.Served{FlexiblePaths: []string{"/validate"}}, agent.CheckOptions{}, nil},
		{"flexible site without a body tag, handler by tag", `{"displayName": "P", "entryFulfillment": {"webhook": "path", "tag": "v"}, ` + handles + `}`,
			agent.Served{FlexibleTags: []string{"v"}}, agent.CheckOptions{},
			[]string{`error unserved-flexible entryFulfillment.tag|"/validate"`}},
		{"unused handlers", `{"displayName": "P", ` + handles + `}`,
			agent.Served{Tags: []string{"a"}, FlexibleTags: []string{"b"}, FlexiblePaths: []string{"/c"}}, agent.CheckOptions{},
			[]string{`warning unused-handler |"a"`, `warning unused-handler |"b"`, `warning unused-handler |"/c"`}},
		{"no webhook.error handler", `{"displayName": "P", "form": {"parameters": [{"displayName": "x", "entityType": "@sys.any",
			"fillBehavior": {"initialPromptFulfillment": {"webhook": "std", "tag": "a"}}}]},
			"eventHandlers": [{"event": "webhook.error.timeout", "targetPage": "End Session"}]}`,
			agent.Served{Tags: []string{"a"}}, agent.CheckOptions{}, []string{`warning no-webhook-error-handler |R011`}},
		{"webhook.error handler calls a webhook", `{"displayName": "P", "eventHandlers": [
			{"event": "webhook.error", "targetPage": "End Session"},
			{"event": "webhook.error.not-found", "triggerFulfillment": {"webhook": "std", "tag": "a"}}]}`,
			agent.Served{Tags: []string{"a"}}, agent.CheckOptions{},
			[]string{`error error-handler-webhook eventHandlers[1].triggerFulfillment.webhook|forbids`}},
		{"the function's webhook calls elsewhere and waits less", `{"displayName": "P", "entryFulfillment": {"webhook": "other", "tag": "a"}, ` + handles + `}`,
			agent.Served{Tags: []string{"a"}}, agent.CheckOptions{FunctionURL: "https://fn.example.com", WebhookTimeout: 4 * time.Second},
			// The webhooks under the function's URL count as its own too.
			[]string{`error webhook-uri genericWebService.uri|elsewhere`, `error webhook-timeout timeout|"other" waits 3s, less`,
				`warning webhook-timeout timeout|"flex" waits 5s, more`, `warning webhook-timeout timeout|"path" waits 5s, more`, `warning webhook-timeout timeout|"std" waits 5s, more`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, err := agent.LoadFS(checkAgent(tt.page, "other.json"))
			if err != nil {
				t.Fatal(err)
			}
			findings := agent.Check(a, tt.served, tt.opts)
			if len(findings) != len(tt.want) {
				t.Fatalf("findings:\n%v\nwant %d:\n%s", findings, len(tt.want), strings.Join(tt.want, "\n"))
			}
			for i, f := range findings {
				spec, word, _ := strings.Cut(tt.want[i], "|")
				if got := f.Severity.String() + " " + f.Rule + " " + f.Loc.Path; got != spec || !strings.Contains(f.Message, word) {
					t.Errorf("finding %d: %s\nwant %s with %q", i, f, spec, word)
				}
			}
		})
	}
}

func TestServedBy(t *testing.T) {
	mux := fulfillment.NewMux()
	mux.HandleFunc("b", nil2)
	mux.HandleFunc("a", nil2)
	if s := agent.ServedBy(mux); !slices.Equal(s.Tags, []string{"a", "b"}) || s.FlexibleTags != nil {
		t.Errorf("ServedBy(mux) = %+v", s)
	}
	s := agent.ServedBy(flexMux{})
	if !slices.Equal(s.FlexibleTags, []string{"f"}) || !slices.Equal(s.FlexiblePaths, []string{"/p"}) {
		t.Errorf("ServedBy(flexMux) = %+v", s)
	}
}

func nil2(ctx context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
	return nil, nil
}

type flexMux struct{}

func (flexMux) Tags() []string          { return []string{"t"} }
func (flexMux) FlexibleTags() []string  { return []string{"f"} }
func (flexMux) FlexiblePaths() []string { return []string{"/p"} }
