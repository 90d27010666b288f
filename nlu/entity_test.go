package nlu_test

import (
	"testing"
	"time"

	"github.com/cxhook/cxhook/nlu"
)

// la is the flight agent's time zone; the clock of its first test cases.
var (
	la, _   = time.LoadLocation("America/Los_Angeles")
	created = time.Date(2020, 12, 2, 10, 0, 0, 0, la) // a Wednesday
)

func date(y, m, d int) map[string]any {
	return map[string]any{"year": float64(y), "month": float64(m), "day": float64(d)}
}

func clock(h, m int) map[string]any {
	return map[string]any{"hours": float64(h), "minutes": float64(m), "seconds": float64(0), "nanos": float64(0)}
}

func dateTime(y, mo, d, h, mi int) map[string]any {
	return map[string]any{"year": float64(y), "month": float64(mo), "day": float64(d),
		"hours": float64(h), "minutes": float64(mi), "seconds": float64(0), "nanos": float64(0)}
}

func TestSystemEntities(t *testing.T) {
	m, err := nlu.Prepare(nlu.Config{TimeZone: la})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		etype, text string
		want        any // nil: not found
	}{
		{"@sys.number", "I want 3 tickets", 3.0},
		{"@sys.number", "twenty-one", 21.0},
		{"@sys.number", "a hundred and five", 105.0},
		{"@sys.number", "two thousand three hundred", 2300.0},
		{"@sys.number", "1,250.5 miles", 1250.5},
		{"@sys.number", "it is -2 outside", -2.0},
		{"@sys.number", "an N-95 mask", 95.0},
		{"@sys.number", "3pm", nil},
		{"@sys.number", "no numbers here", nil},
		{"@sys.number-integer", "3.5", nil},
		{"@sys.number-integer", "four bags", 4.0},
		{"@sys.number-sequence", "1234 5678 9800", "123456789800"},
		{"@sys.number-sequence", "650-253-0000", "6502530000"},
		{"@sys.number-sequence", "one two three", "123"},
		{"@sys.number-sequence", "one way", nil},
		{"@sys.date", "Jan 5", date(2021, 1, 5)},
		{"@sys.date", "Dec 24", date(2020, 12, 24)},
		{"@sys.date", "Dec 2", date(2020, 12, 2)},
		{"@sys.date", "Mar 5", date(2021, 3, 5)},
		{"@sys.date", "today", date(2020, 12, 2)},
		{"@sys.date", "tomorrow", date(2020, 12, 3)},
		{"@sys.date", "the day after tomorrow", date(2020, 12, 4)},
		{"@sys.date", "this Saturday", date(2020, 12, 5)},
		{"@sys.date", "Monday", date(2020, 12, 7)},
		{"@sys.date", "Wednesday", date(2020, 12, 2)},
		{"@sys.date", "on the 5th of July", date(2021, 7, 5)},
		{"@sys.date", "January 5th, 2023", date(2023, 1, 5)},
		{"@sys.date", "2022-01-05", date(2022, 1, 5)},
		{"@sys.date", "1/5", date(2021, 1, 5)},
		{"@sys.date", "1/5/22", date(2022, 1, 5)},
		{"@sys.date", "Christmas day", date(2020, 12, 25)},
		{"@sys.date", "in 3 days", date(2020, 12, 5)},
		{"@sys.date", "Feb 30", nil},
		{"@sys.date", "i sat down", nil},
		{"@sys.date", "3-5", nil},
		{"@sys.time", "3pm", clock(15, 0)},
		{"@sys.time", "3:30 p.m.", clock(15, 30)},
		{"@sys.time", "12am", clock(0, 0)},
		{"@sys.time", "12 pm", clock(12, 0)},
		{"@sys.time", "15:45", clock(15, 45)},
		{"@sys.time", "noon", clock(12, 0)},
		{"@sys.time", "10 o'clock", clock(10, 0)},
		{"@sys.time", "I would like to leave at 5pm", clock(17, 0)},
		{"@sys.time", "1m", nil},
		{"@sys.time", "9m", nil},
		{"@sys.time", "13pm", nil},
		{"@sys.time", "at 5", nil},
		{"@sys.date-time", "tomorrow at 3pm", dateTime(2020, 12, 3, 15, 0)},
		{"@sys.date-time", "3pm", dateTime(2020, 12, 2, 15, 0)},
		{"@sys.date-time", "9am", dateTime(2020, 12, 3, 9, 0)},
		{"@sys.date-time", "Jan 5", dateTime(2021, 1, 5, 0, 0)},
		{"@sys.duration", "5 minutes", map[string]any{"amount": 5.0, "unit": "min"}},
		{"@sys.duration", "wait a minute", map[string]any{"amount": 1.0, "unit": "min"}},
		{"@sys.duration", "half an hour", map[string]any{"amount": 0.5, "unit": "h"}},
		{"@sys.duration", "2hrs", map[string]any{"amount": 2.0, "unit": "h"}},
		{"@sys.duration", "two weeks", map[string]any{"amount": 2.0, "unit": "wk"}},
		{"@sys.email", "it's janedoe@gmail.com", "janedoe@gmail.com"},
		{"@sys.email", "jane at gmail", nil},
		{"@sys.phone-number", "call me at (650) 253-0000", "(650) 253-0000"},
		{"@sys.phone-number", "+44 20 7946 0958", "+44 20 7946 0958"},
		{"@sys.phone-number", "1234", nil},
		{"@sys.zip-code", "94043", "94043"},
		{"@sys.zip-code", "my zip is 94043-1234", "94043-1234"},
		{"@sys.zip-code", "123456", nil},
		{"@sys.url", "see https://example.com/a.", "https://example.com/a"},
		{"@sys.url", "go to www.google.com now", "www.google.com"},
		{"@sys.url", "jane@example.com", nil},
		{"@sys.any", "  Jane Doe ", "Jane Doe"},
		{"@sys.person", "Jane Doe", map[string]any{"name": "Jane Doe"}},
		{"@sys.person", "my name is tammy tester", map[string]any{"name": "tammy tester"}},
		{"@sys.person", "I am tired", nil},
		{"@sys.unit-currency", "$10", map[string]any{"amount": 10.0, "currency": "USD"}},
		{"@sys.unit-currency", "20 euros", map[string]any{"amount": 20.0, "currency": "EUR"}},
		{"@sys.unit-currency", "USD 5", map[string]any{"amount": 5.0, "currency": "USD"}},
		{"@sys.unit-currency", "€7.50", map[string]any{"amount": 7.5, "currency": "EUR"}},
		{"@sys.geo-city", "a ticket to london please", "London"},
		{"@sys.geo-city", "New York", "New York"},
		{"@sys.geo-city", "NYC", "New York"},
		{"@sys.geo-city", "Atlantis", nil},
		{"@sys.geo-state", "boise idaho", "Idaho"},
		{"@sys.geo-country", "flights to the UK", "United Kingdom"},
		{"@sys.geo-country", "tell us more", nil},
		{"@sys.address", "123 Main St Palo Alto CA", "123 Main St Palo Alto CA"},
		{"@sys.address", "I have 3 bags", nil},
	}
	for _, tt := range tests {
		got := m.Extract(tt.text, tt.etype, created)
		if tt.want == nil {
			if got.Status != nlu.NotFound {
				t.Errorf("Extract(%q, %s) = %v %#v, want not found", tt.text, tt.etype, got.Status, got.Value.Resolved)
			}
			continue
		}
		if got.Status != nlu.Found || canon(got.Value.Resolved) != canon(tt.want) {
			t.Errorf("Extract(%q, %s) = %v %s, want %s", tt.text, tt.etype, got.Status, canon(got.Value.Resolved), canon(tt.want))
		}
	}
}

