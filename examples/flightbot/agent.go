// Package flightbot serves the webhook of the example agent, "Zyra the
// flight assistant" (see NewMux for the tags and where the agent calls
// them). The repository's deployable function (the root package) serves it
// through package webhook, as a team's own function file serves theirs.
package flightbot

import (
	"time"

	"github.com/cxhook/cxhook/fulfillment"
)

// The example agent is "Zyra the flight assistant", a Dialogflow CX agent
// exported in the JSON package format (dhiwinsamrich/DIGIBHEM-AI-Bot, MIT).
// It calls five tags, four of them here: two on standard webhooks
// (findAvailableTicket, checkMileage), which get a WebhookRequest, and two
// on the FLEXIBLE webhooks of Google's prebuilt feedback component
// (getPreviousFeedbackDate, updateFeedback), which get the body the
// webhook's requestBody template renders. The fifth, validation, is the
// prebuilt address component's flexible webhook, which calls Google's
// Address Validation API, not this function. The parameter names below
// are the agent's own.
//
// findAvailableTicket, flights.go. Flow "Default Start Flow":
//   - page "Collect One-Way Ticket Information", the initial prompt of each
//     of its five form parameters (departure_date, departure_airport,
//     arrival_airport, outbound_departure_time, passenger_name): the form
//     is partly filled;
//   - the same page, the route on $page.params.status = "FINAL" (target
//     "Confirm Flight Details One-Way Ticket"): the form is complete;
//   - page "Show One-Way Available Flights", entry fulfillment: its message
//     lists Options A, B and C from flight_number_X, departure_time_X and
//     arrival_time_X; "Display Selected One-Way Ticket" reads ticket_price.
//
// checkMileage, mileage.go. Page "Check Frequent Flyer Account Miles": the
// initial prompts of frequent_flyer_account_number and passenger_name, and
// its FINAL route (target "Display Frequent Flyer MIles", which reads
// mileage). The page routes $session.params.account = "invalid" to
// "Anything Else".
//
// getPreviousFeedbackDate and updateFeedback, feedback.go, flexible
// handlers (fulfillment.Flexible), dispatched by the tag each template
// carries in fulfillmentInfo.tag. Flow "Feedback" (Google's prebuilt
// feedback component), the entry fulfillments of pages "> invoke last
// feedback check API" (webhook prebuilt_components_feedback:
// last_feedback_check: the body holds phone_number; the answer's
// last_feedback_time_elapsed is mapped to $flow.last_feedback_time_elapsed)
// and "> invoke update feedback API" (webhook prebuilt_components_feedback:
// update_feedback: phone_number, feedback_score and feedback_comment; no
// mapping).

// NewMux returns the mux that serves the example agent's tags, on the
// system clock. Each mux has its own in-memory feedback store.
func NewMux() *fulfillment.Mux { return newMux(time.Now) }

// newMux returns the mux that serves the example agent's tags. now is the
// clock (time.Now outside tests).
func newMux(now func() time.Time) *fulfillment.Mux {
	a := &airline{now: now, feedback: newFeedbackStore()}
	mux := fulfillment.NewMux()
	mux.HandleFunc("findAvailableTicket", a.findAvailableTicket)
	mux.HandleFunc("checkMileage", a.checkMileage)
	mux.HandleFlexible("getPreviousFeedbackDate", fulfillment.Flexible(a.getPreviousFeedbackDate))
	mux.HandleFlexible("updateFeedback", fulfillment.Flexible(a.updateFeedback))
	return mux
}

// airline holds the example's state: a clock and the feedback store. The
// timetable and the frequent flyer accounts are fixed tables.
type airline struct {
	now      func() time.Time
	feedback *feedbackStore
}

// filledFormParam returns the value of a form parameter the form has filled.
func filledFormParam(req *fulfillment.Request, name string) (fulfillment.Value, bool) {
	p, ok := req.FormParam(name)
	return p.Value, ok && p.State == fulfillment.StateFilled
}

// sessionParam returns the value of a session parameter that is set and not
// null.
func sessionParam(req *fulfillment.Request, name string) (fulfillment.Value, bool) {
	v := req.Params().Get(name)
	return v, !v.IsAbsent() && !v.IsNull()
}

// replaceQueued returns a response whose messages replace those Dialogflow
// has queued this turn. It keeps the queued text messages, except those of
// type drop: the prompt a webhook has made wrong or stale.
func replaceQueued(req *fulfillment.Request, drop fulfillment.ResponseType) *fulfillment.Response {
	resp := fulfillment.NewResponse().ReplaceQueued()
	for _, m := range req.Messages() {
		// This agent queues only text. A queued message is rebuilt rather
		// than sent back as it came, which would repeat the output-only
		// fields Dialogflow put on it.
		if m.Kind() == fulfillment.KindText && m.ResponseType() != drop {
			resp.Add(fulfillment.Text(m.TextVariants()...).ForChannel(m.Channel()))
		}
	}
	return resp
}

// reenter makes resp take the conversation back into the current page, so
// that its form asks again for the parameters resp deletes (the agent does
// the same on "Confirm Flight Details One-Way Ticket": it sets the trip's
// parameters to null and goes back to the collecting page). Called from a
// route that has a target page of its own, this relies on the webhook's
// target, an "immediate transition" in the API reference, winning over the
// route's; the reference does not say so outright, so check it in the
// agent's simulator.
func reenter(req *fulfillment.Request, resp *fulfillment.Response) *fulfillment.Response {
	// TargetPage needs the current page's flow; a request without one gets
	// a response without a transition rather than a failed response.
	if t := req.TargetPage(fulfillment.CurrentPage); t.Err() == nil {
		resp.TransitionTo(t)
	}
	return resp
}
