package nlu

import (
	"math"
	"strconv"
	"strings"
)

// Numbers: digits ("42", "1,250", "3.5", "-2") and English number words
// ("forty two", "twenty-one", "a hundred and five", "two thousand"),
// resolved as a float64 the way Dialogflow sends @sys.number.

var smallNumbers = map[string]float64{
	"zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
	"six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
	"twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
	"seventeen": 17, "eighteen": 18, "nineteen": 19,
}

var tensNumbers = map[string]float64{
	"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
	"seventy": 70, "eighty": 80, "ninety": 90,
}

var scaleNumbers = map[string]float64{
	"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9,
}

// number is one number found in an utterance.
type number struct {
	ws, we  int
	value   float64
	integer bool // written without a fraction
	digits  bool // written with digits
}

// numbers returns the numbers of u, left to right, not overlapping.
func numbers(u *utterance) []number {
	var out []number
	for i := 0; i < len(u.w); {
		if n, ok := digitNumber(u, i); ok {
			out = append(out, n)
			i = n.we
			continue
		}
		if n, ok := wordNumber(u, i); ok {
			out = append(out, n)
			i = n.we
			continue
		}
		i++
	}
	return out
}

// digitNumber reads a number written with digits at word i: thousands
// separators (a comma followed by exactly three digits, no space),
// one decimal point, and a minus sign written just before it.
func digitNumber(u *utterance, i int) (number, bool) {
	t := u.word(i)
	if t.kind != tokNumber {
		return number{}, false
	}
	var b strings.Builder
	b.WriteString(t.norm)
	j := i + 1
	grouped := false
	for j < len(u.w) {
		p, spaced := u.punctBetween(j)
		nt := u.word(j)
		if spaced || nt.kind != tokNumber {
			break
		}
		if p == "," && len(nt.norm) == 3 && (grouped || len(t.norm) <= 3) {
			b.WriteString(nt.norm)
			grouped = true
			j++
			continue
		}
		break
	}
	integer := true
	if j < len(u.w) {
		p, spaced := u.punctBetween(j)
		nt := u.word(j)
		if !spaced && p == "." && nt.kind == tokNumber {
			b.WriteByte('.')
			b.WriteString(nt.norm)
			integer = false
			j++
		}
	}
	s := b.String()
	if p, _ := u.punctBetween(i); strings.HasSuffix(p, "-") {
		// "-2" is negative, "2-3" and "N-95" are not: the minus must begin
		// the text or follow white space.
		k := u.w[i] - 1
		if k == 0 || u.toks[k].spaced {
			s = "-" + s
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) {
		return number{}, false
	}
	// A number glued to letters on its right ("3pm", "5th", "1m") is not a
	// plain number: the time, date and duration parsers read those.
	if j < len(u.w) {
		if _, spaced := u.punctBetween(j); !spaced && u.word(j).kind == tokWord {
			return number{}, false
		}
	}
	return number{ws: i, we: j, value: v, integer: integer, digits: true}, true
}

// wordNumber reads a number written in English words at word i.
func wordNumber(u *utterance, i int) (number, bool) {
	total, group := 0.0, 0.0
	j := i
	seen := false
	last := "" // kind of the last word: "small", "tens", "scale"
	for j < len(u.w) {
		w := u.norm(j)
		if v, ok := smallNumbers[w]; ok {
			if w == "oh" && !seen {
				break // "oh" only inside a number
			}
			if last == "small" || (last == "tens" && v >= 10) {
				break // "five six" is two numbers
			}
			group += v
			last = "small"
		} else if v, ok := tensNumbers[w]; ok {
			if last == "small" || last == "tens" {
				break
			}
			group += v
			last = "tens"
		} else if v, ok := scaleNumbers[w]; ok {
			if !seen {
				break
			}
			if v == 100 {
				if group == 0 {
					group = 1
				}
				group *= 100
			} else {
				if group == 0 {
					group = 1
				}
				total += group * v
				group = 0
			}
			last = "scale"
		} else if (w == "a" || w == "an") && !seen && j+1 < len(u.w) {
			if _, ok := scaleNumbers[u.norm(j+1)]; !ok {
				break
			}
			group = 1
			last = "small"
			j++
			seen = true
			continue
		} else if w == "and" && seen && last == "scale" && j+1 < len(u.w) {
			nw := u.norm(j + 1)
			if _, ok := smallNumbers[nw]; !ok {
				if _, ok := tensNumbers[nw]; !ok {
					break
				}
			}
			j++
			continue
		} else {
			break
		}
		seen = true
		j++
	}
	if !seen || (last == "scale" && j == i+1) {
		return number{}, false
	}
	return number{ws: i, we: j, value: total + group, integer: true}, true
}

// numberSpans are the @sys.number values of u.
func numberSpans(u *utterance) []span {
	var out []span
	for _, n := range numbers(u) {
		out = append(out, span{ws: n.ws, we: n.we, value: n.value, score: 1})
	}
	return out
}

// integerSpans are the @sys.number-integer values of u.
func integerSpans(u *utterance) []span {
	var out []span
	for _, n := range numbers(u) {
		if n.integer {
			out = append(out, span{ws: n.ws, we: n.we, value: n.value, score: 1})
		}
	}
	return out
}

// sequenceSpans are the @sys.number-sequence values of u: runs of digits,
// separated by spaces, dashes or dots ("1234 5678 9800",
// "650-253-0000"), and runs of spoken digits ("one two three"); the value
// is the string of digits.
func sequenceSpans(u *utterance) []span {
	var out []span
	for i := 0; i < len(u.w); {
		var b strings.Builder
		j := i
		for j < len(u.w) {
			t := u.word(j)
			if j > i {
				p, _ := u.punctBetween(j)
				if p != "" && p != "-" && p != "." {
					break
				}
			}
			if t.kind == tokNumber {
				if j+1 < len(u.w) {
					if _, spaced := u.punctBetween(j + 1); !spaced && u.word(j+1).kind == tokWord {
						break // "3pm", "5th"
					}
				}
				b.WriteString(t.norm)
			} else if v, ok := smallNumbers[t.norm]; ok && v < 10 {
				b.WriteByte(byte('0' + int(v)))
			} else {
				break
			}
			j++
		}
		if j > i && hasDigit(u, i, j) {
			out = append(out, span{ws: i, we: j, value: b.String(), score: 1})
			i = j
			continue
		}
		i++
	}
	return out
}

// hasDigit reports whether words [i, j) hold a digit token or at least
// two spoken digits: one spoken word alone ("one way") is not a sequence.
func hasDigit(u *utterance, i, j int) bool {
	for k := i; k < j; k++ {
		if u.word(k).kind == tokNumber {
			return true
		}
	}
	return j-i >= 2
}
