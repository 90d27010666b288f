package auth

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"google.golang.org/api/idtoken"
)

// IDTokenVerifier verifies Google ID tokens end to end, signature included,
// for functions that allow unauthenticated invocation: there the token
// arrives intact and nothing else checked it.
//
// It refuses malformed tokens before any cryptography (a header over
// 16 KiB, two Authorization headers, anything but three strict base64url
// segments, an alg other than RS256, a header without kid), and refuses a
// token whose signature Cloud Run removed: that means the function sits
// behind IAM and should use [PlatformVerifier]. It then checks aud against
// the configured audiences, iss against accounts.google.com, exp, iat and
// nbf within the clock skew, and email_verified; has
// google.golang.org/api/idtoken verify the RS256 signature against Google's
// published keys (and exp against the wall clock, without skew); and last
// checks the email against the allow-list. Everything up to the signature
// is ErrInvalidCredentials; an email off the list is ErrNotAllowed; keys
// that cannot be fetched are ErrUnavailable.
//
// An IDTokenVerifier caches Google's keys as long as their Cache-Control
// allows, and is safe for concurrent use.
type IDTokenVerifier struct {
	policy    claimPolicy
	validator *idtoken.Validator
}

// NewIDTokenVerifier returns an IDTokenVerifier that accepts tokens whose
// aud is one of audiences (the function's URLs, with and without path) and
// whose email is on allow. Empty audiences or an empty allow-list are an
// error. It takes [WithClock], [WithClockSkew] and [WithHTTPClient].
func NewIDTokenVerifier(audiences []string, allow AllowList, opts ...Option) (*IDTokenVerifier, error) {
	p, o, err := newClaimPolicy(audiences, allow, opts)
	if err != nil {
		return nil, err
	}
	client := http.Client{Timeout: 5 * time.Second}
	if o.client != nil {
		client = *o.client
	}
	base := client.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	client.Transport = keySetTransport{base}
	val, err := idtoken.NewValidator(context.Background(), idtoken.WithHTTPClient(&client))
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	return &IDTokenVerifier{policy: p, validator: val}, nil
}

// Verify implements [Verifier]. ctx bounds the fetch of Google's keys.
func (v *IDTokenVerifier) Verify(ctx context.Context, h http.Header) (Caller, error) {
	raw, err := bearerToken(h, "Authorization")
	if err != nil {
		return Caller{}, err
	}
	t, err := parseToken(raw)
	if err != nil {
		return Caller{}, err
	}
	if t.signatureRemoved {
		return Caller{}, invalid("token signature was removed by Cloud Run IAM: " +
			"this function is IAM-protected, so use CXHOOK_AUTH=platform")
	}
	if err := v.policy.check(t.claims); err != nil {
		return Caller{}, err
	}
	// aud is one of ours (checked above); idtoken compares it again.
	if _, err := v.validator.Validate(ctx, raw, t.claims.Audience); err != nil {
		return Caller{}, signatureError(err)
	}
	return v.policy.caller(t.claims, MechanismIDToken)
}

func (v *IDTokenVerifier) challenge() string { return bearerChallenge }

func (v *IDTokenVerifier) credentialHeaders() []string {
	return []string{"Authorization", "X-Serverless-Authorization"}
}

// errKeySetUnavailable marks failures to fetch Google's keys, so that they
// can be told from a bad token through idtoken's string errors.
var errKeySetUnavailable = errors.New("cannot fetch Google's signing keys")

// signatureError maps an idtoken error. idtoken's errors are plain strings,
// some quoting claim values, so only the typed ones are wrapped.
func signatureError(err error) error {
	switch {
	case errors.Is(err, errKeySetUnavailable):
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	case errors.Is(err, rsa.ErrVerification):
		return fmt.Errorf("%w: token signature does not verify: %w", ErrInvalidCredentials, err)
	}
	return invalid("idtoken refused the token: unknown key id, or expired by the wall clock")
}

// keySetTransport turns transport failures and non-200 answers from the key
// endpoint into errors wrapping errKeySetUnavailable.
type keySetTransport struct{ base http.RoundTripper }

func (t keySetTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errKeySetUnavailable, err)
	}
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
		return nil, fmt.Errorf("%w: status %d", errKeySetUnavailable, resp.StatusCode)
	}
	return resp, nil
}
