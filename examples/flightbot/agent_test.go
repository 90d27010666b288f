package flightbot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cxhook/cxhook/fulfillment"
	"github.com/cxhook/cxhook/internal/fakeclock"
	"github.com/go-json-experiment/json/jsontext"
)

// These tests check the handlers' business rules on a clock of their own,
// through the HTTP adapter, with requests derived from testdata/requests.

// newTestHandler returns the example's handler on a clock set to now.
func newTestHandler(now time.Time) (http.Handler, *fakeclock.Clock) {
	c := fakeclock.New(now)
	h := fulfillment.NewHTTPHandler(newMux(c.Now), fulfillment.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	return h, c
}

// loadRequest reads testdata/requests/<name>.json as a JSON object.
func loadRequest(t testing.TB, name string) map[string]any {
	t.Helper()
	var r map[string]any
	if err := json.Unmarshal(readFile(t, filepath.Join("testdata", "requests", name+".json")), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// call sends r to h and returns the status and the answer as a JSON object.
func call(t testing.TB, h http.Handler, r map[string]any) (int, map[string]any) {
	t.Helper()
	body, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body)))
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("answer is not JSON: %v: %s", err, rec.Body)
	}
	return rec.Code, out
}

// setForm sets a form parameter's value and state ("" for EMPTY, which
// drops the value), and mirrors the value into the session parameters.
func setForm(r map[string]any, name string, value any) {
	for _, p := range formParams(r) {
		p := p.(map[string]any)
		if p["displayName"] != name {
			continue
		}
		if value == "" {
			p["state"] = "EMPTY"
			delete(p, "value")
			delete(params(r), name)
			return
		}
		p["state"] = "FILLED"
		p["value"] = value
		params(r)[name] = value
	}
}

// The parts of an answer the tests look at.

func texts(a map[string]any) string {
	fr, _ := a["fulfillmentResponse"].(map[string]any)
	msgs, _ := fr["messages"].([]any)
	var out []string
	for _, m := range msgs {
		txt, _ := m.(map[string]any)["text"].(map[string]any)
		for _, s := range txt["text"].([]any) {
			out = append(out, s.(string))
		}
	}
	return strings.Join(out, "\n")
}

func sessionParams(a map[string]any) map[string]any {
	si, _ := a["sessionInfo"].(map[string]any)
	p, _ := si["parameters"].(map[string]any)
	return p
}

func invalidated(a map[string]any) []string {
	pi, _ := a["pageInfo"].(map[string]any)
	fi, _ := pi["formInfo"].(map[string]any)
	list, _ := fi["parameterInfo"].([]any)
	var names []string
	for _, p := range list {
		if p := p.(map[string]any); p["state"] == "INVALID" {
			names = append(names, p["displayName"].(string))
		}
	}
	return names
}

func target(a map[string]any) string {
	s, _ := a["targetPage"].(string)
	return s[strings.LastIndex(s, "/")+1:]
}

func date(y, m, d int) map[string]any { return map[string]any{"year": y, "month": m, "day": d} }

var march14 = time.Date(2036, 3, 14, 18, 0, 0, 0, time.UTC)

func TestTimetable(t *testing.T) {
	t.Parallel()
	numbers := map[string]bool{}
	for _, r := range timetable {
		name := r.from + "-" + r.to
		if cities[r.from] == "" || cities[r.to] == "" || r.from == r.to {
			t.Errorf("%s: an airport the airline does not serve", name)
		}
		if len(r.flights) < len(optionLetters) {
			t.Errorf("%s: %d flights, fewer than the %d options the agent lists", name, len(r.flights), len(optionLetters))
		}
		if !slices.IsSortedFunc(r.flights, func(x, y flight) int { return strings.Compare(x.departs, y.departs) }) {
			t.Errorf("%s: flights not in order of departure", name)
		}
		for _, f := range r.flights {
			_, err1 := time.Parse("15:04", f.departs)
			_, err2 := time.Parse("15:04", f.arrives)
			if err1 != nil || err2 != nil || numbers[f.number] {
				t.Errorf("%s: bad or repeated flight %+v", name, f)
			}
			numbers[f.number] = true
		}
		if back := findRoute(r.to, r.from); back == nil || back.fare != r.fare || !slices.Equal(back.closed, r.closed) {
			t.Errorf("%s: no matching way back", name)
		}
	}
}

