package emulator

import (
	"fmt"
	"strings"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/expr"
	"github.com/go-json-experiment/json"
)

// program is an agent prepared for running: every condition, text,
// preset and flexible-webhook mapping parsed once, and the indexes a
// webhook's resource names are resolved with. It is read-only after
// compile and shared by all sessions of an [Emulator].
type program struct {
	agent *agent.Agent

	conds   map[string]*expr.Cond
	tmpls   map[string]*expr.Template
	bad     map[string]error // sources that do not parse
	presets map[*agent.Fulfillment][]preset
	maps    map[*agent.Webhook][]mapping

	flowsByID map[string]*agent.Flow
	pagesByID map[*agent.Flow]map[string]*agent.Page

	problems []Problem
}

// A Problem is a part of the agent the emulator cannot run as written: a
// condition, text or preset that does not parse. The emulator still runs
// the agent; what the problem concerns is skipped, with a warning in the
// trace of each turn that meets it.
type Problem struct {
	Loc agent.Location
	Err error
}

func (p Problem) Error() string { return p.Loc.String() + ": " + p.Err.Error() }

// preset is one parsed parameter preset.
type preset struct {
	src    agent.SetParam
	target *expr.Target
	value  *expr.Preset
	err    error
}

// mapping is one parsed parameterMapping entry of a flexible webhook.
type mapping struct {
	key    string
	target *expr.Target
	path   *expr.JSONPath
	err    error
}

func compile(a *agent.Agent) *program {
	p := &program{
		agent:     a,
		conds:     map[string]*expr.Cond{},
		tmpls:     map[string]*expr.Template{},
		bad:       map[string]error{},
		presets:   map[*agent.Fulfillment][]preset{},
		maps:      map[*agent.Webhook][]mapping{},
		flowsByID: map[string]*agent.Flow{},
		pagesByID: map[*agent.Flow]map[string]*agent.Page{},
	}
	for _, f := range a.Flows {
		p.flowsByID[f.ID] = f
		pages := map[string]*agent.Page{"START_PAGE": f.StartPage}
		p.pagesByID[f] = pages
		p.page(f.StartPage)
		for _, pg := range f.Pages {
			pages[pg.ID] = pg
			p.page(pg)
		}
		for _, g := range f.DefinedRouteGroups {
			p.routes(g.Routes)
		}
	}
	for _, g := range a.RouteGroups {
		p.routes(g.Routes)
	}
	for _, w := range a.Webhooks {
		if w.Kind != agent.Flexible {
			continue
		}
		for i, kv := range w.ParameterMapping {
			m := mapping{key: kv.Key}
			loc := agent.Location{File: w.Loc.File, Path: fmt.Sprintf("genericWebService.parameterMapping[%d]", i)}
			if m.target, m.err = expr.ParseTarget(kv.Key); m.err == nil {
				path := strings.TrimSpace(kv.Value)
				if !strings.HasPrefix(path, "$") {
					path = "$." + path
				}
				m.path, m.err = expr.ParseJSONPath(path)
			}
			if m.err != nil {
				p.problems = append(p.problems, Problem{loc, m.err})
			}
			p.maps[w] = append(p.maps[w], m)
		}
	}
	return p
}

func (p *program) page(pg *agent.Page) {
	p.fulfillment(pg.Entry)
	for _, fp := range pg.Form {
		p.fulfillment(fp.InitialPrompt)
		p.handlers(fp.Reprompts)
	}
	p.routes(pg.Routes)
	p.handlers(pg.EventHandlers)
}

func (p *program) routes(rs []*agent.Route) {
	for _, r := range rs {
		if r.Condition != "" {
			p.cond(r.Condition, r.Loc.String()+": condition")
		}
		p.fulfillment(r.Fulfillment)
	}
}

func (p *program) handlers(hs []*agent.EventHandler) {
	for _, h := range hs {
		p.fulfillment(h.Fulfillment)
	}
}

func (p *program) fulfillment(f *agent.Fulfillment) {
	if f == nil {
		return
	}
	if _, done := p.presets[f]; done {
		return
	}
	ps := make([]preset, 0, len(f.SetParams))
	for i, sp := range f.SetParams {
		pr := preset{src: sp}
		loc := agent.Location{File: f.Loc.File, Path: fmt.Sprintf("%s.setParameterActions[%d]", f.Loc.Path, i)}
		pr.target, pr.err = expr.ParseTarget(sp.Parameter)
		if pr.err == nil {
			var x any
			if !sp.Value.IsAbsent() {
				if err := json.Unmarshal(sp.Value.JSON(), &x); err != nil {
					pr.err = err
				}
			}
			if pr.err == nil {
				pr.value, pr.err = expr.ParsePreset(x)
			}
		}
		if pr.err != nil {
			p.problems = append(p.problems, Problem{loc, pr.err})
		}
		ps = append(ps, pr)
	}
	p.presets[f] = ps
	for _, m := range f.Messages {
		p.message(m, f.Loc)
	}
	for _, cc := range f.Cases {
		p.cases(cc, f.Loc)
	}
}

