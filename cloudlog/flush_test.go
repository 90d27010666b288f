package cloudlog_test

import (
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cxhook/cxhook/cloudlog"
	"github.com/cxhook/cxhook/internal/logbuf"
)

// With a flush interval, INFO lines are held and written together; a
// WARNING goes out at once, after them, in order.
func TestFlushIntervalHoldsInfoLines(t *testing.T) {
	t.Parallel()
	out := new(logbuf.Buffer)
	h := cloudlog.NewHandler(out, &cloudlog.Options{FlushInterval: time.Hour})
	log := slog.New(h).With("component", "test")
	for i := range 5 {
		log.Info("call", "n", i)
	}
	if lines, writes := out.Lines(), out.Writes(); len(lines) != 0 || writes != 0 {
		t.Fatalf("%d lines in %d writes before any flush, want none held back", len(lines), writes)
	}
	log.Warn("trouble")
	lines, writes := out.Lines(), out.Writes()
	if len(lines) != 6 || writes != 1 {
		t.Fatalf("after a warning: %d lines in %d writes, want 6 in 1", len(lines), writes)
	}
	for i, l := range lines[:5] {
		if !strings.Contains(l, fmt.Sprintf(`"n":%d`, i)) {
			t.Errorf("line %d = %s, out of order", i, l)
		}
	}
	if !strings.Contains(lines[5], `"severity":"WARNING"`) {
		t.Errorf("last line = %s, want the warning", lines[5])
	}
	log.Info("after")
	if err := h.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := h.Flush(); err != nil { // nothing held: no write
		t.Fatal(err)
	}
	if lines, writes := out.Lines(), out.Writes(); len(lines) != 7 || writes != 2 {
		t.Fatalf("after Flush: %d lines in %d writes, want 7 in 2", len(lines), writes)
	}
}

// The interval's timer writes what is held, without any further call.
func TestFlushIntervalTimer(t *testing.T) {
	t.Parallel()
	out := new(logbuf.Buffer)
	log := slog.New(cloudlog.NewHandler(out, &cloudlog.Options{FlushInterval: 20 * time.Millisecond}))
	for round := 1; round <= 2; round++ { // the timer is re-armed
		log.Info("call", "round", round)
		deadline := time.Now().Add(5 * time.Second)
		for {
			if len(out.Lines()) == round {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("round %d: the held line was not written", round)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// Held lines are written once they reach 16 KiB, in one write, without
// waiting for the interval (nor making the logging call wait).
func TestFlushIntervalSizeLimit(t *testing.T) {
	t.Parallel()
	out := new(logbuf.Buffer)
	log := slog.New(cloudlog.NewHandler(out, &cloudlog.Options{FlushInterval: time.Hour}))
	pad := strings.Repeat("x", 1000)
	for range 16 {
		log.Info("call", "pad", pad) // about 1.1 KB a line
	}
	for i := 0; out.Writes() == 0; i++ {
		if i == 500 {
			t.Fatal("the full batch was not written")
		}
		time.Sleep(10 * time.Millisecond)
	}
	lines, writes := out.Lines(), out.Writes()
	if writes != 1 || len(lines) < 14 || len(lines) > 16 {
		t.Fatalf("%d lines in %d writes, want one write of the first 16 KiB", len(lines), writes)
	}
}

// Lines from many goroutines all arrive, each whole.
func TestFlushIntervalConcurrent(t *testing.T) {
	t.Parallel()
	out := new(logbuf.Buffer)
	h := cloudlog.NewHandler(out, &cloudlog.Options{FlushInterval: time.Millisecond})
	log := slog.New(h)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				if i%50 == 49 {
					log.Warn("call", "g", g, "i", i)
				} else {
					log.Info("call", "g", g, "i", i)
				}
			}
		})
	}
	wg.Wait()
	if err := h.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := out.Lines()
	if len(lines) != 1600 {
		t.Fatalf("%d lines, want 1600", len(lines))
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, `{"time":`) || !strings.HasSuffix(l, "}\n") {
			t.Fatalf("torn line %q", l)
		}
	}
}

// FlushBeforeExit writes the held lines on SIGTERM, and the process still
// dies of the signal. The test runs itself as the process that gets it.
func TestFlushBeforeExit(t *testing.T) {
	if os.Getenv("CLOUDLOG_TEST_SIGTERM") == "1" {
		h := cloudlog.NewHandler(os.Stdout, &cloudlog.Options{FlushInterval: time.Hour})
		cloudlog.FlushBeforeExit(h)
		slog.New(h).Info("held until SIGTERM")
		_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
		time.Sleep(10 * time.Second)
		fmt.Println("still alive") // not reached
		os.Exit(0)
	}
	if os.Getenv("CLOUDLOG_TEST_SIGINT_IGNORED") == "1" {
		signal.Ignore(os.Interrupt) // as under nohup
		h := cloudlog.NewHandler(os.Stdout, &cloudlog.Options{FlushInterval: time.Hour})
		cloudlog.FlushBeforeExit(h, syscall.SIGTERM, os.Interrupt)
		slog.New(h).Info("held until SIGINT")
		_ = syscall.Kill(os.Getpid(), syscall.SIGINT)
		time.Sleep(time.Second) // the flush, and SIGINT ignored again
		slog.New(h).Info("written at once after the signal")
		fmt.Println("survived SIGINT")
		os.Exit(0) // no flush: nothing may be held any more
	}
	t.Parallel()
	t.Run("ignored signal", func(t *testing.T) {
		t.Parallel()
		cmd := exec.Command(os.Args[0], "-test.run=^TestFlushBeforeExit$")
		cmd.Env = append(os.Environ(), "CLOUDLOG_TEST_SIGINT_IGNORED=1")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("child ended with %v, want exit 0; output:\n%s", err, out)
		}
		for _, want := range []string{"held until SIGINT", "written at once after the signal", "survived SIGINT"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	cmd := exec.Command(os.Args[0], "-test.run=^TestFlushBeforeExit$")
	cmd.Env = append(os.Environ(), "CLOUDLOG_TEST_SIGTERM=1")
	out, err := cmd.Output()
	ee, ok := err.(*exec.ExitError)
	if !ok {
		t.Fatalf("child ended with %v, want death by SIGTERM; output:\n%s", err, out)
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("child ended with %v, want death by SIGTERM", ee)
	}
	if !strings.Contains(string(out), `"message":"held until SIGTERM"`) {
		t.Errorf("the held line was not written before exit; output:\n%s", out)
	}
	if strings.Contains(string(out), "still alive") {
		t.Error("the process outlived SIGTERM")
	}
}
