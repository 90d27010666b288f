// Command peer serves the benchmark job of ../shared/bench (the Dialogflow
// CX webhook load harness) through cxhook's public API and the Functions
// Framework, built as the README tells a team to build its function: with
// webhook.MustNew, so with the deployed function's defaults (5 s webhook
// deadline, 2 MiB body limit, a Cloud Logging access line per call on
// stdout, written in batches, the drain on SIGTERM). The benchmark sends no
// credentials, so the caller check is off unless CXHOOK_AUTH says
// otherwise, on Cloud Run's code path too (PEER_ENV="K_SERVICE=bench").
//
//	EXTRA_PEERS="cxhook=$PWD/bench/peer" BENCH_OUT=$PWD/bench-out ../shared/bench/run.sh mine
//
// The job: reply "<tag>: hello, <customer_name or there>" and set the
// session parameter last_tag to the tag.
package main

import (
	"context"
	"log"
	"os"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/cxhook/cxhook/fulfillment"
	"github.com/cxhook/cxhook/webhook"
)

// hello is the bench job as a fulfillment handler; every tag goes to it.
func hello(_ context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
	name, err := req.Params().String("customer_name")
	if err != nil {
		name = "there"
	}
	return fulfillment.Reply(req.Tag()+": hello, "+name).SetParam("last_tag", req.Tag()), nil
}

func newMux() *fulfillment.Mux {
	mux := fulfillment.NewMux()
	mux.HandleFallback(fulfillment.HandlerFunc(hello))
	return mux
}

func init() {
	functions.HTTP("webhook", webhook.MustNew(newMux(), webhook.WithGetenv(benchEnv)).ServeHTTP)
}

// benchEnv is the process's environment, with the caller check off unless
// CXHOOK_AUTH is set.
func benchEnv(name string) string {
	if os.Getenv("CXHOOK_AUTH") == "" {
		switch name {
		case "CXHOOK_AUTH":
			return "none"
		case "CXHOOK_INSECURE_ALLOW_NO_AUTH":
			return "true"
		}
	}
	return os.Getenv(name)
}

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	if os.Getenv("FUNCTION_TARGET") == "" {
		os.Setenv("FUNCTION_TARGET", "webhook")
	}
	if err := funcframework.Start(port); err != nil {
		log.Fatalf("funcframework.Start: %v", err)
	}
}
