package pizza

import (
	"context"

	"github.com/cxhook/cxhook/fulfillment"
)

// placeOrder serves tag "placeOrder" of webhook "pizzeria". The agent calls it
// at:
//
//   - a route (condition $page.params.status = "FINAL") of page "Order Pizza",
//     at flows/Default Start Flow/pages/Order Pizza.json:
//     transitionRoutes[0].triggerFulfillment; request
//     testdata/requests/placeOrder_order-pizza_final.json
func placeOrder(ctx context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
	var params placeOrderParams
	if err := req.Params().Decode(&params); err != nil {
		return nil, fulfillment.NewError(fulfillment.CodeInvalidArgument, err)
	}
	// TODO: serve the call and return its response, as in
	// fulfillment.Reply("...").SetParam("...", v).
	return nil, notImplemented("the handler of tag \"placeOrder\" in placeorder.go")
}

// placeOrderParams holds the session parameters of the calls from page "Order
// Pizza", nil or empty while not set.
type placeOrderParams struct {
	// Size is form parameter "size" (@size, required).
	Size string `json:"size"`
	// DeliveryTime is form parameter "delivery_time" (@sys.time, required).
	DeliveryTime *fulfillment.TimeOfDay `json:"delivery_time"`
}
