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

// maxDuration is the longest duration time.Duration holds, in seconds
// (292 years; no timeout is that long).
const maxDuration int64 = math.MaxInt64/int64(time.Second) - 1

func (d *duration) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	str, seconds, nanos, err := readSecondsNanos(dec)
	switch {
	case err != nil:
		return err
	case str != nil:
		f, err := strconv.ParseFloat(strings.TrimSuffix(*str, "s"), 64)
		if !strings.HasSuffix(*str, "s") || err != nil || math.IsNaN(f) || math.Abs(f) > float64(maxDuration) {
			return errors.New(`not a duration ("5s")`)
		}
		d.d = time.Duration(f * float64(time.Second))
	default:
		if seconds < -maxDuration || seconds > maxDuration || nanos < -999999999 || nanos > 999999999 {
			return errors.New("duration out of range")
		}
		d.d = time.Duration(seconds)*time.Second + time.Duration(nanos)
	}
	return nil
}

// timestamp reads a google.protobuf.Timestamp as the export writes it,
// {"seconds": 1606883357, "nanos": 545905000}, or as protojson does, an
// RFC 3339 string.
type timestamp struct{ t time.Time }

func (t *timestamp) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	str, seconds, nanos, err := readSecondsNanos(dec)
	switch {
	case err != nil:
		return err
	case str != nil:
		v, err := time.Parse(time.RFC3339Nano, *str)
		if err != nil {
			return errors.New("not an RFC 3339 time")
		}
		t.t = v.UTC()
	default:
		// The range of google.protobuf.Timestamp: years 1 to 9999.
		if seconds < -62135596800 || seconds > 253402300799 || nanos < 0 || nanos > 999999999 {
			return errors.New("timestamp out of range")
		}
		t.t = time.Unix(seconds, nanos).UTC()
	}
	return nil
}

// readSecondsNanos reads a Duration or Timestamp: a string, for the caller
// to parse, or the export's {"seconds", "nanos"} object (null reads as
// zero).
func readSecondsNanos(dec *jsontext.Decoder) (str *string, seconds, nanos int64, err error) {
	if dec.PeekKind() == '"' {
		tok, err := dec.ReadToken()
		if err != nil {
			return nil, 0, 0, err
		}
		s := tok.String()
		return &s, 0, 0, nil
	}
	var w struct {
		Seconds int64Value `json:"seconds"`
		Nanos   int64Value `json:"nanos"`
	}
	err = json.UnmarshalDecode(dec, &w)
	return nil, int64(w.Seconds), int64(w.Nanos), err
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
