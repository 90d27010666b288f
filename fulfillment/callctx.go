package fulfillment

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// callCtx is the context one webhook call runs in: the request's context,
// ended by the call's deadline. It does what context.WithDeadline and a
// context.AfterFunc for the timeout response did together, with one
// allocation and no timer of its own (the handler's deadline queue,
// deadlines.go, expires it), and it registers with the request's
// context only when someone waits on Done (a handler calling out over the
// network does; most handlers never do). Every call pays for its context,
// and on small requests that cost showed in the throughput.
//
// It is a complete context: Err, Done and Deadline follow the
// context.Context contract, and a derived context (context.WithTimeout and
// the like) is ended through AfterFunc, without a goroutine. One
// difference from context.WithDeadline: context.Cause asks the request's
// context, so once the request has been canceled with a cause, Cause
// gives that cause even if the call's deadline came first (Err stays
// DeadlineExceeded).
type callCtx struct {
	context.Context // the request's context

	deadline time.Time
	// parentDeadline: the request's context has a deadline of its own
	// (never earlier than deadline).
	parentDeadline bool
	call           call // the call it is the context of, allocated with it

	// Its place in the handler's deadline queue (deadlines.go), under
	// the queue's lock.
	q          *deadlineQueue
	prev, next *callCtx
	queued     bool

	mu       sync.Mutex
	err      error         // nil until the context ends; then set once
	done     chan struct{} // made by the first Done; closed when err is set
	unwatch  func() bool   // ends the watch on the request's context
	afters   []*func()     // from AfterFunc, run when the context ends
	onExpire func(*call)   // the timeout response, while the handler runs
	// The expiry's run: ran once it is over; ranCh, made by the first
	// waitExpired to find it running, is closed then. (A sync.WaitGroup
	// did this with two atomic additions on every call; this costs
	// nothing unless the deadline comes.)
	ran   bool
	ranCh chan struct{}
}

// newCallCtx returns a call that started at start and the context it runs
// in, which ends at deadline or at the parent's deadline if that is
// earlier, expired by q.
func newCallCtx(q *deadlineQueue, parent context.Context, start, deadline time.Time) *callCtx {
	d, parentDeadline := parent.Deadline()
	if parentDeadline && d.Before(deadline) {
		deadline = d
	}
	cc := &callCtx{Context: parent, deadline: deadline, parentDeadline: parentDeadline, q: q}
	cc.call.start = start
	cc.call.ctx = cc
	q.add(cc)
	return cc
}

func (cc *callCtx) Deadline() (time.Time, bool) { return cc.deadline, true }

func (cc *callCtx) Done() <-chan struct{} {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.done == nil {
		cc.done = make(chan struct{})
		if cc.err != nil {
			close(cc.done)
		} else {
			cc.watchParentLocked()
		}
	}
	return cc.done
}

func (cc *callCtx) Err() error {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.err == nil {
		if err := cc.Context.Err(); err != nil && !cc.parentDeadlineLocked(err) {
			cc.endLocked(err)
		}
	}
	return cc.err
}

// parentDeadlineLocked reports whether err, the request's context's, is
// its deadline passing, which the call's expiry handles: the call's
// deadline is the earlier of the two, so the deadline queue's timer fires
// at the same instant or before. Leaving it to the expiry keeps one order
// of events at the deadline: the timeout response claims the answer, then
// the context ends. Were the request's deadline to end the context first,
// a handler woken by it could answer before the expiry ran, and its late
// answer would go out instead of the timeout response.
func (cc *callCtx) parentDeadlineLocked(err error) bool {
	return cc.parentDeadline && errors.Is(err, context.DeadlineExceeded)
}

// Value answers for the call's own key and asks the request's context for
// the rest.
func (cc *callCtx) Value(key any) any {
	if key == (callKey{}) {
		return &cc.call
	}
	return cc.Context.Value(key)
}

// AfterFunc runs f in its own goroutine once the context ends, as
// context.AfterFunc does; the context package uses it to end derived
// contexts without a goroutine each. stop reports whether it kept f from
// running.
func (cc *callCtx) AfterFunc(f func()) (stop func() bool) {
	p := &f
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.err != nil {
		go f()
		return func() bool { return false }
	}
	cc.watchParentLocked()
	cc.afters = append(cc.afters, p)
	return func() bool {
		cc.mu.Lock()
		defer cc.mu.Unlock()
		i := slices.Index(cc.afters, p)
		if i < 0 {
			return false
		}
		cc.afters = slices.Delete(cc.afters, i, i+1)
		return true
	}
}

