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
//
// The handler formats records itself, without reflection for the common
// attribute kinds, because a webhook logs a line per call and Cloud Run
// bills the CPU it takes.
//
// # Batching
//
// With [Options.FlushInterval], lines below WARNING are held for up to
// that long and written together. Measured on a small webhook call, the
// write system call of a line per call cost about as much as formatting
// it, some 7 % of the call's CPU. A WARNING or worse is written at once,
// with what is held before it, so trouble is never late; [FlushBeforeExit]
// writes what is held when the process gets SIGTERM:
//
//	logs := cloudlog.NewHandler(os.Stdout, &cloudlog.Options{
//		ProjectID:     os.Getenv("GOOGLE_CLOUD_PROJECT"),
//		FlushInterval: cloudlog.DefaultFlushInterval,
//	})
//	cloudlog.FlushBeforeExit(logs, syscall.SIGTERM, os.Interrupt)
//	slog.SetDefault(slog.New(logs))
//
// On Cloud Run with request-based billing the CPU is throttled between
// requests, so a batch due then may be written late (at the next request),
// but it is not lost: SIGTERM, which comes before an instance is stopped,
// writes it. An end that skips signal handling loses what is held then, at
// most 16 KiB of INFO lines, usually those of the last interval: a fatal
// runtime error, an out-of-memory kill, a panic nobody recovers, os.Exit.
package cloudlog

import (
	"context"
	"encoding"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
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
	// FlushInterval, if positive, lets the handler hold lines below
	// WARNING for up to that long and write them together, one Write for
	// many lines. A function that logs a line per call spends about as
	// much CPU on that write system call as on the line itself, so under
	// load this is a few per cent of every call. A record at WARNING or
	// above is written at once, after the lines held before it; so is a
	// batch that reaches 16 KiB. Lines held when the process dies are
	// lost: call [Handler.Flush] before exiting, or let [FlushBeforeExit]
	// do it on SIGTERM, which is how Cloud Run stops an instance. Zero
	// writes each line at once.
	FlushInterval time.Duration
}

// DefaultFlushInterval is the FlushInterval cxhook's deployable function
// uses: short enough that a line reaches Cloud Logging in well under a
// second, long enough to gather a few hundred lines under load.
const DefaultFlushInterval = 10 * time.Millisecond

// maxPending is the size at which held lines are written without waiting
// for the interval.
const maxPending = 16 << 10

// NewHandler returns a handler that writes Cloud Logging JSON lines to w:
// one Write per record, or per batch of records with
// [Options.FlushInterval]. It is safe for concurrent use.
func NewHandler(w io.Writer, opts *Options) *Handler {
	h := &Handler{out: &output{w: w}, level: slog.LevelInfo}
	if opts != nil {
		h.project = opts.ProjectID
		q, _ := jsontext.AppendQuote(nil, "projects/"+opts.ProjectID+"/traces/")
		h.tracePrefix = q[:len(q)-1]
		h.addSource = opts.AddSource
		if opts.Level != nil {
			h.level = opts.Level
		}
		h.out.interval = opts.FlushInterval
	}
	return h
}

// Handler is the slog.Handler NewHandler returns. Handlers derived from it
// with WithAttrs and WithGroup share its output, and Flush on any of them
// writes the lines all of them hold.
type Handler struct {
	out       *output
	level     slog.Leveler
	project   string
	addSource bool
	goas      []groupOrAttrs // from WithGroup and WithAttrs, in order
	// tracePrefix is "projects/PROJECT/traces/ quoted, without its closing
	// quote: t.ID (hex) follows.
	tracePrefix []byte
}

// groupOrAttrs is one WithGroup (group != "") or WithAttrs call.
type groupOrAttrs struct {
	group string
	attrs []slog.Attr
}

func (h *Handler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return h.with(groupOrAttrs{group: name})
}

func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler {
	if len(as) == 0 {
		return h
	}
	return h.with(groupOrAttrs{attrs: as})
}

