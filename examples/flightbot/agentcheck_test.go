package flightbot

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/agent/agenttest"
)

// flightAgentExport is the example agent's JSON package export.
var flightAgentExport = filepath.Join("..", "..", "agent", "testdata", "digibhem-flight-bot")

// The tags the example serves, and the webhooks that call them as the
// export has them.
var (
	standardTags = []string{"checkMileage", "findAvailableTicket"}
	feedbackTags = []string{"getPreviousFeedbackDate", "updateFeedback"}
	// The address component's webhook calls Google's Address Validation
	// API, not this function.
	addressValidation = "prebuilt_components_address_collection:address_validation"
)

// TestAgentCheck checks the exported agent against the example's mux.
func TestAgentCheck(t *testing.T) {
	a := agenttest.Load(t, flightAgentExport)
	mux := newMux(time.Now)
	findings := agent.Check(a, agent.ServedBy(mux), agent.CheckOptions{})

	// The address component's validation call is one no handler serves, on
	// a flexible webhook.
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

	// Nothing for the tags the example serves, but the feedback tags'
	// kind: feedback.go serves them with standard handlers and asks for the
	// agent's two feedback webhooks to be made STANDARD. A mux with
	// flexible handlers (issue 9, item 6) serves the export as it is.
	flexible := len(mux.FlexibleTags()) > 0 // a Mux is always a FlexibleHandler; this one may serve none
	for _, f := range findings {
		for _, tag := range append(slices.Clone(standardTags), feedbackTags...) {
			if !strings.Contains(f.Message, `"`+tag+`"`) || f.Rule == agent.RuleNoWebhookErrorHandler {
				continue
			}
			if flexible || !slices.Contains(feedbackTags, tag) || f.Rule != agent.RuleKindMismatch {
				t.Errorf("a finding for served tag %s: %s", tag, f)
			}
		}
	}

	// The agent as feedback.go says to change it, with the address
	// validation webhook left to Google: the check passes.
	if !flexible {
		for _, name := range []string{"prebuilt_components_feedback:last_feedback_check", "prebuilt_components_feedback:update_feedback"} {
			a.Webhook(name).Kind = agent.Standard
		}
	}
	agenttest.Check(t, a, mux, agent.CheckOptions{ExternalWebhooks: []string{addressValidation}})
}

// TestSampleRequestsAnswered posts the request of every call site of the
// exported agent (cxhook requests writes the same files) to the function:
// each standard one gets a valid answer. The flexible bodies are for
// flexible handlers, which the example does not have yet (feedback.go).
func TestSampleRequestsAnswered(t *testing.T) {
	a := agenttest.Load(t, flightAgentExport)
	samples, err := a.SampleRequests(agent.SampleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	url, _, _ := startServer(t, getenvOf())
	standard := 0
	for _, s := range samples {
		if s.Flexible {
			continue
		}
		standard++
		t.Run(strings.TrimSuffix(s.Name, ".json"), func(t *testing.T) {
			resp, body := post(t, url, s.Body, nil)
			checkAnswer(t, resp, body)
		})
	}
	if standard != 10 {
		t.Errorf("%d standard call sites, want 10", standard)
	}
}
