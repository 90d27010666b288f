package agent_test

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/cxhook/cxhook/agent"
)

// FuzzLoad loads exports whose main files the fuzzer writes: loading never
// panics, is deterministic, and what it builds is a whole graph.
func FuzzLoad(f *testing.F) {
	m := minimal()
	seed := func(files ...string) {
		f.Add(files[0], files[1], files[2], files[3], files[4], files[5])
	}
	seed(string(m["agent.json"].Data), string(m["flows/Default Start Flow/Default Start Flow.json"].Data),
		string(m["flows/Default Start Flow/pages/Greet.json"].Data), string(m["webhooks/hook.json"].Data), "", "")
	read := func(name string) string {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		return string(b)
	}
	fa := flightAgent + "/"
	seed(read(fa+"agent.json"), read(fa+"flows/Default Start Flow/Default Start Flow.json"),
		read(fa+"flows/Default Start Flow/pages/Collect One-Way Ticket Information.json"),
		read(fa+"webhooks/prebuilt_components_feedback%3aupdate_feedback.json"),
		read(fa+"testCases/Happy path - Check miles - Valid account.json"),
		read(fa+"flows/Default Start Flow/transitionRouteGroups/Airline FAQ.json"))
	seed(`{"startFlow": "F"}`, `{"displayName": "F", "transitionRouteGroups": ["G"], "eventHandlers": [{"event": "e", "targetFlow": "F"}]}`,
		`{"displayName": "P", "form": {"parameters": [{"displayName": "x", "defaultValue": null, "fillBehavior": {"repromptEventHandlers": [{"targetPage": "P"}]}}]}}`,
		`{"displayName": "hook", "timeout": "1e9s", "genericWebService": {"webhookType": "FLEXIBLE", "requestBody": "\"$flow.\\\"$session.params.a\""}}`,
		`{"displayName": "t", "creationTime": {"seconds": "9"}, "testCaseConversationTurns": [{}]}`,
		`{"displayName": "G", "transitionRoutes": [{"intent": "", "condition": "", "targetPage": "Start Page"}]}`)

	f.Fuzz(func(t *testing.T, agentJSON, flowJSON, pageJSON, webhookJSON, testCaseJSON, groupJSON string) {
		fsys := fstest.MapFS{
			"agent.json":                           file(agentJSON),
			"flows/F/F.json":                       file(flowJSON),
			"flows/F/pages/P.json":                 file(pageJSON),
			"flows/F/pages/Q.json":                 file(pageJSON),
			"flows/F/transitionRouteGroups/G.json": file(groupJSON),
			"agentTransitionRouteGroups/G.json":    file(groupJSON),
			"webhooks/hook.json":                   file(webhookJSON),
			"testCases/t.json":                     file(testCaseJSON),
			"intents/hello/hello.json":             file(`{"name": "i1", "displayName": "hello", "parameters": [{"id": "p", "entityType": "@sys.any"}]}`),
		}
		a, err := agent.LoadFS(fsys)
		var le *agent.LoadError
		if a == nil {
			if err == nil {
				t.Fatal("no agent and no error")
			}
			return
		}
		if err != nil && !errors.As(err, &le) {
			t.Fatalf("an agent with an error that is not a *LoadError: %v", err)
		}
		a2, err2 := agent.LoadFS(fsys)
		if !slices.Equal(summary(a), summary(a2)) || (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() {
			t.Fatalf("two loads differ: %v / %v", err, err2)
		}
		checkReferences(t, a)
		for _, s := range a.CallSites() {
			if s.Webhook == nil || s.Fulfillment == nil || s.Fulfillment.Webhook != s.Webhook {
				t.Fatalf("call site %+v", s)
			}
		}
		if _, err := a.SampleRequests(agent.SampleOptions{}); err != nil {
			t.Fatalf("SampleRequests: %v", err)
		}
		for _, w := range a.Webhooks {
			w.FlexibleTag()
		}
	})
}

// FuzzLoadZip loads arbitrary bytes as a zip archive: never a panic.
func FuzzLoadZip(f *testing.F) {
	f.Add(zipDir(f, "testdata/pizza", "", nil))
	f.Add(zipDir(f, "testdata/pizza", "agent", nil))
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := agent.LoadZip(bytes.NewReader(b), int64(len(b)))
		if a == nil && err == nil {
			t.Fatal("no agent and no error")
		}
	})
}
