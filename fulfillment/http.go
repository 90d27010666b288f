package fulfillment

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/cxhook/cxhook/cloudlog"
	"github.com/go-json-experiment/json"
)

// NewHTTPHandler returns the http.Handler that serves h as a Dialogflow CX
// webhook. It owns the wire protocol:
//
//   - Only POST is served (405 with Allow: POST otherwise). A Content-Type
//     a web page may send cross-site without a CORS preflight (text/plain,
//     application/x-www-form-urlencoded, multipart/form-data) is answered
//     with 415, so that no browser can be made to call a function that
//     checks no caller (a local one, say); application/json, with or
//     without parameters, and no Content-Type at all are served.
//   - The body is limited ([WithMaxBodyBytes]; 413 beyond it) and decoded
//     as a WebhookRequest: members the public proto does not have are
//     skipped, as real agents send some; malformed JSON, an empty body, a
//     non-object or a field of the wrong type is answered with 400. The
//     memory it takes follows the bytes received, not the Content-Length
//     declared, and a large body is held once (its parameters point into
//     it). While a call whose body outgrew 64 KiB is in flight, the
//     collector's GOGC is lowered to 25 (never raised; left alone when
//     off) and put back after, unless the program changed it meanwhile,
//     so that the garbage of finished large calls does not pile up beside
//     the ones in flight.
//   - The call has a deadline below the webhook timeout
//     ([WithWebhookTimeout]), counted from the request's arrival. Reading
//     the body is bounded by it: a body still arriving at the deadline
//     has until halfway to the webhook timeout to complete, then gets the
//     timeout response if it did (h does not run), else 408 Request
//     Timeout; either way the connection is closed. A caller that sends
//     slowly, or a chunked body that never ends, holds a connection no
//     longer than that.
//   - h runs within the deadline; a handler still running at it is
//     answered for with the timeout response ([WithTimeoutResponse]),
//     with Connection: close, since the handler still holds the
//     connection and a call sent on it next would wait. Writing an answer
//     after the deadline is bounded by the webhook timeout plus the margin.
//   - The response is encoded as JSON (Content-Type: application/json). One
//     larger than [MaxResponseBytes] is never sent: the call fails with 500
//     and a log line naming the size and tag.
//   - An error from h answers with the status of its [Code] and a body
//     {"code":"...","message":"..."} whose message is generic: the error
//     itself is logged, never sent. A panic in h answers 500 and is logged
//     with its stack; the server goes on serving.
//   - Every call logs one line with the tag, session ID, status and
//     latency; parameter values and credentials are never logged, and
//     what the caller sent (the tag, the session ID, an error's text) is
//     clipped to a few hundred bytes, its length noted.
//   - If h is a [*Mux], the calls of its flexible handlers are served as
//     FLEXIBLE webhook calls (see [Mux.HandleFlexible]), with these rules.
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
	flex, _ := h.(*Mux) // for its flexible handlers, which middleware does not wrap
	if len(c.middleware) > 0 {
		h = Chain(c.middleware...)(h)
	}
	hh := &httpHandler{h: h, c: c, budget: c.timeout - c.margin, flex: flex}
	hh.onExpire, hh.onExpireRead = hh.expire, hh.expireRead
	if len(c.httpMW) > 0 {
		var chain http.Handler = http.HandlerFunc(hh.serveInner)
		for _, mw := range slices.Backward(c.httpMW) {
			chain = mw(chain)
		}
		hh.httpChain = chain
		if c.gate != nil {
			hh.hidden = c.gate.CredentialHeaders()
		}
	}
	return hh
}

type httpHandler struct {
	h         Handler
	c         config
	budget    time.Duration
	httpChain http.Handler // the HTTP middleware, ending in serveInner; nil without any
	hidden    []string     // the gate's credential headers, which the HTTP middleware must not see
	// expire and expireRead, made once
	onExpire, onExpireRead func(*call)
	flex                   *Mux // the Mux served, for its flexible handlers (flexible.go); nil if h is not one
	deadlines              deadlineQueue
}

