package setup

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	cloudfunctions "google.golang.org/api/cloudfunctions/v1"
	run "google.golang.org/api/run/v2"
)

// A PolicyStore reads and writes the IAM policy of one resource.
// Implementations must send the policy's etag with SetPolicy, so that a
// write based on a stale read fails instead of dropping a concurrent change.
type PolicyStore interface {
	// Resource returns the resource's name, for messages.
	Resource() string
	// Policy reads the policy, asking for version 3 so that conditional
	// bindings come back intact.
	Policy(ctx context.Context) (*Policy, error)
	// SetPolicy writes the policy, failing with a conflict (HTTP 409) if
	// it changed since it was read.
	SetPolicy(ctx context.Context, p *Policy) error
}

// RunServicePolicy returns the policy store of a Cloud Run service,
// projects/PROJECT/locations/REGION/services/SERVICE: where a 2nd gen
// function's invokers are granted roles/run.invoker.
func RunServicePolicy(svc *run.Service, service string) PolicyStore {
	s := svc.Projects.Locations.Services
	return apiPolicy[run.GoogleIamV1Policy]{
		name:       service,
		permission: "run.services",
		get: func(ctx context.Context) (*run.GoogleIamV1Policy, error) {
			return s.GetIamPolicy(service).OptionsRequestedPolicyVersion(3).Context(ctx).Do()
		},
		set: func(ctx context.Context, p *run.GoogleIamV1Policy) error {
			_, err := s.SetIamPolicy(service, &run.GoogleIamV1SetIamPolicyRequest{Policy: p}).Context(ctx).Do()
			return err
		},
	}
}

// FunctionPolicy returns the policy store of a 1st gen function,
// projects/PROJECT/locations/REGION/functions/NAME: where its invokers are
// granted roles/cloudfunctions.invoker.
func FunctionPolicy(svc *cloudfunctions.Service, function string) PolicyStore {
	s := svc.Projects.Locations.Functions
	return apiPolicy[cloudfunctions.Policy]{
		name:       function,
		permission: "cloudfunctions.functions",
		get: func(ctx context.Context) (*cloudfunctions.Policy, error) {
			return s.GetIamPolicy(function).OptionsRequestedPolicyVersion(3).Context(ctx).Do()
		},
		set: func(ctx context.Context, p *cloudfunctions.Policy) error {
			_, err := s.SetIamPolicy(function, &cloudfunctions.SetIamPolicyRequest{Policy: p}).Context(ctx).Do()
			return err
		},
	}
}

// apiPolicy is a PolicyStore over one API's getIamPolicy and setIamPolicy,
// whose generated client has its own policy type P.
type apiPolicy[P any] struct {
	name       string
	permission string // the permissions' prefix, e.g. "run.services"
	get        func(context.Context) (*P, error)
	set        func(context.Context, *P) error
}

func (s apiPolicy[P]) Resource() string { return s.name }

func (s apiPolicy[P]) Policy(ctx context.Context) (*Policy, error) {
	p, err := s.get(ctx)
	if err != nil {
		return nil, policyCall("reading", s.permission+".getIamPolicy", s.name).explain(err)
	}
	var out Policy
	return &out, convert(&out, p)
}

func (s apiPolicy[P]) SetPolicy(ctx context.Context, p *Policy) error {
	in := new(P)
	if err := convert(in, p); err != nil {
		return err
	}
	return policyCall("writing", s.permission+".setIamPolicy", s.name).explain(s.set(ctx, in))
}

// policyCall describes reading or writing the IAM policy of a resource
// named projects/PROJECT/...
func policyCall(verb, permission, resource string) call {
	project, _, _ := strings.Cut(strings.TrimPrefix(resource, "projects/"), "/")
	return call{
		what:       verb + " the IAM policy of " + resource,
		permission: permission,
		resource:   resource,
		project:    project,
	}
}

// Backoff returns how long to wait before the nth retry (from 1) of a
// read-modify-write that lost a race.
type Backoff func(retry int) time.Duration

// DefaultBackoff waits a random time up to 100ms·2ⁿ⁻¹, at most 5s ("full
// jitter"), so that concurrent writers spread out.
func DefaultBackoff(retry int) time.Duration {
	ceiling := min(100*time.Millisecond<<min(retry-1, 6), 5*time.Second)
	return rand.N(ceiling) + time.Millisecond
}

// maxAttempts bounds a read-modify-write that keeps losing races.
const maxAttempts = 20

// Grant gives role to members on the store's resource, by read-modify-write
// of its IAM policy: it reads the policy, adds the members that lack the
// role (see [Policy.Grant]) and writes it back with the etag it read. If
// another writer got in first, it reads again and retries after backoff
// (nil means [DefaultBackoff]). It writes nothing when every member already
// holds the role, and returns the policy as it now stands and whether it
// wrote it.
func Grant(ctx context.Context, store PolicyStore, role string, members []string, backoff Backoff) (*Policy, bool, error) {
	if backoff == nil {
		backoff = DefaultBackoff
	}
	for attempt := 1; ; attempt++ {
		p, err := store.Policy(ctx)
		if err != nil {
			return nil, false, err
		}
		if !p.Grant(role, members...) {
			return p, false, nil
		}
		err = store.SetPolicy(ctx, p)
		if err == nil {
			return p, true, nil
		}
		if !isConflict(err) || attempt == maxAttempts {
			return nil, false, err
		}
		if err := sleep(ctx, backoff(attempt)); err != nil {
			return nil, false, fmt.Errorf("%w (after %d conflicting writes of %s)", err, attempt, store.Resource())
		}
	}
}
