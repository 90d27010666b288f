package emulator

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/expr"
	"github.com/cxhook/cxhook/fulfillment"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The WebhookRequest the emulator sends, in the proto JSON form CX uses
// (lowerCamelCase names), with the fields CXRUNTIME.md §1.7 lists per call
// site.
type wRequest struct {
	DetectIntentResponseID string           `json:"detectIntentResponseId"`
	Text                   string           `json:"text,omitempty"`
	TriggerIntent          string           `json:"triggerIntent,omitempty"`
	TriggerEvent           string           `json:"triggerEvent,omitempty"`
	DTMFDigits             string           `json:"dtmfDigits,omitempty"`
	LanguageCode           string           `json:"languageCode"`
	FulfillmentInfo        wFulfillmentInfo `json:"fulfillmentInfo"`
	IntentInfo             *wIntentInfo     `json:"intentInfo,omitempty"`
	PageInfo               wPageInfo        `json:"pageInfo"`
	SessionInfo            wSessionInfo     `json:"sessionInfo"`
	Messages               []jsontext.Value `json:"messages,omitempty"`
	Payload                map[string]any   `json:"payload,omitempty"`
	LanguageInfo           wLanguageInfo    `json:"languageInfo"`
}

type wFulfillmentInfo struct {
	Tag string `json:"tag"`
}

type wIntentInfo struct {
	LastMatchedIntent string                  `json:"lastMatchedIntent"`
	DisplayName       string                  `json:"displayName"`
	Parameters        map[string]wIntentParam `json:"parameters,omitempty"`
	Confidence        float64                 `json:"confidence"`
}

type wIntentParam struct {
	OriginalValue string `json:"originalValue"`
	ResolvedValue any    `json:"resolvedValue"`
}

type wPageInfo struct {
	CurrentPage string     `json:"currentPage"`
	DisplayName string     `json:"displayName"`
	FormInfo    *wFormInfo `json:"formInfo,omitempty"`
}

type wFormInfo struct {
	ParameterInfo []wParamInfo `json:"parameterInfo,omitempty"`
}

type wParamInfo struct {
	DisplayName   string `json:"displayName"`
	Required      bool   `json:"required,omitempty"`
	State         string `json:"state"`
	Value         any    `json:"value,omitzero"`
	JustCollected bool   `json:"justCollected,omitempty"`
}

type wSessionInfo struct {
	Session    string         `json:"session"`
	Parameters map[string]any `json:"parameters,omitempty"`
}

type wLanguageInfo struct {
	InputLanguageCode    string  `json:"inputLanguageCode"`
	ResolvedLanguageCode string  `json:"resolvedLanguageCode"`
	ConfidenceScore      float64 `json:"confidenceScore"`
}

