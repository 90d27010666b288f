package flightbot

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cxhook/cxhook/fulfillment"
)

// The parameters of the one-way form ("Collect One-Way Ticket
// Information"), in the form's order, as Dialogflow sends their values.
const (
	paramDate      = "departure_date"          // @sys.date: {"year": 2036, "month": 3, "day": 14}
	paramFrom      = "departure_airport"       // @airport-codes: "SFO"; many of its codes end in a tab ("SEA\t")
	paramTo        = "arrival_airport"         // @airport-codes
	paramTime      = "outbound_departure_time" // @sys.time: {"hours": 15, "minutes": 0, "seconds": 0, "nanos": 0}
	paramPassenger = "passenger_name"          // @sys.any
)

// The form's own prompts, for asking again.
const (
	askDate = "Which day would you like to leave?"
	askFrom = "Which airport would you like to fly out of?"
	askTo   = "Which airport are you flying into?"
)

// findAvailableTicket serves the one-way booking. On the collecting page it
// checks the trip while the form fills it and, once the form is complete,
// that the airline flies it that day; on "Show One-Way Available Flights"
// it offers the flights (see agent.go for the call sites).
func (a *airline) findAvailableTicket(_ context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
	if _, ok := req.FormParam(paramDate); !ok {
		return a.showFlights(req), nil // the page without the trip form
	}
	t := readTrip(func(name string) (fulfillment.Value, bool) { return filledFormParam(req, name) })

	if !req.FormComplete() {
		// A parameter's initial prompt: check what the form holds so far.
		p, bad := a.check(t, false)
		if !bad {
			return fulfillment.NewResponse(), nil
		}
		// Dialogflow has queued the prompt for the next parameter. Replace
		// it: say what is wrong and ask again for this one. The answer
		// fills it, as a form fills any of its open parameters that an
		// answer matches.
		return replaceQueued(req, fulfillment.ResponseParameterPrompt).
			Add(fulfillment.Text(p.reason + " " + p.ask)).
			InvalidateFormParam(p.param), nil
	}

	// The FINAL route: the form holds the whole trip (possibly filled in
	// one turn, so no prompt call has checked it). A problem clears the
	// parameter and re-enters the page, whose form then asks for it again.
	if p, bad := a.check(t, true); bad {
		return reenter(req, fulfillment.Reply(p.reason).DeleteParam(p.param)), nil
	}
	if _, flights := search(t); len(flights) == 0 {
		msg := fmt.Sprintf("There are no flights from %s to %s on %s.", t.from, t.to, longDate(t.date))
		return reenter(req, fulfillment.Reply(msg).DeleteParam(paramDate)), nil
	}
	// The route goes on to "Confirm Flight Details One-Way Ticket". Store
	// the airport codes without the tab many entity values carry, which
	// that page would show ("To  SEA\t").
	return fulfillment.NewResponse().SetParam(paramFrom, t.from).SetParam(paramTo, t.to), nil
}

// showFlights serves the entry of "Show One-Way Available Flights", from
// the trip in the session parameters.
func (a *airline) showFlights(req *fulfillment.Request) *fulfillment.Response {
	t := readTrip(func(name string) (fulfillment.Value, bool) { return sessionParam(req, name) })
	// The page's entry message lists the options from parameters this call
	// sets, but the copy Dialogflow queued (this request carries it) was
	// rendered before the call: it reads "$session.params.flight_number_A",
	// or the options of an earlier search. Replace it.
	resp := replaceQueued(req, fulfillment.ResponseEntryPrompt)

	var r *route
	var flights []flight
	p, bad := a.check(t, true)
	if !bad {
		r, flights = search(t)
	}
	if len(flights) == 0 {
		// Rare: the page comes after the form, whose FINAL route found
		// flights. The trip has changed or gone since; start over.
		reason := p.reason
		if !bad {
			reason = fmt.Sprintf("There are no flights from %s to %s on %s.", t.from, t.to, longDate(t.date))
		}
		resp.Add(fulfillment.Text(reason + " Let's start again."))
		if req.Page().Flow() != "" {
			resp.TransitionTo(req.TargetPage(fulfillment.StartPage))
		}
		return resp
	}

	var b strings.Builder
	fmt.Fprintf(&b, "Here are our flights from %s to %s on %s, at %s:\n", place(t.from), place(t.to), longDate(t.date), r.fare)
	for i, f := range flights {
		fmt.Fprintf(&b, "\nOption %s: %s, departs %s, arrives %s", optionLetters[i], f.number, clock(f.departs), clock(f.arrives))
	}
	return offer(resp.Add(fulfillment.Text(b.String())), r, flights)
}

