package cloudlog_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cxhook/cxhook/cloudlog"
	"github.com/go-json-experiment/json"
)

// With a stdout pipe nobody reads, logging calls still return (none waits
// more than twice the stall timeout), no goroutines pile up, lines beyond
// what is held are dropped, and once the pipe is read again the held lines
// come out with one line counting the dropped ones, so that every line is
// either written or counted. Before, every call blocked on the handler's
// lock behind the stalled write, for good.
func TestStalledOutput(t *testing.T) {
	for _, interval := range []time.Duration{0, 10 * time.Millisecond} {
		t.Run(fmt.Sprint("FlushInterval=", interval), func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			defer w.Close()
			h := cloudlog.NewHandler(w, &cloudlog.Options{FlushInterval: interval})
			log := slog.New(h)
			baseline := runtime.NumGoroutine()

			const goroutines, each = 32, 300 // about 1.5 MB of lines: far more than the pipe and what is held
			pad := strings.Repeat("x", 100)
			done := make(chan struct{})
			go func() {
				defer close(done)
				var wg sync.WaitGroup
				for g := range goroutines {
					wg.Go(func() {
						for i := range each {
							if i%10 == 9 {
								log.Warn("call", "g", g, "i", i, "pad", pad)
							} else {
								log.Info("call", "g", g, "i", i, "pad", pad)
							}
						}
					})
				}
				wg.Wait()
			}()
			select {
			case <-done:
			case <-time.After(60 * time.Second): // a guard against hanging, not a timing check
				t.Fatal("logging calls block on the stalled output")
			}
			if n := runtime.NumGoroutine(); n > baseline+4 {
				t.Errorf("%d goroutines after logging, %d before: they pile up", n, baseline)
			}
			if err := h.Flush(); !errors.Is(err, cloudlog.ErrStalled) {
				t.Errorf("Flush on the stalled output = %v, want ErrStalled", err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if err := h.FlushContext(ctx); err == nil {
				t.Error("FlushContext with a canceled context on the stalled output succeeded")
			}

			// The reader comes back.
			read := make(chan []string)
			go func() {
				var lines []string
				sc := bufio.NewScanner(r)
				for sc.Scan() {
					lines = append(lines, sc.Text())
				}
				read <- lines
			}()
			if err := h.Flush(); err != nil {
				t.Fatalf("Flush after the reader came back: %v", err)
			}
			log.Warn("after") // written at once again
			if err := h.Flush(); err != nil {
				t.Fatal(err)
			}
			w.Close()
			written, dropped, after := 0, 0, false
			for _, l := range <-read {
				var m struct {
					Message string `json:"message"`
					Dropped int    `json:"dropped_lines"`
				}
				if err := json.Unmarshal([]byte(l), &m); err != nil {
					t.Fatalf("a torn line: %v: %.200q", err, l)
				}
				switch {
				case m.Message == "call":
					written++
				case m.Dropped > 0:
					dropped += m.Dropped
				case m.Message == "after":
					after = true
				}
			}
			t.Logf("%d lines logged: %d written, %d dropped and counted", goroutines*each, written, dropped)
			if written+dropped != goroutines*each || dropped == 0 || !after {
				t.Errorf("%d written + %d counted as dropped, want %d; the line after: %v", written, dropped, goroutines*each, after)
			}
		})
	}
}
