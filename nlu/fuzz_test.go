package nlu_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cxhook/cxhook/nlu"
)

// fuzzModel has no intents: the fuzz targets exercise the utterance-side
// parsers through Extract.
var fuzzModel, _ = nlu.Prepare(nlu.Config{TimeZone: time.UTC})

var fuzzNow = time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC)

// checkExtraction: a found value has a JSON shape (what Dialogflow
// sends), and its original text is part of the input.
func checkExtraction(t *testing.T, text, etype string) {
	e := fuzzModel.Extract(text, etype, fuzzNow)
	switch e.Status {
	case nlu.Found:
		if _, err := json.Marshal(e.Value.Resolved); err != nil {
			t.Fatalf("Extract(%q, %s): value %#v is not JSON: %v", text, etype, e.Value.Resolved, err)
		}
		if utf8.ValidString(text) && len(text) <= 1024 && !contains(text, e.Value.Original) {
			t.Fatalf("Extract(%q, %s): original %q is not in the text", text, etype, e.Value.Original)
		}
	case nlu.NotFound:
	default:
		t.Fatalf("Extract(%q, %s): status %v", text, etype, e.Status)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func FuzzNumber(f *testing.F) {
	for _, s := range []string{"3", "1,250.5", "-2", "twenty-one", "a hundred and five", "1234 5678 9800", "one two three", "N-95", "3.", ".5", "9,99,999", "1e400"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, etype := range []string{"@sys.number", "@sys.number-integer", "@sys.number-sequence", "@sys.unit-currency"} {
			checkExtraction(t, text, etype)
		}
		if e := fuzzModel.Extract(text, "@sys.number-integer", fuzzNow); e.Status == nlu.Found {
			// math.Trunc, not a conversion to int64: an integer past
			// int64's range (1e20, found by the fuzzer) is still one.
			if v, ok := e.Value.Resolved.(float64); !ok || math.IsInf(v, 0) || v != math.Trunc(v) {
				t.Fatalf("integer %#v", e.Value.Resolved)
			}
		}
	})
}

func FuzzDate(f *testing.F) {
	for _, s := range []string{"Jan 5", "5th of July 2022", "1/5/22", "2022-02-29", "Feb 29", "next Monday", "in 3 days", "the day after tomorrow", "Christmas day", "tomorrow at 3pm", "12/31/9999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, etype := range []string{"@sys.date", "@sys.date-time"} {
			checkExtraction(t, text, etype)
			e := fuzzModel.Extract(text, etype, fuzzNow)
			if e.Status != nlu.Found {
				continue
			}
			v := e.Value.Resolved.(map[string]any)
			y, m, d := int(v["year"].(float64)), time.Month(v["month"].(float64)), int(v["day"].(float64))
			if got := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); got.Year() != y || got.Month() != m || got.Day() != d {
				t.Fatalf("Extract(%q, %s) = %v, not a real date", text, etype, v)
			}
		}
	})
}

func FuzzTime(f *testing.F) {
	for _, s := range []string{"3pm", "3:30 p.m.", "12am", "15:45:10", "noon", "10 o'clock", "1m", "half an hour", "2hrs", "99:99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, etype := range []string{"@sys.time", "@sys.duration"} {
			checkExtraction(t, text, etype)
		}
		if e := fuzzModel.Extract(text, "@sys.time", fuzzNow); e.Status == nlu.Found {
			v := e.Value.Resolved.(map[string]any)
			if h, m := v["hours"].(float64), v["minutes"].(float64); h < 0 || h > 23 || m < 0 || m > 59 {
				t.Fatalf("Extract(%q) = %v", text, v)
			}
		}
	})
}

// FuzzUnderstand runs a whole turn on the flight agent: it must not
// panic, and must give the same answer twice.
func FuzzUnderstand(f *testing.F) {
	a := loadExport(f, "../testdata/agents/digibhem-flight-bot")
	m := a.prepare(f)
	for _, s := range []string{"need one way ticket pls", "New York Kennedy airport", "it's janedoe@gmail.com", "123 Main St Palo Alto CA", "Jan 5", ""} {
		f.Add(s)
	}
	form := &nlu.Form{Prompted: "arrival_airport", Params: []nlu.FormParam{
		{Name: "arrival_airport", EntityType: "@airport-codes"},
		{Name: "outbound_departure_time", EntityType: "@sys.time"},
		{Name: "passenger_name", EntityType: "@sys.any"},
	}}
	f.Fuzz(func(t *testing.T, text string) {
		req := nlu.TurnRequest{Text: text, Now: fuzzNow, Form: form}
		a, b := m.Understand(req), m.Understand(req)
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			t.Fatalf("Understand(%q) differs between two calls:\n%s\n%s", text, ja, jb)
		}
		if a.Intent.Confidence < 0 || a.Intent.Confidence > 1 {
			t.Fatalf("confidence %v", a.Intent.Confidence)
		}
	})
}
