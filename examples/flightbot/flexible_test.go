package flightbot

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/expr"
	"github.com/cxhook/cxhook/fulfillment"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// These helpers call the feedback component's two FLEXIBLE webhooks as the
// exported agent defines them: the request body is the webhook's own
// requestBody template rendered by package agent (agent.Webhook.RenderBody),
// and the answer is read through the webhook's parameterMapping with
// package expr's JsonPath, so that a test sees the parameters the Feedback
// flow goes on with.

// The flight agent's feedback webhooks, by display name.
const (
	lastFeedbackCheckWebhook = "prebuilt_components_feedback:last_feedback_check"
	updateFeedbackWebhook    = "prebuilt_components_feedback:update_feedback"
)

// flightAgent is the exported agent, loaded once for the package's tests.
var flightAgent = sync.OnceValues(func() (*agent.Agent, error) { return agent.Load(flightAgentExport) })

// feedbackWebhook returns the exported webhook with the display name,
// which must be a flexible POST one.
func feedbackWebhook(t testing.TB, name string) *agent.Webhook {
	t.Helper()
	a, err := flightAgent()
	if err != nil {
		t.Fatalf("the flight agent: %v", err)
	}
	wh := a.Webhook(name)
	if wh == nil || wh.Kind != agent.Flexible || (wh.Method != "" && wh.Method != http.MethodPost) {
		t.Fatalf("the flight agent has no flexible POST webhook %q", name)
	}
	return wh
}

// render renders wh's requestBody template with params, keyed by
// reference ("$session.params.phone_number", "$flow.feedback_score"). A
// jsontext.Value is written as it is (2.0, where Go would encode 2); any
// other value is encoded as JSON. A reference params lacks is unset, and
// stays in the body as written (see agent.Webhook.RenderBody).
func render(t testing.TB, wh *agent.Webhook, params map[string]any) []byte {
	t.Helper()
	values := map[string]fulfillment.Value{}
	for ref, v := range params {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var fv fulfillment.Value
		if err := json.Unmarshal(b, &fv); err != nil {
			t.Fatal(err)
		}
		values[ref] = fv
	}
	body := wh.RenderBody(func(ref agent.ParamRef) (fulfillment.Value, bool) {
		v, ok := values[ref.String()]
		return v, ok
	})
	if !jsontext.Value(body).IsValid() {
		t.Fatalf("%s renders invalid JSON: %s", wh.DisplayName, body)
	}
	return body
}

// mapAnswer reads a flexible answer through wh's parameterMapping, as
// Dialogflow does: each parameter gets the value at its JSON path. It
// returns the parameters by reference ("$flow.last_feedback_time_elapsed")
// and fails the test for a path the answer lacks or holds null at: what
// Dialogflow does then is not documented. The feedback component writes
// its paths bare (last_feedback_time_elapsed, not
// $.last_feedback_time_elapsed); they are read from the root.
func mapAnswer(t testing.TB, wh *agent.Webhook, answer []byte) map[string]any {
	t.Helper()
	doc, err := expr.ParseJSON(answer)
	if err != nil {
		t.Fatalf("the answer is not JSON: %v: %.200s", err, answer)
	}
	params := map[string]any{}
	for _, m := range wh.ParameterMapping {
		src := m.Value
		if !strings.HasPrefix(src, "$") {
			src = "$." + src
		}
		path, err := expr.ParseJSONPath(src)
		if err != nil {
			t.Fatalf("%s: the mapping of %s: %v", wh.DisplayName, m.Key, err)
		}
		v, err := path.Select(doc)
		if err != nil || v.IsNull() {
			t.Fatalf("%s: the answer gives %s nothing at %s (%v): %.200s", wh.DisplayName, m.Key, m.Value, err, answer)
		}
		params[m.Key] = v.JSON()
	}
	return params
}

// checkFlexibleAnswer checks a flexible answer Dialogflow would take: 200,
// JSON, at most 64 KiB, one JSON object whose members give every
// parameter wh's mapping reads. It returns those parameters.
func checkFlexibleAnswer(t testing.TB, wh *agent.Webhook, status int, header http.Header, body []byte) map[string]any {
	t.Helper()
	if status != http.StatusOK {
		t.Fatalf("status %d, want 200; body %s", status, body)
	}
	if ct := header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	if len(body) > 64<<10 {
		t.Errorf("body is %d bytes, more than Dialogflow's 64 KiB", len(body))
	}
	if v := jsontext.Value(body); v.Kind() != '{' || !v.IsValid() {
		t.Fatalf("the answer is not one JSON object: %.200s", body)
	}
	return mapAnswer(t, wh, body)
}

// callFlexible posts to h the body wh's template renders with params (see
// render). It returns the status, the answer as a JSON object, and, for a
// 200, the parameters wh's mapping sets from it.
func callFlexible(t testing.TB, h http.Handler, wh *agent.Webhook, params map[string]any) (status int, answer, mapped map[string]any) {
	t.Helper()
	return postFlexible(t, h, wh, render(t, wh, params))
}

