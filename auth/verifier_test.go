package auth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cxhook/cxhook/auth"
	"github.com/cxhook/cxhook/auth/authtest"
)

func mustAllow(t *testing.T) auth.AllowList {
	t.Helper()
	allow, err := auth.NewAllowList([]string{agentProject}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return allow
}

func TestTokenTimesAgainstInjectedClock(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	issued := time.Unix(1_800_000_000, 0)
	claims := authtest.ServiceAgentClaims(agentProject, audRun).
		With("iat", issued.Unix()).
		With("exp", issued.Add(time.Hour).Unix())
	nbf := claims.With("nbf", issued.Add(10*time.Minute).Unix())
	skew := auth.DefaultClockSkew
	cases := []struct {
		name   string
		claims authtest.Claims
		skew   time.Duration
		now    time.Time
		ok     bool
	}{
		{"at iat", claims, skew, issued, true},
		{"just before exp", claims, skew, issued.Add(time.Hour - time.Second), true},
		{"exp plus the whole skew", claims, skew, issued.Add(time.Hour + skew), true},
		{"a second past exp plus skew", claims, skew, issued.Add(time.Hour + skew + time.Second), false},
		{"iat minus the whole skew", claims, skew, issued.Add(-skew), true},
		{"a second before iat minus skew", claims, skew, issued.Add(-skew - time.Second), false},
		{"nbf minus the whole skew", nbf, skew, issued.Add(10*time.Minute - skew), true},
		{"a second before nbf minus skew", nbf, skew, issued.Add(10*time.Minute - skew - time.Second), false},
		{"no skew: at exp", claims, 0, issued.Add(time.Hour), true},
		{"no skew: a second past exp", claims, 0, issued.Add(time.Hour + time.Second), false},
		{"no skew: a second before iat", claims, 0, issued.Add(-time.Second), false},
		{"largest skew: 5 min past exp", claims, auth.MaxClockSkew, issued.Add(time.Hour + auth.MaxClockSkew), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			v, err := auth.NewPlatformVerifier([]string{audRun}, mustAllow(t),
				auth.WithClock(func() time.Time { return c.now }), auth.WithClockSkew(c.skew))
			if err != nil {
				t.Fatal(err)
			}
			_, err = v.Verify(t.Context(), bearer(iss.PlatformToken(t, c.claims)))
			if c.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !c.ok && !errors.Is(err, auth.ErrInvalidCredentials) {
				t.Fatalf("err = %v, want ErrInvalidCredentials", err)
			}
		})
	}
}

