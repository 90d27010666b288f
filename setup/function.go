package setup

import (
	"context"
	"fmt"
	"maps"
	"time"

	cloudfunctions "google.golang.org/api/cloudfunctions/v1"
	cloudfunctions2 "google.golang.org/api/cloudfunctions/v2"
)

// A Function is what setup needs to know about a deployed HTTP function.
type Function struct {
	Name    string // projects/PROJECT/locations/REGION/functions/NAME
	Gen     Generation
	URL     string            // the URL Dialogflow calls: run.app for 2nd gen
	Service string            // 2nd gen: its Cloud Run service, projects/P/locations/R/services/S
	Env     map[string]string // its runtime environment variables
	Timeout time.Duration     // its own request timeout
}

// functions reads and updates functions of both generations.
type functions struct {
	v1 *cloudfunctions.Service
	v2 *cloudfunctions2.Service
}

// get reads a deployed function of the given generation.
func (c functions) get(ctx context.Context, gen Generation, name string) (*Function, error) {
	if gen == Gen1 {
		fn, err := c.v1.Projects.Locations.Functions.Get(name).Context(ctx).Do()
		if err != nil {
			return nil, err
		}
		if fn.HttpsTrigger == nil || fn.HttpsTrigger.Url == "" {
			return nil, fmt.Errorf("function %s has no HTTPS trigger: deploy it with --trigger-http", name)
		}
		timeout, _ := time.ParseDuration(fn.Timeout)
		return &Function{Name: name, Gen: Gen1, URL: fn.HttpsTrigger.Url, Env: fn.EnvironmentVariables, Timeout: timeout}, nil
	}
	fn, err := c.v2.Projects.Locations.Functions.Get(name).Context(ctx).Do()
	if err != nil {
		return nil, err
	}
	if fn.Environment == "GEN_1" {
		return nil, fmt.Errorf("function %s is a 1st gen function: use --gen1", name)
	}
	if fn.ServiceConfig == nil || fn.ServiceConfig.Service == "" {
		return nil, fmt.Errorf("function %s has no Cloud Run service yet (state %s): is its deployment finished?", name, fn.State)
	}
	if fn.EventTrigger != nil {
		return nil, fmt.Errorf("function %s is event-triggered: deploy it with --trigger-http", name)
	}
	out := &Function{
		Name:    name,
		Gen:     Gen2,
		URL:     fn.ServiceConfig.Uri,
		Service: fn.ServiceConfig.Service,
		Env:     fn.ServiceConfig.EnvironmentVariables,
		Timeout: time.Duration(fn.ServiceConfig.TimeoutSeconds) * time.Second,
	}
	if out.URL == "" {
		out.URL = fn.Url
	}
	return out, nil
}

// memory reads the memory size of a function's instances, in gcloud's
// --memory syntax, and whether the function exists. It reads any
// function, whatever its state, so that a function whose last deployment
// failed can be deployed again.
func (c functions) memory(ctx context.Context, gen Generation, name string) (mem string, exists bool, err error) {
	if gen == Gen1 {
		fn, err := c.v1.Projects.Locations.Functions.Get(name).Context(ctx).Do()
		if isNotFound(err) {
			return "", false, nil
		}
		if err != nil {
			return "", false, err
		}
		if fn.AvailableMemoryMb > 0 {
			// MB as gcloud's --memory 512MB means it, so that the limit
			// is the same whether the size comes from the flag or from
			// the function.
			mem = fmt.Sprintf("%dMB", fn.AvailableMemoryMb)
		}
		return mem, true, nil
	}
	fn, err := c.v2.Projects.Locations.Functions.Get(name).Context(ctx).Do()
	if isNotFound(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	if fn.ServiceConfig != nil {
		mem = fn.ServiceConfig.AvailableMemory
	}
	return mem, true, nil
}

// setEnv replaces the function's runtime environment variables and waits
// for the update to finish, polling first after poll.
func (c functions) setEnv(ctx context.Context, fn *Function, env map[string]string, poll time.Duration) error {
	wait := newPoller(poll)
	env = maps.Clone(env)
	if fn.Gen == Gen1 {
		op, err := c.v1.Projects.Locations.Functions.Patch(fn.Name, &cloudfunctions.CloudFunction{EnvironmentVariables: env}).
			UpdateMask("environmentVariables").Context(ctx).Do()
		if err != nil {
			return err
		}
		for !op.Done {
			if err := wait(ctx); err != nil {
				return err
			}
			if op, err = c.v1.Operations.Get(op.Name).Context(ctx).Do(); err != nil {
				return err
			}
		}
		if op.Error != nil {
			return fmt.Errorf("updating %s: %s (code %d)", fn.Name, op.Error.Message, op.Error.Code)
		}
		return nil
	}
	op, err := c.v2.Projects.Locations.Functions.Patch(fn.Name, &cloudfunctions2.Function{
		ServiceConfig: &cloudfunctions2.ServiceConfig{EnvironmentVariables: env},
	}).UpdateMask("serviceConfig.environmentVariables").Context(ctx).Do()
	if err != nil {
		return err
	}
	for !op.Done {
		if err := wait(ctx); err != nil {
			return err
		}
		if op, err = c.v2.Projects.Locations.Operations.Get(op.Name).Context(ctx).Do(); err != nil {
			return err
		}
	}
	if op.Error != nil {
		return fmt.Errorf("updating %s: %s (code %d)", fn.Name, op.Error.Message, op.Error.Code)
	}
	return nil
}

// maxPoll bounds the wait between two polls of a long-running operation.
const maxPoll = 5 * time.Second

// newPoller returns a wait for polling a long-running operation: first
// the given interval, then twice the last, up to maxPoll.
func newPoller(first time.Duration) func(context.Context) error {
	next := first
	return func(ctx context.Context) error {
		d := next
		next = max(min(2*next, maxPoll), first)
		return sleep(ctx, d)
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
