package agent

import (
	"time"
)

// An Agent is a Dialogflow CX agent loaded from a JSON package export:
// its settings and every resource of it, with the references between them
// resolved. Get one from [Load], [LoadFS] or [LoadZip]. An Agent is
// read-only after loading and safe to share between goroutines; code that
// changes one (a test building a variant) must not share it meanwhile.
type Agent struct {
	// DisplayName is the agent's name; exports often leave it out.
	DisplayName string
	// DefaultLanguageCode is the language of the agent's training phrases
	// and responses unless a request names another (e.g. "en").
	DefaultLanguageCode    string
	SupportedLanguageCodes []string
	// TimeZone is the agent's IANA time zone (e.g. "America/Los_Angeles"),
	// against which @sys.date and @sys.time resolve.
	TimeZone    string
	Description string
	// StartFlow is the flow a session starts in; nil only for an agent that
	// starts with a playbook (StartPlaybook).
	StartFlow     *Flow
	StartPlaybook string
	// ProjectNumber is the number of the project the agent was exported
	// from, as written in agent.json ("" if absent).
	ProjectNumber    string
	SecuritySettings string
	SpellCorrection  bool
	// StackdriverLogging is agent.json's enableStackdriverLogging (the
	// older place of Advanced.Logging.Stackdriver).
	StackdriverLogging    bool
	MultiLanguageTraining bool
	SpeechAdaptation      bool
	AnswerFeedback        bool
	Locked                bool
	Advanced              AdvancedSettings

	// The agent's resources, each in the order of its export files (sorted
	// by file name).
	Flows []*Flow
	// RouteGroups are the agent-level route groups
	// (agentTransitionRouteGroups/).
	RouteGroups []*RouteGroup
	Intents     []*Intent
	EntityTypes []*EntityType
	Webhooks    []*Webhook
	Generators  []*Generator
	TestCases   []*TestCase

	flows       map[string]*Flow
	routeGroups map[string]*RouteGroup
	intents     map[string]*Intent
	entityTypes map[string]*EntityType
	webhooks    map[string]*Webhook
	generators  map[string]*Generator
	testCases   map[string]*TestCase
}

// Flow returns the flow with the display name, or nil.
func (a *Agent) Flow(displayName string) *Flow { return a.flows[displayName] }

// RouteGroup returns the agent-level route group with the display name, or
// nil.
func (a *Agent) RouteGroup(displayName string) *RouteGroup { return a.routeGroups[displayName] }

// Intent returns the intent with the display name, or nil. Display names
// match exactly; a reference whose spaces differ from the intent's own at
// either end (exports keep "flights.animals_on_board  ") resolves while
// loading.
func (a *Agent) Intent(displayName string) *Intent { return a.intents[displayName] }

// EntityType returns the custom entity type with the display name (without
// the "@" a parameter's reference has), or nil.
func (a *Agent) EntityType(displayName string) *EntityType { return a.entityTypes[displayName] }

// Webhook returns the webhook with the display name, or nil.
func (a *Agent) Webhook(displayName string) *Webhook { return a.webhooks[displayName] }

// Generator returns the generator with the display name, or nil.
func (a *Agent) Generator(displayName string) *Generator { return a.generators[displayName] }

// TestCase returns the test case with the display name, or nil.
func (a *Agent) TestCase(displayName string) *TestCase { return a.testCases[displayName] }

// A Location says where in the export an object is defined, for messages
// that point a user at it: the file, relative to the export's root with
// slashes (its name URL-encoded as the export writes it), and the path of
// the object inside the file's JSON, such as
// "form.parameters[1].fillBehavior.initialPromptFulfillment" ("" for the
// file's top level).
type Location struct {
	File string
	Path string
}

// String returns "file: path", or the file alone.
func (l Location) String() string {
	if l.Path == "" {
		return l.File
	}
	return l.File + ": " + l.Path
}

// at returns the location of a member of the object at l.
func (l Location) at(member string) Location {
	if l.Path == "" {
		return Location{l.File, member}
	}
	if member != "" && member[0] == '[' {
		return Location{l.File, l.Path + member}
	}
	return Location{l.File, l.Path + "." + member}
}

// AdvancedSettings are the speech, DTMF and logging settings that an agent,
// flow, page, form parameter or fulfillment can set; a level that sets none
// inherits its parent's.
type AdvancedSettings struct {
	// Speech is nil if the level does not set speech settings.
	Speech *SpeechSettings
	// DTMF is nil if the level does not set DTMF settings.
	DTMF *DTMFSettings
	// Logging is nil if the level does not set logging settings.
	Logging *LoggingSettings
}

// SpeechSettings tune speech input.
type SpeechSettings struct {
	EndpointerSensitivity      int
	NoSpeechTimeout            time.Duration
	UseTimeoutBasedEndpointing bool
	// Models maps a language code to a speech model name.
	Models []KeyValue
}

// DTMFSettings tune DTMF (keypad) input.
type DTMFSettings struct {
	Enabled            bool
	MaxDigits          int
	FinishDigit        string
	InterdigitTimeout  time.Duration
	EndpointingTimeout time.Duration
}

// LoggingSettings say what Dialogflow logs.
type LoggingSettings struct {
	Stackdriver           bool
	Interaction           bool
	ConsentBasedRedaction bool
}

// A Generator is a generative prompt (generators/), which fulfillments call
// to fill a parameter.
type Generator struct {
	ID          string
	DisplayName string
	// Prompts are the generator's prompt texts, per language.
	Prompts []Phrase
	// Placeholders are the names the prompt refers to, by ID.
	Placeholders []KeyValue
	Loc          Location
}
