package edge

import (
	"context"

	"github.com/cxhook/cxhook/fulfillment"
)

// v1CheckAddress serves the FLEXIBLE webhook "flex-path", which the agent
// calls at the path "/v1:check-address" (its request template carries no tag):
// point the webhook's URI at the function's URL with that path. The agent
// calls it at:
//
//   - a route (condition $page.params.status = "FINAL") of page "Flexible"
//     (flow "Default Start Flow"), at flows/Default Start
//     Flow/pages/Flexible.json: transitionRoutes[0].triggerFulfillment;
//     request testdata/requests/byPath_flexible_final_flexible.json
//
// Dialogflow posts the body the request template renders
// (v1CheckAddressRequest), not a WebhookRequest, and sets parameters from the
// answer (v1CheckAddressAnswer) through the parameter mapping.
func v1CheckAddress(ctx context.Context, req v1CheckAddressRequest) (v1CheckAddressAnswer, error) {
	// TODO: serve the call and return the answer.
	return v1CheckAddressAnswer{}, notImplemented("the flexible handler of path \"/v1:check-address\" in v1checkaddress.go")
}

// v1CheckAddressRequest is the body that the request template of webhook
// "flex-path" renders:
//
//	{"address": "$session.params.where", "score": $flow.score}
//
// A parameter the session does not hold may arrive as the text of its
// reference, or as null: how Dialogflow renders one is not documented.
type v1CheckAddressRequest struct {
	// Address is $session.params.where, the value of form parameter "where"
	// (@sys.location) of page "Start": the value or its text; read it with
	// Location.
	Address fulfillment.Value `json:"address"`
	// Score is $flow.score, the value of form parameter "$flow.score"
	// (@sys.number) of page "Flexible": the value or its text; read it with
	// Number (a number sent as text: parse String).
	Score fulfillment.Value `json:"score"`
}

// v1CheckAddressAnswer is the answer, whose members the parameter mapping
// reads:
//
//   - $flow.api_response from $.result
//   - $flow.city from $.result.address.city
type v1CheckAddressAnswer struct {
	// Result is the member that sets $flow.api_response; mappings also read
	// members inside it.
	Result any `json:"result,omitzero"`
}
