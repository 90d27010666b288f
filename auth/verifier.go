package auth

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
)

// A Verifier decides who sent a request, from its headers.
//
// Verify returns the verified Caller, or an error wrapping one of
// [ErrNoCredentials], [ErrInvalidCredentials] (both 401 in [Require]),
// [ErrNotAllowed] (403) or [ErrUnavailable] (503). With ErrNotAllowed it
// also returns the refused Caller, so that its email can be logged. ctx
// bounds any I/O, such as fetching signing keys. Verify must not retain or
// modify h, and must be safe for concurrent use.
type Verifier interface {
	Verify(ctx context.Context, h http.Header) (Caller, error)
}

// VerifierFunc adapts a function to [Verifier].
type VerifierFunc func(ctx context.Context, h http.Header) (Caller, error)

// Verify calls f(ctx, h).
func (f VerifierFunc) Verify(ctx context.Context, h http.Header) (Caller, error) { return f(ctx, h) }

// The verifiers of this package also tell Require their 401 challenge and
// the headers that carry their credential.
type scheme interface {
	challenge() string
	credentialHeaders() []string
}

const bearerChallenge = `Bearer realm="cxhook"`

// A RequireOption configures [Require].
type RequireOption func(*requireConfig)

type requireConfig struct {
	logger *slog.Logger
}

// WithLogger sets where Require logs refused requests (at Warn, or Error
// for 503) and accepted ones (at Debug). The default, and what nil means,
// is slog.Default(). Logs carry the reason and, for 403, the caller's
// email; never a credential.
func WithLogger(l *slog.Logger) RequireOption {
	return func(c *requireConfig) { c.logger = l }
}

// Require returns middleware that lets a request through to the next
// handler only if v verifies it, with the [Caller] in its context (see
// [CallerFromContext]).
//
// Refused requests get a JSON body {"code":..., "message":...} with a
// generic message that never echoes the request:
//
//   - 401 "unauthenticated" for ErrNoCredentials, ErrInvalidCredentials and
//     errors that wrap no sentinel, with a WWW-Authenticate challenge
//     (Bearer, or Basic for [BasicVerifier]);
//   - 403 "permission_denied" for ErrNotAllowed;
//   - 503 "unavailable" for ErrUnavailable.
//
// Dialogflow raises webhook.error.rejected on 401 and 403, and
// webhook.error.unavailable on 503.
//
// For the verifiers of this package, the next handler sees a copy of the
// request without the headers that carried the credential (Authorization,
// X-Serverless-Authorization, or the API-key header), so that it cannot
// log or forward them by mistake.
//
// Require panics if v is nil.
func Require(v Verifier, opts ...RequireOption) func(http.Handler) http.Handler {
	g := NewGate(v, opts...)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, ok := g.Admit(r.Context(), w, r)
			if !ok {
				return
			}
			if len(g.strip) == 0 {
				r = r.WithContext(ctx)
			} else {
				r = r.Clone(ctx) // deep-copies the header, which is not ours to edit
				for _, h := range g.strip {
					r.Header.Del(h)
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// A Gate is the caller check of [Require] as a step of its own, for a
// handler that carries the call's context on itself (cxhook's fulfillment
// adapter, through fulfillment.WithGate): HTTP middleware must hand the
// next handler a copy of the *http.Request to pass the [Caller] on, and on
// a small webhook call that copy, with the context and the debug line's
// arguments, cost a measurable share of the call (see the README's
// Performance section). A Gate is safe for concurrent use.
type Gate struct {
	v         Verifier
	log       *slog.Logger
	challenge string
	strip     []string
	fixed     any // a NoneVerifier's Caller, boxed once: it never changes
}

// NewGate returns the Gate that lets a request through only if v verifies
// it, answering refusals as [Require] does. It panics if v is nil.
func NewGate(v Verifier, opts ...RequireOption) *Gate {
	if v == nil {
		panic("auth: NewGate with a nil Verifier")
	}
	cfg := requireConfig{}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.logger == nil {
		cfg.logger = slog.Default()
	}
	g := &Gate{v: v, log: cfg.logger, challenge: bearerChallenge}
	if s, ok := v.(scheme); ok {
		g.challenge, g.strip = s.challenge(), s.credentialHeaders()
	}
	if _, ok := v.(*NoneVerifier); ok {
		g.fixed = Caller{Mechanism: MechanismNone}
	}
	return g
}

// Admit verifies r's caller. If v verifies it, Admit returns ctx with the
// [Caller] in it (see [CallerFromContext]) and true; otherwise it answers
// on w, as [Require] describes, logs the refusal on ctx, and returns false.
func (g *Gate) Admit(ctx context.Context, w http.ResponseWriter, r *http.Request) (context.Context, bool) {
	c, err := g.v.Verify(ctx, r.Header)
	if err != nil {
		refuse(ctx, w, g.log, g.challenge, c, err)
		return ctx, false
	}
	if g.log.Enabled(ctx, slog.LevelDebug) {
		g.log.LogAttrs(ctx, slog.LevelDebug, "auth: caller verified", slog.Any("caller", c))
	}
	if g.fixed != nil {
		return context.WithValue(ctx, callerKey{}, g.fixed), true
	}
	return NewContext(ctx, c), true
}

// CredentialHeaders names the headers that carried the credential, which
// the handlers behind the Gate should not see: [Require] hands the next
// handler a copy of the request without them. Nil for a [Verifier] of
// another package.
func (g *Gate) CredentialHeaders() []string { return g.strip }

func refuse(ctx context.Context, w http.ResponseWriter, log *slog.Logger, challenge string, c Caller, err error) {
	status, body, level := http.StatusUnauthorized, bodyInvalid, slog.LevelWarn
	switch {
	case errors.Is(err, ErrNotAllowed):
		status, body = http.StatusForbidden, bodyNotAllowed
	case errors.Is(err, ErrUnavailable):
		status, body, level = http.StatusServiceUnavailable, bodyUnavailable, slog.LevelError
	case errors.Is(err, ErrNoCredentials):
		body = bodyMissing
	}
	attrs := []slog.Attr{
		slog.Int("status", status),
		slog.String("reason", err.Error()),
	}
	if status == http.StatusForbidden && c.Email != "" {
		attrs = append(attrs, slog.String("caller_email", c.Email))
	}
	log.LogAttrs(ctx, level, "auth: request refused", attrs...)

	hdr := w.Header()
	if status == http.StatusUnauthorized {
		hdr.Set("WWW-Authenticate", challenge)
	}
	hdr.Set("Content-Type", "application/json")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// Bodies are constants: the caller's input never reaches them.
const (
	bodyMissing     = `{"code":"unauthenticated","message":"credentials required"}` + "\n"
	bodyInvalid     = `{"code":"unauthenticated","message":"invalid credentials"}` + "\n"
	bodyNotAllowed  = `{"code":"permission_denied","message":"caller not allowed"}` + "\n"
	bodyUnavailable = `{"code":"unavailable","message":"cannot verify credentials now, retry"}` + "\n"
)
