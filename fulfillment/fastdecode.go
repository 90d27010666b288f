package fulfillment

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"slices"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The fast path of DecodeRequest. JSON v2 reads a request token by token,
// through reflection: 2.4 µs for the benchmark's 1 KB request of a typical
// turn, as much as the rest of this package's work on a call together.
// decodeFast reads the requests Dialogflow sends in one pass over the
// bytes, into the same wireRequest, in 1.1 µs, and gives up on anything
// else:
//
//   - a member name spelt otherwise than the proto JSON's lowerCamelCase
//     (snake_case, other case: JSON v2 matches those), or with an escape;
//   - null, a value of another kind than the field's (a float as a
//     string, "NaN"; an enum as a number);
//   - an object of more than maxFastMembers members, nesting deeper than
//     maxFastDepth, a body larger than maxFastBody;
//   - more than one query input, trailing data, and any malformed JSON.
//
// What it gives up on, JSON v2 decodes from the start, and says what is
// wrong if anything is; so errors and their wording are JSON v2's alone.
// What it accepts, JSON v2 accepts too, with the same result: the same
// checks (UTF-8, escapes, duplicate names, the number grammar), the same
// conversions (strconv.ParseFloat for floats, jsontext.AppendUnquote for
// escaped strings), and for the messages already queued (rarer, and of
// many kinds) JSON v2 itself, on the section's bytes. FuzzDecodeFast holds
// it to JSON v2 on arbitrary input, and TestDecodeFastTakesRealRequests
// to taking every real request in testdata, so that it cannot quietly
// fall out of use.
//
// Like JSON v2's decoder, it interns short strings in a cache that lives
// with the pooled decoder, so the page, intent and language names that
// repeat from call to call are not allocated again.
const (
	maxFastBody    = maxPooledBody
	maxFastDepth   = 32
	maxFastMembers = 1024
)

// decodeFast decodes data into r and reports whether it did; if not, r is
// left zero.
func decodeFast(data []byte, r *Request) bool {
	if len(data) > maxFastBody {
		return false
	}
	d := fastPool.Get().(*fastDecoder)
	d.b, d.i, d.depth, d.names = data, 0, 0, d.names[:0]
	ok := d.request(&r.w) && d.end() && queryInputs(&r.w) <= 1
	d.trim()
	fastPool.Put(d)
	if !ok {
		*r = Request{}
	}
	return ok
}

var fastPool = sync.Pool{New: func() any { return new(fastDecoder) }}

// maxPooledNames bounds the names a pooled decoder keeps room for (24 KiB):
// a hostile 64 KiB body of many small nested objects makes it grow to some
// 13,000 names (300 KiB), which a decoder back in the pool would hold on to.
const maxPooledNames = 1024

// trim readies d for the pool: it drops the input, and a names slice
// grown past maxPooledNames.
func (d *fastDecoder) trim() {
	d.b = nil
	if cap(d.names) > maxPooledNames {
		d.names = nil
	}
}

type fastDecoder struct {
	b     []byte
	i     int // the next byte to read
	depth int
	names []fastName // the member names of the objects being read
	cache stringCache
}

// fastName is a member name, b[off:off+n], with its first 8 bytes as a
// number for a quick comparison. The names of the objects being read are
// kept until each object's end, where they are checked for duplicates.
type fastName struct {
	head   uint64
	off, n int
}

// The field names of each struct, folded as JSON v2 folds them for
// MatchCaseInsensitiveNames, to recognise another spelling of a field.
var (
	requestFields     = foldedNames("detectIntentResponseId", "text", "triggerIntent", "transcript", "triggerEvent", "dtmfDigits", "languageCode", "fulfillmentInfo", "intentInfo", "pageInfo", "sessionInfo", "messages", "payload", "sentimentAnalysisResult", "languageInfo")
	fulfillmentFields = foldedNames("tag")
	intentInfoFields  = foldedNames("lastMatchedIntent", "parameters", "displayName", "confidence")
	pageInfoFields    = foldedNames("currentPage", "formInfo", "displayName")
	sessionInfoFields = foldedNames("session", "parameters")
	intentParamFields = foldedNames("originalValue", "resolvedValue")
	formInfoFields    = foldedNames("parameterInfo")
	paramInfoFields   = foldedNames("displayName", "required", "state", "value", "justCollected")
	sentimentFields   = foldedNames("score", "magnitude")
	languageFields    = foldedNames("inputLanguageCode", "resolvedLanguageCode", "confidenceScore")
)

