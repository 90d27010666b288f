package fulfillment

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cxhook/cxhook/internal/logbuf"
)

// The call context and the adapter together, in the orders of events a
// review found wanting: each test failed before its fix.

const tagOnly = `{"fulfillmentInfo":{"tag":"t"},"sessionInfo":{"session":"projects/p/locations/global/agents/a/sessions/s1"}}`

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// When the request's own deadline is the earlier one, it and the call's
// timer fire together; whichever ends the context, a handler still running
// is answered with the timeout response, not with its late answer.
func TestTimeoutResponseAtTheRequestsDeadline(t *testing.T) {
	h := NewHTTPHandler(HandlerFunc(func(ctx context.Context, r *Request) (*Response, error) {
		<-ctx.Done()
		time.Sleep(100 * time.Millisecond) // clean-up that ignores ctx
		return Reply("late"), nil
	}), WithLogger(quietLogger()))
	for i := range 10 {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tagOnly)).WithContext(ctx))
		cancel()
		if body := w.Body.String(); strings.Contains(body, "late") || !strings.Contains(body, TimedOutParam) {
			t.Fatalf("call %d: %d %s, want the timeout response", i, w.Code, body)
		}
	}
}

// errHook runs hook after each Err check: it makes the deadline pass
// between dispatch's check and the arming of the timeout response.
type errHook struct {
	context.Context
	hook func()
}

func (e errHook) Err() error {
	err := e.Context.Err()
	e.hook()
	return err
}

// A deadline that passes just before the timeout response is armed still
// keeps the handler from running and answering late; the call gets the
// timeout response.
func TestDeadlinePassingBeforeTheHandlerRuns(t *testing.T) {
	ran := false
	hh := NewHTTPHandler(HandlerFunc(func(ctx context.Context, r *Request) (*Response, error) {
		ran = true
		return Reply("late"), nil
	}), WithLogger(quietLogger())).(*httpHandler)
	cc := newCallCtx(new(deadlineQueue), t.Context(), time.Now(), time.Now().Add(time.Hour))
	defer cc.finish()
	c := &cc.call
	req, err := DecodeRequest([]byte(tagOnly))
	if err != nil {
		t.Fatal(err)
	}
	c.req = req
	fired := false
	ctx := errHook{cc, func() {
		if fired {
			return
		}
		fired = true
		cc.expireNow() // the deadline, right after the check
	}}
	w := httptest.NewRecorder()
	hh.dispatch(ctx, w, req, c)
	if ran || w.Code != http.StatusOK || !strings.Contains(w.Body.String(), TimedOutParam) {
		t.Errorf("handler ran: %v; answer %d %s; want the timeout response without running it", ran, w.Code, w.Body)
	}
}

// A handler that aborts (http.ErrAbortHandler) after its deadline races
// nothing: the timeout response is disarmed or finished first. The race
// detector is the judge.
func TestAbortAfterTheDeadline(t *testing.T) {
	h := NewHTTPHandler(HandlerFunc(func(ctx context.Context, r *Request) (*Response, error) {
		<-ctx.Done()
		panic(http.ErrAbortHandler)
	}), WithLogger(quietLogger()), WithWebhookTimeout(20*time.Millisecond))
	for range 20 {
		func() {
			defer func() {
				if p := recover(); p != http.ErrAbortHandler {
					t.Errorf("recovered %v, want http.ErrAbortHandler", p)
				}
			}()
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tagOnly)))
		}()
	}
}

