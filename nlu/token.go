package nlu

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind says what a token is made of.
type tokKind uint8

const (
	tokWord   tokKind = iota // letters (apostrophes inside a word are dropped)
	tokNumber                // ASCII or Unicode decimal digits
	tokPunct                 // one other visible character
)

// token is one piece of an utterance or a training phrase. Letters and
// digits are never in the same token ("3pm" is "3" then "pm", "n95" is
// "n" then "95"), so that the parsers of numbers, dates and times see
// the same pieces however the user spaced them.
type token struct {
	norm       string // lower-cased, apostrophes removed; the punctuation itself for tokPunct
	start, end int    // byte offsets in the text
	kind       tokKind
	spaced     bool // white space (or the start of the text) comes before it
}

// isApostrophe reports the characters used as apostrophes in user text.
func isApostrophe(r rune) bool {
	return r == '\'' || r == '\u2019' || r == '\u2018' || r == '\u02bc'
}

// tokenize splits text into tokens. It does not allocate per word beyond
// the lower-cased copy, and it never fails: invalid UTF-8 is treated as
// punctuation, one byte at a time.
func tokenize(text string) []token {
	toks := make([]token, 0, 8)
	spaced := true
	i := 0
	var b strings.Builder
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case unicode.IsSpace(r):
			spaced = true
			i += size
		case unicode.IsLetter(r):
			start := i
			b.Reset()
			for i < len(text) {
				r, size = utf8.DecodeRuneInString(text[i:])
				if unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) {
					b.WriteRune(unicode.ToLower(r))
					i += size
					continue
				}
				// An apostrophe between two letters stays inside the word,
				// and is dropped: "don't" is "dont", "it's" is "its".
				if isApostrophe(r) && i+size < len(text) {
					r2, _ := utf8.DecodeRuneInString(text[i+size:])
					if unicode.IsLetter(r2) {
						i += size
						continue
					}
				}
				break
			}
			toks = append(toks, token{norm: b.String(), start: start, end: i, kind: tokWord, spaced: spaced})
			spaced = false
		case unicode.IsDigit(r):
			start := i
			b.Reset()
			for i < len(text) {
				r, size = utf8.DecodeRuneInString(text[i:])
				if !unicode.IsDigit(r) {
					break
				}
				if r >= '0' && r <= '9' {
					b.WriteRune(r)
				} else {
					// Other decimal digits (Arabic-Indic, fullwidth...) are
					// read as their ASCII value.
					b.WriteRune('0' + digitValue(r))
				}
				i += size
			}
			toks = append(toks, token{norm: b.String(), start: start, end: i, kind: tokNumber, spaced: spaced})
			spaced = false
		default:
			if r == utf8.RuneError && size == 1 {
				toks = append(toks, token{norm: text[i : i+1], start: i, end: i + 1, kind: tokPunct, spaced: spaced})
			} else {
				toks = append(toks, token{norm: text[i : i+size], start: i, end: i + size, kind: tokPunct, spaced: spaced})
			}
			spaced = false
			i += size
		}
	}
	return toks
}

// digitValue returns the value of a Unicode decimal digit. Every run of
// consecutive decimal digits in Unicode is made of whole ranges of ten
// that start at a zero, so the position in the run, modulo ten, is the
// value.
func digitValue(r rune) rune {
	n := rune(0)
	for n < 100 && unicode.IsDigit(r-1) {
		r--
		n++
	}
	return n % 10
}

// words returns the tokens that take part in similarity: words and
// numbers, without punctuation.
func words(toks []token) []token {
	out := toks[:0:0]
	for _, t := range toks {
		if t.kind != tokPunct {
			out = append(out, t)
		}
	}
	return out
}

// normalize is the form used for exact comparison of whole texts: the
// words and numbers of the text, lower-cased, separated by one space.
func normalize(text string) string {
	var b strings.Builder
	for _, t := range tokenize(text) {
		if t.kind == tokPunct {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.norm)
	}
	return b.String()
}

// stem reduces an English plural to its singular, lightly: "animals" is
// "animal", "policies" is "policy"; "yes", "this", "class" and "bus" are
// left alone. Only the matcher uses it, on both sides, so that a phrase
// about "tickets" matches a question about a "ticket".
func stem(w string) string {
	n := len(w)
	switch {
	case n > 4 && strings.HasSuffix(w, "ies"):
		return w[:n-3] + "y"
	case n > 3 && w[n-1] == 's' && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		return w[:n-1]
	}
	return w
}
