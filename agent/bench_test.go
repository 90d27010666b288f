package agent_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cxhook/cxhook/agent"
)

// writeSyntheticAgent writes an export of pages pages, 100 to a flow, each
// about as large as the flight agent's form pages: a form of three
// parameters with prompts and reprompt handlers, an entry fulfillment with
// presets, four routes (one calling a webhook) and two event handlers.
func writeSyntheticAgent(tb testing.TB, dir string, pages int) {
	tb.Helper()
	write := func(name, content string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	msg := func(text string) string {
		return fmt.Sprintf(`{"text": {"text": [%q]}, "languageCode": "en"}`, text)
	}
	write("agent.json", `{"defaultLanguageCode": "en", "timeZone": "Europe/Paris", "startFlow": "Flow 0"}`)
	write("webhooks/hook.json", `{"name": "w", "displayName": "hook", "genericWebService": {"uri": "https://example.com"}, "timeout": {"seconds": 5}}`)
	write("intents/yes/yes.json", `{"name": "i1", "displayName": "yes", "priority": 500000}`)
	write("intents/yes/trainingPhrases/en.json", `{"trainingPhrases": [{"id": "t", "parts": [{"text": "yes"}], "repeatCount": 1, "languageCode": "en"}]}`)
	const perFlow = 100
	for fl := 0; fl*perFlow < pages; fl++ {
		flow := fmt.Sprintf("Flow %d", fl)
		write(fmt.Sprintf("flows/%s/%s.json", flow, flow), fmt.Sprintf(`{"name": "f%d", "displayName": %q,
			"transitionRoutes": [{"intent": "yes", "targetPage": "Page %d-0", "name": "r"}],
			"eventHandlers": [{"event": "sys.no-match-default", "triggerFulfillment": {"messages": [%s]}, "name": "h"}]}`,
			fl, flow, fl, msg("Sorry?")))
		inFlow := min(perFlow, pages-fl*perFlow)
		for pg := range inFlow {
			next := fmt.Sprintf("Page %d-%d", fl, (pg+1)%inFlow)
			var params []string
			for k := range 3 {
				params = append(params, fmt.Sprintf(`{"displayName": "param_%d", "required": true, "entityType": "@sys.any",
					"fillBehavior": {"initialPromptFulfillment": {"messages": [%s], "webhook": "hook", "tag": "prompt"},
					"repromptEventHandlers": [{"event": "sys.no-match-1", "triggerFulfillment": {"messages": [%s]}, "name": "a"},
					{"event": "sys.no-input-1", "triggerFulfillment": {"messages": [%s]}, "name": "b"}]}}`,
					k, msg(strings.Repeat("What is it? ", 6)), msg("Say it again?"), msg("Are you there?")))
			}
			write(fmt.Sprintf("flows/%s/pages/Page %d-%d.json", flow, fl, pg), fmt.Sprintf(`{"name": "p%d-%d", "displayName": "Page %d-%d",
				"entryFulfillment": {"messages": [%s], "setParameterActions": [{"parameter": "$flow.counter", "value": 0}, {"parameter": "x", "value": null}]},
				"form": {"parameters": [%s]},
				"transitionRoutes": [
					{"condition": "$page.params.status = \"FINAL\"", "triggerFulfillment": {"webhook": "hook", "tag": "final"}, "targetPage": %q, "name": "r1"},
					{"intent": "yes", "triggerFulfillment": {"messages": [%s]}, "targetPage": "Current Page", "name": "r2"},
					{"condition": "$session.params.x = \"y\"", "targetPage": "End Flow", "name": "r3"},
					{"condition": "true", "triggerFulfillment": {"messages": [%s]}, "name": "r4"}],
				"eventHandlers": [
					{"event": "webhook.error", "triggerFulfillment": {"messages": [%s]}, "targetPage": "End Session", "name": "e1"},
					{"event": "sys.no-input-default", "triggerFulfillment": {"messages": [%s]}, "name": "e2"}]}`,
				fl, pg, fl, pg, msg(strings.Repeat("Welcome to this page. ", 5)), strings.Join(params, ", "), next,
				msg("Again."), msg("Anything else?"), msg("Something went wrong."), msg("Hello?")))
		}
	}
}

// BenchmarkLoadSynthetic1000Pages loads a synthetic export of 1,000 pages
// from disk. The issue asks for under 300 ms a load: the benchmark fails if
// a load takes more CPU time than that (cpu-ms/load, which waiting for a
// core on a shared machine does not inflate as it does ms/load; a load
// uses every core, so on an idle machine ms/load is the lower).
func BenchmarkLoadSynthetic1000Pages(b *testing.B) {
	dir := b.TempDir()
	writeSyntheticAgent(b, dir, 1000)
	var a *agent.Agent
	start, cpu := time.Now(), cpuTime()
	for b.Loop() {
		var err error
		if a, err = agent.Load(dir); err != nil {
			b.Fatal(err)
		}
	}
	perLoad, perCPU := time.Since(start)/time.Duration(b.N), (cpuTime()-cpu)/time.Duration(b.N)
	b.ReportMetric(float64(perLoad.Microseconds())/1000, "ms/load")
	b.ReportMetric(float64(perCPU.Microseconds())/1000, "cpu-ms/load")
	n := 0
	for _, f := range a.Flows {
		n += len(f.Pages)
	}
	if n != 1000 {
		b.Fatalf("%d pages", n)
	}
	if perCPU > 300*time.Millisecond {
		b.Errorf("a load takes %v of CPU time, more than 300 ms", perCPU)
	}
}

// BenchmarkLoadFlightAgent loads the flight agent (50 pages, 168 files,
// 1.5 MB) from disk.
func BenchmarkLoadFlightAgent(b *testing.B) {
	start, cpu := time.Now(), cpuTime()
	for b.Loop() {
		if _, err := agent.Load(flightAgent); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/load")
	b.ReportMetric((cpuTime()-cpu).Seconds()*1000/float64(b.N), "cpu-ms/load")
}

// TestSyntheticAgentLoads keeps the benchmark's agent valid (a small one).
func TestSyntheticAgentLoads(t *testing.T) {
	dir := t.TempDir()
	writeSyntheticAgent(t, dir, 150)
	a := load(t, dir)
	if len(a.Flows) != 2 || len(a.Flows[1].Pages) != 50 || len(a.CallSites()) != 150*4 {
		t.Errorf("%d flows, %d call sites", len(a.Flows), len(a.CallSites()))
	}
}
