package auth_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cxhook/cxhook/auth"
	"github.com/cxhook/cxhook/auth/authtest"
	"github.com/cxhook/cxhook/internal/logbuf"
)

const (
	agentProject  = "123456789012"
	agentProject2 = "210987654321"
	otherProject  = "999999999999"
	audFunctions  = "https://europe-west1-demo.cloudfunctions.net/webhook"
	audRun        = "https://webhook-abc123-ew.a.run.app"
	extraSA       = "cx-caller@demo.iam.gserviceaccount.com"
	intruderSA    = "intruder@demo.iam.gserviceaccount.com"

	basicUser     = "dialogflow"
	basicPass     = "correct-horse-battery-staple-1"
	basicPassPrev = "old:password-0123456789" // a colon is fine after the first
	keyHeader     = "X-Webhook-Key"
	keyValue      = "k3y-Current-0123456789abcdef"
	keyValuePrev  = "k3y-Previous-0123456789abcdef"
)

// caseKey carries the X-Test-Case header into the request context, and
// caseHandler copies it into every record logged with that context: this
// ties each refusal logged to its case, and shows that Require logs with
// the request's context.
type caseKey struct{}

type caseHandler struct{ slog.Handler }

func (h caseHandler) Handle(ctx context.Context, r slog.Record) error {
	if id, ok := ctx.Value(caseKey{}).(string); ok {
		r.AddAttrs(slog.String("case", id))
	}
	return h.Handler.Handle(ctx, r)
}

func tagCase(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), caseKey{}, r.Header.Get("X-Test-Case"))))
	})
}

// seen is what the protected handler reports back.
type seen struct {
	Mechanism      string `json:"mechanism"`
	Email          string `json:"email"`
	Username       string `json:"username"`
	Header         string `json:"header"`
	CredentialSeen bool   `json:"credential_seen"`
}

// echoCaller answers 200 with the Caller from the context, and whether any
// credential header reached it.
var echoCaller = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	c, ok := auth.CallerFromContext(r.Context())
	if !ok {
		http.Error(w, "no caller in context", http.StatusInternalServerError)
		return
	}
	cred := r.Header.Get("Authorization") != "" || r.Header.Get("X-Serverless-Authorization") != "" ||
		r.Header.Get(keyHeader) != ""
	_ = json.NewEncoder(w).Encode(seen{c.Mechanism.String(), c.Email, c.Username, c.Header, cred})
})

// stack is one protected server per mode, all logging to logs.
type stack struct {
	iss     *authtest.Issuer
	logs    *logbuf.Buffer
	servers map[string]*httptest.Server
}

func newStack(t *testing.T) *stack {
	t.Helper()
	s := &stack{iss: authtest.NewIssuer(t), logs: new(logbuf.Buffer), servers: map[string]*httptest.Server{}}
	logger := slog.New(caseHandler{slog.NewJSONHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug})})
	allow, err := auth.NewAllowList([]string{agentProject, agentProject2}, []string{extraSA})
	if err != nil {
		t.Fatal(err)
	}
	auds := []string{audFunctions, audRun}
	idv, err := auth.NewIDTokenVerifier(auds, allow, auth.WithHTTPClient(s.iss.HTTPClient()))
	if err != nil {
		t.Fatal(err)
	}
	pv, err := auth.NewPlatformVerifier(auds, allow)
	if err != nil {
		t.Fatal(err)
	}
	bv, err := auth.NewBasicVerifier([]auth.BasicCredential{{basicUser, basicPass}, {basicUser, basicPassPrev}})
	if err != nil {
		t.Fatal(err)
	}
	hv, err := auth.NewHeaderVerifier(keyHeader, []auth.Secret{keyValue, keyValuePrev})
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]auth.Verifier{"idtoken": idv, "platform": pv, "basic": bv, "header": hv} {
		srv := httptest.NewServer(tagCase(auth.Require(v, auth.WithLogger(logger))(echoCaller)))
		t.Cleanup(srv.Close)
		s.servers[name] = srv
	}
	return s
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// post sends a POST with the given header lines, exactly as listed (a key
// listed twice is sent twice), to the server of mode.
func (s *stack) post(t *testing.T, mode string, hdr http.Header) reply {
	t.Helper()
	return s.postCase(t, mode, hdr, "")
}

