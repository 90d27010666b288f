package webhook

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
	"github.com/cxhook/cxhook/auth"
	"github.com/cxhook/cxhook/cloudlog"
	"github.com/cxhook/cxhook/fulfillment"
	"github.com/cxhook/cxhook/fulfillment/fulfillmenttest"
	"github.com/cxhook/cxhook/internal/logbuf"
	"google.golang.org/protobuf/encoding/protojson"
)

// echo answers every tag with "tag: <tag>".
var echo fulfillment.Handler = fulfillment.HandlerFunc(func(_ context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
	return fulfillment.Reply("tag: " + req.Tag()), nil
})

var discard = slog.New(slog.DiscardHandler)

// getenvOf returns a getenv that reads the given NAME=value pairs.
func getenvOf(pairs ...string) func(string) string {
	m := make(map[string]string)
	for _, p := range pairs {
		k, v, _ := strings.Cut(p, "=")
		m[k] = v
	}
	return func(k string) string { return m[k] }
}

// post sends body to h through a real server and returns the status,
// the header and the body.
func post(t *testing.T, h http.Handler, body []byte, header http.Header) (int, http.Header, []byte) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, got
}

func TestWebhookTimeout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value string
		want  time.Duration // 0: an error
	}{
		{"", 5 * time.Second},
		{"5s", 5 * time.Second},
		{"2500ms", 2500 * time.Millisecond},
		{" 10s ", 10 * time.Second},
		{"30s", 30 * time.Second},
		{"1ns", time.Nanosecond},
		{"30.001s", 0},
		{"1m", 0},
		{"0", 0},
		{"0s", 0},
		{"-5s", 0},
		{"5", 0},
		{"five seconds", 0},
		{"5 s", 0},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			t.Parallel()
			got, err := webhookTimeout(getenvOf("CXHOOK_WEBHOOK_TIMEOUT=" + tt.value))
			switch {
			case tt.want == 0 && err == nil:
				t.Fatalf("got %v, want an error", got)
			case tt.want == 0 && !strings.Contains(err.Error(), "CXHOOK_WEBHOOK_TIMEOUT"):
				t.Errorf("error %q does not name the variable", err)
			case tt.want != 0 && (err != nil || got != tt.want):
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// TestNewConfigErrors checks that a bad setting stops the function at
// start, with a message naming the variable.
func TestNewConfigErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		env     []string
		wantVar string
	}{
		{[]string{"CXHOOK_WEBHOOK_TIMEOUT=45s"}, "CXHOOK_WEBHOOK_TIMEOUT"},
		{[]string{"CXHOOK_WEBHOOK_TIMEOUT=soon"}, "CXHOOK_WEBHOOK_TIMEOUT"},
		{[]string{"K_SERVICE=webhook"}, "CXHOOK_AUTH"},
		{[]string{"CXHOOK_AUTH=off"}, "CXHOOK_AUTH"},
		{[]string{"CXHOOK_AUTH=platform", "CXHOOK_AGENT_PROJECT_NUMBERS=1"}, "CXHOOK_AUDIENCES"},
	} {
		t.Run(strings.Join(tt.env, " "), func(t *testing.T) {
			t.Parallel()
			h, err := New(echo, WithGetenv(getenvOf(tt.env...)), WithLogger(discard))
			if err == nil || !strings.Contains(err.Error(), tt.wantVar) {
				t.Fatalf("New = %v, %v; want an error naming %s", h, err, tt.wantVar)
			}
		})
	}
	if _, err := New(nil); err == nil {
		t.Error("New(nil) did not fail")
	}
}

// TestNewServes drives the handler New builds from a local environment:
// the answer, and the default logger's access line with the trace linked
// to GOOGLE_CLOUD_PROJECT.
func TestNewServes(t *testing.T) {
	t.Parallel()
	logs := new(logbuf.Buffer)
	h, err := New(echo, WithGetenv(getenvOf("GOOGLE_CLOUD_PROJECT=zyra-demo")), withLogOutput(logs))
	if err != nil {
		t.Fatal(err)
	}
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	status, _, body := post(t, h, fulfillmenttest.NewRequest("ping").JSON(),
		http.Header{"Traceparent": {"00-" + traceID + "-00f067aa0ba902b7-01"}})
	if status != http.StatusOK || string(body) != `{"fulfillmentResponse":{"messages":[{"text":{"text":["tag: ping"]}}]}}` {
		t.Fatalf("status %d, body %s", status, body)
	}
	if _, ok := slog.Default().Handler().(*cloudlog.Handler); !ok {
		t.Errorf("slog's default handler is %T, want New's Cloud Logging handler", slog.Default().Handler())
	}
	// The access line is held for the flush interval, then written.
	var access map[string]any
	for deadline := time.Now().Add(10 * time.Second); access == nil; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no access line written; log:\n%s", logs)
		}
		for _, l := range logs.Lines() {
			var e map[string]any
			if json.Unmarshal([]byte(l), &e) == nil && e["message"] == "webhook call" {
				access = e
			}
		}
	}
	if access["tag"] != "ping" || access["status"] != 200.0 || access["logging.googleapis.com/trace"] != "projects/zyra-demo/traces/"+traceID {
		t.Errorf("access line %v", access)
	}
	if !strings.Contains(logs.String(), `"severity":"WARNING"`) || !strings.Contains(logs.String(), "none") {
		t.Errorf("no WARNING about running without a caller check:\n%s", logs)
	}
}

