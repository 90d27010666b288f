package nlu

import (
	"strconv"
	"time"
)

// Dates, times, date-times and durations, resolved against the session's
// clock in the agent's time zone.
//
// The choices where CX documents nothing, each checked against the flight
// agent's recorded turns where they have an example:
//   - A day and month without a year ("Jan 5", "5th of July") is the next
//     such day from today, today included ("Dec 24" said on 2020-12-02 is
//     2020-12-24; "Mar 5" said on 2020-12-03 is 2021-03-05).
//   - A weekday ("Monday", "this Saturday") is the next such day, today
//     included; "next Monday" is the same day (CX's reading of "next" is
//     not documented, and people differ).
//   - Numeric dates are read month first (US English): "1/5" is January 5.
//   - A time needs "am"/"pm", a colon, "o'clock", "noon" or "midnight":
//     a bare "5" is a number, and "1m" is nothing (as in the recorded
//     turns, where CX re-prompted "1m").

var monthNames = map[string]time.Month{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
	"apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
	"aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10,
	"october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

var weekdayNames = map[string]time.Weekday{
	"sunday": 0, "sun": 0, "monday": 1, "mon": 1, "tuesday": 2, "tue": 2, "tues": 2,
	"wednesday": 3, "wed": 3, "thursday": 4, "thu": 4, "thur": 4, "thurs": 4,
	"friday": 5, "fri": 5, "saturday": 6, "sat": 6,
}

// holidays are fixed-date holidays, keyed by their normalised words.
var holidays = map[string][2]int{
	"christmas": {12, 25}, "christmas day": {12, 25}, "xmas": {12, 25},
	"christmas eve": {12, 24}, "new years day": {1, 1}, "new year": {1, 1},
	"new years": {1, 1}, "new years eve": {12, 31}, "halloween": {10, 31},
	"valentines day": {2, 14}, "valentines": {2, 14},
	"independence day": {7, 4}, "fourth of july": {7, 4},
}

// maxHolidayWords is the longest key of holidays, in words.
const maxHolidayWords = 3

var ordinalSuffix = map[string]bool{"st": true, "nd": true, "rd": true, "th": true}

var ordinalDays = map[string]int{
	"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
	"seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11,
	"twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
	"sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
	"twentieth": 20, "thirtieth": 30,
}

// dateValue is @sys.date's shape: {"year", "month", "day"} as numbers.
func dateValue(t time.Time) map[string]any {
	return map[string]any{"year": float64(t.Year()), "month": float64(t.Month()), "day": float64(t.Day())}
}

// timeValue is @sys.time's shape: {"hours", "minutes", "seconds", "nanos"}.
func timeValue(h, m, s int) map[string]any {
	return map[string]any{"hours": float64(h), "minutes": float64(m), "seconds": float64(s), "nanos": float64(0)}
}

// midnight returns the start of t's day, in t's location.
func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// validDate reports whether y-m-d exists.
func validDate(y int, m time.Month, d int) bool {
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return false
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return t.Day() == d
}

// nextDayMonth is the next m-d from today, today included.
func nextDayMonth(today time.Time, m time.Month, d int) (time.Time, bool) {
	for y := today.Year(); y <= today.Year()+4; y++ { // Feb 29 may be 4 years away
		if !validDate(y, m, d) {
			continue
		}
		t := time.Date(y, m, d, 0, 0, 0, 0, today.Location())
		if !t.Before(today) {
			return t, true
		}
	}
	return time.Time{}, false
}

// dayNumber reads a day of the month at word i: "5", "5th", "fifth",
// "twenty fifth" is not read. It returns the day and the end word.
func dayNumber(u *utterance, i int) (int, int, bool) {
	if i >= len(u.w) {
		return 0, 0, false
	}
	t := u.word(i)
	if t.kind == tokNumber && len(t.norm) <= 2 {
		d, _ := strconv.Atoi(t.norm)
		j := i + 1
		if j < len(u.w) && ordinalSuffix[u.norm(j)] {
			if _, spaced := u.punctBetween(j); !spaced {
				j++
			}
		}
		if j < len(u.w) {
			// "5pm", "5m" are not days.
			if _, spaced := u.punctBetween(j); !spaced && u.word(j).kind == tokWord {
				return 0, 0, false
			}
		}
		return d, j, d >= 1 && d <= 31
	}
	if d, ok := ordinalDays[t.norm]; ok {
		return d, i + 1, true
	}
	return 0, 0, false
}

// yearAt reads a four-digit year at word i, after an optional comma.
func yearAt(u *utterance, i int) (int, int, bool) {
	if i >= len(u.w) {
		return 0, 0, false
	}
	t := u.word(i)
	if t.kind != tokNumber || len(t.norm) != 4 {
		return 0, 0, false
	}
	if i+1 < len(u.w) {
		if _, spaced := u.punctBetween(i + 1); !spaced && u.word(i+1).kind == tokWord {
			return 0, 0, false
		}
	}
	y, _ := strconv.Atoi(t.norm)
	return y, i + 1, y >= 1900 && y <= 2200
}

// dateAt reads a date starting at word i.
func dateAt(u *utterance, i int, today time.Time) (time.Time, int, bool) {
	w := u.norm(i)
	// Relative days.
	switch w {
	case "today", "tonight":
		return today, i + 1, true
	case "tomorrow", "tmrw", "tmr":
		return today.AddDate(0, 0, 1), i + 1, true
	case "yesterday":
		return today.AddDate(0, 0, -1), i + 1, true
	case "day":
		// "day after tomorrow", "day before yesterday"
		if i+2 < len(u.w) && u.norm(i+1) == "after" && u.norm(i+2) == "tomorrow" {
			return today.AddDate(0, 0, 2), i + 3, true
		}
		if i+2 < len(u.w) && u.norm(i+1) == "before" && u.norm(i+2) == "yesterday" {
			return today.AddDate(0, 0, -2), i + 3, true
		}
	case "this", "next", "coming", "on":
		if i+1 < len(u.w) {
			if wd, ok := weekdayNames[u.norm(i+1)]; ok {
				return nextWeekday(today, wd), i + 2, true
			}
		}
	case "in":
		// "in 3 days", "in two weeks"
		if n, ok := countAt(u, i+1); ok && n.we < len(u.w) {
			switch u.norm(n.we) {
			case "day", "days":
				return today.AddDate(0, 0, int(n.value)), n.we + 1, true
			case "week", "weeks":
				return today.AddDate(0, 0, 7*int(n.value)), n.we + 1, true
			}
		}
	}
	if wd, ok := weekdayNames[w]; ok && isWeekdayWord(u, i) {
		return nextWeekday(today, wd), i + 1, true
	}
	// Holidays, longest first.
	for n := min(maxHolidayWords, len(u.w)-i); n >= 1; n-- {
		if md, ok := holidays[u.joined(i, i+n)]; ok {
			if t, ok := nextDayMonth(today, time.Month(md[0]), md[1]); ok {
				return t, i + n, true
			}
		}
	}
	// Month day [year]: "Jan 5", "January 5th, 2022"
	if m, ok := monthNames[w]; ok {
		j := i + 1
		if j < len(u.w) && u.norm(j) == "the" {
			j++
		}
		if d, j2, ok := dayNumber(u, j); ok {
			if y, j3, ok := yearAt(u, j2); ok && validDate(y, m, d) {
				return time.Date(y, m, d, 0, 0, 0, 0, today.Location()), j3, true
			}
			if t, ok := nextDayMonth(today, m, d); ok {
				return t, j2, true
			}
		}
	}
	// Day [of] month [year]: "5 July", "5th of July"
	if d, j, ok := dayNumber(u, i); ok {
		if j < len(u.w) && u.norm(j) == "of" {
			j++
		}
		if j < len(u.w) {
			if m, ok := monthNames[u.norm(j)]; ok {
				if y, j3, ok := yearAt(u, j+1); ok && validDate(y, m, d) {
					return time.Date(y, m, d, 0, 0, 0, 0, today.Location()), j3, true
				}
				if t, ok := nextDayMonth(today, m, d); ok {
					return t, j + 1, true
				}
			}
		}
	}
	// Numeric: 2022-01-05, 1/5, 1/5/2022, 1-5-22
	if t, j, ok := numericDate(u, i, today); ok {
		return t, j, true
	}
	return time.Time{}, 0, false
}

// numericDate reads yyyy-mm-dd, m/d, m/d/yy and m/d/yyyy at word i.
func numericDate(u *utterance, i int, today time.Time) (time.Time, int, bool) {
	var parts []string
	sep := ""
	j := i
	for j < len(u.w) && len(parts) < 3 {
		t := u.word(j)
		if t.kind != tokNumber {
			break
		}
		if j > i {
			p, spaced := u.punctBetween(j)
			if spaced || (p != "/" && p != "-" && p != ".") || (sep != "" && p != sep) {
				break
			}
			sep = p
		}
		parts = append(parts, t.norm)
		j++
	}
	if len(parts) < 2 || sep == "" {
		return time.Time{}, 0, false
	}
	if j < len(u.w) {
		if _, spaced := u.punctBetween(j); !spaced && u.word(j).kind == tokWord {
			return time.Time{}, 0, false
		}
	}
	n := make([]int, len(parts))
	for k, p := range parts {
		n[k], _ = strconv.Atoi(p)
	}
	if len(parts[0]) == 4 && len(parts) == 3 {
		if validDate(n[0], time.Month(n[1]), n[2]) {
			return time.Date(n[0], time.Month(n[1]), n[2], 0, 0, 0, 0, today.Location()), j, true
		}
		return time.Time{}, 0, false
	}
	if len(parts[0]) > 2 || len(parts[1]) > 2 {
		return time.Time{}, 0, false
	}
	m, d := time.Month(n[0]), n[1]
	if len(parts) == 3 {
		y := n[2]
		switch len(parts[2]) {
		case 2:
			y += 2000
		case 4:
		default:
			return time.Time{}, 0, false
		}
		if validDate(y, m, d) {
			return time.Date(y, m, d, 0, 0, 0, 0, today.Location()), j, true
		}
		return time.Time{}, 0, false
	}
	if sep != "/" {
		return time.Time{}, 0, false // "3-5" and "3.5" are not dates
	}
	t, ok := nextDayMonth(today, m, d)
	return t, j, ok
}

// isWeekdayWord reports whether word i, a weekday name, is meant as one:
// a full name always, an abbreviation ("Sat", "Mon") only capitalised,
// since "sat" and "sun" are also words.
func isWeekdayWord(u *utterance, i int) bool {
	w := u.norm(i)
	if len(w) >= 6 {
		return true
	}
	c := u.text[u.word(i).start]
	return c >= 'A' && c <= 'Z'
}

// nextWeekday is the next wd from today, today included.
func nextWeekday(today time.Time, wd time.Weekday) time.Time {
	return today.AddDate(0, 0, (int(wd)-int(today.Weekday())+7)%7)
}

// countAt reads a count at word i: a number, or "a"/"an" as one.
func countAt(u *utterance, i int) (number, bool) {
	if i >= len(u.w) {
		return number{}, false
	}
	if w := u.norm(i); w == "a" || w == "an" {
		return number{ws: i, we: i + 1, value: 1, integer: true}, true
	}
	if n, ok := digitNumber(u, i); ok {
		return n, true
	}
	if t := u.word(i); t.kind == tokNumber {
		// digitNumber refuses a number glued to letters ("5min"); a count
		// may be.
		v, _ := strconv.ParseFloat(t.norm, 64)
		return number{ws: i, we: i + 1, value: v, integer: true, digits: true}, true
	}
	return wordNumber(u, i)
}

// dateSpans are the @sys.date values of u.
func dateSpans(u *utterance) []span {
	today := midnight(u.now)
	var out []span
	for i := 0; i < len(u.w); {
		if t, j, ok := dateAt(u, i, today); ok {
			out = append(out, span{ws: i, we: j, value: dateValue(t), score: 1})
			i = j
			continue
		}
		i++
	}
	return out
}

// clock is a time of day.
type clock struct{ h, m, s int }

// timeAt reads a time of day at word i.
func timeAt(u *utterance, i int) (clock, int, bool) {
	w := u.norm(i)
	switch w {
	case "noon", "midday":
		return clock{12, 0, 0}, i + 1, true
	case "midnight":
		return clock{0, 0, 0}, i + 1, true
	}
	t := u.word(i)
	if t.kind != tokNumber || len(t.norm) > 2 {
		// "1530" is not read as a time.
		return clock{}, 0, false
	}
	h, _ := strconv.Atoi(t.norm)
	m, s := 0, 0
	j := i + 1
	colon := false
	if j < len(u.w) {
		if p, spaced := u.punctBetween(j); !spaced && (p == ":" || p == ".") && u.word(j).kind == tokNumber && len(u.norm(j)) == 2 {
			m, _ = strconv.Atoi(u.norm(j))
			colon = p == ":"
			j++
			if j < len(u.w) {
				if p, spaced := u.punctBetween(j); !spaced && p == ":" && u.word(j).kind == tokNumber && len(u.norm(j)) == 2 {
					s, _ = strconv.Atoi(u.norm(j))
					j++
				}
			}
		}
	}
	if m > 59 || s > 59 {
		return clock{}, 0, false
	}
	// am / pm, written "pm", "p m", "p.m."
	if j < len(u.w) {
		a := u.norm(j)
		k := j + 1
		if (a == "a" || a == "p") && k < len(u.w) && u.norm(k) == "m" {
			a += "m"
			k++
		}
		if a == "am" || a == "pm" {
			if h < 1 || h > 12 {
				return clock{}, 0, false
			}
			if a == "am" && h == 12 {
				h = 0
			} else if a == "pm" && h != 12 {
				h += 12
			}
			return clock{h, m, s}, k, true
		}
		if a == "oclock" || (a == "o" && k < len(u.w) && u.norm(k) == "clock") {
			if a == "o" {
				k++
			}
			if h > 23 {
				return clock{}, 0, false
			}
			return clock{h, m, s}, k, true
		}
	}
	if colon && h <= 23 {
		if j < len(u.w) {
			if _, spaced := u.punctBetween(j); !spaced && u.word(j).kind == tokWord {
				return clock{}, 0, false
			}
		}
		return clock{h, m, s}, j, true
	}
	return clock{}, 0, false
}

// timeSpans are the @sys.time values of u.
func timeSpans(u *utterance) []span {
	var out []span
	for i := 0; i < len(u.w); {
		if c, j, ok := timeAt(u, i); ok {
			out = append(out, span{ws: i, we: j, value: timeValue(c.h, c.m, c.s), score: 1})
			i = j
			continue
		}
		i++
	}
	return out
}

// dateTimeSpans are the @sys.date-time values of u: a date and a time
// together ("tomorrow at 3pm", "3pm on Jan 5"), a date alone (at
// midnight), a time alone (its next occurrence from now), or "now". The
// value is {"year", "month", "day", "hours", "minutes", "seconds",
// "nanos"}. CX can also resolve a date-time as a period, which is not
// reproduced.
func dateTimeSpans(u *utterance) []span {
	today := midnight(u.now)
	var out []span
	for i := 0; i < len(u.w); {
		if u.norm(i) == "now" || (u.norm(i) == "right" && i+1 < len(u.w) && u.norm(i+1) == "now") {
			j := i + 1
			if u.norm(i) == "right" {
				j++
			}
			out = append(out, span{ws: i, we: j, value: dateTimeValue(u.now), score: 1})
			i = j
			continue
		}
		if d, j, ok := dateAt(u, i, today); ok {
			k := j
			if k < len(u.w) && u.norm(k) == "at" {
				k++
			}
			if k < len(u.w) {
				if c, k2, ok := timeAt(u, k); ok {
					t := time.Date(d.Year(), d.Month(), d.Day(), c.h, c.m, c.s, 0, d.Location())
					out = append(out, span{ws: i, we: k2, value: dateTimeValue(t), score: 1})
					i = k2
					continue
				}
			}
			out = append(out, span{ws: i, we: j, value: dateTimeValue(d), score: 1})
			i = j
			continue
		}
		if c, j, ok := timeAt(u, i); ok {
			k := j
			if k < len(u.w) && u.norm(k) == "on" {
				k++
			}
			if k < len(u.w) {
				if d, k2, ok := dateAt(u, k, today); ok {
					t := time.Date(d.Year(), d.Month(), d.Day(), c.h, c.m, c.s, 0, d.Location())
					out = append(out, span{ws: i, we: k2, value: dateTimeValue(t), score: 1})
					i = k2
					continue
				}
			}
			t := time.Date(today.Year(), today.Month(), today.Day(), c.h, c.m, c.s, 0, today.Location())
			if t.Before(u.now) {
				t = t.AddDate(0, 0, 1)
			}
			out = append(out, span{ws: i, we: j, value: dateTimeValue(t), score: 1})
			i = j
			continue
		}
		i++
	}
	return out
}

func dateTimeValue(t time.Time) map[string]any {
	return map[string]any{
		"year": float64(t.Year()), "month": float64(t.Month()), "day": float64(t.Day()),
		"hours": float64(t.Hour()), "minutes": float64(t.Minute()), "seconds": float64(t.Second()),
		"nanos": float64(0),
	}
}

// durationUnits maps unit words to the unit names Dialogflow uses in
// @sys.duration values.
var durationUnits = map[string]string{
	"second": "s", "seconds": "s", "sec": "s", "secs": "s",
	"minute": "min", "minutes": "min", "min": "min", "mins": "min",
	"hour": "h", "hours": "h", "hr": "h", "hrs": "h",
	"day": "day", "days": "day",
	"week": "wk", "weeks": "wk", "wk": "wk", "wks": "wk",
	"month": "mo", "months": "mo",
	"year": "yr", "years": "yr", "yr": "yr", "yrs": "yr",
}

// durationSpans are the @sys.duration values of u: a count and a unit
// ("5 minutes", "a minute", "2hrs", "half an hour"), as
// {"amount": n, "unit": "min"}. This is Dialogflow ES's documented shape;
// CX's is not documented and is assumed the same.
func durationSpans(u *utterance) []span {
	var out []span
	for i := 0; i < len(u.w); {
		if u.norm(i) == "half" && i+2 < len(u.w) && (u.norm(i+1) == "an" || u.norm(i+1) == "a") {
			if unit, ok := durationUnits[u.norm(i+2)]; ok {
				out = append(out, span{ws: i, we: i + 3, value: map[string]any{"amount": 0.5, "unit": unit}, score: 1})
				i += 3
				continue
			}
		}
		if n, ok := countAt(u, i); ok && n.we < len(u.w) {
			if unit, ok := durationUnits[u.norm(n.we)]; ok {
				out = append(out, span{ws: i, we: n.we + 1, value: map[string]any{"amount": n.value, "unit": unit}, score: 1})
				i = n.we + 1
				continue
			}
		}
		i++
	}
	return out
}
