package emulator

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// FuzzWebhookAnswer sends arbitrary 200 answers to a route's webhook: the
// turn never fails and never panics, and an answer is either applied or
// raises webhook.error (handled by the page: "error handled").
func FuzzWebhookAnswer(f *testing.F) {
	navB := loadAgent(f, semanticsAgent).StartFlow.Page("Nav B")
	for _, s := range []string{
		`{}`,
		`{"fulfillmentResponse":{"messages":[{"text":{"text":["a","b"]}}],"mergeBehavior":"REPLACE"}}`,
		`{"fulfillment_response":{"messages":[{"payload":{"x":1}}],"merge_behavior":2}}`,
		`{"sessionInfo":{"parameters":{"a":null,"b":{"c":[1,2]}}}}`,
		`{"pageInfo":{"formInfo":{"parameterInfo":[{"displayName":"a","state":"INVALID","value":1}]}}}`,
		`{"targetPage":"projects/p/locations/l/agents/a/flows/f/pages/` + navB.ID + `"}`,
		`{"targetPage":"x/flows/00000000-0000-0000-0000-000000000000/pages/END_SESSION"}`,
		`{"targetFlow":"x/flows/00000000-0000-0000-0000-000000000000","targetPage":"y"}`,
		`{"payload":[]}`, `[]`, `null`, ``, `{"fulfillmentResponse":{"mergeBehavior":"SIDEWAYS"}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, answer string) {
		if len(answer) > 4096 || strings.ContainsAny(answer, "\r\n\x00") {
			t.Skip()
		}
		// The answer travels in a request header the handler echoes, so
		// that each input has its own emulator and nothing is shared.
		hdr := http.Header{"X-Answer": {answer}}
		e := newEmulator(t, semanticsAgent, Config{Seed: 1, Webhooks: &Webhooks{Header: hdr, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(r.Header.Get("X-Answer")))
		})}})
		s := e.NewSession(SessionConfig{})
		if _, err := s.Send(context.Background(), Intent("go.hooks", nil)); err != nil {
			t.Fatal(err)
		}
		turn, err := s.Send(context.Background(), Intent("hook.append", nil))
		if err != nil {
			t.Fatal(err)
		}
		if len(turn.Webhooks) != 1 {
			t.Fatalf("%d calls", len(turn.Webhooks))
		}
		switch ev := turn.Webhooks[0].Event; ev {
		case "":
		case "webhook.error":
			if texts := turn.Texts(); len(texts) == 0 || texts[len(texts)-1] != "error handled" {
				t.Errorf("webhook.error not handled: %q", texts)
			}
		default:
			t.Errorf("a 200 answer raised %s", ev)
		}
	})
}
