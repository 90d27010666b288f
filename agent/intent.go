package agent

import "strings"

// DefaultWelcomeIntentID and DefaultNegativeIntentID are the IDs every
// agent's two built-in intents have.
const (
	DefaultWelcomeIntentID  = "00000000-0000-0000-0000-000000000000"
	DefaultNegativeIntentID = "00000000-0000-0000-0000-000000000001"
)

// An Intent is one intent (intents/<I>/<I>.json, with its training phrases
// in intents/<I>/trainingPhrases/<language>.json).
type Intent struct {
	ID string
	// DisplayName is the intent's name as the intent file writes it
	// (trailing spaces included).
	DisplayName string
	Description string
	// Priority orders intents that match equally well; 500000 is the
	// console's "normal", negative values disable the intent.
	Priority int64
	// IsFallback marks the negative intent, whose phrases match nothing.
	IsFallback      bool
	Labels          []KeyValue
	DTMFPattern     string
	Parameters      []*IntentParameter
	TrainingPhrases []*TrainingPhrase
	Loc             Location
}

// Parameter returns the parameter with the ID, or nil.
func (i *Intent) Parameter(id string) *IntentParameter {
	for _, p := range i.Parameters {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// ResourceName returns the intent's full resource name under the agent's.
func (i *Intent) ResourceName(agent string) string { return agent + "/intents/" + i.ID }

// An IntentParameter is a parameter that the intent's training phrases
// annotate; when the intent matches, its value becomes a session parameter
// of the same name.
type IntentParameter struct {
	// ID is the parameter's name.
	ID         string
	EntityType EntityRef
	IsList     bool
	Redact     bool
}

// A TrainingPhrase is one example of what an end user says to match the
// intent.
type TrainingPhrase struct {
	ID           string
	LanguageCode string
	// RepeatCount says how many times the phrase counts in training.
	RepeatCount int
	Parts       []Part
}

// Text returns the phrase's text, its parts joined.
func (t *TrainingPhrase) Text() string {
	var b strings.Builder
	for _, p := range t.Parts {
		b.WriteString(p.Text)
	}
	return b.String()
}

// A Part is a span of a training phrase; an annotated one fills Parameter.
type Part struct {
	Text string
	// Parameter is the intent parameter the span annotates, or nil.
	Parameter *IntentParameter
	// Auto marks an annotation the console made itself.
	Auto bool
}

// An EntityRef is the entity type of a parameter: "@sys.date" for a system
// entity, "@airport-codes" for a custom one, which Type resolves.
type EntityRef struct {
	// Name is the reference as written, "@" included.
	Name string
	// Type is the custom entity type; nil for a system entity (or when the
	// reference is empty).
	Type *EntityType
}

// System returns the name of a system entity without the "@" ("sys.date",
// "sys.any"), and whether the reference is to one. A custom type that
// extends a system entity has the system entity's name.
func (r EntityRef) System() (string, bool) {
	name := strings.TrimPrefix(r.Name, "@")
	if strings.HasPrefix(name, "sys.") {
		return name, true
	}
	return "", false
}

// EntityKind says how an entity type's entries match.
type EntityKind string

// The entity kinds.
const (
	// KindMap entities map synonyms to a reference value.
	KindMap EntityKind = "KIND_MAP"
	// KindList entities match their values, which are their own synonyms.
	KindList EntityKind = "KIND_LIST"
	// KindRegexp entities match their values as regular expressions.
	KindRegexp EntityKind = "KIND_REGEXP"
)

// An EntityType is a custom entity type (entityTypes/<E>/<E>.json, with
// its entries in entities/<language>.json and excluded phrases in
// excludedPhrases/<language>.json).
type EntityType struct {
	ID          string
	DisplayName string
	Kind        EntityKind
	// AutoExpansion lets the type match values like its entries that are
	// not among them (autoExpansionMode AUTO_EXPANSION_MODE_DEFAULT).
	AutoExpansion bool
	// FuzzyExtraction matches entries approximately.
	FuzzyExtraction bool
	Redact          bool
	Entities        []Entity
	ExcludedPhrases []Phrase
	Loc             Location
}

// An Entity is one entry of an entity type. Values keep what the export
// has, trailing whitespace included ("SEA\t"): Dialogflow sends them so.
type Entity struct {
	Value        string
	Synonyms     []string
	LanguageCode string
}

// A Phrase is a text in one language.
type Phrase struct {
	Value        string
	LanguageCode string
}
