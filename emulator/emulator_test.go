package emulator

import (
	"context"
	"io"
	"log/slog"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/fulfillment"
)

var (
	loadOnce sync.Map // path -> *agent.Agent
)

// loadAgent loads an export once per test binary.
func loadAgent(tb testing.TB, path string) *agent.Agent {
	tb.Helper()
	if a, ok := loadOnce.Load(path); ok {
		return a.(*agent.Agent)
	}
	a, err := agent.Load(path)
	if err != nil {
		tb.Fatalf("loading %s: %v", path, err)
	}
	loadOnce.Store(path, a)
	return a
}

const (
	semanticsAgent = "testdata/semantics"
	flightAgent    = "../testdata/agents/digibhem-flight-bot"
)

func newEmulator(tb testing.TB, path string, cfg Config) *Emulator {
	tb.Helper()
	e, err := New(loadAgent(tb, path), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	if p := e.Problems(); len(p) > 0 {
		tb.Fatalf("problems: %v", p)
	}
	return e
}

// quiet is an adapter option that drops the access log lines.
var quiet = fulfillment.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))

// convo drives a session and fails the test with the trace on an error.
type convo struct {
	t *testing.T
	s *Session
}

func newConvo(t *testing.T, e *Emulator, cfg SessionConfig) *convo {
	return &convo{t: t, s: e.NewSession(cfg)}
}

func (c *convo) send(in Input) *Turn {
	c.t.Helper()
	turn, err := c.s.Send(context.Background(), in)
	if err != nil {
		c.t.Fatalf("%s: %v", in, err)
	}
	if turn.Err != nil {
		c.t.Fatalf("%s: %v\n%s", in, turn.Err, FormatTrace(turn.Trace, "  "))
	}
	return turn
}

// expect checks a turn's texts and page.
func (c *convo) expect(turn *Turn, page string, texts ...string) {
	c.t.Helper()
	if got := turn.Texts(); !slices.Equal(got, texts) || turn.PageName() != page {
		c.t.Errorf("%s: got page %q texts %q, want page %q texts %q\ntrace:\n%s", turn.Input, turn.PageName(), got, page, texts, FormatTrace(turn.Trace, "  "))
	}
}

func hasNote(turn *Turn, p Policy) bool {
	for _, n := range turn.Notes {
		if n.Policy == p {
			return true
		}
	}
	return false
}

func noMatch() Input { return Input{Kind: InputText, Text: "mumble", Understood: &Understanding{}} }

func fill(name string, v any) Input {
	return Input{Kind: InputText, Text: "some answer", Understood: &Understanding{Fill: []ParamValue{{Name: name, Value: v}}}}
}

func TestFlowStackAndHandlerResume(t *testing.T) {
	e := newEmulator(t, semanticsAgent, Config{Seed: 1})
	c := newConvo(t, e, SessionConfig{})
	// H1 queues, H2 calls flow Sub, whose END_FLOW returns to Caller at H3;
	// Sub's $flow.inner is gone by then (PolicyFlowParams).
	turn := c.send(Intent("go.caller", nil))
	c.expect(turn, "Caller", "entering caller", "h1", "in sub x", "h3 true $flow.inner")
	if turn.FlowName() != "Default Start Flow" || !hasNote(turn, PolicyFlowParams) {
		t.Errorf("flow %q, notes %v", turn.FlowName(), turn.Notes)
	}
	// An intent route calls Failing, which ends with END_FLOW_WITH_FAILURE:
	// Caller resumes after that route (its condition routes run again) and
	// handles flow-failed.
	turn = c.send(Intent("go.fail", nil))
	c.expect(turn, "Caller", "sub failing", "h1", "h3 true $flow.inner", "sub failed")
}

