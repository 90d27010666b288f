package fulfillment

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cxhook/cxhook/cloudlog"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Limits and defaults of the HTTP adapter.
const (
	// MaxResponseBytes is the largest response Dialogflow accepts (64 KiB).
	// The adapter never sends a larger one: the call fails with 500.
	MaxResponseBytes = 64 << 10
	// DefaultMaxBodyBytes is the default request body limit (2 MiB); a
	// larger body is answered with 413. Real requests are a few KiB to a few
	// hundred KiB, with long session histories and many parameters.
	DefaultMaxBodyBytes = 2 << 20
	// DefaultWebhookTimeout is Dialogflow's default webhook timeout.
	DefaultWebhookTimeout = 5 * time.Second
	// MaxWebhookTimeout is the longest webhook timeout Dialogflow allows.
	MaxWebhookTimeout = 30 * time.Second
	// minDeadlineMargin is the least time left to answer after the
	// handler's deadline.
	minDeadlineMargin = 100 * time.Millisecond
	// TimedOutParam is the session parameter the default timeout response
	// sets to true, for the agent to branch on.
	TimedOutParam = "cxhook_timed_out"
)

// An Option configures [NewHTTPHandler].
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	maxBody    int64
	logger     *slog.Logger
	timeout    time.Duration
	margin     time.Duration // < 0: derived from timeout
	onTimeout  func(*Request) *Response
	middleware []Middleware
	httpMW     []func(http.Handler) http.Handler
}

// WithMaxBodyBytes sets the request body limit; a larger body is answered
// with 413. The default is [DefaultMaxBodyBytes]; n <= 0 keeps it.
func WithMaxBodyBytes(n int64) Option {
	return optionFunc(func(c *config) {
		if n > 0 {
			c.maxBody = n
		}
	})
}

// WithLogger sets the logger for the per-call line and for errors. The
// default writes Cloud Logging JSON lines to stdout (see package cloudlog),
// with the project taken from GOOGLE_CLOUD_PROJECT, each line at once. A
// production function does better with a cloudlog handler that writes in
// batches (cloudlog.Options.FlushInterval, as cxhook's deployable function
// does). A nil logger keeps the default.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) {
		if l != nil {
			c.logger = l
		}
	})
}

// WithWebhookTimeout tells the adapter the agent's webhook timeout (the
// Webhook resource's timeout: 5 s unless changed, at most 30 s). Each call's
// context gets a deadline a safety margin before it, and a handler still
// running at the deadline is answered for with the timeout response, so that
// Dialogflow gets a valid answer instead of giving up. The margin is a tenth
// of the timeout, at least 250 ms and at most 1 s, unless set with
// [WithDeadlineMargin]. d <= 0 keeps the default, [DefaultWebhookTimeout];
// more than [MaxWebhookTimeout] is taken as the maximum.
func WithWebhookTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.timeout = d
		}
	})
}

// WithDeadlineMargin sets how long before the webhook timeout the handler's
// deadline falls: the time left to encode and send the answer. It is at
// least 100 ms and at most half the timeout.
func WithDeadlineMargin(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d >= 0 {
			c.margin = d
		}
	})
}

// WithTimeoutResponse sets the response sent, with status 200, for a call
// whose handler is still running at its deadline. f gets the call's request
// and must return quickly. The default response sends no message and sets
// the session parameter [TimedOutParam] to true, so the agent can route on
// it (a condition such as $session.params.cxhook_timed_out = true) to an
// apology or a retry.
func WithTimeoutResponse(f func(*Request) *Response) Option {
	return optionFunc(func(c *config) {
		if f != nil {
			c.onTimeout = f
		}
	})
}

// WithMiddleware wraps the handler in mw; the first listed runs first (see
// [Chain]). The middleware runs inside the deadline, after the request is
// decoded.
func WithMiddleware(mw ...Middleware) Option {
	return optionFunc(func(c *config) { c.middleware = append(c.middleware, mw...) })
}

// WithHTTPMiddleware runs HTTP middleware, such as the caller check of
// package auth, inside the adapter: after the call's trace and deadline are
// set up and before the body is read, so that its log lines carry the trace,
// its refusals get the per-call log line, and its work (fetching keys)
// counts against the deadline. The first listed runs first.
func WithHTTPMiddleware(mw ...func(http.Handler) http.Handler) Option {
	return optionFunc(func(c *config) { c.httpMW = append(c.httpMW, mw...) })
}

