package expr

import (
	"errors"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// funcDef is one system function: its name, how many arguments it takes
// (max -1 for any number), and its implementation. A lazy function
// evaluates its own arguments (IF evaluates only the branch it takes).
type funcDef struct {
	name     string
	min, max int
	call     func(c *Context, n *callNode, args []Value) (Value, error)
	lazy     func(c *Context, n *callNode) (Value, error)
}

func (f *funcDef) arity() string {
	plural := func(n int) string {
		if n == 1 {
			return "1 argument"
		}
		return strconv.Itoa(n) + " arguments"
	}
	switch {
	case f.max < 0:
		return "at least " + plural(f.min)
	case f.min == f.max:
		return plural(f.min)
	default:
		return strconv.Itoa(f.min) + " to " + plural(f.max)
	}
}

var funcs map[string]*funcDef

func init() {
	defs := []*funcDef{
		// Arithmetic.
		{name: "ADD", min: 1, max: -1, call: fnAdd},
		{name: "MINUS", min: 2, max: 2, call: fnMinus},
		{name: "MULTIPLY", min: 1, max: -1, call: fnMultiply},
		{name: "DIVIDE", min: 2, max: 3, call: fnDivide},
		{name: "ROUND", min: 1, max: 2, call: fnRound},
		// Strings.
		{name: "CONCATENATE", min: 1, max: -1, call: fnConcatenate},
		{name: "SUBSTITUTE", min: 3, max: 3, call: fnSubstitute},
		{name: "SPLIT", min: 2, max: 2, call: fnSplit},
		{name: "JOIN", min: 2, max: 3, call: fnJoin},
		{name: "UPPER", min: 1, max: 1, call: fnUpper},
		{name: "LOWER", min: 1, max: 1, call: fnLower},
		{name: "LEN", min: 1, max: 1, call: fnLen},
		{name: "MID", min: 3, max: 3, call: fnMid},
		{name: "URL_ENCODE", min: 1, max: 1, call: fnURLEncode},
		// Lists.
		{name: "APPEND", min: 2, max: -1, call: fnAppend},
		{name: "REMOVE", min: 2, max: -1, call: fnRemove},
		{name: "UNIQUE", min: 1, max: 1, call: fnUnique},
		{name: "COUNT", min: 1, max: 1, call: fnCount},
		{name: "GET", min: 2, max: 2, call: fnGet},
		{name: "CONTAIN", min: 2, max: 2, call: fnContain},
		{name: "MATCH", min: 2, max: 2, call: fnMatch},
		// Dates.
		{name: "NOW", min: 0, max: 0, call: fnNow},
		{name: "FORMAT_DATE", min: 2, max: 3, call: fnFormatDate},
		{name: "ADD_DATE", min: 3, max: 3, call: fnAddDate},
		{name: "IS_PAST_DATE", min: 1, max: 1, call: fnIsPastDate},
		{name: "IS_FUTURE_DATE", min: 1, max: 1, call: fnIsFutureDate},
		{name: "IS_DATE", min: 2, max: 3, call: fnIsDate},
		// Logic.
		{name: "IF", min: 3, max: 3, lazy: fnIf},
		// Conversion.
		{name: "TO_TEXT", min: 1, max: 1, call: fnToText},
		{name: "TO_NUMBER", min: 1, max: 1, call: fnToNumber},
		{name: "TO_OBJECT", min: 1, max: 1, call: fnToObject},
		{name: "TO_PHONE_NUMBER", min: 1, max: 2, call: fnToPhoneNumber},
		// Other.
		{name: "RAND", min: 0, max: 0, call: fnRand},
		{name: "IDENTITY", min: 1, max: 1, call: fnIdentity},
		{name: "GET_FIELD", min: 2, max: 2, call: fnGetField},
		{name: "NESTED_FIELD", min: 2, max: -1, call: fnNestedField},
		{name: "FILTER", min: 2, max: 2, call: fnFilter},
		{name: "IS_PHONE_NUMBER", min: 1, max: 2, call: fnIsPhoneNumber},
		{name: "IS_CREDIT_CARD_NUMBER", min: 1, max: 1, call: fnIsCreditCardNumber},
	}
	funcs = make(map[string]*funcDef, len(defs))
	for _, d := range defs {
		funcs[d.name] = d
	}
}

// lookupFunc finds a system function by name. Names are upper case;
// "rand" is CX's legacy name for RAND.
func lookupFunc(name string) *funcDef {
	if name == "rand" {
		return funcs["RAND"]
	}
	return funcs[name]
}

// Functions returns the names of the system functions this package
// implements, sorted.
func Functions() []string {
	names := make([]string, 0, len(funcs))
	for n := range funcs {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// numArg reads argument i as a number. A string that reads as a number
// is accepted (PolicyNumericString); null and other kinds are errors.
func numArg(c *Context, n *callNode, args []Value, i int) (float64, error) {
	v := args[i]
	switch v.kind {
	case KindNumber:
		return v.num, nil
	case KindString:
		if f, ok := parseNumber(strings.TrimSpace(v.str)); ok {
			c.note(n.args[i].opPos(), PolicyNumericString, strconv.Quote(clip(v.str, 0, 24))+" read as a number")
			return f, nil
		}
		return 0, argError(i, "want a number, got the string %q", clip(v.str, 0, 24))
	case KindNull:
		return 0, argError(i, "want a number, got null (an unset parameter?)")
	}
	return 0, argError(i, "want a number, got a %s", v.kind)
}

// intArg reads argument i as a whole number.
func intArg(c *Context, n *callNode, args []Value, i int) (int, error) {
	f, err := numArg(c, n, args, i)
	if err != nil {
		return 0, err
	}
	if f != math.Trunc(f) || math.Abs(f) > 1<<31 {
		return 0, argError(i, "want a whole number, got %s", FormatNumber(f))
	}
	return int(f), nil
}

// textArg reads argument i as text: a string as it is, a number or bool
// as its text. ok is false for null. Lists and structs are errors.
func textArg(args []Value, i int) (s string, ok bool, err error) {
	v := args[i]
	switch v.kind {
	case KindNull:
		return "", false, nil
	case KindList, KindStruct:
		return "", false, argError(i, "want text, got a %s", v.kind)
	}
	s, _ = castString(v)
	return s, true, nil
}

func (c *Context) nullArg(n *callNode, i int, gives string) {
	c.note(n.args[i].opPos(), PolicyNullArgument, "$sys.func."+n.name+" argument "+strconv.Itoa(i+1)+" is null; "+gives)
}

// elems returns argument i as list elements: a list's elements, nothing
// for null, and a single value as a list of one.
func elems(v Value) []any {
	switch v.kind {
	case KindList:
		return v.list
	case KindNull:
		return nil
	}
	return []any{v.JSON()}
}

// ADD(n1, n2, …) is the sum of its arguments.
func fnAdd(c *Context, n *callNode, args []Value) (Value, error) {
	sum := 0.0
	for i := range args {
		f, err := numArg(c, n, args, i)
		if err != nil {
			return Null, err
		}
		sum += f
	}
	return Number(sum), nil
}

// MINUS(a, b) is a - b.
func fnMinus(c *Context, n *callNode, args []Value) (Value, error) {
	a, err := numArg(c, n, args, 0)
	if err != nil {
		return Null, err
	}
	b, err := numArg(c, n, args, 1)
	if err != nil {
		return Null, err
	}
	return Number(a - b), nil
}

// MULTIPLY(n1, n2, …) is the product of its arguments.
func fnMultiply(c *Context, n *callNode, args []Value) (Value, error) {
	p := 1.0
	for i := range args {
		f, err := numArg(c, n, args, i)
		if err != nil {
			return Null, err
		}
		p *= f
	}
	return Number(p), nil
}

// divideScale is DIVIDE's number of decimal places when none is given:
// 3, as the third-party summary of CX's reference says.
const divideScale = 3

// DIVIDE(a, b[, scale]) is a / b rounded half up to scale decimal places
// (3 when not given). Division by zero is an error.
func fnDivide(c *Context, n *callNode, args []Value) (Value, error) {
	a, err := numArg(c, n, args, 0)
	if err != nil {
		return Null, err
	}
	b, err := numArg(c, n, args, 1)
	if err != nil {
		return Null, err
	}
	scale := divideScale
	if len(args) == 3 {
		if scale, err = intArg(c, n, args, 2); err != nil {
			return Null, err
		}
		if scale < 0 || scale > 15 {
			return Null, argError(2, "want a scale from 0 to 15, got %d", scale)
		}
	}
	if b == 0 {
		return Null, errors.New("division by zero")
	}
	return Number(roundHalfUp(a/b, scale)), nil
}

// ROUND(x[, places]) rounds x half up (away from zero) to places decimal
// places, 0 when not given.
func fnRound(c *Context, n *callNode, args []Value) (Value, error) {
	x, err := numArg(c, n, args, 0)
	if err != nil {
		return Null, err
	}
	places := 0
	if len(args) == 2 {
		if places, err = intArg(c, n, args, 1); err != nil {
			return Null, err
		}
		if places < 0 || places > 15 {
			return Null, argError(1, "want 0 to 15 decimal places, got %d", places)
		}
	}
	return Number(roundHalfUp(x, places)), nil
}

// roundHalfUp rounds x to places decimal places, halves away from zero,
// on x's shortest decimal form, so that ROUND(1.005, 2) is 1.01 as a
// person reads it (binary arithmetic would give 1).
func roundHalfUp(x float64, places int) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	s := strconv.FormatFloat(math.Abs(x), 'f', -1, 64)
	dot := strings.IndexByte(s, '.')
	if dot < 0 || len(s)-dot-1 <= places {
		return x
	}
	digits := []byte(s[:dot] + s[dot+1:dot+1+places])
	if s[dot+1+places] >= '5' {
		i := len(digits) - 1
		for ; i >= 0; i-- {
			if digits[i] == '9' {
				digits[i] = '0'
				continue
			}
			digits[i]++
			break
		}
		if i < 0 {
			digits = append([]byte{'1'}, digits...)
		}
	}
	intLen := len(digits) - places
	r := string(digits[:intLen])
	if places > 0 {
		r += "." + string(digits[intLen:])
	}
	f, _ := strconv.ParseFloat(r, 64)
	if x < 0 {
		f = -f
	}
	return f
}

// CONCATENATE(s1, s2, …) joins the texts of its arguments; null
// arguments add nothing.
func fnConcatenate(c *Context, n *callNode, args []Value) (Value, error) {
	var b strings.Builder
	for i, a := range args {
		if a.kind == KindNull {
			c.nullArg(n, i, "adds nothing")
			continue
		}
		if a.kind == KindList || a.kind == KindStruct {
			t, _ := a.Text()
			b.WriteString(t)
			continue
		}
		s, _ := castString(a)
		b.WriteString(s)
	}
	return String(b.String()), nil
}

// textOrNull reads argument 0 as text. A null one is noted and gives ok
// false, for the function to return null, as the text functions do.
func textOrNull(c *Context, n *callNode, args []Value) (s string, ok bool, err error) {
	s, ok, err = textArg(args, 0)
	if err == nil && !ok {
		c.nullArg(n, 0, "null")
	}
	return s, ok, err
}

// SUBSTITUTE(text, old, new) replaces every occurrence of old in text
// with new (plain text, not a pattern). A null text gives null.
func fnSubstitute(c *Context, n *callNode, args []Value) (Value, error) {
	s, ok, err := textOrNull(c, n, args)
	if !ok || err != nil {
		return Null, err
	}
	old, _, err := textArg(args, 1)
	if err != nil {
		return Null, err
	}
	repl, _, err := textArg(args, 2)
	if err != nil {
		return Null, err
	}
	if old == "" {
		return String(s), nil
	}
	return String(strings.ReplaceAll(s, old, repl)), nil
}

// SPLIT(text, delimiter) is the list of the parts of text between
// delimiters (plain text). A null text gives null.
func fnSplit(c *Context, n *callNode, args []Value) (Value, error) {
	s, ok, err := textOrNull(c, n, args)
	if !ok || err != nil {
		return Null, err
	}
	d, _, err := textArg(args, 1)
	if err != nil {
		return Null, err
	}
	parts := strings.Split(s, d)
	l := make([]any, len(parts))
	for i, p := range parts {
		l[i] = p
	}
	return listOf(l), nil
}

// JOIN(delimiter, list[, final]) joins the texts of the list's elements
// with delimiter, and with final before the last one when given. A null
// list gives null (so that "$flow.x = JOIN(…, $flow.x)" keeps an unset
// parameter unset, as the address component's conditions expect); a
// single value is a list of one.
func fnJoin(c *Context, n *callNode, args []Value) (Value, error) {
	d, _, err := textArg(args, 0)
	if err != nil {
		return Null, err
	}
	if args[1].kind == KindNull {
		c.nullArg(n, 1, "null")
		return Null, nil
	}
	final := d
	if len(args) == 3 {
		if final, _, err = textArg(args, 2); err != nil {
			return Null, err
		}
	}
	l := elems(args[1])
	var b strings.Builder
	for i, x := range l {
		if i > 0 {
			if i == len(l)-1 {
				b.WriteString(final)
			} else {
				b.WriteString(d)
			}
		}
		v, _ := FromJSON(x)
		t, _ := v.Text()
		b.WriteString(t)
	}
	return String(b.String()), nil
}

func fnUpper(c *Context, n *callNode, args []Value) (Value, error) {
	return mapText(c, n, args, strings.ToUpper)
}

func fnLower(c *Context, n *callNode, args []Value) (Value, error) {
	return mapText(c, n, args, strings.ToLower)
}

// mapText applies f to the text of the only argument; null gives null.
func mapText(c *Context, n *callNode, args []Value, f func(string) string) (Value, error) {
	s, ok, err := textOrNull(c, n, args)
	if !ok || err != nil {
		return Null, err
	}
	return String(f(s)), nil
}

// LEN(text) is the number of characters of text; of a list, its number
// of elements; of null, 0.
func fnLen(c *Context, n *callNode, args []Value) (Value, error) {
	switch args[0].kind {
	case KindNull:
		c.nullArg(n, 0, "0")
		return Number(0), nil
	case KindList:
		return Number(float64(args[0].Len())), nil
	}
	s, _, err := textArg(args, 0)
	if err != nil {
		return Null, err
	}
	return Number(float64(utf8.RuneCountInString(s))), nil
}

// MID(text, start, length) is the part of text of length characters from
// character start, counted from 1. Past the end it is shorter, or "".
func fnMid(c *Context, n *callNode, args []Value) (Value, error) {
	s, ok, err := textOrNull(c, n, args)
	if !ok || err != nil {
		return Null, err
	}
	start, err := intArg(c, n, args, 1)
	if err != nil {
		return Null, err
	}
	length, err := intArg(c, n, args, 2)
	if err != nil {
		return Null, err
	}
	if start < 1 {
		return Null, argError(1, "want a start from 1, got %d", start)
	}
	if length < 0 {
		return Null, argError(2, "want a length from 0, got %d", length)
	}
	r := []rune(s)
	if start > len(r) {
		return String(""), nil
	}
	end := min(start-1+length, len(r))
	return String(string(r[start-1 : end])), nil
}

// URL_ENCODE(text) encodes text for a URL query (spaces as '+', "a+b=c"
// as "a%2Bb%3Dc").
func fnURLEncode(c *Context, n *callNode, args []Value) (Value, error) {
	return mapText(c, n, args, url.QueryEscape)
}

// flatten appends the arguments' elements: a list argument adds its
// elements, any other one itself.
func flatten(dst []any, args []Value) []any {
	for _, a := range args {
		if a.kind == KindList {
			dst = append(dst, a.list...)
		} else {
			dst = append(dst, a.JSON())
		}
	}
	return dst
}

// APPEND(list, v1, v2, …) is a new list: list's elements then the values
// (a list value adds its elements). A null list is empty and a single
// value a list of one, so that APPEND($flow.x, "text") starts a list.
func fnAppend(c *Context, n *callNode, args []Value) (Value, error) {
	base := elems(args[0])
	l := make([]any, 0, len(base)+len(args)-1)
	l = append(l, base...)
	return listOf(flatten(l, args[1:])), nil
}

// REMOVE(list, v1, v2, …) is a new list without the elements equal to any
// of the values (a list value names each of its elements, as in
// REMOVE($flow.missing, ["country"])). A null list gives null.
func fnRemove(c *Context, n *callNode, args []Value) (Value, error) {
	if args[0].kind == KindNull {
		c.nullArg(n, 0, "null")
		return Null, nil
	}
	drop := flatten(nil, args[1:])
	var l []any
	for _, x := range elems(args[0]) {
		v, _ := FromJSON(x)
		if !containsValue(drop, v) {
			l = append(l, x)
		}
	}
	if l == nil {
		l = []any{}
	}
	return listOf(l), nil
}

func containsValue(l []any, v Value) bool {
	for _, x := range l {
		if w, err := FromJSON(x); err == nil && w.Equal(v) {
			return true
		}
	}
	return false
}

// UNIQUE(list) is list without repeated elements, first occurrences kept
// in order. A null list gives null.
func fnUnique(c *Context, n *callNode, args []Value) (Value, error) {
	if args[0].kind == KindNull {
		c.nullArg(n, 0, "null")
		return Null, nil
	}
	l := []any{}
	for _, x := range elems(args[0]) {
		v, _ := FromJSON(x)
		if !containsValue(l, v) {
			l = append(l, x)
		}
	}
	return listOf(l), nil
}

// COUNT(list) is the number of elements of list: 0 for null, 1 for a
// single value.
func fnCount(c *Context, n *callNode, args []Value) (Value, error) {
	if args[0].kind == KindNull {
		c.nullArg(n, 0, "0")
	}
	return Number(float64(len(elems(args[0])))), nil
}

// GET(list, index) is element index of list, counted from 0; null when
// out of range or when list is null.
func fnGet(c *Context, n *callNode, args []Value) (Value, error) {
	i, err := intArg(c, n, args, 1)
	if err != nil {
		return Null, err
	}
	if args[0].kind == KindNull {
		c.nullArg(n, 0, "null")
		return Null, nil
	}
	l := elems(args[0])
	if i < 0 || i >= len(l) {
		return Null, nil
	}
	return FromJSON(l[i])
}

// CONTAIN(list, value) reports whether list has an element equal to
// value. On a string it is a substring search; on null it is false.
func fnContain(c *Context, n *callNode, args []Value) (Value, error) {
	switch args[0].kind {
	case KindNull:
		c.nullArg(n, 0, "false")
		return Bool(false), nil
	case KindString:
		s, ok := castString(args[1])
		return Bool(ok && strings.Contains(args[0].str, s)), nil
	}
	return Bool(containsValue(elems(args[0]), args[1])), nil
}

// MATCH(list, value) is the index of the first element of list equal to
// value, counted from 0, or -1.
func fnMatch(c *Context, n *callNode, args []Value) (Value, error) {
	if args[0].kind == KindNull {
		c.nullArg(n, 0, "-1")
	}
	for i, x := range elems(args[0]) {
		if v, err := FromJSON(x); err == nil && v.Equal(args[1]) {
			return Number(float64(i)), nil
		}
	}
	return Number(-1), nil
}

// IF(condition, then, else) is then when the condition holds and else
// otherwise; only the branch taken is evaluated. The condition is a
// string holding a condition, as CX documents ("$flow.x = N/A"), or a
// value such as $sys.func.CONTAIN(…) (PolicyTruthiness for values that
// are not bools).
func fnIf(c *Context, n *callNode) (Value, error) {
	var ok bool
	var err error
	if n.cond != nil {
		ok, err = c.evalCond(n.cond.root)
	} else {
		var v Value
		v, err = c.eval(n.args[0])
		if err == nil {
			if v.kind == KindString && !strings.EqualFold(v.str, "true") && !strings.EqualFold(v.str, "false") {
				c.note(n.args[0].opPos(), PolicyDynamicCondition, "IF's condition computed at run time")
				var cond *Cond
				if cond, err = ParseCond(v.str); err == nil {
					ok, err = cond.Eval(c)
				}
			} else {
				ok = c.truth(v, n.args[0].opPos())
			}
		}
	}
	if err != nil {
		return Null, err
	}
	if ok {
		return c.eval(n.args[1])
	}
	return c.eval(n.args[2])
}

// TO_TEXT(v) is v's text as a message shows it ([Value.Text]); null
// stays null.
func fnToText(c *Context, n *callNode, args []Value) (Value, error) {
	s, ok := args[0].Text()
	if !ok {
		c.nullArg(n, 0, "null")
		return Null, nil
	}
	c.noteText(args[0], n.args[0].opPos())
	return String(s), nil
}

// TO_NUMBER(v) is v as a number: a number as it is, a string that reads
// as a number. Null stays null; anything else is an error.
func fnToNumber(c *Context, n *callNode, args []Value) (Value, error) {
	v := args[0]
	switch v.kind {
	case KindNumber:
		return v, nil
	case KindNull:
		c.nullArg(n, 0, "null")
		return Null, nil
	case KindString:
		if f, ok := parseNumber(strings.TrimSpace(v.str)); ok {
			return Number(f), nil
		}
		return Null, argError(0, "%q is not a number", clip(v.str, 0, 24))
	}
	return Null, argError(0, "cannot convert a %s to a number", v.kind)
}

// maxObjectText bounds the JSON text TO_OBJECT decodes.
const maxObjectText = 64 << 10

// TO_OBJECT(text) decodes a JSON text into a value (usually a struct).
func fnToObject(c *Context, n *callNode, args []Value) (Value, error) {
	s, ok, err := textOrNull(c, n, args)
	if !ok || err != nil {
		return Null, err
	}
	if len(s) > maxObjectText {
		return Null, argError(0, "JSON text of %d bytes is over the %d-byte limit", len(s), maxObjectText)
	}
	v, err := ParseJSON([]byte(s))
	if err != nil {
		return Null, argError(0, "not JSON: %v", errors.Unwrap(err))
	}
	return v, nil
}

// RAND() is a random number in [0, 1) from the context's source.
func fnRand(c *Context, n *callNode, args []Value) (Value, error) {
	if c.Rand == nil {
		return Null, ErrNoRand
	}
	return Number(c.Rand.Float64()), nil
}

// IDENTITY(v) is v, with its type: presets use it to copy a composite
// value.
func fnIdentity(c *Context, n *callNode, args []Value) (Value, error) {
	return args[0], nil
}

// GET_FIELD(object, key) is the field key of object; null when there is
// none or when object is null.
func fnGetField(c *Context, n *callNode, args []Value) (Value, error) {
	key, ok, err := textArg(args, 1)
	if err != nil {
		return Null, err
	}
	if !ok {
		return Null, argError(1, "want a field name, got null")
	}
	switch args[0].kind {
	case KindNull:
		c.nullArg(n, 0, "null")
		return Null, nil
	case KindStruct:
		v, _ := args[0].Field(key)
		return v, nil
	}
	return Null, argError(0, "want a struct, got a %s", args[0].kind)
}

// NESTED_FIELD(object, f1, f2, …) is the field f1, then its field f2, …
// of object; null when one is missing. CX writes the object as a quoted
// reference ("$session.params.address"), which evaluates to its value.
// As a parameter preset's target it names a field to set; see
// [ParseTarget].
func fnNestedField(c *Context, n *callNode, args []Value) (Value, error) {
	v := args[0]
	for i := 1; i < len(args); i++ {
		key, ok, err := textArg(args, i)
		if err != nil {
			return Null, err
		}
		if !ok {
			return Null, argError(i, "want a field name, got null")
		}
		if v, ok = v.Field(key); !ok {
			return Null, nil
		}
	}
	return v, nil
}

// FILTER(value, path) selects from value with a JsonPath expression; see
// [JSONPath] for the syntax and the shape of the result.
func fnFilter(c *Context, n *callNode, args []Value) (Value, error) {
	jp := n.path
	if jp == nil {
		path, ok, err := textArg(args, 1)
		if err != nil {
			return Null, err
		}
		if !ok {
			return Null, argError(1, "want a JsonPath, got null")
		}
		if jp, err = ParseJSONPath(path); err != nil {
			return Null, argError(1, "%v", err)
		}
	}
	return jp.Select(args[0])
}

// IS_CREDIT_CARD_NUMBER(text) reports whether text is 13 to 19 digits
// (spaces and dashes between them allowed) that pass the Luhn check.
func fnIsCreditCardNumber(c *Context, n *callNode, args []Value) (Value, error) {
	s, ok, err := textArg(args, 0)
	if err != nil || !ok {
		return Bool(false), err
	}
	return Bool(luhn(s)), nil
}

func luhn(s string) bool {
	var digits []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits = append(digits, c-'0')
		case c == ' ' || c == '-':
		default:
			return false
		}
	}
	if len(digits) < 13 || len(digits) > 19 {
		return false
	}
	sum := 0
	for i := range digits {
		d := int(digits[len(digits)-1-i])
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}