func (d *fastDecoder) request(w *wireRequest) bool {
	return d.object(func(name []byte) bool {
		switch string(name) {
		case "detectIntentResponseId":
			return d.string(&w.DetectIntentResponseID)
		case "text":
			w.Text = new(string)
			return d.string(w.Text)
		case "triggerIntent":
			w.TriggerIntent = new(string)
			return d.string(w.TriggerIntent)
		case "transcript":
			w.Transcript = new(string)
			return d.string(w.Transcript)
		case "triggerEvent":
			w.TriggerEvent = new(string)
			return d.string(w.TriggerEvent)
		case "dtmfDigits":
			w.DTMFDigits = new(string)
			return d.string(w.DTMFDigits)
		case "languageCode":
			return d.string(&w.LanguageCode)
		case "fulfillmentInfo":
			f := new(wireFulfillment)
			w.FulfillmentInfo = f
			return d.object(func(name []byte) bool {
				if string(name) == "tag" {
					return d.string(&f.Tag)
				}
				return d.unknown(name, fulfillmentFields)
			})
		case "intentInfo":
			in := new(wireIntentInfo)
			w.IntentInfo = in
			return d.object(func(name []byte) bool {
				switch string(name) {
				case "lastMatchedIntent":
					return d.string(&in.LastMatchedIntent)
				case "displayName":
					return d.string(&in.DisplayName)
				case "confidence":
					return d.float32(&in.Confidence)
				case "parameters":
					return d.intentParams(&in.Parameters)
				}
				return d.unknown(name, intentInfoFields)
			})
		case "pageInfo":
			p := new(wirePageInfo)
			w.PageInfo = p
			return d.object(func(name []byte) bool {
				switch string(name) {
				case "currentPage":
					return d.string(&p.CurrentPage)
				case "displayName":
					return d.string(&p.DisplayName)
				case "formInfo":
					p.FormInfo = new(wireFormInfo)
					return d.formInfo(p.FormInfo)
				}
				return d.unknown(name, pageInfoFields)
			})
		case "sessionInfo":
			s := new(wireSessionInfo)
			w.SessionInfo = s
			return d.object(func(name []byte) bool {
				switch string(name) {
				case "session":
					return d.string(&s.Session)
				case "parameters":
					return d.params(&s.Parameters)
				}
				return d.unknown(name, sessionInfoFields)
			})
		case "messages":
			return d.viaJSON(&w.Messages)
		case "payload":
			w.Payload = new(Params)
			return d.params(w.Payload)
		case "sentimentAnalysisResult":
			s := new(wireSentiment)
			w.SentimentAnalysisResult = s
			return d.object(func(name []byte) bool {
				switch string(name) {
				case "score":
					return d.float32(&s.Score)
				case "magnitude":
					return d.float32(&s.Magnitude)
				}
				return d.unknown(name, sentimentFields)
			})
		case "languageInfo":
			l := new(wireLanguageInfo)
			w.LanguageInfo = l
			return d.object(func(name []byte) bool {
				switch string(name) {
				case "inputLanguageCode":
					return d.string(&l.InputLanguageCode)
				case "resolvedLanguageCode":
					return d.string(&l.ResolvedLanguageCode)
				case "confidenceScore":
					return d.float32(&l.ConfidenceScore)
				}
				return d.unknown(name, languageFields)
			})
		}
		return d.unknown(name, requestFields)
	})
}

