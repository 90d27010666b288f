package expr

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	tests := []struct {
		src, want string
		policy    Policy
	}{
		{"plain text", "plain text", 0},
		{"", "", 0},
		{"$session.params.name, you have $session.params.miles miles available.", "Jane Doe, you have 55000 miles available.", 0},
		// Unresolved references stay as written (the flight agent's goldens).
		{"Departure Flight $session.params.flight_number_A\nDate $session.params.departure_date", "Departure Flight $session.params.flight_number_A\nDate 2022-01-05", 0},
		{"Cleared: $session.params.cleared.", "Cleared: $session.params.cleared.", 0},
		// Recorded renderings of @sys.date and @sys.time.
		{"Leaving on $session.params.departure_date \n\nTime $session.params.departure_time", "Leaving on 2022-01-05 \n\nTime 15:00:00", 0},
		// A trailing '.' or other punctuation ends a reference.
		{"<speak>I have $flow.country.</speak>", "<speak>I have N/A.</speak>", 0},
		{"the $flow.country. Is that right?", "the N/A. Is that right?", 0},
		{"Hi $session.params.name!", "Hi Jane Doe!", 0},
		{"From $session.params.departure_city, SJC", "From $session.params.departure_city, SJC", 0},
		// Hyphens belong to names.
		{"$session.params.type-of-property damage", "residential damage", 0},
		{"$request.generative.welcome-message", "Hi!", 0},
		// Indexes and fields.
		{"city is $flow.admin_area_webhook[0]", "city is VIC", 0},
		{"city is $flow.admin_area_webhook[0][1]", "city is $flow.admin_area_webhook[0][1]", 0},
		{"list [$flow.admin_area_webhook[x]]", "list [VIC[x]]", PolicyListText},
		{"$session.params.address.city", "Melbourne", 0},
		{"$intent.params.airport.original", "San Jose airport", 0},
		// Dollars that are not references.
		{"The third bag is $75 and $85 overweight; $ alone; $flow-description; $location", "The third bag is $75 and $85 overweight; $ alone; $flow-description; $location", 0},
		{"$session.params.", "$session.params.", 0},
		{"$sys.func.UPPER is a function", "$sys.func.UPPER is a function", 0},
		// Numbers as CX shows them.
		{"$flow.playback_counter of $flow.retry_num", "2 of 3", 0},
		{"score $session.params.score", "score 4.5", 0},
		{"flag $session.params.flag", "flag true", 0},
		// Structured values.
		{"Name: $session.params.caller-name", "Name: Daniel Cormier", PolicyStructText},
		{"Address: $session.params.address", `Address: {"city":"Melbourne","zip-code":"3000"}`, PolicyStructText},
		{"Codes: $session.params.codes", "Codes: SFO, LAX", PolicyListText},
		// Inline functions.
		{"Hello, $sys.func.UPPER($session.params.name)! Welcome back.", "Hello, JANE DOE! Welcome back.", 0},
		{"It's $sys.func.TO_TEXT($session.params.score) degrees.", "It's 4.5 degrees.", 0},
		{"$sys.func.ADD(1, 2)$sys.func.ADD(3, 4)", "37", 0},
		{"$sys.func.JOIN(\", \", $flow.missing_elems, \" and \")", "locality and country", 0},
		{"[$sys.func.GET($flow.missing_elems, 9)]", "[]", 0},
		{"Total $sys.func.DIVIDE(1, 0) now", "Total $sys.func.DIVIDE(1, 0) now", PolicyFunctionText},
	}
	for _, tt := range tests {
		tm, err := ParseTemplate(tt.src)
		if err != nil {
			t.Errorf("ParseTemplate(%q): %v", tt.src, err)
			continue
		}
		ctx, notes := testContext()
		got, err := tm.Render(ctx)
		if got != tt.want {
			t.Errorf("Render(%q) = %q, want %q", tt.src, got, tt.want)
		}
		if (err != nil) != (tt.policy == PolicyFunctionText) {
			t.Errorf("Render(%q) error = %v", tt.src, err)
		}
		if tt.policy != 0 && !hasPolicy(*notes, tt.policy) {
			t.Errorf("Render(%q): notes %v, want %s", tt.src, *notes, tt.policy)
		}
		if tt.policy == 0 && len(*notes) > 0 {
			t.Errorf("Render(%q): unexpected notes %v", tt.src, *notes)
		}
		if tm.Source() != tt.src {
			t.Errorf("Source() = %q", tm.Source())
		}
	}
}

