package auth

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cxhook/cxhook/auth/authtest"
)

// FuzzPlatformVerify feeds arbitrary Authorization values to the claims
// path shared by both token verifiers. It must never panic, and whatever
// it accepts must be a removed-signature token for our audience.
func FuzzPlatformVerify(f *testing.F) {
	const aud = "https://webhook-abc123-ew.a.run.app"
	iss := authtest.NewIssuer(f)
	claims := authtest.ServiceAgentClaims("123456789012", aud)
	for _, seed := range []string{
		"Bearer " + iss.PlatformToken(f, claims),
		"Bearer " + iss.Token(f, claims),
		"Bearer " + iss.PlatformToken(f, claims.With("email_verified", "false")),
		"Bearer " + iss.PlatformToken(f, claims.With("aud", []string{aud})),
		"Bearer a.b.c", "Bearer ..", "Basic Zm9vOmJhcg==", "Bearer ya29.x", "",
	} {
		f.Add(seed)
	}
	allow, err := NewAllowList([]string{"123456789012"}, nil)
	if err != nil {
		f.Fatal(err)
	}
	issued := time.Unix(claims["iat"].(int64), 0)
	v, err := NewPlatformVerifier([]string{aud}, allow, WithClock(func() time.Time { return issued }))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, authz string) {
		c, err := v.Verify(t.Context(), http.Header{"Authorization": {authz}})
		if err != nil {
			return
		}
		if !strings.HasSuffix(authz, "."+signatureRemoved) || c.Audience != aud || c.Mechanism != MechanismPlatform {
			t.Fatalf("accepted %q as %+v", authz, c)
		}
	})
}

// FuzzParseToken checks the invariants the signature check relies on: a
// parsed token names a kid, signs exactly its first two segments, and
// carries a decoded signature unless Cloud Run removed it. With the
// Issuer's keys, whatever the ID-token path accepts must verify under them
// (the fuzzer cannot forge), be for our audience, and pass the claims.
func FuzzParseToken(f *testing.F) {
	const aud = "https://webhook-abc123-ew.a.run.app"
	iss := authtest.NewIssuer(f)
	claims := authtest.ServiceAgentClaims("123456789012", aud)
	good := iss.Token(f, claims)
	for _, seed := range []string{
		good,
		iss.PlatformToken(f, claims),
		iss.TokenWithHeader(f, map[string]any{"alg": "RS256", "kid": "other"}, claims),
		good[:len(good)-4],
		"a.b.c", "..", "e30.e30.e30", "eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ.e30.AA",
	} {
		f.Add(seed)
	}
	allow, err := NewAllowList([]string{"123456789012"}, nil)
	if err != nil {
		f.Fatal(err)
	}
	issued := time.Unix(claims["iat"].(int64), 0)
	v, err := NewIDTokenVerifier([]string{aud}, allow,
		WithHTTPClient(iss.HTTPClient()), WithClock(func() time.Time { return issued }))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := parseToken(raw)
		if err != nil {
			return
		}
		if tok.kid == "" {
			t.Fatalf("parsed %q without a kid", raw)
		}
		if !strings.HasPrefix(raw, tok.signingInput+".") || strings.Count(tok.signingInput, ".") != 1 {
			t.Fatalf("signing input %q of %q", tok.signingInput, raw)
		}
		if !tok.signatureRemoved && tok.signature == nil {
			t.Fatalf("no signature decoded from %q", raw)
		}
		c, err := v.Verify(t.Context(), http.Header{"Authorization": {"Bearer " + raw}})
		if err != nil {
			return
		}
		if tok.kid != iss.KeyID() || c.Audience != aud || c.Mechanism != MechanismIDToken {
			t.Fatalf("accepted %q as %+v", raw, c)
		}
	})
}