// postCase is post with an X-Test-Case header.
func (s *stack) postCase(t *testing.T, mode string, hdr http.Header, id string) reply {
	t.Helper()
	srv := s.servers[mode]
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if id != "" {
		req.Header.Set("X-Test-Case", id)
	}
	for k, vs := range hdr {
		req.Header[k] = vs // keys as given, to send non-canonical names too
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, body}
}

func bearer(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }

func basic(user, pass string) http.Header {
	return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))}}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

type hostileCase struct {
	name   string
	mode   string
	header http.Header
	want   int
	why    string // in the reason logged
}

// hostileCases mints every credential up front, in the parent test.
func hostileCases(t *testing.T, s *stack) []hostileCase {
	iss := s.iss
	other := authtest.NewIssuer(t)
	agent := authtest.ServiceAgentClaims(agentProject, audFunctions)
	good := iss.Token(t, agent)
	now := time.Now()

	// HS256 keyed with the public key: the classic algorithm confusion.
	der, err := x509.MarshalPKIXPublicKey(iss.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	hsInput := strings.TrimSuffix(authtest.Encode(t, map[string]any{"alg": "HS256", "typ": "JWT", "kid": iss.KeyID()}, agent, nil), ".")
	mac := hmac.New(sha256.New, pubPEM)
	mac.Write([]byte(hsInput))
	hs256 := hsInput + "." + b64(mac.Sum(nil))

	// A genuine signature over other claims.
	goodParts := strings.Split(good, ".")
	intruderPayload := strings.Split(iss.Token(t, authtest.AccountClaims(intruderSA, audFunctions)), ".")[1]
	tampered := goodParts[0] + "." + intruderPayload + "." + goodParts[2]
	swapped := strings.Split(iss.Token(t, agent.With("email", intruderSA)), ".")
	sigSwap := swapped[0] + "." + swapped[1] + "." + goodParts[2]

	rawHeader := func(h string) string { return b64([]byte(h)) + "." + goodParts[1] + "." + goodParts[2] }
	big64k := "eyJ" + strings.Repeat("A", 64<<10)
	over16k := strings.Repeat("A", 16<<10)

	tok := func(c authtest.Claims) string { return iss.Token(t, c) }
	plat := func(c authtest.Claims) string { return iss.PlatformToken(t, c) }
	platAgent := plat(agent)

	cases := []hostileCase{
		// ID-token mode: missing, empty or misplaced credentials.
		{"no Authorization header", "idtoken", nil, 401, "no Authorization header"},
		{"empty Authorization header", "idtoken", http.Header{"Authorization": {""}}, 401, "no Authorization header"},
		{"empty bearer", "idtoken", http.Header{"Authorization": {"Bearer "}}, 401, "not a Bearer credential"},
		{"wrong scheme Basic with a valid token", "idtoken", http.Header{"Authorization": {"Basic " + good}}, 401, "not a Bearer credential"},
		{"wrong scheme Token", "idtoken", http.Header{"Authorization": {"Token " + good}}, 401, "not a Bearer credential"},
		{"bare token without scheme", "idtoken", http.Header{"Authorization": {good}}, 401, "not a Bearer credential"},
		{"token only in X-Serverless-Authorization", "idtoken", http.Header{"X-Serverless-Authorization": {"Bearer " + good}}, 401, "no Authorization header"},
		{"two Authorization headers, both valid", "idtoken", http.Header{"Authorization": {"Bearer " + good, "Bearer " + good}}, 401, "more than one Authorization header"},
		{"two Authorization headers, valid then forged", "idtoken", http.Header{"Authorization": {"Bearer " + good, "Bearer " + tampered}}, 401, "more than one Authorization header"},
		{"64 KiB token", "idtoken", bearer(big64k), 401, "Authorization header exceeds 16 KiB"},
		{"token just over 16 KiB", "idtoken", bearer(over16k), 401, "Authorization header exceeds 16 KiB"},

		// Algorithms and keys.
		{"alg none, empty signature", "idtoken", bearer(authtest.Encode(t, map[string]any{"alg": "none", "kid": iss.KeyID()}, agent, nil)), 401, "token has an empty segment"},
		{"alg none with a signature", "idtoken", bearer(authtest.Encode(t, map[string]any{"alg": "none", "kid": iss.KeyID()}, agent, []byte("sig"))), 401, "token algorithm is not RS256"},
		{"HS256 keyed with the public key", "idtoken", bearer(hs256), 401, "token algorithm is not RS256"},
		{"RS512 header over an RS256 signature", "idtoken", bearer(iss.TokenWithHeader(t, map[string]any{"alg": "RS512", "kid": iss.KeyID()}, agent)), 401, "token algorithm is not RS256"},
		{"ES256 header (idtoken would try IAP keys)", "idtoken", bearer(iss.TokenWithHeader(t, map[string]any{"alg": "ES256", "kid": iss.KeyID()}, agent)), 401, "token algorithm is not RS256"},
		{"lower-case rs256", "idtoken", bearer(iss.TokenWithHeader(t, map[string]any{"alg": "rs256", "kid": iss.KeyID()}, agent)), 401, "token algorithm is not RS256"},
		{"unknown kid", "idtoken", bearer(iss.TokenWithHeader(t, map[string]any{"alg": "RS256", "kid": "no-such-key"}, agent)), 401, "idtoken refused the token"},
		{"no kid", "idtoken", bearer(iss.TokenWithHeader(t, map[string]any{"alg": "RS256"}, agent)), 401, "token header has no key id"},
		{"crit header extension", "idtoken", bearer(iss.TokenWithHeader(t, map[string]any{"alg": "RS256", "kid": iss.KeyID(), "crit": []string{"exp"}}, agent)), 401, "token header has critical extensions"},
		{"signature from another key, same kid", "idtoken", bearer(other.TokenWithHeader(t, iss.Header(), agent)), 401, "token signature does not verify"},
		{"claims swapped under a genuine signature", "idtoken", bearer(tampered), 401, "token signature does not verify"},
		{"email changed under a genuine signature", "idtoken", bearer(sigSwap), 401, "token signature does not verify"},
		{"header is a JSON array", "idtoken", bearer(rawHeader(`["RS256"]`)), 401, "token header is not a JSON object"},
		{"header is not JSON", "idtoken", bearer(rawHeader(`alg=RS256`)), 401, "token header is not a JSON object"},
		{"claims are not JSON", "idtoken", bearer(goodParts[0] + "." + b64([]byte("not json")) + "." + goodParts[2]), 401, "token claims are not a JSON object of the expected types"},

		// Claims.
		{"expired an hour ago", "idtoken", bearer(tok(agent.With("iat", now.Add(-2*time.Hour).Unix()).With("exp", now.Add(-time.Hour).Unix()))), 401, "token expired"},
		{"expired two minutes ago, beyond the skew", "idtoken", bearer(tok(agent.With("iat", now.Add(-time.Hour).Unix()).With("exp", now.Add(-2*time.Minute).Unix()))), 401, "token expired"},
		{"issued ten minutes in the future", "idtoken", bearer(tok(agent.With("iat", now.Add(10*time.Minute).Unix()).With("exp", now.Add(70*time.Minute).Unix()))), 401, "token issued in the future"},
		{"not before ten minutes from now", "idtoken", bearer(tok(agent.With("nbf", now.Add(10*time.Minute).Unix()))), 401, "token not valid yet (nbf)"},
		{"expires before it is issued", "idtoken", bearer(tok(agent.With("exp", now.Add(-time.Minute).Unix()).With("iat", now.Unix()))), 401, "token expires before it is issued"},
		{"no exp", "idtoken", bearer(tok(agent.With("exp", nil))), 401, "token lacks exp or iat"},
		{"no iat", "idtoken", bearer(tok(agent.With("iat", nil))), 401, "token lacks exp or iat"},
		{"exp as a string", "idtoken", bearer(tok(agent.With("exp", "9999999999"))), 401, "token claims are not a JSON object of the expected types"},
		{"wrong issuer", "idtoken", bearer(tok(agent.With("iss", "https://evil.example.com"))), 401, "token issuer is not accounts.google.com"},
		{"issuer look-alike", "idtoken", bearer(tok(agent.With("iss", "https://accounts.google.com.evil.example"))), 401, "token issuer is not accounts.google.com"},
		{"no issuer", "idtoken", bearer(tok(agent.With("iss", nil))), 401, "token issuer is not accounts.google.com"},
		{"wrong audience", "idtoken", bearer(tok(agent.With("aud", "https://other-webhook.a.run.app"))), 401, "token audience is not one of the configured audiences"},
		{"audience with an extra trailing slash", "idtoken", bearer(tok(agent.With("aud", audRun+"/"))), 401, "token audience is not one of the configured audiences"},
		{"audience as an array", "idtoken", bearer(tok(agent.With("aud", []string{audFunctions}))), 401, "token claims are not a JSON object of the expected types"},
		{"no audience", "idtoken", bearer(tok(agent.With("aud", nil))), 401, "token audience is not one of the configured audiences"},
		{"email_verified false", "idtoken", bearer(tok(agent.With("email_verified", false))), 401, "token email is not verified"},
		{"email_verified \"false\"", "idtoken", bearer(tok(agent.With("email_verified", "false"))), 401, "token email is not verified"},
		{"email_verified 0", "idtoken", bearer(tok(agent.With("email_verified", 0))), 401, "token email_verified is neither a boolean nor absent"},

		// Valid tokens from the wrong caller.
		{"another service account", "idtoken", bearer(tok(authtest.AccountClaims(intruderSA, audFunctions))), 403, "email is not in the allow-list"},
		{"service agent of a project not in the list", "idtoken", bearer(tok(authtest.ServiceAgentClaims(otherProject, audFunctions))), 403, "email is not in the allow-list"},
		{"service agent email look-alike", "idtoken", bearer(tok(agent.With("email", "service-"+agentProject+"@gcp-sa-dialogflow.iam.gserviceaccount.com.evil.example"))), 403, "email is not in the allow-list"},
		{"no email claim", "idtoken", bearer(tok(agent.With("email", nil))), 403, "token has no email claim"},

		// Mangled encodings.
		{"truncated signature", "idtoken", bearer(good[:len(good)-10]), 401, "token signature does not verify"},
		{"truncated to two segments", "idtoken", bearer(goodParts[0] + "." + goodParts[1]), 401, "token has 2 segments, want 3"},
		{"padded signature", "idtoken", bearer(good + "=="), 401, "token has characters outside base64url"},
		{"padded header", "idtoken", bearer(goodParts[0] + "=." + goodParts[1] + "." + goodParts[2]), 401, "token has characters outside base64url"},
		{"non-base64 characters", "idtoken", bearer("!!!.###.$$$"), 401, "token has characters outside base64url"},
		{"standard base64 alphabet", "idtoken", bearer(strings.NewReplacer("-", "+", "_", "/").Replace(good) + "+/"), 401, "token has characters outside base64url"},
		{"extra segment", "idtoken", bearer(good + ".AAAA"), 401, "token has 4 segments, want 3"},
		{"five segments, JWE-shaped", "idtoken", bearer(good + ".AAAA.AAAA"), 401, "token has 5 segments, want 3"},
		{"empty middle segment", "idtoken", bearer(goodParts[0] + ".." + goodParts[2]), 401, "token has an empty segment"},
		{"space inside the token", "idtoken", bearer(good[:20] + " " + good[20:]), 401, "token has characters outside base64url"},
		{"two spaces after Bearer", "idtoken", http.Header{"Authorization": {"Bearer  " + good}}, 401, "token has characters outside base64url"},
		{"Google access token (serviceAccountAuthConfig)", "idtoken", bearer("ya29.a0AfB_byC" + strings.Repeat("x", 200)), 401, "OAuth access token"},
		{"platform: Google access token", "platform", bearer("ya29.c.b0Aaekm1" + strings.Repeat("y", 200)), 401, "OAuth access token"},
		{"platform token to an ID-token function", "idtoken", bearer(platAgent), 401, "token signature was removed by Cloud Run IAM"},

		// Platform mode.
		{"platform: no header", "platform", nil, 401, "no Authorization header"},
		{"platform: token with a real signature (public service)", "platform", bearer(good), 401, "token still has its signature, so Cloud Run IAM did not check it"},
		{"platform: wrong audience", "platform", bearer(plat(agent.With("aud", "https://other-webhook.a.run.app"))), 401, "token audience is not one of the configured audiences"},
		{"platform: expired", "platform", bearer(plat(agent.With("iat", now.Add(-2*time.Hour).Unix()).With("exp", now.Add(-time.Hour).Unix()))), 401, "token expired"},
		{"platform: wrong issuer", "platform", bearer(plat(agent.With("iss", "https://evil.example.com"))), 401, "token issuer is not accounts.google.com"},
		{"platform: email_verified false", "platform", bearer(plat(agent.With("email_verified", false))), 401, "token email is not verified"},
		{"platform: alg none with the signature removed", "platform", bearer(authtest.Encode(t, map[string]any{"alg": "none", "kid": iss.KeyID()}, agent, nil) + authtest.SignatureRemoved), 401, "token algorithm is not RS256"},
		{"platform: lower-case removed-signature marker", "platform", bearer(strings.TrimSuffix(platAgent, authtest.SignatureRemoved) + strings.ToLower(authtest.SignatureRemoved)), 401, "token signature is not base64url"},
		{"platform: two X-Serverless-Authorization headers", "platform", http.Header{"X-Serverless-Authorization": {"Bearer " + platAgent, "Bearer " + platAgent}}, 401, "more than one X-Serverless-Authorization header"},
		{"platform: another service account", "platform", bearer(plat(authtest.AccountClaims(intruderSA, audRun))), 403, "email is not in the allow-list"},
		{"platform: service agent of a project not in the list", "platform", bearer(plat(authtest.ServiceAgentClaims(otherProject, audRun))), 403, "email is not in the allow-list"},
		{"platform: IAM checked an intruder in X-Serverless-Authorization, agent forged in Authorization", "platform", http.Header{
			"X-Serverless-Authorization": {"Bearer " + plat(authtest.AccountClaims(intruderSA, audRun))},
			"Authorization":              {"Bearer " + platAgent},
		}, 403, "email is not in the allow-list"},

		// Basic.
		{"basic: no header", "basic", nil, 401, "no Authorization header"},
		{"basic: wrong password", "basic", basic(basicUser, "wrong-password-0123456789"), 401, "wrong Basic username or password"},
		{"basic: wrong username", "basic", basic("admin", basicPass), 401, "wrong Basic username or password"},
		{"basic: password differs only in case", "basic", basic(basicUser, strings.ToUpper(basicPass)), 401, "wrong Basic username or password"},
		{"basic: password with a trailing space", "basic", basic(basicUser, basicPass+" "), 401, "wrong Basic username or password"},
		{"basic: password prefix", "basic", basic(basicUser, basicPass[:len(basicPass)-1]), 401, "wrong Basic username or password"},
		{"basic: username differs only in case", "basic", basic("Dialogflow", basicPass), 401, "wrong Basic username or password"},
		{"basic: no colon", "basic", http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(basicUser+basicPass))}}, 401, "Basic credential has no colon"},
		{"basic: not base64", "basic", http.Header{"Authorization": {"Basic !!" + basicPass}}, 401, "Basic credential is not base64"},
		{"basic: empty credential", "basic", http.Header{"Authorization": {"Basic "}}, 401, "not a Basic credential"},
		{"basic: bearer token instead", "basic", bearer(good), 401, "not a Basic credential"},
		{"basic: two Authorization headers", "basic", http.Header{"Authorization": {basic(basicUser, basicPass).Get("Authorization"), basic(basicUser, basicPass).Get("Authorization")}}, 401, "more than one Authorization header"},

		// Header (API key).
		{"header: missing", "header", nil, 401, "no X-Webhook-Key header"},
		{"header: wrong API key", "header", http.Header{keyHeader: {"k3y-Wrong-0123456789abcdefgh"}}, 401, "wrong X-Webhook-Key value"},
		{"header: differs only in case", "header", http.Header{keyHeader: {strings.ToLower(keyValue)}}, 401, "wrong X-Webhook-Key value"},
		{"header: differs only by an inner space", "header", http.Header{keyHeader: {keyValue[:4] + " " + keyValue[4:]}}, 401, "wrong X-Webhook-Key value"},
		{"header: prefix of the key", "header", http.Header{keyHeader: {keyValue[:len(keyValue)-1]}}, 401, "wrong X-Webhook-Key value"},
		{"header: key plus a suffix", "header", http.Header{keyHeader: {keyValue + "x"}}, 401, "wrong X-Webhook-Key value"},
		{"header: both keys in one value", "header", http.Header{keyHeader: {keyValue + "," + keyValuePrev}}, 401, "wrong X-Webhook-Key value"},
		{"header: two headers, both valid", "header", http.Header{keyHeader: {keyValue, keyValue}}, 401, "more than one X-Webhook-Key header"},
		{"header: key sent as a bearer token", "header", bearer(keyValue), 401, "no X-Webhook-Key header"},
		{"header: 64 KiB value", "header", http.Header{keyHeader: {big64k}}, 401, "X-Webhook-Key header exceeds 16 KiB"},
	}
	return cases
}