// An HTTP middleware that hands on a context of its own, not derived from
// the call's, keeps the call: its deadline still counts from arrival, and
// the access line still names the tag and the timeout.
func TestMiddlewareReplacingTheContext(t *testing.T) {
	logs := new(logbuf.Buffer)
	var deadline, afterMiddleware time.Time
	h := NewHTTPHandler(HandlerFunc(func(ctx context.Context, r *Request) (*Response, error) {
		deadline, _ = ctx.Deadline()
		<-ctx.Done()
		time.Sleep(20 * time.Millisecond)
		return Reply("late"), nil
	}), WithLogger(slog.New(slog.NewJSONHandler(logs, nil))),
		WithWebhookTimeout(400*time.Millisecond), WithDeadlineMargin(200*time.Millisecond),
		WithHTTPMiddleware(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				time.Sleep(100 * time.Millisecond) // fetching keys, say
				afterMiddleware = time.Now()
				next.ServeHTTP(w, r.WithContext(context.Background()))
			})
		}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tagOnly)))
	if !strings.Contains(w.Body.String(), TimedOutParam) {
		t.Errorf("answer %s, want the timeout response", w.Body)
	}
	// Counted from arrival, at least 100 ms before the middleware ended,
	// the deadline is at most 100 ms after that end; restarted there it
	// would be 200 ms after it or later. No timer order is involved.
	if d := deadline.Sub(afterMiddleware); d >= 200*time.Millisecond {
		t.Errorf("the handler's deadline is %v after the middleware ended, want at most 100 ms", d)
	}
	line := logs.String()
	for _, want := range []string{`"msg":"webhook call"`, `"tag":"t"`, `"session":"s1"`, `"timed_out":true`} {
		if !strings.Contains(line, want) {
			t.Errorf("access line lacks %s:\n%s", want, line)
		}
	}
}

// A handler that returns the moment its context ends, whichever way that
// context reaches it, is always answered for with the timeout response:
// the timer claims the answer before the context ends. Before, the two
// raced, and a quick handler's late answer went out now and then.
func TestTimeoutResponseWinsAtTheDeadline(t *testing.T) {
	quick := HandlerFunc(func(ctx context.Context, r *Request) (*Response, error) {
		<-ctx.Done()
		return Reply("late"), nil
	})
	routes := []struct {
		name string
		opts []Option
		ctx  func() (context.Context, context.CancelFunc)
	}{
		{"the call's context", nil, nil},
		{"the request's own deadline", []Option{WithWebhookTimeout(time.Minute)}, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 30*time.Millisecond)
		}},
		{"a middleware's replacement context", []Option{WithHTTPMiddleware(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				next.ServeHTTP(w, r.WithContext(context.Background()))
			})
		})}, nil},
	}
	for _, rt := range routes {
		t.Run(rt.name, func(t *testing.T) {
			t.Parallel()
			opts := append([]Option{WithLogger(quietLogger()), WithWebhookTimeout(130 * time.Millisecond), WithDeadlineMargin(100 * time.Millisecond)}, rt.opts...)
			h := NewHTTPHandler(quick, opts...)
			for i := range 40 {
				r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tagOnly))
				if rt.ctx != nil {
					ctx, cancel := rt.ctx()
					defer cancel()
					r = r.WithContext(ctx)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if body := w.Body.String(); !strings.Contains(body, TimedOutParam) {
					t.Fatalf("call %d: %d %s, want the timeout response", i, w.Code, body)
				}
			}
		})
	}
}

// A body that finishes arriving after the deadline, in the time left
// before the webhook timeout, gets the timeout response (the handler does
// not run), and the connection is closed; before, it got 503.
func TestBodyCompletedAfterTheDeadline(t *testing.T) {
	ran := false
	hh := NewHTTPHandler(HandlerFunc(func(ctx context.Context, r *Request) (*Response, error) {
		ran = true
		return Reply("late"), nil
	}), WithLogger(quietLogger()), WithWebhookTimeout(1200*time.Millisecond), WithDeadlineMargin(time.Second)).(*httpHandler)
	expired := make(chan struct{})
	hh.onExpireRead = func(c *call) {
		hh.expireRead(c)
		close(expired)
	}
	srv := httptest.NewServer(hh)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second)) // a guard, not a timing check
	half := len(tagOnly) / 2
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", len(tagOnly), tagOnly[:half])
	<-expired                            // the deadline has passed while the body was being read
	io.WriteString(conn, tagOnly[half:]) // within the half second left to read
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), TimedOutParam) || !resp.Close || ran {
		t.Errorf("answer %d %s (close %v, handler ran %v), want the timeout response, the connection closed, the handler not run",
			resp.StatusCode, body, resp.Close, ran)
	}
}
