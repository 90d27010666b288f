package fulfillment_test

// ResponseFromJSON against protojson: it must accept exactly the
// WebhookResponse documents that protojson.Unmarshal (strict) accepts,
// and name the field of those it refuses.

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
	"github.com/cxhook/cxhook/fulfillment"
	"github.com/go-json-experiment/json/jsontext"
	"google.golang.org/protobuf/encoding/protojson"
)

// compareWithProtojson fails t if ResponseFromJSON and strict protojson
// disagree on doc, and returns ResponseFromJSON's error. Where protojson's
// tokenizer takes a document that is not valid JSON, ResponseFromJSON may
// refuse it (see response_check.go).
func compareWithProtojson(t testing.TB, doc []byte) error {
	t.Helper()
	resp, ours := fulfillment.ResponseFromJSON(doc)
	theirs := protojson.Unmarshal(doc, new(cxpb.WebhookResponse))
	switch {
	case ours == nil && theirs != nil:
		t.Fatalf("ResponseFromJSON accepts what protojson refuses (%v):\n%s", theirs, doc)
	case ours != nil && theirs == nil && jsontext.Value(doc).IsValid(jsontext.AllowDuplicateNames(true)):
		t.Fatalf("ResponseFromJSON refuses what protojson accepts (%v):\n%s", ours, doc)
	}
	if ours == nil {
		// What it accepts goes out unchanged but for whitespace and
		// string escapes.
		body, err := fulfillment.EncodeResponse(resp)
		if err != nil {
			t.Fatalf("EncodeResponse: %v", err)
		}
		if !reflect.DeepEqual(jsonValue(t, body), jsonValue(t, doc)) {
			t.Fatalf("sent %s, want %s", body, doc)
		}
	}
	return ours
}

// The response documents of ../shared/fixtures/external (copied to
// testdata/external; SOURCES.md there says where each comes from). Two are
// what Google's own samples produce, and Dialogflow refuses them.
func TestResponseFromJSONExternal(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"java_validate_form_string_bool.json":      `page_info.form_info.parameter_info[0].required: want true or false, not a string`,
		"nds_optional_required_form_param.json":    `pageInfo.formInfo.parameterInfo[0].displayName: want a string, not a number`,
		"nds_enable_agent_response_number.json":    "",
		"scrapi_build_response_invalid_param.json": "",
		"scrapi_build_response_null_sections.json": "",
		"xavidop_go_readme_merge_replace.json":     "",
	}
	files, err := filepath.Glob("testdata/external/*.json")
	if err != nil || len(files) != len(want) {
		t.Fatalf("testdata/external holds %d documents (%v), want %d", len(files), err, len(want))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			doc, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			err = compareWithProtojson(t, doc)
			w, ok := want[filepath.Base(file)]
			switch {
			case !ok:
				t.Fatal("no expectation for this file")
			case w == "" && err != nil:
				t.Errorf("refused: %v", err)
			case w != "" && (err == nil || !strings.Contains(err.Error(), w)):
				t.Errorf("error %v, want one with %q", err, w)
			}
		})
	}
}

