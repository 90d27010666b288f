package fulfillment_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cxhook/cxhook/fulfillment"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// exportedWebhook is what a flexible call needs of an exported webhook
// file (webhooks/<name>.json in a JSON-package export; CXRUNTIME.md §4.2:
// the timeout is {seconds}, parameterMapping a key/value list).
type exportedWebhook struct {
	DisplayName string `json:"displayName"`
	Service     struct {
		URI         string `json:"uri"`
		WebhookType string `json:"webhookType"`
		HTTPMethod  string `json:"httpMethod"`
		RequestBody string `json:"requestBody"`
		Mapping     []struct {
			Key   string `json:"key"`   // the parameter: $flow.x or $session.params.x
			Value string `json:"value"` // the JSON path in the answer
		} `json:"parameterMapping"`
	} `json:"genericWebService"`
	Timeout struct {
		Seconds int64 `json:"seconds"`
	} `json:"timeout"`
}

func loadWebhook(t *testing.T, file string) *exportedWebhook {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "webhooks", file))
	if err != nil {
		t.Fatal(err)
	}
	wh := new(exportedWebhook)
	if err := json.Unmarshal(b, wh); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if wh.Service.WebhookType != "FLEXIBLE" || wh.Service.HTTPMethod != "POST" {
		t.Fatalf("%s: a %s %s webhook, want a FLEXIBLE POST one", file, wh.Service.WebhookType, wh.Service.HTTPMethod)
	}
	return wh
}

// renderBody renders a flexible webhook's requestBody template as this
// test takes Dialogflow to: each $session.params.NAME and $flow.NAME is
// replaced by the parameter's value, as JSON where the template writes it
// bare, as text (a number without a fraction as an integer) inside a JSON
// string. An unset parameter's reference stays as written, as CX does in
// text responses (CXRUNTIME.md §1.5); for request bodies that, and the
// text form of numbers, are assumptions: the docs say neither.
func renderBody(t *testing.T, tmpl string, session, flow map[string]any) []byte {
	t.Helper()
	var out strings.Builder
	inString := false
	for i := 0; i < len(tmpl); i++ {
		ch := tmpl[i]
		switch {
		case inString && ch == '\\':
			out.WriteString(tmpl[i : i+2])
			i++
			continue
		case ch == '"':
			inString = !inString
		case ch == '$':
			scope, params := "", map[string]any(nil)
			for prefix, p := range map[string]map[string]any{"$session.params.": session, "$flow.": flow} {
				if strings.HasPrefix(tmpl[i:], prefix) {
					scope, params = prefix, p
				}
			}
			if scope == "" {
				break
			}
			end := i + len(scope)
			for end < len(tmpl) && (isNameByte(tmpl[end])) {
				end++
			}
			v, ok := params[tmpl[i+len(scope):end]]
			if !ok {
				break // unset: the reference stays
			}
			out.WriteString(renderValue(t, v, inString))
			i = end - 1
			continue
		}
		out.WriteByte(ch)
	}
	body := []byte(out.String())
	if !jsontext.Value(body).IsValid() {
		t.Fatalf("the template renders invalid JSON: %s", body)
	}
	return body
}