// A trip is what the one-way form collects. A field is zero if the form or
// session does not hold it, or holds a value that cannot be read.
type trip struct {
	date      time.Time // the departure day, at midnight UTC
	from, to  string    // IATA airport codes
	preferred int       // the preferred departure, in minutes after midnight; -1 if none
}

// readTrip reads a trip with get, which returns a parameter's value.
func readTrip(get func(name string) (fulfillment.Value, bool)) trip {
	t := trip{preferred: -1}
	if v, ok := get(paramDate); ok {
		// Dialogflow sends numbers as doubles (5 or 5.0): bind to float64.
		var d struct {
			Year  float64 `json:"year"`
			Month float64 `json:"month"`
			Day   float64 `json:"day"`
		}
		if v.Decode(&d) == nil && d.Year >= 1 && d.Month >= 1 && d.Month <= 12 && d.Day >= 1 && d.Day <= 31 {
			t.date = time.Date(int(d.Year), time.Month(d.Month), int(d.Day), 0, 0, 0, 0, time.UTC)
		}
	}
	if v, ok := get(paramFrom); ok {
		t.from = airportCode(v)
	}
	if v, ok := get(paramTo); ok {
		t.to = airportCode(v)
	}
	if v, ok := get(paramTime); ok {
		var c struct {
			Hours   float64 `json:"hours"`
			Minutes float64 `json:"minutes"`
		}
		if v.Decode(&c) == nil && c.Hours >= 0 && c.Hours < 24 && c.Minutes >= 0 && c.Minutes < 60 {
			t.preferred = int(c.Hours)*60 + int(c.Minutes)
		}
	}
	return t
}

// airportCode reads an @airport-codes value: its entity values are IATA
// codes, many with a trailing tab.
func airportCode(v fulfillment.Value) string {
	s, _ := v.String()
	return strings.ToUpper(strings.TrimSpace(s))
}

// A problem is why the airline cannot serve a trip as given.
type problem struct {
	param  string // the form parameter to fill again
	reason string // what to tell the user
	ask    string // the form's prompt for param
}

// check returns the first problem with t, in the form's order. If whole is
// false, the parts t lacks are not problems: the form is still filling.
func (a *airline) check(t trip, whole bool) (problem, bool) {
	switch {
	case t.date.IsZero() && whole:
		return problem{paramDate, "Sorry, I didn't catch the day of your flight.", askDate}, true
	case !t.date.IsZero() && t.date.Before(a.today()):
		return problem{paramDate, longDate(t.date) + " has already passed.", askDate}, true
	case t.from == "" && whole:
		return problem{paramFrom, "Sorry, I didn't catch the airport you are leaving from.", askFrom}, true
	case t.from != "" && cities[t.from] == "":
		return problem{paramFrom, fmt.Sprintf("Sorry, we don't fly from %s. We fly from %s.", t.from, list(slices.Sorted(maps.Keys(cities)))), askFrom}, true
	case t.to == "" && whole:
		return problem{paramTo, "Sorry, I didn't catch the airport you are flying into.", askTo}, true
	case t.to != "" && cities[t.to] == "":
		return problem{paramTo, fmt.Sprintf("Sorry, we don't fly to %s.", t.to), askTo}, true
	case t.from != "" && t.to != "" && findRoute(t.from, t.to) == nil:
		return problem{paramTo, fmt.Sprintf("Sorry, we don't fly from %s to %s. From %s we fly to %s.", t.from, t.to, t.from, list(destinations(t.from))), askTo}, true
	}
	return problem{}, false
}

