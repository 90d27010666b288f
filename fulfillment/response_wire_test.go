package fulfillment_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
	"github.com/cxhook/cxhook/fulfillment"
	"github.com/go-json-experiment/json"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
)

const (
	testFlow  = "projects/p/locations/global/agents/a/flows/f"
	testAgent = "projects/p/locations/global/agents/a"
)

// buildResponse applies the same random builder calls to a
// fulfillment.Response and to a cxpb.WebhookResponse, the way the builder
// documents them.
func buildResponse(g *gen) (*fulfillment.Response, *cxpb.WebhookResponse) {
	ours := fulfillment.NewResponse()
	ref := &cxpb.WebhookResponse{}
	fr := func() *cxpb.WebhookResponse_FulfillmentResponse {
		if ref.FulfillmentResponse == nil {
			ref.FulfillmentResponse = &cxpb.WebhookResponse_FulfillmentResponse{}
		}
		return ref.FulfillmentResponse
	}
	form := map[string]*cxpb.PageInfo_FormInfo_ParameterInfo{}
	for range g.n(10) {
		switch g.n(14) {
		case 0:
			v := g.strs()
			if len(v) == 0 {
				v = []string{g.str()}
			}
			m, pm := fulfillment.Text(v...), &cxpb.ResponseMessage{Message: &cxpb.ResponseMessage_Text_{Text: &cxpb.ResponseMessage_Text{Text: v}}}
			if g.bool() {
				ch := g.str()
				m, pm.Channel = m.ForChannel(ch), ch
			}
			ours.Add(m)
			fr().Messages = append(fr().Messages, pm)
		case 1:
			s := g.structv(0)
			ours.Add(fulfillment.CustomPayload(s.AsMap()))
			fr().Messages = append(fr().Messages, &cxpb.ResponseMessage{Message: &cxpb.ResponseMessage_Payload{Payload: s}})
		case 2:
			s := g.maybeStruct()
			var md any
			if s != nil {
				md = s.AsMap()
			}
			ours.Add(fulfillment.ConversationSuccess(md))
			fr().Messages = append(fr().Messages, &cxpb.ResponseMessage{Message: &cxpb.ResponseMessage_ConversationSuccess_{ConversationSuccess: &cxpb.ResponseMessage_ConversationSuccess{Metadata: s}}})
		case 3:
			s := g.maybeStruct()
			var md any
			if s != nil {
				md = s.AsMap()
			}
			ours.Add(fulfillment.LiveAgentHandoff(md))
			fr().Messages = append(fr().Messages, &cxpb.ResponseMessage{Message: &cxpb.ResponseMessage_LiveAgentHandoff_{LiveAgentHandoff: &cxpb.ResponseMessage_LiveAgentHandoff{Metadata: s}}})
		case 4:
			text := g.str()
			oat := &cxpb.ResponseMessage_OutputAudioText{}
			if g.bool() {
				ours.Add(fulfillment.OutputAudioSSML(text))
				oat.Source = &cxpb.ResponseMessage_OutputAudioText_Ssml{Ssml: text}
			} else {
				ours.Add(fulfillment.OutputAudioText(text))
				oat.Source = &cxpb.ResponseMessage_OutputAudioText_Text{Text: text}
			}
			fr().Messages = append(fr().Messages, &cxpb.ResponseMessage{Message: &cxpb.ResponseMessage_OutputAudioText_{OutputAudioText: oat}})
		case 5:
			uri := g.str()
			ours.Add(fulfillment.PlayAudio(uri))
			fr().Messages = append(fr().Messages, &cxpb.ResponseMessage{Message: &cxpb.ResponseMessage_PlayAudio_{PlayAudio: &cxpb.ResponseMessage_PlayAudio{AudioUri: uri}}})
		case 6:
			num := g.str()
			ours.Add(fulfillment.TelephonyTransfer(num))
			fr().Messages = append(fr().Messages, &cxpb.ResponseMessage{Message: &cxpb.ResponseMessage_TelephonyTransferCall_{TelephonyTransferCall: &cxpb.ResponseMessage_TelephonyTransferCall{Endpoint: &cxpb.ResponseMessage_TelephonyTransferCall_PhoneNumber{PhoneNumber: num}}}})
		case 7:
			ours.ReplaceQueued()
			fr().MergeBehavior = cxpb.WebhookResponse_FulfillmentResponse_REPLACE
		case 8, 9:
			name, v := g.str(), g.value(0)
			if name == "" || v.GetKind() == nil {
				continue
			}
			if _, isNull := v.Kind.(*structpb.Value_NullValue); isNull {
				ours.DeleteParam(name)
			} else {
				ours.SetParam(name, v.AsInterface())
			}
			if ref.SessionInfo == nil {
				ref.SessionInfo = &cxpb.SessionInfo{Parameters: map[string]*structpb.Value{}}
			}
			ref.SessionInfo.Parameters[name] = v
		case 10:
			name := g.str()
			if name == "" {
				continue
			}
			ours.InvalidateFormParam(name)
			p := form[name]
			if p == nil {
				p = &cxpb.PageInfo_FormInfo_ParameterInfo{DisplayName: name}
				form[name] = p
				addForm(ref, p)
			}
			p.State = cxpb.PageInfo_FormInfo_ParameterInfo_INVALID
		case 11:
			name, v := g.str(), g.value(0)
			if _, isNull := v.Kind.(*structpb.Value_NullValue); name == "" || isNull {
				continue
			}
			ours.SetFormParam(name, v.AsInterface())
			p := form[name]
			if p == nil {
				p = &cxpb.PageInfo_FormInfo_ParameterInfo{DisplayName: name, State: cxpb.PageInfo_FormInfo_ParameterInfo_FILLED}
				form[name] = p
				addForm(ref, p)
			}
			p.Value = v
		case 12:
			if g.bool() {
				t, _ := fulfillment.PageTarget(testFlow + "/pages/" + fulfillment.EndSession)
				ours.TransitionTo(t)
				ref.Transition = &cxpb.WebhookResponse_TargetPage{TargetPage: t.Name()}
			} else {
				t, _ := fulfillment.FlowTarget(testAgent + "/flows/other")
				ours.TransitionTo(t)
				ref.Transition = &cxpb.WebhookResponse_TargetFlow{TargetFlow: t.Name()}
			}
		case 13:
			s := g.structv(0)
			ours.SetPayload(s.AsMap())
			ref.Payload = s
		}
	}
	return ours, ref
}

