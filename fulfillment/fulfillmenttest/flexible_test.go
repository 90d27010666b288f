package fulfillmenttest_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/cxhook/cxhook/fulfillment"
	"github.com/cxhook/cxhook/fulfillment/fulfillmenttest"
	"github.com/go-json-experiment/json/jsontext"
)

type lastFeedbackCheck struct {
	PhoneNumber string `json:"phone_number"`
}

type lastFeedbackAnswer struct {
	Elapsed string `json:"last_feedback_time_elapsed"`
}

func lastFeedback(_ context.Context, r lastFeedbackCheck) (lastFeedbackAnswer, error) {
	if r.PhoneNumber == "" {
		return lastFeedbackAnswer{}, fulfillment.NewError(fulfillment.CodeInvalidArgument, errors.New("no phone_number"))
	}
	return lastFeedbackAnswer{Elapsed: "true"}, nil
}

// TestFlexibleThroughTheMux shows the kit in use: the body the template
// renders, dispatched by its tag.
func TestFlexibleThroughTheMux(t *testing.T) {
	t.Parallel()
	mux := fulfillment.NewMux()
	mux.HandleFlexible("getPreviousFeedbackDate", fulfillment.Flexible(lastFeedback))
	got := fulfillmenttest.CallFlexible(t, mux, map[string]any{
		"phone_number":    "+16505550100",
		"fulfillmentInfo": map[string]any{"tag": "getPreviousFeedbackDate"},
	})
	if elapsed, err := got.Fields.String("last_feedback_time_elapsed"); elapsed != "true" || err != nil {
		t.Errorf("got %s", got.JSON)
	}
}

func TestCallFlexible(t *testing.T) {
	t.Parallel()
	h := fulfillment.Flexible(lastFeedback)
	for _, body := range []any{
		`{"phone_number":"1"}`,
		[]byte(`{"phone_number":"1"}`),
		jsontext.Value(`{"phone_number":"1"}`),
		lastFeedbackCheck{PhoneNumber: "1"},
		map[string]string{"phone_number": "1"},
	} {
		got := fulfillmenttest.CallFlexible(t, h, body)
		if string(got.JSON) != `{"last_feedback_time_elapsed":"true"}` || got.Fields.Len() != 1 {
			t.Errorf("%T body: %s", body, got.JSON)
		}
	}
}

// fatalRecorder is a testing.TB whose Fatalf records the message and ends
// the goroutine, as the real one does.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestCallFlexibleFails(t *testing.T) {
	t.Parallel()
	raw := func(out string) fulfillment.FlexibleHandler {
		return fulfillment.Flexible(func(context.Context, struct{}) (jsontext.Value, error) { return jsontext.Value(out), nil })
	}
	tests := []struct {
		name string
		h    fulfillment.FlexibleHandler
		body any
		want string
	}{
		{"handler error", fulfillment.Flexible(lastFeedback), `{}`, "flexible handler failed: invalid_argument: no phone_number"},
		{"body does not fit", fulfillment.Flexible(lastFeedback), `{"phone_number":1}`, `member "/phone_number" of the request body is a number`},
		{"body does not encode", fulfillment.Flexible(lastFeedback), make(chan int), "the body does not encode"},
		{"answer not an object", raw(`[1]`), `{}`, "the answer is not a JSON object"},
		{"answer too large", raw(`{"x":"` + strings.Repeat("x", fulfillment.MaxResponseBytes) + `"}`), `{}`, "over Dialogflow's 65536"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &fatalRecorder{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				fulfillmenttest.CallFlexible(rec, tt.h, tt.body)
			}()
			<-done
			if !strings.Contains(rec.msg, tt.want) {
				t.Errorf("failed with %q, want %q", rec.msg, tt.want)
			}
		})
	}
}
