package emulator

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cxhook/cxhook/fulfillment"
	"github.com/go-json-experiment/json"
)

// hooksMux serves the semantics agent's standard tags; each call's request
// is recorded.
type hooksMux struct {
	mu   sync.Mutex
	reqs []*fulfillment.Request
	mux  *fulfillment.Mux
}

func newHooksMux(t *testing.T) *hooksMux {
	h := &hooksMux{mux: fulfillment.NewMux()}
	navB := loadAgent(t, semanticsAgent).StartFlow.Page("Nav B").ID
	rec := func(f fulfillment.HandlerFunc) fulfillment.HandlerFunc {
		return func(ctx context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
			h.mu.Lock()
			h.reqs = append(h.reqs, req)
			h.mu.Unlock()
			return f(ctx, req)
		}
	}
	h.mux.HandleFunc("append", rec(func(context.Context, *fulfillment.Request) (*fulfillment.Response, error) {
		return fulfillment.Reply("from webhook").SetParam("after_hook", true).SetPayload(map[string]any{"k": "v"}), nil
	}))
	h.mux.HandleFunc("replace", rec(func(context.Context, *fulfillment.Request) (*fulfillment.Response, error) {
		return fulfillment.Reply("replaced").ReplaceQueued(), nil
	}))
	h.mux.HandleFunc("target", rec(func(_ context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
		return fulfillment.NewResponse().TransitionTo(req.TargetPage(navB)), nil
	}))
	h.mux.HandleFunc("check-b", rec(func(context.Context, *fulfillment.Request) (*fulfillment.Response, error) {
		return fulfillment.NewResponse(), nil
	}))
	return h
}

func (h *hooksMux) last(t *testing.T) *fulfillment.Request {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.reqs) == 0 {
		t.Fatal("no webhook call")
	}
	return h.reqs[len(h.reqs)-1]
}

func TestWebhookResponses(t *testing.T) {
	h := newHooksMux(t)
	e := newEmulator(t, semanticsAgent, Config{Seed: 1, Webhooks: &Webhooks{Handler: fulfillment.NewHTTPHandler(h.mux, quiet)}})
	c := newConvo(t, e, SessionConfig{})
	c.expect(c.send(Intent("go.hooks", nil)), "Hooks", "hooks entry")

	// APPEND; the condition route after the call sees its parameter.
	turn := c.send(Intent("hook.append", nil))
	c.expect(turn, "Hooks", "before append", "from webhook", "condition saw the webhook's parameter")
	if len(turn.Payloads) != 1 || turn.Payloads[0]["k"] != "v" || turn.Params["after_hook"] != true {
		t.Errorf("payloads %v params %v", turn.Payloads, turn.Params)
	}
	if w := turn.Webhooks; len(w) != 1 || w[0].Status != 200 || w[0].Event != "" || w[0].Tag != "append" {
		t.Errorf("calls %+v", w)
	}
	req := h.last(t)
	in, ok := req.Intent()
	if !ok || in.DisplayName != "hook.append" || req.Tag() != "append" || req.Page().DisplayName != "Hooks" {
		t.Errorf("request: intent %v %v, tag %q, page %q", in, ok, req.Tag(), req.Page().DisplayName)
	}
	if m := req.Messages(); len(m) != 1 || m[0].TextVariants()[0] != "before append" || m[0].ResponseType() != fulfillment.ResponseHandlerPrompt {
		t.Errorf("queued messages %v", m)
	}

	// REPLACE drops what the turn queued before (PolicyReplaceReach).
	turn = c.send(Intent("hook.replace", nil))
	c.expect(turn, "Hooks", "replaced", "condition saw the webhook's parameter")
	if !hasNote(turn, PolicyReplaceReach) {
		t.Errorf("notes %v", turn.Notes)
	}

	// The webhook's target wins over the route's (PolicyWebhookTarget).
	turn = c.send(Intent("hook.target", nil))
	c.expect(turn, "Nav B", "at B")
	if !hasNote(turn, PolicyWebhookTarget) {
		t.Errorf("notes %v", turn.Notes)
	}
}

