package pizza

import (
	"context"

	"github.com/cxhook/cxhook/fulfillment"
)

// checkSize serves tag "checkSize" of webhook "pizzeria". The agent calls it
// at:
//
//   - the initial prompt of form parameter "delivery_time" of page "Order
//     Pizza", at flows/Default Start Flow/pages/Order Pizza.json:
//     form.parameters[1].fillBehavior.initialPromptFulfillment; request
//     testdata/requests/checkSize_order-pizza_delivery-time_prompt.json
func checkSize(ctx context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
	var params checkSizeParams
	if err := req.Params().Decode(&params); err != nil {
		return nil, fulfillment.NewError(fulfillment.CodeInvalidArgument, err)
	}
	// TODO: serve the call and return its response, as in
	// fulfillment.Reply("...").SetParam("...", v).
	return nil, notImplemented("the handler of tag \"checkSize\" in checksize.go")
}

// checkSizeParams holds the session parameters of the calls from page "Order
// Pizza", nil or empty while not set.
type checkSizeParams struct {
	// Size is form parameter "size" (@size, required).
	Size string `json:"size"`
	// DeliveryTime is form parameter "delivery_time" (@sys.time, required).
	DeliveryTime *fulfillment.TimeOfDay `json:"delivery_time"`
}
