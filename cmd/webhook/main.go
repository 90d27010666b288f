// Command webhook runs the cxhook function locally, through the Functions
// Framework, as Cloud Run would: the root package registers the function
// "Webhook" in its init, and this program serves it at every path.
//
//	go run ./cmd/webhook
//	curl -sS -X POST -H 'Content-Type: application/json' \
//		--data @examples/flightbot/testdata/requests/checkMileage_final_route.json http://127.0.0.1:8080/
//
// It reads:
//
//   - PORT: the port to listen on (default 8080).
//   - HOST: the address to listen on (default 127.0.0.1, this machine only).
//     HOST=0.0.0.0 listens on every interface, as in a container; write an
//     IPv6 address in brackets (HOST=[::1]).
//   - FUNCTION_TARGET: the function to serve (default Webhook).
//   - the function's own variables: see the root package.
//
// Log lines are Cloud Logging JSON on stdout; the line that says where the
// server listens goes to stderr.
package main

import (
	"fmt"
	"os"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"

	_ "github.com/cxhook/cxhook" // registers the function "Webhook"
)

func main() {
	if os.Getenv("FUNCTION_TARGET") == "" {
		os.Setenv("FUNCTION_TARGET", "Webhook")
	}
	host := envOr("HOST", "127.0.0.1")
	port := envOr("PORT", "8080")
	fmt.Fprintf(os.Stderr, "webhook: serving function %s on http://%s:%s/\n", os.Getenv("FUNCTION_TARGET"), host, port)
	if err := funcframework.StartHostPort(host, port); err != nil {
		fmt.Fprintf(os.Stderr, "webhook: %v\n", err)
		os.Exit(1)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
