package fulfillment

import (
	"context"
	"log/slog"
	"time"
)

// clip bounds a caller-controlled string written to the log, so that one
// oversized value cannot make a log entry Cloud Logging drops.
func clip(s string) string {
	const max = 256
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

func (h *httpHandler) logCall(ctx context.Context, c *call) {
	level := slog.LevelInfo
	switch {
	case c.status >= 500:
		level = slog.LevelError
	case c.status >= 400 || c.timeout:
		level = slog.LevelWarn
	}
	if !h.c.logger.Enabled(ctx, level) {
		return
	}
	latency := c.answered
	if latency == 0 {
		latency = time.Since(c.start)
	}
	// The record goes straight to the handler: Logger.LogAttrs would also
	// walk the stack for a source location, which for this line is always
	// this function.
	r := slog.NewRecord(time.Now(), level, "webhook call", 0)
	if c.req != nil {
		r.AddAttrs(slog.String("tag", clip(c.req.Tag())), slog.String("session", clip(c.req.SessionID())))
	}
	if c.flex != nil {
		c.flex.addAttrs(&r)
	}
	r.AddAttrs(slog.Int("status", c.status), slog.Float64("latency_ms", float64(latency.Microseconds())/1000))
	if c.timeout {
		r.AddAttrs(slog.Bool("timed_out", true))
	}
	_ = h.c.logger.Handler().Handle(ctx, r)
}
