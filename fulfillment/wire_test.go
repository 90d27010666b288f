package fulfillment_test

// Differential tests: cxhook's own wire types against the generated cxpb
// types and protojson, the reference encoding. Every field of the v3
// WebhookRequest must decode and re-encode to the JSON value protojson gives,
// and every response the builder can express must encode to the JSON value
// protojson gives for the same cxpb.WebhookResponse.

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"unicode/utf8"

	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
	"github.com/cxhook/cxhook/fulfillment"
	"github.com/go-json-experiment/json"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
)

// gen turns bytes into values, so that a fuzz input drives it. When the
// bytes run out it returns zero values.
type gen struct {
	b []byte
	i int
}

func (g *gen) byte() byte {
	if g.i >= len(g.b) {
		return 0
	}
	c := g.b[g.i]
	g.i++
	return c
}

func (g *gen) bool() bool  { return g.byte()&1 == 1 }
func (g *gen) n(m int) int { return int(g.byte()) % m }

var sampleStrings = []string{
	"", "a", "findAvailableTicket", "héllo wörld", "日本語のテキスト", "emoji 🛫✈️", `quote " and \ backslash`,
	"line\nbreak\ttab", "\u0000nul", "<script>&amp;</script>", "\u2028\u2029", "with space",
	"projects/p/locations/global/agents/a/flows/f/pages/START_PAGE",
}

func (g *gen) str() string {
	if g.bool() {
		return sampleStrings[g.n(len(sampleStrings))]
	}
	n := g.n(12)
	b := make([]byte, 0, n)
	for range n {
		b = append(b, g.byte())
	}
	return string(bytes.ToValidUTF8(b, []byte("?")))
}

func (g *gen) float64() float64 {
	switch g.n(6) {
	case 0:
		return 0
	case 1:
		return float64(int8(g.byte()))
	case 2:
		return float64(g.byte()) / 7
	case 3:
		return math.Float64frombits(uint64(g.byte())<<56 | uint64(g.byte())<<40 | uint64(g.byte()))
	case 4:
		return 1e21 * float64(g.byte())
	}
	return -float64(g.byte()) * 1e-7
}

// finite32 returns a float32 for proto float fields, NaN and infinities
// included: protojson writes those as strings.
func (g *gen) float32() float32 {
	switch g.n(8) {
	case 0:
		return float32(math.NaN())
	case 1:
		return float32(math.Inf(1 - 2*g.n(2)))
	case 2:
		return math.Float32frombits(uint32(g.byte())<<24 | uint32(g.byte())<<8 | uint32(g.byte()))
	}
	return float32(g.float64())
}

func (g *gen) value(depth int) *structpb.Value {
	k := g.n(6)
	if depth > 3 && k >= 4 {
		k = 1
	}
	switch k {
	case 0:
		return structpb.NewNullValue()
	case 1:
		f := g.float64()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			f = 1
		}
		return structpb.NewNumberValue(f)
	case 2:
		return structpb.NewStringValue(g.str())
	case 3:
		return structpb.NewBoolValue(g.bool())
	case 4:
		l := &structpb.ListValue{}
		for range g.n(4) {
			l.Values = append(l.Values, g.value(depth+1))
		}
		return structpb.NewListValue(l)
	}
	return structpb.NewStructValue(g.structv(depth + 1))
}

func (g *gen) structv(depth int) *structpb.Struct {
	s := &structpb.Struct{Fields: map[string]*structpb.Value{}}
	for range g.n(5) {
		s.Fields[g.str()] = g.value(depth)
	}
	return s
}

func (g *gen) valueMap() map[string]*structpb.Value {
	m := map[string]*structpb.Value{}
	for range g.n(6) {
		m[g.str()] = g.value(0)
	}
	return m
}