// postFlexible posts body, as wh's call, to h; see callFlexible.
func postFlexible(t testing.TB, h http.Handler, wh *agent.Webhook, body []byte) (status int, answer, mapped map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(rec, req)
	if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
		t.Fatalf("the answer is not a JSON object: %v: %s", err, rec.Body)
	}
	if rec.Code == http.StatusOK {
		mapped = checkFlexibleAnswer(t, wh, rec.Code, rec.Header(), rec.Body.Bytes())
	}
	return rec.Code, answer, mapped
}

// asksForFeedback runs the routes of the Feedback flow's page "check last
// feedback provided " on the flow parameters the last feedback check's
// answer set, and reports whether the flow goes on to ask for feedback
// (the page "> collect feedback score") or ends ("End Flow").
func asksForFeedback(t testing.TB, mapped map[string]any) bool {
	t.Helper()
	a, err := flightAgent()
	if err != nil {
		t.Fatal(err)
	}
	page := a.Flow("Feedback").Page("check last feedback provided ")
	if page == nil {
		t.Fatal(`the Feedback flow has no page "check last feedback provided "`)
	}
	flow := map[string]any{}
	for ref, v := range mapped {
		r, ok := agent.ParseParamRef(ref)
		if !ok || r.Scope != agent.ScopeFlow {
			t.Fatalf("the mapping sets %s, not a flow parameter", ref)
		}
		flow[r.Name] = v
	}
	ctx := &expr.Context{Env: &expr.MapEnv{Flow: flow}}
	for _, r := range page.Routes {
		cond, err := expr.ParseCond(r.Condition)
		if err != nil {
			t.Fatalf("%s: %v", r.Loc, err)
		}
		if ok, err := cond.Eval(ctx); err != nil || !ok {
			continue
		}
		switch {
		case r.Target.Page != nil && r.Target.Page.DisplayName == "> collect feedback score":
			return true
		case r.Target.Kind == agent.TargetEndFlow:
			return false
		}
		t.Fatalf("%s: a route to %+v", r.Loc, r.Target)
	}
	t.Fatalf("no route of %q holds for %v", page.DisplayName, flow)
	return false
}

// flexibleRequests are the flexible request files of testdata/requests
// (named ..._flexible.json, as cxhook requests names them): the body the
// webhook's template renders with the parameters given.
// TestFlexibleRequestFiles keeps the files so; with -update it rewrites
// them.
var flexibleRequests = map[string]struct {
	webhook string
	params  map[string]any
}{
	"getPreviousFeedbackDate_first_time_flexible": {lastFeedbackCheckWebhook, map[string]any{
		"$session.params.phone_number": "+14155550123",
	}},
	// As the flight agent calls it: it never sets phone_number.
	"getPreviousFeedbackDate_no_phone_flexible": {lastFeedbackCheckWebhook, nil},
	"updateFeedback_low_score_flexible": {updateFeedbackWebhook, map[string]any{
		"$session.params.phone_number": "+14155550123",
		"$flow.feedback_score":         2.0,
		"$flow.feedback_comment":       "the bot kept asking for my airport code",
	}},
	// A high score: the flow asks for no comment.
	"updateFeedback_high_score_flexible": {updateFeedbackWebhook, map[string]any{
		"$session.params.phone_number": "+14155550123",
		"$flow.feedback_score":         5.0,
	}},
}

// flexibleRequestWebhook returns the webhook of a flexible request file.
func flexibleRequestWebhook(t testing.TB, file string) *agent.Webhook {
	t.Helper()
	r, ok := flexibleRequests[strings.TrimSuffix(filepath.Base(file), ".json")]
	if !ok {
		t.Fatalf("%s is not in flexibleRequests", file)
	}
	return feedbackWebhook(t, r.webhook)
}

func isFlexibleRequest(file string) bool { return strings.HasSuffix(file, "_flexible.json") }

// TestFlexibleRequestFiles checks that each flexible request file is what
// its webhook's template renders; go test -run FlexibleRequestFiles -update
// rewrites them.
func TestFlexibleRequestFiles(t *testing.T) {
	var files []string
	for name, r := range flexibleRequests {
		file := filepath.Join("testdata", "requests", name+".json")
		files = append(files, file)
		body := jsontext.Value(render(t, feedbackWebhook(t, r.webhook), r.params))
		if err := body.Indent(jsontext.WithIndentPrefix(""), jsontext.WithIndent("  ")); err != nil {
			t.Fatal(err)
		}
		body = append(body, '\n')
		if *update {
			if err := os.WriteFile(file, body, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got := readFile(t, file); !bytes.Equal(got, body) {
			t.Errorf("%s is not what %s renders (go test -run FlexibleRequestFiles -update rewrites it)\ngot:\n%s\nwant:\n%s", file, r.webhook, got, body)
		}
	}
	for _, file := range requestFiles(t) {
		if isFlexibleRequest(file) && !slices.Contains(files, file) {
			t.Errorf("%s is not in flexibleRequests", file)
		}
	}
}
