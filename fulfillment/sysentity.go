package fulfillment

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The values of system entities. Dialogflow CX resolves a parameter of a
// composite system entity to a JSON object and sends that object as the
// parameter's value, in session parameters, form parameters and intent
// parameters alike. These types read those objects, through the typed
// getters below ([Params.Date], [Value.Date], ...), through [Value.Decode]
// and through [Params.Decode] into struct fields of these types:
//
//	var trip struct {
//		Day  fulfillment.Date      `json:"departure_date"`
//		Time fulfillment.TimeOfDay `json:"outbound_departure_time"`
//	}
//	err := req.Params().Decode(&trip)
//
// Numbers arrive as doubles (3 or 3.0, both read as 3; 3.5 where an integer
// belongs is an error). The getters fail as the others do, with a
// *[ParamError] wrapping [ErrAbsent], [ErrNull] or [ErrWrongType]; through
// Decode a null value leaves the field at its zero value.
//
// Where the shapes come from: @sys.date, @sys.time, @sys.person and
// @sys.location's "original" appear in recorded CX test cases and captured
// requests (../shared/CXRUNTIME.md §4.1, shared/fixtures). @sys.date-time,
// @sys.duration and @sys.unit-currency follow Dialogflow's system entity
// reference ({"amount", "unit"}, {"amount", "currency"}) and the date and
// time objects above; no captured CX request confirms them, so these types
// also read the ISO 8601 strings Dialogflow ES sent for dates and times.
// Simple system entities (@sys.any, @sys.number-sequence, @sys.email,
// @sys.zip-code, @sys.address, @sys.geo-city ...) arrive as strings and
// @sys.number and @sys.number-integer as numbers: read them with
// [Params.String], [Params.Number] and [Params.Int].

// A Date is the value of @sys.date: {"year": 2036, "month": 3, "day": 14}.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// In returns midnight of the date in loc (the agent's time zone, for one).
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// String writes the date as 2036-03-14.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// MarshalJSONTo writes the date as Dialogflow sends it.
func (d Date) MarshalJSONTo(enc *jsontext.Encoder) error {
	return writeObject(enc, "year", float64(d.Year), "month", float64(d.Month), "day", float64(d.Day))
}

// UnmarshalJSONFrom reads {"year", "month", "day"}, or an ISO 8601 date
// ("2036-03-14", or a date-time whose date it takes); null leaves d as it
// is.
func (d *Date) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	var o sysObject
	switch ok, err := o.read(dec, "date"); {
	case err != nil || !ok:
		return err
	case o.str != nil:
		t, err := parseISO(*o.str, time.DateOnly, time.RFC3339Nano, "2006-01-02T15:04:05")
		if err != nil {
			return err
		}
		*d = Date{t.Year(), t.Month(), t.Day()}
		return nil
	}
	v, err := o.ints("year", "month", "day")
	if err != nil {
		return err
	}
	*d = Date{v[0], time.Month(v[1]), v[2]}
	return nil
}

// A TimeOfDay is the value of @sys.time:
// {"hours": 15, "minutes": 0, "seconds": 0, "nanos": 0}.
type TimeOfDay struct {
	Hours, Minutes, Seconds, Nanos int
}

// Since returns the time of day as the time since midnight.
func (t TimeOfDay) Since() time.Duration {
	return time.Duration(t.Hours)*time.Hour + time.Duration(t.Minutes)*time.Minute +
		time.Duration(t.Seconds)*time.Second + time.Duration(t.Nanos)
}

// String writes the time as 15:04:05, as Dialogflow renders it in a
// response text.
func (t TimeOfDay) String() string {
	return fmt.Sprintf("%02d:%02d:%02d", t.Hours, t.Minutes, t.Seconds)
}

// MarshalJSONTo writes the time as Dialogflow sends it.
func (t TimeOfDay) MarshalJSONTo(enc *jsontext.Encoder) error {
	return writeObject(enc, "hours", float64(t.Hours), "minutes", float64(t.Minutes), "seconds", float64(t.Seconds), "nanos", float64(t.Nanos))
}

// UnmarshalJSONFrom reads {"hours", "minutes", "seconds", "nanos"}, or an
// ISO 8601 time ("15:04:05", or a date-time whose time it takes).
func (t *TimeOfDay) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	var o sysObject
	switch ok, err := o.read(dec, "time"); {
	case err != nil || !ok:
		return err
	case o.str != nil:
		v, err := parseISO(*o.str, time.TimeOnly, "15:04:05.999999999", time.RFC3339Nano, "2006-01-02T15:04:05")
		if err != nil {
			return err
		}
		*t = TimeOfDay{v.Hour(), v.Minute(), v.Second(), v.Nanosecond()}
		return nil
	}
	v, err := o.ints("hours", "minutes", "seconds", "nanos")
	if err != nil {
		return err
	}
	*t = TimeOfDay{v[0], v[1], v[2], v[3]}
	return nil
}

