package expr

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Dates and times are CX's system-entity structs: @sys.date {year, month,
// day}, @sys.time {hours, minutes, seconds, nanos}, and a date-time with
// all seven fields, read in the agent's time zone ([Context.Location]).
// Date functions also accept ISO 8601 text (2022-01-05,
// 2022-01-05T15:00:00, with an optional zone offset).

// fnNow is NOW(): the clock's time in the agent's time zone, as a
// date-time struct {year, month, day, hours, minutes, seconds, nanos}.
func fnNow(c *Context, n *callNode, args []Value) (Value, error) {
	t, err := c.now()
	if err != nil {
		return Null, err
	}
	return timeStruct(t, shapeDateTime), nil
}

func (c *Context) now() (time.Time, error) {
	if c.Now == nil {
		return time.Time{}, ErrNoClock
	}
	return c.Now().In(c.location()), nil
}

// timeStruct builds the struct of the given shape for t.
func timeStruct(t time.Time, shape structShape) Value {
	m := make(map[string]any, 7)
	if shape != shapeTime {
		m["year"] = float64(t.Year())
		m["month"] = float64(t.Month())
		m["day"] = float64(t.Day())
	}
	if shape != shapeDate {
		m["hours"] = float64(t.Hour())
		m["minutes"] = float64(t.Minute())
		m["seconds"] = float64(t.Second())
		m["nanos"] = float64(t.Nanosecond())
	}
	return structOf(m)
}

// dateArg reads argument i as a date, time or date-time.
func (c *Context) dateArg(args []Value, i int) (time.Time, structShape, error) {
	v := args[i]
	loc := c.location()
	switch v.kind {
	case KindStruct:
		m := v.obj
		shape := shapeOf(m)
		if shape == shapeOther {
			return time.Time{}, 0, argError(i, "want a date {year, month, day} or time {hours, minutes, seconds}, got %s", clip(v.String(), 0, 40))
		}
		y, mo, d := 1, 1, 1
		if shape != shapeTime {
			y, mo, d = num(m, "year"), num(m, "month"), num(m, "day")
			if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, time.Month(mo)) {
				return time.Time{}, 0, argError(i, "not a valid date: %04d-%02d-%02d", y, mo, d)
			}
		}
		t := time.Date(y, time.Month(mo), d, num(m, "hours"), num(m, "minutes"), num(m, "seconds"), num(m, "nanos"), loc)
		return t, shape, nil
	case KindString:
		s := strings.TrimSpace(v.str)
		if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
			return t, shapeDate, nil
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05"} {
			if t, err := time.ParseInLocation(layout, s, loc); err == nil {
				return t.In(loc), shapeDateTime, nil
			}
		}
		if t, err := time.ParseInLocation("15:04:05", s, loc); err == nil {
			return t, shapeTime, nil
		}
		return time.Time{}, 0, argError(i, "%q is not an ISO 8601 date or time", clip(s, 0, 32))
	case KindNull:
		return time.Time{}, 0, argError(i, "want a date, got null (an unset parameter?)")
	}
	return time.Time{}, 0, argError(i, "want a date, got a %s", v.kind)
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// FORMAT_DATE(date, pattern[, language]) formats a date or time with a
// Java DateTimeFormatter pattern such as "yyyy-MM-dd" or
// "EEEE, MMMM d 'at' h:mm a" (see formatPattern for the letters).
func fnFormatDate(c *Context, n *callNode, args []Value) (Value, error) {
	t, _, err := c.dateArg(args, 0)
	if err != nil {
		return Null, err
	}
	pattern, ok, err := textArg(args, 1)
	if err != nil {
		return Null, err
	}
	if !ok {
		return Null, argError(1, "want a pattern, got null")
	}
	if len(args) == 3 {
		c.language(n, args, 2)
	}
	s, err := formatPattern(t, pattern)
	if err != nil {
		return Null, argError(1, "%v", err)
	}
	return String(s), nil
}

