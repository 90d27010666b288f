// Package authtest mints Google-style ID tokens with a key generated in the
// test, and serves that key where auth.IDTokenVerifier (and
// google.golang.org/api/idtoken) look for Google's, so that functions using
// [auth.IDTokenVerifier] can be tested end to end without a network, and
// those using [auth.PlatformVerifier] with the tokens Cloud Run forwards.
//
//	iss := authtest.NewIssuer(t)
//	v, err := auth.NewIDTokenVerifier([]string{aud}, allow, auth.WithHTTPClient(iss.HTTPClient()))
//	...
//	req.Header.Set("Authorization", "Bearer "+iss.Token(t, authtest.ServiceAgentClaims("123", aud)))
//
// Tokens carry real times, so claims are built from time.Now; a verifier
// with auth.WithClock checks them against its own clock.
package authtest

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"
)

// CertsURL is where auth.IDTokenVerifier (and idtoken) fetch Google's RS256
// keys; [Issuer.HTTPClient] answers it with the Issuer's key.
const CertsURL = "https://www.googleapis.com/oauth2/v3/certs"

// SignatureRemoved is what Cloud Run puts in place of a token's signature
// after its IAM check.
const SignatureRemoved = "SIGNATURE_REMOVED_BY_GOOGLE"

// Issuer is a stand-in for Google's token service: an RSA key with a key ID,
// that signs tokens and serves its public key as a JWKS. It is safe for
// concurrent use.
type Issuer struct {
	key  *rsa.PrivateKey
	kid  string
	jwks []byte
}

// NewIssuer generates a 2048-bit RSA key. It fails tb if it cannot.
func NewIssuer(tb testing.TB) *Issuer {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatalf("authtest: generating an RSA key: %v", err)
	}
	sum := sha256.Sum256(key.N.Bytes())
	kid := fmt.Sprintf("%x", sum[:10])
	jwks, err := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "RSA",
		"alg": "RS256",
		"use": "sig",
		"kid": kid,
		"n":   b64(key.N.Bytes()),
		"e":   b64(big.NewInt(int64(key.E)).Bytes()),
	}}})
	if err != nil {
		tb.Fatalf("authtest: encoding the key set: %v", err)
	}
	return &Issuer{key: key, kid: kid, jwks: jwks}
}

// KeyID returns the kid of the Issuer's key.
func (i *Issuer) KeyID() string { return i.kid }

// PublicKey returns the Issuer's public key.
func (i *Issuer) PublicKey() *rsa.PublicKey { return &i.key.PublicKey }

// JWKS returns the Issuer's public key as a JSON Web Key Set.
func (i *Issuer) JWKS() []byte { return bytes.Clone(i.jwks) }

// HTTPClient returns a client that answers GET [CertsURL] with the Issuer's
// JWKS and refuses every other request, so that nothing leaves the process.
// Pass it to auth.WithHTTPClient, or to idtoken.NewValidator with
// idtoken.WithHTTPClient.
func (i *Issuer) HTTPClient() *http.Client {
	return &http.Client{Transport: keyServer{i.jwks}}
}

// keyServer answers the key requests of [Issuer.HTTPClient].
type keyServer struct{ jwks []byte }

func (k keyServer) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
	if r.Method != http.MethodGet || r.URL.String() != CertsURL {
		return nil, fmt.Errorf("authtest: no network in tests: refusing %s %s", r.Method, r.URL)
	}
	return &http.Response{
		StatusCode: http.StatusOK,
		Status:     "200 OK",
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header: http.Header{
			"Content-Type":  {"application/json"},
			"Cache-Control": {"public, max-age=3600"},
		},
		Body:          io.NopCloser(bytes.NewReader(k.jwks)),
		ContentLength: int64(len(k.jwks)),
		Request:       r,
	}, nil
}

// Claims is a token payload. It is encoded with encoding/json, so any JSON
// value goes, including ones a verifier must refuse.
type Claims map[string]any

// ServiceAgentClaims returns the claims of a valid ID token that the
// Dialogflow service agent of projectNumber would present to a webhook at
// audience: issued now by https://accounts.google.com, for an hour, with a
// verified email service-PROJECT@gcp-sa-dialogflow.iam.gserviceaccount.com.
func ServiceAgentClaims(projectNumber, audience string) Claims {
	return AccountClaims("service-"+projectNumber+"@gcp-sa-dialogflow.iam.gserviceaccount.com", audience)
}

// AccountClaims is like [ServiceAgentClaims] for any account email, such as
// an allowed smoke-test service account or an intruder.
func AccountClaims(email, audience string) Claims {
	now := time.Now()
	sum := sha256.Sum256([]byte(email))
	sub := "1" + new(big.Int).SetBytes(sum[:8]).String() // numeric, like a unique ID
	return Claims{
		"iss":            "https://accounts.google.com",
		"aud":            audience,
		"azp":            sub,
		"sub":            sub,
		"email":          email,
		"email_verified": true,
		"iat":            now.Unix(),
		"exp":            now.Add(time.Hour).Unix(),
	}
}

// With returns a copy of c with claim name set to value. A nil value
// removes the claim.
func (c Claims) With(name string, value any) Claims {
	d := maps.Clone(c)
	if d == nil {
		d = Claims{}
	}
	if value == nil {
		delete(d, name)
	} else {
		d[name] = value
	}
	return d
}

// Header returns the JOSE header the Issuer signs with: RS256 and its kid.
func (i *Issuer) Header() map[string]any {
	return map[string]any{"alg": "RS256", "kid": i.kid, "typ": "JWT"}
}

// Token returns c as an RS256 token signed by the Issuer. It fails tb if c
// cannot be encoded.
func (i *Issuer) Token(tb testing.TB, c Claims) string {
	tb.Helper()
	return i.TokenWithHeader(tb, i.Header(), c)
}

// TokenWithHeader signs c with the Issuer's key under any header (say, one
// with an unknown kid or a lying alg). The signature is always RS256.
func (i *Issuer) TokenWithHeader(tb testing.TB, header map[string]any, c Claims) string {
	tb.Helper()
	signingInput := Encode(tb, header, c, nil)
	signingInput = strings.TrimSuffix(signingInput, ".")
	h := sha256.Sum256([]byte(signingInput))
	sig, err := rsa.SignPKCS1v15(rand.Reader, i.key, crypto.SHA256, h[:])
	if err != nil {
		tb.Fatalf("authtest: signing: %v", err)
	}
	return signingInput + "." + b64(sig)
}

// PlatformToken returns c as Cloud Run forwards a token after its IAM check:
// signed, then with the signature replaced by [SignatureRemoved].
func (i *Issuer) PlatformToken(tb testing.TB, c Claims) string {
	tb.Helper()
	t := i.Token(tb, c)
	return t[:strings.LastIndexByte(t, '.')+1] + SignatureRemoved
}

// Encode assembles a compact JWS from any header, claims and signature
// bytes, without signing: the raw material of malformed and forged tokens.
// It fails tb if header or claims cannot be encoded as JSON.
func Encode(tb testing.TB, header map[string]any, c Claims, signature []byte) string {
	tb.Helper()
	hj, err := json.Marshal(header)
	if err != nil {
		tb.Fatalf("authtest: encoding the header: %v", err)
	}
	cj, err := json.Marshal(c)
	if err != nil {
		tb.Fatalf("authtest: encoding the claims: %v", err)
	}
	return b64(hj) + "." + b64(cj) + "." + b64(signature)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
