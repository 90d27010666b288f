package fulfillment_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cxhook/cxhook/fulfillment"
)

// slowClients are ways a caller can hold a connection while sending a body
// slowly or never: each writes its request's start, then trickles.
var slowClients = []struct {
	name  string
	start string
	drip  string // written every 40 ms until the answer comes
}{
	{"Content-Length 2 MiB, then one byte", "Content-Length: 2097152\r\n\r\n{", ""},
	{"Content-Length 2 MiB, a byte at a time", "Content-Length: 2097152\r\n\r\n{", " "},
	{"a chunked body that never ends", "Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n", "1\r\n \r\n"},
}

// Many connections that send a body slowly or never are each answered
// with 408 and closed once the call's deadline has passed, and what they
// cost in memory follows what they sent, not what they declared (before,
// each got a 2 MiB buffer at once and was never answered).
func TestSlowBodies(t *testing.T) {
	const conns = 150
	srv := httptest.NewServer(fulfillment.NewHTTPHandler(testMux(), fulfillment.WithLogger(slog.New(slog.DiscardHandler)),
		fulfillment.WithWebhookTimeout(1500*time.Millisecond), fulfillment.WithDeadlineMargin(time.Second)))
	defer srv.Close()
	for _, sc := range slowClients {
		t.Run(sc.name, func(t *testing.T) {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			var wg sync.WaitGroup
			errs := make(chan error, conns)
			for range conns {
				wg.Go(func() { errs <- slowClient(srv.Listener.Addr().String(), sc.start, sc.drip) })
			}
			wg.Wait()
			runtime.ReadMemStats(&after)
			close(errs)
			failed := 0
			for err := range errs {
				if err != nil {
					if failed++; failed <= 3 {
						t.Error(err)
					}
				}
			}
			if failed > 0 {
				t.Errorf("%d of %d connections not answered with 408 and closed", failed, conns)
			}
			// Client and server together, every byte allocated: well
			// under what one 2 MiB buffer per connection would be.
			if perConn := (after.TotalAlloc - before.TotalAlloc) / conns; perConn > 128<<10 {
				t.Errorf("%d KiB allocated per connection, want at most 128 KiB", perConn>>10)
			}
		})
	}
}

// slowClient sends a request's start and then drip, every 40 ms, and
// checks that it gets 408 with Connection: close and that the server then
// closes the connection.
func slowClient(addr, start, drip string) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second)) // a guard against hanging, not a timing check
	if _, err := io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+start); err != nil {
		return err
	}
	stop := make(chan struct{})
	defer close(stop)
	if drip != "" {
		go func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(40 * time.Millisecond):
					if _, err := io.WriteString(conn, drip); err != nil {
						return
					}
				}
			}
		}()
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return fmt.Errorf("no answer: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestTimeout || !resp.Close || !strings.Contains(string(body), "request_timeout") {
		return fmt.Errorf("answer %d (close %v) %s, want 408 and Connection: close", resp.StatusCode, resp.Close, body)
	}
	// Closed: a FIN, or a reset if the client's drips were still unread.
	if _, err := br.ReadByte(); err != io.EOF && !errors.Is(err, syscall.ECONNRESET) {
		return fmt.Errorf("after the answer: %v, want the server to close the connection", err)
	}
	return nil
}

// The timeout response closes its connection, so that a client's next call
// does not wait behind the overrunning handler on its keep-alive
// connection (before, it waited until the handler returned, past the
// webhook timeout).
func TestTimeoutResponseFreesTheConnection(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release)
	mux := testMux()
	mux.HandleFunc("stuck", func(ctx context.Context, r *fulfillment.Request) (*fulfillment.Response, error) {
		<-release // ignores its context
		return fulfillment.Reply("late"), nil
	})
	url, _ := newServer(t, mux, fulfillment.WithWebhookTimeout(400*time.Millisecond))
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}} // one connection, kept alive
	defer client.CloseIdleConnections()
	call := func(tag string) (*http.Response, string, error) {
		resp, err := client.Post(url, "application/json", strings.NewReader(req(tag)))
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, string(b), err
	}
	resp, body, err := call("stuck")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, fulfillment.TimedOutParam) || !resp.Close {
		t.Fatalf("answer %s (Connection: close %v), want the timeout response closing the connection", body, resp.Close)
	}
	next := make(chan error, 1)
	go func() {
		resp, body, err := call("ok")
		if err == nil && resp.StatusCode != 200 {
			err = fmt.Errorf("status %d: %s", resp.StatusCode, body)
		}
		next <- err
	}()
	select {
	case err := <-next:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the next call waits behind the overrunning handler")
	}
}
