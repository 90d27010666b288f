package auth

import (
	"context"
	"net/http"
)

// PlatformVerifier checks the Google ID token that Cloud Run forwards after
// its own IAM check, for functions deployed with --no-allow-unauthenticated
// (the recommended deployment).
//
// Cloud Run verifies the token's signature, expiry and audience and the
// caller's roles/run.invoker permission, then hands the token on with its
// signature replaced by SIGNATURE_REMOVED_BY_GOOGLE. PlatformVerifier
// cannot check a signature that is gone: it trusts that Cloud Run did, and
// checks the claims again as a second gate (audience, issuer, exp, iat and
// nbf within the clock skew, email_verified, and the email against the
// allow-list), so that an invoker grant wider than the agents' service
// agents does not open the webhook.
//
// That trust only holds if every request passed Cloud Run IAM. On a public
// service (--allow-unauthenticated, allUsers invoker) anyone can forge such
// a token in a line of shell, so never use PlatformVerifier there. To make
// that mistake visible, a token that still has a signature (which is what a
// public service receives) is refused with ErrInvalidCredentials.
//
// When the request has an X-Serverless-Authorization header, Cloud Run
// checked that header instead of Authorization and passed Authorization on
// untouched; PlatformVerifier then reads only X-Serverless-Authorization.
//
// A PlatformVerifier is safe for concurrent use.
type PlatformVerifier struct {
	policy claimPolicy
}

// NewPlatformVerifier returns a PlatformVerifier that accepts tokens whose
// aud is one of audiences (the function's URLs, as Cloud Run accepts them)
// and whose email is on allow. Empty audiences or an empty allow-list are
// an error. It takes [WithClock] and [WithClockSkew].
func NewPlatformVerifier(audiences []string, allow AllowList, opts ...Option) (*PlatformVerifier, error) {
	p, _, err := newClaimPolicy(audiences, allow, opts)
	if err != nil {
		return nil, err
	}
	return &PlatformVerifier{policy: p}, nil
}

// Verify implements [Verifier].
func (v *PlatformVerifier) Verify(_ context.Context, h http.Header) (Caller, error) {
	name := "Authorization"
	if len(h.Values("X-Serverless-Authorization")) > 0 {
		name = "X-Serverless-Authorization"
	}
	raw, err := bearerToken(h, name)
	if err != nil {
		return Caller{}, err
	}
	t, err := parseToken(raw)
	if err != nil {
		return Caller{}, err
	}
	if !t.signatureRemoved {
		return Caller{}, invalid("token still has its signature, so Cloud Run IAM did not check it: " +
			"platform mode needs --no-allow-unauthenticated (or use CXHOOK_AUTH=idtoken on a public service)")
	}
	if err := v.policy.check(t.claims); err != nil {
		return Caller{}, err
	}
	return v.policy.caller(t.claims, MechanismPlatform)
}

func (v *PlatformVerifier) challenge() string { return bearerChallenge }

func (v *PlatformVerifier) credentialHeaders() []string {
	return []string{"Authorization", "X-Serverless-Authorization"}
}
