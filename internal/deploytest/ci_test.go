package deploytest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// .ci/shellcheck, which make test runs, on machines without shellcheck:
// it installs it with apt-get as root, and otherwise says what is missing
// and how to get it, and skips the lint, except on CI. The machines are
// simulated with a PATH of stand-ins for id, apt-get and shellcheck.
func TestShellcheckScript(t *testing.T) {
	const lintedScripts = "deploy.sh .ci/run .ci/shellcheck bench/cpu-per-call.sh" // as .ci/shellcheck lists them
	t.Parallel()
	for _, tc := range []struct {
		name     string
		uid      string // what id -u prints
		aptGet   bool   // apt-get on PATH; it "installs" a shellcheck stand-in
		ci       string
		wantCode int
		want     string
	}{
		{"root with apt-get", "0", true, "", 0, "linted " + lintedScripts},
		{"root with apt-get, on CI", "0", true, "true", 0, "linted " + lintedScripts},
		{"no apt-get", "0", false, "", 0, "SKIPPED shellcheck " + lintedScripts + ": shellcheck is missing and this machine has no apt-get to install it with; install it with your package manager (apt-get install shellcheck, brew install shellcheck"},
		{"not root", "1000", true, "", 0, "SKIPPED shellcheck " + lintedScripts + ": shellcheck is missing and apt-get needs root to install it; install it"},
		{"no apt-get, on CI", "0", false, "true", 1, "shellcheck is missing and this machine has no apt-get to install it with; CI is set, so this fails: install it"},
		{"not root, on CI", "1000", true, "1", 1, "CI is set, so this fails"},
		{"CI=false", "1000", true, "false", 0, "SKIPPED shellcheck"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bin := t.TempDir()
			for _, tool := range []string{"bash", "dirname"} {
				path, err := exec.LookPath(tool)
				if err != nil {
					t.Skipf("%s is not on PATH", tool)
				}
				if err := os.Symlink(path, filepath.Join(bin, tool)); err != nil {
					t.Fatal(err)
				}
			}
			script := func(name, body string) {
				if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			script("id", "echo "+tc.uid)
			if tc.aptGet {
				chmod, err := exec.LookPath("chmod")
				if err != nil {
					t.Skip("chmod is not on PATH")
				}
				script("apt-get", `[ "$(id -u)" = 0 ] || { echo "apt-get: not root" >&2; exit 100; }
case "$*" in *install*) printf '#!/bin/sh\necho linted "$@"\n' >"`+bin+`/shellcheck"; `+chmod+` +x "`+bin+`/shellcheck";; esac`)
			}
			cmd := exec.Command(filepath.Join(bin, "bash"), "../../.ci/shellcheck")
			cmd.Env = []string{"PATH=" + bin}
			if tc.ci != "" {
				cmd.Env = append(cmd.Env, "CI="+tc.ci)
			}
			out, err := cmd.CombinedOutput()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.wantCode || !strings.Contains(string(out), tc.want) {
				t.Errorf("exit %d, output:\n%s\nwant exit %d and %q", code, out, tc.wantCode, tc.want)
			}
		})
	}
}