func (cc *callCtx) String() string { return "fulfillment.callContext" }

// watchParentLocked makes the request's end (the caller hanging up) end
// this context, once.
func (cc *callCtx) watchParentLocked() {
	if cc.unwatch != nil || cc.Context.Done() == nil {
		return
	}
	cc.unwatch = context.AfterFunc(cc.Context, func() {
		cc.mu.Lock()
		defer cc.mu.Unlock()
		if err := cc.Context.Err(); !cc.parentDeadlineLocked(err) {
			cc.endLocked(err)
		}
	})
}

// endLocked ends the context with err, if it has not ended yet.
func (cc *callCtx) endLocked(err error) {
	if cc.err != nil {
		return
	}
	cc.err = err
	if cc.done != nil {
		close(cc.done)
	}
	for _, f := range cc.afters {
		go (*f)()
	}
	cc.afters = nil
}

// expire runs at the deadline. If a hook is armed (the timeout response
// while the handler runs), it first claims the call's answer for it, then
// ends the context, then runs the hook. In that order a handler can only
// see its context end once the timeout response has the answer, whatever
// the scheduler does: a handler that returns at once, woken by Done, finds
// the answer taken and its late answer is dropped. A context that ended
// otherwise (the caller hung up, the call finished) runs no hook.
func (cc *callCtx) expire() {
	defer cc.expireDone()
	cc.mu.Lock()
	f := cc.onExpire
	if cc.err != nil && !errors.Is(cc.err, context.DeadlineExceeded) ||
		f != nil && !cc.call.answer.CompareAndSwap(answerPending, answerByTimeout) {
		f = nil
	}
	cc.endLocked(context.DeadlineExceeded)
	cc.mu.Unlock()
	if f != nil {
		f(&cc.call)
	}
}

// expireDone marks the expiry's run over.
func (cc *callCtx) expireDone() {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.ran = true
	if cc.ranCh != nil {
		close(cc.ranCh)
	}
}

// waitExpired returns once the expiry's run is over. It may be called
// only when the run has begun or is sure to (the call had left the
// deadline queue, or its expiry claimed the answer).
func (cc *callCtx) waitExpired() {
	cc.mu.Lock()
	if cc.ran {
		cc.mu.Unlock()
		return
	}
	if cc.ranCh == nil {
		cc.ranCh = make(chan struct{})
	}
	ch := cc.ranCh
	cc.mu.Unlock()
	<-ch
}

// setOnExpire arms a hook for the deadline (the timeout response), unless
// the context has ended already: then it reports false, and the caller
// must answer itself. At the deadline the hook runs only if it claims the
// call's answer (see expire). setOnExpire(nil) disarms it.
func (cc *callCtx) setOnExpire(f func(*call)) bool {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if f != nil && cc.err != nil {
		return false
	}
	cc.onExpire = f
	return true
}

// finish ends the context when the call is over, as the cancel function of
// context.WithDeadline would: it leaves the deadline queue (waiting for
// an expiry in progress) and lets go of the request's context.
func (cc *callCtx) finish() {
	if cc.call.large {
		cc.call.large = false
		releaseLarge()
	}
	if !cc.q.remove(cc) {
		cc.waitExpired()
	}
	cc.mu.Lock()
	cc.endLocked(context.Canceled)
	unwatch := cc.unwatch
	cc.mu.Unlock()
	if unwatch != nil {
		unwatch()
	}
}

// withValuesOf returns the call's context with the values of ctx, a
// context a middleware handed on in place of the call's: its deadline,
// Done and Err are the call's, so that it ends when the call's ends, after
// the timeout response has claimed the answer (a context.WithDeadline of
// its own would race the call's expiry). It also ends if ctx is canceled.
// stop releases it.
func (cc *callCtx) withValuesOf(ctx context.Context) (_ context.Context, stop func()) {
	view := &valuesOf{callCtx: cc, values: ctx}
	if ctx.Done() == nil {
		return view, func() {}
	}
	child, cancel := context.WithCancel(view)
	unwatch := context.AfterFunc(ctx, cancel)
	return child, func() { unwatch(); cancel() }
}

// valuesOf is a call's context with the values of another context.
type valuesOf struct {
	*callCtx
	values context.Context
}

func (v *valuesOf) Value(key any) any {
	if key == (callKey{}) {
		return &v.call
	}
	return v.values.Value(key)
}