// bufPool holds the buffers responses are encoded in.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putBuf(b *bytes.Buffer) {
	if b.Cap() <= 1<<20 { // don't keep huge buffers alive
		bufPool.Put(b)
	}
}

// decodeOptions accept snake_case names (as protojson does) beside the
// lowerCamelCase ones. keepingInput decodes a buffer the request may keep,
// owningInput one it may also rewrite (see keep.go).
var (
	decodeOptions = json.MatchCaseInsensitiveNames(true)
	keepingInput  = json.JoinOptions(decodeOptions, keepInput)
	owningInput   = json.JoinOptions(decodeOptions, ownInput)
)

// DecodeRequest decodes a WebhookRequest from its JSON form, with the rules
// of [NewHTTPHandler].
func DecodeRequest(data []byte) (*Request, error) {
	req := new(Request)
	if decodeFast(data, req) { // see fastdecode.go
		return req, nil
	}
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
	// The access line is handed to the logger before the answer leaves
	// (net/http sends it once ServeHTTP returns). Sending the answer first
	// (a Flush here) let the caller's next call arrive while this
	// goroutine was still logging, so it served that call at once, and the
	// next, without yielding: on one CPU under load a few connections got
	// every turn and the others waited (p99 74-93 ms against 13-18 ms
	// without the Flush, medium fixture, c=32, with K_SERVICE set, whose
	// newline writes widen the window). With lines written in batches
	// (cloudlog.Options.FlushInterval) the line costs the caller about a
	// microsecond; written at once, one write, bounded by the stall timeout.
	defer func() { h.logCall(ctx, c) }()
	c.sw = statusWriter{ResponseWriter: w, c: c} // for the gate and the HTTP middleware
	if g := h.c.gate; g != nil {
		admitted, ok := g.Admit(ctx, &c.sw, r)
		if !ok {
			if c.status == 0 {
				c.status = http.StatusOK // the gate answered without a status
			}
			return
		}
		ctx = admitted
	}
	if h.httpChain == nil {
		h.serve(ctx, w, r, c)
		return
	}
	if len(h.hidden) > 0 {
		r = r.Clone(ctx) // deep-copies the header, which is not ours to edit
		for _, name := range h.hidden {
			r.Header.Del(name)
		}
	} else {
		r = r.WithContext(ctx) // ctx holds c under callKey
	}
	h.httpChain.ServeHTTP(&c.sw, r)
	if c.status == 0 && c.req == nil {
		c.status = http.StatusOK // the middleware answered without a status
	}
}

// startCall starts a call now, in a context that ends at its deadline.
func (h *httpHandler) startCall(parent context.Context) *callCtx {
	start := time.Now()
	return newCallCtx(&h.deadlines, parent, start, start.Add(h.budget))
}

