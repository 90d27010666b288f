package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// MinSecretLen is the shortest password or header value the Basic and
// Header verifiers accept. Use random values, for example
// `openssl rand -base64 32`.
const MinSecretLen = 16

const redacted = "[REDACTED]"

// Secret is a password or key. It formats, logs and marshals as
// "[REDACTED]", so printing or logging a configuration that holds one
// cannot leak it. Convert it with string(s) where the value is needed.
type Secret string

// String returns "[REDACTED]".
func (Secret) String() string { return redacted }

// GoString returns "[REDACTED]", for %#v.
func (Secret) GoString() string { return redacted }

// LogValue returns "[REDACTED]".
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText returns "[REDACTED]", so JSON shows no secret either.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// BasicCredential is one accepted HTTP Basic username and password:
// Dialogflow's username/password, or the "username:password" held by the
// Secret Manager version of secretVersionForUsernamePassword.
type BasicCredential struct {
	Username string
	Password Secret
}

// secretDigest is what accepted and presented secrets are compared by:
// equal-length digests, so the comparison time does not depend on where
// or whether the values differ, nor on their lengths.
type secretDigest [sha256.Size]byte

func digest(s string) secretDigest { return sha256.Sum256([]byte(s)) }

func digestEqual(a, b secretDigest) int { return subtle.ConstantTimeCompare(a[:], b[:]) }

// BasicVerifier checks "Authorization: Basic ..." against one or more
// accepted credentials, so that a credential can be rotated without
// downtime: accept both, switch the agent, drop the old one. Every accepted
// credential is compared, in constant time, whatever matches. A wrong or
// missing credential is ErrInvalidCredentials or ErrNoCredentials (401); a
// BasicVerifier never answers 403. It is safe for concurrent use.
type BasicVerifier struct {
	accepted [][2]secretDigest // username, password
}

// NewBasicVerifier returns a BasicVerifier accepting creds. It is an error
// if creds is empty, a username is empty or holds a colon, a password is
// shorter than [MinSecretLen], or either holds a control character (which
// RFC 7617 forbids, and which is how a stray newline from a secret file
// shows up).
func NewBasicVerifier(creds []BasicCredential) (*BasicVerifier, error) {
	if len(creds) == 0 {
		return nil, fmt.Errorf("auth: no Basic credentials")
	}
	v := &BasicVerifier{}
	for i, c := range creds {
		if err := c.check(); err != nil {
			return nil, fmt.Errorf("auth: Basic credential %d: %w", i+1, err)
		}
		v.accepted = append(v.accepted, [2]secretDigest{digest(c.Username), digest(string(c.Password))})
	}
	return v, nil
}

// check returns what is wrong with c, without quoting it.
func (c BasicCredential) check() error {
	switch {
	case c.Username == "" || strings.Contains(c.Username, ":"):
		return errors.New("username is empty or holds a colon")
	case len(c.Password) < MinSecretLen:
		return fmt.Errorf("password is shorter than %d bytes", MinSecretLen)
	case hasControl(c.Username) || hasControl(string(c.Password)):
		return errors.New("control character (a trailing newline?)")
	}
	return nil
}

// Verify implements [Verifier].
func (v *BasicVerifier) Verify(_ context.Context, h http.Header) (Caller, error) {
	hv, err := singleHeader(h, "Authorization")
	if err != nil {
		return Caller{}, err
	}
	enc, err := schemeCredential(hv, "Basic")
	if err != nil {
		return Caller{}, err
	}
	dec, err := base64.StdEncoding.Strict().DecodeString(enc)
	if err != nil {
		return Caller{}, invalid("Basic credential is not base64")
	}
	user, pass, ok := strings.Cut(string(dec), ":")
	if !ok {
		return Caller{}, invalid("Basic credential has no colon")
	}
	du, dp := digest(user), digest(pass)
	match := 0
	for _, a := range v.accepted {
		match |= digestEqual(du, a[0]) & digestEqual(dp, a[1])
	}
	if match != 1 {
		return Caller{}, invalid("wrong Basic username or password")
	}
	return Caller{Mechanism: MechanismBasic, Username: user}, nil
}

func (v *BasicVerifier) challenge() string { return `Basic realm="cxhook", charset="UTF-8"` }

func (v *BasicVerifier) credentialHeaders() []string { return []string{"Authorization"} }

// HeaderVerifier checks a static header, such as the API key Dialogflow
// sends from the webhook's requestHeaders or secretVersionsForRequestHeaders,
// against one or more accepted values, so that a key can be rotated without
// downtime. The header name matches case-insensitively, as HTTP names do;
// the value must match byte for byte. Every accepted value is compared, in
// constant time, whatever matches. A wrong or missing value is
// ErrInvalidCredentials or ErrNoCredentials (401). It is safe for
// concurrent use.
type HeaderVerifier struct {
	name     string
	accepted []secretDigest
}

// NewHeaderVerifier returns a HeaderVerifier for the named header accepting
// values. It is an error if the name is not an HTTP token, if values is
// empty, or if a value is shorter than [MinSecretLen], holds a control
// character or starts or ends with a space or tab (HTTP strips those, so
// such a value could never match).
func NewHeaderVerifier(name string, values []Secret) (*HeaderVerifier, error) {
	if !isHeaderName(name) {
		return nil, fmt.Errorf("auth: %q is not a valid header name", name)
	}
	if len(values) == 0 {
		return nil, fmt.Errorf("auth: no accepted values for header %s", name)
	}
	v := &HeaderVerifier{name: http.CanonicalHeaderKey(name)}
	for i, s := range values {
		if err := checkHeaderValue(s); err != nil {
			return nil, fmt.Errorf("auth: header value %d: %w", i+1, err)
		}
		v.accepted = append(v.accepted, digest(string(s)))
	}
	return v, nil
}

// checkHeaderValue returns what is wrong with s, without quoting it.
func checkHeaderValue(s Secret) error {
	switch {
	case len(s) < MinSecretLen:
		return fmt.Errorf("shorter than %d bytes", MinSecretLen)
	case hasControl(string(s)):
		return errors.New("control character (a trailing newline?)")
	case strings.Trim(string(s), " \t") != string(s):
		return errors.New("leading or trailing space or tab, which HTTP strips, so it could never match")
	}
	return nil
}

// Verify implements [Verifier].
func (v *HeaderVerifier) Verify(_ context.Context, h http.Header) (Caller, error) {
	got, err := singleHeader(h, v.name)
	if err != nil {
		return Caller{}, err
	}
	d := digest(got)
	match := 0
	for _, a := range v.accepted {
		match |= digestEqual(d, a)
	}
	if match != 1 {
		return Caller{}, invalid("wrong " + v.name + " value")
	}
	return Caller{Mechanism: MechanismHeader, Header: v.name}, nil
}

// The API-key scheme has no registered HTTP challenge; this one names
// neither the header nor the scheme's details.
func (v *HeaderVerifier) challenge() string { return `APIKey realm="cxhook"` }

func (v *HeaderVerifier) credentialHeaders() []string { return []string{v.name} }

// hasControl reports whether s holds an ASCII control character (tab
// excepted) or DEL.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' && s[i] != '\t' || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// isHeaderName reports whether s is an RFC 9110 token.
func isHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}
