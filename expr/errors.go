package expr

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Pos is a position in a condition, expression or template: a byte
// offset, and the 1-based line and column (in characters) it falls on.
type Pos struct {
	Offset int
	Line   int
	Column int
}

func (p Pos) String() string {
	if p.Line == 0 {
		return "-"
	}
	return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
}

// posAt computes the Pos of byte offset off in src.
func posAt(src string, off int) Pos {
	if off > len(src) {
		off = len(src)
	}
	if off < 0 {
		off = 0
	}
	line, col := 1, 1
	for i := 0; i < off; {
		r, n := utf8.DecodeRuneInString(src[i:])
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
		i += n
	}
	return Pos{Offset: off, Line: line, Column: col}
}

// ParseError is a condition, expression or template that does not parse:
// where, and why. Near holds a clipped excerpt of the source at the
// position, for a message a person can place.
type ParseError struct {
	Pos  Pos
	Msg  string
	Near string
}

func (e *ParseError) Error() string {
	s := "expr: " + e.Pos.String() + ": " + e.Msg
	if e.Near != "" {
		s += " (near " + strconv.Quote(e.Near) + ")"
	}
	return s
}

func newParseError(src string, off int, msg string) *ParseError {
	return &ParseError{Pos: posAt(src, off), Msg: msg, Near: clip(src, off, 24)}
}

// clip returns up to n bytes of src from off, cut on a character
// boundary, with "…" when cut.
func clip(src string, off, n int) string {
	if off >= len(src) {
		return ""
	}
	if off < 0 {
		off = 0
	}
	s := src[off:]
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// quoteAt describes the character at src[off] for a message.
func quoteAt(src string, off int) string {
	if off >= len(src) {
		return "end of input"
	}
	r, _ := utf8.DecodeRuneInString(src[off:])
	return strconv.QuoteRune(r)
}

// EvalError is an evaluation that failed: a system function given
// arguments it cannot use, a division by zero, a missing clock. Func names
// the system function when one failed.
type EvalError struct {
	Pos  Pos
	Func string
	Err  error
}

func (e *EvalError) Error() string {
	s := "expr: " + e.Pos.String() + ": "
	if e.Func != "" {
		s += "$sys.func." + e.Func + ": "
	}
	return s + e.Err.Error()
}

func (e *EvalError) Unwrap() error { return e.Err }

// ErrNoClock is returned by NOW and the date functions when the
// [Context] has no clock, and ErrNoRand by RAND when it has no random
// source. The emulator must stay deterministic, so there is no default.
var (
	ErrNoClock = errors.New("no clock in the evaluation context")
	ErrNoRand  = errors.New("no random source in the evaluation context")
)

// argError reports a bad argument of a system function.
func argError(i int, format string, a ...any) error {
	return fmt.Errorf("argument %d: %s", i+1, fmt.Sprintf(format, a...))
}
