package flightbot

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
	"github.com/cxhook/cxhook/cloudlog"
	"github.com/cxhook/cxhook/internal/logbuf"
	"github.com/cxhook/cxhook/webhook"
	"google.golang.org/protobuf/encoding/protojson"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the webhook's answers")

// These tests drive the example as the repository's function deploys it,
// through webhook.New, behind a real HTTP server. Each test starts its own
// server, so that the in-memory feedback store of one does not leak into
// another.

// getenvOf returns a getenv that reads the given NAME=value pairs.
func getenvOf(pairs ...string) func(string) string {
	m := make(map[string]string)
	for _, p := range pairs {
		k, v, _ := strings.Cut(p, "=")
		m[k] = v
	}
	return func(k string) string { return m[k] }
}

// startServer serves the example through webhook.New configured by
// getenv, with a Cloud Logging log whose project is getenv's
// GOOGLE_CLOUD_PROJECT, and returns its URL and its log. The log is
// complete once stop has returned.
func startServer(t testing.TB, getenv func(string) string) (url string, logs *logbuf.Buffer, stop func()) {
	t.Helper()
	logs = new(logbuf.Buffer)
	logger := slog.New(cloudlog.NewHandler(logs, &cloudlog.Options{ProjectID: getenv("GOOGLE_CLOUD_PROJECT")}))
	h, err := webhook.New(newMux(time.Now), webhook.WithGetenv(getenv), webhook.WithLogger(logger))
	if err != nil {
		t.Fatalf("webhook.New: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL, logs, srv.Close
}

// post sends body to url and returns the answer, read in full.
func post(t testing.TB, url string, body []byte, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, got
}

// checkAnswer checks an answer Dialogflow would accept: 200, JSON, at most
// 64 KiB, a v3 WebhookResponse with no field the proto lacks.
func checkAnswer(t testing.TB, resp *http.Response, body []byte) {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200; body %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	if len(body) > 64<<10 {
		t.Errorf("body is %d bytes, more than Dialogflow's 64 KiB", len(body))
	}
	if err := protojson.Unmarshal(body, new(cxpb.WebhookResponse)); err != nil {
		t.Errorf("not a strict v3 WebhookResponse: %v\n%s", err, body)
	}
}

// requestFiles returns testdata/requests/*.json.
func requestFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "requests", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no request files in testdata/requests (%v)", err)
	}
	return files
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGolden posts every request in testdata/requests to the function and
// compares the answer, as parsed JSON, with testdata/golden/<same name>:
// a WebhookResponse for a standard request; for a flexible one
// (..._flexible.json, the body a feedback webhook's template renders), the
// JSON its parameterMapping reads. go test -run Golden -update rewrites the
// golden files.
func TestGolden(t *testing.T) {
	// The requests' travel dates must lie ahead of the clock
	// (findAvailableTicket turns away past days).
	if firstTravelDay := time.Date(2036, 3, 11, 0, 0, 0, 0, time.UTC); time.Now().After(firstTravelDay.Add(-48 * time.Hour)) {
		t.Fatalf("the travel dates in testdata/requests (from %s) are no longer ahead: move them forward and run go test -run Golden -update", firstTravelDay.Format(time.DateOnly))
	}
	requests := requestFiles(t)
	for _, file := range requests {
		name := filepath.Base(file)
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			t.Parallel()
			url, _, _ := startServer(t, getenvOf())
			resp, body := post(t, url, readFile(t, file), nil)
			if isFlexibleRequest(file) {
				checkFlexibleAnswer(t, flexibleRequestWebhook(t, file), resp.StatusCode, resp.Header, body)
			} else {
				checkAnswer(t, resp, body)
			}

			golden := filepath.Join("testdata", "golden", name)
			if *update {
				var pretty bytes.Buffer
				if err := json.Indent(&pretty, body, "", "  "); err != nil {
					t.Fatal(err)
				}
				pretty.WriteByte('\n')
				if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			var got, want any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(readFile(t, golden), &want); err != nil {
				t.Fatalf("%s: %v", golden, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("answer differs from %s (go test -run Golden -update rewrites it)\ngot:\n%s\nwant:\n%s", golden, indent(got), indent(want))
			}
		})
	}
	t.Run("no stale golden files", func(t *testing.T) {
		goldens, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
		for _, g := range goldens {
			if !slices.Contains(requests, filepath.Join("testdata", "requests", filepath.Base(g))) {
				t.Errorf("%s has no request in testdata/requests", g)
			}
		}
	})
}

func indent(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// A variant is a request mutated into one a live agent can also send.
type variant struct {
	name   string
	mutate func(req map[string]any)
}

// variants derives, from one request, the variants of TestVariants.
func variants(req map[string]any) []variant {
	vs := []variant{
		{"unknown fields at every level", func(r map[string]any) { addUnknown(r) }},
		{"DTMF input instead of text", func(r map[string]any) {
			delete(r, "text")
			r["dtmfDigits"] = "123456"
		}},
		{"a trigger event instead of text", func(r map[string]any) {
			delete(r, "text")
			r["triggerEvent"] = "sys.no-input-1"
		}},
		{"400 extra session parameters", func(r map[string]any) {
			p := params(r)
			for i := range 400 {
				switch i % 4 {
				case 0:
					p[fmt.Sprintf("extra_%03d", i)] = fmt.Sprintf("value %d", i)
				case 1:
					p[fmt.Sprintf("extra_%03d", i)] = float64(i) + 0.5
				case 2:
					p[fmt.Sprintf("extra_%03d", i)] = []any{true, nil, map[string]any{"n": float64(i)}}
				case 3:
					p[fmt.Sprintf("extra_%03d", i)] = nil
				}
			}
		}},
		{"unicode and nested parameters", func(r map[string]any) {
			p := params(r)
			for k, v := range p {
				if _, ok := v.(string); ok {
					p[k] = "Zoë Ångström-李 🛫\u202e\u0000"
				}
			}
			p["nested"] = map[string]any{"ü": []any{map[string]any{"深": map[string]any{"x": []any{[]any{"y"}}}}}}
		}},
		{"every session parameter null", func(r map[string]any) {
			p := params(r)
			for k := range p {
				p[k] = nil
			}
		}},
		{"form values null", func(r map[string]any) {
			for _, pi := range formParams(r) {
				pi.(map[string]any)["value"] = nil
			}
		}},
		{"formInfo null", func(r map[string]any) {
			if pi, ok := r["pageInfo"].(map[string]any); ok {
				pi["formInfo"] = nil
			}
		}},
		{"sessionInfo.parameters null", func(r map[string]any) {
			if si, ok := r["sessionInfo"].(map[string]any); ok {
				si["parameters"] = nil
			}
		}},
		{"snake_case names", func(r map[string]any) {
			if fi, ok := r["fulfillmentInfo"]; ok {
				delete(r, "fulfillmentInfo")
				r["fulfillment_info"] = fi
			}
			if si, ok := r["sessionInfo"]; ok {
				delete(r, "sessionInfo")
				r["session_info"] = si
			}
		}},
	}
	for _, k := range slices.Sorted(maps.Keys(req)) {
		vs = append(vs,
			variant{k + " null", func(r map[string]any) { r[k] = nil }},
			variant{k + " missing", func(r map[string]any) { delete(r, k) }})
	}
	return vs
}

// addUnknown adds a member the proto does not have to every object in v.
func addUnknown(v any) {
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			addUnknown(e)
		}
		v["cxhookUnknownField"] = map[string]any{"nested": []any{1.5, "x", nil, map[string]any{}}}
	case []any:
		for _, e := range v {
			addUnknown(e)
		}
	}
}

