package fulfillment_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cxhook/cxhook/fulfillment"
)

// The load checks of the production-hardening issue, measured against a
// server in a process of its own (this test binary, started again), by
// its resident memory as the kernel counts it. They take a minute and
// load the machine, so they run only when asked for:
//
//	CXHOOK_LOAD=1 go test -run '^TestLoad' -v -count=1 ./fulfillment
//
// (scripts/loadcheck.sh runs the same). Each logs its figures, and fails
// if a bound it checks does not hold. Set GOMEMLIMIT to run the server
// under a memory limit, as deploy.sh configures it.

const loadEnv = "CXHOOK_LOAD"

func needLoad(t *testing.T) {
	if os.Getenv(loadEnv) != "1" {
		t.Skip("a load check: set " + loadEnv + "=1 to run it")
	}
}

// TestLoadServer is the server process of the load checks: handlers
// behind NewHTTPHandler on a plain http.Server, as the Functions Framework
// serves them, with the log discarded.
func TestLoadServer(t *testing.T) {
	addrFile := os.Getenv("CXHOOK_LOAD_SERVER")
	if addrFile == "" {
		t.Skip("the server process of the load checks")
	}
	timeout, _ := time.ParseDuration(os.Getenv("CXHOOK_LOAD_TIMEOUT"))
	mux := fulfillment.NewMux()
	mux.HandleFunc("ok", func(ctx context.Context, r *fulfillment.Request) (*fulfillment.Response, error) {
		return fulfillment.Reply("ok").SetParam("has_note", r.Params().Has("note")), nil
	})
	mux.HandleFunc("overrun", func(ctx context.Context, r *fulfillment.Request) (*fulfillment.Response, error) {
		time.Sleep(timeout + time.Second) // ignores its context
		return fulfillment.Reply("late"), nil
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := fulfillment.NewHTTPHandler(mux, fulfillment.WithWebhookTimeout(timeout), fulfillment.WithLogger(slog.New(slog.DiscardHandler)))
	if err := os.WriteFile(addrFile, []byte(ln.Addr().String()), 0o600); err != nil {
		t.Fatal(err)
	}
	_ = http.Serve(ln, h) // until killed
}

type loadProc struct {
	cmd  *exec.Cmd
	addr string
}

func startLoadServer(t *testing.T, timeout time.Duration) *loadProc {
	t.Helper()
	addrFile := t.TempDir() + "/addr"
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadServer$")
	cmd.Env = append(os.Environ(), "CXHOOK_LOAD_SERVER="+addrFile, "CXHOOK_LOAD_TIMEOUT="+timeout.String())
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for range 200 {
		if b, err := os.ReadFile(addrFile); err == nil && len(b) > 0 {
			time.Sleep(200 * time.Millisecond) // settle
			return &loadProc{cmd: cmd, addr: string(b)}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the server did not start")
	return nil
}

// rss returns the server's resident set size and its peak, in bytes.
func (p *loadProc) rss(t *testing.T) (now, peak int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			now = kb << 10
		case "VmHWM:":
			peak = kb << 10
		}
	}
	return now, peak
}

// sampleRSS samples the server's RSS every 10 ms until stop is closed and
// returns the largest.
func (p *loadProc) sampleRSS(t *testing.T, stop <-chan struct{}) <-chan int64 {
	out := make(chan int64, 1)
	go func() {
		var top int64
		for {
			if n, _ := p.rss(t); n > top {
				top = n
			}
			select {
			case <-stop:
				out <- top
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	return out
}

const mib = 1 << 20

// 150 connections that send a body slowly or never keep the server under
// 64 MiB, and each is answered (408) and closed by the deadline.
func TestLoadSlowBodies(t *testing.T) {
	needLoad(t)
	const conns, limit = 150, 64 * mib
	for _, sc := range slowClients {
		t.Run(sc.name, func(t *testing.T) {
			p := startLoadServer(t, 5*time.Second)
			idle, _ := p.rss(t)
			stop := make(chan struct{})
			top := p.sampleRSS(t, stop)
			start := time.Now()
			var wg sync.WaitGroup
			var failed atomic.Int32
			for range conns {
				wg.Go(func() {
					if err := slowClient(p.addr, sc.start, sc.drip); err != nil {
						if failed.Add(1) == 1 {
							t.Error(err)
						}
					}
				})
			}
			wg.Wait()
			took := time.Since(start)
			close(stop)
			peak := <-top
			t.Logf("%d connections: RSS idle %.1f MiB, peak %.1f MiB; all answered and closed within %v (deadline 4.5 s, webhook timeout 5 s); %d failed",
				conns, float64(idle)/mib, float64(peak)/mib, took.Round(time.Millisecond), failed.Load())
			if peak >= limit {
				t.Errorf("peak RSS %.1f MiB, want under %d MiB", float64(peak)/mib, limit/mib)
			}
		})
	}
}

// maxSizeDocs are valid requests of just under 2 MiB: one parameter of
// 2 MiB, and 2 MiB of the end user's text.
func maxSizeDocs() map[string][]byte {
	const size = fulfillment.DefaultMaxBodyBytes - 512
	text := strings.Repeat("a", size)
	return map[string][]byte{
		"a 2 MiB parameter": []byte(`{"fulfillmentInfo":{"tag":"ok"},"sessionInfo":{"session":"projects/p/locations/global/agents/a/sessions/s1","parameters":{"note":"` + text + `"}}}`),
		"2 MiB of text":     []byte(`{"text":"` + text + `","fulfillmentInfo":{"tag":"ok"},"sessionInfo":{"session":"projects/p/locations/global/agents/a/sessions/s1"}}`),
		// Unescaped, 1 MiB of text: in place, in the body (keep.go).
		"2 MiB of escaped text": []byte(`{"text":"` + strings.Repeat(`\n`, size/2) + `","fulfillmentInfo":{"tag":"ok"},"sessionInfo":{"session":"projects/p/locations/global/agents/a/sessions/s1"}}`),
	}
}

// 64 clients sending valid calls of just under 2 MiB, one after the
// other, for 5 s: the RSS per concurrent call above the idle RSS, at most
// 2.5 MiB. What a call holds, the live heap, is held to 2.5 MiB by
// TestMaxSizeCallMemory; that the garbage of finished calls does not pile
// up on top of it, as Go's GC would let it (3.2–3.5 MiB per call), is the
// work of the collections the adapter asks for (largebody.go). Under a
// memory limit (GOMEMLIMIT) the RSS stays near the limit.
func TestLoadMaxSizeCalls(t *testing.T) {
	needLoad(t)
	const clients = 64
	for name, doc := range maxSizeDocs() {
		t.Run(name, func(t *testing.T) {
			p := startLoadServer(t, 5*time.Second)
			idle, _ := p.rss(t)
			stop := make(chan struct{})
			top := p.sampleRSS(t, stop)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
			defer client.CloseIdleConnections()
			var wg sync.WaitGroup
			var calls, failed atomic.Int64
			end := time.Now().Add(5 * time.Second)
			for range clients {
				wg.Go(func() {
					for time.Now().Before(end) {
						resp, err := client.Post("http://"+p.addr, "application/json", bytes.NewReader(doc))
						if err == nil {
							_, _ = io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
						}
						if err != nil || resp.StatusCode != 200 {
							failed.Add(1)
						}
						calls.Add(1)
					}
				})
			}
			wg.Wait()
			close(stop)
			peak := <-top
			_, hwm := p.rss(t)
			per := float64(max(peak, hwm)-idle) / clients
			t.Logf("%s: %d clients, %d calls (%d failed): RSS idle %.1f MiB, peak %.1f MiB: %.2f MiB per concurrent call (GOMEMLIMIT=%q)",
				name, clients, calls.Load(), failed.Load(), float64(idle)/mib, float64(max(peak, hwm))/mib, per/mib, os.Getenv("GOMEMLIMIT"))
			if failed.Load() > 0 {
				t.Errorf("%d calls failed", failed.Load())
			}
			if per > 2.5*mib && os.Getenv("GOMEMLIMIT") == "" {
				t.Errorf("%.2f MiB of RSS per concurrent call, want at most 2.5 MiB", per/mib)
			}
		})
	}
}

// With a 2 s webhook timeout, 64 clients whose calls all overrun, each on
// its keep-alive connection, get every answer before the webhook timeout.
func TestLoadOverrunsOnKeepAlive(t *testing.T) {
	needLoad(t)
	const clients, rounds, timeout = 64, 3, 2 * time.Second
	p := startLoadServer(t, timeout)
	var mu sync.Mutex
	var lat []time.Duration
	var failed atomic.Int32
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			conn, err := net.Dial("tcp", p.addr)
			if err != nil {
				failed.Add(1)
				return
			}
			br := bufio.NewReader(conn)
			body := []byte(`{"fulfillmentInfo":{"tag":"overrun"}}`)
			for range rounds {
				start := time.Now()
				// Keep-alive as a client would, until told to close.
				_, err := fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
				var resp *http.Response
				if err == nil {
					resp, err = http.ReadResponse(br, nil)
				}
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				d := time.Since(start)
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
				if err != nil || resp.StatusCode != 200 {
					failed.Add(1)
				}
				if err != nil || resp.Close {
					conn.Close()
					if conn, err = net.Dial("tcp", p.addr); err != nil {
						failed.Add(1)
						return
					}
					br = bufio.NewReader(conn)
				}
			}
			conn.Close()
		})
	}
	wg.Wait()
	slices.Sort(lat)
	p50, p99, top := lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1]
	t.Logf("%d calls, %d failed: latency p50 %v, p99 %v, max %v (webhook timeout %v)", len(lat), failed.Load(),
		p50.Round(time.Millisecond), p99.Round(time.Millisecond), top.Round(time.Millisecond), timeout)
	if failed.Load() > 0 || top >= timeout {
		t.Errorf("want every call answered before the webhook timeout")
	}
}

// maxSizeCallsLive serves n copies of doc at once and, while all of them
// are in their handler, measures the live heap: it returns what one call
// in flight holds, in bytes.
func maxSizeCallsLive(tb testing.TB, n int, doc []byte) uint64 {
	var inside sync.WaitGroup
	release := make(chan struct{})
	mux := fulfillment.NewMux()
	mux.HandleFunc("ok", func(ctx context.Context, r *fulfillment.Request) (*fulfillment.Response, error) {
		inside.Done()
		<-release
		return fulfillment.Reply("ok"), nil
	})
	h := fulfillment.NewHTTPHandler(mux, fulfillment.WithLogger(slog.New(slog.DiscardHandler)))
	var before, during runtime.MemStats
	inside.Add(n)
	runtime.GC()
	runtime.GC() // and what the pools kept from before
	runtime.ReadMemStats(&before)
	var done sync.WaitGroup
	for range n {
		done.Go(func() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(doc)))
			if w.Code != 200 {
				tb.Errorf("status %d", w.Code)
			}
		})
	}
	inside.Wait()
	runtime.GC()
	runtime.ReadMemStats(&during)
	close(release)
	done.Wait()
	return (during.HeapAlloc - before.HeapAlloc) / uint64(n)
}

// A valid call of just under 2 MiB holds at most 2.5 MiB while it is in
// flight: its body, once (before, the body and a copy of it, 4 MiB).
func TestMaxSizeCallMemory(t *testing.T) {
	for name, doc := range maxSizeDocs() {
		t.Run(name, func(t *testing.T) {
			if live := maxSizeCallsLive(t, 8, doc); live > 2.5*mib {
				t.Errorf("%.2f MiB live per call in flight, want at most 2.5 MiB", float64(live)/mib)
			}
		})
	}
}

// BenchmarkMaxSizeCalls reports what one valid call of just under 2 MiB
// holds while in flight, among 16 (live-B/call).
func BenchmarkMaxSizeCalls(b *testing.B) {
	for name, doc := range maxSizeDocs() {
		b.Run(name, func(b *testing.B) {
			var live uint64
			for b.Loop() {
				live += maxSizeCallsLive(b, 16, doc)
			}
			b.ReportMetric(float64(live)/float64(b.N), "live-B/call")
		})
	}
}
