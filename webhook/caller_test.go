package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cxhook/cxhook/auth"
	"github.com/cxhook/cxhook/auth/authtest"
)

const (
	testProject = "123456789012"
	testAud     = "https://webhook-abc123-ew.a.run.app"
	testPass    = "correct-horse-battery-staple-1"
	testKey     = "k3y-Current-0123456789abcdef"
)

var (
	platformEnv = map[string]string{
		"CXHOOK_AUTH":                  "platform",
		"CXHOOK_AUDIENCES":             testAud + ", https://europe-west1-demo.cloudfunctions.net/webhook",
		"CXHOOK_AGENT_PROJECT_NUMBERS": testProject,
	}
	basicEnv  = map[string]string{"CXHOOK_AUTH": "basic", "CXHOOK_BASIC_CREDENTIALS": "dialogflow:" + testPass}
	headerEnv = map[string]string{"CXHOOK_AUTH": "header", "CXHOOK_HEADER_NAME": "X-Webhook-Key", "CXHOOK_HEADER_VALUE": testKey}
)

// env returns a getenv over base plus the given key/value pairs; an empty
// value deletes the key.
func env(base map[string]string, kv ...string) func(string) string {
	m := map[string]string{}
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(m, kv[i])
		} else {
			m[kv[i]] = kv[i+1]
		}
	}
	return func(k string) string { return m[k] }
}

// start runs callerCheck and returns the protected handler and the mode it
// logged, or the error.
func start(t *testing.T, getenv func(string) string) (http.Handler, string, error) {
	t.Helper()
	var logs bytes.Buffer
	gate, err := callerCheck(getenv, slog.New(slog.NewJSONHandler(&logs, nil)), nil)
	if err != nil {
		return nil, "", err
	}
	var mode string
	for line := range strings.Lines(logs.String()) {
		var rec struct{ Mode string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Mode != "" {
			mode = rec.Mode
		}
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := auth.CallerFromContext(r.Context())
		_, _ = w.Write([]byte(c.Mechanism.String() + " " + c.Email))
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ctx, admitted := gate.Admit(r.Context(), w, r); admitted {
			ok.ServeHTTP(w, r.WithContext(ctx))
		}
	}), mode, nil
}

