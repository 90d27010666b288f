package local

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/cxhook/cxhook/fulfillment"
	"github.com/cxhook/cxhook/webhook"
)

// TestRun runs a function through Run in a child process (this test
// binary, run again), as `go run ./cmd/local` does, and checks the front
// server's bounds, that calls go through the Functions Framework, and the
// drain on a signal.
func TestRun(t *testing.T) {
	if os.Getenv("LOCAL_TEST_CHILD") == "1" {
		readHeaderTimeout = 300 * time.Millisecond // so that the test need not wait 10 s
		mux := fulfillment.NewMux()
		mux.HandleFunc("slow", func(ctx context.Context, _ *fulfillment.Request) (*fulfillment.Response, error) {
			time.Sleep(300 * time.Millisecond)
			return fulfillment.Reply("slow"), nil
		})
		mux.HandleFallback(fulfillment.HandlerFunc(func(context.Context, *fulfillment.Request) (*fulfillment.Response, error) {
			return fulfillment.Reply("hello"), nil
		}))
		wh := webhook.MustNew(mux)
		functions.HTTP("Webhook", func(w http.ResponseWriter, r *http.Request) {
			if funcframework.ExecutionIDFromContext(r.Context()) != "" {
				w.Header().Set("X-Test-Framework", "yes") // the framework's wrapper ran
			}
			wh.ServeHTTP(w, r)
		})
		log.Fatal(Run())
	}
	t.Parallel()

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	l.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestRun$")
	cmd.Env = append(os.Environ(), "LOCAL_TEST_CHILD=1", "PORT="+port, "HOST=127.0.0.1", "FUNCTION_TARGET=", "K_SERVICE=", "CXHOOK_AUTH=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	url := "http://" + addr + "/"
	post := func(tag string, header http.Header) (*http.Response, string, error) {
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"fulfillmentInfo":{"tag":"`+tag+`"}}`))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, string(b), err
	}
	answered := 0 // calls answered 200, for the access lines
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, _, err := post("ping", nil)
		if err == nil && resp.StatusCode == 200 {
			answered++
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the runner does not answer on %s: %v\nstderr:\n%s", url, err, &stderr)
		}
	}

	t.Run("through the framework", func(t *testing.T) {
		resp, body, err := post("ping", nil)
		if err != nil || resp.StatusCode != 200 || body != `{"fulfillmentResponse":{"messages":[{"text":{"text":["hello"]}}]}}` {
			t.Fatalf("%v %v %s", resp, err, body)
		}
		answered++
		if resp.Header.Get("X-Test-Framework") != "yes" {
			t.Error("the call did not go through the Functions Framework's wrapper")
		}
	})
	t.Run("headers too large", func(t *testing.T) {
		resp, _, err := post("ping", http.Header{"X-Pad": {strings.Repeat("x", maxHeaderBytes+8<<10)}})
		if err != nil || resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Fatalf("%v %v, want 431", resp, err)
		}
	})
	t.Run("headers too slow", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := io.WriteString(c, "POST / HTTP/1.1\r\nHost: "+addr+"\r\nX-Slow: "); err != nil {
			t.Fatal(err)
		}
		// The front server gives up on the headers after 300 ms here and
		// closes the connection; 10 s is only this test's patience.
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, err := c.Read(make([]byte, 1))
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("the connection with unfinished headers is still open after 10 s")
		}
		if n != 0 || err == nil {
			t.Errorf("read %d bytes, %v; want the connection closed", n, err)
		}
	})

	t.Run("drain", func(t *testing.T) {
		sig := os.Signal(os.Interrupt)
		defer func() { t.Logf("signal: %v", sig) }()
		if signal.Ignored(os.Interrupt) {
			sig = syscall.SIGTERM // SIGINT is ignored in this process, and so in the child
		}
		results := make(chan error, 4)
		for range 4 {
			go func() {
				resp, _, err := post("slow", nil)
				if err == nil && resp.StatusCode != 200 {
					err = errors.New(resp.Status)
				}
				results <- err
			}()
		}
		time.Sleep(100 * time.Millisecond) // the calls are in flight
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		for range 4 {
			if err := <-results; err != nil {
				t.Errorf("a call in flight at %v: %v", sig, err)
			} else {
				answered++
			}
		}
		var err error
		select {
		case err = <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("the runner still runs 20 s after %v", sig)
		}
		ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
		if !ws.Signaled() || ws.Signal() != sig {
			t.Errorf("the runner ended with %v, want death by %v\nstderr:\n%s", err, sig, &stderr)
		}
		lines := 0
		sc := bufio.NewScanner(&stdout)
		for sc.Scan() {
			var e struct {
				Message string
				Status  int
			}
			if json.Unmarshal(sc.Bytes(), &e) == nil && e.Message == "webhook call" && e.Status == 200 {
				lines++
			}
		}
		if lines != answered {
			t.Errorf("%d access lines for %d calls answered 200\nstdout:\n%s", lines, answered, &stdout)
		}
	})
	if !strings.Contains(stderr.String(), "local: serving function Webhook on http://"+addr+"/") {
		t.Errorf("stderr does not say where it serves:\n%s", &stderr)
	}
}
