package fulfillment

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// This file checks a WebhookResponse document that cxhook did not build
// ([ResponseFromJSON]) the way Dialogflow reads it: as
// google.golang.org/protobuf/encoding/protojson.Unmarshal does, strictly
// (DiscardUnknown false), into google.cloud.dialogflow.cx.v3.WebhookResponse.
// Google's JSON-to-proto parsers refuse a member the message lacks and an
// enum name the enum lacks, and Dialogflow answers such a document with
// webhook.error. The check walks the document's tokens against
// responseSchema, builds nothing, and names the first field protojson
// would refuse. TestResponseSchemaMatchesProto holds the schema to the
// generated descriptor; TestResponseFromJSONMatchesProtojson and
// FuzzResponseFromJSONMatchesProtojson hold the verdicts to protojson's.
//
// One deliberate difference: the document must be valid JSON (RFC 8259).
// protojson's own tokenizer takes a few things that are not, such as the
// number 1e (an exponent without digits); those are refused here.

// fieldKind is how a field's JSON value is read.
type fieldKind uint8

const (
	kindString   fieldKind = iota // a JSON string
	kindBool                      // true or false
	kindBytes                     // a base64 string, standard or URL alphabet, padded or not
	kindEnum                      // a value name, or an int32 number
	kindMessage                   // a JSON object, read with the field's schema
	kindStruct                    // google.protobuf.Struct: an object of Values
	kindValue                     // google.protobuf.Value: any JSON value
	kindValueMap                  // map<string, google.protobuf.Value>: an object of Values
)

// wireField is one field of a message: its JSON name, its proto name (the
// other spelling protojson accepts) and how its value is read.
type wireField struct {
	json, proto string
	kind        fieldKind
	repeated    bool
	msg         *wireSchema // kindMessage
	enum        *wireEnum   // kindEnum
	oneof       string      // the oneof the field belongs to, or ""
}

// wireSchema is one message type of the WebhookResponse.
type wireSchema struct {
	name   string // the full proto name
	fields []wireField
}

// wireEnum is an enum type: its full proto name and its value names by
// number.
type wireEnum struct {
	name   string
	values []string
}

var (
	mergeBehaviorEnum  = &wireEnum{"google.cloud.dialogflow.cx.v3.WebhookResponse.FulfillmentResponse.MergeBehavior", mergeBehaviorNames}
	parameterStateEnum = &wireEnum{"google.cloud.dialogflow.cx.v3.PageInfo.FormInfo.ParameterInfo.ParameterState", parameterStateNames}
	responseTypeEnum   = &wireEnum{"google.cloud.dialogflow.cx.v3.ResponseMessage.ResponseType", responseTypeNames}
)

// responseSchema is google.cloud.dialogflow.cx.v3.WebhookResponse, field
// for field, as the generated cxpb types of the pinned
// cloud.google.com/go/dialogflow declare it.
var responseSchema = &wireSchema{"google.cloud.dialogflow.cx.v3.WebhookResponse", []wireField{
	{json: "fulfillmentResponse", proto: "fulfillment_response", kind: kindMessage, msg: fulfillmentResponseSchema},
	{json: "pageInfo", proto: "page_info", kind: kindMessage, msg: pageInfoSchema},
	{json: "sessionInfo", proto: "session_info", kind: kindMessage, msg: sessionInfoSchema},
	{json: "payload", proto: "payload", kind: kindStruct},
	{json: "targetPage", proto: "target_page", kind: kindString, oneof: "transition"},
	{json: "targetFlow", proto: "target_flow", kind: kindString, oneof: "transition"},
}}

var fulfillmentResponseSchema = &wireSchema{"google.cloud.dialogflow.cx.v3.WebhookResponse.FulfillmentResponse", []wireField{
	{json: "messages", proto: "messages", kind: kindMessage, repeated: true, msg: responseMessageSchema},
	{json: "mergeBehavior", proto: "merge_behavior", kind: kindEnum, enum: mergeBehaviorEnum},
}}