// params returns the request's session parameters, creating the map.
func params(r map[string]any) map[string]any {
	si, ok := r["sessionInfo"].(map[string]any)
	if !ok {
		si = map[string]any{}
		r["sessionInfo"] = si
	}
	p, ok := si["parameters"].(map[string]any)
	if !ok {
		p = map[string]any{}
		si["parameters"] = p
	}
	return p
}

func formParams(r map[string]any) []any {
	pi, _ := r["pageInfo"].(map[string]any)
	fi, _ := pi["formInfo"].(map[string]any)
	list, _ := fi["parameterInfo"].([]any)
	return list
}

// wantStatus is the status a variant must get: 200, but 404 for a request
// without a tag.
func wantStatus(r map[string]any) int {
	fi, _ := r["fulfillmentInfo"].(map[string]any)
	if fi == nil {
		fi, _ = r["fulfillment_info"].(map[string]any)
	}
	if tag, _ := fi["tag"].(string); tag == "" {
		return http.StatusNotFound
	}
	return http.StatusOK
}

// A flexVariant is a flexible request body mutated into one a live agent
// can also send, with the status it must get.
type flexVariant struct {
	name   string
	mutate func(body map[string]any)
	want   int
}

// flexibleVariants derives, from a flexible request body, the variants of
// TestVariants. How Dialogflow fills a template is not documented, so they
// include every form a member can plausibly take: an unset parameter's
// reference left as written, null, missing; a number for text. A member of
// a kind the handler cannot read (a map for a phone number) is the agent's
// mistake: 400, which the page's webhook.error handler answers. A body
// without the tag reaches no flexible handler: 404, as for a standard
// request without one.
func flexibleVariants(body map[string]any) []flexVariant {
	set := func(k string, v any) func(map[string]any) { return func(b map[string]any) { b[k] = v } }
	vs := []flexVariant{
		{"as rendered", func(map[string]any) {}, http.StatusOK},
		{"unknown members at every level", func(b map[string]any) { addUnknown(b) }, http.StatusOK},
		{"phone number unset, as written", set(paramPhone, "$session.params.phone_number"), http.StatusOK},
		{"phone number null", set(paramPhone, nil), http.StatusOK},
		{"phone number missing", func(b map[string]any) { delete(b, paramPhone) }, http.StatusOK},
		{"phone number empty", set(paramPhone, ""), http.StatusOK},
		{"phone number a number", set(paramPhone, 14155550123.0), http.StatusOK},
		{"phone number unicode", set(paramPhone, "Zoë Ångström-李 🛫\u202e\u0000"), http.StatusOK},
		{"phone number of 10 KB", set(paramPhone, strings.Repeat("5", 10<<10)), http.StatusOK},
		{"phone number a map", set(paramPhone, map[string]any{"number": "+14155550123"}), http.StatusBadRequest},
		{"phone number a list", set(paramPhone, []any{"+14155550123"}), http.StatusBadRequest},
		{"fulfillmentInfo missing", func(b map[string]any) { delete(b, "fulfillmentInfo") }, http.StatusNotFound},
		{"fulfillmentInfo null", set("fulfillmentInfo", nil), http.StatusNotFound},
		{"an unknown tag", set("fulfillmentInfo", map[string]any{"tag": "getPreviousFeedbackDates"}), http.StatusNotFound},
		{"fulfillmentInfo a number", set("fulfillmentInfo", 5.0), http.StatusBadRequest},
	}
	if fi, _ := body["fulfillmentInfo"].(map[string]any); fi["tag"] == "updateFeedback" {
		vs = append(vs,
			flexVariant{"score as text", set(paramScore, "2"), http.StatusOK},
			flexVariant{"score missing", func(b map[string]any) { delete(b, paramScore) }, http.StatusBadRequest},
			flexVariant{"score unset, as written", set(paramScore, "$flow.feedback_score"), http.StatusBadRequest},
			flexVariant{"comment unset, as written", set(paramComment, "$flow.feedback_comment"), http.StatusOK},
			flexVariant{"comment null", set(paramComment, nil), http.StatusOK},
			flexVariant{"comment missing", func(b map[string]any) { delete(b, paramComment) }, http.StatusOK},
			flexVariant{"comment unicode", set(paramComment, "Zoë Ångström-李 🛫\u202e\u0000"), http.StatusOK},
			flexVariant{"comment a map", set(paramComment, map[string]any{}), http.StatusBadRequest},
		)
	}
	return vs
}