// language notes a language other than English.
func (c *Context) language(n *callNode, args []Value, i int) {
	lang, _, _ := textArg(args, i)
	if l := strings.ToLower(lang); l != "" && l != "en" && !strings.HasPrefix(l, "en-") && !strings.HasPrefix(l, "en_") {
		c.note(n.args[i].opPos(), PolicyDateLanguage, "language "+strconv.Quote(clip(lang, 0, 12))+" formatted in English")
	}
}

// ADD_DATE(date, amount, unit) adds amount units (YEARS, MONTHS, WEEKS,
// DAYS, HOURS, MINUTES, SECONDS; a negative amount subtracts) to a date
// and returns the same shape of struct, a date-time when a time unit is
// added to a date. Adding months or years clamps the day to the end of the
// month (January 31 plus one month is February 28 or 29), as java.time
// does.
func fnAddDate(c *Context, n *callNode, args []Value) (Value, error) {
	t, shape, err := c.dateArg(args, 0)
	if err != nil {
		return Null, err
	}
	amount, err := intArg(c, n, args, 1)
	if err != nil {
		return Null, err
	}
	unit, ok, err := textArg(args, 2)
	if err != nil {
		return Null, err
	}
	if !ok {
		return Null, argError(2, "want a unit, got null")
	}
	timeUnit := false
	switch strings.TrimSuffix(strings.ToUpper(strings.TrimSpace(unit)), "S") {
	case "YEAR":
		t = addMonths(t, 12*amount)
	case "MONTH":
		t = addMonths(t, amount)
	case "WEEK":
		t = t.AddDate(0, 0, 7*amount)
	case "DAY":
		t = t.AddDate(0, 0, amount)
	case "HOUR":
		t, timeUnit = t.Add(time.Duration(amount)*time.Hour), true
	case "MINUTE":
		t, timeUnit = t.Add(time.Duration(amount)*time.Minute), true
	case "SECOND":
		t, timeUnit = t.Add(time.Duration(amount)*time.Second), true
	default:
		return Null, argError(2, "unknown unit %q (want YEARS, MONTHS, WEEKS, DAYS, HOURS, MINUTES or SECONDS)", clip(unit, 0, 16))
	}
	if timeUnit && shape == shapeDate {
		shape = shapeDateTime
	}
	return timeStruct(t, shape), nil
}

func addMonths(t time.Time, months int) time.Time {
	y, m, d := t.Date()
	total := int(m) - 1 + months
	y += total / 12
	if total %= 12; total < 0 {
		total += 12
		y--
	}
	nm := time.Month(total + 1)
	d = min(d, daysIn(y, nm))
	return time.Date(y, nm, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}

// IS_PAST_DATE(date) reports whether date is before now: a date (no
// time) before today, a date-time before this instant.
func fnIsPastDate(c *Context, n *callNode, args []Value) (Value, error) {
	cmp, err := c.compareNow(args)
	return Bool(cmp < 0), err
}

// IS_FUTURE_DATE(date) reports whether date is after now: a date after
// today, a date-time after this instant.
func fnIsFutureDate(c *Context, n *callNode, args []Value) (Value, error) {
	cmp, err := c.compareNow(args)
	return Bool(cmp > 0), err
}

func (c *Context) compareNow(args []Value) (int, error) {
	t, shape, err := c.dateArg(args, 0)
	if err != nil {
		return 0, err
	}
	now, err := c.now()
	if err != nil {
		return 0, err
	}
	switch shape {
	case shapeDate:
		ty, tm, td := t.Date()
		ny, nm, nd := now.Date()
		a := ty*10000 + int(tm)*100 + td
		b := ny*10000 + int(nm)*100 + nd
		return sign(a - b), nil
	case shapeTime:
		today := time.Date(now.Year(), now.Month(), now.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), now.Location())
		return today.Compare(now), nil
	}
	return t.Compare(now), nil
}

func sign(x int) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

