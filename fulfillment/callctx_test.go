package fulfillment

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The call context must keep the context.Context contract in every order of
// events: its deadline, the request ending first, derived contexts, and the
// call finishing.

// expireNow brings cc's deadline forward to now, as if it had come, and
// waits for its expiry.
func (cc *callCtx) expireNow() {
	if cc.q.remove(cc) {
		go cc.expire()
	}
	cc.waitExpired()
}

func waitDone(t *testing.T, ctx context.Context) {
	t.Helper()
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("context did not end")
	}
}

func TestCallCtxDeadline(t *testing.T) {
	var ran atomic.Int32
	cc := newCallCtx(new(deadlineQueue), context.Background(), time.Now(), time.Now().Add(20*time.Millisecond))
	defer cc.finish()
	cc.setOnExpire(func(*call) { ran.Add(1) })
	if err := cc.Err(); err != nil {
		t.Fatalf("Err before the deadline = %v", err)
	}
	if d, ok := cc.Deadline(); !ok || time.Until(d) > 20*time.Millisecond {
		t.Fatalf("Deadline = %v, %v", d, ok)
	}
	child, cancel := context.WithCancel(cc)
	defer cancel()
	var after atomic.Bool
	afterRan := make(chan struct{})
	context.AfterFunc(cc, func() { after.Store(true); close(afterRan) })

	waitDone(t, cc)
	waitDone(t, child)
	<-afterRan
	cc.waitExpired()
	if err := cc.Err(); err != context.DeadlineExceeded {
		t.Errorf("Err = %v, want DeadlineExceeded", err)
	}
	if err := context.Cause(cc); err != context.DeadlineExceeded {
		t.Errorf("Cause = %v, want DeadlineExceeded", err)
	}
	if err := child.Err(); err != context.DeadlineExceeded {
		t.Errorf("derived context's Err = %v, want DeadlineExceeded", err)
	}
	if n := ran.Load(); n != 1 {
		t.Errorf("timeout response ran %d times, want 1", n)
	}
	if !after.Load() {
		t.Error("AfterFunc did not run")
	}
}

func TestCallCtxParentDeadlineFirst(t *testing.T) {
	parent, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	cc := newCallCtx(new(deadlineQueue), parent, time.Now(), time.Now().Add(time.Hour))
	defer cc.finish()
	pd, _ := parent.Deadline()
	if d, _ := cc.Deadline(); !d.Equal(pd) {
		t.Errorf("Deadline = %v, want the parent's %v", d, pd)
	}
	waitDone(t, cc)
	if !errors.Is(cc.Err(), context.DeadlineExceeded) {
		t.Errorf("Err = %v", cc.Err())
	}
}

// The caller hanging up ends the call's context, whether or not anyone
// called Done before, and Cause is the request's cause.
func TestCallCtxParentCanceled(t *testing.T) {
	hungUp := errors.New("client went away")
	for _, doneFirst := range []bool{false, true} {
		parent, cancel := context.WithCancelCause(context.Background())
		var ran atomic.Bool
		cc := newCallCtx(new(deadlineQueue), parent, time.Now(), time.Now().Add(time.Hour))
		cc.setOnExpire(func(*call) { ran.Store(true) })
		var done <-chan struct{}
		if doneFirst {
			done = cc.Done()
		}
		cancel(hungUp)
		if doneFirst {
			<-done
		}
		if err := cc.Err(); err != context.Canceled {
			t.Errorf("doneFirst=%v: Err = %v, want Canceled", doneFirst, err)
		}
		waitDone(t, cc)
		if err := context.Cause(cc); err != hungUp {
			t.Errorf("doneFirst=%v: Cause = %v, want the request's cause", doneFirst, err)
		}
		cc.finish()
		if ran.Load() {
			t.Errorf("doneFirst=%v: the timeout response ran for a canceled call", doneFirst)
		}
	}
}

// finish ends the context with Canceled, so that work the handler left
// behind stops; the timer never fires afterwards.
func TestCallCtxFinish(t *testing.T) {
	parent, cancel := context.WithCancel(context.Background())
	defer cancel()
	var finished, ranLate atomic.Bool
	cc := newCallCtx(new(deadlineQueue), parent, time.Now(), time.Now().Add(200*time.Millisecond))
	c := &cc.call
	// On a loaded machine the timer may fire before finish, which is
	// allowed; it must never run once finish has returned.
	cc.setOnExpire(func(*call) { ranLate.Store(finished.Load()) })
	done := cc.Done()
	stopped := context.AfterFunc(cc, func() { t.Error("stopped AfterFunc ran") })
	if !stopped() {
		t.Error("stop = false before the context ended")
	}
	if got := cc.Value(callKey{}); got != c {
		t.Errorf("Value(callKey) = %v, want the call", got)
	}
	cc.finish()
	finished.Store(true)
	<-done
	if err := cc.Err(); err != context.Canceled && err != context.DeadlineExceeded {
		t.Errorf("Err after finish = %v, want Canceled (or DeadlineExceeded if the timer came first)", err)
	}
	time.Sleep(300 * time.Millisecond)
	if ranLate.Load() {
		t.Error("the timer fired after finish")
	}
	// A context derived after the end ends at once.
	child, cancelChild := context.WithCancel(cc)
	defer cancelChild()
	waitDone(t, child)
}

// Values other than the call's come from the request's context.
func TestCallCtxValue(t *testing.T) {
	type key struct{}
	parent := context.WithValue(context.Background(), key{}, "v")
	cc := newCallCtx(new(deadlineQueue), parent, time.Now(), time.Now().Add(time.Hour))
	defer cc.finish()
	if got := cc.Value(key{}); got != "v" {
		t.Errorf("Value = %v, want the parent's", got)
	}
}

// finish waits for a timeout response being written.
func TestCallCtxFinishWaitsForExpire(t *testing.T) {
	release, started := make(chan struct{}), make(chan struct{})
	var finished atomic.Bool
	cc := newCallCtx(new(deadlineQueue), context.Background(), time.Now(), time.Now().Add(time.Millisecond))
	cc.setOnExpire(func(*call) {
		close(started)
		<-release
		if finished.Load() {
			t.Error("finish returned while the timeout response was being written")
		}
	})
	<-started // the timer has fired and waits on release
	go func() {
		time.Sleep(20 * time.Millisecond)
		close(release)
	}()
	cc.finish()
	finished.Store(true)
}

// Every method at once, for the race detector.
func TestCallCtxConcurrent(t *testing.T) {
	for range 50 {
		parent, cancel := context.WithCancel(context.Background())
		cc := newCallCtx(new(deadlineQueue), parent, time.Now(), time.Now().Add(time.Millisecond))
		cc.setOnExpire(func(*call) {})
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				switch i % 4 {
				case 0:
					<-cc.Done()
				case 1:
					_ = cc.Err()
				case 2:
					child, c := context.WithTimeout(cc, time.Hour)
					<-child.Done()
					c()
				case 3:
					cancel()
				}
			})
		}
		wg.Wait()
		cc.finish()
		cancel()
	}
}
