package scaffold

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/fulfillment"
)

// A goType is a type of the generated code: as written there, and the same
// type in this program, to decode sample values into before writing it.
type goType struct {
	src string
	rt  reflect.Type
}

var (
	tString   = goType{"string", reflect.TypeFor[string]()}
	tFloat    = goType{"*float64", reflect.TypeFor[*float64]()}
	tInt      = goType{"*int", reflect.TypeFor[*int]()}
	tBool     = goType{"*bool", reflect.TypeFor[*bool]()}
	tValue    = goType{"fulfillment.Value", reflect.TypeFor[fulfillment.Value]()}
	tAny      = goType{"any", reflect.TypeFor[any]()}
	tDate     = goType{"*fulfillment.Date", reflect.TypeFor[*fulfillment.Date]()}
	tTime     = goType{"*fulfillment.TimeOfDay", reflect.TypeFor[*fulfillment.TimeOfDay]()}
	tDateTime = goType{"*fulfillment.DateTime", reflect.TypeFor[*fulfillment.DateTime]()}
	tDuration = goType{"*fulfillment.Duration", reflect.TypeFor[*fulfillment.Duration]()}
	tMoney    = goType{"*fulfillment.Money", reflect.TypeFor[*fulfillment.Money]()}
	tPerson   = goType{"*fulfillment.Person", reflect.TypeFor[*fulfillment.Person]()}
	tLocation = goType{"*fulfillment.Location", reflect.TypeFor[*fulfillment.Location]()}
)

// systemTypes are the Go types of the system entities' values, in the
// shapes Dialogflow sends (see the sysentity types of package
// fulfillment). A system entity not listed is read as a
// fulfillment.Value, which takes any JSON.
var systemTypes = map[string]goType{
	"sys.date":            tDate,
	"sys.time":            tTime,
	"sys.date-time":       tDateTime,
	"sys.duration":        tDuration,
	"sys.unit-currency":   tMoney,
	"sys.person":          tPerson,
	"sys.location":        tLocation,
	"sys.number":          tFloat,
	"sys.number-integer":  tInt,
	"sys.cardinal":        tInt,
	"sys.ordinal":         tInt,
	"sys.any":             tString,
	"sys.number-sequence": tString,
	"sys.phone-number":    tString,
	"sys.email":           tString,
	"sys.url":             tString,
	"sys.zip-code":        tString,
	"sys.address":         tString,
	"sys.street-address":  tString,
	"sys.geo-city":        tString,
	"sys.geo-state":       tString,
	"sys.geo-country":     tString,
	"sys.color":           tString,
	"sys.language":        tString,
	"sys.given-name":      tString,
	"sys.last-name":       tString,
	"sys.percentage":      tString,
	"sys.flight-number":   tString,
}

// entityType returns the Go type of a parameter of entity type ref: the
// system entity's (see systemTypes); a string for a custom entity type,
// whose value is the entry's reference value; a fulfillment.Value for a
// composite type (an entry that is another entity type, "@sys.email",
// can make the value an object) or a parameter without an entity type.
// A list parameter is a slice of the element type.
func entityType(ref agent.EntityRef, isList bool) goType {
	t := tValue
	switch sys, isSys := ref.System(); {
	case isSys:
		if st, ok := systemTypes[sys]; ok {
			t = st
		}
	case ref.Type != nil:
		t = tString
		for _, e := range ref.Type.Entities {
			if strings.HasPrefix(e.Value, "@") {
				t = tValue
				break
			}
		}
	}
	if !isList {
		return t
	}
	elem := t
	if elem.rt.Kind() == reflect.Pointer {
		elem = goType{strings.TrimPrefix(elem.src, "*"), elem.rt.Elem()}
	}
	return goType{"[]" + elem.src, reflect.SliceOf(elem.rt)}
}

// A field is one field of a generated struct.
type field struct {
	Name string // the Go name
	JSON string // the JSON member's name
	Type goType
	// OmitZero adds the omitzero option, for answer fields: a member the
	// handler leaves unset is left out of the answer.
	OmitZero bool
	Doc      string
}

// A structType is a generated struct.
type structType struct {
	Fields []*field
	names  *namespace
	json   map[string]*field // by JSON name, folded to lower case
}

func newStruct() *structType {
	return &structType{names: newNamespace(), json: map[string]*field{}}
}

// add adds a field for member name, unless the struct has one of that
// name already (compared without case, as CX compares parameter names),
// in which case it returns the existing field.
func (s *structType) add(name string, t goType, doc string) (f *field, added bool) {
	key := strings.ToLower(name)
	if f := s.json[key]; f != nil {
		return f, false
	}
	f = &field{Name: s.names.take(exportedName(name, "X"), ""), JSON: name, Type: t, Doc: doc}
	s.Fields = append(s.Fields, f)
	s.json[key] = f
	return f, true
}

// reflectType returns the struct as this program's type, with the json
// tags the generated code has.
func (s *structType) reflectType() reflect.Type {
	fields := make([]reflect.StructField, len(s.Fields))
	for i, f := range s.Fields {
		fields[i] = reflect.StructField{Name: fmt.Sprintf("F%d", i), Type: f.Type.rt, Tag: reflect.StructTag(f.tag())}
	}
	return reflect.StructOf(fields)
}

// tag returns the field's struct tag, json:"name" (with ,omitzero for an
// answer field). A name package json does not take as it is (one that
// holds a comma, a backslash or a quote, "-", or a control character) is
// written single-quoted, as package json reads such a name.
func (f *field) tag() string {
	name := f.JSON
	if !plainJSONName(name) {
		name = singleQuote(name)
	}
	if f.OmitZero {
		name += ",omitzero"
	}
	return `json:` + doubleQuote(name)
}

func plainJSONName(s string) bool {
	if s == "" || s == "-" {
		return false
	}
	for _, r := range s {
		if strings.ContainsRune(",\\'\"`", r) || r < ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

// singleQuote writes s as a Go string literal in single quotes, the form
// package json (v2) reads for names that hold special characters.
func singleQuote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch {
		case r == '\'' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < ' ' || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// doubleQuote writes s in double quotes as struct tag values are
// (reflect.StructTag's conventions: backslash escapes).
func doubleQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
