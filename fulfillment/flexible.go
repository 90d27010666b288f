package fulfillment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// A FlexibleHandler answers the calls of a FLEXIBLE webhook. Dialogflow
// posts such a webhook the JSON object its requestBody template renders,
// not a WebhookRequest, and maps members of the JSON answer into
// parameters through the webhook's parameterMapping, not through a
// WebhookResponse. Make one with [Flexible]; register it on a [Mux].
//
// FulfillFlexible gets the request body, a JSON object, and returns the
// answer, a JSON object of at most [MaxResponseBytes], or an error whose
// [Code] picks the status, as for a [Handler]. It must not keep body after
// it returns. The context carries the call's deadline.
type FlexibleHandler interface {
	FulfillFlexible(ctx context.Context, body []byte) ([]byte, error)
}

// Flexible returns the FlexibleHandler that decodes the request body into a
// Req, calls f, and encodes its Resp as the answer: Req is the shape the
// webhook's requestBody template gives the body, Resp the shape its
// parameterMapping reads.
//
// The body is decoded with the rules of [Params.Decode]: members are
// matched to struct fields by their `json` tag or name, case-sensitively;
// members without a field are ignored (so Req need not declare the
// fulfillmentInfo the template carries); integer fields also take numbers
// written as 3.0. A body that does not fit Req is answered with 400
// (webhook.error.bad-request) and logged by member and type, never by
// value. Req may also be a map, [Params] (to read members with its
// getters) or jsontext.Value.
//
// Resp is encoded with JSON v2 (maps with sorted keys) and must encode as
// a JSON object: struct{} answers {}, and a nil pointer, which encodes as
// null, is a bug answered with 500, as a nil [*Response] is.
//
// A template puts each parameter where it writes its placeholder: inside
// quotes ("$session.params.x") the value arrives as text, so a number
// parameter there arrives as a string; declare such a field as a string,
// or as a number with the `json:",string"` option. How Dialogflow writes
// a number, or an unset parameter, into a template is not documented; see
// the package documentation.
func Flexible[Req, Resp any](f func(ctx context.Context, req Req) (Resp, error)) FlexibleHandler {
	if f == nil {
		panic("fulfillment: Flexible: nil func (at " + caller() + ")")
	}
	return flexibleFunc[Req, Resp](f)
}

type flexibleFunc[Req, Resp any] func(context.Context, Req) (Resp, error)

func (f flexibleFunc[Req, Resp]) FulfillFlexible(ctx context.Context, body []byte) ([]byte, error) {
	if err := checkObject(body); err != nil {
		return nil, err
	}
	var req Req
	if err := json.Unmarshal(body, &req, wholeNumbers); err != nil {
		return nil, NewError(CodeInvalidArgument, &bodyError{err: err, size: len(body)})
	}
	resp, err := f(ctx, req)
	if err != nil {
		return nil, err
	}
	out, err := json.Marshal(resp, json.Deterministic(true))
	if err != nil {
		return nil, NewError(CodeInternal, fmt.Errorf("encoding the answer: %w", err))
	}
	return out, nil
}

// A bodyError is a flexible request body that is not valid JSON or does
// not fit the handler's request type. Its text names the member and the
// types, never a value: JSON v2's own messages can quote the input.
type bodyError struct {
	err  error // from JSON v2
	size int
}

func (e *bodyError) Error() string {
	var se *json.SemanticError
	var syn *jsontext.SyntacticError
	switch {
	case e.size == 0:
		return "the request body is empty"
	case errors.As(e.err, &se):
		got := kindName(se.JSONKind)
		if got == "" {
			got = "value"
		}
		want := "the request type"
		if se.GoType != nil {
			want = strings.TrimLeft(se.GoType.String(), "*") // an unmarshal func's pointer
		}
		at := "the request body"
		if se.JSONPointer != "" {
			at = "member " + strconv.Quote(clip(string(se.JSONPointer))) + " of the request body"
		}
		return fmt.Sprintf("%s is a %s that does not fit %s", at, got, want)
	case errors.Is(e.err, io.ErrUnexpectedEOF):
		return "the request body is truncated JSON"
	case errors.As(e.err, &syn):
		return fmt.Sprintf("the request body is not valid JSON (at byte %d)", syn.ByteOffset)
	}
	return "the request body is not a JSON object"
}

// Unwrap returns JSON v2's error, for errors.As; print e, never it.
func (e *bodyError) Unwrap() error { return e.err }

// checkObject fails unless body starts with a JSON object (the rest is
// checked as it is decoded).
func checkObject(body []byte) error {
	if k := jsontext.Value(body).Kind(); k != '{' {
		return NewError(CodeInvalidArgument, &bodyError{err: errBodyNotObject, size: len(body)})
	}
	return nil
}

var errBodyNotObject = errors.New("not a JSON object")

