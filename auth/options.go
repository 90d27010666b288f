package auth

import (
	"fmt"
	"net/http"
	"time"
)

// DefaultClockSkew is the clock skew token verifiers tolerate unless
// [WithClockSkew] says otherwise. MaxClockSkew is the most they accept.
const (
	DefaultClockSkew = 30 * time.Second
	MaxClockSkew     = 5 * time.Minute
)

// An Option configures [NewIDTokenVerifier], [NewPlatformVerifier] and
// [FromEnv]. Options that do not apply to a verifier are ignored by it.
type Option func(*options)

type options struct {
	now    func() time.Time
	skew   time.Duration
	client *http.Client
}

func newOptions(opts []Option) (options, error) {
	o := options{now: time.Now, skew: DefaultClockSkew}
	for _, opt := range opts {
		opt(&o)
	}
	if o.skew < 0 || o.skew > MaxClockSkew {
		return o, fmt.Errorf("auth: clock skew %v is outside [0, %v]", o.skew, MaxClockSkew)
	}
	return o, nil
}

// WithClock sets the clock that token verifiers check exp, iat and nbf
// against. The default, and what nil means, is time.Now.
//
// [IDTokenVerifier] also lets google.golang.org/api/idtoken check exp against
// the wall clock, which this option cannot move.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now == nil {
			now = time.Now
		}
		o.now = now
	}
}

// WithClockSkew sets how far the clock may be off: a token is accepted up to
// d after its exp, and d before its iat or nbf. The default is
// [DefaultClockSkew]; constructors reject a negative d or one above
// [MaxClockSkew].
func WithClockSkew(d time.Duration) Option {
	return func(o *options) { o.skew = d }
}

// WithHTTPClient sets the client [IDTokenVerifier] fetches Google's signing
// keys with (https://www.googleapis.com/oauth2/v3/certs). Tests pass the
// client of an authtest.Issuer, which serves its own keys without a network.
// The default is a client with a 5-second timeout over
// http.DefaultTransport; nil means the default.
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) { o.client = c }
}
