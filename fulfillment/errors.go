package fulfillment

import (
	"context"
	"errors"
)

// A Code classifies an error a handler returns, and decides the HTTP status
// the webhook answers with. Dialogflow turns a non-2xx answer into a webhook
// error event the agent can handle: 400 raises webhook.error.bad-request,
// 401 and 403 webhook.error.rejected, 503 webhook.error.unavailable, and the
// others (404, 500, 501) webhook.error. The agent also sees the status as
// $request.webhook_status_code.
//
// There is no "OK" code: a handler that succeeds returns a *Response.
type Code uint8

// The codes, with the HTTP status each maps to.
const (
	CodeUnknown          Code = iota // 500: an error without a code
	CodeInvalidArgument              // 400: the request cannot be served as sent
	CodeUnauthenticated              // 401: the caller is not authenticated
	CodePermissionDenied             // 403: the caller may not do this
	CodeNotFound                     // 404: no handler for the tag
	CodeInternal                     // 500: a bug or broken invariant
	CodeUnavailable                  // 503: a dependency is down; try again
	CodeDeadlineExceeded             // 503: the work did not finish in time
	CodeCanceled                     // 503: the caller went away
	CodeUnimplemented                // 501: the handler is not written yet
)

var codeNames = [...]string{"unknown", "invalid_argument", "unauthenticated", "permission_denied", "not_found", "internal", "unavailable", "deadline_exceeded", "canceled", "unimplemented"}

// String returns the code's snake_case name, as written in error bodies.
func (c Code) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return "unknown"
}

// HTTPStatus returns the HTTP status the webhook answers with for the code.
// This is the one place codes map to statuses.
func (c Code) HTTPStatus() int {
	switch c {
	case CodeInvalidArgument:
		return 400
	case CodeUnauthenticated:
		return 401
	case CodePermissionDenied:
		return 403
	case CodeNotFound:
		return 404
	case CodeUnimplemented:
		return 501
	case CodeUnavailable, CodeDeadlineExceeded, CodeCanceled:
		return 503
	}
	return 500
}

// message is the generic text an error body carries for the code. The
// error's own text is logged, never sent: it may hold what the caller sent
// or internal details.
func (c Code) message() string {
	switch c {
	case CodeInvalidArgument:
		return "the request is not a valid WebhookRequest"
	case CodeUnauthenticated:
		return "authentication required"
	case CodePermissionDenied:
		return "caller not allowed"
	case CodeNotFound:
		return "no handler for this tag"
	case CodeUnimplemented:
		return "the webhook does not serve this call yet"
	case CodeUnavailable, CodeDeadlineExceeded, CodeCanceled:
		return "the webhook is unavailable; try again"
	}
	return "the webhook failed"
}

// An Error is an error with a [Code]. Handlers return one to choose the
// status; any other error is [CodeUnknown] (500). The wrapped error is logged
// and never sent to the caller.
type Error struct {
	code Code
	err  error
}

// NewError returns an error with the code, wrapping err (which may be nil).
func NewError(code Code, err error) *Error { return &Error{code: code, err: err} }

// Code returns the error's code.
func (e *Error) Code() Code { return e.code }

func (e *Error) Error() string {
	if e.err == nil {
		return e.code.String()
	}
	return e.code.String() + ": " + e.err.Error()
}

// Unwrap returns the wrapped error.
func (e *Error) Unwrap() error { return e.err }

// CodeOf returns the code of the first *Error in err's chain. An error
// without one is CodeUnknown, except that context.DeadlineExceeded maps to
// CodeDeadlineExceeded and context.Canceled to CodeCanceled.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.code
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return CodeDeadlineExceeded
	case errors.Is(err, context.Canceled):
		return CodeCanceled
	}
	return CodeUnknown
}
