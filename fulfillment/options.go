package fulfillment

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// Limits and defaults of the HTTP adapter.
const (
	// MaxResponseBytes is the largest response Dialogflow accepts (64 KiB).
	// The adapter never sends a larger one: the call fails with 500.
	MaxResponseBytes = 64 << 10
	// DefaultMaxBodyBytes is the default request body limit (2 MiB); a
	// larger body is answered with 413. Real requests are a few KiB to a few
	// hundred KiB, with long session histories and many parameters.
	DefaultMaxBodyBytes = 2 << 20
	// DefaultWebhookTimeout is Dialogflow's default webhook timeout.
	DefaultWebhookTimeout = 5 * time.Second
	// MaxWebhookTimeout is the longest webhook timeout Dialogflow allows.
	MaxWebhookTimeout = 30 * time.Second
	// minDeadlineMargin is the least time left to answer after the
	// handler's deadline.
	minDeadlineMargin = 100 * time.Millisecond
	// TimedOutParam is the session parameter the default timeout response
	// sets to true, for the agent to branch on.
	TimedOutParam = "cxhook_timed_out"
)

// An Option configures [NewHTTPHandler].
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	maxBody    int64
	logger     *slog.Logger
	timeout    time.Duration
	margin     time.Duration // < 0: derived from timeout
	onTimeout  func(*Request) *Response
	middleware []Middleware
	httpMW     []func(http.Handler) http.Handler
	gate       Gate
}

// WithMaxBodyBytes sets the request body limit; a larger body is answered
// with 413. The default is [DefaultMaxBodyBytes]; n <= 0 keeps it.
func WithMaxBodyBytes(n int64) Option {
	return optionFunc(func(c *config) {
		if n > 0 {
			c.maxBody = n
		}
	})
}

// WithLogger sets the logger for the per-call line and for errors. The
// default writes Cloud Logging JSON lines to stdout (see package cloudlog),
// with the project taken from GOOGLE_CLOUD_PROJECT, each line at once. A
// production function does better with a cloudlog handler that writes in
// batches (cloudlog.Options.FlushInterval, as cxhook's deployable function
// does). A nil logger keeps the default.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) {
		if l != nil {
			c.logger = l
		}
	})
}

// WithWebhookTimeout tells the adapter the agent's webhook timeout (the
// Webhook resource's timeout: 5 s unless changed, at most 30 s). Each call's
// context gets a deadline a safety margin before it, and a handler still
// running at the deadline is answered for with the timeout response, so that
// Dialogflow gets a valid answer instead of giving up. The margin is a tenth
// of the timeout, at least 250 ms and at most 1 s, unless set with
// [WithDeadlineMargin]. d <= 0 keeps the default, [DefaultWebhookTimeout];
// more than [MaxWebhookTimeout] is taken as the maximum.
func WithWebhookTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.timeout = d
		}
	})
}

// WithDeadlineMargin sets how long before the webhook timeout the handler's
// deadline falls: the time left to encode and send the answer. It is at
// least 100 ms and at most half the timeout.
func WithDeadlineMargin(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d >= 0 {
			c.margin = d
		}
	})
}

// WithTimeoutResponse sets the response sent, with status 200, for a call
// whose handler is still running at its deadline. f gets the call's request
// and must return quickly. The default response sends no message and sets
// the session parameter [TimedOutParam] to true, so the agent can route on
// it (a condition such as $session.params.cxhook_timed_out = true) to an
// apology or a retry. It applies to standard calls; a flexible call past
// its deadline is answered with 503 (see the package documentation).
func WithTimeoutResponse(f func(*Request) *Response) Option {
	return optionFunc(func(c *config) {
		if f != nil {
			c.onTimeout = f
		}
	})
}

// WithMiddleware wraps the handler in mw; the first listed runs first (see
// [Chain]). The middleware runs inside the deadline, after the request is
// decoded. It wraps standard handlers only: flexible calls carry no
// [*Request].
func WithMiddleware(mw ...Middleware) Option {
	return optionFunc(func(c *config) { c.middleware = append(c.middleware, mw...) })
}

// WithHTTPMiddleware runs HTTP middleware inside the adapter, after the
// gate ([WithGate]), if any: after the call's trace and deadline are
// set up and before the body is read, so that its log lines carry the trace,
// its refusals get the per-call log line, and its work (fetching keys)
// counts against the deadline. The first listed runs first.
func WithHTTPMiddleware(mw ...func(http.Handler) http.Handler) Option {
	return optionFunc(func(c *config) { c.httpMW = append(c.httpMW, mw...) })
}

// A Gate admits or refuses a call from its request's headers, before its
// body is read: a caller check. auth.Gate is one (webhook.New installs it).
//
// Admit either lets the call go on, returning the context it goes on in
// (ctx, or one derived from it that carries the caller), or answers the
// call itself on w and returns false; the context it returns with false is
// not used. CredentialHeaders names the headers that carried the
// credential, read once by NewHTTPHandler; the HTTP middleware, if any,
// sees the request without them (the handlers never see headers).
type Gate interface {
	Admit(ctx context.Context, w http.ResponseWriter, r *http.Request) (context.Context, bool)
	CredentialHeaders() []string
}

// WithGate runs g first on every call, under the call's trace and deadline
// and before the HTTP middleware and the body: the place of a caller
// check. It does what the check as the first HTTP middleware would
// ([WithHTTPMiddleware] with auth.Require), without the copy of the
// *http.Request that middleware makes to pass its context on, which on a
// small call is a measurable share of its cost. A refusal gets the access
// line like any answer.
func WithGate(g Gate) Option {
	return optionFunc(func(c *config) { c.gate = g })
}

func defaultTimeoutResponse(*Request) *Response {
	return NewResponse().SetParam(TimedOutParam, true)
}
