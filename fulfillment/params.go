package fulfillment

import (
	"bytes"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Errors a parameter getter wraps, so that callers can tell the three ways a
// parameter can fail to be what they asked for with [errors.Is].
var (
	// ErrAbsent means the parameter is not there at all.
	ErrAbsent = errors.New("absent")
	// ErrNull means the parameter is there with the value null: Dialogflow
	// sends null for a parameter that was set and then cleared.
	ErrNull = errors.New("null")
	// ErrWrongType means the parameter holds a value of another JSON type
	// than the getter reads, or a number that does not fit.
	ErrWrongType = errors.New("wrong type")
)

// A ParamError reports why a parameter could not be read. It never holds
// the parameter's value, so it is safe to log.
type ParamError struct {
	Name string // the parameter's display name
	Want string // what the getter reads: "string", "number", "integer", ...
	Got  string // the JSON kind found: "absent", "null", "string", "number", "bool", "list", "map"; for Decode, the Go type
	Err  error  // ErrAbsent, ErrNull or ErrWrongType
}

func (e *ParamError) Error() string {
	what := "value"
	if e.Name != "" {
		what = fmt.Sprintf("parameter %q", e.Name)
	}
	switch e.Err {
	case ErrAbsent:
		return what + " is absent"
	case ErrNull:
		return fmt.Sprintf("%s is null, want %s", what, e.Want)
	}
	if e.Got == e.Want || e.Got == "number" && e.Want == "integer" {
		return fmt.Sprintf("%s is not an integer that fits", what)
	}
	return fmt.Sprintf("%s is a %s, want %s", what, e.Got, e.Want)
}

// Unwrap returns ErrAbsent, ErrNull or ErrWrongType.
func (e *ParamError) Unwrap() error { return e.Err }

// A Value is one google.protobuf.Value: a parameter's or a form field's JSON
// value, kept as the JSON text Dialogflow sent and decoded only when read.
// The zero Value is absent.
type Value struct {
	raw jsontext.Value
}

// ValueOf returns the Value for the JSON encoding of v. It is meant for
// tests and examples; it panics if v cannot be encoded.
func ValueOf(v any) Value {
	b, err := json.Marshal(v)
	if err != nil {
		panic("fulfillment: ValueOf: " + err.Error())
	}
	return Value{raw: b}
}

// IsAbsent reports whether the value is not there at all.
func (v Value) IsAbsent() bool { return len(v.raw) == 0 }

// IsNull reports whether the value is JSON null.
func (v Value) IsNull() bool { return v.Kind() == "null" }

// Kind names the value's JSON type: "absent", "null", "string", "number",
// "bool", "list" or "map".
func (v Value) Kind() string {
	if len(v.raw) == 0 {
		return "absent"
	}
	if k := kindName(v.raw.Kind()); k != "" {
		return k
	}
	return "invalid"
}

// kindName names a JSON kind the way ParamError does; "" for none.
func kindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case '"':
		return "string"
	case '0':
		return "number"
	case 't', 'f':
		return "bool"
	case '[':
		return "list"
	case '{':
		return "map"
	}
	return ""
}

// JSON returns the value's JSON text (nil if absent). The caller must not
// modify it.
func (v Value) JSON() []byte { return v.raw }

// String returns the value if it is a JSON string.
func (v Value) String() (string, error) {
	if s, ok := simpleString(v.raw); ok {
		return s, nil
	}
	var s string
	return s, v.decode("string", '"', &s)
}

// simpleString returns the text of raw if it is a JSON string with nothing
// to unescape: the common parameter, read without a decoder. Anything
// else (escapes, control characters, invalid UTF-8, not a string) is left
// to the decoder and its errors.
func simpleString(raw jsontext.Value) (string, bool) {
	n := len(raw)
	if n < 2 || raw[0] != '"' || raw[n-1] != '"' {
		return "", false
	}
	text := raw[1 : n-1]
	for _, c := range text {
		if c < ' ' || c == '\\' || c == '"' {
			return "", false
		}
	}
	if !utf8.Valid(text) {
		return "", false
	}
	return string(text), true
}

