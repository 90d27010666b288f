// Package cxhook is the deployable Dialogflow CX webhook: a Cloud Run
// function (Functions Framework for Go) registered as "Webhook".
//
// It serves the example agent, "Zyra the flight assistant" (an exported CX
// agent; see package examples/flightbot for the tags and where the agent
// calls them).
//
// This file is the composition root: it alone reads the environment, builds
// the logger, the fulfillment mux, the HTTP adapter and the caller check,
// and registers the HTTP function.
//
// # Environment
//
//   - GOOGLE_CLOUD_PROJECT: the project, for the trace field of log lines
//     (logging.googleapis.com/trace = projects/P/traces/T).
//   - CXHOOK_WEBHOOK_TIMEOUT: the agent's webhook timeout as a Go duration
//     (default 5s; more than 0, at most 30s, as Dialogflow allows). Handlers
//     get a deadline a little before it; one that overruns is answered for
//     with an apology and the session parameter cxhook_timed_out = true.
//   - Whatever the caller check reads (caller.go).
package cxhook

import (
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/cxhook/cxhook/cloudlog"
	"github.com/cxhook/cxhook/examples/flightbot"
	"github.com/cxhook/cxhook/fulfillment"
)

func init() {
	// Lines are written in batches (cloudlog.DefaultFlushInterval): one
	// write system call per call costs as much CPU as the line itself.
	// Cloud Run sends SIGTERM before it stops an instance; what is held
	// then is written before the process ends, as it does on Ctrl-C
	// locally.
	logs := newLogHandler(os.Stdout, os.Getenv, cloudlog.DefaultFlushInterval)
	cloudlog.FlushBeforeExit(logs, syscall.SIGTERM, os.Interrupt)
	logger := slog.New(logs)
	h, err := newWebhook(os.Getenv, logger)
	if err != nil {
		_ = logs.Flush()
		// Before slog.SetDefault, so that this goes to stderr as plain
		// text rather than as an INFO line through the JSON handler.
		log.Fatalf("cxhook: %v", err)
	}
	slog.SetDefault(logger)
	functions.HTTP("Webhook", h.ServeHTTP)
}

// newLogHandler returns the function's log handler: Cloud Logging JSON
// lines on w, held up to flushInterval (0: each written at once).
func newLogHandler(w io.Writer, getenv func(string) string, flushInterval time.Duration) *cloudlog.Handler {
	return cloudlog.NewHandler(w, &cloudlog.Options{ProjectID: getenv("GOOGLE_CLOUD_PROJECT"), FlushInterval: flushInterval})
}

// newWebhook builds the function's HTTP handler from the environment.
func newWebhook(getenv func(string) string, logger *slog.Logger) (http.Handler, error) {
	timeout, err := webhookTimeout(getenv)
	if err != nil {
		return nil, err
	}
	guard, err := callerCheck(getenv, logger)
	if err != nil {
		return nil, err
	}
	// The caller check runs inside the adapter, so that its refusals are
	// logged with the call's trace and its work counts against the deadline.
	return fulfillment.NewHTTPHandler(flightbot.NewMux(),
		fulfillment.WithLogger(logger),
		fulfillment.WithWebhookTimeout(timeout),
		fulfillment.WithTimeoutResponse(timeoutResponse),
		fulfillment.WithHTTPMiddleware(guard),
	), nil
}

// webhookTimeout reads CXHOOK_WEBHOOK_TIMEOUT: a Go duration, more than 0
// and at most 30s; unset or empty means fulfillment.DefaultWebhookTimeout.
// It must match the timeout set on the agent's webhook.
func webhookTimeout(getenv func(string) string) (time.Duration, error) {
	const name = "CXHOOK_WEBHOOK_TIMEOUT"
	s := strings.TrimSpace(getenv(name))
	if s == "" {
		return fulfillment.DefaultWebhookTimeout, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%s=%q is not a duration (want e.g. 5s or 2500ms)", name, s)
	}
	if d <= 0 || d > fulfillment.MaxWebhookTimeout {
		return 0, fmt.Errorf("%s=%q is out of range: the agent's webhook timeout is more than 0 and at most %v", name, s, fulfillment.MaxWebhookTimeout)
	}
	return d, nil
}

// timeoutResponse is what the agent gets when a handler overruns its
// deadline: an apology for the user, and cxhook_timed_out = true for a
// route to branch on ($session.params.cxhook_timed_out = true).
func timeoutResponse(*fulfillment.Request) *fulfillment.Response {
	return fulfillment.Reply("Sorry, that is taking me longer than it should. Please try again in a moment.").
		SetParam(fulfillment.TimedOutParam, true)
}
