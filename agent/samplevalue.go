package agent

import (
	"strconv"
	"strings"
	"time"

	"github.com/cxhook/cxhook/fulfillment"
)

// A sampleValue is a value a parameter can take and what a user says for
// it.
type sampleValue struct {
	value fulfillment.Value
	text  string
}

// The day sample dates fall on: far enough ahead that handlers which turn
// away past days accept it.
var sampleDay = fulfillment.Date{Year: 2036, Month: time.March, Day: 14}

// systemSamples are values of the system entities, in the shapes
// Dialogflow sends (see the sysentity types of package fulfillment).
var systemSamples = map[string]func() sampleValue{
	"sys.date": func() sampleValue { return sampleValue{fulfillment.ValueOf(sampleDay), "March 14, 2036"} },
	"sys.time": func() sampleValue { return sampleValue{fulfillment.ValueOf(fulfillment.TimeOfDay{Hours: 15}), "3 PM"} },
	"sys.date-time": func() sampleValue {
		return sampleValue{fulfillment.ValueOf(fulfillment.DateTime{Date: sampleDay, TimeOfDay: fulfillment.TimeOfDay{Hours: 15}}), "March 14, 2036 at 3 PM"}
	},
	"sys.duration": func() sampleValue {
		return sampleValue{fulfillment.ValueOf(fulfillment.Duration{Amount: 10, Unit: "min"}), "10 minutes"}
	},
	"sys.unit-currency": func() sampleValue {
		return sampleValue{fulfillment.ValueOf(fulfillment.Money{Amount: 25, Currency: "USD"}), "25 dollars"}
	},
	"sys.person": func() sampleValue {
		return sampleValue{fulfillment.ValueOf(fulfillment.Person{Name: "Jane Doe", Original: "Jane Doe"}), "Jane Doe"}
	},
	"sys.location": func() sampleValue {
		return sampleValue{fulfillment.ValueOf(fulfillment.Location{Original: "1600 Amphitheatre Parkway, Mountain View"}), "1600 Amphitheatre Parkway, Mountain View"}
	},
	"sys.number":          func() sampleValue { return sampleValue{fulfillment.ValueOf(3), "3"} },
	"sys.number-integer":  func() sampleValue { return sampleValue{fulfillment.ValueOf(3), "3"} },
	"sys.cardinal":        func() sampleValue { return sampleValue{fulfillment.ValueOf(3), "3"} },
	"sys.ordinal":         func() sampleValue { return sampleValue{fulfillment.ValueOf(2), "second"} },
	"sys.number-sequence": func() sampleValue { return sampleValue{fulfillment.ValueOf("123456"), "123456"} },
	"sys.phone-number":    func() sampleValue { return sampleValue{fulfillment.ValueOf("+14155550123"), "415 555 0123"} },
	"sys.email": func() sampleValue {
		return sampleValue{fulfillment.ValueOf("jane.doe@example.com"), "jane.doe@example.com"}
	},
	"sys.url":      func() sampleValue { return sampleValue{fulfillment.ValueOf("https://example.com"), "example.com"} },
	"sys.zip-code": func() sampleValue { return sampleValue{fulfillment.ValueOf("94043"), "94043"} },
	"sys.address": func() sampleValue {
		return sampleValue{fulfillment.ValueOf("1600 Amphitheatre Parkway, Mountain View, CA 94043"), "1600 Amphitheatre Parkway, Mountain View, CA 94043"}
	},
	"sys.geo-city":    func() sampleValue { return sampleValue{fulfillment.ValueOf("San Francisco"), "San Francisco"} },
	"sys.geo-state":   func() sampleValue { return sampleValue{fulfillment.ValueOf("California"), "California"} },
	"sys.geo-country": func() sampleValue { return sampleValue{fulfillment.ValueOf("United States"), "United States"} },
	"sys.color":       func() sampleValue { return sampleValue{fulfillment.ValueOf("blue"), "blue"} },
	"sys.language":    func() sampleValue { return sampleValue{fulfillment.ValueOf("English"), "English"} },
	"sys.given-name":  func() sampleValue { return sampleValue{fulfillment.ValueOf("Jane"), "Jane"} },
	"sys.last-name":   func() sampleValue { return sampleValue{fulfillment.ValueOf("Doe"), "Doe"} },
	"sys.percentage":  func() sampleValue { return sampleValue{fulfillment.ValueOf("15%"), "15 percent"} },
}