// flexibleTag returns the tag a flexible request body carries
// (fulfillmentInfo.tag), or "" if it has none. It reads just enough to
// find it, by the rules WebhookRequest decoding uses for the same member,
// and fails with [CodeInvalidArgument] if the body is not one JSON object
// or fulfillmentInfo is not an object with a string tag.
func flexibleTag(body []byte) (string, error) {
	if err := checkObject(body); err != nil {
		return "", err
	}
	var probe struct {
		FulfillmentInfo *wireFulfillment `json:"fulfillmentInfo"`
	}
	if err := json.Unmarshal(body, &probe, decodeOptions); err != nil {
		return "", NewError(CodeInvalidArgument, &bodyError{err: err, size: len(body)})
	}
	if probe.FulfillmentInfo == nil {
		return "", nil
	}
	return probe.FulfillmentInfo.Tag, nil
}

// flexCall is what a flexible call adds to its call.
type flexCall struct {
	h    *httpHandler
	fh   FlexibleHandler
	tag  string // the body's tag, "" if none
	path string // the path it was dispatched by, "" if by tag
}

// addAttrs adds the call's attributes to its access line.
func (f *flexCall) addAttrs(r *slog.Record) {
	r.AddAttrs(slog.String("tag", clip(f.tag)))
	if f.path != "" {
		r.AddAttrs(slog.String("path", clip(f.path)))
	}
	r.AddAttrs(slog.Bool("flexible", true))
}

// serveFlexiblePath serves the call as a flexible one if its path has a
// flexible handler, and reports whether it did. serve calls it once the
// body is read, before decoding it as a WebhookRequest.
func (h *httpHandler) serveFlexiblePath(ctx context.Context, w http.ResponseWriter, r *http.Request, c *call, body []byte) bool {
	if len(h.flex.flexPaths) == 0 {
		return false
	}
	e, ok := h.flex.flexPaths[r.URL.Path]
	if !ok {
		return false
	}
	c.flex = &flexCall{h: h, fh: e.h, path: r.URL.Path}
	tag, err := flexibleTag(body)
	if err != nil {
		h.answerFlexibleError(ctx, w, c, err)
		return true
	}
	c.flex.tag = tag
	h.serveFlexible(ctx, w, c, body)
	return true
}

// servesFlexibleTags reports whether a call may be served by its body's
// tag as a flexible one, and so its body handed to a flexible handler
// after it was decoded (which is why serve then decodes without rewriting
// the body, see keep.go).
func (h *httpHandler) servesFlexibleTags() bool {
	return h.flex != nil && len(h.flex.flexTags) > 0
}

// serveFlexibleTag serves the call as a flexible one if the tag its body
// carries has a flexible handler, and reports whether it did. serve calls
// it with the outcome of decoding the body as a WebhookRequest: a flexible
// body often decodes as one (its other members are skipped), and then its
// tag is the request's; else the tag is looked for on its own.
func (h *httpHandler) serveFlexibleTag(ctx context.Context, w http.ResponseWriter, c *call, body []byte, req *Request, decodeErr error) bool {
	if !h.servesFlexibleTags() {
		return false
	}
	var tag string
	if decodeErr == nil {
		tag = strings.Clone(req.Tag()) // it may point into body, which the handler is handed
	} else {
		var err error
		if tag, err = flexibleTag(body); err != nil {
			return false // not a flexible call either: the WebhookRequest's error stands
		}
	}
	e, ok := h.flex.flexTags[tag]
	if !ok {
		return false
	}
	c.flex = &flexCall{h: h, fh: e.h, tag: tag}
	h.serveFlexible(ctx, w, c, body)
	return true
}

// serveFlexible runs a flexible handler under the call's deadline, as
// dispatch runs a standard one, and answers. Past the deadline the answer
// is 503 (see expireFlexible).
func (h *httpHandler) serveFlexible(ctx context.Context, w http.ResponseWriter, c *call, body []byte) {
	if err := ctx.Err(); err != nil {
		h.answerFlexibleError(ctx, w, c, err)
		return
	}
	c.w, c.reqCtx = w, ctx
	if !c.ctx.setOnExpire(expireFlexible) { // the deadline passed since the check above
		h.answerFlexibleError(ctx, w, c, c.ctx.Err())
		return
	}

	out, err := h.callFlexible(ctx, c, body)

	if !c.claimAnswer() {
		if err != nil {
			h.c.logger.LogAttrs(ctx, slog.LevelWarn, "late flexible handler finished with an error", slog.String("tag", clip(c.flex.tag)), slog.String("error", err.Error()))
		}
		return
	}
	if err != nil && errors.Is(err, context.DeadlineExceeded) && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		h.c.logger.LogAttrs(ctx, slog.LevelWarn, "flexible handler gave up at its deadline; answered 503",
			slog.String("tag", clip(c.flex.tag)), slog.Duration("deadline", h.budget))
		answerFlexibleTimeout(w, c)
		return
	}
	if err != nil {
		h.answerFlexibleError(ctx, w, c, err)
		return
	}
	h.answerFlexible(ctx, w, c, out)
}

