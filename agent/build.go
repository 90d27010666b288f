package agent

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"path"
	"strings"

	"github.com/cxhook/cxhook/fulfillment"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Loading happens in two passes. The first reads every file into its
// export type and makes an empty object for each resource, indexed by
// display name; the second fills the objects in, resolving references
// against the indexes.

type flowFile struct {
	f     *Flow
	x     xFlow
	pages []pageFile
	// groups are the flow's route groups, in DefinedRouteGroups order.
	groups []groupFile
}

type pageFile struct {
	p *Page
	x xPage
}

type groupFile struct {
	g *RouteGroup
	x xRouteGroup
}

func (l *loader) load() *Agent {
	var xa xAgent
	if !l.decode("agent.json", &xa) {
		return nil
	}
	a := &Agent{
		DisplayName:            xa.DisplayName,
		DefaultLanguageCode:    xa.DefaultLanguageCode,
		SupportedLanguageCodes: xa.SupportedLanguageCodes,
		TimeZone:               xa.TimeZone,
		Description:            xa.Description,
		StartPlaybook:          xa.StartPlaybook,
		ProjectNumber:          string(xa.ProjectNumber),
		SecuritySettings:       xa.SecuritySettings,
		SpellCorrection:        xa.EnableSpellCorrection,
		StackdriverLogging:     xa.EnableStackdriverLogging,
		MultiLanguageTraining:  xa.EnableMultiLanguage,
		SpeechAdaptation:       xa.SpeechToTextSettings.EnableSpeechAdaptation,
		AnswerFeedback:         xa.AnswerFeedbackSettings.EnableAnswerFeedback,
		Locked:                 xa.Locked,
		Advanced:               advanced(xa.AdvancedSettings),
		flows:                  map[string]*Flow{},
		routeGroups:            map[string]*RouteGroup{},
		intents:                map[string]*Intent{},
		entityTypes:            map[string]*EntityType{},
		webhooks:               map[string]*Webhook{},
		generators:             map[string]*Generator{},
		testCases:              map[string]*TestCase{},
	}

	// Pass 1: read.
	l.prefetch()
	flows := l.readFlows(a)
	agentGroups := l.readRouteGroups(a, nil)
	intents := l.readIntents(a)
	entityTypes := l.readEntityTypes(a)
	webhooks := l.readWebhooks(a)
	generators := l.readGenerators(a)
	testCases := l.readTestCases(a)

	// Pass 2: resolve. Resources that others refer to come first.
	trimmed := intentsByTrimmedName(a)
	r := &resolver{loader: l, a: a, trimmedIntents: trimmed}
	for _, et := range entityTypes {
		r.entityType(et)
	}
	for _, in := range intents {
		r.intent(in)
	}
	for _, w := range webhooks {
		r.webhook(w)
	}
	for _, g := range generators {
		r.generator(g)
	}
	for _, g := range agentGroups {
		r.routeGroup(g)
	}
	for i := range flows {
		r.flow(&flows[i])
	}
	for _, tc := range testCases {
		r.testCase(tc)
	}
	r.startFlow(xa)
	return a
}

// index adds a resource to an index by display name, reporting a duplicate.
func index[T any](l *loader, m map[string]T, kind, name string, v T, loc Location, locOf func(T) Location) bool {
	if name == "" {
		l.problem(loc.at("displayName"), "the %s has no display name", kind)
		return false
	}
	if old, ok := m[name]; ok {
		l.problem(loc.at("displayName"), "a second %s named %s (the first is %s)", kind, quote(name), locOf(old).File)
		return false
	}
	m[name] = v
	return true
}

func (l *loader) readFlows(a *Agent) []flowFile {
	var out []flowFile
	for _, dir := range l.subdirs("flows") {
		file, ok := l.resourceFile(dir)
		if !ok {
			continue
		}
		ff := flowFile{f: &Flow{Agent: a, Loc: Location{File: file}, pages: map[string]*Page{}, routeGroups: map[string]*RouteGroup{}}}
		if !l.decode(file, &ff.x) {
			continue
		}
		f := ff.f
		f.ID, f.DisplayName, f.Description = ff.x.Name, ff.x.DisplayName, ff.x.Description
		f.StartPage = &Page{Flow: f, ID: startPageID, DisplayName: startPageName, Loc: f.Loc}
		if !index(l, a.flows, "flow", f.DisplayName, f, f.Loc, func(f *Flow) Location { return f.Loc }) {
			continue
		}
		for _, pf := range l.jsonFiles(path.Join(dir, "pages")) {
			p := pageFile{p: &Page{Flow: f, Loc: Location{File: pf}}}
			if !l.decode(pf, &p.x) {
				continue
			}
			p.p.ID, p.p.DisplayName, p.p.Description = p.x.Name, p.x.DisplayName, p.x.Description
			if _, symbolic := symbolicPages[p.p.DisplayName]; symbolic {
				// Routes that name it reach the symbolic page instead.
				l.problem(p.p.Loc.at("displayName"), "a page named %s, as a symbolic page is spelled", quote(p.p.DisplayName))
			}
			if index(l, f.pages, "page of flow "+quote(f.DisplayName), p.p.DisplayName, p.p, p.p.Loc, func(p *Page) Location { return p.Loc }) {
				f.Pages = append(f.Pages, p.p)
				ff.pages = append(ff.pages, p)
			}
		}
		ff.groups = l.readRouteGroups(a, f)
		a.Flows = append(a.Flows, f)
		out = append(out, ff)
	}
	if len(out) == 0 && len(l.subdirs("flows")) == 0 {
		l.problem(Location{File: "flows"}, "the export has no flows")
	}
	return out
}