// TestFormPrompt checks the calls at the one-way form's prompts: what is
// filled so far is checked, and a problem invalidates the parameter and
// replaces the queued prompt with the reason and the question again.
func TestFormPrompt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		now         time.Time
		form        map[string]any
		wantInvalid string // "" for no problem
		wantText    string
	}{
		{"all fine", march14, nil, "", ""},
		{"unknown departure airport", march14, map[string]any{paramFrom: "BOS\t"}, paramFrom, "Sorry, we don't fly from BOS. We fly from JFK, LAX, SEA and SFO. " + askFrom},
		{"unknown arrival airport", march14, map[string]any{paramTo: "BOS\t"}, paramTo, "Sorry, we don't fly to BOS. " + askTo},
		{"arrival before departure", march14, map[string]any{paramFrom: "", paramTo: "JFK\t"}, "", ""},
		{"no route", march14, map[string]any{paramTo: "sfo"}, paramTo, "Sorry, we don't fly from SFO to SFO. From SFO we fly to JFK, LAX and SEA. " + askTo},
		{"date checked before airports", march14, map[string]any{paramDate: date(2020, 2, 29), paramFrom: "BOS"}, paramDate, "Saturday, February 29, 2020 has already passed. " + askDate},
		// A day is past once it is past everywhere: at 12:00 UTC it is midnight in UTC-12.
		{"yesterday, still today in UTC-12", time.Date(2036, 3, 14, 11, 59, 0, 0, time.UTC), map[string]any{paramDate: date(2036, 3, 13)}, "", ""},
		{"yesterday everywhere", time.Date(2036, 3, 14, 12, 0, 0, 0, time.UTC), map[string]any{paramDate: date(2036, 3, 13)}, paramDate, "Thursday, March 13, 2036 has already passed. " + askDate},
		{"today", time.Date(2036, 3, 14, 23, 59, 0, 0, time.UTC), map[string]any{paramDate: date(2036, 3, 14)}, "", ""},
		{"a date as doubles", march14, map[string]any{paramDate: map[string]any{"year": 2036.0, "month": 3.0, "day": 20.0}}, "", ""},
		{"an unreadable date is left to the final route", march14, map[string]any{paramDate: "next week"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, _ := newTestHandler(tt.now)
			r := loadRequest(t, "findAvailableTicket_form_prompt")
			for k, v := range tt.form {
				setForm(r, k, v)
			}
			status, a := call(t, h, r)
			if status != http.StatusOK {
				t.Fatalf("status %d: %v", status, a)
			}
			if tt.wantInvalid == "" {
				if len(a) != 0 {
					t.Errorf("got %v, want {}", a)
				}
				return
			}
			if got := invalidated(a); !slices.Equal(got, []string{tt.wantInvalid}) {
				t.Errorf("invalidated %v, want [%s]", got, tt.wantInvalid)
			}
			if got := texts(a); got != tt.wantText {
				t.Errorf("text %q, want %q", got, tt.wantText)
			}
			if fr := a["fulfillmentResponse"].(map[string]any); fr["mergeBehavior"] != "REPLACE" {
				t.Errorf("the queued prompt for the next parameter is kept: %v", fr)
			}
		})
	}
}

