package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/cxhook/cxhook/fulfillment"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// SampleOptions shape the requests [Agent.SampleRequests] writes.
type SampleOptions struct {
	// Agent is the agent's resource name,
	// projects/P/locations/L/agents/A, which page, flow, intent and session
	// names start with. The export does not hold it; the default is
	// DefaultSampleAgent.
	Agent string
	// LanguageCode is the language of the requests; the default is the
	// agent's default language ("en" if it has none).
	LanguageCode string
}

// DefaultSampleAgent is the agent resource name of samples whose options
// name none.
const DefaultSampleAgent = "projects/my-project/locations/global/agents/my-agent"

// A Sample is the request Dialogflow sends at one call site.
type Sample struct {
	Site CallSite
	// Name is a file name for the sample, unique among an agent's samples
	// and the same from run to run: the tag, the page, the place on the
	// page, "_flexible" for a flexible webhook's body, and ".json".
	Name string
	// Flexible is set for a call site on a flexible webhook: Body is then
	// the body its requestBody template renders, not a WebhookRequest.
	Flexible bool
	// Body is the request's JSON, indented, ending in a newline. A standard
	// sample decodes as a google.cloud.dialogflow.cx.v3.WebhookRequest
	// under strict protojson.
	Body []byte
}

// SampleRequests returns the request of every call site that a page or
// flow uses (see [Agent.CallSites]), in the call sites' order, shaped as
// Dialogflow sends it there: the tag; the page and flow as full resource
// names; the page's form parameters in the states they have at the site
// (filled up to the parameter a prompt asks for, all filled on a route
// that tests $page.params.status = "FINAL"), with values of their entity
// types; intentInfo when the turn matched an intent; the session
// parameters set on the way to the page (intent parameters, presets, form
// values of the pages before it); the messages queued so far with their
// response types; the language.
//
// What fills the request is an informed sample, not a trace: where a page
// can be entered several ways it follows the first route that leads there,
// a text message offers its first variant, a conditional response its
// first case without a condition, and parameter references in texts stay
// as written (as Dialogflow leaves those it cannot resolve). Values of
// system entities have the shapes Dialogflow sends (see the sysentity
// types of package fulfillment), on a fixed day, 2036-03-14. Queued
// messages leave out the members real requests add and the public proto
// lacks (text.redactedText, source), so that every request decodes under
// strict protojson. A flexible webhook's body is its template rendered by
// [Webhook.RenderBody] with what the turn holds.
func (a *Agent) SampleRequests(opts SampleOptions) ([]Sample, error) {
	var out []Sample
	names := map[string]int{}
	for _, s := range a.CallSites() {
		if s.Page == nil {
			continue
		}
		sm, err := a.SampleRequest(s, opts)
		if err != nil {
			return nil, err
		}
		base := strings.TrimSuffix(sm.Name, ".json")
		if n := names[base]; n > 0 {
			sm.Name = fmt.Sprintf("%s_%d.json", base, n+1)
		}
		names[base]++
		out = append(out, sm)
	}
	return out, nil
}

// SampleRequest returns the request of one call site; see
// [Agent.SampleRequests]. The site must have a page.
func (a *Agent) SampleRequest(s CallSite, opts SampleOptions) (Sample, error) {
	if s.Page == nil || s.Fulfillment == nil || s.Webhook == nil {
		return Sample{}, fmt.Errorf("agent: a sample request needs a call site with a page, a fulfillment and a webhook")
	}
	if opts.Agent == "" {
		opts.Agent = DefaultSampleAgent
	}
	if opts.LanguageCode == "" {
		opts.LanguageCode = cmpOr(a.DefaultLanguageCode, "en")
	}
	g := &sampler{a: a, opts: opts, visiting: map[*Page]bool{}}
	t := g.turnAt(s)
	sm := Sample{Site: s, Name: sampleName(s), Flexible: s.Webhook.Kind == Flexible}
	var err error
	if sm.Flexible {
		sm.Body, err = g.flexibleBody(s, t)
	} else {
		sm.Body, err = g.request(s, t, sm.Name)
	}
	return sm, err
}