func defaultTimeoutResponse(*Request) *Response {
	return NewResponse().SetParam(TimedOutParam, true)
}

// NewHTTPHandler returns the http.Handler that serves h as a Dialogflow CX
// webhook. It owns the wire protocol:
//
//   - Only POST is served (405 with Allow: POST otherwise).
//   - The body is limited ([WithMaxBodyBytes]; 413 beyond it) and decoded
//     as a WebhookRequest: members the public proto does not have are
//     skipped, as real agents send some; malformed JSON, an empty body, a
//     non-object or a field of the wrong type is answered with 400.
//   - h runs with a deadline below the webhook timeout
//     ([WithWebhookTimeout]); past it, the timeout response is sent.
//   - The response is encoded as JSON (Content-Type: application/json). One
//     larger than [MaxResponseBytes] is never sent: the call fails with 500
//     and a log line naming the size and tag.
//   - An error from h answers with the status of its [Code] and a body
//     {"code":"...","message":"..."} whose message is generic: the error
//     itself is logged, never sent. A panic in h answers 500 and is logged
//     with its stack; the server goes on serving.
//   - Every call logs one line with the tag, session ID, status and
//     latency; parameter values and credentials are never logged.
//
// The handler is safe for concurrent use.
func NewHTTPHandler(h Handler, opts ...Option) http.Handler {
	c := config{maxBody: DefaultMaxBodyBytes, timeout: DefaultWebhookTimeout, margin: -1, onTimeout: defaultTimeoutResponse}
	for _, o := range opts {
		o.apply(&c)
	}
	if c.logger == nil {
		c.logger = slog.New(cloudlog.NewHandler(os.Stdout, &cloudlog.Options{ProjectID: os.Getenv("GOOGLE_CLOUD_PROJECT")}))
	}
	c.timeout = min(c.timeout, MaxWebhookTimeout)
	if c.margin < 0 {
		c.margin = min(max(c.timeout/10, 250*time.Millisecond), time.Second)
	}
	c.margin = min(max(c.margin, minDeadlineMargin), c.timeout/2)
	if len(c.middleware) > 0 {
		h = Chain(c.middleware...)(h)
	}
	hh := &httpHandler{h: h, c: c, budget: c.timeout - c.margin}
	hh.onExpire = hh.expire
	if len(c.httpMW) > 0 {
		var chain http.Handler = http.HandlerFunc(hh.serveInner)
		for _, mw := range slices.Backward(c.httpMW) {
			chain = mw(chain)
		}
		hh.httpChain = chain
	}
	return hh
}

