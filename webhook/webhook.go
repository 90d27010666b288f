package webhook

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/cxhook/cxhook/auth"
	"github.com/cxhook/cxhook/cloudlog"
	"github.com/cxhook/cxhook/fulfillment"
	"github.com/cxhook/cxhook/webhook/internal/drain"
)

// DefaultDrainTimeout is how long after SIGTERM the process ends at the
// latest, with calls still in flight or not (see [WithDrainTimeout]).
const DefaultDrainTimeout = drain.DefaultTimeout

// New returns the production http.Handler that serves h as a Dialogflow CX
// webhook, configured from the environment, or an error that names the
// variable to fix:
//
//   - the caller check of the CXHOOK_AUTH family of variables (see
//     auth.FromEnv): unset on Cloud Run (K_SERVICE set), CXHOOK_AUTH is an
//     error; elsewhere it means no check, with a WARNING line;
//   - CXHOOK_WEBHOOK_TIMEOUT, the agent's webhook timeout (a Go duration,
//     more than 0 and at most 30s; default 5s): handlers get a deadline a
//     margin before it, and one still running then is answered for with the
//     timeout response ([WithTimeoutResponse]);
//   - GOOGLE_CLOUD_PROJECT, for the trace field of the default logger's
//     lines ([WithLogger]).
//
// The handler is the fulfillment adapter ([fulfillment.NewHTTPHandler],
// with its limits: POST only, a 2 MiB body, a 64 KiB answer) behind the
// caller check, counted for the drain on SIGTERM described in the package
// documentation. A variable set to the empty string counts as unset.
//
// New may be called more than once, as tests do: the signals are caught
// once per process, and every handler New returned (and is still
// reachable) takes part in the drain.
func New(h fulfillment.Handler, opts ...Option) (http.Handler, error) {
	if h == nil {
		return nil, errors.New("webhook: New with a nil handler")
	}
	c := config{getenv: os.Getenv, logOutput: os.Stdout, onTimeout: timeoutResponse}
	for _, o := range opts {
		o.apply(&c)
	}
	logger, own := c.logger, c.logger == nil
	if own {
		logger = slog.New(cloudlog.NewHandler(c.logOutput, &cloudlog.Options{
			ProjectID:     c.getenv("GOOGLE_CLOUD_PROJECT"),
			FlushInterval: cloudlog.DefaultFlushInterval,
		}))
	}
	flush := flusher(logger.Handler())

	timeout, err := webhookTimeout(c.getenv)
	var gate *auth.Gate
	if err == nil {
		gate, err = callerCheck(c.getenv, logger, c.authOpts)
	}
	if err != nil {
		if flush != nil {
			flush() // what the caller check logged
		}
		return nil, err
	}
	// The caller check runs inside the adapter, so that its refusals are
	// logged with the call's trace and its work counts against the deadline.
	adapter := fulfillment.NewHTTPHandler(h,
		fulfillment.WithLogger(logger),
		fulfillment.WithWebhookTimeout(timeout),
		fulfillment.WithTimeoutResponse(c.onTimeout),
		fulfillment.WithMiddleware(c.middleware...),
		fulfillment.WithGate(gate),
		fulfillment.WithHTTPMiddleware(c.httpMW...),
	)
	if own {
		slog.SetDefault(logger)
	}
	return drain.Track(adapter, &drain.Member{Timeout: c.drainTimeout, Flush: flush, Logger: logger}), nil
}

// MustNew is [New] for a function's init: on a configuration error it
// writes the error, which names the variable to fix, as plain text on
// stderr and ends the process with exit status 1, so that the instance
// never serves.
func MustNew(h fulfillment.Handler, opts ...Option) http.Handler {
	wh, err := New(h, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return wh
}

// flusher returns h's Flush, if it has one.
func flusher(h slog.Handler) func() {
	if f, ok := h.(interface{ Flush() error }); ok {
		return func() { _ = f.Flush() }
	}
	return nil
}

// timeoutResponse is the default answer for a handler that overruns its
// deadline: an apology for the user, and cxhook_timed_out = true for a
// route to branch on ($session.params.cxhook_timed_out = true).
func timeoutResponse(*fulfillment.Request) *fulfillment.Response {
	return fulfillment.Reply("Sorry, that is taking me longer than it should. Please try again in a moment.").
		SetParam(fulfillment.TimedOutParam, true)
}
