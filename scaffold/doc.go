// Package scaffold writes a new Dialogflow CX webhook function module for
// an exported agent, as `cxhook init DIR --agent EXPORT` does: a Go module
// of its own that depends on cxhook and builds into a Cloud Run function
// through webhook.MustNew, with one handler for each tag the agent calls,
// typed on what the agent sends there, the requests of its call sites, and
// tests that check the agent against the handlers.
//
//	export, closer, err := scaffold.Open("exported-agent.zip")
//	...
//	defer closer.Close()
//	m, err := scaffold.Generate(export, scaffold.Options{
//		Module:        "example.com/pizzeria",
//		CxhookReplace: "../cxhook", // until cxhook is on the module proxy
//	})
//	...
//	err = scaffold.Write("pizzeria", m, false)
//
// The handlers it writes are not written yet: each answers
// fulfillment.CodeUnimplemented (HTTP 501), which the agent sees as
// webhook.error and the log line names, never a response that pretends
// the call succeeded. The module's tests accept that state and fail for a
// tag without a handler.
//
// # What it decides, and why
//
//   - Standard handlers read the session parameters through a struct per
//     calling page: the page's form parameters and, on an intent route,
//     the intent's parameters, typed by entity type (fulfillment.Date for
//     @sys.date and the other system-entity types, *float64 for
//     @sys.number, *int for integer entities, string for custom entity
//     types and text entities, fulfillment.Value, which takes any JSON,
//     for composite types and system entities it does not know). Form
//     parameters named $flow.x are flow parameters, which a standard
//     request does not carry as session parameters; they are left out,
//     with a comment. Each struct is decoded from the call sites' sample
//     requests (agent.SampleRequests) while it is generated: a field a
//     sample's value does not fit becomes a fulfillment.Value, so the
//     module's own tests hold by construction.
//   - Flexible handlers get a request struct from the webhook's
//     requestBody template: a member that is one parameter reference is a
//     fulfillment.Value, as Dialogflow does not document whether it sends
//     the value, its text, the reference as written (the session lacks
//     the parameter) or null, and its comment names the getter for the
//     form parameter that collects it; a member with references in longer
//     text is a string, a literal keeps its JSON type. The answer struct follows the
//     parameterMapping's JSON paths; a member a mapping reads is an `any`,
//     left out of the answer while unset (what Dialogflow does with a
//     mapping whose path the answer lacks is not documented either), and
//     a path with filters or indexes stops at its last plain member. A
//     template that does not render a JSON object cannot be served: the
//     adapter takes only objects, and Generate refuses it.
//   - A webhook whose URI's host is a Google API's (*.googleapis.com), as
//     the prebuilt address component's Address Validation webhook, calls
//     that API, not the function: it gets no handler, and the tests list
//     it as external. Options.External names others.
//   - The copy of the export in testdata/agent keeps every byte but the
//     credentials a webhook file may hold (password, request header
//     values, OAuth client secret), which become "REDACTED": the module is
//     meant to be committed.
//   - Identifiers come from display names: words of Unicode letters and
//     digits in camel case; a leading digit gets a prefix ("2fa" is
//     tag2fa), a keyword, predeclared or imported name a suffix ("func" is
//     funcHandler), and names that collide a number ("check-size" and
//     "check_size" are checkSize and checkSize2). File names are the
//     handlers' names in lower case, unique regardless of case, and never
//     end in _test or a GOOS or GOARCH suffix.
//
// This package is for tools; a deployed function must not import it.
package scaffold