// serveInner is the end of the HTTP middleware chain.
func (h *httpHandler) serveInner(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, _ := ctx.Value(callKey{}).(*call)
	if c == nil {
		// A middleware replaced the context with one not derived from
		// the call's. The call is still the one ServeHTTP started, found
		// through its statusWriter: keep its deadline, its expiry and its
		// access line. Only a middleware that also hid the writer makes
		// this a call of its own.
		if sw := findStatusWriter(w); sw != nil {
			c = sw.c
			var stop func()
			ctx, stop = c.ctx.withValuesOf(ctx)
			defer stop()
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
	if crossSiteContentType(r.Header) {
		c.status = writeError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "send Content-Type: application/json")
		return
	}
	if r.ContentLength > h.c.maxBody {
		c.status = writeError(w, http.StatusRequestEntityTooLarge, "too_large", "request body too large")
		h.c.logger.LogAttrs(ctx, slog.LevelWarn, "request body too large", slog.Int64("content_length", r.ContentLength), slog.Int64("limit", h.c.maxBody))
		return
	}
	body, pooled, err := h.readBody(ctx, w, r, c)
	if err != nil {
		return
	}
	// A flexible handler runs on this goroutine and is done with the body
	// when serveFlexiblePath or serveFlexibleTag returns; a pooled body
	// goes back to its pool only then.
	if h.flex != nil && h.serveFlexiblePath(ctx, w, r, c, body) {
		if pooled != nil {
			putBody(pooled, body)
		}
		return
	}
	var req *Request
	if pooled != nil {
		req, err = DecodeRequest(body) // copies what it keeps
	} else {
		// The request keeps body; where no flexible handler can be handed
		// body after this, it may also unescape strings in it.
		opts := owningInput
		if h.servesFlexibleTags() {
			opts = keepingInput
		}
		req = new(Request)
		err = json.Unmarshal(body, req, opts)
	}
	served := h.serveFlexibleTag(ctx, w, c, body, req, err)
	if pooled != nil {
		putBody(pooled, body)
	}
	if served {
		return
	}
	if err != nil {
		c.status = writeError(w, http.StatusBadRequest, CodeInvalidArgument.String(), CodeInvalidArgument.message())
		h.c.logger.LogAttrs(ctx, slog.LevelWarn, "invalid WebhookRequest", decodeErrorAttrs(err, len(body))...)
		return
	}
	c.req = req
	h.dispatch(ctx, w, req, c)
}

// readBody reads the body within the call's deadline (see expireRead), or
// answers for a body that cannot be read and returns the error.
func (h *httpHandler) readBody(ctx context.Context, w http.ResponseWriter, r *http.Request, c *call) (body []byte, pooled *[]byte, err error) {
	c.w = w
	if !c.ctx.setOnExpire(h.onExpireRead) { // the deadline passed in the HTTP middleware
		c.answer.Store(answerByTimeout)
		h.expireRead(c)
	}
	body, pooled, err = readBody(w, r, h.c.maxBody, &c.large)
	c.ctx.setOnExpire(nil)
	if c.answer.Load() == answerByTimeout {
		// expireRead set the connection's deadlines, which would outlast
		// the call: the connection must not serve another.
		w.Header().Set("Connection", "close")
	}
	if err == nil {
		return body, pooled, nil
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		c.status = writeError(w, http.StatusRequestEntityTooLarge, "too_large", "request body too large")
		h.c.logger.LogAttrs(ctx, slog.LevelWarn, "request body too large", slog.Int64("limit", h.c.maxBody))
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.status = writeError(w, http.StatusRequestTimeout, "request_timeout", "the request body did not arrive in time")
		h.c.logger.LogAttrs(ctx, slog.LevelWarn, "request body did not arrive by the deadline; answered 408",
			slog.Int64("content_length", r.ContentLength), slog.Duration("deadline", h.budget))
	default:
		c.status = writeError(w, http.StatusBadRequest, "invalid_argument", "could not read the request body")
		h.c.logger.LogAttrs(ctx, slog.LevelWarn, "reading request body failed", errAttr(err))
	}
	return nil, nil, err
}

// writeDeadline is the connection's write deadline once the call's deadline
// has passed: the webhook timeout and a margin more, so that an answer due
// just before the timeout is not cut off by a loaded machine, while a
// caller that does not read its answer cannot hold the call for long.
func (h *httpHandler) writeDeadline(c *call) time.Time {
	return c.start.Add(h.c.timeout + h.c.margin)
}

// expireRead runs at the deadline while the body is still being read, or
// before reading it if the deadline passed before. It gives the body
// until halfway to the webhook timeout to arrive: a body complete by then
// gets the timeout response (the handler does not run); one that is not
// gets 408, and the connection is closed. Writing the answer is bounded
// too (writeDeadline). Both deadlines are the connection's (through
// http.ResponseController, which the Functions Framework's server
// supports), so a connection that sends a byte now and then, or a chunked
// body that never ends, is answered and closed as well; a ResponseWriter
// that supports neither is not bounded.
func (h *httpHandler) expireRead(c *call) {
	rc := http.NewResponseController(c.w)
	_ = rc.SetWriteDeadline(h.writeDeadline(c)) // first: the 408 follows the read's end
	_ = rc.SetReadDeadline(c.ctx.deadline.Add(h.c.margin / 2))
}

// Who answers a call: the handler, or the timeout response at the deadline.
const (
	answerPending uint32 = iota
	answerByHandler
	answerByTimeout
)

// dispatch runs the handler on the serving goroutine (no goroutine per
// call). If its deadline passes first, the call's expiry answers
// with the timeout response, while the handler finishes on its own;
// dispatch returns when both are done, so the ResponseWriter is never used
// late.
func (h *httpHandler) dispatch(ctx context.Context, w http.ResponseWriter, req *Request, c *call) {
	c.w, c.reqCtx = w, ctx
	if ctx.Err() != nil || !c.ctx.setOnExpire(h.onExpire) {
		// The deadline passed before the handler could run (in the HTTP
		// middleware, or while the body arrived), or the caller left.
		if err := ctx.Err(); errors.Is(err, context.DeadlineExceeded) {
			h.c.logger.LogAttrs(ctx, slog.LevelWarn, "deadline passed before the handler ran; sent the timeout response",
				tagAttr(req), slog.Duration("deadline", h.budget))
			h.answerTimeout(ctx, w, req, c)
		} else {
			h.answerError(ctx, w, req, c, err)
		}
		return
	}

	resp, err := h.call(ctx, req, c)

	if !c.claimAnswer() {
		if err != nil {
			h.c.logger.LogAttrs(ctx, slog.LevelWarn, "late handler finished with an error", tagAttr(req), errAttr(err))
		}
		return
	}
	// A handler that gave up because its deadline passed gets the timeout
	// response too, as one that is still running does.
	if err != nil && errors.Is(err, context.DeadlineExceeded) && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		h.c.logger.LogAttrs(ctx, slog.LevelWarn, "handler gave up at its deadline; sent the timeout response",
			tagAttr(req), slog.Duration("deadline", h.budget))
		h.answerTimeout(ctx, w, req, c)
		return
	}
	if err == nil && resp == nil {
		err = NewError(CodeInternal, fmt.Errorf("handler for tag %s returned a nil response and a nil error", quoteTag(req)))
	}
	if err != nil {
		h.answerError(ctx, w, req, c, err)
		return
	}
	h.answer(ctx, w, req, c, resp)
}

