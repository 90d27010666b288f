package fulfillmenttest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/cxhook/cxhook/fulfillment"
	"github.com/cxhook/cxhook/fulfillment/fulfillmenttest"
)

func checkMileage(_ context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
	account, err := req.Params().String("frequent_flyer_account")
	if err != nil {
		return fulfillment.Reply("What is your frequent flyer number?").InvalidateFormParam("frequent_flyer_account"), nil
	}
	if account != "FF-1001" {
		return fulfillment.Reply("I can't find that account.").SetParam("account_found", false), nil
	}
	return fulfillment.Reply("You have 12500 miles.").
		SetParam("account_found", true).
		TransitionTo(req.TargetPage(fulfillment.EndFlow)), nil
}

// Call runs a handler on a request built as Dialogflow sends it, and reads
// the answer back as the wire carries it. In a test, pass the test's t.
func ExampleCall() {
	t := new(testing.T) // an example has no test of its own

	mux := fulfillment.NewMux()
	mux.HandleFunc("checkMileage", checkMileage)
	for _, account := range []any{"FF-1001", "FF-9999", nil} {
		req := fulfillmenttest.NewRequest("checkMileage").Param("frequent_flyer_account", account).Request(t)
		got := fulfillmenttest.Call(t, mux, req)
		found, _ := got.Params.Bool("account_found")
		fmt.Printf("%v: %q found=%v form=%v target=%q\n", account, got.Texts, found, got.FormStates, got.TargetPage)
	}
	// Output:
	// FF-1001: ["You have 12500 miles."] found=true form=map[] target="projects/test-project/locations/global/agents/00000000-0000-0000-0000-00000000a9e7/flows/00000000-0000-0000-0000-000000000000/pages/END_FLOW"
	// FF-9999: ["I can't find that account."] found=false form=map[] target=""
	// <nil>: ["What is your frequent flyer number?"] found=false form=map[frequent_flyer_account:INVALID] target=""
}

// A RequestBuilder writes the JSON document Dialogflow would send: the tag,
// a session, the Default Start Flow's start page, and what the test adds.
func ExampleRequestBuilder_JSON() {
	fmt.Println(string(fulfillmenttest.NewRequest("checkMileage").
		Param("frequent_flyer_account", "FF-1001").
		Text("how many miles do I have").
		JSON()))
	// Output:
	// {"detectIntentResponseId":"00000000-0000-0000-0000-0000000000d1","fulfillmentInfo":{"tag":"checkMileage"},"languageCode":"en","pageInfo":{"currentPage":"projects/test-project/locations/global/agents/00000000-0000-0000-0000-00000000a9e7/flows/00000000-0000-0000-0000-000000000000/pages/START_PAGE","displayName":"Start Page"},"sessionInfo":{"parameters":{"frequent_flyer_account":"FF-1001"},"session":"projects/test-project/locations/global/agents/00000000-0000-0000-0000-00000000a9e7/sessions/test-session"},"text":"how many miles do I have"}
}
