package fulfillment_test

import (
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/cxhook/cxhook/fulfillment"
	"github.com/go-json-experiment/json"
)

// sysParams are values as Dialogflow sends them (from the flight agent's
// test cases and captured requests), and the shapes that must fail.
const sysParams = `{"sessionInfo":{"parameters":{
	"date": {"day": 5, "month": 1, "year": 2022},
	"date_doubles": {"year": 2036.0, "month": 3.0, "day": 14.0},
	"date_iso": "2036-03-14",
	"date_fraction": {"year": 2036, "month": 3.5, "day": 14},
	"date_strings": {"year": "2036", "month": "3", "day": "14"},
	"time": {"hours": 15, "minutes": 0, "nanos": 0, "seconds": 0},
	"time_iso": "08:30:00",
	"date_time": {"year": 2036, "month": 3, "day": 14, "hours": 9, "minutes": 45, "seconds": 0, "nanos": 0},
	"date_time_iso": "2036-03-14T09:45:00-07:00",
	"duration": {"amount": 10, "unit": "min"},
	"duration_month": {"amount": 2, "unit": "mo"},
	"duration_no_unit": {"amount": 10},
	"money": {"amount": 25.5, "currency": "USD"},
	"money_no_amount": {"currency": "USD"},
	"person": {"name": "Daniel Cormier", "original": "Daniel Cormier"},
	"person_string": "Jane Doe",
	"location": {"original": "1600 Amphitheatre Parkway", "city": "Mountain View"},
	"number": 3.0,
	"text": "SEA\t",
	"list": ["one-way"],
	"empty": {},
	"other_map": {"foo": 1},
	"null": null}}}`

