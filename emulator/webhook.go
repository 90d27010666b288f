package emulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/fulfillment"
)

// MaxResponseBytes is the largest webhook answer CX accepts.
const MaxResponseBytes = 64 << 10

// Webhooks says where the emulator sends webhook calls. Exactly where is a
// policy (PolicyWebhookURL): only where it is told, never at the URIs of
// the export unless ExportURLs is set.
type Webhooks struct {
	// Handler serves every call in process, through a real http.Request
	// and ResponseWriter (no network): typically the function's own
	// handler, fulfillment.NewHTTPHandler(mux).
	Handler http.Handler
	// URL receives every call over HTTP, unless URLs names the webhook.
	URL string
	// URLs map webhook display names to the URL their calls go to.
	URLs map[string]string
	// Client makes the HTTP calls; nil means a client that does not follow
	// redirects.
	Client *http.Client
	// Timeout overrides every webhook's own timeout (0: the webhook's, 5 s
	// when the export sets none).
	Timeout time.Duration
	// Header is added to every call (an Authorization header, say). The
	// export's own request headers are sent only to the export's URI
	// (ExportURLs): they may hold the production service's credentials.
	Header http.Header
	// ExportURLs sends the calls of webhooks that Handler, URL and URLs do
	// not cover to the URI the export gives them.
	ExportURLs bool
}

// A destination is where one webhook's calls go.
type destination struct {
	url     string
	handler http.Handler
	path    string
}

func (d destination) String() string {
	if d.handler != nil {
		return "handler " + d.path
	}
	return d.url
}

var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (w *Webhooks) destination(wh *agent.Webhook) (destination, bool) {
	path := "/"
	if wh.Kind == agent.Flexible {
		path = wh.Path()
	}
	if u := w.URLs[wh.DisplayName]; u != "" {
		return destination{url: u}, true
	}
	if w.URL != "" {
		u := w.URL
		if path != "/" {
			u = joinPath(u, path)
		}
		return destination{url: u}, true
	}
	if w.Handler != nil {
		return destination{handler: w.Handler, path: path}, true
	}
	if w.ExportURLs && wh.URI != "" {
		return destination{url: wh.URI}, true
	}
	return destination{}, false
}

func joinPath(base, path string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	return u.String()
}

// failure kinds of one attempt.
type failKind uint8

const (
	failNone failKind = iota
	failTimeout
	failNotFound
	failTransport
)

// answer is the outcome of a call, retries included.
type answer struct {
	status   int
	body     []byte
	tooLarge bool
	fail     failKind
	err      error
	attempts int
	latency  time.Duration
}

// post sends one webhook call, retrying once on timeout (PolicyWebhookRetry).
func (w *Webhooks) post(ctx context.Context, d destination, method string, header http.Header, body []byte, timeout time.Duration) answer {
	start := time.Now()
	var a answer
	for a.attempts < 2 {
		a.attempts++
		a.status, a.body, a.tooLarge, a.fail, a.err = w.attempt(ctx, d, method, header, body, timeout)
		if a.fail != failTimeout || ctx.Err() != nil {
			break
		}
	}
	a.latency = time.Since(start)
	return a
}

func (w *Webhooks) attempt(ctx context.Context, d destination, method string, header http.Header, body []byte, timeout time.Duration) (status int, resp []byte, tooLarge bool, fail failKind, err error) {
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	target := d.url
	if d.handler != nil {
		target = "http://webhook.emulator.invalid" + d.path
	}
	req, err := http.NewRequestWithContext(actx, method, target, bytes.NewReader(body))
	if err != nil {
		return 0, nil, false, failTransport, err
	}
	req.Header = header.Clone()
	if d.handler != nil {
		return serveInProcess(actx, d.handler, req)
	}
	client := w.Client
	if client == nil {
		client = noRedirects
	}
	r, err := client.Do(req)
	if err != nil {
		return 0, nil, false, classify(actx, err), err
	}
	defer r.Body.Close()
	resp, err = io.ReadAll(io.LimitReader(r.Body, MaxResponseBytes+1))
	if err != nil {
		return r.StatusCode, nil, false, classify(actx, err), err
	}
	if len(resp) > MaxResponseBytes {
		return r.StatusCode, resp[:MaxResponseBytes], true, failNone, nil
	}
	return r.StatusCode, resp, false, failNone, nil
}