// Number returns the value if it is a JSON number.
func (v Value) Number() (float64, error) {
	var f float64
	return f, v.decode("number", '0', &f)
}

// Int returns the value if it is a JSON number with no fraction that fits in
// an int64. Dialogflow sends every number as a double, so 3 and 3.0 both
// read as 3.
func (v Value) Int() (int64, error) {
	f, err := v.Number()
	if err != nil {
		if pe, ok := err.(*ParamError); ok {
			pe.Want = "integer"
		}
		return 0, err
	}
	if f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63 {
		return 0, &ParamError{Want: "integer", Got: "number", Err: ErrWrongType}
	}
	return int64(f), nil
}

// Bool returns the value if it is a JSON boolean.
func (v Value) Bool() (bool, error) {
	var b bool
	return b, v.decode("bool", 't', &b)
}

// List returns the elements of a JSON array.
func (v Value) List() ([]Value, error) {
	var raws []jsontext.Value
	if err := v.decode("list", '[', &raws); err != nil {
		return nil, err
	}
	out := make([]Value, len(raws))
	for i, r := range raws {
		out[i] = Value{raw: r}
	}
	return out, nil
}

// Map returns the members of a JSON object as parameters, so that nested
// values are read with the same getters.
func (v Value) Map() (Params, error) {
	if err := v.check("map", '{'); err != nil {
		return Params{}, err
	}
	return Params{raw: v.raw}.withIndex(), nil
}

// Decode unmarshals the value into dst (a pointer), with the rules of
// github.com/go-json-experiment/json.
func (v Value) Decode(dst any) error {
	if len(v.raw) == 0 {
		return &ParamError{Want: "value", Got: "absent", Err: ErrAbsent}
	}
	return decodeError(json.Unmarshal(v.raw, dst, wholeNumbers))
}

// wholeNumbers lets integer Go types take JSON numbers with a zero fraction
// or an exponent, as Dialogflow writes integers as doubles.
var wholeNumbers = json.WithUnmarshalers(json.JoinUnmarshalers(
	wholeNumber[int](), wholeNumber[int8](), wholeNumber[int16](), wholeNumber[int32](), wholeNumber[int64](),
	wholeNumber[uint](), wholeNumber[uint8](), wholeNumber[uint16](), wholeNumber[uint32](), wholeNumber[uint64](),
))

func wholeNumber[T int | int8 | int16 | int32 | int64 | uint | uint8 | uint16 | uint32 | uint64]() *json.Unmarshalers {
	return json.UnmarshalFromFunc(func(dec *jsontext.Decoder, v *T) error {
		if dec.PeekKind() != '0' {
			return json.SkipFunc // not a number: the default rules apply
		}
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		f := tok.Float()
		var zero T
		bits := unsafe.Sizeof(zero) * 8
		lo, hi := 0.0, math.Ldexp(1, int(bits)) // [lo, hi)
		if zero-1 < zero {                      // signed
			lo, hi = -math.Ldexp(1, int(bits)-1), math.Ldexp(1, int(bits)-1)
		}
		if f != math.Trunc(f) || f < lo || f >= hi {
			return fmt.Errorf("number does not fit %T", zero)
		}
		*v = T(f)
		return nil
	})
}

// check returns the *ParamError for a value that is not of the kind.
func (v Value) check(want string, kind jsontext.Kind) error {
	got := v.Kind()
	switch {
	case got == "absent":
		return &ParamError{Want: want, Got: got, Err: ErrAbsent}
	case got == "null":
		return &ParamError{Want: want, Got: got, Err: ErrNull}
	case v.raw.Kind() != kind && (kind != 't' || v.raw.Kind() != 'f'):
		return &ParamError{Want: want, Got: got, Err: ErrWrongType}
	}
	return nil
}

