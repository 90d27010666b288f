package fulfillment_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cxhook/cxhook/cloudlog"
	"github.com/cxhook/cxhook/fulfillment"
	"github.com/cxhook/cxhook/internal/logbuf"
	"github.com/go-json-experiment/json"
)

type greetReq struct {
	Name string `json:"name"`
	N    int    `json:"n"`
}

type greetResp struct {
	Greeting string `json:"greeting"`
	N        int    `json:"n"`
}

func greet(_ context.Context, r greetReq) (greetResp, error) {
	return greetResp{Greeting: "hi " + r.Name, N: r.N}, nil
}

// flexMux serves flexible handlers by tag and by path beside a standard one.
func flexMux() *fulfillment.Mux {
	mux := fulfillment.NewMux()
	mux.HandleFunc("std", func(ctx context.Context, r *fulfillment.Request) (*fulfillment.Response, error) {
		return fulfillment.Reply("standard"), nil
	})
	mux.HandleFlexible("greet", fulfillment.Flexible(greet))
	mux.HandleFlexible("params", fulfillment.Flexible(func(_ context.Context, p fulfillment.Params) (map[string]any, error) {
		zip, err := p.String("zip")
		if err != nil {
			return nil, fulfillment.NewError(fulfillment.CodeInvalidArgument, err)
		}
		return map[string]any{"zip": zip, "members": p.Len()}, nil
	}))
	mux.HandleFlexible("nothing", fulfillment.Flexible(func(context.Context, struct{}) (struct{}, error) { return struct{}{}, nil }))
	mux.HandleFlexible("nilptr", fulfillment.Flexible(func(context.Context, struct{}) (*greetResp, error) { return nil, nil }))
	mux.HandleFlexible("list", fulfillment.Flexible(func(context.Context, struct{}) ([]int, error) { return []int{1}, nil }))
	mux.HandleFlexible("huge", fulfillment.Flexible(func(context.Context, struct{}) (greetResp, error) {
		return greetResp{Greeting: strings.Repeat("x", fulfillment.MaxResponseBytes)}, nil
	}))
	mux.HandleFlexible("nan", fulfillment.Flexible(func(context.Context, struct{}) (map[string]float64, error) {
		return map[string]float64{"x": math.NaN()}, nil
	}))
	mux.HandleFlexible("panic", fulfillment.Flexible(func(context.Context, struct{}) (struct{}, error) { panic("boom") }))
	mux.HandleFlexible("uncoded", fulfillment.Flexible(func(context.Context, struct{}) (struct{}, error) {
		return struct{}{}, errors.New("db says no")
	}))
	for _, c := range []fulfillment.Code{fulfillment.CodeInvalidArgument, fulfillment.CodeUnauthenticated, fulfillment.CodePermissionDenied,
		fulfillment.CodeNotFound, fulfillment.CodeInternal, fulfillment.CodeUnavailable, fulfillment.CodeDeadlineExceeded, fulfillment.CodeUnimplemented} {
		mux.HandleFlexible("code-"+c.String(), fulfillment.Flexible(func(context.Context, struct{}) (struct{}, error) {
			return struct{}{}, fulfillment.NewError(c, errors.New("detail"))
		}))
	}
	mux.HandleFlexiblePath("/address/validate", fulfillment.Flexible(func(_ context.Context, r struct {
		Address string `json:"address"`
	}) (map[string]any, error) {
		return map[string]any{"result": map[string]any{"formatted": strings.ToUpper(r.Address)}}, nil
	}))
	return mux
}

// flex is a flexible body with the tag, as the prebuilt components'
// templates render them.
func flex(tag, members string) string {
	if members != "" {
		members += ","
	}
	return `{` + members + `"fulfillmentInfo":{"tag":"` + tag + `"}}`
}

