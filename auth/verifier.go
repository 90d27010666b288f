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
	if v == nil {
		panic("auth: Require with a nil Verifier")
	}
	cfg := requireConfig{}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.logger == nil {
		cfg.logger = slog.Default()
	}
	challenge, strip := bearerChallenge, []string(nil)
	if s, ok := v.(scheme); ok {
		challenge, strip = s.challenge(), s.credentialHeaders()
	}
	log := cfg.logger
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			c, err := v.Verify(ctx, r.Header)
			if err != nil {
				refuse(w, r, log, challenge, c, err)
				return
			}
			log.LogAttrs(ctx, slog.LevelDebug, "auth: caller verified", slog.Any("caller", c))
			if ctx = NewContext(ctx, c); len(strip) == 0 {
				r = r.WithContext(ctx)
			} else {
				r = r.Clone(ctx) // deep-copies the header, which is not ours to edit
				for _, h := range strip {
					r.Header.Del(h)
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

func refuse(w http.ResponseWriter, r *http.Request, log *slog.Logger, challenge string, c Caller, err error) {
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
	log.LogAttrs(r.Context(), level, "auth: request refused", attrs...)

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