func TestClockSkewIsBounded(t *testing.T) {
	t.Parallel()
	for _, d := range []time.Duration{-time.Second, auth.MaxClockSkew + time.Second, time.Hour} {
		if _, err := auth.NewPlatformVerifier([]string{audRun}, mustAllow(t), auth.WithClockSkew(d)); err == nil {
			t.Errorf("skew %v accepted", d)
		}
		if _, err := auth.NewIDTokenVerifier([]string{audRun}, mustAllow(t), auth.WithClockSkew(d)); err == nil {
			t.Errorf("idtoken: skew %v accepted", d)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestKeysUnavailableIs503(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	tok := iss.Token(t, authtest.ServiceAgentClaims(agentProject, audRun))
	transports := map[string]http.RoundTripper{
		"network error": roundTripFunc(func(*http.Request) (*http.Response, error) {
			return nil, errors.New("dial tcp: no route to host")
		}),
		"status 500": roundTripFunc(func(r *http.Request) (*http.Response, error) {
			rec := httptest.NewRecorder()
			rec.WriteHeader(http.StatusInternalServerError)
			return rec.Result(), nil
		}),
	}
	for name, rt := range transports {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			v, err := auth.NewIDTokenVerifier([]string{audRun}, mustAllow(t), auth.WithHTTPClient(&http.Client{Transport: rt}))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := v.Verify(t.Context(), bearer(tok)); !errors.Is(err, auth.ErrUnavailable) {
				t.Fatalf("err = %v, want ErrUnavailable", err)
			}
			var logs bytes.Buffer
			h := auth.Require(v, auth.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))(echoCaller)
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodPost, "/", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"code":"unavailable"`) {
				t.Errorf("got %d %s, want 503 unavailable", rec.Code, rec.Body)
			}
			if c := rec.Header().Get("WWW-Authenticate"); c != "" {
				t.Errorf("503 with WWW-Authenticate %q", c)
			}
			if !strings.Contains(logs.String(), `"level":"ERROR"`) || strings.Contains(logs.String(), tok) {
				t.Errorf("logs: %s", logs.String())
			}
		})
	}
}

// HTTP strips spaces and tabs around header values, so these cannot be
// sent through a server; the verifier still compares byte for byte.
func TestHeaderValueIsByteExact(t *testing.T) {
	t.Parallel()
	v, err := auth.NewHeaderVerifier("x-webhook-key", []auth.Secret{keyValue})
	if err != nil {
		t.Fatal(err)
	}
	for _, sent := range []string{" " + keyValue, keyValue + " ", keyValue + "\t", strings.ToUpper(keyValue), strings.ToLower(keyValue), keyValue + "\n"} {
		_, err := v.Verify(t.Context(), http.Header{"X-Webhook-Key": {sent}})
		if !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Errorf("%q: err = %v, want ErrInvalidCredentials", sent, err)
		}
	}
	c, err := v.Verify(t.Context(), http.Header{"X-Webhook-Key": {keyValue}})
	if err != nil || c.Header != "X-Webhook-Key" || c.Mechanism != auth.MechanismHeader {
		t.Errorf("exact value: %+v, %v", c, err)
	}
}

func TestRequireMapsErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err       error
		status    int
		code      string
		challenge bool
	}{
		{fmt.Errorf("x: %w", auth.ErrNoCredentials), 401, "unauthenticated", true},
		{fmt.Errorf("x: %w", auth.ErrInvalidCredentials), 401, "unauthenticated", true},
		{fmt.Errorf("x: %w", auth.ErrNotAllowed), 403, "permission_denied", false},
		{fmt.Errorf("x: %w", auth.ErrUnavailable), 503, "unavailable", false},
		{errors.New("a verifier bug"), 401, "unauthenticated", true},
	}
	for _, c := range cases {
		t.Run(c.err.Error(), func(t *testing.T) {
			t.Parallel()
			v := auth.VerifierFunc(func(context.Context, http.Header) (auth.Caller, error) { return auth.Caller{}, c.err })
			h := auth.Require(v, auth.WithLogger(slog.New(slog.DiscardHandler)))(echoCaller)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
			var body struct{ Code, Message string }
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if rec.Code != c.status || body.Code != c.code {
				t.Errorf("got %d %q, want %d %q", rec.Code, body.Code, c.status, c.code)
			}
			if got := rec.Header().Get("WWW-Authenticate"); (got != "") != c.challenge {
				t.Errorf("WWW-Authenticate %q, want one: %v", got, c.challenge)
			}
			if rec.Header().Get("Cache-Control") != "no-store" {
				t.Error("refusal is cacheable")
			}
		})
	}
}

func TestRequireKeepsHeadersOfCustomVerifiers(t *testing.T) {
	t.Parallel()
	v := auth.VerifierFunc(func(context.Context, http.Header) (auth.Caller, error) {
		return auth.Caller{Mechanism: auth.MechanismHeader, Header: "X-Custom"}, nil
	})
	h := auth.Require(v, auth.WithLogger(slog.New(slog.DiscardHandler)))(echoCaller)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	req.Header.Set("Authorization", "Bearer x")
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"credential_seen":true`) {
		t.Errorf("got %d %s", rec.Code, rec.Body)
	}
	if req.Header.Get("Authorization") == "" {
		t.Error("Require edited the caller's request")
	}
}

func TestRequirePanicsOnNilVerifier(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	auth.Require(nil)
}

func TestNoneVerifierWarnsAndPasses(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	v := auth.NewNoneVerifier(slog.New(slog.NewTextHandler(&logs, nil)))
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "OFF") {
		t.Errorf("no warning at construction: %q", logs.String())
	}
	c, err := v.Verify(t.Context(), nil)
	if err != nil || c != (auth.Caller{Mechanism: auth.MechanismNone}) {
		t.Errorf("Verify = %+v, %v", c, err)
	}
}

func TestConstructorsFailClosed(t *testing.T) {
	t.Parallel()
	allow := mustAllow(t)
	short := auth.Secret("tiny-pw")
	cases := map[string]func() error{
		"NewAllowList with nothing": func() error { _, err := auth.NewAllowList(nil, nil); return err },
		"NewAllowList with a project ID": func() error {
			_, err := auth.NewAllowList([]string{"my-project"}, nil)
			return err
		},
		"NewAllowList with a bad email": func() error { _, err := auth.NewAllowList(nil, []string{"not an email"}); return err },
		"NewAllowList with two @":       func() error { _, err := auth.NewAllowList(nil, []string{"a@b@c.com"}); return err },
		"platform: no audiences":        func() error { _, err := auth.NewPlatformVerifier(nil, allow); return err },
		"platform: empty audience":      func() error { _, err := auth.NewPlatformVerifier([]string{""}, allow); return err },
		"platform: zero AllowList":      func() error { _, err := auth.NewPlatformVerifier([]string{audRun}, auth.AllowList{}); return err },
		"idtoken: no audiences":         func() error { _, err := auth.NewIDTokenVerifier(nil, allow); return err },
		"idtoken: zero AllowList":       func() error { _, err := auth.NewIDTokenVerifier([]string{audRun}, auth.AllowList{}); return err },
		"basic: no credentials":         func() error { _, err := auth.NewBasicVerifier(nil); return err },
		"basic: short password": func() error {
			_, err := auth.NewBasicVerifier([]auth.BasicCredential{{"u", short}})
			return err
		},
		"basic: empty username": func() error {
			_, err := auth.NewBasicVerifier([]auth.BasicCredential{{"", basicPass}})
			return err
		},
		"basic: colon in username": func() error {
			_, err := auth.NewBasicVerifier([]auth.BasicCredential{{"a:b", basicPass}})
			return err
		},
		"basic: trailing newline": func() error {
			_, err := auth.NewBasicVerifier([]auth.BasicCredential{{"u", basicPass + "\n"}})
			return err
		},
		"header: no values":      func() error { _, err := auth.NewHeaderVerifier(keyHeader, nil); return err },
		"header: bad name":       func() error { _, err := auth.NewHeaderVerifier("X Key", []auth.Secret{keyValue}); return err },
		"header: empty name":     func() error { _, err := auth.NewHeaderVerifier("", []auth.Secret{keyValue}); return err },
		"header: short value":    func() error { _, err := auth.NewHeaderVerifier(keyHeader, []auth.Secret{short}); return err },
		"header: trailing space": func() error { _, err := auth.NewHeaderVerifier(keyHeader, []auth.Secret{keyValue + " "}); return err },
		"header: newline":        func() error { _, err := auth.NewHeaderVerifier(keyHeader, []auth.Secret{keyValue + "\n"}); return err },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := f()
			if err == nil {
				t.Fatal("no error")
			}
			for _, secret := range []string{basicPass, keyValue, string(short)} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q quotes a secret", err)
				}
			}
		})
	}
}

