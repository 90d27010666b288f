package expr

import (
	"errors"
	"strings"
)

// Template is a text with parameter references and inline system
// functions in it, as CX message texts, preset values and quoted strings
// inside expressions are: "You have $session.params.miles miles" or
// "Hi $sys.func.UPPER($session.params.name)".
//
// In a template a reference is $session.params., $page.params., $flow.,
// $intent.params. or $request. followed by a name, then any number of
// .field and [index] steps. A '.' not followed by a name character ends
// the reference and stays in the text ("… $flow.formatted_address. Is
// that correct?"), and so does a '[' not followed by digits and ']'. An
// inline function is $sys.func.NAME( … ) with the expression syntax of
// conditions inside the parentheses. Any other '$' is text ("$75",
// "$flow-description").
type Template struct {
	src   string
	parts []tpart
	notes []Note
}

// tpart is literal text, a reference or a call.
type tpart struct {
	text string // literal text (ref and call nil), or the source of ref/call
	ref  *Ref
	call *callNode
	pos  int
}

// ParseTemplate parses a message text or any other templated string.
// Text without references parses to a template that renders to itself.
// An inline function that does not parse (an unknown name, a missing
// parenthesis) is an error.
func ParseTemplate(src string) (*Template, error) {
	p := newParser(src)
	var t *Template
	if err := p.run(func() { t = p.parseTemplate() }); err != nil {
		return nil, err
	}
	t.notes = p.notes
	return t, nil
}

// MustParseTemplate is [ParseTemplate] for templates known to be valid;
// it panics on an error.
func MustParseTemplate(src string) *Template {
	t, err := ParseTemplate(src)
	if err != nil {
		panic(err)
	}
	return t
}

func (p *parser) parseTemplate() *Template {
	t := &Template{src: p.src}
	start := p.pos
	flush := func(end int) {
		if end > start {
			t.parts = append(t.parts, tpart{text: p.src[start:end], pos: p.off(start)})
		}
	}
	for p.pos < len(p.src) {
		i := strings.IndexByte(p.src[p.pos:], '$')
		if i < 0 {
			p.pos = len(p.src)
			break
		}
		at := p.pos + i
		if isCallAt(p.src, at) {
			flush(at)
			p.pos = at
			n := p.parseCall()
			t.parts = append(t.parts, tpart{text: p.src[at:p.pos], call: n, pos: p.off(at)})
			start = p.pos
			continue
		}
		if scope, plen := scopeAt(p.src, at); scope != 0 && at+plen < len(p.src) && isNameByte(p.src[at+plen]) {
			ref, end, _, _ := scanRef(p.src, at, scope, plen, false)
			flush(at)
			t.parts = append(t.parts, tpart{text: ref.Src, ref: ref, pos: p.off(at)})
			p.pos = end
			start = end
			continue
		}
		p.pos = at + 1
	}
	flush(p.pos)
	return t
}

// Source returns the template as written.
func (t *Template) Source() string { return t.src }

// Notes returns what parsing the template depended on, see [Policy].
func (t *Template) Notes() []Note { return t.notes }

// IsLiteral reports whether the template has no references or functions.
func (t *Template) IsLiteral() bool {
	for _, p := range t.parts {
		if p.ref != nil || p.call != nil {
			return false
		}
	}
	return true
}

// single returns the only part when the template is exactly one
// reference or one call.
func (t *Template) single() (tpart, bool) {
	if len(t.parts) == 1 && (t.parts[0].ref != nil || t.parts[0].call != nil) {
		return t.parts[0], true
	}
	return tpart{}, false
}

// Refs returns the references the template reads, outside and inside its
// inline functions, in order of appearance.
func (t *Template) Refs() []*Ref {
	var refs []*Ref
	for _, p := range t.parts {
		if p.ref != nil {
			refs = append(refs, p.ref)
		} else if p.call != nil {
			refs = collectRefs(p.call, refs)
		}
	}
	return refs
}

// Render renders the template as CX renders a message text: each
// reference replaced by its value's text ([Value.Text]); an unset or null
// reference left as written, as the flight agent's goldens show
// ("Departure Flight $session.params.flight_number_A"); each inline
// function replaced by its result's text.
//
// An inline function that fails (wrong arguments, no clock) is left as
// written (PolicyFunctionText) and its error is returned, joined with any
// others, beside the text; the text is always the one to show.
func (t *Template) Render(c *Context) (string, error) {
	if len(t.parts) == 1 && t.parts[0].ref == nil && t.parts[0].call == nil {
		return t.parts[0].text, nil
	}
	if len(t.parts) == 0 {
		return "", nil
	}
	c.begin(t.src)
	defer c.end()
	return t.render(c)
}

func (t *Template) render(c *Context) (string, error) {
	var b strings.Builder
	b.Grow(len(t.src) + len(t.src)/4)
	var errs []error
	for _, p := range t.parts {
		switch {
		case p.ref != nil:
			v, ok := c.lookup(p.ref)
			s, has := v.Text()
			if !ok || !has {
				b.WriteString(p.text)
				continue
			}
			c.noteText(v, p.pos)
			b.WriteString(s)
		case p.call != nil:
			v, err := c.evalCall(p.call)
			if err != nil {
				c.note(p.pos, PolicyFunctionText, "left as written: "+err.Error())
				errs = append(errs, err)
				b.WriteString(p.text)
				continue
			}
			s, has := v.Text()
			if !has {
				// A function that returns null (GET out of range, IF's
				// null branch) renders as nothing.
				continue
			}
			c.noteText(v, p.pos)
			b.WriteString(s)
		default:
			b.WriteString(p.text)
		}
	}
	return b.String(), errors.Join(errs...)
}

// Value evaluates the template as CX evaluates a parameter preset or a
// quoted string inside an expression: a template that is exactly one
// reference or one function call has that value, with its type (a list
// stays a list, a number a number), and null when the reference is unset
// (PolicyUnresolvedSingle); any other template renders to a string as
// [Template.Render] does.
func (t *Template) Value(c *Context) (Value, error) {
	c.begin(t.src)
	defer c.end()
	return t.value(c)
}

func (t *Template) value(c *Context) (Value, error) {
	if p, ok := t.single(); ok {
		if p.call != nil {
			return c.evalCall(p.call)
		}
		v, ok := c.lookup(p.ref)
		if !ok {
			c.note(p.pos, PolicyUnresolvedSingle, p.ref.Src+" is not set; null")
			return Null, nil
		}
		return v, nil
	}
	s, err := t.render(c)
	return String(s), err
}
