package scaffold

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/fulfillment"
	"github.com/go-json-experiment/json/jsontext"
)

// refMarker is what the request template's references render as while
// its shape is read: a string no template holds, with the reference's
// index.
const refMarker = "\x00cxhook-ref:"

// A templateShape is the request body a flexible webhook's template
// renders, as a struct: one field per member, typed by what the template
// puts there.
type templateShape struct {
	// Body is nil if the template does not render a JSON object.
	Body *structType
	// Problem says why Body is nil.
	Problem string
}

// readTemplate reads the shape of webhook w's request body at call sites
// in flow f (nil if unknown). A member that is one parameter reference and
// nothing else ("$flow.feedback_score") is a fulfillment.Value: Dialogflow
// may render the value itself, its text, the reference as written or null
// (see refDoc). A member whose string holds references among other text
// is a string; literal
// members keep their JSON type (a string, a *float64, a *bool, a nested
// struct for an object, a fulfillment.Value for a list). The
// fulfillmentInfo member that prebuilt components carry their tag in is
// left out: fulfillment.Flexible ignores members without a field.
func readTemplate(w *agent.Webhook, f *agent.Flow) templateShape {
	if strings.TrimSpace(w.RequestBody) == "" {
		return templateShape{Problem: "the webhook has no request body template"}
	}
	var refs []agent.ParamRef
	body := w.RenderBody(func(ref agent.ParamRef) (fulfillment.Value, bool) {
		refs = append(refs, ref)
		return fulfillment.ValueOf(refMarker + strconv.Itoa(len(refs)-1) + "\x00"), true
	})
	dec := jsontext.NewDecoder(strings.NewReader(string(body)))
	if dec.PeekKind() != '{' {
		return templateShape{Problem: "the template does not render a JSON object"}
	}
	r := &templateReader{dec: dec, refs: refs, flow: f}
	s, err := r.object(0)
	if err == nil {
		if _, end := dec.ReadToken(); end != io.EOF {
			err = errors.New("data after the object")
		}
	}
	if err != nil {
		return templateShape{Problem: "the template does not render valid JSON"}
	}
	return templateShape{Body: s}
}

type templateReader struct {
	dec  *jsontext.Decoder
	refs []agent.ParamRef
	flow *agent.Flow
}

// maxDepth bounds the nesting of objects read from a template.
const maxDepth = 16

func (r *templateReader) object(depth int) (*structType, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nested too deep")
	}
	if _, err := r.dec.ReadToken(); err != nil { // {
		return nil, err
	}
	s := newStruct()
	for r.dec.PeekKind() != '}' {
		tok, err := r.dec.ReadToken()
		if err != nil {
			return nil, err
		}
		name := tok.String()
		t, doc, err := r.value(name, depth)
		if err != nil {
			return nil, err
		}
		if depth == 0 && name == "fulfillmentInfo" {
			continue
		}
		if t.rt != nil {
			s.add(name, t, doc)
		}
	}
	_, err := r.dec.ReadToken() // }
	return s, err
}

// value reads one member's value and returns its field type and a
// comment; t.rt is nil for a member to leave out.
func (r *templateReader) value(name string, depth int) (t goType, doc string, err error) {
	switch r.dec.PeekKind() {
	case '{':
		s, err := r.object(depth + 1)
		if err != nil {
			return goType{}, "", err
		}
		return s.goType(depth + 1), "", nil
	case '[':
		if _, err := r.dec.ReadValue(); err != nil {
			return goType{}, "", err
		}
		return tValue, "a list in the template, any JSON", nil
	case '"':
		tok, err := r.dec.ReadToken()
		if err != nil {
			return goType{}, "", err
		}
		return r.stringMember(tok.String())
	case 't', 'f':
		if _, err := r.dec.ReadToken(); err != nil {
			return goType{}, "", err
		}
		return tBool, "", nil
	case '0':
		if _, err := r.dec.ReadToken(); err != nil {
			return goType{}, "", err
		}
		return tFloat, "", nil
	case 'n':
		if _, err := r.dec.ReadToken(); err != nil {
			return goType{}, "", err
		}
		return tValue, "null in the template, any JSON", nil
	}
	_, err = r.dec.ReadToken()
	if err == nil {
		err = fmt.Errorf("unexpected %v", r.dec.PeekKind())
	}
	return goType{}, "", err
}

