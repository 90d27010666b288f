package edge

import (
	"context"
)

// raw serves the FLEXIBLE webhook "flex-raw", which the agent calls at the
// path "/raw" (its request template carries no tag): point the webhook's URI
// at the function's URL with that path. The agent calls it at:
//
//   - the entry fulfillment of page "Raw" (flow "Default Start Flow"), at
//     flows/Default Start Flow/pages/Raw.json: entryFulfillment; request
//     testdata/requests/raw_raw_entry_flexible.json
//
// Dialogflow posts the body the request template renders (rawRequest), not a
// WebhookRequest, and sets parameters from the answer (rawAnswer) through the
// parameter mapping.
func raw(ctx context.Context, req rawRequest) (rawAnswer, error) {
	// TODO: serve the call and return the answer.
	return rawAnswer{}, notImplemented("the flexible handler of path \"/raw\" in raw.go")
}

// rawRequest is the body that the request template of webhook "flex-raw"
// renders:
//
//	{}
type rawRequest struct{}

// rawAnswer is the answer. The webhook's parameter mapping reads none of its
// members.
type rawAnswer struct{}