// TestRequestAtFormSites checks the request at a parameter's prompt: the
// form's state with justCollected, the queued prompt types, no intentInfo
// on a filling turn.
func TestRequestAtFormSites(t *testing.T) {
	h := newHooksMux(t)
	e := newEmulator(t, semanticsAgent, Config{Seed: 1, Webhooks: &Webhooks{Handler: fulfillment.NewHTTPHandler(h.mux, quiet)}})
	c := newConvo(t, e, SessionConfig{ID: "form-site"})
	c.send(Intent("go.form", nil))
	c.expect(c.send(fill("a", "x")), "Form", "give b")
	req := h.last(t)
	if req.Tag() != "check-b" || req.SessionID() != "form-site" || req.Query().Value != "some answer" {
		t.Errorf("tag %q session %q query %+v", req.Tag(), req.SessionID(), req.Query())
	}
	if _, ok := req.Intent(); ok {
		t.Error("a filling turn's request has intentInfo")
	}
	a, _ := req.FormParam("a")
	b, _ := req.FormParam("b")
	cp, _ := req.FormParam("c")
	if a.State != fulfillment.StateFilled || !a.JustCollected || !a.Required || b.State != fulfillment.StateEmpty || b.JustCollected || cp.State != fulfillment.StateFilled || cp.Required {
		t.Errorf("form: a %+v, b %+v, c %+v", a, b, cp)
	}
	if v, _ := req.Params().String("a"); v != "x" {
		t.Errorf("session parameter a = %q", v)
	}
	if m := req.Messages(); len(m) != 1 || m[0].ResponseType() != fulfillment.ResponseParameterPrompt {
		t.Errorf("queued %v", m)
	}
	if !strings.HasSuffix(req.Page().Name, "/pages/"+loadAgent(t, semanticsAgent).StartFlow.Page("Form").ID) {
		t.Errorf("current page %q", req.Page().Name)
	}
}

// TestFlexibleWebhook: the body template rendered, the answer mapped back.
func TestFlexibleWebhook(t *testing.T) {
	var body []byte
	mux := fulfillment.NewMux()
	type req struct {
		Name string  `json:"name"`
		N    float64 `json:"n"`
	}
	type result struct {
		Score float64 `json:"score"`
	}
	type resp struct {
		Result result `json:"result"`
		Label  string `json:"label"`
	}
	mux.HandleFlexible("score", fulfillment.Flexible(func(_ context.Context, r req) (resp, error) {
		return resp{Result: result{Score: r.N * 5}, Label: "hi " + r.Name}, nil
	}))
	peek := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(strings.NewReader(string(body)))
			if r.URL.Path != "/score" {
				t.Errorf("path %q, want the webhook URI's /score", r.URL.Path)
			}
			next.ServeHTTP(w, r)
		})
	}
	e := newEmulator(t, semanticsAgent, Config{Seed: 1, Webhooks: &Webhooks{Handler: peek(fulfillment.NewHTTPHandler(mux, quiet))}})
	c := newConvo(t, e, SessionConfig{Params: Params{"name": "Ann", "kept": "as is"}})
	turn := c.send(Intent("go.flex", nil))
	c.expect(turn, "Flex", "score 15 label hi Ann")
	var sent map[string]any
	if err := json.Unmarshal(body, &sent); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	if sent["name"] != "Ann" || sent["n"] != 3.0 {
		t.Errorf("body %s", body)
	}
	if turn.Params["kept"] != "as is" || !hasNote(turn, PolicyFlexibleMapping) || turn.Webhooks[0].Tag != "score" || !turn.Webhooks[0].Flexible {
		t.Errorf("params %v notes %v call %+v", turn.Params, turn.Notes, turn.Webhooks[0])
	}
}