// A DateTime is the value of @sys.date-time: a date and a time of day in
// one object, {"year", "month", "day", "hours", "minutes", "seconds",
// "nanos"}.
type DateTime struct {
	Date
	TimeOfDay
}

// In returns the date and time in loc (the agent's time zone, for one).
func (d DateTime) In(loc *time.Location) time.Time {
	return d.Date.In(loc).Add(d.TimeOfDay.Since())
}

// String writes the date and time as 2036-03-14T15:04:05.
func (d DateTime) String() string { return d.Date.String() + "T" + d.TimeOfDay.String() }

// MarshalJSONTo writes the date and time as one object.
func (d DateTime) MarshalJSONTo(enc *jsontext.Encoder) error {
	return writeObject(enc, "year", float64(d.Year), "month", float64(d.Month), "day", float64(d.Day),
		"hours", float64(d.Hours), "minutes", float64(d.Minutes), "seconds", float64(d.Seconds), "nanos", float64(d.Nanos))
}

// UnmarshalJSONFrom reads the object, or an ISO 8601 date-time.
func (d *DateTime) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	var o sysObject
	switch ok, err := o.read(dec, "date-time"); {
	case err != nil || !ok:
		return err
	case o.str != nil:
		t, err := parseISO(*o.str, time.RFC3339Nano, "2006-01-02T15:04:05", time.DateOnly)
		if err != nil {
			return err
		}
		*d = DateTime{Date{t.Year(), t.Month(), t.Day()}, TimeOfDay{t.Hour(), t.Minute(), t.Second(), t.Nanosecond()}}
		return nil
	}
	v, err := o.ints("year", "month", "day", "hours", "minutes", "seconds", "nanos")
	if err != nil {
		return err
	}
	*d = DateTime{Date{v[0], time.Month(v[1]), v[2]}, TimeOfDay{v[3], v[4], v[5], v[6]}}
	return nil
}

// A Duration is the value of @sys.duration: {"amount": 10, "unit": "min"}.
type Duration struct {
	Amount float64
	Unit   string
}

// durationUnits are the units with a fixed length; months and years are
// not.
var durationUnits = map[string]time.Duration{
	"s": time.Second, "sec": time.Second, "second": time.Second, "seconds": time.Second,
	"min": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"day": 24 * time.Hour, "days": 24 * time.Hour,
	"wk": 7 * 24 * time.Hour, "week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
}

// Std returns the duration as a time.Duration; ok is false for a unit of
// no fixed length (month, year) or one it does not know, or an amount too
// large.
func (d Duration) Std() (time.Duration, bool) {
	u, ok := durationUnits[d.Unit]
	f := d.Amount * float64(u)
	if !ok || math.IsNaN(f) || math.Abs(f) >= math.MaxInt64 {
		return 0, false
	}
	return time.Duration(f), true
}

// MarshalJSONTo writes the duration as Dialogflow sends it.
func (d Duration) MarshalJSONTo(enc *jsontext.Encoder) error {
	return writeObject(enc, "amount", d.Amount, "unit", d.Unit)
}

// UnmarshalJSONFrom reads {"amount", "unit"}.
func (d *Duration) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	var o sysObject
	if ok, err := o.read(dec, "duration"); err != nil || !ok {
		return err
	}
	a, u, err := o.amount("unit")
	if err == nil {
		*d = Duration{a, u}
	}
	return err
}

// Money is the value of @sys.unit-currency:
// {"amount": 10.5, "currency": "USD"}, the currency an ISO 4217 code.
type Money struct {
	Amount   float64
	Currency string
}

// String writes the amount and the currency, as 10.50 USD.
func (m Money) String() string { return strconv.FormatFloat(m.Amount, 'f', 2, 64) + " " + m.Currency }

// MarshalJSONTo writes the amount as Dialogflow sends it.
func (m Money) MarshalJSONTo(enc *jsontext.Encoder) error {
	return writeObject(enc, "amount", m.Amount, "currency", m.Currency)
}

// UnmarshalJSONFrom reads {"amount", "currency"}.
func (m *Money) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	var o sysObject
	if ok, err := o.read(dec, "money"); err != nil || !ok {
		return err
	}
	a, c, err := o.amount("currency")
	if err == nil {
		*m = Money{a, c}
	}
	return err
}

