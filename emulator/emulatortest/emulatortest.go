// Package emulatortest runs conversations with an exported Dialogflow CX
// agent and a team's own webhook in `go test`, in process: no Google
// project, no network, no NLU model. A [Conversation] sends what the user
// says (with the intent and parameters it means injected), events and DTMF,
// and asserts on the page, flow, parameters and texts after each turn. A
// failing assertion prints the conversation's trace: pages entered, routes
// and handlers called, webhook calls with their status and latency,
// parameter changes.
//
//	func TestBooking(t *testing.T) {
//		c := emulatortest.Load(t, "testdata/agent", emulatortest.Options{
//			Webhook: fulfillment.NewHTTPHandler(newMux()),
//		})
//		c.Say("I need a one way ticket", emulatortest.Intent("flights.one_way_ticket")).
//			Page("Collect One-Way Ticket Information").
//			Says("Which day would you like to leave?")
//		c.Say("March 5", emulatortest.Fill("departure_date", map[string]any{"year": 2036, "month": 3, "day": 5})).
//			Param("departure_date", map[string]any{"year": 2036.0, "month": 3.0, "day": 5.0})
//	}
//
// The webhook is called through the real adapter (pass the handler the
// function serves, fulfillment.NewHTTPHandler(mux) or webhook.New(mux)),
// with the WebhookRequest CX would send at each call site. Free text needs
// its meaning injected, or an NLU in Options.NLU.
package emulatortest

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/emulator"
	"github.com/go-json-experiment/json"
)

// T is what a Conversation reports to: *testing.T and *testing.B satisfy it.
type T interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Options configure a conversation.
type Options struct {
	// Webhook serves the agent's webhook calls in process; nil runs the
	// agent without webhooks.
	Webhook http.Handler
	// Webhooks, if set, says where calls go instead (a URL, one per
	// webhook, a timeout).
	Webhooks *emulator.Webhooks
	// NLU understands text said without an injected meaning.
	NLU emulator.NLU
	// Seed picks the random message variants (0 is a seed like any other).
	Seed uint64
	// Now pins the clock (NOW, dates); nil is time.Now.
	Now func() time.Time
	// Flow and Page name where the conversation starts (display names):
	// the agent's start flow and its start page by default.
	Flow, Page string
	// Params are session parameters set before the first turn.
	Params map[string]any
}

// A Conversation is one session with the agent. Its methods that send
// input return it, so that assertions chain on the turn just taken.
type Conversation struct {
	t     T
	e     *emulator.Emulator
	s     *emulator.Session
	turns []*emulator.Turn
}

// Load loads the agent exported at dir (a folder, zip or agent.json) and
// starts a conversation with it. Problems in the export fail the test.
func Load(t T, dir string, opts Options) *Conversation {
	t.Helper()
	a, err := agent.Load(dir)
	if err != nil {
		t.Fatalf("emulatortest: loading the agent: %v", err)
		return nil
	}
	return New(t, a, opts)
}

// New starts a conversation with a loaded agent.
func New(t T, a *agent.Agent, opts Options) *Conversation {
	t.Helper()
	wh := opts.Webhooks
	if wh == nil && opts.Webhook != nil {
		wh = &emulator.Webhooks{Handler: opts.Webhook}
	}
	e, err := emulator.New(a, emulator.Config{Webhooks: wh, NLU: opts.NLU, Seed: opts.Seed, Now: opts.Now})
	if err != nil {
		t.Fatalf("emulatortest: %v", err)
		return nil
	}
	if p := e.Problems(); len(p) > 0 {
		t.Errorf("emulatortest: the agent has parts the emulator cannot run: %v", p)
	}
	cfg := emulator.SessionConfig{ID: "emulatortest"}
	if opts.Flow != "" {
		if cfg.Flow = a.Flow(opts.Flow); cfg.Flow == nil {
			t.Fatalf("emulatortest: the agent has no flow %q", opts.Flow)
			return nil
		}
	}
	if opts.Page != "" {
		f := cfg.Flow
		if f == nil {
			f = a.StartFlow
		}
		if cfg.Page = f.Page(opts.Page); cfg.Page == nil {
			t.Fatalf("emulatortest: flow %q has no page %q", f.DisplayName, opts.Page)
			return nil
		}
	}
	if len(opts.Params) > 0 {
		cfg.Params = emulator.Params{}
	}
	c := &Conversation{t: t, e: e}
	c.s = e.NewSession(cfg)
	for k, v := range opts.Params {
		if err := c.s.SetParam(k, v); err != nil {
			t.Fatalf("emulatortest: %v", err)
		}
	}
	return c
}