func TestResponseFromJSONNamesTheField(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		doc  string
		want string // "" if valid
	}{
		// The other two faults of nds_optional_required_form_param.json,
		// which its first one hides.
		{`{"pageInfo":{"formInfo":{"parameterInfo":[{"displayName":"x","state":"VALID"}]}}}`,
			`pageInfo.formInfo.parameterInfo[0].state: "VALID" is not a value of google.cloud.dialogflow.cx.v3.PageInfo.FormInfo.ParameterInfo.ParameterState (want PARAMETER_STATE_UNSPECIFIED, EMPTY, INVALID, FILLED)`},
		{`{"sessionInfo":{"parameterInfo":{"formParameter":100}}}`,
			`sessionInfo.parameterInfo: unknown field: google.cloud.dialogflow.cx.v3.SessionInfo has no field of that name`},

		{`{"fulfillment_response":{},"fulfillmentResponse":{}}`, `fulfillmentResponse: duplicate field (fulfillmentResponse and fulfillment_response are one field)`},
		{`{"targetPage":"p","targetFlow":"f"}`, `targetFlow: oneof transition already has a field set`},
		{`{"targetPage":"p","targetFlow":null}`, ""}, // null is absent
		{`{"fulfillmentResponse":{"messages":[{"text":{"text":["a"]},"payload":{}}]}}`, `fulfillmentResponse.messages[0].payload: oneof message already has a field set`},
		{`{"fulfillmentResponse":{"messages":[null]}}`, `fulfillmentResponse.messages[0]: want an object (google.cloud.dialogflow.cx.v3.ResponseMessage), not null`},
		{`{"fulfillmentResponse":{"messages":[{"text":{"text":["a",null]}}]}}`, `fulfillmentResponse.messages[0].text.text[1]: want a string, not null`},
		{`{"fulfillmentResponse":{"mergeBehavior":"replace"}}`, `fulfillmentResponse.mergeBehavior: "replace" is not a value`},
		{`{"fulfillmentResponse":{"mergeBehavior":2}}`, ""},
		{`{"fulfillmentResponse":{"mergeBehavior":7}}`, ""}, // proto3 enums are open
		{`{"fulfillmentResponse":{"mergeBehavior":2.0}}`, ""},
		{`{"fulfillmentResponse":{"mergeBehavior":2.5}}`, `fulfillmentResponse.mergeBehavior: "2.5" is not an int32`},
		{`{"fulfillmentResponse":{"mergeBehavior":-0.0e5}}`, ""},
		{`{"fulfillmentResponse":{"mergeBehavior":20e-1}}`, ""},
		{`{"fulfillmentResponse":{"mergeBehavior":"2"}}`, `"2" is not a value`},
		{`{"fulfillmentResponse":{"mergeBehavior":3000000000}}`, `is not an int32`},
		{`{"payload":{"n":1e400}}`, `payload.n: the number "1e400" does not fit a float64`},
		{`{"payload":[]}`, `payload: want an object (a google.protobuf.Struct), not an array`},
		{`{"payload":{"a":{"a":1,"a":2}}}`, `payload.a.a: duplicate key`},
		{`{"sessionInfo":{"parameters":{"x":null,"y":[1,{"z":null}]}}}`, ""},
		{`{"pageInfo":{"formInfo":{"parameterInfo":[{"value":null}]}}}`, ""},
		{`{"fulfillmentResponse":{"messages":[{"mixedAudio":{"segments":[{"audio":"aGk_"}]}}]}}`, ""}, // URL alphabet
		{`{"fulfillmentResponse":{"messages":[{"mixedAudio":{"segments":[{"audio":"a*"}]}}]}}`, `segments[0].audio: not valid base64`},
		{`{"fulfillmentResponse":{"messages":[{"endInteraction":{}}]}}`, ""},
		{`{"@type":"x"}`, `@type: unknown field`},
		{`{"page.info":1}`, `"page.info": unknown field`},
		{`{"PageInfo":{}}`, `PageInfo: unknown field`},
		{`{} {}`, `something follows the object`},
		{`{"targetPage":"p"`, `not valid JSON at byte 17: unexpected EOF`},
		{`{"payload":{"a":"\ud800"}}`, `payload.a: not valid JSON at byte 17`},
		// protojson's tokenizer takes an exponent without digits; JSON
		// does not.
		{`{"fulfillmentResponse":{"mergeBehavior":1e}}`, `fulfillmentResponse.mergeBehavior: not valid JSON at byte 42`},
		{`[]`, `not a JSON object`},
	} {
		err := compareWithProtojson(t, []byte(tc.doc))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: refused: %v", tc.doc, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want one with %q", tc.doc, err, tc.want)
		}
	}
}

// Errors quote at most 64 bytes of a name from the document.
func TestResponseFromJSONClipsNames(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("n", 100_000)
	_, err := fulfillment.ResponseFromJSON([]byte(`{"` + long + `":1}`))
	if err == nil || len(err.Error()) > 300 || !strings.Contains(err.Error(), "(100000 bytes)") {
		t.Errorf("error %.400v", err)
	}
}

