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
// # Flexible webhooks
//
// A FLEXIBLE webhook, as Google's prebuilt components use, sends no
// WebhookRequest and reads no WebhookResponse. Dialogflow renders the
// webhook's requestBody template, with each $session.params.x and $flow.x
// replaced by the parameter's value, posts the JSON object it gives, and
// sets parameters from members of the JSON answer through the webhook's
// parameterMapping (parameter → JSON path, such as $.date). [Flexible]
// makes a handler typed on both shapes, and a Mux dispatches it by the tag
// the body carries ([Mux.HandleFlexible]; the prebuilt components'
// templates carry one as fulfillmentInfo.tag) or, for a template without
// one, by the request path ([Mux.HandleFlexiblePath]):
//
//	type feedbackCheck struct {
//		Phone string `json:"phone_number"` // "$session.params.phone_number"
//	}
//	type feedbackAnswer struct {
//		Elapsed string `json:"last_feedback_time_elapsed"` // mapped to $flow.last_feedback_time_elapsed
//	}
//	mux.HandleFlexible("getPreviousFeedbackDate", fulfillment.Flexible(
//		func(ctx context.Context, r feedbackCheck) (feedbackAnswer, error) { ... }))
//
// A call at a path registered with HandleFlexiblePath is flexible. Any
// other call's body is decoded as a WebhookRequest; if its tag has a
// flexible handler (or, for a body that is no WebhookRequest, the tag it
// carries does), the call is flexible, else standard. A tag names one
// handler, standard or flexible.
//
// Flexible calls get the adapter's rules for standard ones: POST only (set
// the webhook's HTTP method to POST), the body limit, the deadline, the HTTP
// middleware (the caller check), coded error statuses, the 64 KiB limit
// on the answer (which must be a JSON object), and one access line, with
// the body's tag, flexible=true and no session. Two options apply to
// standard calls only: [WithMiddleware], whose middleware takes a
// [*Request], and [WithTimeoutResponse]. A flexible handler still running
// at its deadline is answered with 503 and the code deadline_exceeded
// (webhook.error.unavailable in the agent): what an answer's members mean
// is up to a mapping the adapter does not know, and an empty answer would
// pass for success.
//
// Dialogflow does not document how it renders a template, nor what it does
// with a mapping path the answer lacks. A placeholder that is a whole JSON
// string ("$flow.feedback_score") may arrive as the parameter's value (5)
// or as its text ("5"): cxhook's emulator (package agent's RenderBody)
// substitutes the value, and the example accepts both, declaring such a
// member as a [Value] and reading it with its getters. In text responses
// Dialogflow leaves the reference to an unset parameter as written; treat a
// value that starts with "$session.params." or "$flow." as absent. Whether
// Dialogflow retries a flexible call after a 503 is not documented either.
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
// gRPC into the function. [DecodeRequest] reads the requests Dialogflow
// sends in one pass of its own, twice as fast, and leaves any other input
// (snake_case names, null, malformed JSON) to JSON v2, which gives the
// same result and says what is wrong; a fuzz test holds the two to each
// other. The tests hold the types to protojson field by field; the
// cxpbconv package converts to and from cxpb for code that needs the
// generated types.
package fulfillment