// A turn is what a sample request says about the conversation turn that
// reaches the call site.
type turn struct {
	text   string
	event  string // a triggerEvent instead of text
	intent *Intent
	// intentParams are the matched intent's parameters, with the text that
	// gave each.
	intentParams []intentParam
	session      members // session parameters
	flow         members // flow parameters ($flow.x)
	form         []formState
	queued       []queuedMessage
}

type intentParam struct {
	name, original string
	value          fulfillment.Value
}

type formState struct {
	p             *FormParameter
	state         string
	value         fulfillment.Value
	justCollected bool
}

type queuedMessage struct {
	m    Message
	kind string // ENTRY_PROMPT, PARAMETER_PROMPT or HANDLER_PROMPT
}

// members is a JSON object with its members in order.
type members []member

type member struct {
	name  string
	value fulfillment.Value
}

func (ms *members) set(name string, v fulfillment.Value) {
	for i := range *ms {
		if (*ms)[i].name == name {
			(*ms)[i].value = v
			return
		}
	}
	*ms = append(*ms, member{name, v})
}

func (ms *members) del(name string) {
	for i := range *ms {
		if (*ms)[i].name == name {
			*ms = append((*ms)[:i], (*ms)[i+1:]...)
			return
		}
	}
}

func (ms members) get(name string) (fulfillment.Value, bool) {
	for _, m := range ms {
		if m.name == name {
			return m.value, true
		}
	}
	return fulfillment.Value{}, false
}

func (ms members) MarshalJSONTo(enc *jsontext.Encoder) error {
	if err := enc.WriteToken(jsontext.BeginObject); err != nil {
		return err
	}
	for _, m := range ms {
		if err := enc.WriteToken(jsontext.String(m.name)); err != nil {
			return err
		}
		if err := json.MarshalEncode(enc, m.value); err != nil {
			return err
		}
	}
	return enc.WriteToken(jsontext.EndObject)
}

// sampler builds the turns of one sample.
type sampler struct {
	a        *Agent
	opts     SampleOptions
	visiting map[*Page]bool // pages on the path being followed, against loops
	depth    int            // entity types followed into, against loops
}

// maxUpstream bounds how many pages back a sample follows the way to a
// page.
const maxUpstream = 8

// isFinal reports whether a condition tests that the page's form is
// complete ($page.params.status = "FINAL", quoted or not).
func isFinal(cond string) bool {
	c := strings.ReplaceAll(strings.ReplaceAll(cond, " ", ""), `"`, "")
	return strings.Contains(c, "$page.params.status=FINAL")
}

// fillsForm reports whether route r of page p is called once p's form
// holds its parameters: its condition tests $page.params.status = "FINAL"
// or one of the form's parameters.
func fillsForm(r *Route, p *Page) bool {
	if p == nil || len(p.Form) == 0 || r.Condition == "" {
		return false
	}
	if isFinal(r.Condition) {
		return true
	}
	for _, fp := range p.Form {
		ref, ok := ParseParamRef(fp.DisplayName)
		if !ok {
			continue
		}
		for _, spelled := range []string{ref.String(), "$page.params." + ref.Name} {
			if i := strings.Index(r.Condition, spelled); i >= 0 && !isNameByte(byteAt(r.Condition, i+len(spelled))) {
				return true
			}
		}
	}
	return false
}

func byteAt(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return ' '
}

// entering returns a route or event handler that leads to page p (nil if
// none does): the flow's routes first, then the pages' in order, then
// those of route groups the flow defines.
func (g *sampler) entering(p *Page) (r *Route, h *EventHandler) {
	f := p.Flow
	if p.IsStart() {
		// A flow's start page is entered from another flow.
		for _, of := range g.a.Flows {
			for _, op := range append([]*Page{of.StartPage}, of.Pages...) {
				for _, rt := range op.Routes {
					if rt.Target.Kind == TargetFlow && rt.Target.Flow == f {
						return rt, nil
					}
				}
			}
		}
		return nil, nil
	}
	for _, op := range append([]*Page{f.StartPage}, f.Pages...) {
		if op == p {
			continue
		}
		for _, rt := range op.Routes {
			if rt.Target.Page == p {
				return rt, nil
			}
		}
		for _, eh := range op.EventHandlers {
			if eh.Target.Page == p {
				return nil, eh
			}
		}
		for _, fp := range op.Form {
			for _, eh := range fp.Reprompts {
				if eh.Target.Page == p {
					return nil, eh
				}
			}
		}
	}
	for _, grp := range f.DefinedRouteGroups {
		for _, rt := range grp.Routes {
			if rt.Target.Page == p {
				return rt, nil
			}
		}
	}
	return nil, nil
}

