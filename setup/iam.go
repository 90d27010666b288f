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
	return runPolicy{svc.Projects.Locations.Services, service}
}

type runPolicy struct {
	svc  *run.ProjectsLocationsServicesService
	name string
}

func (s runPolicy) Resource() string { return s.name }

func (s runPolicy) Policy(ctx context.Context) (*Policy, error) {
	p, err := s.svc.GetIamPolicy(s.name).OptionsRequestedPolicyVersion(3).Context(ctx).Do()
	if err != nil {
		return nil, policyCall("reading", "run.services.getIamPolicy", s.name).explain(err)
	}
	var out Policy
	return &out, convert(&out, p)
}

func (s runPolicy) SetPolicy(ctx context.Context, p *Policy) error {
	var in run.GoogleIamV1Policy
	if err := convert(&in, p); err != nil {
		return err
	}
	_, err := s.svc.SetIamPolicy(s.name, &run.GoogleIamV1SetIamPolicyRequest{Policy: &in}).Context(ctx).Do()
	return policyCall("writing", "run.services.setIamPolicy", s.name).explain(err)
}

// FunctionPolicy returns the policy store of a 1st gen function,
// projects/PROJECT/locations/REGION/functions/NAME: where its invokers are
// granted roles/cloudfunctions.invoker.
func FunctionPolicy(svc *cloudfunctions.Service, function string) PolicyStore {
	return functionPolicy{svc.Projects.Locations.Functions, function}
}

type functionPolicy struct {
	svc  *cloudfunctions.ProjectsLocationsFunctionsService
	name string
}

func (s functionPolicy) Resource() string { return s.name }

func (s functionPolicy) Policy(ctx context.Context) (*Policy, error) {
	p, err := s.svc.GetIamPolicy(s.name).OptionsRequestedPolicyVersion(3).Context(ctx).Do()
	if err != nil {
		return nil, policyCall("reading", "cloudfunctions.functions.getIamPolicy", s.name).explain(err)
	}
	var out Policy
	return &out, convert(&out, p)
}

func (s functionPolicy) SetPolicy(ctx context.Context, p *Policy) error {
	var in cloudfunctions.Policy
	if err := convert(&in, p); err != nil {
		return err
	}
	_, err := s.svc.SetIamPolicy(s.name, &cloudfunctions.SetIamPolicyRequest{Policy: &in}).Context(ctx).Do()
	return policyCall("writing", "cloudfunctions.functions.setIamPolicy", s.name).explain(err)
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