var responseMessageSchema = &wireSchema{"google.cloud.dialogflow.cx.v3.ResponseMessage", []wireField{
	{json: "text", proto: "text", kind: kindMessage, msg: textSchema, oneof: "message"},
	{json: "payload", proto: "payload", kind: kindStruct, oneof: "message"},
	{json: "conversationSuccess", proto: "conversation_success", kind: kindMessage, msg: metadataSchema("ConversationSuccess"), oneof: "message"},
	{json: "outputAudioText", proto: "output_audio_text", kind: kindMessage, msg: outputAudioTextSchema, oneof: "message"},
	{json: "liveAgentHandoff", proto: "live_agent_handoff", kind: kindMessage, msg: metadataSchema("LiveAgentHandoff"), oneof: "message"},
	{json: "endInteraction", proto: "end_interaction", kind: kindMessage, msg: &wireSchema{name: "google.cloud.dialogflow.cx.v3.ResponseMessage.EndInteraction"}, oneof: "message"},
	{json: "playAudio", proto: "play_audio", kind: kindMessage, msg: playAudioSchema, oneof: "message"},
	{json: "mixedAudio", proto: "mixed_audio", kind: kindMessage, msg: mixedAudioSchema, oneof: "message"},
	{json: "telephonyTransferCall", proto: "telephony_transfer_call", kind: kindMessage, msg: telephonySchema, oneof: "message"},
	{json: "knowledgeInfoCard", proto: "knowledge_info_card", kind: kindMessage, msg: &wireSchema{name: "google.cloud.dialogflow.cx.v3.ResponseMessage.KnowledgeInfoCard"}, oneof: "message"},
	{json: "toolCall", proto: "tool_call", kind: kindMessage, msg: toolCallSchema, oneof: "message"},
	{json: "responseType", proto: "response_type", kind: kindEnum, enum: responseTypeEnum},
	{json: "channel", proto: "channel", kind: kindString},
}}

var textSchema = &wireSchema{"google.cloud.dialogflow.cx.v3.ResponseMessage.Text", []wireField{
	{json: "text", proto: "text", kind: kindString, repeated: true},
	{json: "allowPlaybackInterruption", proto: "allow_playback_interruption", kind: kindBool},
}}

func metadataSchema(message string) *wireSchema {
	return &wireSchema{"google.cloud.dialogflow.cx.v3.ResponseMessage." + message, []wireField{
		{json: "metadata", proto: "metadata", kind: kindStruct},
	}}
}

var outputAudioTextSchema = &wireSchema{"google.cloud.dialogflow.cx.v3.ResponseMessage.OutputAudioText", []wireField{
	{json: "text", proto: "text", kind: kindString, oneof: "source"},
	{json: "ssml", proto: "ssml", kind: kindString, oneof: "source"},
	{json: "allowPlaybackInterruption", proto: "allow_playback_interruption", kind: kindBool},
}}

var playAudioSchema = &wireSchema{"google.cloud.dialogflow.cx.v3.ResponseMessage.PlayAudio", []wireField{
	{json: "audioUri", proto: "audio_uri", kind: kindString},
	{json: "allowPlaybackInterruption", proto: "allow_playback_interruption", kind: kindBool},
}}

var mixedAudioSchema = &wireSchema{"google.cloud.dialogflow.cx.v3.ResponseMessage.MixedAudio", []wireField{
	{json: "segments", proto: "segments", kind: kindMessage, repeated: true, msg: &wireSchema{"google.cloud.dialogflow.cx.v3.ResponseMessage.MixedAudio.Segment", []wireField{
		{json: "audio", proto: "audio", kind: kindBytes, oneof: "content"},
		{json: "uri", proto: "uri", kind: kindString, oneof: "content"},
		{json: "allowPlaybackInterruption", proto: "allow_playback_interruption", kind: kindBool},
	}}},
}}

var telephonySchema = &wireSchema{"google.cloud.dialogflow.cx.v3.ResponseMessage.TelephonyTransferCall", []wireField{
	{json: "phoneNumber", proto: "phone_number", kind: kindString, oneof: "endpoint"},
}}

var toolCallSchema = &wireSchema{"google.cloud.dialogflow.cx.v3.ToolCall", []wireField{
	{json: "tool", proto: "tool", kind: kindString},
	{json: "action", proto: "action", kind: kindString},
	{json: "inputParameters", proto: "input_parameters", kind: kindStruct},
}}

