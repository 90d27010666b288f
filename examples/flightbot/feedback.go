package flightbot

import (
	queue "container/list"
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/cxhook/cxhook/fulfillment"
	"github.com/go-json-experiment/json"
)

// The Feedback flow is Google's prebuilt feedback component, and its two
// webhooks are FLEXIBLE: Dialogflow posts the body each webhook's
// requestBody template renders, not a WebhookRequest, and sets flow
// parameters from members of the answer through the webhook's
// parameterMapping. This function serves both as the export has them:
//
//   - prebuilt_components_feedback:last_feedback_check posts
//     {"phone_number": "$session.params.phone_number",
//     "fulfillmentInfo": {"tag": "getPreviousFeedbackDate"}} and maps
//     last_feedback_time_elapsed into $flow.last_feedback_time_elapsed,
//     which the page "check last feedback provided " compares with "true".
//   - prebuilt_components_feedback:update_feedback posts phone_number,
//     "feedback_score": "$flow.feedback_score" and "feedback_comment":
//     "$flow.feedback_comment", with the tag updateFeedback, and maps
//     nothing.
//
// A flexible body carries no session, so feedback is kept by phone number.
// The component expects the agent to set $session.params.phone_number (a
// telephony integration can, from the caller ID); the flight agent never
// does, and a caller without a known number is asked for feedback every
// time.
//
// How Dialogflow fills a template is not documented, so the request types
// read each member as a fulfillment.Value and accept every form it can
// plausibly take:
//
//   - a placeholder that is a whole JSON string ("$flow.feedback_score")
//     may be replaced by the value itself (3, as package agent renders
//     templates) or by its text ("3", as package fulfillment's
//     documentation assumes): the score is read from either;
//   - the reference to an unset parameter may stay as written (as it does
//     in text responses) or become null: either means unknown (see
//     unresolved).

// The members of the component's request bodies.
const (
	paramPhone   = "phone_number"
	paramScore   = "feedback_score"
	paramComment = "feedback_comment"
)

// feedbackInterval is how long after giving feedback a caller is not asked
// for it again.
const feedbackInterval = 30 * 24 * time.Hour

// lastFeedbackCheck is the body of last_feedback_check:
//
//	{"phone_number": "$session.params.phone_number", "fulfillmentInfo": {"tag": "getPreviousFeedbackDate"}}
//
// rendered. The phone number is a fulfillment.Value because what the
// placeholder becomes is not documented: text, a number, null, or the
// reference itself (see templateText). Members without a field, such as
// fulfillmentInfo, are ignored.
type lastFeedbackCheck struct {
	PhoneNumber fulfillment.Value `json:"phone_number"`
}

// lastFeedbackAnswer is the answer last_feedback_check maps.
type lastFeedbackAnswer struct {
	// Elapsed is "true" or "false", a string: the flow compares it with
	// "true". The mapping sets $flow.last_feedback_time_elapsed from it.
	Elapsed string `json:"last_feedback_time_elapsed"`
	// LastDate is the day of the caller's last feedback (2036-03-14), if
	// any. The exported mapping does not read it; an agent that wants it
	// maps $flow.last_feedback_date to last_feedback_date.
	LastDate string `json:"last_feedback_date,omitempty"`
}

// getPreviousFeedbackDate tells the Feedback flow whether to ask for
// feedback: last_feedback_time_elapsed is "true" unless the caller gave
// feedback within feedbackInterval, or the caller's phone number is
// unknown.
func (a *airline) getPreviousFeedbackDate(_ context.Context, r lastFeedbackCheck) (lastFeedbackAnswer, error) {
	caller, err := feedbackCaller(r.PhoneNumber)
	if err != nil {
		return lastFeedbackAnswer{}, err
	}
	last, ok := a.feedback.last(caller)
	answer := lastFeedbackAnswer{Elapsed: strconv.FormatBool(!ok || a.now().Sub(last.at) >= feedbackInterval)}
	if ok {
		answer.LastDate = last.at.UTC().Format(time.DateOnly)
	}
	return answer, nil
}

// feedbackUpdate is the body of update_feedback, which adds
// "feedback_score": "$flow.feedback_score" and "feedback_comment":
// "$flow.feedback_comment" to phone_number.
type feedbackUpdate struct {
	PhoneNumber fulfillment.Value `json:"phone_number"`
	Score       fulfillment.Value `json:"feedback_score"`
	Comment     fulfillment.Value `json:"feedback_comment"`
}

// updateFeedback records the caller's feedback: feedback_score, from 1 to
// 5, and feedback_comment, which the flow leaves unset for a high score
// (kept up to maxCommentBytes). The answer is {}: the webhook maps
// nothing.
func (a *airline) updateFeedback(_ context.Context, r feedbackUpdate) (struct{}, error) {
	score, err := feedbackScore(r.Score)
	if err != nil {
		// Not the user's mistake: the flow checks the score before this
		// call, so the agent is set up wrong. Answering 400
		// (webhook.error.bad-request) fires the page's webhook.error
		// handler, which apologizes and ends the flow, instead of letting
		// the flow thank the user for feedback that was lost. The log line
		// names the member; it never holds the value.
		return struct{}{}, err
	}
	caller, err := feedbackCaller(r.PhoneNumber)
	if err != nil {
		return struct{}{}, err
	}
	comment, ok, err := templateText(paramComment, r.Comment)
	if err != nil {
		return struct{}{}, err
	}
	if !ok {
		comment = "" // a high score: no comment asked for
	}
	a.feedback.add(caller, feedback{score: score, comment: comment, at: a.now()})
	return struct{}{}, nil
}