func TestIntentPropagationAndEndSession(t *testing.T) {
	e := newEmulator(t, semanticsAgent, Config{Seed: 1})
	c := newConvo(t, e, SessionConfig{})
	turn := c.send(Intent("go.order", nil))
	c.expect(turn, "Start Page", "to orders", "order carried")
	if turn.FlowName() != "Orders" {
		t.Errorf("flow %q, want Orders", turn.FlowName())
	}
	turn = c.send(Intent("bye", nil))
	c.expect(turn, "Start Page", "orders done")
	if turn.FlowName() != "Default Start Flow" || turn.EndSession {
		t.Errorf("after the sub-flow ended: flow %q, ended %v", turn.FlowName(), turn.EndSession)
	}
	if err := c.s.SetParam("kept", "yes"); err != nil {
		t.Fatal(err)
	}
	turn = c.send(Intent("bye", nil))
	c.expect(turn, "End Session", "bye")
	if !turn.EndSession || !c.s.Ended() || turn.Params["kept"] != "yes" {
		t.Errorf("END_FLOW with an empty stack: ended %v, params %v", turn.EndSession, turn.Params)
	}
	turn = c.send(Intent("Default Welcome Intent", nil))
	if turn.PageName() != "Start Page" || len(turn.Params) != 0 || !hasNote(turn, PolicyEndSession) {
		t.Errorf("after END_SESSION: page %q params %v notes %v", turn.PageName(), turn.Params, turn.Notes)
	}
}

func TestFormFilling(t *testing.T) {
	mux := fulfillment.NewMux()
	mux.HandleFunc("check-b", func(_ context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
		if a, _ := req.FormParam("a"); a.State == fulfillment.StateFilled {
			if s, _ := a.Value.String(); s == "bad" {
				return fulfillment.NewResponse().InvalidateFormParam("a"), nil
			}
		}
		return fulfillment.NewResponse(), nil
	})
	e := newEmulator(t, semanticsAgent, Config{Seed: 1, Webhooks: &Webhooks{Handler: fulfillment.NewHTTPHandler(mux, quiet)}})
	c := newConvo(t, e, SessionConfig{Params: Params{"when": map[string]any{"year": 2022.0, "month": 1.0, "day": 5.0},
		"time": map[string]any{"hours": 15.0, "minutes": 0.0, "seconds": 0.0, "nanos": 0.0}}})
	c.expect(c.send(Intent("go.form", nil)), "Form", "form entry", "give a")
	// Reprompt handlers: -1, then -default; the page's own no-match
	// handler is not used while a parameter is prompted.
	c.expect(c.send(noMatch()), "Form", "a nm1")
	c.expect(c.send(noMatch()), "Form", "a nmd")
	turn := c.send(noMatch())
	c.expect(turn, "Form", "a nmd")
	if !hasNote(turn, PolicyCounters) {
		t.Errorf("the third no-match does not note the counter policy: %v", turn.Notes)
	}
	// The webhook of b's prompt makes a INVALID: a's sys.invalid-parameter
	// handler prompts for it in the same turn.
	turn = c.send(fill("a", "bad"))
	c.expect(turn, "Form", "give b", "a was invalid, give a")
	if _, ok := turn.Params["a"]; ok || !hasNote(turn, PolicyInvalidParam) {
		t.Errorf("after INVALID: params %v, notes %v", turn.Params, turn.Notes)
	}
	c.expect(c.send(fill("a", "good")), "Form", "give b")
	// b has no reprompt handler: its prompt repeats (webhook included).
	turn = c.send(noMatch())
	c.expect(turn, "Form", "give b")
	if !hasNote(turn, PolicyFillingNoMatch) || len(turn.Webhooks) != 1 {
		t.Errorf("reprompt of b: notes %v, %d webhook calls", turn.Notes, len(turn.Webhooks))
	}
	// The optional c took its default when the page was entered.
	turn = c.send(fill("b", 3))
	c.expect(turn, "Summary", "form done good 3 dflt", "summary on 2022-01-05 at 15:00:00, missing $session.params.nope")
	// CURRENT_PAGE runs the entry again; START_PAGE leaves.
	c.expect(c.send(Intent("again", nil)), "Summary", "summary on 2022-01-05 at 15:00:00, missing $session.params.nope")
	c.expect(c.send(Intent("restart", nil)), "Start Page")
}

func TestFormPrefillFromIntent(t *testing.T) {
	e := newEmulator(t, semanticsAgent, Config{Seed: 1})
	c := newConvo(t, e, SessionConfig{})
	turn := c.send(Intent("go.form", Params{"a": "from intent"}))
	// a is filled by the intent's parameter: the form asks for b (whose
	// webhook is off).
	c.expect(turn, "Form", "form entry", "give b")
	if turn.Params["a"] != "from intent" {
		t.Errorf("params %v", turn.Params)
	}
}