// TestFinalRoute checks the call on the one-way form's FINAL route: a
// problem clears its parameter and re-enters the page.
func TestFinalRoute(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		form      map[string]any
		wantParam string // the parameter cleared; "" if the trip is fine
		wantText  string
	}{
		{"fine", nil, "", ""},
		{"past date", map[string]any{paramDate: date(2036, 3, 1)}, paramDate, "Saturday, March 1, 2036 has already passed."},
		{"unreadable date", map[string]any{paramDate: "next week"}, paramDate, "Sorry, I didn't catch the day of your flight."},
		{"unknown airport", map[string]any{paramFrom: "ATL\t"}, paramFrom, "Sorry, we don't fly from ATL. We fly from JFK, LAX, SEA and SFO."},
		{"no route", map[string]any{paramFrom: "LAX\t"}, paramTo, "Sorry, we don't fly from LAX to SEA. From LAX we fly to SFO."},
		{"no flights that day", map[string]any{paramFrom: "JFK", paramDate: date(2036, 3, 19)}, paramDate, "There are no flights from JFK to SEA on Wednesday, March 19, 2036."},
		{"flights the day after", map[string]any{paramFrom: "JFK", paramDate: date(2036, 3, 20)}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, _ := newTestHandler(march14)
			r := loadRequest(t, "findAvailableTicket_final_route")
			for k, v := range tt.form {
				setForm(r, k, v)
			}
			_, a := call(t, h, r)
			p := sessionParams(a)
			if tt.wantParam == "" {
				if texts(a) != "" || target(a) != "" || len(p) != 2 || p[paramTo] != "SEA" {
					t.Errorf("got %v, want only the airport codes, without the tab", a)
				}
				return
			}
			if v, ok := p[tt.wantParam]; !ok || v != nil || len(p) != 1 {
				t.Errorf("session parameters %v, want only %s cleared", p, tt.wantParam)
			}
			if texts(a) != tt.wantText || target(a) != fulfillment.CurrentPage {
				t.Errorf("text %q, target %q; want %q, %s", texts(a), target(a), tt.wantText, fulfillment.CurrentPage)
			}
		})
	}
}

func TestShowFlights(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		params     map[string]any // changes to the session parameters
		wantOpts   []string       // flight_number_A, _B, _C; nil: no options
		wantTarget string
	}{
		{"the three closest to the preferred time", nil, []string{"ZY 212", "ZY 214", "ZY 216"}, ""},
		{"early", map[string]any{paramTime: map[string]any{"hours": 6, "minutes": 0}}, []string{"ZY 210", "ZY 212", "ZY 214"}, ""},
		{"no preferred time", map[string]any{paramTime: nil}, []string{"ZY 210", "ZY 212", "ZY 214"}, ""},
		{"no trip", map[string]any{paramDate: nil, paramFrom: nil, paramTo: nil}, nil, fulfillment.StartPage},
		{"no flights that day", map[string]any{paramFrom: "SEA", paramTo: "JFK", paramDate: date(2036, 3, 18)}, nil, fulfillment.StartPage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, _ := newTestHandler(march14)
			r := loadRequest(t, "findAvailableTicket_show_flights")
			for k, v := range tt.params {
				params(r)[k] = v
			}
			_, a := call(t, h, r)
			p := sessionParams(a)
			var opts []string
			for _, x := range optionLetters {
				if n, ok := p["flight_number_"+x].(string); ok {
					opts = append(opts, n)
				}
			}
			if !slices.Equal(opts, tt.wantOpts) || target(a) != tt.wantTarget {
				t.Errorf("options %v, target %q; want %v, %q", opts, target(a), tt.wantOpts, tt.wantTarget)
			}
			// The stale entry message is gone; the earlier route's message stays.
			txt := texts(a)
			if strings.Contains(txt, "$session.params") || !strings.HasPrefix(txt, "Thank you for that information.") {
				t.Errorf("messages:\n%s", txt)
			}
		})
	}
}

func TestCheckMileage(t *testing.T) {
	t.Parallel()
	t.Run("email address, any case", func(t *testing.T) {
		t.Parallel()
		h, _ := newTestHandler(march14)
		r := loadRequest(t, "checkMileage_form_known")
		setForm(r, paramAccount, " JetSet2020@Gmail.com")
		_, a := call(t, h, r)
		if p := sessionParams(a); len(p) != 1 || p["account"] != nil {
			t.Errorf("got %v, want account cleared", a)
		}
	})
	t.Run("holder's name, any case and spacing", func(t *testing.T) {
		t.Parallel()
		h, _ := newTestHandler(march14)
		r := loadRequest(t, "checkMileage_final_route")
		setForm(r, paramPassenger, "  melina   GARCIA ")
		_, a := call(t, h, r)
		if p := sessionParams(a); p["mileage"] != 55000.0 {
			t.Errorf("got %v, want mileage 55000", a)
		}
	})
	t.Run("someone else's name", func(t *testing.T) {
		t.Parallel()
		h, _ := newTestHandler(march14)
		r := loadRequest(t, "checkMileage_final_route")
		setForm(r, paramPassenger, "Rita Okafor")
		_, a := call(t, h, r)
		p := sessionParams(a)
		if _, ok := p["mileage"]; ok || target(a) != fulfillment.CurrentPage || p[paramAccount] != nil || p[paramPassenger] != nil {
			t.Errorf("got %v, want the page re-entered without the miles", a)
		}
	})
}

