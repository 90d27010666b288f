package expr

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Env resolves references for an evaluation. Lookup returns the value
// ref names and whether it is present; an absent reference is not the
// same as one set to null (a template keeps an absent reference as
// written and so a null one), but both compare equal to null in a
// condition.
//
// The environment resolves the whole path, so that it can give the
// special references their meaning: $page.params.status ("FINAL" when the
// page's form is complete), $page.params.NAME.status, $intent.params.NAME
// with .original and .resolved, the $request fields. For the part of a
// path inside a parameter's value it can use [Ref.Walk]. [MapEnv] is a
// ready-made environment over JSON maps.
//
// Lookup is called during evaluation and must not call back into it.
type Env interface {
	Lookup(ref *Ref) (Value, bool)
}

// Rand is a source of random numbers in [0, 1): *math/rand/v2.Rand
// satisfies it.
type Rand interface {
	Float64() float64
}

// Context is what an evaluation needs besides the expression: the
// environment, a clock and the agent's time zone, a random source, and a
// place to report notes. A Context may be reused for any number of
// evaluations (it keeps a scratch stack so that evaluation does not
// allocate), but not by two goroutines at once.
type Context struct {
	// Env resolves references; nil resolves nothing.
	Env Env
	// Now is the clock of NOW and the date functions; nil makes them fail
	// with ErrNoClock.
	Now func() time.Time
	// Location is the agent's time zone (agent.json timeZone): the time
	// NOW returns and dates are compared in. Nil means UTC.
	Location *time.Location
	// Rand is the source of RAND; nil makes it fail with ErrNoRand.
	Rand Rand
	// Note, if set, is called for each undocumented choice an evaluation
	// depends on (see [Policy]), so that the runtime can trace it.
	Note func(Note)

	src   string // the source being evaluated, for note positions
	saved []string
	stack []Value // argument stack of system function calls
}

func (c *Context) begin(src string) {
	c.saved = append(c.saved, c.src)
	c.src = src
}

func (c *Context) end() {
	c.src = c.saved[len(c.saved)-1]
	c.saved = c.saved[:len(c.saved)-1]
}

func (c *Context) note(off int, pol Policy, detail string) {
	if c.Note != nil {
		c.Note(Note{Policy: pol, Pos: posAt(c.src, off), Detail: detail})
	}
}

func (c *Context) errAt(off int, fn string, err error) error {
	return &EvalError{Pos: posAt(c.src, off), Func: fn, Err: err}
}

func (c *Context) lookup(ref *Ref) (Value, bool) {
	if c.Env == nil {
		return Null, false
	}
	return c.Env.Lookup(ref)
}

func (c *Context) location() *time.Location {
	if c.Location == nil {
		return time.UTC
	}
	return c.Location
}

// noteText notes the policies rendering v as text depends on.
func (c *Context) noteText(v Value, off int) {
	if c.Note == nil {
		return
	}
	switch v.kind {
	case KindList:
		c.note(off, PolicyListText, "list rendered with \", \"")
	case KindStruct:
		if shape := shapeOf(v.obj); shape == shapeOther || shape == shapeDateTime {
			c.note(off, PolicyStructText, "struct rendered as text")
		}
	}
}

// Cond is a parsed condition: a route's "condition", a conditional
// response case, or IF's first argument. Parse once with [ParseCond] and
// evaluate many times; a Cond is immutable and safe for concurrent use.
type Cond struct {
	src   string
	root  condNode
	notes []Note
}

// ParseCond parses a condition. An empty condition (or one of spaces
// only) is true, as CX treats an empty conditional-response case.
func ParseCond(src string) (*Cond, error) {
	p := newParser(src)
	var c *Cond
	if err := p.run(func() { c = p.parseCondition() }); err != nil {
		return nil, err
	}
	c.notes = p.notes
	return c, nil
}

// MustParseCond is [ParseCond] for conditions known to be valid; it
// panics on an error.
func MustParseCond(src string) *Cond {
	c, err := ParseCond(src)
	if err != nil {
		panic(err)
	}
	return c
}

// Source returns the condition as written.
func (c *Cond) Source() string { return c.src }

// Notes returns the undocumented choices parsing depended on, such as
// AND and OR mixed without parentheses (PolicyAndOrPrecedence).
func (c *Cond) Notes() []Note { return c.notes }

// Refs returns the references the condition reads, in order.
func (c *Cond) Refs() []*Ref { return collectRefs(c.root, nil) }

// Eval evaluates the condition. An error (a system function that fails)
// makes the condition false; the error says why, for the trace. What CX
// does then is not documented; false means the route is not taken.
func (c *Cond) Eval(ctx *Context) (bool, error) {
	ctx.begin(c.src)
	defer ctx.end()
	return ctx.evalCond(c.root)
}

