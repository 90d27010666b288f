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
// webhook timeout cannot afford, and the admin-time and test-time parts of
// cxhook have no business in it. Tests may use them; neither this package
// nor package webhook, through which every team's function is composed,
// may link them.
func TestDeployableDependencies(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("go is not on PATH")
		}
		t.Skip("go is not on PATH")
	}
	forbidden := []string{
		"google.golang.org/grpc",
		"google.golang.org/protobuf",
		"google.golang.org/api",
		"cloud.google.com/go/dialogflow",
		"cloud.google.com/go/auth",
		"github.com/cxhook/cxhook/setup",
		"github.com/cxhook/cxhook/agent",
		"github.com/cxhook/cxhook/emulator",
		"github.com/cxhook/cxhook/expr",
		"github.com/cxhook/cxhook/nlu",
		"github.com/cxhook/cxhook/scaffold",
	}
	for _, pkg := range []string{"github.com/cxhook/cxhook", "github.com/cxhook/cxhook/webhook"} {
		t.Run(pkg, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(goTool, "list", "-deps", pkg)
			cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
			out, err := cmd.Output()
			if err != nil {
				var stderr string
				if ee, ok := err.(*exec.ExitError); ok {
					stderr = string(ee.Stderr)
				}
				t.Fatalf("go list -deps: %v\n%s", err, stderr)
			}
			if n := strings.Count(string(out), "\n"); n < 10 {
				t.Fatalf("go list -deps printed only %d lines: %q", n, out)
			}
			for dep := range strings.Lines(string(out)) {
				dep = strings.TrimSpace(dep)
				for _, f := range forbidden {
					if under(dep, f) {
						t.Errorf("%s links %s (forbidden: %s)", pkg, dep, f)
					}
				}
			}
		})
	}
}

// under reports whether package path dep is prefix or below it.
func under(dep, prefix string) bool {
	return dep == prefix || strings.HasPrefix(dep, prefix+"/")
}
