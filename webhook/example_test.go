package webhook_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/cxhook/cxhook/fulfillment"
	"github.com/cxhook/cxhook/webhook"
)

// New builds the function's handler; a function file registers it with
// functions.HTTP("Webhook", ...) in its init. Here it is configured as on
// Cloud Run with a static API key (CXHOOK_AUTH=header), and called with and
// without the key.
func ExampleNew() {
	mux := fulfillment.NewMux()
	mux.HandleFunc("ping", func(ctx context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
		return fulfillment.Reply("pong"), nil
	})
	env := map[string]string{
		"K_SERVICE":           "webhook", // as on Cloud Run
		"CXHOOK_AUTH":         "header",
		"CXHOOK_HEADER_NAME":  "X-Webhook-Key",
		"CXHOOK_HEADER_VALUE": "k3y-0123456789abcdef",
	}
	h, err := webhook.New(mux,
		webhook.WithGetenv(func(name string) string { return env[name] }),
		webhook.WithLogger(slog.New(slog.DiscardHandler)), // the default writes Cloud Logging lines to stdout
	)
	if err != nil {
		fmt.Println(err) // names the variable to fix
		return
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	for _, key := range []string{"k3y-0123456789abcdef", "guess"} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"fulfillmentInfo":{"tag":"ping"}}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Webhook-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, strings.TrimSpace(string(body)))
	}

	// Without CXHOOK_AUTH, a function on Cloud Run does not start.
	delete(env, "CXHOOK_AUTH")
	delete(env, "CXHOOK_HEADER_NAME")
	delete(env, "CXHOOK_HEADER_VALUE")
	_, err = webhook.New(mux, webhook.WithGetenv(func(name string) string { return env[name] }), webhook.WithLogger(slog.New(slog.DiscardHandler)))
	fmt.Println(err != nil && strings.Contains(err.Error(), "CXHOOK_AUTH"))
	// Output:
	// 200 {"fulfillmentResponse":{"messages":[{"text":{"text":["pong"]}}]}}
	// 401 {"code":"unauthenticated","message":"invalid credentials"}
	// true
}