// Expr is a parsed expression: one value, such as
// $sys.func.ADD($flow.counter, 1), $session.params.x or "text".
type Expr struct {
	src   string
	root  operand
	notes []Note
}

// ParseExpr parses an expression: a reference, a system function call, a
// literal or a list.
func ParseExpr(src string) (*Expr, error) {
	p := newParser(src)
	var e *Expr
	if err := p.run(func() {
		root := p.parseOperand()
		p.skipSpace()
		if p.pos < len(p.src) {
			p.fail(p.pos, "unexpected "+quoteAt(p.src, p.pos)+" after the expression")
		}
		e = &Expr{src: src, root: root}
	}); err != nil {
		return nil, err
	}
	e.notes = p.notes
	return e, nil
}

// Source returns the expression as written.
func (e *Expr) Source() string { return e.src }

// Notes returns the undocumented choices parsing depended on.
func (e *Expr) Notes() []Note { return e.notes }

// Eval evaluates the expression.
func (e *Expr) Eval(ctx *Context) (Value, error) {
	ctx.begin(e.src)
	defer ctx.end()
	return ctx.eval(e.root)
}

func (c *Context) evalCond(n condNode) (bool, error) {
	switch n := n.(type) {
	case *orNode:
		l, err := c.evalCond(n.l)
		if err != nil {
			return false, err
		}
		if l {
			return true, nil
		}
		return c.evalCond(n.r)
	case *andNode:
		l, err := c.evalCond(n.l)
		if err != nil || !l {
			return false, err
		}
		return c.evalCond(n.r)
	case *notNode:
		x, err := c.evalCond(n.x)
		if err != nil {
			return false, err
		}
		return !x, nil
	case *truthNode:
		v, err := c.eval(n.x)
		if err != nil {
			return false, err
		}
		return c.truth(v, n.pos), nil
	case *cmpNode:
		l, err := c.eval(n.l)
		if err != nil {
			return false, err
		}
		r, err := c.eval(n.r)
		if err != nil {
			return false, err
		}
		return c.compare(n.op, l, r, n.pos), nil
	}
	panic("expr: unknown condition node")
}

// truth is a value used as a condition: true is true; the string "true"
// (in any case) too; anything else is false (PolicyTruthiness).
func (c *Context) truth(v Value, off int) bool {
	if v.kind == KindBool {
		return v.num != 0
	}
	t := v.kind == KindString && strings.EqualFold(v.str, "true")
	c.note(off, PolicyTruthiness, v.kind.String()+" used as a condition is "+strconv.FormatBool(t))
	return t
}

func (c *Context) eval(n operand) (Value, error) {
	switch n := n.(type) {
	case *litNode:
		return n.v, nil
	case *refNode:
		v, _ := c.lookup(n.ref)
		return v, nil
	case *strNode:
		return n.tmpl.value(c)
	case *callNode:
		return c.evalCall(n)
	case *listNode:
		l := make([]any, len(n.elems))
		for i, e := range n.elems {
			v, err := c.eval(e)
			if err != nil {
				return Null, err
			}
			l[i] = v.JSON()
		}
		return listOf(l), nil
	}
	panic("expr: unknown operand node")
}

// evalCall evaluates a system function call. Arguments are evaluated in
// order onto the context's stack (so that a call allocates nothing of its
// own), except for lazy functions (IF), which evaluate what they need.
func (c *Context) evalCall(n *callNode) (Value, error) {
	if n.fn.lazy != nil {
		v, err := n.fn.lazy(c, n)
		if err != nil {
			return Null, c.wrap(n, err)
		}
		return v, nil
	}
	base := len(c.stack)
	defer func() { c.stack = c.stack[:base] }()
	for _, a := range n.args {
		v, err := c.eval(a)
		if err != nil {
			return Null, err
		}
		c.stack = append(c.stack, v)
	}
	v, err := n.fn.call(c, n, c.stack[base:])
	if err != nil {
		return Null, c.wrap(n, err)
	}
	return v, nil
}

func (c *Context) wrap(n *callNode, err error) error {
	if _, ok := err.(*EvalError); ok {
		return err
	}
	return c.errAt(n.pos, n.name, err)
}