// request builds the WebhookRequest for a call from f on fr's page.
func (t *turn) request(fr *frame, f *agent.Fulfillment) ([]byte, error) {
	s := t.s
	an := s.e.agentNm
	lang := t.language()
	r := wRequest{
		DetectIntentResponseID: uuidFrom(fmt.Sprintf("%s|%d", s.id, s.turnNo)),
		LanguageCode:           lang,
		FulfillmentInfo:        wFulfillmentInfo{Tag: f.Tag},
		PageInfo:               wPageInfo{CurrentPage: fr.page.ResourceName(an), DisplayName: fr.page.DisplayName},
		SessionInfo:            wSessionInfo{Session: an + "/sessions/" + s.id},
		Payload:                s.cfg.Payload,
		LanguageInfo:           wLanguageInfo{InputLanguageCode: lang, ResolvedLanguageCode: lang, ConfidenceScore: 1},
	}
	switch t.in.Kind {
	case InputText:
		r.Text = t.in.Text
	case InputIntent:
		if in := s.e.lookupIntent(t.in.Intent); in != nil {
			r.TriggerIntent = in.ResourceName(an)
		}
	case InputEvent:
		r.TriggerEvent = t.in.Event
	case InputDTMF:
		r.DTMFDigits = t.in.Digits + t.in.FinishDigit
	}
	if t.intent != nil {
		ii := &wIntentInfo{LastMatchedIntent: t.intent.ResourceName(an), DisplayName: t.intent.DisplayName, Confidence: t.confidence}
		for _, pv := range t.intentParams {
			if ii.Parameters == nil {
				ii.Parameters = map[string]wIntentParam{}
			}
			orig := pv.Original
			if orig == "" {
				if x, err := expr.FromJSON(pv.Value); err == nil {
					orig, _ = x.Text()
				}
			}
			ii.Parameters[pv.Name] = wIntentParam{OriginalValue: orig, ResolvedValue: pv.Value}
		}
		r.IntentInfo = ii
	}
	if len(fr.page.Form) > 0 {
		fi := &wFormInfo{}
		for _, fp := range fr.page.Form {
			pi := wParamInfo{DisplayName: fp.DisplayName, Required: fp.Required, State: s.paramState(fr, fp), JustCollected: fr.form.just[fp.DisplayName]}
			if v, ok := s.formValue(fr, fp); ok && !fr.form.invalid[fp.DisplayName] {
				pi.Value = v
			}
			fi.ParameterInfo = append(fi.ParameterInfo, pi)
		}
		r.PageInfo.FormInfo = fi
	}
	if len(s.params) > 0 {
		r.SessionInfo.Parameters = map[string]any(s.params)
	}
	for _, m := range t.queue {
		b, err := queuedJSON(m)
		if err != nil {
			return nil, err
		}
		r.Messages = append(r.Messages, b)
	}
	return json.Marshal(&r, json.Deterministic(true))
}

// queuedJSON writes a queued message as a WebhookRequest carries it: the
// text sent (with the redactedText real requests show), the response type
// and source (PolicyMessageType).
func queuedJSON(m Message) (jsontext.Value, error) {
	obj := map[string]any{"responseType": m.Type.String(), "source": "VIRTUAL_AGENT"}
	switch m.Kind {
	case fulfillment.KindText:
		obj["text"] = map[string]any{"text": []string{m.Text}, "redactedText": []string{m.Text}}
		if m.channel != "" {
			obj["channel"] = m.channel
		}
	default:
		raw, err := json.Marshal(m.Raw)
		if err != nil {
			return nil, err
		}
		var x map[string]any
		if err := json.Unmarshal(raw, &x); err != nil {
			return nil, err
		}
		for k, v := range x {
			obj[k] = v
		}
	}
	b, err := json.Marshal(obj, json.Deterministic(true))
	return jsontext.Value(b), err
}

// wResponse is a WebhookResponse as decoded: names match in lowerCamelCase
// and snake_case, as protojson accepts; members it lacks are skipped.
type wResponse struct {
	FulfillmentResponse *struct {
		Messages      []jsontext.Value `json:"messages"`
		MergeBehavior jsontext.Value   `json:"mergeBehavior,case:ignore"`
	} `json:"fulfillmentResponse,case:ignore"`
	PageInfo *struct {
		FormInfo *struct {
			ParameterInfo []struct {
				DisplayName string         `json:"displayName,case:ignore"`
				State       jsontext.Value `json:"state"`
				Value       jsontext.Value `json:"value"`
			} `json:"parameterInfo,case:ignore"`
		} `json:"formInfo,case:ignore"`
	} `json:"pageInfo,case:ignore"`
	SessionInfo *struct {
		Parameters map[string]jsontext.Value `json:"parameters"`
	} `json:"sessionInfo,case:ignore"`
	Payload    map[string]any `json:"payload"`
	TargetPage string         `json:"targetPage,case:ignore"`
	TargetFlow string         `json:"targetFlow,case:ignore"`
}

// parsedResponse is a valid WebhookResponse, ready to apply.
type parsedResponse struct {
	messages []fulfillment.Message
	replace  bool
	params   []paramChange
	form     []formChange
	payload  map[string]any
	target   *agent.Target
}

type paramChange struct {
	name  string
	value any // nil deletes
}

type formChange struct {
	fp       *agent.FormParameter
	setValue bool
	value    any
	invalid  bool
}

