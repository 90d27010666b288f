package cloudlog_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/cxhook/cxhook/cloudlog"
)

// BenchmarkHandle is the access line of a webhook call, written at once
// and in batches.
func BenchmarkHandle(b *testing.B) {
	ctx := cloudlog.WithTrace(context.Background(), cloudlog.Trace{ID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b7"})
	for _, tc := range []struct {
		name     string
		interval time.Duration
	}{{"at once", 0}, {"batched", cloudlog.DefaultFlushInterval}} {
		b.Run(tc.name, func(b *testing.B) {
			h := cloudlog.NewHandler(io.Discard, &cloudlog.Options{ProjectID: "p", FlushInterval: tc.interval})
			b.ReportAllocs()
			for b.Loop() {
				r := slog.NewRecord(time.Now(), slog.LevelInfo, "webhook call", 0)
				r.AddAttrs(slog.String("tag", "findAvailableTicket"), slog.String("session", "dfMessenger-8841276:detectIntent"), slog.Int("status", 200), slog.Float64("latency_ms", 1.25))
				_ = h.Handle(ctx, r)
			}
		})
	}
}
