package fulfillment

import (
	"context"
	"log/slog"
	"strconv"
	"time"
	"unicode/utf8"
)

// Caller-supplied text is clipped before it reaches a log line or an
// error's text: a tag, a session ID or a JSON pointer to maxLoggedText
// bytes; an error's or a panic's text (which may quote the request) to
// maxLoggedError; a panic's stack to maxLoggedStack. A clipped text ends
// in "…(N bytes)", N being its original length. A request may hold 2 MiB
// of such text, Cloud Logging drops entries over 256 KB, and writing it
// whole would cost the CPU of a thousand calls; the cloudlog handler clips
// again, as the last line of defence, and keeps every line under 16 KiB.
const (
	maxLoggedText  = 256
	maxLoggedError = 1 << 10
	maxLoggedStack = 8 << 10
)

// clip clips caller-supplied text to maxLoggedText.
func clip(s string) string { return clipTo(s, maxLoggedText) }

// clipTo clips s to max bytes, cut between runes, and notes its length.
func clipTo(s string, max int) string {
	if len(s) <= max {
		return s
	}
	n := max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…(" + strconv.Itoa(len(s)) + " bytes)"
}

// quoteTag quotes the request's tag, clipped, for an error's text.
func quoteTag(req *Request) string { return strconv.Quote(clip(req.Tag())) }

func tagAttr(req *Request) slog.Attr     { return slog.String("tag", clip(req.Tag())) }
func sessionAttr(req *Request) slog.Attr { return slog.String("session", clip(req.SessionID())) }
func errAttr(err error) slog.Attr        { return slog.String("error", clipTo(err.Error(), maxLoggedError)) }

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
	// this function. Its time is the answer's (or, for a call that was
	// not answered through the adapter, now), a microsecond or so before
	// the line is handed on, without another reading of the clock.
	r := slog.NewRecord(c.start.Add(latency), level, "webhook call", 0)
	if c.req != nil {
		r.AddAttrs(tagAttr(c.req), sessionAttr(c.req))
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
