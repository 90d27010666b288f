package emulator

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/expr"
)

// Limits of one turn.
const (
	// MaxFlowStack is CX's flow stack limit.
	MaxFlowStack = 25
	// MaxTransitions bounds the transitions of one turn (PolicyTransitionLimit).
	MaxTransitions = 100
	// MaxUtterance is the length of text input, in characters (Unicode
	// code points), above which CX raises sys.long-utterance
	// (PolicyLongUtterance).
	MaxUtterance = 256
)

// errTransitionLimit is Turn.Err when a turn reached MaxTransitions.
var errTransitionLimit = fmt.Errorf("the turn made more than %d transitions (a loop of routes?); it stopped", MaxTransitions)

// outcome says how a step of evaluation ended.
type outcome uint8

const (
	// goOn: evaluation of the page goes on.
	goOn outcome = iota
	// moved: a transition happened; the page's evaluation is over, the
	// target's lifecycle has run.
	moved
	// stopped: evaluation of the page ends without a transition (a
	// webhook error was handled, or a limit was reached).
	stopped
)

// turn is one Send in progress.
type turn struct {
	s   *Session
	ctx context.Context
	in  Input
	out *Turn

	queue []Message

	intent         *agent.Intent
	intentParams   []ParamValue
	confidence     float64
	intentConsumed bool

	// event is a raised event not yet handled.
	event string
	// noMatch / noInput: the input was not understood.
	noMatch, noInput bool

	transitions int
	// noWebhooks disables webhook calls.
	noWebhooks bool
	// inWebhookError is set while a handler for a webhook error runs: its
	// own webhook failures are silent.
	inWebhookError bool
	// setBy records, per session parameter, what last set it in this
	// turn ("preset", "webhook", "form", "intent", "injected").
	setBy map[string]string
	// notes already taken, to trace each (policy, detail) once.
	noted map[Note]bool
	// invalidated is set when a webhook made a form parameter INVALID.
	invalidated bool
	// long is set when the text input is longer than MaxUtterance.
	long bool
	// webhookStatus is $request.webhook_status_code: the HTTP status of
	// the turn's last webhook call, 0 before any call and after a call
	// that got no HTTP answer (PolicyWebhookStatus).
	webhookStatus int
}

func (t *turn) language() string {
	if t.in.LanguageCode != "" {
		return t.in.LanguageCode
	}
	return t.s.e.cfg.LanguageCode
}

// check validates the input before the session changes.
func (t *turn) check() error {
	switch t.in.Kind {
	case InputText, InputDTMF:
		if t.in.Understood != nil || t.tooLong() {
			return nil
		}
		if t.in.Kind == InputText && strings.TrimSpace(t.in.Text) == "" {
			return nil
		}
		if t.s.e.cfg.NLU == nil && t.in.Kind == InputText {
			return ErrNeedsNLU
		}
	case InputIntent:
		if t.s.e.lookupIntent(t.in.Intent) == nil {
			return fmt.Errorf("the agent has no intent %q", t.in.Intent)
		}
	case InputEvent:
		if strings.TrimSpace(t.in.Event) == "" {
			return errors.New("an event input needs an event name")
		}
	default:
		return fmt.Errorf("input kind %d is not text, intent, event or dtmf", t.in.Kind)
	}
	return nil
}

// step appends a trace step at the current place.
func (t *turn) step(k StepKind, format string, args ...any) {
	fr := t.s.top()
	st := Step{Kind: k, Flow: fr.flow.DisplayName, Page: fr.page.DisplayName}
	if len(args) > 0 {
		st.Text = fmt.Sprintf(format, args...)
	} else {
		st.Text = format
	}
	t.out.Trace = append(t.out.Trace, st)
}

func (t *turn) warn(format string, args ...any) { t.step(StepWarning, format, args...) }

// note records that the turn depends on a policy, once per detail.
func (t *turn) note(p Policy, detail string) {
	n := Note{Policy: p, Detail: detail}
	if t.noted[n] {
		return
	}
	if t.noted == nil {
		t.noted = map[Note]bool{}
	}
	t.noted[n] = true
	t.out.Notes = append(t.out.Notes, n)
	fr := t.s.top()
	t.out.Trace = append(t.out.Trace, Step{Kind: StepNote, Flow: fr.flow.DisplayName, Page: fr.page.DisplayName, Note: &n})
}