// today returns the current day, at midnight UTC. A day counts as past
// only once it is past everywhere (in UTC-12), so that no traveller is told
// that their today has gone.
func (a *airline) today() time.Time {
	y, m, d := a.now().In(time.FixedZone("UTC-12", -12*60*60)).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// optionLetters name the options "Show One-Way Available Flights" lists.
var optionLetters = [...]string{"A", "B", "C"}

// search returns t's route and its flights on t's date, at most three: the
// closest to the preferred time (if any), in order of departure.
func search(t trip) (*route, []flight) {
	r := findRoute(t.from, t.to)
	if r == nil || slices.Contains(r.closed, t.date.Weekday()) {
		return r, nil
	}
	flights := slices.Clone(r.flights)
	if t.preferred >= 0 {
		slices.SortStableFunc(flights, func(x, y flight) int {
			return cmp.Compare(distance(x, t.preferred), distance(y, t.preferred))
		})
	}
	flights = flights[:min(len(flights), len(optionLetters))]
	slices.SortFunc(flights, func(x, y flight) int { return strings.Compare(x.departs, y.departs) })
	return r, flights
}

// offer sets the parameters the agent's pages read: flight_number_X,
// departure_time_X and arrival_time_X for each option, and ticket_price.
func offer(resp *fulfillment.Response, r *route, flights []flight) *fulfillment.Response {
	for i, f := range flights {
		x := optionLetters[i]
		resp.SetParam("flight_number_"+x, f.number).
			SetParam("departure_time_"+x, clock(f.departs)).
			SetParam("arrival_time_"+x, clock(f.arrives))
	}
	return resp.SetParam("ticket_price", r.fare)
}

// A route is one direction between two of the airline's airports.
type route struct {
	from, to string
	fare     string         // the one-way economy fare, the same on every flight
	closed   []time.Weekday // the days it has no flights
	flights  []flight       // daily, in order of departure
}

// A flight departs and arrives at local times, written "15:04".
type flight struct{ number, departs, arrives string }

// cities are the airports the airline serves.
var cities = map[string]string{"SFO": "San Francisco", "LAX": "Los Angeles", "SEA": "Seattle", "JFK": "New York"}

// timetable is the airline's schedule.
var timetable = []route{
	{"SFO", "SEA", "$129.00", nil, []flight{{"ZY 210", "06:45", "08:55"}, {"ZY 212", "10:15", "12:25"}, {"ZY 214", "14:30", "16:40"}, {"ZY 216", "18:50", "21:00"}}},
	{"SEA", "SFO", "$129.00", nil, []flight{{"ZY 211", "07:10", "09:20"}, {"ZY 213", "11:35", "13:45"}, {"ZY 215", "15:50", "18:00"}, {"ZY 217", "20:05", "22:15"}}},
	{"SFO", "LAX", "$99.00", nil, []flight{{"ZY 120", "06:00", "07:30"}, {"ZY 122", "09:30", "11:00"}, {"ZY 124", "13:00", "14:30"}, {"ZY 126", "17:15", "18:45"}}},
	{"LAX", "SFO", "$99.00", nil, []flight{{"ZY 121", "07:15", "08:45"}, {"ZY 123", "11:00", "12:30"}, {"ZY 125", "15:30", "17:00"}, {"ZY 127", "19:45", "21:15"}}},
	{"SFO", "JFK", "$289.00", nil, []flight{{"ZY 8", "06:30", "15:05"}, {"ZY 10", "09:45", "18:20"}, {"ZY 12", "13:20", "21:55"}}},
	{"JFK", "SFO", "$289.00", nil, []flight{{"ZY 9", "07:30", "11:05"}, {"ZY 11", "12:00", "15:35"}, {"ZY 13", "17:45", "21:20"}}},
	{"SEA", "JFK", "$269.00", []time.Weekday{time.Tuesday, time.Wednesday}, []flight{{"ZY 30", "07:45", "16:10"}, {"ZY 32", "11:20", "19:45"}, {"ZY 34", "13:05", "21:30"}}},
	{"JFK", "SEA", "$269.00", []time.Weekday{time.Tuesday, time.Wednesday}, []flight{{"ZY 31", "08:15", "11:40"}, {"ZY 33", "13:30", "16:55"}, {"ZY 35", "18:10", "21:35"}}},
}

func findRoute(from, to string) *route {
	for i := range timetable {
		if r := &timetable[i]; r.from == from && r.to == to {
			return r
		}
	}
	return nil
}

func destinations(from string) []string {
	var to []string
	for _, r := range timetable {
		if r.from == from {
			to = append(to, r.to)
		}
	}
	slices.Sort(to)
	return to
}

// distance is how far, in minutes, f departs from the preferred time.
func distance(f flight, preferred int) int {
	t, _ := time.Parse("15:04", f.departs)
	return max(t.Hour()*60+t.Minute()-preferred, preferred-t.Hour()*60-t.Minute())
}

// clock writes a timetable time for people: "15:04" becomes "3:04 PM".
func clock(hhmm string) string {
	t, _ := time.Parse("15:04", hhmm)
	return t.Format("3:04 PM")
}

func longDate(d time.Time) string { return d.Format("Monday, January 2, 2006") }

func place(code string) string { return cities[code] + " (" + code + ")" }

// list joins items as English does: "A, B and C".
func list(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