// turnAt returns the turn that reaches call site s.
func (g *sampler) turnAt(s CallSite) *turn {
	p := s.Page
	t := &turn{}
	switch s.Kind {
	case SiteEntry:
		g.enter(t, p, 0)
		t.form = g.emptyForm(p, t)
	case SitePrompt:
		g.prompt(t, p, s.Param)
	case SiteReprompt:
		g.reprompt(t, p, s.Param, s.Handler)
	case SiteRoute:
		g.route(t, p, s.Route)
	case SiteEvent:
		g.enter(t, p, 0)
		t.queued = nil
		g.event(t, s.Handler.Event)
		t.form = g.emptyForm(p, t)
		g.queue(t, s.Fulfillment, "HANDLER_PROMPT")
	}
	g.presets(t, s.Fulfillment)
	return t
}

// enter fills t with the turn in which page p was entered: the route that
// led there (its input, intent and messages), the session parameters set
// on the way, p's entry presets and messages.
func (g *sampler) enter(t *turn, p *Page, depth int) {
	g.visiting[p] = true
	defer delete(g.visiting, p)
	r, h := g.entering(p)
	if r != nil {
		from := r.Page
		if from != nil && !from.IsStart() && depth < maxUpstream && !g.visiting[from] {
			// The session as the previous page left it.
			g.enter(t, from, depth+1)
		}
		collected := -1
		if fillsForm(r, from) {
			collected = g.completeForm(t, from)
		}
		if collected >= 0 || r.Intent != nil {
			// A turn of its own, after the one that entered the page before.
			t.queued, t.text, t.event, t.intent, t.intentParams = nil, "", "", nil, nil
		}
		switch {
		case r.Intent != nil:
			g.matchIntent(t, r.Intent)
		case collected >= 0:
			t.text = g.sample(from.Form[collected]).text
		}
		g.presets(t, r.Fulfillment)
		g.queue(t, r.Fulfillment, "HANDLER_PROMPT")
	} else if h != nil {
		t.queued, t.text, t.intent, t.intentParams = nil, "", nil, nil
		g.event(t, h.Event)
		g.presets(t, h.Fulfillment)
		g.queue(t, h.Fulfillment, "HANDLER_PROMPT")
	}
	if p.Entry != nil {
		g.presets(t, p.Entry)
		g.queue(t, p.Entry, "ENTRY_PROMPT")
	}
}

// event sets the input of a turn that raised event.
func (g *sampler) event(t *turn, event string) {
	switch {
	case strings.HasPrefix(event, "sys.no-match"), event == "sys.long-utterance":
		t.text = "something the agent does not understand"
	case strings.HasPrefix(event, "sys.no-input"):
		t.text = ""
	case strings.HasPrefix(event, "sys."), strings.HasPrefix(event, "webhook."), strings.HasPrefix(event, "flow-"):
		// Raised by the agent itself; the turn's input is the entering one.
	default:
		t.event, t.text = event, "" // a custom event, sent as input
	}
}

// matchIntent sets a turn's input to a training phrase of the intent, and
// its parameters to those the phrase annotates. Of the phrases in the
// language it takes the first with the most annotated parts, preferring
// phrases of ten characters or more to shorter ones ("yes please" to "k").
func (g *sampler) matchIntent(t *turn, in *Intent) {
	t.intent = in
	var phrase *TrainingPhrase
	best := -1
	for _, tp := range in.TrainingPhrases {
		if !g.lang(tp.LanguageCode) {
			continue
		}
		n := 0
		for _, p := range tp.Parts {
			if p.Parameter != nil {
				n++
			}
		}
		if n > best || n == best && len(phrase.Text()) < 10 && len(tp.Text()) >= 10 {
			phrase, best = tp, n
		}
	}
	if phrase == nil {
		t.text = strings.ReplaceAll(in.DisplayName, "_", " ")
		return
	}
	t.text = strings.TrimSpace(phrase.Text())
	for _, part := range phrase.Parts {
		if part.Parameter == nil || slices.ContainsFunc(t.intentParams, func(p intentParam) bool { return p.name == part.Parameter.ID }) {
			continue // a parameter a phrase annotates twice: its first value
		}
		v := g.entityValue(part.Parameter.EntityType, part.Parameter.IsList, part.Parameter.ID, part.Text)
		t.intentParams = append(t.intentParams, intentParam{part.Parameter.ID, part.Text, v})
		t.session.set(part.Parameter.ID, v)
	}
}

