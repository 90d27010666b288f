package fulfillment

import (
	"errors"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// A Request is one decoded CX WebhookRequest
// (google.cloud.dialogflow.cx.v3.WebhookRequest). Its methods give typed
// read access to everything the request carries; absent sections read as
// zero values. A Request is read-only and safe to share between goroutines.
//
// Get one from [DecodeRequest], from the HTTP adapter ([NewHTTPHandler]), or
// in tests from the fulfillmenttest package.
type Request struct {
	w wireRequest
	// The indexes of the session parameters and of the payload, kept
	// here so that Params and Payload allocate nothing.
	params, payload paramIndex
}

// wireRequest mirrors the proto message field for field. The oneof "query"
// is the set of *string fields.
type wireRequest struct {
	DetectIntentResponseID  string            `json:"detectIntentResponseId,omitzero"`
	Text                    *string           `json:"text,omitzero"`
	TriggerIntent           *string           `json:"triggerIntent,omitzero"`
	Transcript              *string           `json:"transcript,omitzero"`
	TriggerEvent            *string           `json:"triggerEvent,omitzero"`
	DTMFDigits              *string           `json:"dtmfDigits,omitzero"`
	LanguageCode            string            `json:"languageCode,omitzero"`
	FulfillmentInfo         *wireFulfillment  `json:"fulfillmentInfo,omitzero"`
	IntentInfo              *wireIntentInfo   `json:"intentInfo,omitzero"`
	PageInfo                *wirePageInfo     `json:"pageInfo,omitzero"`
	SessionInfo             *wireSessionInfo  `json:"sessionInfo,omitzero"`
	Messages                []Message         `json:"messages,omitempty"`
	Payload                 *Params           `json:"payload,omitzero"`
	SentimentAnalysisResult *wireSentiment    `json:"sentimentAnalysisResult,omitzero"`
	LanguageInfo            *wireLanguageInfo `json:"languageInfo,omitzero"`
}

type wireFulfillment struct {
	Tag string `json:"tag,omitzero"`
}

type wireIntentInfo struct {
	LastMatchedIntent string                     `json:"lastMatchedIntent,omitzero"`
	Parameters        map[string]wireIntentParam `json:"parameters,omitempty"`
	DisplayName       string                     `json:"displayName,omitzero"`
	Confidence        float32Value               `json:"confidence,omitzero"`
}

type wireIntentParam struct {
	OriginalValue string `json:"originalValue,omitzero"`
	ResolvedValue Value  `json:"resolvedValue,omitzero"`
}

type wirePageInfo struct {
	CurrentPage string        `json:"currentPage,omitzero"`
	FormInfo    *wireFormInfo `json:"formInfo,omitzero"`
	DisplayName string        `json:"displayName,omitzero"`
}

type wireFormInfo struct {
	ParameterInfo []wireParamInfo `json:"parameterInfo,omitempty"`
}

type wireParamInfo struct {
	DisplayName   string         `json:"displayName,omitzero"`
	Required      bool           `json:"required,omitzero"`
	State         ParameterState `json:"state,omitzero"`
	Value         Value          `json:"value,omitzero"`
	JustCollected bool           `json:"justCollected,omitzero"`
}

type wireSessionInfo struct {
	Session    string `json:"session,omitzero"`
	Parameters Params `json:"parameters,omitempty"`
}

type wireSentiment struct {
	Score     float32Value `json:"score,omitzero"`
	Magnitude float32Value `json:"magnitude,omitzero"`
}

type wireLanguageInfo struct {
	InputLanguageCode    string       `json:"inputLanguageCode,omitzero"`
	ResolvedLanguageCode string       `json:"resolvedLanguageCode,omitzero"`
	ConfidenceScore      float32Value `json:"confidenceScore,omitzero"`
}

// Tag returns the tag of the fulfillment that called the webhook
// (fulfillmentInfo.tag): the key a [Mux] dispatches on.
func (r *Request) Tag() string {
	if r.w.FulfillmentInfo == nil {
		return ""
	}
	return r.w.FulfillmentInfo.Tag
}

// DetectIntentResponseID returns the ID of the detect-intent response this
// call is part of.
func (r *Request) DetectIntentResponseID() string { return r.w.DetectIntentResponseID }

// Session returns the full session name:
// projects/P/locations/L/agents/A[/environments/E]/sessions/S.
func (r *Request) Session() string {
	if r.w.SessionInfo == nil {
		return ""
	}
	return r.w.SessionInfo.Session
}

// SessionID returns the last segment of the session name (it may contain
// ':', as Dialogflow Messenger's do).
func (r *Request) SessionID() string {
	s := r.Session()
	// The ID is the last segment: found from the last '/', without a
	// search for the whole separator, unless the name is unusual.
	if i := strings.LastIndexByte(s, '/'); i >= 0 && strings.HasSuffix(s[:i+1], "/sessions/") {
		return s[i+1:]
	}
	if i := strings.LastIndex(s, "/sessions/"); i >= 0 {
		return s[i+len("/sessions/"):]
	}
	return ""
}

// Agent returns the agent's resource name, projects/P/locations/L/agents/A,
// taken from the session name, or from the current page when the request
// has no session. It is "" when neither holds one.
func (r *Request) Agent() string {
	for _, name := range []string{r.Session(), r.Page().Name} {
		if a, ok := agentOf(name); ok {
			return a
		}
	}
	return ""
}

// agentOf returns the projects/P/locations/L/agents/A prefix of a resource
// name, if it has one.
func agentOf(name string) (string, bool) {
	parts := strings.SplitN(name, "/", 7)
	if len(parts) < 6 || parts[0] != "projects" || parts[2] != "locations" || parts[4] != "agents" ||
		parts[1] == "" || parts[3] == "" || parts[5] == "" {
		return "", false
	}
	return strings.Join(parts[:6], "/"), true
}

// Params returns the session parameters (sessionInfo.parameters), keyed by
// display name.
func (r *Request) Params() Params {
	if r.w.SessionInfo == nil || len(r.w.SessionInfo.Parameters.raw) == 0 {
		return Params{}
	}
	p := r.w.SessionInfo.Parameters
	p.idx = &r.params
	return p
}

// PageInfo describes the current page.
type PageInfo struct {
	// Name is the page's full resource name,
	// projects/P/locations/L/agents/A/flows/F/pages/PAGE.
	Name string
	// DisplayName is the page's display name.
	DisplayName string
}

// Flow returns the resource name of the page's flow,
// projects/P/locations/L/agents/A/flows/F, or "" if Name has none.
func (p PageInfo) Flow() string {
	i := strings.LastIndex(p.Name, "/pages/")
	if i < 0 {
		return ""
	}
	if _, ok := agentOf(p.Name[:i]); !ok || !strings.Contains(p.Name[:i], "/flows/") {
		return ""
	}
	return p.Name[:i]
}

// Page returns the current page (pageInfo).
func (r *Request) Page() PageInfo {
	if r.w.PageInfo == nil {
		return PageInfo{}
	}
	return PageInfo{Name: r.w.PageInfo.CurrentPage, DisplayName: r.w.PageInfo.DisplayName}
}

// FormParam is one parameter of the current page's form
// (pageInfo.formInfo.parameterInfo).
type FormParam struct {
	DisplayName string
	// Required reports whether the form must fill the parameter.
	Required bool
	// State is the parameter's state; Dialogflow always sends one.
	State ParameterState
	// Value is the parameter's value, absent when it has none.
	Value Value
	// JustCollected reports whether the value was collected on this turn.
	JustCollected bool
}

// FormParams returns the parameters of the current page's form, in the
// order Dialogflow sent them.
func (r *Request) FormParams() []FormParam {
	if r.w.PageInfo == nil || r.w.PageInfo.FormInfo == nil {
		return nil
	}
	in := r.w.PageInfo.FormInfo.ParameterInfo
	out := make([]FormParam, len(in))
	for i, p := range in {
		out[i] = FormParam(p)
	}
	return out
}

// FormComplete reports whether the current page has a form and every
// required parameter of it is FILLED: the state in which the form's route
// with the condition $page.params.status = "FINAL" calls the webhook, as
// opposed to a call from a parameter's prompt while the form is filling.
func (r *Request) FormComplete() bool {
	params := r.FormParams()
	for _, p := range params {
		if p.Required && p.State != StateFilled {
			return false
		}
	}
	return len(params) > 0
}

// FormParam returns the form parameter with the given display name.
func (r *Request) FormParam(displayName string) (FormParam, bool) {
	for _, p := range r.FormParams() {
		if p.DisplayName == displayName {
			return p, true
		}
	}
	return FormParam{}, false
}

// IntentInfo describes the last matched intent (intentInfo).
type IntentInfo struct {
	// Name is the intent's full resource name.
	Name        string
	DisplayName string
	// Confidence is the match confidence, from 0 to 1.
	Confidence float32
	// Params holds the intent parameters found in the utterance.
	Params map[string]IntentParam
}

// IntentParam is one parameter of the matched intent.
type IntentParam struct {
	// Original is the text of the utterance the value came from.
	Original string
	// Resolved is the structured value.
	Resolved Value
}

// Intent returns the last matched intent; ok is false if the request has
// none (intentInfo is absent).
func (r *Request) Intent() (info IntentInfo, ok bool) {
	in := r.w.IntentInfo
	if in == nil {
		return IntentInfo{}, false
	}
	info = IntentInfo{Name: in.LastMatchedIntent, DisplayName: in.DisplayName, Confidence: float32(in.Confidence)}
	if len(in.Parameters) > 0 {
		info.Params = make(map[string]IntentParam, len(in.Parameters))
		for k, p := range in.Parameters {
			info.Params[k] = IntentParam{Original: p.OriginalValue, Resolved: p.ResolvedValue}
		}
	}
	return info, true
}

// QueryKind names the kind of end-user input that led to the call.
type QueryKind string

// The query kinds.
const (
	QueryNone          QueryKind = ""
	QueryText          QueryKind = "text"
	QueryTranscript    QueryKind = "transcript"
	QueryTriggerIntent QueryKind = "triggerIntent"
	QueryTriggerEvent  QueryKind = "triggerEvent"
	QueryDTMF          QueryKind = "dtmfDigits"
)

// Query is the end-user input of the turn: typed text, a speech transcript,
// a triggered intent's resource name, an event name, or DTMF digits.
type Query struct {
	Kind  QueryKind
	Value string
}

// Query returns the turn's input; its Kind is QueryNone if the request
// carries none.
func (r *Request) Query() Query {
	w := &r.w
	for _, q := range []struct {
		k QueryKind
		v *string
	}{{QueryText, w.Text}, {QueryTranscript, w.Transcript}, {QueryTriggerIntent, w.TriggerIntent}, {QueryTriggerEvent, w.TriggerEvent}, {QueryDTMF, w.DTMFDigits}} {
		if q.v != nil {
			return Query{Kind: q.k, Value: *q.v}
		}
	}
	return Query{}
}

// LanguageCode returns the language code of the turn's input.
func (r *Request) LanguageCode() string { return r.w.LanguageCode }

// LanguageInfo describes language detection for the turn.
type LanguageInfo struct {
	InputLanguageCode    string
	ResolvedLanguageCode string
	ConfidenceScore      float32
}

// LanguageInfo returns the language detection result; ok is false if the
// request has none.
func (r *Request) LanguageInfo() (info LanguageInfo, ok bool) {
	l := r.w.LanguageInfo
	if l == nil {
		return LanguageInfo{}, false
	}
	return LanguageInfo{l.InputLanguageCode, l.ResolvedLanguageCode, float32(l.ConfidenceScore)}, true
}

// Sentiment is the sentiment analysis of the turn's input.
type Sentiment struct {
	// Score runs from -1 (negative) to 1 (positive).
	Score float32
	// Magnitude is the strength of emotion, from 0 up.
	Magnitude float32
}

// Sentiment returns the sentiment analysis; ok is false if the request has
// none (it is only sent when the agent enables sentiment analysis).
func (r *Request) Sentiment() (s Sentiment, ok bool) {
	in := r.w.SentimentAnalysisResult
	if in == nil {
		return Sentiment{}, false
	}
	return Sentiment{float32(in.Score), float32(in.Magnitude)}, true
}

// Payload returns the custom payload the caller of detect-intent sent
// (QueryParameters.payload); the phone gateway puts the caller ID there.
func (r *Request) Payload() Params {
	if r.w.Payload == nil || len(r.w.Payload.raw) == 0 {
		return Params{}
	}
	p := *r.w.Payload
	p.idx = &r.payload
	return p
}

// Messages returns the messages already queued for the end user in this
// turn. The caller must not modify the slice.
func (r *Request) Messages() []Message { return r.w.Messages }

// MarshalJSONTo writes the request in the proto JSON form (lowerCamelCase
// names), as protojson would.
func (r *Request) MarshalJSONTo(enc *jsontext.Encoder) error {
	return json.MarshalEncode(enc, &r.w)
}

// A notObjectError is the error for a WebhookRequest that is JSON but not
// an object.
type notObjectError struct{ kind string }

func (e notObjectError) Error() string {
	return "a WebhookRequest must be a JSON object, not a " + e.kind
}

// UnmarshalJSONFrom reads a request in the proto JSON form. Like protojson
// it accepts the lowerCamelCase and the snake_case name of each field,
// treats null as absent (except for parameter values, where null means
// null), and skips members the public proto does not have.
func (r *Request) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	r.w, r.params, r.payload = wireRequest{}, paramIndex{}, paramIndex{}
	switch k := dec.PeekKind(); {
	case kindName(k) == "": // not JSON: the decoder says why
		_, err := dec.ReadValue()
		return err
	case k != '{':
		return notObjectError{kindName(k)}
	}
	if err := json.UnmarshalDecode(dec, &r.w); err != nil {
		return err
	}
	if queryInputs(&r.w) > 1 {
		return errors.New("a WebhookRequest holds one query input (text, transcript, triggerIntent, triggerEvent or dtmfDigits), not several")
	}
	return nil
}

// queryInputs counts the members of the oneof "query" a request holds.
func queryInputs(w *wireRequest) int {
	n := 0
	for _, q := range [...]*string{w.Text, w.Transcript, w.TriggerIntent, w.TriggerEvent, w.DTMFDigits} {
		if q != nil {
			n++
		}
	}
	return n
}
