package agent_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/fulfillment"
	"google.golang.org/protobuf/encoding/protojson"
)

var update = flag.Bool("update", false, "rewrite testdata/pizza-requests from the samples")

// TestSampleRequestsDecode holds every sample of every test agent to
// strict protojson (no member the v3 proto lacks, every value of its
// field's type) and to this repository's decoder.
func TestSampleRequestsDecode(t *testing.T) {
	for _, name := range append(slices.Clone(sharedAgents), "pizza") {
		t.Run(name, func(t *testing.T) {
			a := load(t, filepath.Join("testdata", name))
			samples, err := a.SampleRequests(agent.SampleOptions{})
			if err != nil {
				t.Fatal(err)
			}
			sites := 0
			for _, s := range a.CallSites() {
				if s.Page != nil {
					sites++
				}
			}
			if len(samples) != sites || sites == 0 {
				t.Fatalf("%d samples for %d call sites", len(samples), sites)
			}
			names := map[string]bool{}
			for _, s := range samples {
				if names[s.Name] || !strings.HasSuffix(s.Name, ".json") || strings.ContainsAny(s.Name, "/\\ :") {
					t.Errorf("sample name %q: repeated or not a plain file name", s.Name)
				}
				names[s.Name] = true
				if !json.Valid(s.Body) || !bytes.HasSuffix(s.Body, []byte("}\n")) {
					t.Errorf("%s: not JSON ending in a newline:\n%s", s.Name, s.Body)
				}
				if s.Flexible != strings.HasSuffix(s.Name, "_flexible.json") || s.Flexible != (s.Site.Webhook.Kind == agent.Flexible) {
					t.Errorf("%s: flexible %v", s.Name, s.Flexible)
				}
				if s.Flexible {
					continue
				}
				var pb cxpb.WebhookRequest
				if err := protojson.Unmarshal(s.Body, &pb); err != nil {
					t.Errorf("%s: not a strict v3 WebhookRequest: %v\n%s", s.Name, err, s.Body)
					continue
				}
				checkSample(t, a, s, &pb)
			}
		})
	}
}

// checkSample checks what a standard sample says against its call site.
func checkSample(t *testing.T, a *agent.Agent, s agent.Sample, pb *cxpb.WebhookRequest) {
	t.Helper()
	req, err := fulfillment.DecodeRequest(s.Body)
	if err != nil {
		t.Errorf("%s: DecodeRequest: %v", s.Name, err)
		return
	}
	site := s.Site
	if req.Tag() != site.Tag {
		t.Errorf("%s: tag %q, want %q", s.Name, req.Tag(), site.Tag)
	}
	if want := site.Page.ResourceName(agent.DefaultSampleAgent); req.Page().Name != want || req.Page().DisplayName != site.Page.DisplayName {
		t.Errorf("%s: page %+v, want %s", s.Name, req.Page(), want)
	}
	if req.Page().Flow() != site.Flow.ResourceName(agent.DefaultSampleAgent) || req.Agent() != agent.DefaultSampleAgent {
		t.Errorf("%s: flow %q, agent %q", s.Name, req.Page().Flow(), req.Agent())
	}
	if q := req.Query(); q.Kind != fulfillment.QueryText && q.Kind != fulfillment.QueryTriggerEvent {
		t.Errorf("%s: query %+v", s.Name, q)
	}
	if pb.GetLanguageCode() != a.DefaultLanguageCode {
		t.Errorf("%s: language %q", s.Name, pb.GetLanguageCode())
	}
	// intentInfo is there exactly when the turn matched an intent: always on
	// an intent route's site, never on a later prompt of a form or on its
	// final route.
	intent, hasIntent := req.Intent()
	if site.Kind == agent.SiteRoute && site.Route.Intent != nil && (!hasIntent || intent.DisplayName != site.Route.Intent.DisplayName) {
		t.Errorf("%s: an intent route's request without its intent (%+v)", s.Name, intent)
	}
	form := req.FormParams()
	if len(form) != len(site.Page.Form) {
		t.Fatalf("%s: %d form parameters, want %d", s.Name, len(form), len(site.Page.Form))
	}
	collected := 0
	for i, fp := range form {
		if fp.DisplayName != site.Page.Form[i].DisplayName || fp.Required != site.Page.Form[i].Required {
			t.Errorf("%s: form parameter %d is %+v", s.Name, i, fp)
		}
		if (fp.State == fulfillment.StateEmpty) != fp.Value.IsAbsent() {
			t.Errorf("%s: %s is %v with value %s", s.Name, fp.DisplayName, fp.State, fp.Value.JSON())
		}
		if fp.JustCollected {
			collected++
		}
	}
	if collected > 1 {
		t.Errorf("%s: %d parameters just collected", s.Name, collected)
	}
	switch site.Kind {
	case agent.SitePrompt:
		k := slices.Index(site.Page.Form, site.Param)
		if form[k].State != fulfillment.StateEmpty {
			t.Errorf("%s: the prompted parameter is %v", s.Name, form[k].State)
		}
		for _, fp := range form[:k] {
			if fp.State != fulfillment.StateFilled {
				t.Errorf("%s: %s, before the prompted parameter, is %v", s.Name, fp.DisplayName, fp.State)
			}
		}
		if collected > 0 && hasIntent {
			// A prompt after an answer to the previous prompt; the form
			// filled what the intent brought on entry, without a turn.
			t.Errorf("%s: a later prompt's request has intentInfo", s.Name)
		}
		if m := req.Messages(); len(m) == 0 || m[len(m)-1].ResponseType() != fulfillment.ResponseParameterPrompt {
			t.Errorf("%s: the prompt is not the last message queued", s.Name)
		}
	case agent.SiteRoute:
		// The form is complete: by the answer of this turn, or by the
		// parameters of the intent that entered the page this turn.
		if strings.Contains(site.Route.Condition, `$page.params.status = "FINAL"`) {
			if !req.FormComplete() || hasIntent != (collected == 0) || collected > 1 {
				t.Errorf("%s: a FINAL route's request: complete %v, intent %v, %d collected", s.Name, req.FormComplete(), hasIntent, collected)
			}
		}
	}
	for _, m := range req.Messages() {
		if m.ResponseType() == fulfillment.ResponseTypeUnspecified {
			t.Errorf("%s: a queued message without a response type", s.Name)
		}
	}
}

