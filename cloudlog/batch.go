package cloudlog

import (
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// Flush writes the lines held for [Options.FlushInterval], if any.
func (h *Handler) Flush() error {
	h.out.mu.Lock()
	defer h.out.mu.Unlock()
	return h.out.flushLocked()
}

// output is where a handler and those derived from it write.
type output struct {
	w io.Writer

	mu       sync.Mutex    // serializes writes to w, guards the rest
	interval time.Duration // how long lines may be held; 0 writes at once
	pending  []byte        // lines held, with interval > 0
	timer    *time.Timer
	armed    bool // the timer will write pending
}

// write writes one line, or holds it; urgent writes it at once, with what
// is held before it.
func (o *output) write(line []byte, urgent bool) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.interval <= 0 {
		_, err := o.w.Write(line)
		return err
	}
	o.pending = append(o.pending, line...)
	if urgent || len(o.pending) >= maxPending {
		return o.flushLocked()
	}
	if !o.armed {
		o.armed = true
		if o.timer == nil {
			o.timer = time.AfterFunc(o.interval, o.flushByTimer)
		} else {
			o.timer.Reset(o.interval)
		}
	}
	return nil
}

func (o *output) flushByTimer() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.armed = false
	_ = o.flushLocked() // nobody to tell; the next write will fail too
}

func (o *output) flushLocked() error {
	if len(o.pending) == 0 {
		return nil
	}
	_, err := o.w.Write(o.pending)
	if cap(o.pending) > 4*maxPending {
		o.pending = nil
	} else {
		o.pending = o.pending[:0]
	}
	return err
}

// FlushBeforeExit makes the first of sigs (SIGTERM if none are given)
// write what h holds and end the process as the signal would have. From
// then on h writes each line at once, so nothing logged while the process
// ends is held back. Then it stops catching sigs and raises the signal
// again: a signal whose default is to end the process ends it; one the
// program ignored (SIGINT under nohup) is ignored again. Cloud Run sends
// SIGTERM before it stops an instance. Call it once, in a main package or
// a function's init. A program that shuts down gracefully on SIGTERM
// should rather call [Handler.Flush] itself, last: while another part of
// the program catches the signal too, the raised signal goes to it again.
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
		_ = h.out.flushLocked()
		h.out.mu.Unlock()
		signal.Stop(c)
		if p, err := os.FindProcess(os.Getpid()); err == nil {
			_ = p.Signal(s)
		}
	}()
}
