package authtest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/cxhook/cxhook/auth/authtest"
	"google.golang.org/api/idtoken"
)

const aud = "https://webhook-abc123-ew.a.run.app"

func TestTokensValidateWithIDToken(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	v, err := idtoken.NewValidator(t.Context(), idtoken.WithHTTPClient(iss.HTTPClient()))
	if err != nil {
		t.Fatal(err)
	}
	p, err := v.Validate(t.Context(), iss.Token(t, authtest.ServiceAgentClaims("123456789012", aud)), aud)
	if err != nil {
		t.Fatal(err)
	}
	if p.Issuer != "https://accounts.google.com" || p.Claims["email"] != "service-123456789012@gcp-sa-dialogflow.iam.gserviceaccount.com" ||
		p.Claims["email_verified"] != true || p.Subject == "" || p.Expires <= p.IssuedAt {
		t.Errorf("payload %+v", p)
	}
	other := authtest.NewIssuer(t)
	if _, err := v.Validate(t.Context(), other.Token(t, authtest.ServiceAgentClaims("1", aud)), aud); err == nil {
		t.Error("a token of another issuer validated")
	}
}

func TestPlatformTokenKeepsClaimsAndDropsSignature(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	c := authtest.ServiceAgentClaims("123456789012", aud)
	tok := iss.PlatformToken(t, c)
	if !strings.HasSuffix(tok, "."+authtest.SignatureRemoved) || strings.Count(tok, ".") != 2 {
		t.Fatalf("token %q", tok)
	}
	p, err := idtoken.ParsePayload(tok)
	if err != nil || p.Audience != aud {
		t.Errorf("payload %+v, %v", p, err)
	}
}

func TestHTTPClientStaysOffTheNetwork(t *testing.T) {
	t.Parallel()
	c := authtest.NewIssuer(t).HTTPClient()
	for _, url := range []string{"https://www.googleapis.com/oauth2/v1/certs", "https://example.com/", "http://127.0.0.1:1/"} {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
		if resp, err := c.Do(req); err == nil {
			resp.Body.Close()
			t.Errorf("GET %s answered", url)
		}
	}
}

func TestClaimsWithCopies(t *testing.T) {
	t.Parallel()
	c := authtest.Claims{"a": 1, "b": 2}
	d := c.With("a", 3).With("b", nil)
	if c["a"] != 1 || c["b"] != 2 || d["a"] != 3 || len(d) != 1 {
		t.Errorf("c = %v, d = %v", c, d)
	}
	if e := authtest.Claims(nil).With("x", true); e["x"] != true {
		t.Errorf("nil.With: %v", e)
	}
}
