package expr

import (
	"strings"
	"testing"
)

// addressReply is the shape of the Address Validation API answer the
// address component's parameterMapping reads.
const addressReply = `{"result": {"address": {
  "postalAddress": {"regionCode": "AU"},
  "missingComponentTypes": ["subpremise"],
  "addressComponents": [
    {"componentType": "route", "componentName": {"text": "Hosier Lane"}, "confirmationLevel": "CONFIRMED"},
    {"componentType": "locality", "componentName": {"text": "Melbourne"}, "confirmationLevel": "UNCONFIRMED_BUT_PLAUSIBLE", "inferred": true},
    {"componentType": "postal_code", "componentName": {"text": "3000"}, "confirmationLevel": "CONFIRMED"},
    {"componentType": "country", "componentName": {"text": "Australia"}, "confirmationLevel": "CONFIRMED", "n": 3}
  ]}}}`

func TestJSONPath(t *testing.T) {
	doc, err := ParseJSON([]byte(addressReply))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want string }{
		{`$`, ""}, // the whole document, checked below
		{`$.result.address.postalAddress.regionCode`, `"AU"`},
		{`$['result']["address"].postalAddress.regionCode`, `"AU"`},
		{`$.result.address.missingComponentTypes`, `["subpremise"]`},
		{`$.result.address.missingComponentTypes[0]`, `"subpremise"`},
		{`$.result.address.addressComponents[-1].componentType`, `"country"`},
		{`$.result.address.nope`, `null`},
		{`$.result.address.addressComponents[9]`, `null`},
		{`$.result.address.addressComponents[?(@.componentType == 'locality')].componentName.text`, `["Melbourne"]`},
		{`$.result.address.addressComponents[?(@.confirmationLevel == 'CONFIRMED' && ((@.componentType == 'country') || (@.componentType == 'route')))].componentType`, `["route","country"]`},
		{`$.result.address.addressComponents[?(@.inferred==true)].componentType`, `["locality"]`},
		{`$.result.address.addressComponents[?(@.inferred)].componentType`, `["locality"]`},
		{`$.result.address.addressComponents[?(!@.inferred)].componentType`, `["route","postal_code","country"]`},
		{`$.result.address.addressComponents[?(@.n > 2)].componentType`, `["country"]`},
		{`$.result.address.addressComponents[?(@.n <= 2)].componentType`, `[]`},
		{`$.result.address.addressComponents[?(@.componentType != 'route' && @.componentType >= 'p')].componentType`, `["postal_code"]`},
		{`$.result.address.addressComponents[?(@.componentType == $.result.address.postalAddress.regionCode)]`, `[]`},
		{`$.result.address.addressComponents[0,2].componentType`, `["route","postal_code"]`},
		{`$.result.address.addressComponents[1:3].componentType`, `["locality","postal_code"]`},
		{`$.result.address.addressComponents[:1].componentType`, `["route"]`},
		{`$.result.address.addressComponents[-1:].componentType`, `["country"]`},
		{`$.result.address.addressComponents[*].componentName.text`, `["Hosier Lane","Melbourne","3000","Australia"]`},
		{`$.result.address.postalAddress.*`, `["AU"]`},
		{`$..regionCode`, `["AU"]`},
		{`$..componentName.text`, `["Hosier Lane","Melbourne","3000","Australia"]`},
		{`$.result.address.postalAddress['regionCode','nope']`, `["AU"]`},
		// Struct fields are visited in sorted key order.
		{`$..[0]`, `[{"componentName":{"text":"Hosier Lane"},"componentType":"route","confirmationLevel":"CONFIRMED"},"subpremise"]`},
	}
	for _, tt := range tests {
		jp, err := ParseJSONPath(tt.path)
		if err != nil {
			t.Errorf("ParseJSONPath(%q): %v", tt.path, err)
			continue
		}
		got, err := jp.Select(doc)
		if err != nil {
			t.Errorf("%s: %v", tt.path, err)
			continue
		}
		if tt.want == "" {
			if !got.Equal(doc) {
				t.Errorf("%s = %v, want the document", tt.path, got)
			}
			continue
		}
		if got.String() != tt.want {
			t.Errorf("%s = %s, want %s", tt.path, got, tt.want)
		}
		if jp.Source() != tt.path {
			t.Errorf("Source() = %q", jp.Source())
		}
	}
}

func TestJSONPathErrors(t *testing.T) {
	for _, bad := range []string{``, `result`, `$.`, `$[`, `$[?(@.a == )]`, `$[?@.a]`, `$[?(@.a == 1]`,
		`$['a`, `$[a]`, `$[1,]`, `$x`, `$[?(@..a == 1)]`, `$[99999999999999999999]`, "$" + strings.Repeat(".a", 3000),
		`$[?(` + strings.Repeat("(", 100) + `@.a` + strings.Repeat(")", 100) + `)]`} {
		if _, err := ParseJSONPath(bad); err == nil {
			t.Errorf("ParseJSONPath(%q) succeeded, want an error", bad)
		}
	}
}

func TestJSONPathDefinite(t *testing.T) {
	for path, want := range map[string]bool{`$.a.b[0]`: true, `$.a[*]`: false, `$..a`: false, `$.a[0:1]`: false, `$.a[?(@.b)]`: false, `$['a','b']`: false} {
		jp, err := ParseJSONPath(path)
		if err != nil {
			t.Fatal(err)
		}
		if jp.Definite() != want {
			t.Errorf("%s: Definite() = %v, want %v", path, jp.Definite(), want)
		}
	}
}

// TestJSONPathBudget: a path that would visit too many values fails
// instead of running for minutes.
func TestJSONPathBudget(t *testing.T) {
	l := make([]any, 40000)
	for i := range l {
		l[i] = []any{1.0, 2.0, 3.0}
	}
	doc := MustFromJSON(map[string]any{"l": l})
	jp, err := ParseJSONPath("$..*")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jp.Select(doc); err == nil || !strings.Contains(err.Error(), "visits more than") {
		t.Errorf("Select = %v, want the budget error", err)
	}
	if v, err := mustParseJSONPath(t, "$.l[0][1]").Select(doc); err != nil || v.AsNumber() != 2 {
		t.Errorf("$.l[0][1] = %v, %v", v, err)
	}
}

func mustParseJSONPath(t *testing.T, s string) *JSONPath {
	t.Helper()
	jp, err := ParseJSONPath(s)
	if err != nil {
		t.Fatal(err)
	}
	return jp
}
