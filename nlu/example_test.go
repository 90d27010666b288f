package nlu_test

import (
	"fmt"
	"time"

	"github.com/cxhook/cxhook/nlu"
)

func Example() {
	m, err := nlu.Prepare(nlu.Config{
		TimeZone:        time.UTC,
		SpellCorrection: true,
		EntityTypes: []nlu.EntityType{{
			DisplayName: "flight-type",
			Entities: []nlu.Entity{
				{Value: "one-way", Synonyms: []string{"one way", "single"}},
				{Value: "round-trip", Synonyms: []string{"round trip", "return"}},
			},
		}},
		Intents: []nlu.Intent{{
			DisplayName: "flights.book",
			Parameters:  []nlu.Param{{ID: "flight-type", EntityType: "@flight-type", IsList: true}},
			Phrases: []nlu.Phrase{
				{Parts: []nlu.Part{{Text: "i want to book a "}, {Text: "one way", ParameterID: "flight-type"}, {Text: " ticket"}}},
				{Parts: []nlu.Part{{Text: "book a flight"}}},
			},
		}, {
			DisplayName: "small_talk.thanks",
			Phrases:     []nlu.Phrase{{Parts: []nlu.Part{{Text: "thank you"}}}, {Parts: []nlu.Part{{Text: "thanks a lot"}}}},
		}},
	})
	if err != nil {
		panic(err)
	}
	now := time.Date(2020, 12, 2, 10, 0, 0, 0, time.UTC)

	// A reworded, misspelt request: the annotated part gives the parameter.
	r := m.Classify(nlu.Request{Text: "I wanna book a return tiket", Now: now})
	fmt.Printf("%s %.2f %v\n", r.Intent, r.Confidence, r.Parameters[0].Resolved)

	// Nothing like any phrase: no match, and the runtime raises sys.no-match.
	r = m.Classify(nlu.Request{Text: "what's the weather", Now: now})
	fmt.Printf("%q %v\n", r.Intent, r.Reason)

	// While a form asks for a date, "Jan 5" fills it, resolved against the
	// session's clock.
	t := m.Understand(nlu.TurnRequest{Text: "Jan 5", Now: now, Form: &nlu.Form{
		Prompted: "departure_date",
		Params:   []nlu.FormParam{{Name: "departure_date", EntityType: "@sys.date"}},
	}})
	fmt.Println(t.Kind, t.Form.Filled[0].Param, t.Form.Filled[0].Resolved)
	// Output:
	// flights.book 0.72 [round-trip]
	// "" below threshold
	// form filled departure_date map[day:5 month:1 year:2021]
}