// secretsIn returns the credential strings of h worth searching logs for.
func secretsIn(h http.Header) []string {
	var out []string
	for _, vs := range h {
		for _, v := range vs {
			_, cred, _ := strings.Cut(v, " ")
			for _, s := range []string{v, cred} {
				if len(s) >= 12 {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

func TestRequireRefusesHostileCredentials(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	cases := hostileCases(t, s)
	var secrets []string
	for _, c := range cases {
		secrets = append(secrets, secretsIn(c.header)...)
	}
	secrets = append(secrets, basicPass, basicPassPrev, keyValue, keyValuePrev)

	t.Run("cases", func(t *testing.T) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				got := s.postCase(t, c.mode, c.header, c.name)
				if got.status != c.want {
					t.Fatalf("status %d, want %d; body %s", got.status, c.want, got.body)
				}
				if ct := got.header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type %q, want application/json", ct)
				}
				var body struct{ Code, Message string }
				if err := json.Unmarshal(got.body, &body); err != nil {
					t.Fatalf("body %q is not JSON: %v", got.body, err)
				}
				wantCode := map[int]string{401: "unauthenticated", 403: "permission_denied"}[c.want]
				if body.Code != wantCode || body.Message == "" {
					t.Errorf("body %s, want code %q and a message", got.body, wantCode)
				}
				challenge := got.header.Get("WWW-Authenticate")
				switch {
				case c.want == 403 && challenge != "":
					t.Errorf("403 with WWW-Authenticate %q", challenge)
				case c.want == 401 && c.mode == "basic" && !strings.HasPrefix(challenge, `Basic realm="`):
					t.Errorf("WWW-Authenticate %q, want Basic realm", challenge)
				case c.want == 401 && (c.mode == "idtoken" || c.mode == "platform") && !strings.HasPrefix(challenge, "Bearer"):
					t.Errorf("WWW-Authenticate %q, want Bearer", challenge)
				case c.want == 401 && challenge == "":
					t.Error("401 without WWW-Authenticate")
				}
				for _, sec := range secretsIn(c.header) {
					if bytes.Contains(got.body, []byte(sec)) {
						t.Errorf("answer echoes the credential")
					}
				}
			})
		}
	})
	t.Logf("%d hostile credentials refused", len(cases))
	if len(cases) < 30 {
		t.Errorf("only %d hostile cases, want at least 30", len(cases))
	}

	logs := s.logs.String()
	reasons := map[string]string{}
	for line := range strings.Lines(logs) {
		var rec struct{ Case, Reason string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec.Case != "" {
			reasons[rec.Case] = rec.Reason
		}
	}
	for _, c := range cases {
		if !strings.Contains(reasons[c.name], c.why) {
			t.Errorf("%s: refused because %q, want %q", c.name, reasons[c.name], c.why)
		}
	}
	for _, sec := range secrets {
		if strings.Contains(logs, sec) {
			t.Errorf("logs contain a credential (%d bytes)", len(sec))
		}
	}
	if !strings.Contains(logs, `"caller_email":"`+intruderSA+`"`) {
		t.Errorf("logs do not name the refused caller %s", intruderSA)
	}
	if n := strings.Count(logs, `"msg":"auth: request refused"`); n != len(cases) {
		t.Errorf("%d refusals logged, want %d", n, len(cases))
	}
}

func TestRequireLetsLegitimateCallersThrough(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	iss := s.iss
	agent := authtest.ServiceAgentClaims(agentProject, audFunctions)
	platAgent := iss.PlatformToken(t, authtest.ServiceAgentClaims(agentProject, audRun))
	agentEmail, err := auth.ServiceAgentEmail(agentProject)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		mode   string
		header http.Header
		want   seen
	}{
		{"service agent token for the function URL", "idtoken", bearer(iss.Token(t, agent)), seen{Mechanism: "idtoken", Email: agentEmail}},
		{"service agent token for the run.app URL", "idtoken", bearer(iss.Token(t, agent.With("aud", audRun))), seen{Mechanism: "idtoken", Email: agentEmail}},
		{"second agent project", "idtoken", bearer(iss.Token(t, authtest.ServiceAgentClaims(agentProject2, audFunctions))),
			seen{Mechanism: "idtoken", Email: "service-" + agentProject2 + "@gcp-sa-dialogflow.iam.gserviceaccount.com"}},
		{"allowed extra service account", "idtoken", bearer(iss.Token(t, authtest.AccountClaims(extraSA, audFunctions))), seen{Mechanism: "idtoken", Email: extraSA}},
		{"lower-case bearer scheme", "idtoken", http.Header{"Authorization": {"bearer " + iss.Token(t, agent)}}, seen{Mechanism: "idtoken", Email: agentEmail}},
		{"issuer without https", "idtoken", bearer(iss.Token(t, agent.With("iss", "accounts.google.com"))), seen{Mechanism: "idtoken", Email: agentEmail}},
		{"email_verified as the string true", "idtoken", bearer(iss.Token(t, agent.With("email_verified", "true"))), seen{Mechanism: "idtoken", Email: agentEmail}},
		{"no email_verified claim", "idtoken", bearer(iss.Token(t, agent.With("email_verified", nil))), seen{Mechanism: "idtoken", Email: agentEmail}},
		{"issued 10 s ahead, within the skew", "idtoken", bearer(iss.Token(t, agent.With("iat", time.Now().Add(10*time.Second).Unix()))), seen{Mechanism: "idtoken", Email: agentEmail}},
		{"ID token with X-Serverless-Authorization noise", "idtoken", http.Header{"Authorization": {"Bearer " + iss.Token(t, agent)}, "X-Serverless-Authorization": {"junk"}},
			seen{Mechanism: "idtoken", Email: agentEmail}},
		{"platform token in Authorization", "platform", bearer(platAgent), seen{Mechanism: "platform", Email: agentEmail}},
		{"platform token in X-Serverless-Authorization, junk in Authorization", "platform",
			http.Header{"X-Serverless-Authorization": {"Bearer " + platAgent}, "Authorization": {"Bearer something-else"}}, seen{Mechanism: "platform", Email: agentEmail}},
		{"basic, current password", "basic", basic(basicUser, basicPass), seen{Mechanism: "basic", Username: basicUser}},
		{"basic, previous password (holds a colon)", "basic", basic(basicUser, basicPassPrev), seen{Mechanism: "basic", Username: basicUser}},
		{"header, current key", "header", http.Header{keyHeader: {keyValue}}, seen{Mechanism: "header", Header: keyHeader}},
		{"header, previous key", "header", http.Header{keyHeader: {keyValuePrev}}, seen{Mechanism: "header", Header: keyHeader}},
		{"header name in lower case on the wire", "header", http.Header{strings.ToLower(keyHeader): {keyValue}}, seen{Mechanism: "header", Header: keyHeader}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := s.post(t, c.mode, c.header)
			if got.status != http.StatusOK {
				t.Fatalf("status %d, want 200; body %s", got.status, got.body)
			}
			var gotSeen seen
			if err := json.Unmarshal(got.body, &gotSeen); err != nil {
				t.Fatal(err)
			}
			if gotSeen != c.want {
				t.Errorf("handler saw %+v, want %+v", gotSeen, c.want)
			}
		})
	}
}
