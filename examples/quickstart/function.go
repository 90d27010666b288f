// Package quickstart is a Dialogflow CX webhook with one handler, for the
// tag checkMileage, deployed as a Cloud Run function with entry point
// Webhook.
package quickstart

import (
	"context"
	"fmt"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/cxhook/cxhook/fulfillment"
	"github.com/cxhook/cxhook/webhook"
)

func init() {
	// MustNew reads the environment (how callers are checked, the
	// webhook timeout) and stops the function if a setting is wrong.
	functions.HTTP("Webhook", webhook.MustNew(newMux()).ServeHTTP)
}

// newMux returns the webhook's handlers, one per fulfillment tag.
func newMux() *fulfillment.Mux {
	mux := fulfillment.NewMux()
	mux.HandleFunc("checkMileage", checkMileage)
	return mux
}

func checkMileage(ctx context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
	account, err := req.Params().String("frequent_flyer_account")
	if err != nil { // absent, null or not a string: ask again
		return fulfillment.Reply("What is your frequent flyer number?").
			InvalidateFormParam("frequent_flyer_account"), nil
	}
	miles, ok := lookupMiles(ctx, account)
	if !ok {
		// A business outcome is a response the agent can route on, not an error.
		return fulfillment.Reply("I can't find that account.").SetParam("account_found", false), nil
	}
	return fulfillment.Reply(fmt.Sprintf("You have %d miles.", miles)).
		SetParam("account_found", true).
		SetParam("miles", miles).
		TransitionTo(req.TargetPage(fulfillment.EndFlow)), nil
}

// lookupMiles stands for your own data: a database, another service.
func lookupMiles(_ context.Context, account string) (int, bool) {
	miles, ok := map[string]int{"FF-1001": 12500}[account]
	return miles, ok
}
