package emulator

import (
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/cxhook/cxhook/fulfillment"
	"github.com/go-json-experiment/json"
)

// Params are parameter values by name, in the shapes encoding/json
// decodes into an any: nil (null), bool, float64, string, []any and
// map[string]any. Names are case-insensitive, as in CX: a name matches the
// first spelling it was set with.
type Params map[string]any

// lookup returns the spelling under which name is stored, and its value.
func (p Params) lookup(name string) (string, any, bool) {
	if v, ok := p[name]; ok {
		return name, v, true
	}
	for k, v := range p {
		if strings.EqualFold(k, name) {
			return k, v, true
		}
	}
	return "", nil, false
}

// Get returns the value of the parameter, and whether it is set (possibly
// to null).
func (p Params) Get(name string) (any, bool) {
	_, v, ok := p.lookup(name)
	return v, ok
}

// set sets a parameter, keeping the spelling it already has.
func (p Params) set(name string, v any) {
	if k, _, ok := p.lookup(name); ok {
		name = k
	}
	p[name] = v
}

// del removes a parameter under any spelling.
func (p Params) del(name string) {
	if k, _, ok := p.lookup(name); ok {
		delete(p, k)
	}
}

// Names returns the parameter names, sorted.
func (p Params) Names() []string { return slices.Sorted(maps.Keys(p)) }

// Clone returns a deep copy of p.
func (p Params) Clone() Params {
	if p == nil {
		return nil
	}
	c := make(Params, len(p))
	for k, v := range p {
		c[k] = cloneJSON(v)
	}
	return c
}

func cloneJSON(v any) any {
	switch x := v.(type) {
	case []any:
		c := make([]any, len(x))
		for i, e := range x {
			c[i] = cloneJSON(e)
		}
		return c
	case map[string]any:
		c := make(map[string]any, len(x))
		for k, e := range x {
			c[k] = cloneJSON(e)
		}
		return c
	}
	return v
}

// equalJSON reports whether two JSON values are the same.
func equalJSON(a, b any) bool { return reflect.DeepEqual(a, b) }

// fromFulfillment converts parameters read by the agent package into
// Params.
func fromFulfillment(fp fulfillment.Params) Params {
	if fp.Len() == 0 {
		return nil
	}
	p := make(Params, fp.Len())
	for _, name := range fp.Names() {
		p[name] = jsonOf(fp.Get(name))
	}
	return p
}

// jsonOf decodes a fulfillment.Value; absent is nil.
func jsonOf(v fulfillment.Value) any {
	if v.IsAbsent() {
		return nil
	}
	var x any
	if err := json.Unmarshal(v.JSON(), &x); err != nil {
		return nil
	}
	return x
}

// normalize converts values of other Go types (ints, []string, structs) to
// the JSON shapes, through JSON.
func normalize(v any) (any, error) {
	switch v.(type) {
	case nil, bool, float64, string:
		return v, nil
	}
	b, err := json.Marshal(v, json.Deterministic(true))
	if err != nil {
		return nil, err
	}
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		return nil, err
	}
	return x, nil
}

// compactJSON writes v as compact JSON with sorted keys, for traces.
func compactJSON(v any) string {
	b, err := json.Marshal(v, json.Deterministic(true))
	if err != nil {
		return "?"
	}
	return string(b)
}