// parseResponse decodes and checks a WebhookResponse whole, before any of
// it is applied; an error makes the answer invalid (PolicyInvalidAnswer).
func (t *turn) parseResponse(fr *frame, body []byte) (*parsedResponse, error) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, errors.New("is empty")
	}
	if jsontext.Value(body).Kind() != '{' {
		return nil, errors.New("is not a JSON object")
	}
	var w wResponse
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("does not decode as a WebhookResponse (%s)", decodeProblem(err))
	}
	p := &parsedResponse{payload: w.Payload}
	if fr := w.FulfillmentResponse; fr != nil {
		for i, raw := range fr.Messages {
			var m fulfillment.Message
			if err := json.Unmarshal(raw, &m); err != nil {
				return nil, fmt.Errorf("has a message %d that does not decode (%s)", i, decodeProblem(err))
			}
			p.messages = append(p.messages, m)
		}
		switch mb := strings.Trim(string(fr.MergeBehavior), `"`); mb {
		case "", "null", "MERGE_BEHAVIOR_UNSPECIFIED", "0", "APPEND", "1":
		case "REPLACE", "2":
			p.replace = true
		default:
			return nil, fmt.Errorf("has an unknown mergeBehavior %q", clip(mb))
		}
	}
	if si := w.SessionInfo; si != nil {
		names := make([]string, 0, len(si.Parameters))
		for k := range si.Parameters {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			var v any
			if err := json.Unmarshal(si.Parameters[k], &v); err != nil {
				return nil, fmt.Errorf("has parameter %q that does not decode", clip(k))
			}
			p.params = append(p.params, paramChange{k, v})
		}
	}
	if pi := w.PageInfo; pi != nil && pi.FormInfo != nil {
		for _, x := range pi.FormInfo.ParameterInfo {
			fp := formParam(fr.page, x.DisplayName)
			if fp == nil {
				t.warn("the webhook names form parameter %q, which page %q lacks: ignored (a webhook cannot add form parameters)", clip(x.DisplayName), fr.page.DisplayName)
				continue
			}
			fc := formChange{fp: fp}
			if len(x.Value) > 0 {
				fc.setValue = true
				if err := json.Unmarshal(x.Value, &fc.value); err != nil {
					return nil, fmt.Errorf("has form parameter %q with a value that does not decode", clip(x.DisplayName))
				}
			}
			switch st := strings.Trim(string(x.State), `"`); st {
			case "INVALID", "2":
				fc.invalid = true
			case "", "null":
			default:
				// CX ignores states other than INVALID set by a webhook.
			}
			p.form = append(p.form, fc)
		}
	}
	if w.TargetPage != "" && w.TargetFlow != "" {
		return nil, errors.New("sets both targetPage and targetFlow")
	}
	if w.TargetPage != "" || w.TargetFlow != "" {
		tg, err := t.s.e.prog.resolveTarget(w.TargetPage, w.TargetFlow)
		if err != nil {
			return nil, fmt.Errorf("names a target the agent lacks (%v)", err)
		}
		p.target = &tg
	}
	return p, nil
}

// decodeProblem describes a JSON error without quoting the input.
func decodeProblem(err error) string {
	var se *json.SemanticError
	var syn *jsontext.SyntacticError
	switch {
	case errors.As(err, &se):
		if se.JSONPointer != "" {
			return fmt.Sprintf("member %s has the wrong type", clip(string(se.JSONPointer)))
		}
		return "a member has the wrong type"
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d", syn.ByteOffset)
	}
	return "invalid JSON"
}

