package agent_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/fulfillment"
)

// The three real exports of ../shared/agents, copied into testdata.
var sharedAgents = []string{"digibhem-flight-bot", "goodbye-graffiti", "servicenow-demo"}

const flightAgent = "testdata/digibhem-flight-bot"

func load(t testing.TB, name string) *agent.Agent {
	t.Helper()
	a, err := agent.Load(name)
	if err != nil {
		t.Fatalf("Load(%s): %v", name, err)
	}
	return a
}

func TestLoadSharedAgents(t *testing.T) {
	for _, name := range append(slices.Clone(sharedAgents), "pizza") {
		t.Run(name, func(t *testing.T) {
			a := load(t, filepath.Join("testdata", name))
			if a.StartFlow == nil {
				t.Fatal("no start flow")
			}
			checkReferences(t, a)
		})
	}
}

// checkReferences checks that the agent's object graph is whole: every
// back pointer and resolved reference points into the agent.
func checkReferences(t *testing.T, a *agent.Agent) {
	t.Helper()
	pages := map[*agent.Page]bool{}
	for _, f := range a.Flows {
		if f.Agent != a || f.StartPage == nil || f.StartPage.Flow != f || !f.StartPage.IsStart() {
			t.Errorf("flow %q: bad agent or start page", f.DisplayName)
		}
		pages[f.StartPage] = true
		for _, p := range f.Pages {
			if p.Flow != f || f.Page(p.DisplayName) != p {
				t.Errorf("page %q of flow %q: not indexed", p.DisplayName, f.DisplayName)
			}
			pages[p] = true
		}
	}
	checkRoutes := func(where string, routes []*agent.Route) {
		for _, r := range routes {
			switch r.Target.Kind {
			case agent.TargetPage:
				if !pages[r.Target.Page] {
					t.Errorf("%s: route %s targets a page outside the agent", where, r.Loc)
				}
			case agent.TargetFlow:
				if a.Flow(r.Target.Flow.DisplayName) != r.Target.Flow {
					t.Errorf("%s: route %s targets a flow outside the agent", where, r.Loc)
				}
			}
			if r.Fulfillment.CallsWebhook() && a.Webhook(r.Fulfillment.Webhook.DisplayName) != r.Fulfillment.Webhook {
				t.Errorf("%s: a webhook outside the agent", r.Loc)
			}
		}
	}
	for p := range pages {
		checkRoutes(p.Loc.File, p.Routes)
		for _, g := range p.RouteGroups {
			checkRoutes(g.Loc.File, g.Routes)
		}
		for _, fp := range p.Form {
			if fp.Page != p {
				t.Errorf("%s: form parameter with a bad page", fp.Loc)
			}
			for _, h := range fp.Reprompts {
				if h.Param != fp || h.Page != p {
					t.Errorf("%s: reprompt handler with bad owners", h.Loc)
				}
			}
		}
	}
}