// A misbehaving webhook: each kind of failure against a real loopback
// HTTP server, and the event it raises.
func TestWebhookFailures(t *testing.T) {
	big := `{"fulfillmentResponse":{"messages":[{"text":{"text":["` + strings.Repeat("x", MaxResponseBytes) + `"]}}]}}`
	reply := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			io.WriteString(w, body)
		}
	}
	cases := []struct {
		name    string
		handler http.HandlerFunc
		event   string
		text    string
	}{
		{"400", reply(400, `{}`), "webhook.error.bad-request", "bad request handled"},
		{"401", reply(401, `{}`), "webhook.error.rejected", "rejected handled"},
		{"403", reply(403, `{}`), "webhook.error.rejected", "rejected handled"},
		{"503", reply(503, `{}`), "webhook.error.unavailable", "unavailable handled"},
		{"500", reply(500, `{}`), "webhook.error", "error handled"},
		{"404", reply(404, `{}`), "webhook.error", "error handled"},
		{"302", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/elsewhere", http.StatusFound) }, "webhook.error", "error handled"},
		{"not JSON", reply(200, `<html>oops</html>`), "webhook.error", "error handled"},
		{"empty", reply(200, ``), "webhook.error", "error handled"},
		{"wrong type", reply(200, `{"sessionInfo":{"parameters":[1,2]}}`), "webhook.error", "error handled"},
		{"unknown target", reply(200, `{"targetPage":"projects/p/locations/l/agents/a/flows/nope/pages/nope"}`), "webhook.error", "error handled"},
		{"over 64 KiB", reply(200, big), "webhook.error", "error handled"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			checkFailure(t, srv.URL, 0, tc.event, tc.text, 1)
		})
	}
	t.Run("timeout", func(t *testing.T) {
		var calls atomic.Int32
		release := make(chan struct{})
		// The server never answers: it waits until the client gives up
		// (reading the body first, so that it notices the client leave) or
		// the test ends.
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}))
		defer srv.Close()
		defer close(release)
		checkFailure(t, srv.URL, 50*time.Millisecond, "webhook.error.timeout", "timeout handled", 2)
		if n := calls.Load(); n != 4 {
			t.Errorf("the server got %d calls for two webhook calls, want 4 (one retry each)", n)
		}
	})
	t.Run("in process timeout", func(t *testing.T) {
		var calls atomic.Int32
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			<-r.Context().Done()
		})
		checkFailureWith(t, &Webhooks{Handler: h, Timeout: 20 * time.Millisecond}, "webhook.error.timeout", "timeout handled", 2)
		if n := calls.Load(); n != 4 {
			t.Errorf("the handler got %d calls, want 4", n)
		}
	})
	t.Run("in process panic", func(t *testing.T) {
		h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
		checkFailureWith(t, &Webhooks{Handler: h}, "webhook.error", "error handled", 1)
	})
	t.Run("refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		url := "http://" + l.Addr().String()
		l.Close()
		checkFailure(t, url, 0, "webhook.error.not-found", "not found handled", 1)
	})
}

// checkFailure calls the failing webhook from a route without a target
// (the event is handled) and from one with a target (it fails silently).
func checkFailure(t *testing.T, url string, timeout time.Duration, event, text string, attempts int) {
	t.Helper()
	checkFailureWith(t, &Webhooks{URL: url, Timeout: timeout}, event, text, attempts)
}

