package nlu

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/cxhook/cxhook/agent"
)

// FromAgent builds the Config of a loaded agent for one language: its
// intents with the training phrases of that language, its entity types
// with the entries and excluded phrases of that language, the agent's
// time zone and spell correction, and each flow's classification
// threshold (Config.Thresholds). An empty lang means the agent's default
// language. A phrase, entry or excluded phrase without a language code
// counts as the default language's, as the export writes the default
// language's files without one in older agents.
//
// The error is for an agent whose time zone cannot be loaded (import
// time/tzdata where the machine may lack the zone database); a language
// Prepare does not support is Prepare's error, not this one's.
func FromAgent(a *agent.Agent, lang string) (Config, error) {
	if lang == "" {
		lang = a.DefaultLanguageCode
	}
	inLang := func(code string) bool {
		if code == "" {
			code = a.DefaultLanguageCode
		}
		return strings.EqualFold(code, lang)
	}
	cfg := Config{LanguageCode: lang, SpellCorrection: a.SpellCorrection}
	if a.TimeZone != "" {
		loc, err := time.LoadLocation(a.TimeZone)
		if err != nil {
			return Config{}, fmt.Errorf("nlu: agent time zone %q: %w", a.TimeZone, err)
		}
		cfg.TimeZone = loc
	}
	for _, in := range a.Intents {
		// Clamped so that it fits an int on any platform; a negative
		// priority still means never matched.
		prio := int(max(min(in.Priority, math.MaxInt32), -1))
		out := Intent{DisplayName: in.DisplayName, Name: in.ID, Priority: prio, IsFallback: in.IsFallback}
		for _, p := range in.Parameters {
			out.Parameters = append(out.Parameters, Param{ID: p.ID, EntityType: p.EntityType.Name, IsList: p.IsList, Redact: p.Redact})
		}
		for _, tp := range in.TrainingPhrases {
			if !inLang(tp.LanguageCode) {
				continue
			}
			var ph Phrase
			for _, part := range tp.Parts {
				pt := Part{Text: part.Text}
				if part.Parameter != nil {
					pt.ParameterID = part.Parameter.ID
				}
				ph.Parts = append(ph.Parts, pt)
			}
			out.Phrases = append(out.Phrases, ph)
		}
		cfg.Intents = append(cfg.Intents, out)
	}
	for _, et := range a.EntityTypes {
		out := EntityType{DisplayName: et.DisplayName, EnableFuzzyExtraction: et.FuzzyExtraction, AutoExpansion: et.AutoExpansion}
		switch et.Kind {
		case agent.KindList:
			out.Kind = KindList
		case agent.KindRegexp:
			out.Kind = KindRegexp
		default:
			out.Kind = KindMap
		}
		for _, en := range et.Entities {
			if inLang(en.LanguageCode) {
				out.Entities = append(out.Entities, Entity{Value: en.Value, Synonyms: en.Synonyms})
			}
		}
		for _, p := range et.ExcludedPhrases {
			if inLang(p.LanguageCode) {
				out.ExcludedPhrases = append(out.ExcludedPhrases, p.Value)
			}
		}
		cfg.EntityTypes = append(cfg.EntityTypes, out)
	}
	for _, f := range a.Flows {
		if cfg.Thresholds == nil {
			cfg.Thresholds = map[string]float64{}
		}
		cfg.Thresholds[f.DisplayName] = f.NLU.ClassificationThreshold
	}
	return cfg, nil
}
