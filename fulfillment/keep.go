package fulfillment

import (
	"bytes"
	"errors"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Keeping the input. A large body (one that outgrew the body pool, see
// readBody) is read into a buffer of the call's own, which is never reused.
// Decoding it copies nothing it can point into instead, so that the
// request's bytes are held once, not twice: 64 calls of 2 MiB in flight
// hold 128 MiB, not 256.
//
//   - Values and Params keep slices of the buffer (keep).
//   - Strings without escapes are the buffer's bytes (unmarshalKeptString);
//     a handler that keeps one keeps the whole body alive, as a Value does.
//   - Strings with escapes are unescaped in place, in the buffer, when the
//     decoding owns it (ownInput: nothing reads the buffer after it, which
//     holds unless a flexible handler may be handed the body); else copied.
//
// JSON v2 has no option to say any of this; the mark is an indent prefix,
// which is ignored when decoding and which no one sets by chance.
var (
	keepInput = json.JoinOptions(jsontext.WithIndentPrefix(keepInputMark), keepStrings)
	ownInput  = json.JoinOptions(jsontext.WithIndentPrefix(ownInputMark), keepStrings)

	keepStrings = json.WithUnmarshalers(json.UnmarshalFromFunc(unmarshalKeptString))
)

const (
	keepInputMark = " \t \t\t \t\t\t "
	ownInputMark  = " \t \t\t \t\t\t \t"
)

// inputMark returns the mark of the decoding dec belongs to, or "".
func inputMark(dec *jsontext.Decoder) string {
	prefix, _ := json.GetOption(dec.Options(), jsontext.WithIndentPrefix)
	if prefix == keepInputMark || prefix == ownInputMark {
		return prefix
	}
	return ""
}

// keep returns raw, a value dec has just read, to be kept: raw itself if
// the input is the request's own (keepInput or ownInput), else a copy.
func keep(dec *jsontext.Decoder, raw jsontext.Value) jsontext.Value {
	if inputMark(dec) != "" {
		return raw[:len(raw):len(raw)]
	}
	return raw.Clone()
}

// unmarshalKeptString decodes a JSON string into the input's own bytes
// (see above). It is installed only with keepInput and ownInput; anything
// but a string is left to the default (null leaves *s as it is, other
// kinds are an error).
func unmarshalKeptString(dec *jsontext.Decoder, s *string) error {
	if dec.PeekKind() != '"' {
		return json.SkipFunc
	}
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	v := raw[1 : len(raw)-1]
	if bytes.IndexByte(v, '\\') >= 0 {
		if inputMark(dec) != ownInputMark {
			b, err := jsontext.AppendUnquote(nil, raw)
			*s = string(b)
			return err
		}
		var ok bool
		if v, ok = unquoteInPlace(raw); !ok {
			return errBadString
		}
	}
	if len(v) == 0 {
		*s = ""
		return nil
	}
	*s = unsafe.String(&v[0], len(v))
	return nil
}

// errBadString is unquoteInPlace's refusal, which the decoder's own
// validation of the string makes unreachable.
var errBadString = errors.New("invalid escape sequence in JSON string")

// unquoteInPlace rewrites raw, a JSON string with its quotes as the
// decoder read and validated it (valid escapes, valid UTF-8, surrogates in
// pairs), into its value, and returns the value: a prefix of raw. The value
// is never longer than the text that spells it, so writing never overtakes
// reading. It reports false for an escape the decoder would not have let
// through, with raw partly rewritten: the decoding then fails, and with
// ownInput nothing reads the buffer after it (FuzzUnquoteInPlace holds it
// to jsontext.AppendUnquote).
func unquoteInPlace(raw []byte) ([]byte, bool) {
	in := raw[1 : len(raw)-1]
	w := 0
	for r := 0; r < len(in); {
		c := in[r]
		if c != '\\' {
			in[w] = c
			w, r = w+1, r+1
			continue
		}
		if r+1 >= len(in) {
			return nil, false
		}
		switch e := in[r+1]; e {
		case '"', '\\', '/':
			in[w] = e
		case 'b':
			in[w] = '\b'
		case 'f':
			in[w] = '\f'
		case 'n':
			in[w] = '\n'
		case 'r':
			in[w] = '\r'
		case 't':
			in[w] = '\t'
		case 'u':
			u, ok := hex4(in[r+2:])
			n := 6
			if ok && utf16.IsSurrogate(u) {
				var lo rune
				if ok = len(in) >= r+12 && in[r+6] == '\\' && in[r+7] == 'u'; ok {
					lo, ok = hex4(in[r+8:])
				}
				if ok {
					u, n = utf16.DecodeRune(u, lo), 12
					ok = u != utf8.RuneError
				}
			}
			if !ok {
				return nil, false
			}
			w += utf8.EncodeRune(in[w:], u) // at most 4 bytes for at least 6 read
			r += n
			continue
		default:
			return nil, false
		}
		w, r = w+1, r+2
	}
	return in[:w], true
}

// hex4 parses the 4 hex digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var v rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | rune(c)
	}
	return v, true
}
