package cloudlog

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Writing. No logging call writes to the output itself: one goroutine at a
// time does, started when there is something to write, so that an output
// that blocks (a stdout pipe nobody reads) blocks that goroutine only. A
// call that must see its line written (every line without FlushInterval; a
// WARNING or worse with it) waits for it,
// but not for longer than the stall timeout: once a write has taken
// longer, the output counts as stalled, nobody waits for it any more, and
// lines are held, up to maxHeld bytes, until it moves again. Lines beyond
// that are dropped and counted; the count is reported in one WARNING line
// once a write succeeds again, as are lines lost in a write that failed.
// So a logging call returns within twice the stall timeout (a write in
// progress may have just begun, then its own starts), and no goroutines
// pile up behind a stalled output.

// DefaultStallTimeout is the stall timeout unless Options.StallTimeout
// sets one.
const DefaultStallTimeout = 100 * time.Millisecond

// maxHeld bounds the lines a handler holds while the output is stalled.
const maxHeld = 256 << 10

// ErrStalled reports that the output is stalled: a write to it has taken
// longer than the stall timeout and has not returned.
var ErrStalled = errors.New("cloudlog: the output is stalled")

// errDropped is Handle's error for a line dropped because the output is
// stalled and maxHeld bytes of lines are held.
var errDropped = errors.New("cloudlog: line dropped: the output is stalled")

// Flush writes the lines held for [Options.FlushInterval], if any, and
// waits until they are written, or until the output is found stalled
// (ErrStalled): at most twice the stall timeout. It returns the write's
// error, if any.
func (h *Handler) Flush() error { return h.out.flush(context.Background()) }

// FlushContext is Flush, giving up when ctx ends (returning ctx's error).
// A drain at shutdown uses it to end on time whatever the output does.
func (h *Handler) FlushContext(ctx context.Context) error { return h.out.flush(ctx) }

// output is where a handler and those derived from it write.
type output struct {
	w     io.Writer
	stall time.Duration // the stall timeout

	mu       sync.Mutex
	changed  sync.Cond     // written, stalled or err changed
	interval time.Duration // how long lines may be held; 0 writes at once
	pending  []byte        // lines not yet handed to w
	spare    []byte        // the buffer of the last write, for the next
	due      bool          // pending is to be written now, not at the interval's end
	timer    *time.Timer   // the interval's end
	armed    bool          // timer will mark pending due

	writing    bool      // the writer goroutine runs
	inWrite    bool      // it is in w.Write
	writeStart time.Time // when that began
	stallTimer *time.Timer
	stalled    bool   // the write in progress has taken longer than stall
	queued     uint64 // bytes of lines accepted so far
	written    uint64 // of those, bytes whose write has returned
	err        error  // the last write's error
	dropped    int    // lines dropped or lost since the last report
}

func newOutput(w io.Writer, interval, stall time.Duration) *output {
	if stall <= 0 {
		stall = DefaultStallTimeout
	}
	o := &output{w: w, interval: interval, stall: stall}
	o.changed.L = &o.mu
	return o
}

// write holds one line for the writer; urgent lines and, without an
// interval, every line are written at once. It waits, bounded, for lines
// written at once.
func (o *output) write(line []byte, urgent bool) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.pending)+len(line) > maxHeld {
		o.dropped++
		return errDropped
	}
	o.pending = append(o.pending, line...)
	o.queued += uint64(len(line))
	// A full batch is written without waiting for the interval; the
	// logging call waits only if the writer falls behind by another batch.
	wait := o.interval <= 0 || urgent || len(o.pending) >= 2*maxPending
	if !wait && len(o.pending) < maxPending {
		if !o.armed {
			o.armed = true
			if o.timer == nil {
				o.timer = time.AfterFunc(o.interval, o.endInterval)
			} else {
				o.timer.Reset(o.interval)
			}
		}
		return nil
	}
	o.due = true
	o.startWriterLocked()
	if o.stalled || !wait {
		return nil // nobody waits for a stalled output
	}
	return o.waitLocked(context.Background(), o.queued, false)
}

// flush makes what is held due and waits until it is written. If the
// output is stalled already, it gives it one stall timeout to move.
func (o *output) flush(ctx context.Context) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.pending) > 0 {
		o.due = true
		o.startWriterLocked()
	}
	return o.waitLocked(ctx, o.queued, true)
}