func (s *Session) exprNote(n expr.Note) {
	if s.cur != nil {
		s.cur.note(PolicyExpr, n.Policy.Name()+": "+n.Detail)
	}
}

// run runs the turn.
func (t *turn) run() error {
	s := t.s
	t.noWebhooks = t.in.NoWebhooks
	fr := s.top()
	fr.form.just = nil
	t.step(StepInput, "%s", t.in)
	for _, name := range t.in.Params.Names() {
		v, err := normalize(t.in.Params[name])
		if err != nil {
			return fmt.Errorf("injected parameter %q: %w", name, err)
		}
		t.setIn(s.params, true, name, v, "injected")
	}
	switch t.in.Kind {
	case InputEvent:
		t.event = strings.TrimSpace(t.in.Event)
		t.step(StepEvent, "%s (input)", t.event)
	case InputIntent:
		in := s.e.lookupIntent(t.in.Intent)
		var ps []ParamValue
		for _, name := range t.in.Params.Names() {
			ps = append(ps, ParamValue{Name: name, Value: t.in.Params[name]})
		}
		t.understood(fr, Understanding{Intent: in, Confidence: 1, Params: ps, Source: "injected"})
	case InputText, InputDTMF:
		if t.tooLong() {
			t.long = true
			break
		}
		u, err := t.understand(fr)
		if err != nil {
			return err
		}
		if u != nil {
			t.understood(fr, *u)
		}
	}
	t.handleInput(fr)
	return nil
}

// understand asks the NLU (or takes the injected understanding); nil with
// noInput or noMatch set when there is nothing to understand.
func (t *turn) understand(fr *frame) (*Understanding, error) {
	text := t.in.Text
	if t.in.Kind == InputDTMF {
		text = t.in.Digits
		t.note(PolicyDTMF, "DTMF "+quote(t.in.Digits)+" is understood as the text "+quote(text))
	}
	if t.in.Understood != nil {
		u := *t.in.Understood
		if u.Source == "" {
			u.Source = "injected"
		}
		return &u, nil
	}
	if strings.TrimSpace(text) == "" {
		t.noInput = true
		return nil, nil
	}
	nlu := t.s.e.cfg.NLU
	if nlu == nil {
		// Only DTMF gets here: the digits fill the prompted parameter.
		if p := fr.form.prompted; p != nil && !t.s.filled(fr, p) {
			return &Understanding{Fill: []ParamValue{{Name: p.DisplayName, Original: text, Value: text}}, Source: "dtmf"}, nil
		}
		t.noMatch = true
		return nil, nil
	}
	q := Query{Text: text, LanguageCode: t.language(), Flow: fr.flow, Page: fr.page, Intents: t.scopeIntents(fr),
		Now: t.s.now(), Location: t.s.e.tz}
	for _, fp := range fr.page.Form {
		if !t.s.filled(fr, fp) {
			q.Form = append(q.Form, fp)
		}
	}
	if p := fr.form.prompted; p != nil && !t.s.filled(fr, p) {
		q.Prompted = p
	}
	u, err := nlu.Understand(t.ctx, q)
	if err != nil {
		return nil, fmt.Errorf("NLU: %w", err)
	}
	if u.Source == "" {
		u.Source = "nlu"
	}
	return &u, nil
}

// scopeIntents returns the intents of the intent routes in scope.
func (t *turn) scopeIntents(fr *frame) []*agent.Intent {
	var out []*agent.Intent
	seen := map[*agent.Intent]bool{}
	for _, sl := range t.s.e.slotsOf(fr.page) {
		if in := sl.route.Intent; in != nil && !seen[in] {
			seen[in] = true
			out = append(out, in)
		}
	}
	return out
}

// inScope reports whether a route in scope names the intent.
func (t *turn) inScope(fr *frame, in *agent.Intent) bool {
	for _, sl := range t.s.e.slotsOf(fr.page) {
		if sl.route.Intent == in {
			return true
		}
	}
	return false
}