func (d *fastDecoder) intentParams(m *map[string]wireIntentParam) bool {
	*m = map[string]wireIntentParam{}
	return d.object(func(name []byte) bool {
		var p wireIntentParam
		ok := d.object(func(field []byte) bool {
			switch string(field) {
			case "originalValue":
				return d.string(&p.OriginalValue)
			case "resolvedValue":
				return d.keptValue(&p.ResolvedValue)
			}
			return d.unknown(field, intentParamFields)
		})
		(*m)[d.cache.make(name)] = p
		return ok
	})
}

func (d *fastDecoder) formInfo(f *wireFormInfo) bool {
	return d.object(func(name []byte) bool {
		if string(name) != "parameterInfo" {
			return d.unknown(name, formInfoFields)
		}
		if d.peek() != '[' {
			return false
		}
		f.ParameterInfo = []wireParamInfo{}
		return d.array(func() bool {
			f.ParameterInfo = append(f.ParameterInfo, wireParamInfo{})
			p := &f.ParameterInfo[len(f.ParameterInfo)-1]
			return d.object(func(name []byte) bool {
				switch string(name) {
				case "displayName":
					return d.string(&p.DisplayName)
				case "required":
					return d.bool(&p.Required)
				case "state":
					return d.enum(parameterStateNames, (*int32)(&p.State))
				case "value":
					return d.keptValue(&p.Value)
				case "justCollected":
					return d.bool(&p.JustCollected)
				}
				return d.unknown(name, paramInfoFields)
			})
		})
	})
}

// keptValue keeps a copy of the next value, as Value.UnmarshalJSONFrom
// does (null is left to JSON v2).
func (d *fastDecoder) keptValue(v *Value) bool {
	if d.peek() == 'n' {
		return false
	}
	start, ok := d.value()
	if ok {
		v.raw = bytes.Clone(d.b[start:d.i])
	}
	return ok
}

func (d *fastDecoder) bool(b *bool) bool {
	switch d.peek() {
	case 't':
		*b = true
		return d.literal("true")
	case 'f':
		*b = false
		return d.literal("false")
	}
	return false
}

// enum reads an enum's name as decodeEnum does: an unknown name is 0 (a
// number is left to JSON v2).
func (d *fastDecoder) enum(names []string, v *int32) bool {
	var s string
	if !d.string(&s) {
		return false
	}
	*v = 0
	for i, n := range names {
		if n == s {
			*v = int32(i)
		}
	}
	return true
}

// unknown skips the value of a member its struct has no field for, as
// JSON v2 does, unless the name may be another spelling of a field, which
// JSON v2 would match: that is left to JSON v2, as is a name that is not
// ASCII (JSON v2 folds Unicode: the Kelvin sign matches k).
func (d *fastDecoder) unknown(name []byte, fields []string) bool {
	var buf [64]byte
	folded := buf[:0]
	for _, c := range name {
		switch {
		case c >= utf8.RuneSelf:
			return false
		case c == '_' || c == '-':
		case 'A' <= c && c <= 'Z':
			folded = append(folded, c+'a'-'A')
		default:
			folded = append(folded, c)
		}
	}
	for _, f := range fields {
		if string(folded) == f {
			return false
		}
	}
	return d.skip()
}

// foldedNames folds names as JSON v2 does for MatchCaseInsensitiveNames
// (ASCII only: these are field names): without '_' and '-', in lower case.
func foldedNames(names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		var b []byte
		for _, c := range []byte(n) {
			switch {
			case c == '_' || c == '-':
			case 'A' <= c && c <= 'Z':
				b = append(b, c+'a'-'A')
			default:
				b = append(b, c)
			}
		}
		out[i] = string(b)
	}
	return out
}

// viaJSON decodes the next value into v with JSON v2, as the full decoding
// would have: it is a self-contained value, and decodeOptions are the full
// decoding's (without keepInput, so what it keeps it copies).
func (d *fastDecoder) viaJSON(v any) bool {
	start, ok := d.value()
	return ok && json.Unmarshal(d.b[start:d.i], v, decodeOptions) == nil
}

