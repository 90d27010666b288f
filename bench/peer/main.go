// Command peer serves the benchmark job of ../shared/bench (the Dialogflow
// CX webhook load harness) through cxhook's public API and the Functions
// Framework, configured as the README recommends for production and as the
// deployable function is: the fulfillment HTTP adapter with its defaults
// (5 s webhook deadline, 2 MiB body limit) and a Cloud Logging access line
// per call on stdout, written in batches (cloudlog.DefaultFlushInterval)
// and flushed on SIGTERM.
//
//	EXTRA_PEERS="cxhook=$PWD/bench/peer" BENCH_OUT=$PWD/bench-out ../shared/bench/run.sh mine
//
// The job: reply "<tag>: hello, <customer_name or there>" and set the
// session parameter last_tag to the tag.
package main

import (
	"context"
	"log"
	"log/slog"
	"os"
	"syscall"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/cxhook/cxhook/cloudlog"
	"github.com/cxhook/cxhook/fulfillment"
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
	logs := cloudlog.NewHandler(os.Stdout, &cloudlog.Options{ProjectID: os.Getenv("GOOGLE_CLOUD_PROJECT"), FlushInterval: cloudlog.DefaultFlushInterval})
	cloudlog.FlushBeforeExit(logs, syscall.SIGTERM, os.Interrupt)
	functions.HTTP("webhook", fulfillment.NewHTTPHandler(newMux(), fulfillment.WithLogger(slog.New(logs))).ServeHTTP)
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
