// Package local runs a function module on this machine as Cloud Run runs
// it: through the Functions Framework for Go, behind a front server that
// bounds what a client can hold, as Google's front end stands before the
// container on Cloud Run. A module's local runner is a few lines:
//
//	package main
//
//	import (
//		"log"
//
//		_ "example.com/myfunction" // registers the function "Webhook"
//		"github.com/cxhook/cxhook/webhook/local"
//	)
//
//	func main() { log.Fatal(local.Run()) }
//
// # Why a front server
//
// The Functions Framework (v1.9.2) serves with a bare http.ListenAndServe
// on a ServeMux of its own, and offers no way to configure that server or
// to reach its handler: no header timeout, 1 MiB of headers (plus 4 KiB),
// no idle timeout. A client that sends headers slowly, or very large ones,
// holds memory and a goroutine for as long as it likes, before any caller
// check runs. Run therefore starts the framework on a loopback port of its
// own and serves the address you asked for with an http.Server that
// forwards each request to it, with these bounds:
//
//   - the request's headers must arrive within 10 s (ReadHeaderTimeout)
//     and hold at most 64 KiB (MaxHeaderBytes; larger gets 431);
//   - the whole request must be read within 35 s, and the answer written
//     within 35 s of the headers (ReadTimeout, WriteTimeout: Dialogflow's
//     longest webhook timeout is 30 s);
//   - a kept-alive connection is closed after 2 minutes idle (IdleTimeout).
//
// The number of connections is not bounded. Every request still goes
// through the framework's own wrapper (panic recovery, execution IDs), as
// on Cloud Run.
//
// # Stopping
//
// Ctrl-C (SIGINT) or SIGTERM drain the process as package webhook does on
// Cloud Run: calls in flight are answered and their lines logged, the
// front server answers with "Connection: close" meanwhile, and the process
// ends by the signal once nothing is in flight. A signal ignored when the
// process started (SIGINT in a background job) stays ignored.
package local

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
	"github.com/cxhook/cxhook/webhook/internal/drain"
)

// The front server's bounds (see the package documentation); variables so
// that this package's tests can shorten them.
var (
	readHeaderTimeout = 10 * time.Second
	maxHeaderBytes    = 64 << 10
	readTimeout       = 35 * time.Second
	writeTimeout      = 35 * time.Second
	idleTimeout       = 2 * time.Minute
)

// Run serves the function registered under FUNCTION_TARGET (default
// Webhook) at every path of http://HOST:PORT/, and returns only if it
// cannot: the port is in use, or no function has that name. It reads:
//
//   - PORT: the port to listen on (default 8080);
//   - HOST: the address to listen on (default 127.0.0.1, this machine
//     only); HOST=0.0.0.0 listens on every interface, as in a container;
//     write an IPv6 address in brackets (HOST=[::1]);
//   - FUNCTION_TARGET: the function to serve (default Webhook), as the
//     Functions Framework does.
//
// The line saying where it listens goes to stderr; the function's log
// lines go where the function writes them (stdout, for package webhook).
func Run() error {
	target := os.Getenv("FUNCTION_TARGET")
	if target == "" {
		target = "Webhook"
		os.Setenv("FUNCTION_TARGET", target)
	}
	addr := envOr("HOST", "127.0.0.1") + ":" + envOr("PORT", "8080")
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	inner, err := startFramework()
	if err != nil {
		ln.Close()
		return err
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(inner)
			pr.Out.Host = pr.In.Host
			pr.SetXForwarded()
		},
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second},
		ErrorLog:  log.New(os.Stderr, "local: ", 0),
	}
	srv := &http.Server{
		Handler:           drain.Track(proxy, nil),
		ReadHeaderTimeout: readHeaderTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          log.New(os.Stderr, "local: ", 0),
	}
	fmt.Fprintf(os.Stderr, "local: serving function %s on http://%s/ (Functions Framework behind a bounded front server)\n", target, addr)
	return srv.Serve(ln)
}

// startFramework starts the Functions Framework on a free loopback port
// and returns its URL once it accepts connections.
func startFramework() (*url.URL, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	l.Close() // the framework listens itself; it takes no listener
	errc := make(chan error, 1)
	go func() { errc <- funcframework.StartHostPort("127.0.0.1", port) }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		select {
		case err := <-errc:
			return nil, fmt.Errorf("local: the Functions Framework did not start: %w", err)
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return &url.URL{Scheme: "http", Host: addr}, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("local: the Functions Framework does not accept connections on %s", addr)
		}
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