func TestSystemEntityGetters(t *testing.T) {
	t.Parallel()
	p := decode(t, sysParams).Params()
	date := func(n string) (any, error) { return p.Date(n) }
	tod := func(n string) (any, error) { return p.TimeOfDay(n) }
	dt := func(n string) (any, error) { return p.DateTime(n) }
	dur := func(n string) (any, error) { return p.Duration(n) }
	money := func(n string) (any, error) { return p.Money(n) }
	person := func(n string) (any, error) { return p.Person(n) }
	loc := func(n string) (any, error) { return p.Location(n) }
	d := func(y int, m time.Month, day int) fulfillment.Date {
		return fulfillment.Date{Year: y, Month: m, Day: day}
	}
	tests := []struct {
		name    string
		get     func(string) (any, error)
		param   string
		want    any
		wantErr error
	}{
		{"date", date, "date", d(2022, time.January, 5), nil},
		{"date as doubles", date, "date_doubles", d(2036, time.March, 14), nil},
		{"date as ISO 8601", date, "date_iso", d(2036, time.March, 14), nil},
		{"date of a date-time", date, "date_time_iso", d(2036, time.March, 14), nil},
		{"date with a fraction", date, "date_fraction", fulfillment.Date{}, fulfillment.ErrWrongType},
		{"date of strings", date, "date_strings", fulfillment.Date{}, fulfillment.ErrWrongType},
		{"date from a time", date, "time", fulfillment.Date{}, fulfillment.ErrWrongType},
		{"date from another map", date, "other_map", fulfillment.Date{}, fulfillment.ErrWrongType},
		{"date from an empty map", date, "empty", fulfillment.Date{}, fulfillment.ErrWrongType},
		{"date from a number", date, "number", fulfillment.Date{}, fulfillment.ErrWrongType},
		{"date from a list", date, "list", fulfillment.Date{}, fulfillment.ErrWrongType},
		{"date from other text", date, "text", fulfillment.Date{}, fulfillment.ErrWrongType},
		{"date null", date, "null", fulfillment.Date{}, fulfillment.ErrNull},
		{"date absent", date, "missing", fulfillment.Date{}, fulfillment.ErrAbsent},
		{"time", tod, "time", fulfillment.TimeOfDay{Hours: 15}, nil},
		{"time as ISO 8601", tod, "time_iso", fulfillment.TimeOfDay{Hours: 8, Minutes: 30}, nil},
		{"time from a date", tod, "date", fulfillment.TimeOfDay{}, fulfillment.ErrWrongType},
		{"time null", tod, "null", fulfillment.TimeOfDay{}, fulfillment.ErrNull},
		{"date-time", dt, "date_time", fulfillment.DateTime{Date: d(2036, time.March, 14), TimeOfDay: fulfillment.TimeOfDay{Hours: 9, Minutes: 45}}, nil},
		{"date-time as ISO 8601", dt, "date_time_iso", fulfillment.DateTime{Date: d(2036, time.March, 14), TimeOfDay: fulfillment.TimeOfDay{Hours: 9, Minutes: 45}}, nil},
		{"date-time absent", dt, "missing", fulfillment.DateTime{}, fulfillment.ErrAbsent},
		{"duration", dur, "duration", fulfillment.Duration{Amount: 10, Unit: "min"}, nil},
		{"duration without a unit", dur, "duration_no_unit", fulfillment.Duration{}, fulfillment.ErrWrongType},
		{"duration from text", dur, "text", fulfillment.Duration{}, fulfillment.ErrWrongType},
		{"money", money, "money", fulfillment.Money{Amount: 25.5, Currency: "USD"}, nil},
		{"money without an amount", money, "money_no_amount", fulfillment.Money{}, fulfillment.ErrWrongType},
		{"money null", money, "null", fulfillment.Money{}, fulfillment.ErrNull},
		{"person", person, "person", fulfillment.Person{Name: "Daniel Cormier", Original: "Daniel Cormier"}, nil},
		{"person as a string", person, "person_string", fulfillment.Person{Name: "Jane Doe", Original: "Jane Doe"}, nil},
		{"person from a number", person, "number", fulfillment.Person{}, fulfillment.ErrWrongType},
		{"person from another map", person, "other_map", fulfillment.Person{}, fulfillment.ErrWrongType},
		{"location", loc, "location", fulfillment.Location{Original: "1600 Amphitheatre Parkway", City: "Mountain View"}, nil},
		{"location absent", loc, "missing", fulfillment.Location{}, fulfillment.ErrAbsent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.get(tt.param)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			var pe *fulfillment.ParamError
			if err != nil && (!errors.As(err, &pe) || pe.Name != tt.param) {
				t.Errorf("error %v does not name parameter %q", err, tt.param)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestSystemEntityDecode binds system entity values into a struct, as a
// handler does, with the errors of Params.Decode.
func TestSystemEntityDecode(t *testing.T) {
	t.Parallel()
	p := decode(t, sysParams).Params()
	var v struct {
		Date     fulfillment.Date      `json:"date_doubles"`
		Time     fulfillment.TimeOfDay `json:"time"`
		When     fulfillment.DateTime  `json:"date_time"`
		For      fulfillment.Duration  `json:"duration"`
		Price    fulfillment.Money     `json:"money"`
		Caller   *fulfillment.Person   `json:"person"`
		Cleared  fulfillment.Date      `json:"null"`
		Absent   *fulfillment.Date     `json:"missing"`
		Count    int                   `json:"number"`
		Airports []string              `json:"list"`
	}
	if err := p.Decode(&v); err != nil {
		t.Fatal(err)
	}
	if v.Date.String() != "2036-03-14" || v.Time.String() != "15:00:00" || v.When.String() != "2036-03-14T09:45:00" ||
		v.For.Amount != 10 || v.Price.String() != "25.50 USD" || v.Caller.Name != "Daniel Cormier" ||
		v.Cleared != (fulfillment.Date{}) || v.Absent != nil || v.Count != 3 || len(v.Airports) != 1 {
		t.Errorf("decoded %+v", v)
	}

	var bad struct {
		Date fulfillment.Date `json:"date_fraction"`
	}
	err := p.Decode(&bad)
	var pe *fulfillment.ParamError
	if !errors.As(err, &pe) || !errors.Is(err, fulfillment.ErrWrongType) || pe.Name != "date_fraction" || pe.Want != "fulfillment.Date" {
		t.Errorf("Decode: %v (%+v)", err, pe)
	}
	var d fulfillment.Date
	if err := p.Get("missing").Decode(&d); !errors.Is(err, fulfillment.ErrAbsent) {
		t.Errorf("Value.Decode of an absent value: %v", err)
	}
	if err := p.Get("text").Decode(&d); !errors.Is(err, fulfillment.ErrWrongType) {
		t.Errorf("Value.Decode of text: %v", err)
	}
}

// TestSystemEntityRoundTrip writes each value as Dialogflow sends it and
// reads it back.
func TestSystemEntityRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		v    any
		want string
	}{
		{fulfillment.Date{Year: 2036, Month: 3, Day: 14}, `{"year":2036,"month":3,"day":14}`},
		{fulfillment.TimeOfDay{Hours: 15, Minutes: 30}, `{"hours":15,"minutes":30,"seconds":0,"nanos":0}`},
		{fulfillment.DateTime{Date: fulfillment.Date{Year: 2036, Month: 3, Day: 14}, TimeOfDay: fulfillment.TimeOfDay{Hours: 9}},
			`{"year":2036,"month":3,"day":14,"hours":9,"minutes":0,"seconds":0,"nanos":0}`},
		{fulfillment.Duration{Amount: 1.5, Unit: "h"}, `{"amount":1.5,"unit":"h"}`},
		{fulfillment.Money{Amount: 10, Currency: "EUR"}, `{"amount":10,"currency":"EUR"}`},
		{fulfillment.Person{Name: "Jane Doe", Original: "jane"}, `{"name":"Jane Doe","original":"jane"}`},
		{fulfillment.Location{Original: "here", ZipCode: "94043"}, `{"original":"here","zip-code":"94043"}`},
	} {
		v := fulfillment.ValueOf(tt.v)
		if string(v.JSON()) != tt.want {
			t.Errorf("%T written as %s, want %s", tt.v, v.JSON(), tt.want)
		}
		var back any
		switch tt.v.(type) {
		case fulfillment.Date:
			back, _ = v.Date()
		case fulfillment.TimeOfDay:
			back, _ = v.TimeOfDay()
		case fulfillment.DateTime:
			back, _ = v.DateTime()
		case fulfillment.Duration:
			back, _ = v.Duration()
		case fulfillment.Money:
			back, _ = v.Money()
		case fulfillment.Person:
			back, _ = v.Person()
		case fulfillment.Location:
			back, _ = v.Location()
		}
		if back != tt.v {
			t.Errorf("%T read back as %+v, want %+v", tt.v, back, tt.v)
		}
	}
}

func TestDurationStd(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		d    fulfillment.Duration
		want time.Duration
		ok   bool
	}{
		{fulfillment.Duration{Amount: 10, Unit: "min"}, 10 * time.Minute, true},
		{fulfillment.Duration{Amount: 1.5, Unit: "h"}, 90 * time.Minute, true},
		{fulfillment.Duration{Amount: 2, Unit: "day"}, 48 * time.Hour, true},
		{fulfillment.Duration{Amount: 2, Unit: "mo"}, 0, false},
		{fulfillment.Duration{Amount: 1e300, Unit: "s"}, 0, false},
	} {
		if got, ok := tt.d.Std(); got != tt.want || ok != tt.ok {
			t.Errorf("%+v.Std() = %v, %v; want %v, %v", tt.d, got, ok, tt.want, tt.ok)
		}
	}
	d := fulfillment.DateTime{Date: fulfillment.Date{Year: 2036, Month: 3, Day: 14}, TimeOfDay: fulfillment.TimeOfDay{Hours: 9, Minutes: 45}}
	la, _ := time.LoadLocation("America/Los_Angeles")
	if la != nil && d.In(la).Format(time.RFC3339) != "2036-03-14T09:45:00-07:00" {
		t.Errorf("In: %v", d.In(la))
	}
}

// TestSystemEntityFixture reads the @sys.person value of a captured
// request: testdata/request_person.json is test_call.sh's request body in
// YvanJAquino/dfcx-stte (Apache-2.0), as shared/fixtures/external keeps it.
func TestSystemEntityFixture(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/request_person.json")
	if err != nil {
		t.Fatal(err)
	}
	req, err := fulfillment.DecodeRequest(b)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := req.Params().Person("caller-name"); err != nil || p.Name != "Daniel Cormier" || p.Original != "Daniel Cormier" {
		t.Errorf("caller-name %+v, %v", p, err)
	}
	if _, err := req.Params().Person("ssn"); err != nil {
		t.Errorf("a string is a person's name: %v", err)
	}
}

func ExampleParams_Date() {
	req, _ := fulfillment.DecodeRequest([]byte(`{"sessionInfo": {"parameters": {
		"departure_date": {"year": 2036, "month": 3, "day": 14},
		"outbound_departure_time": {"hours": 15, "minutes": 30, "seconds": 0, "nanos": 0},
		"return_date": null}}}`))
	p := req.Params()
	day, err := p.Date("departure_date")
	if err != nil {
		fmt.Println(err)
		return
	}
	at, _ := p.TimeOfDay("outbound_departure_time")
	fmt.Println(day.In(time.UTC).Add(at.Since()).Format("Mon Jan 2 2006, 15:04"))
	if _, err := p.Date("return_date"); errors.Is(err, fulfillment.ErrNull) {
		fmt.Println("no return flight:", err)
	}

	// The same, bound into a struct.
	var trip struct {
		Day  fulfillment.Date      `json:"departure_date"`
		Time fulfillment.TimeOfDay `json:"outbound_departure_time"`
	}
	if err := p.Decode(&trip); err == nil {
		fmt.Println(trip.Day, trip.Time)
	}
	b, _ := json.Marshal(trip.Day)
	fmt.Println(string(b))
	// Output:
	// Fri Mar 14 2036, 15:30
	// no return flight: parameter "return_date" is null, want date
	// 2036-03-14 15:30:00
	// {"year":2036,"month":3,"day":14}
}

// FuzzSystemEntity reads arbitrary JSON as each system entity: no panic,
// and a value read writes back to one that reads the same.
func FuzzSystemEntity(f *testing.F) {
	for _, s := range []string{`{"year": 2036, "month": 3, "day": 14}`, `"2036-03-14T09:45:00Z"`, `{"hours": 1e300}`,
		`{"amount": -0.0, "unit": "s", "currency": "\u0000"}`, `{"name": null, "original": "x"}`, `null`, `[{}]`, `"08:30:00"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var v fulfillment.Value
		if json.Unmarshal(b, &v) != nil {
			return
		}
		check := func(got any, err error, reread func(fulfillment.Value) (any, error)) {
			if err != nil {
				if !errors.Is(err, fulfillment.ErrWrongType) && !errors.Is(err, fulfillment.ErrNull) {
					t.Fatalf("%T: error %v", got, err)
				}
				return
			}
			again, err := reread(fulfillment.ValueOf(got))
			if err != nil || again != got {
				t.Fatalf("%+v written as %s reads back as %+v, %v", got, fulfillment.ValueOf(got).JSON(), again, err)
			}
		}
		d, err := v.Date()
		check(d, err, func(v fulfillment.Value) (any, error) { return v.Date() })
		tm, err := v.TimeOfDay()
		check(tm, err, func(v fulfillment.Value) (any, error) { return v.TimeOfDay() })
		dt, err := v.DateTime()
		check(dt, err, func(v fulfillment.Value) (any, error) { return v.DateTime() })
		du, err := v.Duration()
		check(du, err, func(v fulfillment.Value) (any, error) { return v.Duration() })
		m, err := v.Money()
		check(m, err, func(v fulfillment.Value) (any, error) { return v.Money() })
		p, err := v.Person()
		check(p, err, func(v fulfillment.Value) (any, error) { return v.Person() })
		l, err := v.Location()
		check(l, err, func(v fulfillment.Value) (any, error) { return v.Location() })
		if d, ok := du.Std(); ok && d < 0 && du.Amount > 0 {
			t.Fatalf("%+v.Std() = %v", du, d)
		}
	})
}
