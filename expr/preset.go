package expr

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Preset is a parsed parameter preset value: the "value" of a
// fulfillment's setParameterActions entry, which CX applies "before
// resolving static response messages or calling a webhook".
//
// The value is JSON. A number, bool or null is itself (null clears the
// parameter). A string is a [Template] evaluated by [Template.Value]: "0"
// stays the string "0", "$flow.x" is the value of $flow.x with its type
// (null when unset), "$sys.func.ADD($flow.n, 1)" is the function's
// result, and "Hi $flow.name" is rendered text. A list or an object is
// evaluated element by element, so that {"addressLines": "$flow.lines"}
// is an object holding the value of $flow.lines.
//
// A Preset is immutable and safe for concurrent use.
type Preset struct {
	root  pnode
	notes []Note
}

type pnode struct {
	lit    Value     // when tmpl, list and fields are nil
	tmpl   *Template // a string with references
	list   []pnode
	keys   []string // an object's keys, sorted
	fields []pnode
	isObj  bool
	isList bool
}

// ParsePreset parses a preset value as encoding/json decodes it (nil,
// bool, float64, string, []any, map[string]any; see [FromJSON] for the
// other types accepted). An error names the JSON path of the string
// that does not parse.
func ParsePreset(x any) (*Preset, error) {
	p := &Preset{}
	root, err := p.parse(x, "")
	if err != nil {
		return nil, err
	}
	p.root = root
	return p, nil
}

func (p *Preset) parse(x any, path string) (pnode, error) {
	switch t := x.(type) {
	case string:
		if !hasTemplateRef(t) {
			return pnode{lit: String(t)}, nil
		}
		tmpl, err := ParseTemplate(t)
		if err != nil {
			if path == "" {
				return pnode{}, err
			}
			return pnode{}, fmt.Errorf("%s: %w", path, err)
		}
		p.notes = append(p.notes, tmpl.notes...)
		return pnode{tmpl: tmpl}, nil
	case []any:
		n := pnode{isList: true, list: make([]pnode, len(t))}
		for i, e := range t {
			var err error
			if n.list[i], err = p.parse(e, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return pnode{}, err
			}
		}
		return n, nil
	case map[string]any:
		n := pnode{isObj: true, keys: slices.Sorted(maps.Keys(t))}
		n.fields = make([]pnode, len(n.keys))
		for i, k := range n.keys {
			var err error
			if n.fields[i], err = p.parse(t[k], path+"."+k); err != nil {
				return pnode{}, err
			}
		}
		return n, nil
	}
	v, err := FromJSON(x)
	if err != nil {
		return pnode{}, err
	}
	if v.kind == KindList || v.kind == KindStruct {
		return p.parse(v.JSON(), path)
	}
	if v.kind == KindString {
		return p.parse(v.str, path)
	}
	return pnode{lit: v}, nil
}

// Notes returns the undocumented choices parsing depended on.
func (p *Preset) Notes() []Note { return p.notes }

// Eval evaluates the preset value. Errors of system functions inside it
// are returned; what CX then sets is not documented, and the runtime
// should not apply the preset.
func (p *Preset) Eval(c *Context) (Value, error) {
	return p.root.eval(c)
}

func (n *pnode) eval(c *Context) (Value, error) {
	switch {
	case n.tmpl != nil:
		return n.tmpl.Value(c)
	case n.isList:
		l := make([]any, len(n.list))
		for i := range n.list {
			v, err := n.list[i].eval(c)
			if err != nil {
				return Null, err
			}
			l[i] = v.JSON()
		}
		return listOf(l), nil
	case n.isObj:
		m := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			v, err := n.fields[i].eval(c)
			if err != nil {
				return Null, err
			}
			m[k] = v.JSON()
		}
		return structOf(m), nil
	}
	return n.lit, nil
}

