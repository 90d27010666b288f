// Package agenttest checks, in a Go test, an exported Dialogflow CX agent
// against the handlers of the webhook function that serves it, so that a
// tag the agent calls and no handler serves fails the build instead of
// raising webhook.error in production.
//
//	func TestAgent(t *testing.T) {
//		a := agenttest.Load(t, "testdata/agent") // the JSON package export
//		agenttest.Check(t, a, newMux(), agent.CheckOptions{})
//	}
package agenttest

import (
	"testing"

	"github.com/cxhook/cxhook/agent"
)

// Load loads the agent exported at name (a folder, a .zip or agent.json;
// see [agent.Load]) and fails the test at once if it cannot, or if the
// export has problems: each is reported with its file and JSON path.
func Load(t testing.TB, name string) *agent.Agent {
	t.Helper()
	a, err := agent.Load(name)
	if le, ok := err.(*agent.LoadError); ok {
		for _, p := range le.Problems {
			t.Errorf("agent export: %s", p)
		}
		t.FailNow()
	}
	if err != nil {
		t.Fatalf("agent export: %v", err)
	}
	return a
}

// Check runs [agent.Check] on the agent and the handlers h (a
// *fulfillment.Mux, or anything with its Tags method; one that also has
// FlexibleTags and FlexiblePaths is checked for flexible webhooks too). It
// fails the test with each error found, as "file: JSON path: message
// [rule]", logs each warning, and returns all the findings.
func Check(t testing.TB, a *agent.Agent, h agent.Handlers, opts agent.CheckOptions) []agent.Finding {
	t.Helper()
	findings := agent.Check(a, agent.ServedBy(h), opts)
	for _, f := range findings {
		if f.Severity == agent.Error {
			t.Error(f)
		} else {
			t.Log(f)
		}
	}
	return findings
}
