package emulatortest_test

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cxhook/cxhook/emulator/emulatortest"
	"github.com/cxhook/cxhook/examples/flightbot"
	"github.com/cxhook/cxhook/fulfillment"
)

const flightAgent = "../../testdata/agents/digibhem-flight-bot"

func example() *fulfillment.Mux {
	// The example's date checks run on this day; the dates below are after it.
	return flightbot.NewMuxAt(func() time.Time { return time.Date(2036, 3, 1, 12, 0, 0, 0, time.UTC) })
}

var quiet = fulfillment.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))

func TestOneWayBooking(t *testing.T) {
	c := emulatortest.Load(t, flightAgent, emulatortest.Options{Webhook: fulfillment.NewHTTPHandler(example(), quiet)})
	c.Say("need a one way ticket pls", emulatortest.Intent("flights.one_way_ticket")).
		Page("Collect One-Way Ticket Information").
		Texts("Let's find a one-way ticket for you. ", "Which day would you like to leave?").
		Called("findAvailableTicket")
	c.Say("March 14", emulatortest.Fill("departure_date", map[string]int{"year": 2036, "month": 3, "day": 14})).
		Texts("Which airport would you like to fly out of?")
	c.Say("SFO", emulatortest.Fill("departure_airport", "SFO")).
		Texts("Which airport are you flying into?")
	c.Say("Seattle", emulatortest.Fill("arrival_airport", "SEA\t")).
		Says("What time would you like to leave?")
	c.Say("3pm", emulatortest.Fill("outbound_departure_time", map[string]int{"hours": 15, "minutes": 0, "seconds": 0, "nanos": 0})).
		Says("first  and last name")
	// The form is complete: the FINAL route's webhook checks the trip and
	// stores the arrival airport without its tab.
	c.Say("Jane Doe", emulatortest.Fill("passenger_name", "Jane Doe")).
		Page("Confirm Flight Details One-Way Ticket").
		Param("arrival_airport", "SEA").
		Says("To  SEA\n")
	c.Say("yes", emulatortest.Intent("small_talk.confirmation.yes")).
		Page("Show One-Way Available Flights").
		Called("findAvailableTicket").
		Says("Here are our flights from San Francisco (SFO) to Seattle (SEA) on Friday, March 14, 2036").
		Param("ticket_price", "$129.00")
	c.Say("option A", emulatortest.Fill("flight_option", "Option A")).
		Page("Display Selected One-Way Ticket")
}

func TestPastDateAskedAgain(t *testing.T) {
	c := emulatortest.Load(t, flightAgent, emulatortest.Options{Webhook: fulfillment.NewHTTPHandler(example(), quiet)})
	c.Intent("flights.one_way_ticket").Page("Collect One-Way Ticket Information")
	// The prompt of the next parameter calls the webhook, which finds the
	// date past, replaces the queued prompt and marks the date INVALID.
	c.Say("March 5 2021", emulatortest.Fill("departure_date", map[string]int{"year": 2021, "month": 3, "day": 5})).
		Texts("Friday, March 5, 2021 has already passed. Which day would you like to leave?").
		NoParam("departure_date")
	c.Say("March 14", emulatortest.Fill("departure_date", map[string]int{"year": 2036, "month": 3, "day": 14})).
		Texts("Which airport would you like to fly out of?")
}

func TestCheckMiles(t *testing.T) {
	c := emulatortest.Load(t, flightAgent, emulatortest.Options{Webhook: fulfillment.NewHTTPHandler(example(), quiet)})
	c.Say("how many miles do I have", emulatortest.Intent("flights.available_miles")).
		Page("Check Frequent Flyer Account Miles")
	c.Say("123456", emulatortest.Fill("frequent_flyer_account_number", "123456")).Called("checkMileage")
	c.Say("Melina Garcia", emulatortest.Fill("passenger_name", "Melina Garcia")).
		Page("Anything Else").
		Param("mileage", 55000).
		Texts("Melina Garcia, you have 55000 miles available for use.\n\nA free flight requires [insert company policy] miles. ", "Would you like help with anything else?")
	c.Say("no thanks", emulatortest.Intent("small_talk.confirmation.no")).Ended()
}

// recorder is a T that keeps what a conversation reports.
type recorder struct {
	errors []string
	fatal  bool
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.fatal = true
	r.Errorf(format, args...)
}

func TestFailingAssertionPrintsTrace(t *testing.T) {
	r := &recorder{}
	c := emulatortest.Load(r, flightAgent, emulatortest.Options{Webhook: fulfillment.NewHTTPHandler(example(), quiet)})
	c.Intent("flights.one_way_ticket").Page("Check Frequent Flyer Account Miles").Param("nope", 1).Texts("hello")
	if len(r.errors) != 3 || r.fatal {
		t.Fatalf("%d errors, fatal %v: %q", len(r.errors), r.fatal, r.errors)
	}
	for _, want := range []string{
		`page is "Collect One-Way Ticket Information", want "Check Frequent Flyer Account Miles"`,
		"conversation:\nturn 1: intent \"flights.one_way_ticket\"",
		"route    flow route \"flights.one_way_ticket\" -> page \"Collect One-Way Ticket Information\"",
		"webhook  Apigee Integration tag \"findAvailableTicket\" from prompt of departure_date: 200 in ",
		"agent: \"Which ",
	} {
		if !strings.Contains(r.errors[0], want) {
			t.Errorf("the failure does not say %q:\n%s", want, r.errors[0])
		}
	}
	if !strings.HasPrefix(r.errors[1], `parameter "nope" is not set, want 1`) || !strings.HasPrefix(r.errors[2], `texts are ["Let's find`) {
		t.Errorf("errors %q", r.errors[1:])
	}
	// Free text without an injected meaning or an NLU stops the test.
	r = &recorder{}
	emulatortest.Load(r, flightAgent, emulatortest.Options{}).Say("hello")
	if !r.fatal || !strings.Contains(r.errors[0], "needs an NLU") {
		t.Errorf("free text: %q", r.errors)
	}
}