func TestPreviousPage(t *testing.T) {
	e := newEmulator(t, semanticsAgent, Config{Seed: 1})
	c := newConvo(t, e, SessionConfig{Params: Params{"where": "the start"}})
	turn := c.send(Intent("go.nav", nil))
	c.expect(turn, "Nav A", "at A")
	// The payload's strings are rendered too.
	if m := turn.Messages; len(m) != 2 || m[1].Kind != fulfillment.KindPayload || compactJSON(jsonOf(m[1].Raw.Payload().Get("richContent"))) != `[[{"n":1,"title":"at the start","type":"info"}]]` {
		t.Errorf("messages %+v", turn.Messages)
	}
	c.expect(c.send(Intent("next", nil)), "Nav B", "at B")
	turn = c.send(Intent("back", nil))
	c.expect(turn, "Nav A")
	if !hasNote(turn, PolicyPreviousPage) {
		t.Errorf("notes %v", turn.Notes)
	}
}

func TestPresetsAndConditionalCases(t *testing.T) {
	e := newEmulator(t, semanticsAgent, Config{Seed: 1})
	c := newConvo(t, e, SessionConfig{Params: Params{"gone": 1.0}})
	// The conditional cases are chosen before the presets
	// (PolicyConditionalText): doubled is not set yet, so "small"; the
	// static text renders after them.
	turn := c.send(Intent("go.cases", nil))
	c.expect(turn, "Cases", "city Paris doubled 4", "small")
	// Entered again, the presets of the first entry are seen: "big", and
	// the nested chain.
	turn = c.send(Intent("go.cases", nil))
	c.expect(turn, "Cases", "city Paris doubled 4", "big", "n is two")
	want := Params{"addr": map[string]any{"city": "Paris"}, "doubled": 4.0}
	if !reflect.DeepEqual(turn.Params, want) {
		t.Errorf("params %v, want %v", turn.Params, want)
	}
}

func TestEventsAndNoInput(t *testing.T) {
	e := newEmulator(t, semanticsAgent, Config{Seed: 1})
	c := newConvo(t, e, SessionConfig{})
	c.expect(c.send(Event("custom-event")), "Start Page", "custom handled")
	c.expect(c.send(Text("")), "Start Page", "no input")
	turn := c.send(noMatch())
	if texts := turn.Texts(); len(texts) != 1 || !strings.HasPrefix(texts[0], "no match ") {
		t.Errorf("no-match texts %q", texts)
	}
	if _, err := c.s.Send(context.Background(), Intent("no.such.intent", nil)); err == nil {
		t.Error("an unknown intent was taken")
	}
	if _, err := c.s.Send(context.Background(), Text("free text")); err != ErrNeedsNLU {
		t.Errorf("free text without NLU: %v, want ErrNeedsNLU", err)
	}
	// An intent no route in scope names is no match (PolicyIntentScope).
	turn = c.send(Intent("next", nil))
	if turn.Intent != nil || !hasNote(turn, PolicyIntentScope) {
		t.Errorf("out-of-scope intent: matched %v, notes %v", turn.Intent, turn.Notes)
	}
}

// TestSeededVariants: the same seed picks the same variants; other seeds
// pick others.
func TestSeededVariants(t *testing.T) {
	run := func(seed uint64) []string {
		e := newEmulator(t, semanticsAgent, Config{Seed: seed})
		s := e.NewSession(SessionConfig{ID: "same"})
		var out []string
		for range 8 {
			turn, err := s.Send(context.Background(), Intent("Default Welcome Intent", nil))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, turn.Texts()...)
		}
		return out
	}
	a, b := run(7), run(7)
	if !slices.Equal(a, b) {
		t.Fatalf("seed 7 gave %q then %q", a, b)
	}
	differs := false
	for seed := uint64(8); seed < 20 && !differs; seed++ {
		differs = !slices.Equal(a, run(seed))
	}
	if !differs {
		t.Error("twelve other seeds all picked the same variants as seed 7")
	}
	for _, s := range a {
		if s != "Hello!" && s != "Hi!" && s != "Welcome!" {
			t.Errorf("variant %q is not one of the message's", s)
		}
	}
}

