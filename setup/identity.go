package setup

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	serviceusage "google.golang.org/api/serviceusage/v1beta1"
)

// EnsureServiceAgent makes sure the Dialogflow service agent of the project
// with this number exists, and returns its email. It asks Service Usage to
// generate the service identity (a no-op when it exists) and polls the
// long-running operation until it is done or ctx ends, first after poll,
// then at growing intervals.
//
// A project gets its service agent when Dialogflow is first used in it; a
// grant to an agent that does not exist yet fails, hence this step.
func EnsureServiceAgent(ctx context.Context, su *serviceusage.APIService, projectNumber string, poll time.Duration) (string, error) {
	parent := "projects/" + projectNumber + "/services/" + dialogflowServiceDomain
	op, err := su.Services.GenerateServiceIdentity(parent).Context(ctx).Do()
	if err != nil {
		return "", err
	}
	wait := newPoller(poll)
	for !op.Done {
		if err := wait(ctx); err != nil {
			return "", fmt.Errorf("waiting for operation %s: %w", op.Name, err)
		}
		if op, err = su.Operations.Get(op.Name).Context(ctx).Do(); err != nil {
			return "", err
		}
	}
	if op.Error != nil {
		return "", fmt.Errorf("operation %s failed: %s (code %d)", op.Name, op.Error.Message, op.Error.Code)
	}
	var id serviceusage.ServiceIdentity
	if len(op.Response) > 0 {
		if err := json.Unmarshal(op.Response, &id); err != nil {
			return "", fmt.Errorf("operation %s: reading the service identity: %w", op.Name, err)
		}
	}
	if id.Email == "" {
		// The response may be empty when the identity already existed.
		return serviceAgentEmail(projectNumber), nil
	}
	return id.Email, nil
}
