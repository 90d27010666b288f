package fulfillment

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// A Response is what a handler returns: the CX WebhookResponse
// (google.cloud.dialogflow.cx.v3.WebhookResponse), built with methods that
// can only produce a valid one. The zero Response, like [NewResponse], sends
// nothing and changes nothing ({} on the wire).
//
// The methods return the Response so that calls chain:
//
//	return fulfillment.Reply("Your flight is booked.").
//		SetParam("booking_ref", ref).
//		TransitionTo(req.TargetPage(fulfillment.EndSession)), nil
//
// A Response is not safe for concurrent use.
type Response struct {
	messages []Message
	merge    MergeBehavior
	params   map[string]any // value, or deleteParam
	order    []string       // param names in the order first set
	form     []formUpdate
	target   Target
	payload  *Params
	raw      jsontext.Value // set by ResponseFromJSON; replaces all the above
	err      error          // the first builder misuse, reported at encoding
}

// ResponseFromJSON returns a response that sends doc, a WebhookResponse in
// its JSON form, as it is. It is for code that builds responses some other
// way (the cxpbconv package uses it for generated cxpb types); doc must be
// a JSON object, and nothing else about it is checked.
func ResponseFromJSON(doc []byte) (*Response, error) {
	v := jsontext.Value(doc)
	if !v.IsValid() || v.Kind() != '{' {
		return nil, errors.New("fulfillment: ResponseFromJSON: not a JSON object")
	}
	v = v.Clone()
	if err := v.Compact(); err != nil {
		return nil, err
	}
	return &Response{raw: v}, nil
}

type deleteMarker struct{}

var deleteParam = deleteMarker{}

type formUpdate struct {
	name    string
	value   any
	invalid bool
}

// NewResponse returns an empty response.
func NewResponse() *Response { return new(Response) }

// Reply returns a response with one text message. With several variants
// Dialogflow picks one at random.
func Reply(variants ...string) *Response { return NewResponse().Add(Text(variants...)) }

// Add appends messages for the end user.
func (r *Response) Add(msgs ...Message) *Response {
	for _, m := range msgs {
		if m.Kind() == KindUnknown {
			r.fail(errors.New("fulfillment: Add: message has no variant (build it with Text, PlayAudio, ...)"))
			continue
		}
		r.messages = append(r.messages, m)
	}
	return r
}

// ReplaceQueued makes this response's messages replace the ones Dialogflow
// has already queued in this turn, instead of being appended to them (the
// default).
func (r *Response) ReplaceQueued() *Response {
	r.merge = MergeReplace
	return r
}

// SetParam sets a session parameter. v is encoded as JSON with
// github.com/go-json-experiment/json. A nil v is a mistake (use
// [Response.DeleteParam] to remove a parameter) and fails the response.
func (r *Response) SetParam(name string, v any) *Response {
	if v == nil {
		r.fail(fmt.Errorf("fulfillment: SetParam(%q, nil): use DeleteParam to remove a parameter", name))
		return r
	}
	r.setParam(name, v)
	return r
}

// DeleteParam removes a session parameter (it is sent as null, which is how
// CX deletes one).
func (r *Response) DeleteParam(name string) *Response {
	r.setParam(name, deleteParam)
	return r
}

func (r *Response) setParam(name string, v any) {
	if name == "" {
		r.fail(errors.New("fulfillment: empty session parameter name"))
		return
	}
	if r.params == nil {
		r.params = make(map[string]any)
	}
	if _, ok := r.params[name]; !ok {
		r.order = append(r.order, name)
	}
	r.params[name] = v
}

// InvalidateFormParam marks a parameter of the current page's form as
// INVALID, so the agent prompts for it again (its sys.invalid-parameter
// handler, if any, gives the re-prompt).
func (r *Response) InvalidateFormParam(displayName string) *Response {
	return r.formParam(formUpdate{name: displayName, invalid: true})
}

// SetFormParam changes the value of a parameter of the current page's form
// (it is sent with state FILLED). A webhook cannot add or remove form
// parameters, only change their values.
func (r *Response) SetFormParam(displayName string, v any) *Response {
	if v == nil {
		return r.fail(fmt.Errorf("fulfillment: SetFormParam(%q, nil): use InvalidateFormParam to clear a form parameter", displayName))
	}
	return r.formParam(formUpdate{name: displayName, value: v})
}