// stringMember types a string member: a reference alone, text with
// references in it, or a literal.
func (r *templateReader) stringMember(s string) (goType, string, error) {
	if !strings.Contains(s, refMarker) {
		return tString, "", nil
	}
	var used []string
	whole := -1
	rest := s
	for {
		i := strings.Index(rest, refMarker)
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i+len(refMarker):], 0)
		if j < 0 {
			break
		}
		n, err := strconv.Atoi(rest[i+len(refMarker) : i+len(refMarker)+j])
		if err != nil || n < 0 || n >= len(r.refs) {
			break
		}
		used = append(used, r.refs[n].String())
		if i == 0 && len(rest) == len(refMarker)+j+1 && len(used) == 1 {
			whole = n
		}
		rest = rest[i+len(refMarker)+j+1:]
	}
	if whole >= 0 && len(used) == 1 {
		return tValue, refDoc(r.refs[whole], r.flow), nil
	}
	return tString, "text with " + strings.Join(used, ", ") + " in it", nil
}

// refDoc describes a member that is one parameter reference. How
// Dialogflow renders it is not documented: the value itself, its text, the
// reference as written when the session lacks the parameter, or null. So
// the member is a fulfillment.Value, and the comment names the getter
// that reads the form parameter that collects it, if a form of the flow
// does.
func refDoc(ref agent.ParamRef, f *agent.Flow) string {
	fp := formParamFor(f, ref)
	if fp == nil {
		return ref.String() + ", as the session holds it (no form of the flow collects it)"
	}
	doc := fmt.Sprintf("%s, the value of form parameter %s (%s) of page %s: the value or its text", ref, quoteName(fp.DisplayName), entityName(fp.EntityType), quoteName(fp.Page.DisplayName))
	if g := getter(entityType(fp.EntityType, fp.IsList)); g != "" {
		doc += "; read it with " + g
	}
	return doc
}

// getter names the fulfillment.Value method that reads a value of type t.
func getter(t goType) string {
	switch t.src {
	case "string":
		return "String"
	case "*float64":
		return "Number (a number sent as text: parse String)"
	case "*int":
		return "Int (a number sent as text: parse String)"
	case "*fulfillment.Date", "*fulfillment.TimeOfDay", "*fulfillment.DateTime", "*fulfillment.Duration",
		"*fulfillment.Money", "*fulfillment.Person", "*fulfillment.Location":
		return strings.TrimPrefix(t.src, "*fulfillment.")
	}
	if strings.HasPrefix(t.src, "[]") {
		return "List"
	}
	return ""
}

// entityName writes an entity type reference for a comment.
func entityName(ref agent.EntityRef) string {
	if ref.Name == "" {
		return "no entity type"
	}
	return ref.Name
}

// formParamFor returns the form parameter of a page of f that holds ref,
// as agent.SampleRequests finds one to render a template's reference
// with, or nil.
func formParamFor(f *agent.Flow, ref agent.ParamRef) *agent.FormParameter {
	if f == nil {
		return nil
	}
	for _, p := range f.Pages {
		for _, fp := range p.Form {
			r, ok := agent.ParseParamRef(fp.DisplayName)
			if ok && r.Name == ref.Name && (r.Scope == ref.Scope || ref.Scope == agent.ScopePage) {
				return fp
			}
		}
	}
	return nil
}

// goType returns a nested struct as a field type: its source is the struct
// literal type, indented for its depth.
func (s *structType) goType(depth int) goType {
	var b strings.Builder
	b.WriteString("struct {\n")
	for _, f := range s.Fields {
		writeField(&b, f, strings.Repeat("\t", depth+1))
	}
	b.WriteString(strings.Repeat("\t", depth) + "}")
	return goType{b.String(), s.reflectType()}
}

// An answerShape is the answer a flexible webhook's parameterMapping
// reads, as a struct.
type answerShape struct {
	Body *structType
	// Complex lists the mappings whose JSON path goes past a plain member
	// (a filter, an index, a wildcard): the member where it does is any
	// JSON.
	Complex []agent.KeyValue
}

// A pathNode is one member of the answer that mappings read.
type pathNode struct {
	name     string
	children []*pathNode
	leaf     bool     // a mapping reads the member itself
	params   []string // the parameters the member sets
	complex  bool     // a mapping's path goes on past it in a way a struct cannot say
}

