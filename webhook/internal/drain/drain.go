// Package drain ends the process gently when Cloud Run stops an instance
// (SIGTERM) or a developer presses Ctrl-C (SIGINT).
//
// The Functions Framework serves with a bare http.ListenAndServe and never
// shuts its server down, and the buildpack writes the function's main
// package, so the drain lives in the handlers. When the signal comes:
//
//  1. Every call in flight goes on and is answered and logged as usual.
//  2. Calls that still arrive are served too, answered with
//     "Connection: close", so that no client keeps the connection.
//  3. Once no call has been in flight for [Quiet] (a call already on its
//     way, on a kept-alive connection, gets that long to arrive), or at
//     the drain's timeout after the signal, whichever is first, calls that
//     arrive from then on wait, the members' Flush functions run (the held
//     log lines are written), and the signal is raised again with the
//     catch removed: the process ends as the signal would have ended it.
//
// A second signal during the drain stops the waiting at once. A signal
// ignored when the program started (SIGINT under nohup, or in a background
// job of a script) is not caught. If the raised signal does not end the
// process, because another part of the program catches it too, the calls
// that waited are served after [stillAlive], still with "Connection:
// close", and the program's own handling decides when it ends.
//
// The state is the process's: the signals are caught once, and one count
// of calls in flight covers every tracked handler.
package drain

import (
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"weak"
)

const (
	// DefaultTimeout is the longest a drain waits for calls in flight,
	// counted from the signal: well below the 10 s Cloud Run leaves between
	// SIGTERM and SIGKILL, so that the log lines are written in time.
	DefaultTimeout = 8 * time.Second
	// Quiet is how long nothing must be in flight before the process
	// ends: the time a call sent just before the signal, on a kept-alive
	// connection, has to reach the handler.
	Quiet = 200 * time.Millisecond
	// stillAlive is how long after raising the signal again the calls
	// held back wait for the process to end, before they are served.
	stillAlive = time.Second
)

// exitingBit, set in coordinator.calls, holds back the calls that arrive
// once the process is ending.
const exitingBit = 1 << 62

// A Member takes part in the drain, through [Track]. Its fields are read
// when the signal comes.
type Member struct {
	// Timeout bounds the drain, from the signal; 0 means DefaultTimeout.
	// With several members, the shortest applies.
	Timeout time.Duration
	// Flush, if not nil, runs after the drain, before the process ends.
	Flush func()
	// Logger, if not nil, gets the drain's own lines (the first member's
	// that has one).
	Logger *slog.Logger
}

// Track returns next with its calls counted as in flight, answered with
// "Connection: close" during the drain and held back once the process is
// ending. It installs the signal handling, once per process, and adds m
// (nil: a member with the defaults) to the drain for as long as the
// returned handler is reachable.
func Track(next http.Handler, m *Member) http.Handler { return process.track(next, m) }

var process = newCoordinator()

type coordinator struct {
	calls    atomic.Int64 // calls in flight, plus exitingBit once the process is ending
	draining atomic.Bool
	lastEnd  atomic.Int64  // when a call last ended during the drain (or the signal came), since base
	idle     chan struct{} // a call ended with none left in flight, during the drain
	reopened chan struct{} // closed if raising the signal again did not end the process
	base     time.Time
	quiet    time.Duration

	mu        sync.Mutex
	members   []weak.Pointer[Member]
	installed bool

	// The process's signals; tests replace them.
	notify     func(chan<- os.Signal, ...os.Signal)
	stop       func(chan<- os.Signal)
	raise      func(os.Signal)
	stillAlive time.Duration
}

func newCoordinator() *coordinator {
	return &coordinator{
		idle:       make(chan struct{}, 1),
		reopened:   make(chan struct{}),
		base:       time.Now(),
		quiet:      Quiet,
		notify:     signal.Notify,
		stop:       signal.Stop,
		raise:      raise,
		stillAlive: stillAlive,
	}
}

func raise(sig os.Signal) {
	if p, err := os.FindProcess(os.Getpid()); err == nil {
		_ = p.Signal(sig)
	}
}

