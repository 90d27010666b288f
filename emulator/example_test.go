package emulator_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/emulator"
	"github.com/cxhook/cxhook/examples/flightbot"
	"github.com/cxhook/cxhook/fulfillment"
)

// A conversation with the flight agent and the example function, in
// process: intents and form values are injected where free text would need
// an NLU.
func Example() {
	a, err := agent.Load("../testdata/agents/digibhem-flight-bot")
	if err != nil {
		panic(err)
	}
	day := func() time.Time { return time.Date(2036, 3, 1, 9, 0, 0, 0, time.UTC) }
	handler := fulfillment.NewHTTPHandler(flightbot.NewMuxAt(day),
		fulfillment.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	e, err := emulator.New(a, emulator.Config{Webhooks: &emulator.Webhooks{Handler: handler}, Seed: 1})
	if err != nil {
		panic(err)
	}
	s := e.NewSession(emulator.SessionConfig{})
	fill := func(name string, v any) emulator.Input {
		return emulator.Input{Kind: emulator.InputText, Text: fmt.Sprint(v),
			Understood: &emulator.Understanding{Fill: []emulator.ParamValue{{Name: name, Value: v}}}}
	}
	for _, in := range []emulator.Input{
		emulator.Intent("flights.available_miles", nil),
		fill("frequent_flyer_account_number", "123456"),
		fill("passenger_name", "Melina Garcia"),
	} {
		turn, err := s.Send(context.Background(), in)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s -> %s\n", in, turn.PageName())
		for _, w := range turn.Webhooks {
			fmt.Printf("  webhook %s: %d\n", w.Tag, w.Status)
		}
	}
	fmt.Println(s.Params()["mileage"])
	// Output:
	// intent "flights.available_miles" -> Check Frequent Flyer Account Miles
	//   webhook checkMileage: 200
	// text "123456" -> Check Frequent Flyer Account Miles
	//   webhook checkMileage: 200
	// text "Melina Garcia" -> Anything Else
	//   webhook checkMileage: 200
	// 55000
}

// The policies the emulator follows where CX's behaviour is not documented.
func ExamplePolicies() {
	for _, p := range emulator.Policies()[:3] {
		fmt.Println(p.Name)
	}
	// Output:
	// replace-reach
	// webhook-target
	// flow-params
}
