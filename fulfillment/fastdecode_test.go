package fulfillment

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
)

// realRequests are the WebhookRequests in the module's testdata: recorded
// from CX, from public sources, the benchmark's, and those the tools
// generate from the exported agents.
func realRequests(tb testing.TB) map[string][]byte {
	tb.Helper()
	out := map[string][]byte{}
	for _, pattern := range []string{
		"testdata/*.json", "testdata/external/*.json", "testdata/webhooks/*.json", "testdata/bench/*.json",
		"../examples/*/testdata/requests/*.json", "../agent/testdata/*-requests/*.json",
		"../scaffold/testdata/golden/*/testdata/requests/*.json",
	} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			tb.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				tb.Fatal(err)
			}
			// Only requests: the external files hold responses too.
			var probe map[string]any
			if json.Unmarshal(b, &probe, json.MatchCaseInsensitiveNames(true)) != nil {
				continue
			}
			if _, isResponse := probe["fulfillmentResponse"]; isResponse {
				continue
			}
			if _, isResponse := probe["fulfillment_response"]; isResponse {
				continue
			}
			out[f] = b
		}
	}
	if len(out) < 30 {
		tb.Fatalf("found %d requests in testdata; the globs are stale", len(out))
	}
	return out
}

// fullDecode is the decoding the fast path stands in for.
func fullDecode(data []byte) (*Request, error) {
	r := new(Request)
	err := json.Unmarshal(data, r, decodeOptions)
	return r, err
}

// TestDecodeFastTakesRealRequests: the fast path takes every real request
// but those it is known to leave to JSON v2, and decodes each as JSON v2
// does. Without it the fast path could fall out of use unnoticed.
func TestDecodeFastTakesRealRequests(t *testing.T) {
	leftToJSON := map[string]string{}
	for name, data := range realRequests(t) {
		want, err := fullDecode(data)
		var got Request
		ok := decodeFast(data, &got)
		if err != nil { // kept for the error it gets
			if ok {
				t.Errorf("%s: taken by the fast path; JSON v2: %v", name, err)
			}
			continue
		}
		if why, known := leftToJSON[filepath.ToSlash(name)]; known {
			if ok {
				t.Errorf("%s: taken by the fast path, which should leave it to JSON v2 (%s)", name, why)
			}
			continue
		}
		if !ok {
			t.Errorf("%s: left to JSON v2", name)
			continue
		}
		if !reflect.DeepEqual(&got, want) {
			t.Errorf("%s: the fast path decodes\n%#v\nJSON v2\n%#v", name, got.w, want.w)
		}
	}
}

