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
	// certsURL is where IDTokenVerifier fetches keys; empty means
	// googleCertsURL. Only this package's tests set it (withCertsURL): an
	// exported option would let a misconfiguration trust anyone's keys.
	certsURL string
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
// against, and that [IDTokenVerifier] times its cache of Google's keys
// with. The default, and what nil means, is time.Now.
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
// http.DefaultTransport; nil means the default. Whatever the client, a
// fetch is abandoned after 10 seconds.
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) { o.client = c }
}

// withCertsURL sets where [IDTokenVerifier] fetches Google's keys. For this
// package's tests; see options.certsURL.
func withCertsURL(url string) Option {
	return func(o *options) { o.certsURL = url }
}
