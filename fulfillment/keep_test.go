package fulfillment

import (
	"bytes"
	"testing"
	"unsafe"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Decoded with keepInput, a request's parameters and values point into the
// input instead of copying it (a large body is held once); decoded
// otherwise, they are copies, so that the input may be reused.
func TestKeepInput(t *testing.T) {
	doc := []byte(`{"fulfillmentInfo":{"tag":"t"},"sessionInfo":{"parameters":{"a":{"b":[1,2]},"c":"d"}},"payload":{"x":1},` +
		`"pageInfo":{"formInfo":{"parameterInfo":[{"displayName":"f","value":"v"}]}},"intentInfo":{"parameters":{"p":{"resolvedValue":3}}}}`)
	within := func(b []byte) bool {
		p, start := uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(unsafe.Pointer(unsafe.SliceData(doc)))
		return len(b) > 0 && p >= start && p < start+uintptr(len(doc))
	}
	kept := new(Request)
	if err := json.Unmarshal(doc, kept, keepingInput); err != nil {
		t.Fatal(err)
	}
	form, _ := kept.FormParam("f")
	in, _ := kept.Intent()
	for name, raw := range map[string][]byte{
		"session parameters": kept.Params().raw, "payload": kept.Payload().raw, "a form value": form.Value.raw,
		"an intent parameter": in.Params["p"].Resolved.raw, "a parameter's value": kept.Params().Get("a").raw,
	} {
		if !within(raw) {
			t.Errorf("%s: a copy, want a slice of the input", name)
		}
		if cap(raw) != len(raw) {
			t.Errorf("%s: room to append over the input", name)
		}
	}
	copied, err := DecodeRequest(bytes.Clone(doc))
	if err != nil {
		t.Fatal(err)
	}
	if within(copied.Params().raw) || within(copied.Payload().raw) {
		t.Error("DecodeRequest kept slices of its input")
	}
}

// Decoded with keepInput or ownInput, a string without escapes is the
// input's bytes; one with escapes is unescaped in place with ownInput and
// copied with keepInput, which leaves the input as it was.
func TestKeepStrings(t *testing.T) {
	const doc = `{"text":"plain","fulfillmentInfo":{"tag":"t\u00e9\n"},"sessionInfo":{"session":"s"},` +
		`"messages":[{"text":{"text":["a\"b","\ud83d\ude00 ok"]}}],"languageCode":""}`
	for _, tc := range []struct {
		name    string
		opts    json.Options
		escaped bool // whether escaped strings point into the input
	}{{"keepInput", keepingInput, false}, {"ownInput", owningInput, true}} {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(doc)
			within := func(s string) bool {
				p, start := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.SliceData(in)))
				return len(s) > 0 && p >= start && p < start+uintptr(len(in))
			}
			req := new(Request)
			if err := json.Unmarshal(in, req, tc.opts); err != nil {
				t.Fatal(err)
			}
			want, err := DecodeRequest([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := mustMarshal(t, req), mustMarshal(t, want); got != want {
				t.Errorf("decodes as\n%s\nwant (DecodeRequest)\n%s", got, want)
			}
			for _, s := range []string{req.Query().Value, req.Session()} {
				if !within(s) {
					t.Errorf("%q: a copy, want the input's bytes", s)
				}
			}
			for _, s := range []string{req.Tag(), req.Messages()[0].TextVariants()[0], req.Messages()[0].TextVariants()[1]} {
				if within(s) != tc.escaped {
					t.Errorf("%q: in the input = %v, want %v", s, within(s), tc.escaped)
				}
			}
			if !tc.escaped && string(in) != doc {
				t.Errorf("keepInput changed its input:\n%s", in)
			}
		})
	}
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// FuzzKeptDecoding: a request decoded from its own buffer, kept or owned,
// is the request DecodeRequest makes of a copy, or both fail; keeping
// leaves the buffer unchanged.
func FuzzKeptDecoding(f *testing.F) {
	for _, s := range []string{`{"text":"a\nb\u00e9\ud83d\ude00\/\\\"","fulfillmentInfo":{"tag":"\u0000x"}}`,
		`{"transcript":"\ud800"}`, `{"text":"\u12"}`, `{"messages":[{"text":{"text":["\t","\b\f\r"]}}],"sessionInfo":{"session":"\u0041"}}`,
		`{"pageInfo":{"displayName":"\uDBFF\uDFFF","formInfo":{"parameterInfo":[{"displayName":"\x"}]}}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, wantErr := DecodeRequest(bytes.Clone(data))
		for _, opts := range []json.Options{keepingInput, owningInput} {
			in := bytes.Clone(data)
			got := new(Request)
			err := json.Unmarshal(in, got, opts)
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("error %v, DecodeRequest's %v", err, wantErr)
			}
			if opts == keepingInput && !bytes.Equal(in, data) {
				t.Fatalf("keepInput changed its input:\n%q\n%q", data, in)
			}
			if err != nil {
				continue
			}
			if g, w := mustMarshal(t, got), mustMarshal(t, want); g != w {
				t.Fatalf("decodes as\n%s\nwant\n%s", g, w)
			}
		}
	})
}

// FuzzUnquoteInPlace: for every JSON string the decoder accepts,
// unquoteInPlace gives jsontext.AppendUnquote's value.
func FuzzUnquoteInPlace(f *testing.F) {
	for _, s := range []string{`""`, `"a"`, `"\n\t\\\"\/"`, `"\u00e9\u20AC"`, `"\ud83d\ude00"`, `"\uD83D\uDE00x"`, `"é\u0000"`, `"\ud800"`, `"\u"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		dec := jsontext.NewDecoder(bytes.NewReader(raw))
		v, err := dec.ReadValue()
		if err != nil || v.Kind() != '"' || len(v) != len(raw) {
			return
		}
		want, err := jsontext.AppendUnquote(nil, raw)
		if err != nil {
			t.Fatalf("the decoder accepted %q, which does not unquote: %v", raw, err)
		}
		got, ok := unquoteInPlace(bytes.Clone(raw))
		if !ok || !bytes.Equal(got, want) {
			t.Fatalf("unquoteInPlace(%q) = %q, %v; want %q", raw, got, ok, want)
		}
	})
}
