package fakegcp_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cxhook/cxhook/internal/fakegcp"
)

const service = "projects/p/locations/r/services/s"

// newFake returns a fake with a 2nd gen function, whose Run service is s,
// and the base URL of its Cloud Run API.
func newFake(t *testing.T) (*fakegcp.Fake, string) {
	t.Helper()
	f := fakegcp.New()
	f.AddProject("p", "1")
	f.AddFunction(true, "projects/p/locations/r/functions/s", map[string]any{})
	srv := fakegcp.Start(t, f)
	return f, srv.URL(fakegcp.Run)
}

func do(t *testing.T, method, url, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s %s: %v: %s", method, url, err, b)
	}
	return resp.StatusCode, out
}

func TestSetIamPolicyEtags(t *testing.T) {
	t.Parallel()
	f, base := newFake(t)
	_, p := do(t, "GET", base+"v2/"+service+":getIamPolicy", "")
	etag := p["etag"].(string)
	set := func(etag string) (int, map[string]any) {
		return do(t, "POST", base+"v2/"+service+":setIamPolicy",
			`{"policy":{"etag":"`+etag+`","bindings":[{"role":"roles/run.invoker","members":["user:a"]}]}}`)
	}

	code, resp := set(etag)
	if code != 200 || resp["etag"] == etag {
		t.Fatalf("write with the current etag: %d %v, want 200 and a new etag", code, resp)
	}
	code, resp = set(etag)
	if code != 409 || resp["error"].(map[string]any)["status"] != "ABORTED" {
		t.Errorf("write with a stale etag: %d %v, want 409 ABORTED", code, resp)
	}
	if code, _ := set(""); code != 200 {
		t.Errorf("write without an etag: %d, want 200 (a blind write, as IAM allows)", code)
	}
	if got := f.PolicyWrites(service); got != 2 {
		t.Errorf("PolicyWrites = %d, want 2", got)
	}
}

func TestDenyAndUnknownRoutes(t *testing.T) {
	t.Parallel()
	f, base := newFake(t)
	f.Deny("run.services.getIamPolicy")

	code, resp := do(t, "GET", base+"v2/"+service+":getIamPolicy", "")
	if code != 403 || !strings.Contains(resp["error"].(map[string]any)["message"].(string), "run.services.getIamPolicy") {
		t.Errorf("denied read: %d %v, want 403 naming the permission", code, resp)
	}
	if code, _ := do(t, "GET", base+"v2/projects/p/locations/r/services/other:getIamPolicy", ""); code != 403 {
		t.Errorf("denied read of another service: %d, want 403", code)
	}
	if code, _ := do(t, "DELETE", base+"v2/"+service, ""); code != 404 {
		t.Errorf("unknown route: %d, want 404", code)
	}
}
