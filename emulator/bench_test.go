package emulator

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/examples/flightbot"
	"github.com/cxhook/cxhook/fulfillment"
)

// BenchmarkReplayFlightHTTP replays the flight agent's 16 test cases (204
// turns) against the example function over loopback HTTP, the agent loaded
// from disk in each iteration: the budget is 2 s per iteration.
func BenchmarkReplayFlightHTTP(b *testing.B) {
	var at time.Time
	srv := httptest.NewServer(fulfillment.NewHTTPHandler(flightbot.NewMuxAt(func() time.Time { return at }), quiet))
	defer srv.Close()
	turns := 0
	for b.Loop() {
		a, err := agent.Load(flightAgent)
		if err != nil {
			b.Fatal(err)
		}
		e, err := New(a, Config{Seed: 1, Webhooks: &Webhooks{URL: srv.URL}})
		if err != nil {
			b.Fatal(err)
		}
		turns = 0
		for _, tc := range a.TestCases {
			at = tc.Created
			r := e.Replay(context.Background(), tc, ReplayConfig{})
			turns += len(r.Turns)
		}
	}
	b.ReportMetric(float64(turns), "turns/op")
}

// BenchmarkTurns measures turns per second in process, the agent loaded
// once: without webhooks (the budget is 5,000 turns/s) and with the example
// function called in process.
func BenchmarkTurns(b *testing.B) {
	for _, bc := range []struct {
		name     string
		webhooks *Webhooks
	}{
		{"webhooks-off", nil},
		{"example-in-process", &Webhooks{Handler: fulfillment.NewHTTPHandler(flightbot.NewMux(), quiet)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := newEmulator(b, flightAgent, Config{Seed: 1, Webhooks: bc.webhooks})
			cases := e.Agent().TestCases
			turns := 0
			start := time.Now()
			for b.Loop() {
				for _, tc := range cases {
					turns += len(e.Replay(context.Background(), tc, ReplayConfig{}).Turns)
				}
			}
			b.ReportMetric(float64(turns)/time.Since(start).Seconds(), "turns/s")
		})
	}
}
