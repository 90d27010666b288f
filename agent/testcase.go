package agent

import (
	"time"

	"github.com/cxhook/cxhook/fulfillment"
)

// A TestCase is a recorded conversation (testCases/<T>.json): the user's
// input turn by turn and what the agent answered then, which a replay
// compares against.
type TestCase struct {
	ID          string
	DisplayName string
	Tags        []string
	Notes       string
	// TrackingParameters are the session parameters a replay compares;
	// none means all of them.
	TrackingParameters []string
	// StartFlow and StartPage are where the conversation starts (the
	// agent's start flow when both are nil); StartPage is set only when the
	// test case names a page.
	StartFlow *Flow
	StartPage *Page
	Turns     []*Turn
	// Created is when the test case was recorded; @sys.date values in it
	// resolved against that day.
	Created time.Time
	Loc     Location
}

// A Turn is one exchange: the user's input and the agent's recorded output.
type Turn struct {
	Input  UserInput
	Expect Output
	Loc    Location
}

// InputKind says what a turn's user input is.
type InputKind int

// The kinds of user input.
const (
	// InputNone: the turn has no input the export shows.
	InputNone InputKind = iota
	InputText
	InputEvent
	InputDTMF
	InputIntent
	// InputAudio: audio input, which is not loaded.
	InputAudio
)

var inputKindNames = [...]string{"none", "text", "event", "dtmf", "intent", "audio"}

// String returns "text", "event", "dtmf", "intent", "audio" or "none".
func (k InputKind) String() string {
	if k >= 0 && int(k) < len(inputKindNames) {
		return inputKindNames[k]
	}
	return "InputKind(?)"
}

// UserInput is one turn's input.
type UserInput struct {
	Kind InputKind
	// Text is the typed text of InputText ("" is an empty utterance, which
	// Dialogflow treats as no input).
	Text string
	// Event is the event name of InputEvent.
	Event string
	// DTMF holds the digits of InputDTMF.
	DTMF DTMF
	// Intent is the intent of InputIntent.
	Intent       *Intent
	LanguageCode string
	// Params are the injected parameters, set as session parameters before
	// the input is matched.
	Params fulfillment.Params
	// WebhookEnabled is false for a turn that runs without webhook calls.
	WebhookEnabled    bool
	SentimentAnalysis bool
}

// DTMF is keypad input.
type DTMF struct {
	Digits      string
	FinishDigit string
}

// Output is what the agent answered in a turn, as recorded.
type Output struct {
	// Intent is the intent that matched; nil if none did (a form-filling,
	// no-match or condition-driven turn).
	Intent *Intent
	// Flow and Page are where the conversation was after the turn; Page is
	// the flow's start page for "Start Page", and nil with EndSession set
	// after the session ended.
	Flow       *Flow
	Page       *Page
	EndSession bool
	// Text holds the text messages, each with its variants (one, as sent).
	Text [][]string
	// Params are the session parameters after the turn.
	Params fulfillment.Params
	// Status is set for a turn that ended in an error, when the other
	// fields are empty.
	Status *Status
}

// Status is an error status (google.rpc.Status).
type Status struct {
	Code    int
	Message string
}
