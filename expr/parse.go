package expr

import (
	"strconv"
	"strings"
)

// maxDepth bounds the nesting of parentheses, NOT, lists and function
// calls, so that a hostile or broken condition cannot exhaust the stack.
// Real agents nest three or four levels.
const maxDepth = 64

// parser is a recursive-descent parser over one source string. Offsets it
// records in nodes are base+offset in src, so that a string parsed out of
// a string literal (IF's condition, a template in a quoted string) reports
// positions in the outermost source, outer.
type parser struct {
	src   string
	pos   int
	base  int
	outer string
	depth int
	notes []Note
}

// bailout carries a parse error up the recursion to the entry point.
type bailout struct{ err *ParseError }

func newParser(src string) *parser { return &parser{src: src, outer: src} }

func (p *parser) off(local int) int { return p.base + local }

func (p *parser) fail(local int, msg string) {
	panic(bailout{newParseError(p.outer, p.off(local), msg)})
}

func (p *parser) note(local int, pol Policy, detail string) {
	p.notes = append(p.notes, Note{Policy: pol, Pos: posAt(p.outer, p.off(local)), Detail: detail})
}

// run calls f and turns a bailout into an error.
func (p *parser) run(f func()) (err *ParseError) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			err = b.err
		}
	}()
	f()
	return nil
}

func (p *parser) enter(local int) {
	p.depth++
	if p.depth > maxDepth {
		p.fail(local, "nested too deeply (more than "+strconv.Itoa(maxDepth)+" levels)")
	}
}

func (p *parser) leave() { p.depth-- }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

// isDelim reports whether src[i] ends an unquoted word.
func isDelim(src string, i int) bool {
	switch c := src[i]; c {
	case '(', ')', '[', ']', ',', '"', '\'', '=', '<', '>', ':':
		return true
	case '!':
		return i+1 < len(src) && src[i+1] == '='
	default:
		return isSpace(c)
	}
}

// wordEnd returns the end of the unquoted word starting at i; a backslash
// escapes the next byte.
func wordEnd(src string, i int) int {
	for i < len(src) && !isDelim(src, i) {
		if src[i] == '\\' && i+1 < len(src) {
			i++
		}
		i++
	}
	return i
}

// keyword consumes the keyword kw (AND, OR, NOT) if it is next, in any
// case.
func (p *parser) keyword(kw string) bool {
	p.skipSpace()
	end := wordEnd(p.src, p.pos)
	w := p.src[p.pos:end]
	if !strings.EqualFold(w, kw) {
		return false
	}
	if w != kw {
		p.note(p.pos, PolicyKeywordCase, strconv.Quote(w)+" read as "+kw)
	}
	p.pos = end
	return true
}

func isKeyword(w string) bool {
	return strings.EqualFold(w, "AND") || strings.EqualFold(w, "OR") || strings.EqualFold(w, "NOT")
}

// parseOr parses a whole condition: OR of ANDs of NOTs of comparisons.
func (p *parser) parseOr() condNode {
	l, mixed := p.parseAnd()
	firstOr := -1
	for {
		p.skipSpace()
		at := p.pos
		if !p.keyword("OR") {
			break
		}
		if firstOr < 0 {
			firstOr = at
		}
		r, hadAnd := p.parseAnd()
		mixed = mixed || hadAnd
		l = &orNode{l: l, r: r, pos: p.off(at)}
	}
	if firstOr >= 0 && mixed {
		p.note(firstOr, PolicyAndOrPrecedence, "AND and OR mixed without parentheses; read as (… AND …) OR (… AND …)")
	}
	return l
}

func (p *parser) parseAnd() (condNode, bool) {
	l := p.parseNot()
	had := false
	for {
		p.skipSpace()
		at := p.pos
		if !p.keyword("AND") {
			return l, had
		}
		had = true
		r := p.parseNot()
		l = &andNode{l: l, r: r, pos: p.off(at)}
	}
}

