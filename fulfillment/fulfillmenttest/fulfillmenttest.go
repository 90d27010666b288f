// Package fulfillmenttest builds Dialogflow CX webhook requests and reads
// responses, for testing fulfillment handlers without an agent.
//
//	req := fulfillmenttest.NewRequest("checkMileage").
//		Param("frequent_flyer_account", "FF-1001").
//		Request(t)
//	got := fulfillmenttest.Call(t, mux, req)
//	if got.Texts[0] != "You have 12500 miles." { ... }
//
// Requests are built as the JSON Dialogflow sends and decoded by the real
// decoder, and responses are encoded by the real encoder and read back, so
// a test sees exactly what the wire carries.
//
// CallFlexible does the same for a FLEXIBLE webhook's handler: it takes the
// body the webhook's requestBody template renders and returns the answer
// whose members its parameterMapping reads.
//
//	got := fulfillmenttest.CallFlexible(t, mux, map[string]any{
//		"phone_number":    "+16505550100",
//		"fulfillmentInfo": map[string]any{"tag": "getPreviousFeedbackDate"},
//	})
//	elapsed, _ := got.Fields.String("last_feedback_time_elapsed")
package fulfillmenttest

import (
	"context"
	"testing"

	"github.com/cxhook/cxhook/fulfillment"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// TestAgent is the agent the builder's resource names use.
const TestAgent = "projects/test-project/locations/global/agents/00000000-0000-0000-0000-00000000a9e7"

// A RequestBuilder builds a WebhookRequest. Its zero value is not usable;
// call NewRequest.
type RequestBuilder struct {
	doc map[string]any
}

// NewRequest starts a request with the tag, a session
// (TestAgent/sessions/test-session), the Default Start Flow's start page and
// languageCode "en".
func NewRequest(tag string) *RequestBuilder {
	return &RequestBuilder{doc: map[string]any{
		"detectIntentResponseId": "00000000-0000-0000-0000-0000000000d1",
		"fulfillmentInfo":        map[string]any{"tag": tag},
		"sessionInfo":            map[string]any{"session": TestAgent + "/sessions/test-session", "parameters": map[string]any{}},
		"pageInfo": map[string]any{
			"currentPage": TestAgent + "/flows/00000000-0000-0000-0000-000000000000/pages/START_PAGE",
			"displayName": "Start Page",
		},
		"languageCode": "en",
	}}
}

func (b *RequestBuilder) section(name string) map[string]any {
	s, _ := b.doc[name].(map[string]any)
	if s == nil {
		s = map[string]any{}
		b.doc[name] = s
	}
	return s
}

// Session sets the session ID.
func (b *RequestBuilder) Session(id string) *RequestBuilder {
	b.section("sessionInfo")["session"] = TestAgent + "/sessions/" + id
	return b
}

// Param sets a session parameter; a nil v sends null.
func (b *RequestBuilder) Param(name string, v any) *RequestBuilder {
	s := b.section("sessionInfo")
	ps, _ := s["parameters"].(map[string]any)
	if ps == nil {
		ps = map[string]any{}
		s["parameters"] = ps
	}
	ps[name] = v
	return b
}

// Page sets the current page, by flow ID, page ID and display name.
func (b *RequestBuilder) Page(flowID, pageID, displayName string) *RequestBuilder {
	p := b.section("pageInfo")
	p["currentPage"] = TestAgent + "/flows/" + flowID + "/pages/" + pageID
	p["displayName"] = displayName
	return b
}

// FormParam adds a parameter of the current page's form. A nil value is
// left out, as Dialogflow does for an empty parameter.
func (b *RequestBuilder) FormParam(displayName string, required bool, state fulfillment.ParameterState, value any, justCollected bool) *RequestBuilder {
	p := b.section("pageInfo")
	f, _ := p["formInfo"].(map[string]any)
	if f == nil {
		f = map[string]any{"parameterInfo": []any{}}
		p["formInfo"] = f
	}
	info := map[string]any{"displayName": displayName, "required": required, "state": state.String(), "justCollected": justCollected}
	if value != nil {
		info["value"] = value
	}
	f["parameterInfo"] = append(f["parameterInfo"].([]any), info)
	return b
}

// Text sets the end user's typed input.
func (b *RequestBuilder) Text(text string) *RequestBuilder { return b.query("text", text) }

// DTMF sets the caller's keypad input.
func (b *RequestBuilder) DTMF(digits string) *RequestBuilder { return b.query("dtmfDigits", digits) }

// Event sets a triggering event.
func (b *RequestBuilder) Event(name string) *RequestBuilder { return b.query("triggerEvent", name) }

func (b *RequestBuilder) query(key, v string) *RequestBuilder {
	for _, k := range []string{"text", "transcript", "triggerIntent", "triggerEvent", "dtmfDigits"} {
		delete(b.doc, k)
	}
	b.doc[key] = v
	return b
}

// Intent sets the matched intent, by ID and display name, with its
// parameters (name → resolved value; the original text is the value's JSON).
func (b *RequestBuilder) Intent(id, displayName string, confidence float32, params map[string]any) *RequestBuilder {
	ps := map[string]any{}
	for k, v := range params {
		orig, _ := json.Marshal(v)
		ps[k] = map[string]any{"originalValue": string(orig), "resolvedValue": v}
	}
	b.doc["intentInfo"] = map[string]any{"lastMatchedIntent": TestAgent + "/intents/" + id, "displayName": displayName, "confidence": confidence, "parameters": ps}
	return b
}

// Set sets any top-level field of the request to v, for what the other
// methods do not cover (a payload, sentiment, queued messages).
func (b *RequestBuilder) Set(field string, v any) *RequestBuilder {
	b.doc[field] = v
	return b
}

// JSON returns the request document.
func (b *RequestBuilder) JSON() []byte {
	out, err := json.Marshal(b.doc, json.Deterministic(true))
	if err != nil {
		panic("fulfillmenttest: " + err.Error())
	}
	return out
}

// Request decodes the document with the real decoder; a failure fails tb.
func (b *RequestBuilder) Request(tb testing.TB) *fulfillment.Request {
	tb.Helper()
	req, err := fulfillment.DecodeRequest(b.JSON())
	if err != nil {
		tb.Fatalf("fulfillmenttest: the request does not decode: %v", err)
	}
	return req
}

// Result is a handler's response as the wire carries it.
type Result struct {
	// JSON is the encoded WebhookResponse.
	JSON []byte
	// Texts are the variants of every text message, in order.
	Texts []string
	// Params are the session parameters the response sets; a deleted one
	// is present with the value null.
	Params fulfillment.Params
	// FormStates maps each form parameter the response touches to the
	// state it sends (INVALID or FILLED).
	FormStates map[string]fulfillment.ParameterState
	// TargetPage and TargetFlow are the transition target, if any.
	TargetPage, TargetFlow string
	// Replace reports whether the messages replace the queued ones.
	Replace bool
}

// Call runs h on req and returns its encoded response. An error from the
// handler, or a response that does not encode, fails tb; use h.Fulfill
// directly to test errors.
func Call(tb testing.TB, h fulfillment.Handler, req *fulfillment.Request) *Result {
	tb.Helper()
	resp, err := h.Fulfill(context.Background(), req)
	if err != nil {
		tb.Fatalf("fulfillmenttest: handler for tag %q failed: %v", req.Tag(), err)
	}
	if resp == nil {
		tb.Fatalf("fulfillmenttest: handler for tag %q returned a nil response", req.Tag())
	}
	out, err := fulfillment.EncodeResponse(resp)
	if err != nil {
		tb.Fatalf("fulfillmenttest: response does not encode: %v", err)
	}
	if len(out) > fulfillment.MaxResponseBytes {
		tb.Fatalf("fulfillmenttest: response is %d bytes, over Dialogflow's %d", len(out), fulfillment.MaxResponseBytes)
	}
	var w struct {
		FulfillmentResponse struct {
			Messages []struct {
				Text *struct {
					Text []string `json:"text"`
				} `json:"text"`
			} `json:"messages"`
			MergeBehavior string `json:"mergeBehavior"`
		} `json:"fulfillmentResponse"`
		PageInfo struct {
			FormInfo struct {
				ParameterInfo []struct {
					DisplayName string                     `json:"displayName"`
					State       fulfillment.ParameterState `json:"state"`
				} `json:"parameterInfo"`
			} `json:"formInfo"`
		} `json:"pageInfo"`
		SessionInfo struct {
			Parameters jsontext.Value `json:"parameters"`
		} `json:"sessionInfo"`
		TargetPage string `json:"targetPage"`
		TargetFlow string `json:"targetFlow"`
	}
	if err := json.Unmarshal(out, &w); err != nil {
		tb.Fatalf("fulfillmenttest: reading the response: %v", err)
	}
	res := &Result{JSON: out, TargetPage: w.TargetPage, TargetFlow: w.TargetFlow, Replace: w.FulfillmentResponse.MergeBehavior == "REPLACE"}
	for _, m := range w.FulfillmentResponse.Messages {
		if m.Text != nil {
			res.Texts = append(res.Texts, m.Text.Text...)
		}
	}
	if len(w.PageInfo.FormInfo.ParameterInfo) > 0 {
		res.FormStates = map[string]fulfillment.ParameterState{}
		for _, p := range w.PageInfo.FormInfo.ParameterInfo {
			res.FormStates[p.DisplayName] = p.State
		}
	}
	if len(w.SessionInfo.Parameters) > 0 {
		sess, err := fulfillment.DecodeRequest([]byte(`{"sessionInfo":{"parameters":` + string(w.SessionInfo.Parameters) + `}}`))
		if err != nil {
			tb.Fatalf("fulfillmenttest: reading parameters: %v", err)
		}
		res.Params = sess.Params()
	}
	return res
}
