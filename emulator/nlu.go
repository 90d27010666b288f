package emulator

import (
	"context"
	"errors"
	"time"

	"github.com/cxhook/cxhook/agent"
)

// NLU understands free text: the seam where natural-language understanding
// plugs into the emulator. CX's own model cannot run offline; an NLU may be
// a local matcher (package nlu), a stub in a test, or the oracle a test
// case replay builds from its recording. It is asked once per text (and
// DTMF) input, with what is in scope at that moment.
//
// Understand returns what the text means: an intent, form parameters it
// fills, or neither (a no-match). It must not keep q after it returns. An
// error ends the turn with that error, before anything changes.
type NLU interface {
	Understand(ctx context.Context, q Query) (Understanding, error)
}

// ErrNeedsNLU is the error of a text input when the emulator has no NLU and
// the input carries no understanding: say which intent the text means
// (Input.Understood, or an Intent input), or configure an NLU.
var ErrNeedsNLU = errors.New("free text needs an NLU: inject the intent or the parameters it means")

// A Query is what an NLU is asked.
type Query struct {
	// Text is the user's text (DTMF digits for DTMF input).
	Text         string
	LanguageCode string
	// Flow and Page are where the session is.
	Flow *agent.Flow
	Page *agent.Page
	// Intents are the intents of the routes in scope, which alone can
	// match, in evaluation order.
	Intents []*agent.Intent
	// Form is the current page's form parameters that are not filled, in
	// form order; Prompted is the one the agent asked for (nil if none).
	Form     []*agent.FormParameter
	Prompted *agent.FormParameter
	// Now is the session's clock, which @sys.date and @sys.time resolve
	// against, in the agent's time zone Location.
	Now      time.Time
	Location *time.Location
}

// Understanding is what an input means.
type Understanding struct {
	// Intent is the matched intent; nil for none.
	Intent     *agent.Intent
	Confidence float64
	// Params are the matched intent's parameters.
	Params []ParamValue
	// Fill are the form parameters the input fills.
	Fill []ParamValue
	// Source names where the understanding came from ("oracle", "nlu",
	// "injected"), for the trace.
	Source string
}

// A ParamValue is one extracted parameter.
type ParamValue struct {
	Name string
	// Original is the text the value was read from ("" if unknown).
	Original string
	// Value is the resolved value, in JSON shapes (see Params).
	Value any
}