// understood applies an understanding: the intent and its parameters, the
// form parameters filled.
func (t *turn) understood(fr *frame, u Understanding) {
	s := t.s
	if u.Source == "oracle" {
		t.note(PolicyOracle, "the recorded intent and parameter changes stand in for the NLU")
	}
	if t.in.Kind == InputText || t.in.Kind == InputDTMF {
		uc := u
		t.out.Understood = &uc
	}
	if u.Detail != "" {
		t.step(StepUnderstood, "%s: %s", u.Source, clip(u.Detail))
	}
	if u.Intent != nil && !t.inScope(fr, u.Intent) {
		t.note(PolicyIntentScope, "intent "+quote(u.Intent.DisplayName)+" ("+u.Source+") is not in scope on page "+quote(fr.page.DisplayName)+": no match")
		u.Intent, u.Params = nil, nil
	}
	if u.Intent != nil {
		t.intent = u.Intent
		t.confidence = u.Confidence
		t.out.Intent = u.Intent
		if u.Source == SourceLocalNLU {
			t.step(StepIntent, "%s (%s, confidence %.2f)", quote(u.Intent.DisplayName), u.Source, u.Confidence)
		} else {
			t.step(StepIntent, "%s (%s)", quote(u.Intent.DisplayName), u.Source)
		}
		if c := s.cfgCoverage(); c != nil {
			c.intent(u.Intent)
		}
		for _, pv := range u.Params {
			v, err := normalize(pv.Value)
			if err != nil {
				t.warn("intent parameter %q: %v", pv.Name, err)
				continue
			}
			pv.Value = v
			t.intentParams = append(t.intentParams, pv)
			if v == nil {
				continue
			}
			if len(t.intentParams) == 1 {
				t.note(PolicyIntentParams, "the intent's parameters become session parameters")
			}
			t.setIn(s.params, true, pv.Name, v, "intent")
		}
	}
	filled := false
	for _, pv := range u.Fill {
		fp := formParam(fr.page, pv.Name)
		if fp == nil {
			t.warn("%s fills %q, which is not a form parameter of page %q: ignored", u.Source, pv.Name, fr.page.DisplayName)
			continue
		}
		v, err := normalize(pv.Value)
		if err != nil || v == nil {
			continue
		}
		p, name, session := s.backing(fr, fp)
		t.setIn(p, session, name, v, "form")
		fr.form.setInvalid(fp.DisplayName, false)
		fr.form.setJust(fp.DisplayName)
		delete(fr.form.counts, fp.DisplayName)
		filled = true
	}
	if t.intent == nil && !filled {
		t.noMatch = true
		return
	}
	fr.noMatch, fr.noInput = 0, 0
}

// handleInput evaluates the current page for the input.
func (t *turn) handleInput(fr *frame) {
	if t.long {
		if t.handleLong(fr) {
			return
		}
		t.noMatch = true
	}
	if t.noMatch || t.noInput {
		base, idx := "sys.no-match", 0
		if t.noInput {
			base, idx = "sys.no-input", 1
		}
		if p := fr.form.prompted; p != nil && !t.s.filled(fr, p) {
			t.reprompt(fr, p, base, idx)
			return
		}
		n := &fr.noMatch
		if t.noInput {
			n = &fr.noInput
		}
		*n++
		t.event = fmt.Sprintf("%s-%d", base, *n)
		if *n > 1 {
			t.note(PolicyCounters, fmt.Sprintf("%s counts %d on page %q since its input was last understood or it was entered", base, *n, fr.page.DisplayName))
		}
		t.step(StepEvent, "%s", t.event)
		for _, sl := range t.s.e.slotsOf(fr.page) {
			if sl.route.Intent == nil {
				t.note(PolicyNoMatchConditions, "input not understood: the condition routes of page "+quote(fr.page.DisplayName)+" are not evaluated")
				break
			}
		}
		t.handleEvent(fr, nil)
		return
	}
	if t.evaluate(fr, 0) == goOn {
		t.prompt(fr)
	}
}

// tooLong reports whether the input is text longer than MaxUtterance
// characters.
func (t *turn) tooLong() bool {
	return t.in.Kind == InputText && utf8.RuneCountInString(t.in.Text) > MaxUtterance
}