// classify says what a transport error means for CX (PolicyWebhookEvent).
func classify(ctx context.Context, err error) failKind {
	var ne net.Error
	var dns *net.DNSError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded:
		return failTimeout
	case errors.As(err, &ne) && ne.Timeout():
		return failTimeout
	case errors.Is(err, syscall.ECONNREFUSED), errors.As(err, &dns):
		return failNotFound
	}
	return failTransport
}

// serveInProcess runs an http.Handler on req, waiting until it answers or
// ctx ends. A handler that ignores its context and never returns keeps its
// goroutine; the call has timed out all the same.
func serveInProcess(ctx context.Context, h http.Handler, req *http.Request) (int, []byte, bool, failKind, error) {
	req.RemoteAddr = "127.0.0.1:1"
	rec := &recorder{header: http.Header{}}
	done := make(chan struct{})
	var panicked any
	go func() {
		defer close(done)
		defer func() { panicked = recover() }()
		h.ServeHTTP(rec, req)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		return 0, nil, false, failTimeout, ctx.Err()
	}
	if panicked != nil {
		return 0, nil, false, failTransport, fmt.Errorf("the handler panicked: %v", panicked)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	if rec.over {
		return status, rec.body.Bytes(), true, failNone, nil
	}
	return status, rec.body.Bytes(), false, failNone, nil
}

// recorder is an http.ResponseWriter that keeps at most MaxResponseBytes
// of the body.
type recorder struct {
	mu     sync.Mutex
	header http.Header
	status int
	body   bytes.Buffer
	over   bool
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if room := MaxResponseBytes - r.body.Len(); len(p) > room {
		r.body.Write(p[:max(room, 0)])
		r.over = true
	} else {
		r.body.Write(p)
	}
	return len(p), nil
}

func (r *recorder) Flush() {}

// statusEvent maps an HTTP status to the event CX raises (PolicyInvalidAnswer).
func statusEvent(code int) string {
	switch {
	case code >= 200 && code < 300:
		return ""
	case code == http.StatusBadRequest:
		return "webhook.error.bad-request"
	case code == http.StatusUnauthorized, code == http.StatusForbidden:
		return "webhook.error.rejected"
	case code == http.StatusServiceUnavailable:
		return "webhook.error.unavailable"
	}
	return "webhook.error"
}

// callWebhook calls the fulfillment's webhook and applies its answer.
func (t *turn) callWebhook(fr *frame, f *agent.Fulfillment, site callSite) fulfillResult {
	s := t.s
	wh := f.Webhook
	call := &WebhookCall{Webhook: wh.DisplayName, Tag: f.Tag, Site: site.name, Flexible: wh.Kind == agent.Flexible}
	cfg := s.e.cfg.Webhooks
	switch {
	case t.noWebhooks || cfg == nil:
		t.step(StepWebhook, "%s tag %q from %s not called: webhooks are off", wh.DisplayName, f.Tag, site.name)
		return fulfillResult{}
	case wh.Disabled:
		t.warn("webhook %s tag %q from %s not called: the webhook is disabled in the agent", wh.DisplayName, f.Tag, site.name)
		return fulfillResult{}
	}
	d, ok := cfg.destination(wh)
	if !ok {
		t.warn("webhook %s tag %q from %s not called: no handler or URL serves it", wh.DisplayName, f.Tag, site.name)
		return fulfillResult{}
	}
	if d.handler == nil && d.url == wh.URI {
		t.note(PolicyWebhookURL, "webhook "+wh.DisplayName+" is called at the export's URI")
	} else if wh.Kind == agent.Flexible && d.path != "/" && d.path != "" {
		t.note(PolicyWebhookURL, "flexible webhook "+wh.DisplayName+" keeps its URI's path "+d.path)
	}
	call.URL = d.String()
	header := http.Header{"Content-Type": {"application/json"}}
	if d.handler == nil && d.url == wh.URI {
		// The export's headers (API keys for the production service,
		// possibly) go only where the export sends them.
		for _, kv := range wh.Headers {
			header.Add(kv.Key, kv.Value)
		}
	}
	for k, vs := range cfg.Header {
		for _, v := range vs {
			header.Add(k, v)
		}
	}
	method := http.MethodPost
	var body []byte
	if wh.Kind == agent.Flexible {
		if wh.Method != "" {
			method = strings.ToUpper(wh.Method)
		}
		body = wh.RenderBody(t.flexLookup(fr))
		if tag, ok := wh.FlexibleTag(); ok {
			call.Tag = tag
		}
		t.note(PolicyFlexibleBody, "the body of flexible webhook "+wh.DisplayName+" is its rendered requestBody template")
	} else {
		var err error
		if body, err = t.request(fr, f); err != nil {
			t.warn("webhook %s: the request cannot be encoded: %v", wh.DisplayName, err)
			return fulfillResult{}
		}
	}
	call.Request = body
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = wh.EffectiveTimeout()
	}
	a := cfg.post(t.ctx, d, method, header, body, timeout)
	call.Status, call.Attempts, call.Latency, call.Response = a.status, a.attempts, a.latency, a.body
	t.webhookStatus = 0
	if a.fail == failNone {
		t.webhookStatus = a.status
	}
	ev := ""
	switch a.fail {
	case failTimeout:
		ev, call.Err = "webhook.error.timeout", fmt.Sprintf("no answer within %s", timeout)
		if a.attempts > 1 {
			t.note(PolicyWebhookRetry, "webhook "+wh.DisplayName+" timed out and was retried once")
		}
	case failNotFound:
		ev, call.Err = "webhook.error.not-found", "unreachable: "+clip(errText(a.err))
		t.note(PolicyWebhookEvent, "an unreachable webhook raises webhook.error.not-found")
	case failTransport:
		ev, call.Err = "webhook.error", clip(errText(a.err))
	default:
		if ev = statusEvent(a.status); ev != "" {
			call.Err = fmt.Sprintf("HTTP %d", a.status)
			if a.status == http.StatusNotFound {
				t.note(PolicyWebhookEvent, "HTTP 404 raises webhook.error, not webhook.error.not-found")
			}
		} else if a.tooLarge {
			ev, call.Err = "webhook.error", fmt.Sprintf("the answer is larger than %d KiB", MaxResponseBytes>>10)
			t.note(PolicyInvalidAnswer, "an answer over 64 KiB is invalid")
		}
	}
	var resp *parsedResponse
	var mapped []mappedParam
	if ev == "" {
		var err error
		if wh.Kind == agent.Flexible {
			mapped, err = t.parseFlexible(wh, a.body)
		} else {
			resp, err = t.parseResponse(fr, a.body)
		}
		if err != nil {
			ev, call.Err = "webhook.error", "invalid answer: "+err.Error()
			t.note(PolicyInvalidAnswer, "an answer that "+err.Error()+" is invalid")
		}
	}
	call.Event = ev
	t.out.Webhooks = append(t.out.Webhooks, call)
	t.out.Trace = append(t.out.Trace, Step{Kind: StepWebhook, Flow: fr.flow.DisplayName, Page: fr.page.DisplayName, Webhook: call})
	if c := s.cfgCoverage(); c != nil {
		c.webhook(call)
	}
	if ev != "" {
		if site.hasTarget {
			call.Silent = true
			t.step(StepEvent, "%s: the calling handler has a target, the webhook fails silently", ev)
			return fulfillResult{}
		}
		return fulfillResult{event: ev}
	}
	if wh.Kind == agent.Flexible {
		t.applyFlexible(fr, mapped)
		return fulfillResult{}
	}
	return fulfillResult{target: t.applyResponse(fr, wh, site, resp)}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// flexLookup resolves the references of a flexible webhook's template.
func (t *turn) flexLookup(fr *frame) func(agent.ParamRef) (fulfillment.Value, bool) {
	s := t.s
	return func(r agent.ParamRef) (fulfillment.Value, bool) {
		var v any
		var ok bool
		switch r.Scope {
		case agent.ScopeSession:
			v, ok = s.params.Get(r.Name)
		case agent.ScopeFlow:
			v, ok = fr.flowParams.Get(r.Name)
		case agent.ScopePage:
			if fp := formParam(fr.page, r.Name); fp != nil {
				v, ok = s.formValue(fr, fp)
			}
		}
		if !ok || v == nil {
			return fulfillment.Value{}, false
		}
		return fulfillment.ValueOf(v), true
	}
}