func (g *gen) message() *cxpb.ResponseMessage {
	m := &cxpb.ResponseMessage{}
	switch g.n(12) {
	case 0:
		m.Message = &cxpb.ResponseMessage_Text_{Text: &cxpb.ResponseMessage_Text{Text: g.strs(), AllowPlaybackInterruption: g.bool()}}
	case 1:
		m.Message = &cxpb.ResponseMessage_Payload{Payload: g.structv(0)}
	case 2:
		m.Message = &cxpb.ResponseMessage_ConversationSuccess_{ConversationSuccess: &cxpb.ResponseMessage_ConversationSuccess{Metadata: g.maybeStruct()}}
	case 3:
		oat := &cxpb.ResponseMessage_OutputAudioText{AllowPlaybackInterruption: g.bool()}
		if g.bool() {
			oat.Source = &cxpb.ResponseMessage_OutputAudioText_Text{Text: g.str()}
		} else {
			oat.Source = &cxpb.ResponseMessage_OutputAudioText_Ssml{Ssml: g.str()}
		}
		m.Message = &cxpb.ResponseMessage_OutputAudioText_{OutputAudioText: oat}
	case 4:
		m.Message = &cxpb.ResponseMessage_LiveAgentHandoff_{LiveAgentHandoff: &cxpb.ResponseMessage_LiveAgentHandoff{Metadata: g.maybeStruct()}}
	case 5:
		m.Message = &cxpb.ResponseMessage_EndInteraction_{EndInteraction: &cxpb.ResponseMessage_EndInteraction{}}
	case 6:
		m.Message = &cxpb.ResponseMessage_PlayAudio_{PlayAudio: &cxpb.ResponseMessage_PlayAudio{AudioUri: g.str(), AllowPlaybackInterruption: g.bool()}}
	case 7:
		ma := &cxpb.ResponseMessage_MixedAudio{}
		for range g.n(3) {
			seg := &cxpb.ResponseMessage_MixedAudio_Segment{AllowPlaybackInterruption: g.bool()}
			if g.bool() {
				seg.Content = &cxpb.ResponseMessage_MixedAudio_Segment_Audio{Audio: []byte(g.str())}
			} else {
				seg.Content = &cxpb.ResponseMessage_MixedAudio_Segment_Uri{Uri: g.str()}
			}
			ma.Segments = append(ma.Segments, seg)
		}
		m.Message = &cxpb.ResponseMessage_MixedAudio_{MixedAudio: ma}
	case 8:
		m.Message = &cxpb.ResponseMessage_TelephonyTransferCall_{TelephonyTransferCall: &cxpb.ResponseMessage_TelephonyTransferCall{
			Endpoint: &cxpb.ResponseMessage_TelephonyTransferCall_PhoneNumber{PhoneNumber: g.str()}}}
	case 9:
		m.Message = &cxpb.ResponseMessage_KnowledgeInfoCard_{KnowledgeInfoCard: &cxpb.ResponseMessage_KnowledgeInfoCard{}}
	case 10:
		m.Message = &cxpb.ResponseMessage_ToolCall{ToolCall: &cxpb.ToolCall{Tool: g.str(), Action: g.str(), InputParameters: g.maybeStruct()}}
	}
	m.ResponseType = cxpb.ResponseMessage_ResponseType(g.n(5))
	if g.n(4) == 0 {
		m.Channel = g.str()
	}
	return m
}

func (g *gen) maybeStruct() *structpb.Struct {
	if g.bool() {
		return nil
	}
	return g.structv(0)
}

func (g *gen) strs() []string {
	var s []string
	for range g.n(4) {
		s = append(s, g.str())
	}
	return s
}