// handleLong raises sys.long-utterance for text input over MaxUtterance
// characters, which is not understood: at the level of the form parameter
// being prompted, then page, then flow (PolicyLongUtterance). It reports
// false when no handler is in scope; the input is then a no-match.
func (t *turn) handleLong(fr *frame) bool {
	const ev = "sys.long-utterance"
	n := utf8.RuneCountInString(t.in.Text)
	t.step(StepEvent, "%s (the text has %d characters, over %d)", ev, n, MaxUtterance)
	if t.in.Understood != nil {
		t.note(PolicyLongUtterance, "the text is over 256 characters: the understanding given with it is not used")
	}
	var param *agent.FormParameter
	found := findHandler(fr, ev) != nil
	if p := fr.form.prompted; p != nil && !t.s.filled(fr, p) {
		param = p
		for _, h := range p.Reprompts {
			found = found || h.Event == ev
		}
	}
	if !found {
		t.note(PolicyLongUtterance, "no handler for sys.long-utterance in scope: the text is treated as no match")
		t.step(StepEvent, "%s: no handler in scope, treated as no match", ev)
		return false
	}
	t.note(PolicyLongUtterance, fmt.Sprintf("a text of %d characters (code points) raises sys.long-utterance", n))
	t.event = ev
	t.handleEvent(fr, param)
	return true
}

// slot is one route in scope on a page, in evaluation order.
type slot struct {
	route *agent.Route
	level string // "page", "group G", "flow", "flow group G"
}

// slotsOf returns the routes in scope on a page, in evaluation order: the
// intent routes of the page, its groups, the flow and the flow's groups,
// then the condition routes of the page and its groups (on a start page,
// these are the flow's).
func (e *Emulator) slotsOf(p *agent.Page) []slot {
	if v, ok := e.slots.Load(p); ok {
		return v.([]slot)
	}
	var intents, conds []slot
	add := func(rs []*agent.Route, level string, condsToo bool) {
		for _, r := range rs {
			switch {
			case r.Intent != nil:
				intents = append(intents, slot{r, level})
			case condsToo && r.Condition != "":
				conds = append(conds, slot{r, level})
			}
		}
	}
	own, groups := "page", "group "
	if p.IsStart() {
		own, groups = "flow", "flow group "
	}
	add(p.Routes, own, true)
	for _, g := range p.RouteGroups {
		add(g.Routes, groups+quote(g.DisplayName), true)
	}
	if !p.IsStart() {
		add(p.Flow.Routes, "flow", false)
		for _, g := range p.Flow.RouteGroups {
			add(g.Routes, "flow group "+quote(g.DisplayName), false)
		}
	}
	out := append(intents, conds...)
	v, _ := e.slots.LoadOrStore(p, out)
	return v.([]slot)
}

// cond evaluates a condition; a condition that does not parse is false,
// with a warning.
func (t *turn) cond(src string) bool {
	p := t.s.e.prog
	c, ok := p.conds[src]
	if !ok {
		if err := p.bad[src]; err != nil {
			t.warn("condition %q does not parse (false): %v", clip(src), err)
			return false
		}
		var err error
		if c, err = expr.ParseCond(src); err != nil {
			t.warn("condition %q does not parse (false): %v", clip(src), err)
			return false
		}
	}
	ok, err := c.Eval(&t.s.ctx)
	if err != nil {
		t.warn("condition %q failed (false): %v", clip(src), err)
		return false
	}
	return ok
}

// evaluate evaluates the routes in scope on the frame's page from slot
// from (intent routes, then condition routes), then the pending event.
func (t *turn) evaluate(fr *frame, from int) outcome {
	slots := t.s.e.slotsOf(fr.page)
	for i := from; from >= 0 && i < len(slots); i++ {
		r := slots[i].route
		if r.Intent != nil {
			if t.intent == nil || t.intentConsumed || r.Intent != t.intent {
				continue
			}
			if r.Condition != "" && !t.cond(r.Condition) {
				continue
			}
			t.intentConsumed = true
		} else if !t.cond(r.Condition) {
			continue
		}
		fr.resume = i + 1
		if o := t.callRoute(fr, r, slots[i].level); o != goOn {
			return o
		}
	}
	fr.resume = -1
	if t.event != "" {
		return t.handleEvent(fr, nil)
	}
	return goOn
}

