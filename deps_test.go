package cxhook

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestDeployableDependencies keeps the deployed function small: the
// packages below (gRPC, protobuf, the Google API and auth clients) more
// than double its binary and cold start, which Dialogflow's 5-second
// webhook timeout cannot afford; setup and agent are tools, not part of a
// webhook. Tests may use them; this package must not link them.
func TestDeployableDependencies(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH")
	}
	cmd := exec.Command(goTool, "list", "-deps", "github.com/cxhook/cxhook")
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list -deps: %v\n%s", err, stderr)
	}
	forbidden := []string{
		"google.golang.org/grpc",
		"google.golang.org/protobuf",
		"google.golang.org/api/",
		"cloud.google.com/go/dialogflow",
		"cloud.google.com/go/auth",
		"github.com/cxhook/cxhook/setup",
		"github.com/cxhook/cxhook/agent",
	}
	if n := strings.Count(string(out), "\n"); n < 10 {
		t.Fatalf("go list -deps printed only %d lines: %q", n, out)
	}
	for pkg := range strings.Lines(string(out)) {
		pkg = strings.TrimSpace(pkg)
		for _, f := range forbidden {
			if strings.HasPrefix(pkg, f) {
				t.Errorf("the function links %s (forbidden: %s)", pkg, f)
			}
		}
	}
}
