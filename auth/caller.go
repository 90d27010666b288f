package auth

import (
	"context"
	"log/slog"
	"time"
)

// Mechanism says how a [Caller] was verified. Its String form is the value
// of CXHOOK_AUTH that selects it.
type Mechanism int

const (
	// MechanismNone means nobody was verified: the caller check is off.
	// It is the zero value, so a zero Caller claims nothing.
	MechanismNone Mechanism = iota
	// MechanismPlatform means Cloud Run IAM verified a Google ID token and
	// cxhook checked its claims (see [PlatformVerifier]).
	MechanismPlatform
	// MechanismIDToken means cxhook verified a Google ID token, signature
	// included (see [IDTokenVerifier]).
	MechanismIDToken
	// MechanismBasic means an HTTP Basic username and password matched
	// (see [BasicVerifier]).
	MechanismBasic
	// MechanismHeader means a static header value (API key) matched
	// (see [HeaderVerifier]).
	MechanismHeader
)

// String returns "none", "platform", "idtoken", "basic" or "header".
func (m Mechanism) String() string {
	switch m {
	case MechanismNone:
		return "none"
	case MechanismPlatform:
		return "platform"
	case MechanismIDToken:
		return "idtoken"
	case MechanismBasic:
		return "basic"
	case MechanismHeader:
		return "header"
	}
	return "unknown"
}

// Caller is a verified caller. Which fields are set depends on Mechanism:
// token mechanisms set Email, Subject, Issuer, Audience and Expiry; Basic
// sets Username; Header sets Header. A Caller holds no secret.
type Caller struct {
	Mechanism Mechanism
	Email     string    // token email claim, lower-cased
	Subject   string    // token sub claim: the account's numeric unique ID
	Issuer    string    // token iss claim
	Audience  string    // token aud claim, one of the configured audiences
	Expiry    time.Time // token exp claim
	Username  string    // HTTP Basic username
	Header    string    // canonical name of the header that carried the key
}

// LogValue groups the fields that are set, for slog.
func (c Caller) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("mechanism", c.Mechanism.String())}
	add := func(k, v string) {
		if v != "" {
			attrs = append(attrs, slog.String(k, v))
		}
	}
	add("email", c.Email)
	add("subject", c.Subject)
	add("audience", c.Audience)
	add("username", c.Username)
	add("header", c.Header)
	return slog.GroupValue(attrs...)
}

type callerKey struct{}

// NewContext returns a copy of ctx that carries c. [Require] calls it for
// every request it lets through.
func NewContext(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFromContext returns the Caller that [NewContext] stored in ctx, and
// whether there was one. Behind [Require] it is always there; with the check
// off its Mechanism is [MechanismNone].
func CallerFromContext(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}