func routeName(r *agent.Route) string {
	switch {
	case r.Intent != nil && r.Condition != "":
		return fmt.Sprintf("%s if %s", quote(r.Intent.DisplayName), clip(r.Condition))
	case r.Intent != nil:
		return quote(r.Intent.DisplayName)
	}
	return "if " + clip(r.Condition)
}

// callRoute calls a route: its fulfillment, then its target.
func (t *turn) callRoute(fr *frame, r *agent.Route, level string) outcome {
	t.step(StepRoute, "%s route %s -> %s", level, routeName(r), r.Target)
	if c := t.s.cfgCoverage(); c != nil {
		c.route(r)
	}
	site := callSite{kind: siteRoute, rtype: HandlerPrompt, name: level + " route " + routeName(r), hasTarget: r.Target.Kind != agent.TargetNone}
	res := t.fulfill(fr, r.Fulfillment, site)
	if res.target != nil {
		if r.Target.Kind != agent.TargetNone {
			t.note(PolicyWebhookTarget, "the webhook's target "+res.target.String()+" wins over the route's "+r.Target.String())
		}
		return t.transition(fr, *res.target, false)
	}
	if res.event != "" && r.Target.Kind == agent.TargetNone {
		if o := t.webhookError(fr, res.event); o != goOn {
			return o
		}
	}
	if r.Target.Kind != agent.TargetNone {
		return t.transition(fr, r.Target, r.Intent != nil)
	}
	return goOn
}

// eventNames returns the names a handler for ev may have, most specific
// first: sys.no-match-2 then sys.no-match-default; webhook.error.timeout
// then webhook.error.
func eventNames(ev string) []string {
	for _, base := range []string{"sys.no-match-", "sys.no-input-"} {
		if rest, ok := strings.CutPrefix(ev, base); ok && rest != "default" {
			return []string{ev, base + "default"}
		}
	}
	if strings.HasPrefix(ev, "webhook.error.") {
		return []string{ev, "webhook.error"}
	}
	return []string{ev}
}

// handleEvent handles the pending event (t.event) at page and flow level
// (and at the level of param first, when param is not nil): the first
// handler found is called and consumes it.
func (t *turn) handleEvent(fr *frame, param *agent.FormParameter) outcome {
	ev := t.event
	names := eventNames(ev)
	levels := [][]*agent.EventHandler{nil, fr.page.EventHandlers, nil}
	if param != nil {
		levels[0] = param.Reprompts
	}
	if !fr.page.IsStart() {
		levels[2] = fr.flow.EventHandlers
	}
	for li, hs := range levels {
		for ni, name := range names {
			for _, h := range hs {
				if h.Event != name {
					continue
				}
				if ni > 0 {
					t.note(PolicyEventFallback, "event "+ev+" handled by "+name+" at "+levelName(li)+" level")
				}
				t.event = ""
				return t.callHandler(fr, h, levelName(li))
			}
		}
	}
	t.step(StepEvent, "%s: no handler in scope", ev)
	t.event = ""
	return goOn
}

func levelName(i int) string { return [...]string{"parameter", "page", "flow"}[i] }

// callHandler calls an event handler: its fulfillment, then its target.
func (t *turn) callHandler(fr *frame, h *agent.EventHandler, level string) outcome {
	t.step(StepHandler, "%s handler %s -> %s", level, h.Event, h.Target)
	if c := t.s.cfgCoverage(); c != nil {
		c.handler(h)
	}
	site := callSite{kind: siteHandler, rtype: HandlerPrompt, name: level + " handler " + h.Event, hasTarget: h.Target.Kind != agent.TargetNone}
	res := t.fulfill(fr, h.Fulfillment, site)
	if res.target != nil {
		if h.Target.Kind != agent.TargetNone {
			t.note(PolicyWebhookTarget, "the webhook's target "+res.target.String()+" wins over the handler's "+h.Target.String())
		}
		return t.transition(fr, *res.target, false)
	}
	if res.event != "" && h.Target.Kind == agent.TargetNone && !t.inWebhookError {
		if o := t.webhookError(fr, res.event); o != goOn {
			return o
		}
	}
	if h.Target.Kind != agent.TargetNone {
		return t.transition(fr, h.Target, false)
	}
	return goOn
}