func isNameByte(c byte) bool {
	return c == '_' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func renderValue(t *testing.T, v any, inString bool) string {
	if inString {
		switch x := v.(type) {
		case string:
			q, _ := json.Marshal(x)
			return string(q[1 : len(q)-1])
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64)
		case bool:
			return strconv.FormatBool(x)
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if inString {
		q, _ := json.Marshal(string(b))
		return string(q[1 : len(q)-1])
	}
	return string(b)
}

// applyMapping maps the answer into parameters through parameterMapping, as
// Dialogflow does: each parameter gets the value at its JSON path. Only
// member paths ($.a.b, or a.b as the feedback component writes them) are
// supported here; a path the answer lacks leaves its parameter out (what CX
// does then is not documented).
func applyMapping(t *testing.T, wh *exportedWebhook, answer []byte) map[string]any {
	t.Helper()
	var doc any
	if err := json.Unmarshal(answer, &doc); err != nil {
		t.Fatalf("the answer is not JSON: %v: %s", err, answer)
	}
	params := map[string]any{}
	for _, m := range wh.Service.Mapping {
		path := strings.TrimPrefix(strings.TrimPrefix(m.Value, "$"), ".")
		if strings.ContainsAny(path, "[]?*@") {
			t.Fatalf("%s: path %q needs a JSONPath engine this test does not have", wh.DisplayName, m.Value)
		}
		v, ok := doc, true
		for name := range strings.SplitSeq(path, ".") {
			obj, isObj := v.(map[string]any)
			if v, ok = obj[name]; !isObj || !ok {
				break
			}
		}
		if ok {
			params[m.Key] = v
		}
	}
	return params
}

// The answers the feedback component's parameterMapping reads.
type (
	lastFeedbackCheck struct {
		PhoneNumber string `json:"phone_number"`
	}
	lastFeedbackAnswer struct {
		// The flow compares it with "true": a string.
		Elapsed string `json:"last_feedback_time_elapsed"`
	}
	feedbackUpdate struct {
		PhoneNumber string `json:"phone_number"`
		// The template quotes "$flow.feedback_score": the number arrives
		// as text.
		Score   float64 `json:"feedback_score,string"`
		Comment string  `json:"feedback_comment"`
	}
)

// unset reports whether a rendered value is an unset parameter's
// reference, left as written.
func unset(v string) bool { return v == "" || strings.HasPrefix(v, "$") }

// feedbackMux serves the flight agent's two feedback webhooks as exported:
// feedback is asked for again 30 days after the last.
func feedbackMux(now func() time.Time) *fulfillment.Mux {
	var mu sync.Mutex
	last := map[string]time.Time{}
	mux := fulfillment.NewMux()
	mux.HandleFlexible("getPreviousFeedbackDate", fulfillment.Flexible(func(_ context.Context, r lastFeedbackCheck) (lastFeedbackAnswer, error) {
		mu.Lock()
		defer mu.Unlock()
		at, ok := last[r.PhoneNumber]
		elapsed := unset(r.PhoneNumber) || !ok || now().Sub(at) >= 30*24*time.Hour
		return lastFeedbackAnswer{Elapsed: strconv.FormatBool(elapsed)}, nil
	}))
	mux.HandleFlexible("updateFeedback", fulfillment.Flexible(func(_ context.Context, r feedbackUpdate) (struct{}, error) {
		if r.Score < 1 || r.Score > 5 || r.Score != float64(int(r.Score)) {
			return struct{}{}, fulfillment.NewError(fulfillment.CodeInvalidArgument, fmt.Errorf("feedback_score is not from 1 to 5"))
		}
		if unset(r.Comment) {
			r.Comment = ""
		}
		if !unset(r.PhoneNumber) {
			mu.Lock()
			last[r.PhoneNumber] = now()
			mu.Unlock()
		}
		return struct{}{}, nil
	}))
	return mux
}

// TestFlightAgentFeedbackWebhooks serves the flight agent's two FLEXIBLE
// feedback webhooks, unchanged from the export: their request bodies are
// rendered from the templates and posted over HTTP, and the answers mapped
// back through parameterMapping give the flow the parameters it branches
// on.
func TestFlightAgentFeedbackWebhooks(t *testing.T) {
	t.Parallel()
	check := loadWebhook(t, "prebuilt_components_feedback%3alast_feedback_check.json")
	update := loadWebhook(t, "prebuilt_components_feedback%3aupdate_feedback.json")
	day := time.Date(2036, 3, 14, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return day }
	mux := feedbackMux(now)
	url, logs := newServer(t, mux, fulfillment.WithWebhookTimeout(time.Duration(check.Timeout.Seconds)*time.Second))

	call := func(wh *exportedWebhook, session, flow map[string]any) (int, map[string]any) {
		t.Helper()
		r, _ := http.NewRequest(wh.Service.HTTPMethod, url, strings.NewReader(string(renderBody(t, wh.Service.RequestBody, session, flow))))
		r.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			return resp.StatusCode, nil
		}
		return 200, applyMapping(t, wh, answer)
	}
	elapsed := func(session map[string]any) any {
		t.Helper()
		status, params := call(check, session, nil)
		if status != 200 {
			t.Fatalf("%s: status %d", check.DisplayName, status)
		}
		return params["$flow.last_feedback_time_elapsed"]
	}

	caller := map[string]any{"phone_number": "+16505550100"}
	if got := elapsed(caller); got != "true" {
		t.Errorf("before any feedback: $flow.last_feedback_time_elapsed = %v, want \"true\"", got)
	}
	// The flow collects the score as @sys.number (a double) and leaves the
	// comment unset for a high score.
	if status, params := call(update, caller, map[string]any{"feedback_score": 5.0}); status != 200 || len(params) != 0 {
		t.Errorf("%s: %d %v, want 200 and no parameters (it has no mapping)", update.DisplayName, status, params)
	}
	if got := elapsed(caller); got != "false" {
		t.Errorf("right after feedback: %v, want \"false\"", got)
	}
	if got := elapsed(map[string]any{"phone_number": "+16505550199"}); got != "true" {
		t.Errorf("another caller: %v, want \"true\"", got)
	}
	if got := elapsed(nil); got != "true" {
		t.Errorf("no phone number: %v, want \"true\"", got)
	}
	mu.Lock()
	day = day.AddDate(0, 0, 30)
	mu.Unlock()
	if got := elapsed(caller); got != "true" {
		t.Errorf("30 days after feedback: %v, want \"true\"", got)
	}
	// A score the flow should not have let through is the agent's bug:
	// 400, and the page's webhook.error handler apologizes.
	if status, _ := call(update, caller, map[string]any{"feedback_score": 7.0, "feedback_comment": "the seat was broken"}); status != 400 {
		t.Errorf("score 7: status %d, want 400", status)
	}
	if status, _ := call(update, caller, map[string]any{"feedback_score": "five"}); status != 400 {
		t.Errorf("score \"five\": status %d, want 400", status)
	}
	waitAccessLines(t, logs, 8)
	if log := logs.String(); strings.Contains(log, "+16505550100") || strings.Contains(log, "seat") {
		t.Errorf("log holds a parameter value: %s", log)
	}
	if n := strings.Count(logs.String(), `"flexible":true`); n != 8 {
		t.Errorf("%d flexible access lines, want 8: %s", n, logs)
	}
}

// TestRenderFeedbackBodies pins the bodies the templates render, which the
// test above posts.
func TestRenderFeedbackBodies(t *testing.T) {
	t.Parallel()
	check := loadWebhook(t, "prebuilt_components_feedback%3alast_feedback_check.json")
	update := loadWebhook(t, "prebuilt_components_feedback%3aupdate_feedback.json")
	tests := []struct {
		wh            *exportedWebhook
		session, flow map[string]any
		want          string
	}{
		{check, map[string]any{"phone_number": "+16505550100"}, nil,
			`{"phone_number":"+16505550100","fulfillmentInfo":{"tag":"getPreviousFeedbackDate"}}`},
		{check, nil, nil,
			`{"phone_number":"$session.params.phone_number","fulfillmentInfo":{"tag":"getPreviousFeedbackDate"}}`},
		{update, map[string]any{"phone_number": "+16505550100"}, map[string]any{"feedback_score": 2.0, "feedback_comment": `the "seat"`},
			`{"phone_number":"+16505550100","feedback_score":"2","feedback_comment":"the \"seat\"","fulfillmentInfo":{"tag":"updateFeedback"}}`},
	}
	for _, tt := range tests {
		got := renderBody(t, tt.wh.Service.RequestBody, tt.session, tt.flow)
		compact := jsontext.Value(got)
		if err := compact.Compact(); err != nil {
			t.Fatal(err)
		}
		if string(compact) != tt.want {
			t.Errorf("%s renders %s, want %s", tt.wh.DisplayName, compact, tt.want)
		}
	}
	if got := applyMapping(t, check, []byte(`{"last_feedback_time_elapsed":"true","other":1}`)); len(got) != 1 || got["$flow.last_feedback_time_elapsed"] != "true" {
		t.Errorf("mapping gives %v", got)
	}
}