// TestVariants sends, for every request in testdata/requests, the variants
// a live agent can send. None may fail: each gets a strict
// WebhookResponse (for a flexible request, a JSON object its mapping
// reads), or, where the request lacks what the call needs, a 4xx with a
// JSON error body.
func TestVariants(t *testing.T) {
	t.Parallel()
	url, _, _ := startServer(t, getenvOf())
	for _, file := range requestFiles(t) {
		raw := readFile(t, file)
		var orig map[string]any
		if err := json.Unmarshal(raw, &orig); err != nil {
			t.Fatal(err)
		}
		var vs []flexVariant
		if isFlexibleRequest(file) {
			vs = flexibleVariants(orig)
		} else {
			for _, v := range variants(orig) {
				vs = append(vs, flexVariant{v.name, v.mutate, 0}) // 0: wantStatus says
			}
		}
		for _, v := range vs {
			t.Run(strings.TrimSuffix(filepath.Base(file), ".json")+"/"+v.name, func(t *testing.T) {
				t.Parallel()
				var r map[string]any
				if err := json.Unmarshal(raw, &r); err != nil {
					t.Fatal(err)
				}
				v.mutate(r)
				body, err := json.Marshal(r)
				if err != nil {
					t.Fatal(err)
				}
				resp, got := post(t, url, body, nil)
				want := v.want
				if want == 0 {
					want = wantStatus(r)
				}
				switch {
				case resp.StatusCode != want:
					t.Fatalf("status %d, want %d; body %s", resp.StatusCode, want, got)
				case want != http.StatusOK:
					checkErrorBody(t, resp, got)
				case isFlexibleRequest(file):
					checkFlexibleAnswer(t, flexibleRequestWebhook(t, file), resp.StatusCode, resp.Header, got)
				default:
					checkAnswer(t, resp, got)
				}
			})
		}
	}
}