// A Person is the value of @sys.person: {"name": "Daniel Cormier",
// "original": "Daniel Cormier"}, the name as resolved and as said.
type Person struct {
	Name     string
	Original string
}

// MarshalJSONTo writes the person as Dialogflow sends it.
func (p Person) MarshalJSONTo(enc *jsontext.Encoder) error {
	return writeObject(enc, "name", p.Name, "original", p.Original)
}

// UnmarshalJSONFrom reads {"name", "original"}, or a string (the name).
func (p *Person) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	var o sysObject
	switch ok, err := o.read(dec, "person"); {
	case err != nil || !ok:
		return err
	case o.str != nil:
		*p = Person{*o.str, *o.str}
		return nil
	}
	s, err := o.strings("name", "original")
	if err == nil {
		*p = Person{s[0], s[1]}
	}
	return err
}

// A Location is the value of @sys.location, whose "original" holds what
// the user said ("1600 Amphitheatre Parkway"). The other members follow
// Dialogflow's system entity reference and are empty when absent.
type Location struct {
	Original      string
	StreetAddress string
	City          string
	AdminArea     string
	ZipCode       string
	Country       string
	BusinessName  string
}

var locationMembers = []string{"original", "street-address", "city", "admin-area", "zip-code", "country", "business-name"}

// MarshalJSONTo writes the location's non-empty members.
func (l Location) MarshalJSONTo(enc *jsontext.Encoder) error {
	var kv []any
	for i, v := range []string{l.Original, l.StreetAddress, l.City, l.AdminArea, l.ZipCode, l.Country, l.BusinessName} {
		if v != "" || i == 0 {
			kv = append(kv, locationMembers[i], v)
		}
	}
	return writeObject(enc, kv...)
}

// UnmarshalJSONFrom reads the object, or a string (the original).
func (l *Location) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	var o sysObject
	switch ok, err := o.read(dec, "location"); {
	case err != nil || !ok:
		return err
	case o.str != nil:
		*l = Location{Original: *o.str}
		return nil
	}
	s, err := o.strings(locationMembers...)
	if err == nil {
		*l = Location{s[0], s[1], s[2], s[3], s[4], s[5], s[6]}
	}
	return err
}

// The typed getters. Each fails like [Params.String]: ErrAbsent, ErrNull,
// or ErrWrongType for another JSON kind or an object of another shape.

// Date returns the value as a @sys.date.
func (v Value) Date() (Date, error) { var d Date; return d, v.sysDecode("date", &d) }

// TimeOfDay returns the value as a @sys.time.
func (v Value) TimeOfDay() (TimeOfDay, error) { var t TimeOfDay; return t, v.sysDecode("time", &t) }

// DateTime returns the value as a @sys.date-time.
func (v Value) DateTime() (DateTime, error) { var d DateTime; return d, v.sysDecode("date-time", &d) }

// Duration returns the value as a @sys.duration.
func (v Value) Duration() (Duration, error) { var d Duration; return d, v.sysDecode("duration", &d) }

// Money returns the value as a @sys.unit-currency.
func (v Value) Money() (Money, error) { var m Money; return m, v.sysDecode("money", &m) }

// Person returns the value as a @sys.person.
func (v Value) Person() (Person, error) { var p Person; return p, v.sysDecode("person", &p) }

// Location returns the value as a @sys.location.
func (v Value) Location() (Location, error) { var l Location; return l, v.sysDecode("location", &l) }

// Date returns the parameter as a @sys.date.
func (p Params) Date(name string) (Date, error) {
	d, err := p.Get(name).Date()
	return d, named(err, name)
}

// TimeOfDay returns the parameter as a @sys.time.
func (p Params) TimeOfDay(name string) (TimeOfDay, error) {
	t, err := p.Get(name).TimeOfDay()
	return t, named(err, name)
}

// DateTime returns the parameter as a @sys.date-time.
func (p Params) DateTime(name string) (DateTime, error) {
	d, err := p.Get(name).DateTime()
	return d, named(err, name)
}

// Duration returns the parameter as a @sys.duration.
func (p Params) Duration(name string) (Duration, error) {
	d, err := p.Get(name).Duration()
	return d, named(err, name)
}

// Money returns the parameter as a @sys.unit-currency.
func (p Params) Money(name string) (Money, error) {
	m, err := p.Get(name).Money()
	return m, named(err, name)
}

// Person returns the parameter as a @sys.person.
func (p Params) Person(name string) (Person, error) {
	s, err := p.Get(name).Person()
	return s, named(err, name)
}

