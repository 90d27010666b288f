package drain

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"
)

// These tests drive a coordinator of their own, with the process's signals
// replaced: the test delivers the signal, and raising it again records it.
// The real signals are exercised by package webhook's TestDrainOnSIGTERM,
// in a child process.

type rig struct {
	c       *coordinator
	sigs    chan chan<- os.Signal // the channel the coordinator listens on
	raised  chan os.Signal
	mu      sync.Mutex
	events  []string
	release chan struct{} // closing it lets /slow calls answer
	srv     *httptest.Server
}

func newRig(t *testing.T, timeout time.Duration) *rig {
	t.Helper()
	r := &rig{sigs: make(chan chan<- os.Signal, 1), raised: make(chan os.Signal, 1), release: make(chan struct{})}
	c := newCoordinator()
	c.quiet = time.Millisecond
	c.stillAlive = time.Millisecond
	c.notify = func(ch chan<- os.Signal, _ ...os.Signal) { r.sigs <- ch }
	c.stop = func(chan<- os.Signal) { r.event("stop") }
	c.raise = func(s os.Signal) { r.event("raise"); r.raised <- s }
	r.c = c
	h := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/slow" {
			<-r.release
		}
		_, _ = io.WriteString(w, "ok")
	})
	r.srv = httptest.NewServer(c.track(h, &Member{Timeout: timeout, Flush: func() { r.event("flush") }}))
	t.Cleanup(func() {
		select {
		case <-r.release:
		default:
			close(r.release)
		}
		r.srv.Close()
	})
	return r
}

func (r *rig) event(e string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *rig) signal() { (<-r.sigs) <- syscall.SIGTERM }

type answer struct {
	status int
	close  bool // Connection: close
	err    error
}

// get calls path on a fresh connection and returns the answer.
func (r *rig) get(path string) answer {
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get(r.srv.URL + path)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return answer{status: resp.StatusCode, close: resp.Close}
}

// async calls path in the background.
func (r *rig) async(path string) <-chan answer {
	ch := make(chan answer, 1)
	go func() { ch <- r.get(path) }()
	return ch
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (r *rig) inFlight() int64 { return r.c.calls.Load() &^ exitingBit }

func TestCallsInFlightAreAnsweredBeforeTheEnd(t *testing.T) {
	t.Parallel()
	r := newRig(t, time.Hour)
	before := r.get("/")
	if before.status != 200 || before.close {
		t.Fatalf("before the signal: %+v, want 200 without Connection: close", before)
	}
	var slow []<-chan answer
	for range 3 {
		slow = append(slow, r.async("/slow"))
	}
	waitFor(t, "3 calls in flight", func() bool { return r.inFlight() == 3 })

	ch := <-r.sigs
	ch <- syscall.SIGTERM
	waitFor(t, "the drain", r.c.draining.Load)

	// A call that arrives now is served, and told to close the connection.
	if late := r.get("/"); late.status != 200 || !late.close {
		t.Errorf("a call during the drain: %+v, want 200 with Connection: close", late)
	}
	select {
	case <-r.raised:
		t.Fatal("the signal was raised again while calls were in flight")
	default:
	}

	close(r.release)
	for i, a := range slow {
		if got := <-a; got.status != 200 || got.err != nil {
			t.Errorf("call %d in flight at the signal: %+v, want 200", i, got)
		}
	}
	if s := <-r.raised; s != syscall.SIGTERM {
		t.Errorf("raised %v, want SIGTERM", s)
	}
	r.mu.Lock()
	events := slices.Clone(r.events)
	r.mu.Unlock()
	if !slices.Equal(events, []string{"flush", "stop", "raise"}) {
		t.Errorf("events %v, want flush, stop, raise", events)
	}

	// The process did not end (nothing here dies of the raise): calls held
	// back are served after stillAlive, still with Connection: close.
	if after := r.get("/"); after.status != 200 || !after.close {
		t.Errorf("a call after the raise: %+v, want 200 with Connection: close", after)
	}
}

func TestDrainTimeoutCutsCallsOff(t *testing.T) {
	t.Parallel()
	r := newRig(t, 20*time.Millisecond)
	slow := r.async("/slow")
	waitFor(t, "a call in flight", func() bool { return r.inFlight() == 1 })
	r.signal()
	<-r.raised // with the call still in flight
	if n := r.inFlight(); n != 1 {
		t.Errorf("%d calls in flight when the process would end, want the 1 cut off", n)
	}
	close(r.release)
	if got := <-slow; got.status != 200 {
		t.Errorf("the call cut off (the process lives on here): %+v", got)
	}
}

func TestSecondSignalEndsTheDrainAtOnce(t *testing.T) {
	t.Parallel()
	r := newRig(t, time.Hour)
	slow := r.async("/slow")
	waitFor(t, "a call in flight", func() bool { return r.inFlight() == 1 })
	ch := <-r.sigs
	ch <- syscall.SIGTERM
	waitFor(t, "the drain", r.c.draining.Load)
	ch <- syscall.SIGTERM // a second one
	<-r.raised
	close(r.release)
	<-slow
}

// TestCallsHeldBackOnceEnding checks that a call arriving once the process
// is ending waits, and is served only if the process lives on.
func TestCallsHeldBackOnceEnding(t *testing.T) {
	t.Parallel()
	r := newRig(t, time.Hour)
	r.c.stillAlive = time.Second
	r.signal()
	<-r.raised
	held := r.async("/")
	select {
	case a := <-held:
		t.Fatalf("a call after the end was decided was served at once: %+v", a)
	case <-time.After(20 * time.Millisecond):
	}
	if a := <-held; a.status != 200 || !a.close {
		t.Errorf("the held call, once the process lived on: %+v, want 200 with Connection: close", a)
	}
}

// Members whose handler is gone leave the drain.
func TestMembersFollowTheirHandlers(t *testing.T) {
	c := newCoordinator()
	c.notify = func(chan<- os.Signal, ...os.Signal) {}
	keep := c.track(http.NotFoundHandler(), &Member{Timeout: time.Second})
	func() { _ = c.track(http.NotFoundHandler(), &Member{Timeout: 2 * time.Second}) }()
	for range 3 {
		runtime.GC()
	}
	if ms := c.live(); len(ms) != 1 || ms[0].Timeout != time.Second {
		t.Errorf("live members %v, want the one still referenced", ms)
	}
	runtime.KeepAlive(keep)
}

// BenchmarkTrack measures what tracking costs a call, against the same
// handler untracked, with calls on every CPU.
func BenchmarkTrack(b *testing.B) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {})
	c := newCoordinator()
	c.notify = func(chan<- os.Signal, ...os.Signal) {}
	for _, bb := range []struct {
		name string
		h    http.Handler
	}{{"untracked", ok}, {"tracked", c.track(ok, nil)}} {
		b.Run(bb.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodPost, "/", nil)
			b.RunParallel(func(pb *testing.PB) {
				w := httptest.NewRecorder()
				for pb.Next() {
					bb.h.ServeHTTP(w, req)
				}
			})
		})
	}
}