// TestFeedback calls the feedback component's two flexible webhooks as the
// Feedback flow does, and runs the flow's own route conditions on what the
// last feedback check's mapping sets: a caller who gave feedback less than
// 30 days ago is not asked again.
func TestFeedback(t *testing.T) {
	t.Parallel()
	h, clk := newTestHandler(march14)
	check, update := feedbackWebhook(t, lastFeedbackCheckWebhook), feedbackWebhook(t, updateFeedbackWebhook)
	const caller = "+14155550123"
	// asks returns whether the flow asks a caller with that phone number
	// (nil: unset) for feedback, and the day of the last feedback.
	asks := func(phone any) (bool, any) {
		t.Helper()
		params := map[string]any{}
		if phone != nil {
			params["$session.params.phone_number"] = phone
		}
		status, answer, mapped := callFlexible(t, h, check, params)
		if status != http.StatusOK {
			t.Fatalf("%s: status %d: %v", check.DisplayName, status, answer)
		}
		return asksForFeedback(t, mapped), answer["last_feedback_date"]
	}
	give := func(phone any, score any, comment any) {
		t.Helper()
		params := map[string]any{"$flow.feedback_score": score}
		if phone != nil {
			params["$session.params.phone_number"] = phone
		}
		if comment != nil {
			params["$flow.feedback_comment"] = comment
		}
		status, answer, mapped := callFlexible(t, h, update, params)
		if status != http.StatusOK || len(answer) != 0 || len(mapped) != 0 {
			t.Fatalf("%s: status %d, answer %v, mapped %v; want 200, {} and nothing mapped", update.DisplayName, status, answer, mapped)
		}
	}

	if ask, day := asks(caller); !ask || day != nil {
		t.Errorf("before any feedback: asks %v, last %v; want true and no date", ask, day)
	}
	give(caller, 2.0, "the bot kept asking for my airport code")

	clk.Set(march14.Add(29 * 24 * time.Hour))
	if ask, day := asks(caller); ask || day != "2036-03-14" {
		t.Errorf("29 days after feedback: asks %v, last %v; want false, 2036-03-14", ask, day)
	}
	if ask, _ := asks("  " + caller + " "); ask {
		t.Error("the same number with spaces around it: asks again")
	}
	if ask, day := asks("+442071838750"); !ask || day != nil {
		t.Errorf("another caller: asks %v, last %v; want true and no date", ask, day)
	}
	// Without a phone number (the flight agent never sets one) the flow
	// asks every time, and feedback is not kept.
	if ask, _ := asks(nil); !ask {
		t.Error("an unknown caller is not asked")
	}
	give(nil, 5.0, nil)
	if ask, _ := asks(nil); !ask {
		t.Error("an unknown caller who gave feedback is not asked again")
	}

	clk.Set(march14.Add(30 * 24 * time.Hour))
	if ask, day := asks(caller); !ask || day != "2036-03-14" {
		t.Errorf("30 days after feedback: asks %v, last %v; want true, 2036-03-14", ask, day)
	}
	// A high score comes without a comment, its reference left as
	// written: none is kept.
	give(caller, "4", nil)
	if ask, day := asks(caller); ask || day != "2036-04-13" {
		t.Errorf("after new feedback: asks %v, last %v; want false, 2036-04-13", ask, day)
	}
}

