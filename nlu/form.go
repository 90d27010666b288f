package nlu

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Status says what Extract found.
type Status int

const (
	// Found: the value is in Extraction.Value.
	Found Status = iota
	// NotFound: the type is extracted here, and the text holds no value
	// of it.
	NotFound
	// Unsupported: a system entity type this package does not extract
	// (@sys.location, @sys.flight-number...): the caller must inject the
	// value or treat it as missing.
	Unsupported
	// UnknownType: the type is neither a system type nor one of the
	// model's custom types.
	UnknownType
)

func (s Status) String() string {
	switch s {
	case Found:
		return "found"
	case NotFound:
		return "not found"
	case Unsupported:
		return "unsupported"
	case UnknownType:
		return "unknown type"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Extraction is the result of Extract.
type Extraction struct {
	Status Status
	Value  Value
}

// Extract reads one value of entityType ("@sys.date", "@airport-codes")
// from text, as form filling does for the parameter being prompted: the
// first value in the text, with fuzzy matching for custom types that
// enable it. For a list parameter use FillForm.
func (m *Model) Extract(text, entityType string, now time.Time) Extraction {
	if now.IsZero() {
		now = time.Now()
	}
	u := newUtterance(text, now.In(m.tz))
	return m.extract(u, FormParam{Name: "", EntityType: entityType}, nil)
}

func (m *Model) typeStatus(entityType string) Status {
	t := strings.TrimPrefix(entityType, "@")
	if m.knownType(t) {
		return Found
	}
	if strings.HasPrefix(t, "sys.") {
		return Unsupported
	}
	return UnknownType
}

// extract reads the first value of the parameter's type among the words
// not yet used (used may be nil), and marks them used.
func (m *Model) extract(u *utterance, fp FormParam, used []bool) Extraction {
	if st := m.typeStatus(fp.EntityType); st != Found {
		return Extraction{Status: st}
	}
	t := strings.TrimPrefix(fp.EntityType, "@")
	var got []span
	for _, sp := range m.spans(u, t, 0, true) {
		if used != nil && !free(used, sp.ws, sp.we) {
			continue
		}
		got = append(got, sp)
		if !fp.IsList {
			break
		}
	}
	if len(got) == 0 {
		return Extraction{Status: NotFound}
	}
	v := Value{Param: fp.Name, EntityType: fp.EntityType}
	var list []any
	var originals []string
	for _, sp := range got {
		if used != nil {
			for i := sp.ws; i < sp.we; i++ {
				used[i] = true
			}
		}
		list = append(list, sp.value)
		originals = append(originals, u.original(sp.ws, sp.we))
		v.Fuzzy = v.Fuzzy || sp.score < 1
	}
	v.Original = strings.Join(originals, ", ")
	if fp.IsList {
		v.Resolved = list
	} else {
		v.Resolved = list[0]
	}
	return Extraction{Status: Found, Value: v}
}

// FormParam is one parameter of a page's form.
type FormParam struct {
	Name       string
	EntityType string // with its "@"
	IsList     bool
}

// Form is the state of the form being filled on the current page.
type Form struct {
	// Params are the form's parameters still to fill, in form order.
	Params []FormParam
	// Prompted is the name of the parameter the agent just asked for;
	// "" when none was.
	Prompted string
}

// FormResult is the outcome of FillForm.
type FormResult struct {
	// Filled holds the parameters read from the utterance, the prompted
	// one first, then the others in form order.
	Filled []Value
	// Unsupported lists parameters of the form whose type is not
	// extracted here (the prompted one, and any other): inject them.
	Unsupported []Unresolved
	// PromptedFilled is set when the prompted parameter was filled.
	PromptedFilled bool
	// PromptedWhole is set when the prompted parameter's value is the
	// whole utterance ("today" for a date).
	PromptedWhole bool
}

// FillForm reads form parameters from an utterance, as CX does while a
// form is being filled: the prompted parameter first (fuzzy matching
// allowed), then any other parameter of the form the utterance also
// holds (exact matches only, on the words the prompted one did not use,
// so that "Jan 5" fills the departure date and not the return date too).
// @sys.any is only ever filled when prompted, since it would take every
// utterance.
func (m *Model) FillForm(text string, form Form, now time.Time) FormResult {
	if now.IsZero() {
		now = time.Now()
	}
	u := newUtterance(text, now.In(m.tz))
	return m.fillForm(u, form)
}

func (m *Model) fillForm(u *utterance, form Form) FormResult {
	var res FormResult
	used := make([]bool, len(u.w))
	if form.Prompted != "" {
		for _, fp := range form.Params {
			if fp.Name != form.Prompted {
				continue
			}
			switch e := m.extract(u, fp, used); e.Status {
			case Found:
				res.Filled = append(res.Filled, e.Value)
				res.PromptedFilled = true
				res.PromptedWhole = !slices.Contains(used, false)
			case Unsupported, UnknownType:
				res.Unsupported = append(res.Unsupported, Unresolved{Param: fp.Name, EntityType: fp.EntityType, Text: strings.TrimSpace(u.text), Reason: fp.EntityType + " is not extracted here"})
			}
			break
		}
	}
	for _, fp := range form.Params {
		if fp.Name == form.Prompted || strings.TrimPrefix(fp.EntityType, "@") == "sys.any" {
			continue
		}
		if st := m.typeStatus(fp.EntityType); st != Found {
			continue // reported only when prompted: a side mention cannot be told
		}
		t := strings.TrimPrefix(fp.EntityType, "@")
		var got []span
		for _, sp := range m.spans(u, t, 0, false) {
			if free(used, sp.ws, sp.we) {
				got = append(got, sp)
				if !fp.IsList {
					break
				}
			}
		}
		if len(got) == 0 {
			continue
		}
		v := Value{Param: fp.Name, EntityType: fp.EntityType}
		var list []any
		var originals []string
		for _, sp := range got {
			for i := sp.ws; i < sp.we; i++ {
				used[i] = true
			}
			list = append(list, sp.value)
			originals = append(originals, u.original(sp.ws, sp.we))
		}
		v.Original = strings.Join(originals, ", ")
		v.Resolved = list[0]
		if fp.IsList {
			v.Resolved = list
		}
		res.Filled = append(res.Filled, v)
	}
	return res
}

// TurnKind says what Understand made of an utterance.
type TurnKind int

const (
	// TurnNoMatch: no intent matched and no form parameter was filled;
	// the runtime raises sys.no-match-*.
	TurnNoMatch TurnKind = iota
	// TurnIntent: an intent matched (Turn.Intent).
	TurnIntent
	// TurnFill: form parameters were filled and no intent matched.
	TurnFill
	// TurnNoInput: the utterance is empty; the runtime raises
	// sys.no-input-*.
	TurnNoInput
)

func (k TurnKind) String() string {
	switch k {
	case TurnNoMatch:
		return "no match"
	case TurnIntent:
		return "intent"
	case TurnFill:
		return "form filled"
	case TurnNoInput:
		return "no input"
	}
	return fmt.Sprintf("TurnKind(%d)", int(k))
}

// TurnRequest is one user turn.
type TurnRequest struct {
	Text      string
	Scope     *Scope
	Threshold float64
	Now       time.Time
	// Form is the current page's form while it is being filled; nil when
	// the page has none or it is complete.
	Form *Form
}

// Turn is what Understand made of one user turn.
type Turn struct {
	Kind TurnKind
	// Intent is the classification; Intent.Intent is "" unless Kind is
	// TurnIntent.
	Intent Result
	// Form is the form filling; its values are used only when Kind is
	// TurnFill.
	Form FormResult
}

// strongIntent is the score above which an intent beats the filling of
// the prompted parameter.
const strongIntent = 0.8

// Understand decides between intent matching and form filling for one
// turn, by this policy (CX documents only that intent routes in scope
// can still match while a form is filled):
//
//   - No form, or nothing prompted: the intent if one matches, else the
//     form parameters the utterance holds, else no match.
//   - The prompted parameter is @sys.any: an intent that matches wins
//     (so "can I talk to a human" is not taken as a name); else the
//     utterance fills it.
//   - The prompted parameter is of another type and the utterance holds
//     a value of it: the filling wins, unless an intent matches with a
//     score of at least 0.8 and the value is not the whole utterance. In the flight agent's recorded turns, "SFO"
//     fills the prompted airport although, on a page without a form, it
//     matches flights.book_flight.
//   - The prompted parameter is not in the utterance: the intent if one
//     matches, else the other parameters the utterance holds, else no
//     match.
func (m *Model) Understand(req TurnRequest) Turn {
	now := req.Now
	if now.IsZero() {
		now = time.Now()
	}
	u := newUtterance(req.Text, now.In(m.tz))
	r := m.classify(u, req.Scope, req.Threshold)
	if r.Reason == EmptyInput {
		return Turn{Kind: TurnNoInput, Intent: r}
	}
	t := Turn{Intent: r}
	if req.Form != nil {
		t.Form = m.fillForm(u, *req.Form)
	}
	anyPrompted := false
	if req.Form != nil {
		for _, fp := range req.Form.Params {
			if fp.Name == req.Form.Prompted && strings.TrimPrefix(fp.EntityType, "@") == "sys.any" {
				anyPrompted = true
			}
		}
	}
	switch {
	case r.Intent != "" && (!t.Form.PromptedFilled || anyPrompted || (r.Confidence >= strongIntent && !t.Form.PromptedWhole)):
		t.Kind = TurnIntent
	case len(t.Form.Filled) > 0:
		t.Kind = TurnFill
		t.Intent = Result{Reason: r.Reason, Confidence: r.Confidence, Alternatives: r.Alternatives}
		if r.Intent != "" {
			t.Intent.Reason = FormFilledFirst
		}
	default:
		t.Kind = TurnNoMatch
	}
	return t
}