// applyResponse applies a valid WebhookResponse as CX does: messages
// appended or replacing the queue, session parameters merged (null
// deletes), form parameters set or made INVALID, the payload kept; it
// returns the target to move to, if any.
func (t *turn) applyResponse(fr *frame, wh *agent.Webhook, site callSite, p *parsedResponse) *agent.Target {
	s := t.s
	var msgs []Message
	for _, m := range p.messages {
		msg := Message{Kind: m.Kind(), Type: site.rtype, Source: "webhook " + wh.DisplayName, FromWebhook: true, Raw: m, channel: m.Channel()}
		if msg.channel != "" && msg.channel != s.e.cfg.Channel {
			continue
		}
		switch m.Kind() {
		case fulfillment.KindText:
			msg.Variants = m.TextVariants()
			if len(msg.Variants) == 0 {
				continue
			}
			i := 0
			if len(msg.Variants) > 1 {
				i = s.rand.IntN(len(msg.Variants))
			}
			msg.Text = msg.Variants[i]
		case fulfillment.KindOutputAudioText:
			msg.Text, _ = m.AudioText()
		}
		msgs = append(msgs, msg)
	}
	if p.replace {
		if len(t.queue) > 0 {
			t.note(PolicyReplaceReach, fmt.Sprintf("REPLACE from webhook %s drops the %d message(s) queued this turn", wh.DisplayName, len(t.queue)))
		}
		t.queue = msgs
	} else {
		t.queue = append(t.queue, msgs...)
	}
	for _, c := range p.params {
		t.setIn(s.params, true, c.name, c.value, "webhook")
	}
	for _, c := range p.form {
		bp, name, session := s.backing(fr, c.fp)
		if c.setValue {
			t.setIn(bp, session, name, c.value, "webhook form")
			if c.value != nil {
				fr.form.setInvalid(c.fp.DisplayName, false)
			}
		}
		if c.invalid {
			t.note(PolicyInvalidParam, "the webhook made "+c.fp.DisplayName+" INVALID: its value is dropped and it is prompted again")
			fr.form.setInvalid(c.fp.DisplayName, true)
			t.invalidated = true
			t.setIn(bp, session, name, nil, "webhook INVALID")
		}
	}
	if p.payload != nil {
		t.out.Payloads = append(t.out.Payloads, p.payload)
	}
	return p.target
}

// mappedParam is one parameter a flexible webhook's answer sets.
type mappedParam struct {
	m     mapping
	value any
}

// parseFlexible decodes a flexible webhook's answer and maps it through
// parameterMapping (PolicyFlexibleMapping).
func (t *turn) parseFlexible(wh *agent.Webhook, body []byte) ([]mappedParam, error) {
	maps := t.s.e.prog.maps[wh]
	if len(maps) == 0 {
		return nil, nil
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, errors.New("is empty")
	}
	v, err := expr.ParseJSON(body)
	if err != nil {
		return nil, errors.New("is not JSON")
	}
	var out []mappedParam
	for _, m := range maps {
		if m.err != nil {
			t.warn("parameterMapping %q of webhook %s skipped: %v", clip(m.key), wh.DisplayName, m.err)
			continue
		}
		sel, err := m.path.Select(v)
		if err != nil {
			return nil, fmt.Errorf("cannot be mapped through %s (%v)", m.path.Source(), err)
		}
		if m.path.Definite() && sel.IsNull() {
			t.note(PolicyFlexibleMapping, "the answer of "+wh.DisplayName+" has nothing at "+m.path.Source()+": "+m.key+" is left as it is")
			continue
		}
		out = append(out, mappedParam{m, cloneJSON(sel.JSON())})
	}
	return out, nil
}

func (t *turn) applyFlexible(fr *frame, mapped []mappedParam) {
	s := t.s
	for _, mp := range mapped {
		tg := mp.m.target
		var base Params
		name, session := tg.Name, true
		switch tg.Scope {
		case expr.ScopeSession:
			base = s.params
		case expr.ScopeFlow:
			base, session = fr.flowParams, false
		case expr.ScopePage:
			fp := formParam(fr.page, name)
			if fp == nil {
				t.warn("parameterMapping %q: page %q has no such form parameter", clip(mp.m.key), fr.page.DisplayName)
				continue
			}
			base, name, session = s.backing(fr, fp)
		default:
			continue
		}
		v := mp.value
		if len(tg.Fields) > 0 {
			var old expr.Value
			if x, ok := base.Get(name); ok {
				old, _ = expr.FromJSON(x)
			}
			nv, err := expr.FromJSON(v)
			if err != nil {
				continue
			}
			v = expr.SetPath(old, tg.Fields, nv).JSON()
		}
		t.setIn(base, session, name, v, "webhook")
	}
}
