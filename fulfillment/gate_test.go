package fulfillment_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cxhook/cxhook/auth"
	"github.com/cxhook/cxhook/fulfillment"
)

// keyGate admits calls with X-Key: k, carrying "who" in the context, and
// answers the others with 401 itself.
type keyGate struct{ sawDeadline chan bool }

type whoKey struct{}

func (g keyGate) Admit(ctx context.Context, w http.ResponseWriter, r *http.Request) (context.Context, bool) {
	_, ok := ctx.Deadline()
	g.sawDeadline <- ok
	if r.Header.Get("X-Key") != "k" {
		w.WriteHeader(http.StatusUnauthorized)
		return ctx, false
	}
	return context.WithValue(ctx, whoKey{}, "caller-1"), true
}

func (keyGate) CredentialHeaders() []string { return []string{"X-Key"} }

// The gate runs first, under the call's deadline; its refusals get the
// access line; the handler gets the context it admitted the call with; the
// HTTP middleware runs after it and does not see the credential header.
func TestGate(t *testing.T) {
	t.Parallel()
	g := keyGate{sawDeadline: make(chan bool, 4)}
	mwSaw := make(chan string, 4)
	mw := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mwSaw <- r.Header.Get("X-Key") + "|" + r.Header.Get("X-Other")
			next.ServeHTTP(w, r)
		})
	}
	mux := fulfillment.NewMux()
	mux.HandleFunc("who", func(ctx context.Context, _ *fulfillment.Request) (*fulfillment.Response, error) {
		who, _ := ctx.Value(whoKey{}).(string)
		return fulfillment.Reply("you are " + who), nil
	})
	for _, withMW := range []bool{false, true} {
		opts := []fulfillment.Option{fulfillment.WithGate(g)}
		if withMW {
			opts = append(opts, fulfillment.WithHTTPMiddleware(mw))
		}
		url, logs := newServer(t, mux, opts...)
		if resp, _ := post(t, url, req("who")); resp.StatusCode != 401 {
			t.Fatalf("middleware %v: status %d, want 401", withMW, resp.StatusCode)
		}
		if !<-g.sawDeadline {
			t.Error("the gate's context has no deadline")
		}
		r, _ := http.NewRequest("POST", url, strings.NewReader(req("who")))
		r.Header.Set("X-Key", "k")
		r.Header.Set("X-Other", "o")
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		<-g.sawDeadline
		if resp.StatusCode != 200 || !strings.Contains(string(body), "you are caller-1") {
			t.Fatalf("middleware %v: status %d %s, want 200 with the gate's caller", withMW, resp.StatusCode, body)
		}
		if withMW {
			if got := <-mwSaw; got != "|o" {
				t.Errorf("the middleware saw X-Key|X-Other = %q, want the credential header gone and the other kept", got)
			}
			if got := r.Header.Get("X-Key"); got != "k" {
				t.Errorf("the caller's request was edited: X-Key %q", got)
			}
		}
		log := waitLog(t, logs, 2)
		if !strings.Contains(log, `"status":401`) || !strings.Contains(log, `"status":200,`) {
			t.Errorf("middleware %v: access lines missing: %s", withMW, log)
		}
	}
}

// BenchmarkCallerCheck prices the caller check on a small call: the same
// auth.NoneVerifier as a Gate (what webhook.New installs) and as HTTP
// middleware (auth.Require through WithHTTPMiddleware, which must copy the
// *http.Request to pass the Caller on), beside no check at all.
func BenchmarkCallerCheck(b *testing.B) {
	body := []byte(req("ok"))
	quiet := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError}))
	none := auth.NewNoneVerifier(quiet)
	for _, tc := range []struct {
		name string
		opt  fulfillment.Option
	}{
		{"none", fulfillment.WithMaxBodyBytes(0)},
		{"gate", fulfillment.WithGate(auth.NewGate(none, auth.WithLogger(quiet)))},
		{"middleware", fulfillment.WithHTTPMiddleware(auth.Require(none, auth.WithLogger(quiet)))},
	} {
		b.Run(tc.name, func(b *testing.B) {
			h := fulfillment.NewHTTPHandler(testMux(), fulfillment.WithLogger(quiet), tc.opt)
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body))))
				if rec.Code != 200 {
					b.Fatal(rec.Code, rec.Body.String())
				}
			}
		})
	}
}
