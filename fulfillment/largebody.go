package fulfillment

import (
	"runtime/debug"
	"sync"
)

// Large bodies and the garbage collector. A body too large for the pool
// (over maxPooledBody) is read into buffers of its own, the last of which
// the decoded request points into; once the call ends they are garbage.
// Go's collector lets the heap grow to twice what is live before it
// collects (GOGC=100), so under a stream of 2 MiB calls the garbage of the
// finished ones piled up to as much again as the calls in flight held:
// 3.2–3.5 MiB of RSS per concurrent 2 MiB call, where each holds 2.0 MiB.
// So while any call with a large body is in flight, the adapter lowers
// the collector's GOGC to largeGCPercent (never raising it, and leaving
// it alone when it is off, as with GOGC=off and a memory limit), and puts
// the setting back when the last such call ends. Collections then come
// about four times as often while large bodies are served, which costs
// little next to reading and decoding them (a body holds no pointers to
// mark); calls with bodies of up to maxPooledBody, nearly all real ones,
// never get here and pay nothing. Measured by TestLoadMaxSizeCalls
// (scripts/loadcheck.sh).

// largeGCPercent is the GOGC while calls with large bodies are in flight.
const largeGCPercent = 25

var largeBodies struct {
	mu       sync.Mutex
	inFlight int // calls with a large body being served
	saved    int // the GOGC to put back, if lowered
	lowered  bool
}

// holdLarge counts a call with a large body in flight; releaseLarge, at
// the call's end, counts it out.
func holdLarge() {
	lb := &largeBodies
	lb.mu.Lock()
	defer lb.mu.Unlock()
	lb.inFlight++
	if lb.inFlight > 1 {
		return
	}
	prev := debug.SetGCPercent(largeGCPercent)
	if prev < 0 || prev <= largeGCPercent {
		debug.SetGCPercent(prev) // off, or already as low: not ours to change
		return
	}
	lb.saved, lb.lowered = prev, true
}

func releaseLarge() {
	lb := &largeBodies
	lb.mu.Lock()
	defer lb.mu.Unlock()
	lb.inFlight--
	if lb.inFlight == 0 && lb.lowered {
		debug.SetGCPercent(lb.saved)
		lb.lowered = false
	}
}