// checkErrorBody checks an error answer: {"code": ..., "message": ...}.
func checkErrorBody(t testing.TB, resp *http.Response, body []byte) {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var e map[string]any
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, body)
	}
	if c, _ := e["code"].(string); c == "" || e["message"] == nil || len(e) != 2 {
		t.Errorf("error body %s, want {\"code\":...,\"message\":...}", body)
	}
}

// canary marks each request of TestErrors: no answer may echo it.
const canary = "CANARY-3b8f1d"

func TestErrors(t *testing.T) {
	t.Parallel()
	url, _, _ := startServer(t, getenvOf())
	valid := readFile(t, filepath.Join("testdata", "requests", "checkMileage_final_route.json"))
	huge := []byte(`{"fulfillmentInfo":{"tag":"checkMileage"},"sessionInfo":{"parameters":{"p":"` + canary + strings.Repeat("x", 12<<20) + `"}}}`)

	tests := []struct {
		name    string
		method  string
		body    []byte
		chunked bool // send without Content-Length
		want    int
	}{
		{"GET", http.MethodGet, nil, false, http.StatusMethodNotAllowed},
		{"PUT", http.MethodPut, valid, false, http.StatusMethodNotAllowed},
		{"malformed JSON", http.MethodPost, []byte(`{"fulfillmentInfo":{"tag":"checkMileage"},"text":"` + canary + `"`), false, http.StatusBadRequest},
		{"empty body", http.MethodPost, nil, false, http.StatusBadRequest},
		{"JSON array", http.MethodPost, []byte(`[{"fulfillmentInfo":{"tag":"` + canary + `"}}]`), false, http.StatusBadRequest},
		{"JSON string", http.MethodPost, []byte(`"` + canary + `"`), false, http.StatusBadRequest},
		{"fulfillmentInfo a number", http.MethodPost, []byte(`{"fulfillmentInfo":5,"text":"` + canary + `"}`), false, http.StatusBadRequest},
		{"parameters a list", http.MethodPost, []byte(`{"fulfillmentInfo":{"tag":"checkMileage"},"sessionInfo":{"parameters":["` + canary + `"]}}`), false, http.StatusBadRequest},
		{"text a number", http.MethodPost, []byte(`{"fulfillmentInfo":{"tag":"checkMileage"},"text":5,"languageCode":"` + canary + `"}`), false, http.StatusBadRequest},
		{"parameterInfo an object", http.MethodPost, []byte(`{"fulfillmentInfo":{"tag":"checkMileage"},"pageInfo":{"formInfo":{"parameterInfo":{"displayName":"` + canary + `"}}}}`), false, http.StatusBadRequest},
		{"unknown tag", http.MethodPost, []byte(`{"fulfillmentInfo":{"tag":"bookHotel-` + canary + `"},"sessionInfo":{"session":"projects/p/locations/l/agents/a/sessions/s"}}`), false, http.StatusNotFound},
		{"12 MiB body", http.MethodPost, huge, false, http.StatusRequestEntityTooLarge},
		{"12 MiB body, chunked", http.MethodPost, huge, true, http.StatusRequestEntityTooLarge},
	}
	// The group returns once its parallel subtests are done.
	t.Run("group", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				var body io.Reader = bytes.NewReader(tt.body)
				if tt.chunked {
					body = io.MultiReader(body) // hides the length
				}
				req, err := http.NewRequest(tt.method, url, body)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode != tt.want {
					t.Fatalf("status %d, want %d; body %s", resp.StatusCode, tt.want, got)
				}
				if tt.want == http.StatusMethodNotAllowed && resp.Header.Get("Allow") != http.MethodPost {
					t.Errorf("Allow %q, want POST", resp.Header.Get("Allow"))
				}
				checkErrorBody(t, resp, got)
				if bytes.Contains(got, []byte(canary)) {
					t.Errorf("the answer echoes the request: %s", got)
				}
			})
		}
	})
	// The server still serves.
	resp, body := post(t, url, valid, nil)
	checkAnswer(t, resp, body)
}