// setSession stores a form parameter's value where Dialogflow keeps it:
// a session parameter, or a flow parameter for a "$flow.x" name.
func (t *turn) setSession(p *FormParameter, v fulfillment.Value) {
	if ref, ok := ParseParamRef(p.DisplayName); ok && ref.Scope == ScopeFlow {
		t.flow.set(ref.Name, v)
		return
	}
	t.session.set(p.DisplayName, v)
}

// presets applies a fulfillment's parameter presets. References in a
// value are replaced by what the turn holds for them (as in a flexible
// webhook's template); a value that calls a system function is not
// evaluated, and the preset is left out.
func (g *sampler) presets(t *turn, f *Fulfillment) {
	if f == nil {
		return
	}
	for _, sp := range f.SetParams {
		ref, ok := sp.Ref()
		if !ok || ref.Scope == ScopePage || ref.Scope == ScopeIntent {
			continue
		}
		raw := string(sp.Value.JSON())
		if strings.Contains(raw, "$sys.func") || strings.Contains(raw, "$request.") {
			continue
		}
		target := &t.session
		if ref.Scope == ScopeFlow {
			target = &t.flow
		}
		if sp.Value.IsAbsent() || sp.Value.IsNull() {
			target.del(ref.Name)
			continue
		}
		v := sp.Value
		if strings.Contains(raw, "$") {
			var rendered fulfillment.Value
			if json.Unmarshal(renderTemplate(raw, t.lookupRef), &rendered) != nil {
				continue
			}
			v = rendered
		}
		target.set(ref.Name, v)
	}
}

// lookupRef returns what the turn holds for a parameter reference.
func (t *turn) lookupRef(ref ParamRef) (fulfillment.Value, bool) {
	switch ref.Scope {
	case ScopeSession:
		return t.session.get(ref.Name)
	case ScopeFlow:
		return t.flow.get(ref.Name)
	case ScopePage:
		for _, fs := range t.form {
			if fs.p.DisplayName == ref.Name && fs.state != "EMPTY" {
				return fs.value, true
			}
		}
	}
	return fulfillment.Value{}, false
}

// queue adds a fulfillment's static messages in the request's language.
func (g *sampler) queue(t *turn, f *Fulfillment, kind string) {
	if f == nil {
		return
	}
	add := func(m Message) {
		if m.LanguageCode != "" && m.LanguageCode != g.opts.LanguageCode || m.Kind() == fulfillment.KindUnknown {
			return
		}
		if v := m.TextVariants(); len(v) > 1 {
			m.Message = fulfillment.Text(v[0]).ForChannel(m.Channel())
		}
		t.queued = append(t.queued, queuedMessage{m, kind})
	}
	for _, m := range f.Messages {
		add(m)
	}
	var walk func(cc ConditionalCases)
	walk = func(cc ConditionalCases) {
		for _, c := range cc.Cases {
			if strings.TrimSpace(c.Condition) != "" && strings.TrimSpace(c.Condition) != "true" {
				continue
			}
			for _, content := range c.Content {
				if content.Message != nil {
					add(*content.Message)
				} else if content.Cases != nil {
					walk(*content.Cases)
				}
			}
			return
		}
	}
	for _, cc := range f.Cases {
		walk(cc)
	}
}

// emptyForm returns page p's form as entered: empty, except parameters the
// session already holds (Dialogflow fills those from it).
func (g *sampler) emptyForm(p *Page, t *turn) []formState {
	var out []formState
	for _, fp := range p.Form {
		fs := formState{p: fp, state: "EMPTY"}
		if v, ok := t.lookup(fp); ok {
			fs.state, fs.value = "FILLED", v
		}
		out = append(out, fs)
	}
	return out
}

// lookup returns the value the session (or the flow) holds for a form
// parameter.
func (t *turn) lookup(fp *FormParameter) (fulfillment.Value, bool) {
	if ref, ok := ParseParamRef(fp.DisplayName); ok && ref.Scope == ScopeFlow {
		return t.flow.get(ref.Name)
	}
	return t.session.get(fp.DisplayName)
}

