package fulfillment

import (
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// MessageKind names which variant of a CX ResponseMessage a [Message] is.
type MessageKind string

// The message kinds. A webhook can send the first eight; Dialogflow adds the
// others to the queue itself and a webhook can only read them.
const (
	KindText                MessageKind = "text"
	KindPayload             MessageKind = "payload"
	KindConversationSuccess MessageKind = "conversationSuccess"
	KindOutputAudioText     MessageKind = "outputAudioText"
	KindLiveAgentHandoff    MessageKind = "liveAgentHandoff"
	KindPlayAudio           MessageKind = "playAudio"
	KindTelephonyTransfer   MessageKind = "telephonyTransferCall"
	KindEndInteraction      MessageKind = "endInteraction"
	KindMixedAudio          MessageKind = "mixedAudio"
	KindKnowledgeInfoCard   MessageKind = "knowledgeInfoCard"
	KindToolCall            MessageKind = "toolCall"
	// KindUnknown is a message whose variant this package does not know
	// (a newer API's), or that has none.
	KindUnknown MessageKind = ""
)

// A Message is one CX ResponseMessage: a reply to send, or one that
// Dialogflow has already queued (see [Request.Messages]). Build one with
// [Text], [CustomPayload], [ConversationSuccess], [OutputAudioText],
// [OutputAudioSSML], [LiveAgentHandoff], [PlayAudio] or [TelephonyTransfer];
// each sets exactly one variant, as the wire format requires. The zero
// Message has no variant and is not sent.
type Message struct {
	w wireMessage
}

// wireMessage mirrors google.cloud.dialogflow.cx.v3.ResponseMessage. The
// oneof "message" is the set of pointer fields; exactly one is non-nil in a
// valid message.
type wireMessage struct {
	Text                  *wireText        `json:"text,omitzero"`
	Payload               *Params          `json:"payload,omitzero"`
	ConversationSuccess   *wireMetadata    `json:"conversationSuccess,omitzero"`
	OutputAudioText       *wireOutputAudio `json:"outputAudioText,omitzero"`
	LiveAgentHandoff      *wireMetadata    `json:"liveAgentHandoff,omitzero"`
	EndInteraction        *struct{}        `json:"endInteraction,omitzero"`
	PlayAudio             *wirePlayAudio   `json:"playAudio,omitzero"`
	MixedAudio            *wireMixedAudio  `json:"mixedAudio,omitzero"`
	TelephonyTransferCall *wireTelephony   `json:"telephonyTransferCall,omitzero"`
	KnowledgeInfoCard     *struct{}        `json:"knowledgeInfoCard,omitzero"`
	ToolCall              *wireToolCall    `json:"toolCall,omitzero"`
	ResponseType          ResponseType     `json:"responseType,omitzero"`
	Channel               string           `json:"channel,omitzero"`
}

type wireText struct {
	Text                      []string `json:"text,omitempty"`
	AllowPlaybackInterruption bool     `json:"allowPlaybackInterruption,omitzero"`
}

type wireMetadata struct {
	Metadata *Params `json:"metadata,omitzero"`
}

type wireOutputAudio struct {
	Text                      *string `json:"text,omitzero"`
	SSML                      *string `json:"ssml,omitzero"`
	AllowPlaybackInterruption bool    `json:"allowPlaybackInterruption,omitzero"`
}

type wirePlayAudio struct {
	AudioURI                  string `json:"audioUri,omitzero"`
	AllowPlaybackInterruption bool   `json:"allowPlaybackInterruption,omitzero"`
}

type wireMixedAudio struct {
	Segments []wireSegment `json:"segments,omitempty"`
}

type wireSegment struct {
	Audio                     *[]byte `json:"audio,omitzero,format:base64"`
	URI                       *string `json:"uri,omitzero"`
	AllowPlaybackInterruption bool    `json:"allowPlaybackInterruption,omitzero"`
}

type wireTelephony struct {
	PhoneNumber *string `json:"phoneNumber,omitzero"`
}

type wireToolCall struct {
	Tool            string  `json:"tool,omitzero"`
	Action          string  `json:"action,omitzero"`
	InputParameters *Params `json:"inputParameters,omitzero"`
}

// Text returns a text message. With several variants Dialogflow picks one
// at random for each turn.
func Text(variants ...string) Message {
	return Message{w: wireMessage{Text: &wireText{Text: variants}}}
}

// CustomPayload returns a custom payload message (for Dialogflow Messenger
// rich content or your own channel). v must encode to a JSON object; if it
// does not, the response that carries the message fails to encode.
func CustomPayload(v any) Message {
	p := objectParams(v)
	return Message{w: wireMessage{Payload: &p}}
}

// ConversationSuccess returns a message that marks the conversation as
// successful, with metadata (a value that encodes to a JSON object, or nil).
func ConversationSuccess(metadata any) Message {
	return Message{w: wireMessage{ConversationSuccess: &wireMetadata{Metadata: metadataParams(metadata)}}}
}

// LiveAgentHandoff returns a message that asks for a human agent, with
// free-form metadata for your contact center (a JSON object, or nil).
func LiveAgentHandoff(metadata any) Message {
	return Message{w: wireMessage{LiveAgentHandoff: &wireMetadata{Metadata: metadataParams(metadata)}}}
}

// OutputAudioText returns a message that is spoken as plain text by
// text-to-speech, in preference to text messages.
func OutputAudioText(text string) Message {
	return Message{w: wireMessage{OutputAudioText: &wireOutputAudio{Text: &text}}}
}

// OutputAudioSSML returns a message that is spoken from SSML.
func OutputAudioSSML(ssml string) Message {
	return Message{w: wireMessage{OutputAudioText: &wireOutputAudio{SSML: &ssml}}}
}

// PlayAudio returns a message that plays the audio file at uri (Dialogflow
// does not check the URI).
func PlayAudio(uri string) Message {
	return Message{w: wireMessage{PlayAudio: &wirePlayAudio{AudioURI: uri}}}
}

// TelephonyTransfer returns a message that transfers a phone call to
// phoneNumber, in E.164 form (+15551234567).
func TelephonyTransfer(phoneNumber string) Message {
	return Message{w: wireMessage{TelephonyTransferCall: &wireTelephony{PhoneNumber: &phoneNumber}}}
}

// ForChannel returns a copy of m that Dialogflow only returns to callers
// that asked for channel (QueryParameters.channel).
func (m Message) ForChannel(channel string) Message {
	m.w.Channel = channel
	return m
}

// Kind returns the message's variant. A message with several variants (which
// only a malformed request can hold) reports the first, in the order of the
// Kind constants.
func (m Message) Kind() MessageKind {
	w := &m.w
	switch {
	case w.Text != nil:
		return KindText
	case w.Payload != nil:
		return KindPayload
	case w.ConversationSuccess != nil:
		return KindConversationSuccess
	case w.OutputAudioText != nil:
		return KindOutputAudioText
	case w.LiveAgentHandoff != nil:
		return KindLiveAgentHandoff
	case w.PlayAudio != nil:
		return KindPlayAudio
	case w.TelephonyTransferCall != nil:
		return KindTelephonyTransfer
	case w.EndInteraction != nil:
		return KindEndInteraction
	case w.MixedAudio != nil:
		return KindMixedAudio
	case w.KnowledgeInfoCard != nil:
		return KindKnowledgeInfoCard
	case w.ToolCall != nil:
		return KindToolCall
	}
	return KindUnknown
}

// variants counts the message's variants; a valid message has one.
func (m Message) variants() int {
	w := &m.w
	n := 0
	for _, set := range []bool{w.Text != nil, w.Payload != nil, w.ConversationSuccess != nil, w.OutputAudioText != nil,
		w.LiveAgentHandoff != nil, w.EndInteraction != nil, w.PlayAudio != nil, w.MixedAudio != nil,
		w.TelephonyTransferCall != nil, w.KnowledgeInfoCard != nil, w.ToolCall != nil} {
		if set {
			n++
		}
	}
	return n
}

// TextVariants returns the variants of a text message.
func (m Message) TextVariants() []string {
	if m.w.Text == nil {
		return nil
	}
	return m.w.Text.Text
}

// Payload returns the payload of a custom payload message.
func (m Message) Payload() Params {
	if m.w.Payload == nil {
		return Params{}
	}
	return m.w.Payload.withIndex()
}

// Metadata returns the metadata of a conversation-success or live-agent
// handoff message.
func (m Message) Metadata() Params {
	md := m.w.ConversationSuccess
	if md == nil {
		md = m.w.LiveAgentHandoff
	}
	if md == nil || md.Metadata == nil {
		return Params{}
	}
	return md.Metadata.withIndex()
}

// AudioText returns the text or SSML of an output-audio-text message, and
// whether it is SSML.
func (m Message) AudioText() (text string, ssml bool) {
	a := m.w.OutputAudioText
	switch {
	case a == nil:
		return "", false
	case a.SSML != nil:
		return *a.SSML, true
	case a.Text != nil:
		return *a.Text, false
	}
	return "", false
}

// AudioURI returns the URI of a play-audio message.
func (m Message) AudioURI() string {
	if m.w.PlayAudio == nil {
		return ""
	}
	return m.w.PlayAudio.AudioURI
}

// PhoneNumber returns the number of a telephony-transfer message.
func (m Message) PhoneNumber() string {
	if t := m.w.TelephonyTransferCall; t != nil && t.PhoneNumber != nil {
		return *t.PhoneNumber
	}
	return ""
}

// ToolCall returns the tool, action and input parameters of a tool-call
// message, which Dialogflow queues for playbooks.
func (m Message) ToolCall() (tool, action string, input Params) {
	t := m.w.ToolCall
	if t == nil {
		return "", "", Params{}
	}
	if t.InputParameters != nil {
		input = t.InputParameters.withIndex()
	}
	return t.Tool, t.Action, input
}

// AllowPlaybackInterruption reports whether Dialogflow marked the queued
// message as interruptible (an output-only field).
func (m Message) AllowPlaybackInterruption() bool {
	w := &m.w
	switch {
	case w.Text != nil:
		return w.Text.AllowPlaybackInterruption
	case w.OutputAudioText != nil:
		return w.OutputAudioText.AllowPlaybackInterruption
	case w.PlayAudio != nil:
		return w.PlayAudio.AllowPlaybackInterruption
	}
	return false
}

// ResponseType says where a queued message came from.
func (m Message) ResponseType() ResponseType { return m.w.ResponseType }

// Channel returns the channel the message is for ("" for all).
func (m Message) Channel() string { return m.w.Channel }

// MarshalJSONTo writes the message in the proto JSON form.
func (m Message) MarshalJSONTo(enc *jsontext.Encoder) error {
	if t := m.w.Text; t != nil && !t.AllowPlaybackInterruption && m.w == (wireMessage{Text: t}) {
		// A plain text message, the common reply: no reflection.
		w := tokenWriter{enc: enc}
		w.begin()
		w.name("text")
		w.begin()
		if len(t.Text) > 0 {
			w.name("text")
			w.tok(jsontext.BeginArray)
			for _, v := range t.Text {
				w.str(v)
			}
			w.tok(jsontext.EndArray)
		}
		w.end()
		w.end()
		return w.err
	}
	return marshalWireMessage(enc, m.w)
}

// marshalWireMessage encodes any other message. It takes its own copy, so
// that only these messages are moved to the heap to be encoded, not the
// plain text ones above (m escapes wherever &m.w is taken).
func marshalWireMessage(enc *jsontext.Encoder, w wireMessage) error {
	return json.MarshalEncode(enc, &w)
}

// UnmarshalJSONFrom reads a message in the proto JSON form; members this
// package does not know are skipped.
func (m *Message) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	m.w = wireMessage{}
	return json.UnmarshalDecode(dec, &m.w)
}

// objectParams encodes v for a field of type google.protobuf.Struct. An
// encoding error, or a value that is not a JSON object, is kept in the
// Params and reported when the response is encoded.
func objectParams(v any) Params {
	if p, ok := v.(Params); ok {
		return p
	}
	b, err := json.Marshal(v, json.Deterministic(true))
	if err == nil && jsontext.Value(b).Kind() != '{' {
		err = errNotObject
	}
	if err != nil {
		return Params{err: err}
	}
	return Params{raw: b}
}

func metadataParams(v any) *Params {
	if v == nil {
		return nil
	}
	p := objectParams(v)
	return &p
}
