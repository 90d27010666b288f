// Package fulfillment serves Dialogflow CX webhook calls with typed Go
// handlers, dispatched by the fulfillment tag.
//
// Dialogflow CX calls a webhook with a WebhookRequest and expects a
// WebhookResponse back. This package decodes the request into a [Request]
// with typed accessors, routes it by its tag through a [Mux] to the
// [Handler] registered for that tag, and encodes the [Response] the handler
// builds, so that only valid responses can be sent. [NewHTTPHandler] owns
// the HTTP side: method and size checks, error statuses Dialogflow
// understands, a deadline below the agent's webhook timeout, and one Cloud
// Logging line per call.
//
// # Example
//
//	mux := fulfillment.NewMux()
//	mux.HandleFunc("checkMileage", func(ctx context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
//		account, err := req.Params().String("frequent_flyer_account")
//		if err != nil {
//			return fulfillment.Reply("What is your frequent flyer number?"), nil
//		}
//		miles, err := lookup(ctx, account)
//		if err != nil {
//			return nil, fulfillment.NewError(fulfillment.CodeUnavailable, err)
//		}
//		return fulfillment.Reply(fmt.Sprintf("You have %d miles.", miles)).SetParam("miles", miles), nil
//	})
//	http.Handle("/", fulfillment.NewHTTPHandler(mux))
//
// # Parameters
//
// Session parameters, the request payload and form values are JSON values
// that stay undecoded until read. The getters on [Params] and [Value] tell
// an absent parameter, a null one (CX sends null for a cleared parameter)
// and one of the wrong type apart, with errors that wrap [ErrAbsent],
// [ErrNull] and [ErrWrongType]. [Params.Decode] binds them into a struct.
//
// A response sets a parameter with [Response.SetParam] and removes one with
// [Response.DeleteParam] (which sends null, as CX requires); a nil value is
// refused so that a parameter is never deleted by accident.
//
// # Errors
//
// A handler returns an error only when the webhook could not do its job;
// outcomes such as "no seats left" are responses that set a parameter or
// move to a page. An error's [Code] picks the status, and Dialogflow raises
// the matching event on the page (webhook.error.bad-request for 400,
// webhook.error.rejected for 401 and 403, webhook.error.unavailable for
// 503, webhook.error otherwise). The caller gets a generic message; the
// error itself is logged.
//
// # Limits
//
// What a caller can hold is bounded (see [NewHTTPHandler] for each): the
// body's size ([DefaultMaxBodyBytes]) and the memory reading it takes,
// which follows the bytes received; the time to send it and to be
// answered, by the call's deadline (408, or the timeout response, and
// the connection closed); the log, where caller-supplied text is clipped
// and, with the cloudlog handler, no line reaches 16 KiB and a stalled
// stdout never stalls a call. Reading parameters by name costs time in
// proportion to the object, however many it holds (see [Params]).
//
// # Wire compatibility
//
// The request and response types are cxhook's own, encoded with the Go
// team's JSON v2 (github.com/go-json-experiment/json) rather than protojson
// on the generated cxpb types, which costs three times the CPU and links
// gRPC into the function. The tests hold them to protojson field by field;
// the cxpbconv package converts to and from cxpb for code that needs the
// generated types.
package fulfillment
