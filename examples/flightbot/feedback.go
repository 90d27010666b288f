package flightbot

import (
	queue "container/list"
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/cxhook/cxhook/fulfillment"
)

// The Feedback flow is Google's prebuilt feedback component. In the export,
// its two webhooks are FLEXIBLE: Dialogflow posts a body of the webhook's
// own ({"phone_number": ..., "feedback_score": ..., "feedback_comment": ...,
// "fulfillmentInfo": {"tag": ...}}) and maps fields of the answer into flow
// parameters. This function serves getPreviousFeedbackDate and
// updateFeedback as STANDARD webhooks instead: the agent points both
// webhooks here as standard ones, with the same tags, and Dialogflow sends
// the ordinary WebhookRequest. For the agent this means:
//
//   - The request carries session parameters, not flow ones. So the entry
//     fulfillment of "> invoke update feedback API" sets the session
//     parameters feedback_score and feedback_comment from $flow.feedback_score
//     and $flow.feedback_comment (a fulfillment's parameter presets apply
//     before its webhook call). The export makes that copy after the call,
//     on the page's route.
//   - The response sets session parameters: "check last feedback provided "
//     reads $session.params.last_feedback_time_elapsed where the export
//     reads $flow.last_feedback_time_elapsed.

// The parameters the component's request bodies carry.
const (
	paramPhone   = "phone_number"
	paramScore   = "feedback_score"
	paramComment = "feedback_comment"
)

// feedbackInterval is how long after giving feedback a caller is not asked
// for it again.
const feedbackInterval = 30 * 24 * time.Hour

// getPreviousFeedbackDate tells the Feedback flow whether to ask for
// feedback: last_feedback_time_elapsed is "true" unless the caller gave
// feedback within feedbackInterval. It is a string because the flow
// compares it with "true". last_feedback_date is the day of the caller's
// last feedback, if any.
func (a *airline) getPreviousFeedbackDate(_ context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
	last, ok := a.feedback.last(feedbackCaller(req))
	elapsed := !ok || a.now().Sub(last.at) >= feedbackInterval
	resp := fulfillment.NewResponse().SetParam("last_feedback_time_elapsed", strconv.FormatBool(elapsed))
	if ok {
		resp.SetParam("last_feedback_date", last.at.UTC().Format(time.DateOnly))
	}
	return resp, nil
}

// updateFeedback records the caller's feedback: feedback_score, from 1 to
// 5, and feedback_comment, which the flow leaves empty for a high score
// (kept up to maxCommentBytes).
func (a *airline) updateFeedback(_ context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
	score, err := req.Params().Int(paramScore)
	if err == nil && (score < 1 || score > 5) {
		err = fmt.Errorf("parameter %q is not from 1 to 5", paramScore)
	}
	if err != nil {
		// Not the user's mistake: the flow checks the score before this
		// call, so the agent is set up wrong (see above). Answering 400
		// (webhook.error.bad-request) fires the page's webhook.error
		// handler, which apologizes and ends the flow, instead of letting
		// the flow thank the user for feedback that was lost. The log line
		// names the parameter; it never holds the value.
		return nil, fulfillment.NewError(fulfillment.CodeInvalidArgument, err)
	}
	comment, _ := req.Params().String(paramComment) // absent or null: no comment
	a.feedback.add(feedbackCaller(req), feedback{score: int(score), comment: comment, at: a.now()})
	return fulfillment.NewResponse(), nil
}

// feedbackCaller returns whom feedback is remembered for: the caller's
// phone_number, which the component's requests carry, or else the session;
// "" if the request has neither.
func feedbackCaller(req *fulfillment.Request) string {
	if phone, _ := req.Params().String(paramPhone); strings.TrimSpace(phone) != "" {
		return "tel:" + strings.TrimSpace(phone)
	}
	if id := req.SessionID(); id != "" {
		return "session:" + id
	}
	return ""
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
	// maxCallerBytes bounds a caller's key (tel:... or session:...); the
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