// Session returns the emulator session, for what the methods here do not
// cover.
func (c *Conversation) Session() *emulator.Session { return c.s }

// Last returns the last turn; nil before the first.
func (c *Conversation) Last() *emulator.Turn {
	if len(c.turns) == 0 {
		return nil
	}
	return c.turns[len(c.turns)-1]
}

// A Meaning is what injected text means: an intent, its parameters, form
// parameters it fills.
type Meaning struct {
	intent string
	params []emulator.ParamValue
	fill   []emulator.ParamValue
}

// Intent means the intent, with its parameters given as name, value pairs.
func Intent(name string, params ...any) Meaning {
	m := Meaning{intent: name}
	for i := 0; i+1 < len(params); i += 2 {
		m.params = append(m.params, emulator.ParamValue{Name: fmt.Sprint(params[i]), Value: params[i+1]})
	}
	return m
}

// Fill means that the text fills the form parameter with v.
func Fill(name string, v any) Meaning {
	return Meaning{fill: []emulator.ParamValue{{Name: name, Value: v}}}
}

// NoMatch means that the text matches nothing: sys.no-match.
func NoMatch() Meaning { return Meaning{} }

// Say sends text. With meanings, they are what the text is understood as
// (several combine: an intent and form parameters); without, the NLU of
// Options is asked, and without one the test fails.
func (c *Conversation) Say(text string, meanings ...Meaning) *Conversation {
	c.t.Helper()
	in := emulator.Text(text)
	if len(meanings) > 0 {
		u := &emulator.Understanding{Confidence: 1, Source: "injected"}
		for _, m := range meanings {
			if m.intent != "" {
				in := c.findIntent(m.intent)
				if in == nil {
					return c
				}
				u.Intent = in
			}
			u.Params = append(u.Params, m.params...)
			u.Fill = append(u.Fill, m.fill...)
		}
		in.Understood = u
	}
	return c.send(in)
}

func (c *Conversation) findIntent(name string) *agent.Intent {
	c.t.Helper()
	a := c.e.Agent()
	if i := a.Intent(name); i != nil {
		return i
	}
	for _, i := range a.Intents {
		if strings.TrimSpace(i.DisplayName) == strings.TrimSpace(name) {
			return i
		}
	}
	c.t.Fatalf("emulatortest: the agent has no intent %q", name)
	return nil
}

// Intent triggers an intent directly (QueryInput.intent), with its
// parameters given as name, value pairs.
func (c *Conversation) Intent(name string, params ...any) *Conversation {
	c.t.Helper()
	m := Intent(name, params...)
	ps := emulator.Params{}
	for _, p := range m.params {
		ps[p.Name] = p.Value
	}
	return c.send(emulator.Intent(name, ps))
}

// Event raises a custom event.
func (c *Conversation) Event(name string) *Conversation {
	c.t.Helper()
	return c.send(emulator.Event(name))
}

// DTMF sends keypad digits.
func (c *Conversation) DTMF(digits string) *Conversation {
	c.t.Helper()
	return c.send(emulator.DTMF(digits))
}

// Set sets a session parameter between turns.
func (c *Conversation) Set(name string, v any) *Conversation {
	c.t.Helper()
	if err := c.s.SetParam(name, v); err != nil {
		c.t.Fatalf("emulatortest: %v", err)
	}
	return c
}

func (c *Conversation) send(in emulator.Input) *Conversation {
	c.t.Helper()
	turn, err := c.s.Send(context.Background(), in)
	if err != nil {
		c.t.Fatalf("emulatortest: %s: %v%s", in, err, c.trace())
		return c
	}
	c.turns = append(c.turns, turn)
	if turn.Err != nil {
		c.t.Errorf("emulatortest: %s: %v%s", in, turn.Err, c.trace())
	}
	return c
}

// trace writes the conversation so far, for a failure message.
func (c *Conversation) trace() string {
	var b strings.Builder
	b.WriteString("\nconversation:\n")
	for i, turn := range c.turns {
		fmt.Fprintf(&b, "turn %d: %s -> page %q (flow %q)\n", i+1, turn.Input, turn.PageName(), turn.FlowName())
		for _, m := range turn.Texts() {
			fmt.Fprintf(&b, "    agent: %q\n", m)
		}
		b.WriteString(emulator.FormatTrace(turn.Trace, "    | "))
	}
	return b.String()
}