func TestAllowList(t *testing.T) {
	t.Parallel()
	allow, err := auth.NewAllowList([]string{agentProject, agentProject}, []string{"CX-Caller@Demo.iam.gserviceaccount.com"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{extraSA, "service-" + agentProject + "@gcp-sa-dialogflow.iam.gserviceaccount.com"}
	if got := allow.Emails(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Emails() = %v, want %v", got, want)
	}
	for email, ok := range map[string]bool{
		extraSA: true,
		"SERVICE-" + agentProject + "@GCP-SA-DIALOGFLOW.IAM.GSERVICEACCOUNT.COM": true,
		"service-" + otherProject + "@gcp-sa-dialogflow.iam.gserviceaccount.com": false,
		"": false,
	} {
		if allow.Contains(email) != ok {
			t.Errorf("Contains(%q) = %v", email, !ok)
		}
	}
	if (auth.AllowList{}).Contains(extraSA) {
		t.Error("the zero AllowList contains someone")
	}
}

func TestServiceAgentEmail(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"123456789012":     "service-123456789012@gcp-sa-dialogflow.iam.gserviceaccount.com",
		"":                 "",
		"my-project":       "",
		"12 34":            "",
		"123@evil.example": "",
		"-1":               "",
	} {
		got, err := auth.ServiceAgentEmail(in)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("ServiceAgentEmail(%q) = %q, %v", in, got, err)
		}
	}
}

