// Package pizza is the Dialogflow CX webhook of the agent "Pizzeria": a Cloud
// Run function (Functions Framework for Go) registered as "Webhook", with a
// handler for each tag the agent calls. cxhook init wrote it from the agent's
// export, testdata/agent; a handler not written yet answers 501, which the
// agent sees as webhook.error.
package pizza

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
	mux.HandleFunc("checkSize", checkSize)
	mux.HandleFunc("placeOrder", placeOrder)
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