func (h *Handler) with(g groupOrAttrs) *Handler {
	h2 := *h
	h2.goas = append(h.goas[:len(h.goas):len(h.goas)], g)
	return &h2
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	bp := bufPool.Get().(*[]byte)
	b := (*bp)[:0]
	b = append(b, '{')
	if !r.Time.IsZero() {
		b = append(b, `"time":"`...)
		b = r.Time.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, `",`...)
	}
	b = append(b, `"severity":"`...)
	b = append(b, severity(r.Level)...)
	b = append(b, `","message":`...)
	b, _ = jsontext.AppendQuote(b, r.Message)
	if t, ok := TraceFromContext(ctx); ok && t.ID != "" {
		if h.project != "" {
			b = append(b, `,"logging.googleapis.com/trace":`...)
			b = append(b, h.tracePrefix...)
			b = append(b, t.ID...)
			b = append(b, '"')
		} else {
			b = append(b, `,"trace_id":"`+t.ID+`"`...)
		}
		if t.SpanID != "" {
			b = append(b, `,"logging.googleapis.com/spanId":"`+t.SpanID+`"`...)
		}
		if t.Sampled {
			b = append(b, `,"logging.googleapis.com/trace_sampled":true`...)
		}
	}
	if h.addSource && r.PC != 0 {
		f, _ := runtime.CallersFrames([]uintptr{r.PC}).Next()
		b = append(b, `,"logging.googleapis.com/sourceLocation":{"file":`...)
		b, _ = jsontext.AppendQuote(b, f.File)
		b = append(b, `,"line":"`...)
		b = strconv.AppendInt(b, int64(f.Line), 10)
		b = append(b, `","function":`...)
		b, _ = jsontext.AppendQuote(b, f.Function)
		b = append(b, '}')
	}

	// Groups with nothing in them are left out, as slog requires.
	goas := h.goas
	if r.NumAttrs() == 0 {
		for len(goas) > 0 && goas[len(goas)-1].group != "" {
			goas = goas[:len(goas)-1]
		}
	}
	open := 0
	first := false // whether the next attribute opens an object
	for _, g := range goas {
		if g.group != "" {
			b = appendSep(b, first)
			b, _ = jsontext.AppendQuote(b, g.group)
			b = append(b, ":{"...)
			open++
			first = true
			continue
		}
		for _, a := range g.attrs {
			b, first = appendAttr(b, a, first)
		}
	}
	r.Attrs(func(a slog.Attr) bool {
		b, first = appendAttr(b, a, first)
		return true
	})
	for range open {
		b = append(b, '}')
	}
	b = append(b, "}\n"...)

	err := h.out.write(b, r.Level >= slog.LevelWarn)
	if cap(b) <= 64<<10 {
		*bp = b
		bufPool.Put(bp)
	}
	return err
}

// Flush writes the lines held for [Options.FlushInterval], if any.
func (h *Handler) Flush() error {
	h.out.mu.Lock()
	defer h.out.mu.Unlock()
	return h.out.flushLocked()
}

// output is where a handler and those derived from it write.
type output struct {
	w io.Writer

	mu       sync.Mutex    // serializes writes to w, guards the rest
	interval time.Duration // how long lines may be held; 0 writes at once
	pending  []byte        // lines held, with interval > 0
	timer    *time.Timer
	armed    bool // the timer will write pending
}

// write writes one line, or holds it; urgent writes it at once, with what
// is held before it.
func (o *output) write(line []byte, urgent bool) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.interval <= 0 {
		_, err := o.w.Write(line)
		return err
	}
	o.pending = append(o.pending, line...)
	if urgent || len(o.pending) >= maxPending {
		return o.flushLocked()
	}
	if !o.armed {
		o.armed = true
		if o.timer == nil {
			o.timer = time.AfterFunc(o.interval, o.flushByTimer)
		} else {
			o.timer.Reset(o.interval)
		}
	}
	return nil
}

func (o *output) flushByTimer() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.armed = false
	_ = o.flushLocked() // nobody to tell; the next write will fail too
}

