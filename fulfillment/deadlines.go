package fulfillment

import (
	"sync"
	"time"
)

// deadlineQueue ends the calls of one handler at their deadlines with one
// timer for all of them. A timer per call (time.AfterFunc and its Stop)
// cost about 250 ns, an allocation and two trips through the runtime's
// timer heap on every call, and on small calls that showed in the
// throughput; here a call costs two short critical sections and no
// allocation.
//
// The calls of one handler share one budget, so the order they start in is
// the order of their deadlines: a call joins at the tail, and only one with
// an earlier deadline of its request's own (rare) is sorted in from there.
// The timer is due at the head's deadline or earlier; a call that finishes
// only leaves the queue, and a timer that fires with nothing due is set
// again for the new head (under steady load, about once per budget).
//
// At a deadline each call due is expired in a goroutine of its own, as a
// timer of its own would: one slow timeout response (a caller that does
// not read its answer) does not hold up another's.
type deadlineQueue struct {
	mu         sync.Mutex
	head, tail *callCtx
	timer      *time.Timer // made by the first add
	armed      time.Time   // when the timer is due; zero when it is not set
}

// add queues cc, which is not queued yet, for its deadline.
func (q *deadlineQueue) add(cc *callCtx) {
	q.mu.Lock()
	defer q.mu.Unlock()
	at := q.tail // cc goes after at; nil: at the head
	for at != nil && cc.deadline.Before(at.deadline) {
		at = at.prev
	}
	cc.prev = at
	if at == nil {
		cc.next, q.head = q.head, cc
	} else {
		cc.next, at.next = at.next, cc
	}
	if cc.next == nil {
		q.tail = cc
	} else {
		cc.next.prev = cc
	}
	cc.queued = true
	if q.armed.IsZero() || cc.deadline.Before(q.armed) {
		q.armLocked(cc.deadline, time.Until(cc.deadline))
	}
}

// remove takes cc out of the queue and reports whether it was still in it;
// false means its deadline has been reached and its expiry has begun (or
// will begin at once).
func (q *deadlineQueue) remove(cc *callCtx) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !cc.queued {
		return false
	}
	q.unlinkLocked(cc)
	return true
}

func (q *deadlineQueue) unlinkLocked(cc *callCtx) {
	if cc.prev == nil {
		q.head = cc.next
	} else {
		cc.prev.next = cc.next
	}
	if cc.next == nil {
		q.tail = cc.prev
	} else {
		cc.next.prev = cc.prev
	}
	cc.prev, cc.next, cc.queued = nil, nil, false
}

// armLocked sets the timer to fire at when, d from now.
func (q *deadlineQueue) armLocked(when time.Time, d time.Duration) {
	q.armed = when
	if q.timer == nil {
		q.timer = time.AfterFunc(d, q.fire)
	} else {
		q.timer.Reset(d)
	}
}

// fire runs when the timer does: it expires every call whose deadline has
// come and sets the timer for the next.
func (q *deadlineQueue) fire() {
	q.mu.Lock()
	now := time.Now()
	var due []*callCtx
	for q.head != nil && !q.head.deadline.After(now) {
		cc := q.head
		q.unlinkLocked(cc)
		due = append(due, cc)
	}
	if q.head != nil {
		q.armLocked(q.head.deadline, q.head.deadline.Sub(now))
	} else {
		q.armed = time.Time{}
	}
	q.mu.Unlock()
	for _, cc := range due {
		go cc.expire()
	}
}