func TestSampleRequestsDeterministic(t *testing.T) {
	a := load(t, flightAgent)
	b := load(t, flightAgent)
	opts := agent.SampleOptions{Agent: "projects/p/locations/us-central1/agents/a"}
	x, err := a.SampleRequests(opts)
	if err != nil {
		t.Fatal(err)
	}
	y, err := b.SampleRequests(opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(x) != len(y) {
		t.Fatalf("%d and %d samples", len(x), len(y))
	}
	for i := range x {
		if x[i].Name != y[i].Name || !bytes.Equal(x[i].Body, y[i].Body) {
			t.Errorf("sample %d differs: %s / %s", i, x[i].Name, y[i].Name)
		}
		if !x[i].Flexible && !bytes.Contains(x[i].Body, []byte(`"projects/p/locations/us-central1/agents/a/flows/`)) {
			t.Errorf("%s does not use the agent name given", x[i].Name)
		}
	}
}

// TestSampleRequestsFlightAgent checks the flight agent's samples where the
// agent says what they must hold.
func TestSampleRequestsFlightAgent(t *testing.T) {
	a := load(t, flightAgent)
	samples, err := a.SampleRequests(agent.SampleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]agent.Sample{}
	var names []string
	for _, s := range samples {
		byName[s.Name] = s
		names = append(names, s.Name)
	}
	want := []string{
		"validation_address-validation-api_entry_flexible.json",
		"checkMileage_check-frequent-flyer-account-miles_frequent-flyer-account-number_prompt.json",
		"checkMileage_check-frequent-flyer-account-miles_passenger-name_prompt.json",
		"checkMileage_check-frequent-flyer-account-miles_final.json",
		"findAvailableTicket_collect-one-way-ticket-information_departure-date_prompt.json",
		"findAvailableTicket_collect-one-way-ticket-information_departure-airport_prompt.json",
		"findAvailableTicket_collect-one-way-ticket-information_arrival-airport_prompt.json",
		"findAvailableTicket_collect-one-way-ticket-information_outbound-departure-time_prompt.json",
		"findAvailableTicket_collect-one-way-ticket-information_passenger-name_prompt.json",
		"findAvailableTicket_collect-one-way-ticket-information_final.json",
		"findAvailableTicket_show-one-way-available-flights_entry.json",
		"getPreviousFeedbackDate_invoke-last-feedback-check-api_entry_flexible.json",
		"updateFeedback_invoke-update-feedback-api_entry_flexible.json",
	}
	if !slices.Equal(names, want) {
		t.Fatalf("samples:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
	decode := func(name string) *fulfillment.Request {
		t.Helper()
		r, err := fulfillment.DecodeRequest(byName[name].Body)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	// The first prompt of the miles form comes in the turn that matched
	// flights.available_miles on the start page: the route's message, the
	// page's entry message, then the prompt.
	first := decode("checkMileage_check-frequent-flyer-account-miles_frequent-flyer-account-number_prompt.json")
	if in, ok := first.Intent(); !ok || in.DisplayName != "flights.available_miles" {
		t.Errorf("first prompt: intent %+v", in)
	}
	var types []fulfillment.ResponseType
	for _, m := range first.Messages() {
		types = append(types, m.ResponseType())
	}
	if !slices.Equal(types, []fulfillment.ResponseType{fulfillment.ResponseHandlerPrompt, fulfillment.ResponseEntryPrompt, fulfillment.ResponseParameterPrompt}) {
		t.Errorf("first prompt: queued %v", types)
	}

	// The one-way form: the date arrives as @sys.date, the time as @sys.time,
	// and the intent's parameters are session parameters.
	final := decode("findAvailableTicket_collect-one-way-ticket-information_final.json")
	if d, err := final.Params().Date("departure_date"); err != nil || d.Year != 2036 {
		t.Errorf("departure_date %v, %v", d, err)
	}
	if tm, err := final.Params().TimeOfDay("outbound_departure_time"); err != nil || tm.Hours != 15 {
		t.Errorf("outbound_departure_time %v, %v", tm, err)
	}
	if l, err := final.Params().List("flight-type"); err != nil || len(l) != 1 {
		t.Errorf("flight-type %v, %v", l, err)
	}
	from, _ := final.Params().String("departure_airport")
	to, _ := final.Params().String("arrival_airport")
	if from == "" || from == to {
		t.Errorf("the airports are %q and %q", from, to)
	}

	// The feedback component's flexible bodies: the template with the tag
	// it carries.
	var body struct {
		PhoneNumber     string `json:"phone_number"`
		FeedbackScore   any    `json:"feedback_score"`
		FulfillmentInfo struct {
			Tag string `json:"tag"`
		} `json:"fulfillmentInfo"`
	}
	if err := json.Unmarshal(byName["updateFeedback_invoke-update-feedback-api_entry_flexible.json"].Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.FulfillmentInfo.Tag != "updateFeedback" || body.FeedbackScore != 3.0 {
		t.Errorf("update feedback body %+v", body)
	}
	// The address component posts an object built by a preset.
	var addr struct {
		Address struct {
			AddressLines string `json:"addressLines"`
		} `json:"address"`
	}
	if err := json.Unmarshal(byName["validation_address-validation-api_entry_flexible.json"].Body, &addr); err != nil || addr.Address.AddressLines == "" {
		t.Errorf("address body %s: %v", byName["validation_address-validation-api_entry_flexible.json"].Body, err)
	}
}

// TestSampleRequestsGolden compares the pizza agent's samples with
// testdata/pizza-requests; go test -run SampleRequestsGolden -update
// rewrites them.
func TestSampleRequestsGolden(t *testing.T) {
	a := load(t, "testdata/pizza")
	samples, err := a.SampleRequests(agent.SampleOptions{Agent: "projects/pizzeria/locations/europe-west1/agents/8c1f0e2a-4b7d-4e59-a3c6-d2f9b0e1a7c4"})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("testdata", "pizza-requests")
	if *update {
		os.RemoveAll(dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range samples {
		file := filepath.Join(dir, s.Name)
		if *update {
			if err := os.WriteFile(file, s.Body, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Errorf("%v (go test -run SampleRequestsGolden -update writes it)", err)
			continue
		}
		if !bytes.Equal(s.Body, want) {
			t.Errorf("%s differs from the golden file:\n%s", s.Name, s.Body)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*.json")); len(files) != len(samples) {
		t.Errorf("%d golden files for %d samples", len(files), len(samples))
	}
}
