// Package cloudlog writes log/slog records in the structured format Cloud
// Logging reads from a Cloud Run function's stdout: one JSON object per
// line, with "severity", "message", "time", and the request's trace as
// "logging.googleapis.com/trace" (projects/PROJECT/traces/TRACE_ID), so that
// every line of one webhook call groups under its request in the console.
//
// # Use
//
//	logger := slog.New(cloudlog.NewHandler(os.Stdout, &cloudlog.Options{ProjectID: "my-project"}))
//	ctx = cloudlog.WithTrace(ctx, cloudlog.TraceFromHeader(r.Header))
//	logger.InfoContext(ctx, "booked", "tag", tag)
//
// The handler takes the trace from the context given to the logging call;
// [WithTrace] puts it there. The fulfillment package's HTTP adapter does so
// for every request.
package cloudlog

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
)

// Options configure a handler. The zero value is valid.
type Options struct {
	// ProjectID is the Google Cloud project the function runs in, needed to
	// write the trace as Cloud Logging wants it. Empty: the trace ID is
	// written under "trace_id" instead, which Cloud Logging does not link.
	ProjectID string
	// Level is the minimum level logged; nil means slog.LevelInfo.
	Level slog.Leveler
	// AddSource adds "logging.googleapis.com/sourceLocation".
	AddSource bool
}

// NewHandler returns a slog.Handler that writes Cloud Logging JSON lines to
// w. Each record is written with one Write call; the handler is safe for
// concurrent use when w is (as *os.File is).
func NewHandler(w io.Writer, opts *Options) slog.Handler {
	if opts == nil {
		opts = &Options{}
	}
	jh := slog.NewJSONHandler(w, &slog.HandlerOptions{
		AddSource:   opts.AddSource,
		Level:       opts.Level,
		ReplaceAttr: replaceAttr,
	})
	return &handler{next: jh, project: opts.ProjectID}
}

// replaceAttr renames slog's built-in keys to Cloud Logging's.
func replaceAttr(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 {
		return a
	}
	switch a.Key {
	case slog.MessageKey:
		a.Key = "message"
	case slog.SourceKey:
		a.Key = "logging.googleapis.com/sourceLocation"
	case slog.LevelKey:
		a.Key = "severity"
		a.Value = slog.StringValue(severity(a.Value.Any().(slog.Level)))
	}
	return a
}

func severity(l slog.Level) string {
	switch {
	case l < slog.LevelInfo:
		return "DEBUG"
	case l < slog.LevelWarn:
		return "INFO"
	case l < slog.LevelError:
		return "WARNING"
	case l < slog.LevelError+4:
		return "ERROR"
	}
	return "CRITICAL"
}

type handler struct {
	next    slog.Handler
	project string
	grouped bool // WithGroup was called: trace attrs would land in the group
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	if t, ok := ctx.Value(traceKey{}).(Trace); ok && t.ID != "" && !h.grouped {
		if h.project != "" {
			r.AddAttrs(slog.String("logging.googleapis.com/trace", "projects/"+h.project+"/traces/"+t.ID))
		} else {
			r.AddAttrs(slog.String("trace_id", t.ID))
		}
		if t.SpanID != "" {
			r.AddAttrs(slog.String("logging.googleapis.com/spanId", t.SpanID))
		}
		if t.Sampled {
			r.AddAttrs(slog.Bool("logging.googleapis.com/trace_sampled", true))
		}
	}
	return h.next.Handle(ctx, r)
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	return &handler{next: h.next.WithAttrs(as), project: h.project, grouped: h.grouped}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{next: h.next.WithGroup(name), project: h.project, grouped: true}
}

// Trace identifies the distributed trace a request belongs to.
type Trace struct {
	ID      string // 32 lowercase hex digits
	SpanID  string // 16 hex digits
	Sampled bool
}

type traceKey struct{}

// WithTrace returns a context whose log records carry t. A zero t leaves ctx
// as it is.
func WithTrace(ctx context.Context, t Trace) context.Context {
	if t.ID == "" {
		return ctx
	}
	return context.WithValue(ctx, traceKey{}, t)
}

// TraceFromContext returns the trace WithTrace stored.
func TraceFromContext(ctx context.Context) (Trace, bool) {
	t, ok := ctx.Value(traceKey{}).(Trace)
	return t, ok
}

// TraceFromHeader reads the W3C traceparent header, or failing that Google's
// X-Cloud-Trace-Context (TRACE_ID/SPAN_ID;o=OPTIONS, with a decimal span ID).
// Malformed headers give the zero Trace.
func TraceFromHeader(h http.Header) Trace {
	if t, ok := parseTraceparent(h.Get("traceparent")); ok {
		return t
	}
	t, _ := parseCloudTrace(h.Get("X-Cloud-Trace-Context"))
	return t
}

// parseTraceparent reads version-traceid-spanid-flags, e.g.
// 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.
func parseTraceparent(s string) (Trace, bool) {
	parts := strings.Split(s, "-")
	if len(parts) < 4 || len(parts[0]) != 2 || parts[0] == "ff" || !isHex(parts[0]) ||
		len(parts[1]) != 32 || !isHex(parts[1]) || allZero(parts[1]) ||
		len(parts[2]) != 16 || !isHex(parts[2]) || allZero(parts[2]) ||
		len(parts[3]) != 2 || !isHex(parts[3]) || (parts[0] == "00" && len(parts) != 4) {
		return Trace{}, false
	}
	flags, _ := strconv.ParseUint(parts[3], 16, 8)
	return Trace{ID: strings.ToLower(parts[1]), SpanID: strings.ToLower(parts[2]), Sampled: flags&1 == 1}, true
}

// parseCloudTrace reads TRACE_ID[/SPAN_ID][;o=OPTIONS].
func parseCloudTrace(s string) (Trace, bool) {
	s, opts, _ := strings.Cut(s, ";")
	id, span, hasSpan := strings.Cut(s, "/")
	if len(id) != 32 || !isHex(id) || allZero(id) {
		return Trace{}, false
	}
	t := Trace{ID: strings.ToLower(id)}
	if hasSpan {
		if n, err := strconv.ParseUint(span, 10, 64); err == nil && n != 0 {
			t.SpanID = strconv.FormatUint(n, 16)
			t.SpanID = strings.Repeat("0", 16-len(t.SpanID)) + t.SpanID
		}
	}
	t.Sampled = opts == "o=1"
	return t, true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return s != ""
}

func allZero(s string) bool { return strings.Trim(s, "0") == "" }
