package emulator

import "fmt"

// A Policy is one decision the emulator makes where Dialogflow CX does not
// document what it does. Every one of them is in the table below, with the
// decision and the reason for it; a turn that depends on one carries a
// [Note] in its trace, so that a result that may differ from CX is never
// silent. [Policies] returns the table; `cxhook test -policies` prints it.
//
// The expression language's own decisions (AND/OR precedence, casts, text
// of structured values) are package expr's policies; the emulator passes
// their notes on in the same trace, under [PolicyExpr].
type Policy uint8

// The emulator's policies. The table policyTable describes each.
const (
	PolicyReplaceReach Policy = iota + 1
	PolicyWebhookTarget
	PolicyFlowParams
	PolicyCurrentPage
	PolicyPreviousPage
	PolicyCounters
	PolicyInvalidAnswer
	PolicyWebhookRetry
	PolicyWebhookEvent
	PolicyFillingNoMatch
	PolicyNoMatchConditions
	PolicyEventFallback
	PolicyConditionalText
	PolicyEmptyForm
	PolicyParamStatus
	PolicyInvalidParam
	PolicyOnePromptPerTurn
	PolicyFlowStack
	PolicyTransitionLimit
	PolicyIntentScope
	PolicyIntentParams
	PolicyEndSession
	PolicyStartPage
	PolicyDTMF
	PolicyFlexibleBody
	PolicyFlexibleMapping
	PolicyWebhookURL
	PolicyMessageType
	PolicyOracle
	PolicyTextMatch
	PolicyLongUtterance
	PolicyWebhookStatus
	PolicyExpr
)

// A PolicyDoc describes one policy: its short name, what the emulator
// does, and why.
type PolicyDoc struct {
	Policy Policy
	Name   string
	Does   string
	Why    string
}