func TestSecretsAreRedacted(t *testing.T) {
	t.Parallel()
	cred := auth.BasicCredential{Username: "u", Password: basicPass}
	key := auth.Secret(keyValue)
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "cred", cred, "key", key, "keys", []auth.Secret{key})
	js, err := json.Marshal(map[string]any{"cred": cred, "key": key})
	if err != nil {
		t.Fatal(err)
	}
	out := fmt.Sprintf("%v %+v %#v %s %q %x %v", cred, cred, cred, key, key, key, []auth.Secret{key}) + logs.String() + string(js)
	if strings.Contains(out, basicPass) || strings.Contains(out, keyValue) || strings.Contains(out, fmt.Sprintf("%x", keyValue)) {
		t.Errorf("secret leaked: %s", out)
	}
	if !strings.Contains(out, "[REDACTED]") {
		t.Errorf("no redaction marker: %s", out)
	}
}

func TestCallerContext(t *testing.T) {
	t.Parallel()
	if _, ok := auth.CallerFromContext(t.Context()); ok {
		t.Error("caller in an empty context")
	}
	want := auth.Caller{Mechanism: auth.MechanismPlatform, Email: extraSA}
	got, ok := auth.CallerFromContext(auth.NewContext(t.Context(), want))
	if !ok || got != want {
		t.Errorf("got %+v, %v", got, ok)
	}
}

func TestMechanismStrings(t *testing.T) {
	t.Parallel()
	want := map[auth.Mechanism]string{
		auth.MechanismNone: "none", auth.MechanismPlatform: "platform", auth.MechanismIDToken: "idtoken",
		auth.MechanismBasic: "basic", auth.MechanismHeader: "header", auth.Mechanism(99): "unknown",
	}
	for m, s := range want {
		if m.String() != s {
			t.Errorf("%d.String() = %q, want %q", m, m.String(), s)
		}
	}
}

// A Gate admits as Require does, without a copy of the request: the Caller
// is in the context it returns, refusals are answered on w, and it names
// the headers Require would hide.
func TestGate(t *testing.T) {
	t.Parallel()
	quiet := auth.WithLogger(slog.New(slog.DiscardHandler))
	none := auth.NewGate(auth.NewNoneVerifier(slog.New(slog.DiscardHandler)), quiet)
	for range 2 { // the NoneVerifier's Caller is made once; every call gets it
		ctx, ok := none.Admit(t.Context(), httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", nil))
		if c, found := auth.CallerFromContext(ctx); !ok || !found || c != (auth.Caller{Mechanism: auth.MechanismNone}) {
			t.Errorf("none: admitted %v, caller %+v (found %v)", ok, c, found)
		}
	}
	if none.CredentialHeaders() != nil {
		t.Errorf("none hides %v", none.CredentialHeaders())
	}

	v, err := auth.NewHeaderVerifier("X-Webhook-Key", []auth.Secret{keyValue})
	if err != nil {
		t.Fatal(err)
	}
	g := auth.NewGate(v, quiet)
	if got := g.CredentialHeaders(); len(got) != 1 || got[0] != "X-Webhook-Key" {
		t.Errorf("CredentialHeaders = %v", got)
	}
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Header.Set("X-Webhook-Key", keyValue)
	ctx, ok := g.Admit(t.Context(), httptest.NewRecorder(), r)
	if c, _ := auth.CallerFromContext(ctx); !ok || c.Mechanism != auth.MechanismHeader {
		t.Errorf("valid key: admitted %v, caller %+v", ok, c)
	}
	rec := httptest.NewRecorder()
	r.Header.Set("X-Webhook-Key", "wrong")
	if _, ok := g.Admit(t.Context(), rec, r); ok || rec.Code != 401 || !strings.Contains(rec.Body.String(), "unauthenticated") {
		t.Errorf("wrong key: admitted %v, answered %d %s", ok, rec.Code, rec.Body)
	}
}
