package setup

import (
	"encoding/json"
	"slices"
)

// Policy is an IAM policy, in the JSON shape every IAM API shares. Fields
// that setup never reads are kept as raw JSON so that a read-modify-write
// sends them back unchanged.
type Policy struct {
	Version      int64           `json:"version,omitempty"`
	Etag         string          `json:"etag,omitempty"`
	Bindings     []*Binding      `json:"bindings,omitempty"`
	AuditConfigs json.RawMessage `json:"auditConfigs,omitempty"`
}

// A Binding grants a role to members, under an optional condition.
type Binding struct {
	Role      string          `json:"role"`
	Members   []string        `json:"members,omitempty"`
	Condition json.RawMessage `json:"condition,omitempty"`
}

// HasMember reports whether member holds role without a condition.
// Conditional bindings do not count: their condition may not hold.
func (p *Policy) HasMember(role, member string) bool {
	for _, b := range p.Bindings {
		if b.Role == role && len(b.Condition) == 0 && slices.Contains(b.Members, member) {
			return true
		}
	}
	return false
}

// Grant gives role to the members that lack it unconditionally, adding them
// to the role's first unconditional binding or to a new binding at the end.
// It never changes conditional bindings, other roles' bindings or the
// version, and reports whether it changed anything.
func (p *Policy) Grant(role string, members ...string) bool {
	var target *Binding
	for _, b := range p.Bindings {
		if b.Role == role && len(b.Condition) == 0 {
			target = b
			break
		}
	}
	changed := false
	for _, m := range members {
		if p.HasMember(role, m) {
			continue
		}
		if target == nil {
			target = &Binding{Role: role}
			p.Bindings = append(p.Bindings, target)
		}
		target.Members = append(target.Members, m)
		changed = true
	}
	return changed
}

// convert copies between policy types that share IAM's JSON shape: this
// package's [Policy] and the generated clients' policy types.
func convert(dst, src any) error {
	b, err := json.Marshal(src)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}