func (r *Response) formParam(u formUpdate) *Response {
	if u.name == "" {
		return r.fail(errors.New("fulfillment: empty form parameter name"))
	}
	for i, f := range r.form {
		if f.name == u.name {
			if u.value == nil {
				u.value = f.value
			}
			u.invalid = u.invalid || f.invalid
			r.form[i] = u
			return r
		}
	}
	r.form = append(r.form, u)
	return r
}

// TransitionTo makes the agent move to a page or flow right after this
// response. A later call replaces an earlier one: a response has at most one
// target.
func (r *Response) TransitionTo(t Target) *Response {
	if err := t.Err(); err != nil {
		return r.fail(err)
	}
	r.target = t
	return r
}

// SetPayload sets the response payload, which Dialogflow hands to the
// detect-intent caller (QueryResult.webhookPayloads) and does not show to the
// end user. v must encode to a JSON object.
func (r *Response) SetPayload(v any) *Response {
	p := objectParams(v)
	r.payload = &p
	return r
}

// Messages returns the messages added so far.
func (r *Response) Messages() []Message { return r.messages }

// Target returns the transition target, if one is set.
func (r *Response) Target() (Target, bool) { return r.target, r.target.name != "" }

func (r *Response) fail(err error) *Response {
	if r.err == nil {
		r.err = err
	}
	return r
}

// Err returns the first misuse of the builder (a nil parameter value, a
// malformed target, ...), which also makes the response fail to encode.
func (r *Response) Err() error { return r.err }

// wireResponse mirrors google.cloud.dialogflow.cx.v3.WebhookResponse.
type wireResponse struct {
	FulfillmentResponse *wireFulfillmentResponse `json:"fulfillmentResponse,omitzero"`
	PageInfo            *wireRespPageInfo        `json:"pageInfo,omitzero"`
	SessionInfo         *wireRespSessionInfo     `json:"sessionInfo,omitzero"`
	Payload             *Params                  `json:"payload,omitzero"`
	TargetPage          string                   `json:"targetPage,omitzero"`
	TargetFlow          string                   `json:"targetFlow,omitzero"`
}

type wireFulfillmentResponse struct {
	Messages      []Message     `json:"messages,omitzero"`
	MergeBehavior MergeBehavior `json:"mergeBehavior,omitzero"`
}

type wireRespPageInfo struct {
	FormInfo wireRespFormInfo `json:"formInfo"`
}

type wireRespFormInfo struct {
	ParameterInfo []wireRespParamInfo `json:"parameterInfo"`
}

type wireRespParamInfo struct {
	DisplayName string         `json:"displayName"`
	State       ParameterState `json:"state"`
	Value       any            `json:"value,omitzero"`
}

type wireRespSessionInfo struct {
	Parameters orderedParams `json:"parameters"`
}

// orderedParams writes session parameters in the order they were set;
// deleteParam is written as null.
type orderedParams struct {
	names  []string
	values map[string]any
}

func (p orderedParams) MarshalJSONTo(enc *jsontext.Encoder) error {
	if err := enc.WriteToken(jsontext.BeginObject); err != nil {
		return err
	}
	for _, name := range p.names {
		if err := enc.WriteToken(jsontext.String(name)); err != nil {
			return err
		}
		v := p.values[name]
		if v == deleteParam {
			v = nil
		}
		if err := json.MarshalEncode(enc, v); err != nil {
			return fmt.Errorf("session parameter %q: %w", name, err)
		}
	}
	return enc.WriteToken(jsontext.EndObject)
}

// MarshalJSONTo writes the response in the proto JSON form. It fails if the
// builder was misused (see [Response.Err]) or a value cannot be encoded.
func (r *Response) MarshalJSONTo(enc *jsontext.Encoder) error {
	if r.err != nil {
		return r.err
	}
	if r.raw != nil {
		return enc.WriteValue(r.raw)
	}
	var w wireResponse
	if len(r.messages) > 0 || r.merge != MergeUnspecified {
		w.FulfillmentResponse = &wireFulfillmentResponse{Messages: r.messages, MergeBehavior: r.merge}
	}
	if len(r.form) > 0 {
		infos := make([]wireRespParamInfo, len(r.form))
		for i, f := range r.form {
			infos[i] = wireRespParamInfo{DisplayName: f.name, State: StateFilled, Value: f.value}
			if f.invalid {
				infos[i].State = StateInvalid
			}
		}
		w.PageInfo = &wireRespPageInfo{FormInfo: wireRespFormInfo{ParameterInfo: infos}}
	}
	if len(r.order) > 0 {
		w.SessionInfo = &wireRespSessionInfo{Parameters: orderedParams{names: r.order, values: r.params}}
	}
	w.Payload = r.payload
	switch r.target.kind {
	case targetPage:
		w.TargetPage = r.target.name
	case targetFlow:
		w.TargetFlow = r.target.name
	}
	return json.MarshalEncode(enc, &w)
}

