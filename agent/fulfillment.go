package agent

import (
	"strings"

	"github.com/cxhook/cxhook/fulfillment"
)

// A Fulfillment is what Dialogflow does when a page is entered, a form
// parameter is prompted, or a route or event handler is called. In order:
// it applies the parameter presets (SetParams), queues the static messages
// and those of the conditional cases whose conditions hold, calls the
// webhook if it has one, and then the generators.
type Fulfillment struct {
	// Messages are the static response messages, each in one language.
	Messages []Message
	// Webhook is the webhook the fulfillment calls, or nil; Tag is the tag
	// the call carries (fulfillmentInfo.tag).
	Webhook *Webhook
	Tag     string
	// ReturnPartialResponses flushes the queued messages to a streaming
	// caller before the webhook call.
	ReturnPartialResponses bool
	// SetParams are the parameter presets, applied first.
	SetParams []SetParam
	// Cases are the conditional responses: each entry is one
	// if/elif/else chain.
	Cases              []ConditionalCases
	Generators         []GeneratorCall
	GenerativeFallback bool
	Advanced           AdvancedSettings
	Loc                Location
}

// CallsWebhook reports whether f calls a webhook (f may be nil).
func (f *Fulfillment) CallsWebhook() bool { return f != nil && f.Webhook != nil }

// A Message is one static response message of a fulfillment. It is a
// [fulfillment.Message], as a webhook reads it among the queued messages,
// with the language it is for.
type Message struct {
	fulfillment.Message
	// LanguageCode is the language the message is for ("" for all).
	LanguageCode string
}

// A SetParam is one parameter preset: it sets Parameter to Value before
// the fulfillment's messages and webhook call. A null Value deletes the
// parameter.
type SetParam struct {
	// Parameter is the target as written: a session parameter's name
	// ("account" or "$session.params.account"), a flow parameter
	// ("$flow.retries"), or a system function that sets part of one
	// ("$sys.func.NESTED_FIELD(...)").
	Parameter string
	// Value is a JSON literal or a string holding an expression
	// ("$sys.func.ADD($flow.retries, 1)"); absent if the export gives
	// none, which Dialogflow treats as null.
	Value fulfillment.Value
}

// Ref returns the parameter the preset sets, when Parameter is a plain
// reference rather than a system function.
func (s SetParam) Ref() (ParamRef, bool) { return ParseParamRef(s.Parameter) }

// ConditionalCases is one if/elif/else chain of conditional responses:
// the first case whose condition holds (an empty condition always holds)
// is used.
type ConditionalCases struct {
	Cases []Case
}

// A Case is one branch of a conditional response.
type Case struct {
	Condition string
	// Content holds messages and nested chains, in order.
	Content []CaseContent
}

// A CaseContent is one message, or one nested chain, of a case.
type CaseContent struct {
	Message *Message
	Cases   *ConditionalCases
}

// A GeneratorCall runs a generator and stores its output in a parameter.
type GeneratorCall struct {
	Generator *Generator
	// Inputs map the generator's placeholders to parameter references.
	Inputs          []KeyValue
	OutputParameter string
}

// ParamScope says where a parameter lives.
type ParamScope int

// The scopes of a parameter reference.
const (
	// ScopeSession: $session.params.x, or a bare name.
	ScopeSession ParamScope = iota
	// ScopeFlow: $flow.x, alive while the flow is active.
	ScopeFlow
	// ScopePage: $page.params.x, the current page's form.
	ScopePage
	// ScopeIntent: $intent.params.x, the matched intent's parameters.
	ScopeIntent
)

// A ParamRef is a reference to a parameter: "$session.params.x",
// "$flow.x", "$page.params.x", "$intent.params.x" or a bare "x" (a session
// parameter).
type ParamRef struct {
	Scope ParamScope
	Name  string
}

// ParseParamRef parses a parameter reference. It reports false for
// anything else: a system function, an expression, an empty name.
func ParseParamRef(s string) (ParamRef, bool) {
	s = strings.TrimSpace(s)
	scope := ScopeSession
	for _, p := range []struct {
		prefix string
		scope  ParamScope
	}{{"$session.params.", ScopeSession}, {"$flow.", ScopeFlow}, {"$page.params.", ScopePage}, {"$intent.params.", ScopeIntent}} {
		if rest, ok := strings.CutPrefix(s, p.prefix); ok {
			s, scope = rest, p.scope
			break
		}
	}
	if s == "" || strings.ContainsAny(s, "$() ,\"") {
		return ParamRef{}, false
	}
	return ParamRef{scope, s}, true
}

// String writes the reference in its full form ("$session.params.x").
func (r ParamRef) String() string {
	switch r.Scope {
	case ScopeFlow:
		return "$flow." + r.Name
	case ScopePage:
		return "$page.params." + r.Name
	case ScopeIntent:
		return "$intent.params." + r.Name
	}
	return "$session.params." + r.Name
}
