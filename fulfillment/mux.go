package fulfillment

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
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
// A Mux also holds the handlers of FLEXIBLE webhook calls, registered with
// [Mux.HandleFlexible] (by the tag the webhook's request body carries) and
// [Mux.HandleFlexiblePath] (by the request path); the HTTP adapter serves
// them when the Mux is the handler given to [NewHTTPHandler]. A tag belongs
// to one kind of handler: standard or flexible.
//
// Register handlers before serving; a Mux must not be changed while it
// serves. A Mux is itself a Handler and a [FlexibleHandler], so muxes nest
// and wrap like any other.
type Mux struct {
	handlers  map[string]entry
	fallback  *entry
	flexTags  map[string]flexEntry // flexible handlers by the body's tag
	flexPaths map[string]flexEntry // flexible handlers by request path
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
	if e, ok := m.flexTags[tag]; ok {
		panic(fmt.Sprintf("fulfillment: tag %q registered at %s is already registered for a flexible handler at %s", tag, where, e.where))
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

// Tags returns the tags of the standard handlers, sorted: for docs, and for
// checking them against the tags an agent uses. [Mux.FlexibleTags] and
// [Mux.FlexiblePaths] list the flexible ones.
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

type flexEntry struct {
	h     FlexibleHandler
	where string // file:line of the registration
}

// HandleFlexible registers h for the calls of a FLEXIBLE webhook whose
// request body carries tag as fulfillmentInfo.tag, as the templates of
// Google's prebuilt components do: {"fulfillmentInfo": {"tag": "..."}, ...}.
// That tag is the body's, which can differ from the tag on the page's
// fulfillment. It panics if tag is empty, h is nil, or tag already has a
// handler, standard or flexible; the message names both registration
// sites. Tags match exactly, case included.
func (m *Mux) HandleFlexible(tag string, h FlexibleHandler) {
	where := caller()
	switch {
	case tag == "":
		panic("fulfillment: Mux.HandleFlexible: empty tag (at " + where + ")")
	case h == nil:
		panic(fmt.Sprintf("fulfillment: Mux.HandleFlexible: nil handler for tag %q (at %s)", tag, where))
	}
	if e, ok := m.flexTags[tag]; ok {
		panic(fmt.Sprintf("fulfillment: flexible tag %q registered at %s is already registered at %s", tag, where, e.where))
	}
	if e, ok := m.handlers[tag]; ok {
		panic(fmt.Sprintf("fulfillment: flexible tag %q registered at %s is already registered for a standard handler at %s", tag, where, e.where))
	}
	if m.flexTags == nil {
		m.flexTags = make(map[string]flexEntry)
	}
	m.flexTags[tag] = flexEntry{h: h, where: where}
}

// HandleFlexiblePath registers h for the FLEXIBLE webhook calls that arrive
// at path, for a webhook whose request body carries no tag: its URI is the
// function's URL with this path. The path is matched exactly against the
// request's URL path (as the function sees it, without the query), before
// any tag: every call to the path goes to h. It panics if path does not
// start with "/", holds "?" or "#", h is nil, or path already has a handler;
// the message names both registration sites.
func (m *Mux) HandleFlexiblePath(path string, h FlexibleHandler) {
	where := caller()
	switch {
	case !strings.HasPrefix(path, "/") || strings.ContainsAny(path, "?#"):
		panic(fmt.Sprintf("fulfillment: Mux.HandleFlexiblePath: path %q must start with / and hold no ? or # (at %s)", path, where))
	case h == nil:
		panic(fmt.Sprintf("fulfillment: Mux.HandleFlexiblePath: nil handler for path %q (at %s)", path, where))
	}
	if e, ok := m.flexPaths[path]; ok {
		panic(fmt.Sprintf("fulfillment: flexible path %q registered at %s is already registered at %s", path, where, e.where))
	}
	if m.flexPaths == nil {
		m.flexPaths = make(map[string]flexEntry)
	}
	m.flexPaths[path] = flexEntry{h: h, where: where}
}

// FlexibleTags returns the tags of the flexible handlers ([Mux.HandleFlexible]),
// sorted: for checking them against the tags an agent's flexible webhooks
// carry.
func (m *Mux) FlexibleTags() []string { return slices.Sorted(maps.Keys(m.flexTags)) }

// FlexiblePaths returns the paths of the flexible handlers
// ([Mux.HandleFlexiblePath]), sorted.
func (m *Mux) FlexiblePaths() []string { return slices.Sorted(maps.Keys(m.flexPaths)) }

// FulfillFlexible dispatches a flexible call by the tag its body carries
// (fulfillmentInfo.tag) to the handler registered with [Mux.HandleFlexible].
// A body that is not a JSON object fails with [CodeInvalidArgument], one
// whose tag has no flexible handler with [CodeNotFound]. Dispatch by path
// is the HTTP adapter's: it happens before this.
func (m *Mux) FulfillFlexible(ctx context.Context, body []byte) ([]byte, error) {
	tag, err := flexibleTag(body)
	if err != nil {
		return nil, err
	}
	e, ok := m.flexTags[tag]
	if !ok {
		return nil, NewError(CodeNotFound, fmt.Errorf("no flexible handler for tag %q", clip(tag)))
	}
	return e.h.FulfillFlexible(ctx, body)
}

// caller returns file:line of the code that called the exported Mux method.
func caller() string {
	_, file, line, ok := runtime.Caller(2)
	if !ok {
		return "unknown"
	}
	return fmt.Sprintf("%s:%d", file, line)
}