// feedbackCaller returns whom feedback is remembered for: "tel:" and the
// phone number, or "" if the number is unknown. A phone number that is
// neither text nor a number is an error (400).
func feedbackCaller(phone fulfillment.Value) (string, error) {
	s, ok, err := templateText(paramPhone, phone)
	if !ok || err != nil {
		return "", err
	}
	if s = strings.TrimSpace(s); s == "" {
		return "", nil
	}
	return "tel:" + s, nil
}

// feedbackScore reads the score, a whole number from 1 to 5, written as a
// JSON number (2, 2.0) or as its text ("2", "2.0"). Anything else,
// including an unset score, is an error (400).
func feedbackScore(v fulfillment.Value) (int, error) {
	s, ok, err := templateText(paramScore, v)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, badMember(paramScore, "is unset")
	}
	var f float64
	// The JSON number grammar: no "NaN", "Inf", hex or underscores.
	if err := json.Unmarshal([]byte(strings.TrimSpace(s)), &f); err != nil {
		return 0, badMember(paramScore, "is not a number")
	}
	if !(f >= 1 && f <= 5) || f != math.Trunc(f) {
		return 0, badMember(paramScore, "is not a whole number from 1 to 5")
	}
	return int(f), nil
}

// templateText returns the text of the body member name, which a template
// fills from a parameter reference: a string as it is, a number in its
// shortest form. ok is false if the member is absent, null, or an unset
// parameter's reference left as written. Any other kind of value is an
// error (400) naming the member and its kind, never its value.
func templateText(name string, v fulfillment.Value) (text string, ok bool, err error) {
	switch v.Kind() {
	case "absent", "null":
		return "", false, nil
	case "string":
		s, _ := v.String()
		if unresolved(s) {
			return "", false, nil
		}
		return s, true, nil
	case "number":
		f, _ := v.Number()
		return strconv.FormatFloat(f, 'f', -1, 64), true, nil
	}
	return "", false, badMember(name, "is a "+v.Kind()+", not text or a number")
}

// unresolved reports whether s is a parameter reference and nothing else
// ("$session.params.phone_number", "$flow.feedback_comment"): what a
// template holds for a parameter the session has not set, if Dialogflow
// leaves it as written there as it does in text responses.
func unresolved(s string) bool {
	for _, prefix := range []string{"$session.params.", "$flow.", "$page.params."} {
		if name, ok := strings.CutPrefix(s, prefix); ok {
			return name != "" && !strings.ContainsFunc(name, func(r rune) bool {
				return r != '_' && r != '-' && !('0' <= r && r <= '9') && !('a' <= r && r <= 'z') && !('A' <= r && r <= 'Z')
			})
		}
	}
	return false
}

// badMember is the 400 for a request member the handler cannot use.
func badMember(name, problem string) error {
	return fulfillment.NewError(fulfillment.CodeInvalidArgument, fmt.Errorf("member %q of the request body %s", name, problem))
}

type feedback struct {
	score   int
	comment string
	at      time.Time
}

// The store's bounds. A caller controls the comment and, through the
// phone_number parameter, the key, so both are bounded, and so is their
// sum: 88 comments of 2 MB once took a 256 MiB instance down.
const (
	// maxCommentBytes bounds a comment kept; a longer one is clipped, on
	// a character boundary. Spoken or typed feedback is a sentence or two.
	maxCommentBytes = 1 << 10
	// maxCallerBytes bounds a caller's key (tel: and the number); the
	// feedback of a longer one is not kept.
	maxCallerBytes = 256
	// maxStoreBytes bounds the keys and comments kept, plus entryOverhead
	// for each entry; the oldest feedback is forgotten first.
	maxStoreBytes = 4 << 20
	// entryOverhead is about what an entry costs beyond its two strings:
	// the map slot, the list element and the timestamps.
	entryOverhead = 160
)

// A feedbackStore remembers each caller's last feedback, in memory, for
// concurrent calls, within maxStoreBytes. Cloud Run instances share no
// memory and lose it when they stop, so each instance has its own store
// here; a real deployment keeps feedback in a database (Firestore, Cloud
// SQL).
type feedbackStore struct {
	mu       sync.Mutex
	byCaller map[string]*queue.Element // of *storedFeedback, in order, oldest first
	order    queue.List
	bytes    int // size of everything kept, as maxStoreBytes counts it
}

type storedFeedback struct {
	caller string
	feedback
}

func (e *storedFeedback) size() int { return len(e.caller) + len(e.comment) + entryOverhead }

func newFeedbackStore() *feedbackStore {
	return &feedbackStore{byCaller: make(map[string]*queue.Element)}
}

func (s *feedbackStore) last(caller string) (feedback, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byCaller[caller]
	if !ok || caller == "" {
		return feedback{}, false
	}
	return e.Value.(*storedFeedback).feedback, true
}

// add keeps f as caller's last feedback, its comment clipped to
// maxCommentBytes, forgetting the oldest feedback as needed to stay within
// maxStoreBytes.
func (s *feedbackStore) add(caller string, f feedback) {
	if caller == "" || len(caller) > maxCallerBytes {
		return
	}
	f.comment = clipUTF8(f.comment, maxCommentBytes)
	e := &storedFeedback{caller: caller, feedback: f}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.byCaller[caller]; ok {
		s.remove(old)
	}
	for s.bytes+e.size() > maxStoreBytes && s.order.Len() > 0 {
		s.remove(s.order.Front())
	}
	s.byCaller[caller] = s.order.PushBack(e)
	s.bytes += e.size()
}

func (s *feedbackStore) remove(el *queue.Element) {
	e := s.order.Remove(el).(*storedFeedback)
	delete(s.byCaller, e.caller)
	s.bytes -= e.size()
}

// clipUTF8 returns s cut to at most n bytes, without splitting a UTF-8
// sequence.
func clipUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