func TestRenderErrorIsEvalError(t *testing.T) {
	tm := MustParseTemplate("a $sys.func.DIVIDE(1, 0) b $sys.func.TO_NUMBER(x) c")
	ctx, _ := testContext()
	got, err := tm.Render(ctx)
	if got != "a $sys.func.DIVIDE(1, 0) b $sys.func.TO_NUMBER(x) c" {
		t.Errorf("Render = %q", got)
	}
	var ee *EvalError
	if !errors.As(err, &ee) || ee.Func != "DIVIDE" || ee.Pos.Column != 3 {
		t.Errorf("error = %v, want the DIVIDE failure at 1:3 first", err)
	}
	if !strings.Contains(err.Error(), "TO_NUMBER") {
		t.Errorf("error = %v, want both failures", err)
	}
}

func TestParseTemplateErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"Hi $sys.func.NOPE(x)", "1:4: unknown system function $sys.func.NOPE"},
		{"Hi $sys.func.UPPER($session.params.name", "1:40: expected ',' or ')'"},
		{"a\nb $sys.func.ADD(1, )", "2:20: expected a value, found ')'"},
	}
	for _, tt := range tests {
		_, err := ParseTemplate(tt.src)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseTemplate(%q) = %v, want %q", tt.src, err, tt.want)
		}
	}
}

func TestTemplateValue(t *testing.T) {
	tests := []struct{ src, want string }{
		{"$flow.admin_area_webhook", `["VIC"]`},
		{"$flow.admin_area_webhook[0]", `"VIC"`},
		{"$session.params.departure_date", `{"day":5,"month":1,"year":2022}`},
		{"$session.params.miles", `55000`},
		{"$flow.unset", `null`},
		{"$sys.func.ADD($flow.playback_counter,1)", `3`},
		{"  $flow.retry_num", `"  3"`},
		{"$flow.retry_num tries", `"3 tries"`},
		{"$flow.unset tries", `"$flow.unset tries"`},
		{"no references", `"no references"`},
	}
	for _, tt := range tests {
		ctx, _ := testContext()
		v, err := MustParseTemplate(tt.src).Value(ctx)
		if err != nil || v.String() != tt.want {
			t.Errorf("Value(%q) = %v, %v; want %s", tt.src, v, err, tt.want)
		}
	}
}

func TestTemplateRefs(t *testing.T) {
	tm := MustParseTemplate("$session.params.a and $sys.func.IF(\"$flow.b = 1\", $page.params.c, \"$request.d\")")
	var got []string
	for _, r := range tm.Refs() {
		got = append(got, r.Src)
	}
	// IF's condition string is a template too, so $flow.b is found.
	want := []string{"$session.params.a", "$flow.b", "$page.params.c", "$request.d"}
	if !slices.Equal(got, want) {
		t.Errorf("Refs() = %v, want %v", got, want)
	}
	if !MustParseTemplate("no refs $5").IsLiteral() || tm.IsLiteral() {
		t.Error("IsLiteral wrong")
	}
}

func TestPreset(t *testing.T) {
	tests := []struct{ value, want string }{
		{`0`, `0`},
		{`true`, `true`},
		{`null`, `null`},
		{`""`, `""`},
		{`"N/A"`, `"N/A"`},
		{`[]`, `[]`},
		{`"$flow.admin_area_webhook[0]"`, `"VIC"`},
		{`"$flow.user_provided_address"`, `null`},
		{`"$sys.func.ADD($flow.playback_counter,1)"`, `3`},
		{`"$sys.func.IF(\"$flow.country = N/A\",\"\", $flow.country)"`, `""`},
		{`"$sys.func.IF($sys.func.CONTAIN($flow.missing_elems, locality), $sys.func.REMOVE($flow.missing_elems, [\"locality\"]), $flow.missing_elems)"`, `["country"]`},
		{`"$sys.func.APPEND($flow.formatted_address, \"the country is $flow.country\")"`, `["the country is N/A"]`},
		{`"$sys.func.JOIN(\", \", $flow.formatted_address)"`, `null`},
		{`"$sys.func.CONCATENATE($sys.func.TO_TEXT($flow.retry_num), \" \", \"$flow.country\", \" \", \"$flow.unset\")"`, `"3 N/A "`},
		{`"<speak>I have collected the final address; $flow.formatted_address. Is that correct?</speak>"`, `"<speak>I have collected the final address; $flow.formatted_address. Is that correct?</speak>"`},
		{`"$sys.func.TO_NUMBER($session.params.miles_text)"`, `55000`},
		{`{"addressLines": "$flow.admin_area_webhook", "regionCode": "$flow.country", "n": 1, "lit": "x"}`, `{"addressLines":["VIC"],"lit":"x","n":1,"regionCode":"N/A"}`},
		{`["$flow.retry_num", {"a": ["$flow.country"]}]`, `[3,{"a":["N/A"]}]`},
		{`{"admin_area": "false", "zip_code": "true"}`, `{"admin_area":"false","zip_code":"true"}`},
	}
	for _, tt := range tests {
		var x any
		if err := json.Unmarshal([]byte(tt.value), &x); err != nil {
			t.Fatal(err)
		}
		p, err := ParsePreset(x)
		if err != nil {
			t.Errorf("ParsePreset(%s): %v", tt.value, err)
			continue
		}
		ctx, _ := testContext()
		v, err := p.Eval(ctx)
		if err != nil || v.String() != tt.want {
			t.Errorf("preset %s = %v, %v; want %s", tt.value, v, err, tt.want)
		}
	}
}

