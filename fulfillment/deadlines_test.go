package fulfillment

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// TestDeadlineQueue holds the queue to what a timer per call did: every
// call still in the queue at its deadline is expired, never before it;
// every call that left first is not; the queue empties and fills again.
// Deadlines are spread and some calls have an earlier deadline of their
// request's own, so that calls are sorted in, not only appended.
func TestDeadlineQueue(t *testing.T) {
	q := new(deadlineQueue)
	for round := range 3 {
		type entry struct {
			cc      *callCtx
			expired chan time.Time
			finish  bool // leaves before its deadline
		}
		var entries []entry
		for i := range 60 {
			start := time.Now()
			deadline := start.Add(time.Duration(20+rand.IntN(40)) * time.Millisecond)
			parent := context.Background()
			var cancel context.CancelFunc = func() {}
			if i%4 == 3 { // a request of its own with an earlier deadline
				parent, cancel = context.WithDeadline(parent, start.Add(time.Duration(5+rand.IntN(15))*time.Millisecond))
			}
			defer cancel()
			cc := newCallCtx(q, parent, start, deadline)
			e := entry{cc: cc, expired: make(chan time.Time, 1), finish: i%3 == 0}
			cc.setOnExpire(func(*call) { e.expired <- time.Now() })
			entries = append(entries, e)
		}
		checkQueue(t, q, len(entries))
		for _, e := range entries {
			if e.finish {
				e.cc.finish()
			}
		}
		for i, e := range entries {
			if e.finish {
				continue
			}
			select {
			case at := <-e.expired:
				if at.Before(e.cc.deadline) {
					t.Errorf("round %d, call %d: expired %v before its deadline", round, i, e.cc.deadline.Sub(at))
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("round %d, call %d: never expired", round, i)
			}
			e.cc.finish()
			if err := e.cc.Err(); err != context.DeadlineExceeded {
				t.Errorf("round %d, call %d: Err = %v, want DeadlineExceeded", round, i, err)
			}
		}
		for i, e := range entries {
			if e.finish && len(e.expired) > 0 {
				t.Errorf("round %d, call %d: expired after it finished", round, i)
			}
		}
		q.mu.Lock()
		if q.head != nil || q.tail != nil {
			t.Errorf("round %d: queue not empty after every call finished", round)
		}
		q.mu.Unlock()
	}
}

// checkQueue checks that q holds n calls (none of which may have expired
// yet), linked both ways, in order of their deadlines: the timer is set
// for the head only, so a call sorted in wrongly would expire late.
func checkQueue(t *testing.T, q *deadlineQueue, n int) {
	t.Helper()
	q.mu.Lock()
	defer q.mu.Unlock()
	var prev *callCtx
	count := 0
	for cc := q.head; cc != nil; prev, cc = cc, cc.next {
		count++
		if cc.prev != prev || !cc.queued {
			t.Fatalf("call %d: badly linked", count)
		}
		if prev != nil && cc.deadline.Before(prev.deadline) {
			t.Fatalf("call %d: deadline %v before the one ahead of it", count, prev.deadline.Sub(cc.deadline))
		}
	}
	if q.tail != prev || count != n {
		t.Fatalf("queue holds %d calls (tail right: %v), want %d", count, q.tail == prev, n)
	}
	if q.armed.IsZero() || q.armed.After(q.head.deadline) {
		t.Fatalf("timer due %v, after the head's deadline", q.armed.Sub(q.head.deadline))
	}
}

// TestDeadlineQueueConcurrent has calls start and finish from many
// goroutines while others reach their deadlines (for the race detector).
func TestDeadlineQueueConcurrent(t *testing.T) {
	q := new(deadlineQueue)
	var wg sync.WaitGroup
	var mu sync.Mutex
	expired, due := 0, 0
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				start := time.Now()
				late := (g+i)%10 == 0
				budget := time.Hour
				if late {
					budget = time.Duration(rand.IntN(3)) * time.Millisecond
				}
				cc := newCallCtx(q, context.Background(), start, start.Add(budget))
				if !cc.setOnExpire(func(*call) { mu.Lock(); expired++; mu.Unlock() }) {
					// The deadline came before the hook was armed (a
					// budget of 0): the caller answers, as the adapter does.
					mu.Lock()
					expired++
					mu.Unlock()
				}
				if late {
					mu.Lock()
					due++
					mu.Unlock()
					<-cc.Done()
				}
				cc.finish()
			}
		})
	}
	wg.Wait()
	if expired != due {
		t.Errorf("%d calls expired, want the %d whose deadline came", expired, due)
	}
}
