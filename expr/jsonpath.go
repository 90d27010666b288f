package expr

import (
	"fmt"
	"strconv"
	"strings"
)

// JSONPath is a parsed JsonPath expression, for FILTER and for the
// parameterMapping of flexible webhooks. The syntax is the common subset
// of Jayway JsonPath (Java, which the expressions in CX exports are
// written for):
//
//	$                  the root
//	.name  ['name']    a field ("name" quotes too)
//	[0]  [-1]          a list element, from the end when negative
//	[0,2]  ['a','b']   several elements or fields
//	[1:3]  [:2]  [-2:] a slice of a list
//	.*  [*]            every element or field value
//	..name  ..*        recursive descent
//	[?(@.kind == 'x' && @.n > 2)]  a filter over list elements (or a
//	                   struct's values): ==, !=, <, <=, >, >=, &&, ||, !,
//	                   parentheses, and @.path alone for "exists"
//
// [JSONPath.Select] returns, as Jayway does, the value itself for a
// definite path (only fields and single indexes), null when it is
// missing, and the list of all matches for any other path.
type JSONPath struct {
	src      string
	steps    []jpStep
	definite bool
}

type jpKind uint8

const (
	jpField jpKind = iota + 1
	jpIndex
	jpWild
	jpSlice
	jpFilter
	jpUnion // several names or indexes
)

type jpStep struct {
	kind      jpKind
	recursive bool // preceded by ..
	name      string
	index     int
	names     []string
	indexes   []int
	lo, hi    int
	hasLo     bool
	hasHi     bool
	filter    jpExpr
}

// maxJSONPath bounds a JsonPath's length; real mappings are under 400
// bytes.
const maxJSONPath = 4096

// ParseJSONPath parses a JsonPath expression.
func ParseJSONPath(src string) (*JSONPath, error) {
	if len(src) > maxJSONPath {
		return nil, fmt.Errorf("jsonpath: %d bytes is over the %d-byte limit", len(src), maxJSONPath)
	}
	p := &jpParser{src: src}
	jp, err := p.parse()
	if err != nil {
		return nil, err
	}
	return jp, nil
}

type jpParser struct {
	src   string
	pos   int
	depth int
}

func (p *jpParser) errorf(format string, a ...any) error {
	return fmt.Errorf("jsonpath: column %d: %s", p.pos+1, fmt.Sprintf(format, a...))
}

func (p *jpParser) parse() (*JSONPath, error) {
	jp := &JSONPath{src: p.src, definite: true}
	s := strings.TrimSpace(p.src)
	p.src = s
	if !strings.HasPrefix(s, "$") {
		return nil, p.errorf("a JsonPath starts with $")
	}
	p.pos = 1
	steps, err := p.steps(false)
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.src) {
		return nil, p.errorf("unexpected %q", p.src[p.pos])
	}
	jp.steps = steps
	for _, st := range steps {
		if st.recursive || st.kind != jpField && st.kind != jpIndex {
			jp.definite = false
		}
	}
	return jp, nil
}

func isJPName(c byte) bool {
	return isNameByte(c) || c == '$' || c == '@'
}

// steps parses path steps until the end or, inside a filter (inFilter),
// until a character that cannot continue a path.
func (p *jpParser) steps(inFilter bool) ([]jpStep, error) {
	var steps []jpStep
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch c {
		case '.':
			rec := strings.HasPrefix(p.src[p.pos:], "..")
			if rec {
				if inFilter {
					return nil, p.errorf("recursive descent is not supported inside a filter")
				}
				p.pos += 2
			} else {
				p.pos++
			}
			if p.pos < len(p.src) && p.src[p.pos] == '*' {
				p.pos++
				steps = append(steps, jpStep{kind: jpWild, recursive: rec})
				continue
			}
			if p.pos < len(p.src) && p.src[p.pos] == '[' && rec {
				st, err := p.bracket()
				if err != nil {
					return nil, err
				}
				st.recursive = true
				steps = append(steps, st)
				continue
			}
			j := p.pos
			for j < len(p.src) && isJPName(p.src[j]) {
				j++
			}
			if j == p.pos {
				return nil, p.errorf("expected a field name after '.'")
			}
			steps = append(steps, jpStep{kind: jpField, name: p.src[p.pos:j], recursive: rec})
			p.pos = j
		case '[':
			st, err := p.bracket()
			if err != nil {
				return nil, err
			}
			steps = append(steps, st)
		default:
			if inFilter {
				return steps, nil
			}
			return nil, p.errorf("unexpected %q", c)
		}
	}
	return steps, nil
}