var policyTable = [...]PolicyDoc{
	{PolicyReplaceReach, "replace-reach",
		"A webhook response with mergeBehavior REPLACE replaces every message queued in the turn so far, from all fulfillments, not only those of the fulfillment that called the webhook.",
		"CX documents REPLACE as replacing \"the existing messages\"; the request's messages field, \"the list of rich message responses to present to the user\", holds the whole turn's queue, which is what a webhook can see and replace."},
	{PolicyWebhookTarget, "webhook-target",
		"A webhook response's targetPage or targetFlow wins over the target of the route or handler whose fulfillment called it; the handler's own target is not taken.",
		"The API calls the webhook's target \"an immediate transition\"; how it combines with the route's target is not documented."},
	{PolicyFlowParams, "flow-params",
		"$flow parameters belong to one activation of a flow: they start empty when the flow is entered (pushed on the flow stack), survive START_PAGE and page transitions inside it, and are dropped when the flow ends; entering the same flow again starts empty.",
		"CX documents flow parameters as scoped to the flow, not their lifetime."},
	{PolicyCurrentPage, "current-page",
		"CURRENT_PAGE re-enters the page: its entry fulfillment runs again, its form keeps the values it holds (they are session parameters) but forgets INVALID marks and reprompt counters, then its routes are evaluated and the next empty parameter is prompted.",
		"The console describes CURRENT_PAGE as a way to repeat the page; what state it keeps is not documented."},
	{PolicyPreviousPage, "previous-page",
		"PREVIOUS_PAGE returns to the page the session was on before the current one, with its form state (INVALID marks, counters, the parameter being prompted) restored; its entry fulfillment does not run again; its routes are evaluated and its form prompts as on entry.",
		"CX says \"the page state from the previous page will be restored\", and nothing about entry fulfillment."},
	{PolicyCounters, "counters",
		"The no-match and no-input counters behind sys.no-match-N and sys.no-input-N count per form parameter while it is prompted and per page otherwise; a parameter's counters reset when it is filled, a page's when its input is understood; all reset when a page is entered.",
		"CX documents the numbered events, not when their counts start over."},
	{PolicyInvalidAnswer, "invalid-answer",
		"A webhook answer is invalid, and raises webhook.error, when its status is not 2xx (other than 400, 401, 403 and 503, which raise their own events), when its body is larger than 64 KiB, empty, not a JSON object, or has a known field of the wrong JSON type, or when it names a target page or flow the agent lacks.",
		"CX lists no criteria for an invalid answer; these are the ones a WebhookResponse decoder must reject."},
	{PolicyWebhookRetry, "webhook-retry",
		"A webhook call that gets no answer within the webhook's timeout is retried once, with the same request; a second timeout raises webhook.error.timeout. Statuses and refused connections are not retried.",
		"CX documents one automatic retry on timeout or a transient error without saying which errors are transient."},
	{PolicyWebhookEvent, "webhook-event",
		"A refused connection or an address that does not resolve raises webhook.error.not-found; an HTTP 404 raises webhook.error.",
		"CX documents webhook.error.not-found as \"the webhook URL was unreachable\", a host that cannot be reached, not a status."},
	{PolicyFillingNoMatch, "filling-no-match",
		"While a form parameter is being prompted, input that matches no intent and fills nothing raises sys.no-match (or sys.no-input) on that parameter only: its reprompt handler runs, and without one the parameter's initial prompt is repeated. Page and flow handlers for these events are not consulted.",
		"The flight agent's recorded turns show it (\"1m\" and \"I don't know. any airport works\" repeat the prompt, although the flow handles sys.no-match-default); CX's docs describe reprompt handlers without saying that they shadow the page's."},
	{PolicyNoMatchConditions, "no-match-conditions",
		"On input that matches no intent and fills no form parameter, condition routes are not evaluated: only the no-match (or no-input) event is handled.",
		"The flight agent's recorded turn \"no thanx im done\" on page \"Anything Else\" shows only the no-match message, although that page has a route with condition true that adds a message on every other turn."},
	{PolicyEventFallback, "event-fallback",
		"An event is looked for level by level (form parameter, page, flow), and at each level from the most specific name to the most general: sys.no-match-2, then sys.no-match-default; webhook.error.timeout, then webhook.error.",
		"CX documents the levels and the numbered events, not how the two orders combine."},
	{PolicyConditionalText, "conditional-text",
		"A fulfillment's conditional cases are chosen on the state before its parameter presets; their messages are rendered after its webhook call and queued after the fulfillment's static messages and the webhook's.",
		"CX resolves the conditions \"at the beginning of the fulfillment\" and the response text \"at the end of fulfillment\"; Google's prebuilt feedback component reads right only so (\"check feedback score\" increments the retry counter by preset and chooses its message by the counter's value before); where the messages go in the queue is not documented."},
	{PolicyEmptyForm, "empty-form",
		"A page without required form parameters has a complete form: $page.params.status is \"FINAL\" on it.",
		"CX documents status FINAL for a completed form, not for a page without one."},
	{PolicyParamStatus, "param-status",
		"$page.params.NAME.status is \"UPDATED\" in the turn that filled the parameter and unset otherwise.",
		"CX's condition reference names the value; when it stops holding is not documented."},
	{PolicyInvalidParam, "invalid-param",
		"A form parameter a webhook makes INVALID loses its value and is prompted again when the form next prompts; if it has a sys.invalid-parameter reprompt handler, that handler runs in place of its initial prompt.",
		"CX says INVALID makes the agent collect the parameter again and raises sys.invalid-parameter, not when or what happens to the value."},
	{PolicyOnePromptPerTurn, "one-prompt-per-turn",
		"A form prompts at most once per turn: when the webhook of a prompt makes a parameter INVALID, the turn ends with the queue as it is, and the next input fills the first parameter that is not filled.",
		"Prompting again would call the same webhook again in the same turn; CX does not document this case."},
	{PolicyFlowStack, "flow-stack",
		"Going past 25 flows on the flow stack drops the oldest one.",
		"CX says going past the limit \"may cause flows to be popped from the stack\"."},
	{PolicyTransitionLimit, "transition-limit",
		"A turn stops after 100 transitions (a loop of condition routes) with an error in the trace; the session stays on the page it reached.",
		"CX does not document a limit; a loop must end."},
	{PolicyIntentScope, "intent-scope",
		"An intent given as input (injected, or from the NLU or the test case's oracle) that no route in scope names is treated as no match, as CX's NLU only matches intents in scope.",
		"In CX only intents of routes in scope can match; an injected intent outside the scope is not documented."},
	{PolicyIntentParams, "intent-params",
		"The parameters of a matched intent become session parameters of the same name; a form parameter of the same name is then filled from them.",
		"CX documents the form prefill from intent parameters; the flight agent's recordings show intent parameters among the session parameters (\"flight-type\")."},
	{PolicyEndSession, "end-session",
		"After END_SESSION (or END_FLOW with an empty flow stack) the turn reports page \"End Session\" with the session parameters as they were; the next input starts a new session at the start flow's start page with no parameters.",
		"The flight agent's recordings report \"End Session\" with the parameters kept; CX says the session is cleared."},
	{PolicyStartPage, "start-page",
		"START_PAGE moves to the active flow's start page, forgets the form state of the page it leaves, and keeps $flow parameters.",
		"Whether entering the start page clears state is not documented."},
	{PolicyDTMF, "dtmf",
		"DTMF input is understood as its digits typed as text (the finish digit dropped); with no NLU, the digits fill the form parameter being prompted, and are a no-match otherwise.",
		"DTMF handling depends on speech settings and entity types the emulator does not model."},
	{PolicyFlexibleBody, "flexible-body",
		"A flexible webhook's body is its requestBody template rendered by agent.Webhook.RenderBody: a JSON string that is one parameter reference becomes the value itself (a number stays a number, an object an object), a reference inside a longer string the value's text, one outside strings its JSON; an unset parameter stays as written inside a string and is null outside.",
		"CX does not document how values are written into the template; Google's prebuilt address component posts an object through \"$flow.request_body\", which only works so."},
	{PolicyFlexibleMapping, "flexible-mapping",
		"A flexible webhook's answer is mapped into parameters through parameterMapping: a path without a leading $ is read as $.path; a definite path the answer lacks leaves its parameter unchanged; an indefinite one sets the list of its matches, possibly empty.",
		"CX documents the mapping as JSONPath, not what a missing path does."},
	{PolicyWebhookURL, "webhook-url",
		"Webhooks are called only where the emulator is told to (an http.Handler, a URL for all, or one per webhook), never at the export's URI unless asked, and the export's request headers go only to the export's URI; a flexible webhook called through the given URL or handler keeps its URI's path, so that a function can serve it by path.",
		"Exported URIs point at production services, and their headers may hold those services' credentials."},
	{PolicyMessageType, "message-type",
		"Queued messages carry responseType ENTRY_PROMPT (entry fulfillment), PARAMETER_PROMPT (a form parameter's initial prompt) or HANDLER_PROMPT (routes and event handlers, reprompt handlers included), and source VIRTUAL_AGENT; messages a webhook added carry the type of the fulfillment that called it.",
		"The proto documents the three types; captured requests show HANDLER_PROMPT and the undocumented source field."},
	{PolicyOracle, "oracle",
		"In oracle mode a text turn is understood as the test case recorded it: the expected intent, and as extracted values the session parameters the turn added or changed that are parameters of that intent or of the current page's form. Other changes are left to presets and webhooks, and count as differences if they do not happen.",
		"A recording does not say which parameter the NLU extracted and which a preset or webhook set; only intent and form parameters can come from the utterance."},
	{PolicyTextMatch, "text-match",
		"A recorded text agrees when it equals the text sent or any configured variant of that message (CX picks variants at random); texts are compared exactly, whitespace included.",
		"CX does not document how runTestCase compares randomised messages."},
	{PolicyLongUtterance, "long-utterance",
		"A text input longer than 256 characters, counted as Unicode code points of the text as sent (not bytes, not trimmed), is not understood: no NLU runs and an understanding injected with it (the oracle's included) is not used. It raises sys.long-utterance at the level of the form parameter being prompted, then the page, then the flow; the first handler found handles it and the no-match counters do not move. Without a handler in scope it is a no-match, handled as any no-match (sys.no-match-N, counters, reprompts). DTMF is never long.",
		"CX documents the event for input \"over 256 characters\" at parameter, page and flow level, and no-match without a handler; it does not say whether it counts bytes or characters (its API counts characters in UTF-8 text), nor the order of the levels, which here is the one of every other input event."},
	{PolicyWebhookStatus, "webhook-status",
		"$request.webhook_status_code is the HTTP status (a number) of the last webhook call made in the turn so far, flexible webhooks included, readable in conditions and texts from the moment that call returns until the turn ends; it is unset (null in conditions, left as written in texts) before the turn's first call, in later turns, and after a call that got no HTTP answer (a timeout, a refused connection, a handler that panicked). A call that is not made (webhooks off, nothing serves it) does not change it.",
		"CX documents the parameter (\"you can also access the HTTP status code of the webhook call\"), not how long it holds nor its value when no status came back."},
	{PolicyExpr, "expr",
		"A condition, preset or text depended on a choice of package expr (see expr.Policies); the note names it.",
		"The expression language's undocumented points are decided in package expr."},
}

// Policies returns the emulator's policies, in order.
func Policies() []PolicyDoc { return policyTable[:] }

// Name returns the policy's short name, such as "replace-reach".
func (p Policy) Name() string {
	if d, ok := p.doc(); ok {
		return d.Name
	}
	return fmt.Sprintf("Policy(%d)", p)
}

// String returns the policy's short name.
func (p Policy) String() string { return p.Name() }

// Doc returns what the emulator does and why.
func (p Policy) Doc() PolicyDoc {
	d, _ := p.doc()
	return d
}

func (p Policy) doc() (PolicyDoc, bool) {
	if p >= 1 && int(p) <= len(policyTable) {
		return policyTable[p-1], true
	}
	return PolicyDoc{}, false
}

// A Note says that a turn depended on a policy: which, and how.
type Note struct {
	Policy Policy
	Detail string
}

func (n Note) String() string { return n.Policy.Name() + ": " + n.Detail }
