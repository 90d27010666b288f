package fulfillment

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"
)

// ParameterState is the state of a form parameter
// (google.cloud.dialogflow.cx.v3.PageInfo.FormInfo.ParameterInfo.ParameterState).
type ParameterState int32

// The form parameter states. Dialogflow sends all of them; a webhook can only
// set [StateInvalid] (see [Response.InvalidateFormParam]), other states it
// sends are ignored.
const (
	StateUnspecified ParameterState = 0
	StateEmpty       ParameterState = 1
	StateInvalid     ParameterState = 2
	StateFilled      ParameterState = 3
)

var parameterStateNames = []string{"PARAMETER_STATE_UNSPECIFIED", "EMPTY", "INVALID", "FILLED"}

// String returns the proto enum name, or the number for a value this
// package does not know.
func (s ParameterState) String() string { return enumName(parameterStateNames, int32(s)) }

// MarshalJSONTo encodes the state as protojson does: the enum name, or the
// number for an unknown value.
func (s ParameterState) MarshalJSONTo(enc *jsontext.Encoder) error {
	return encodeEnum(enc, parameterStateNames, int32(s))
}

// UnmarshalJSONFrom decodes the state as protojson does with DiscardUnknown:
// a name or a number; an unknown name leaves the state unspecified.
func (s *ParameterState) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return decodeEnum(dec, parameterStateNames, (*int32)(s))
}

// MergeBehavior says how a response's messages combine with the messages
// Dialogflow has already queued for the end user.
type MergeBehavior int32

// The merge behaviours. Unspecified means append.
const (
	MergeUnspecified MergeBehavior = 0
	MergeAppend      MergeBehavior = 1
	MergeReplace     MergeBehavior = 2
)

var mergeBehaviorNames = []string{"MERGE_BEHAVIOR_UNSPECIFIED", "APPEND", "REPLACE"}

// String returns the proto enum name.
func (m MergeBehavior) String() string { return enumName(mergeBehaviorNames, int32(m)) }

// MarshalJSONTo encodes the behaviour as its proto enum name.
func (m MergeBehavior) MarshalJSONTo(enc *jsontext.Encoder) error {
	return encodeEnum(enc, mergeBehaviorNames, int32(m))
}

// UnmarshalJSONFrom decodes a name or number, as protojson does.
func (m *MergeBehavior) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return decodeEnum(dec, mergeBehaviorNames, (*int32)(m))
}

// ResponseType says where a queued message came from
// (google.cloud.dialogflow.cx.v3.ResponseMessage.ResponseType).
type ResponseType int32

// The response types Dialogflow reports on queued messages.
const (
	ResponseTypeUnspecified ResponseType = 0
	ResponseEntryPrompt     ResponseType = 1
	ResponseParameterPrompt ResponseType = 2
	ResponseHandlerPrompt   ResponseType = 3
)

var responseTypeNames = []string{"RESPONSE_TYPE_UNSPECIFIED", "ENTRY_PROMPT", "PARAMETER_PROMPT", "HANDLER_PROMPT"}

// String returns the proto enum name.
func (t ResponseType) String() string { return enumName(responseTypeNames, int32(t)) }

// MarshalJSONTo encodes the type as its proto enum name.
func (t ResponseType) MarshalJSONTo(enc *jsontext.Encoder) error {
	return encodeEnum(enc, responseTypeNames, int32(t))
}

// UnmarshalJSONFrom decodes a name or number, as protojson does.
func (t *ResponseType) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return decodeEnum(dec, responseTypeNames, (*int32)(t))
}

func enumName(names []string, v int32) string {
	if v >= 0 && int(v) < len(names) {
		return names[v]
	}
	return strconv.Itoa(int(v))
}

func encodeEnum(enc *jsontext.Encoder, names []string, v int32) error {
	if v >= 0 && int(v) < len(names) {
		return enc.WriteToken(jsontext.String(names[v]))
	}
	return enc.WriteToken(jsontext.Int(int64(v)))
}

// decodeEnum follows protojson: a known name, or any int32 number (also one
// written with a fraction of zero or an exponent); an unknown name is
// discarded; null leaves the zero value.
func decodeEnum(dec *jsontext.Decoder, names []string, v *int32) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		*v = 0
	case '"':
		*v = 0
		s := tok.String()
		for i, n := range names {
			if n == s {
				*v = int32(i)
			}
		}
	case '0':
		f := tok.Float()
		if f != math.Trunc(f) || f < math.MinInt32 || f > math.MaxInt32 {
			return fmt.Errorf("enum value %v is not an int32", f)
		}
		*v = int32(f)
	default:
		return fmt.Errorf("enum value must be a string or number, not %v", tok.Kind())
	}
	return nil
}

// float32Value decodes a proto float field the way protojson does: a JSON
// number, or a string holding a number, "NaN", "Infinity" or "-Infinity";
// null is zero. It encodes as protojson does.
type float32Value float32

// IsZero reports whether the field is the proto default: negative zero is
// not, protojson writes it.
func (f float32Value) IsZero() bool { return f == 0 && !math.Signbit(float64(f)) }

func (f float32Value) MarshalJSONTo(enc *jsontext.Encoder) error {
	return encodeFloat(enc, float64(f), 32)
}

func (f *float32Value) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := decodeFloat(dec, 32)
	*f = float32Value(v)
	return err
}

func encodeFloat(enc *jsontext.Encoder, f float64, bits int) error {
	switch {
	case math.IsNaN(f):
		return enc.WriteToken(jsontext.String("NaN"))
	case math.IsInf(f, 1):
		return enc.WriteToken(jsontext.String("Infinity"))
	case math.IsInf(f, -1):
		return enc.WriteToken(jsontext.String("-Infinity"))
	}
	if bits == 32 {
		return enc.WriteValue(strconv.AppendFloat(nil, f, 'g', -1, 32))
	}
	return enc.WriteToken(jsontext.Float(f))
}

func decodeFloat(dec *jsontext.Decoder, bits int) (float64, error) {
	tok, err := dec.ReadToken()
	if err != nil {
		return 0, err
	}
	var s string
	switch tok.Kind() {
	case 'n':
		return 0, nil
	case '0':
		s = tok.String()
	case '"':
		s = tok.String()
		switch s {
		case "NaN":
			return math.NaN(), nil
		case "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
		if !jsontext.Value(s).IsValid() || jsontext.Value(s).Kind() != '0' {
			return 0, errors.New("string does not hold a number")
		}
	default:
		return 0, fmt.Errorf("number expected, not %v", tok.Kind())
	}
	f, err := strconv.ParseFloat(s, bits)
	if err != nil {
		return 0, fmt.Errorf("number out of range for float%d", bits)
	}
	return f, nil
}