// filledForm returns page p's form with its first n parameters filled (by
// the session, or with samples) and the rest as entered.
func (g *sampler) filledForm(p *Page, n int, t *turn) []formState {
	out := g.emptyForm(p, t)
	for i := range out[:min(n, len(out))] {
		if out[i].state != "FILLED" {
			out[i].state, out[i].value = "FILLED", g.sample(out[i].p).value
		}
	}
	return out
}

// completeForm fills t.form with page p's form complete, and the session
// with its values. It returns the index of the required parameter the
// user gave last (the last the session did not fill), or -1 if the
// session filled them all on entry.
func (g *sampler) completeForm(t *turn, p *Page) int {
	last := -1
	for i, fs := range g.emptyForm(p, t) {
		if fs.p.Required && fs.state != "FILLED" {
			last = i
		}
	}
	t.form = g.filledForm(p, len(p.Form), t)
	for _, fs := range t.form {
		t.setSession(fs.p, fs.value)
	}
	return last
}

// prompt fills the turn in which the form of page p prompts for param.
func (g *sampler) prompt(t *turn, p *Page, param *FormParameter) {
	g.enter(t, p, 0)
	k := indexOf(p.Form, param)
	entered := g.emptyForm(p, t)
	// The parameters before param that the session did not fill were asked
	// for in turns of their own; the last of them was answered in this one.
	prev := -1
	for i := range entered[:k] {
		if entered[i].state != "FILLED" {
			prev = i
		}
	}
	if prev < 0 {
		// Prompted right on entry, in the entering turn.
		t.form = entered
		g.queue(t, param.InitialPrompt, "PARAMETER_PROMPT")
		return
	}
	t.queued, t.event, t.intent, t.intentParams = nil, "", nil, nil
	t.form = g.filledForm(p, k, t)
	t.form[prev].justCollected = true
	t.text = g.sample(t.form[prev].p).text
	for _, fs := range t.form[:k] {
		t.setSession(fs.p, fs.value)
	}
	g.queue(t, param.InitialPrompt, "PARAMETER_PROMPT")
}

// reprompt fills the turn in which the form's reprompt handler h for param
// runs: the answer did not fill param.
func (g *sampler) reprompt(t *turn, p *Page, param *FormParameter, h *EventHandler) {
	g.enter(t, p, 0)
	k := indexOf(p.Form, param)
	t.queued, t.event, t.intent, t.intentParams = nil, "", nil, nil
	t.form = g.filledForm(p, k, t)
	for _, fs := range t.form[:k] {
		t.setSession(fs.p, fs.value)
	}
	if h.Event == "sys.invalid-parameter" {
		// A webhook marked the value invalid.
		smp := g.sample(param)
		t.form[k].state, t.form[k].value, t.form[k].justCollected = "INVALID", smp.value, true
		t.text = smp.text
	} else {
		g.event(t, h.Event)
	}
	g.queue(t, h.Fulfillment, "HANDLER_PROMPT")
}

// route fills the turn in which route r is called on page p.
func (g *sampler) route(t *turn, p *Page, r *Route) {
	switch {
	case p.IsStart() && r.Intent != nil:
		// A flow-level intent route: the turn's input matched it.
		g.matchIntent(t, r.Intent)
	case r.Intent != nil:
		g.enter(t, p, 0)
		t.queued, t.event = nil, ""
		t.form = g.emptyForm(p, t)
		g.matchIntent(t, r.Intent)
	case fillsForm(r, p):
		// The form is complete: its last parameter came this turn, or, if
		// the session filled them all, the page was entered this turn.
		g.enter(t, p, 0)
		if last := g.completeForm(t, p); last >= 0 {
			t.queued, t.event, t.intent, t.intentParams = nil, "", nil, nil
			t.form[last].justCollected = true
			t.text = g.sample(p.Form[last]).text
		}
	default:
		// A condition route: evaluated in the turn that entered the page.
		g.enter(t, p, 0)
		t.form = g.emptyForm(p, t)
	}
	g.queue(t, r.Fulfillment, "HANDLER_PROMPT")
}

