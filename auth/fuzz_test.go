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
