package flightbot

import (
	"time"

	"github.com/cxhook/cxhook/fulfillment"
)

// NewMuxAt returns the mux of NewMux on the clock now, for tests that
// replay recorded conversations: the emulator pins its own clock to a test
// case's creation time, and the example's date checks ("has already
// passed") must see the same day for the replay to agree with the
// recording.
func NewMuxAt(now func() time.Time) *fulfillment.Mux { return newMux(now) }