type httpHandler struct {
	h         Handler
	c         config
	budget    time.Duration
	httpChain http.Handler // the HTTP middleware, ending in serveInner; nil without any
	onExpire  func(*call)  // expire, made once
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// decodeOptions accept snake_case names (as protojson does) beside the
// lowerCamelCase ones.
var decodeOptions = json.MatchCaseInsensitiveNames(true)

// DecodeRequest decodes a WebhookRequest from its JSON form, with the rules
// of [NewHTTPHandler].
func DecodeRequest(data []byte) (*Request, error) {
	req := new(Request)
	if err := json.Unmarshal(data, req, decodeOptions); err != nil {
		return nil, err
	}
	return req, nil
}

// EncodeResponse encodes resp as a WebhookResponse. It fails if the response
// was misbuilt or its values cannot be encoded; it does not check the size.
func EncodeResponse(resp *Response) ([]byte, error) {
	return json.Marshal(resp)
}

// call is the per-request state the access log line reads.
type call struct {
	start    time.Time
	answered time.Duration // when the answer was written, from start
	req      *Request
	status   int
	timeout  bool
	answer   atomic.Uint32 // who answers: answerPending, answerByHandler or answerByTimeout
	ctx      *callCtx

	// What the timeout response needs, set while the handler runs.
	w      http.ResponseWriter
	reqCtx context.Context // the context the handler got
}

type callKey struct{}

// statusWriter records the status an HTTP middleware writes (a 401 from the
// caller check), for the access line.
type statusWriter struct {
	http.ResponseWriter
	c *call
}

func (s *statusWriter) WriteHeader(code int) {
	if s.c.status == 0 {
		s.c.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.c.status == 0 {
		s.c.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// findStatusWriter finds ServeHTTP's statusWriter in w or in the writers
// it wraps (as http.ResponseController does, through Unwrap).
func findStatusWriter(w http.ResponseWriter) *statusWriter {
	for {
		switch x := w.(type) {
		case *statusWriter:
			return x
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return nil
		}
	}
}

// ServeHTTP serves one call. The trace, the deadline and the access line
// cover the whole call, the HTTP middleware (the caller check) included:
// the deadline counts from the request's arrival.
func (h *httpHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if _, ok := cloudlog.TraceFromContext(ctx); !ok {
		ctx = cloudlog.WithTrace(ctx, cloudlog.TraceFromHeader(r.Header))
	}
	cc := h.startCall(ctx)
	c := &cc.call
	ctx = cc
	defer cc.finish()
	defer func() {
		// Send the answer before writing the log line, so that the
		// line's write is not part of the caller's wait.
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		h.logCall(ctx, c)
	}()
	if h.httpChain == nil {
		h.serve(ctx, w, r, c)
		return
	}
	sw := &statusWriter{ResponseWriter: w, c: c}
	h.httpChain.ServeHTTP(sw, r.WithContext(ctx)) // ctx holds c under callKey
	if c.status == 0 && c.req == nil {
		c.status = http.StatusOK // the middleware answered without a status
	}
}

// startCall starts a call now, in a context that ends at its deadline.
func (h *httpHandler) startCall(parent context.Context) *callCtx {
	start := time.Now()
	return newCallCtx(parent, start, start.Add(h.budget))
}

// serveInner is the end of the HTTP middleware chain.
func (h *httpHandler) serveInner(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, _ := ctx.Value(callKey{}).(*call)
	if c == nil {
		// A middleware replaced the context with one not derived from
		// the call's. The call is still the one ServeHTTP started, found
		// through its statusWriter: keep its deadline, its timer and its
		// access line. Only a middleware that also hid the writer makes
		// this a call of its own.
		if sw := findStatusWriter(w); sw != nil {
			c = sw.c
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, c.ctx.deadline)
			defer cancel()
		} else {
			cc := h.startCall(ctx)
			defer cc.finish()
			c, ctx = &cc.call, cc
		}
	}
	if sw, ok := w.(*statusWriter); ok && sw.c == c {
		w = sw.ResponseWriter // serve sets c.status itself
	}
	h.serve(ctx, w, r, c)
}

// serve reads, dispatches and answers one call; ctx carries its deadline.
func (h *httpHandler) serve(ctx context.Context, w http.ResponseWriter, r *http.Request, c *call) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		c.status = writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "use POST")
		return
	}
	if r.ContentLength > h.c.maxBody {
		c.status = writeError(w, http.StatusRequestEntityTooLarge, "too_large", "request body too large")
		h.c.logger.LogAttrs(ctx, slog.LevelWarn, "request body too large", slog.Int64("content_length", r.ContentLength), slog.Int64("limit", h.c.maxBody))
		return
	}
	buf := bufPool.Get().(*bytes.Buffer)
	defer putBuf(buf)
	buf.Reset()
	if err := readBody(w, r, buf, h.c.maxBody); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			c.status = writeError(w, http.StatusRequestEntityTooLarge, "too_large", "request body too large")
			h.c.logger.LogAttrs(ctx, slog.LevelWarn, "request body too large", slog.Int64("limit", h.c.maxBody))
			return
		}
		c.status = writeError(w, http.StatusBadRequest, "invalid_argument", "could not read the request body")
		h.c.logger.LogAttrs(ctx, slog.LevelWarn, "reading request body failed", slog.String("error", err.Error()))
		return
	}
	req, err := DecodeRequest(buf.Bytes())
	if err != nil {
		c.status = writeError(w, http.StatusBadRequest, CodeInvalidArgument.String(), CodeInvalidArgument.message())
		h.c.logger.LogAttrs(ctx, slog.LevelWarn, "invalid WebhookRequest", decodeErrorAttrs(err, buf.Len())...)
		return
	}
	c.req = req
	h.dispatch(ctx, w, req, c, buf)
}

// Who answers a call: the handler, or the timeout response at the deadline.
const (
	answerPending uint32 = iota
	answerByHandler
	answerByTimeout
)