// readRouteGroups reads the route groups of flow f, or the agent-level ones
// if f is nil.
func (l *loader) readRouteGroups(a *Agent, f *Flow) []groupFile {
	var files []string
	m := a.routeGroups
	if f != nil {
		files = l.jsonFiles(path.Join(path.Dir(f.Loc.File), "transitionRouteGroups"))
		m = f.routeGroups
	} else {
		files = l.jsonFiles("agentTransitionRouteGroups")
	}
	var out []groupFile
	for _, file := range files {
		gf := groupFile{g: &RouteGroup{Flow: f, Loc: Location{File: file}}}
		if !l.decode(file, &gf.x) {
			continue
		}
		gf.g.ID, gf.g.DisplayName = gf.x.Name, gf.x.DisplayName
		if !index(l, m, "route group", gf.g.DisplayName, gf.g, gf.g.Loc, func(g *RouteGroup) Location { return g.Loc }) {
			continue
		}
		if f != nil {
			f.DefinedRouteGroups = append(f.DefinedRouteGroups, gf.g)
		} else {
			a.RouteGroups = append(a.RouteGroups, gf.g)
		}
		out = append(out, gf)
	}
	return out
}

type intentFile struct {
	i       *Intent
	x       xIntent
	phrases []phraseFile
}

type phraseFile struct {
	file string
	x    xTrainingPhrases
}

func (l *loader) readIntents(a *Agent) []intentFile {
	var out []intentFile
	for _, dir := range l.subdirs("intents") {
		file, ok := l.resourceFile(dir)
		if !ok {
			continue
		}
		in := intentFile{i: &Intent{Loc: Location{File: file}}}
		if !l.decode(file, &in.x) {
			continue
		}
		in.i.ID, in.i.DisplayName = in.x.Name, in.x.DisplayName
		if !index(l, a.intents, "intent", in.i.DisplayName, in.i, in.i.Loc, func(i *Intent) Location { return i.Loc }) {
			continue
		}
		for _, pf := range l.jsonFiles(path.Join(dir, "trainingPhrases")) {
			p := phraseFile{file: pf}
			if l.decode(pf, &p.x) {
				in.phrases = append(in.phrases, p)
			}
		}
		a.Intents = append(a.Intents, in.i)
		out = append(out, in)
	}
	return out
}

type entityTypeFile struct {
	e        *EntityType
	x        xEntityType
	entities []xEntity
	excluded []xPhrase
}

func (l *loader) readEntityTypes(a *Agent) []entityTypeFile {
	var out []entityTypeFile
	for _, dir := range l.subdirs("entityTypes") {
		file, ok := l.resourceFile(dir)
		if !ok {
			continue
		}
		et := entityTypeFile{e: &EntityType{Loc: Location{File: file}}}
		if !l.decode(file, &et.x) {
			continue
		}
		et.e.ID, et.e.DisplayName = et.x.Name, et.x.DisplayName
		if !index(l, a.entityTypes, "entity type", et.e.DisplayName, et.e, et.e.Loc, func(e *EntityType) Location { return e.Loc }) {
			continue
		}
		et.entities = et.x.Entities
		for _, f := range l.jsonFiles(path.Join(dir, "entities")) {
			var x xEntities
			if l.decode(f, &x) {
				et.entities = append(et.entities, x.Entities...)
			}
		}
		et.excluded = et.x.ExcludedPhrases
		for _, f := range l.jsonFiles(path.Join(dir, "excludedPhrases")) {
			var x xExcludedPhrases
			if l.decode(f, &x) {
				et.excluded = append(et.excluded, x.ExcludedPhrases...)
			}
		}
		a.EntityTypes = append(a.EntityTypes, et.e)
		out = append(out, et)
	}
	return out
}