// Target is where a response sends the conversation next: a page of the
// current flow, or a flow. Build one with [Request.TargetPage],
// [Request.TargetFlow], [PageTarget] or [FlowTarget]; a Target is either a
// page or a flow, never both, as the wire format requires.
type Target struct {
	kind targetKind
	name string
	err  error
}

type targetKind uint8

const (
	targetNone targetKind = iota
	targetPage
	targetFlow
)

// The special pages a target can name in place of a page ID. They live in
// every flow: .../flows/F/pages/END_SESSION.
const (
	// EndSession ends the conversation.
	EndSession = "END_SESSION"
	// EndFlow ends the current flow and returns to the one that started it.
	EndFlow = "END_FLOW"
	// EndFlowWithHumanEscalation ends the flow and asks for a human agent.
	EndFlowWithHumanEscalation = "END_FLOW_WITH_HUMAN_ESCALATION"
	// CurrentPage re-enters the current page.
	CurrentPage = "CURRENT_PAGE"
	// PreviousPage goes back to the previous page.
	PreviousPage = "PREVIOUS_PAGE"
	// StartPage goes to the flow's start page.
	StartPage = "START_PAGE"
)

// Err reports why the target is invalid, as when [Request.TargetPage] is
// called on a request that names no current page; [Response.TransitionTo]
// with an invalid target fails the response.
func (t Target) Err() error {
	if t.err == nil && t.name == "" {
		return errors.New("fulfillment: zero Target")
	}
	return t.err
}

// Name returns the target's full resource name.
func (t Target) Name() string { return t.name }

// IsPage reports whether the target is a page (else it is a flow).
func (t Target) IsPage() bool { return t.kind == targetPage }

// PageTarget returns a target for a page's full resource name,
// projects/P/locations/L/agents/A/flows/F/pages/PAGE.
func PageTarget(name string) (Target, error) {
	if !validResourceName(name, "flows", "pages") {
		return Target{}, fmt.Errorf("fulfillment: %q is not a page name (projects/P/locations/L/agents/A/flows/F/pages/PAGE)", name)
	}
	return Target{kind: targetPage, name: name}, nil
}

// FlowTarget returns a target for a flow's full resource name,
// projects/P/locations/L/agents/A/flows/F.
func FlowTarget(name string) (Target, error) {
	if !validResourceName(name, "flows") {
		return Target{}, fmt.Errorf("fulfillment: %q is not a flow name (projects/P/locations/L/agents/A/flows/F)", name)
	}
	return Target{kind: targetFlow, name: name}, nil
}

// validResourceName checks projects/P/locations/L/agents/A followed by the
// given collections, each with a non-empty ID free of '/'.
func validResourceName(name string, collections ...string) bool {
	parts := strings.Split(name, "/")
	want := append([]string{"projects", "locations", "agents"}, collections...)
	if len(parts) != 2*len(want) {
		return false
	}
	for i, c := range want {
		if parts[2*i] != c || parts[2*i+1] == "" {
			return false
		}
	}
	return true
}

// TargetPage returns a target for a page of the current page's flow, by
// page ID or one of the special pages ([EndSession], [EndFlow],
// [EndFlowWithHumanEscalation], [CurrentPage], [PreviousPage], [StartPage]).
// If the request does not say which flow it is in, the target is invalid and
// [Response.TransitionTo] fails the response.
func (r *Request) TargetPage(pageID string) Target {
	flow := r.Page().Flow()
	if flow == "" {
		return Target{err: fmt.Errorf("fulfillment: TargetPage(%q): the request names no current page to take the flow from", pageID)}
	}
	t, err := PageTarget(flow + "/pages/" + pageID)
	if err != nil {
		return Target{err: err}
	}
	return t
}

// TargetFlow returns a target for a flow of the request's agent, by flow ID.
func (r *Request) TargetFlow(flowID string) Target {
	agent := r.Agent()
	if agent == "" {
		return Target{err: fmt.Errorf("fulfillment: TargetFlow(%q): the request names no agent", flowID)}
	}
	t, err := FlowTarget(agent + "/flows/" + flowID)
	if err != nil {
		return Target{err: err}
	}
	return t
}
