package edge

import (
	"context"

	"github.com/cxhook/cxhook/fulfillment"
)

// function2 serves tag "function" of webhook "std". The agent calls it at:
//
//   - a route (condition $session.params.route = "start") of flow "Default
//     Start Flow", at flows/Default Start Flow/Default Start Flow.json:
//     transitionRoutes[1].triggerFulfillment; request
//     testdata/requests/function_default-start-flow_start_route.json
func function2(ctx context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
	// TODO: serve the call and return its response, as in
	// fulfillment.Reply("...").SetParam("...", v).
	return nil, notImplemented("the handler of tag \"function\" in function22.go")
}