// TestFeedbackKept checks what updateFeedback stores, read back from the
// store: the score, the comment, none for an unset one.
func TestFeedbackKept(t *testing.T) {
	t.Parallel()
	a := &airline{now: func() time.Time { return march14 }, feedback: newFeedbackStore()}
	mux := fulfillment.NewMux()
	mux.HandleFlexible("updateFeedback", fulfillment.Flexible(a.updateFeedback))
	h := fulfillment.NewHTTPHandler(mux, fulfillment.WithLogger(slog.New(slog.DiscardHandler)))
	update := feedbackWebhook(t, updateFeedbackWebhook)
	for _, tt := range []struct {
		phone, comment any
		score          any
		want           feedback
	}{
		{"+14155550123", "too many questions", 2.0, feedback{score: 2, comment: "too many questions"}},
		{"+14155550124", nil, 5.0, feedback{score: 5}},                         // "$flow.feedback_comment" as written
		{"+14155550125", "$5 fee", "3", feedback{score: 3, comment: "$5 fee"}}, // a dollar is not a reference
		{14155550126.0, 42.0, 1.0, feedback{score: 1, comment: "42"}},
	} {
		params := map[string]any{"$session.params.phone_number": tt.phone, "$flow.feedback_score": tt.score}
		if tt.comment != nil {
			params["$flow.feedback_comment"] = tt.comment
		}
		if status, answer, _ := callFlexible(t, h, update, params); status != http.StatusOK {
			t.Fatalf("%v: status %d: %v", tt.phone, status, answer)
		}
		key := "tel:" + fmt.Sprint(tt.phone)
		if f, ok := tt.phone.(float64); ok {
			key = "tel:" + strconv.FormatFloat(f, 'f', -1, 64)
		}
		got, ok := a.feedback.last(key)
		if got.at = (time.Time{}); !ok || got != tt.want {
			t.Errorf("%s: kept %+v (%v), want %+v", key, got, ok, tt.want)
		}
	}
}

// TestUpdateFeedbackScore posts the scores the template can carry. How
// Dialogflow writes a number into the quoted placeholder is not
// documented: as the value (2), or as text ("2"); both are read.
func TestUpdateFeedbackScore(t *testing.T) {
	t.Parallel()
	update := feedbackWebhook(t, updateFeedbackWebhook)
	for _, tt := range []struct {
		score any // the value of $flow.feedback_score; jsontext.Value as written
		want  int
	}{
		{1.0, 200}, {5.0, 200}, {3.0, 200}, {jsontext.Value("3.0"), 200}, {"4", 200}, {"4.0", 200}, {" 4 ", 200},
		{0.0, 400}, {6.0, 400}, {2.5, 400}, {-1.0, 400}, {"2.5", 400}, {"five", 400}, {"", 400},
		{"NaN", 400}, {"Infinity", 400}, {"0x2", 400}, {"1e0", 200}, {true, 400}, {nil, 400},
		{[]any{3.0}, 400}, {map[string]any{"value": 3.0}, 400},
	} {
		t.Run(fmt.Sprint(tt.score), func(t *testing.T) {
			t.Parallel()
			h, _ := newTestHandler(march14)
			params := map[string]any{"$session.params.phone_number": "+14155550123", "$flow.feedback_score": tt.score}
			if status, answer, _ := callFlexible(t, h, update, params); status != tt.want {
				t.Errorf("status %d, want %d: %v", status, tt.want, answer)
			}
		})
	}
	t.Run("unset", func(t *testing.T) {
		t.Parallel()
		h, _ := newTestHandler(march14)
		body := render(t, update, map[string]any{"$session.params.phone_number": "+14155550123"})
		if !bytes.Contains(body, []byte(`"$flow.feedback_score"`)) {
			t.Fatalf("the unset score is not left as written: %s", body)
		}
		if status, answer, _ := postFlexible(t, h, update, body); status != http.StatusBadRequest {
			t.Errorf("status %d, want 400: %v", status, answer)
		}
	})
}

