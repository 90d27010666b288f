package main

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cxhook/cxhook/scaffold"
	"github.com/google/go-cmp/cmp"
)

const pizzaAgent = "../../agent/testdata/pizza"

// readTree returns the files under dir, by slash path.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// cxhook init writes what scaffold.Generate makes of the export, with
// go.mod's replace relative to the module and the module path from DIR's
// name; it refuses to write into a non-empty DIR without --force.
func TestInitCommand(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "Pizza Bot")
	code, out, errOut := cxhook(t, noEnv, "init", dir, "--agent", pizzaAgent, "--cxhook-replace", "../..")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"wrote " + dir + " (19 files) for the agent \"Pizzeria\", with 2 handlers:\n",
		"  tag \"checkSize\" (standard): checksize.go\n", "next:\n  cd '" + dir + "'\n  go mod tidy\n  go test ./...\n  go run ./cmd/local\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if errOut != "" {
		t.Errorf("stderr: %s", errOut)
	}
	got := readTree(t, dir)
	mod := got["go.mod"]
	m := regexp.MustCompile(`(?m)^replace github.com/cxhook/cxhook => (\S+)$`).FindStringSubmatch(mod)
	if m == nil || !strings.HasPrefix(m[1], "../") || filepath.Clean(filepath.Join(dir, m[1])) != root {
		t.Fatalf("go.mod's replace does not lead to %s:\n%s", root, mod)
	}
	if !strings.HasPrefix(mod, "module example.com/pizza-bot\n") {
		t.Errorf("go.mod:\n%s", mod)
	}
	export, closer, err := scaffold.Open(pizzaAgent)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	want, err := scaffold.Generate(export, scaffold.Options{Module: "example.com/pizza-bot", CxhookReplace: m[1]})
	if err != nil {
		t.Fatal(err)
	}
	wantFiles := map[string]string{}
	for _, f := range want.Files {
		wantFiles[f.Path] = string(f.Data)
	}
	if diff := cmp.Diff(wantFiles, got); diff != "" {
		t.Errorf("the files differ from scaffold.Generate's (-want +got):\n%s", diff)
	}

	// Again into the same directory: refused, unless --force; flags may
	// come before DIR.
	code, _, errOut = cxhook(t, noEnv, "init", dir, "--agent", pizzaAgent, "--cxhook-replace", "../..")
	if code != 1 || !strings.Contains(errOut, dir+" is not empty (it holds .gcloudignore)") || !strings.Contains(errOut, "--force") {
		t.Errorf("into a non-empty DIR: exit %d, stderr %q", code, errOut)
	}
	if err := os.WriteFile(filepath.Join(dir, "checksize.go"), []byte("package pizzabot\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = cxhook(t, noEnv, "init", "--agent", pizzaAgent, "--cxhook-replace", "../..", "--force", "--module", "example.com/pizza-bot", dir)
	if code != 0 {
		t.Fatalf("--force: exit %d\n%s%s", code, out, errOut)
	}
	if diff := cmp.Diff(got, readTree(t, dir)); diff != "" {
		t.Errorf("--force wrote other files (-first +second):\n%s", diff)
	}
}

func TestInitCommandErrors(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken")
	if err := os.CopyFS(broken, os.DirFS(pizzaAgent)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(broken, "webhooks", "pizzeria.json"), []byte(`{"displayName": "pizzeria",`), 0o644); err != nil {
		t.Fatal(err)
	}
	notCxhook := filepath.Join(dir, "other")
	if err := os.MkdirAll(notCxhook, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(notCxhook, "go.mod"), []byte("module example.com/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"init", "--agent", pizzaAgent}, 2, "cxhook init: DIR is required"},
		{[]string{"init", out}, 2, "cxhook init: --agent is required"},
		{[]string{"init", out, "other", "--agent", pizzaAgent}, 2, `unexpected argument "other": one DIR only`},
		{[]string{"init", out, "--agent", pizzaAgent, "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"init", out, "--agent", pizzaAgent, "--module", "pizzeria", "--cxhook-replace", "../.."}, 2, "--module: module path \"pizzeria\": its first element must hold a dot"},
		{[]string{"init", out, "--agent", pizzaAgent, "--cxhook-replace", notCxhook}, 2, filepath.Join(notCxhook, "go.mod") + `: the module is "example.com/other", not github.com/cxhook/cxhook`},
		{[]string{"init", out, "--agent", pizzaAgent, "--cxhook-replace", filepath.Join(dir, "none")}, 2, "is not a cxhook checkout"},
		{[]string{"init", out, "--agent", pizzaAgent}, 2, "this cxhook is a development build"},
		{[]string{"init", out, "--agent", broken, "--cxhook-replace", "../.."}, 1, "webhooks/pizzeria.json: error: invalid JSON"},
		{[]string{"init", out, "--agent", filepath.Join(dir, "missing"), "--cxhook-replace", "../.."}, 1, "no such file or directory"},
		{[]string{"init", out, "--agent", pizzaAgent, "--cxhook-replace", "../..", "--external", "nope"}, 1, `external webhook "nope": the agent has no webhook`},
	} {
		code, stdout, errOut := cxhook(t, noEnv, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("cxhook %s: exit %d, stderr %q; want %d and %q (stdout %q)", strings.Join(tt.args, " "), code, errOut, tt.code, tt.want, stdout)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a refused init wrote %s: %v", out, err)
	}

	code, stdout, _ := cxhook(t, noEnv, "init", "-h")
	if code != 0 || !strings.HasPrefix(stdout, "Usage:\n  cxhook init DIR --agent EXPORT") || !strings.Contains(stdout, "--cxhook-replace") {
		t.Errorf("init -h: exit %d\n%s", code, stdout)
	}
}

// A cxhook installed from the module proxy requires its own version.
func TestInitRequiresItsOwnVersion(t *testing.T) {
	orig := cxhookVersion
	t.Cleanup(func() { cxhookVersion = orig })
	cxhookVersion = func() (string, bool) { return "v0.4.1", true }
	dir := filepath.Join(t.TempDir(), "pizzeria")
	if code, out, errOut := cxhook(t, noEnv, "init", dir, "--agent", pizzaAgent); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mod), "\tgithub.com/cxhook/cxhook v0.4.1\n") || strings.Contains(string(mod), "replace") {
		t.Errorf("go.mod:\n%s", mod)
	}
}

// The usage line of init in cxhook help names exactly the flags init
// takes, as TestHelpMatchesFlags checks for the other commands.
func TestHelpMatchesInitFlags(t *testing.T) {
	_, out, _ := cxhook(t, noEnv, "help")
	var line string
	for l := range strings.Lines(out) {
		if strings.HasPrefix(l, "  cxhook init ") {
			line = l
		}
	}
	if line == "" {
		t.Fatalf("the help has no usage line for init:\n%s", out)
	}
	var inUsage []string
	for _, m := range regexp.MustCompile(`--([a-z0-9-]+)`).FindAllStringSubmatch(line, -1) {
		inUsage = append(inUsage, m[1])
	}
	fs, _ := newInitFlags()
	var defined []string
	fs.VisitAll(func(f *flag.Flag) { defined = append(defined, f.Name) })
	slices.Sort(inUsage)
	if diff := cmp.Diff(defined, inUsage); diff != "" {
		t.Errorf("cxhook init: flags (-defined +in the usage line):\n%s", diff)
	}
	own := strings.Split(initUsage, "\n")[1]
	if a, b := strings.Join(strings.Fields(line), " "), strings.Join(strings.Fields(own), " "); a != b {
		t.Errorf("cxhook help shows %q, cxhook init -h %q", a, b)
	}
}