func checkFailureWith(t *testing.T, wh *Webhooks, event, text string, attempts int) {
	t.Helper()
	e := newEmulator(t, semanticsAgent, Config{Seed: 1, Webhooks: wh})
	c := newConvo(t, e, SessionConfig{})
	c.send(Intent("go.hooks", nil))
	turn := c.send(Intent("hook.fail", nil))
	c.expect(turn, "Hooks", "before fail", text)
	if len(turn.Webhooks) != 1 {
		t.Fatalf("%d calls", len(turn.Webhooks))
	}
	w := turn.Webhooks[0]
	if w.Event != event || w.Silent || w.Attempts != attempts {
		t.Errorf("call %s: event %q silent %v attempts %d; want %q, %d attempt(s)", w, w.Event, w.Silent, w.Attempts, event, attempts)
	}
	// The same failure from a route with a target is silent.
	c.send(Intent("go.hooks", nil))
	turn = c.send(Intent("hook.fail.target", nil))
	c.expect(turn, "Nav A", "before fail", "at A")
	if w := turn.Webhooks[0]; w.Event != event || !w.Silent {
		t.Errorf("from a route with a target: event %q silent %v", w.Event, w.Silent)
	}
}

// TestWebhookOffAndUnserved: no configuration, a disabled turn, and a
// webhook nothing serves are traced, not called.
func TestWebhookOffAndUnserved(t *testing.T) {
	for _, cfg := range []*Webhooks{nil, {URLs: map[string]string{"other": "http://127.0.0.1:1"}}} {
		e := newEmulator(t, semanticsAgent, Config{Webhooks: cfg})
		c := newConvo(t, e, SessionConfig{})
		c.send(Intent("go.hooks", nil))
		turn := c.send(Intent("hook.append", nil))
		c.expect(turn, "Hooks", "before append")
		if len(turn.Webhooks) != 0 || !strings.Contains(FormatTrace(turn.Trace, ""), "not called") {
			t.Errorf("config %+v: calls %v, trace:\n%s", cfg, turn.Webhooks, FormatTrace(turn.Trace, "  "))
		}
	}
}

// TestWebhookHeaders: the configured headers go with every call; the
// export's own headers, which may hold a production service's key, do not
// go to the URL the emulator was given instead.
func TestWebhookHeaders(t *testing.T) {
	got := make(chan http.Header, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Clone()
		io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	e := newEmulator(t, semanticsAgent, Config{Webhooks: &Webhooks{URL: srv.URL, Header: http.Header{"Authorization": {"Bearer local"}}}})
	c := newConvo(t, e, SessionConfig{})
	c.send(Intent("go.hooks", nil))
	c.send(Intent("hook.append", nil))
	h := <-got
	if h.Get("Authorization") != "Bearer local" || h.Get("X-Production-Key") != "" || h.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", h)
	}
}

// TestWebhookStatusCode: $request.webhook_status_code holds the last
// call's HTTP status for the rest of the turn, in conditions and texts,
// and is unset before the call, in the next turn, and after a call that
// got no HTTP answer (PolicyWebhookStatus).
func TestWebhookStatusCode(t *testing.T) {
	const before = "before call: code $request.webhook_status_code"
	answer := func(status int) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			io.WriteString(w, `{}`)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	refused := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return "http://" + l.Addr().String()
	}
	cases := []struct {
		name  string
		url   string
		texts []string
	}{
		{"200", answer(200), []string{before, "condition saw 200, text says 200"}},
		{"503", answer(503), []string{before, "unavailable, status 503"}},
		{"refused", refused(), []string{before, "failed, status $request.webhook_status_code"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEmulator(t, semanticsAgent, Config{Seed: 1, Webhooks: &Webhooks{URL: tc.url}})
			c := newConvo(t, e, SessionConfig{})
			c.send(Intent("go.status", nil))
			turn := c.send(Intent("hook.status", nil))
			c.expect(turn, "Status", tc.texts...)
			if len(turn.Webhooks) != 1 || !hasNote(turn, PolicyWebhookStatus) {
				t.Errorf("calls %v, notes %v", turn.Webhooks, turn.Notes)
			}
			// The next turn makes no call: the status is gone.
			turn = c.send(Intent("status.after", nil))
			c.expect(turn, "Status", "next turn: code $request.webhook_status_code", "no status")
		})
	}
}
