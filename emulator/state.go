package emulator

import (
	"fmt"
	"strings"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/expr"
)

// A frame is one flow on the flow stack: its current page, its $flow
// parameters and the state of the page's form. The frames below the top
// are flows that called a sub-flow; each keeps the page it called from
// and where its evaluation resumes when the sub-flow ends.
type frame struct {
	flow       *agent.Flow
	page       *agent.Page
	flowParams Params
	form       formState
	// resume is the index of the route slot to resume at on this frame's
	// page when the flow it called ends; -1 when the call came from
	// somewhere other than a route (only the event phase and the form's
	// prompt remain then).
	resume int
	// noMatch and noInput count the page-level events for numbering.
	noMatch, noInput int
}

func newFrame(f *agent.Flow, p *agent.Page) *frame {
	return &frame{flow: f, page: p, flowParams: Params{}, form: newForm(), resume: -1}
}

// formState is what CX keeps of a page's form besides the values, which
// are session (or flow) parameters.
type formState struct {
	invalid map[string]bool
	just    map[string]bool
	// prompted is the parameter the agent last asked for; nil if none.
	prompted *agent.FormParameter
	// promptedTurn is the turn in which the form last prompted.
	promptedTurn int
	counts       map[string]*[2]int // no-match, no-input
}

func newForm() formState { return formState{} }

func (f *formState) clone() formState {
	c := *f
	c.invalid = cloneSet(f.invalid)
	c.just = cloneSet(f.just)
	if f.counts != nil {
		c.counts = make(map[string]*[2]int, len(f.counts))
		for k, v := range f.counts {
			n := *v
			c.counts[k] = &n
		}
	}
	return c
}

