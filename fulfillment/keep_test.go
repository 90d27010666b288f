package fulfillment

import (
	"bytes"
	"testing"
	"unsafe"

	"github.com/go-json-experiment/json"
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
