package flightbot

import (
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/agent/agenttest"
)

// flightAgentExport is the example agent's JSON package export.
var flightAgentExport = filepath.Join("..", "..", "testdata", "agents", "digibhem-flight-bot")

// The tags the example serves, and the webhooks that call them as the
// export has them.
var (
	standardTags = []string{"checkMileage", "findAvailableTicket"}
	feedbackTags = []string{"getPreviousFeedbackDate", "updateFeedback"}
	// The address component's webhook calls Google's Address Validation
	// API, not this function.
	addressValidation = "prebuilt_components_address_collection:address_validation"
)

// TestAgentCheck checks the exported agent, as it is, against the
// example's mux: the one error is the address component's validation
// call, a flexible webhook no handler serves; the four tags the example
// serves, two on standard webhooks and two on the feedback component's
// flexible ones, have no finding.
func TestAgentCheck(t *testing.T) {
	a := agenttest.Load(t, flightAgentExport)
	mux := newMux(time.Now)
	if got := mux.Tags(); !slices.Equal(got, standardTags) {
		t.Errorf("standard tags %v, want %v", got, standardTags)
	}
	if got := mux.FlexibleTags(); !slices.Equal(got, feedbackTags) {
		t.Errorf("flexible tags %v, want %v", got, feedbackTags)
	}
	findings := agent.Check(a, agent.ServedBy(mux), agent.CheckOptions{})

	var validation []agent.Finding
	for _, f := range findings {
		if strings.Contains(f.Message, `tag "validation"`) {
			validation = append(validation, f)
		}
	}
	if len(validation) != 1 || validation[0].Rule != agent.RuleUnservedFlexible || validation[0].Severity != agent.Error ||
		validation[0].Loc.File != "flows/Address Collection/pages/%3e address validation api.json" {
		t.Errorf("the validation tag's findings: %v", validation)
	}
	// Nothing else, but the pages of the Default Start Flow that call
	// checkMileage and findAvailableTicket without a webhook.error handler
	// (cxlint R011), a warning about the agent's design, not about the
	// tags: a failed call there goes unnoticed whatever serves it.
	for _, f := range findings {
		switch {
		case len(validation) == 1 && f == validation[0]:
		case f.Rule == agent.RuleNoWebhookErrorHandler && f.Severity == agent.Warning &&
			strings.HasPrefix(f.Loc.File, "flows/Default Start Flow/pages/"):
		default:
			t.Errorf("a finding: %s", f)
		}
	}

	// With the address validation webhook left to Google, the check passes.
	agenttest.Check(t, a, mux, agent.CheckOptions{ExternalWebhooks: []string{addressValidation}})
}

// TestSampleRequestsAnswered posts the request of every call site of the
// exported agent (cxhook requests writes the same files) to the function:
// each standard one gets a valid WebhookResponse, each flexible one on the
// feedback webhooks an answer their parameterMapping reads, and the
// address component's validation body, which no handler serves, 404.
func TestSampleRequestsAnswered(t *testing.T) {
	a := agenttest.Load(t, flightAgentExport)
	samples, err := a.SampleRequests(agent.SampleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	url, _, _ := startServer(t, getenvOf())
	var standard, flexible int
	for _, s := range samples {
		t.Run(strings.TrimSuffix(s.Name, ".json"), func(t *testing.T) {
			resp, body := post(t, url, s.Body, nil)
			switch {
			case !s.Flexible:
				standard++
				checkAnswer(t, resp, body)
			case s.Site.Webhook.DisplayName == addressValidation:
				if resp.StatusCode != http.StatusNotFound {
					t.Errorf("status %d, want 404: %s", resp.StatusCode, body)
				}
			default:
				flexible++
				checkFlexibleAnswer(t, s.Site.Webhook, resp.StatusCode, resp.Header, body)
			}
		})
	}
	if standard != 10 || flexible != 2 {
		t.Errorf("%d standard and %d flexible call sites served, want 10 and 2", standard, flexible)
	}
}