func (v Value) decode(want string, kind jsontext.Kind, dst any) error {
	if err := v.check(want, kind); err != nil {
		return err
	}
	if err := json.Unmarshal(v.raw, dst); err != nil {
		return &ParamError{Want: want, Got: v.Kind(), Err: ErrWrongType}
	}
	return nil
}

// MarshalJSONTo writes the value's JSON text; an absent value is written as
// null.
func (v Value) MarshalJSONTo(enc *jsontext.Encoder) error {
	if len(v.raw) == 0 {
		return enc.WriteToken(jsontext.Null)
	}
	return enc.WriteValue(v.raw)
}

// UnmarshalJSONFrom keeps a copy of the JSON text; null is kept as null,
// since a null parameter means something in CX.
func (v *Value) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	v.raw = keep(dec, raw)
	return nil
}

// Params are parameter values keyed by name: the session parameters, the
// request's payload, or the members of a map value. They are kept as the
// JSON object Dialogflow sent and read on demand, so a request with
// hundreds of parameters costs little to decode. The first lookups by name
// scan the object up to the name; once they have scanned as much as the
// object holds, the names are indexed, once, and every lookup after that
// is a map lookup: reading every parameter of an object by name costs time
// in proportion to its size, however many it holds. [Params.All] iterates
// over all of them in one scan. The zero Params is empty. Params are
// read-only and safe for concurrent use; copies share the index.
type Params struct {
	raw jsontext.Value // a JSON object, or nil
	err error          // set by a constructor whose value could not be encoded
	idx *paramIndex    // nil: no index, every lookup scans
}

// paramIndex is the index of one Params' names, built once lookups have
// scanned as many bytes as the object holds, or when all names are asked
// for.
type paramIndex struct {
	scanned atomic.Int64            // bytes scanned by lookups, until the index is built
	built   atomic.Pointer[indexed] // nil until built
}

// indexed is a built index.
type indexed struct {
	members []member         // in the order sent
	names   map[string]int32 // unescaped name to its place in members
}

// member is one parameter: its unescaped name and where its value lies in
// its Params' raw text.
type member struct {
	name       string
	start, end int32
}

// withIndex returns p with a new index of its own.
func (p Params) withIndex() Params {
	if len(p.raw) > 0 {
		p.idx = new(paramIndex)
	}
	return p
}

var errNotObject = errors.New("value does not encode to a JSON object")

// scanner reads the members of a JSON object held in memory, without
// copying it: jsontext decodes a *bytes.Buffer in place.
type scanner struct {
	buf bytes.Buffer
	dec *jsontext.Decoder
}

var scanners = sync.Pool{New: func() any {
	s := new(scanner)
	s.dec = jsontext.NewDecoder(&s.buf)
	return s
}}

// fastScanners do not check for names sent twice: building the index does,
// in the map it builds anyway.
var fastScanners = sync.Pool{New: func() any {
	s := new(scanner)
	s.dec = jsontext.NewDecoder(&s.buf, jsontext.AllowDuplicateNames(true))
	return s
}}

// each calls f with every member's raw name (quoted, as sent), value and
// the value's offset in p.raw, in order, until f returns false; it returns
// how many bytes it read. The slices alias p.raw. It stops at a name sent
// twice, whose second value the decoder refuses: a lookup finds the first.
func (p Params) each(f func(name, value jsontext.Value, at int64) bool) (read int64) {
	return p.scan(&scanners, f)
}

// scan is each, with a scanner from pool.
func (p Params) scan(pool *sync.Pool, f func(name, value jsontext.Value, at int64) bool) (read int64) {
	if len(p.raw) == 0 {
		return 0
	}
	s := pool.Get().(*scanner)
	defer pool.Put(s)
	s.buf = *bytes.NewBuffer(p.raw)
	s.dec.Reset(&s.buf)
	defer func() { read = s.dec.InputOffset() }()
	if _, err := s.dec.ReadToken(); err != nil { // {
		return
	}
	for s.dec.PeekKind() == '"' {
		name, err := s.dec.ReadValue()
		if err != nil {
			return
		}
		value, err := s.dec.ReadValue()
		if err != nil || !f(name, value, s.dec.InputOffset()-int64(len(value))) {
			return
		}
	}
	return
}