func (o *output) flushLocked() error {
	if len(o.pending) == 0 {
		return nil
	}
	_, err := o.w.Write(o.pending)
	if cap(o.pending) > 4*maxPending {
		o.pending = nil
	} else {
		o.pending = o.pending[:0]
	}
	return err
}

// FlushBeforeExit makes the first of sigs (SIGTERM if none are given)
// write what h holds and end the process as the signal would have. From
// then on h writes each line at once, so nothing logged while the process
// ends is held back. Then it stops catching sigs and raises the signal
// again: a signal whose default is to end the process ends it; one the
// program ignored (SIGINT under nohup) is ignored again. Cloud Run sends
// SIGTERM before it stops an instance. Call it once, in a main package or
// a function's init. A program that shuts down gracefully on SIGTERM
// should rather call [Handler.Flush] itself, last: while another part of
// the program catches the signal too, the raised signal goes to it again.
func FlushBeforeExit(h *Handler, sigs ...os.Signal) {
	if len(sigs) == 0 {
		sigs = []os.Signal{syscall.SIGTERM}
	}
	c := make(chan os.Signal, 1)
	signal.Notify(c, sigs...)
	go func() {
		s := <-c
		h.out.mu.Lock()
		h.out.interval = 0 // write at once from now on
		_ = h.out.flushLocked()
		h.out.mu.Unlock()
		signal.Stop(c)
		if p, err := os.FindProcess(os.Getpid()); err == nil {
			_ = p.Signal(s)
		}
	}()
}

func appendSep(b []byte, first bool) []byte {
	if first {
		return b
	}
	return append(b, ',')
}

// appendAttr appends ,"key":value; first says no comma is due. It reports
// whether the next attribute is still the first of its object.
func appendAttr(b []byte, a slog.Attr, first bool) ([]byte, bool) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return b, first
	}
	if a.Value.Kind() == slog.KindGroup {
		as := a.Value.Group()
		if len(as) == 0 {
			return b, first
		}
		if a.Key == "" { // inline the group's attributes
			for _, ga := range as {
				b, first = appendAttr(b, ga, first)
			}
			return b, first
		}
		b = appendSep(b, first)
		b, _ = jsontext.AppendQuote(b, a.Key)
		b = append(b, ":{"...)
		inner := true
		for _, ga := range as {
			b, inner = appendAttr(b, ga, inner)
		}
		return append(b, '}'), false
	}
	b = appendSep(b, first)
	b, _ = jsontext.AppendQuote(b, a.Key)
	b = append(b, ':')
	return appendValue(b, a.Value), false
}

func appendValue(b []byte, v slog.Value) []byte {
	switch v.Kind() {
	case slog.KindString:
		b, _ = jsontext.AppendQuote(b, v.String())
		return b
	case slog.KindInt64:
		return strconv.AppendInt(b, v.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(b, v.Uint64(), 10)
	case slog.KindFloat64:
		f := v.Float64()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			b, _ = jsontext.AppendQuote(b, strconv.FormatFloat(f, 'g', -1, 64))
			return b
		}
		return strconv.AppendFloat(b, f, 'g', -1, 64)
	case slog.KindBool:
		return strconv.AppendBool(b, v.Bool())
	case slog.KindDuration:
		return strconv.AppendInt(b, int64(v.Duration()), 10)
	case slog.KindTime:
		b = append(b, '"')
		b = v.Time().AppendFormat(b, time.RFC3339Nano)
		return append(b, '"')
	}
	switch x := v.Any().(type) {
	case error:
		b, _ = jsontext.AppendQuote(b, x.Error())
		return b
	case encoding.TextMarshaler:
		if t, err := x.MarshalText(); err == nil {
			b, _ = jsontext.AppendQuote(b, t)
			return b
		}
	}
	if j, err := json.Marshal(v.Any()); err == nil {
		return append(b, j...)
	}
	b, _ = jsontext.AppendQuote(b, fmt.Sprintf("%+v", v.Any()))
	return b
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