func TestExtractStatus(t *testing.T) {
	m, err := nlu.Prepare(nlu.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		etype string
		want  nlu.Status
	}{
		{"@sys.location", nlu.Unsupported},
		{"@sys.flight-number", nlu.Unsupported},
		{"@no-such-type", nlu.UnknownType},
		{"@sys.number", nlu.NotFound},
	} {
		if got := m.Extract("nothing here", tt.etype, created); got.Status != tt.want {
			t.Errorf("Extract(%s).Status = %v, want %v", tt.etype, got.Status, tt.want)
		}
	}
}

func TestCustomEntities(t *testing.T) {
	cfg := nlu.Config{TimeZone: la, EntityTypes: []nlu.EntityType{
		{DisplayName: "airport", Kind: nlu.KindMap, EnableFuzzyExtraction: true, Entities: []nlu.Entity{
			{Value: "BFI", Synonyms: []string{"BFI", "Seattle\t\t", "Boeing Field King County International Airport"}},
			{Value: "SEA\t", Synonyms: []string{"SEA\t", "Seattle", "Seattle-Tacoma International Airport"}},
			{Value: "JFK\t", Synonyms: []string{"JFK\t", "John F. Kennedy International Airport", "JFK New York"}},
			{Value: "LGA\t", Synonyms: []string{"LGA\t", "La Guardia Airport"}},
			{Value: "JAN\t", Synonyms: []string{"JAN\t", "Jackson\t", "Jackson Evers International Airport"}},
		}},
		{DisplayName: "plain", Kind: nlu.KindMap, Entities: []nlu.Entity{
			{Value: "Option A", Synonyms: []string{"Option A", "A"}},
		}},
		{DisplayName: "account", Kind: nlu.KindList, Entities: []nlu.Entity{
			{Value: "@sys.number-sequence", Synonyms: []string{"@sys.number-sequence"}},
			{Value: "@sys.email", Synonyms: []string{"@sys.email"}},
		}},
		{DisplayName: "origin", Kind: nlu.KindMap, Entities: []nlu.Entity{
			{Value: "@airport", Synonyms: []string{"@airport"}},
		}},
		{DisplayName: "tagged", Kind: nlu.KindList, Entities: []nlu.Entity{
			{Value: "@sys.date:when", Synonyms: []string{"@sys.date:when"}},
		}},
		{DisplayName: "colour", Kind: nlu.KindList, Entities: []nlu.Entity{{Value: "red"}, {Value: "dark blue"}},
			ExcludedPhrases: []string{"red eye"}},
		{DisplayName: "ticket", Kind: nlu.KindRegexp, Entities: []nlu.Entity{{Value: `INC[0-9]{7}`}}},
	}}
	m, err := nlu.Prepare(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		etype, text string
		want        any
		fuzzy       bool
	}{
		// The synonym written closest to the input wins: "Seattle" is
		// SEA's, not BFI's "Seattle\t\t"; values keep their tabs.
		{"@airport", "Seattle", "SEA\t", false},
		{"@airport", "seattle airport", "SEA\t", false},
		{"@airport", "jfk new york", "JFK\t", false},
		// Fuzzy: the distinctive words of a synonym, misspellings allowed.
		{"@airport", "New York Kennedy airport", "JFK\t", true},
		{"@airport", "la guardai", "LGA\t", true},
		{"@airport", "I don't know. any airport works", nil, false},
		// A code in capitals matches in capitals, or alone.
		{"@airport", "jan", "JAN\t", false},
		{"@airport", "fly on jan 5", nil, false},
		{"@airport", "fly from JAN", "JAN\t", false},
		{"@plain", "a", "Option A", false},
		{"@plain", "optin a", "Option A", false}, // "a" is a synonym
		{"@account", "123456", "123456", false},
		{"@account", "it's jane@example.com", "jane@example.com", false},
		// A map entry's value, even when its synonym is a reference.
		{"@origin", "Seattle", "@airport", false},
		{"@tagged", "Jan 5", map[string]any{"when": date(2021, 1, 5)}, false},
		{"@colour", "dark blue please", "dark blue", false},
		{"@colour", "the red eye flight", nil, false},
		{"@colour", "red", "red", false},
		{"@ticket", "status of INC0010006?", "INC0010006", false},
	}
	for _, tt := range tests {
		got := m.Extract(tt.text, tt.etype, created)
		if tt.want == nil {
			if got.Status != nlu.NotFound {
				t.Errorf("Extract(%q, %s) = %v %s, want not found", tt.text, tt.etype, got.Status, canon(got.Value.Resolved))
			}
			continue
		}
		if got.Status != nlu.Found || canon(got.Value.Resolved) != canon(tt.want) {
			t.Errorf("Extract(%q, %s) = %v %s, want %s", tt.text, tt.etype, got.Status, canon(got.Value.Resolved), canon(tt.want))
			continue
		}
		if got.Value.Fuzzy != tt.fuzzy {
			t.Errorf("Extract(%q, %s).Fuzzy = %v, want %v", tt.text, tt.etype, got.Value.Fuzzy, tt.fuzzy)
		}
	}
}

