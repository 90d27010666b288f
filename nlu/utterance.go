package nlu

import (
	"strings"
	"time"
)

// maxUtteranceBytes bounds the text one call looks at. CX raises
// sys.long-utterance past 256 characters; the rest of a longer input is
// ignored here rather than scanned, so a caller cannot make a call slow
// by sending a large text.
const maxUtteranceBytes = 1024

// utterance is an input prepared once for every extractor and the
// matcher: its tokens, the indices of its word tokens, and the clock.
type utterance struct {
	text string
	toks []token
	w    []int // indices in toks of the word and number tokens
	now  time.Time
	// cache of spans per entity type name, exact (fuzzy=false) only
	cache map[string][]span
}

func newUtterance(text string, now time.Time) *utterance {
	if len(text) > maxUtteranceBytes {
		// Cut at a rune boundary.
		cut := maxUtteranceBytes
		for cut > 0 && text[cut]&0xC0 == 0x80 {
			cut--
		}
		text = text[:cut]
	}
	u := &utterance{text: text, toks: tokenize(text), now: now}
	for i, t := range u.toks {
		if t.kind != tokPunct {
			u.w = append(u.w, i)
		}
	}
	return u
}

// word returns the i-th word token.
func (u *utterance) word(i int) token { return u.toks[u.w[i]] }

// norm returns the normalised text of the i-th word.
func (u *utterance) norm(i int) string { return u.toks[u.w[i]].norm }

// original returns the text of words [ws, we) as the user wrote it,
// punctuation between them included.
func (u *utterance) original(ws, we int) string {
	if ws >= we {
		return ""
	}
	return u.text[u.word(ws).start:u.word(we-1).end]
}

// joined returns the normalised words [ws, we) separated by spaces.
func (u *utterance) joined(ws, we int) string {
	var b strings.Builder
	for i := ws; i < we; i++ {
		if i > ws {
			b.WriteByte(' ')
		}
		b.WriteString(u.norm(i))
	}
	return b.String()
}

// wordRange converts a byte range of the text to the range of words that
// lie inside it; ok is false when no word does.
func (u *utterance) wordRange(bs, be int) (ws, we int, ok bool) {
	ws = -1
	for i := range u.w {
		t := u.word(i)
		if t.start >= bs && t.end <= be {
			if ws < 0 {
				ws = i
			}
			we = i + 1
		}
	}
	return ws, we, ws >= 0
}

// punctBetween returns the punctuation tokens between word i-1 and word
// i, and whether white space separates them. For i == 0 it is the
// punctuation before the first word.
func (u *utterance) punctBetween(i int) (punct string, spaced bool) {
	lo := 0
	if i > 0 {
		lo = u.w[i-1] + 1
	}
	hi := u.w[i]
	var b strings.Builder
	spaced = u.toks[hi].spaced
	for k := lo; k < hi; k++ {
		b.WriteString(u.toks[k].norm)
		if u.toks[k].spaced {
			spaced = true
		}
	}
	return b.String(), spaced
}

// span is a value found in an utterance: words [ws, we), the resolved
// value in the shape Dialogflow sends, and a score (1 for an exact
// match, less for a fuzzy one).
type span struct {
	ws, we int
	value  any
	score  float64
}