// sample returns a value of form parameter fp. Parameters of one form
// with the same custom entity type take its entries in turn, so that a
// form asking for two airports gets two different ones.
func (g *sampler) sample(fp *FormParameter) sampleValue {
	if fp == nil {
		return sampleValue{fulfillment.ValueOf(""), ""}
	}
	nth := 0
	for _, other := range fp.Page.Form {
		if other == fp {
			break
		}
		if other.EntityType.Type != nil && other.EntityType.Type == fp.EntityType.Type {
			nth++
		}
	}
	return g.sampleOf(fp.EntityType, fp.IsList, fp.DisplayName, nth)
}

// entityValue returns the value of an intent parameter that the text
// original of a training phrase annotates.
func (g *sampler) entityValue(ref EntityRef, isList bool, name, original string) fulfillment.Value {
	if et := ref.Type; et != nil {
		// The entity whose value or synonyms the text is.
		for _, e := range et.Entities {
			if g.lang(e.LanguageCode) && (strings.EqualFold(e.Value, original) || containsFold(e.Synonyms, original)) {
				return listOf(fulfillment.ValueOf(e.Value), isList)
			}
		}
	}
	sys, isSys := ref.System()
	switch {
	case isSys && (sys == "sys.number" || sys == "sys.number-integer" || sys == "sys.cardinal"):
		if f, err := strconv.ParseFloat(strings.TrimSpace(original), 64); err == nil {
			return listOf(fulfillment.ValueOf(f), isList)
		}
	case isSys && (sys == "sys.any" || systemSamples[sys] == nil || systemSamples[sys]().value.Kind() != "map"):
		// A value the text is: words, a number sequence, an e-mail address.
		return listOf(fulfillment.ValueOf(strings.TrimSpace(original)), isList)
	}
	return g.sampleOf(ref, isList, name, 0).value
}

func (g *sampler) lang(code string) bool { return code == "" || code == g.opts.LanguageCode }

func (g *sampler) sampleOf(ref EntityRef, isList bool, name string, nth int) sampleValue {
	var s sampleValue
	switch sys, isSys := ref.System(); {
	case ref.Type != nil:
		s = g.entitySample(ref.Type, nth)
	case isSys && systemSamples[sys] != nil:
		s = systemSamples[sys]()
	default:
		// @sys.any, another system entity, or none: words.
		text := "some text"
		if strings.Contains(strings.ToLower(name), "name") {
			text = "Jane Doe"
		}
		s = sampleValue{fulfillment.ValueOf(text), text}
	}
	s.value = listOf(s.value, isList)
	return s
}

// entitySample returns a custom entity type's nth entry in the language
// (counting round). An entry that is another entity type ("@sys.email",
// in a composite type) gives a value of that type.
func (g *sampler) entitySample(et *EntityType, nth int) sampleValue {
	var entries []Entity
	for _, e := range et.Entities {
		if g.lang(e.LanguageCode) {
			entries = append(entries, e)
		}
	}
	if len(entries) > 0 {
		e := entries[nth%len(entries)]
		if strings.HasPrefix(e.Value, "@") && g.depth < 4 {
			ref := EntityRef{Name: e.Value, Type: g.a.EntityType(strings.TrimPrefix(e.Value, "@"))}
			g.depth++
			defer func() { g.depth-- }()
			return g.sampleOf(ref, false, "", 0)
		}
		switch et.Kind {
		case KindRegexp:
			// A regexp entity's value is its pattern; the user's text is
			// the value.
			return sampleValue{fulfillment.ValueOf("sample"), "sample"}
		case KindList:
			return sampleValue{fulfillment.ValueOf(e.Value), e.Value}
		}
		text := e.Value
		if len(e.Synonyms) > 0 {
			text = e.Synonyms[0]
		}
		return sampleValue{fulfillment.ValueOf(e.Value), strings.TrimSpace(text)}
	}
	return sampleValue{fulfillment.ValueOf("sample"), "sample"}
}

func listOf(v fulfillment.Value, isList bool) fulfillment.Value {
	if !isList {
		return v
	}
	return fulfillment.ValueOf([]fulfillment.Value{v})
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(strings.TrimSpace(x), strings.TrimSpace(s)) {
			return true
		}
	}
	return false
}
