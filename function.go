// Package cxhook is this repository's deployable function: a Cloud Run
// function (Functions Framework for Go) registered as "Webhook", which
// serves the example agent of package examples/flightbot, "Zyra the flight
// assistant". It is written as a team's own function file is (see
// examples/quickstart): package webhook reads the environment (the caller
// check, the webhook timeout, the project for the logs) and stops the
// function at start with a message naming the variable when the setting is
// missing or wrong.
package cxhook

import (
	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/cxhook/cxhook/examples/flightbot"
	"github.com/cxhook/cxhook/webhook"
)

func init() {
	functions.HTTP("Webhook", webhook.MustNew(flightbot.NewMux()).ServeHTTP)
}
