package emulator

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/nlu"
)

// SourceLocalNLU is the Understanding.Source of what a LocalNLU understood.
const SourceLocalNLU = "local NLU"

// LocalNLU is an NLU backed by package nlu: deterministic intent matching
// over the training phrases of the intents in scope, and entity
// extraction for the form parameter being prompted, without Google's
// model. It is not CX's model: see package nlu for what it does and does
// not reproduce, and for its measured agreement with recorded turns.
//
// Each query is matched against exactly the intents of the routes in
// scope (Query.Intents) and the negative intent, with the current flow's
// classification threshold (0 means 0.3); below it, or for a negative
// intent, the input is a no-match and the runtime raises sys.no-match-*.
// While a form is filled, the prompted parameter is read first, and the
// choice between it and an intent is nlu.Model.Understand's stated policy.
//
// A LocalNLU is safe for concurrent use.
type LocalNLU struct {
	a    *agent.Agent
	def  string // the agent's default language, lower case
	mu   sync.Mutex
	lang map[string]*nluModel
}

type nluModel struct {
	m   *nlu.Model
	err error
}

// NewLocalNLU prepares local NLU for the agent's default language; other
// languages are prepared when a query first asks for them (package nlu
// supports English only, and answers others with an error).
func NewLocalNLU(a *agent.Agent) (*LocalNLU, error) {
	l := &LocalNLU{a: a, def: strings.ToLower(a.DefaultLanguageCode), lang: map[string]*nluModel{}}
	if _, err := l.model(""); err != nil {
		return nil, err
	}
	return l, nil
}

// Warnings lists what the default language's model cannot reproduce
// (automatic expansion, references to undefined entity types).
func (l *LocalNLU) Warnings() []string {
	m, err := l.model("")
	if err != nil {
		return nil
	}
	return m.Warnings()
}

func (l *LocalNLU) model(lang string) (*nlu.Model, error) {
	lang = strings.ToLower(lang)
	if lang == "" {
		lang = l.def
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if nm, ok := l.lang[lang]; ok {
		return nm.m, nm.err
	}
	cfg, err := nlu.FromAgent(l.a, lang)
	nm := &nluModel{err: err}
	if err == nil {
		nm.m, nm.err = nlu.Prepare(cfg)
	}
	l.lang[lang] = nm
	return nm.m, nm.err
}

// Understand implements NLU.
func (l *LocalNLU) Understand(_ context.Context, q Query) (Understanding, error) {
	m, err := l.model(q.LanguageCode)
	if err != nil {
		return Understanding{}, err
	}
	names := make([]string, 0, len(q.Intents))
	for _, in := range q.Intents {
		names = append(names, in.DisplayName)
	}
	scope, err := m.Scope(names...)
	if err != nil {
		return Understanding{}, err
	}
	req := nlu.TurnRequest{Text: q.Text, Scope: scope, Now: q.Now}
	if q.Flow != nil {
		req.Threshold = m.Threshold(q.Flow.DisplayName)
	}
	if len(q.Form) > 0 {
		f := &nlu.Form{}
		for _, fp := range q.Form {
			f.Params = append(f.Params, nlu.FormParam{Name: fp.DisplayName, EntityType: fp.EntityType.Name, IsList: fp.IsList})
		}
		if q.Prompted != nil {
			f.Prompted = q.Prompted.DisplayName
		}
		req.Form = f
	}
	t := m.Understand(req)
	u := Understanding{Source: SourceLocalNLU, Confidence: t.Intent.Confidence}
	switch t.Kind {
	case nlu.TurnIntent:
		u.Intent = l.a.Intent(t.Intent.Intent)
		if u.Intent == nil {
			return Understanding{}, fmt.Errorf("local NLU matched %q, which the agent does not have", t.Intent.Intent)
		}
		u.Params = paramValues(t.Intent.Parameters)
		how := "similar to"
		if t.Intent.Exact {
			how = "exactly"
		}
		u.Detail = fmt.Sprintf("intent %q, confidence %.2f, %s the phrase %q", strings.TrimSpace(t.Intent.Intent), t.Intent.Confidence, how, t.Intent.Phrase)
		for _, ur := range t.Intent.Unresolved {
			u.Detail += fmt.Sprintf("; %s (%s) not extracted from %q: %s", ur.Param, ur.EntityType, clip(ur.Text), ur.Reason)
		}
	case nlu.TurnFill:
		u.Fill = paramValues(t.Form.Filled)
		u.Confidence = 1
		var got []string
		for _, v := range t.Form.Filled {
			got = append(got, fmt.Sprintf("%s from %q", v.Param, clip(v.Original)))
		}
		u.Detail = "form filled: " + strings.Join(got, ", ")
		if t.Intent.Intent == "" && t.Intent.Reason == nlu.FormFilledFirst {
			u.Detail += " (an intent matched too; the prompted parameter wins)"
		}
	default:
		u.Detail = "no match (" + t.Intent.Reason.String()
		if len(t.Intent.Alternatives) > 0 {
			best := t.Intent.Alternatives[0]
			u.Detail += fmt.Sprintf("; best %q at %.2f, threshold %.2f", strings.TrimSpace(best.Intent), best.Confidence, thresholdOr(req.Threshold))
		}
		u.Detail += ")"
	}
	for _, ur := range t.Form.Unsupported {
		u.Detail += fmt.Sprintf("; %s is %s, which local NLU does not extract: inject it", ur.Param, ur.EntityType)
	}
	return u, nil
}

func thresholdOr(th float64) float64 {
	if th <= 0 {
		return nlu.DefaultThreshold
	}
	return th
}

func paramValues(vs []nlu.Value) []ParamValue {
	out := make([]ParamValue, 0, len(vs))
	for _, v := range vs {
		out = append(out, ParamValue{Name: v.Param, Original: v.Original, Value: v.Resolved})
	}
	return out
}