func TestPrepareErrors(t *testing.T) {
	for name, cfg := range map[string]nlu.Config{
		"bad regexp":     {EntityTypes: []nlu.EntityType{{DisplayName: "x", Kind: nlu.KindRegexp, Entities: []nlu.Entity{{Value: "("}}}}},
		"language":       {LanguageCode: "de"},
		"two intents":    {Intents: []nlu.Intent{{DisplayName: "a"}, {DisplayName: "a"}}},
		"two types":      {EntityTypes: []nlu.EntityType{{DisplayName: "x"}, {DisplayName: "x"}}},
		"type with an @": {EntityTypes: []nlu.EntityType{{DisplayName: "x"}, {DisplayName: "@x"}}},
	} {
		if _, err := nlu.Prepare(cfg); err == nil {
			t.Errorf("%s: Prepare succeeded", name)
		}
	}
	m, err := nlu.Prepare(nlu.Config{LanguageCode: "en-US", EntityTypes: []nlu.EntityType{
		{DisplayName: "x", AutoExpansion: true, Entities: []nlu.Entity{{Value: "@nowhere", Synonyms: []string{"@nowhere"}}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if w := m.Warnings(); len(w) != 2 {
		t.Errorf("Warnings = %q, want auto expansion and the undefined reference", w)
	}
}
