package nlu

import (
	"fmt"
	"strings"
	"time"
)

// Part is one piece of a training phrase. A part with a ParameterID is an
// annotated example value of that intent parameter.
type Part struct {
	Text        string
	ParameterID string
}

// Phrase is one training phrase: its parts, in order, make its text.
type Phrase struct {
	Parts []Part
}

// Text returns the phrase's text.
func (p Phrase) Text() string {
	var b strings.Builder
	for _, part := range p.Parts {
		b.WriteString(part.Text)
	}
	return b.String()
}

// Param is one parameter of an intent.
type Param struct {
	ID         string
	EntityType string // with its "@", as in the export: "@sys.date", "@airport-codes"
	IsList     bool
	Redact     bool
}

// Intent is one intent of the agent, as the model needs it.
type Intent struct {
	// DisplayName is the name routes and test cases use. It is kept as
	// exported, trailing spaces included ("flights.animals_on_board  ").
	DisplayName string
	// Name is the resource name or UUID; informative only.
	Name string
	// Priority is CX's intent priority: 0 means 500000 (Normal), a
	// negative value means the intent is never matched.
	Priority int
	// IsFallback marks the negative intent (CX's "Default Negative
	// Intent"): its phrases are examples of what must not match.
	IsFallback bool
	Phrases    []Phrase
	Parameters []Param
}

// Kind is the kind of a custom entity type.
type Kind int

const (
	// KindMap maps each synonym to the entity's value.
	KindMap Kind = iota
	// KindList uses the matched entry itself as the value.
	KindList
	// KindRegexp treats each entry's value as a regular expression (RE2
	// syntax, which is what CX documents) and uses the matched text.
	KindRegexp
)

func (k Kind) String() string {
	switch k {
	case KindMap:
		return "KIND_MAP"
	case KindList:
		return "KIND_LIST"
	case KindRegexp:
		return "KIND_REGEXP"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Entity is one entry of a custom entity type. A synonym (or, in a list,
// a value) of the form "@type" or "@type:alias" refers to another entity
// type: whatever that type extracts matches the entry.
type Entity struct {
	Value    string // kept as exported, tabs and trailing spaces included
	Synonyms []string
}

// EntityType is a custom entity type.
type EntityType struct {
	// DisplayName is the name parameters refer to, without the "@".
	DisplayName string
	Kind        Kind
	Entities    []Entity
	// ExcludedPhrases are never extracted as this type, nor any span
	// inside them.
	ExcludedPhrases []string
	// EnableFuzzyExtraction lets an entity match a span that only
	// partly equals one of its synonyms (see the package documentation
	// for how much is required).
	EnableFuzzyExtraction bool
	// AutoExpansion is CX's automatic expansion to values not listed.
	// It is not reproduced: the type extracts only what it lists, and
	// Prepare reports a warning.
	AutoExpansion bool
}

// Config is what Prepare indexes.
type Config struct {
	Intents     []Intent
	EntityTypes []EntityType
	// TimeZone is the agent's time zone (agent.json "timeZone"); dates and
	// times are resolved in it. Nil means UTC.
	TimeZone *time.Location
	// SpellCorrection is agent.json's enableSpellCorrection: with it, a
	// misspelt word matches the word of the training phrases it is
	// likely to be (see the package documentation); without it, words
	// match only as written (up to case and plurals). Fuzzy extraction of
	// entities is set per entity type, not here.
	SpellCorrection bool
	// LanguageCode is the agent's language. Only English ("en", "en-…")
	// is supported; another language is an error.
	LanguageCode string
	// Thresholds are the flows' classification thresholds
	// (nluSettings.classificationThreshold) by flow display name; 0, or a
	// flow not listed, means DefaultThreshold. Model.Threshold reads them.
	Thresholds map[string]float64
}

// DefaultThreshold is CX's default classification threshold, used when a
// flow's nluSettings.classificationThreshold is 0.
const DefaultThreshold = 0.3

// normalPriority is the priority CX gives an intent whose priority is 0.
const normalPriority = 500000
