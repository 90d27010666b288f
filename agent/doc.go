// Package agent loads a Dialogflow CX agent exported as a JSON package and
// checks it against the webhook that serves it.
//
// A CX agent is designed in the console and exported (Agent settings,
// Export, format JSON package) as a folder or zip of JSON files: agent.json,
// flows/<F>/<F>.json with pages/ and transitionRouteGroups/, intents/,
// entityTypes/, webhooks/, testCases/ and agentTransitionRouteGroups/.
// [Load] reads one into an [Agent]: its settings, [Flow]s and their
// [Page]s, [Route]s, [EventHandler]s, [Fulfillment]s, [RouteGroup]s,
// [Intent]s, [EntityType]s, [Webhook]s and [TestCase]s, with every
// reference between them resolved to the object it names. It is the model
// an emulator walks to run the agent offline, and what [Check] reads to
// find the tags the agent calls that no handler serves (which Dialogflow
// would only report as webhook.error, in production), and [Agent.SampleRequests]
// to write the WebhookRequest each call site sends.
//
// This package is for tests and tools. A deployed webhook function must
// not import it.
//
// # The export format
//
// The export is not the protojson of the API's messages, and the loader
// has its own types for it:
//
//   - References are display names, not resource names: a route's
//     targetPage is "Check Frequent Flyer Account Miles", a fulfillment's
//     webhook "Apigee Integration", a parameter's entity type "@airport-codes".
//     Symbolic pages are spelled "End Flow", "Current Page", "Previous
//     Page", "Start Page", "End Session" and END_FLOW_WITH_FAILURE-style
//     constants; a page with such a name would be shadowed, and loading
//     reports it.
//   - File names are display names URL-encoded ("%3e collect address.json")
//     and sometimes trimmed, so the loader reads displayName inside each
//     file and never rebuilds a name from a file name.
//   - Durations and timestamps are {"seconds": N, "nanos": N} objects, and
//     string maps (request headers, parameter mapping, labels) are lists of
//     {"key", "value"} objects. The loader also reads the protojson forms
//     ("5s", RFC 3339 strings, JSON objects), which hand-edited files use.
//   - Members the loader does not know are skipped: exports grow new
//     fields, and an older cxhook must still load a newer export.
//   - A .blob export (the console's default format) is a serialized
//     protobuf; [Load] refuses it with [ErrNotJSONPackage] and says to
//     export as JSON package.
//
// A flow's own routes and event handlers live on its start page, which has
// no file: [Flow.StartPage] is a [Page] with ID START_PAGE that holds them,
// so that code walking pages finds them where Dialogflow evaluates them.
//
// # Problems
//
// Loading does not stop at the first problem. A file that is not JSON, a
// field of the wrong type, a reference to a resource the export lacks: each
// becomes a [Problem] naming the file and the JSON path inside it, and the
// rest of the export loads. [Load] then returns the agent together with a
// *[LoadError] listing them all:
//
//	a, err := agent.Load("exported-agent.zip")
//	// err: flows/Default Start Flow/pages/Confirm.json:
//	//      transitionRoutes[2].targetPage: no page named "Paymnet" in flow "Default Start Flow"
//
// Resources whose reading cannot finish are bounded: see [MaxFileSize],
// [MaxExportSize] and [MaxFiles].
package agent