// IS_DATE(text, pattern[, language]) reports whether text is a valid date
// written in the pattern (Java DateTimeFormatter letters, see
// formatPattern), such as IS_DATE("2021-04-29", "yyyy-MM-dd").
func fnIsDate(c *Context, n *callNode, args []Value) (Value, error) {
	s, ok, err := textArg(args, 0)
	if err != nil {
		return Null, err
	}
	if !ok {
		c.nullArg(n, 0, "false")
		return Bool(false), nil
	}
	pattern, ok, err := textArg(args, 1)
	if err != nil {
		return Null, err
	}
	if !ok {
		return Null, argError(1, "want a pattern, got null")
	}
	if len(args) == 3 {
		c.language(n, args, 2)
	}
	toks, err := lexPattern(pattern)
	if err != nil {
		return Null, argError(1, "%v", err)
	}
	return Bool(parsePattern(s, toks)), nil
}

// A pattern token: a run of one letter, or literal text.
type patTok struct {
	letter byte
	width  int
	lit    string
}

var patternLetters = "yuMLdDEaHkhKmsS"

// lexPattern splits a DateTimeFormatter pattern. Letters: y and u
// (year; yy is two digits), M and L (month: M, MM, MMM Jan, MMMM
// January), d (day of month), D (day of year), E (day of week: E Mon,
// EEEE Monday), a (AM/PM), H (hour 0-23), k (1-24), h (1-12), K (0-11),
// m (minute), s (second), S (fraction of a second). Text in single
// quotes is literal, ” is a quote; other characters than letters are
// literal. Other letters (zones, weeks, eras) are an error.
func lexPattern(p string) ([]patTok, error) {
	var toks []patTok
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\'':
			if i+1 < len(p) && p[i+1] == '\'' {
				toks = append(toks, patTok{lit: "'"})
				i += 2
				continue
			}
			j := i + 1
			var b strings.Builder
			for ; j < len(p); j++ {
				if p[j] == '\'' {
					if j+1 < len(p) && p[j+1] == '\'' {
						b.WriteByte('\'')
						j++
						continue
					}
					break
				}
				b.WriteByte(p[j])
			}
			if j >= len(p) {
				return nil, errors.New("pattern: quote not closed")
			}
			toks = append(toks, patTok{lit: b.String()})
			i = j + 1
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			if !strings.ContainsRune(patternLetters, rune(c)) {
				return nil, fmt.Errorf("pattern letter %q is not supported", c)
			}
			j := i
			for j < len(p) && p[j] == c {
				j++
			}
			toks = append(toks, patTok{letter: c, width: j - i})
			i = j
		default:
			j := i
			for j < len(p) && p[j] != '\'' && !(p[j] >= 'a' && p[j] <= 'z' || p[j] >= 'A' && p[j] <= 'Z') {
				j++
			}
			toks = append(toks, patTok{lit: p[i:j]})
			i = j
		}
	}
	return toks, nil
}

func pad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// formatPattern formats t with a DateTimeFormatter pattern, in English.
func formatPattern(t time.Time, pattern string) (string, error) {
	toks, err := lexPattern(pattern)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, tk := range toks {
		if tk.letter == 0 {
			b.WriteString(tk.lit)
			continue
		}
		w := tk.width
		switch tk.letter {
		case 'y', 'u':
			if w == 2 {
				b.WriteString(pad(t.Year()%100, 2))
			} else {
				b.WriteString(pad(t.Year(), w))
			}
		case 'M', 'L':
			switch {
			case w <= 2:
				b.WriteString(pad(int(t.Month()), w))
			case w == 3:
				b.WriteString(t.Month().String()[:3])
			case w == 4:
				b.WriteString(t.Month().String())
			default:
				b.WriteString(t.Month().String()[:1])
			}
		case 'd':
			b.WriteString(pad(t.Day(), w))
		case 'D':
			b.WriteString(pad(t.YearDay(), w))
		case 'E':
			switch {
			case w <= 3:
				b.WriteString(t.Weekday().String()[:3])
			case w == 4:
				b.WriteString(t.Weekday().String())
			default:
				b.WriteString(t.Weekday().String()[:1])
			}
		case 'a':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'H':
			b.WriteString(pad(t.Hour(), w))
		case 'k':
			h := t.Hour()
			if h == 0 {
				h = 24
			}
			b.WriteString(pad(h, w))
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			b.WriteString(pad(h, w))
		case 'K':
			b.WriteString(pad(t.Hour()%12, w))
		case 'm':
			b.WriteString(pad(t.Minute(), w))
		case 's':
			b.WriteString(pad(t.Second(), w))
		case 'S':
			frac := pad(t.Nanosecond(), 9)
			for len(frac) < w {
				frac += "0"
			}
			b.WriteString(frac[:w])
		}
	}
	return b.String(), nil
}

