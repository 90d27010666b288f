package setup

import (
	"errors"
	"strings"
	"testing"

	"google.golang.org/api/googleapi"
)

func TestExplain(t *testing.T) {
	t.Parallel()
	c := call{what: "reading function f", permission: "cloudfunctions.functions.get", resource: "projects/p/locations/r/functions/f", project: "p"}
	for _, tc := range []struct {
		name string
		err  error
		want []string
	}{
		{
			name: "a disabled API names the command that enables it",
			err: &googleapi.Error{Code: 403, Body: `{"error":{"code":403,"status":"PERMISSION_DENIED","message":"Cloud Functions API has not been used in project 123 before or it is disabled.",
				"details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"SERVICE_DISABLED","domain":"googleapis.com",
				"metadata":{"service":"cloudfunctions.googleapis.com","consumer":"projects/123"}}]}}`},
			want: []string{"cloudfunctions.googleapis.com is not enabled in project 123", "gcloud services enable cloudfunctions.googleapis.com --project=123"},
		},
		{
			name: "a 403 without details falls back to the call's permission",
			err:  &googleapi.Error{Code: 403, Body: `{"error":{"code":403,"status":"PERMISSION_DENIED","message":"denied"}}`},
			want: []string{"permission cloudfunctions.functions.get denied on projects/p/locations/r/functions/f", "--role=roles/cloudfunctions.viewer"},
		},
		{
			name: "a 401 says how to log in",
			err:  &googleapi.Error{Code: 401, Body: `{"error":{"code":401,"status":"UNAUTHENTICATED","message":"no"}}`},
			want: []string{"reading function f: the credentials were refused", "gcloud auth application-default login"},
		},
		{
			name: "anything else says what was being done",
			err:  errors.New("connection refused"),
			want: []string{"reading function f: connection refused"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := c.explain(tc.err)
			if !errors.Is(got, tc.err) {
				t.Errorf("explain() does not wrap the API error")
			}
			for _, want := range tc.want {
				if !strings.Contains(got.Error(), want) {
					t.Errorf("message lacks %q:\n%s", want, got)
				}
			}
		})
	}
}