func indexOf(form []*FormParameter, p *FormParameter) int {
	for i, fp := range form {
		if fp == p {
			return i
		}
	}
	return 0
}

// request writes the WebhookRequest of site s in turn t.
func (g *sampler) request(s CallSite, t *turn, name string) ([]byte, error) {
	agentName, lang := g.opts.Agent, g.opts.LanguageCode
	sum := sha256.Sum256([]byte(agentName + "\x00" + name))
	req := wRequest{
		DetectIntentResponseID: uuidOf(sum[:16]),
		LanguageCode:           lang,
		FulfillmentInfo:        &wFulfillmentInfo{Tag: s.Tag},
		PageInfo: &wPageInfo{
			CurrentPage: s.Page.ResourceName(agentName),
			DisplayName: s.Page.DisplayName,
		},
		SessionInfo:  &wSessionInfo{Session: agentName + "/sessions/cxhook-sample-" + hex.EncodeToString(sum[16:24])},
		LanguageInfo: &wLanguageInfo{InputLanguageCode: lang, ResolvedLanguageCode: lang, ConfidenceScore: 1},
	}
	if t.event != "" {
		req.TriggerEvent = &t.event
	} else {
		req.Text = &t.text
	}
	if in := t.intent; in != nil {
		ii := &wIntentInfo{LastMatchedIntent: in.ResourceName(agentName), DisplayName: in.DisplayName, Confidence: 1}
		for _, p := range t.intentParams {
			ii.Parameters = append(ii.Parameters, member{p.name, intentParamValue(p)})
		}
		req.IntentInfo = ii
	}
	if len(t.form) > 0 {
		fi := &wFormInfo{}
		for _, fs := range t.form {
			pi := wParamInfo{DisplayName: fs.p.DisplayName, Required: fs.p.Required, State: fs.state, JustCollected: fs.justCollected}
			if fs.state != "EMPTY" {
				pi.Value = fs.value
			}
			fi.ParameterInfo = append(fi.ParameterInfo, pi)
		}
		req.PageInfo.FormInfo = fi
	}
	if len(t.session) > 0 {
		req.SessionInfo.Parameters = t.session
	}
	for _, q := range t.queued {
		b, err := json.Marshal(q.m.Message)
		if err != nil {
			return nil, fmt.Errorf("agent: %s: %v", q.m.Message.Kind(), err)
		}
		req.Messages = append(req.Messages, withResponseType(b, q.kind))
	}
	return marshalIndent(&req)
}

// intentParamValue writes an intent parameter as intentInfo.parameters
// holds it: {"originalValue", "resolvedValue"}.
func intentParamValue(p intentParam) fulfillment.Value {
	b, _ := json.Marshal(struct {
		OriginalValue string            `json:"originalValue"`
		ResolvedValue fulfillment.Value `json:"resolvedValue"`
	}{p.original, p.value})
	var v fulfillment.Value
	_ = json.Unmarshal(b, &v)
	return v
}

// withResponseType adds the responseType member to a message's JSON object.
func withResponseType(msg []byte, kind string) jsontext.Value {
	body := strings.TrimSuffix(strings.TrimSpace(string(msg)), "}")
	if strings.TrimSpace(body) != "{" {
		body += ","
	}
	return jsontext.Value(body + `"responseType":"` + kind + `"}`)
}

// flexibleBody renders the body a flexible webhook posts at site s.
func (g *sampler) flexibleBody(s CallSite, t *turn) ([]byte, error) {
	body := s.Webhook.RenderBody(func(ref ParamRef) (fulfillment.Value, bool) {
		if v, ok := t.lookupRef(ref); ok {
			return v, true
		}
		// Not set on the way here: a sample of the form parameter that
		// collects it in this flow, if one does.
		if fp := g.formParamFor(s.Flow, ref); fp != nil {
			return g.sample(fp).value, true
		}
		return fulfillment.Value{}, false
	})
	v := jsontext.Value(body)
	if !v.IsValid() {
		return append(body, '\n'), nil
	}
	if err := v.Indent(jsontext.WithIndentPrefix(""), jsontext.WithIndent("  ")); err != nil {
		return nil, err
	}
	return append(v, '\n'), nil
}