var (
	monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	dayNames   = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
)

// parsePattern reports whether s is a valid date or time in the pattern:
// a one-letter numeric field takes one or two digits (one to nine for a
// year), a longer one exactly its width; names match in any case; yy is
// a year from 2000 to 2099.
func parsePattern(s string, toks []patTok) bool {
	year, month, day, hour, minute, second := 2000, 1, 1, 0, 0, 0
	hasDay, hasMonth := false, false
	pm, hour12 := false, false
	digits := func(minW, maxW int) (int, bool) {
		j := 0
		for j < len(s) && j < maxW && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j < minW {
			return 0, false
		}
		n, _ := strconv.Atoi(s[:j])
		s = s[j:]
		return n, true
	}
	name := func(names []string, abbrev bool) (int, bool) {
		for i, nm := range names {
			if abbrev {
				nm = nm[:3]
			}
			if len(s) >= len(nm) && strings.EqualFold(s[:len(nm)], nm) {
				s = s[len(nm):]
				return i, true
			}
		}
		return 0, false
	}
	for _, tk := range toks {
		if tk.letter == 0 {
			if !strings.HasPrefix(s, tk.lit) {
				return false
			}
			s = s[len(tk.lit):]
			continue
		}
		w := tk.width
		numeric := func(maxOne int) (int, bool) {
			if w == 1 {
				return digits(1, maxOne)
			}
			return digits(w, w)
		}
		var ok bool
		switch tk.letter {
		case 'y', 'u':
			if year, ok = numeric(9); ok && w == 2 {
				year += 2000
			}
		case 'M', 'L':
			hasMonth = true
			switch {
			case w <= 2:
				month, ok = numeric(2)
			case w == 3:
				month, ok = name(monthNames[:], true)
				month++
			default:
				month, ok = name(monthNames[:], false)
				month++
			}
		case 'd':
			hasDay = true
			day, ok = numeric(2)
		case 'D':
			_, ok = numeric(3)
		case 'E':
			_, ok = name(dayNames[:], w <= 3)
		case 'a':
			switch {
			case len(s) >= 2 && strings.EqualFold(s[:2], "AM"):
				ok = true
			case len(s) >= 2 && strings.EqualFold(s[:2], "PM"):
				pm, ok = true, true
			}
			if ok {
				s = s[2:]
			}
		case 'H', 'k':
			hour, ok = numeric(2)
			if ok && tk.letter == 'k' && (hour < 1 || hour > 24) {
				return false
			}
		case 'h', 'K':
			hour12 = true
			hour, ok = numeric(2)
		case 'm':
			minute, ok = numeric(2)
		case 's':
			second, ok = numeric(2)
		case 'S':
			_, ok = digits(w, w)
		}
		if !ok {
			return false
		}
	}
	if s != "" {
		return false
	}
	if hour12 && hour > 12 {
		return false
	}
	if pm && hour < 12 {
		hour += 12
	}
	if month < 1 || month > 12 || hour > 24 || minute > 59 || second > 59 {
		return false
	}
	if (hasDay || hasMonth) && (day < 1 || day > daysIn(year, time.Month(month))) {
		return false
	}
	return true
}
