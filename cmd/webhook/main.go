// Command webhook runs the repository's function locally, through the
// Functions Framework, as Cloud Run would: the root package registers the
// function "Webhook" in its init, and package webhook/local serves it at
// every path, behind a front server that bounds header time and size.
//
//	go run ./cmd/webhook
//	curl -sS -X POST -H 'Content-Type: application/json' \
//		--data @examples/flightbot/testdata/requests/checkMileage_final_route.json http://127.0.0.1:8080/
//
// It reads PORT (default 8080), HOST (default 127.0.0.1, this machine
// only; HOST=0.0.0.0 listens on every interface) and FUNCTION_TARGET
// (default Webhook), and the function's own variables (see package
// webhook). Log lines are Cloud Logging JSON on stdout; the line that says
// where the server listens goes to stderr. Ctrl-C answers the calls in
// flight, writes their log lines, then ends the process.
package main

import (
	"log"

	_ "github.com/cxhook/cxhook" // registers the function "Webhook"
	"github.com/cxhook/cxhook/webhook/local"
)

func main() { log.Fatal(local.Run()) }