func (p *jpParser) skip() {
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

// bracket parses [ … ] at p.pos.
func (p *jpParser) bracket() (jpStep, error) {
	p.pos++ // [
	p.skip()
	if p.pos >= len(p.src) {
		return jpStep{}, p.errorf("'[' not closed")
	}
	var st jpStep
	switch c := p.src[p.pos]; {
	case c == '*':
		p.pos++
		st = jpStep{kind: jpWild}
	case c == '?':
		p.pos++
		p.skip()
		if p.pos >= len(p.src) || p.src[p.pos] != '(' {
			return jpStep{}, p.errorf("expected '(' after '?'")
		}
		p.pos++
		e, err := p.filterOr()
		if err != nil {
			return jpStep{}, err
		}
		p.skip()
		if p.pos >= len(p.src) || p.src[p.pos] != ')' {
			return jpStep{}, p.errorf("expected ')' to close the filter")
		}
		p.pos++
		st = jpStep{kind: jpFilter, filter: e}
	case c == '\'' || c == '"':
		var names []string
		for {
			s, err := p.quoted()
			if err != nil {
				return jpStep{}, err
			}
			names = append(names, s)
			p.skip()
			if p.pos < len(p.src) && p.src[p.pos] == ',' {
				p.pos++
				p.skip()
				continue
			}
			break
		}
		if len(names) == 1 {
			st = jpStep{kind: jpField, name: names[0]}
		} else {
			st = jpStep{kind: jpUnion, names: names}
		}
	default:
		var idx []int
		colon := false
		var lo, hi int
		var hasLo, hasHi bool
		readInt := func() (int, bool, error) {
			p.skip()
			j := p.pos
			if j < len(p.src) && p.src[j] == '-' {
				j++
			}
			k := j
			for k < len(p.src) && p.src[k] >= '0' && p.src[k] <= '9' {
				k++
			}
			if k == j {
				return 0, false, nil
			}
			n, err := strconv.Atoi(p.src[p.pos:k])
			if err != nil {
				return 0, false, p.errorf("index %q out of range", p.src[p.pos:k])
			}
			p.pos = k
			p.skip()
			return n, true, nil
		}
		n, ok, err := readInt()
		if err != nil {
			return jpStep{}, err
		}
		if p.pos < len(p.src) && p.src[p.pos] == ':' {
			colon = true
			lo, hasLo = n, ok
			p.pos++
			if hi, hasHi, err = readInt(); err != nil {
				return jpStep{}, err
			}
		} else {
			if !ok {
				return jpStep{}, p.errorf("expected an index, a quoted name, '*', a slice or a filter in '[…]'")
			}
			idx = append(idx, n)
			for p.pos < len(p.src) && p.src[p.pos] == ',' {
				p.pos++
				m, ok, err := readInt()
				if err != nil {
					return jpStep{}, err
				}
				if !ok {
					return jpStep{}, p.errorf("expected an index after ','")
				}
				idx = append(idx, m)
			}
		}
		switch {
		case colon:
			st = jpStep{kind: jpSlice, lo: lo, hi: hi, hasLo: hasLo, hasHi: hasHi}
		case len(idx) == 1:
			st = jpStep{kind: jpIndex, index: idx[0]}
		default:
			st = jpStep{kind: jpUnion, indexes: idx}
		}
	}
	p.skip()
	if p.pos >= len(p.src) || p.src[p.pos] != ']' {
		return jpStep{}, p.errorf("expected ']'")
	}
	p.pos++
	return st, nil
}

func (p *jpParser) quoted() (string, error) {
	if p.pos >= len(p.src) || p.src[p.pos] != '\'' && p.src[p.pos] != '"' {
		return "", p.errorf("expected a quoted name")
	}
	q := p.src[p.pos]
	var b strings.Builder
	for i := p.pos + 1; i < len(p.src); i++ {
		c := p.src[i]
		if c == '\\' && i+1 < len(p.src) {
			i++
			b.WriteByte(p.src[i])
			continue
		}
		if c == q {
			p.pos = i + 1
			return b.String(), nil
		}
		b.WriteByte(c)
	}
	return "", p.errorf("quote not closed")
}

// A filter expression.
type jpExpr interface{}

type jpBinary struct {
	op   string // "&&" "||" or a comparison
	l, r jpExpr
}

type jpNot struct{ x jpExpr }

// jpRel is @.path or $.path inside a filter.
type jpRel struct {
	root  bool // $ rather than @
	steps []jpStep
}

type jpLit struct{ v Value }

func (p *jpParser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errorf("filter nested too deeply")
	}
	return nil
}