// params keeps a copy of the next value, which must be an object, as
// Params.UnmarshalJSONFrom does.
func (d *fastDecoder) params(p *Params) bool {
	if d.peek() != '{' {
		return false
	}
	start, ok := d.value()
	if ok {
		p.raw = bytes.Clone(d.b[start:d.i])
	}
	return ok
}

// end reports whether nothing but white space follows.
func (d *fastDecoder) end() bool {
	d.ws()
	return d.i == len(d.b)
}

func (d *fastDecoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte, or 0 at the end.
func (d *fastDecoder) peek() byte {
	d.ws()
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

// object reads an object, calling member for each member with its name
// and d at its value, which member must read.
func (d *fastDecoder) object(member func(name []byte) bool) bool {
	if d.peek() != '{' {
		return false
	}
	d.i++
	if d.depth++; d.depth > maxFastDepth {
		return false
	}
	base := len(d.names)
	if d.peek() == '}' {
		d.i++
		d.depth--
		return true
	}
	for {
		if d.peek() != '"' {
			return false
		}
		start := d.i + 1
		name, escaped, ok := d.scanString()
		if !ok || escaped || len(d.names)-base >= maxFastMembers || d.peek() != ':' {
			return false
		}
		d.i++
		d.names = append(d.names, fastName{head: head8(name), off: start, n: len(name)})
		if !member(name) {
			return false
		}
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			d.depth--
			unique := d.unique(d.names[base:])
			d.names = d.names[:base]
			return unique
		default:
			return false
		}
	}
}

// unique reports whether an object's member names differ from each other
// (jsontext refuses a duplicate): by comparing each with each in a small
// object, by sorting the names in a larger one, so that checking n names
// takes time in proportion to n log n at worst. The check comes at the
// object's end, so a duplicate near the start of a long object is found
// after a pass over it, where JSON v2 stops at the second name: a body
// refused for it costs at most what a valid body of its size does.
func (d *fastDecoder) unique(names []fastName) bool {
	if len(names) <= 8 {
		for i, a := range names {
			for _, b := range names[:i] {
				if d.compareNames(a, b) == 0 {
					return false
				}
			}
		}
		return true
	}
	slices.SortFunc(names, d.compareNames)
	for i := 1; i < len(names); i++ {
		if d.compareNames(names[i-1], names[i]) == 0 {
			return false
		}
	}
	return true
}

// compareNames orders names by their first bytes, length and bytes: any
// order does, as long as equal names are next to each other.
func (d *fastDecoder) compareNames(a, b fastName) int {
	if c := cmp.Compare(a.head, b.head); c != 0 {
		return c
	}
	if c := cmp.Compare(a.n, b.n); c != 0 {
		return c
	}
	return bytes.Compare(d.b[a.off:a.off+a.n], d.b[b.off:b.off+b.n])
}

func head8(b []byte) uint64 {
	if len(b) >= 8 {
		return binary.LittleEndian.Uint64(b)
	}
	var h uint64
	for i, c := range b {
		h |= uint64(c) << (8 * i)
	}
	return h
}

// value reads any value, checking it as jsontext does, and returns where
// it starts.
func (d *fastDecoder) value() (start int, ok bool) {
	d.ws()
	start = d.i
	return start, d.skip()
}

// skip reads any value, checking it as jsontext does.
func (d *fastDecoder) skip() bool {
	switch d.peek() {
	case '{':
		return d.object(func([]byte) bool { return d.skip() })
	case '[':
		return d.array(d.skip)
	case '"':
		_, _, ok := d.scanString()
		return ok
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	}
	_, ok := d.number()
	return ok
}

// array reads an array, calling elem to read each element.
func (d *fastDecoder) array(elem func() bool) bool {
	d.i++ // '['
	if d.depth++; d.depth > maxFastDepth {
		return false
	}
	if d.peek() == ']' {
		d.i++
		d.depth--
		return true
	}
	for {
		if !elem() {
			return false
		}
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			d.depth--
			return true
		default:
			return false
		}
	}
}

