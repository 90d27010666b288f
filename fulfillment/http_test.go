package fulfillment_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cxhook/cxhook/fulfillment"
	"github.com/cxhook/cxhook/internal/logbuf"
	"github.com/go-json-experiment/json"
)

// newServer serves mux on loopback and returns its URL and log.
func newServer(t *testing.T, h fulfillment.Handler, opts ...fulfillment.Option) (string, *logbuf.Buffer) {
	t.Helper()
	logs := new(logbuf.Buffer)
	opts = append([]fulfillment.Option{fulfillment.WithLogger(slog.New(slog.NewJSONHandler(logs, nil)))}, opts...)
	srv := httptest.NewServer(fulfillment.NewHTTPHandler(h, opts...))
	t.Cleanup(srv.Close)
	return srv.URL, logs
}

func post(t *testing.T, url, body string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// waitLog waits until the log holds n lines: the access line is written
// after the answer is sent, so a client may read the answer first.
func waitLog(t *testing.T, logs *logbuf.Buffer, n int) string {
	t.Helper()
	for i := 0; len(logs.Lines()) < n; i++ {
		if i == 500 { // a guard, not a timing check
			t.Fatalf("%d log lines, want %d: %s", len(logs.Lines()), n, logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return logs.String()
}

const secret = "s3cr3t-value-4711"

func req(tag string) string {
	return `{"fulfillmentInfo":{"tag":"` + tag + `"},"sessionInfo":{"session":"projects/p/locations/global/agents/a/sessions/sess-1","parameters":{"card":"` + secret + `"}},"pageInfo":{"currentPage":"` + testFlow + `/pages/pg"}}`
}

func testMux() *fulfillment.Mux {
	mux := fulfillment.NewMux()
	mux.HandleFunc("ok", func(ctx context.Context, r *fulfillment.Request) (*fulfillment.Response, error) {
		return fulfillment.Reply("hi").SetParam("seen", true), nil
	})
	mux.HandleFunc("panic", func(ctx context.Context, r *fulfillment.Request) (*fulfillment.Response, error) {
		panic("boom")
	})
	mux.HandleFunc("nil", func(ctx context.Context, r *fulfillment.Request) (*fulfillment.Response, error) {
		return nil, nil
	})
	mux.HandleFunc("huge", func(ctx context.Context, r *fulfillment.Request) (*fulfillment.Response, error) {
		return fulfillment.Reply(strings.Repeat("x", fulfillment.MaxResponseBytes)), nil
	})
	mux.HandleFunc("misbuilt", func(ctx context.Context, r *fulfillment.Request) (*fulfillment.Response, error) {
		return fulfillment.Reply("x").SetParam("p", nil), nil
	})
	mux.HandleFunc("uncoded", func(ctx context.Context, r *fulfillment.Request) (*fulfillment.Response, error) {
		return nil, errors.New("db says no")
	})
	for _, c := range []fulfillment.Code{fulfillment.CodeInvalidArgument, fulfillment.CodeUnauthenticated, fulfillment.CodePermissionDenied,
		fulfillment.CodeNotFound, fulfillment.CodeInternal, fulfillment.CodeUnavailable, fulfillment.CodeDeadlineExceeded, fulfillment.CodeUnimplemented} {
		mux.HandleFunc("code-"+c.String(), func(ctx context.Context, r *fulfillment.Request) (*fulfillment.Response, error) {
			return nil, fulfillment.NewError(c, errors.New("detail"))
		})
	}
	return mux
}

func TestHTTPStatuses(t *testing.T) {
	t.Parallel()
	url, logs := newServer(t, testMux())
	tests := []struct {
		name   string
		method string
		body   string
		status int
		code   string // error body code, "" for success
	}{
		{"a valid call", "POST", req("ok"), 200, ""},
		{"GET", "GET", "", 405, "method_not_allowed"},
		{"PUT", "PUT", req("ok"), 405, "method_not_allowed"},
		{"empty body", "POST", "", 400, "invalid_argument"},
		{"malformed JSON", "POST", `{"fulfillmentInfo":`, 400, "invalid_argument"},
		{"a JSON array", "POST", `[` + req("ok") + `]`, 400, "invalid_argument"},
		{"a JSON string", "POST", `"ok"`, 400, "invalid_argument"},
		{"tag of the wrong type", "POST", `{"fulfillmentInfo":{"tag":5}}`, 400, "invalid_argument"},
		{"section of the wrong type", "POST", `{"fulfillmentInfo":5}`, 400, "invalid_argument"},
		{"parameters as a list", "POST", `{"fulfillmentInfo":{"tag":"ok"},"sessionInfo":{"parameters":[]}}`, 400, "invalid_argument"},
		{"trailing data", "POST", req("ok") + `{}`, 400, "invalid_argument"},
		{"unknown tag", "POST", req("nope"), 404, "not_found"},
		{"no tag", "POST", `{}`, 404, "not_found"},
		{"handler panics", "POST", req("panic"), 500, "internal"},
		{"handler returns nil, nil", "POST", req("nil"), 500, "internal"},
		{"response over 64 KiB", "POST", req("huge"), 500, "internal"},
		{"response misbuilt", "POST", req("misbuilt"), 500, "internal"},
		{"uncoded error", "POST", req("uncoded"), 500, "unknown"},
		{"CodeInvalidArgument", "POST", req("code-invalid_argument"), 400, "invalid_argument"},
		{"CodeUnauthenticated", "POST", req("code-unauthenticated"), 401, "unauthenticated"},
		{"CodePermissionDenied", "POST", req("code-permission_denied"), 403, "permission_denied"},
		{"CodeNotFound", "POST", req("code-not_found"), 404, "not_found"},
		{"CodeInternal", "POST", req("code-internal"), 500, "internal"},
		{"CodeUnavailable", "POST", req("code-unavailable"), 503, "unavailable"},
		{"CodeDeadlineExceeded", "POST", req("code-deadline_exceeded"), 503, "deadline_exceeded"},
		{"CodeUnimplemented", "POST", req("code-unimplemented"), 501, "unimplemented"},
		{"the server still answers", "POST", req("ok"), 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest(tt.method, url, strings.NewReader(tt.body))
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d; body %s", resp.StatusCode, tt.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if tt.status == 405 && resp.Header.Get("Allow") != "POST" {
				t.Errorf("Allow %q, want POST", resp.Header.Get("Allow"))
			}
			checkErrorBody(t, body, tt.body, tt.code)
		})
	}
	log := logs.String()
	if strings.Contains(log, secret) {
		t.Errorf("log holds a parameter value: %s", log)
	}
	for _, want := range []string{`"stack":"goroutine`, `"size":`, `response too large`, `"tag":"huge"`} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %s", want)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	url, _ := newServer(t, testMux(), fulfillment.WithMaxBodyBytes(1<<20))
	big := `{"fulfillmentInfo":{"tag":"ok"},"x":"` + strings.Repeat("a", 12<<20) + `"}`
	if resp, _ := post(t, url, big); resp.StatusCode != 413 {
		t.Errorf("12 MiB body: status %d, want 413", resp.StatusCode)
	}
	// Without Content-Length the limit still holds.
	r, _ := http.NewRequest("POST", url, io.MultiReader(strings.NewReader(big)))
	r.ContentLength = -1
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Errorf("chunked 12 MiB body: status %d, want 413", resp.StatusCode)
	}
	if resp, _ := post(t, url, req("ok")); resp.StatusCode != 200 {
		t.Errorf("after a large body: status %d", resp.StatusCode)
	}
}

func TestDeadline(t *testing.T) {
	t.Parallel()
	var gotDeadline time.Duration
	var handlerDone = make(chan error, 1)
	mux := fulfillment.NewMux()
	mux.HandleFunc("slow", func(ctx context.Context, r *fulfillment.Request) (*fulfillment.Response, error) {
		d, ok := ctx.Deadline()
		if !ok {
			handlerDone <- errors.New("no deadline")
			return nil, nil
		}
		gotDeadline = time.Until(d)
		<-ctx.Done()
		handlerDone <- ctx.Err()
		time.Sleep(300 * time.Millisecond) // overrun: ignore the deadline
		return fulfillment.Reply("too late"), nil
	})
	url, logs := newServer(t, mux,
		fulfillment.WithWebhookTimeout(time.Second),
		fulfillment.WithDeadlineMargin(500*time.Millisecond),
		fulfillment.WithTimeoutResponse(func(r *fulfillment.Request) *fulfillment.Response {
			return fulfillment.Reply("Sorry, one moment please.").SetParam("timed_out_tag", r.Tag())
		}))
	resp, body := post(t, url, req("slow"))
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got struct {
		FulfillmentResponse struct {
			Messages []struct{ Text struct{ Text []string } }
		}
		SessionInfo struct{ Parameters map[string]string }
	}
	if err := json.Unmarshal([]byte(body), &got, json.MatchCaseInsensitiveNames(true)); err != nil {
		t.Fatal(err)
	}
	if got.SessionInfo.Parameters["timed_out_tag"] != "slow" || got.FulfillmentResponse.Messages[0].Text.Text[0] != "Sorry, one moment please." {
		t.Errorf("timeout response: %s", body)
	}
	select {
	case err := <-handlerDone:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("handler context ended with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the handler never ran")
	}
	if gotDeadline <= 0 || gotDeadline > 500*time.Millisecond {
		t.Errorf("handler deadline %v from start, want ≤ timeout - margin = 500ms", gotDeadline)
	}
	// The access line is written when the late handler returns.
	for i := 0; !strings.Contains(logs.String(), `"timed_out":true`); i++ {
		if i == 100 {
			t.Fatalf("log does not mark the timeout: %s", logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestDefaultTimeoutResponse(t *testing.T) {
	t.Parallel()
	mux := fulfillment.NewMux()
	mux.HandleFunc("slow", func(ctx context.Context, r *fulfillment.Request) (*fulfillment.Response, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	url, _ := newServer(t, mux, fulfillment.WithWebhookTimeout(300*time.Millisecond))
	_, body := post(t, url, req("slow"))
	if want := `{"sessionInfo":{"parameters":{"cxhook_timed_out":true}}}`; body != want {
		t.Errorf("got %s, want %s", body, want)
	}
}

func TestLogLines(t *testing.T) {
	t.Parallel()
	url, logs := newServer(t, testMux())
	r, _ := http.NewRequest("POST", url, strings.NewReader(req("ok")))
	r.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var line map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(waitLog(t, logs, 1))), &line); err != nil {
		t.Fatalf("not one JSON line: %v: %s", err, logs)
	}
	for k, want := range map[string]any{"msg": "webhook call", "tag": "ok", "session": "sess-1", "status": 200.0} {
		if line[k] != want {
			t.Errorf("%s = %v, want %v", k, line[k], want)
		}
	}
	if _, ok := line["latency_ms"].(float64); !ok {
		t.Errorf("no latency_ms: %v", line)
	}
}

func TestMiddlewareOrder(t *testing.T) {
	t.Parallel()
	var order []string
	mw := func(name string) fulfillment.Middleware {
		return func(next fulfillment.Handler) fulfillment.Handler {
			return fulfillment.HandlerFunc(func(ctx context.Context, r *fulfillment.Request) (*fulfillment.Response, error) {
				order = append(order, name)
				return next.Fulfill(ctx, r)
			})
		}
	}
	url, _ := newServer(t, testMux(), fulfillment.WithMiddleware(mw("a"), mw("b")), fulfillment.WithMiddleware(mw("c")))
	post(t, url, req("ok"))
	if got := strings.Join(order, ","); got != "a,b,c" {
		t.Errorf("middleware ran in order %s, want a,b,c", got)
	}
}

func TestMuxPanics(t *testing.T) {
	t.Parallel()
	h := fulfillment.HandlerFunc(func(context.Context, *fulfillment.Request) (*fulfillment.Response, error) { return nil, nil })
	tests := []struct {
		name string
		f    func(m *fulfillment.Mux)
		want []string
	}{
		{"empty tag", func(m *fulfillment.Mux) { m.Handle("", h) }, []string{"empty tag", "http_test.go"}},
		{"nil handler", func(m *fulfillment.Mux) { m.Handle("t", nil) }, []string{"nil handler"}},
		{"nil func", func(m *fulfillment.Mux) { m.HandleFunc("t", nil) }, []string{"nil func"}},
		{"duplicate tag", func(m *fulfillment.Mux) {
			m.Handle("dup", h)
			m.HandleFunc("dup", h)
		}, []string{`tag "dup" registered at`, "http_test.go:", "is already registered at"}},
		{"second fallback", func(m *fulfillment.Mux) {
			m.HandleFallback(h)
			m.HandleFallback(h)
		}, []string{"fallback handler registered at", "already registered"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				for _, w := range tt.want {
					if !strings.Contains(msg, w) {
						t.Errorf("panic %q lacks %q", msg, w)
					}
				}
				if !strings.HasPrefix(msg, "fulfillment: ") {
					t.Errorf("panic %q not prefixed", msg)
				}
			}()
			tt.f(fulfillment.NewMux())
		})
	}
}

// A handler's own timeout on a dependency is its error, not the call's
// deadline: it answers with the error's status.
func TestHandlerSubTimeoutIsAnError(t *testing.T) {
	t.Parallel()
	mux := fulfillment.NewMux()
	mux.HandleFunc("sub", func(ctx context.Context, r *fulfillment.Request) (*fulfillment.Response, error) {
		sub, cancel := context.WithTimeout(ctx, time.Millisecond)
		defer cancel()
		<-sub.Done()
		return nil, fulfillment.NewError(fulfillment.CodeUnavailable, fmt.Errorf("inventory: %w", sub.Err()))
	})
	url, logs := newServer(t, mux)
	for range 20 {
		if resp, body := post(t, url, req("sub")); resp.StatusCode != 503 {
			t.Fatalf("status %d (%s), want 503; log %s", resp.StatusCode, body, logs)
		}
	}
}

// HTTP middleware runs inside the adapter: its refusals get the access line
// and it sees the call's deadline.
func TestHTTPMiddleware(t *testing.T) {
	t.Parallel()
	sawDeadline := make(chan bool, 1)
	deny := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, ok := r.Context().Deadline()
			sawDeadline <- ok
			if r.Header.Get("X-Key") != "k" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	url, logs := newServer(t, testMux(), fulfillment.WithHTTPMiddleware(deny))
	if resp, _ := post(t, url, req("ok")); resp.StatusCode != 401 {
		t.Fatalf("status %d, want 401", resp.StatusCode)
	}
	if !<-sawDeadline {
		t.Error("the middleware's context has no deadline")
	}
	r, _ := http.NewRequest("POST", url, strings.NewReader(req("ok")))
	r.Header.Set("X-Key", "k")
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	<-sawDeadline
	if resp.StatusCode != 200 {
		t.Fatalf("status %d, want 200", resp.StatusCode)
	}
	log := waitLog(t, logs, 2)
	if !strings.Contains(log, `"status":401`) || !strings.Contains(log, `"status":200,`) || !strings.Contains(log, `"tag":"ok"`) {
		t.Errorf("access lines missing: %s", log)
	}
}

// The content types a web page can POST cross-site without a preflight are
// refused, so that a browser cannot be used to call a function that checks
// no caller; JSON and a missing Content-Type are served.
func TestContentType(t *testing.T) {
	t.Parallel()
	url, _ := newServer(t, testMux())
	tests := []struct {
		contentType []string // nil: no header
		status      int
	}{
		{nil, 200},
		{[]string{"application/json"}, 200},
		{[]string{"application/json; charset=utf-8"}, 200},
		{[]string{"Application/JSON;charset=UTF-8"}, 200},
		{[]string{"application/octet-stream"}, 200}, // not sendable cross-site without a preflight
		{[]string{"text/plain"}, 415},
		{[]string{"text/plain;charset=UTF-8"}, 415},
		{[]string{"TEXT/PLAIN"}, 415},
		{[]string{" text/plain ; charset=utf-8"}, 415},
		{[]string{"application/x-www-form-urlencoded"}, 415},
		{[]string{"Application/X-WWW-Form-Urlencoded; charset=utf-8"}, 415},
		{[]string{"multipart/form-data; boundary=----x"}, 415},
		{[]string{"MULTIPART/FORM-DATA"}, 415},
		{[]string{"application/json", "text/plain"}, 415},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.contentType, ","), func(t *testing.T) {
			r, _ := http.NewRequest("POST", url, strings.NewReader(req("ok")))
			if tt.contentType != nil {
				r.Header["Content-Type"] = tt.contentType
			}
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if tt.status == 415 && !strings.Contains(string(body), `"code":"unsupported_media_type"`) {
				t.Errorf("body %s", body)
			}
		})
	}
}

// A body that cannot be decoded is logged by what is wrong with it, in
// words: never a kind that is not one, nor the body's text.
func TestDecodeErrorLogLine(t *testing.T) {
	t.Parallel()
	tests := []struct{ body, problem, kind string }{
		{`[]`, "not a JSON object", "list"},
		{`"s3cr3t"`, "not a JSON object", "string"},
		{`1`, "not a JSON object", "number"},
		{`null`, "not a JSON object", "null"},
		{`true`, "not a JSON object", "bool"},
		{`x`, "malformed JSON", ""},
		{`{"fulfillmentInfo":`, "truncated JSON", ""},
		{`{"fulfillmentInfo":{"tag":5}}`, "wrong type", "number"},
		{``, "empty body", ""},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			logs := new(logbuf.Buffer)
			h := fulfillment.NewHTTPHandler(testMux(), fulfillment.WithLogger(slog.New(slog.NewJSONHandler(logs, nil))))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body)))
			if w.Code != 400 {
				t.Fatalf("status %d", w.Code)
			}
			var line struct{ Problem, JSONKind string }
			first := logs.Lines()[0]
			if err := json.Unmarshal([]byte(first), &line, json.MatchCaseInsensitiveNames(true)); err != nil {
				t.Fatal(err)
			}
			if line.Problem != tt.problem || (tt.kind != "" && !strings.Contains(first, `"json_kind":"`+tt.kind+`"`)) ||
				strings.Contains(first, "invalid jsontext.Kind") || strings.Contains(first, "s3cr3t") {
				t.Errorf("log line %s, want problem %q, kind %q", first, tt.problem, tt.kind)
			}
		})
	}
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// checkErrorBody checks an error answer: a JSON {"code","message"} body
// with the code wanted, which echoes neither the secret nor the request.
func checkErrorBody(t *testing.T, body []byte, reqBody, code string) (e errorBody) {
	t.Helper()
	if strings.Contains(string(body), secret) || (reqBody != "" && strings.Contains(string(body), reqBody)) {
		t.Errorf("answer echoes the request: %s", body)
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("body is not JSON: %s", body)
	}
	if e.Code != code {
		t.Errorf("error code %q, want %q (body %s)", e.Code, code, body)
	}
	return e
}