// Target is the parameter a preset sets: the "parameter" of a
// setParameterActions entry. CX exports write it as
//
//	a bare name                    a session parameter
//	$session.params.NAME           a session parameter
//	$flow.NAME                     a flow parameter
//	$page.params.NAME              a form parameter of the current page
//	$sys.func.NESTED_FIELD("$session.params.NAME", "field", …)
//	                               one field of a struct parameter
//
// A $session.params.NAME.field reference also names a field.
type Target struct {
	Scope  Scope
	Name   string   // the parameter
	Fields []string // the field path inside it; empty for the whole parameter
	Src    string   // as written
}

// ParseTarget parses a preset's parameter.
func ParseTarget(src string) (*Target, error) {
	s := strings.TrimSpace(src)
	if s == "" {
		return nil, newParseError(src, 0, "empty parameter name")
	}
	if s[0] != '$' {
		for i := 0; i < len(s); i++ {
			if !isNameByte(s[i]) && s[i] != '.' && s[i] != ' ' {
				return nil, newParseError(src, i, "unexpected "+quoteAt(s, i)+" in a parameter name")
			}
		}
		return &Target{Scope: ScopeSession, Name: s, Src: src}, nil
	}
	if strings.HasPrefix(s, sysFunc) {
		e, err := ParseExpr(s)
		if err != nil {
			return nil, err
		}
		call, ok := e.root.(*callNode)
		if !ok || call.fn.name != "NESTED_FIELD" {
			return nil, newParseError(src, 0, "a preset's parameter may be a $sys.func.NESTED_FIELD call, not another function")
		}
		var ref *Ref
		switch a := call.args[0].(type) {
		case *strNode:
			if p, ok := a.tmpl.single(); ok && p.ref != nil {
				ref = p.ref
			}
		case *refNode:
			ref = a.ref
		}
		if ref == nil {
			return nil, newParseError(src, call.args[0].opPos(), "NESTED_FIELD's first argument must name a parameter, such as \"$session.params.address\"")
		}
		t, err := refTarget(ref, src)
		if err != nil {
			return nil, err
		}
		for _, a := range call.args[1:] {
			l, ok := a.(*litNode)
			if !ok || l.v.kind != KindString {
				return nil, newParseError(src, a.opPos(), "NESTED_FIELD's field names must be literal strings")
			}
			t.Fields = append(t.Fields, l.v.str)
		}
		return t, nil
	}
	ref, err := ParseRef(s)
	if err != nil {
		return nil, err
	}
	return refTarget(ref, src)
}

func refTarget(ref *Ref, src string) (*Target, error) {
	switch ref.Scope {
	case ScopeSession, ScopeFlow, ScopePage:
	default:
		return nil, newParseError(src, 0, "a preset cannot set "+ref.Scope.Prefix()+" parameters")
	}
	t := &Target{Scope: ref.Scope, Name: ref.Name(), Src: src}
	for _, seg := range ref.Path[1:] {
		if seg.IsIndex() {
			return nil, newParseError(src, 0, "a preset cannot set a list element ("+ref.Src+")")
		}
		t.Fields = append(t.Fields, seg.Name)
	}
	return t, nil
}

// SetPath returns root with the field at path set to v, leaving root
// itself unchanged: each struct on the path is copied, and a missing or
// non-struct step becomes a new struct (so that setting a field of an
// unset parameter creates it). A field is found as [Value.Field] finds it,
// and keeps its existing spelling. Setting null stores null in the field.
// With an empty path, SetPath returns v.
func SetPath(root Value, path []string, v Value) Value {
	if len(path) == 0 {
		return v
	}
	var m map[string]any
	if root.kind == KindStruct {
		m = maps.Clone(root.obj)
	} else {
		m = map[string]any{}
	}
	key := foldKey(m, path[0])
	var child Value
	if x, ok := m[key]; ok {
		child, _ = FromJSON(x)
	}
	m[key] = SetPath(child, path[1:], v).JSON()
	return structOf(m)
}