// callFlexible runs the flexible handler, turning a panic into an error
// (its stack logged).
func (h *httpHandler) callFlexible(ctx context.Context, c *call, body []byte) (out []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				c.claimAnswer() // as in call: no timeout answer now
				panic(p)
			}
			h.c.logger.LogAttrs(ctx, slog.LevelError, "flexible handler panicked", slog.String("tag", clip(c.flex.tag)),
				slog.String("panic", fmt.Sprint(p)), slog.String("stack", string(debug.Stack())))
			out, err = nil, NewError(CodeInternal, fmt.Errorf("flexible handler for tag %q panicked", clip(c.flex.tag)))
		}
	}()
	return c.flex.fh.FulfillFlexible(ctx, body)
}

// expireFlexible answers for a flexible handler still running at its
// deadline, unless it answered first; the call's expiry runs it.
//
// The answer is 503 with the code deadline_exceeded, the status a handler
// gets that returns context.DeadlineExceeded, and Dialogflow raises
// webhook.error.unavailable. A flexible answer has no shape the adapter
// could fill: its members mean what the webhook's parameterMapping makes
// them mean, which the adapter does not know, and {} would pass for
// success (the prebuilt feedback flow would thank the caller for feedback
// that was never stored). What Dialogflow does with a mapping path that
// the answer lacks is not documented either.
func expireFlexible(c *call) {
	// The call's expiry has claimed the answer for this (see
	// callCtx.expire); as for a standard call, the answer closes the
	// connection, so that the caller's next call does not wait behind the
	// handler, and writing it is bounded.
	h := c.flex.h
	h.c.logger.LogAttrs(c.reqCtx, slog.LevelWarn, "flexible handler overran its deadline; answered 503",
		slog.String("tag", clip(c.flex.tag)), slog.Duration("deadline", h.budget))
	rc := http.NewResponseController(c.w)
	_ = rc.SetWriteDeadline(h.writeDeadline(c))
	c.w.Header().Set("Connection", "close")
	answerFlexibleTimeout(c.w, c)
	_ = rc.Flush()
}

func answerFlexibleTimeout(w http.ResponseWriter, c *call) {
	c.timeout = true
	code := CodeDeadlineExceeded
	c.status = writeError(w, code.HTTPStatus(), code.String(), code.message())
	c.answered = time.Since(c.start)
}

// answerFlexibleError sends the error's status with a generic body and logs
// it, as answerError does for a standard call.
func (h *httpHandler) answerFlexibleError(ctx context.Context, w http.ResponseWriter, c *call, err error) {
	code := CodeOf(err)
	msg := code.message()
	switch code {
	case CodeInvalidArgument:
		msg = "the request body is not valid for this webhook"
	case CodeNotFound:
		msg = "not found"
	}
	c.status = writeError(w, code.HTTPStatus(), code.String(), msg)
	var be *bodyError
	if errors.As(err, &be) {
		attrs := []slog.Attr{slog.String("tag", clip(c.flex.tag))}
		if errors.Is(be.err, errBodyNotObject) && be.size > 0 {
			attrs = append(attrs, slog.Int("body_bytes", be.size), slog.String("problem", "not a JSON object"))
		} else {
			attrs = append(attrs, decodeErrorAttrs(be.err, be.size)...)
		}
		h.c.logger.LogAttrs(ctx, slog.LevelWarn, "invalid flexible request body", attrs...)
		return
	}
	level := slog.LevelError
	if c.status < 500 || code == CodeCanceled {
		level = slog.LevelWarn
	}
	h.c.logger.LogAttrs(ctx, level, "flexible handler failed", slog.String("tag", clip(c.flex.tag)), slog.String("error", err.Error()))
}

// answerFlexible sends the handler's answer, or fails the call if it is not
// one JSON object or too large for Dialogflow.
func (h *httpHandler) answerFlexible(ctx context.Context, w http.ResponseWriter, c *call, out []byte) {
	if v := jsontext.Value(out); v.Kind() != '{' || !v.IsValid() {
		c.status = writeError(w, 500, CodeInternal.String(), CodeInternal.message())
		h.c.logger.LogAttrs(ctx, slog.LevelError, "flexible handler's answer is not a JSON object; not sent", slog.String("tag", clip(c.flex.tag)), slog.Int("size", len(out)))
		return
	}
	if len(out) > MaxResponseBytes {
		c.status = writeError(w, 500, CodeInternal.String(), CodeInternal.message())
		h.c.logger.LogAttrs(ctx, slog.LevelError, "answer too large for Dialogflow; not sent", slog.String("tag", clip(c.flex.tag)), slog.Int("size", len(out)), slog.Int("limit", MaxResponseBytes))
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "application/json")
	hdr.Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	c.status = http.StatusOK
	_, _ = w.Write(out)
	c.answered = time.Since(c.start)
}