// claimAnswer disarms the timeout response once the handler is done and
// reports whether the handler's answer may be sent. If the timeout
// response won, it returns when that has been written.
func (c *call) claimAnswer() bool {
	c.ctx.setOnExpire(nil)
	if c.answer.CompareAndSwap(answerPending, answerByHandler) {
		return true
	}
	c.ctx.waitExpired()
	return false
}

// expire answers for a handler still running at its deadline. The call
// context's expiry runs it, once it has claimed the answer. The timeout
// response closes the connection (Connection: close): the handler still
// holds it, and a client that sent its next call on it would wait for the
// handler to end, past the webhook timeout. Writing it is bounded
// (writeDeadline).
func (h *httpHandler) expire(c *call) {
	h.c.logger.LogAttrs(c.reqCtx, slog.LevelWarn, "handler overran its deadline; sent the timeout response",
		tagAttr(c.req), slog.Duration("deadline", h.budget))
	rc := http.NewResponseController(c.w)
	_ = rc.SetWriteDeadline(h.writeDeadline(c))
	c.w.Header().Set("Connection", "close")
	h.answerTimeout(c.reqCtx, c.w, c.req, c)
	_ = rc.Flush()
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
			h.c.logger.LogAttrs(ctx, slog.LevelError, "handler panicked", tagAttr(req),
				slog.String("panic", clipTo(fmt.Sprint(p), maxLoggedError)), slog.String("stack", clipTo(string(debug.Stack()), maxLoggedStack)))
			resp, err = nil, NewError(CodeInternal, fmt.Errorf("handler for tag %s panicked", quoteTag(req)))
		}
	}()
	return h.h.Fulfill(ctx, req)
}