// request fills every field of a WebhookRequest, each present or not.
func (g *gen) request() *cxpb.WebhookRequest {
	r := &cxpb.WebhookRequest{DetectIntentResponseId: g.str(), LanguageCode: g.str()}
	switch g.n(6) {
	case 0:
		r.Query = &cxpb.WebhookRequest_Text{Text: g.str()}
	case 1:
		r.Query = &cxpb.WebhookRequest_TriggerIntent{TriggerIntent: g.str()}
	case 2:
		r.Query = &cxpb.WebhookRequest_Transcript{Transcript: g.str()}
	case 3:
		r.Query = &cxpb.WebhookRequest_TriggerEvent{TriggerEvent: g.str()}
	case 4:
		r.Query = &cxpb.WebhookRequest_DtmfDigits{DtmfDigits: g.str()}
	}
	if g.bool() {
		r.FulfillmentInfo = &cxpb.WebhookRequest_FulfillmentInfo{Tag: g.str()}
	}
	if g.bool() {
		ii := &cxpb.WebhookRequest_IntentInfo{LastMatchedIntent: g.str(), DisplayName: g.str(), Confidence: g.float32()}
		if g.bool() {
			ii.Parameters = map[string]*cxpb.WebhookRequest_IntentInfo_IntentParameterValue{}
			for range g.n(4) {
				p := &cxpb.WebhookRequest_IntentInfo_IntentParameterValue{OriginalValue: g.str()}
				if g.bool() {
					p.ResolvedValue = g.value(0)
				}
				ii.Parameters[g.str()] = p
			}
		}
		r.IntentInfo = ii
	}
	if g.bool() {
		pi := &cxpb.PageInfo{CurrentPage: g.str(), DisplayName: g.str()}
		if g.bool() {
			pi.FormInfo = &cxpb.PageInfo_FormInfo{}
			for range g.n(4) {
				p := &cxpb.PageInfo_FormInfo_ParameterInfo{DisplayName: g.str(), Required: g.bool(),
					State: cxpb.PageInfo_FormInfo_ParameterInfo_ParameterState(g.n(6)), JustCollected: g.bool()}
				if g.bool() {
					p.Value = g.value(0)
				}
				pi.FormInfo.ParameterInfo = append(pi.FormInfo.ParameterInfo, p)
			}
		}
		r.PageInfo = pi
	}
	if g.bool() {
		r.SessionInfo = &cxpb.SessionInfo{Session: g.str()}
		if g.bool() {
			r.SessionInfo.Parameters = g.valueMap()
		}
	}
	for range g.n(4) {
		r.Messages = append(r.Messages, g.message())
	}
	if g.bool() {
		r.Payload = g.structv(0)
	}
	if g.bool() {
		r.SentimentAnalysisResult = &cxpb.WebhookRequest_SentimentAnalysisResult{Score: g.float32(), Magnitude: g.float32()}
	}
	if g.bool() {
		r.LanguageInfo = &cxpb.LanguageInfo{InputLanguageCode: g.str(), ResolvedLanguageCode: g.str(), ConfidenceScore: g.float32()}
	}
	return r
}

// jsonValue parses JSON text into a comparable value (numbers as float64).
func jsonValue(t testing.TB, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return v
}

// checkRequestRoundTrip decodes protojson's encoding of want with our
// decoder, re-encodes it, and compares the JSON values.
func checkRequestRoundTrip(t testing.TB, want *cxpb.WebhookRequest) {
	t.Helper()
	ref, err := protojson.Marshal(want)
	if err != nil {
		return // not representable in JSON (protojson's own limit)
	}
	req, err := fulfillment.DecodeRequest(ref)
	if err != nil {
		t.Fatalf("decoding protojson output failed: %v\n%s", err, ref)
	}
	got, err := json.Marshal(req)
	if err != nil {
		t.Fatalf("re-encoding failed: %v", err)
	}
	if a, b := jsonValue(t, ref), jsonValue(t, got); !reflect.DeepEqual(a, b) {
		t.Fatalf("round trip differs from protojson\nprotojson: %s\ncxhook:    %s", ref, got)
	}
}

func TestRequestMatchesProtojson(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		b := make([]byte, 64+rng.IntN(512))
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		g := &gen{b: b}
		t.Run(fmt.Sprint(i), func(t *testing.T) { checkRequestRoundTrip(t, g.request()) })
	}
}

func FuzzRequestMatchesProtojson(f *testing.F) {
	f.Add([]byte("seed"))
	f.Add(bytes.Repeat([]byte{1, 3, 5, 7, 255, 128}, 40))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRequestRoundTrip(t, (&gen{b: data}).request())
	})
}