func TestTransitionLimit(t *testing.T) {
	a := loadAgent(t, semanticsAgent)
	// A page whose condition route re-enters it loops; the turn stops.
	loop := &agent.Page{Flow: a.StartFlow, ID: "loop", DisplayName: "Loop"}
	loop.Routes = []*agent.Route{{ID: "r", Condition: "true", Target: agent.Target{Kind: agent.TargetCurrentPage}, Page: loop}}
	e, err := New(a, Config{})
	if err != nil {
		t.Fatal(err)
	}
	s := e.NewSession(SessionConfig{Flow: a.StartFlow, Page: loop})
	turn, err := s.Send(context.Background(), Event("custom-event"))
	if err != nil {
		t.Fatal(err)
	}
	if turn.Err != errTransitionLimit || !hasNote(turn, PolicyTransitionLimit) || turn.PageName() != "Loop" {
		t.Errorf("err %v, page %q, notes %v", turn.Err, turn.PageName(), turn.Notes)
	}
}

// TestPoliciesDocumented: every policy has a name, a decision and a
// reason, and the package documentation names it.
func TestPoliciesDocumented(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(doc)), " ")
	for i, p := range Policies() {
		if int(p.Policy) != i+1 || p.Policy.Name() != p.Name || p.Name == "" || p.Does == "" || p.Why == "" {
			t.Errorf("policy %d: %+v", i+1, p)
		}
		if !strings.Contains(text, " "+p.Name+",") && !strings.Contains(text, " "+p.Name+" ") {
			t.Errorf("doc.go does not name policy %s", p.Name)
		}
	}
	if n := len(Policies()); n != int(PolicyExpr) {
		t.Errorf("%d policies in the table, %d constants", n, PolicyExpr)
	}
}

// handlerText is an event handler that says text.
func handlerText(event, text string) *agent.EventHandler {
	return &agent.EventHandler{Event: event, Fulfillment: &agent.Fulfillment{Messages: []agent.Message{{Message: fulfillment.Text(text)}}}}
}

// flowWithStart returns a flow whose start page has the given routes and
// event handlers.
func flowWithStart(name string, routes []*agent.Route, handlers ...*agent.EventHandler) *agent.Flow {
	f := &agent.Flow{ID: name, DisplayName: name, Routes: routes, EventHandlers: handlers}
	f.StartPage = &agent.Page{Flow: f, ID: "START_PAGE", DisplayName: "Start Page", Routes: routes, EventHandlers: handlers}
	for _, r := range routes {
		r.Page = f.StartPage
	}
	for _, h := range handlers {
		h.Page = f.StartPage
	}
	return f
}

// TestEndFlowKinds: each END_FLOW variant returns to the calling page,
// which handles the event that variant raises; with an empty stack each
// ends the session.
func TestEndFlowKinds(t *testing.T) {
	for _, tc := range []struct {
		kind  agent.TargetKind
		event string
	}{
		{agent.TargetEndFlow, ""},
		{agent.TargetEndFlowWithCancellation, "flow-cancelled"},
		{agent.TargetEndFlowWithFailure, "flow-failed"},
		{agent.TargetEndFlowWithHumanEscalation, "flow-failed-human-escalation"},
	} {
		t.Run(tc.kind.String(), func(t *testing.T) {
			sub := flowWithStart("Sub", []*agent.Route{{Condition: "true", Target: agent.Target{Kind: tc.kind}}})
			call := handlerText("call", "calling")
			call.Target = agent.Target{Kind: agent.TargetFlow, Flow: sub}
			main := flowWithStart("Main", nil, call,
				handlerText("flow-cancelled", "cancelled"), handlerText("flow-failed", "failed"),
				handlerText("flow-failed-human-escalation", "escalated"))
			a := &agent.Agent{StartFlow: main, Flows: []*agent.Flow{main, sub}}
			e, err := New(a, Config{})
			if err != nil {
				t.Fatal(err)
			}
			c := newConvo(t, e, SessionConfig{})
			turn := c.send(Event("call"))
			want := []string{"calling"}
			if tc.event != "" {
				want = append(want, map[string]string{"flow-cancelled": "cancelled", "flow-failed": "failed", "flow-failed-human-escalation": "escalated"}[tc.event])
			}
			c.expect(turn, "Start Page", want...)
			if turn.FlowName() != "Main" {
				t.Errorf("flow %q", turn.FlowName())
			}
			// Started in Sub, the same target ends the session.
			c = newConvo(t, e, SessionConfig{Flow: sub})
			c.expect(c.send(Event("anything")), "End Session")
		})
	}
}

