// Package edge is the Dialogflow CX webhook of the agent "Édge cases": a
// Cloud Run function (Functions Framework for Go) registered as "Webhook",
// with a handler for each tag the agent calls. cxhook init wrote it from the
// agent's export, testdata/agent; a handler not written yet answers 501, which
// the agent sees as webhook.error.
package edge

import (
	"fmt"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/cxhook/cxhook/fulfillment"
	"github.com/cxhook/cxhook/webhook"
)

func init() {
	// MustNew reads the environment (how callers are checked, the
	// webhook timeout) and stops the function if a setting is wrong.
	functions.HTTP("Webhook", webhook.MustNew(newMux()).ServeHTTP)
}

// newMux returns the webhook's handlers, one for each tag the agent calls.
func newMux() *fulfillment.Mux {
	mux := fulfillment.NewMux()
	mux.HandleFunc("2fa", tag2fa)
	mux.HandleFunc("Function", function)
	mux.HandleFunc("check-size", checkSize)
	mux.HandleFunc("check_size", checkSize2)
	mux.HandleFunc("context", contextHandler)
	mux.HandleFunc("func", funcHandler)
	mux.HandleFunc("function", function2)
	mux.HandleFunc("init", initHandler)
	mux.HandleFunc("string", stringHandler)
	mux.HandleFunc("尺寸", 尺寸)
	mux.HandleFlexible("flexTag", fulfillment.Flexible(flexTag))
	mux.HandleFlexiblePath("/raw", fulfillment.Flexible(raw))
	mux.HandleFlexiblePath("/v1:check-address", fulfillment.Flexible(v1CheckAddress))
	return mux
}

// notImplemented is the error of a handler not written yet. The call
// answers 501 with the code "unimplemented", which the agent sees as
// webhook.error (its page's webhook.error handler runs), and the log line
// names the handler. Replace each call as you write the handlers, then
// delete this function.
func notImplemented(handler string) error {
	return fulfillment.NewError(fulfillment.CodeUnimplemented, fmt.Errorf("%s is not written yet", handler))
}