// TestRequestAccessorsMatchCxpb checks that the accessors read what the
// generated types hold.
func TestRequestAccessorsMatchCxpb(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for range 500 {
		b := make([]byte, 256)
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		want := (&gen{b: b}).request()
		ref, err := protojson.Marshal(want)
		if err != nil {
			continue
		}
		req, err := fulfillment.DecodeRequest(ref)
		if err != nil {
			t.Fatal(err)
		}
		if req.Tag() != want.GetFulfillmentInfo().GetTag() || req.Session() != want.GetSessionInfo().GetSession() ||
			req.LanguageCode() != want.GetLanguageCode() || req.DetectIntentResponseID() != want.GetDetectIntentResponseId() ||
			req.Page().Name != want.GetPageInfo().GetCurrentPage() || req.Page().DisplayName != want.GetPageInfo().GetDisplayName() ||
			len(req.Messages()) != len(want.GetMessages()) || req.Params().Len() != len(want.GetSessionInfo().GetParameters()) ||
			len(req.FormParams()) != len(want.GetPageInfo().GetFormInfo().GetParameterInfo()) {
			t.Fatalf("accessors disagree with cxpb for %s", ref)
		}
		if in, ok := req.Intent(); ok != (want.IntentInfo != nil) || (ok && !sameFloat32(in.Confidence, want.IntentInfo.Confidence)) {
			t.Fatalf("intent disagrees: %+v vs %v", in, want.IntentInfo)
		}
		for name, v := range want.GetSessionInfo().GetParameters() {
			wantJSON, _ := protojson.Marshal(v)
			if a, b := jsonValue(t, wantJSON), jsonValue(t, req.Params().Get(name).JSON()); !reflect.DeepEqual(a, b) {
				t.Fatalf("param %q: %s vs %s", name, wantJSON, req.Params().Get(name).JSON())
			}
		}
		q := req.Query()
		var wantQ string
		switch x := want.Query.(type) {
		case *cxpb.WebhookRequest_Text:
			wantQ = "text:" + x.Text
		case *cxpb.WebhookRequest_Transcript:
			wantQ = "transcript:" + x.Transcript
		case *cxpb.WebhookRequest_TriggerIntent:
			wantQ = "triggerIntent:" + x.TriggerIntent
		case *cxpb.WebhookRequest_TriggerEvent:
			wantQ = "triggerEvent:" + x.TriggerEvent
		case *cxpb.WebhookRequest_DtmfDigits:
			wantQ = "dtmfDigits:" + x.DtmfDigits
		}
		if got := string(q.Kind) + ":" + q.Value; wantQ != "" && got != wantQ || wantQ == "" && q.Kind != fulfillment.QueryNone {
			t.Fatalf("query %q, want %q", got, wantQ)
		}
	}
}

func sameFloat32(a, b float32) bool { return a == b || a != a && b != b }

