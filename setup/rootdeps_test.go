package setup_test

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// heavy matches packages that must stay out of the deployed function: this
// package, the test fake, and the API clients they pull in.
var heavy = regexp.MustCompile(`^github\.com/cxhook/cxhook/(setup|internal/fakegcp|cmd/)|grpc|dialogflow|google\.golang\.org/api/(run|cloudfunctions|serviceusage|cloudresourcemanager|iam)`)

// TestFunctionDoesNotImportSetup keeps the function binary small: the root
// package, which gcloud builds into the function, must not depend on the
// setup code or its API clients, directly or not.
func TestFunctionDoesNotImportSetup(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("go not on PATH")
		}
		t.Skip("go not on PATH")
	}
	cmd := exec.Command(goTool, "list", "-deps", "github.com/cxhook/cxhook")
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	var bad []string
	for _, pkg := range strings.Fields(string(out)) {
		if heavy.MatchString(pkg) {
			bad = append(bad, pkg)
		}
	}
	if len(bad) > 0 {
		t.Errorf("the function package depends on admin-time packages:\n%s", strings.Join(bad, "\n"))
	}
}
