package quickstart

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cxhook/cxhook/auth/authtest"
	"github.com/cxhook/cxhook/fulfillment/fulfillmenttest"
	"github.com/cxhook/cxhook/webhook"
)

// TestWebhookChecksCaller builds the function as deploy.sh configures it on
// Cloud Run: behind IAM, where Cloud Run checks the ID token's signature and
// the function checks its claims (CXHOOK_AUTH=platform).
func TestWebhookChecksCaller(t *testing.T) {
	const (
		aud     = "https://webhook-abc123-ew.a.run.app" // the function's URL
		project = "123456789012"                        // the agent's project number
	)
	env := map[string]string{
		"K_SERVICE":                    "webhook", // as on Cloud Run
		"CXHOOK_AUTH":                  "platform",
		"CXHOOK_AUDIENCES":             aud,
		"CXHOOK_AGENT_PROJECT_NUMBERS": project,
	}
	getenv := func(name string) string { return env[name] }
	h, err := webhook.New(newMux(), webhook.WithGetenv(getenv))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	iss := authtest.NewIssuer(t)
	tests := []struct {
		name  string
		token string
		want  int
	}{
		{"our agent", iss.PlatformToken(t, authtest.ServiceAgentClaims(project, aud)), http.StatusOK},
		{"another project's agent", iss.PlatformToken(t, authtest.ServiceAgentClaims("999999999999", aud)), http.StatusForbidden},
		{"another audience", iss.PlatformToken(t, authtest.ServiceAgentClaims(project, "https://other.a.run.app")), http.StatusUnauthorized},
		{"a token Cloud Run did not check", iss.Token(t, authtest.ServiceAgentClaims(project, aud)), http.StatusUnauthorized},
		{"no token", "", http.StatusUnauthorized},
	}
	body := fulfillmenttest.NewRequest("checkMileage").Param("frequent_flyer_account", "FF-1001").JSON()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}

	// Without CXHOOK_AUTH, the function does not start on Cloud Run.
	delete(env, "CXHOOK_AUTH")
	if _, err := webhook.New(newMux(), webhook.WithGetenv(getenv)); err == nil || !strings.Contains(err.Error(), "CXHOOK_AUTH") {
		t.Errorf("without CXHOOK_AUTH: %v, want an error naming it", err)
	}
}
