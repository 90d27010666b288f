package agent_test

import (
	"context"
	"fmt"
	"log"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/fulfillment"
)

// Load an export, walk its pages, and check it against the function's
// handlers.
func Example() {
	a, err := agent.Load("testdata/pizza")
	if err != nil {
		log.Fatal(err) // a *agent.LoadError lists each problem with its file and JSON path
	}
	start := a.StartFlow
	for _, r := range start.StartPage.Routes {
		fmt.Printf("%s: intent %s -> %v\n", start.DisplayName, r.Intent.DisplayName, r.Target)
	}
	for _, p := range start.Pages {
		fmt.Printf("page %q\n", p.DisplayName)
		for _, fp := range p.Form {
			fmt.Printf("  form parameter %s (%s, required %v)\n", fp.DisplayName, fp.EntityType.Name, fp.Required)
		}
		for _, r := range p.Routes {
			fmt.Printf("  route %s -> %v\n", r.Condition, r.Target)
		}
	}
	for _, s := range a.CallSites() {
		fmt.Printf("tag %s at %s\n", s.Tag, s.Loc())
	}

	mux := fulfillment.NewMux()
	mux.HandleFunc("placeOrder", func(context.Context, *fulfillment.Request) (*fulfillment.Response, error) {
		return fulfillment.Reply("Your pizza is on its way."), nil
	})
	for _, f := range agent.Check(a, agent.ServedBy(mux), agent.CheckOptions{}) {
		fmt.Println(f)
	}
	// Output:
	// Default Start Flow: intent order.pizza -> page "Order Pizza"
	// page "Order Pizza"
	//   form parameter size (@size, required true)
	//   form parameter delivery_time (@sys.time, required true)
	//   route $page.params.status = "FINAL" -> END_SESSION
	// tag checkSize at flows/Default Start Flow/pages/Order Pizza.json: form.parameters[1].fillBehavior.initialPromptFulfillment
	// tag placeOrder at flows/Default Start Flow/pages/Order Pizza.json: transitionRoutes[0].triggerFulfillment
	// flows/Default Start Flow/pages/Order Pizza.json: form.parameters[1].fillBehavior.initialPromptFulfillment.tag: error: no handler serves tag "checkSize" (webhook "pizzeria"): the function answers 404 and the agent raises webhook.error [unserved-tag]
}

// Write the request each call site sends, for a handler's tests.
func ExampleAgent_SampleRequests() {
	a, err := agent.Load("testdata/pizza")
	if err != nil {
		log.Fatal(err)
	}
	samples, err := a.SampleRequests(agent.SampleOptions{Agent: "projects/pizzeria/locations/europe-west1/agents/8c1f0e2a-4b7d-4e59-a3c6-d2f9b0e1a7c4"})
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range samples {
		req, err := fulfillment.DecodeRequest(s.Body)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %q, form complete %v\n", s.Name, req.Query().Value, req.FormComplete())
	}
	// Output:
	// checkSize_order-pizza_delivery-time_prompt.json: "I'd like a large pizza", form complete false
	// placeOrder_order-pizza_final.json: "3 PM", form complete true
}
