package emulator

import (
	"fmt"
	"strings"
	"time"
)

// StepKind says what a step of a turn's trace records.
type StepKind uint8

// The kinds of trace steps.
const (
	// StepInput: the turn's input, and how it was understood.
	StepInput StepKind = iota + 1
	// StepIntent: an intent matched.
	StepIntent
	// StepPage: a page became current.
	StepPage
	// StepFlow: a flow started or ended.
	StepFlow
	// StepRoute: a transition route was called.
	StepRoute
	// StepHandler: an event handler was called.
	StepHandler
	// StepEvent: an event was raised (sys.no-match-1, webhook.error, ...).
	StepEvent
	// StepPrompt: a form parameter was prompted.
	StepPrompt
	// StepWebhook: a webhook was called (see Step.Webhook).
	StepWebhook
	// StepParam: a parameter changed.
	StepParam
	// StepNote: the turn depended on a policy (see Step.Note).
	StepNote
	// StepWarning: something of the agent could not be run as written, or
	// a limit was reached.
	StepWarning
)

var stepNames = [...]string{"?", "input", "intent", "page", "flow", "route", "handler", "event", "prompt", "webhook", "param", "note", "warning"}

func (k StepKind) String() string {
	if int(k) < len(stepNames) {
		return stepNames[k]
	}
	return "?"
}

// A Step is one thing that happened in a turn, in order: the trace a
// runTestCase diagnosticInfo "Execution Sequence" gives in CX.
type Step struct {
	Kind StepKind
	// Flow and Page are where the session was when the step happened.
	Flow, Page string
	// Text describes the step.
	Text string
	// Webhook is set for StepWebhook.
	Webhook *WebhookCall
	// Note is set for StepNote.
	Note *Note
}

// String writes the step as one trace line.
func (s Step) String() string {
	switch s.Kind {
	case StepWebhook:
		if s.Webhook != nil {
			return "webhook  " + s.Webhook.String()
		}
	case StepNote:
		if s.Note != nil {
			return "policy   " + s.Note.String()
		}
	}
	return fmt.Sprintf("%-8s %s", s.Kind, s.Text)
}

// A WebhookCall is one call of a webhook, retries included.
type WebhookCall struct {
	// Webhook is the webhook's display name; Tag the tag it was called
	// with (for a flexible webhook, the tag its body carries, if any).
	Webhook string
	Tag     string
	// Site says which fulfillment called it.
	Site     string
	Flexible bool
	// URL is where the call went ("handler" plus the path for an
	// in-process http.Handler).
	URL string
	// Status is the HTTP status of the last attempt; 0 if none came.
	Status int
	// Latency is the time the call took, all attempts included.
	Latency  time.Duration
	Attempts int
	// Event is the event the failure raised ("" if the call succeeded);
	// Silent is set when the failure raised nothing because the calling
	// handler has a target, or no handler is in scope for the event.
	Event  string
	Silent bool
	// Err says what went wrong, "" on success.
	Err string
	// Request and Response are the bodies sent and received (the last
	// attempt's response, clipped to 64 KiB).
	Request, Response []byte
}

func (c *WebhookCall) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s tag %q", c.Webhook, c.Tag)
	if c.Flexible {
		b.WriteString(" (flexible)")
	}
	if c.Site != "" {
		fmt.Fprintf(&b, " from %s", c.Site)
	}
	if c.Status != 0 {
		fmt.Fprintf(&b, ": %d", c.Status)
	} else {
		b.WriteString(": no answer")
	}
	fmt.Fprintf(&b, " in %s", c.Latency.Round(10*time.Microsecond))
	if c.Attempts > 1 {
		fmt.Fprintf(&b, " (%d attempts)", c.Attempts)
	}
	if c.Err != "" {
		fmt.Fprintf(&b, ", %s", c.Err)
	}
	if c.Event != "" {
		if c.Silent {
			fmt.Fprintf(&b, " -> %s (silent)", c.Event)
		} else {
			fmt.Fprintf(&b, " -> %s", c.Event)
		}
	}
	return b.String()
}

// FormatTrace writes steps one a line, each indented by indent.
func FormatTrace(steps []Step, indent string) string {
	var b strings.Builder
	for _, s := range steps {
		b.WriteString(indent)
		b.WriteString(s.String())
		b.WriteByte('\n')
	}
	return b.String()
}