// nameIs reports whether the quoted JSON name is name.
func nameIs(quoted jsontext.Value, name string) bool {
	if bytes.IndexByte(quoted, '\\') < 0 { // the common case, without allocating
		return len(quoted) == len(name)+2 && string(quoted[1:len(quoted)-1]) == name
	}
	return unquoteName(quoted) == name
}

func unquoteName(quoted jsontext.Value) string {
	if bytes.IndexByte(quoted, '\\') < 0 {
		return string(quoted[1 : len(quoted)-1])
	}
	u, _ := jsontext.AppendUnquote(nil, quoted)
	return string(u)
}

// lookup finds a parameter by name: by a scan until the index is built,
// through the index after.
func (p Params) lookup(name string) (v jsontext.Value, ok bool) {
	if x := p.index(false); x != nil {
		i, ok := x.names[name]
		if !ok {
			return nil, false
		}
		return p.at(x.members[i]), true
	}
	read := p.each(func(n, value jsontext.Value, _ int64) bool {
		if nameIs(n, name) {
			v, ok = value, true
			return false
		}
		return true
	})
	if p.idx != nil {
		p.idx.scanned.Add(read)
	}
	return v, ok
}

// index returns p's index: built, if it is due or all is set; nil if p
// has none or it is not due yet. Two goroutines may build it at once; one
// index is kept.
func (p Params) index(all bool) *indexed {
	x := p.idx
	if x == nil {
		return nil
	}
	if b := x.built.Load(); b != nil || !all && x.scanned.Load() < int64(len(p.raw)) {
		return b
	}
	x.built.CompareAndSwap(nil, build(p))
	return x.built.Load()
}

// build indexes p's members, the same as each finds: up to a name sent
// twice.
func build(p Params) *indexed {
	x := &indexed{names: make(map[string]int32)}
	p.scan(&fastScanners, func(n, value jsontext.Value, at int64) bool {
		name := unquoteName(n)
		if _, dup := x.names[name]; dup {
			return false
		}
		x.names[name] = int32(len(x.members))
		x.members = append(x.members, member{name, int32(at), int32(at) + int32(len(value))})
		return true
	})
	return x
}

// at returns m's value.
func (p Params) at(m member) jsontext.Value { return p.raw[m.start:m.end:m.end] }

// All returns an iterator over the parameters' names (unescaped) and
// values, in the order Dialogflow sent them, null ones included. It reads
// the object at most once, however many parameters it holds.
func (p Params) All() iter.Seq2[string, Value] {
	return func(yield func(string, Value) bool) {
		if x := p.index(false); x != nil {
			for _, m := range x.members {
				if !yield(m.name, Value{raw: p.at(m)}) {
					return
				}
			}
			return
		}
		p.each(func(n, value jsontext.Value, _ int64) bool {
			return yield(unquoteName(n), Value{raw: value[:len(value):len(value)]})
		})
	}
}

// Len returns the number of parameters, null ones included.
func (p Params) Len() int {
	if x := p.index(false); x != nil {
		return len(x.members)
	}
	n := 0
	p.each(func(_, _ jsontext.Value, _ int64) bool { n++; return true })
	return n
}

// Names returns the parameter names in sorted order. Reading them all,
// it indexes them, so that getting each by name after costs a map lookup;
// [Params.All] reads names and values in one pass.
func (p Params) Names() []string {
	if x := p.index(true); x != nil {
		names := make([]string, len(x.members))
		for i, m := range x.members {
			names[i] = m.name
		}
		slices.Sort(names)
		return names
	}
	var names []string
	p.each(func(n, _ jsontext.Value, _ int64) bool {
		names = append(names, unquoteName(n))
		return true
	})
	slices.Sort(names)
	return names
}

// Has reports whether the parameter is there, possibly as null.
func (p Params) Has(name string) bool {
	_, ok := p.lookup(name)
	return ok
}