// dispatch runs the handler on the serving goroutine (no goroutine per
// call). If its deadline passes first, the call context's timer answers
// with the timeout response, while the handler finishes on its own;
// dispatch returns when both are done, so the ResponseWriter is never used
// late.
func (h *httpHandler) dispatch(ctx context.Context, w http.ResponseWriter, req *Request, c *call, buf *bytes.Buffer) {
	if err := ctx.Err(); err != nil {
		h.answerError(ctx, w, req, c, err)
		return
	}
	c.w, c.reqCtx = w, ctx
	if !c.ctx.setOnExpire(h.onExpire) { // the deadline passed since the check above
		h.answerError(ctx, w, req, c, c.ctx.Err())
		return
	}

	resp, err := h.call(ctx, req, c)

	if !c.claimAnswer() {
		if err != nil {
			h.c.logger.LogAttrs(ctx, slog.LevelWarn, "late handler finished with an error", slog.String("tag", req.Tag()), slog.String("error", err.Error()))
		}
		return
	}
	// A handler that gave up because its deadline passed gets the timeout
	// response too, as one that is still running does.
	if err != nil && errors.Is(err, context.DeadlineExceeded) && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		h.c.logger.LogAttrs(ctx, slog.LevelWarn, "handler gave up at its deadline; sent the timeout response",
			slog.String("tag", req.Tag()), slog.Duration("deadline", h.budget))
		h.answerTimeout(ctx, w, req, c, buf)
		return
	}
	if err == nil && resp == nil {
		err = NewError(CodeInternal, fmt.Errorf("handler for tag %q returned a nil response and a nil error", req.Tag()))
	}
	if err != nil {
		h.answerError(ctx, w, req, c, err)
		return
	}
	h.answer(ctx, w, req, c, resp, buf)
}

// claimAnswer disarms the timeout response once the handler is done and
// reports whether the handler's answer may be sent. If the timeout
// response won, it returns when that has been written.
func (c *call) claimAnswer() bool {
	c.ctx.setOnExpire(nil)
	if c.answer.CompareAndSwap(answerPending, answerByHandler) {
		return true
	}
	c.ctx.expired.Wait()
	return false
}

// expire answers for a handler still running at its deadline, unless it
// answered first. The call context's timer runs it.
func (h *httpHandler) expire(c *call) {
	if !c.answer.CompareAndSwap(answerPending, answerByTimeout) {
		return // the handler answered first
	}
	h.c.logger.LogAttrs(c.reqCtx, slog.LevelWarn, "handler overran its deadline; sent the timeout response",
		slog.String("tag", c.req.Tag()), slog.Duration("deadline", h.budget))
	h.answerTimeout(c.reqCtx, c.w, c.req, c, new(bytes.Buffer))
	_ = http.NewResponseController(c.w).Flush()
}

// call runs the handler, turning a panic into an error (its stack logged).
func (h *httpHandler) call(ctx context.Context, req *Request, c *call) (resp *Response, err error) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				// The handler aborts the response: no timeout response
				// may be written now, nor be half way through.
				c.claimAnswer()
				panic(p)
			}
			h.c.logger.LogAttrs(ctx, slog.LevelError, "handler panicked", slog.String("tag", req.Tag()),
				slog.String("panic", fmt.Sprint(p)), slog.String("stack", string(debug.Stack())))
			resp, err = nil, NewError(CodeInternal, fmt.Errorf("handler for tag %q panicked", req.Tag()))
		}
	}()
	return h.h.Fulfill(ctx, req)
}

// answerTimeout sends the timeout response.
func (h *httpHandler) answerTimeout(ctx context.Context, w http.ResponseWriter, req *Request, c *call, buf *bytes.Buffer) {
	c.timeout = true
	var resp *Response
	func() {
		defer func() {
			if p := recover(); p != nil {
				h.c.logger.LogAttrs(ctx, slog.LevelError, "timeout response function panicked", slog.String("panic", fmt.Sprint(p)))
			}
		}()
		resp = h.c.onTimeout(req)
	}()
	if resp == nil {
		resp = defaultTimeoutResponse(req)
	}
	h.answer(ctx, w, req, c, resp, buf)
}

// answerError sends the error's status with a generic body and logs it.
func (h *httpHandler) answerError(ctx context.Context, w http.ResponseWriter, req *Request, c *call, err error) {
	code := CodeOf(err)
	c.status = writeError(w, code.HTTPStatus(), code.String(), code.message())
	level := slog.LevelError
	if c.status < 500 || code == CodeCanceled {
		level = slog.LevelWarn
	}
	h.c.logger.LogAttrs(ctx, level, "handler failed", slog.String("tag", clip(req.Tag())), slog.String("session", clip(req.SessionID())), slog.String("error", err.Error()))
}

