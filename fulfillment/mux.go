package fulfillment

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"slices"
)

// A Handler fulfills one webhook call: it reads the request and returns the
// response to send, or an error.
//
// The context carries the call's deadline, set below the agent's webhook
// timeout (see [WithWebhookTimeout]); a handler that calls out should pass
// it on, and one that overruns it is answered for with the timeout response.
// A handler must not keep or modify req after it returns. Returning a nil
// response with a nil error is a bug and answers 500. Business outcomes
// ("no flights found") are responses, not errors: errors mean the webhook
// could not do its job, and become a non-2xx status (see [Code]).
type Handler interface {
	Fulfill(ctx context.Context, req *Request) (*Response, error)
}

// HandlerFunc adapts a function to the [Handler] interface.
type HandlerFunc func(ctx context.Context, req *Request) (*Response, error)

// Fulfill calls f(ctx, req).
func (f HandlerFunc) Fulfill(ctx context.Context, req *Request) (*Response, error) {
	return f(ctx, req)
}

// A Middleware wraps a Handler, to run code before or after it for every
// call: logging, metrics, checks on the request or response.
type Middleware func(Handler) Handler

// Chain composes middleware into one. The first listed runs first (it is
// the outermost): Chain(a, b)(h) calls a, then b, then h.
func Chain(mw ...Middleware) Middleware {
	return func(h Handler) Handler {
		for _, m := range slices.Backward(mw) {
			h = m(h)
		}
		return h
	}
}

// A Mux dispatches each call to the handler registered for its tag
// (fulfillmentInfo.tag). A call whose tag has no handler goes to the
// fallback handler if one is set, else fails with [CodeNotFound] (404).
//
// Register handlers before serving; a Mux must not be changed while it
// serves. A Mux is itself a Handler, so muxes nest and wrap like any other.
type Mux struct {
	handlers map[string]entry
	fallback *entry
}

type entry struct {
	h     Handler
	where string // file:line of the registration
}

// NewMux returns an empty Mux. The zero Mux is empty too, and usable.
func NewMux() *Mux { return &Mux{handlers: make(map[string]entry)} }

// Handle registers h for tag. It panics if tag is empty, h is nil, or tag
// already has a handler; the message names both registration sites. Tags
// match exactly, case included, as the agent's console spells them.
func (m *Mux) Handle(tag string, h Handler) { m.handle(tag, h, caller()) }

func (m *Mux) handle(tag string, h Handler, where string) {
	if m.handlers == nil {
		m.handlers = make(map[string]entry)
	}
	switch {
	case tag == "":
		panic("fulfillment: Mux.Handle: empty tag (at " + where + ")")
	case h == nil:
		panic(fmt.Sprintf("fulfillment: Mux.Handle: nil handler for tag %q (at %s)", tag, where))
	}
	if e, ok := m.handlers[tag]; ok {
		panic(fmt.Sprintf("fulfillment: tag %q registered at %s is already registered at %s", tag, where, e.where))
	}
	m.handlers[tag] = entry{h: h, where: where}
}

// HandleFunc registers f for tag; see [Mux.Handle].
func (m *Mux) HandleFunc(tag string, f func(ctx context.Context, req *Request) (*Response, error)) {
	where := caller()
	if f == nil {
		panic(fmt.Sprintf("fulfillment: Mux.HandleFunc: nil func for tag %q (at %s)", tag, where))
	}
	m.handle(tag, HandlerFunc(f), where)
}

// HandleFallback registers h for calls whose tag has no handler. It panics if
// h is nil or a fallback is already registered.
func (m *Mux) HandleFallback(h Handler) {
	where := caller()
	if h == nil {
		panic("fulfillment: Mux.HandleFallback: nil handler (at " + where + ")")
	}
	if m.fallback != nil {
		panic(fmt.Sprintf("fulfillment: fallback handler registered at %s is already registered at %s", where, m.fallback.where))
	}
	m.fallback = &entry{h: h, where: where}
}

// Tags returns the registered tags, sorted: for docs, and for checking them
// against the tags an agent uses.
func (m *Mux) Tags() []string { return slices.Sorted(maps.Keys(m.handlers)) }

// Fulfill dispatches the call by its tag.
func (m *Mux) Fulfill(ctx context.Context, req *Request) (*Response, error) {
	if e, ok := m.handlers[req.Tag()]; ok {
		return e.h.Fulfill(ctx, req)
	}
	if m.fallback != nil {
		return m.fallback.h.Fulfill(ctx, req)
	}
	return nil, NewError(CodeNotFound, fmt.Errorf("no handler for tag %s", quoteTag(req)))
}

// caller returns file:line of the code that called the exported Mux method.
func caller() string {
	_, file, line, ok := runtime.Caller(2)
	if !ok {
		return "unknown"
	}
	return fmt.Sprintf("%s:%d", file, line)
}
