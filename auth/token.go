package auth

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// maxCredentialBytes caps the size of a credential header. Google ID tokens
// are about 1 KiB; anything near this cap is an attack or a mistake, and is
// refused before any decoding.
const maxCredentialBytes = 16 << 10

// signatureRemoved is what Cloud Run puts in place of a token's signature
// once its IAM check has verified it.
const signatureRemoved = "SIGNATURE_REMOVED_BY_GOOGLE"

// googleIssuers are the iss values of Google ID tokens.
var googleIssuers = []string{"accounts.google.com", "https://accounts.google.com"}

var b64url = base64.RawURLEncoding.Strict()

// singleHeader returns the one value of the named header. No header is
// ErrNoCredentials; two or more, or one over maxCredentialBytes, is
// ErrInvalidCredentials.
func singleHeader(h http.Header, name string) (string, error) {
	vals := h.Values(name)
	switch {
	case len(vals) == 0 || len(vals) == 1 && vals[0] == "":
		return "", noCredentials("no " + name + " header")
	case len(vals) > 1:
		return "", invalid("more than one " + name + " header")
	case len(vals[0]) > maxCredentialBytes:
		return "", invalid(name + " header exceeds 16 KiB")
	}
	return vals[0], nil
}

// schemeCredential splits "Scheme credential", matching the scheme
// case-insensitively as HTTP does.
func schemeCredential(v, scheme string) (string, error) {
	s, cred, ok := strings.Cut(v, " ")
	if !ok || !strings.EqualFold(s, scheme) {
		return "", invalid("not a " + scheme + " credential")
	}
	if cred == "" {
		return "", invalid("empty " + scheme + " credential")
	}
	return cred, nil
}

// bearerToken returns the token of "Authorization: Bearer <token>" (or of
// another header carrying the same form).
func bearerToken(h http.Header, name string) (string, error) {
	v, err := singleHeader(h, name)
	if err != nil {
		return "", err
	}
	return schemeCredential(v, "Bearer")
}

// token is a compact JWS whose header and claims decoded, not yet verified.
type token struct {
	claims           claims
	signatureRemoved bool
	kid              string // the header's key id, never empty
	signingInput     string // header.claims, what the signature covers
	signature        []byte // nil if signatureRemoved
}

type claims struct {
	Issuer        string `json:"iss"`
	Audience      string `json:"aud"`
	Subject       string `json:"sub"`
	Email         string `json:"email"`
	EmailVerified any    `json:"email_verified"`
	Expires       *int64 `json:"exp"`
	IssuedAt      *int64 `json:"iat"`
	NotBefore     *int64 `json:"nbf"`
}

// parseToken refuses anything that is not an RS256 JWT made of three
// strict base64url segments with a JSON header and claims. It decodes the
// claims without checking the signature. Its errors never quote the token:
// JSON errors may quote input, so they are not wrapped.
func parseToken(raw string) (*token, error) {
	if strings.HasPrefix(raw, "ya29.") {
		return nil, invalid("token is a Google OAuth access token, not an ID token: " +
			"Dialogflow sends those for serviceAccountAuthConfig and serviceAgentAuth ACCESS_TOKEN; " +
			"configure the webhook's serviceAgentAuth as ID_TOKEN")
	}
	for i := 0; i < len(raw); i++ {
		if !isTokenByte(raw[i]) {
			return nil, invalid("token has characters outside base64url")
		}
	}
	seg := strings.Split(raw, ".")
	if len(seg) != 3 {
		return nil, invalid(fmt.Sprintf("token has %d segments, want 3", len(seg)))
	}
	if slices.Contains(seg, "") {
		return nil, invalid("token has an empty segment")
	}
	hb, err := b64url.DecodeString(seg[0])
	if err != nil {
		return nil, invalid("token header is not base64url")
	}
	var hdr struct {
		Alg  string          `json:"alg"`
		Kid  string          `json:"kid"`
		Crit json.RawMessage `json:"crit"`
	}
	if err := json.Unmarshal(hb, &hdr); err != nil {
		return nil, invalid("token header is not a JSON object")
	}
	if hdr.Alg != "RS256" {
		return nil, invalid("token algorithm is not RS256")
	}
	if hdr.Kid == "" {
		return nil, invalid("token header has no key id")
	}
	if hdr.Crit != nil {
		return nil, invalid("token header has critical extensions")
	}
	cb, err := b64url.DecodeString(seg[1])
	if err != nil {
		return nil, invalid("token claims are not base64url")
	}
	t := &token{
		signatureRemoved: seg[2] == signatureRemoved,
		kid:              hdr.Kid,
		signingInput:     raw[:len(seg[0])+1+len(seg[1])],
	}
	if err := json.Unmarshal(cb, &t.claims); err != nil {
		return nil, invalid("token claims are not a JSON object of the expected types")
	}
	if !t.signatureRemoved {
		if t.signature, err = b64url.DecodeString(seg[2]); err != nil {
			return nil, invalid("token signature is not base64url")
		}
	}
	return t, nil
}

func isTokenByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.'
}

// claimPolicy holds the checks both token verifiers make on top of whatever
// verified the signature.
type claimPolicy struct {
	audiences []string
	allow     AllowList
	now       func() time.Time
	skew      time.Duration
}

// newClaimPolicy applies opts and checks the policy's inputs; it is where
// both token verifier constructors start.
func newClaimPolicy(audiences []string, allow AllowList, opts []Option) (claimPolicy, options, error) {
	o, err := newOptions(opts)
	if err != nil {
		return claimPolicy{}, o, err
	}
	if len(audiences) == 0 {
		return claimPolicy{}, o, fmt.Errorf("auth: no audiences: name the function's URLs that callers mint tokens for")
	}
	for _, a := range audiences {
		if !isPrintableNoSpace(a) {
			return claimPolicy{}, o, fmt.Errorf("auth: audience %q is empty or has spaces or control characters", a)
		}
	}
	if len(allow.emails) == 0 {
		return claimPolicy{}, o, fmt.Errorf("auth: empty allow-list: build one with NewAllowList")
	}
	return claimPolicy{audiences: slices.Clone(audiences), allow: allow, now: o.now, skew: o.skew}, o, nil
}

// check verifies audience, issuer, time and email_verified: everything but
// the signature and the allow-list. Failures are ErrInvalidCredentials.
func (p claimPolicy) check(c claims) error {
	if !slices.Contains(p.audiences, c.Audience) {
		return invalid("token audience is not one of the configured audiences")
	}
	if !slices.Contains(googleIssuers, c.Issuer) {
		return invalid("token issuer is not accounts.google.com")
	}
	if c.Expires == nil || c.IssuedAt == nil {
		return invalid("token lacks exp or iat")
	}
	now := p.now()
	exp, iat := time.Unix(*c.Expires, 0), time.Unix(*c.IssuedAt, 0)
	switch {
	case !exp.After(iat):
		return invalid("token expires before it is issued")
	case now.After(exp.Add(p.skew)):
		return invalid("token expired")
	case iat.After(now.Add(p.skew)):
		return invalid("token issued in the future")
	case c.NotBefore != nil && time.Unix(*c.NotBefore, 0).After(now.Add(p.skew)):
		return invalid("token not valid yet (nbf)")
	}
	// Google has sent email_verified both as a boolean and as a string.
	switch c.EmailVerified {
	case nil, true, "true":
	case false, "false":
		return invalid("token email is not verified")
	default:
		return invalid("token email_verified is neither a boolean nor absent")
	}
	return nil
}

// caller returns the Caller the claims describe, and ErrNotAllowed if its
// email is not on the allow-list.
func (p claimPolicy) caller(c claims, m Mechanism) (Caller, error) {
	who := Caller{
		Mechanism: m,
		Email:     strings.ToLower(c.Email),
		Subject:   c.Subject,
		Issuer:    c.Issuer,
		Audience:  c.Audience,
		Expiry:    time.Unix(*c.Expires, 0),
	}
	if c.Email == "" {
		return who, fmt.Errorf("%w: token has no email claim", ErrNotAllowed)
	}
	if !p.allow.Contains(c.Email) {
		return who, fmt.Errorf("%w: email is not in the allow-list", ErrNotAllowed)
	}
	return who, nil
}
