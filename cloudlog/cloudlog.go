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
//
// # Limits
//
// Logging never stalls the program. Lines are written by a goroutine of
// the handler's, and a logging call waits for its line at most twice
// [Options.StallTimeout] (100 ms by default): if stdout blocks (a pipe
// nobody reads), nobody waits for it any more, up to 256 KiB of lines are
// held, the rest are dropped, and one WARNING line reports how many once
// the output moves again. [Handler.Flush] is bounded the same way, and
// [Handler.FlushContext] by its context too, so a shutdown ends on time.
//
// No line reaches [MaxLineBytes] (16 KiB): values longer than
// [MaxValueBytes] are clipped, with their length noted, however much a
// caller sent (see MaxLineBytes).
package cloudlog

import (
	"context"
	"encoding"
	"fmt"
	"io"
	"log/slog"
	"math"
	"runtime"
	"strconv"
	"sync"
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
	// writes each line at once: the logging call hands it to the handler's
	// writer goroutine and waits for it (see StallTimeout), which on a
	// machine with idle CPUs costs the wake-up of one, some microseconds a
	// line; batches avoid that too.
	FlushInterval time.Duration
	// StallTimeout is how long a write to the output may take before the
	// output counts as stalled (a stdout pipe nobody reads): from then on
	// no logging call waits for it, lines are held up to 256 KiB and
	// dropped beyond, and the number dropped is logged once the output
	// moves again. A logging call, and Flush, return within twice this
	// time whatever the output does. Zero means [DefaultStallTimeout].
	StallTimeout time.Duration
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
// [Options.FlushInterval]. Writes to w happen on a goroutine of the
// handler's, one at a time; a logging call waits for its line to be
// written at most twice [Options.StallTimeout] (see [Handler.Flush]). It
// is safe for concurrent use.
func NewHandler(w io.Writer, opts *Options) *Handler {
	if opts == nil {
		opts = &Options{}
	}
	h := &Handler{out: newOutput(w, opts.FlushInterval, opts.StallTimeout), level: slog.LevelInfo}
	h.project = opts.ProjectID
	q, _ := jsontext.AppendQuote(nil, "projects/"+opts.ProjectID+"/traces/")
	h.tracePrefix = q[:len(q)-1]
	h.addSource = opts.AddSource
	if opts.Level != nil {
		h.level = opts.Level
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
	b := h.appendLine((*bp)[:0], ctx, r)
	err := h.out.write(b, r.Level >= slog.LevelWarn)
	if cap(b) <= 64<<10 {
		*bp = b
		bufPool.Put(bp)
	}
	return err
}

// appendLine appends the record's line, shorter than MaxLineBytes: with
// its values clipped to MaxValueBytes; if that is still too long, to
// retryValueBytes; failing that, without its attributes (see clip.go).
func (h *Handler) appendLine(b []byte, ctx context.Context, r slog.Record) []byte {
	start := len(b)
	for _, max := range [...]int{MaxValueBytes, retryValueBytes} {
		b = h.appendRecord(b, ctx, r, max, true)
		if len(b)-start < MaxLineBytes {
			return b
		}
		b = b[:start]
	}
	b = h.appendRecord(b, ctx, r, retryValueBytes, false)
	b = b[:len(b)-2] // "}\n"
	b = append(b, `,"cloudlog_attrs_omitted":`...)
	b = strconv.AppendInt(b, int64(h.numAttrs()+r.NumAttrs()), 10)
	return append(b, "}\n"...)
}

// numAttrs counts the attributes from WithAttrs.
func (h *Handler) numAttrs() int {
	n := 0
	for _, g := range h.goas {
		n += len(g.attrs)
	}
	return n
}

// appendRecord appends the record's line with values clipped to max, and
// with its attributes or without them.
func (h *Handler) appendRecord(b []byte, ctx context.Context, r slog.Record, max int, attrs bool) []byte {
	b = append(b, '{')
	if !r.Time.IsZero() {
		b = append(b, `"time":"`...)
		b = r.Time.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, `",`...)
	}
	b = append(b, `"severity":"`...)
	b = append(b, severity(r.Level)...)
	b = append(b, `","message":`...)
	b = appendString(b, r.Message, max)
	if t, ok := TraceFromContext(ctx); ok && t.ID != "" {
		if h.project != "" {
			b = append(b, `,"logging.googleapis.com/trace":`...)
			b = append(b, h.tracePrefix...)
			b = append(b, t.ID...)
			b = append(b, '"')
		} else {
			b = append(b, `,"trace_id":"`...)
			b = append(b, t.ID...)
			b = append(b, '"')
		}
		if t.SpanID != "" {
			b = append(b, `,"logging.googleapis.com/spanId":"`...)
			b = append(b, t.SpanID...)
			b = append(b, '"')
		}
		if t.Sampled {
			b = append(b, `,"logging.googleapis.com/trace_sampled":true`...)
		}
	}
	if h.addSource && r.PC != 0 {
		f, _ := runtime.CallersFrames([]uintptr{r.PC}).Next()
		b = append(b, `,"logging.googleapis.com/sourceLocation":{"file":`...)
		b = appendString(b, f.File, max)
		b = append(b, `,"line":"`...)
		b = strconv.AppendInt(b, int64(f.Line), 10)
		b = append(b, `","function":`...)
		b = appendString(b, f.Function, max)
		b = append(b, '}')
	}
	if !attrs {
		return append(b, "}\n"...)
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
			b = appendString(b, g.group, max)
			b = append(b, ":{"...)
			open++
			first = true
			continue
		}
		for _, a := range g.attrs {
			b, first = appendAttr(b, a, first, max)
		}
	}
	r.Attrs(func(a slog.Attr) bool {
		b, first = appendAttr(b, a, first, max)
		return true
	})
	for range open {
		b = append(b, '}')
	}
	return append(b, "}\n"...)
}

func appendSep(b []byte, first bool) []byte {
	if first {
		return b
	}
	return append(b, ',')
}

// appendAttr appends ,"key":value; first says no comma is due. It reports
// whether the next attribute is still the first of its object.
func appendAttr(b []byte, a slog.Attr, first bool, max int) ([]byte, bool) {
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
				b, first = appendAttr(b, ga, first, max)
			}
			return b, first
		}
		b = appendSep(b, first)
		b = appendString(b, a.Key, max)
		b = append(b, ":{"...)
		inner := true
		for _, ga := range as {
			b, inner = appendAttr(b, ga, inner, max)
		}
		return append(b, '}'), false
	}
	b = appendSep(b, first)
	b = appendString(b, a.Key, max)
	b = append(b, ':')
	return appendValue(b, a.Value, max), false
}

func appendValue(b []byte, v slog.Value, max int) []byte {
	switch v.Kind() {
	case slog.KindString:
		return appendString(b, v.String(), max)
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
		return appendString(b, x.Error(), max)
	case encoding.TextMarshaler:
		if t, err := x.MarshalText(); err == nil {
			return appendString(b, string(t), max)
		}
	}
	if j, err := json.Marshal(v.Any()); err == nil {
		if len(j) > max {
			return appendString(b, string(j), max) // as a string: clipped JSON is no JSON
		}
		return append(b, j...)
	}
	return appendString(b, fmt.Sprintf("%+v", v.Any()), max)
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