// formParamFor finds a form parameter of the flow that holds ref.
func (g *sampler) formParamFor(f *Flow, ref ParamRef) *FormParameter {
	if f == nil {
		return nil
	}
	for _, p := range f.Pages {
		for _, fp := range p.Form {
			r, ok := ParseParamRef(fp.DisplayName)
			if ok && r.Name == ref.Name && (r.Scope == ref.Scope || ref.Scope == ScopePage) {
				return fp
			}
		}
	}
	return nil
}

func marshalIndent(v any) ([]byte, error) {
	b, err := json.Marshal(v, json.Deterministic(true), jsontext.WithIndent("  "))
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// uuidOf formats 16 bytes as a version 4 UUID.
func uuidOf(b []byte) string {
	u := [16]byte(b)
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	h := hex.EncodeToString(u[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// sampleName names the sample of call site s.
func sampleName(s CallSite) string {
	page := slug(s.Page.DisplayName)
	if s.Page.IsStart() {
		page = slug(s.Flow.DisplayName) + "_start"
	}
	var where string
	switch s.Kind {
	case SiteEntry:
		where = "entry"
	case SitePrompt:
		where = slug(s.Param.DisplayName) + "_prompt"
	case SiteReprompt:
		where = slug(s.Param.DisplayName) + "_" + slug(s.Handler.Event)
	case SiteEvent:
		where = slug(s.Handler.Event)
	case SiteRoute:
		switch r := s.Route; {
		case r.Intent != nil:
			where = "intent_" + slug(r.Intent.DisplayName)
		case isFinal(r.Condition):
			where = "final"
		default:
			where = "route"
		}
		if g := s.Route.Group; g != nil {
			where = slug(g.DisplayName) + "_" + where
		}
	}
	name := s.Tag
	if name == "" {
		name = "untagged"
	}
	name = fileSafe(name) + "_" + page + "_" + where
	if s.Webhook.Kind == Flexible {
		name += "_flexible"
	}
	return name + ".json"
}

// slug writes a display name for a file name: lower case, with runs of
// other characters than letters and digits as one '-'.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	if b.Len() == 0 {
		return "x"
	}
	return b.String()
}

// fileSafe keeps a tag's case but replaces what a file name cannot hold.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return '_'
	}, s)
}

// The WebhookRequest as a sample writes it: the members a request at a
// call site has, in the proto's JSON names and in the order Dialogflow
// writes them.
type wRequest struct {
	DetectIntentResponseID string            `json:"detectIntentResponseId"`
	Text                   *string           `json:"text,omitempty"`
	TriggerEvent           *string           `json:"triggerEvent,omitempty"`
	LanguageCode           string            `json:"languageCode"`
	FulfillmentInfo        *wFulfillmentInfo `json:"fulfillmentInfo"`
	IntentInfo             *wIntentInfo      `json:"intentInfo,omitempty"`
	PageInfo               *wPageInfo        `json:"pageInfo"`
	SessionInfo            *wSessionInfo     `json:"sessionInfo"`
	Messages               []jsontext.Value  `json:"messages,omitempty"`
	LanguageInfo           *wLanguageInfo    `json:"languageInfo"`
}

type wFulfillmentInfo struct {
	Tag string `json:"tag"`
}

type wIntentInfo struct {
	LastMatchedIntent string  `json:"lastMatchedIntent"`
	DisplayName       string  `json:"displayName"`
	Parameters        members `json:"parameters,omitempty"`
	Confidence        float32 `json:"confidence"`
}

type wPageInfo struct {
	CurrentPage string     `json:"currentPage"`
	DisplayName string     `json:"displayName"`
	FormInfo    *wFormInfo `json:"formInfo,omitempty"`
}

type wFormInfo struct {
	ParameterInfo []wParamInfo `json:"parameterInfo"`
}

type wParamInfo struct {
	DisplayName   string            `json:"displayName"`
	Required      bool              `json:"required,omitzero"`
	State         string            `json:"state"`
	Value         fulfillment.Value `json:"value,omitzero"`
	JustCollected bool              `json:"justCollected,omitzero"`
}

type wSessionInfo struct {
	Session    string  `json:"session"`
	Parameters members `json:"parameters,omitempty"`
}

type wLanguageInfo struct {
	InputLanguageCode    string  `json:"inputLanguageCode"`
	ResolvedLanguageCode string  `json:"resolvedLanguageCode"`
	ConfidenceScore      float32 `json:"confidenceScore"`
}