type webhookFile struct {
	w *Webhook
	x xWebhook
}

func (l *loader) readWebhooks(a *Agent) []webhookFile {
	var out []webhookFile
	for _, file := range l.jsonFiles("webhooks") {
		wf := webhookFile{w: &Webhook{Loc: Location{File: file}}}
		if !l.decode(file, &wf.x) {
			continue
		}
		wf.w.ID, wf.w.DisplayName = wf.x.Name, wf.x.DisplayName
		if !index(l, a.webhooks, "webhook", wf.w.DisplayName, wf.w, wf.w.Loc, func(w *Webhook) Location { return w.Loc }) {
			continue
		}
		a.Webhooks = append(a.Webhooks, wf.w)
		out = append(out, wf)
	}
	return out
}

type generatorFile struct {
	g *Generator
	x xGenerator
}

func (l *loader) readGenerators(a *Agent) []generatorFile {
	var out []generatorFile
	for _, dir := range l.subdirs("generators") {
		file, ok := l.resourceFile(dir)
		if !ok {
			continue
		}
		gf := generatorFile{g: &Generator{Loc: Location{File: file}}}
		if !l.decode(file, &gf.x) {
			continue
		}
		for _, pf := range l.jsonFiles(path.Join(dir, "phrases")) {
			var x xGenerator
			if l.decode(pf, &x) {
				gf.x.PromptTexts = append(gf.x.PromptTexts, x.PromptTexts...)
			}
		}
		gf.g.ID, gf.g.DisplayName = gf.x.Name, gf.x.DisplayName
		if !index(l, a.generators, "generator", gf.g.DisplayName, gf.g, gf.g.Loc, func(g *Generator) Location { return g.Loc }) {
			continue
		}
		a.Generators = append(a.Generators, gf.g)
		out = append(out, gf)
	}
	return out
}

type testCaseFile struct {
	t *TestCase
	x xTestCase
}

func (l *loader) readTestCases(a *Agent) []testCaseFile {
	var out []testCaseFile
	for _, file := range l.jsonFiles("testCases") {
		tf := testCaseFile{t: &TestCase{Loc: Location{File: file}}}
		if !l.decode(file, &tf.x) {
			continue
		}
		tf.t.ID, tf.t.DisplayName = tf.x.Name, tf.x.DisplayName
		if !index(l, a.testCases, "test case", tf.t.DisplayName, tf.t, tf.t.Loc, func(t *TestCase) Location { return t.Loc }) {
			continue
		}
		a.TestCases = append(a.TestCases, tf.t)
		out = append(out, tf)
	}
	return out
}

// intentsByTrimmedName indexes intents by their names without surrounding
// spaces, for references whose spaces differ; ambiguous names map to nil.
func intentsByTrimmedName(a *Agent) map[string]*Intent {
	m := map[string]*Intent{}
	for _, in := range a.Intents {
		k := strings.TrimSpace(in.DisplayName)
		if _, dup := m[k]; dup {
			m[k] = nil
			continue
		}
		m[k] = in
	}
	return m
}

// A resolver fills in the objects of pass 1.
type resolver struct {
	*loader
	a              *Agent
	trimmedIntents map[string]*Intent
}

func (r *resolver) startFlow(xa xAgent) {
	a := r.a
	switch {
	case xa.StartFlow != "":
		if a.StartFlow = a.Flow(xa.StartFlow); a.StartFlow == nil {
			r.problem(Location{"agent.json", "startFlow"}, "no flow named %s", quote(xa.StartFlow))
		}
	case xa.StartPlaybook != "":
	default:
		// agent.json without startFlow: the Default Start Flow.
		for _, f := range a.Flows {
			if f.ID == DefaultStartFlowID {
				a.StartFlow = f
			}
		}
		if a.StartFlow == nil {
			a.StartFlow = a.Flow("Default Start Flow")
		}
		if a.StartFlow == nil && len(a.Flows) > 0 {
			r.problem(Location{"agent.json", "startFlow"}, "agent.json names no start flow and the export has no Default Start Flow")
		}
	}
}

func (r *resolver) intentRef(name string, loc Location) *Intent {
	if in := r.a.Intent(name); in != nil {
		return in
	}
	if in := r.trimmedIntents[strings.TrimSpace(name)]; in != nil {
		return in
	}
	// An API-style reference: projects/.../intents/ID.
	if _, id, ok := strings.Cut(name, "/intents/"); ok {
		for _, in := range r.a.Intents {
			if in.ID == id {
				return in
			}
		}
	}
	r.problem(loc, "no intent named %s", quote(name))
	return nil
}

