package cloudlog

import (
	"strconv"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// Limits on one line. A log line can carry what a caller sent (a tag, an
// error's text quoting it), and a request can hold megabytes of it: Cloud
// Logging drops an entry over 256 KB, and writing a line the size of a
// request costs the CPU of many calls. So the handler clips, as the last
// line of defence behind whatever its callers clip themselves:
//
//   - A value longer than MaxValueBytes in its JSON form (a string, an
//     error's text, a TextMarshaler's text, the JSON of any other value;
//     a message, a key, a group name) is clipped to that much and ends in
//     "…(N bytes)", N being its original length. A clipped JSON value is
//     written as a string.
//   - A line that would still be MaxLineBytes or longer (many values near
//     the limit) is written with every value clipped to 256 bytes instead;
//     if even that is too long, with its message and trace but without its
//     attributes, and "cloudlog_attrs_omitted" counting them.
//
// Every line is thus shorter than MaxLineBytes.
const (
	MaxLineBytes  = 16 << 10
	MaxValueBytes = 4 << 10

	retryValueBytes = 256
)

// appendString appends s as a JSON string of at most max bytes and the
// note of the original length. Only about max bytes of s are read, however
// long it is.
func appendString(b []byte, s string, max int) []byte {
	start := len(b)
	n := len(s)
	if n <= max {
		b, _ = jsontext.AppendQuote(b, s)
		q := len(b) - start - 2
		if q <= max {
			return b
		}
		b = b[:start]
		n = n * max / q // escapes made it too long
	} else {
		n = max
	}
	for {
		for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
			n-- // cut between runes, not in one
		}
		b, _ = jsontext.AppendQuote(b, s[:n])
		q := len(b) - start - 2
		if q <= max || n == 0 {
			b = b[:len(b)-1] // the closing quote
			b = append(b, "…("...)
			b = strconv.AppendInt(b, int64(len(s)), 10)
			return append(b, ` bytes)"`...)
		}
		b = b[:start]
		n = n * max / q
	}
}