// webhookError raises a webhook error event at page and flow level. A
// handler found handles it and ends evaluation; without one the call fails
// silently.
func (t *turn) webhookError(fr *frame, ev string) outcome {
	saved := t.event
	t.event = ev
	t.step(StepEvent, "%s", ev)
	was := t.inWebhookError
	t.inWebhookError = true
	o := goOn
	found := false
	for _, name := range eventNames(ev) {
		if findHandler(fr, name) != nil {
			found = true
			break
		}
	}
	if found {
		o = t.handleEvent(fr, nil)
		if o == goOn {
			o = stopped
		}
	} else {
		t.step(StepEvent, "%s: no handler in scope, the webhook fails silently", ev)
		t.markSilent()
	}
	t.inWebhookError = was
	t.event = saved
	return o
}

func findHandler(fr *frame, name string) *agent.EventHandler {
	for _, h := range fr.page.EventHandlers {
		if h.Event == name {
			return h
		}
	}
	if !fr.page.IsStart() {
		for _, h := range fr.flow.EventHandlers {
			if h.Event == name {
				return h
			}
		}
	}
	return nil
}

// markSilent marks the last webhook call as failed silently.
func (t *turn) markSilent() {
	if n := len(t.out.Webhooks); n > 0 {
		t.out.Webhooks[n-1].Silent = true
	}
}

// reprompt handles input that fills nothing while param is prompted: the
// parameter's numbered or default handler, else its initial prompt again.
func (t *turn) reprompt(fr *frame, p *agent.FormParameter, base string, idx int) {
	c := fr.form.count(p.DisplayName)
	c[idx]++
	ev := fmt.Sprintf("%s-%d", base, c[idx])
	if c[idx] > 1 {
		t.note(PolicyCounters, fmt.Sprintf("%s counts %d for parameter %s since it was last filled or the page entered", base, c[idx], p.DisplayName))
	}
	t.step(StepEvent, "%s on parameter %s", ev, p.DisplayName)
	for _, name := range []string{ev, base + "-default"} {
		for _, h := range p.Reprompts {
			if h.Event == name {
				if name != ev {
					t.note(PolicyEventFallback, "event "+ev+" handled by "+name+" at parameter level")
				}
				t.callHandler(fr, h, "parameter "+p.DisplayName)
				return
			}
		}
	}
	if findHandler(fr, ev) != nil || findHandler(fr, base+"-default") != nil {
		t.note(PolicyFillingNoMatch, "parameter "+p.DisplayName+" has no handler for "+ev+": its prompt is repeated; the page's or flow's handler is not used")
	} else {
		t.note(PolicyFillingNoMatch, "parameter "+p.DisplayName+" has no handler for "+ev+": its prompt is repeated")
	}
	t.promptParam(fr, p)
}

// prompt prompts the next required form parameter that is not filled, if
// any: with its sys.invalid-parameter handler when a webhook made it
// INVALID and it has one, else with its initial prompt, at most once a
// turn (PolicyOnePromptPerTurn).
func (t *turn) prompt(fr *frame) outcome {
	var next *agent.FormParameter
	for _, fp := range fr.page.Form {
		if fp.Required && !t.s.filled(fr, fp) {
			next = fp
			break
		}
	}
	if next == nil {
		fr.form.prompted = nil
		return goOn
	}
	if fr.form.invalid[next.DisplayName] {
		for _, h := range next.Reprompts {
			if h.Event == "sys.invalid-parameter" {
				t.note(PolicyInvalidParam, "parameter "+next.DisplayName+" is INVALID: its sys.invalid-parameter handler prompts for it")
				fr.form.prompted, fr.form.promptedTurn = next, t.s.turnNo
				t.step(StepEvent, "sys.invalid-parameter on parameter %s", next.DisplayName)
				return t.callHandler(fr, h, "parameter "+next.DisplayName)
			}
		}
	}
	if fr.form.promptedTurn == t.s.turnNo && fr.form.prompted != nil {
		if next != fr.form.prompted {
			t.note(PolicyOnePromptPerTurn, "the form prompted this turn already; the next input fills "+next.DisplayName)
		}
		fr.form.prompted = next
		return goOn
	}
	return t.promptParam(fr, next)
}

