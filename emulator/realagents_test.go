package emulator

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cxhook/cxhook/fulfillment"
)

const graffitiAgent = "../testdata/agents/goodbye-graffiti"

// geocode stands in for the graffiti agent's lookup_place webhook: it
// knows one place.
func geocode(_ context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
	loc, _ := req.Params().String("location")
	if strings.Contains(strings.ToLower(loc), "hosier") {
		return fulfillment.NewResponse().SetParam("formatted_address", "Hosier Ln, Melbourne VIC, Australia"), nil
	}
	return fulfillment.NewResponse().SetParam("formatted_address", ""), nil
}

// TestGraffitiAgent runs the real graffiti export with a stand-in for its
// webhook: the FINAL route without a target calls it, the next condition
// routes see what it set (CXRUNTIME.md §1.3), a condition with escaped
// commas matches, and the rich-content payloads are sent.
func TestGraffitiAgent(t *testing.T) {
	mux := fulfillment.NewMux()
	mux.HandleFunc("geocode", geocode)
	e := newEmulator(t, graffitiAgent, Config{Seed: 1, Webhooks: &Webhooks{Handler: fulfillment.NewHTTPHandler(mux, quiet)}})

	c := newConvo(t, e, SessionConfig{})
	turn := c.send(Intent("head.report-graffiti", nil))
	c.expect(turn, "Enter Location",
		"Thank you for calling to report graffiti and keep our community safe. I'll need to ask you for a few details so we can get started on cleaning it up.",
		"First, please help me identify the location. You can enter a full address or the name of the place (if it's a business or a public place)")
	if len(turn.Messages) != 3 || turn.Messages[2].Kind != fulfillment.KindPayload || turn.Params["channel"] != "call-companion" {
		t.Errorf("messages %+v, params %v", turn.Messages, turn.Params)
	}
	turn = c.send(fill("location", "Hosier Lane"))
	c.expect(turn, "Display Location", "Thanks, I have collected the final address:  Hosier Ln, Melbourne VIC, Australia. Is that correct? Please say yes or no")
	if len(turn.Webhooks) != 1 || turn.Webhooks[0].Tag != "geocode" || turn.Webhooks[0].Status != 200 {
		t.Errorf("calls %v", turn.Webhooks)
	}
	turn = c.send(Intent("prebuilt_components_confirmation_yes", nil))
	c.expect(turn, "Match Found", "Someone has recently reported a vandalism in this exact location. Does this photo capture the vandalism you initially wanted to inform us about?")

	// A place the webhook does not know: the second route calls the
	// Address Collection flow.
	c = newConvo(t, e, SessionConfig{})
	c.send(Intent("head.report-graffiti", nil))
	turn = c.send(fill("location", "nowhere"))
	if turn.FlowName() != "Address Collection" || turn.Texts()[0] != "Sorry, I could not identify the location of the graffiti. Let's try one more time." {
		t.Errorf("flow %q texts %q\n%s", turn.FlowName(), turn.Texts(), FormatTrace(turn.Trace, "  "))
	}

	// The welcome route's generator is not emulated, and says so.
	turn = newConvo(t, e, SessionConfig{}).send(Intent("Default Welcome Intent", nil))
	if !strings.Contains(FormatTrace(turn.Trace, ""), "generator(s), which are not emulated") {
		t.Errorf("trace:\n%s", FormatTrace(turn.Trace, "  "))
	}
}

// feedbackMux serves the flight agent's two feedback webhooks as the
// export defines them, FLEXIBLE, and records the bodies.
func feedbackMux(bodies *[]map[string]any) *fulfillment.Mux {
	mux := fulfillment.NewMux()
	type checked struct {
		Elapsed string `json:"last_feedback_time_elapsed"`
	}
	mux.HandleFlexible("getPreviousFeedbackDate", fulfillment.Flexible(func(_ context.Context, r map[string]any) (checked, error) {
		*bodies = append(*bodies, r)
		return checked{Elapsed: "true"}, nil
	}))
	mux.HandleFlexible("updateFeedback", fulfillment.Flexible(func(_ context.Context, r map[string]any) (struct{}, error) {
		*bodies = append(*bodies, r)
		return struct{}{}, nil
	}))
	return mux
}

