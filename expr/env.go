package expr

import "strings"

// MapEnv is an [Env] over JSON maps, as a session holds them (the shapes
// encoding/json decodes: nil, bool, float64, string, []any,
// map[string]any). Parameter names are looked up exactly and then
// case-insensitively, as CX parameter names are case-insensitive. A
// parameter set to null is present, with the value null.
//
// The references resolve so:
//
//	$session.params.NAME…      Session[NAME], then fields and indexes
//	$flow.NAME…                Flow[NAME], …
//	$page.params.status        PageStatus when not "" (CX sets "FINAL"
//	                           when the page's form is complete), else absent
//	$page.params.NAME.status   ParamStatus[NAME] when present
//	$page.params.NAME…         Page[NAME], …
//	$intent.params.NAME        Intent[NAME].Resolved
//	$intent.params.NAME.original / .resolved
//	$request.NAME…             Request[NAME], … (user-utterance, language,
//	                           webhook_status_code, generative: {…},
//	                           sentiment: {score, magnitude})
//
// The zero MapEnv resolves nothing. Its maps are read, never written.
type MapEnv struct {
	Session     map[string]any
	Flow        map[string]any
	Page        map[string]any
	PageStatus  string
	ParamStatus map[string]string
	Intent      map[string]IntentParam
	Request     map[string]any
}

// IntentParam is a parameter of the matched intent: the text the user
// said and the value it resolved to.
type IntentParam struct {
	Original string
	Resolved any
}

// Lookup resolves ref; see [MapEnv].
func (e *MapEnv) Lookup(ref *Ref) (Value, bool) {
	if ref == nil || len(ref.Path) == 0 {
		return Null, false
	}
	name := ref.Path[0].Name
	switch ref.Scope {
	case ScopeSession:
		return walkMap(e.Session, ref)
	case ScopeFlow:
		return walkMap(e.Flow, ref)
	case ScopeRequest:
		return walkMap(e.Request, ref)
	case ScopePage:
		if len(ref.Path) == 1 && name == "status" {
			if e.PageStatus == "" {
				return Null, false
			}
			return String(e.PageStatus), true
		}
		if len(ref.Path) == 2 && ref.Path[1].Name == "status" && e.ParamStatus != nil {
			if s, ok := e.ParamStatus[name]; ok {
				return String(s), true
			}
			for k, s := range e.ParamStatus {
				if strings.EqualFold(k, name) {
					return String(s), true
				}
			}
		}
		return walkMap(e.Page, ref)
	case ScopeIntent:
		var p IntentParam
		found := false
		if p, found = e.Intent[name]; !found {
			for k, q := range e.Intent {
				if strings.EqualFold(k, name) {
					p, found = q, true
					break
				}
			}
		}
		if !found {
			return Null, false
		}
		from := 1
		if len(ref.Path) > 1 {
			switch ref.Path[1].Name {
			case "original":
				if len(ref.Path) > 2 {
					return Null, false
				}
				return String(p.Original), true
			case "resolved":
				from = 2
			}
		}
		v, err := FromJSON(p.Resolved)
		if err != nil {
			return Null, false
		}
		return ref.Walk(v, from)
	}
	return Null, false
}

func walkMap(m map[string]any, ref *Ref) (Value, bool) {
	x, ok := lookupFold(m, ref.Path[0].Name)
	if !ok {
		return Null, false
	}
	v, err := FromJSON(x)
	if err != nil {
		return Null, false
	}
	if len(ref.Path) == 1 {
		return v, true
	}
	return ref.Walk(v, 1)
}
