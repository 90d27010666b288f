package setup

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/googleapis/gax-go/v2/apierror"
)

// A PermissionError reports a call that IAM refused: which permission the
// caller lacks, on which resource, and how to get it. Its message is meant
// for the person running setup.
type PermissionError struct {
	Permission string // e.g. "run.services.setIamPolicy"
	Resource   string // e.g. "projects/p/locations/r/services/s"
	Project    string // the project whose administrators can grant it
	Role       string // a predefined role that holds the permission
	// Instead, if set, is a command an administrator can run to make the
	// change that failed, instead of granting the role.
	Instead string
	Err     error // the API's error
}

func (e *PermissionError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "permission %s denied on %s.\n", e.Permission, e.Resource)
	fmt.Fprintf(&b, "  An administrator of project %s can grant it (role %s) with:\n", e.Project, e.Role)
	fmt.Fprintf(&b, "    gcloud projects add-iam-policy-binding %s --member=user:YOUR_EMAIL --role=%s\n", e.Project, e.Role)
	if e.Instead != "" {
		fmt.Fprintf(&b, "  or make the change for you with:\n    %s\n", e.Instead)
	}
	fmt.Fprintf(&b, "  (API error: %v)", e.Err)
	return b.String()
}

func (e *PermissionError) Unwrap() error { return e.Err }

// A DisabledError reports a call to an API that is not enabled in a
// project.
type DisabledError struct {
	Service string // e.g. "run.googleapis.com"
	Project string
	Err     error
}

func (e *DisabledError) Error() string {
	return fmt.Sprintf("%s is not enabled in project %s. Enable it with:\n    gcloud services enable %s --project=%s\n  (API error: %v)",
		e.Service, e.Project, e.Service, e.Project, e.Err)
}

func (e *DisabledError) Unwrap() error { return e.Err }

// call describes an API call for error messages: what it needs and from
// whom.
type call struct {
	what       string // e.g. "read the IAM policy of projects/p/locations/r/services/s"
	permission string
	resource   string
	project    string // the project whose administrators can grant the permission
	instead    string // see PermissionError.Instead
}

// roles maps each permission setup needs to the least powerful predefined
// role that holds it.
var roles = map[string]string{
	"resourcemanager.projects.get":          "roles/browser",
	"serviceusage.services.use":             "roles/serviceusage.serviceUsageConsumer",
	"cloudfunctions.functions.get":          "roles/cloudfunctions.viewer",
	"cloudfunctions.functions.update":       "roles/cloudfunctions.developer",
	"cloudfunctions.functions.getIamPolicy": "roles/cloudfunctions.viewer",
	"cloudfunctions.functions.setIamPolicy": "roles/cloudfunctions.admin",
	"run.services.getIamPolicy":             "roles/run.viewer",
	"run.services.setIamPolicy":             "roles/run.admin",
	"dialogflow.webhooks.list":              "roles/dialogflow.reader",
	"dialogflow.webhooks.create":            "roles/dialogflow.admin",
	"dialogflow.webhooks.update":            "roles/dialogflow.admin",
}

// explain turns an API error into one that tells the user what to do, and
// wraps anything else with what was being done.
func (c call) explain(err error) error {
	if err == nil {
		return nil
	}
	ae, ok := asAPIError(err)
	if !ok {
		return fmt.Errorf("%s: %w", c.what, err)
	}
	switch {
	case ae.Reason() == "SERVICE_DISABLED" || ae.Reason() == "API_DISABLED":
		service := ae.Metadata()["service"]
		if service == "" {
			service = "the API"
		}
		project := strings.TrimPrefix(ae.Metadata()["consumer"], "projects/")
		if project == "" {
			project = c.project
		}
		return &DisabledError{Service: service, Project: project, Err: err}
	case ae.HTTPCode() == http.StatusForbidden && c.permission != "":
		permission := c.permission
		if p := ae.Metadata()["permission"]; p != "" {
			permission = p
		}
		role := roles[permission]
		if role == "" {
			role = roles[c.permission]
		}
		return &PermissionError{
			Permission: permission,
			Resource:   c.resource,
			Project:    c.project,
			Role:       role,
			Instead:    c.instead,
			Err:        err,
		}
	case ae.HTTPCode() == http.StatusUnauthorized:
		return fmt.Errorf("%s: the credentials were refused; run `gcloud auth application-default login`, or check CLOUDSDK_AUTH_ACCESS_TOKEN_FILE: %w", c.what, err)
	}
	return fmt.Errorf("%s: %w", c.what, err)
}

// isConflict reports whether err says a read-modify-write lost a race:
// 409 ABORTED from setIamPolicy with a stale etag (some APIs answer 412).
func isConflict(err error) bool {
	code := httpCode(err)
	return code == http.StatusConflict || code == http.StatusPreconditionFailed
}

// httpCode returns the HTTP status of an API error, or 0.
func httpCode(err error) int {
	if ae, ok := asAPIError(err); ok {
		return ae.HTTPCode()
	}
	return 0
}

// asAPIError finds the API error in err. The clients wrap a
// *googleapi.Error around an *apierror.APIError (or the other way round);
// the APIError found by errors.As keeps the HTTP status and details, where
// apierror.FromError on the outer error would keep only a gRPC status.
func asAPIError(err error) (*apierror.APIError, bool) {
	var ae *apierror.APIError
	if errors.As(err, &ae) && ae.HTTPCode() > 0 {
		return ae, true
	}
	return apierror.FromError(err)
}

// isNotFound reports whether err is a 404 from an API.
func isNotFound(err error) bool {
	return httpCode(err) == http.StatusNotFound
}
