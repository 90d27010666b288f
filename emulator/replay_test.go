package emulator

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cxhook/cxhook/examples/flightbot"
	"github.com/cxhook/cxhook/fulfillment"
)

var update = flag.Bool("update", false, "rewrite the golden files of the replay tests")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update to rewrite it); got:\n%s", path, got)
	}
}

func replayAll(t testing.TB, e *Emulator, cov *Coverage) []*CaseResult {
	var out []*CaseResult
	for _, tc := range e.Agent().TestCases {
		out = append(out, e.Replay(context.Background(), tc, ReplayConfig{Coverage: cov}))
	}
	return out
}

// differing returns "case#turn" for every differing turn.
func differing(results []*CaseResult) []string {
	var out []string
	for _, r := range results {
		for _, tr := range r.Turns {
			if len(tr.Diffs) > 0 {
				out = append(out, fmt.Sprintf("%s#%d", r.Case.DisplayName, tr.N))
			}
		}
	}
	return out
}

// The flight agent's recorded turns that differ from the agent's current
// logic when its webhooks are off, each with the reason. Every other turn
// agrees.
var flightDisagreementsWebhooksOff = map[string]string{
	// Stale goldens: the agent's messages changed after these were
	// recorded. CXRUNTIME.md §1.12 names the first.
	"Error handling - Check miles - Invalid account#2":      "stale golden: the route's message now says \"associated with this number and/or email address\"",
	"Happy path - Book round trip - End to end#1":           "stale golden: the welcome message was reworded",
	"Happy path - Book round trip - End to end#2":           "stale golden: Select Ticket Type asked \"Are you looking for a round trip ticket?\"",
	"Happy path - Book round trip - End to end#11":          "stale golden: the form's prompt had a double space (\"book  Flight Option A\")",
	"Happy path - Check round trip - Don't select option#9": "stale golden: the same double space",
	"Happy path - Check one way ticket - No purchase#6":     "stale golden: the confirmation showed $session.params.departure_city",
	"Happy path - Check one way ticket - No purchase#7":     "stale golden: the options showed a City line",
	"Happy path - Check one way ticket - No purchase#8":     "stale golden: the selected ticket showed a City line",
	// The recording's webhook (Apigee) set mileage and account_credits at
	// the prompt of passenger_name; with webhooks off nothing sets them.
	"Happy path - Check miles - Valid account#2": "webhook data: mileage and account_credits came from the original webhook",
	"Happy path - Check miles - Valid account#3": "webhook data: the same parameters, and the text that shows mileage",
	"Happy path - Check miles - Valid account#4": "webhook data: the same parameters",
	"Happy path - Check miles - Valid account#5": "webhook data: the same parameters",
}