// TestFeedbackConcurrent runs feedback calls side by side, for the race
// detector.
func TestFeedbackConcurrent(t *testing.T) {
	t.Parallel()
	h, _ := newTestHandler(march14)
	check, update := feedbackWebhook(t, lastFeedbackCheckWebhook), feedbackWebhook(t, updateFeedbackWebhook)
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Go(func() {
			wh := update
			if i%2 == 1 {
				wh = check
			}
			params := map[string]any{"$session.params.phone_number": fmt.Sprintf("+1415555%04d", i%5), "$flow.feedback_score": 2.0}
			if status, answer, _ := callFlexible(t, h, wh, params); status != http.StatusOK {
				t.Errorf("%s: status %d: %v", wh.DisplayName, status, answer)
			}
		})
	}
	wg.Wait()
}

// TestFeedbackStoreBound checks that the store keeps a bounded number of
// bytes, whatever callers send: long comments are clipped, long caller keys
// are not kept, and the oldest feedback goes first.
func TestFeedbackStoreBound(t *testing.T) {
	t.Parallel()
	s := newFeedbackStore()
	huge := strings.Repeat("é", 1<<20) // 2 MB of two-byte characters
	for i := range 88 {
		s.add(fmt.Sprint("tel:+1415555", i), feedback{score: 1, comment: huge, at: march14})
	}
	last, ok := s.last("tel:+141555587")
	if !ok || len(last.comment) > maxCommentBytes || !utf8.ValidString(last.comment) || !strings.HasPrefix(huge, last.comment) {
		t.Fatalf("a 2 MB comment is kept as %d bytes (valid UTF-8: %v), want it clipped to at most %d", len(last.comment), utf8.ValidString(last.comment), maxCommentBytes)
	}
	for i := range 100_000 {
		s.add(fmt.Sprint(i), feedback{score: 3, comment: "fine", at: march14})
	}
	if s.bytes > maxStoreBytes {
		t.Errorf("%d bytes kept, more than %d", s.bytes, maxStoreBytes)
	}
	want := 0
	for el := s.order.Front(); el != nil; el = el.Next() {
		want += el.Value.(*storedFeedback).size()
	}
	if s.bytes != want || len(s.byCaller) != s.order.Len() {
		t.Errorf("the store counts %d bytes and %d callers, holds %d bytes and %d in order", s.bytes, len(s.byCaller), want, s.order.Len())
	}
	if _, ok := s.last("99999"); !ok {
		t.Error("the latest feedback is lost")
	}
	if _, ok := s.last("tel:+14155550"); ok {
		t.Error("the oldest feedback is still kept")
	}

	// Feedback again from one caller replaces it, counted once.
	before := s.bytes
	s.add("99999", feedback{score: 5, comment: "fine", at: march14})
	if f, _ := s.last("99999"); s.bytes != before || f.score != 5 {
		t.Errorf("updating one caller: %d bytes (was %d), score %d", s.bytes, before, f.score)
	}
	for _, caller := range []string{"", "tel:" + strings.Repeat("5", maxCallerBytes)} {
		s.add(caller, feedback{score: 2})
		if _, ok := s.last(caller); ok {
			t.Errorf("feedback kept for the caller key of %d bytes", len(caller))
		}
	}
}

// TestUpdateFeedbackLongComment sends updateFeedback a comment of nearly
// the body limit, through the function: it is answered, and kept clipped.
func TestUpdateFeedbackLongComment(t *testing.T) {
	t.Parallel()
	a := &airline{now: func() time.Time { return march14 }, feedback: newFeedbackStore()}
	mux := fulfillment.NewMux()
	mux.HandleFlexible("updateFeedback", fulfillment.Flexible(a.updateFeedback))
	h := fulfillment.NewHTTPHandler(mux, fulfillment.WithLogger(slog.New(slog.DiscardHandler)))
	params := map[string]any{
		"$session.params.phone_number": "+14155550123",
		"$flow.feedback_score":         2.0,
		"$flow.feedback_comment":       strings.Repeat("x", fulfillment.DefaultMaxBodyBytes-8<<10),
	}
	if status, answer, _ := callFlexible(t, h, feedbackWebhook(t, updateFeedbackWebhook), params); status != http.StatusOK {
		t.Fatalf("status %d: %v", status, answer)
	}
	if a.feedback.order.Len() != 1 || a.feedback.bytes > maxCommentBytes+maxCallerBytes+entryOverhead {
		t.Errorf("the store holds %d bytes for one comment", a.feedback.bytes)
	}
}