func (r *resolver) entityRef(name string, loc Location) EntityRef {
	ref := EntityRef{Name: name}
	if name == "" {
		return ref
	}
	if _, sys := ref.System(); sys {
		return ref
	}
	if ref.Type = r.a.EntityType(strings.TrimPrefix(name, "@")); ref.Type == nil {
		r.problem(loc, "no entity type named %s", quote(strings.TrimPrefix(name, "@")))
	}
	return ref
}

func (r *resolver) entityType(et entityTypeFile) {
	e, x := et.e, et.x
	e.Kind = EntityKind(x.Kind)
	e.AutoExpansion = x.AutoExpansionMode == "AUTO_EXPANSION_MODE_DEFAULT"
	e.FuzzyExtraction, e.Redact = x.EnableFuzzyExtraction, x.Redact
	for _, en := range et.entities {
		e.Entities = append(e.Entities, Entity(en))
	}
	for _, p := range et.excluded {
		e.ExcludedPhrases = append(e.ExcludedPhrases, Phrase(p))
	}
}

func (r *resolver) intent(in intentFile) {
	i, x := in.i, in.x
	i.Description, i.IsFallback, i.DTMFPattern = x.Description, x.IsFallback, x.DTMFPattern
	i.Labels = x.Labels
	if x.Priority != nil {
		i.Priority = *x.Priority
	} else {
		i.Priority = 500000 // the API's default for an unset priority
	}
	for k, p := range x.Parameters {
		i.Parameters = append(i.Parameters, &IntentParameter{
			ID:         p.ID,
			EntityType: r.entityRef(p.EntityType, i.Loc.at(fmt.Sprintf("parameters[%d].entityType", k))),
			IsList:     p.IsList,
			Redact:     p.Redact,
		})
	}
	phrases := []phraseFile{{file: i.Loc.File, x: xTrainingPhrases{x.TrainingPhrases}}}
	for _, pf := range append(phrases, in.phrases...) {
		for k, tp := range pf.x.TrainingPhrases {
			t := &TrainingPhrase{ID: tp.ID, LanguageCode: tp.LanguageCode, RepeatCount: int(tp.RepeatCount)}
			for n, part := range tp.Parts {
				p := Part{Text: part.Text, Auto: part.Auto}
				if part.ParameterID != "" {
					if p.Parameter = i.Parameter(part.ParameterID); p.Parameter == nil {
						r.problem(Location{pf.file, fmt.Sprintf("trainingPhrases[%d].parts[%d].parameterId", k, n)},
							"intent %s has no parameter %s", quote(i.DisplayName), quote(part.ParameterID))
					}
				}
				t.Parts = append(t.Parts, p)
			}
			i.TrainingPhrases = append(i.TrainingPhrases, t)
		}
	}
}

func (r *resolver) webhook(wf webhookFile) {
	w, x := wf.w, wf.x
	w.Disabled = x.Disabled
	if x.Timeout != nil {
		w.Timeout = x.Timeout.d
	}
	gs := x.GenericWebService
	if sd := x.ServiceDirectory; sd != nil {
		w.ServiceDirectory = sd.Service
		if gs == nil {
			gs = sd.GenericWebService
		}
	}
	if gs == nil {
		r.problem(w.Loc, "the webhook has neither genericWebService nor serviceDirectory")
		return
	}
	w.URI, w.Method, w.RequestBody = gs.URI, gs.HTTPMethod, gs.RequestBody
	if gs.WebhookType == "FLEXIBLE" {
		w.Kind = Flexible
	}
	w.Headers, w.SecretHeaders, w.ParameterMapping = gs.RequestHeaders, []KeyValue(gs.SecretVersionsForRequestHeaders), gs.ParameterMapping
	w.Auth = WebhookAuth{
		Username:         gs.Username,
		Password:         gs.Password,
		SecretVersion:    gs.SecretVersionForUsernamePassword,
		ServiceAgentAuth: gs.ServiceAgentAuth,
	}
	if o := gs.OAuthConfig; o != nil {
		w.Auth.OAuth = &OAuthConfig{o.ClientID, o.ClientSecret, o.SecretVersionForClientSecret, o.TokenEndpoint, o.Scopes}
	}
	if s := gs.ServiceAccountAuthConfig; s != nil {
		w.Auth.ServiceAccount = s.ServiceAccount
	}
	for k, c := range gs.AllowedCACerts {
		der, err := base64.StdEncoding.DecodeString(c)
		if err != nil {
			r.problem(w.Loc.at(fmt.Sprintf("genericWebService.allowedCaCerts[%d]", k)), "not base64")
			continue
		}
		w.AllowedCACerts = append(w.AllowedCACerts, der)
	}
	if w.Kind == Flexible && w.RequestBody != "" {
		if body := w.RenderBody(nullRefs); !jsontext.Value(body).IsValid() {
			r.problem(w.Loc.at("genericWebService.requestBody"), "the request body template is not JSON")
		}
	}
}