// promptParam runs a parameter's initial prompt. When its webhook makes a
// parameter INVALID, the form prompts again (for that parameter's
// sys.invalid-parameter handler).
func (t *turn) promptParam(fr *frame, p *agent.FormParameter) outcome {
	fr.form.prompted, fr.form.promptedTurn = p, t.s.turnNo
	t.step(StepPrompt, "parameter %s", p.DisplayName)
	t.invalidated = false
	res := t.fulfill(fr, p.InitialPrompt, callSite{kind: sitePrompt, rtype: ParameterPrompt, name: "prompt of " + p.DisplayName})
	if res.target != nil {
		return t.transition(fr, *res.target, false)
	}
	if res.event != "" {
		return t.webhookError(fr, res.event)
	}
	if t.invalidated {
		t.invalidated = false
		return t.prompt(fr)
	}
	return goOn
}

// transition moves to a target and runs its lifecycle.
func (t *turn) transition(fr *frame, tg agent.Target, carryIntent bool) outcome {
	t.transitions++
	if t.transitions > MaxTransitions {
		if t.out.Err == nil {
			t.out.Err = errTransitionLimit
			t.warn("%v", errTransitionLimit)
			t.note(PolicyTransitionLimit, fmt.Sprintf("stopped after %d transitions", MaxTransitions))
		}
		return stopped
	}
	t.event = ""
	s := t.s
	switch tg.Kind {
	case agent.TargetPage:
		if tg.Page.Flow != fr.flow {
			t.warn("target page %q is in flow %q, not the active flow %q: not taken", tg.Page.DisplayName, tg.Page.Flow.DisplayName, fr.flow.DisplayName)
			return stopped
		}
		t.enter(fr, tg.Page, enterNew)
	case agent.TargetFlow:
		nf := newFrame(tg.Flow, tg.Flow.StartPage)
		if len(s.stack) >= MaxFlowStack {
			t.note(PolicyFlowStack, fmt.Sprintf("the flow stack holds %d flows: flow %q is dropped", MaxFlowStack, s.stack[0].flow.DisplayName))
			s.stack = s.stack[1:]
		}
		s.stack = append(s.stack, nf)
		t.step(StepFlow, "start flow %s", quote(tg.Flow.DisplayName))
		if carryIntent && t.intent != nil {
			t.intentConsumed = false
		}
		t.enter(nf, tg.Flow.StartPage, enterNew)
	case agent.TargetStartPage:
		t.note(PolicyStartPage, "START_PAGE forgets the form state of page "+quote(fr.page.DisplayName))
		t.enter(fr, fr.flow.StartPage, enterNew)
	case agent.TargetCurrentPage:
		t.note(PolicyCurrentPage, "CURRENT_PAGE runs the entry fulfillment of "+quote(fr.page.DisplayName)+" again and keeps its form's values")
		t.enter(fr, fr.page, enterAgain)
	case agent.TargetPreviousPage:
		prev := s.prev
		if prev == nil || prev.flow != fr.flow {
			t.warn("PREVIOUS_PAGE: no previous page in this flow; staying on %q", fr.page.DisplayName)
			return stopped
		}
		t.note(PolicyPreviousPage, "PREVIOUS_PAGE restores "+quote(prev.page.DisplayName)+" without its entry fulfillment")
		s.prev = &pageSnapshot{fr.flow, fr.page, fr.form.clone()}
		fr.form = prev.form.clone()
		t.enter(fr, prev.page, enterRestore)
	case agent.TargetEndFlow, agent.TargetEndFlowWithCancellation, agent.TargetEndFlowWithFailure, agent.TargetEndFlowWithHumanEscalation:
		t.endFlow(tg.Kind)
	case agent.TargetEndSession:
		t.endSession()
	case agent.TargetPlaybook:
		t.warn("target playbook %q: playbooks are not emulated; the turn ends here", tg.Playbook)
		return stopped
	default:
		return goOn
	}
	return moved
}

type enterMode uint8

const (
	enterNew enterMode = iota
	enterAgain
	enterRestore
)