func TestFlexibleStatuses(t *testing.T) {
	t.Parallel()
	url, logs := newServer(t, flexMux())
	tests := []struct {
		name   string
		method string
		path   string
		body   string
		status int
		want   string // the answer, for a 200
		code   string // the error body's code otherwise
	}{
		{"by tag", "POST", "/", flex("greet", `"name":"Ada","n":3.0`), 200, `{"greeting":"hi Ada","n":3}`, ""},
		{"by tag, fields after the tag", "POST", "/", `{"fulfillmentInfo":{"tag":"greet"},"name":"Ada"}`, 200, `{"greeting":"hi Ada","n":0}`, ""},
		{"by tag, a body that is no WebhookRequest", "POST", "/", flex("greet", `"text":5,"pageInfo":"x","name":"Ada"`), 200, `{"greeting":"hi Ada","n":0}`, ""},
		{"by tag, at any path", "POST", "/some/where", flex("greet", `"name":"Ada"`), 200, `{"greeting":"hi Ada","n":0}`, ""},
		{"Params as the request type", "POST", "/", flex("params", `"zip":"94043","x":[1,2]`), 200, `{"members":3,"zip":"94043"}`, ""},
		{"an empty answer", "POST", "/", flex("nothing", ""), 200, `{}`, ""},
		{"a standard call beside them", "POST", "/", req("std"), 200, `{"fulfillmentResponse":{"messages":[{"text":{"text":["standard"]}}]}}`, ""},
		{"by path", "POST", "/address/validate", `{"address":"1600 amphitheatre pkwy"}`, 200, `{"result":{"formatted":"1600 AMPHITHEATRE PKWY"}}`, ""},
		{"by path, with a query", "POST", "/address/validate?key=k", `{"address":"a"}`, 200, `{"result":{"formatted":"A"}}`, ""},
		{"by path, before the tag", "POST", "/address/validate", flex("greet", `"address":"a"`), 200, `{"result":{"formatted":"A"}}`, ""},
		{"by path, not JSON", "POST", "/address/validate", `address=a`, 400, "", "invalid_argument"},
		{"by path, truncated", "POST", "/address/validate", `{"address":`, 400, "", "invalid_argument"},
		{"by path, a list", "POST", "/address/validate", `[{"address":"a"}]`, 400, "", "invalid_argument"},
		{"by path, null", "POST", "/address/validate", `null`, 400, "", "invalid_argument"},
		{"by path, empty", "POST", "/address/validate", ``, 400, "", "invalid_argument"},
		{"by path, trailing data", "POST", "/address/validate", `{"address":"a"}{}`, 400, "", "invalid_argument"},
		{"by path, tag of the wrong type", "POST", "/address/validate", `{"fulfillmentInfo":{"tag":5}}`, 400, "", "invalid_argument"},
		{"by path, GET", "GET", "/address/validate", ``, 405, "", "method_not_allowed"},
		{"another path is not flexible", "POST", "/address/other", `{"address":"a"}`, 404, "", "not_found"},
		{"a member of the wrong type", "POST", "/", flex("greet", `"n":"`+secret+`"`), 400, "", "invalid_argument"},
		{"a fraction for an integer", "POST", "/", flex("greet", `"n":2.5`), 400, "", "invalid_argument"},
		{"a getter's error", "POST", "/", flex("params", `"zip":94043`), 400, "", "invalid_argument"},
		{"an unknown tag", "POST", "/", flex("nope", `"name":"Ada"`), 404, "", "not_found"},
		{"nil answer", "POST", "/", flex("nilptr", ""), 500, "", "internal"},
		{"a list answer", "POST", "/", flex("list", ""), 500, "", "internal"},
		{"answer over 64 KiB", "POST", "/", flex("huge", ""), 500, "", "internal"},
		{"answer that does not encode", "POST", "/", flex("nan", ""), 500, "", "internal"},
		{"handler panics", "POST", "/", flex("panic", ""), 500, "", "internal"},
		{"uncoded error", "POST", "/", flex("uncoded", ""), 500, "", "unknown"},
		{"CodeInvalidArgument", "POST", "/", flex("code-invalid_argument", ""), 400, "", "invalid_argument"},
		{"CodeUnauthenticated", "POST", "/", flex("code-unauthenticated", ""), 401, "", "unauthenticated"},
		{"CodePermissionDenied", "POST", "/", flex("code-permission_denied", ""), 403, "", "permission_denied"},
		{"CodeNotFound", "POST", "/", flex("code-not_found", ""), 404, "", "not_found"},
		{"CodeInternal", "POST", "/", flex("code-internal", ""), 500, "", "internal"},
		{"CodeUnavailable", "POST", "/", flex("code-unavailable", ""), 503, "", "unavailable"},
		{"CodeDeadlineExceeded", "POST", "/", flex("code-deadline_exceeded", ""), 503, "", "deadline_exceeded"},
		{"CodeUnimplemented", "POST", "/", flex("code-unimplemented", ""), 501, "", "unimplemented"},
		{"the server still answers", "POST", "/", flex("greet", `"name":"Ada"`), 200, `{"greeting":"hi Ada","n":0}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest(tt.method, url+tt.path, strings.NewReader(tt.body))
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
			if tt.status == 200 {
				if string(body) != tt.want {
					t.Errorf("answer %s, want %s", body, tt.want)
				}
				return
			}
			e := checkErrorBody(t, body, tt.body, tt.code)
			if strings.Contains(e.Message, "WebhookRequest") && strings.Contains(tt.name, "path") {
				t.Errorf("a flexible call's error speaks of a WebhookRequest: %s", body)
			}
		})
	}
	log := logs.String()
	if strings.Contains(log, secret) {
		t.Errorf("log holds a member's value: %s", log)
	}
	for _, want := range []string{
		`"stack":"goroutine`, `"msg":"flexible handler panicked"`,
		`"msg":"answer too large for Dialogflow; not sent","tag":"huge"`,
		`"msg":"flexible handler's answer is not a JSON object; not sent","tag":"nilptr"`,
		`"msg":"invalid flexible request body","tag":"greet","body_bytes":`,
		`"pointer":"/n"`,
		`"error":"internal: encoding the answer: `,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %s", want)
		}
	}
}

