package emulator

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
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
