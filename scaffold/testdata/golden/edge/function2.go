package edge

import (
	"context"

	"github.com/cxhook/cxhook/fulfillment"
)

// function serves tag "Function" of webhook "std". The agent calls it at:
//
//   - a route (condition $page.params.status = "FINAL") of page "Start" (flow
//     "Default Start Flow"), at flows/Default Start Flow/pages/Start.json:
//     transitionRoutes[0].triggerFulfillment; request
//     testdata/requests/Function_start_final.json
//   - a route (condition $page.params.status = "FINAL") of page "Start" (flow
//     "Second Flow"), at flows/Second Flow/pages/Start.json:
//     transitionRoutes[0].triggerFulfillment; request
//     testdata/requests/Function_start_final_2.json
//   - the entry fulfillment of page "Tip" (flow "Second Flow"), at
//     flows/Second Flow/pages/Tip.json: entryFulfillment; request
//     testdata/requests/Function_tip_entry.json
func function(ctx context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
	switch req.Page().DisplayName {
	case "Start":
		var params functionStartParams
		if err := req.Params().Decode(&params); err != nil {
			return nil, fulfillment.NewError(fulfillment.CodeInvalidArgument, err)
		}
		// TODO: serve the call from page "Start" of flow "Default Start Flow"
		// and page "Start" of flow "Second Flow" and return its response, as
		// in fulfillment.Reply("...").SetParam("...", v).
	case "Tip":
		// TODO: serve the call from page "Tip" of flow "Second Flow" and
		// return its response, as in fulfillment.Reply("...").SetParam("...",
		// v).
	}
	return nil, notImplemented("the handler of tag \"Function\" in function2.go")
}

// functionStartParams holds the session parameters of the calls from page
// "Start" of flow "Default Start Flow" and page "Start" of flow "Second Flow",
// nil or empty while not set.
type functionStartParams struct {
	// Price is form parameter "price" (@sys.unit-currency, required).
	Price *fulfillment.Money `json:"price"`
	// Wait is form parameter "wait" (@sys.duration, required).
	Wait *fulfillment.Duration `json:"wait"`
	// Who is form parameter "who" (@sys.person, required).
	Who *fulfillment.Person `json:"who"`
	// Where is form parameter "where" (@sys.location, required).
	Where *fulfillment.Location `json:"where"`
	// When is form parameter "when" (@sys.date-time, required).
	When *fulfillment.DateTime `json:"when"`
	// Size is form parameter "Size" (@sys.number).
	Size *float64 `json:"Size"`
	// Tip is form parameter "tip" (@sys.percentage).
	Tip string `json:"tip"`
}