// answer encodes and sends resp, or fails the call if it cannot be sent.
func (h *httpHandler) answer(ctx context.Context, w http.ResponseWriter, req *Request, c *call, resp *Response, buf *bytes.Buffer) {
	buf.Reset()
	if err := encodeSafely(buf, resp); err != nil {
		c.status = writeError(w, 500, CodeInternal.String(), CodeInternal.message())
		h.c.logger.LogAttrs(ctx, slog.LevelError, "encoding the response failed", slog.String("tag", clip(req.Tag())), slog.String("session", clip(req.SessionID())), slog.String("error", err.Error()))
		return
	}
	if buf.Len() > MaxResponseBytes {
		c.status = writeError(w, 500, CodeInternal.String(), CodeInternal.message())
		h.c.logger.LogAttrs(ctx, slog.LevelError, "response too large for Dialogflow; not sent", slog.String("tag", clip(req.Tag())), slog.String("session", clip(req.SessionID())), slog.Int("size", buf.Len()), slog.Int("limit", MaxResponseBytes))
		return
	}
	hdr := w.Header()
	// The keys are canonical already; Set would canonicalize them again.
	// One allocation holds both values; the capacities keep an append to
	// one from writing over the other.
	vals := []string{"application/json", strconv.Itoa(buf.Len())}
	hdr["Content-Type"] = vals[0:1:1]
	hdr["Content-Length"] = vals[1:2:2]
	w.WriteHeader(http.StatusOK)
	c.status = http.StatusOK
	_, _ = w.Write(buf.Bytes())
	c.answered = time.Since(c.start)
}

// encodeSafely encodes resp, turning a panic in a value's marshaler into an
// error.
func encodeSafely(buf *bytes.Buffer, resp *Response) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("encoding panicked: %v", p)
		}
	}()
	return json.MarshalWrite(buf, resp)
}

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
	r.AddAttrs(slog.Int("status", c.status), slog.Float64("latency_ms", float64(latency.Microseconds())/1000))
	if c.timeout {
		r.AddAttrs(slog.Bool("timed_out", true))
	}
	_ = h.c.logger.Handler().Handle(ctx, r)
}

// writeError writes the JSON error body and returns the status.
func writeError(w http.ResponseWriter, status int, code, msg string) int {
	body, _ := json.Marshal(struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}{code, msg})
	hdr := w.Header()
	hdr.Set("Content-Type", "application/json")
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	hdr.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
	return status
}

// decodeErrorAttrs describe a decoding error by position and type only: the
// error's text can quote the input, which must not reach the logs.
func decodeErrorAttrs(err error, size int) []slog.Attr {
	attrs := []slog.Attr{slog.Int("body_bytes", size)}
	var se *json.SemanticError
	var syn *jsontext.SyntacticError
	switch {
	case size == 0:
		attrs = append(attrs, slog.String("problem", "empty body"))
	case errors.As(err, &se):
		attrs = append(attrs, slog.String("problem", "wrong type"), slog.Int64("offset", se.ByteOffset), slog.String("pointer", clip(string(se.JSONPointer))), slog.String("json_kind", se.JSONKind.String()))
		if se.GoType != nil {
			attrs = append(attrs, slog.String("go_type", se.GoType.String()))
		}
	case errors.As(err, &syn):
		attrs = append(attrs, slog.String("problem", "malformed JSON"), slog.Int64("offset", syn.ByteOffset), slog.String("pointer", clip(string(syn.JSONPointer))))
	case errors.Is(err, io.ErrUnexpectedEOF):
		attrs = append(attrs, slog.String("problem", "truncated JSON"))
	default:
		attrs = append(attrs, slog.String("problem", "invalid"))
	}
	return attrs
}

func putBuf(b *bytes.Buffer) {
	if b.Cap() <= 1<<20 { // don't keep huge buffers alive
		bufPool.Put(b)
	}
}

// readBody reads the request body into buf: exactly Content-Length bytes
// when the length is known (it was checked against the limit), else up to
// the limit.
func readBody(w http.ResponseWriter, r *http.Request, buf *bytes.Buffer, limit int64) error {
	if n := r.ContentLength; n >= 0 {
		buf.Grow(int(n))
		b := buf.AvailableBuffer()[:n]
		if _, err := io.ReadFull(r.Body, b); err != nil {
			return err
		}
		buf.Write(b)
		return nil
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	return err
}
