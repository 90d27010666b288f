// Package cxhook is the deployable Dialogflow CX webhook: a Cloud Run
// function (Functions Framework for Go) registered as "Webhook".
//
// This file is the composition root: it alone reads the environment, builds
// the caller check and the fulfillment mux, and registers the HTTP function.
package cxhook

import (
	"log"
	"log/slog"
	"net/http"
	"os"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
)

func init() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	h, err := newWebhook(os.Getenv, logger)
	if err != nil {
		log.Fatalf("cxhook: %v", err)
	}
	functions.HTTP("Webhook", h.ServeHTTP)
}

// newWebhook builds the function's HTTP handler from the environment.
func newWebhook(getenv func(string) string, logger *slog.Logger) (http.Handler, error) {
	guard, err := callerCheck(getenv, logger)
	if err != nil {
		return nil, err
	}
	return guard(http.NotFoundHandler()), nil
}