func TestReplayFlightAgentWebhooksOff(t *testing.T) {
	e := newEmulator(t, flightAgent, Config{Seed: 1})
	results := replayAll(t, e, nil)
	got := differing(results)
	var want []string
	for k := range flightDisagreementsWebhooksOff {
		want = append(want, k)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("differing turns:\n got %q\nwant %q", got, want)
	}
	tot := Tally(results)
	if tot.Turns != 204 || tot.Agree != 192 {
		t.Errorf("%s", tot)
	}
	var b bytes.Buffer
	if err := WriteReport(&b, results, ReportOptions{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "replay/flight-webhooks-off.txt", b.Bytes())
	// The data-only turn is classified as such.
	for _, r := range results {
		for _, tr := range r.Turns {
			if r.Case.DisplayName == "Happy path - Check miles - Valid account" && tr.N == 3 {
				for _, d := range tr.Diffs {
					if d.Type == DiffUtterance && d.Cause != CauseParamData {
						t.Errorf("turn 3's text difference has cause %q, want %q", d.Cause, CauseParamData)
					}
				}
			}
		}
	}
	if testing.Verbose() {
		t.Log(strings.TrimSpace(tot.String()))
	}
}

// Why the flight agent's recorded turns differ when replayed against the
// example function (examples/flightbot, in process, its clock pinned to
// each test case's creation time), each turn starting from the recorded
// state (ReplayConfig.Resync).
const (
	whyStale     = "stale golden (as with webhooks off)"
	whyTimetable = "the example's own rules: it flies between SFO, LAX, SEA and JFK only, so its prompt webhook rejects the recorded airport and asks again"
	whyTab       = "a bug fixed: the example stores airport codes without the tab the entity values carry (\"SEA\\t\"), so the confirmation reads \"To  SEA\" (text and parameter differ by that data only)"
	whyFlights   = "webhook data: the example lists its flights from its timetable (replacing the queued options) and sets flight_number_X, departure_time_X, arrival_time_X and ticket_price"
	whyApigee    = "webhook data: the recording's webhook set mileage and account_credits at the prompt of passenger_name, as strings; the example sets mileage, a number, at the FINAL route"
)

var flightDisagreementsExample = map[string]string{
	"Error handling - Book one way - Change info midway#3":  whyTimetable + " (PWM)",
	"Error handling - Book one way - Change info midway#4":  whyTimetable + " (PWM)",
	"Error handling - Book one way - Change info midway#5":  whyTimetable + " (PWM)",
	"Error handling - Book one way - Change info midway#6":  whyTimetable + " (PWM, LGA)",
	"Error handling - Book one way - Change info midway#10": whyTimetable + " (LGA)",
	"Error handling - Book one way - Change info midway#11": whyTimetable + " (LGA)",
	"Error handling - Book one way - Change info midway#12": whyTimetable + " (LGA)",
	"Error handling - Book one way - Change info midway#13": whyTimetable + " (LGA: the options page starts over)",
	"Error handling - Book one way - Invalid card_#9":       whyTab,
	"Error handling - Book one way - Invalid card_#10":      whyFlights,
	"Error handling - Check miles - Invalid account#2":      whyStale,
	"Error handling - No match testing#8":                   whyTimetable + " (London)",
	"Error handling - No match testing#9":                   whyTimetable + " (London)",
	"Error handling - No match testing#10":                  whyTimetable + " (London)",
	"Error handling - No match testing#11":                  whyTimetable + " (London)",
	"Happy path - Book one way flight - End to end#7":       whyTab,
	"Happy path - Book one way flight - End to end#8":       whyFlights,
	"Happy path - Book round trip - End to end#1":           whyStale,
	"Happy path - Book round trip - End to end#2":           whyStale,
	"Happy path - Book round trip - End to end#11":          whyStale,
	"Happy path - Check miles - Valid account#2":            whyApigee,
	"Happy path - Check miles - Valid account#3":            whyApigee,
	"Happy path - Check one way - Don't select option#3":    whyTimetable + " (IAH)",
	"Happy path - Check one way - Don't select option#4":    whyTimetable + " (IAH)",
	"Happy path - Check one way - Don't select option#5":    whyTimetable + " (IAH)",
	"Happy path - Check one way - Don't select option#6":    whyTimetable + " (IAH, MDW)",
	"Happy path - Check one way - Don't select option#7":    whyTimetable + " (IAH: the options page starts over)",
	"Happy path - Check one way ticket - No purchase#3":     whyTimetable + " (SJC)",
	"Happy path - Check one way ticket - No purchase#4":     whyTimetable + " (SJC)",
	"Happy path - Check one way ticket - No purchase#5":     whyTimetable + " (SJC)",
	"Happy path - Check one way ticket - No purchase#6":     whyTimetable + " (SJC), and a stale golden",
	"Happy path - Check one way ticket - No purchase#7":     whyTimetable + " (SJC: the options page starts over), and a stale golden",
	"Happy path - Check one way ticket - No purchase#8":     whyStale,
	"Happy path - Check round trip - Don't select option#9": whyStale,
}

// exampleEmulator returns an emulator whose webhooks go to the example
// function through h, and a function that pins the example's clock.
func replayExample(t testing.TB, webhooks func(now func() time.Time) *Webhooks, resync bool) []*CaseResult {
	var at time.Time
	e := newEmulator(t, flightAgent, Config{Seed: 1, Webhooks: webhooks(func() time.Time { return at })})
	var out []*CaseResult
	for _, tc := range e.Agent().TestCases {
		at = tc.Created
		out = append(out, e.Replay(context.Background(), tc, ReplayConfig{Resync: resync}))
	}
	return out
}

func inProcessExample(now func() time.Time) *Webhooks {
	return &Webhooks{Handler: fulfillment.NewHTTPHandler(flightbot.NewMuxAt(now), quiet)}
}

func TestReplayFlightAgentAgainstExample(t *testing.T) {
	results := replayExample(t, inProcessExample, true)
	got := differing(results)
	var want []string
	for k := range flightDisagreementsExample {
		want = append(want, k)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("differing turns:\n got %q\nwant %q", got, want)
	}
	var b bytes.Buffer
	if err := WriteReport(&b, results, ReportOptions{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "replay/flight-example-resync.txt", b.Bytes())
	// Every flight list the example sends is reported as data only.
	for _, r := range results {
		for _, tr := range r.Turns {
			if flightDisagreementsExample[fmt.Sprintf("%s#%d", r.Case.DisplayName, tr.N)] != whyFlights {
				continue
			}
			for _, d := range tr.Diffs {
				if d.Cause == "" {
					t.Errorf("%s turn %d: %s has no cause", r.Case.DisplayName, tr.N, d)
				}
			}
		}
	}
	t.Logf("resync: %s", Tally(results))
	t.Logf("no resync: %s", Tally(replayExample(t, inProcessExample, false)))
}

// TestReplayInputKinds replays recordings whose inputs are an event, an
// intent, text and DTMF, with tracked parameters and the clock pinned to
// the recording's creation time.
func TestReplayInputKinds(t *testing.T) {
	e := newEmulator(t, semanticsAgent, Config{Seed: 1})
	a := e.Agent()
	r := e.Replay(context.Background(), a.TestCase("Replay - input kinds"), ReplayConfig{})
	if !r.Passed {
		var b bytes.Buffer
		WriteReport(&b, []*CaseResult{r}, ReportOptions{Trace: true})
		t.Fatalf("%s", b.Bytes())
	}
	if got := r.Turns[3].Got.Webhooks; len(got) != 0 {
		t.Errorf("calls %v", got)
	}

	// Each kind of difference is found, and only tracked parameters count.
	r = e.Replay(context.Background(), a.TestCase("Replay - differences"), ReplayConfig{})
	types := func(tr *TurnResult) []DiffType {
		var out []DiffType
		for _, d := range tr.Diffs {
			out = append(out, d.Type)
		}
		return out
	}
	for i, want := range [][]DiffType{
		{DiffIntent, DiffFlow, DiffPage, DiffUtterance},
		nil,
		{DiffParameters},
	} {
		if got := types(r.Turns[i]); !slices.Equal(got, want) {
			t.Errorf("turn %d: differences %v, want %v: %v", i+1, got, want, r.Turns[i].Diffs)
		}
	}
	if d := r.Turns[2].Diffs; len(d) == 1 && (d[0].Untracked || d[0].Description != `extra: missing, want "x"`) {
		t.Errorf("tracked difference %+v", d[0])
	}
	if r.Passed || r.Agreeing() != 1 {
		t.Errorf("passed %v, agreeing %d", r.Passed, r.Agreeing())
	}
	var b bytes.Buffer
	if err := WriteJUnit(&b, "semantics", []*CaseResult{r}); err != nil {
		t.Fatal(err)
	}
	golden(t, "replay/semantics-differences.junit.xml", regexpTime.ReplaceAll(b.Bytes(), []byte(`time="T"`)))
}

var regexpTime = regexp.MustCompile(`time="[0-9.]+"`)
