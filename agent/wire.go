package agent

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The export is not protojson (see the package doc). These types read the
// forms real exports use and the protojson forms a hand-edited or
// API-written file may use, so that either loads.

// duration reads a google.protobuf.Duration as the export writes it,
// {"seconds": 5, "nanos": 0}, or as protojson does, "5s" or "1.5s".
type duration struct{ d time.Duration }

func (d *duration) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch dec.PeekKind() {
	case 'n':
		_, err := dec.ReadToken()
		return err
	case '"':
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		s := tok.String()
		if !strings.HasSuffix(s, "s") {
			return errors.New(`a duration string must end in "s"`)
		}
		f, err := strconv.ParseFloat(strings.TrimSuffix(s, "s"), 64)
		if err != nil || math.IsNaN(f) || math.Abs(f) > 315576000000 {
			return errors.New("not a duration")
		}
		d.d = time.Duration(f * float64(time.Second))
		return nil
	}
	var w struct {
		Seconds int64Value `json:"seconds"`
		Nanos   int64Value `json:"nanos"`
	}
	if err := json.UnmarshalDecode(dec, &w); err != nil {
		return err
	}
	if w.Seconds < -315576000000 || w.Seconds > 315576000000 || w.Nanos < -999999999 || w.Nanos > 999999999 {
		return errors.New("duration out of range")
	}
	// Durations over 292 years overflow time.Duration; no timeout is that long.
	if int64(w.Seconds) > math.MaxInt64/int64(time.Second)-1 || int64(w.Seconds) < math.MinInt64/int64(time.Second)+1 {
		return errors.New("duration out of range")
	}
	d.d = time.Duration(w.Seconds)*time.Second + time.Duration(w.Nanos)
	return nil
}

// timestamp reads a google.protobuf.Timestamp as the export writes it,
// {"seconds": 1606883357, "nanos": 545905000}, or as protojson does, an
// RFC 3339 string.
type timestamp struct{ t time.Time }

func (t *timestamp) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch dec.PeekKind() {
	case 'n':
		_, err := dec.ReadToken()
		return err
	case '"':
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		v, err := time.Parse(time.RFC3339Nano, tok.String())
		if err != nil {
			return errors.New("not an RFC 3339 time")
		}
		t.t = v.UTC()
		return nil
	}
	var w struct {
		Seconds int64Value `json:"seconds"`
		Nanos   int64Value `json:"nanos"`
	}
	if err := json.UnmarshalDecode(dec, &w); err != nil {
		return err
	}
	// The range of google.protobuf.Timestamp: years 1 to 9999.
	if w.Seconds < -62135596800 || w.Seconds > 253402300799 || w.Nanos < 0 || w.Nanos > 999999999 {
		return errors.New("timestamp out of range")
	}
	t.t = time.Unix(int64(w.Seconds), int64(w.Nanos)).UTC()
	return nil
}

// int64Value reads an integer written as a JSON number (the export's form)
// or as a decimal string (protojson's form for 64-bit integers).
type int64Value int64

func (n *int64Value) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	var s string
	switch tok.Kind() {
	case 'n':
		return nil
	case '0', '"':
		s = tok.String()
	default:
		return fmt.Errorf("want an integer, got %s", kindName(tok.Kind()))
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = int64Value(i)
		return nil
	}
	// 5.0 or 5e3: an integer written as a double.
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		if tok.Kind() == '"' {
			return errors.New("want an integer, got a string that holds none")
		}
		return errors.New("want an integer that fits in 64 bits")
	}
	*n = int64Value(f)
	return nil
}

// A KeyValue is one entry of a string map, which the export writes as a
// list of {"key": ..., "value": ...} objects.
type KeyValue struct {
	Key   string
	Value string
}

// keyValues reads a string map written as the export does, a list of
// {"key", "value"} objects, or as protojson does, a JSON object. Order is
// kept.
type keyValues []KeyValue

func (kv *keyValues) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch dec.PeekKind() {
	case 'n':
		_, err := dec.ReadToken()
		return err
	case '[':
		var list []struct {
			Key   string      `json:"key"`
			Value stringValue `json:"value"`
		}
		if err := json.UnmarshalDecode(dec, &list); err != nil {
			return err
		}
		for _, e := range list {
			*kv = append(*kv, KeyValue{e.Key, string(e.Value)})
		}
		return nil
	case '{':
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		for dec.PeekKind() != '}' {
			k, err := dec.ReadToken()
			if err != nil {
				return err
			}
			key := k.String() // before the next read voids k
			var v stringValue
			if err := json.UnmarshalDecode(dec, &v); err != nil {
				return err
			}
			*kv = append(*kv, KeyValue{key, string(v)})
		}
		_, err := dec.ReadToken()
		return err
	}
	return fmt.Errorf("want a list of key/value objects, got %s", kindName(dec.PeekKind()))
}

// stringValue reads a string, or a number or boolean as its JSON text: map
// values in exports are strings, but a hand-edited file may hold 5 for "5".
type stringValue string

func (s *stringValue) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case '"', '0':
		*s = stringValue(tok.String())
	case 't', 'f':
		*s = stringValue(strconv.FormatBool(tok.Bool()))
	case 'n':
	default:
		return fmt.Errorf("want a string, got %s", kindName(tok.Kind()))
	}
	return nil
}

func kindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case '"':
		return "string"
	case '0':
		return "number"
	case 't', 'f':
		return "boolean"
	case '[':
		return "list"
	case '{':
		return "object"
	}
	return "value"
}