// TestFlightFeedbackFlow runs the flight agent's Feedback flow (Google's
// prebuilt component; no recorded test case reaches it) with its flexible
// webhooks served as exported: the bodies rendered from the templates, the
// answer mapped into $flow.last_feedback_time_elapsed, the retry messages
// chosen before the presets that count the retries.
func TestFlightFeedbackFlow(t *testing.T) {
	var bodies []map[string]any
	e := newEmulator(t, flightAgent, Config{Seed: 1, Webhooks: &Webhooks{Handler: fulfillment.NewHTTPHandler(feedbackMux(&bodies), quiet)}})
	a := e.Agent()
	c := newConvo(t, e, SessionConfig{Flow: a.Flow("Feedback"), Params: Params{"phone_number": "+15551234567"}})
	turn := c.send(Event("start-feedback"))
	c.expect(turn, "> collect feedback score",
		"Thank you for calling. Your feedback is important to us. Please take a moment to share your opinion of the service you received today by answering a few short questions.",
		"On a scale of 1 to 5, where 1 is most unsatisfied and 5 is most satisfied, how satisfied are you with the service you received today?")
	if len(bodies) != 1 || bodies[0]["phone_number"] != "+15551234567" {
		t.Fatalf("bodies %v", bodies)
	}
	c.expect(c.send(fill("$flow.feedback_score", 7)), "> collect feedback score", "Sorry, we didn't get that. Please tell us a feedback score that is 1, 2, 3, 4, or 5.")
	c.expect(c.send(fill("$flow.feedback_score", 9)), "> collect feedback score", "Sorry, we´re still not getting that. Please tell us a feedback score that is 1, 2, 3, 4, or 5.")
	turn = c.send(fill("$flow.feedback_score", 4))
	c.expect(turn, "End Session", "Great, looks like we did it well.", "Have a great day.")
	if len(bodies) != 2 || bodies[1]["feedback_score"] != 4.0 || bodies[1]["feedback_comment"] != "" {
		t.Errorf("%d bodies, last %#v", len(bodies), bodies[len(bodies)-1])
	}
	if turn.Params["feedback_score"] != 4.0 || turn.Params["feedback_comment"] != "" {
		t.Errorf("params %v", turn.Params)
	}
}

// TestFlightFeedbackAgainstExample runs the Feedback flow against the
// example function itself, which serves the two feedback tags as FLEXIBLE
// webhooks, as the export calls them: the first caller is asked for
// feedback, the answer is stored through the second webhook, and a second
// session of the same caller within the interval is not asked again.
func TestFlightFeedbackAgainstExample(t *testing.T) {
	e := newEmulator(t, flightAgent, Config{Seed: 1, Webhooks: inProcessExample(time.Now)})
	start := func() *convo {
		return newConvo(t, e, SessionConfig{Flow: e.Agent().Flow("Feedback"), Params: Params{"phone_number": "+15557654321"}})
	}
	c := start()
	turn := c.send(Event("start-feedback"))
	c.expect(turn, "> collect feedback score",
		"Thank you for calling. Your feedback is important to us. Please take a moment to share your opinion of the service you received today by answering a few short questions.",
		"On a scale of 1 to 5, where 1 is most unsatisfied and 5 is most satisfied, how satisfied are you with the service you received today?")
	if w := turn.Webhooks; len(w) != 1 || w[0].Status != 200 || w[0].Event != "" || !w[0].Flexible {
		t.Errorf("calls %v", w)
	}
	if !hasNote(turn, PolicyFlexibleBody) {
		t.Errorf("notes %v", turn.Notes)
	}
	turn = c.send(fill("$flow.feedback_score", 5))
	c.expect(turn, "End Session", "Great, looks like we did it well.", "Have a great day.")
	if w := turn.Webhooks; len(w) != 1 || w[0].Status != 200 || !w[0].Flexible {
		t.Errorf("update calls %v", w)
	}

	// The same caller again: the example remembers the feedback, so the
	// flow thanks the caller without asking.
	again := start().send(Event("start-feedback"))
	if again.PageName() != "End Session" || len(again.Webhooks) != 1 || again.Webhooks[0].Status != 200 {
		t.Errorf("second session: page %q, calls %v, texts %q", again.PageName(), again.Webhooks, again.Texts())
	}
}