func (p *parser) parseNot() condNode {
	p.skipSpace()
	at := p.pos
	if p.keyword("NOT") {
		p.enter(at)
		x := p.parseNot()
		p.leave()
		return &notNode{x: x, pos: p.off(at)}
	}
	return p.parsePrimary()
}

func (p *parser) parsePrimary() condNode {
	p.skipSpace()
	at := p.pos
	if p.pos < len(p.src) && p.src[p.pos] == '(' {
		p.enter(at)
		p.pos++
		x := p.parseOr()
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != ')' {
			p.fail(p.pos, "expected ')' to close the '(' at "+posAt(p.outer, p.off(at)).String()+", found "+quoteAt(p.src, p.pos))
		}
		p.pos++
		p.leave()
		return x
	}
	l := p.parseOperand()
	p.skipSpace()
	opAt := p.pos
	op := p.cmpOp()
	if op == 0 {
		return &truthNode{x: l, pos: l.opPos()}
	}
	r := p.parseOperand()
	return &cmpNode{op: op, l: l, r: r, pos: p.off(opAt)}
}

// cmpOp consumes a comparison operator if one is next.
func (p *parser) cmpOp() cmpOp {
	s := p.src[p.pos:]
	switch {
	case strings.HasPrefix(s, "=="):
		p.fail(p.pos, "CX compares with =, not ==")
	case strings.HasPrefix(s, "!="):
		p.pos += 2
		return opNe
	case strings.HasPrefix(s, "<="):
		p.pos += 2
		return opLe
	case strings.HasPrefix(s, ">="):
		p.pos += 2
		return opGe
	case strings.HasPrefix(s, "<>"):
		p.fail(p.pos, "CX writes not-equal as !=, not <>")
	case strings.HasPrefix(s, "="):
		p.pos++
		return opEq
	case strings.HasPrefix(s, "<"):
		p.pos++
		return opLt
	case strings.HasPrefix(s, ">"):
		p.pos++
		return opGt
	case strings.HasPrefix(s, ":"):
		p.pos++
		return opHas
	}
	return 0
}

const sysFunc = "$sys.func."

// parseOperand parses a value: a reference, a system function call, a
// quoted string, a list, or an unquoted word (a number, true, false,
// null, or a string).
func (p *parser) parseOperand() operand {
	p.skipSpace()
	at := p.pos
	if p.pos >= len(p.src) {
		p.fail(p.pos, "expected a value, found end of input")
	}
	switch c := p.src[p.pos]; c {
	case '$':
		if strings.HasPrefix(p.src[p.pos:], sysFunc) {
			return p.parseCall()
		}
		scope, plen := scopeAt(p.src, p.pos)
		if scope == 0 {
			p.fail(p.pos, "unknown reference "+strconv.Quote(clip(p.src, p.pos, 24))+" (want $session.params., $page.params., $flow., $intent.params., $request. or $sys.func.)")
		}
		ref, end, msg, errAt := scanRef(p.src, p.pos, scope, plen, true)
		if msg != "" {
			p.fail(errAt, msg)
		}
		p.pos = end
		return &refNode{ref: ref, pos: p.off(at)}
	case '"', '\'':
		return p.parseString()
	case '[':
		p.enter(at)
		p.pos++
		n := &listNode{pos: p.off(at)}
		p.skipSpace()
		if p.pos < len(p.src) && p.src[p.pos] == ']' {
			p.pos++
			p.leave()
			return n
		}
		for {
			n.elems = append(n.elems, p.parseOperand())
			p.skipSpace()
			if p.pos < len(p.src) && p.src[p.pos] == ',' {
				p.pos++
				continue
			}
			if p.pos < len(p.src) && p.src[p.pos] == ']' {
				p.pos++
				p.leave()
				return n
			}
			p.fail(p.pos, "expected ',' or ']' in the list opened at "+posAt(p.outer, p.off(at)).String()+", found "+quoteAt(p.src, p.pos))
		}
	}
	end := wordEnd(p.src, p.pos)
	if end == p.pos {
		p.fail(p.pos, "expected a value, found "+quoteAt(p.src, p.pos))
	}
	w := p.src[p.pos:end]
	if isKeyword(w) {
		p.fail(p.pos, "expected a value, found the keyword "+strings.ToUpper(w))
	}
	p.pos = end
	if f, ok := parseNumber(w); ok {
		return &litNode{v: Number(f), pos: p.off(at)}
	}
	for _, c := range [...]struct {
		kw string
		v  Value
	}{{"true", Bool(true)}, {"false", Bool(false)}, {"null", Null}} {
		if strings.EqualFold(w, c.kw) {
			if w != c.kw {
				p.note(at, PolicyKeywordCase, strconv.Quote(w)+" read as "+c.kw)
			}
			return &litNode{v: c.v, pos: p.off(at)}
		}
	}
	return &litNode{v: String(unescape(w)), pos: p.off(at), word: true}
}

