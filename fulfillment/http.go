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
	"strconv"
	"sync"
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
// with the project taken from GOOGLE_CLOUD_PROJECT. A nil logger keeps the
// default.
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
// [WithDeadlineMargin]. d <= 0 keeps the default, [DefaultWebhookTimeout].
func WithWebhookTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.timeout = d
		}
	})
}

// WithDeadlineMargin sets how long before the webhook timeout the handler's
// deadline falls: the time left to encode and send the answer. It is capped
// at half the timeout.
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
	if c.margin < 0 {
		c.margin = min(max(c.timeout/10, 250*time.Millisecond), time.Second)
	}
	c.margin = min(c.margin, c.timeout/2)
	if len(c.middleware) > 0 {
		h = Chain(c.middleware...)(h)
	}
	return &httpHandler{h: h, c: c, budget: c.timeout - c.margin}
}

type httpHandler struct {
	h      Handler
	c      config
	budget time.Duration
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
	req     *Request
	status  int
	timeout bool
}

func (h *httpHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ctx := r.Context()
	if _, ok := cloudlog.TraceFromContext(ctx); !ok {
		ctx = cloudlog.WithTrace(ctx, cloudlog.TraceFromHeader(r.Header))
	}
	c := call{}
	defer func() { h.logCall(ctx, &c, start) }()

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
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, h.c.maxBody)); err != nil {
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
	req := new(Request)
	if err := json.Unmarshal(buf.Bytes(), req, decodeOptions); err != nil {
		c.status = writeError(w, http.StatusBadRequest, CodeInvalidArgument.String(), CodeInvalidArgument.message())
		h.c.logger.LogAttrs(ctx, slog.LevelWarn, "invalid WebhookRequest", decodeErrorAttrs(err, buf.Len())...)
		return
	}
	c.req = req

	resp, err, timedOut := h.run(ctx, req)
	c.timeout = timedOut
	if err == nil && resp == nil {
		err = NewError(CodeInternal, fmt.Errorf("handler for tag %q returned a nil response and a nil error", req.Tag()))
	}
	if err != nil {
		code := CodeOf(err)
		c.status = writeError(w, code.HTTPStatus(), code.String(), code.message())
		level := slog.LevelError
		if c.status < 500 {
			level = slog.LevelWarn
		}
		h.c.logger.LogAttrs(ctx, level, "handler failed", slog.String("tag", req.Tag()), slog.String("session", req.SessionID()), slog.String("error", err.Error()))
		return
	}

	buf.Reset()
	if err := json.MarshalWrite(buf, resp); err != nil {
		c.status = writeError(w, 500, CodeInternal.String(), CodeInternal.message())
		h.c.logger.LogAttrs(ctx, slog.LevelError, "encoding the response failed", slog.String("tag", req.Tag()), slog.String("session", req.SessionID()), slog.String("error", err.Error()))
		return
	}
	if buf.Len() > MaxResponseBytes {
		c.status = writeError(w, 500, CodeInternal.String(), CodeInternal.message())
		h.c.logger.LogAttrs(ctx, slog.LevelError, "response too large for Dialogflow; not sent", slog.String("tag", req.Tag()), slog.String("session", req.SessionID()), slog.Int("size", buf.Len()), slog.Int("limit", MaxResponseBytes))
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "application/json")
	hdr.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	c.status = http.StatusOK
	_, _ = w.Write(buf.Bytes())
}

func putBuf(b *bytes.Buffer) {
	if b.Cap() <= 1<<20 { // don't keep huge buffers alive
		bufPool.Put(b)
	}
}

type result struct {
	resp *Response
	err  error
}

// run calls the handler with the call's deadline. If the deadline passes
// first, it returns the timeout response and leaves the handler to finish
// on its own (its context is cancelled; its result is dropped and logged).
func (h *httpHandler) run(parent context.Context, req *Request) (resp *Response, err error, timedOut bool) {
	if err := parent.Err(); err != nil {
		return nil, err, false
	}
	ctx, cancel := context.WithTimeout(parent, h.budget)
	done := make(chan result, 1)
	go func() {
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					done <- result{err: NewError(CodeCanceled, errors.New("handler aborted"))}
					return
				}
				h.c.logger.LogAttrs(parent, slog.LevelError, "handler panicked", slog.String("tag", req.Tag()), slog.String("panic", fmt.Sprint(p)), slog.String("stack", string(debug.Stack())))
				done <- result{err: NewError(CodeInternal, fmt.Errorf("handler for tag %q panicked", req.Tag()))}
			}
		}()
		resp, err := h.h.Fulfill(ctx, req)
		done <- result{resp, err}
	}()
	tag := req.Tag()
	timeout := func(what string) (*Response, error, bool) {
		h.c.logger.LogAttrs(parent, slog.LevelWarn, what+"; sent the timeout response", slog.String("tag", tag), slog.Duration("deadline", h.budget))
		return h.c.onTimeout(req), nil, true
	}
	// finish returns the handler's result, except that a handler that gave
	// up because its deadline passed gets the timeout response, as one that
	// is still running does.
	finish := func(r result) (*Response, error, bool) {
		if r.err != nil && errors.Is(r.err, context.DeadlineExceeded) && ctx.Err() != nil && parent.Err() == nil {
			return timeout("handler gave up at its deadline")
		}
		return r.resp, r.err, false
	}
	select {
	case r := <-done:
		return finish(r)
	case <-ctx.Done():
	}
	select { // the handler may have finished just as the deadline passed
	case r := <-done:
		return finish(r)
	default:
	}
	if err := parent.Err(); err != nil {
		return nil, err, false // the caller went away
	}
	go func() {
		r := <-done
		if r.err != nil {
			h.c.logger.LogAttrs(parent, slog.LevelWarn, "late handler finished with an error", slog.String("tag", tag), slog.String("error", r.err.Error()))
		}
	}()
	return timeout("handler overran its deadline")
}

func (h *httpHandler) logCall(ctx context.Context, c *call, start time.Time) {
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
	attrs := make([]slog.Attr, 0, 6)
	if c.req != nil {
		attrs = append(attrs, slog.String("tag", c.req.Tag()), slog.String("session", c.req.SessionID()))
	}
	attrs = append(attrs, slog.Int("status", c.status), slog.Float64("latency_ms", float64(time.Since(start).Microseconds())/1000))
	if c.timeout {
		attrs = append(attrs, slog.Bool("timed_out", true))
	}
	h.c.logger.LogAttrs(ctx, level, "webhook call", attrs...)
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
		attrs = append(attrs, slog.String("problem", "wrong type"), slog.Int64("offset", se.ByteOffset), slog.String("pointer", string(se.JSONPointer)), slog.String("json_kind", se.JSONKind.String()))
		if se.GoType != nil {
			attrs = append(attrs, slog.String("go_type", se.GoType.String()))
		}
	case errors.As(err, &syn):
		attrs = append(attrs, slog.String("problem", "malformed JSON"), slog.Int64("offset", syn.ByteOffset), slog.String("pointer", string(syn.JSONPointer)))
	case errors.Is(err, io.ErrUnexpectedEOF):
		attrs = append(attrs, slog.String("problem", "truncated JSON"))
	default:
		attrs = append(attrs, slog.String("problem", "invalid"))
	}
	return attrs
}