// TestTimeoutResponse checks the default answer for a handler that
// overruns its deadline: a strict WebhookResponse with a message and the
// flag, sent by the handler New builds.
func TestTimeoutResponse(t *testing.T) {
	t.Parallel()
	slow := fulfillment.HandlerFunc(func(ctx context.Context, _ *fulfillment.Request) (*fulfillment.Response, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	custom := func(*fulfillment.Request) *fulfillment.Response { return fulfillment.Reply("Un momento, por favor.") }
	for _, tt := range []struct {
		name string
		opts []Option
		want string
	}{
		{"default", nil, "Sorry, that is taking me longer than it should."},
		{"WithTimeoutResponse", []Option{WithTimeoutResponse(custom)}, "Un momento, por favor."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// A 300 ms webhook timeout leaves the handler half of it. (Far
			// shorter ones are allowed, but the connection's write deadline
			// falls that soon after the timeout too, which a loaded machine
			// can miss.)
			opts := append([]Option{WithGetenv(getenvOf("CXHOOK_WEBHOOK_TIMEOUT=300ms")), WithLogger(discard)}, tt.opts...)
			h, err := New(slow, opts...)
			if err != nil {
				t.Fatal(err)
			}
			status, _, body := post(t, h, fulfillmenttest.NewRequest("slow").JSON(), nil)
			var resp cxpb.WebhookResponse
			if err := protojson.Unmarshal(body, &resp); status != http.StatusOK || err != nil {
				t.Fatalf("status %d, %v: %s; want a strict WebhookResponse", status, err, body)
			}
			msgs := resp.GetFulfillmentResponse().GetMessages()
			if len(msgs) != 1 || !strings.HasPrefix(msgs[0].GetText().GetText()[0], tt.want) {
				t.Errorf("got %s, want the message %q", body, tt.want)
			}
			if timedOut := resp.GetSessionInfo().GetParameters()[fulfillment.TimedOutParam].GetBoolValue(); timedOut != (tt.name == "default") {
				t.Errorf("%s = %v in %s", fulfillment.TimedOutParam, timedOut, body)
			}
		})
	}
}

// TestMiddlewareOptions checks where the two kinds of middleware run: HTTP
// middleware after the caller check (it never sees a refused caller),
// fulfillment middleware around the handler.
func TestMiddlewareOptions(t *testing.T) {
	t.Parallel()
	var seen []string
	httpMW := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, ok := auth.CallerFromContext(r.Context())
			seen = append(seen, c.Mechanism.String())
			if !ok {
				t.Error("HTTP middleware ran without a verified caller")
			}
			next.ServeHTTP(w, r)
		})
	}
	tagParam := func(next fulfillment.Handler) fulfillment.Handler {
		return fulfillment.HandlerFunc(func(ctx context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
			resp, err := next.Fulfill(ctx, req)
			if resp != nil {
				resp.SetParam("seen_by_middleware", true)
			}
			return resp, err
		})
	}
	h, err := New(echo,
		WithGetenv(getenvOf("CXHOOK_AUTH=basic", "CXHOOK_BASIC_CREDENTIALS=dialogflow:"+testPass)),
		WithLogger(discard), WithHTTPMiddleware(httpMW), WithMiddleware(tagParam))
	if err != nil {
		t.Fatal(err)
	}
	req := fulfillmenttest.NewRequest("ping").JSON()
	if status, _, _ := post(t, h, req, nil); status != http.StatusUnauthorized {
		t.Errorf("without credentials: status %d, want 401", status)
	}
	basic := http.Header{"Authorization": {"Basic " + basicAuth("dialogflow", testPass)}}
	status, _, body := post(t, h, req, basic)
	if status != http.StatusOK || !strings.Contains(string(body), `"seen_by_middleware":true`) {
		t.Errorf("with credentials: status %d, body %s; want 200 through the fulfillment middleware", status, body)
	}
	if len(seen) != 1 || seen[0] != "basic" {
		t.Errorf("HTTP middleware saw %v, want one basic caller", seen)
	}
}

func basicAuth(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
}

// TestMustNewStopsTheProcess runs MustNew, in a child process, as a
// function's init does on Cloud Run without CXHOOK_AUTH.
func TestMustNewStopsTheProcess(t *testing.T) {
	if os.Getenv("WEBHOOK_TEST_MUSTNEW") == "1" {
		MustNew(echo)
		os.Exit(0) // not reached
	}
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestMustNewStopsTheProcess$")
	cmd.Env = append(os.Environ(), "WEBHOOK_TEST_MUSTNEW=1", "K_SERVICE=webhook", "CXHOOK_AUTH=")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("child ended with %v, want exit status 1\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
	}
	msg := stderr.String()
	if !strings.HasPrefix(msg, "auth: CXHOOK_AUTH: unset on Cloud Run") || strings.Count(msg, "\n") != 1 {
		t.Errorf("stderr %q, want one plain line naming CXHOOK_AUTH", msg)
	}
}
