package cxhook

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
	"github.com/cxhook/cxhook/fulfillment"
	"google.golang.org/protobuf/encoding/protojson"
)

func TestWebhookTimeout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value string
		want  time.Duration // 0: an error
	}{
		{"", 5 * time.Second},
		{"5s", 5 * time.Second},
		{"2500ms", 2500 * time.Millisecond},
		{" 10s ", 10 * time.Second},
		{"30s", 30 * time.Second},
		{"1ns", time.Nanosecond},
		{"30.001s", 0},
		{"1m", 0},
		{"0", 0},
		{"0s", 0},
		{"-5s", 0},
		{"5", 0},
		{"five seconds", 0},
		{"5 s", 0},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			t.Parallel()
			got, err := webhookTimeout(getenvOf("CXHOOK_WEBHOOK_TIMEOUT=" + tt.value))
			switch {
			case tt.want == 0 && err == nil:
				t.Fatalf("got %v, want an error", got)
			case tt.want == 0 && !strings.Contains(err.Error(), "CXHOOK_WEBHOOK_TIMEOUT"):
				t.Errorf("error %q does not name the variable", err)
			case tt.want != 0 && (err != nil || got != tt.want):
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// TestNewWebhookConfigError checks that a bad timeout stops the function
// at start, with a message naming the variable.
func TestNewWebhookConfigError(t *testing.T) {
	t.Parallel()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	_, err := newWebhook(getenvOf("CXHOOK_WEBHOOK_TIMEOUT=45s"), logger)
	if err == nil || !strings.Contains(err.Error(), "CXHOOK_WEBHOOK_TIMEOUT") {
		t.Fatalf("newWebhook: %v, want an error naming CXHOOK_WEBHOOK_TIMEOUT", err)
	}
}

// TestTimeoutResponse checks the answer sent for a handler that overruns
// its deadline: a strict WebhookResponse with a message and the flag.
func TestTimeoutResponse(t *testing.T) {
	t.Parallel()
	req, err := fulfillment.DecodeRequest(readFile(t, "examples/flightbot/testdata/requests/checkMileage_final_route.json"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := fulfillment.EncodeResponse(timeoutResponse(req))
	if err != nil {
		t.Fatal(err)
	}
	var resp cxpb.WebhookResponse
	if err := protojson.Unmarshal(b, &resp); err != nil {
		t.Fatalf("not a strict WebhookResponse: %v: %s", err, b)
	}
	if len(resp.GetFulfillmentResponse().GetMessages()) != 1 || !resp.GetSessionInfo().GetParameters()[fulfillment.TimedOutParam].GetBoolValue() {
		t.Errorf("got %s, want an apology and %s = true", b, fulfillment.TimedOutParam)
	}
}
