package fulfillment_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/cxhook/cxhook/fulfillment"
)

func decode(t *testing.T, doc string) *fulfillment.Request {
	t.Helper()
	r, err := fulfillment.DecodeRequest([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestParamGetters(t *testing.T) {
	t.Parallel()
	p := decode(t, `{"sessionInfo":{"parameters":{
		"s":"text","n":2.5,"i":3,"i0":3.0,"big":1e30,"neg":-4,"b":true,"f":false,"null":null,
		"l":[1,"two",null],"m":{"inner":{"x":"y"}},"nan":"NaN","inf":"-Infinity"}}}`).Params()
	type getter func(string) (any, error)
	str := func(n string) (any, error) { return p.String(n) }
	num := func(n string) (any, error) { return p.Number(n) }
	integer := func(n string) (any, error) { return p.Int(n) }
	boolean := func(n string) (any, error) { return p.Bool(n) }
	list := func(n string) (any, error) { l, err := p.List(n); return len(l), err }
	mp := func(n string) (any, error) { m, err := p.Map(n); return m.Len(), err }
	tests := []struct {
		name    string
		get     getter
		param   string
		want    any
		wantErr error
	}{
		{"string", str, "s", "text", nil},
		{"string absent", str, "missing", "", fulfillment.ErrAbsent},
		{"string null", str, "null", "", fulfillment.ErrNull},
		{"string from a number", str, "n", "", fulfillment.ErrWrongType},
		{"number", num, "n", 2.5, nil},
		{"number from an int", num, "i", 3.0, nil},
		{"number from a string", num, "s", 0.0, fulfillment.ErrWrongType},
		{"number null", num, "null", 0.0, fulfillment.ErrNull},
		{"the string -Infinity is a string", num, "inf", 0.0, fulfillment.ErrWrongType},
		{"int", integer, "i", int64(3), nil},
		{"int written 3.0", integer, "i0", int64(3), nil},
		{"int negative", integer, "neg", int64(-4), nil},
		{"int with a fraction", integer, "n", int64(0), fulfillment.ErrWrongType},
		{"int out of range", integer, "big", int64(0), fulfillment.ErrWrongType},
		{"int absent", integer, "missing", int64(0), fulfillment.ErrAbsent},
		{"int from a bool", integer, "b", int64(0), fulfillment.ErrWrongType},
		{"bool true", boolean, "b", true, nil},
		{"bool false", boolean, "f", false, nil},
		{"bool from a string", boolean, "s", false, fulfillment.ErrWrongType},
		{"list", list, "l", 3, nil},
		{"list from a map", list, "m", 0, fulfillment.ErrWrongType},
		{"map", mp, "m", 1, nil},
		{"map null", mp, "null", 0, fulfillment.ErrNull},
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
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if !p.Has("null") || p.Has("missing") || !p.Get("null").IsNull() || !p.Get("missing").IsAbsent() {
		t.Error("Has/IsNull/IsAbsent disagree")
	}
	inner, _ := p.Map("m")
	nested, err := inner.Map("inner")
	if s, _ := nested.String("x"); err != nil || s != "y" {
		t.Errorf("nested map read %q, %v", s, err)
	}
}

func TestParamsDecode(t *testing.T) {
	t.Parallel()
	p := decode(t, `{"sessionInfo":{"parameters":{"origin-city":"Paris","passengers":2.0,"return-date":null,"extra":{"a":1}}}}`).Params()
	var b struct {
		Origin     string  `json:"origin-city"`
		Passengers int     `json:"passengers"`
		ReturnDate *string `json:"return-date"`
		Missing    *int    `json:"missing"`
	}
	if err := p.Decode(&b); err != nil {
		t.Fatal(err)
	}
	if b.Origin != "Paris" || b.Passengers != 2 || b.ReturnDate != nil || b.Missing != nil {
		t.Errorf("decoded %+v", b)
	}
	var wrong struct {
		Passengers string `json:"passengers"`
	}
	if err := p.Decode(&wrong); err == nil {
		t.Error("decoding a number into a string field succeeded")
	}
	for _, bad := range []string{`2.5`, `-1`, `1e30`} {
		var small struct {
			N uint8 `json:"n"`
		}
		if err := decode(t, `{"sessionInfo":{"parameters":{"n":`+bad+`}}}`).Params().Decode(&small); err == nil {
			t.Errorf("%s decoded into a uint8 as %d", bad, small.N)
		}
	}
}

func TestTargets(t *testing.T) {
	t.Parallel()
	r := decode(t, `{"pageInfo":{"currentPage":"projects/p/locations/us-central1/agents/a/flows/f/pages/pg"},"sessionInfo":{"session":"projects/p/locations/us-central1/agents/a/environments/e/sessions/s:1"}}`)
	if got := r.TargetPage(fulfillment.EndSession).Name(); got != "projects/p/locations/us-central1/agents/a/flows/f/pages/END_SESSION" {
		t.Errorf("TargetPage = %s", got)
	}
	if got := r.TargetFlow("other").Name(); got != "projects/p/locations/us-central1/agents/a/flows/other" {
		t.Errorf("TargetFlow = %s", got)
	}
	if r.SessionID() != "s:1" || r.Agent() != "projects/p/locations/us-central1/agents/a" {
		t.Errorf("SessionID %q, Agent %q", r.SessionID(), r.Agent())
	}
	empty := decode(t, `{}`)
	if err := fulfillment.NewResponse().TransitionTo(empty.TargetPage("x")).Err(); err == nil {
		t.Error("a target page without a current page did not fail the response")
	}
	for _, bad := range []string{"", "pages/x", "projects/p/locations/l/agents/a/flows/f/pages/", "projects/p/locations/l/agents/a/flows/f/pages/x/y",
		"projects/p/locations/l/agents/a/flows/f", "projects//locations/l/agents/a/flows/f/pages/x"} {
		if _, err := fulfillment.PageTarget(bad); err == nil {
			t.Errorf("PageTarget(%q) accepted", bad)
		}
	}
	if _, err := fulfillment.FlowTarget("projects/p/locations/l/agents/a/flows/f/pages/x"); err == nil {
		t.Error("FlowTarget accepted a page")
	}
}

func TestResponseBuilderMisuse(t *testing.T) {
	t.Parallel()
	raw, _ := fulfillment.ResponseFromJSON([]byte(`{}`))
	for name, r := range map[string]*fulfillment.Response{
		"builder on a raw response": raw.SetParam("x", 1),
		"nil param value":           fulfillment.NewResponse().SetParam("x", nil),
		"empty param name":          fulfillment.NewResponse().SetParam("", 1),
		"nil form value":            fulfillment.NewResponse().SetFormParam("x", nil),
		"message with no kind":      fulfillment.NewResponse().Add(fulfillment.Message{}),
		"payload not an object":     fulfillment.NewResponse().SetPayload([]int{1}),
		"unencodable value":         fulfillment.NewResponse().SetParam("c", make(chan int)),
		"nil pointer value":         fulfillment.NewResponse().SetParam("p", (*string)(nil)),
		"absent Value":              fulfillment.NewResponse().SetParam("v", fulfillment.Value{}),
		"output-only message":       fulfillment.NewResponse().Add(decode(t, `{"messages":[{"endInteraction":{}}]}`).Messages()...),
		"two variants":              fulfillment.NewResponse().Add(decode(t, `{"messages":[{"text":{"text":["a"]},"playAudio":{"audioUri":"u"}}]}`).Messages()...),
	} {
		if _, err := fulfillment.EncodeResponse(r); err == nil {
			t.Errorf("%s: encoded without error", name)
		}
	}
}

// Binding errors name the parameter and the types, never the value: the
// handler's error is logged.
func TestParamsDecodeErrorsHoldNoValue(t *testing.T) {
	t.Parallel()
	p := decode(t, `{"sessionInfo":{"parameters":{"card":4111111111111111,"dob":"1984-02-30 secret"}}}`).Params()
	var small struct {
		Card uint8 `json:"card"`
	}
	var dates struct {
		DOB int `json:"dob"`
	}
	for _, err := range []error{p.Decode(&small), p.Decode(&dates)} {
		if err == nil || !errors.Is(err, fulfillment.ErrWrongType) {
			t.Fatalf("error %v, want ErrWrongType", err)
		}
		if msg := err.Error(); strings.Contains(msg, "4111") || strings.Contains(msg, "secret") || strings.Contains(msg, "1984") {
			t.Errorf("error quotes the value: %s", msg)
		}
	}
}

func TestRequestShape(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{`null`, `{"text":"a","dtmfDigits":"1"}`} {
		if _, err := fulfillment.DecodeRequest([]byte(bad)); err == nil {
			t.Errorf("%s decoded", bad)
		}
	}
}

func TestSessionID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ session, want string }{
		{"projects/p/locations/l/agents/a/sessions/s:1", "s:1"},
		{"projects/p/locations/l/agents/a/environments/e/sessions/dfMessenger-1", "dfMessenger-1"},
		{"projects/p/locations/l/agents/a/sessions/", ""},
		{"projects/p/locations/l/agents/a/sessions/x/y", "x/y"}, // not a session name; the text after the last "/sessions/"
		{"projects/p/sessions/a/sessions/b", "b"},
		{"sessions/x", ""},
		{"", ""},
	} {
		r := decode(t, `{"sessionInfo":{"session":`+strconv.Quote(tc.session)+`}}`)
		if got := r.SessionID(); got != tc.want {
			t.Errorf("SessionID of %q = %q, want %q", tc.session, got, tc.want)
		}
	}
}
