package webhook

import (
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/cxhook/cxhook/auth"
	"github.com/cxhook/cxhook/fulfillment"
)

// An Option configures [New].
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	getenv       func(string) string
	logger       *slog.Logger
	logOutput    io.Writer // the default logger's; os.Stdout outside this package's tests
	onTimeout    func(*fulfillment.Request) *fulfillment.Response
	middleware   []fulfillment.Middleware
	httpMW       []func(http.Handler) http.Handler
	authOpts     []auth.Option
	drainTimeout time.Duration
}

// WithTimeoutResponse sets the response sent, with status 200, for a call
// whose handler is still running at its deadline; f gets the call's
// request and must return quickly. The default apologizes in English
// ("Sorry, that is taking me longer than it should. Please try again in a
// moment.") and sets the session parameter [fulfillment.TimedOutParam] to
// true, for a route to branch on. An agent in another language needs its
// own. A nil f keeps the default.
func WithTimeoutResponse(f func(*fulfillment.Request) *fulfillment.Response) Option {
	return optionFunc(func(c *config) {
		if f != nil {
			c.onTimeout = f
		}
	})
}

// WithMiddleware wraps the handler in fulfillment middleware; the first
// listed runs first. It runs after the caller check, inside the deadline,
// on the decoded request (see [fulfillment.WithMiddleware]).
func WithMiddleware(mw ...fulfillment.Middleware) Option {
	return optionFunc(func(c *config) { c.middleware = append(c.middleware, mw...) })
}

// WithHTTPMiddleware runs HTTP middleware after the caller check, so that
// it sees only callers the check let through (with [auth.CallerFromContext]),
// and before the body is read, inside the call's deadline and access line
// (see [fulfillment.WithHTTPMiddleware]). The first listed runs first.
func WithHTTPMiddleware(mw ...func(http.Handler) http.Handler) Option {
	return optionFunc(func(c *config) { c.httpMW = append(c.httpMW, mw...) })
}

// WithLogger sets the logger for the access lines, errors and the caller
// check. The default writes Cloud Logging JSON lines to stdout (package
// cloudlog), with the trace linked to GOOGLE_CLOUD_PROJECT, lines below
// WARNING in batches (cloudlog.DefaultFlushInterval); it also becomes
// slog's default logger, so that slog.InfoContext(ctx, ...) in a handler
// joins the call's trace. A logger given here is not made the default.
// When the process drains, its handler's Flush method, if it has one
// (as *cloudlog.Handler does), is called before the process ends. A nil
// logger keeps the default.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) {
		if l != nil {
			c.logger = l
		}
	})
}

// WithGetenv sets where New reads the environment, os.Getenv by default;
// tests use it to try configurations without touching the process's
// environment. A nil getenv keeps the default.
func WithGetenv(getenv func(string) string) Option {
	return optionFunc(func(c *config) {
		if getenv != nil {
			c.getenv = getenv
		}
	})
}

// WithAuthOptions passes options to the caller check's token verifiers
// (see [auth.FromEnv]): in tests, for instance, auth.WithHTTPClient with
// the client of an authtest.Issuer, so that the idtoken mode fetches the
// issuer's keys instead of Google's.
func WithAuthOptions(opts ...auth.Option) Option {
	return optionFunc(func(c *config) { c.authOpts = append(c.authOpts, opts...) })
}

// WithDrainTimeout bounds the drain on SIGTERM (see the package
// documentation): the process ends at most d after the signal, cutting off
// calls still in flight then. The default is [DefaultDrainTimeout]. Cloud
// Run kills the instance 10 s after SIGTERM, and the held log lines must be
// written before that: keep d well below. With several handlers in one
// process, the shortest bound applies. d <= 0 keeps the default.
func WithDrainTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.drainTimeout = d
		}
	})
}

// withLogOutput sets where the default logger writes, for this package's
// tests.
func withLogOutput(w io.Writer) Option {
	return optionFunc(func(c *config) { c.logOutput = w })
}