// generatorRef resolves a generator by display name, or by the full
// resource name exports write for it (projects/.../generators/ID).
func (r *resolver) generatorRef(name string) *Generator {
	if g := r.a.Generator(name); g != nil {
		return g
	}
	if _, id, ok := strings.Cut(name, "/generators/"); ok {
		for _, g := range r.a.Generators {
			if g.ID == id {
				return g
			}
		}
	}
	return nil
}

func (r *resolver) generator(gf generatorFile) {
	g, x := gf.g, gf.x
	if x.PromptText != nil && x.PromptText.Text != "" {
		g.Prompts = append(g.Prompts, Phrase{Value: x.PromptText.Text})
	}
	for _, p := range x.PromptTexts {
		g.Prompts = append(g.Prompts, Phrase{p.Text, p.LanguageCode})
	}
	for _, p := range x.Placeholders {
		g.Placeholders = append(g.Placeholders, KeyValue{p.ID, p.Name})
	}
}

func (r *resolver) routeGroup(gf groupFile) {
	g := gf.g
	for k := range gf.x.TransitionRoutes {
		rt := r.route(&gf.x.TransitionRoutes[k], g.Loc.at(fmt.Sprintf("transitionRoutes[%d]", k)), g.Flow, nil)
		rt.Group = g
		g.Routes = append(g.Routes, rt)
	}
}

func (r *resolver) flow(ff *flowFile) {
	f, x := ff.f, ff.x
	for _, g := range ff.groups {
		r.routeGroup(g)
	}
	if x.NLUSettings != nil {
		f.NLU = NLUSettings(*x.NLUSettings)
	}
	f.Advanced = advanced(x.AdvancedSettings)
	for k := range x.TransitionRoutes {
		f.Routes = append(f.Routes, r.route(&x.TransitionRoutes[k], f.Loc.at(fmt.Sprintf("transitionRoutes[%d]", k)), f, f.StartPage))
	}
	for k := range x.EventHandlers {
		f.EventHandlers = append(f.EventHandlers, r.handler(&x.EventHandlers[k], f.Loc.at(fmt.Sprintf("eventHandlers[%d]", k)), f, f.StartPage))
	}
	f.RouteGroups = r.groupRefs(f, x.TransitionRouteGroups, x.AgentTransitionRouteGroups, f.Loc)
	sp := f.StartPage
	sp.Routes, sp.EventHandlers, sp.RouteGroups, sp.Advanced = f.Routes, f.EventHandlers, f.RouteGroups, f.Advanced
	for _, pf := range ff.pages {
		r.page(pf)
	}
}

// groupRefs resolves the route groups a page or flow uses: flow-level
// first, as Dialogflow evaluates them, then agent-level. A name under
// transitionRouteGroups that no flow group has may be an agent-level group
// (the API lists both kinds there, by resource name); agentTransitionRouteGroups
// names agent-level groups only.
func (r *resolver) groupRefs(f *Flow, flowLevel, agentLevel []string, loc Location) []*RouteGroup {
	var local, global []*RouteGroup
	for k, name := range flowLevel {
		if g := f.DefinedRouteGroup(name); g != nil {
			local = append(local, g)
		} else if g := r.a.RouteGroup(name); g != nil {
			global = append(global, g)
		} else {
			r.problem(loc.at(fmt.Sprintf("transitionRouteGroups[%d]", k)), "no route group named %s in flow %s or the agent", quote(name), quote(f.DisplayName))
		}
	}
	for k, name := range agentLevel {
		if g := r.a.RouteGroup(name); g != nil {
			global = append(global, g)
		} else {
			r.problem(loc.at(fmt.Sprintf("agentTransitionRouteGroups[%d]", k)), "no agent-level route group named %s", quote(name))
		}
	}
	return append(local, global...)
}