func (c *Conversation) last() *emulator.Turn {
	c.t.Helper()
	if len(c.turns) == 0 {
		c.t.Fatalf("emulatortest: an assertion before the first turn")
		return &emulator.Turn{}
	}
	return c.turns[len(c.turns)-1]
}

// Page asserts the current page's display name ("End Session" after the
// session ended, "Start Page" on a start page).
func (c *Conversation) Page(want string) *Conversation {
	c.t.Helper()
	if got := c.last().PageName(); got != want {
		c.t.Errorf("page is %q, want %q%s", got, want, c.trace())
	}
	return c
}

// Flow asserts the active flow's display name.
func (c *Conversation) Flow(want string) *Conversation {
	c.t.Helper()
	if got := c.last().FlowName(); got != want {
		c.t.Errorf("flow is %q, want %q%s", got, want, c.trace())
	}
	return c
}

// Ended asserts that the session ended.
func (c *Conversation) Ended() *Conversation {
	c.t.Helper()
	if !c.last().EndSession {
		c.t.Errorf("the session has not ended (page %q)%s", c.last().PageName(), c.trace())
	}
	return c
}

// Param asserts a session parameter's value, compared as JSON (numbers
// are float64, lists []any, objects map[string]any; other Go values are
// converted through JSON first).
func (c *Conversation) Param(name string, want any) *Conversation {
	c.t.Helper()
	got, ok := c.last().Params.Get(name)
	w, err := jsonShape(want)
	if err != nil {
		c.t.Fatalf("emulatortest: Param(%q): %v", name, err)
		return c
	}
	if !ok || !equal(got, w) {
		if !ok {
			c.t.Errorf("parameter %q is not set, want %s%s", name, js(w), c.trace())
		} else {
			c.t.Errorf("parameter %q is %s, want %s%s", name, js(got), js(w), c.trace())
		}
	}
	return c
}

// NoParam asserts that a session parameter is not set.
func (c *Conversation) NoParam(name string) *Conversation {
	c.t.Helper()
	if got, ok := c.last().Params.Get(name); ok {
		c.t.Errorf("parameter %q is %s, want it unset%s", name, js(got), c.trace())
	}
	return c
}

// Texts asserts the turn's text messages, in order. A want matches a
// message that sent it or has it among its variants (CX picks variants at
// random).
func (c *Conversation) Texts(want ...string) *Conversation {
	c.t.Helper()
	turn := c.last()
	var msgs []emulator.Message
	for _, m := range turn.Messages {
		if m.Kind == "text" {
			msgs = append(msgs, m)
		}
	}
	ok := len(msgs) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = msgs[i].Text == want[i] || slices.Contains(msgs[i].Variants, want[i])
	}
	if !ok {
		c.t.Errorf("texts are %q, want %q%s", turn.Texts(), want, c.trace())
	}
	return c
}

// Says asserts that one of the turn's texts contains substr.
func (c *Conversation) Says(substr string) *Conversation {
	c.t.Helper()
	for _, s := range c.last().Texts() {
		if strings.Contains(s, substr) {
			return c
		}
	}
	c.t.Errorf("no text contains %q; texts are %q%s", substr, c.last().Texts(), c.trace())
	return c
}

// Called asserts that the turn called the webhook with tag, and that the
// call succeeded.
func (c *Conversation) Called(tag string) *Conversation {
	c.t.Helper()
	for _, w := range c.last().Webhooks {
		if w.Tag == tag {
			if w.Event != "" {
				c.t.Errorf("the call with tag %q failed: %s%s", tag, w, c.trace())
			}
			return c
		}
	}
	c.t.Errorf("no webhook call with tag %q this turn%s", tag, c.trace())
	return c
}

// jsonShape converts v to the shapes a session holds, through JSON.
func jsonShape(v any) (any, error) {
	switch v.(type) {
	case nil, bool, float64, string:
		return v, nil
	}
	b, err := json.Marshal(v, json.Deterministic(true))
	if err != nil {
		return nil, err
	}
	var x any
	err = json.Unmarshal(b, &x)
	return x, err
}

func equal(a, b any) bool { return reflect.DeepEqual(a, b) }

func js(v any) string {
	b, err := json.Marshal(v, json.Deterministic(true))
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