// TestDecodeLikeProtojsonDiscardUnknown holds the decoder to protojson with
// DiscardUnknown on documents real agents and Google's samples send:
// fields the public proto lacks, snake_case names, enum names and numbers,
// nulls, floats as strings.
func TestDecodeLikeProtojsonDiscardUnknown(t *testing.T) {
	t.Parallel()
	docs := map[string]string{
		"undocumented message fields":   `{"fulfillmentInfo":{"tag":"t"},"messages":[{"text":{"text":["Hi"],"redactedText":["Hi"]},"responseType":"HANDLER_PROMPT","source":"VIRTUAL_AGENT"}]}`,
		"unknown fields at every level": `{"newTopLevel":{"a":[1,{"b":null}]},"fulfillmentInfo":{"tag":"t","x":1},"pageInfo":{"currentPage":"p","formInfo":{"parameterInfo":[{"displayName":"d","state":"FILLED","value":1,"zz":true}],"y":2}},"sessionInfo":{"session":"s","parameters":{"p":1},"extra":"e"},"intentInfo":{"lastMatchedIntent":"i","parameters":{"k":{"originalValue":"o","resolvedValue":"r","more":1}},"confidence":0.5,"unknown":"u"}}`,
		"snake_case names":              `{"fulfillment_info":{"tag":"t"},"session_info":{"session":"s","parameters":{"a":null}},"page_info":{"current_page":"p","form_info":{"parameter_info":[{"display_name":"x","just_collected":true}]}},"detect_intent_response_id":"d","language_code":"en","dtmf_digits":"12#"}`,
		"unknown enum name dropped":     `{"pageInfo":{"formInfo":{"parameterInfo":[{"displayName":"x","state":"VALID"}]}}}`,
		"enum numbers":                  `{"pageInfo":{"formInfo":{"parameterInfo":[{"displayName":"x","state":2},{"displayName":"y","state":3.0},{"displayName":"z","state":17}]}},"messages":[{"responseType":1,"text":{"text":[]}}]}`,
		"floats as strings":             `{"intentInfo":{"confidence":"0.25"},"sentimentAnalysisResult":{"score":"-Infinity","magnitude":"NaN"},"languageInfo":{"confidenceScore":"1e-3"}}`,
		"nulls":                         `{"fulfillmentInfo":null,"text":null,"intentInfo":{"parameters":null,"confidence":null},"pageInfo":{"formInfo":{"parameterInfo":[{"displayName":"x","value":null,"state":null}]}},"sessionInfo":{"parameters":{"gone":null}},"messages":null,"payload":null,"languageCode":null}`,
		"empty sections":                `{"fulfillmentInfo":{},"intentInfo":{},"pageInfo":{},"sessionInfo":{"parameters":{}},"messages":[],"payload":{},"sentimentAnalysisResult":{},"languageInfo":{}}`,
		"unicode":                       `{"fulfillmentInfo":{"tag":"réserver-vol"},"text":"\u65e5\u672c \ud83d\udeeb","sessionInfo":{"parameters":{"名前":"Zoë","nested":{"a":[{"b":"\u2028"}]}}}}`,
		"output-only messages":          `{"messages":[{"endInteraction":{}},{"mixedAudio":{"segments":[{"audio":"AAEC","allowPlaybackInterruption":true},{"uri":"gs://b/a.wav"}]}},{"knowledgeInfoCard":{}},{"toolCall":{"tool":"projects/p/locations/l/agents/a/tools/t","action":"get","inputParameters":{"x":1}}}]}`,
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var want cxpb.WebhookRequest
			if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal([]byte(doc), &want); err != nil {
				t.Fatalf("protojson rejects the document: %v", err)
			}
			ref, _ := protojson.Marshal(&want)
			req, err := fulfillment.DecodeRequest([]byte(doc))
			if err != nil {
				t.Fatalf("cxhook rejects what protojson accepts: %v", err)
			}
			got, err := json.Marshal(req)
			if err != nil {
				t.Fatal(err)
			}
			if a, b := jsonValue(t, ref), jsonValue(t, got); !reflect.DeepEqual(a, b) {
				t.Errorf("differs from protojson\nprotojson: %s\ncxhook:    %s", ref, got)
			}
		})
	}
}

// TestDecodeRejectsWhatProtojsonRejects: malformed JSON and wrong types.
func TestDecodeRejectsWhatProtojsonRejects(t *testing.T) {
	t.Parallel()
	docs := map[string]string{
		"empty":                  ``,
		"array":                  `[]`,
		"string":                 `"x"`,
		"truncated":              `{"fulfillmentInfo":{"tag":"t"}`,
		"trailing garbage":       `{} x`,
		"tag is a number":        `{"fulfillmentInfo":{"tag":5}}`,
		"section is a number":    `{"fulfillmentInfo":5}`,
		"parameters is a list":   `{"sessionInfo":{"parameters":[]}}`,
		"payload is a string":    `{"payload":"x"}`,
		"messages is an object":  `{"messages":{}}`,
		"confidence is a bool":   `{"intentInfo":{"confidence":true}}`,
		"confidence bad string":  `{"intentInfo":{"confidence":"high"}}`,
		"required is a string":   `{"pageInfo":{"formInfo":{"parameterInfo":[{"required":"yes"}]}}}`,
		"state is an object":     `{"pageInfo":{"formInfo":{"parameterInfo":[{"state":{}}]}}}`,
		"state is fractional":    `{"pageInfo":{"formInfo":{"parameterInfo":[{"state":1.5}]}}}`,
		"duplicate member":       `{"languageCode":"en","languageCode":"fr"}`,
		"invalid UTF-8":          "{\"text\":\"\xff\"}",
		"text variants not list": `{"messages":[{"text":{"text":"hi"}}]}`,
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var ref cxpb.WebhookRequest
			if (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal([]byte(doc), &ref) == nil {
				t.Fatalf("test is wrong: protojson accepts %s", doc)
			}
			if _, err := fulfillment.DecodeRequest([]byte(doc)); err == nil {
				t.Errorf("cxhook accepts %q, protojson rejects it", doc)
			}
		})
	}
}

var _ = utf8.ValidString