// waitAccessLines waits for n access lines: each is written after its
// answer is sent.
func waitAccessLines(t *testing.T, logs *logbuf.Buffer, n int) {
	t.Helper()
	for i := 0; strings.Count(logs.String(), `"msg":"webhook call"`) < n; i++ {
		if i == 200 {
			t.Fatalf("fewer than %d access lines: %s", n, logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := strings.Count(logs.String(), `"msg":"webhook call"`); got != n {
		t.Fatalf("%d access lines, want %d: %s", got, n, logs)
	}
}

// TestFlexibleAccessLine: the access line of a flexible call has its tag,
// path, status and latency, flexible=true, and no session.
func TestFlexibleAccessLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path, body string
		want             map[string]any
	}{
		{"by tag", "/", flex("greet", `"name":"`+secret+`"`), map[string]any{"tag": "greet", "status": 200.0, "flexible": true}},
		{"by path", "/address/validate", flex("x", `"address":"`+secret+`"`), map[string]any{"tag": "x", "path": "/address/validate", "status": 200.0, "flexible": true}},
		{"by path, no tag", "/address/validate", `{"address":"a"}`, map[string]any{"tag": "", "path": "/address/validate", "status": 200.0, "flexible": true}},
		{"a long tag", "/", flex(strings.Repeat("t", 1000), ""), map[string]any{"status": 404.0}},
		{"an error", "/", flex("code-unavailable", ""), map[string]any{"tag": "code-unavailable", "status": 503.0, "flexible": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url, logs := newServer(t, flexMux())
			if resp, body := post(t, url+tt.path, tt.body); resp.StatusCode != int(tt.want["status"].(float64)) {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			waitAccessLines(t, logs, 1)
			lines := logs.Lines()
			var line map[string]any
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &line); err != nil {
				t.Fatalf("not a JSON line: %v: %s", err, logs)
			}
			if line["msg"] != "webhook call" {
				t.Fatalf("last line is not the access line: %s", logs)
			}
			for k, want := range tt.want {
				if line[k] != want {
					t.Errorf("%s = %v, want %v", k, line[k], want)
				}
			}
			if _, ok := line["latency_ms"].(float64); !ok {
				t.Errorf("no latency_ms: %v", line)
			}
			if _, ok := line["session"]; ok && line["flexible"] == true {
				t.Errorf("a flexible call's line has a session: %v", line)
			}
			// Clipped to 256 bytes, its original length noted.
			if tag, _ := line["tag"].(string); len(tag) > 256+len("…(1000 bytes)") || len(tag) > 256 && !strings.HasSuffix(tag, "…(1000 bytes)") {
				t.Errorf("tag not clipped with its length noted: %d bytes", len(tag))
			}
			if strings.Contains(logs.String(), secret) {
				t.Errorf("log holds a member's value: %s", logs)
			}
		})
	}
}

// TestFlexibleTimeout: a flexible handler still running at its deadline
// is answered for with 503 deadline_exceeded, while it runs; one that gives
// up at the deadline gets the same answer.
func TestFlexibleTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	finished := make(chan struct{})
	mux := fulfillment.NewMux()
	mux.HandleFlexible("slow", fulfillment.Flexible(func(ctx context.Context, _ struct{}) (greetResp, error) {
		defer close(finished)
		<-ctx.Done()
		<-release // still running when the answer goes out
		return greetResp{Greeting: "too late"}, nil
	}))
	mux.HandleFlexible("giveup", fulfillment.Flexible(func(ctx context.Context, _ struct{}) (struct{}, error) {
		<-ctx.Done()
		return struct{}{}, ctx.Err()
	}))
	mux.HandleFlexiblePath("/slow", fulfillment.Flexible(func(ctx context.Context, _ struct{}) (struct{}, error) {
		<-ctx.Done()
		return struct{}{}, fmt.Errorf("late: %w", ctx.Err())
	}))
	url, logs := newServer(t, mux, fulfillment.WithWebhookTimeout(300*time.Millisecond), fulfillment.WithDeadlineMargin(100*time.Millisecond),
		fulfillment.WithTimeoutResponse(func(*fulfillment.Request) *fulfillment.Response {
			t.Error("the standard timeout response was asked for a flexible call")
			return nil
		}))

	resp, body := post(t, url, flex("slow", ""))
	close(release)
	<-finished
	want := `{"code":"deadline_exceeded","message":"the webhook is unavailable; try again"}`
	if resp.StatusCode != 503 || body != want {
		t.Errorf("overrun: %d %s, want 503 %s", resp.StatusCode, body, want)
	}
	for _, tt := range []struct{ path, body string }{{"/", flex("giveup", "")}, {"/slow", `{}`}} {
		if resp, body := post(t, url+tt.path, tt.body); resp.StatusCode != 503 || body != want {
			t.Errorf("%s: %d %s, want 503 %s", tt.body, resp.StatusCode, body, want)
		}
	}
	// The overrun's access line is written when the late handler returns.
	for i := 0; strings.Count(logs.String(), `"timed_out":true`) < 3; i++ {
		if i == 100 {
			t.Fatalf("log does not mark three timeouts: %s", logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The other two answer at the deadline by the timer or by the handler,
	// whichever claims the answer first; either way it is 503.
	for _, w := range []string{"flexible handler overran its deadline; answered 503", `"flexible":true`} {
		if !strings.Contains(logs.String(), w) {
			t.Errorf("log lacks %s: %s", w, logs)
		}
	}
}

// TestFlexibleHTTPMiddleware: the caller check and the body limit hold for
// flexible calls too.
func TestFlexibleHTTPMiddleware(t *testing.T) {
	t.Parallel()
	deny := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-Key") != "k" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	url, logs := newServer(t, flexMux(), fulfillment.WithHTTPMiddleware(deny), fulfillment.WithMaxBodyBytes(1<<10))
	for _, tt := range []struct {
		path, body, key string
		status          int
	}{
		{"/", flex("greet", ""), "", 401},
		{"/address/validate", `{}`, "", 401},
		{"/", flex("greet", ""), "k", 200},
		{"/address/validate", `{"address":"` + strings.Repeat("a", 2<<10) + `"}`, "k", 413},
		{"/", flex("greet", `"name":"`+strings.Repeat("a", 2<<10)+`"`), "k", 413},
	} {
		r, _ := http.NewRequest("POST", url+tt.path, strings.NewReader(tt.body))
		r.Header.Set("X-Key", tt.key)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("%s with key %q: status %d, want %d", tt.path, tt.key, resp.StatusCode, tt.status)
		}
	}
	waitAccessLines(t, logs, 5)
}

// Middleware wraps standard handlers only: it takes a *Request.
func TestFlexibleSkipsMiddleware(t *testing.T) {
	t.Parallel()
	var ran []string
	mw := func(next fulfillment.Handler) fulfillment.Handler {
		return fulfillment.HandlerFunc(func(ctx context.Context, r *fulfillment.Request) (*fulfillment.Response, error) {
			ran = append(ran, r.Tag())
			return next.Fulfill(ctx, r)
		})
	}
	url, _ := newServer(t, flexMux(), fulfillment.WithMiddleware(mw))
	post(t, url, flex("greet", ""))
	post(t, url, req("std"))
	if strings.Join(ran, ",") != "std" {
		t.Errorf("middleware ran for %v, want std only", ran)
	}
}

// A Mux given to NewHTTPHandler inside another Handler serves no flexible
// calls: the adapter finds them on the Mux it is given.
func TestFlexibleNeedsTheMux(t *testing.T) {
	t.Parallel()
	mux := flexMux()
	wrapped := fulfillment.HandlerFunc(mux.Fulfill)
	url, _ := newServer(t, wrapped)
	if resp, body := post(t, url, flex("greet", "")); resp.StatusCode != 404 {
		t.Errorf("status %d (%s), want 404", resp.StatusCode, body)
	}
}

func TestMuxFlexible(t *testing.T) {
	t.Parallel()
	mux := flexMux()
	if got := strings.Join(mux.Tags(), ","); got != "std" {
		t.Errorf("Tags() = %s, want std", got)
	}
	if got := mux.FlexibleTags(); len(got) != 17 || got[0] != "code-deadline_exceeded" || got[len(got)-1] != "uncoded" {
		t.Errorf("FlexibleTags() = %v", got)
	}
	if got := strings.Join(mux.FlexiblePaths(), ","); got != "/address/validate" {
		t.Errorf("FlexiblePaths() = %s", got)
	}
	var zero fulfillment.Mux // usable
	zero.HandleFlexible("z", fulfillment.Flexible(greet))
	zero.HandleFlexiblePath("/z", fulfillment.Flexible(greet))
	if len(zero.FlexibleTags()) != 1 || len(zero.FlexiblePaths()) != 1 || len(zero.Tags()) != 0 {
		t.Errorf("zero Mux: %v %v %v", zero.Tags(), zero.FlexibleTags(), zero.FlexiblePaths())
	}

	ctx := context.Background()
	out, err := mux.FulfillFlexible(ctx, []byte(flex("greet", `"name":"Ada"`)))
	if string(out) != `{"greeting":"hi Ada","n":0}` || err != nil {
		t.Errorf("FulfillFlexible = %s, %v", out, err)
	}
	for _, tt := range []struct {
		body string
		code fulfillment.Code
	}{
		{flex("std", ""), fulfillment.CodeNotFound}, // a standard tag
		{flex("nope", ""), fulfillment.CodeNotFound},
		{`{}`, fulfillment.CodeNotFound},
		{`[]`, fulfillment.CodeInvalidArgument},
		{``, fulfillment.CodeInvalidArgument},
		{`{"fulfillmentInfo":[]}`, fulfillment.CodeInvalidArgument},
		{flex("greet", `"name":true`), fulfillment.CodeInvalidArgument},
	} {
		if _, err := mux.FulfillFlexible(ctx, []byte(tt.body)); fulfillment.CodeOf(err) != tt.code {
			t.Errorf("FulfillFlexible(%s): %v, want code %v", tt.body, err, tt.code)
		}
	}
	// A body error names the member and the types, never the value.
	for body, want := range map[string]string{
		flex("greet", `"name":true`):                 `invalid_argument: member "/name" of the request body is a bool that does not fit string`,
		flex("greet", `"n":"`+secret+`"`):            `invalid_argument: member "/n" of the request body is a string that does not fit int`,
		`{"fulfillmentInfo":{"tag":"` + secret + `"`: `invalid_argument: the request body is truncated JSON`,
		`{"name":"` + secret + `" x}`:                `invalid_argument: the request body is not valid JSON (at byte 28)`,
		`"` + secret + `"`:                           `invalid_argument: the request body is not a JSON object`,
		``:                                           `invalid_argument: the request body is empty`,
	} {
		_, err := mux.FulfillFlexible(ctx, []byte(body))
		if err == nil || err.Error() != want {
			t.Errorf("FulfillFlexible(%s): %v, want %s", body, err, want)
		}
	}

	// A Mux is a FlexibleHandler: one nests under a path of another.
	outer := fulfillment.NewMux()
	outer.HandleFlexiblePath("/feedback", mux)
	url, _ := newServer(t, outer)
	if resp, body := post(t, url+"/feedback", flex("greet", `"name":"Bo"`)); resp.StatusCode != 200 || body != `{"greeting":"hi Bo","n":0}` {
		t.Errorf("nested: %d %s", resp.StatusCode, body)
	}
}

func TestMuxFlexiblePanics(t *testing.T) {
	t.Parallel()
	h := fulfillment.HandlerFunc(func(context.Context, *fulfillment.Request) (*fulfillment.Response, error) { return nil, nil })
	fh := fulfillment.Flexible(greet)
	tests := []struct {
		name string
		f    func(m *fulfillment.Mux)
		want []string
	}{
		{"empty tag", func(m *fulfillment.Mux) { m.HandleFlexible("", fh) }, []string{"Mux.HandleFlexible: empty tag", "flexible_test.go:"}},
		{"nil handler", func(m *fulfillment.Mux) { m.HandleFlexible("t", nil) }, []string{"nil handler", `"t"`}},
		{"nil func", func(m *fulfillment.Mux) {
			var f func(context.Context, greetReq) (greetResp, error)
			fulfillment.Flexible(f)
		}, []string{"Flexible: nil func", "flexible_test.go:"}},
		{"duplicate flexible tag", func(m *fulfillment.Mux) {
			m.HandleFlexible("dup", fh)
			m.HandleFlexible("dup", fh)
		}, []string{`flexible tag "dup" registered at`, "flexible_test.go:", "is already registered at"}},
		{"flexible after standard", func(m *fulfillment.Mux) {
			m.Handle("dup", h)
			m.HandleFlexible("dup", fh)
		}, []string{`flexible tag "dup" registered at`, "flexible_test.go:", "already registered for a standard handler at"}},
		{"standard after flexible", func(m *fulfillment.Mux) {
			m.HandleFlexible("dup", fh)
			m.HandleFunc("dup", h)
		}, []string{`tag "dup" registered at`, "flexible_test.go:", "already registered for a flexible handler at"}},
		{"empty path", func(m *fulfillment.Mux) { m.HandleFlexiblePath("", fh) }, []string{"Mux.HandleFlexiblePath", "must start with /"}},
		{"relative path", func(m *fulfillment.Mux) { m.HandleFlexiblePath("validate", fh) }, []string{`path "validate" must start with /`}},
		{"path with a query", func(m *fulfillment.Mux) { m.HandleFlexiblePath("/v?key=1", fh) }, []string{"no ? or #"}},
		{"nil path handler", func(m *fulfillment.Mux) { m.HandleFlexiblePath("/v", nil) }, []string{"nil handler for path"}},
		{"duplicate path", func(m *fulfillment.Mux) {
			m.HandleFlexiblePath("/v", fh)
			m.HandleFlexiblePath("/v", fh)
		}, []string{`flexible path "/v" registered at`, "flexible_test.go:", "is already registered at"}},
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
				if strings.Count(msg, "flexible_test.go:") < strings.Count(strings.Join(tt.want, ""), "already")+1 {
					t.Errorf("panic %q does not name every site", msg)
				}
			}()
			tt.f(fulfillment.NewMux())
		})
	}
}