// compare applies a comparison operator as CX documents it ([COND]):
// the right side is cast to the left side's type; ':' on strings is a
// substring search and on anything else '='; '<', '<=', '>', '>=' order
// numbers numerically and strings lexicographically. null equals only
// null. The undocumented cases are policies (cast-failed, null-ordering,
// list-compare, kind-ordering).
func (c *Context) compare(op cmpOp, l, r Value, off int) bool {
	switch op {
	case opEq:
		return c.equal(l, r, off)
	case opNe:
		return !c.equal(l, r, off)
	case opHas:
		if l.kind == KindString {
			rs, ok := castString(r)
			if !ok {
				c.note(off, PolicyCastFailed, r.kind.String()+" cannot be cast to a string; ':' is false")
				return false
			}
			return strings.Contains(l.str, rs)
		}
		return c.equal(l, r, off)
	}
	// Ordering.
	if l.kind == KindNull || r.kind == KindNull {
		c.note(off, PolicyNullOrdering, op.String()+" with null is false")
		return false
	}
	var cmp int
	switch l.kind {
	case KindNumber:
		rn, ok := castNumber(r)
		if !ok {
			c.note(off, PolicyCastFailed, r.kind.String()+" "+r.String()+" cannot be cast to a number; "+op.String()+" is false")
			return false
		}
		switch {
		case math.IsNaN(l.num) || math.IsNaN(rn):
			return false
		case l.num < rn:
			cmp = -1
		case l.num > rn:
			cmp = 1
		}
	case KindString:
		rs, ok := castString(r)
		if !ok {
			c.note(off, PolicyCastFailed, r.kind.String()+" cannot be cast to a string; "+op.String()+" is false")
			return false
		}
		cmp = strings.Compare(l.str, rs)
	default:
		c.note(off, PolicyKindOrdering, op.String()+" between "+l.kind.String()+" and "+r.kind.String()+" is false")
		return false
	}
	switch op {
	case opLt:
		return cmp < 0
	case opLe:
		return cmp <= 0
	case opGt:
		return cmp > 0
	default:
		return cmp >= 0
	}
}

// equal is '=' with the right side cast to the left side's type.
func (c *Context) equal(l, r Value, off int) bool {
	if l.kind == KindNull || r.kind == KindNull {
		return l.kind == r.kind
	}
	switch l.kind {
	case KindNumber:
		rn, ok := castNumber(r)
		if !ok {
			c.note(off, PolicyCastFailed, r.kind.String()+" "+clip(r.String(), 0, 24)+" cannot be cast to a number; = is false")
			return false
		}
		return l.num == rn
	case KindString:
		rs, ok := castString(r)
		if !ok {
			c.note(off, PolicyCastFailed, r.kind.String()+" cannot be cast to a string; = is false")
			return false
		}
		return l.str == rs
	case KindBool:
		rb, ok := castBool(r)
		if !ok {
			c.note(off, PolicyCastFailed, r.kind.String()+" "+clip(r.String(), 0, 24)+" cannot be cast to a bool; = is false")
			return false
		}
		return (l.num != 0) == rb
	case KindList:
		if r.kind == KindList {
			return l.Equal(r)
		}
		c.note(off, PolicyListCompare, "list compared with a "+r.kind.String()+": true when an element equals it")
		for _, x := range l.list {
			e, err := FromJSON(x)
			if err == nil && e.kind != KindList && c.equal(e, r, off) {
				return true
			}
		}
		return false
	case KindStruct:
		if r.kind == KindStruct {
			return l.Equal(r)
		}
		c.note(off, PolicyCastFailed, r.kind.String()+" cannot be cast to a struct; = is false")
		return false
	}
	return false
}

// castNumber casts a value to a number: a number as it is, a string that
// reads as a number (spaces around allowed).
func castNumber(v Value) (float64, bool) {
	switch v.kind {
	case KindNumber:
		return v.num, true
	case KindString:
		return parseNumber(strings.TrimSpace(v.str))
	}
	return 0, false
}

// castString casts a scalar to a string: numbers by [FormatNumber], bools
// as true and false.
func castString(v Value) (string, bool) {
	switch v.kind {
	case KindString:
		return v.str, true
	case KindNumber:
		return FormatNumber(v.num), true
	case KindBool:
		if v.num != 0 {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// castBool casts a value to a bool: a bool as it is, the strings true and
// false in any case.
func castBool(v Value) (bool, bool) {
	switch v.kind {
	case KindBool:
		return v.num != 0, true
	case KindString:
		switch {
		case strings.EqualFold(v.str, "true"):
			return true, true
		case strings.EqualFold(v.str, "false"):
			return false, true
		}
	}
	return false, false
}

// collectRefs appends the references under n (a condNode or operand).
func collectRefs(n any, refs []*Ref) []*Ref {
	switch n := n.(type) {
	case *orNode:
		return collectRefs(n.r, collectRefs(n.l, refs))
	case *andNode:
		return collectRefs(n.r, collectRefs(n.l, refs))
	case *notNode:
		return collectRefs(n.x, refs)
	case *cmpNode:
		return collectRefs(n.r, collectRefs(n.l, refs))
	case *truthNode:
		return collectRefs(n.x, refs)
	case *refNode:
		return append(refs, n.ref)
	case *strNode:
		return append(refs, n.tmpl.Refs()...)
	case *listNode:
		for _, e := range n.elems {
			refs = collectRefs(e, refs)
		}
	case *callNode:
		for _, a := range n.args {
			refs = collectRefs(a, refs)
		}
	}
	return refs
}