func TestLoadFlightAgent(t *testing.T) {
	a := load(t, flightAgent)
	counts := map[string][2]int{
		"flows":        {len(a.Flows), 4},
		"intents":      {len(a.Intents), 38},
		"entity types": {len(a.EntityTypes), 8},
		"webhooks":     {len(a.Webhooks), 4},
		"test cases":   {len(a.TestCases), 16},
		"agent groups": {len(a.RouteGroups), 0},
	}
	pages := 0
	for _, f := range a.Flows {
		pages += len(f.Pages)
	}
	counts["pages"] = [2]int{pages, 50}
	for what, c := range counts {
		if c[0] != c[1] {
			t.Errorf("%d %s, want %d", c[0], what, c[1])
		}
	}
	if a.DefaultLanguageCode != "en" || a.TimeZone != "America/Los_Angeles" || a.ProjectNumber != "665613175760" || !a.SpellCorrection {
		t.Errorf("settings: %q %q %q %v", a.DefaultLanguageCode, a.TimeZone, a.ProjectNumber, a.SpellCorrection)
	}
	if s := a.Advanced.Speech; s == nil || s.NoSpeechTimeout != 5*time.Second || s.EndpointerSensitivity != 50 {
		t.Errorf("speech settings: %+v", s)
	}

	start := a.StartFlow
	if start.DisplayName != "Default Start Flow" || start.ID != agent.DefaultStartFlowID {
		t.Fatalf("start flow %q %q", start.DisplayName, start.ID)
	}
	if start.NLU.ModelType != "MODEL_TYPE_ADVANCED" || start.NLU.ClassificationThreshold < 0.29 {
		t.Errorf("NLU settings %+v", start.NLU)
	}
	if got := start.Page("Start Page"); got != start.StartPage || len(got.Routes) != 7 || len(got.EventHandlers) != 2 {
		t.Errorf("start page: %+v", got)
	}
	r := start.Routes[1]
	if r.Intent != a.Intent("flights.available_miles") || r.Target.Kind != agent.TargetPage || r.Target.Page.DisplayName != "Check Frequent Flyer Account Miles" {
		t.Errorf("route 1: intent %v, target %v", r.Intent, r.Target)
	}
	if r.Page != start.StartPage || r.Loc != (agent.Location{File: "flows/Default Start Flow/Default Start Flow.json", Path: "transitionRoutes[1]"}) {
		t.Errorf("route 1 at %v, page %v", r.Loc, r.Page.DisplayName)
	}
	if got := start.Routes[4].Target; got.Kind != agent.TargetEndFlow || !got.IsSymbolic() || got.String() != "END_FLOW" {
		t.Errorf("customer service route's target %v", got)
	}
	if m := start.Routes[0].Fulfillment.Messages; len(m) != 1 || m[0].LanguageCode != "en" || m[0].Kind() != fulfillment.KindText ||
		!strings.HasPrefix(m[0].TextVariants()[0], "Hi! I'm the virtual flights agent.") {
		t.Errorf("welcome messages %+v", m)
	}

	miles := start.Page("Check Frequent Flyer Account Miles")
	apigee := a.Webhook("Apigee Integration")
	if len(miles.Form) != 2 {
		t.Fatalf("form %+v", miles.Form)
	}
	acct := miles.Form[0]
	if acct.DisplayName != "frequent_flyer_account_number" || !acct.Required || acct.EntityType.Type != a.EntityType("frequent_flyer_account") {
		t.Errorf("account parameter %+v", acct)
	}
	if p := acct.InitialPrompt; p.Webhook != apigee || p.Tag != "checkMileage" ||
		p.Loc.Path != "form.parameters[0].fillBehavior.initialPromptFulfillment" {
		t.Errorf("account prompt %+v", p)
	}
	if len(acct.Reprompts) != 2 || acct.Reprompts[1].Event != "sys.no-match-2" {
		t.Errorf("reprompts %+v", acct.Reprompts)
	}
	if name, ok := miles.Form[1].EntityType.System(); !ok || name != "sys.any" || miles.Form[1].EntityType.Type != nil {
		t.Errorf("passenger_name entity %+v", miles.Form[1].EntityType)
	}
	if r := miles.Routes[0]; r.Condition != `$page.params.status = "FINAL"` || r.Fulfillment.Tag != "checkMileage" || r.Target.Page != start.Page("Display Frequent Flyer MIles") {
		t.Errorf("FINAL route %+v", r)
	}

	if apigee.Timeout != 30*time.Second || apigee.Kind != agent.Standard || apigee.URI != "https://gcp-ce-40-prod.apigee.net/cx/flights/v1" ||
		len(apigee.Headers) != 1 || apigee.Headers[0] != (agent.KeyValue{Key: "CLIENT-KEY", Value: "REDACTED"}) {
		t.Errorf("Apigee webhook %+v", apigee)
	}
	fb := a.Webhook("prebuilt_components_feedback:last_feedback_check")
	if tag, ok := fb.FlexibleTag(); fb.Kind != agent.Flexible || !ok || tag != "getPreviousFeedbackDate" || fb.Method != "POST" {
		t.Errorf("feedback webhook: kind %v, tag %q %v", fb.Kind, tag, ok)
	}
	if fb.ParameterMapping[0] != (agent.KeyValue{Key: "$flow.last_feedback_time_elapsed", Value: "last_feedback_time_elapsed"}) {
		t.Errorf("parameter mapping %+v", fb.ParameterMapping)
	}
	if _, ok := a.Webhook("prebuilt_components_address_collection:address_validation").FlexibleTag(); ok {
		t.Error("the address validation template carries no tag")
	}

	// The Airline FAQ group: flow-level, used by pages, naming an intent
	// whose display name keeps two trailing spaces.
	faq := start.DefinedRouteGroup("Airline FAQ")
	if faq == nil || faq.Flow != start || faq.Routes[0].Intent != a.Intent("flights.animals_on_board  ") || faq.Routes[0].Group != faq {
		t.Fatalf("Airline FAQ group %+v", faq)
	}
	if got := start.Page("Anything Else").RouteGroups; len(got) != 1 || got[0] != faq {
		t.Errorf("Anything Else groups %v", got)
	}

	// Intents and their training phrases.
	oneWay := a.Intent("flights.one_way_ticket")
	if len(oneWay.TrainingPhrases) == 0 || oneWay.Priority != 500000 {
		t.Fatalf("one-way intent %+v", oneWay)
	}
	annotated := false
	for _, tp := range oneWay.TrainingPhrases {
		for _, p := range tp.Parts {
			if p.Parameter != nil {
				annotated = true
				if oneWay.Parameter(p.Parameter.ID) != p.Parameter {
					t.Errorf("part %q annotates a parameter of another intent", p.Text)
				}
			}
		}
	}
	if !annotated {
		t.Error("no annotated part in flights.one_way_ticket")
	}
	if neg := a.Intent("Default Negative Intent"); !neg.IsFallback || neg.ID != agent.DefaultNegativeIntentID {
		t.Errorf("negative intent %+v", neg)
	}
	codes := a.EntityType("airport-codes")
	if codes == nil || codes.Kind != agent.KindMap || len(codes.Entities) == 0 || codes.Entities[0].LanguageCode != "en" {
		t.Errorf("airport-codes %+v", codes)
	}

	// A test case.
	tc := a.TestCase("Happy path - Check miles - Valid account")
	if tc == nil || len(tc.Turns) < 3 || tc.Created.IsZero() {
		t.Fatalf("test case %+v", tc)
	}
	in, out := tc.Turns[0].Input, tc.Turns[0].Expect
	if in.Kind != agent.InputText || in.Text != "how many miles do i have" || in.LanguageCode != "en" || !in.WebhookEnabled {
		t.Errorf("turn 0 input %+v", in)
	}
	if out.Intent != a.Intent("flights.available_miles") || out.Page != miles || out.Flow != start || len(out.Text) != 3 {
		t.Errorf("turn 0 output %+v", out)
	}
	if v, err := tc.Turns[1].Expect.Params.String("mileage"); v != "55000" || err != nil {
		t.Errorf("turn 1 mileage %q %v", v, err)
	}
	ended := false
	for _, tc := range a.TestCases {
		for _, turn := range tc.Turns {
			if turn.Expect.EndSession {
				ended = true
				if turn.Expect.Page != nil {
					t.Errorf("%s: End Session with a page", turn.Loc)
				}
			}
		}
	}
	if !ended {
		t.Error("no turn ends the session")
	}
	injected := a.TestCase("Error handling - Check miles - Invalid account")
	found := false
	for _, turn := range injected.Turns {
		if v, _ := turn.Input.Params.String("account"); v == "invalid" {
			found = true
		}
	}
	if !found {
		t.Error("no injected account parameter")
	}
}