// answerTimeout sends the timeout response.
func (h *httpHandler) answerTimeout(ctx context.Context, w http.ResponseWriter, req *Request, c *call) {
	c.timeout = true
	var resp *Response
	func() {
		defer func() {
			if p := recover(); p != nil {
				h.c.logger.LogAttrs(ctx, slog.LevelError, "timeout response function panicked", slog.String("panic", clipTo(fmt.Sprint(p), maxLoggedError)))
			}
		}()
		resp = h.c.onTimeout(req)
	}()
	if resp == nil {
		resp = defaultTimeoutResponse(req)
	}
	h.answer(ctx, w, req, c, resp)
}

// answerError sends the error's status with a generic body and logs it.
func (h *httpHandler) answerError(ctx context.Context, w http.ResponseWriter, req *Request, c *call, err error) {
	code := CodeOf(err)
	c.status = writeError(w, code.HTTPStatus(), code.String(), code.message())
	level := slog.LevelError
	if c.status < 500 || code == CodeCanceled {
		level = slog.LevelWarn
	}
	h.c.logger.LogAttrs(ctx, level, "handler failed", tagAttr(req), sessionAttr(req), errAttr(err))
}

// answer encodes and sends resp, or fails the call if it cannot be sent.
func (h *httpHandler) answer(ctx context.Context, w http.ResponseWriter, req *Request, c *call, resp *Response) {
	buf := bufPool.Get().(*bytes.Buffer)
	defer putBuf(buf)
	buf.Reset()
	if err := encodeSafely(buf, resp); err != nil {
		c.status = writeError(w, 500, CodeInternal.String(), CodeInternal.message())
		h.c.logger.LogAttrs(ctx, slog.LevelError, "encoding the response failed", tagAttr(req), sessionAttr(req), errAttr(err))
		return
	}
	if buf.Len() > MaxResponseBytes {
		c.status = writeError(w, 500, CodeInternal.String(), CodeInternal.message())
		h.c.logger.LogAttrs(ctx, slog.LevelError, "response too large for Dialogflow; not sent", tagAttr(req), sessionAttr(req), slog.Int("size", buf.Len()), slog.Int("limit", MaxResponseBytes))
		return
	}
	hdr := w.Header()
	// The keys are canonical already; Set would canonicalize them again.
	// An answer of up to selfSizedAnswer bytes gets its Content-Length from
	// net/http, which adds it to an answer it holds whole when the handler
	// returns ("under a few KB", the http.ResponseWriter documentation
	// says; 2 KiB today): a header fewer to set, and to copy when the
	// header is written, is a measurable share of a small call. A larger
	// one declares it, so that it is never sent in chunks, and so does the
	// timeout response, which is flushed while the handler still runs:
	// without a length the caller would wait for the handler's end to
	// know the answer's. One allocation holds both values; the capacities
	// keep an append to one from writing over the other.
	if buf.Len() <= selfSizedAnswer && !c.timeout {
		hdr["Content-Type"] = []string{"application/json"}
	} else {
		vals := []string{"application/json", strconv.Itoa(buf.Len())}
		hdr["Content-Type"] = vals[0:1:1]
		hdr["Content-Length"] = vals[1:2:2]
	}
	w.WriteHeader(http.StatusOK)
	c.status = http.StatusOK
	_, _ = w.Write(buf.Bytes())
	c.answered = time.Since(c.start)
}

// selfSizedAnswer is the largest answer the adapter leaves net/http to
// count (see answer).
const selfSizedAnswer = 1 << 10

// encodeSafely encodes resp, turning a panic in a value's marshaler into an
// error.
func encodeSafely(buf *bytes.Buffer, resp *Response) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("encoding panicked: %s", clipTo(fmt.Sprint(p), maxLoggedError))
		}
	}()
	return json.MarshalWrite(buf, resp)
}