func anonymousStatus(h http.Handler) int {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{}`)))
	return rec.Code
}

func TestCallerCheckFromEnv(t *testing.T) {
	t.Parallel()
	const kService = "K_SERVICE"
	cases := []struct {
		name     string
		getenv   func(string) string
		wantVar  string // the variable the error names, or
		wantMode string // the mode in effect
	}{
		// Local runs (no K_SERVICE).
		{"local, nothing set: none with a warning", env(nil), "", "none"},
		{"local, none", env(nil, "CXHOOK_AUTH", "none"), "", "none"},
		{"local, none with the override", env(nil, "CXHOOK_AUTH", "none", "CXHOOK_INSECURE_ALLOW_NO_AUTH", "true"), "", "none"},
		{"local, mode unset but audiences set", env(nil, "CXHOOK_AUDIENCES", testAud), "CXHOOK_AUTH", ""},
		{"local, mode unset but override set", env(nil, "CXHOOK_INSECURE_ALLOW_NO_AUTH", "true"), "CXHOOK_AUTH", ""},
		{"local, platform", env(platformEnv), "", "platform"},

		// Deployed (K_SERVICE set).
		{"deployed, nothing set", env(nil, kService, "webhook"), "CXHOOK_AUTH", ""},
		{"deployed, only project numbers", env(nil, kService, "webhook", "CXHOOK_AGENT_PROJECT_NUMBERS", testProject), "CXHOOK_AUTH", ""},
		{"deployed, none", env(nil, kService, "webhook", "CXHOOK_AUTH", "none"), "CXHOOK_AUTH", ""},
		{"deployed, none with the override", env(nil, kService, "webhook", "CXHOOK_AUTH", "none", "CXHOOK_INSECURE_ALLOW_NO_AUTH", "true"), "", "none"},
		{"deployed, none with override TRUE", env(nil, kService, "webhook", "CXHOOK_AUTH", "none", "CXHOOK_INSECURE_ALLOW_NO_AUTH", "TRUE"), "CXHOOK_INSECURE_ALLOW_NO_AUTH", ""},
		{"deployed, none with override 1", env(nil, kService, "webhook", "CXHOOK_AUTH", "none", "CXHOOK_INSECURE_ALLOW_NO_AUTH", "1"), "CXHOOK_INSECURE_ALLOW_NO_AUTH", ""},
		{"deployed, override without a mode", env(nil, kService, "webhook", "CXHOOK_INSECURE_ALLOW_NO_AUTH", "true"), "CXHOOK_AUTH", ""},
		{"deployed, unknown mode", env(nil, kService, "webhook", "CXHOOK_AUTH", "off"), "CXHOOK_AUTH", ""},
		{"deployed, mode in capitals", env(nil, kService, "webhook", "CXHOOK_AUTH", "NONE", "CXHOOK_INSECURE_ALLOW_NO_AUTH", "true"), "CXHOOK_AUTH", ""},

		// platform and idtoken.
		{"platform", env(platformEnv, kService, "webhook"), "", "platform"},
		{"platform, emails only", env(platformEnv, kService, "webhook", "CXHOOK_AGENT_PROJECT_NUMBERS", "", "CXHOOK_ALLOWED_EMAILS", "cx@demo.iam.gserviceaccount.com"), "", "platform"},
		{"platform, no audiences", env(platformEnv, "CXHOOK_AUDIENCES", ""), "CXHOOK_AUDIENCES", ""},
		{"platform, audiences only commas", env(platformEnv, "CXHOOK_AUDIENCES", " , ,"), "CXHOOK_AUDIENCES", ""},
		{"platform, audience with a space", env(platformEnv, "CXHOOK_AUDIENCES", "https://a.run.app/x y"), "CXHOOK_AUDIENCES", ""},
		{"platform, nobody allowed", env(platformEnv, "CXHOOK_AGENT_PROJECT_NUMBERS", ""), "CXHOOK_AGENT_PROJECT_NUMBERS", ""},
		{"platform, project ID for a number", env(platformEnv, "CXHOOK_AGENT_PROJECT_NUMBERS", "my-agent-project"), "CXHOOK_AGENT_PROJECT_NUMBERS", ""},
		{"platform, bad email", env(platformEnv, "CXHOOK_ALLOWED_EMAILS", "not-an-email"), "CXHOOK_ALLOWED_EMAILS", ""},
		{"platform with basic credentials", env(platformEnv, "CXHOOK_BASIC_CREDENTIALS", "u:"+testPass), "CXHOOK_BASIC_CREDENTIALS", ""},
		{"platform with the override", env(platformEnv, "CXHOOK_INSECURE_ALLOW_NO_AUTH", "true"), "CXHOOK_INSECURE_ALLOW_NO_AUTH", ""},
		{"idtoken", env(platformEnv, kService, "webhook", "CXHOOK_AUTH", "idtoken"), "", "idtoken"},
		{"idtoken, no audiences", env(platformEnv, "CXHOOK_AUTH", "idtoken", "CXHOOK_AUDIENCES", ""), "CXHOOK_AUDIENCES", ""},
		{"idtoken with a header name", env(platformEnv, "CXHOOK_AUTH", "idtoken", "CXHOOK_HEADER_NAME", "X-Key"), "CXHOOK_HEADER_NAME", ""},

		// basic.
		{"basic", env(basicEnv, kService, "webhook"), "", "basic"},
		{"basic with a previous credential", env(basicEnv, "CXHOOK_BASIC_CREDENTIALS_PREVIOUS", "dialogflow:old-password-0123456789"), "", "basic"},
		{"basic, no credentials", env(basicEnv, "CXHOOK_BASIC_CREDENTIALS", ""), "CXHOOK_BASIC_CREDENTIALS", ""},
		{"basic, only a previous credential", env(basicEnv, "CXHOOK_BASIC_CREDENTIALS", "", "CXHOOK_BASIC_CREDENTIALS_PREVIOUS", "u:"+testPass), "CXHOOK_BASIC_CREDENTIALS", ""},
		{"basic, no colon", env(basicEnv, "CXHOOK_BASIC_CREDENTIALS", testPass), "CXHOOK_BASIC_CREDENTIALS", ""},
		{"basic, short password", env(basicEnv, "CXHOOK_BASIC_CREDENTIALS", "u:hunter2"), "CXHOOK_BASIC_CREDENTIALS", ""},
		{"basic, trailing newline", env(basicEnv, "CXHOOK_BASIC_CREDENTIALS", "u:"+testPass+"\n"), "CXHOOK_BASIC_CREDENTIALS", ""},
		{"basic, bad previous", env(basicEnv, "CXHOOK_BASIC_CREDENTIALS_PREVIOUS", ":"+testPass), "CXHOOK_BASIC_CREDENTIALS_PREVIOUS", ""},
		{"basic with allowed emails", env(basicEnv, "CXHOOK_ALLOWED_EMAILS", "cx@demo.iam.gserviceaccount.com"), "CXHOOK_ALLOWED_EMAILS", ""},
		{"basic with audiences", env(basicEnv, "CXHOOK_AUDIENCES", testAud), "CXHOOK_AUDIENCES", ""},

		// header.
		{"header", env(headerEnv, kService, "webhook"), "", "header"},
		{"header with a previous value", env(headerEnv, "CXHOOK_HEADER_VALUE_PREVIOUS", "k3y-Previous-0123456789abcdef"), "", "header"},
		{"header, no name", env(headerEnv, "CXHOOK_HEADER_NAME", ""), "CXHOOK_HEADER_NAME", ""},
		{"header, bad name", env(headerEnv, "CXHOOK_HEADER_NAME", "X Webhook Key"), "CXHOOK_HEADER_NAME", ""},
		{"header, no value", env(headerEnv, "CXHOOK_HEADER_VALUE", ""), "CXHOOK_HEADER_VALUE", ""},
		{"header, short value", env(headerEnv, "CXHOOK_HEADER_VALUE", "abc"), "CXHOOK_HEADER_VALUE", ""},
		{"header, value with a trailing space", env(headerEnv, "CXHOOK_HEADER_VALUE", testKey+" "), "CXHOOK_HEADER_VALUE", ""},
		{"header, bad previous value", env(headerEnv, "CXHOOK_HEADER_VALUE_PREVIOUS", "short"), "CXHOOK_HEADER_VALUE_PREVIOUS", ""},
		{"header with project numbers", env(headerEnv, "CXHOOK_AGENT_PROJECT_NUMBERS", testProject), "CXHOOK_AGENT_PROJECT_NUMBERS", ""},
		{"header with basic credentials", env(headerEnv, "CXHOOK_BASIC_CREDENTIALS", "u:"+testPass), "CXHOOK_BASIC_CREDENTIALS", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h, mode, err := start(t, c.getenv)
			if c.wantVar != "" {
				var ce *auth.ConfigError
				if !errors.As(err, &ce) || ce.Var != c.wantVar {
					t.Fatalf("err = %v, want a ConfigError naming %s", err, c.wantVar)
				}
				if !strings.Contains(err.Error(), c.wantVar) {
					t.Errorf("message %q does not name %s", err, c.wantVar)
				}
				for _, secret := range []string{testPass, testKey, "hunter2"} {
					if strings.Contains(err.Error(), secret) {
						t.Errorf("message %q quotes a secret", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v, want mode %s", err, c.wantMode)
			}
			if mode != c.wantMode {
				t.Errorf("mode %q, want %q", mode, c.wantMode)
			}
			want := http.StatusUnauthorized
			if c.wantMode == "none" {
				want = http.StatusOK
			}
			if got := anonymousStatus(h); got != want {
				t.Errorf("request without credentials: %d, want %d", got, want)
			}
		})
	}
}

// TestDeployedFunctionAlwaysChecksCallers tries every combination of mode,
// override and extra settings on Cloud Run: each one either refuses to start
// or refuses a request without credentials, save none with the override.
func TestDeployedFunctionAlwaysChecksCallers(t *testing.T) {
	t.Parallel()
	modes := []string{"", "none", "platform", "idtoken", "basic", "header", "NONE", "None", " none", "none ", "off", "false", "disabled", "0"}
	overrides := []string{"", "true", "TRUE", "True", " true", "1", "yes", "false"}
	extras := []map[string]string{nil, platformEnv, basicEnv, headerEnv}
	started, open := 0, 0
	for _, mode := range modes {
		for _, override := range overrides {
			for _, extra := range extras {
				getenv := env(extra, "K_SERVICE", "webhook", "CXHOOK_AUTH", mode, "CXHOOK_INSECURE_ALLOW_NO_AUTH", override)
				h, _, err := start(t, getenv)
				if err != nil {
					continue
				}
				started++
				if anonymousStatus(h) == http.StatusUnauthorized {
					continue
				}
				open++
				if getenv("CXHOOK_AUTH") != "none" || getenv("CXHOOK_INSECURE_ALLOW_NO_AUTH") != "true" {
					t.Errorf("started open with CXHOOK_AUTH=%q CXHOOK_INSECURE_ALLOW_NO_AUTH=%q extra=%v", mode, override, extra)
				}
			}
		}
	}
	// Sanity: the five valid configurations (platform, idtoken, basic,
	// header, none with the override) did start, and one was open.
	if started != 5 || open != 1 {
		t.Errorf("%d configurations started, %d without checks; want 5 and 1", started, open)
	}
	t.Logf("%d configurations tried on Cloud Run: %d started, %d without caller checks (none + override)",
		len(modes)*len(overrides)*len(extras), started, open)
}

func TestPlatformModeEndToEnd(t *testing.T) {
	t.Parallel()
	h, _, err := start(t, env(platformEnv, "K_SERVICE", "webhook"))
	if err != nil {
		t.Fatal(err)
	}
	iss := authtest.NewIssuer(t)
	srv := httptest.NewServer(h)
	defer srv.Close()
	for tok, want := range map[string]int{
		iss.PlatformToken(t, authtest.ServiceAgentClaims(testProject, testAud)):    http.StatusOK,
		iss.PlatformToken(t, authtest.ServiceAgentClaims("999999999999", testAud)): http.StatusForbidden,
		iss.Token(t, authtest.ServiceAgentClaims(testProject, testAud)):            http.StatusUnauthorized,
	} {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("status %d, want %d", resp.StatusCode, want)
		}
	}
}

func TestNewRefusesToStartUnconfiguredOnCloudRun(t *testing.T) {
	t.Parallel()
	_, err := New(echo, WithGetenv(env(nil, "K_SERVICE", "webhook")), WithLogger(slog.New(slog.DiscardHandler)))
	var ce *auth.ConfigError
	if !errors.As(err, &ce) || ce.Var != "CXHOOK_AUTH" {
		t.Fatalf("err = %v, want a ConfigError naming CXHOOK_AUTH", err)
	}
}

// TestIDTokenModeThroughNew checks the idtoken mode of a public function
// through New, with WithAuthOptions pointing the key fetch at an
// authtest.Issuer instead of Google.
func TestIDTokenModeThroughNew(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	h, err := New(echo, WithGetenv(env(platformEnv, "K_SERVICE", "webhook", "CXHOOK_AUTH", "idtoken")),
		WithLogger(slog.New(slog.DiscardHandler)), WithAuthOptions(auth.WithHTTPClient(iss.HTTPClient())))
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"fulfillmentInfo":{"tag":"ping"}}`)
	for tok, want := range map[string]int{
		iss.Token(t, authtest.ServiceAgentClaims(testProject, testAud)):                               http.StatusOK,
		iss.Token(t, authtest.ServiceAgentClaims(testProject, testAud).With("email_verified", false)): http.StatusUnauthorized,
		iss.Token(t, authtest.ServiceAgentClaims("999999999999", testAud)):                            http.StatusForbidden,
		iss.PlatformToken(t, authtest.ServiceAgentClaims(testProject, testAud)):                       http.StatusUnauthorized,
	} {
		if status, _, got := post(t, h, body, http.Header{"Authorization": {"Bearer " + tok}}); status != want {
			t.Errorf("status %d, want %d: %s", status, want, got)
		}
	}
}