var pageInfoSchema = &wireSchema{"google.cloud.dialogflow.cx.v3.PageInfo", []wireField{
	{json: "currentPage", proto: "current_page", kind: kindString},
	{json: "displayName", proto: "display_name", kind: kindString},
	{json: "formInfo", proto: "form_info", kind: kindMessage, msg: &wireSchema{"google.cloud.dialogflow.cx.v3.PageInfo.FormInfo", []wireField{
		{json: "parameterInfo", proto: "parameter_info", kind: kindMessage, repeated: true, msg: &wireSchema{"google.cloud.dialogflow.cx.v3.PageInfo.FormInfo.ParameterInfo", []wireField{
			{json: "displayName", proto: "display_name", kind: kindString},
			{json: "required", proto: "required", kind: kindBool},
			{json: "state", proto: "state", kind: kindEnum, enum: parameterStateEnum},
			{json: "value", proto: "value", kind: kindValue},
			{json: "justCollected", proto: "just_collected", kind: kindBool},
		}}},
	}}},
}}

var sessionInfoSchema = &wireSchema{"google.cloud.dialogflow.cx.v3.SessionInfo", []wireField{
	{json: "session", proto: "session", kind: kindString},
	{json: "parameters", proto: "parameters", kind: kindValueMap},
}}

// recursionLimit is protojson's default RecursionLimit: how deeply
// messages may nest, google.protobuf.Value and Struct included.
const recursionLimit = 10000

// checkResponse reports the first reason protojson would refuse doc as a
// WebhookResponse, naming the field, or nil.
func checkResponse(doc []byte) error {
	c := responseChecker{dec: jsontext.NewDecoder(bytes.NewReader(doc), jsontext.AllowDuplicateNames(true))}
	if err := c.message(responseSchema, recursionLimit); err != nil {
		return err
	}
	if _, err := c.dec.ReadToken(); err != io.EOF {
		return errors.New("something follows the object")
	}
	return nil
}

type responseChecker struct {
	dec  *jsontext.Decoder
	path []byte // the field being read, e.g. pageInfo.formInfo.parameterInfo[0].state
}

// maxNameInError bounds a name quoted in an error: the document may carry
// text from the end user.
const maxNameInError = 64

func quoteClipped(s string) string {
	if len(s) > maxNameInError {
		return strconv.Quote(strings.ToValidUTF8(s[:maxNameInError], "")) + fmt.Sprintf(" (%d bytes)", len(s))
	}
	return strconv.Quote(s)
}

func (c *responseChecker) fail(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if len(c.path) == 0 {
		return errors.New(msg)
	}
	return fmt.Errorf("%s: %s", c.path, msg)
}

// syntax turns a tokenizer error into one that names the field.
func (c *responseChecker) syntax(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return c.fail("the document ends early")
	}
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		return c.fail("not valid JSON at byte %d: %v", se.ByteOffset, se.Err)
	}
	return c.fail("%v", err)
}

func (c *responseChecker) read() (jsontext.Token, error) {
	tok, err := c.dec.ReadToken()
	if err != nil {
		return tok, c.syntax(err)
	}
	return tok, nil
}

// push appends a member name or an index to the path and returns the
// length to restore.
func (c *responseChecker) push(name string, index int) int {
	n := len(c.path)
	if name != "" {
		if n > 0 {
			c.path = append(c.path, '.')
		}
		if len(name) > maxNameInError || strings.ContainsAny(name, ".[]\"\\") || !isPrint(name) {
			c.path = append(c.path, quoteClipped(name)...)
		} else {
			c.path = append(c.path, name...)
		}
	}
	if index >= 0 {
		c.path = append(c.path, '[')
		c.path = strconv.AppendInt(c.path, int64(index), 10)
		c.path = append(c.path, ']')
	}
	return n
}

func isPrint(s string) bool {
	for _, r := range s {
		if !strconv.IsPrint(r) {
			return false
		}
	}
	return true
}