func cloneSet(m map[string]bool) map[string]bool {
	if m == nil {
		return nil
	}
	c := make(map[string]bool, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func (f *formState) setInvalid(name string, v bool) {
	if v {
		if f.invalid == nil {
			f.invalid = map[string]bool{}
		}
		f.invalid[name] = true
	} else {
		delete(f.invalid, name)
	}
}

func (f *formState) setJust(name string) {
	if f.just == nil {
		f.just = map[string]bool{}
	}
	f.just[name] = true
}

func (f *formState) count(name string) *[2]int {
	if f.counts == nil {
		f.counts = map[string]*[2]int{}
	}
	c := f.counts[name]
	if c == nil {
		c = new([2]int)
		f.counts[name] = c
	}
	return c
}

// pageSnapshot is a page and its form state, for PREVIOUS_PAGE.
type pageSnapshot struct {
	flow *agent.Flow
	page *agent.Page
	form formState
}

// backing returns the parameters that hold a form parameter's value and
// its name there: a session parameter, or a flow parameter for a form
// parameter named $flow.x.
func (s *Session) backing(fr *frame, fp *agent.FormParameter) (p Params, name string, session bool) {
	name = fp.DisplayName
	if rest, ok := strings.CutPrefix(name, "$flow."); ok {
		return fr.flowParams, rest, false
	}
	if rest, ok := strings.CutPrefix(name, "$session.params."); ok {
		return s.params, rest, true
	}
	return s.params, name, true
}

// formValue returns a form parameter's value, and whether it is set (not
// null).
func (s *Session) formValue(fr *frame, fp *agent.FormParameter) (any, bool) {
	p, name, _ := s.backing(fr, fp)
	v, ok := p.Get(name)
	return v, ok && v != nil
}

// filled reports whether a form parameter is FILLED.
func (s *Session) filled(fr *frame, fp *agent.FormParameter) bool {
	if fr.form.invalid[fp.DisplayName] {
		return false
	}
	_, ok := s.formValue(fr, fp)
	return ok
}

// formState returns "FILLED", "INVALID" or "EMPTY".
func (s *Session) paramState(fr *frame, fp *agent.FormParameter) string {
	switch {
	case fr.form.invalid[fp.DisplayName]:
		return "INVALID"
	case s.filled(fr, fp):
		return "FILLED"
	}
	return "EMPTY"
}

// complete reports whether every required parameter of the page's form is
// filled.
func (s *Session) complete(fr *frame) bool {
	for _, fp := range fr.page.Form {
		if fp.Required && !s.filled(fr, fp) {
			return false
		}
	}
	return true
}

func hasRequired(p *agent.Page) bool {
	for _, fp := range p.Form {
		if fp.Required {
			return true
		}
	}
	return false
}

// formParam finds a form parameter of the page by name, case-insensitively.
func formParam(p *agent.Page, name string) *agent.FormParameter {
	if fp := p.FormParameter(name); fp != nil {
		return fp
	}
	for _, fp := range p.Form {
		if strings.EqualFold(fp.DisplayName, name) {
			return fp
		}
	}
	return nil
}

// env resolves references against the session, for package expr.
type env struct {
	s *Session
}

func (e *env) Lookup(ref *expr.Ref) (expr.Value, bool) {
	s := e.s
	fr := s.top()
	name := ref.Name()
	switch ref.Scope {
	case expr.ScopeSession:
		return walkParams(s.params, ref)
	case expr.ScopeFlow:
		return walkParams(fr.flowParams, ref)
	case expr.ScopePage:
		if len(ref.Path) == 1 && name == "status" && formParam(fr.page, "status") == nil {
			if !hasRequired(fr.page) {
				if t := s.cur; t != nil {
					t.note(PolicyEmptyForm, "$page.params.status is FINAL on page "+quote(fr.page.DisplayName)+", which has no required form parameter")
				}
				return expr.String("FINAL"), true
			}
			if s.complete(fr) {
				return expr.String("FINAL"), true
			}
			return expr.Null, false
		}
		fp := formParam(fr.page, name)
		if fp == nil {
			return expr.Null, false
		}
		if len(ref.Path) == 2 && ref.Path[1].Name == "status" {
			if fr.form.just[fp.DisplayName] {
				if t := s.cur; t != nil {
					t.note(PolicyParamStatus, "$page.params."+fp.DisplayName+".status is UPDATED")
				}
				return expr.String("UPDATED"), true
			}
			return expr.Null, false
		}
		v, ok := s.formValue(fr, fp)
		if !ok || fr.form.invalid[fp.DisplayName] {
			return expr.Null, false
		}
		x, err := expr.FromJSON(v)
		if err != nil {
			return expr.Null, false
		}
		return ref.Walk(x, 1)
	case expr.ScopeIntent:
		t := s.cur
		if t == nil || t.intent == nil {
			return expr.Null, false
		}
		var pv *ParamValue
		for i := range t.intentParams {
			if strings.EqualFold(t.intentParams[i].Name, name) {
				pv = &t.intentParams[i]
				break
			}
		}
		if pv == nil {
			return expr.Null, false
		}
		from := 1
		if len(ref.Path) > 1 {
			switch ref.Path[1].Name {
			case "original":
				if len(ref.Path) > 2 {
					return expr.Null, false
				}
				return expr.String(pv.Original), true
			case "resolved":
				from = 2
			}
		}
		x, err := expr.FromJSON(pv.Value)
		if err != nil {
			return expr.Null, false
		}
		return ref.Walk(x, from)
	case expr.ScopeRequest:
		t := s.cur
		switch name {
		case "user-utterance":
			if t != nil && t.in.Kind == InputText {
				return expr.String(t.in.Text), true
			}
		case "language":
			if t != nil {
				return expr.String(t.language()), true
			}
		case "webhook_status_code":
			if t != nil && len(ref.Path) == 1 {
				if t.webhookStatus == 0 {
					t.note(PolicyWebhookStatus, "$request.webhook_status_code is unset: the turn made no webhook call yet, or its last call got no HTTP answer")
					return expr.Null, false
				}
				t.note(PolicyWebhookStatus, fmt.Sprintf("$request.webhook_status_code is %d, the status of this turn's last webhook call", t.webhookStatus))
				return expr.Number(float64(t.webhookStatus)), true
			}
		}
	}
	return expr.Null, false
}

func walkParams(p Params, ref *expr.Ref) (expr.Value, bool) {
	x, ok := p.Get(ref.Name())
	if !ok {
		return expr.Null, false
	}
	v, err := expr.FromJSON(x)
	if err != nil {
		return expr.Null, false
	}
	if len(ref.Path) == 1 {
		return v, true
	}
	return ref.Walk(v, 1)
}

func quote(s string) string { return `"` + s + `"` }