func (n *pathNode) child(name string) *pathNode {
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	c := &pathNode{name: name}
	n.children = append(n.children, c)
	return c
}

// readMapping reads the shape of the answer from the webhook's
// parameterMapping: each mapping's JSON path ("$.result.score", or
// "score") names members, nested objects become nested structs, and a
// member a mapping reads is an `any` the handler sets (omitted if unset:
// how Dialogflow maps a member the answer lacks is not documented, and
// leaving it out is the one answer that claims nothing). A path with a
// filter, an index or a wildcard stops at the last plain member.
func readMapping(ws []*agent.Webhook) answerShape {
	root := &pathNode{}
	var out answerShape
	for _, w := range ws {
		for _, kv := range w.ParameterMapping {
			members, complex := jsonPathMembers(kv.Value)
			if len(members) == 0 {
				out.Complex = append(out.Complex, kv)
				continue
			}
			n := root
			for _, m := range members {
				n = n.child(m)
			}
			n.leaf = true
			n.params = append(n.params, kv.Key)
			if complex {
				n.complex = true
				out.Complex = append(out.Complex, kv)
			}
		}
	}
	out.Body = answerStruct(root, 0)
	return out
}

func answerStruct(n *pathNode, depth int) *structType {
	s := newStruct()
	for _, c := range n.children {
		var t goType
		var doc string
		switch {
		case c.leaf || depth >= maxDepth:
			t = tAny
			doc = "the member that sets " + strings.Join(c.params, ", ")
			if c.complex {
				doc += ", through a JSON path that goes on into it"
			}
			if len(c.children) > 0 {
				doc += "; mappings also read members inside it"
			}
		default:
			t = answerStruct(c, depth+1).goType(depth + 1)
		}
		f, added := s.add(c.name, t, doc)
		if added {
			f.OmitZero = true
		}
	}
	return s
}

// jsonPathMembers returns the plain member names a JSON path starts with,
// and whether the path goes on past them ($.a.b[0], $.a[?(...)].b,
// $..a, $.a.*). "$.a.b", "$['a'].b" and "a.b" (parameterMapping also
// takes paths without "$") are plain.
func jsonPathMembers(path string) (members []string, complex bool) {
	p := strings.TrimSpace(path)
	if p == "$" || p == "" {
		return nil, true
	}
	switch {
	case strings.HasPrefix(p, "$.."):
		return nil, true
	case strings.HasPrefix(p, "$."):
		p = p[2:]
	case strings.HasPrefix(p, "$["):
		p = p[1:]
	case strings.HasPrefix(p, "$"):
		return nil, true
	}
	for p != "" {
		switch {
		case strings.HasPrefix(p, "['") || strings.HasPrefix(p, `["`):
			q := p[1]
			end := strings.IndexByte(p[2:], q)
			if end <= 0 || !strings.HasPrefix(p[2+end+1:], "]") {
				return members, true
			}
			members = append(members, p[2:2+end])
			p = p[2+end+2:]
			if p != "" && p[0] != '.' && p[0] != '[' {
				return members, true
			}
		case p[0] == '.':
			if strings.HasPrefix(p, "..") {
				return members, true
			}
			p = p[1:]
			continue
		default:
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			name := p[:end]
			if name == "" || name == "*" || strings.ContainsAny(name, "?()@ ") {
				return members, true
			}
			members = append(members, name)
			p = p[end:]
		}
		if strings.HasPrefix(p, "[") && !strings.HasPrefix(p, "['") && !strings.HasPrefix(p, `["`) {
			return members, true
		}
	}
	return members, false
}

// writeField writes one field of a struct with its comment.
func writeField(b *strings.Builder, f *field, indent string) {
	if f.Doc != "" {
		for _, line := range wrap(f.Name+" is "+f.Doc+".", 76-len(indent)*4) {
			b.WriteString(indent + "// " + line + "\n")
		}
	}
	tag := f.tag()
	lit := "`" + tag + "`"
	if strings.Contains(tag, "`") {
		lit = strconv.Quote(tag)
	}
	fmt.Fprintf(b, "%s%s %s %s\n", indent, f.Name, f.Type.src, lit)
}
