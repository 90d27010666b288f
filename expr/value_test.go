package expr

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "0"},
		{3.0, "3"},
		{55000, "55000"},
		{-12, "-12"},
		{0.1, "0.1"},
		{2.5, "2.5"},
		{1.0 / 3, "0.3333333333333333"},
		{1e20, "100000000000000000000"},
		{1e21, "1e+21"},
		{1e-7, "1e-07"},
		{math.Inf(1), "+Inf"},
	}
	for _, tt := range tests {
		if got := FormatNumber(tt.f); got != tt.want {
			t.Errorf("FormatNumber(%v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestValueText(t *testing.T) {
	tests := []struct {
		json, want string
		ok         bool
	}{
		{`null`, "", false},
		{`"x"`, "x", true},
		{`3.0`, "3", true},
		{`false`, "false", true},
		{`{"day":5,"month":1,"year":2022}`, "2022-01-05", true},
		{`{"day":31,"month":12,"year":2020}`, "2020-12-31", true},
		{`{"hours":16,"minutes":0,"nanos":0,"seconds":0}`, "16:00:00", true},
		{`{"hours":9,"minutes":5}`, "09:05:00", true},
		{`{"year":2022,"month":1,"day":5,"hours":15,"minutes":30,"seconds":0,"nanos":0}`, "2022-01-05T15:30:00", true},
		{`{"year":2022,"month":1}`, `{"month":1,"year":2022}`, true},
		{`{"day":"5","month":1,"year":2022}`, `{"day":"5","month":1,"year":2022}`, true},
		{`{"name":"Jane","original":"jane"}`, "jane", true},
		{`{"amount":5,"currency":"USD"}`, `{"amount":5,"currency":"USD"}`, true},
		{`{}`, `{}`, true},
		{`["one-way"]`, "one-way", true},
		{`["a",1,{"day":5,"month":1,"year":2022},null]`, "a, 1, 2022-01-05, ", true},
		{`[]`, "", true},
		{`"<b>&"`, "<b>&", true},
	}
	for _, tt := range tests {
		v, err := ParseJSON([]byte(tt.json))
		if err != nil {
			t.Fatal(err)
		}
		got, ok := v.Text()
		if got != tt.want || ok != tt.ok {
			t.Errorf("Text(%s) = %q, %v; want %q, %v", tt.json, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFromJSON(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{nil, "null"},
		{true, "true"},
		{1.5, "1.5"},
		{float32(0.5), "0.5"},
		{7, "7"},
		{int64(-2), "-2"},
		{uint8(3), "3"},
		{json.Number("12"), "12"},
		{"s", `"s"`},
		{[]any{1.0, "a"}, `[1,"a"]`},
		{[]string{"a", "b"}, `["a","b"]`},
		{map[string]any{"b": 1.0, "a": nil}, `{"a":null,"b":1}`},
		{map[string]string{"k": "v"}, `{"k":"v"}`},
		{String("v"), `"v"`},
		{json.RawMessage(`{"a":[1]}`), `{"a":[1]}`},
	}
	for _, tt := range tests {
		v, err := FromJSON(tt.in)
		if err != nil || v.String() != tt.want {
			t.Errorf("FromJSON(%#v) = %v, %v; want %s", tt.in, v, err, tt.want)
		}
	}
	for _, bad := range []any{struct{}{}, json.Number("x"), []int{1}, make(chan int), json.RawMessage(`{`)} {
		if _, err := FromJSON(bad); err == nil {
			t.Errorf("FromJSON(%T) succeeded", bad)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("MustFromJSON did not panic")
		}
	}()
	MustFromJSON(struct{}{})
}

func TestValueAccessors(t *testing.T) {
	v := MustFromJSON(map[string]any{"List": []any{1.0, "x"}, "n": 2.0, "b": true})
	if v.Kind() != KindStruct || v.Len() != 3 || strings.Join(v.Fields(), ",") != "List,b,n" {
		t.Errorf("struct: %v %d %v", v.Kind(), v.Len(), v.Fields())
	}
	l, ok := v.Field("list")
	if !ok || l.Kind() != KindList || l.Len() != 2 {
		t.Fatalf("Field(list) = %v, %v", l, ok)
	}
	if e, ok := l.Index(1); !ok || e.AsString() != "x" {
		t.Errorf("Index(1) = %v, %v", e, ok)
	}
	if _, ok := l.Index(2); ok {
		t.Error("Index(2) found an element")
	}
	if _, ok := v.Index(0); ok {
		t.Error("Index on a struct found an element")
	}
	if _, ok := l.Field("x"); ok {
		t.Error("Field on a list found a field")
	}
	if n, _ := v.Field("N"); n.AsNumber() != 2 || n.AsBool() || n.AsString() != "" {
		t.Errorf("number accessors: %v", n)
	}
	if b, _ := v.Field("b"); !b.AsBool() || b.AsNumber() != 0 {
		t.Errorf("bool accessors: %v", b)
	}
	if !Null.IsNull() || Number(0).IsNull() || Null.Fields() != nil || Null.Len() != 0 {
		t.Error("Null accessors")
	}
	if KindList.String() != "list" || Kind(42).String() != "Kind(42)" {
		t.Errorf("Kind strings: %s %s", KindList, Kind(42))
	}
	// The smallest key wins among case-folded matches, whatever map order.
	m := MustFromJSON(map[string]any{"NAME": 1.0, "Name": 2.0})
	for range 20 {
		if f, _ := m.Field("name"); f.AsNumber() != 1 {
			t.Fatalf("Field(name) = %v, want the value of NAME", f)
		}
	}
}

func TestValueEqual(t *testing.T) {
	eq := [][2]string{
		{`null`, `null`}, {`1`, `1.0`}, {`"a"`, `"a"`}, {`[1,[2]]`, `[1,[2]]`},
		{`{"a":[1],"b":null}`, `{"b":null,"a":[1]}`}, {`true`, `true`},
	}
	ne := [][2]string{
		{`null`, `false`}, {`1`, `"1"`}, {`[1]`, `[1,2]`}, {`[1]`, `[2]`},
		{`{"a":1}`, `{"a":2}`}, {`{"a":1}`, `{"b":1}`}, {`{"a":1}`, `{"a":1,"b":2}`}, {`true`, `false`},
	}
	parse := func(s string) Value {
		v, err := ParseJSON([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, p := range eq {
		if !parse(p[0]).Equal(parse(p[1])) {
			t.Errorf("%s != %s, want equal", p[0], p[1])
		}
	}
	for _, p := range ne {
		if parse(p[0]).Equal(parse(p[1])) {
			t.Errorf("%s = %s, want different", p[0], p[1])
		}
	}
}

func TestValueJSONRoundTrip(t *testing.T) {
	in := `{"a":[1,"x",null,true],"b":{"c":2.5}}`
	var v Value
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(v)
	if err != nil || string(out) != in {
		t.Errorf("round trip = %s, %v; want %s", out, err, in)
	}
	if err := json.Unmarshal([]byte(`{`), &v); err == nil {
		t.Error("UnmarshalJSON accepted bad JSON")
	}
	if _, err := json.Marshal(Number(math.NaN())); err == nil {
		t.Error("MarshalJSON accepted NaN")
	}
	if s := Number(math.NaN()).String(); s != "NaN" {
		t.Errorf("String(NaN) = %q", s)
	}
	if l := List(String("a"), Number(1)); l.String() != `["a",1]` {
		t.Errorf("List = %v", l)
	}
}

func TestMapEnv(t *testing.T) {
	env := testEnv()
	tests := []struct{ ref, want string }{
		{"$session.params.name", `"Jane Doe"`},
		{"$session.params.Name", `"Jane Doe"`},
		{"$session.params.cleared", `null`},
		{"$session.params.codes[0]", `"SFO"`},
		{"$session.params.address.CITY", `"Melbourne"`},
		{"$flow.retry_num", `3`},
		{"$page.params.status", `"FINAL"`},
		{"$page.params.passenger_name", `"Jane Doe"`},
		{"$page.params.passenger_name.status", `"UPDATED"`},
		{"$page.params.Passenger_Name.status", `"UPDATED"`},
		{"$intent.params.airport", `"SJC"`},
		{"$intent.params.AIRPORT.resolved", `"SJC"`},
		{"$intent.params.airport.original", `"San Jose airport"`},
		{"$request.sentiment.score", `-0.6`},
	}
	for _, tt := range tests {
		v, ok := env.Lookup(mustRef(t, tt.ref))
		if !ok || v.String() != tt.want {
			t.Errorf("Lookup(%s) = %v, %v; want %s", tt.ref, v, ok, tt.want)
		}
	}
	for _, absent := range []string{"$session.params.nope", "$session.params.name.x", "$session.params.codes[5]",
		"$intent.params.nope", "$intent.params.airport.original.x", "$flow.nope", "$request.nope", "$page.params.nope"} {
		if v, ok := env.Lookup(mustRef(t, absent)); ok {
			t.Errorf("Lookup(%s) = %v, want absent", absent, v)
		}
	}
	empty := &MapEnv{}
	if _, ok := empty.Lookup(mustRef(t, "$page.params.status")); ok {
		t.Error("$page.params.status present without a PageStatus")
	}
	bad := &MapEnv{Session: map[string]any{"x": struct{}{}}, Intent: map[string]IntentParam{"y": {Resolved: struct{}{}}}}
	if _, ok := bad.Lookup(mustRef(t, "$session.params.x")); ok {
		t.Error("a value of an unknown type was resolved")
	}
	if _, ok := bad.Lookup(mustRef(t, "$intent.params.y")); ok {
		t.Error("an intent value of an unknown type was resolved")
	}
}

func mustRef(t *testing.T, s string) *Ref {
	t.Helper()
	r, err := ParseRef(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
