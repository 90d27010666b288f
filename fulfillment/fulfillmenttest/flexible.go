package fulfillmenttest

import (
	"context"
	"testing"

	"github.com/cxhook/cxhook/fulfillment"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// FlexibleResult is a flexible handler's answer as the wire carries it.
type FlexibleResult struct {
	// JSON is the encoded answer, a JSON object.
	JSON []byte
	// Fields are the answer's members, for its getters: what the
	// webhook's parameterMapping reads ($.member, or just member).
	Fields fulfillment.Params
}

// CallFlexible runs h on body, the request body a FLEXIBLE webhook's
// requestBody template renders, and returns its answer. body is sent as
// it is if it is a []byte, a string or a jsontext.Value, else encoded as
// JSON (a map or a struct). h may be a [fulfillment.Mux], which dispatches
// by the tag the body carries, or one handler, as for a webhook that
// [fulfillment.Mux.HandleFlexiblePath] serves.
//
// An error from the handler, or an answer that is not one JSON object of
// at most [fulfillment.MaxResponseBytes] (which the HTTP adapter would
// not send), fails tb; call h.FulfillFlexible directly to test errors.
func CallFlexible(tb testing.TB, h fulfillment.FlexibleHandler, body any) *FlexibleResult {
	tb.Helper()
	var in []byte
	switch b := body.(type) {
	case []byte:
		in = b
	case string:
		in = []byte(b)
	case jsontext.Value:
		in = b
	default:
		var err error
		if in, err = json.Marshal(body, json.Deterministic(true)); err != nil {
			tb.Fatalf("fulfillmenttest: the body does not encode: %v", err)
		}
	}
	out, err := h.FulfillFlexible(context.Background(), in)
	if err != nil {
		tb.Fatalf("fulfillmenttest: flexible handler failed: %v", err)
	}
	if v := jsontext.Value(out); v.Kind() != '{' || !v.IsValid() {
		tb.Fatalf("fulfillmenttest: the answer is not a JSON object: %.200s", out)
	}
	if len(out) > fulfillment.MaxResponseBytes {
		tb.Fatalf("fulfillmenttest: the answer is %d bytes, over Dialogflow's %d", len(out), fulfillment.MaxResponseBytes)
	}
	res := &FlexibleResult{JSON: out}
	if err := json.Unmarshal(out, &res.Fields); err != nil {
		tb.Fatalf("fulfillmenttest: reading the answer: %v", err)
	}
	return res
}
