package auth

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"time"
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
// nbf within the clock skew, and email_verified; verifies the RS256
// signature (PKCS #1 v1.5 over SHA-256) with Google's published key of the
// token's kid; and last checks the email against the allow-list.
// Everything up to the signature is ErrInvalidCredentials; an email off the
// list is ErrNotAllowed; keys that cannot be fetched are ErrUnavailable.
//
// The signature check uses the standard library only, not
// google.golang.org/api/idtoken: that package links gRPC and protobuf into
// the function, which more than doubles its binary and slows its cold
// start, while Dialogflow gives a webhook 5 seconds.
//
// An IDTokenVerifier fetches Google's keys from
// https://www.googleapis.com/oauth2/v3/certs when it first needs them and
// caches them as long as the answer's Cache-Control max-age (less its Age)
// says, at least a minute and at most a day, an hour if it says nothing. A
// token with a kid missing from the cached keys causes one refetch, at most
// every 30 seconds. Concurrent requests share a fetch, and a failed refetch
// keeps the cached keys while they are valid. It is safe for concurrent
// use.
type IDTokenVerifier struct {
	policy claimPolicy
	keys   *keySet
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
	client := o.client
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Second}
	}
	url := o.certsURL
	if url == "" {
		url = googleCertsURL
	}
	return &IDTokenVerifier{policy: p, keys: newKeySet(url, client, o.now)}, nil
}

// Verify implements [Verifier]. ctx bounds the wait for Google's keys.
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
	if err := v.verifySignature(ctx, t); err != nil {
		return Caller{}, err
	}
	return v.policy.caller(t.claims, MechanismIDToken)
}

// verifySignature checks t's RS256 signature with Google's key of t's kid.
func (v *IDTokenVerifier) verifySignature(ctx context.Context, t *token) error {
	key, err := v.keys.key(ctx, t.kid)
	if err != nil {
		return signatureError(err)
	}
	sum := sha256.Sum256([]byte(t.signingInput))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], t.signature); err != nil {
		return signatureError(err)
	}
	return nil
}

func (v *IDTokenVerifier) challenge() string { return bearerChallenge }

func (v *IDTokenVerifier) credentialHeaders() []string {
	return []string{"Authorization", "X-Serverless-Authorization"}
}

// signatureError maps a failure to check a signature. Its reasons never
// quote the token.
func signatureError(err error) error {
	switch {
	case errors.Is(err, errKeySetUnavailable):
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	case errors.Is(err, errUnknownKey):
		// "idtoken" is the mode; the wording predates our own check.
		return invalid("idtoken refused the token: " + err.Error())
	}
	return fmt.Errorf("%w: token signature does not verify: %w", ErrInvalidCredentials, rsa.ErrVerification)
}
