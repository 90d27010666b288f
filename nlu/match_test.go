package nlu_test

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/cxhook/cxhook/nlu"
)

func phrase(parts ...string) nlu.Phrase {
	// parts alternate text and "[text|param]" annotations.
	var p nlu.Phrase
	for _, s := range parts {
		if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
			var text, param string
			for i := len(s) - 2; i > 0; i-- {
				if s[i] == '|' {
					text, param = s[1:i], s[i+1:len(s)-1]
					break
				}
			}
			p.Parts = append(p.Parts, nlu.Part{Text: text, ParameterID: param})
			continue
		}
		p.Parts = append(p.Parts, nlu.Part{Text: s})
	}
	return p
}

func travelModel(t testing.TB) *nlu.Model {
	t.Helper()
	cfg := nlu.Config{TimeZone: la, SpellCorrection: true, EntityTypes: []nlu.EntityType{
		{DisplayName: "flight-type", Entities: []nlu.Entity{
			{Value: "one-way", Synonyms: []string{"one way", "single"}},
			{Value: "round-trip", Synonyms: []string{"round trip", "return"}},
		}},
	}, Intents: []nlu.Intent{
		{DisplayName: "book", Parameters: []nlu.Param{
			{ID: "type", EntityType: "@flight-type", IsList: true},
			{ID: "to", EntityType: "@sys.geo-city"},
			{ID: "when", EntityType: "@sys.date"},
		}, Phrases: []nlu.Phrase{
			phrase("i want to book a ", "[one way|type]", " ticket"),
			phrase("book a flight to ", "[Boston|to]", " on ", "[March 3|when]"),
			phrase("i need a flight"),
			phrase("i want to fly to ", "[Paris|to]"),
		}},
		{DisplayName: "round trip", Phrases: []nlu.Phrase{phrase("round trip"), phrase("a round trip ticket")}},
		{DisplayName: "refund", Phrases: []nlu.Phrase{
			phrase("is this ticket refundable"), phrase("can i get a refund"), phrase("how do refunds work"),
		}},
		{DisplayName: "yes", Phrases: []nlu.Phrase{phrase("yes"), phrase("yes please"), phrase("sure")}},
		{DisplayName: "yes.other", Phrases: []nlu.Phrase{phrase("yes")}},
		{DisplayName: "agent", Priority: 750000, Phrases: []nlu.Phrase{phrase("talk to an agent"), phrase("speak to a person")}},
		{DisplayName: "agent.low", Priority: 250000, Phrases: []nlu.Phrase{phrase("talk to an agent now")}},
		{DisplayName: "disabled", Priority: -1, Phrases: []nlu.Phrase{phrase("open the pod bay doors")}},
		{DisplayName: "Default Negative Intent", IsFallback: true, Phrases: []nlu.Phrase{
			phrase("book a hotel room"), phrase("rent a car"),
		}},
	}}
	m, err := nlu.Prepare(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestClassify(t *testing.T) {
	m := travelModel(t)
	tests := []struct {
		text, want string
		exact      bool
		params     map[string]any
		reason     nlu.NoMatchReason
	}{
		{text: "Round trip!", want: "round trip", exact: true},
		{text: "I want to book a single ticket", want: "book", params: map[string]any{"type": []any{"one-way"}}},
		{text: "book a flight to Seattle on Jan 5", want: "book", params: map[string]any{"to": "Seattle", "when": date(2021, 1, 5)}},
		{text: "is this tiket refundible", want: "refund"},             // two misspellings
		{text: "are the tickets refundable", want: "refund"},           // plural, another order
		{text: "yes", want: "yes", exact: true},                        // two exact intents: the one with more phrases near it
		{text: "talk to an agent now", want: "agent.low", exact: true}, // exact beats priority
		{text: "please talk to an agent", want: "agent"},
		{text: "open the pod bay doors", reason: nlu.BelowThreshold}, // negative priority: never matched
		{text: "book a hotel room", reason: nlu.NegativeIntent},
		{text: "what is the weather like", reason: nlu.BelowThreshold},
		{text: "  ?! ", reason: nlu.EmptyInput},
	}
	for _, tt := range tests {
		r := m.Classify(nlu.Request{Text: tt.text, Now: created})
		if r.Intent != tt.want || r.Reason != tt.reason {
			t.Errorf("Classify(%q) = %q (%v, %.2f), want %q (%v); alternatives %v", tt.text, r.Intent, r.Reason, r.Confidence, tt.want, tt.reason, r.Alternatives)
			continue
		}
		if r.Exact != tt.exact {
			t.Errorf("Classify(%q).Exact = %v", tt.text, r.Exact)
		}
		got := map[string]any{}
		for _, v := range r.Parameters {
			got[v.Param] = v.Resolved
		}
		if len(got) > 0 || len(tt.params) > 0 {
			if canon(got) != canon(tt.params) {
				t.Errorf("Classify(%q) parameters %s, want %s", tt.text, canon(got), canon(tt.params))
			}
		}
	}
}

func TestClassifyUnresolved(t *testing.T) {
	m := travelModel(t)
	// "Paris" stands where the phrase has its example, but the built-in
	// city list does not know "Gotham": reported, not guessed.
	r := m.Classify(nlu.Request{Text: "i want to fly to paris", Now: created})
	if r.Intent != "book" || len(r.Parameters) != 1 || r.Parameters[0].Resolved != "Paris" {
		t.Fatalf("paris: %+v", r)
	}
	r = m.Classify(nlu.Request{Text: "i want to fly to gotham", Now: created})
	if r.Intent != "book" || len(r.Parameters) != 0 {
		t.Fatalf("gotham: %+v", r)
	}
}

func TestScopeAndThreshold(t *testing.T) {
	m := travelModel(t)
	scope, err := m.Scope("refund", "agent")
	if err != nil {
		t.Fatal(err)
	}
	if scope.Len() != 2 {
		t.Errorf("Len = %d", scope.Len())
	}
	if r := m.Classify(nlu.Request{Text: "round trip", Scope: scope, Now: created}); r.Intent != "" {
		t.Errorf("out of scope: matched %q", r.Intent)
	}
	if r := m.Classify(nlu.Request{Text: "book a hotel room", Scope: scope, Now: created}); r.Reason != nlu.NegativeIntent {
		t.Errorf("the negative intent is in every scope: %v", r.Reason)
	}
	if _, err := m.Scope("refund", "nope", "also nope"); err == nil {
		t.Error("Scope accepted unknown intents")
	}
	if _, err := m.Scope(" refund  "); err != nil {
		t.Errorf("Scope with spaces around a name: %v", err)
	}
	// A reworded question passes the default threshold, not a high one.
	req := nlu.Request{Text: "refund how", Now: created}
	if r := m.Classify(req); r.Intent != "refund" {
		t.Fatalf("default threshold: %+v", r)
	}
	req.Threshold = 0.95
	if r := m.Classify(req); r.Intent != "" || r.Reason != nlu.BelowThreshold {
		t.Errorf("threshold 0.95: %+v", r)
	}
}

func TestUnderstand(t *testing.T) {
	m := travelModel(t)
	form := &nlu.Form{Prompted: "date", Params: []nlu.FormParam{
		{Name: "date", EntityType: "@sys.date"},
		{Name: "return", EntityType: "@sys.date"},
		{Name: "city", EntityType: "@sys.geo-city"},
		{Name: "name", EntityType: "@sys.any"},
	}}
	tests := []struct {
		text   string
		form   *nlu.Form
		kind   nlu.TurnKind
		intent string
		filled map[string]any
	}{
		{text: "Jan 5", form: form, kind: nlu.TurnFill, filled: map[string]any{"date": date(2021, 1, 5)}},
		{text: "Jan 5 to Boston", form: form, kind: nlu.TurnFill, filled: map[string]any{"date": date(2021, 1, 5), "city": "Boston"}},
		{text: "Jan 5 and back on Jan 9", form: form, kind: nlu.TurnFill, filled: map[string]any{"date": date(2021, 1, 5), "return": date(2021, 1, 9)}},
		{text: "talk to an agent", form: form, kind: nlu.TurnIntent, intent: "agent"},
		{text: "Boston", form: form, kind: nlu.TurnFill, filled: map[string]any{"city": "Boston"}},
		{text: "blah blah", form: form, kind: nlu.TurnNoMatch},
		{text: "talk to an agent", form: &nlu.Form{Prompted: "name", Params: form.Params[3:]}, kind: nlu.TurnIntent, intent: "agent"},
		{text: "Jane Doe", form: &nlu.Form{Prompted: "name", Params: form.Params[3:]}, kind: nlu.TurnFill, filled: map[string]any{"name": "Jane Doe"}},
		{text: "", form: form, kind: nlu.TurnNoInput},
		{text: "yes please", kind: nlu.TurnIntent, intent: "yes"},
	}
	for _, tt := range tests {
		got := m.Understand(nlu.TurnRequest{Text: tt.text, Form: tt.form, Now: created})
		if got.Kind != tt.kind || (tt.kind == nlu.TurnIntent && got.Intent.Intent != tt.intent) {
			t.Errorf("Understand(%q) = %v %q, want %v %q", tt.text, got.Kind, got.Intent.Intent, tt.kind, tt.intent)
			continue
		}
		if tt.kind == nlu.TurnFill {
			filled := map[string]any{}
			for _, v := range got.Form.Filled {
				filled[v.Param] = v.Resolved
			}
			if canon(filled) != canon(tt.filled) {
				t.Errorf("Understand(%q) filled %s, want %s", tt.text, canon(filled), canon(tt.filled))
			}
		}
	}
	// An unsupported prompted type is reported.
	got := m.Understand(nlu.TurnRequest{Text: "at the corner of 5th and Main", Now: created,
		Form: &nlu.Form{Prompted: "where", Params: []nlu.FormParam{{Name: "where", EntityType: "@sys.location"}}}})
	if got.Kind != nlu.TurnNoMatch || len(got.Form.Unsupported) != 1 || got.Form.Unsupported[0].Param != "where" {
		t.Errorf("unsupported: %+v", got)
	}
}

// TestDeterministic runs the same turns many times, concurrently and on
// separately prepared models, and wants the same results each time.
func TestDeterministic(t *testing.T) {
	a := loadExport(t, "testdata/digibhem-flight-bot")
	texts := []string{"need one way ticket pls", "no thanx", "New York Kennedy airport", "yes", "how much is the ticket from New York to London?", "Heathrow London"}
	run := func(m *nlu.Model) string {
		var out string
		for _, text := range texts {
			r := m.Classify(nlu.Request{Text: text, Now: created})
			e := m.Extract(text, "@airport-codes", created)
			out += fmt.Sprintf("%+v|%+v\n", r, e)
		}
		return out
	}
	want := run(a.prepare(t))
	var wg sync.WaitGroup
	results := make([]string, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = run(a.prepare(t))
		}()
	}
	wg.Wait()
	for i, got := range results {
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("run %d differs:\n%s\nwant\n%s", i, got, want)
		}
	}
}

func TestSpellCorrection(t *testing.T) {
	phrases := []nlu.Intent{{DisplayName: "refund", Phrases: []nlu.Phrase{phrase("is this ticket refundable")}}}
	on, err := nlu.Prepare(nlu.Config{SpellCorrection: true, Intents: phrases})
	if err != nil {
		t.Fatal(err)
	}
	off, err := nlu.Prepare(nlu.Config{Intents: phrases})
	if err != nil {
		t.Fatal(err)
	}
	req := nlu.Request{Text: "is this tiket refundible", Now: created}
	a, b := on.Classify(req), off.Classify(req)
	if a.Intent != "refund" || a.Confidence < 0.9 {
		t.Errorf("with spell correction: %+v", a)
	}
	if b.Confidence >= a.Confidence-0.3 {
		t.Errorf("without spell correction the misspelt words count: %.2f vs %.2f", b.Confidence, a.Confidence)
	}
}
