package emulator

import (
	"strings"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/expr"
	"github.com/cxhook/cxhook/fulfillment"
	"github.com/go-json-experiment/json"
)

type siteKind uint8

const (
	siteEntry siteKind = iota + 1
	siteRoute
	siteHandler
	sitePrompt
)

// callSite is the fulfillment being run: what kind, the response type its
// messages get, a name for traces, and whether its handler has a target
// (a webhook failure is silent then).
type callSite struct {
	kind      siteKind
	rtype     ResponseType
	name      string
	hasTarget bool
}

// fulfillResult is what a fulfillment's webhook call left to do: an event
// its failure raised, or the target its answer named.
type fulfillResult struct {
	event  string
	target *agent.Target
}

// fulfill runs a fulfillment in CX's order: the choice of conditional
// cases on the state at its beginning, parameter presets, static messages,
// the webhook call, then the messages of the chosen cases, rendered at its
// end (PolicyConditionalText).
func (t *turn) fulfill(fr *frame, f *agent.Fulfillment, site callSite) fulfillResult {
	if f == nil {
		return fulfillResult{}
	}
	var chosen []agent.Message
	for _, cc := range f.Cases {
		chosen = t.choose(cc, chosen)
	}
	presets := t.s.e.prog.presets[f]
	for _, p := range presets {
		t.applyPreset(fr, p)
	}
	for _, m := range f.Messages {
		t.queueMessage(m, site)
	}
	var res fulfillResult
	if f.Webhook != nil {
		res = t.callWebhook(fr, f, site)
	}
	if len(f.Cases) > 0 && (len(presets) > 0 || f.Webhook != nil) {
		t.note(PolicyConditionalText, "the conditional responses of "+site.name+" were chosen before its presets and webhook, and rendered after them")
	}
	for _, m := range chosen {
		t.queueMessage(m, site)
	}
	if len(f.Generators) > 0 {
		t.warn("%s calls %d generator(s), which are not emulated: their output parameters stay unset", site.name, len(f.Generators))
	}
	return res
}

// choose appends the messages of the first case of cc whose condition
// holds, nested chains resolved.
func (t *turn) choose(cc agent.ConditionalCases, out []agent.Message) []agent.Message {
	for _, c := range cc.Cases {
		if c.Condition != "" && !t.cond(c.Condition) {
			continue
		}
		for _, ct := range c.Content {
			if ct.Message != nil {
				out = append(out, *ct.Message)
			}
			if ct.Cases != nil {
				out = t.choose(*ct.Cases, out)
			}
		}
		break
	}
	return out
}

// applyPreset applies one parameter preset.
func (t *turn) applyPreset(fr *frame, p preset) {
	s := t.s
	if p.err != nil {
		t.warn("preset of %q skipped: %v", clip(p.src.Parameter), p.err)
		return
	}
	v, err := p.value.Eval(&s.ctx)
	if err != nil {
		t.warn("preset of %q skipped: %v", clip(p.src.Parameter), err)
		return
	}
	var base Params
	name, session := p.target.Name, true
	switch p.target.Scope {
	case expr.ScopeSession:
		base = s.params
	case expr.ScopeFlow:
		base, session = fr.flowParams, false
	case expr.ScopePage:
		fp := formParam(fr.page, name)
		if fp == nil {
			t.warn("preset of %q: page %q has no form parameter %q", clip(p.src.Parameter), fr.page.DisplayName, name)
			return
		}
		base, name, session = s.backing(fr, fp)
		fr.form.setInvalid(fp.DisplayName, false)
	default:
		t.warn("preset of %q: cannot set that scope", clip(p.src.Parameter))
		return
	}
	if len(p.target.Fields) > 0 {
		var old expr.Value
		if x, ok := base.Get(name); ok {
			old, _ = expr.FromJSON(x)
		}
		v = expr.SetPath(old, p.target.Fields, v)
	}
	t.setIn(base, session, name, cloneJSON(v.JSON()), "preset")
}

// queueMessage renders a message of the agent and queues it, if it is for
// the turn's language and channel.
func (t *turn) queueMessage(m agent.Message, site callSite) {
	if m.LanguageCode != "" && !sameLanguage(m.LanguageCode, t.language()) {
		return
	}
	ch := m.Channel()
	if ch != "" && ch != t.s.e.cfg.Channel {
		return
	}
	msg := Message{Kind: m.Kind(), Type: site.rtype, Source: site.name, Raw: m.Message, channel: ch}
	switch m.Kind() {
	case fulfillment.KindText:
		vs := m.TextVariants()
		if len(vs) == 0 {
			return
		}
		msg.templates = vs
		msg.Variants = make([]string, len(vs))
		for i, v := range vs {
			msg.Variants[i] = t.render(v)
		}
		i := 0
		if len(vs) > 1 {
			i = t.s.rand.IntN(len(vs))
		}
		msg.Text = msg.Variants[i]
	case fulfillment.KindOutputAudioText:
		text, _ := m.AudioText()
		msg.templates = []string{text}
		msg.Text = t.render(text)
	case fulfillment.KindPayload:
		msg.Raw = t.renderPayload(m.Message)
	}
	t.queue = append(t.queue, msg)
}

// renderPayload renders the parameter references and system functions in
// the strings of a custom payload, as CX does in payload messages.
func (t *turn) renderPayload(m fulfillment.Message) fulfillment.Message {
	b, err := json.Marshal(m.Payload())
	if err != nil || !strings.Contains(string(b), "$") {
		return m
	}
	var x any
	if json.Unmarshal(b, &x) != nil {
		return m
	}
	var walk func(any) any
	walk = func(v any) any {
		switch v := v.(type) {
		case string:
			if strings.Contains(v, "$") {
				return t.render(v)
			}
		case []any:
			for i := range v {
				v[i] = walk(v[i])
			}
		case map[string]any:
			for k := range v {
				v[k] = walk(v[k])
			}
		}
		return v
	}
	return fulfillment.CustomPayload(walk(x)).ForChannel(m.Channel())
}

// render renders a message text.
func (t *turn) render(src string) string {
	p := t.s.e.prog
	tm := p.tmpls[src]
	if tm == nil {
		if err := p.bad[src]; err != nil {
			t.warn("text %q does not parse; sent as written: %v", clip(src), err)
			return src
		}
		var err error
		if tm, err = expr.ParseTemplate(src); err != nil {
			t.warn("text %q does not parse; sent as written: %v", clip(src), err)
			return src
		}
	}
	if tm.IsLiteral() {
		return src
	}
	out, err := tm.Render(&t.s.ctx)
	if err != nil {
		t.warn("text %q: %v", clip(src), err)
	}
	return out
}

func sameLanguage(a, b string) bool {
	if strings.EqualFold(a, b) {
		return true
	}
	base := func(s string) string {
		if i := strings.IndexAny(s, "-_"); i >= 0 {
			return s[:i]
		}
		return s
	}
	return strings.EqualFold(base(a), base(b))
}
