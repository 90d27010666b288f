package fulfillment

import (
	"math"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// Large bodies and the garbage collector. A body too large for the pool
// (it outgrew maxPooledBody while being read) is a buffer of its own,
// which the decoded request points into; once the call ends it is garbage.
// Go's collector lets the heap grow to twice what is live before it
// collects (GOGC=100), so under a stream of 2 MiB calls the garbage of the
// finished ones piled up to as much again as the calls in flight held:
// 2.8–3.5 MiB of RSS per concurrent 2 MiB call, where each holds 2.0 MiB.
// So while any call with a large body is in flight, the adapter lowers
// the collector's GOGC to largeGCPercent, and when the last such call ends
// it puts back the value it found, unless the program set GOGC meanwhile. It never raises GOGC and leaves it alone when it is off
// (GOGC=off with a memory limit). Collections then come about four times
// as often while large bodies are served, which costs little next to
// reading and decoding them (a body holds no pointers to mark). A body
// counts from when it outgrows the pool, so that the buffers it outgrows
// on the way are collected early too, until the call ends, whatever way
// it ends (callCtx.finish). A caller that sends a large body slowly
// therefore holds the setting down until its read deadline: it makes
// every call pay for collections about four times as often, a few per
// cent of a small call's CPU, and no more. Calls with bodies of up to
// maxPooledBody, nearly all real ones, never get here. Measured by
// TestLoadMaxSizeCalls (scripts/loadcheck.sh).

// largeGCPercent is the GOGC while calls with large bodies are in flight.
const largeGCPercent = 25

var largeBodies struct {
	mu       sync.Mutex
	inFlight int // calls with a large body being served
	saved    int // the GOGC to put back; 0 while it is not lowered (a lowered one was above largeGCPercent)
}

// gcPercent reads GOGC without changing it (debug.SetGCPercent would
// change it to read it, and could start a collection meanwhile).
func gcPercent() int {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 || s[0].Value.Uint64() > math.MaxInt32 {
		return -1 // off (it reads as the largest uint64), or unknown: never touch it
	}
	return int(s[0].Value.Uint64())
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
	if prev := gcPercent(); prev > largeGCPercent { // not off (-1), not as low already
		debug.SetGCPercent(largeGCPercent)
		lb.saved = prev
	}
}

func releaseLarge() {
	lb := &largeBodies
	lb.mu.Lock()
	defer lb.mu.Unlock()
	lb.inFlight--
	if lb.inFlight > 0 || lb.saved == 0 {
		return
	}
	if gcPercent() == largeGCPercent { // else the program set it meanwhile: keep that
		debug.SetGCPercent(lb.saved)
	}
	lb.saved = 0
}