// BenchmarkServeHTTPFlexible: a standard call through a Mux that also has
// flexible handlers (the hooks' cost on the standard path, beside
// BenchmarkServeHTTP), and flexible calls by tag and by path.
func BenchmarkServeHTTPFlexible(b *testing.B) {
	standard := readTestdata(b, "request_realistic.json")
	mux := benchMux()
	mux.HandleFlexible("getPreviousFeedbackDate", fulfillment.Flexible(func(_ context.Context, r struct {
		Phone string `json:"phone_number"`
	}) (map[string]string, error) {
		return map[string]string{"last_feedback_time_elapsed": strconv.FormatBool(r.Phone == "")}, nil
	}))
	mux.HandleFlexiblePath("/address/validate", fulfillment.Flexible(func(_ context.Context, r struct {
		Address string `json:"address"`
	}) (map[string]string, error) {
		return map[string]string{"formatted": r.Address}, nil
	}))
	h := fulfillment.NewHTTPHandler(mux, fulfillment.WithLogger(slog.New(cloudlog.NewHandler(io.Discard, nil))))
	for _, tc := range []struct {
		name, path string
		body       []byte
	}{
		{"standard", "/", standard},
		{"tag", "/", []byte(`{"phone_number": "+16505550100", "fulfillmentInfo": {"tag": "getPreviousFeedbackDate"}}`)},
		{"path", "/address/validate", []byte(`{"address": "1600 Amphitheatre Pkwy, Mountain View"}`)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.body)))
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, tc.path, bytes.NewReader(tc.body)))
				if rec.Code != 200 {
					b.Fatal(rec.Code, rec.Body.String())
				}
			}
		})
	}
}