func TestPresetErrors(t *testing.T) {
	_, err := ParsePreset(map[string]any{"a": []any{1.0, "$sys.func.NOPE()"}})
	if err == nil || !strings.Contains(err.Error(), ".a[1]: expr: 1:1: unknown system function") {
		t.Errorf("ParsePreset: %v, want the JSON path and position", err)
	}
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Errorf("ParsePreset error %T does not wrap a *ParseError", err)
	}
	if _, err := ParsePreset(struct{}{}); err == nil {
		t.Error("ParsePreset(struct{}{}) succeeded")
	}
	p, _ := ParsePreset("$sys.func.DIVIDE($flow.retry_num, 0)")
	ctx, _ := testContext()
	if _, err := p.Eval(ctx); err == nil {
		t.Error("DIVIDE by zero in a preset: no error")
	}
	// Go values are accepted as FromJSON accepts them.
	p, err = ParsePreset([]string{"$flow.country"})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := p.Eval(ctx); v.String() != `["N/A"]` {
		t.Errorf("[]string preset = %v", v)
	}
}

func TestParseTarget(t *testing.T) {
	tests := []struct {
		src    string
		scope  Scope
		name   string
		fields []string
	}{
		{"address_collection_status", ScopeSession, "address_collection_status", nil},
		{"flight-type", ScopeSession, "flight-type", nil},
		{"$session.params.feedback_score", ScopeSession, "feedback_score", nil},
		{"$flow.admin_area", ScopeFlow, "admin_area", nil},
		{"$page.params.passenger_name", ScopePage, "passenger_name", nil},
		{"$session.params.address.city", ScopeSession, "address", []string{"city"}},
		{`$sys.func.NESTED_FIELD("$session.params.address_collection_address", "zip-code")`, ScopeSession, "address_collection_address", []string{"zip-code"}},
		{`$sys.func.NESTED_FIELD($session.params.a, "b", "c")`, ScopeSession, "a", []string{"b", "c"}},
	}
	for _, tt := range tests {
		got, err := ParseTarget(tt.src)
		if err != nil {
			t.Errorf("ParseTarget(%q): %v", tt.src, err)
			continue
		}
		if got.Scope != tt.scope || got.Name != tt.name || !slices.Equal(got.Fields, tt.fields) || got.Src != tt.src {
			t.Errorf("ParseTarget(%q) = %+v", tt.src, got)
		}
	}
	for _, bad := range []string{"", "a=b", "$foo.x", "$request.language", "$flow.a[0]", `$sys.func.ADD(1, 2)`,
		`$sys.func.NESTED_FIELD("text", "a")`, `$sys.func.NESTED_FIELD("$flow.a", $flow.b)`, `$sys.func.NESTED_FIELD(`} {
		if _, err := ParseTarget(bad); err == nil {
			t.Errorf("ParseTarget(%q) succeeded, want an error", bad)
		}
	}
}

func TestSetPath(t *testing.T) {
	orig := map[string]any{"city": "Melbourne", "Zip": "3000", "inner": map[string]any{"a": 1.0}}
	root := MustFromJSON(orig)
	got := SetPath(root, []string{"zip"}, String("3001"))
	if got.String() != `{"Zip":"3001","city":"Melbourne","inner":{"a":1}}` {
		t.Errorf("SetPath zip = %v", got)
	}
	got = SetPath(root, []string{"inner", "b", "c"}, Bool(true))
	if got.String() != `{"Zip":"3000","city":"Melbourne","inner":{"a":1,"b":{"c":true}}}` {
		t.Errorf("SetPath inner.b.c = %v", got)
	}
	if MustFromJSON(orig).String() != `{"Zip":"3000","city":"Melbourne","inner":{"a":1}}` {
		t.Errorf("SetPath changed its input: %v", orig)
	}
	if got := SetPath(Null, []string{"city"}, String("Sydney")); got.String() != `{"city":"Sydney"}` {
		t.Errorf("SetPath on null = %v", got)
	}
	if got := SetPath(String("x"), []string{"city"}, Null); got.String() != `{"city":null}` {
		t.Errorf("SetPath on a string = %v", got)
	}
	if got := SetPath(root, nil, Number(1)); got.String() != `1` {
		t.Errorf("SetPath with no path = %v", got)
	}
}
