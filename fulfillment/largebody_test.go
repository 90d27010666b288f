package fulfillment

import (
	"bytes"
	"context"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// While a call with a large body is in flight, GOGC is largeGCPercent;
// it is put back when the last one ends, never raised, left alone when it
// is off, and a value the program sets meanwhile is kept.
func TestLargeBodiesLowerGOGC(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)

	holdLarge()
	holdLarge()
	if got := gcPercent(); got != largeGCPercent {
		t.Errorf("GOGC %d with two large bodies in flight, want %d", got, largeGCPercent)
	}
	releaseLarge()
	if got := gcPercent(); got != largeGCPercent {
		t.Errorf("GOGC %d with one still in flight, want %d", got, largeGCPercent)
	}
	releaseLarge()
	if got := gcPercent(); got != 100 {
		t.Errorf("GOGC %d once none is in flight, want 100 back", got)
	}

	for _, set := range []int{10, -1} {
		debug.SetGCPercent(set)
		holdLarge()
		if got := gcPercent(); got != set {
			t.Errorf("GOGC %d with a large body in flight, want %d left as it was", got, set)
		}
		releaseLarge()
		if got := gcPercent(); got != set {
			t.Errorf("GOGC %d after, want %d", got, set)
		}
	}

	for _, user := range []int{200, 50, -1} {
		debug.SetGCPercent(100)
		holdLarge()
		debug.SetGCPercent(user) // the program's own tuning, while the call runs
		releaseLarge()
		if got := gcPercent(); got != user {
			t.Errorf("the program set GOGC %d during a large call; after it GOGC is %d", user, got)
		}
	}
}

// With GOGC off, holding and releasing large bodies starts no collection,
// even with a heap far over what GOGC=25 would allow.
func TestLargeBodiesGCOff(t *testing.T) {
	orig := debug.SetGCPercent(-1)
	defer debug.SetGCPercent(orig)
	runtime.GC()
	keep := make([][]byte, 0, 256)
	for range 256 {
		keep = append(keep, make([]byte, 256<<10)) // 64 MiB live
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() { // allocates meanwhile, as other calls would
		defer close(done)
		var sink []byte
		for {
			select {
			case <-stop:
				_ = sink
				return
			default:
				sink = make([]byte, 64<<10)
			}
		}
	}()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 20000 {
		holdLarge()
		releaseLarge()
	}
	close(stop)
	<-done
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	if n := after.NumGC - before.NumGC; n > 0 {
		t.Errorf("GOGC off, yet %d collections ran during 20,000 holds", n)
	}
}

// panicAfter panics (http.ErrAbortHandler) once k bytes have been read.
type panicAfter struct {
	r    io.Reader
	n, k int
}

func (p *panicAfter) Read(b []byte) (int, error) {
	if p.n >= p.k {
		panic(http.ErrAbortHandler)
	}
	n, err := p.r.Read(b)
	p.n += n
	return n, err
}

func (p *panicAfter) Close() error { return nil }

// A body whose reading panics once it is large (an HTTP middleware's
// reader, say) leaves GOGC as it was: only a body read whole is held.
func TestLargeBodyPanicInRead(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)
	mw := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Body = &panicAfter{r: r.Body, k: 100 << 10}
			next.ServeHTTP(w, r)
		})
	}
	h := NewHTTPHandler(HandlerFunc(func(context.Context, *Request) (*Response, error) { return Reply("x"), nil }),
		WithLogger(slog.New(slog.DiscardHandler)), WithHTTPMiddleware(mw))
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	defer srv.Close()
	resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(bytes.Repeat([]byte(" "), 200<<10)))
	if err == nil {
		resp.Body.Close()
		t.Fatalf("status %d, want the connection aborted", resp.StatusCode)
	}
	for i := 0; ; i++ { // the handler may still be unwinding
		largeBodies.mu.Lock()
		n := largeBodies.inFlight
		largeBodies.mu.Unlock()
		if n == 0 && gcPercent() == 100 {
			break
		}
		if i == 200 { // a guard, not a timing check
			t.Fatalf("after the call: %d large bodies in flight, GOGC %d; want 0 and 100", n, gcPercent())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
