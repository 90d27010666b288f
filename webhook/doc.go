// Package webhook turns a fulfillment.Handler into the http.Handler of a
// production Cloud Run function, configured from the environment: the
// caller check that fails closed on Cloud Run, the webhook deadline and its
// timeout response, Cloud Logging lines written in batches, and a drain on
// SIGTERM that answers and logs every call in flight before the instance
// stops.
//
// A function file registers the result with the Functions Framework
// itself:
//
//	package myfunction
//
//	import (
//		"github.com/GoogleCloudPlatform/functions-framework-go/functions"
//		"github.com/cxhook/cxhook/fulfillment"
//		"github.com/cxhook/cxhook/webhook"
//	)
//
//	func init() {
//		mux := fulfillment.NewMux()
//		mux.HandleFunc("checkMileage", checkMileage)
//		functions.HTTP("Webhook", webhook.MustNew(mux).ServeHTTP)
//	}
//
// [MustNew] stops the process with a message naming the variable to fix
// when the configuration is missing or wrong; [New] returns that error
// instead. The variables are listed at New.
//
// Tests build the handler with New and [WithGetenv], to try a
// configuration without touching the process's environment (see the
// example). Package webhook/local runs the function on this machine
// through the Functions Framework, as Cloud Run does.
//
// # Stopping
//
// Cloud Run sends SIGTERM and kills the instance 10 s later; locally,
// Ctrl-C sends SIGINT. The Functions Framework's server never shuts down,
// and the buildpack writes the function's main package, so the handler New
// returns does the draining itself. From the signal on:
//
//   - every call in flight is answered and logged as usual;
//   - calls that still arrive are served too, with "Connection: close";
//   - once no call has been in flight for 200 ms (time for a call sent just
//     before the signal to arrive), or [DefaultDrainTimeout] (8 s,
//     [WithDrainTimeout]) after the signal, whichever comes first, the held
//     log lines are written and the signal is raised again without being
//     caught, so that the process ends as the signal would have ended it
//     (killed by SIGTERM, exit status 143 in a shell).
//
// A second signal ends the waiting at once. A signal ignored when the
// program started (SIGINT under nohup) stays ignored. The signals are
// caught once per process, however many handlers New builds, and the
// process ends when the calls of all of them are done; the shortest drain
// timeout applies. A program that catches SIGTERM itself still gets its
// calls drained and its lines written, but then ends when that program
// decides.
//
// # The Functions Framework's newlines
//
// On Cloud Run (K_SERVICE set), the Functions Framework for Go (v1.9.2)
// writes a newline to stdout and another to stderr after every call, "to
// flush logs": two write system calls per call that cxhook's batched log
// lines were meant to save. cxhook does not avoid them. The writes come
// from the framework's own wrapper around the registered function, after
// it returns; they could only be avoided by unsetting K_SERVICE, by
// replacing os.Stdout and os.Stderr for the whole process, or by serving
// the connections outside the framework's server, and each of these would
// change what other code in the function sees. TestFrameworkWritesPerCall
// measures them.
package webhook