func (r *resolver) page(pf pageFile) {
	p, x := pf.p, pf.x
	f := p.Flow
	p.Advanced = advanced(x.AdvancedSettings)
	if x.EntryFulfillment != nil {
		p.Entry = r.fulfillment(x.EntryFulfillment, p.Loc.at("entryFulfillment"), f)
	}
	if x.Form != nil {
		for k := range x.Form.Parameters {
			xp := &x.Form.Parameters[k]
			loc := p.Loc.at(fmt.Sprintf("form.parameters[%d]", k))
			fp := &FormParameter{
				Page:        p,
				DisplayName: xp.DisplayName,
				Required:    xp.Required,
				EntityType:  r.entityRef(xp.EntityType, loc.at("entityType")),
				IsList:      xp.IsList,
				Redact:      xp.Redact,
				Default:     xp.DefaultValue,
				Advanced:    advanced(xp.AdvancedSettings),
				Loc:         loc,
			}
			if xp.DisplayName == "" {
				r.problem(loc, "a form parameter without a display name")
			} else if p.FormParameter(xp.DisplayName) != nil {
				r.problem(loc.at("displayName"), "a second form parameter named %s", quote(xp.DisplayName))
			}
			if fb := xp.FillBehavior; fb != nil {
				if fb.InitialPromptFulfillment != nil {
					fp.InitialPrompt = r.fulfillment(fb.InitialPromptFulfillment, loc.at("fillBehavior.initialPromptFulfillment"), f)
				}
				for n := range fb.RepromptEventHandlers {
					h := r.handler(&fb.RepromptEventHandlers[n], loc.at(fmt.Sprintf("fillBehavior.repromptEventHandlers[%d]", n)), f, p)
					h.Param = fp
					fp.Reprompts = append(fp.Reprompts, h)
				}
			}
			p.Form = append(p.Form, fp)
		}
	}
	for k := range x.TransitionRoutes {
		p.Routes = append(p.Routes, r.route(&x.TransitionRoutes[k], p.Loc.at(fmt.Sprintf("transitionRoutes[%d]", k)), f, p))
	}
	for k := range x.EventHandlers {
		p.EventHandlers = append(p.EventHandlers, r.handler(&x.EventHandlers[k], p.Loc.at(fmt.Sprintf("eventHandlers[%d]", k)), f, p))
	}
	p.RouteGroups = r.groupRefs(f, x.TransitionRouteGroups, x.AgentTransitionRouteGroups, p.Loc)
}

// route builds a route of page p of flow f, or of a route group of flow f
// (p nil), or of an agent-level route group (both nil).
func (r *resolver) route(x *xRoute, loc Location, f *Flow, p *Page) *Route {
	rt := &Route{ID: x.Name, Description: x.Description, Condition: x.Condition, Page: p, Loc: loc}
	if x.Intent != "" {
		rt.Intent = r.intentRef(x.Intent, loc.at("intent"))
	}
	if x.Intent == "" && x.Condition == "" {
		r.problem(loc, "the route has neither an intent nor a condition")
	}
	if x.TriggerFulfillment != nil {
		rt.Fulfillment = r.fulfillment(x.TriggerFulfillment, loc.at("triggerFulfillment"), f)
	}
	rt.Target = r.target(x.TargetPage, x.TargetFlow, x.TargetPlaybook, loc, f)
	return rt
}

func (r *resolver) handler(x *xEventHandler, loc Location, f *Flow, p *Page) *EventHandler {
	h := &EventHandler{ID: x.Name, Event: x.Event, Page: p, Loc: loc}
	if x.Event == "" {
		r.problem(loc, "the event handler has no event")
	}
	if x.TriggerFulfillment != nil {
		h.Fulfillment = r.fulfillment(x.TriggerFulfillment, loc.at("triggerFulfillment"), f)
	}
	h.Target = r.target(x.TargetPage, x.TargetFlow, x.TargetPlaybook, loc, f)
	return h
}

// target resolves a transition target within flow f (nil for an
// agent-level route group, which may target flows and symbolic pages only).
// A page named like a symbolic page resolves to the symbolic page.
func (r *resolver) target(page, flow, playbook *string, loc Location, f *Flow) Target {
	set := 0
	for _, s := range []*string{page, flow, playbook} {
		if s != nil && *s != "" {
			set++
		}
	}
	if set > 1 {
		r.problem(loc, "the handler sets more than one of targetPage, targetFlow and targetPlaybook")
	}
	switch {
	case page != nil && *page != "":
		if k, ok := symbolicPages[*page]; ok {
			return Target{Kind: k}
		}
		if f == nil {
			r.problem(loc.at("targetPage"), "a route of an agent-level route group can only target a flow or a symbolic page, not page %s", quote(*page))
			return Target{}
		}
		if pg := f.Page(*page); pg != nil {
			return Target{Kind: TargetPage, Page: pg}
		}
		r.problem(loc.at("targetPage"), "no page named %s in flow %s", quote(*page), quote(f.DisplayName))
	case flow != nil && *flow != "":
		if fl := r.a.Flow(*flow); fl != nil {
			return Target{Kind: TargetFlow, Flow: fl}
		}
		r.problem(loc.at("targetFlow"), "no flow named %s", quote(*flow))
	case playbook != nil && *playbook != "":
		return Target{Kind: TargetPlaybook, Playbook: *playbook}
	}
	return Target{}
}

