package edge

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/agent/agenttest"
	"github.com/cxhook/cxhook/fulfillment"
	"github.com/cxhook/cxhook/webhook"
)

// The agent's export, and the request of each of its call sites, as
// cxhook requests --agent testdata/agent --out testdata/requests writes
// them.
const (
	agentExport = "testdata/agent"
	requestsDir = "testdata/requests"
)

// external are the agent's webhooks that call another service than this
// function; their call sites are neither checked against its handlers nor
// posted to it.
var external = []string{
	"maps",
}

// TestAgent checks the agent against the function's handlers: a tag the
// agent calls that no handler serves fails it, with the file and JSON
// path of the call site, as does a flexible webhook served by a standard
// handler or the reverse.
func TestAgent(t *testing.T) {
	a := agenttest.Load(t, agentExport)
	agenttest.Check(t, a, newMux(), agent.CheckOptions{ExternalWebhooks: external})
}

// TestCallSites posts the request of every call site to the function, as
// Dialogflow would, through the handler that webhook.MustNew builds for
// Cloud Run. Each answer must be 200 with a valid WebhookResponse (for a
// flexible webhook, a JSON object), or, from a handler not written yet,
// 501 with the code "unimplemented" and a log line that names the handler.
// Anything else fails: no handler for the tag (404), parameters that do
// not fit the handler's types (400), a panic (500).
func TestCallSites(t *testing.T) {
	a := agenttest.Load(t, agentExport)
	samples, err := a.SampleRequests(agent.SampleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	h, err := webhook.New(newMux(),
		webhook.WithGetenv(func(string) string { return "" }), // as on this machine: no caller check
		webhook.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		if slices.Contains(external, s.Site.Webhook.DisplayName) {
			continue
		}
		if !s.Flexible && s.Site.Tag == "" {
			t.Logf("%s: the call site has no tag; only a fallback handler could serve it", s.Site)
			continue
		}
		t.Run(strings.TrimSuffix(s.Name, ".json"), func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(requestsDir, s.Name))
			if err != nil {
				t.Fatalf("%v (cxhook requests --agent %s --out %s writes it)", err, agentExport, requestsDir)
			}
			path := "/"
			if _, tagged := s.Site.Webhook.FlexibleTag(); s.Flexible && !tagged {
				path = s.Site.Webhook.Path() // dispatched by the path of the webhook's URI
			}
			logs.Reset()
			r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			switch {
			case w.Code == http.StatusOK && s.Flexible:
				var answer map[string]any
				if err := json.Unmarshal(w.Body.Bytes(), &answer); err != nil {
					t.Errorf("the answer is not a JSON object: %v\n%s", err, w.Body)
				}
			case w.Code == http.StatusOK:
				if _, err := fulfillment.ResponseFromJSON(w.Body.Bytes()); err != nil {
					t.Errorf("the answer is not a valid WebhookResponse: %v\n%s", err, w.Body)
				}
			case w.Code == http.StatusNotImplemented:
				var e struct{ Code string }
				if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Code != "unimplemented" {
					t.Errorf("501 with %s, want the code unimplemented", w.Body)
				}
				if !strings.Contains(logs.String(), "is not written yet") {
					t.Errorf("the log does not name the handler:\n%s", &logs)
				}
				t.Logf("not written yet: %s", s.Site)
			default:
				t.Errorf("%s: status %d: %s\nlog:\n%s", s.Site, w.Code, w.Body, &logs)
			}
		})
	}
}
