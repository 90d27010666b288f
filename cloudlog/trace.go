package cloudlog

import (
	"context"
	"net/http"
	"strconv"
	"strings"
)

// Trace identifies the distributed trace a request belongs to.
type Trace struct {
	ID      string // 32 lowercase hex digits
	SpanID  string // 16 lowercase hex digits
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
	// The keys are written canonical: Header.Get would canonicalize them
	// again, at an allocation per call.
	if v := h["Traceparent"]; len(v) > 0 {
		if t, ok := parseTraceparent(v[0]); ok {
			return t
		}
	}
	if v := h["X-Cloud-Trace-Context"]; len(v) > 0 {
		t, _ := parseCloudTrace(v[0])
		return t
	}
	return Trace{}
}

// parseTraceparent reads version-traceid-spanid-flags, e.g.
// 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01. Versions after
// 00 may add fields after the flags.
func parseTraceparent(s string) (Trace, bool) {
	const n = len("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	if len(s) < n || s[2] != '-' || s[35] != '-' || s[52] != '-' {
		return Trace{}, false
	}
	version, id, span, flags, rest := s[:2], s[3:35], s[36:52], s[53:55], s[55:]
	if !isHex(version) || version == "ff" || !isHex(id) || allZero(id) || !isHex(span) || allZero(span) || !isHex(flags) ||
		(version == "00" && rest != "") || (rest != "" && rest[0] != '-') {
		return Trace{}, false
	}
	f, _ := strconv.ParseUint(flags, 16, 8)
	return Trace{ID: strings.ToLower(id), SpanID: strings.ToLower(span), Sampled: f&1 == 1}, true
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