func (p *jpParser) filterOr() (jpExpr, error) {
	l, err := p.filterAnd()
	if err != nil {
		return nil, err
	}
	for {
		p.skip()
		if !strings.HasPrefix(p.src[p.pos:], "||") {
			return l, nil
		}
		p.pos += 2
		r, err := p.filterAnd()
		if err != nil {
			return nil, err
		}
		l = &jpBinary{op: "||", l: l, r: r}
	}
}

func (p *jpParser) filterAnd() (jpExpr, error) {
	l, err := p.filterUnary()
	if err != nil {
		return nil, err
	}
	for {
		p.skip()
		if !strings.HasPrefix(p.src[p.pos:], "&&") {
			return l, nil
		}
		p.pos += 2
		r, err := p.filterUnary()
		if err != nil {
			return nil, err
		}
		l = &jpBinary{op: "&&", l: l, r: r}
	}
}

func (p *jpParser) filterUnary() (jpExpr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.skip()
	if p.pos < len(p.src) && p.src[p.pos] == '!' && !strings.HasPrefix(p.src[p.pos:], "!=") {
		p.pos++
		x, err := p.filterUnary()
		if err != nil {
			return nil, err
		}
		return &jpNot{x: x}, nil
	}
	if p.pos < len(p.src) && p.src[p.pos] == '(' {
		p.pos++
		x, err := p.filterOr()
		if err != nil {
			return nil, err
		}
		p.skip()
		if p.pos >= len(p.src) || p.src[p.pos] != ')' {
			return nil, p.errorf("expected ')'")
		}
		p.pos++
		return x, nil
	}
	l, err := p.filterOperand()
	if err != nil {
		return nil, err
	}
	p.skip()
	for _, op := range []string{"==", "!=", "<=", ">=", "<", ">"} {
		if strings.HasPrefix(p.src[p.pos:], op) {
			p.pos += len(op)
			r, err := p.filterOperand()
			if err != nil {
				return nil, err
			}
			return &jpBinary{op: op, l: l, r: r}, nil
		}
	}
	return l, nil
}

func (p *jpParser) filterOperand() (jpExpr, error) {
	p.skip()
	if p.pos >= len(p.src) {
		return nil, p.errorf("expected a value in the filter")
	}
	switch c := p.src[p.pos]; {
	case c == '@' || c == '$':
		p.pos++
		steps, err := p.steps(true)
		if err != nil {
			return nil, err
		}
		return &jpRel{root: c == '$', steps: steps}, nil
	case c == '\'' || c == '"':
		s, err := p.quoted()
		if err != nil {
			return nil, err
		}
		return &jpLit{v: String(s)}, nil
	}
	j := p.pos
	for j < len(p.src) && (isAlnum(p.src[j]) || p.src[j] == '.' || p.src[j] == '-' || p.src[j] == '+') {
		j++
	}
	w := p.src[p.pos:j]
	switch w {
	case "true":
		p.pos = j
		return &jpLit{v: Bool(true)}, nil
	case "false":
		p.pos = j
		return &jpLit{v: Bool(false)}, nil
	case "null":
		p.pos = j
		return &jpLit{v: Null}, nil
	}
	if f, ok := parseNumber(w); ok {
		p.pos = j
		return &jpLit{v: Number(f)}, nil
	}
	return nil, p.errorf("expected @, $, a quoted string, a number, true, false or null in the filter")
}

// Source returns the path as written.
func (jp *JSONPath) Source() string { return jp.src }

// Definite reports whether the path selects at most one value.
func (jp *JSONPath) Definite() bool { return jp.definite }

// Select applies the path to v. A selection visits at most
// jsonPathBudget values (a path such as $..*..*..* over a large value
// would otherwise take very long); past that it is an error.
func (jp *JSONPath) Select(v Value) (Value, error) {
	s := &selector{root: v, budget: jsonPathBudget}
	matches := s.steps(jp.steps, []Value{v})
	if s.budget < 0 {
		return Null, fmt.Errorf("jsonpath: %s visits more than %d values", clip(jp.src, 0, 40), jsonPathBudget)
	}
	if jp.definite {
		if len(matches) == 0 {
			return Null, nil
		}
		return matches[0], nil
	}
	l := make([]any, len(matches))
	for i, m := range matches {
		l[i] = m.JSON()
	}
	return listOf(l), nil
}

// jsonPathBudget bounds the values one selection visits.
const jsonPathBudget = 1 << 16

// selector is one selection: the document's root, for $ inside filters,
// and what is left of the budget.
type selector struct {
	root   Value
	budget int
}

func (s *selector) spend(n int) bool {
	s.budget -= n
	return s.budget >= 0
}

func (s *selector) steps(steps []jpStep, cur []Value) []Value {
	for _, st := range steps {
		var next []Value
		for _, v := range cur {
			if st.recursive {
				next = s.descend(st, v, next)
			} else {
				next = s.apply(st, v, next)
			}
			if s.budget < 0 {
				return nil
			}
		}
		cur = next
	}
	return cur
}