// waitLocked waits until the first upTo bytes of lines have been written,
// or ctx ends, or the output is stalled: at once, or, if patient and it is
// stalled already, once it has not moved for another stall timeout.
func (o *output) waitLocked(ctx context.Context, upTo uint64, patient bool) error {
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() {
			o.mu.Lock()
			o.changed.Broadcast()
			o.mu.Unlock()
		})
		defer stop()
	}
	patience, expired := patient && o.stalled, false
	if patience {
		t := time.AfterFunc(o.stall, func() {
			o.mu.Lock()
			expired = true
			o.changed.Broadcast()
			o.mu.Unlock()
		})
		defer t.Stop()
	}
	for o.written < upTo {
		patience = patience && o.stalled // it moved: no more patience
		switch {
		case o.stalled && (!patience || expired):
			return ErrStalled
		case ctx.Err() != nil:
			return ctx.Err()
		}
		o.changed.Wait()
	}
	return o.err
}

func (o *output) endInterval() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.armed = false
	if len(o.pending) > 0 {
		o.due = true
		o.startWriterLocked()
	}
}

func (o *output) startWriterLocked() {
	if !o.writing {
		o.writing = true
		go o.writeDue()
	}
}

// writeDue writes what is due until nothing is, then ends.
func (o *output) writeDue() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for o.due && len(o.pending) > 0 {
		batch := o.pending
		o.pending, o.spare, o.due = o.spare[:0], nil, false
		o.inWrite, o.writeStart = true, time.Now()
		if o.stallTimer == nil {
			o.stallTimer = time.AfterFunc(o.stall, o.checkStall)
		} else {
			o.stallTimer.Reset(o.stall)
		}
		o.mu.Unlock()
		_, err := o.w.Write(batch)
		o.mu.Lock()
		o.stallTimer.Stop()
		o.inWrite, o.stalled, o.err = false, false, err
		o.written += uint64(len(batch))
		if err != nil {
			o.dropped += bytes.Count(batch, []byte{'\n'})
		} else if o.dropped > 0 {
			o.reportDroppedLocked()
		}
		if cap(batch) <= 4*maxPending {
			o.spare = batch[:0]
		}
		o.changed.Broadcast()
	}
	o.writing = false
}

// checkStall runs a stall timeout after a write began: if that write is
// still in progress, nobody waits for it any more.
func (o *output) checkStall() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.inWrite && time.Since(o.writeStart) >= o.stall {
		o.stalled = true
		o.changed.Broadcast()
	}
}

// reportDroppedLocked puts the line counting dropped lines before the
// lines held, to be written next.
func (o *output) reportDroppedLocked() {
	b := make([]byte, 0, 160+len(o.pending))
	b = append(b, `{"time":"`...)
	b = time.Now().UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","severity":"WARNING","message":"cloudlog: lines dropped: the output was stalled or failed","dropped_lines":`...)
	b = strconv.AppendInt(b, int64(o.dropped), 10)
	b = append(b, "}\n"...)
	o.queued += uint64(len(b))
	o.pending = append(b, o.pending...)
	o.dropped, o.due = 0, true
}

// FlushBeforeExit makes the first of sigs (SIGTERM if none are given)
// write what h holds and end the process as the signal would have. From
// then on h writes each line at once, so nothing logged while the process
// ends is held back. Then it stops catching sigs and raises the signal
// again: a signal whose default is to end the process ends it; one the
// program ignored (SIGINT under nohup) is ignored again. The flush is
// bounded like [Handler.Flush]: with a stalled output the process still
// ends, within twice the stall timeout. Cloud Run sends SIGTERM before it
// stops an instance. Call it once, in a main package or a function's init.
// A program that shuts down gracefully on SIGTERM should rather call
// [Handler.FlushContext] itself, last: while another part of the program
// catches the signal too, the raised signal goes to it again.
func FlushBeforeExit(h *Handler, sigs ...os.Signal) {
	if len(sigs) == 0 {
		sigs = []os.Signal{syscall.SIGTERM}
	}
	c := make(chan os.Signal, 1)
	signal.Notify(c, sigs...)
	go func() {
		s := <-c
		h.out.mu.Lock()
		h.out.interval = 0 // write at once from now on
		h.out.mu.Unlock()
		_ = h.Flush()
		signal.Stop(c)
		if p, err := os.FindProcess(os.Getpid()); err == nil {
			_ = p.Signal(s)
		}
	}()
}
