package setup_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cxhook/cxhook/setup"
)

const (
	goMod125 = "module example.com/webhook\n\ngo 1.25.0\n\nrequire github.com/GoogleCloudPlatform/functions-framework-go v1.9.2\n"
	function = `package webhook

import (
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
)

func init() { functions.HTTP("Webhook", serve) }

func serve(w http.ResponseWriter, r *http.Request) {}
`
)

// writeTree writes files (path: content) under a new directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCheckModule(t *testing.T) {
	t.Parallel()
	vendored := map[string]string{
		"vendor/modules.txt": "# github.com/cxhook/cxhook v0.0.0 => ../..\n",
		"vendor/github.com/GoogleCloudPlatform/functions-framework-go/funcframework/framework.go": "package funcframework\n",
	}
	with := func(base map[string]string, more map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range base {
			out[k] = v
		}
		for k, v := range more {
			out[k] = v
		}
		return out
	}
	replaced := "module example.com/quickstart\n\ngo 1.25.0\n\nrequire github.com/cxhook/cxhook v0.0.0\n\nreplace github.com/cxhook/cxhook => ../..\n"
	for _, tc := range []struct {
		name    string
		files   map[string]string
		runtime string // on success
		want    string // in the error
	}{
		{"the README's module", map[string]string{"go.mod": goMod125, "function.go": function}, "go125", ""},
		{"go 1.26", map[string]string{"go.mod": strings.Replace(goMod125, "1.25.0", "1.26.3", 1), "function.go": function}, "go126", ""},
		{"go 1.25 without a patch", map[string]string{"go.mod": strings.Replace(goMod125, "1.25.0", "1.25", 1), "function.go": function}, "go125", ""},
		{"a go line too new", map[string]string{"go.mod": strings.Replace(goMod125, "1.25.0", "1.27.1", 1), "function.go": function}, "",
			"go.mod says go 1.27.1, newer than Go 1.26 of go126, the newest Go runtime Cloud Functions offers (go mod init writes the local toolchain's version): lower it: go mod edit -go=1.25.0"},
		{"a release candidate too new", map[string]string{"go.mod": strings.Replace(goMod125, "1.25.0", "1.30rc1", 1), "function.go": function}, "", "go.mod says go 1.30rc1"},
		{"no go line", map[string]string{"go.mod": "module example.com/webhook\n", "function.go": function}, "", "go.mod has no go line: add one: go mod edit -go=1.25.0"},
		{"no go.mod", map[string]string{"function.go": function}, "", "no go.mod: --source names the directory of the function's module"},
		{"a module path without a dot", map[string]string{"go.mod": strings.Replace(goMod125, "example.com/webhook", "webhook", 1), "function.go": function}, "",
			`module path "webhook" has no dot in its first element, which Cloud Functions' Go buildpack requires: rename the module, for example go mod edit -module example.com/webhook`},
		{"a replace outside", map[string]string{"go.mod": replaced, "function.go": function}, "",
			"go.mod replaces github.com/cxhook/cxhook with ../.., outside the module's directory, and gcloud uploads that directory alone: vendor the module's dependencies (go mod vendor in"},
		{"a replace outside, in a block", map[string]string{"go.mod": "module example.com/q\ngo 1.25.0\nreplace (\n\tgithub.com/a/b v1.0.0 => github.com/c/d v1.0.0\n\tgithub.com/cxhook/cxhook => \"../x\" // local\n)\n", "function.go": function}, "",
			"go.mod replaces github.com/cxhook/cxhook with ../x"},
		{"a replace outside, vendored", with(map[string]string{"go.mod": replaced, "function.go": function}, vendored), "go125", ""},
		{"vendored without the framework", map[string]string{"go.mod": replaced, "function.go": function, "vendor/modules.txt": ""}, "",
			"vendor/ lacks github.com/GoogleCloudPlatform/functions-framework-go/funcframework"},
		{"a replace inside", map[string]string{"go.mod": goMod125 + "replace example.com/lib => ./lib\n", "function.go": function}, "go125", ""},
		{"package main", map[string]string{"go.mod": goMod125, "main.go": strings.Replace(function, "package webhook", "package main", 1)}, "", "the root package is package main"},
		{"no Go files at the root", map[string]string{"go.mod": goMod125, "cmd/webhook/main.go": function}, "", "no Go files at the module's root"},
		{"another entry point", map[string]string{"go.mod": goMod125, "function.go": strings.Replace(function, `"Webhook"`, `"HelloHTTP"`, 1)}, "",
			`the root package registers "HelloHTTP", not "Webhook": deploy.sh deploys the entry point "Webhook"`},
		{"no registration", map[string]string{"go.mod": goMod125, "function.go": "package webhook\n\n// functions.HTTP(\"Webhook\", serve) in a comment is no call.\n"}, "",
			`the root package (package webhook) does not call functions.HTTP("Webhook", ...): register the handler in an init function of that package`},
		{"a registration in a test file only", map[string]string{"go.mod": goMod125, "function.go": "package webhook\n", "function_test.go": function}, "", "does not call functions.HTTP"},
		{"a registration for another OS only", map[string]string{"go.mod": goMod125, "function.go": "package webhook\n", "function_windows.go": function}, "", "does not call functions.HTTP"},
		{"a registration under cgo only", map[string]string{"go.mod": goMod125, "function.go": "package webhook\n", "cgo.go": "//go:build cgo\n\n" + function}, "", "does not call functions.HTTP"},
		{"a name computed at run time", map[string]string{"go.mod": goMod125, "function.go": strings.Replace(function, `"Webhook"`, `os.Getenv("NAME")`, 1)}, "",
			"registers (a name computed at run time), not"},
		{"another package's HTTP", map[string]string{"go.mod": goMod125, "function.go": strings.Replace(function, "github.com/GoogleCloudPlatform/functions-framework-go/functions", "example.com/functions", 1)}, "",
			"does not call functions.HTTP"},
		{"an import name", map[string]string{"go.mod": goMod125, "function.go": strings.NewReplacer(`"github.com/GoogleCloudPlatform`, `ff "github.com/GoogleCloudPlatform`, "functions.HTTP", "ff.HTTP").Replace(function)}, "go125", ""},
		{"a dot import", map[string]string{"go.mod": goMod125, "function.go": strings.NewReplacer(`"github.com/GoogleCloudPlatform`, `. "github.com/GoogleCloudPlatform`, "functions.HTTP", "HTTP").Replace(function)}, "go125", ""},
		{"a constant", map[string]string{"go.mod": goMod125, "function.go": strings.Replace(function, `functions.HTTP("Webhook", serve)`, `functions.HTTP(entry, serve)`, 1), "names.go": "package webhook\n\nconst entry = \"Webhook\"\n"}, "go125", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := writeTree(t, tc.files)
			m, err := setup.CheckModule(dir, setup.EntryPoint)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if m.Runtime != tc.runtime {
					t.Errorf("runtime %s, want %s", m.Runtime, tc.runtime)
				}
				return
			}
			var me *setup.ModuleError
			if !errors.As(err, &me) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want a *ModuleError with %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), dir+": ") {
				t.Errorf("error %q does not start with the directory", err)
			}
		})
	}
}

// The repository's own function deploys on go125, as go.mod's go line says.
func TestCheckModuleRepositoryRoot(t *testing.T) {
	t.Parallel()
	m, err := setup.CheckModule("..", setup.EntryPoint)
	if err != nil {
		t.Fatal(err)
	}
	if m.Runtime != "go125" || m.Path != "github.com/cxhook/cxhook" || m.Vendored {
		t.Errorf("got %+v", m)
	}
}