// enter makes page current in frame fr and runs its lifecycle: entry
// fulfillment, form defaults, routes, then the form's prompt.
func (t *turn) enter(fr *frame, p *agent.Page, mode enterMode) {
	s := t.s
	if mode == enterNew && fr.page != p {
		s.prev = &pageSnapshot{fr.flow, fr.page, fr.form.clone()}
	}
	switch mode {
	case enterNew, enterAgain:
		fr.form = newForm()
	}
	fr.page = p
	fr.noMatch, fr.noInput = 0, 0
	fr.resume = -1
	t.step(StepPage, "enter page %s (flow %s)", quote(p.DisplayName), quote(fr.flow.DisplayName))
	if c := s.cfgCoverage(); c != nil {
		c.page(p)
	}
	if mode != enterRestore && p.Entry != nil {
		res := t.fulfill(fr, p.Entry, callSite{kind: siteEntry, rtype: EntryPrompt, name: "entry of " + quote(p.DisplayName)})
		if res.target != nil {
			t.transition(fr, *res.target, false)
			return
		}
		if res.event != "" {
			if t.webhookError(fr, res.event) != goOn {
				return
			}
		}
	}
	for _, fp := range p.Form {
		if fp.Required || fp.Default.IsAbsent() {
			continue
		}
		if _, ok := s.formValue(fr, fp); !ok {
			bp, name, session := s.backing(fr, fp)
			t.setIn(bp, session, name, jsonOf(fp.Default), "default")
		}
	}
	if t.evaluate(fr, 0) != goOn {
		return
	}
	t.prompt(fr)
}

// endFlow ends the active flow: the calling page resumes at its next
// handler, or, with no caller, the session ends.
func (t *turn) endFlow(k agent.TargetKind) {
	s := t.s
	done := s.top()
	t.step(StepFlow, "end flow %s (%s)", quote(done.flow.DisplayName), k)
	if len(s.stack) == 1 {
		t.endSession()
		return
	}
	s.stack = s.stack[:len(s.stack)-1]
	if len(done.flowParams) > 0 {
		t.note(PolicyFlowParams, fmt.Sprintf("the $flow parameters of %q (%s) end with it", done.flow.DisplayName, strings.Join(done.flowParams.Names(), ", ")))
	}
	caller := s.top()
	switch k {
	case agent.TargetEndFlowWithCancellation:
		t.event = "flow-cancelled"
	case agent.TargetEndFlowWithFailure:
		t.event = "flow-failed"
	case agent.TargetEndFlowWithHumanEscalation:
		t.event = "flow-failed-human-escalation"
	}
	t.step(StepPage, "back on page %s (flow %s)", quote(caller.page.DisplayName), quote(caller.flow.DisplayName))
	if t.event != "" {
		t.step(StepEvent, "%s", t.event)
	}
	if t.evaluate(caller, caller.resume) == goOn {
		t.prompt(caller)
	}
}

// endSession ends the session.
func (t *turn) endSession() {
	s := t.s
	s.endFlow = s.top().flow
	s.ended = true
	t.step(StepFlow, "end session")
}

// setIn sets (v not nil) or deletes (v nil) a parameter of p, the session
// parameters when session is set and a flow's otherwise, tracing the
// change and, for session parameters, what made it.
func (t *turn) setIn(p Params, session bool, name string, v any, by string) {
	old, had := p.Get(name)
	scope := "$flow."
	if session {
		scope = ""
	}
	switch {
	case v == nil && !had:
		return
	case v == nil:
		p.del(name)
		t.step(StepParam, "%s%s deleted (%s)", scope, name, by)
	case had && equalJSON(old, v):
	default:
		p.set(name, v)
		t.step(StepParam, "%s%s = %s (%s)", scope, name, clip(compactJSON(v)), by)
	}
	if session {
		if t.setBy == nil {
			t.setBy = map[string]string{}
		}
		t.setBy[strings.ToLower(name)] = by
	}
}

// finish fills in the turn's result.
func (t *turn) finish() {
	s := t.s
	t.out.Messages = t.queue
	if s.ended {
		t.out.EndSession = true
		t.out.Flow = s.endFlow
	} else {
		t.out.Flow = s.top().flow
		t.out.Page = s.top().page
	}
	t.out.Params = s.params.Clone()
	if t.out.Params == nil {
		t.out.Params = Params{}
	}
}

func (s *Session) cfgCoverage() *Coverage { return s.cfg.Coverage }