// children returns a list's elements or a struct's values (in key
// order).
func (s *selector) children(v Value) []Value {
	if !s.spend(v.Len() + 1) {
		return nil
	}
	var out []Value
	switch v.kind {
	case KindList:
		for _, x := range v.list {
			if e, err := FromJSON(x); err == nil {
				out = append(out, e)
			}
		}
	case KindStruct:
		for _, k := range v.Fields() {
			if e, err := FromJSON(v.obj[k]); err == nil {
				out = append(out, e)
			}
		}
	}
	return out
}

func (s *selector) descend(st jpStep, v Value, out []Value) []Value {
	out = s.apply(st, v, out)
	for _, ch := range s.children(v) {
		if s.budget < 0 {
			return out
		}
		out = s.descend(st, ch, out)
	}
	return out
}

func (s *selector) apply(st jpStep, v Value, out []Value) []Value {
	if !s.spend(1) {
		return out
	}
	switch st.kind {
	case jpField:
		if v.kind == KindStruct {
			if x, ok := v.obj[st.name]; ok {
				if e, err := FromJSON(x); err == nil {
					out = append(out, e)
				}
			}
		}
	case jpIndex:
		if e, ok := indexFrom(v, st.index); ok {
			out = append(out, e)
		}
	case jpUnion:
		for _, i := range st.indexes {
			if e, ok := indexFrom(v, i); ok {
				out = append(out, e)
			}
		}
		if v.kind == KindStruct {
			for _, n := range st.names {
				if x, ok := v.obj[n]; ok {
					if e, err := FromJSON(x); err == nil {
						out = append(out, e)
					}
				}
			}
		}
	case jpWild:
		out = append(out, s.children(v)...)
	case jpSlice:
		if v.kind == KindList {
			n := v.Len()
			lo, hi := 0, n
			if st.hasLo {
				lo = st.lo
			}
			if st.hasHi {
				hi = st.hi
			}
			if lo < 0 {
				lo += n
			}
			if hi < 0 {
				hi += n
			}
			lo, hi = max(0, min(lo, n)), max(0, min(hi, n))
			for i := lo; i < hi; i++ {
				e, _ := v.Index(i)
				out = append(out, e)
			}
		}
	case jpFilter:
		for _, ch := range s.children(v) {
			if s.filterTrue(st.filter, ch) {
				out = append(out, ch)
			}
		}
	}
	return out
}

func indexFrom(v Value, i int) (Value, bool) {
	if v.kind != KindList {
		return Null, false
	}
	if i < 0 {
		i += v.Len()
	}
	return v.Index(i)
}

// filterValue evaluates a filter operand: a literal, or the single value
// a relative path selects (absent when it selects none).
func (s *selector) filterValue(e jpExpr, cur Value) (Value, bool) {
	switch e := e.(type) {
	case *jpLit:
		return e.v, true
	case *jpRel:
		start := cur
		if e.root {
			start = s.root
		}
		m := s.steps(e.steps, []Value{start})
		if len(m) == 0 {
			return Null, false
		}
		return m[0], true
	}
	return Bool(s.filterTrue(e, cur)), true
}

func (s *selector) filterTrue(e jpExpr, cur Value) bool {
	switch e := e.(type) {
	case *jpNot:
		return !s.filterTrue(e.x, cur)
	case *jpBinary:
		switch e.op {
		case "&&":
			return s.filterTrue(e.l, cur) && s.filterTrue(e.r, cur)
		case "||":
			return s.filterTrue(e.l, cur) || s.filterTrue(e.r, cur)
		}
		l, lok := s.filterValue(e.l, cur)
		r, rok := s.filterValue(e.r, cur)
		if !lok || !rok {
			return e.op == "!=" && lok != rok
		}
		switch e.op {
		case "==":
			return l.Equal(r)
		case "!=":
			return !l.Equal(r)
		}
		var cmp int
		switch {
		case l.kind == KindNumber && r.kind == KindNumber:
			switch {
			case l.num < r.num:
				cmp = -1
			case l.num > r.num:
				cmp = 1
			}
		case l.kind == KindString && r.kind == KindString:
			cmp = strings.Compare(l.str, r.str)
		default:
			return false
		}
		switch e.op {
		case "<":
			return cmp < 0
		case "<=":
			return cmp <= 0
		case ">":
			return cmp > 0
		default:
			return cmp >= 0
		}
	case *jpRel:
		_, ok := s.filterValue(e, cur)
		return ok
	case *jpLit:
		return e.v.kind == KindBool && e.v.num != 0
	}
	return false
}
