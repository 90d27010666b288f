package emulator

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cxhook/cxhook/agent"
)

func newLocal(t testing.TB, path string, wh *Webhooks) *Emulator {
	t.Helper()
	a := loadAgent(t, path)
	l, err := NewLocalNLU(a)
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(a, Config{Seed: 1, NLU: l, Webhooks: wh})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestLocalNLUConversation: free text through the runtime with local NLU,
// as cxhook chat and emulatortest send it: an intent matched in scope, the
// prompted parameter filled from the text, a no-match raising
// sys.no-match, and the trace saying where each came from.
func TestLocalNLUConversation(t *testing.T) {
	e := newLocal(t, flightAgent, nil)
	created := time.Date(2020, 12, 2, 10, 0, 0, 0, time.UTC)
	s := e.NewSession(SessionConfig{Now: func() time.Time { return created }})
	ctx := context.Background()
	send := func(text string) *Turn {
		t.Helper()
		tr, err := s.Send(ctx, Text(text))
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		return tr
	}
	tr := send("I need a one way ticket")
	if tr.Intent == nil || strings.TrimSpace(tr.Intent.DisplayName) != "flights.one_way_ticket" {
		t.Fatalf("intent %v; trace:\n%s", tr.Intent, FormatTrace(tr.Trace, "  "))
	}
	if tr.Understood == nil || tr.Understood.Source != SourceLocalNLU || tr.Understood.Confidence <= 0 {
		t.Errorf("understood %+v", tr.Understood)
	}
	trace := FormatTrace(tr.Trace, "")
	if !strings.Contains(trace, "(local NLU, confidence ") || !strings.Contains(trace, "nlu      local NLU: intent") {
		t.Errorf("the trace does not say local NLU matched, with its confidence:\n%s", trace)
	}
	if tr.PageName() != "Collect One-Way Ticket Information" {
		t.Fatalf("page %q", tr.PageName())
	}
	// The page prompts for the departure date first.
	tr = send("Jan 5")
	if tr.Understood == nil || len(tr.Understood.Fill) == 0 || tr.Understood.Fill[0].Name != "departure_date" {
		t.Fatalf("Jan 5 filled %+v; trace:\n%s", tr.Understood, FormatTrace(tr.Trace, "  "))
	}
	p, _ := tr.Params.Get("departure_date")
	if want := map[string]any{"year": 2021.0, "month": 1.0, "day": 5.0}; !equalJSON(p, want) {
		t.Errorf("departure_date = %v after Jan 5, want %v", p, want)
	}
	tr = send("purple elephants dancing quietly")
	if tr.Intent != nil || tr.Understood == nil || len(tr.Understood.Fill) > 0 {
		t.Fatalf("gibberish understood as %+v", tr.Understood)
	}
	if !strings.Contains(FormatTrace(tr.Trace, ""), "sys.no-match") {
		t.Errorf("no sys.no-match raised:\n%s", FormatTrace(tr.Trace, "  "))
	}
}

// TestLocalNLUScope: only the intents of the routes in scope (and the
// negative intent) can match; the same text matches another intent when
// that one is in scope.
func TestLocalNLUScope(t *testing.T) {
	a := loadAgent(t, flightAgent)
	l, err := NewLocalNLU(a)
	if err != nil {
		t.Fatal(err)
	}
	book, yes := a.Intent("flights.book_flight"), a.Intent("small_talk.confirmation.yes")
	if book == nil || yes == nil {
		t.Fatal("the flight agent lacks its intents")
	}
	q := Query{Text: "I want to book a flight", Flow: a.StartFlow, Page: a.StartFlow.StartPage, Now: time.Now()}
	for _, tt := range []struct {
		scope []*agent.Intent
		want  string
	}{
		{[]*agent.Intent{book, yes}, "flights.book_flight"},
		{[]*agent.Intent{yes}, ""},
		{nil, ""},
	} {
		q.Intents = tt.scope
		u, err := l.Understand(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if got := intentName(&u); got != tt.want {
			t.Errorf("scope of %d intents: got %q, want %q (%s)", len(tt.scope), got, tt.want, u.Detail)
		}
	}
	// The negative intent's phrases are no match in any scope.
	neg := a.Intent("Default Negative Intent")
	if neg == nil || len(neg.TrainingPhrases) == 0 {
		t.Skip("no negative intent phrases")
	}
	q.Text, q.Intents = neg.TrainingPhrases[0].Text(), a.Intents
	u, err := l.Understand(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if u.Intent != nil {
		t.Errorf("negative phrase %q matched %q", q.Text, u.Intent.DisplayName)
	}
}

// TestLocalNLUOtherLanguage: a language the agent's model is not prepared
// for is an error of the turn, not a silent no-match.
func TestLocalNLUOtherLanguage(t *testing.T) {
	a := loadAgent(t, flightAgent)
	l, err := NewLocalNLU(a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Understand(context.Background(), Query{Text: "bonjour", LanguageCode: "fr", Flow: a.StartFlow}); err == nil {
		t.Error("French understood")
	}
}

// TestLocalNLUReplay replays the flight agent's 16 test cases with local
// NLU in place of the oracle, each turn from the recorded state (Resync),
// without webhooks and against the example function in process, and
// scores intent and parameter accuracy per text turn. The floors are just
// below what the current code reaches; go test -run TestLocalNLUReplay -v
// prints the figures and every miss.
func TestLocalNLUReplay(t *testing.T) {
	for _, tt := range []struct {
		name            string
		webhooks        func(now func() time.Time) *Webhooks
		intents, params float64
	}{
		{"no-webhooks", func(func() time.Time) *Webhooks { return nil }, 0.91, 0.88},
		{"example-in-process", inProcessExample, 0.91, 0.88},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var at time.Time
			e := newLocal(t, flightAgent, tt.webhooks(func() time.Time { return at }))
			var results []*CaseResult
			for _, tc := range e.Agent().TestCases {
				at = tc.Created
				results = append(results, e.Replay(context.Background(), tc, ReplayConfig{Mode: UseNLU, Resync: true}))
			}
			if len(results) != 16 {
				t.Fatalf("%d test cases, want 16", len(results))
			}
			sc := ScoreNLU(results)
			if testing.Verbose() {
				sc.Write(os.Stdout)
			}
			if sc.Turns < 150 {
				t.Errorf("only %d text turns scored", sc.Turns)
			}
			if got := sc.IntentAccuracy(); got < tt.intents {
				t.Errorf("intent accuracy %.3f below the floor %.2f", got, tt.intents)
			}
			if got := sc.ParamAccuracy(); got < tt.params {
				t.Errorf("parameter accuracy %.3f below the floor %.2f", got, tt.params)
			}
		})
	}
}