// TestFlowStackLimit: a flow that calls itself fills the stack to 25,
// dropping the oldest flows, until the transition limit stops the turn.
func TestFlowStackLimit(t *testing.T) {
	loop := flowWithStart("Loop", []*agent.Route{{Condition: "true"}})
	loop.Routes[0].Target = agent.Target{Kind: agent.TargetFlow, Flow: loop}
	e, err := New(&agent.Agent{StartFlow: loop, Flows: []*agent.Flow{loop}}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	s := e.NewSession(SessionConfig{})
	turn, err := s.Send(context.Background(), Event("go"))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.stack) != MaxFlowStack || !hasNote(turn, PolicyFlowStack) || turn.Err != errTransitionLimit {
		t.Errorf("stack %d, err %v, notes %v", len(s.stack), turn.Err, turn.Notes)
	}
}

// TestNoInputWhileFilling: no input on a parameter without a no-input
// handler repeats its prompt.
func TestNoInputWhileFilling(t *testing.T) {
	e := newEmulator(t, semanticsAgent, Config{Seed: 1})
	c := newConvo(t, e, SessionConfig{})
	c.send(Intent("go.form", nil))
	turn := c.send(Text(""))
	c.expect(turn, "Form", "give a")
	if !hasNote(turn, PolicyFillingNoMatch) {
		t.Errorf("notes %v", turn.Notes)
	}
}

// TestLongUtterance: text over MaxUtterance characters raises
// sys.long-utterance at parameter level while a form parameter is
// prompted, at page level otherwise, and is a no-match where nothing
// handles it. No NLU is configured: long text never reaches one.
func TestLongUtterance(t *testing.T) {
	long := Text(strings.Repeat("é", MaxUtterance+1)) // 257 characters, 514 bytes
	e := newEmulator(t, semanticsAgent, Config{Seed: 1})
	c := newConvo(t, e, SessionConfig{})
	c.send(Intent("go.form", nil))

	// Parameter a is prompted and has a handler: it handles the event,
	// the no-match counter does not move.
	turn := c.send(long)
	c.expect(turn, "Form", "a too long")
	if !hasNote(turn, PolicyLongUtterance) || turn.Understood != nil {
		t.Errorf("notes %v, understood %v", turn.Notes, turn.Understood)
	}
	turn = c.send(noMatch())
	c.expect(turn, "Form", "a nm1")

	// 256 characters in 512 bytes are not long: characters count, not
	// bytes. An understanding given with a long text is not used.
	turn = c.send(Input{Kind: InputText, Text: strings.Repeat("é", MaxUtterance), Understood: &Understanding{}})
	c.expect(turn, "Form", "a nmd")
	turn = c.send(Input{Kind: InputText, Text: long.Text, Understood: &Understanding{Fill: []ParamValue{{Name: "a", Value: "x"}}}})
	c.expect(turn, "Form", "a too long")
	if _, ok := c.s.Params().Get("a"); ok {
		t.Errorf("a long text filled a: %v", c.s.Params())
	}

	// Parameter b is prompted and has no handler: the page's handles it.
	c.send(fill("a", "x"))
	turn = c.send(long)
	c.expect(turn, "Form", "page too long")

	// No handler in scope on Nav A: a no-match, handled by the flow's
	// sys.no-match-default.
	c.send(Intent("go.nav", nil))
	turn = c.send(long)
	texts := turn.Texts()
	if len(texts) != 1 || !strings.HasPrefix(texts[0], "no match ") || turn.PageName() != "Nav A" || !hasNote(turn, PolicyLongUtterance) {
		t.Errorf("unhandled long text on Nav A: page %q texts %q\n%s", turn.PageName(), texts, FormatTrace(turn.Trace, "  "))
	}
	if !strings.Contains(FormatTrace(turn.Trace, ""), "sys.no-match-1") {
		t.Errorf("no sys.no-match-1 in the trace:\n%s", FormatTrace(turn.Trace, "  "))
	}
}