// Location returns the parameter as a @sys.location.
func (p Params) Location(name string) (Location, error) {
	l, err := p.Get(name).Location()
	return l, named(err, name)
}

// sysDecode decodes a system entity value into dst, with the errors of the
// other getters.
func (v Value) sysDecode(want string, dst any) error {
	switch got := v.Kind(); got {
	case "absent":
		return &ParamError{Want: want, Got: got, Err: ErrAbsent}
	case "null":
		return &ParamError{Want: want, Got: got, Err: ErrNull}
	}
	if err := json.Unmarshal(v.raw, dst); err != nil {
		return &ParamError{Want: want, Got: v.Kind(), Err: ErrWrongType}
	}
	return nil
}

// errShape is the error of a value that is not of a system entity's shape.
// Decode turns it into a *ParamError that names the Go type.
var errShape = errors.New("not the shape of the system entity's value")

// A sysObject is a system entity value as read: a JSON object's members
// (numbers and strings; others are kept to be reported) or a string.
type sysObject struct {
	str     *string
	members map[string]jsontext.Value
}

// read reads the next value; ok is false for null, which leaves the
// destination as it is.
func (o *sysObject) read(dec *jsontext.Decoder, what string) (ok bool, err error) {
	switch dec.PeekKind() {
	case 'n':
		_, err := dec.ReadToken()
		return false, err
	case '"':
		tok, err := dec.ReadToken()
		if err != nil {
			return false, err
		}
		s := tok.String()
		o.str = &s
		return true, nil
	case '{':
		if err := json.UnmarshalDecode(dec, &o.members); err != nil {
			return false, err
		}
		return true, nil
	}
	if _, err := dec.ReadValue(); err != nil {
		return false, err
	}
	return false, fmt.Errorf("a %s is an object: %w", what, errShape)
}

// ints returns the named members as integers (absent members are 0); at
// least one must be there.
func (o *sysObject) ints(names ...string) ([]int, error) {
	out := make([]int, len(names))
	found := false
	for i, n := range names {
		raw, ok := o.members[n]
		if !ok {
			continue
		}
		found = true
		var f float64
		if raw.Kind() != '0' || json.Unmarshal(raw, &f) != nil || f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
			return nil, fmt.Errorf("member %q is not an integer: %w", n, errShape)
		}
		out[i] = int(f)
	}
	if !found {
		return nil, fmt.Errorf("none of the members %q: %w", names, errShape)
	}
	return out, nil
}

// strings returns the named members as strings (absent members are ""); at
// least one must be there.
func (o *sysObject) strings(names ...string) ([]string, error) {
	if o.str != nil {
		return nil, errShape
	}
	out := make([]string, len(names))
	found := false
	for i, n := range names {
		raw, ok := o.members[n]
		if !ok || raw.Kind() == 'n' {
			continue
		}
		found = true
		if raw.Kind() != '"' || json.Unmarshal(raw, &out[i]) != nil {
			return nil, fmt.Errorf("member %q is not a string: %w", n, errShape)
		}
	}
	if !found {
		return nil, fmt.Errorf("none of the members %q: %w", names, errShape)
	}
	return out, nil
}

// amount returns the number "amount" and the string member unit, both
// required.
func (o *sysObject) amount(unit string) (float64, string, error) {
	if o.str != nil {
		return 0, "", errShape
	}
	raw, ok := o.members["amount"]
	var a float64
	if !ok || raw.Kind() != '0' || json.Unmarshal(raw, &a) != nil {
		return 0, "", fmt.Errorf(`member "amount" is not a number: %w`, errShape)
	}
	raw, ok = o.members[unit]
	var u string
	if !ok || raw.Kind() != '"' || json.Unmarshal(raw, &u) != nil {
		return 0, "", fmt.Errorf("member %q is not a string: %w", unit, errShape)
	}
	return a, u, nil
}

func parseISO(s string, layouts ...string) (time.Time, error) {
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not an ISO 8601 date or time: %w", errShape)
}

// writeObject writes a JSON object of name, value pairs (float64 or
// string values).
func writeObject(enc *jsontext.Encoder, kv ...any) error {
	if err := enc.WriteToken(jsontext.BeginObject); err != nil {
		return err
	}
	for i := 0; i < len(kv); i += 2 {
		if err := enc.WriteToken(jsontext.String(kv[i].(string))); err != nil {
			return err
		}
		var tok jsontext.Token
		switch v := kv[i+1].(type) {
		case float64:
			tok = jsontext.Float(v)
		case string:
			tok = jsontext.String(v)
		}
		if err := enc.WriteToken(tok); err != nil {
			return err
		}
	}
	return enc.WriteToken(jsontext.EndObject)
}