func TestLoadGraffiti(t *testing.T) {
	a := load(t, "testdata/goodbye-graffiti")
	if len(a.Generators) != 2 {
		t.Fatalf("%d generators", len(a.Generators))
	}
	route := a.StartFlow.Routes[0]
	if g := route.Fulfillment.Generators; len(g) != 1 || g[0].Generator == nil || g[0].Generator.ID != "ab2b6c06-c44d-40aa-9f8a-ef16d3896c02" {
		t.Errorf("generator call %+v", g)
	}
	loc := a.StartFlow.Page("Enter Location")
	cases := loc.Entry.Cases
	if len(cases) != 1 || len(cases[0].Cases) != 2 || cases[0].Cases[1].Condition != "" ||
		cases[0].Cases[0].Content[0].Message.TextVariants()[0] == "" {
		t.Errorf("conditional cases %+v", cases)
	}
	if p := loc.Form[0].InitialPrompt.Messages; len(p) != 2 || p[1].Kind() != fulfillment.KindPayload {
		t.Errorf("prompt messages %+v", p)
	}
	if !loc.Form[0].Reprompts[0].Fulfillment.GenerativeFallback {
		t.Error("generative fallback lost")
	}
}

func TestLoadServiceNow(t *testing.T) {
	a := load(t, "testdata/servicenow-demo")
	w := a.Webhook("ServiceNow")
	if w.Auth.Username != "admin" || w.Auth.Password == "" || w.Timeout != 5*time.Second {
		t.Errorf("webhook %+v", w)
	}
}

