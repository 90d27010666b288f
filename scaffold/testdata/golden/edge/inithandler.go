package edge

import (
	"context"

	"github.com/cxhook/cxhook/fulfillment"
)

// initHandler serves tag "init" of webhook "std". The agent calls it at:
//
//   - a route (intent "größe.wählen") of flow "Default Start Flow", at
//     flows/Default Start Flow/Default Start Flow.json:
//     transitionRoutes[0].triggerFulfillment; request
//     testdata/requests/init_default-start-flow_start_intent_gr-e-w-hlen.json
//   - a route (intent "größe.wählen") of flow "Second Flow", at
//     flows/Second Flow/Second Flow.json:
//     transitionRoutes[0].triggerFulfillment; request
//     testdata/requests/init_second-flow_start_intent_gr-e-w-hlen.json
func initHandler(ctx context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
	var params initHandlerParams
	if err := req.Params().Decode(&params); err != nil {
		return nil, fulfillment.NewError(fulfillment.CodeInvalidArgument, err)
	}
	// TODO: serve the call and return its response, as in
	// fulfillment.Reply("...").SetParam("...", v).
	return nil, notImplemented("the handler of tag \"init\" in inithandler.go")
}

// initHandlerParams holds the session parameters of the calls from the start
// page of flow "Default Start Flow" and the start page of flow "Second Flow",
// nil or empty while not set.
type initHandlerParams struct {
	// Größe is parameter "größe" of intent "größe.wählen" (@size).
	Größe []string `json:"größe"`
	// Route is parameter "route" of intent "größe.wählen" (@sys.any).
	Route string `json:"route"`
}
