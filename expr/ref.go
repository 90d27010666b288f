package expr

import (
	"strconv"
	"strings"
)

// Scope is where a reference looks: the part after the $ and before the
// parameter name.
type Scope uint8

// The reference scopes CX documents, with their prefixes.
const (
	ScopeSession Scope = iota + 1 // $session.params.NAME
	ScopePage                     // $page.params.NAME, $page.params.status
	ScopeFlow                     // $flow.NAME
	ScopeIntent                   // $intent.params.NAME (.original, .resolved)
	ScopeRequest                  // $request.NAME (user-utterance, language, generative.X, sentiment.X, …)
)

var scopePrefixes = [...]string{"", "$session.params.", "$page.params.", "$flow.", "$intent.params.", "$request."}

// Prefix returns the scope's prefix as written, such as "$session.params.".
func (s Scope) Prefix() string {
	if int(s) > 0 && int(s) < len(scopePrefixes) {
		return scopePrefixes[s]
	}
	return ""
}

func (s Scope) String() string {
	if p := s.Prefix(); p != "" {
		return strings.TrimSuffix(strings.TrimPrefix(p, "$"), ".")
	}
	return "Scope(" + strconv.Itoa(int(s)) + ")"
}

// Segment is one step of a reference's path: a name (a parameter or a
// struct field) or a list index written [i].
type Segment struct {
	Name  string // "" for an index
	Index int    // the index, when Name is ""
}

// IsIndex reports whether the segment is a list index.
func (s Segment) IsIndex() bool { return s.Name == "" }

// Ref is a parsed parameter reference such as $session.params.a.b[0]:
// its scope and its path after the scope's prefix (here a, b, [0]). Path
// has at least one segment, and the first is a name.
type Ref struct {
	Scope Scope
	Path  []Segment
	Src   string // the reference as written
}

// Name returns the first segment: the parameter's name.
func (r *Ref) Name() string {
	if len(r.Path) == 0 {
		return ""
	}
	return r.Path[0].Name
}

func (r *Ref) String() string { return r.Src }

// Walk follows r.Path[from:] into v: a name selects a struct field (see
// [Value.Field] for case-insensitivity), an index a list element. ok is
// false when a step finds nothing. An environment uses Walk for the part
// of a path past the parameter it resolves.
func (r *Ref) Walk(v Value, from int) (Value, bool) {
	for _, s := range r.Path[from:] {
		var ok bool
		if s.IsIndex() {
			v, ok = v.Index(s.Index)
		} else {
			v, ok = v.Field(s.Name)
		}
		if !ok {
			return Null, false
		}
	}
	return v, true
}

// isNameByte reports whether c may appear in a parameter name: ASCII
// letters and digits, '_' and '-' (CX parameter ids such as
// type-of-property and user-utterance), and any byte of a non-ASCII
// character.
func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c >= 0x80
}

// scopeAt reports which scope prefix src has at offset i, and its length.
func scopeAt(src string, i int) (Scope, int) {
	rest := src[i:]
	for s := ScopeSession; s <= ScopeRequest; s++ {
		p := scopePrefixes[s]
		if len(rest) >= len(p) && rest[:len(p)] == p {
			return s, len(p)
		}
	}
	return 0, 0
}

// scanRef reads a reference at src[i] (which is '$' followed by a scope
// prefix of length plen). In strict mode (conditions and expressions) a
// '.' or '[' that does not continue the path is an error; in template mode
// it ends the reference and stays in the text, so "$flow.x." ends a
// sentence. It returns the reference and the offset after it, or an
// error message and its offset.
func scanRef(src string, i int, scope Scope, plen int, strict bool) (*Ref, int, string, int) {
	j := i + plen
	ref := &Ref{Scope: scope}
	name := func(at int) int {
		k := at
		for k < len(src) && isNameByte(src[k]) {
			k++
		}
		return k
	}
	k := name(j)
	if k == j {
		return nil, i, "expected a parameter name after " + scope.Prefix(), j
	}
	ref.Path = append(ref.Path, Segment{Name: src[j:k]})
	j = k
	for j < len(src) {
		switch src[j] {
		case '.':
			k := name(j + 1)
			if k == j+1 {
				if strict {
					return nil, i, "expected a field name after '.'", j + 1
				}
				goto done
			}
			ref.Path = append(ref.Path, Segment{Name: src[j+1 : k]})
			j = k
		case '[':
			k := j + 1
			for k < len(src) && src[k] >= '0' && src[k] <= '9' {
				k++
			}
			if k == j+1 || k >= len(src) || src[k] != ']' || k-j-1 > 9 {
				if strict {
					return nil, i, "expected a list index such as [0]", j
				}
				goto done
			}
			n, _ := strconv.Atoi(src[j+1 : k])
			ref.Path = append(ref.Path, Segment{Index: n})
			j = k + 1
		default:
			goto done
		}
	}
done:
	ref.Src = src[i:j]
	return ref, j, "", 0
}

// ParseRef parses a whole reference such as "$session.params.a.b[0]".
func ParseRef(src string) (*Ref, error) {
	if len(src) == 0 || src[0] != '$' {
		return nil, newParseError(src, 0, "a reference starts with $session.params., $page.params., $flow., $intent.params. or $request.")
	}
	scope, plen := scopeAt(src, 0)
	if scope == 0 {
		return nil, newParseError(src, 0, "unknown reference: "+clip(src, 0, 40)+" (want $session.params., $page.params., $flow., $intent.params. or $request.)")
	}
	ref, end, msg, at := scanRef(src, 0, scope, plen, true)
	if msg != "" {
		return nil, newParseError(src, at, msg)
	}
	if end != len(src) {
		return nil, newParseError(src, end, "unexpected "+quoteAt(src, end)+" after the reference")
	}
	return ref, nil
}