// parseNumber reads a decimal number: an optional '-', digits with an
// optional fraction, an optional exponent. Words such as 1m or
// 2022-01-05 are not numbers (they are unquoted strings).
func parseNumber(w string) (float64, bool) {
	i := 0
	if i < len(w) && w[i] == '-' {
		i++
	}
	digits := 0
	for i < len(w) && w[i] >= '0' && w[i] <= '9' {
		i++
		digits++
	}
	if i < len(w) && w[i] == '.' {
		i++
		for i < len(w) && w[i] >= '0' && w[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(w) && (w[i] == 'e' || w[i] == 'E') {
		i++
		if i < len(w) && (w[i] == '+' || w[i] == '-') {
			i++
		}
		e := i
		for i < len(w) && w[i] >= '0' && w[i] <= '9' {
			i++
		}
		if i == e {
			return 0, false
		}
	}
	if i != len(w) {
		return 0, false
	}
	f, err := strconv.ParseFloat(w, 64)
	if err != nil {
		return 0, false // out of range
	}
	return f, true
}

// unescape resolves backslash escapes: \ before any character stands for
// that character (\, \" \\ \' \( \) \$), except that a backslash before a
// letter or digit, or at the end, is kept as written, so that a text such
// as C:\new is not changed.
func unescape(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) && !isAlnum(s[i+1]) {
			i++
			b.WriteByte(s[i])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// parseString parses a quoted string. Its content may hold references and
// inline functions; then it is a template (strNode), else a literal.
func (p *parser) parseString() operand {
	at := p.pos
	q := p.src[p.pos]
	if q == '\'' {
		p.note(at, PolicySingleQuotes, "string in single quotes")
	}
	i := p.pos + 1
	for i < len(p.src) && p.src[i] != q {
		if p.src[i] == '\\' && i+1 < len(p.src) {
			i++
		}
		i++
	}
	if i >= len(p.src) {
		p.fail(at, "string not closed: missing "+string(q))
	}
	rawQuoted := p.src[at+1 : i]
	p.pos = i + 1
	s := unescape(rawQuoted)
	if !hasTemplateRef(s) {
		return &litNode{v: String(s), pos: p.off(at)}
	}
	// Parse the content as a template, at the offset of its first
	// character in the outer source (exact unless escapes precede a
	// reference).
	sub := &parser{src: s, base: p.off(at + 1), outer: p.outer, depth: p.depth}
	t := sub.parseTemplate()
	p.notes = append(p.notes, sub.notes...)
	return &strNode{tmpl: t, pos: p.off(at)}
}

// parseCall parses $sys.func.NAME(arg, …) at p.pos.
func (p *parser) parseCall() *callNode {
	at := p.pos
	p.enter(at)
	i := p.pos + len(sysFunc)
	j := i
	for j < len(p.src) && (isAlnum(p.src[j]) || p.src[j] == '_') {
		j++
	}
	name := p.src[i:j]
	if name == "" {
		p.fail(i, "expected a function name after $sys.func.")
	}
	fn := lookupFunc(name)
	if fn == nil {
		msg := "unknown system function $sys.func." + name
		if alt := lookupFunc(strings.ToUpper(name)); alt != nil {
			msg += " (system function names are upper case: $sys.func." + alt.name + ")"
		}
		p.fail(at, msg)
	}
	p.pos = j
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '(' {
		p.fail(p.pos, "expected '(' after $sys.func."+name+", found "+quoteAt(p.src, p.pos))
	}
	p.pos++
	n := &callNode{fn: fn, name: name, pos: p.off(at)}
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ')' {
		p.pos++
	} else {
		for {
			n.args = append(n.args, p.parseOperand())
			p.skipSpace()
			if p.pos < len(p.src) && p.src[p.pos] == ',' {
				p.pos++
				continue
			}
			if p.pos < len(p.src) && p.src[p.pos] == ')' {
				p.pos++
				break
			}
			p.fail(p.pos, "expected ',' or ')' in the arguments of $sys.func."+name+", found "+quoteAt(p.src, p.pos))
		}
	}
	n.end = p.off(p.pos)
	if len(n.args) < fn.min || fn.max >= 0 && len(n.args) > fn.max {
		p.fail(at, "$sys.func."+name+" takes "+fn.arity()+", got "+strconv.Itoa(len(n.args)))
	}
	switch fn.name {
	case "IF":
		n.cond = p.ifCondition(n.args[0])
	case "FILTER":
		if l, ok := n.args[1].(*litNode); ok && l.v.kind == KindString && !l.word {
			jp, err := ParseJSONPath(l.v.str)
			if err != nil {
				p.fail(l.pos-p.base, "$sys.func.FILTER: "+err.Error())
			}
			n.path = jp
		}
	}
	p.leave()
	return n
}

// ifCondition parses IF's first argument as a condition when it is a
// quoted string, as CX documents ("condition passed as a string").
func (p *parser) ifCondition(arg operand) *Cond {
	var s string
	var at int
	switch a := arg.(type) {
	case *litNode:
		if a.v.kind != KindString || a.word {
			return nil
		}
		s, at = a.v.str, a.pos
	case *strNode:
		s, at = a.tmpl.src, a.pos
	default:
		return nil
	}
	sub := &parser{src: s, base: at + 1, outer: p.outer, depth: p.depth}
	c := sub.parseCondition()
	p.notes = append(p.notes, sub.notes...)
	return c
}

// parseCondition parses the whole of p.src as a condition.
func (p *parser) parseCondition() *Cond {
	c := &Cond{src: p.src}
	p.skipSpace()
	if p.pos == len(p.src) {
		c.root = &truthNode{x: &litNode{v: Bool(true), pos: p.off(0)}, pos: p.off(0)}
		return c
	}
	c.root = p.parseOr()
	p.skipSpace()
	if p.pos < len(p.src) {
		p.fail(p.pos, "unexpected "+quoteAt(p.src, p.pos)+" after the condition (join conditions with AND or OR; quote strings with spaces)")
	}
	return c
}

// hasTemplateRef reports whether s holds a reference or an inline system
// function that a template would substitute.
func hasTemplateRef(s string) bool {
	for i := strings.IndexByte(s, '$'); i >= 0; {
		if isCallAt(s, i) {
			return true
		}
		if scope, plen := scopeAt(s, i); scope != 0 && i+plen < len(s) && isNameByte(s[i+plen]) {
			return true
		}
		j := strings.IndexByte(s[i+1:], '$')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// isCallAt reports whether s[i:] starts "$sys.func.NAME(" (spaces allowed
// before the parenthesis).
func isCallAt(s string, i int) bool {
	if !strings.HasPrefix(s[i:], sysFunc) {
		return false
	}
	j := i + len(sysFunc)
	k := j
	for k < len(s) && (isAlnum(s[k]) || s[k] == '_') {
		k++
	}
	if k == j {
		return false
	}
	for k < len(s) && isSpace(s[k]) {
		k++
	}
	return k < len(s) && s[k] == '('
}