// Get returns the parameter's value; the Value is absent if the parameter is
// not there.
func (p Params) Get(name string) Value {
	v, _ := p.lookup(name)
	return Value{raw: v}
}

// String returns the parameter as a string. The error is a *ParamError that
// wraps ErrAbsent, ErrNull or ErrWrongType.
func (p Params) String(name string) (string, error) {
	s, err := p.Get(name).String()
	return s, named(err, name)
}

// Number returns the parameter as a float64.
func (p Params) Number(name string) (float64, error) {
	f, err := p.Get(name).Number()
	return f, named(err, name)
}

// Int returns the parameter as an int64; see [Value.Int].
func (p Params) Int(name string) (int64, error) {
	n, err := p.Get(name).Int()
	return n, named(err, name)
}

// Bool returns the parameter as a bool.
func (p Params) Bool(name string) (bool, error) {
	b, err := p.Get(name).Bool()
	return b, named(err, name)
}

// List returns the parameter's elements if it is a list.
func (p Params) List(name string) ([]Value, error) {
	l, err := p.Get(name).List()
	return l, named(err, name)
}

// Map returns the parameter's members if it is a map.
func (p Params) Map(name string) (Params, error) {
	m, err := p.Get(name).Map()
	return m, named(err, name)
}

// Decode binds the parameters into dst, a pointer to a struct (or a map),
// with the rules of github.com/go-json-experiment/json: fields are matched
// by their `json` tag or name, case-sensitively; parameters without a field
// are ignored; a null parameter leaves its field at the zero value. Use
// pointer fields to tell a missing parameter from a zero one. Dialogflow
// sends every number as a double, so integer fields also accept numbers
// written with a zero fraction or an exponent (3.0, 1e3), as [Value.Int]
// does. An error is a *ParamError that names the parameter and the types,
// never the value.
//
//	var booking struct {
//		Origin      string  `json:"origin-city"`
//		Passengers  int     `json:"passengers"`
//		ReturnDate  *string `json:"return-date"`
//	}
//	err := req.Params().Decode(&booking)
func (p Params) Decode(dst any) error {
	raw := p.raw
	if len(raw) == 0 {
		raw = jsontext.Value("{}")
	}
	return decodeError(json.Unmarshal(raw, dst, wholeNumbers))
}

// MarshalJSONTo writes the parameters as a JSON object.
func (p Params) MarshalJSONTo(enc *jsontext.Encoder) error {
	if p.err != nil {
		return p.err
	}
	if len(p.raw) == 0 {
		return enc.WriteValue(jsontext.Value("{}"))
	}
	return enc.WriteValue(p.raw)
}

// UnmarshalJSONFrom reads a JSON object (a google.protobuf.Struct, or a
// map of Values). null is read as empty, as protojson does.
func (p *Params) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch dec.PeekKind() {
	case 'n':
		_, err := dec.ReadToken()
		p.raw = nil
		return err
	case '{':
	default:
		return fmt.Errorf("a map must be a JSON object, not %v", dec.PeekKind())
	}
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	p.raw = keep(dec, raw)
	return nil
}

// named fills in the parameter name of a *ParamError.
func named(err error, name string) error {
	if pe, ok := err.(*ParamError); ok {
		pe.Name = name
	}
	return err
}

// decodeError rewrites an error from binding parameters so that it names
// the parameter and the types but holds no value: JSON v2's messages quote
// the input, and handlers' errors are logged.
func decodeError(err error) error {
	if err == nil {
		return nil
	}
	var se *json.SemanticError
	if !errors.As(err, &se) {
		return &ParamError{Want: "value", Got: "invalid", Err: ErrWrongType}
	}
	name := string(se.JSONPointer)
	if len(name) > 0 {
		name = name[1:]
	}
	want := "value"
	if se.GoType != nil {
		want = se.GoType.String()
	}
	got := kindName(se.JSONKind)
	if got == "" {
		got = "value"
	}
	return &ParamError{Name: name, Want: want, Got: got, Err: ErrWrongType}
}
