// Package emulator runs an exported Dialogflow CX agent offline, turn by
// turn, as CX's runtime does, and calls the team's own webhook the way CX
// calls it: over HTTP at a URL, or in process through an http.Handler. It
// replays the agent's recorded test cases and reports the differences as
// CX's runTestCase does, for CI. It is a development tool: the deployable
// function never imports it.
//
// # Running a conversation
//
//	a, err := agent.Load("testdata/my-agent")          // a JSON package export
//	e, err := emulator.New(a, emulator.Config{
//		Webhooks: &emulator.Webhooks{Handler: fulfillment.NewHTTPHandler(mux)},
//	})
//	s := e.NewSession(emulator.SessionConfig{})
//	turn, err := s.Send(ctx, emulator.Intent("flights.book_flight", nil))
//	fmt.Println(turn.Texts(), turn.PageName())
//
// An [Input] is text, an intent, an event or DTMF, with injected parameters.
// CX's NLU model cannot run offline: text needs its meaning injected
// (Input.Understood: the intent, its parameters, the form parameters it
// fills) or an [NLU] in the Config, the seam where a local matcher plugs in:
// [NewLocalNLU] is one, backed by package nlu, and [ScoreNLU] measures an
// NLU on the agent's test cases replayed in UseNLU mode.
// Package emulatortest wraps all this for `go test`; `cxhook chat` for the
// terminal.
//
// # What a turn does
//
// The runtime follows CXRUNTIME.md §1: the handlers in scope (the page's
// routes and groups, the flow's intent routes everywhere and its condition
// routes on its start page, the event handlers of the page, the flow and the
// form parameter being filled); the three phases (intent routes, condition
// routes, event handlers) in their order; intents and events consumed by the
// first handler that takes them, conditions not; a handler without a target
// lets evaluation go on, one with a target ends it; the flow stack (limit
// 25) with END_FLOW returning to the calling page, which resumes at the
// handler after the one that called; every symbolic target; forms with
// prefill from session and intent parameters, prompts, numbered no-match
// and no-input handlers falling back to -default and then to the initial
// prompt, INVALID from a webhook raising sys.invalid-parameter, and
// $page.params.status = "FINAL"; text over 256 characters raising
// sys.long-utterance at parameter, page and flow level, a no-match where
// nothing handles it; fulfillment in CX's order (conditional
// cases chosen, presets, static messages, webhook, conditional messages)
// into one response queue per turn; message variants chosen by a seeded
// random source; unresolved references left as written; dates and times
// rendered as CX renders them (package expr evaluates the conditions,
// presets and texts).
//
// Every step is in the turn's trace ([Turn.Trace], [FormatTrace]): the
// input and how it was understood, pages entered, flows started and ended,
// routes and handlers called, events raised, prompts, webhook calls with
// status and latency, parameter changes, and the policies the turn
// depended on.
//
// # Webhooks
//
// At each call site the emulator builds the WebhookRequest CX sends there
// (CXRUNTIME.md §1.7): the tag, the page with its form's parameters,
// states and justCollected flags, the session parameters, the messages
// queued so far with their response types, intentInfo only in a turn that
// matched an intent, the input. It applies the WebhookResponse as CX does
// (§1.8): messages appended or replacing the queue, parameters merged with
// null deleting, form parameters set or made INVALID, the payload kept, the
// target taken at once. A failure raises the event CX raises (§1.9) where
// the calling handler has no target: webhook.error.bad-request (400),
// webhook.error.rejected (401, 403), webhook.error.unavailable (503),
// webhook.error (other statuses, an answer that is invalid or over 64 KiB),
// webhook.error.timeout (no answer within the webhook's timeout, after one
// retry), webhook.error.not-found (a refused connection). After a call,
// conditions and texts read its HTTP status as
// $request.webhook_status_code until the turn ends. Flexible webhooks
// get their rendered requestBody template, and their answers are mapped
// back through parameterMapping. [Webhooks] says where calls go; the export's
// own URIs are never called unless asked.
//
// # Replaying test cases
//
// [Emulator.Replay] replays a test case in a session that starts where the
// test case says, with the clock pinned to its creation time, and compares
// each turn with its recording: intent, page, flow, the tracked session
// parameters (all of them when the test case tracks none, marked so) and
// the texts, a text agreeing when it is any configured variant of its
// message. Differences are typed as CX types them ([DiffType]) and, where
// the replay can tell, explained ([Cause]): a text that is the recorded
// message rendered with other parameter values, a message a webhook sent,
// a parameter a webhook set. Inputs recorded as intents, events or DTMF are
// sent as they are; text is understood as recorded ([Oracle] mode): the
// recorded intent and parameter changes stand in for the NLU, so that a
// replay tests agent logic and webhook, not model drift. [WriteReport] and
// [WriteJUnit] write the results; [Coverage] records the pages, routes,
// intents and webhook tags reached. `cxhook test` does all of it from the
// command line.
//
// # Undocumented behaviour
//
// Where CX does not document what it does, the emulator follows a stated
// policy, and a turn that depends on one carries a [Note] naming it. All of
// them, with what the emulator does and why, are in one table, policy.go,
// returned by [Policies] and printed by `cxhook test -policies`:
// replace-reach, webhook-target, flow-params, current-page, previous-page,
// counters, invalid-answer, webhook-retry, webhook-event, filling-no-match,
// no-match-conditions, event-fallback, conditional-text, empty-form,
// param-status, invalid-param, one-prompt-per-turn, flow-stack,
// transition-limit, intent-scope, intent-params, end-session, start-page,
// dtmf, flexible-body, flexible-mapping, webhook-url, message-type, oracle,
// text-match, long-utterance, webhook-status, and expr for the choices of
// package expr.
//
// # What it cannot reproduce
//
// NLU classification and entity resolution (inject them, or plug in an
// NLU), speech, sentiment, generators and generative fallback, playbooks,
// data stores, and the third-party APIs behind prebuilt components'
// flexible webhooks (serve them yourself). Turns that reach these are
// traced with a warning.
package emulator