func (r *resolver) fulfillment(x *xFulfillment, loc Location, f *Flow) *Fulfillment {
	ful := &Fulfillment{
		Tag:                    x.Tag,
		ReturnPartialResponses: x.ReturnPartialResponses,
		GenerativeFallback:     x.EnableGenerativeFallback,
		Advanced:               advanced(x.AdvancedSettings),
		Loc:                    loc,
	}
	for k, raw := range x.Messages {
		if m, ok := r.message(raw, loc.at(fmt.Sprintf("messages[%d]", k))); ok {
			ful.Messages = append(ful.Messages, m)
		}
	}
	if x.Webhook != "" {
		if ful.Webhook = r.a.Webhook(x.Webhook); ful.Webhook == nil {
			r.problem(loc.at("webhook"), "no webhook named %s", quote(x.Webhook))
		}
	}
	for _, sp := range x.SetParameterActions {
		ful.SetParams = append(ful.SetParams, SetParam(sp))
	}
	for k := range x.ConditionalCases {
		ful.Cases = append(ful.Cases, r.cases(&x.ConditionalCases[k], loc.at(fmt.Sprintf("conditionalCases[%d]", k)), 0))
	}
	for k, g := range x.Generators {
		gc := GeneratorCall{Inputs: g.InputParameters, OutputParameter: g.OutputParameter}
		if gc.Generator = r.generatorRef(g.Generator); gc.Generator == nil {
			r.problem(loc.at(fmt.Sprintf("generators[%d].generator", k)), "no generator named %s", quote(g.Generator))
		}
		ful.Generators = append(ful.Generators, gc)
	}
	return ful
}

// maxCaseDepth bounds the nesting of conditional cases (the console nests
// a handful; a hostile file could nest thousands).
const maxCaseDepth = 100

func (r *resolver) cases(x *xConditionalCases, loc Location, depth int) ConditionalCases {
	var cc ConditionalCases
	if depth > maxCaseDepth {
		r.problem(loc, "conditional cases nested more than %d deep", maxCaseDepth)
		return cc
	}
	for k, c := range x.Cases {
		cl := loc.at(fmt.Sprintf("cases[%d]", k))
		out := Case{Condition: c.Condition}
		for n, content := range c.CaseContent {
			ccl := cl.at(fmt.Sprintf("caseContent[%d]", n))
			switch {
			case content.AdditionalCases != nil:
				nested := r.cases(content.AdditionalCases, ccl.at("additionalCases"), depth+1)
				out.Content = append(out.Content, CaseContent{Cases: &nested})
			case len(content.Message) > 0:
				if m, ok := r.message(content.Message, ccl.at("message")); ok {
					out.Content = append(out.Content, CaseContent{Message: &m})
				}
			}
		}
		cc.Cases = append(cc.Cases, out)
	}
	return cc
}

func (r *resolver) message(raw jsontext.Value, loc Location) (Message, bool) {
	var m Message
	if err := json.Unmarshal(raw, &m.Message, decodeOptions); err != nil {
		pl, msg := jsonProblem(err)
		if pl.Path != "" {
			loc = loc.at(pl.Path)
		}
		r.problem(loc, "%s", msg)
		return Message{}, false
	}
	m.LanguageCode = messageLanguage(raw)
	return m, true
}

// messageLanguage returns the languageCode member the export adds to a
// message, which fulfillment.Message does not read. raw is valid JSON.
func messageLanguage(raw jsontext.Value) string {
	i := bytes.Index(raw, []byte(`"languageCode"`))
	if i < 0 {
		return ""
	}
	// The member found may be nested (inside a payload): read the object's
	// own members to be sure.
	dec := jsontext.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return ""
	}
	for dec.PeekKind() == '"' {
		name, err := dec.ReadToken()
		if err != nil {
			return ""
		}
		if name.String() == "languageCode" {
			if tok, err := dec.ReadToken(); err == nil && tok.Kind() == '"' {
				return tok.String()
			}
			return ""
		}
		if dec.SkipValue() != nil {
			return ""
		}
	}
	return ""
}

