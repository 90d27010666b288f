package nlu

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	emailRE = regexp.MustCompile(`[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)
	urlRE   = regexp.MustCompile(`(?i)\b(?:https?://[^\s]+|www\.[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/[^\s]*)?|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|edu|gov|io|dev|app|co|uk|de|fr|info|biz)\b(?:/[^\s]*)?)`)
	// A phone number: an optional +, then digits with the usual
	// separators; 7 to 15 digits in all (checked after matching).
	phoneRE = regexp.MustCompile(`\+?\(?\d[\d\s().-]*\d`)
	zipRE   = regexp.MustCompile(`\b\d{5}(?:-\d{4})?\b`)
)

// trimURL drops sentence punctuation that ends a URL match.
func trimURL(s string) string {
	return strings.TrimRight(s, ".,;:!?)")
}

// regexpSpans turns the matches of re in u's text into spans whose value
// is the matched text, mapped by value.
func regexpSpans(u *utterance, re *regexp.Regexp, value func(string) (any, bool)) []span {
	var out []span
	for _, m := range re.FindAllStringIndex(u.text, -1) {
		s := u.text[m[0]:m[1]]
		v, ok := value(s)
		if !ok {
			continue
		}
		if ws, we, ok := u.wordRange(m[0], m[1]); ok {
			out = append(out, span{ws: ws, we: we, value: v, score: 1})
		}
	}
	return out
}

func emailSpans(u *utterance) []span {
	return regexpSpans(u, emailRE, func(s string) (any, bool) { return s, true })
}

func urlSpans(u *utterance) []span {
	emails := emailRE.FindAllStringIndex(u.text, -1)
	var out []span
	for _, m := range urlRE.FindAllStringIndex(u.text, -1) {
		inEmail := false
		for _, e := range emails {
			if m[0] < e[1] && e[0] < m[1] {
				inEmail = true
			}
		}
		if inEmail {
			continue
		}
		s := trimURL(u.text[m[0]:m[1]])
		if ws, we, ok := u.wordRange(m[0], m[0]+len(s)); ok {
			out = append(out, span{ws: ws, we: we, value: s, score: 1})
		}
	}
	return out
}

// phoneSpans: the value is the number as written, trimmed. (Dialogflow
// returns the phone number as a string; whether CX reformats it is not
// documented.)
func phoneSpans(u *utterance) []span {
	return regexpSpans(u, phoneRE, func(s string) (any, bool) {
		s = strings.TrimSpace(s)
		n := 0
		for _, r := range s {
			if r >= '0' && r <= '9' {
				n++
			}
		}
		return s, n >= 7 && n <= 15
	})
}

// zipSpans: a US ZIP code, five digits or ZIP+4, as a string.
func zipSpans(u *utterance) []span {
	return regexpSpans(u, zipRE, func(s string) (any, bool) { return s, true })
}

// anySpans: @sys.any is the whole utterance, trimmed.
func anySpans(u *utterance) []span {
	if len(u.w) == 0 {
		return nil
	}
	return []span{{ws: 0, we: len(u.w), value: strings.TrimSpace(u.text[u.word(0).start:u.word(len(u.w)-1).end]), score: 1}}
}

// personLeads are words after which a name is expected.
var personLeads = [][]string{
	{"my", "name", "is"}, {"name", "is"}, {"this", "is"}, {"call", "me"},
	{"im"}, {"i", "am"}, {"its"}, {"it", "is"},
}

// nameStop are words that end a name.
var nameStop = map[string]bool{"and": true, "please": true, "thanks": true, "thank": true, "from": true, "but": true}

// personSpans: @sys.person as {"name": "..."} (Dialogflow ES's shape;
// CX's is assumed the same). A name is one to three words after "my name
// is", "this is", "I am", "call me", or an utterance made only of one to
// three capitalised words. It is a heuristic: there is no list of names.
func personSpans(u *utterance) []span {
	var out []span
	capitalised := func(i int) bool {
		t := u.word(i)
		r := []rune(u.text[t.start:t.end])
		return t.kind == tokWord && len(r) > 0 && unicode.IsUpper(r[0])
	}
	for _, lead := range personLeads {
	next:
		for i := 0; i+len(lead) < len(u.w); i++ {
			for k, w := range lead {
				if u.norm(i+k) != w {
					continue next
				}
			}
			s := i + len(lead)
			e := s
			// After "name is" and "call me" a name may be in lower case;
			// after "I am", "this is" it must be capitalised ("I am
			// tired" is no name).
			anyCase := lead[len(lead)-1] == "is" && len(lead) > 1 && lead[0] != "this" && lead[0] != "it" || lead[0] == "call"
			for e < len(u.w) && e-s < 3 && u.word(e).kind == tokWord && (capitalised(e) || anyCase) && !nameStop[u.norm(e)] {
				e++
			}
			if e > s {
				out = append(out, span{ws: s, we: e, value: map[string]any{"name": u.original(s, e)}, score: 1})
				return out
			}
		}
	}
	if n := len(u.w); n >= 1 && n <= 3 {
		for i := 0; i < n; i++ {
			if !capitalised(i) {
				return nil
			}
		}
		out = append(out, span{ws: 0, we: n, value: map[string]any{"name": u.original(0, n)}, score: 1})
	}
	return out
}

// currencies maps currency words and symbols to ISO 4217 codes.
var currencies = map[string]string{
	"$": "USD", "dollar": "USD", "dollars": "USD", "usd": "USD", "bucks": "USD", "buck": "USD",
	"€": "EUR", "euro": "EUR", "euros": "EUR", "eur": "EUR",
	"£": "GBP", "pound": "GBP", "pounds": "GBP", "gbp": "GBP", "quid": "GBP",
	"¥": "JPY", "yen": "JPY", "jpy": "JPY",
	"cad": "CAD", "aud": "AUD", "chf": "CHF", "inr": "INR", "rupees": "INR", "rupee": "INR",
}

// currencySpans: @sys.unit-currency as {"amount": n, "currency": "USD"}
// (Dialogflow ES's shape): "$10", "10 dollars", "€5.50", "USD 20".
func currencySpans(u *utterance) []span {
	var out []span
	for _, n := range numbers(u) {
		// A symbol or code before: "$10", "USD 20"
		if p, _ := u.punctBetween(n.ws); p != "" {
			r, _ := utf8.DecodeLastRuneInString(p)
			if c, ok := currencies[string(r)]; ok {
				out = append(out, span{ws: n.ws, we: n.we, value: map[string]any{"amount": n.value, "currency": c}, score: 1})
				continue
			}
		}
		if n.ws > 0 {
			if c, ok := currencies[u.norm(n.ws-1)]; ok && len(u.norm(n.ws-1)) == 3 {
				out = append(out, span{ws: n.ws - 1, we: n.we, value: map[string]any{"amount": n.value, "currency": c}, score: 1})
				continue
			}
		}
		if n.we < len(u.w) {
			if c, ok := currencies[u.norm(n.we)]; ok {
				out = append(out, span{ws: n.ws, we: n.we + 1, value: map[string]any{"amount": n.value, "currency": c}, score: 1})
				continue
			}
		}
	}
	return out
}

// streetWords mark a street address.
var streetWords = map[string]bool{
	"st": true, "street": true, "ave": true, "avenue": true, "rd": true, "road": true,
	"blvd": true, "boulevard": true, "ln": true, "lane": true, "dr": true, "drive": true,
	"way": true, "ct": true, "court": true, "pl": true, "place": true, "hwy": true,
	"highway": true, "pkwy": true, "parkway": true, "sq": true, "square": true, "ter": true,
	"terrace": true, "cir": true, "circle": true,
}

// addressSpans: @sys.address, as a heuristic: a house number followed,
// within five words, by a street word ("st", "avenue", "road"...), up
// to the end of the utterance (city, state and ZIP code included); the
// value is the text as written. CX resolves addresses with a model; its
// spans differ (a recorded turn shows "123 Any St" resolved as "St").
func addressSpans(u *utterance) []span {
	for i := 0; i < len(u.w); i++ {
		if u.word(i).kind != tokNumber {
			continue
		}
		for k := i + 1; k < len(u.w) && k <= i+5; k++ {
			if streetWords[u.norm(k)] {
				return []span{{ws: i, we: len(u.w), value: u.original(i, len(u.w)), score: 1}}
			}
		}
	}
	return nil
}
