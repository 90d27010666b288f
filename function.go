// Package cxhook is the deployable Dialogflow CX webhook: a Cloud Run
// function (Functions Framework for Go) registered as "Webhook".
//
// This file is the composition root: it alone reads the environment, builds
// the caller check and the fulfillment mux, and registers the HTTP function.
package cxhook

import (
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
)

func init() {
	functions.HTTP("Webhook", newWebhook().ServeHTTP)
}

// newWebhook builds the function's HTTP handler. Placeholder until the
// fulfillment package lands.
func newWebhook() http.Handler {
	return http.NotFoundHandler()
}
