package fulfillment

import (
	"context"
	"regexp"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
)

// FuzzFlexibleBody holds the flexible body's two readers to their
// contracts on any input: the tag probe agrees with WebhookRequest
// decoding, which the adapter uses first; a typed handler answers with a
// JSON object or a 400 whose text never quotes the body.
var bodyErrorText = regexp.MustCompile(`^invalid_argument: (the request body is (empty|truncated JSON|not a JSON object|not valid JSON \(at byte \d+\))|(member "[^"]*" of )?the request body is a (string|number|bool|null|list|map|value) that does not fit [\w.\[\]{} ]+)$`)

func FuzzFlexibleBody(f *testing.F) {
	for _, s := range []string{
		`{"phone_number":"+16505550100","fulfillmentInfo":{"tag":"getPreviousFeedbackDate"}}`,
		`{"fulfillment_info":{"tag":"x"},"a":"s3cr3t"}`,
		`{"FulfillmentInfo":{"Tag":"x"},"fulfillmentInfo":{"tag":"y"}}`,
		`{"fulfillmentInfo":null,"text":5}`,
		`{"fulfillmentInfo":{"tag":5}}`,
		`{"a":"b","n":3.0,"list":[1.5,"x"],"m":{"k":null}}`,
		` {"a":"\u00e9"} `,
		`null`, `[]`, `"s3cr3t"`, ``, `{"a":`, `{"a":"b"}{}`,
	} {
		f.Add([]byte(s))
	}
	h := Flexible(func(_ context.Context, r struct {
		A    string         `json:"a"`
		N    int            `json:"n"`
		List []any          `json:"list"`
		M    map[string]any `json:"m"`
	}) (any, error) {
		return r, nil
	})
	f.Fuzz(func(t *testing.T, body []byte) {
		tag, err := flexibleTag(body)
		if err != nil && CodeOf(err) != CodeInvalidArgument {
			t.Fatalf("probe: %v, want an invalid_argument error", err)
		}
		if req, rerr := DecodeRequest(body); rerr == nil && req.Tag() != "" && (err != nil || tag != req.Tag()) {
			t.Fatalf("the WebhookRequest's tag is %q, the probe's %q (%v)", req.Tag(), tag, err)
		}
		out, err := h.FulfillFlexible(context.Background(), body)
		if err != nil {
			if CodeOf(err) != CodeInvalidArgument {
				t.Fatalf("handler: %v, want an invalid_argument error", err)
			}
			// Only member names (in the pointer) come from the body.
			if msg := err.Error(); !bodyErrorText.MatchString(msg) {
				t.Fatalf("error text %q is none of bodyError's", msg)
			}
			return
		}
		if v := jsontext.Value(out); v.Kind() != '{' || !v.IsValid() {
			t.Fatalf("answer %s is not a JSON object", out)
		}
	})
}