// literal reads true, false or null. What may follow it (a delimiter, not
// more letters) is checked by the caller, as after a number.
func (d *fastDecoder) literal(lit string) bool {
	if string(d.b[d.i:min(len(d.b), d.i+len(lit))]) != lit {
		return false
	}
	d.i += len(lit)
	return true
}

// number reads a number in JSON's grammar and returns its text.
func (d *fastDecoder) number() ([]byte, bool) {
	b, i := d.b, d.i
	digits := func() bool {
		n := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i > n
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		digits()
	default:
		return nil, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return nil, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return nil, false
		}
	}
	start := d.i
	d.i = i
	return b[start:i], true
}

// float32 reads a number into f as decodeFloat does (a string, "NaN" or a
// number in quotes, is left to JSON v2).
func (d *fastDecoder) float32(f *float32Value) bool {
	d.ws()
	num, ok := d.number()
	if !ok {
		return false
	}
	// The text is only read: the error, which would keep it, is dropped.
	v, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(num), len(num)), 32)
	*f = float32Value(v)
	return err == nil
}

// string reads a string into s: interned, unescaped as JSON v2 does.
func (d *fastDecoder) string(s *string) bool {
	if d.peek() != '"' {
		return false
	}
	start := d.i
	v, escaped, ok := d.scanString()
	if !ok {
		return false
	}
	if escaped {
		u, err := jsontext.AppendUnquote(nil, d.b[start:d.i])
		if err != nil {
			return false
		}
		v = u
	}
	*s = d.cache.make(v)
	return true
}

// scanString reads a string, checking it as jsontext does (no control
// characters, valid escapes with surrogates in pairs, valid UTF-8), and
// returns the text between its quotes and whether that holds escapes.
func (d *fastDecoder) scanString() (text []byte, escaped, ok bool) {
	b := d.b
	start := d.i + 1
	for i := start; i < len(b); {
		c := b[i]
		if plainByte[c] {
			i++
			continue
		}
		switch {
		case c == '"':
			d.i = i + 1
			return b[start:i], escaped, true
		case c == '\\':
			n := escapeLen(b[i:])
			if n == 0 {
				return nil, false, false
			}
			escaped = true
			i += n
		case c < ' ':
			return nil, false, false
		default:
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				return nil, false, false
			}
			i += n
		}
	}
	return nil, false, false
}

// plainByte holds the bytes that stand for themselves in a JSON string:
// ASCII but for control characters, '"' and '\\'.
var plainByte = func() (t [256]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// escapeLen returns the length of the escape at the start of b, or 0 if
// it is not one jsontext accepts: a lone surrogate is not (as in
// unquoteInPlace).
func escapeLen(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	switch b[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		u, ok := hex4(b[2:])
		switch {
		case !ok:
			return 0
		case !utf16.IsSurrogate(u):
			return 6
		case len(b) < 12 || b[6] != '\\' || b[7] != 'u':
			return 0
		}
		if lo, ok := hex4(b[8:]); ok && utf16.DecodeRune(u, lo) != utf8.RuneError {
			return 12
		}
	}
	return 0
}

// stringCache interns strings of 2 to 256 bytes, as JSON v2's decoder
// does: one string per slot, chosen by a hash of the first and last bytes.
type stringCache [256]string

func (c *stringCache) make(b []byte) string {
	if len(b) < 2 || len(b) > 256 {
		return string(b)
	}
	h := uint32(len(b))
	if len(b) >= 8 {
		h ^= uint32(binary.LittleEndian.Uint64(b)*0x9E3779B97F4A7C15>>40) ^ uint32(binary.LittleEndian.Uint64(b[len(b)-8:])*0xC2B2AE3D27D4EB4F>>40)
	} else {
		h ^= uint32(head8(b) * 0x9E3779B97F4A7C15 >> 40)
	}
	e := &c[h%uint32(len(c))]
	if *e != string(b) {
		*e = string(b)
	}
	return *e
}