// protojson counts nested messages, google.protobuf.Value included, up to
// 10000: the limit falls inside what JSON nesting allows.
func TestResponseFromJSONDepth(t *testing.T) {
	t.Parallel()
	for _, depth := range []int{9996, 9997, 9998} {
		doc := `{"payload":{"a":` + strings.Repeat("[", depth) + "1" + strings.Repeat("]", depth) + "}}"
		compareWithProtojson(t, []byte(doc))
	}
}

// Every response protojson writes, with either field naming, is accepted;
// then the same documents, damaged, get protojson's verdict.
func TestResponseFromJSONMatchesProtojson(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range 1500 {
		b := make([]byte, 64+rng.IntN(256))
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		g := &gen{b: b}
		_, ref := buildResponse(g)
		for range g.n(3) {
			if ref.FulfillmentResponse == nil {
				ref.FulfillmentResponse = &cxpb.WebhookResponse_FulfillmentResponse{}
			}
			ref.FulfillmentResponse.Messages = append(ref.FulfillmentResponse.Messages, g.message())
		}
		doc, err := protojson.MarshalOptions{UseProtoNames: i%2 == 1}.Marshal(ref)
		if err != nil {
			continue
		}
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			if err := compareWithProtojson(t, doc); err != nil {
				t.Fatalf("refused protojson's own output: %v\n%s", err, doc)
			}
			for range 8 {
				compareWithProtojson(t, mutate(rng, doc))
			}
		})
	}
}

// mutate damages a document the way hand-written responses go wrong: a
// value replaced by one of another type, a name changed, a member
// repeated, a byte changed, the end cut off.
func mutate(rng *rand.Rand, doc []byte) []byte {
	out := bytes.Clone(doc)
	if len(out) < 2 {
		return out
	}
	i := rng.IntN(len(out))
	switch rng.IntN(5) {
	case 0:
		// Replace the scalar after the next ':'.
		repl := []string{`"true"`, `100`, `null`, `"VALID"`, `[]`, `{}`, `1.0`, `"x"`, `true`}[rng.IntN(9)]
		j := bytes.IndexByte(out[i:], ':')
		if j < 0 {
			return out
		}
		start := i + j + 1
		end := start
		for end < len(out) && !strings.ContainsRune(",}]", rune(out[end])) {
			end++
		}
		return append(append(out[:start:start], repl...), out[end:]...)
	case 1:
		// Rename a member: to snake_case's look, or to an unknown name.
		j := bytes.IndexByte(out[i:], '"')
		if j < 0 {
			return out
		}
		return append(append(out[:i+j+1:i+j+1], []string{"x_", "Page", "_"}[rng.IntN(3)]...), out[i+j+1:]...)
	case 2:
		// Repeat the first member of an object.
		j := bytes.IndexByte(out[i:], '{')
		if j < 0 || i+j+1 >= len(out) || out[i+j+1] == '}' {
			return out
		}
		start := i + j + 1
		dec := jsontext.NewDecoder(bytes.NewReader(out[start:]))
		if _, err := dec.ReadValue(); err != nil {
			return out
		}
		if _, err := dec.ReadValue(); err != nil {
			return out
		}
		member := out[start : start+int(dec.InputOffset())]
		return append(append(append(out[:start:start], member...), ','), out[start:]...)
	case 3:
		out[i] = "\"{}[],:0-ex \\"[rng.IntN(13)]
		return out
	}
	return out[:i]
}

func FuzzResponseFromJSONMatchesProtojson(f *testing.F) {
	files, _ := filepath.Glob("testdata/external/*.json")
	for _, file := range files {
		doc, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(doc)
	}
	f.Add([]byte(`{"fulfillmentResponse":{"messages":[{"text":{"text":["a"]}},{"mixedAudio":{"segments":[{"audio":"aGk="}]}}],"mergeBehavior":2}}`))
	f.Add([]byte(`{"payload":{"a":[1,{"b":null}]},"targetPage":"p","sessionInfo":{"parameters":{"x":1e3}}}`))
	f.Fuzz(func(t *testing.T, doc []byte) { compareWithProtojson(t, doc) })
}
