package nlu_test

import (
	"errors"
	"testing"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/nlu"
)

// TestFromAgent checks what FromAgent takes from a real export: the
// training phrases of the language asked for, the entity types, the
// agent's settings and the flows' thresholds.
func TestFromAgent(t *testing.T) {
	a, err := agent.Load("../testdata/agents/digibhem-flight-bot")
	var le *agent.LoadError
	if err != nil && !errors.As(err, &le) {
		t.Fatal(err)
	}
	cfg, err := nlu.FromAgent(a, "")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.LanguageCode != "en" || !cfg.SpellCorrection || cfg.TimeZone == nil || cfg.TimeZone.String() != "America/Los_Angeles" {
		t.Errorf("language %q, spell correction %v, time zone %v", cfg.LanguageCode, cfg.SpellCorrection, cfg.TimeZone)
	}
	if len(cfg.Intents) != len(a.Intents) || len(cfg.EntityTypes) != len(a.EntityTypes) {
		t.Errorf("%d intents, %d entity types; the agent has %d and %d", len(cfg.Intents), len(cfg.EntityTypes), len(a.Intents), len(a.EntityTypes))
	}
	phrases, annotated := 0, 0
	for _, in := range cfg.Intents {
		phrases += len(in.Phrases)
		for _, p := range in.Phrases {
			for _, part := range p.Parts {
				if part.ParameterID != "" {
					annotated++
				}
			}
		}
	}
	if phrases == 0 || annotated == 0 {
		t.Errorf("%d phrases, %d annotated parts", phrases, annotated)
	}
	m, err := nlu.Prepare(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Threshold(a.StartFlow.DisplayName); got != a.StartFlow.NLU.ClassificationThreshold && (a.StartFlow.NLU.ClassificationThreshold != 0 || got != nlu.DefaultThreshold) {
		t.Errorf("start flow threshold %v, the flow sets %v", got, a.StartFlow.NLU.ClassificationThreshold)
	}
	if got := m.Threshold("no such flow"); got != nlu.DefaultThreshold {
		t.Errorf("threshold of an unknown flow %v, want %v", got, nlu.DefaultThreshold)
	}
	r := m.Classify(nlu.Request{Text: "I want to book a flight", Now: created})
	if r.Intent != "flights.book_flight" {
		t.Errorf("book a flight: %q (%v)", r.Intent, r.Reason)
	}

	// Another language has none of the English phrases or entries; the
	// flight agent supports only English, so Prepare refuses it.
	fr, err := nlu.FromAgent(a, "fr")
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range fr.Intents {
		if len(in.Phrases) > 0 {
			t.Errorf("intent %q has %d phrases in French", in.DisplayName, len(in.Phrases))
		}
	}
	for _, et := range fr.EntityTypes {
		if len(et.Entities) > 0 {
			t.Errorf("entity type %q has %d entries in French", et.DisplayName, len(et.Entities))
		}
	}
	if _, err := nlu.Prepare(fr); err == nil {
		t.Error("Prepare accepted French")
	}
}

// TestThresholdsChecked: a threshold outside [0, 1] is an error.
func TestThresholdsChecked(t *testing.T) {
	for _, th := range []float64{-0.1, 1.5} {
		if _, err := nlu.Prepare(nlu.Config{Thresholds: map[string]float64{"f": th}}); err == nil {
			t.Errorf("threshold %v accepted", th)
		}
	}
	m, err := nlu.Prepare(nlu.Config{Thresholds: map[string]float64{"f": 0.6, "g": 0}})
	if err != nil {
		t.Fatal(err)
	}
	if m.Threshold("f") != 0.6 || m.Threshold("g") != nlu.DefaultThreshold {
		t.Errorf("thresholds %v %v", m.Threshold("f"), m.Threshold("g"))
	}
}