func addForm(ref *cxpb.WebhookResponse, p *cxpb.PageInfo_FormInfo_ParameterInfo) {
	if ref.PageInfo == nil {
		ref.PageInfo = &cxpb.PageInfo{FormInfo: &cxpb.PageInfo_FormInfo{}}
	}
	ref.PageInfo.FormInfo.ParameterInfo = append(ref.PageInfo.FormInfo.ParameterInfo, p)
}

func checkResponse(t testing.TB, g *gen) {
	t.Helper()
	ours, ref := buildResponse(g)
	want, err := protojson.Marshal(ref)
	if err != nil {
		return
	}
	got, err := fulfillment.EncodeResponse(ours)
	if err != nil {
		t.Fatalf("encoding failed: %v (protojson: %s)", err, want)
	}
	if a, b := jsonValue(t, want), jsonValue(t, got); !reflect.DeepEqual(a, b) {
		t.Fatalf("response differs from protojson\nprotojson: %s\ncxhook:    %s", want, got)
	}
	// What we send must decode under strict protojson.
	var strict cxpb.WebhookResponse
	if err := protojson.Unmarshal(got, &strict); err != nil {
		t.Fatalf("strict protojson rejects our response: %v\n%s", err, got)
	}
}

func TestResponseMatchesProtojson(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 3000 {
		b := make([]byte, 64+rng.IntN(256))
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		t.Run(fmt.Sprint(i), func(t *testing.T) { checkResponse(t, &gen{b: b}) })
	}
}

func FuzzResponseMatchesProtojson(f *testing.F) {
	f.Add([]byte("seed"))
	f.Fuzz(func(t *testing.T, data []byte) { checkResponse(t, &gen{b: data}) })
}

// An empty response is {}: every field may be left out.
func TestEmptyResponse(t *testing.T) {
	t.Parallel()
	for _, r := range []*fulfillment.Response{fulfillment.NewResponse(), new(fulfillment.Response)} {
		b, err := fulfillment.EncodeResponse(r)
		if err != nil || string(b) != "{}" {
			t.Errorf("got %s, %v; want {}", b, err)
		}
	}
}

var _ = json.Marshal
