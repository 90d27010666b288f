package fulfillment

import (
	"runtime/debug"
	"testing"
)

// While a call with a large body is in flight, GOGC is largeGCPercent;
// it is put back when the last one ends, never raised, and left alone
// when it is off.
func TestLargeBodiesLowerGOGC(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)
	gogc := func() int { p := debug.SetGCPercent(-1); debug.SetGCPercent(p); return p }

	holdLarge()
	holdLarge()
	if got := gogc(); got != largeGCPercent {
		t.Errorf("GOGC %d with two large bodies in flight, want %d", got, largeGCPercent)
	}
	releaseLarge()
	if got := gogc(); got != largeGCPercent {
		t.Errorf("GOGC %d with one still in flight, want %d", got, largeGCPercent)
	}
	releaseLarge()
	if got := gogc(); got != 100 {
		t.Errorf("GOGC %d once none is in flight, want 100 back", got)
	}

	for _, set := range []int{10, -1} {
		debug.SetGCPercent(set)
		holdLarge()
		if got := gogc(); got != set {
			t.Errorf("GOGC %d with a large body in flight, want %d left as it was", got, set)
		}
		releaseLarge()
		if got := gogc(); got != set {
			t.Errorf("GOGC %d after, want %d", got, set)
		}
	}
}