// kindWord names a JSON token kind for an error.
func kindWord(k jsontext.Kind) string {
	switch k {
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return "no value"
}

// message reads one message of type s, as protojson's unmarshalMessage:
// limit is what remains of the recursion limit before entering it.
func (c *responseChecker) message(s *wireSchema, limit int) error {
	if limit--; limit < 0 {
		return c.fail("nested too deeply (protojson stops at %d levels)", recursionLimit)
	}
	tok, err := c.read()
	if err != nil {
		return err
	}
	if tok.Kind() != '{' {
		return c.fail("want an object (%s), not %s", s.name, kindWord(tok.Kind()))
	}
	var seen uint64 // fields by index; no message here has more than 64
	var oneofs []string
	for {
		tok, err := c.read()
		if err != nil {
			return err
		}
		if tok.Kind() == '}' {
			return nil
		}
		name := tok.String()
		i := s.field(name)
		if i < 0 {
			n := c.push(name, -1)
			err := c.fail("unknown field: %s has no field of that name", s.name)
			c.path = c.path[:n]
			return err
		}
		f := &s.fields[i]
		n := c.push(name, -1)
		if seen&(1<<i) != 0 {
			return c.fail("duplicate field (%s and %s are one field)", f.json, f.proto)
		}
		seen |= 1 << i
		// protojson skips null, except for a google.protobuf.Value.
		if c.dec.PeekKind() == 'n' && f.kind != kindValue {
			if _, err := c.read(); err != nil {
				return err
			}
			c.path = c.path[:n]
			continue
		}
		switch {
		case f.repeated:
			err = c.list(f, limit)
		case f.kind == kindValueMap:
			err = c.valueMap(limit)
		default:
			if f.oneof != "" {
				for _, o := range oneofs {
					if o == f.oneof {
						return c.fail("oneof %s already has a field set: a %s holds at most one of them", f.oneof, s.name)
					}
				}
				oneofs = append(oneofs, f.oneof)
			}
			err = c.singular(f, limit)
		}
		if err != nil {
			return err
		}
		c.path = c.path[:n]
	}
}

// field returns the index of the field with this JSON or proto name, or -1.
func (s *wireSchema) field(name string) int {
	for i := range s.fields {
		if s.fields[i].json == name || s.fields[i].proto == name {
			return i
		}
	}
	return -1
}

func (c *responseChecker) singular(f *wireField, limit int) error {
	switch f.kind {
	case kindMessage:
		return c.message(f.msg, limit)
	case kindStruct:
		if limit--; limit < 0 {
			return c.fail("nested too deeply (protojson stops at %d levels)", recursionLimit)
		}
		return c.structFields(limit)
	case kindValue:
		return c.value(limit)
	}
	return c.scalar(f)
}

// list reads a repeated field: an array of its element type. Unlike a
// field, an element may not be null.
func (c *responseChecker) list(f *wireField, limit int) error {
	tok, err := c.read()
	if err != nil {
		return err
	}
	if tok.Kind() != '[' {
		return c.fail("want an array, not %s", kindWord(tok.Kind()))
	}
	for i := 0; ; i++ {
		if c.dec.PeekKind() == ']' {
			_, err := c.read()
			return err
		}
		n := c.push("", i)
		if f.kind == kindMessage {
			err = c.message(f.msg, limit)
		} else {
			err = c.scalar(f)
		}
		if err != nil {
			return err
		}
		c.path = c.path[:n]
	}
}

// scalar reads a string, bool, bytes or enum value.
func (c *responseChecker) scalar(f *wireField) error {
	tok, err := c.read()
	if err != nil {
		return err
	}
	k := tok.Kind()
	switch f.kind {
	case kindString:
		if k == '"' {
			return nil
		}
		return c.fail("want a string, not %s", kindWord(k))
	case kindBool:
		if k == 't' || k == 'f' {
			return nil
		}
		if k == '"' {
			return c.fail("want true or false, not a string (write true, not \"true\")")
		}
		return c.fail("want true or false, not %s", kindWord(k))
	case kindBytes:
		if k != '"' {
			return c.fail("want a base64 string, not %s", kindWord(k))
		}
		if !validBase64(tok.String()) {
			return c.fail("not valid base64")
		}
		return nil
	case kindEnum:
		switch k {
		case '"':
			s := tok.String()
			for _, v := range f.enum.values {
				if v == s {
					return nil
				}
			}
			return c.fail("%s is not a value of %s (want %s)", quoteClipped(s), f.enum.name, strings.Join(f.enum.values, ", "))
		case '0':
			if _, ok := protoInt32(tok.String()); ok {
				return nil
			}
			return c.fail("%s is not an int32", quoteClipped(tok.String()))
		}
		return c.fail("want a value name of %s, not %s", f.enum.name, kindWord(k))
	}
	return c.fail("unexpected field kind %d", f.kind)
}

// validBase64 decodes s as protojson decodes a bytes field: the URL
// alphabet if s holds '-' or '_', else the standard one, and without
// padding if its length is not a multiple of 4.
func validBase64(s string) bool {
	enc := base64.StdEncoding
	if strings.ContainsAny(s, "-_") {
		enc = base64.URLEncoding
	}
	if len(s)%4 != 0 {
		enc = enc.WithPadding(base64.NoPadding)
	}
	_, err := enc.DecodeString(s)
	return err == nil
}

// protoInt32 reads a JSON number as protojson reads an int32: a whole
// number, where an exponent may shift digits (20e-1 is 2, and 2.0 too),
// within 20 digits before the range check.
func protoInt32(num string) (int32, bool) {
	s := num
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	mant, exp, _ := strings.Cut(strings.ToLower(s), "e")
	intp, frac, _ := strings.Cut(mant, ".")
	frac = strings.TrimRight(frac, "0")
	if intp == "0" {
		intp = ""
	}
	if intp == "" && frac == "" {
		return 0, true
	}
	e := 0
	if exp != "" {
		n, err := strconv.ParseInt(exp, 10, 32)
		if err != nil {
			return 0, false
		}
		e = int(n)
	}
	var digits string
	if e >= 0 {
		if len(frac) > e || len(intp)+e > 20 {
			return 0, false
		}
		digits = intp + frac + strings.Repeat("0", e-len(frac))
	} else {
		i := len(intp) + e
		if len(frac) > 0 || i < 0 || strings.Trim(intp[i:], "0") != "" {
			return 0, false
		}
		digits = intp[:i]
	}
	if neg {
		digits = "-" + digits
	}
	n, err := strconv.ParseInt(digits, 10, 32)
	return int32(n), err == nil
}

// structFields reads the object of a google.protobuf.Struct.
func (c *responseChecker) structFields(limit int) error {
	return c.valueObject("a google.protobuf.Struct", limit)
}

// valueMap reads a map<string, google.protobuf.Value> field.
func (c *responseChecker) valueMap(limit int) error {
	return c.valueObject("a map of parameter values", limit)
}

// valueObject reads an object whose members are Values, keyed by any
// name, each name once.
func (c *responseChecker) valueObject(what string, limit int) error {
	tok, err := c.read()
	if err != nil {
		return err
	}
	if tok.Kind() != '{' {
		return c.fail("want an object (%s), not %s", what, kindWord(tok.Kind()))
	}
	var seen map[string]struct{}
	for {
		tok, err := c.read()
		if err != nil {
			return err
		}
		if tok.Kind() == '}' {
			return nil
		}
		name := tok.String()
		n := c.push(name, -1)
		if seen == nil {
			seen = make(map[string]struct{})
		}
		if _, dup := seen[name]; dup {
			return c.fail("duplicate key")
		}
		seen[name] = struct{}{}
		if err := c.value(limit); err != nil {
			return err
		}
		c.path = c.path[:n]
	}
}

// value reads a google.protobuf.Value: any JSON value whose numbers fit a
// float64.
func (c *responseChecker) value(limit int) error {
	if limit--; limit < 0 {
		return c.fail("nested too deeply (protojson stops at %d levels)", recursionLimit)
	}
	switch c.dec.PeekKind() {
	case '{':
		return c.valueObject("a google.protobuf.Struct", limit)
	case '[':
		if _, err := c.read(); err != nil {
			return err
		}
		for i := 0; ; i++ {
			if c.dec.PeekKind() == ']' {
				_, err := c.read()
				return err
			}
			n := c.push("", i)
			if err := c.value(limit); err != nil {
				return err
			}
			c.path = c.path[:n]
		}
	}
	tok, err := c.read()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case '0':
		if _, err := strconv.ParseFloat(tok.String(), 64); err != nil {
			return c.fail("the number %s does not fit a float64", quoteClipped(tok.String()))
		}
	case '}', ']':
		return c.fail("want a value, not %q", tok.Kind())
	}
	return nil
}