func (c *coordinator) join(m *Member) {
	c.mu.Lock()
	defer c.mu.Unlock()
	live := c.members[:0]
	for _, p := range c.members {
		if p.Value() != nil {
			live = append(live, p)
		}
	}
	c.members = append(live, weak.Make(m))
	if c.installed {
		return
	}
	c.installed = true
	var sigs []os.Signal
	for _, s := range []os.Signal{syscall.SIGTERM, os.Interrupt} {
		if !signal.Ignored(s) {
			sigs = append(sigs, s)
		}
	}
	if len(sigs) == 0 {
		return
	}
	ch := make(chan os.Signal, 2)
	c.notify(ch, sigs...)
	go func() { c.drain(<-ch, ch) }()
}

// live returns the members still reachable.
func (c *coordinator) live() []*Member {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ms []*Member
	for _, p := range c.members {
		if m := p.Value(); m != nil {
			ms = append(ms, m)
		}
	}
	return ms
}

type tracked struct {
	c    *coordinator
	next http.Handler
	m    *Member // kept reachable, and so in the drain, by the handler
}

func (c *coordinator) track(next http.Handler, m *Member) *tracked {
	if m == nil {
		m = new(Member)
	}
	c.join(m)
	return &tracked{c: c, next: next, m: m}
}

func (t *tracked) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := t.c
	for c.calls.Add(1)&exitingBit != 0 {
		// The process is ending: this call could not be answered in
		// time, nor its line logged. Wait for the end, or for the
		// process to go on after all.
		c.calls.Add(-1)
		<-c.reopened
	}
	defer c.leave()
	if c.draining.Load() {
		w.Header().Set("Connection", "close")
	}
	t.next.ServeHTTP(w, r)
}

func (c *coordinator) leave() {
	n := c.calls.Add(-1)
	if c.draining.Load() {
		c.lastEnd.Store(int64(time.Since(c.base)))
		if n == 0 {
			select {
			case c.idle <- struct{}{}:
			default:
			}
		}
	}
}

// drain runs once, on the first signal; ch delivers any further ones.
func (c *coordinator) drain(sig os.Signal, ch chan os.Signal) {
	start := time.Since(c.base)
	c.lastEnd.Store(int64(start))
	c.draining.Store(true)

	members := c.live()
	timeout := time.Duration(0)
	var log *slog.Logger
	for _, m := range members {
		if m.Timeout > 0 && (timeout == 0 || m.Timeout < timeout) {
			timeout = m.Timeout
		}
		if log == nil {
			log = m.Logger
		}
	}
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log.Info("drain: stopping: answering the calls in flight, then ending the process",
		slog.String("signal", sig.String()), slog.Int64("in_flight", c.calls.Load()), slog.String("timeout", timeout.String()))

	deadline := start + timeout
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var cut int64 // calls still in flight at the deadline
	for {
		now := time.Since(c.base)
		if now >= deadline {
			cut = c.calls.Or(exitingBit) &^ exitingBit
			break
		}
		wait := deadline - now
		if c.calls.Load() == 0 {
			quietAt := time.Duration(c.lastEnd.Load()) + c.quiet
			if now >= quietAt {
				if c.calls.CompareAndSwap(0, exitingBit) {
					break
				}
				continue // a call has just started
			}
			wait = min(wait, quietAt-now)
		}
		timer.Reset(wait)
		select {
		case <-c.idle:
		case <-timer.C:
		case <-ch:
			deadline = now // a second signal: stop waiting
		}
	}
	took := time.Since(c.base) - start
	if cut > 0 {
		log.Warn("drain: timed out; calls still in flight are cut off",
			slog.Int64("in_flight", cut), slog.Float64("took_ms", float64(took.Microseconds())/1000))
	} else {
		log.Info("drain: done", slog.Float64("took_ms", float64(took.Microseconds())/1000))
	}
	for _, m := range members {
		if m.Flush != nil {
			m.Flush()
		}
	}
	c.stop(ch)
	c.raise(sig)

	// Still here: the signal is caught elsewhere too. Serve the calls held
	// back; they keep getting "Connection: close".
	time.Sleep(c.stillAlive)
	c.calls.And(^int64(exitingBit))
	close(c.reopened)
}
