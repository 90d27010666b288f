package expr

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Kind is the type of a [Value]: the six JSON types, with every number a
// float64 as in a google.protobuf.Value.
type Kind uint8

// The kinds of values.
const (
	KindNull Kind = iota
	KindBool
	KindNumber
	KindString
	KindList
	KindStruct
)

var kindNames = [...]string{"null", "bool", "number", "string", "list", "struct"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is a CX parameter value: null, a bool, a number, a string, a list
// or a struct. The zero Value is null.
//
// Lists and structs share the JSON shapes a session holds, []any and
// map[string]any as encoding/json decodes them, without copying: a Value
// made by [FromJSON] from a session map refers to that map, and reading
// it converts elements on the fly. No function of this package modifies a
// list or struct it was given; functions that change one (APPEND,
// REMOVE, [SetPath]) return a new one.
type Value struct {
	kind Kind
	num  float64        // KindNumber; KindBool as 0 or 1
	str  string         // KindString
	list []any          // KindList (never nil)
	obj  map[string]any // KindStruct
}

// Null is the null value.
var Null = Value{}

// Bool returns a bool value.
func Bool(b bool) Value {
	if b {
		return Value{kind: KindBool, num: 1}
	}
	return Value{kind: KindBool}
}

// Number returns a number value.
func Number(f float64) Value { return Value{kind: KindNumber, num: f} }

// String returns a string value.
func String(s string) Value { return Value{kind: KindString, str: s} }

// List returns a list value of the given elements.
func List(elems ...Value) Value {
	l := make([]any, len(elems))
	for i, e := range elems {
		l[i] = e.JSON()
	}
	return Value{kind: KindList, list: l}
}

// listOf wraps a JSON list without copying.
func listOf(l []any) Value {
	if l == nil {
		l = []any{}
	}
	return Value{kind: KindList, list: l}
}

// structOf wraps a JSON object without copying.
func structOf(m map[string]any) Value {
	if m == nil {
		m = map[string]any{}
	}
	return Value{kind: KindStruct, obj: m}
}

// Kind returns the value's kind.
func (v Value) Kind() Kind { return v.kind }

// IsNull reports whether v is null.
func (v Value) IsNull() bool { return v.kind == KindNull }

// AsBool returns the bool of a bool value, and false for any other kind.
func (v Value) AsBool() bool { return v.kind == KindBool && v.num != 0 }

// AsNumber returns the number of a number value, and 0 for any other kind.
func (v Value) AsNumber() float64 {
	if v.kind == KindNumber {
		return v.num
	}
	return 0
}

// AsString returns the string of a string value, and "" for any other
// kind. To turn any value into text as CX renders it, use [Value.Text].
func (v Value) AsString() string { return v.str }

// Len returns the number of elements of a list or fields of a struct, and
// 0 for any other kind.
func (v Value) Len() int {
	switch v.kind {
	case KindList:
		return len(v.list)
	case KindStruct:
		return len(v.obj)
	}
	return 0
}

// Index returns element i of a list; ok is false when v is not a list or
// i is out of range.
func (v Value) Index(i int) (Value, bool) {
	if v.kind != KindList {
		return Null, false
	}
	l := v.list
	if i < 0 || i >= len(l) {
		return Null, false
	}
	e, err := FromJSON(l[i])
	return e, err == nil
}

// Field returns the field of a struct named name. An exact match is
// preferred; otherwise the first field whose name equals name under
// Unicode case folding, in sorted order, is used, since CX parameter names
// are case-insensitive. ok is false when v is not a struct or has no such
// field.
func (v Value) Field(name string) (Value, bool) {
	if v.kind != KindStruct {
		return Null, false
	}
	x, ok := lookupFold(v.obj, name)
	if !ok {
		return Null, false
	}
	f, err := FromJSON(x)
	return f, err == nil
}

// Fields returns the field names of a struct in sorted order, and nil for
// any other kind.
func (v Value) Fields() []string {
	if v.kind != KindStruct {
		return nil
	}
	m := v.obj
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// lookupFold finds key in m, exactly or else under case folding.
func lookupFold(m map[string]any, key string) (any, bool) {
	x, ok := m[foldKey(m, key)]
	return x, ok
}

// foldKey returns the key of m that key names: key itself when present,
// else the smallest key equal to it under case folding (so that the
// result does not depend on map order), else key.
func foldKey(m map[string]any, key string) string {
	if _, ok := m[key]; ok {
		return key
	}
	best, found := "", false
	for k := range m {
		if strings.EqualFold(k, key) && (!found || k < best) {
			best, found = k, true
		}
	}
	if found {
		return best
	}
	return key
}

// FromJSON converts a JSON value, in the shapes encoding/json decodes into
// an any (nil, bool, float64, string, []any, map[string]any), into a
// Value. It also accepts json.Number, the Go integer and float types,
// []string, map[string]string, json.RawMessage (decoded) and Value
// itself. Lists and structs are not copied. Any other type is an error;
// for raw JSON of another type (a jsontext.Value), use [ParseJSON].
func FromJSON(x any) (Value, error) {
	switch t := x.(type) {
	case nil:
		return Null, nil
	case bool:
		return Bool(t), nil
	case float64:
		return Number(t), nil
	case string:
		return String(t), nil
	case []any:
		return listOf(t), nil
	case map[string]any:
		return structOf(t), nil
	case Value:
		return t, nil
	case float32:
		return Number(float64(t)), nil
	case int:
		return Number(float64(t)), nil
	case int8:
		return Number(float64(t)), nil
	case int16:
		return Number(float64(t)), nil
	case int32:
		return Number(float64(t)), nil
	case int64:
		return Number(float64(t)), nil
	case uint:
		return Number(float64(t)), nil
	case uint8:
		return Number(float64(t)), nil
	case uint16:
		return Number(float64(t)), nil
	case uint32:
		return Number(float64(t)), nil
	case uint64:
		return Number(float64(t)), nil
	case json.Number:
		f, err := t.Float64()
		if err != nil {
			return Null, fmt.Errorf("expr: json.Number %q: %w", string(t), err)
		}
		return Number(f), nil
	case json.RawMessage:
		return ParseJSON(t)
	case []string:
		l := make([]any, len(t))
		for i, s := range t {
			l[i] = s
		}
		return listOf(l), nil
	case map[string]string:
		m := make(map[string]any, len(t))
		for k, s := range t {
			m[k] = s
		}
		return structOf(m), nil
	}
	return Null, fmt.Errorf("expr: cannot use a %T as a parameter value", x)
}

// MustFromJSON is [FromJSON] for values known to be valid, such as
// literals in tests; it panics on an error.
func MustFromJSON(x any) Value {
	v, err := FromJSON(x)
	if err != nil {
		panic(err)
	}
	return v
}

// ParseJSON decodes JSON text into a Value.
func ParseJSON(data []byte) (Value, error) {
	var x any
	if err := json.Unmarshal(data, &x); err != nil {
		return Null, fmt.Errorf("expr: %w", err)
	}
	return FromJSON(x)
}

// JSON returns v in the shapes encoding/json uses: nil, bool, float64,
// string, []any or map[string]any. Lists and structs are returned as they
// are held, not copied; callers must not modify them.
func (v Value) JSON() any {
	switch v.kind {
	case KindBool:
		return v.num != 0
	case KindNumber:
		return v.num
	case KindString:
		return v.str
	case KindList:
		return v.list
	case KindStruct:
		return v.obj
	}
	return nil
}

// MarshalJSON encodes v as JSON, with struct fields in sorted order.
// A number that is not finite (which JSON cannot hold) is an error.
func (v Value) MarshalJSON() ([]byte, error) {
	return json.Marshal(v.JSON())
}

// UnmarshalJSON decodes JSON text into v.
func (v *Value) UnmarshalJSON(data []byte) error {
	x, err := ParseJSON(data)
	if err != nil {
		return err
	}
	*v = x
	return nil
}

// String returns v as compact JSON, for tests and traces. (To render v as
// CX shows it in a message, use [Value.Text].)
func (v Value) String() string {
	if v.kind == KindNumber && (math.IsNaN(v.num) || math.IsInf(v.num, 0)) {
		return strconv.FormatFloat(v.num, 'g', -1, 64)
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v.JSON()); err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// Equal reports whether v and w are the same value: the same kind and
// the same contents, lists element by element and structs field by field
// (field names compared exactly). It applies no type cast; the comparison
// operators of a condition do, see [Cond].
func (v Value) Equal(w Value) bool {
	if v.kind != w.kind {
		return false
	}
	switch v.kind {
	case KindNull:
		return true
	case KindBool, KindNumber:
		return v.num == w.num
	case KindString:
		return v.str == w.str
	case KindList:
		a, b := v.list, w.list
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			x, err1 := FromJSON(a[i])
			y, err2 := FromJSON(b[i])
			if err1 != nil || err2 != nil || !x.Equal(y) {
				return false
			}
		}
		return true
	case KindStruct:
		a, b := v.obj, w.obj
		if len(a) != len(b) {
			return false
		}
		for k, ax := range a {
			bx, ok := b[k]
			if !ok {
				return false
			}
			x, err1 := FromJSON(ax)
			y, err2 := FromJSON(bx)
			if err1 != nil || err2 != nil || !x.Equal(y) {
				return false
			}
		}
		return true
	}
	return false
}

// FormatNumber renders a number as CX shows it in text: an integral
// number without a decimal point (3.0 as "3", 55000 as "55000"), any
// other in the shortest decimal form that reads back as the same float64
// (0.1 as "0.1"), and exponent form only past 1e21 as JSON does.
//
// Undocumented choice (PolicyNumberText): CX's own rendering of
// non-integral numbers was not observed; the exports and captures show
// integral numbers only.
func FormatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		if f == 0 {
			return "0" // also for -0
		}
		return strconv.FormatFloat(f, 'f', 0, 64)
	}
	if math.Abs(f) < 1e21 && math.Abs(f) >= 1e-6 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// Text renders v as CX shows a parameter value in a message:
//
//   - a string as it is;
//   - a number by [FormatNumber];
//   - true and false as such;
//   - a @sys.date struct {year, month, day} as 2022-01-05, a @sys.time
//     struct {hours, minutes, seconds, nanos} as 15:00:00, and a struct
//     with both as 2022-01-05T15:00:00 (the first two are recorded in
//     the flight agent's goldens; the third is PolicyStructText);
//   - any other struct with a string field "original" (composite and
//     @sys.person values) as that original text, and otherwise as compact
//     JSON with sorted keys (PolicyStructText);
//   - a list as its elements' texts joined by ", " (PolicyListText).
//
// Null has no text: ok is false, and a template leaves the reference as
// written.
func (v Value) Text() (s string, ok bool) {
	switch v.kind {
	case KindNull:
		return "", false
	case KindBool:
		if v.num != 0 {
			return "true", true
		}
		return "false", true
	case KindNumber:
		return FormatNumber(v.num), true
	case KindString:
		return v.str, true
	case KindList:
		l := v.list
		var b strings.Builder
		for i, x := range l {
			if i > 0 {
				b.WriteString(", ")
			}
			e, err := FromJSON(x)
			if err != nil {
				continue
			}
			t, _ := e.Text()
			b.WriteString(t)
		}
		return b.String(), true
	case KindStruct:
		m := v.obj
		if t, ok := dateTimeText(m); ok {
			return t, true
		}
		if o, ok := m["original"].(string); ok {
			return o, true
		}
		return v.String(), true
	}
	return "", false
}

// structShape tells the recorded system-entity shapes apart.
type structShape uint8

const (
	shapeOther structShape = iota
	shapeDate
	shapeTime
	shapeDateTime
)

var (
	dateKeys = []string{"day", "month", "year"}
	timeKeys = []string{"hours", "minutes", "nanos", "seconds"}
)

// shapeOf reports whether m is a @sys.date, @sys.time or date-time
// struct: only numeric fields among year/month/day and
// hours/minutes/seconds/nanos, with year, month and day all present for a
// date and hours present for a time.
func shapeOf(m map[string]any) structShape {
	if len(m) == 0 || len(m) > 7 {
		return shapeOther
	}
	hasDate, hasTime := 0, 0
	for k, x := range m {
		if _, ok := x.(float64); !ok {
			if _, ok := x.(int); !ok {
				return shapeOther
			}
		}
		switch {
		case slices.Contains(dateKeys, k):
			hasDate++
		case slices.Contains(timeKeys, k):
			hasTime++
		default:
			return shapeOther
		}
	}
	_, hours := m["hours"]
	switch {
	case hasDate == 3 && hasTime == 0:
		return shapeDate
	case hasDate == 0 && hours:
		return shapeTime
	case hasDate == 3 && hours:
		return shapeDateTime
	}
	return shapeOther
}

func num(m map[string]any, k string) int {
	switch t := m[k].(type) {
	case float64:
		return int(t)
	case int:
		return t
	}
	return 0
}

func dateTimeText(m map[string]any) (string, bool) {
	switch shapeOf(m) {
	case shapeDate:
		return fmt.Sprintf("%04d-%02d-%02d", num(m, "year"), num(m, "month"), num(m, "day")), true
	case shapeTime:
		return fmt.Sprintf("%02d:%02d:%02d", num(m, "hours"), num(m, "minutes"), num(m, "seconds")), true
	case shapeDateTime:
		return fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d", num(m, "year"), num(m, "month"), num(m, "day"),
			num(m, "hours"), num(m, "minutes"), num(m, "seconds")), true
	}
	return "", false
}