// TestAnswerLength: every answer, small or large, goes out with a
// Content-Length and never in chunks (net/http counts the small ones, the
// adapter declares the others).
func TestAnswerLength(t *testing.T) {
	t.Parallel()
	mux := fulfillment.NewMux()
	mux.HandleFunc("size", func(ctx context.Context, r *fulfillment.Request) (*fulfillment.Response, error) {
		n, err := r.Params().Int("n")
		if err != nil {
			return nil, err
		}
		return fulfillment.Reply(strings.Repeat("x", int(n))), nil
	})
	url, _ := newServer(t, mux)
	for _, n := range []int{0, 100, 900, 1000, 1100, 2100, 5000, 60000} {
		resp, body := post(t, url, `{"fulfillmentInfo":{"tag":"size"},"sessionInfo":{"parameters":{"n":`+fmt.Sprint(n)+`}}}`)
		if resp.StatusCode != 200 || resp.ContentLength != int64(len(body)) || len(resp.TransferEncoding) > 0 ||
			resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%d-byte reply: status %d, Content-Length %d for %d bytes, Transfer-Encoding %q, Content-Type %q",
				n, resp.StatusCode, resp.ContentLength, len(body), resp.TransferEncoding, resp.Header.Get("Content-Type"))
		}
	}
}
