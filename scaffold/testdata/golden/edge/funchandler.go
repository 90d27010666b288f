package edge

import (
	"context"

	"github.com/cxhook/cxhook/fulfillment"
)

// funcHandler serves tag "func" of webhook "std". The agent calls it at:
//
//   - the sys.no-match-default handler of flow "Default Start Flow", at
//     flows/Default Start Flow/Default Start Flow.json:
//     eventHandlers[0].triggerFulfillment; request
//     testdata/requests/func_default-start-flow_start_sys-no-match-default.json
func funcHandler(ctx context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
	// TODO: serve the call and return its response, as in
	// fulfillment.Reply("...").SetParam("...", v).
	return nil, notImplemented("the handler of tag \"func\" in funchandler.go")
}