// TestLogs checks the function's log: one Cloud Logging JSON object per
// line, one access line per call with its tag, session (none for a
// flexible call), status and latency, the trace linked to the project, and
// no parameter value, member of a flexible body or query text.
func TestLogs(t *testing.T) {
	t.Parallel()
	const (
		project = "zyra-flights-demo"
		traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
		secret  = "Quillon Vantablack-Oyelaran" // a session parameter and the query text
	)
	url, logs, stop := startServer(t, getenvOf("GOOGLE_CLOUD_PROJECT="+project))

	type call struct {
		file           string
		tag, session   string // session "" for a flexible call, whose body has none
		status         int
		withoutScore   bool
		phoneMap       bool // the phone number as a map, which holds the secret
		traceparent    string
		wantTraceField string
	}
	calls := []call{
		{file: "checkMileage_final_route.json", tag: "checkMileage", session: "dfMessenger-64120938", status: 200,
			traceparent: "00-" + traceID + "-00f067aa0ba902b7-01", wantTraceField: "projects/" + project + "/traces/" + traceID},
		{file: "findAvailableTicket_show_flights.json", tag: "findAvailableTicket", session: "dfMessenger-73019245", status: 200},
		{file: "updateFeedback_low_score_flexible.json", tag: "updateFeedback", status: 200,
			traceparent: "00-" + traceID + "-00f067aa0ba902b8-01", wantTraceField: "projects/" + project + "/traces/" + traceID},
		{file: "updateFeedback_low_score_flexible.json", tag: "updateFeedback", status: 400, withoutScore: true},
		{file: "getPreviousFeedbackDate_first_time_flexible.json", tag: "getPreviousFeedbackDate", status: 200},
		{file: "getPreviousFeedbackDate_first_time_flexible.json", tag: "getPreviousFeedbackDate", status: 400, phoneMap: true},
	}
	for _, c := range calls {
		var r map[string]any
		if err := json.Unmarshal(readFile(t, filepath.Join("testdata", "requests", c.file)), &r); err != nil {
			t.Fatal(err)
		}
		p := r // a flexible body's members are the parameters
		if !isFlexibleRequest(c.file) {
			r["text"] = secret
			p = params(r)
		}
		for k, v := range p {
			if _, ok := v.(string); ok {
				p[k] = secret
			}
		}
		if c.withoutScore {
			delete(p, "feedback_score")
		}
		if c.phoneMap {
			p[paramPhone] = map[string]any{"number": secret}
		}
		body, _ := json.Marshal(r)
		h := http.Header{}
		if c.traceparent != "" {
			h.Set("traceparent", c.traceparent)
		}
		if resp, got := post(t, url, body, h); resp.StatusCode != c.status {
			t.Fatalf("%s: status %d, want %d: %s", c.file, resp.StatusCode, c.status, got)
		}
	}
	stop() // waits for the handlers, so the log is complete

	out := logs.String()
	if strings.Contains(out, secret) {
		t.Errorf("the log holds a parameter value or the query text:\n%s", out)
	}
	var access []map[string]any
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("line %d is not a JSON object: %v: %s", i+1, err, line)
		}
		if s, _ := e["severity"].(string); s == "" {
			t.Errorf("line %d has no severity: %s", i+1, line)
		}
		if _, ok := e["message"].(string); !ok {
			t.Errorf("line %d has no message: %s", i+1, line)
		}
		if e["message"] == "webhook call" {
			access = append(access, e)
		}
	}
	if len(access) != len(calls) {
		t.Fatalf("%d access lines, want one per call (%d):\n%s", len(access), len(calls), out)
	}
	// The calls were sequential, so their lines are in order.
	for i, c := range calls {
		e := access[i]
		var wantSession any
		if c.session != "" {
			wantSession = c.session
		}
		if e["tag"] != c.tag || e["session"] != wantSession || e["status"] != float64(c.status) {
			t.Errorf("access line %d: tag %v, session %v, status %v; want %s, %v, %d", i, e["tag"], e["session"], e["status"], c.tag, wantSession, c.status)
		}
		if flexible, _ := e["flexible"].(bool); flexible != isFlexibleRequest(c.file) {
			t.Errorf("access line %d: flexible %v, want %v", i, e["flexible"], isFlexibleRequest(c.file))
		}
		if ms, ok := e["latency_ms"].(float64); !ok || ms < 0 {
			t.Errorf("access line %d: latency_ms %v, want a number", i, e["latency_ms"])
		}
		if got, _ := e["logging.googleapis.com/trace"].(string); got != c.wantTraceField {
			t.Errorf("access line %d: trace %q, want %q", i, got, c.wantTraceField)
		}
	}
	for _, i := range []int{3, 5} {
		if access[i]["severity"] != "WARNING" {
			t.Errorf("the 400's access line has severity %v, want WARNING", access[i]["severity"])
		}
	}
}
