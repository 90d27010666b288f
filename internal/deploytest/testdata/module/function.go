// Package webhook is a function module of its own, outside cxhook's root
// package, that internal/deploytest deploys with deploy.sh --source.
package webhook

import (
	"context"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/cxhook/cxhook/fulfillment"
)

func init() {
	mux := fulfillment.NewMux()
	mux.HandleFunc("hello", func(ctx context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
		return fulfillment.Reply("Hello from a module of its own."), nil
	})
	functions.HTTP("Webhook", fulfillment.NewHTTPHandler(mux).ServeHTTP)
}