func (r *resolver) testCase(tf testCaseFile) {
	t, x := tf.t, tf.x
	t.Tags, t.Notes, t.Created = x.Tags, x.Notes, x.CreationTime.t
	startFlow := r.a.StartFlow
	if c := x.TestConfig; c != nil {
		t.TrackingParameters = c.TrackingParameters
		if c.Flow != "" {
			if t.StartFlow = r.a.Flow(c.Flow); t.StartFlow == nil {
				r.problem(t.Loc.at("testConfig.flow"), "no flow named %s", quote(c.Flow))
			}
			startFlow = t.StartFlow
		}
		if c.Page != "" && startFlow != nil {
			if t.StartPage = startFlow.Page(c.Page); t.StartPage == nil {
				r.problem(t.Loc.at("testConfig.page"), "no page named %s in flow %s", quote(c.Page), quote(startFlow.DisplayName))
			}
		}
	}
	for k, xt := range x.Turns {
		loc := t.Loc.at(fmt.Sprintf("testCaseConversationTurns[%d]", k))
		turn := &Turn{Loc: loc}
		if u := xt.UserInput; u != nil {
			turn.Input.Params, turn.Input.WebhookEnabled, turn.Input.SentimentAnalysis = u.InjectedParameters, u.IsWebhookEnabled, u.EnableSentimentAnalysis
			if in := u.Input; in != nil {
				turn.Input.LanguageCode = in.LanguageCode
				switch {
				case in.Text != nil:
					turn.Input.Kind, turn.Input.Text = InputText, in.Text.Text
				case in.Event != nil:
					turn.Input.Kind, turn.Input.Event = InputEvent, in.Event.Event
				case in.DTMF != nil:
					turn.Input.Kind, turn.Input.DTMF = InputDTMF, DTMF(*in.DTMF)
				case in.Intent != nil:
					turn.Input.Kind = InputIntent
					turn.Input.Intent = r.intentRef(in.Intent.Intent, loc.at("userInput.input.intent.intent"))
				case len(in.Audio) > 0:
					turn.Input.Kind = InputAudio
				}
			}
		}
		if o := xt.VirtualAgentOutput; o != nil {
			r.output(&turn.Expect, o, loc.at("virtualAgentOutput"), startFlow)
		}
		t.Turns = append(t.Turns, turn)
	}
}

func (r *resolver) output(out *Output, o *xOutput, loc Location, startFlow *Flow) {
	out.Params = o.SessionParameters
	if ti := o.TriggeredIntent; ti != nil {
		if name := cmpOr(ti.DisplayName, ti.Name); name != "" {
			out.Intent = r.intentRef(name, loc.at("triggeredIntent.name"))
		}
	}
	flowName := ""
	if cf := o.CurrentFlow; cf != nil {
		flowName = cmpOr(cf.DisplayName, cf.Name)
	}
	if cp := o.CurrentPage; cp != nil && cp.Flow != "" {
		flowName = cp.Flow
	}
	out.Flow = startFlow
	if flowName != "" {
		if out.Flow = r.a.Flow(flowName); out.Flow == nil {
			r.problem(loc.at("currentPage.flow"), "no flow named %s", quote(flowName))
		}
	}
	if cp := o.CurrentPage; cp != nil && out.Flow != nil {
		switch name := cmpOr(cp.DisplayName, cp.Name); {
		case name == "":
		case symbolicPages[name] == TargetEndSession:
			out.EndSession = true
		default:
			if out.Page = out.Flow.Page(name); out.Page == nil {
				r.problem(loc.at("currentPage.name"), "no page named %s in flow %s", quote(name), quote(out.Flow.DisplayName))
			}
		}
	}
	for _, tr := range o.TextResponses {
		out.Text = append(out.Text, tr.Text)
	}
	if s := o.Status; s != nil {
		out.Status = &Status{Code: int(s.Code), Message: s.Message}
	}
}

func advanced(x *xAdvanced) AdvancedSettings {
	var s AdvancedSettings
	if x == nil {
		return s
	}
	if sp := x.SpeechSettings; sp != nil {
		s.Speech = &SpeechSettings{int(sp.EndpointerSensitivity), sp.NoSpeechTimeout.d, sp.UseTimeoutBasedEndpointing, sp.Models}
	}
	if d := x.DTMFSettings; d != nil {
		s.DTMF = &DTMFSettings{d.Enabled, int(d.MaxDigits), d.FinishDigit, d.InterdigitTimeoutDuration.d, d.EndpointingTimeoutDuration.d}
	}
	if lg := x.LoggingSettings; lg != nil {
		s.Logging = &LoggingSettings{lg.EnableStackdriverLogging, lg.EnableInteractionLogging, lg.EnableConsentBasedRedaction}
	}
	return s
}

// nullRefs resolves no parameter reference.
func nullRefs(ParamRef) (fulfillment.Value, bool) { return fulfillment.Value{}, false }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func quote(s string) string { return fmt.Sprintf("%q", clip(s)) }