func (p *program) cases(cc agent.ConditionalCases, loc agent.Location) {
	for _, c := range cc.Cases {
		p.cond(c.Condition, loc.String()+": conditionalCases")
		for _, ct := range c.Content {
			if ct.Message != nil {
				p.message(*ct.Message, loc)
			}
			if ct.Cases != nil {
				p.cases(*ct.Cases, loc)
			}
		}
	}
}

func (p *program) message(m agent.Message, loc agent.Location) {
	for _, v := range m.TextVariants() {
		p.template(v, loc)
	}
	if text, _ := m.AudioText(); text != "" {
		p.template(text, loc)
	}
}

func (p *program) cond(src, where string) {
	if _, ok := p.conds[src]; ok {
		return
	}
	if _, ok := p.bad[src]; ok {
		return
	}
	c, err := expr.ParseCond(src)
	if err != nil {
		p.bad[src] = err
		p.problems = append(p.problems, Problem{agent.Location{File: where}, fmt.Errorf("condition %q: %w", clip(src), err)})
		return
	}
	p.conds[src] = c
}

func (p *program) template(src string, loc agent.Location) {
	if _, ok := p.tmpls[src]; ok {
		return
	}
	if _, ok := p.bad[src]; ok {
		return
	}
	t, err := expr.ParseTemplate(src)
	if err != nil {
		p.bad[src] = err
		p.problems = append(p.problems, Problem{loc, fmt.Errorf("text %q: %w", clip(src), err)})
		return
	}
	p.tmpls[src] = t
}

// resolveTarget resolves a target a webhook names by resource name:
// .../flows/F for a flow, .../flows/F/pages/P for a page of it (P may be
// a symbolic page such as END_FLOW or CURRENT_PAGE).
func (p *program) resolveTarget(page, flow string) (agent.Target, error) {
	if page != "" {
		fid, pid, ok := splitPage(page)
		if !ok {
			return agent.Target{}, fmt.Errorf("targetPage %q is not a page's resource name (…/flows/F/pages/P)", clip(page))
		}
		if k, ok := symbolicIDs[pid]; ok {
			return agent.Target{Kind: k}, nil
		}
		f := p.flowsByID[fid]
		if f == nil {
			return agent.Target{}, fmt.Errorf("targetPage %q: the agent has no flow %q", clip(page), clip(fid))
		}
		pg := p.pagesByID[f][pid]
		if pg == nil {
			return agent.Target{}, fmt.Errorf("targetPage %q: flow %q has no page %q", clip(page), f.DisplayName, clip(pid))
		}
		if pg.IsStart() {
			return agent.Target{Kind: agent.TargetStartPage}, nil
		}
		return agent.Target{Kind: agent.TargetPage, Page: pg}, nil
	}
	i := strings.LastIndex(flow, "/flows/")
	if i < 0 {
		return agent.Target{}, fmt.Errorf("targetFlow %q is not a flow's resource name (…/flows/F)", clip(flow))
	}
	f := p.flowsByID[flow[i+len("/flows/"):]]
	if f == nil {
		return agent.Target{}, fmt.Errorf("targetFlow %q: the agent has no such flow", clip(flow))
	}
	return agent.Target{Kind: agent.TargetFlow, Flow: f}, nil
}

func splitPage(name string) (flow, page string, ok bool) {
	i := strings.LastIndex(name, "/pages/")
	if i < 0 {
		return "", "", false
	}
	page = name[i+len("/pages/"):]
	j := strings.LastIndex(name[:i], "/flows/")
	if j < 0 {
		return "", "", false
	}
	return name[j+len("/flows/") : i], page, page != ""
}

var symbolicIDs = map[string]agent.TargetKind{
	"START_PAGE":                     agent.TargetStartPage,
	"CURRENT_PAGE":                   agent.TargetCurrentPage,
	"PREVIOUS_PAGE":                  agent.TargetPreviousPage,
	"END_FLOW":                       agent.TargetEndFlow,
	"END_FLOW_WITH_CANCELLATION":     agent.TargetEndFlowWithCancellation,
	"END_FLOW_WITH_FAILURE":          agent.TargetEndFlowWithFailure,
	"END_FLOW_WITH_HUMAN_ESCALATION": agent.TargetEndFlowWithHumanEscalation,
	"END_SESSION":                    agent.TargetEndSession,
}

// clip shortens s for a message.
func clip(s string) string {
	const max = 120
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
