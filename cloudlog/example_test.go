package cloudlog_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/cxhook/cxhook/cloudlog"
)

// A line carries the trace of the request whose context it is logged with,
// linked to the project, so that Cloud Logging groups it under the request,
// and the attributes of the handler and of the record.
func ExampleWithTrace() {
	h := cloudlog.NewHandler(os.Stdout, &cloudlog.Options{ProjectID: "my-project"})

	header := http.Header{"Traceparent": {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}}
	ctx := cloudlog.WithTrace(context.Background(), cloudlog.TraceFromHeader(header))

	// slog.Logger stamps each record with the time; this record has none,
	// so that the output is the same on every run.
	r := slog.NewRecord(time.Time{}, slog.LevelWarn, "seat map unavailable", 0)
	r.AddAttrs(slog.String("tag", "findAvailableTicket"), slog.Int("attempt", 2))
	_ = h.WithAttrs([]slog.Attr{slog.String("component", "flights")}).Handle(ctx, r)
	// Output:
	// {"severity":"WARNING","message":"seat map unavailable","logging.googleapis.com/trace":"projects/my-project/traces/4bf92f3577b34da6a3ce929d0e0e4736","logging.googleapis.com/spanId":"00f067aa0ba902b7","logging.googleapis.com/trace_sampled":true,"component":"flights","tag":"findAvailableTicket","attempt":2}
}

// With a flush interval, lines below WARNING are held and written together;
// a WARNING goes out at once, after them. Flush writes what is held.
func ExampleHandler_Flush() {
	var out strings.Builder
	h := cloudlog.NewHandler(&out, &cloudlog.Options{FlushInterval: time.Hour})
	logger := slog.New(h)

	logger.Info("call 1")
	logger.Info("call 2")
	fmt.Println("lines written:", strings.Count(out.String(), "\n"))
	logger.Warn("slow answer")
	fmt.Println("lines written:", strings.Count(out.String(), "\n"))
	logger.Info("call 3")
	_ = h.Flush() // as before the process ends
	fmt.Println("lines written:", strings.Count(out.String(), "\n"))
	// Output:
	// lines written: 0
	// lines written: 3
	// lines written: 4
}

// TraceFromHeader reads the W3C traceparent header, or else Google's
// X-Cloud-Trace-Context, whose span ID is decimal.
func ExampleTraceFromHeader() {
	for _, h := range []http.Header{
		{"Traceparent": {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}},
		{"X-Cloud-Trace-Context": {"105445aa7843bc8bf206b12000100000/1;o=1"}},
		{"Traceparent": {"not a trace"}},
	} {
		fmt.Printf("%+v\n", cloudlog.TraceFromHeader(h))
	}
	// Output:
	// {ID:4bf92f3577b34da6a3ce929d0e0e4736 SpanID:00f067aa0ba902b7 Sampled:true}
	// {ID:105445aa7843bc8bf206b12000100000 SpanID:0000000000000001 Sampled:true}
	// {ID: SpanID: Sampled:false}
}