// zipDir zips the files of dir, under prefix (a wrapping folder, or "").
func zipDir(t testing.TB, dir, prefix string, extra map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		w, err := zw.Create(path.Join(prefix, filepath.ToSlash(rel)))
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range extra {
		w, _ := zw.Create(name)
		w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// summary lists what an agent holds, to compare two loads of one export.
func summary(a *agent.Agent) []string {
	var s []string
	for _, f := range a.Flows {
		s = append(s, "flow "+f.DisplayName)
		for _, p := range f.Pages {
			s = append(s, "page "+p.DisplayName+" "+p.Loc.File)
		}
	}
	for _, i := range a.Intents {
		s = append(s, "intent "+i.DisplayName)
	}
	for _, w := range a.Webhooks {
		s = append(s, "webhook "+w.DisplayName+" "+w.URI)
	}
	for _, tc := range a.TestCases {
		s = append(s, "test "+tc.DisplayName)
	}
	return s
}

func TestLoadZip(t *testing.T) {
	want := summary(load(t, flightAgent))
	for _, tt := range []struct {
		name   string
		prefix string
		extra  map[string]string
	}{
		{"at the root", "", nil},
		{"in a wrapping folder", "agent", nil},
		{"in a wrapping folder with macOS junk", "zyra", map[string]string{"__MACOSX/zyra/._agent.json": "\x00\x05\x16\x07"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "export.zip")
			if err := os.WriteFile(file, zipDir(t, flightAgent, tt.prefix, tt.extra), 0o644); err != nil {
				t.Fatal(err)
			}
			a := load(t, file)
			if got := summary(a); !slices.Equal(got, want) {
				t.Errorf("the zip loads differently from the folder:\n%v\nwant\n%v", got, want)
			}
		})
	}
	t.Run("two folders", func(t *testing.T) {
		b := zipDir(t, "testdata/pizza", "one", map[string]string{"two/agent.json": "{}"})
		_, err := agent.LoadZip(bytes.NewReader(b), int64(len(b)))
		if !errors.Is(err, agent.ErrNotJSONPackage) || !strings.Contains(err.Error(), "no agent.json") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("wrapping folder of a folder", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.CopyFS(filepath.Join(dir, "agent"), os.DirFS("testdata/pizza")); err != nil {
			t.Fatal(err)
		}
		if got := load(t, dir); got.DisplayName != "Pizzeria" {
			t.Errorf("display name %q", got.DisplayName)
		}
		if got := load(t, filepath.Join(dir, "agent", "agent.json")); got.DisplayName != "Pizzeria" {
			t.Errorf("display name %q", got.DisplayName)
		}
	})
}

func TestLoadNotJSONPackage(t *testing.T) {
	dir := t.TempDir()
	// The first bytes of a real .blob export: field 1, the agent, with its
	// resource name.
	blob := filepath.Join(dir, "agent_covid19_bot.blob")
	if err := os.WriteFile(blob, []byte("\n\x8a\x01\n:projects/p/locations/global/agents/0f9e"), 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(other, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ file, want string }{
		{blob, "export the agent again as JSON package"},
		{other, "export the agent as JSON package"},
	} {
		a, err := agent.Load(tt.file)
		if a != nil || !errors.Is(err, agent.ErrNotJSONPackage) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load(%s) = %v, %v; want ErrNotJSONPackage saying %q", filepath.Base(tt.file), a, err, tt.want)
		}
	}
	if _, err := agent.Load(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := agent.LoadFS(fstest.MapFS{"flows/x.json": {Data: []byte("{}")}}); !errors.Is(err, agent.ErrNotJSONPackage) {
		t.Errorf("no agent.json: %v", err)
	}
}

// minimal is a small valid export that the malformed cases below change.
func minimal() fstest.MapFS {
	return fstest.MapFS{
		"agent.json": file(`{"defaultLanguageCode": "en", "startFlow": "Default Start Flow"}`),
		"flows/Default Start Flow/Default Start Flow.json": file(`{
			"name": "00000000-0000-0000-0000-000000000000", "displayName": "Default Start Flow",
			"transitionRoutes": [{"intent": "hello", "targetPage": "Greet"}]}`),
		"flows/Default Start Flow/pages/Greet.json": file(`{
			"name": "p1", "displayName": "Greet",
			"entryFulfillment": {"webhook": "hook", "tag": "greet"},
			"transitionRoutes": [{"condition": "true", "targetPage": "End Session"}]}`),
		"intents/hello/hello.json": file(`{"name": "i1", "displayName": "hello"}`),
		"webhooks/hook.json":       file(`{"name": "w1", "displayName": "hook", "genericWebService": {"uri": "https://example.com"}, "timeout": {"seconds": 5}}`),
	}
}

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

func TestLoadProblems(t *testing.T) {
	const (
		flowFile = "flows/Default Start Flow/Default Start Flow.json"
		pageFile = "flows/Default Start Flow/pages/Greet.json"
	)
	for _, tt := range []struct {
		name   string
		change map[string]string // file name to new content; "" deletes
		want   []string          // the problems, as Problem.Error writes them
	}{
		{"missing page", map[string]string{
			flowFile: `{"displayName": "Default Start Flow", "transitionRoutes": [{"intent": "hello", "targetPage": "Gret"}]}`,
		}, []string{flowFile + `: transitionRoutes[0].targetPage: no page named "Gret" in flow "Default Start Flow"`}},
		{"missing webhook, intent, flow and entity type", map[string]string{
			pageFile: `{"displayName": "Greet",
				"entryFulfillment": {"webhook": "hok", "tag": "greet"},
				"form": {"parameters": [{"displayName": "x", "entityType": "@colour"}]},
				"transitionRoutes": [{"intent": "bye", "targetFlow": "Goodbye"}]}`,
		}, []string{
			pageFile + `: entryFulfillment.webhook: no webhook named "hok"`,
			pageFile + `: form.parameters[0].entityType: no entity type named "colour"`,
			pageFile + `: transitionRoutes[0].intent: no intent named "bye"`,
			pageFile + `: transitionRoutes[0].targetFlow: no flow named "Goodbye"`,
		}},
		{"bad JSON", map[string]string{
			pageFile: `{"displayName": "Greet", "transitionRoutes": [{"condition": "true",}]}`,
		}, []string{
			pageFile + `: transitionRoutes[0]: invalid JSON at byte 66: invalid character ',' at start of value`,
			flowFile + `: transitionRoutes[0].targetPage: no page named "Greet" in flow "Default Start Flow"`,
		}},
		{"a field of the wrong type", map[string]string{
			"webhooks/hook.json": `{"displayName": "hook", "genericWebService": {"uri": "https://example.com"}, "timeout": {"seconds": "five"}}`,
		}, []string{
			`webhooks/hook.json: timeout.seconds: want an integer, got a string that holds none`,
			pageFile + `: entryFulfillment.webhook: no webhook named "hook"`,
		}},
		{"an agent-level group targets a page", map[string]string{
			"agentTransitionRouteGroups/faq.json": `{"displayName": "faq", "transitionRoutes": [{"intent": "hello", "targetPage": "Greet"}]}`,
		}, []string{`agentTransitionRouteGroups/faq.json: transitionRoutes[0].targetPage: a route of an agent-level route group can only target a flow or a symbolic page, not page "Greet"`}},
		{"missing route group", map[string]string{
			pageFile: `{"displayName": "Greet", "transitionRouteGroups": ["faq"], "agentTransitionRouteGroups": ["global faq"]}`,
		}, []string{
			pageFile + `: transitionRouteGroups[0]: no route group named "faq" in flow "Default Start Flow" or the agent`,
			pageFile + `: agentTransitionRouteGroups[0]: no agent-level route group named "global faq"`,
		}},
		{"duplicate page", map[string]string{
			"flows/Default Start Flow/pages/Greet again.json": `{"displayName": "Greet"}`,
		}, []string{`flows/Default Start Flow/pages/Greet.json: displayName: a second page of flow "Default Start Flow" named "Greet" (the first is flows/Default Start Flow/pages/Greet again.json)`}},
		{"missing start flow", map[string]string{
			"agent.json": `{"startFlow": "Main"}`,
		}, []string{`agent.json: startFlow: no flow named "Main"`}},
		{"unknown annotation and test case references", map[string]string{
			"intents/hello/trainingPhrases/en.json": `{"trainingPhrases": [{"parts": [{"text": "hi", "parameterId": "name"}]}]}`,
			"testCases/t.json": `{"displayName": "t", "testCaseConversationTurns": [{"userInput": {"input": {"text": {"text": "hi"}}},
				"virtualAgentOutput": {"triggeredIntent": {"name": "helo"}, "currentPage": {"name": "Great", "flow": "Default Start Flow"}}}]}`,
		}, []string{
			`intents/hello/trainingPhrases/en.json: trainingPhrases[0].parts[0].parameterId: intent "hello" has no parameter "name"`,
			`testCases/t.json: testCaseConversationTurns[0].virtualAgentOutput.triggeredIntent.name: no intent named "helo"`,
			`testCases/t.json: testCaseConversationTurns[0].virtualAgentOutput.currentPage.name: no page named "Great" in flow "Default Start Flow"`,
		}},
		{"flexible template not JSON", map[string]string{
			"webhooks/hook.json": `{"displayName": "hook", "genericWebService": {"uri": "https://example.com", "webhookType": "FLEXIBLE", "requestBody": "{\"a\": $flow.x"}}`,
		}, []string{`webhooks/hook.json: genericWebService.requestBody: the request body template is not JSON`}},
		{"a flow folder without its file", map[string]string{
			"flows/Empty/pages/x.json": `{}`,
		}, []string{`flows/Empty: no .json file defines this resource`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fsys := minimal()
			for name, content := range tt.change {
				if content == "" {
					delete(fsys, name)
					continue
				}
				fsys[name] = file(content)
			}
			a, err := agent.LoadFS(fsys)
			if a == nil {
				t.Fatalf("no agent: %v", err)
			}
			var le *agent.LoadError
			if !errors.As(err, &le) {
				t.Fatalf("err = %v, want a *LoadError", err)
			}
			var got []string
			for _, p := range le.Problems {
				got = append(got, p.Error())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestLoadTolerant loads the forms a hand-edited or API-written file uses
// (protojson's), and members the loader does not know.
func TestLoadTolerant(t *testing.T) {
	fsys := minimal()
	fsys["agent.json"] = file("\xef\xbb\xbf" + `{"startFlow": "Default Start Flow", "projectNumber": "123", "somethingNew": {"x": [1, 2]}}`)
	fsys["webhooks/hook.json"] = file(`{"displayName": "hook", "timeout": "4.5s",
		"genericWebService": {"uri": "https://example.com", "requestHeaders": {"X-Key": "k", "A": "b"},
		"parameterMapping": {"$flow.x": "$.x"}, "futureAuth": {"kind": 3}}}`)
	fsys["testCases/t.json"] = file(`{"displayName": "t", "creationTime": "2022-01-05T10:00:00.5Z", "testCaseConversationTurns": [
		{"userInput": {"input": {"dtmf": {"digits": "12", "finishDigit": "#"}}}},
		{"userInput": {"input": {"event": {"event": "custom"}}}},
		{"userInput": {"input": {"intent": {"intent": "hello"}}}}]}`)
	a, err := agent.LoadFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	w := a.Webhook("hook")
	if w.Timeout != 4500*time.Millisecond || len(w.Headers) != 2 || w.Headers[0].Key != "X-Key" || w.ParameterMapping[0].Value != "$.x" {
		t.Errorf("webhook %+v", w)
	}
	if a.ProjectNumber != "123" {
		t.Errorf("project number %q", a.ProjectNumber)
	}
	tc := a.TestCase("t")
	if !tc.Created.Equal(time.Date(2022, 1, 5, 10, 0, 0, 5e8, time.UTC)) {
		t.Errorf("created %v", tc.Created)
	}
	in := []agent.UserInput{tc.Turns[0].Input, tc.Turns[1].Input, tc.Turns[2].Input}
	if in[0].Kind != agent.InputDTMF || in[0].DTMF.Digits != "12" || in[1].Event != "custom" || in[2].Intent != a.Intent("hello") {
		t.Errorf("inputs %+v", in)
	}
}

func TestLoadLimits(t *testing.T) {
	fsys := minimal()
	fsys["intents/big/big.json"] = &fstest.MapFile{Data: bytes.Repeat([]byte(" "), agent.MaxFileSize+1)}
	_, err := agent.LoadFS(fsys)
	if err == nil || !strings.Contains(err.Error(), "intents/big/big.json: larger than 32 MiB; not read") {
		t.Errorf("err = %v", err)
	}
	deep := strings.Repeat(`{"cases": [{"caseContent": [{"additionalCases": `, 120) + "{}" + strings.Repeat("}]}]}", 120)
	fsys = minimal()
	fsys["flows/Default Start Flow/pages/Greet.json"] = file(`{"displayName": "Greet", "entryFulfillment": {"conditionalCases": [` + deep + `]}}`)
	_, err = agent.LoadFS(fsys)
	if err == nil || !strings.Contains(err.Error(), "conditional cases nested more than 100 deep") {
		t.Errorf("err = %v", err)
	}
}
