package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/cxhook/cxhook/auth/authtest"
	"google.golang.org/api/idtoken"
)

// TestSignatureCheckAgreesWithIDToken compares our signature check with
// google.golang.org/api/idtoken, which the function no longer links but
// tests keep as the reference. Both see the same keys (the Issuer's) and
// are compared on what idtoken checks: signature, aud and exp (against the
// wall clock, without skew).
func TestSignatureCheckAgreesWithIDToken(t *testing.T) {
	t.Parallel()
	const aud = "https://webhook-abc123-ew.a.run.app"
	iss := authtest.NewIssuer(t)
	other := authtest.NewIssuer(t)
	agent := authtest.ServiceAgentClaims("123456789012", aud)
	now := time.Now()
	good := iss.Token(t, agent)
	parts := strings.Split(good, ".")
	enc := base64.RawURLEncoding.EncodeToString

	flipped := []byte(parts[2])
	if flipped[10] == 'A' {
		flipped[10] = 'B'
	} else {
		flipped[10] = 'A'
	}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sig[len(sig)-1] ^= 1
	intruderPayload := strings.Split(iss.Token(t, authtest.AccountClaims("intruder@demo.iam.gserviceaccount.com", aud)), ".")[1]
	hsInput := enc([]byte(`{"alg":"HS256","kid":"`+iss.KeyID()+`"}`)) + "." + parts[1]
	mac := hmac.New(sha256.New, iss.PublicKey().N.Bytes())
	mac.Write([]byte(hsInput))

	tokens := map[string]string{
		"valid":                    good,
		"valid, another account":   iss.Token(t, authtest.AccountClaims("smoke@demo.iam.gserviceaccount.com", aud)),
		"valid, iat in the future": iss.Token(t, agent.With("iat", now.Add(10*time.Minute).Unix())),
		"valid, no email":          iss.Token(t, agent.With("email", nil)),
		"wrong key, same kid":      other.TokenWithHeader(t, iss.Header(), agent),
		"wrong key, its own kid":   other.Token(t, agent),
		"unknown kid":              iss.TokenWithHeader(t, map[string]any{"alg": "RS256", "kid": "no-such-key"}, agent),
		"no kid":                   iss.TokenWithHeader(t, map[string]any{"alg": "RS256"}, agent),
		"expired an hour ago":      iss.Token(t, agent.With("iat", now.Add(-2*time.Hour).Unix()).With("exp", now.Add(-time.Hour).Unix())),
		"expired two minutes ago":  iss.Token(t, agent.With("iat", now.Add(-time.Hour).Unix()).With("exp", now.Add(-2*time.Minute).Unix())),
		"no exp":                   iss.Token(t, agent.With("exp", nil)),
		"wrong audience":           iss.Token(t, agent.With("aud", "https://other.a.run.app")),
		"tampered payload":         parts[0] + "." + intruderPayload + "." + parts[2],
		"tampered signature char":  parts[0] + "." + parts[1] + "." + string(flipped),
		"tampered signature bit":   parts[0] + "." + parts[1] + "." + enc(sig),
		"truncated signature":      good[:len(good)-10],
		"signature removed":        iss.PlatformToken(t, agent),
		"alg none, signed":         enc([]byte(`{"alg":"none","kid":"`+iss.KeyID()+`"}`)) + "." + parts[1] + "." + parts[2],
		"alg none, fake signature": authtest.Encode(t, map[string]any{"alg": "none", "kid": iss.KeyID()}, agent, []byte("sig")),
		"HS256 keyed with n":       hsInput + "." + enc(mac.Sum(nil)),
		"RS512 header":             iss.TokenWithHeader(t, map[string]any{"alg": "RS512", "kid": iss.KeyID()}, agent),
		"ES256 header":             iss.TokenWithHeader(t, map[string]any{"alg": "ES256", "kid": iss.KeyID()}, agent),
	}

	ref, err := idtoken.NewValidator(t.Context(), idtoken.WithHTTPClient(iss.HTTPClient()))
	if err != nil {
		t.Fatal(err)
	}
	allow, err := NewAllowList([]string{"123456789012"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewIDTokenVerifier([]string{aud}, allow, WithHTTPClient(iss.HTTPClient()), WithClockSkew(0))
	if err != nil {
		t.Fatal(err)
	}
	// ours checks what idtoken checks, with our code: the parse, aud,
	// exp (no skew) and the signature.
	ours := func(raw string) error {
		tok, err := parseToken(raw)
		if err != nil {
			return err
		}
		if tok.signatureRemoved {
			return invalid("signature removed")
		}
		if tok.claims.Audience != aud {
			return invalid("aud")
		}
		if tok.claims.Expires == nil || time.Now().After(time.Unix(*tok.claims.Expires, 0)) {
			return invalid("exp")
		}
		return v.verifySignature(t.Context(), tok)
	}
	accepted := 0
	for name, raw := range tokens {
		_, refErr := ref.Validate(t.Context(), raw, aud)
		ourErr := ours(raw)
		if (refErr == nil) != (ourErr == nil) {
			t.Errorf("%s: idtoken says %v, we say %v", name, refErr, ourErr)
		}
		if ourErr == nil {
			accepted++
		}
	}
	if accepted != 4 {
		t.Errorf("%d tokens accepted, want the 4 valid ones", accepted)
	}
}