// TestDecodeFastLeavesToJSON: what the fast path does not read itself it
// leaves to JSON v2, which DecodeRequest then uses, with its result or its
// error.
func TestDecodeFastLeavesToJSON(t *testing.T) {
	for _, tc := range []struct{ why, in string }{
		{"snake_case name", `{"fulfillment_info":{"tag":"t"}}`},
		{"other case", `{"fulfillmentInfo":{"TAG":"t"}}`},
		{"dashes", `{"language-code":"en"}`},
		{"non-ASCII name", `{"fulfillmentInfo":{"tag":"a"},"\u212aey":1,"ta\u0261":2}`},
		{"escaped name", `{"fulfillmentInfo":{"t\u0061g":"t"}}`},
		{"null section", `{"fulfillmentInfo":null}`},
		{"null string", `{"text":null}`},
		{"null parameters", `{"sessionInfo":{"parameters":null}}`},
		{"float as string", `{"intentInfo":{"confidence":"NaN"}}`},
		{"float out of range", `{"intentInfo":{"confidence":1e39}}`},
		{"string as number", `{"languageCode":1}`},
		{"parameters not an object", `{"sessionInfo":{"parameters":[1]}}`},
		{"two query inputs", `{"text":"a","transcript":"b"}`},
		{"duplicate name", `{"languageCode":"en","languageCode":"de"}`},
		{"duplicate parameter", `{"sessionInfo":{"parameters":{"a":1,"a":2}}}`},
		{"duplicate among many", `{"payload":{` + manyMembers(40) + `,"p7":2}}`},
		{"duplicate among few", `{"payload":{"a":1,"b":2,"a":3}}`},
		{"too deep", `{"payload":{"a":` + strings.Repeat("[", maxFastDepth) + strings.Repeat("]", maxFastDepth) + `}}`},
		{"too many members", `{"payload":{` + manyMembers(maxFastMembers+1) + `}}`},
		{"not an object", `[]`},
		{"trailing data", `{} {}`},
		{"invalid UTF-8", "{\"text\":\"\xff\"}"},
		{"lone surrogate", `{"text":"\ud800"}`},
		{"control character", "{\"text\":\"a\tb\"}"},
		{"bad number", `{"payload":{"a":01}}`},
		{"bad literal", `{"payload":{"a":tru}}`},
		{"truncated", `{"text":"a"`},
		{"bad message", `{"messages":[{"text":{"text":1}}]}`},
	} {
		t.Run(tc.why, func(t *testing.T) {
			var fast Request
			if decodeFast([]byte(tc.in), &fast) {
				t.Fatalf("the fast path took %s", tc.in)
			}
			if !reflect.DeepEqual(&fast, new(Request)) {
				t.Fatalf("the fast path left %#v", fast.w)
			}
			want, wantErr := fullDecode([]byte(tc.in))
			got, err := DecodeRequest([]byte(tc.in))
			switch {
			case (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error():
				t.Fatalf("DecodeRequest: %v; JSON v2: %v", err, wantErr)
			case err == nil && !sameRequest(got, want):
				t.Fatalf("DecodeRequest: %#v; JSON v2: %#v", got.w, want.w)
			}
		})
	}
}

// TestDecodeFastPoolHoldsLittle: a decoder goes back to the pool without
// the input and without the room a body of many names made it grow. It
// checks trim, which decodeFast calls before Put: a decoder in the pool
// is not the test's to read.
func TestDecodeFastPoolHoldsLittle(t *testing.T) {
	// 10 nested objects of 1,000 members each: all their names are held
	// until the innermost ends.
	body := `{"payload":{"x":1`
	for range 10 {
		body += "," + manyMembers(1000) + `,"n":{"x":1`
	}
	body += strings.Repeat("}", 12)
	d := new(fastDecoder)
	d.b, d.names = []byte(body), nil
	var r Request
	if !d.request(&r.w) || !d.end() {
		t.Fatal("the fast path refused the body")
	}
	if cap(d.names) <= maxPooledNames {
		t.Fatalf("the body grew the names to only %d; the test needs more", cap(d.names))
	}
	d.trim()
	if d.b != nil || cap(d.names) > maxPooledNames {
		t.Errorf("trimmed to %d bytes of input and room for %d names, want none and at most %d", len(d.b), cap(d.names), maxPooledNames)
	}
	small := new(fastDecoder)
	small.names = make([]fastName, 0, maxPooledNames)
	small.trim()
	if cap(small.names) != maxPooledNames {
		t.Errorf("a decoder with room for %d names trimmed to %d, want it kept", maxPooledNames, cap(small.names))
	}
}

func manyMembers(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"p` + strconv.Itoa(i) + `":1`)
	}
	return b.String()
}

// FuzzDecodeFast: whatever the fast path takes, JSON v2 takes too, with the
// same result; whatever it leaves, it leaves untouched.
func FuzzDecodeFast(f *testing.F) {
	for _, data := range realRequests(f) {
		f.Add(data)
	}
	for _, s := range []string{
		`{}`, ` { } `, `{"text":"a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00"}`, `{"text":"é 😀"}`, `{"text":"\u0000"}`,
		`{"unknown":{"a":[1,-0.5e+3,true,false,null,{"b":{}}],"a2":"x"},"fulfillmentInfo":{"tag":"t","other":[]}}`,
		`{"intentInfo":{"confidence":0.1,"parameters":{"p":{"originalValue":"o","resolvedValue":{"x":1}}}}}`,
		`{"pageInfo":{"formInfo":{"parameterInfo":[{"displayName":"d","required":true,"state":"FILLED","value":"v","justCollected":true}]}}}`,
		`{"sentimentAnalysisResult":{"score":-1,"magnitude":1E2},"languageInfo":{"confidenceScore":1}}`,
		`{"payload":{"telephony":{"caller_id":"+1"}},"sessionInfo":{"parameters":{"a":{"a":1},"b":[{"a":1,"b":2}]}}}`,
		`{"messages":[{"text":{"text":["a"]}}],"dtmfDigits":"12#"}`, `{"triggerEvent":"e"}`, `{"triggerIntent":"i"}`,
		`{"pageInfo":{"formInfo":{"parameterInfo":[]}}}`, `{"intentInfo":{"parameters":{}}}`, `{"pageInfo":{"formInfo":{}}}`,
		`{"pageInfo":{"formInfo":{"parameterInfo":[{"state":"NOPE","value":null},{"state":3,"required":false}]}}}`,
		`{"intentInfo":{"parameters":{"a":{"resolvedValue":null},"b":{"originalValue":"x","x":1}}}}`,
		`{"text":"a","transcript":"b"}`, `{"sessionInfo":{"parameters":{"a":1,"a":2}}}`, "{\"text\":\"\xed\xa0\x80\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var fast Request
		if !decodeFast(data, &fast) {
			if !reflect.DeepEqual(&fast, new(Request)) {
				t.Fatalf("the fast path left %#v", fast.w)
			}
			return
		}
		full, err := fullDecode(data)
		if err != nil {
			t.Fatalf("the fast path took what JSON v2 refuses (%v): %q", err, data)
		}
		if !reflect.DeepEqual(&fast, full) {
			t.Fatalf("%q:\nthe fast path decodes %#v\nJSON v2 %#v", data, fast.w, full.w)
		}
		// The interned strings are the same when decoded again.
		var again Request
		if !decodeFast(bytes.Clone(data), &again) || !reflect.DeepEqual(&again, full) {
			t.Fatalf("%q: decoded differently the second time", data)
		}
	})
}

// sameRequest is reflect.DeepEqual, but for NaN, which equals NaN here.
func sameRequest(a, b *Request) bool {
	if reflect.DeepEqual(a, b) {
		return true
	}
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb) && bytes.Contains(ja, []byte(`"NaN"`))
}

// BenchmarkDecodeFast compares the fast path with JSON v2 on the
// benchmark's requests.
func BenchmarkDecodeFast(b *testing.B) {
	for _, name := range []string{"small", "medium", "large"} {
		data, err := os.ReadFile(filepath.Join("testdata", "bench", name+".json"))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/fast", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				var r Request
				if !decodeFast(data, &r) {
					b.Fatal("left to JSON v2")
				}
			}
		})
		b.Run(name+"/json", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := fullDecode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
