package scaffold

import (
	"archive/zip"
	"bytes"
	"errors"
	"flag"
	"go/format"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/fulfillment"
	"github.com/go-json-experiment/json"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden modules in testdata/golden")

// goldenOptions are the options the golden modules are written with.
var goldenOptions = Options{Module: "example.com/pizzeria", CxhookReplace: "../cxhook"}

func generate(t *testing.T, export fs.FS, opts Options) *Module {
	t.Helper()
	m, err := Generate(export, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestGolden compares the modules written for the pizza agent and the
// edge-case agent with testdata/golden/NAME, file for file; go test
// -update rewrites them.
func TestGolden(t *testing.T) {
	for _, tc := range []struct{ name, dir string }{
		{"pizza", "../agent/testdata/pizza"},
		{"edge", "testdata/edge"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := goldenOptions
			opts.Module = "example.com/" + tc.name
			m := generate(t, os.DirFS(tc.dir), opts)
			golden := filepath.Join("testdata", "golden", tc.name)
			if *update {
				if err := os.RemoveAll(golden); err != nil {
					t.Fatal(err)
				}
				if err := Write(golden, m, false); err != nil {
					t.Fatal(err)
				}
				return
			}
			want := map[string]string{}
			err := filepath.WalkDir(golden, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				b, err := os.ReadFile(path)
				rel, _ := filepath.Rel(golden, path)
				want[filepath.ToSlash(rel)] = string(b)
				return err
			})
			if err != nil {
				t.Fatalf("%v (go test -update writes the golden modules)", err)
			}
			got := map[string]string{}
			for _, f := range m.Files {
				got[f.Path] = string(f.Data)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("the module differs from %s (-want +got; go test -update rewrites it):\n%s", golden, diff)
			}
		})
	}
}

// TestGeneratedGoFiles checks every Go file of every agent's module:
// gofmt-formatted, and in the package the module path names.
func TestGeneratedGoFiles(t *testing.T) {
	for _, tc := range buildAgents {
		t.Run(tc.name, func(t *testing.T) {
			m := generate(t, os.DirFS(tc.dir), Options{Module: "example.com/fn", CxhookVersion: "v0.1.0"})
			n := 0
			for _, f := range m.Files {
				if !strings.HasSuffix(f.Path, ".go") {
					continue
				}
				n++
				formatted, err := format.Source(f.Data)
				if err != nil || !bytes.Equal(formatted, f.Data) {
					t.Errorf("%s is not gofmt-formatted (%v)", f.Path, err)
				}
				want := "\npackage fn\n"
				if strings.HasPrefix(f.Path, "cmd/") {
					want = "\npackage main\n"
				}
				if !strings.Contains("\n"+string(f.Data), want) {
					t.Errorf("%s is not in %s", f.Path, strings.TrimSpace(want))
				}
			}
			if n < 4 {
				t.Errorf("%d Go files", n)
			}
			mod := string(fileOf(t, m, "go.mod"))
			if !strings.Contains(mod, "\ngo 1.25.0\n") || !strings.Contains(mod, "github.com/cxhook/cxhook v0.1.0\n") || strings.Contains(mod, "replace") {
				t.Errorf("go.mod:\n%s", mod)
			}
		})
	}
}

func fileOf(t *testing.T, m *Module, path string) []byte {
	t.Helper()
	for _, f := range m.Files {
		if f.Path == path {
			return f.Data
		}
	}
	t.Fatalf("the module has no %s", path)
	return nil
}

// The same export gives the same bytes: from run to run, and from a folder
// or a zip of it with a folder around the export.
func TestDeterministic(t *testing.T) {
	const dir = "../testdata/agents/digibhem-flight-bot"
	first := generate(t, os.DirFS(dir), goldenOptions)
	again := generate(t, os.DirFS(dir), goldenOptions)
	if diff := cmp.Diff(first.Files, again.Files); diff != "" {
		t.Errorf("two runs differ:\n%s", diff)
	}

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := fs.WalkDir(os.DirFS(dir), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(os.DirFS(dir), path)
		if err != nil {
			return err
		}
		w, err := zw.Create("exported_agent_Zyra/" + path)
		if err == nil {
			_, err = w.Write(b)
		}
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	zipFile := filepath.Join(t.TempDir(), "agent.zip")
	if err := os.WriteFile(zipFile, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	export, closer, err := Open(zipFile)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	fromZip := generate(t, export, goldenOptions)
	if diff := cmp.Diff(first.Files, fromZip.Files); diff != "" {
		t.Errorf("the zip's module differs from the folder's:\n%s", diff)
	}
	if !slices.ContainsFunc(first.Files, func(f File) bool { return f.Path == "testdata/agent/agent.json" }) {
		t.Error("no testdata/agent/agent.json")
	}
}

func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	blob := filepath.Join(dir, "agent.blob")
	if err := os.WriteFile(blob, []byte("\n\x05hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(blob); !errors.Is(err, agent.ErrNotJSONPackage) || !strings.Contains(err.Error(), "export the agent again as JSON package") {
		t.Errorf("a .blob: %v", err)
	}
	if _, _, err := Open(dir); !errors.Is(err, agent.ErrNotJSONPackage) {
		t.Errorf("a folder without agent.json: %v", err)
	}
	if _, _, err := Open(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing export: %v", err)
	}
}

func TestNames(t *testing.T) {
	for _, tt := range []struct {
		in, unexported, exported string
	}{
		{"checkSize", "checkSize", "CheckSize"},
		{"check-size", "checkSize", "CheckSize"},
		{"check_size", "checkSize", "CheckSize"},
		{"Place Order", "placeOrder", "PlaceOrder"},
		{"URLCheck", "urlCheck", "URLCheck"},
		{"ID", "id", "ID"},
		{"delivery_time", "deliveryTime", "DeliveryTime"},
		{"2fa", "tag2fa", "X2fa"},
		{"2nd-choice", "tag2ndChoice", "X2ndChoice"},
		{"größe wählen", "größeWählen", "GrößeWählen"},
		{"éclair", "éclair", "Éclair"},
		{"尺寸", "尺寸", "X尺寸"},
		{"$flow.score", "flowScore", "FlowScore"},
		{"/v1:validateAddress", "v1ValidateAddress", "V1ValidateAddress"},
		{"???", "tag", "X"},
		{"", "tag", "X"},
		{"a\u0301b", "aB", "AB"}, // a combining mark is no letter of an identifier
	} {
		if got := unexportedName(tt.in, "tag"); got != tt.unexported {
			t.Errorf("unexportedName(%q) = %q, want %q", tt.in, got, tt.unexported)
		}
		if got := exportedName(tt.in, "X"); got != tt.exported {
			t.Errorf("exportedName(%q) = %q, want %q", tt.in, got, tt.exported)
		}
	}

	ns := newNamespace("context", "newMux")
	for _, tt := range []struct{ in, want string }{
		{"checkSize", "checkSize"},
		{"checkSize", "checkSize2"},
		{"checkSize", "checkSize3"},
		{"func", "funcHandler"},
		{"type", "typeHandler"},
		{"string", "stringHandler"},
		{"len", "lenHandler"},
		{"context", "contextHandler"},
		{"newMux", "newMuxHandler"},
		{"_", "_Handler"},
		{"funcHandler", "funcHandler2"},
	} {
		if got := ns.take(tt.in, "Handler"); got != tt.want {
			t.Errorf("take(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}

	files := newFileNames("function.go")
	for _, tt := range []struct{ in, want string }{
		{"checkSize", "checksize.go"},
		{"checksize", "checksize2.go"},
		{"function", "function2.go"},
		{"尺寸", "尺寸.go"},
	} {
		if got := files.take(tt.in); got != tt.want {
			t.Errorf("file name for %q = %q, want %q", tt.in, got, tt.want)
		}
	}

	for _, tt := range []struct{ in, want string }{
		{"example.com/pizzeria", "pizzeria"},
		{"example.com/Pizza-Bot", "pizzabot"},
		{"example.com/bot/v2", "bot"},
		{"example.com/main", "function"},
		{"example.com/func", "function"},
		{"example.com/2bot", "function"},
		{"example.com/---", "function"},
	} {
		if got := packageName(tt.in); got != tt.want {
			t.Errorf("packageName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct{ in, want string }{
		{"pizzeria", "example.com/pizzeria"},
		{"My Bot", "example.com/my-bot"},
		{"Größe", "example.com/gr-e"},
		{"...", "example.com/webhook"},
	} {
		if got := DefaultModulePath(tt.in); got != tt.want {
			t.Errorf("DefaultModulePath(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if err := CheckModulePath(DefaultModulePath(tt.in)); err != nil {
			t.Error(err)
		}
	}
	for _, bad := range []string{"", "pizzeria", "example.com/", "example.com//x", "example.com/a b", "example.com/../x", ".example.com/x"} {
		if err := CheckModulePath(bad); err == nil {
			t.Errorf("CheckModulePath(%q) accepts it", bad)
		}
	}
}

func TestJSONPathMembers(t *testing.T) {
	for _, tt := range []struct {
		in      string
		members []string
		complex bool
	}{
		{"$.result.score", []string{"result", "score"}, false},
		{"score", []string{"score"}, false},
		{"a.b", []string{"a", "b"}, false},
		{"$['odd key'].x", []string{"odd key", "x"}, false},
		{`$["q"]`, []string{"q"}, false},
		{"$.items[0].name", []string{"items"}, true},
		{"$.result.address.addressComponents[?(@.componentType == 'locality')].componentName.text", []string{"result", "address", "addressComponents"}, true},
		{"$..name", nil, true},
		{"$.a.*", []string{"a"}, true},
		{"$", nil, true},
		{"", nil, true},
		{"$x", nil, true},
		{"$['unterminated", nil, true},
	} {
		members, complex := jsonPathMembers(tt.in)
		if !slices.Equal(members, tt.members) || complex != tt.complex {
			t.Errorf("jsonPathMembers(%q) = %q, %v; want %q, %v", tt.in, members, complex, tt.members, tt.complex)
		}
	}
}

func TestRedact(t *testing.T) {
	in := `{
  "displayName": "std",
  "genericWebService": {
    "uri": "https://example.com",
    "username": "admin",
    "password": "hunter\"2",
    "requestHeaders": [ { "key": "X-Api-Key", "value": "sk-live-123" }, { "key": "password", "value": "" } ],
    "oauthConfig": { "clientId": "client", "clientSecret": "s3cr3t" }
  },
  "serviceDirectory": { "genericWebService": { "requestHeaders": { "Authorization": "Bearer abc" } } },
  "password": "not a credential of the webhook"
}`
	got, found := redact([]byte(in))
	want := strings.NewReplacer(`"hunter\"2"`, `"REDACTED"`, `"sk-live-123"`, `"REDACTED"`, `"s3cr3t"`, `"REDACTED"`, `"Bearer abc"`, `"REDACTED"`).Replace(in)
	if string(got) != want {
		t.Errorf("redact:\n%s\nwant\n%s", got, want)
	}
	wantFound := []string{"genericWebService.password", "genericWebService.requestHeaders[0].value", "genericWebService.oauthConfig.clientSecret", "serviceDirectory.genericWebService.requestHeaders.Authorization"}
	if !slices.Equal(found, wantFound) {
		t.Errorf("found %q, want %q", found, wantFound)
	}
	for _, same := range []string{`{"genericWebService": {"uri": "https://example.com"}}`, `not json`, `{"genericWebService": {"password": `} {
		if got, found := redact([]byte(same)); string(got) != same || len(found) != 0 {
			t.Errorf("redact(%q) = %q, %q", same, got, found)
		}
	}
}

// The copy of the edge-case agent holds no credential, and the notes say
// which ones were replaced.
func TestExportCopyRedacts(t *testing.T) {
	m := generate(t, os.DirFS("testdata/edge"), goldenOptions)
	std := string(fileOf(t, m, "testdata/agent/webhooks/std.json"))
	for _, secret := range []string{"hunter2", "sk-live-123", "s3cr3t"} {
		if strings.Contains(std, secret) {
			t.Errorf("the copy holds %q:\n%s", secret, std)
		}
	}
	if !strings.Contains(std, `"username": "admin"`) {
		t.Errorf("the copy lost the username:\n%s", std)
	}
	if n := strings.Count(strings.Join(m.Notes, "\n"), "webhooks/std.json: genericWebService."); n != 3 {
		t.Errorf("%d notes on std.json's credentials: %q", n, m.Notes)
	}
	readme := string(fileOf(t, m, "README.md"))
	if !strings.Contains(readme, "its credentials replaced by `REDACTED`") {
		t.Errorf("the README does not say the credentials were replaced:\n%s", readme)
	}
}

// mapExport reads an export into memory, for tests to change.
func mapExport(t *testing.T, dir string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(os.DirFS(dir), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(os.DirFS(dir), path)
		m[path] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func edit(t *testing.T, m fstest.MapFS, path, old, new string) {
	t.Helper()
	f := m[path]
	if f == nil || !bytes.Contains(f.Data, []byte(old)) {
		t.Fatalf("%s lacks %q", path, old)
	}
	f.Data = bytes.Replace(f.Data, []byte(old), []byte(new), 1)
}

// A field whose value in a call site's request does not fit its entity
// type's Go type takes any JSON: here a preset on the way to the page sets
// the @size parameter to a number.
func TestFieldsFitTheRequests(t *testing.T) {
	export := mapExport(t, "../agent/testdata/pizza")
	edit(t, export, "flows/Default Start Flow/Default Start Flow.json", `"triggerFulfillment": {`,
		`"triggerFulfillment": { "setParameterActions": [ { "parameter": "size", "value": 12 } ],`)
	m := generate(t, export, goldenOptions)
	code := string(fileOf(t, m, "placeorder.go"))
	prose := strings.ReplaceAll(code, "\n\t// ", " ")
	if !strings.Contains(code, "\tSize fulfillment.Value `json:\"size\"`") ||
		!strings.Contains(prose, "any JSON, as the value in testdata/requests/placeOrder_order-pizza_final.json is not of its entity type's shape") {
		t.Errorf("the size field is not a fulfillment.Value:\n%s", code)
	}
	if !strings.Contains(code, "\tDeliveryTime *fulfillment.TimeOfDay `json:\"delivery_time\"`") {
		t.Errorf("the delivery_time field changed:\n%s", code)
	}
}

func TestGenerateRefuses(t *testing.T) {
	flexible := func(name, body, uri string) string {
		return `{"displayName": "` + name + `", "genericWebService": {"uri": "` + uri + `", "webhookType": "FLEXIBLE", "requestBody": ` + body + `}}`
	}
	for _, tt := range []struct {
		name   string
		change func(m fstest.MapFS)
		opts   Options
		want   string
	}{
		{"a module path without a dot", nil, Options{Module: "pizzeria", CxhookVersion: "v0.1.0"}, "its first element must hold a dot"},
		{"no cxhook version", nil, Options{Module: "example.com/pizzeria"}, "set CxhookVersion, or CxhookReplace"},
		{"an unknown external webhook", nil, Options{Module: "example.com/p", CxhookVersion: "v0.1.0", External: []string{"nope"}}, `external webhook "nope": the agent has no webhook`},
		{"an export with problems", func(m fstest.MapFS) {
			m["webhooks/pizzeria.json"] = &fstest.MapFile{Data: []byte(`{"displayName": "pizzeria",`)}
		}, goldenOptions, "webhooks/pizzeria.json"},
		{"a tag on both kinds of webhook", func(m fstest.MapFS) {
			m["webhooks/flex.json"] = &fstest.MapFile{Data: []byte(flexible("flex", `"{\"fulfillmentInfo\": {\"tag\": \"placeOrder\"}}"`, "https://example.com"))}
			edit(t, m, "flows/Default Start Flow/pages/Order Pizza.json", `"webhook": "pizzeria",
          "tag": "checkSize"`, `"webhook": "flex",
          "tag": "checkSize"`)
		}, goldenOptions, `webhooks/flex.json: tag "placeOrder" is on standard webhook "pizzeria"`},
		{"a flexible webhook without tag or path beside standard ones", func(m fstest.MapFS) {
			m["webhooks/flex.json"] = &fstest.MapFile{Data: []byte(flexible("flex", `"{\"x\": 1}"`, "https://example.com"))}
			edit(t, m, "flows/Default Start Flow/pages/Order Pizza.json", `"webhook": "pizzeria",
          "tag": "checkSize"`, `"webhook": "flex",
          "tag": "checkSize"`)
		}, goldenOptions, `webhooks/flex.json: flexible webhook "flex" carries no tag in its request template and its URI has no path`},
		{"a template that is not an object", func(m fstest.MapFS) {
			m["webhooks/flex.json"] = &fstest.MapFile{Data: []byte(flexible("flex", `"[1, 2]"`, "https://example.com/list"))}
			edit(t, m, "flows/Default Start Flow/pages/Order Pizza.json", `"webhook": "pizzeria",
          "tag": "checkSize"`, `"webhook": "flex",
          "tag": "checkSize"`)
		}, goldenOptions, `webhooks/flex.json: genericWebService.requestBody: flexible webhook "flex": the template does not render a JSON object`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			export := mapExport(t, "../agent/testdata/pizza")
			if tt.change != nil {
				tt.change(export)
			}
			_, err := Generate(export, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Generate: %v, want an error with %q", err, tt.want)
			}
		})
	}

	// Named external, the non-object template's webhook is left out.
	export := mapExport(t, "../agent/testdata/pizza")
	export["webhooks/flex.json"] = &fstest.MapFile{Data: []byte(flexible("flex", `"[1, 2]"`, "https://example.com/list"))}
	edit(t, export, "flows/Default Start Flow/pages/Order Pizza.json", `"webhook": "pizzeria",
          "tag": "checkSize"`, `"webhook": "flex",
          "tag": "checkSize"`)
	opts := goldenOptions
	opts.External = []string{"flex"}
	m := generate(t, export, opts)
	if test := string(fileOf(t, m, "function_test.go")); !strings.Contains(test, "var external = []string{\n\t\"flex\",\n}") {
		t.Errorf("function_test.go does not list flex as external:\n%s", test)
	}
	if slices.ContainsFunc(m.Files, func(f File) bool { return f.Path == "checksize.go" }) {
		t.Error("a handler for the external webhook's tag")
	}
}

func TestWrite(t *testing.T) {
	m := &Module{Files: []File{{"go.mod", []byte("module example.com/x\n")}, {"cmd/local/main.go", []byte("package main\n")}}}
	dir := filepath.Join(t.TempDir(), "new", "fn")
	if err := Write(dir, m, false); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "cmd", "local", "main.go")); err != nil || string(b) != "package main\n" {
		t.Fatalf("%q, %v", b, err)
	}

	// Not empty: refused, naming what is there; with force, written over.
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Write(dir, m, false)
	if err == nil || !strings.Contains(err.Error(), dir+" is not empty (it holds cmd)") || !strings.Contains(err.Error(), "--force") {
		t.Errorf("Write to a non-empty dir: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "go.mod")); string(b) != "mine\n" {
		t.Errorf("go.mod written over without force: %q", b)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("keep\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, m, true); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "go.mod")); string(b) != "module example.com/x\n" {
		t.Errorf("go.mod not written over with force: %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "notes.txt")); string(b) != "keep\n" {
		t.Errorf("notes.txt changed: %q", b)
	}

	// An error names the file.
	if err := os.RemoveAll(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "go.mod"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, m, true); err == nil || !strings.HasPrefix(err.Error(), filepath.Join(dir, "go.mod")+": ") {
		t.Errorf("Write over a directory: %v, want an error naming %s", err, filepath.Join(dir, "go.mod"))
	}

	// A symbolic link does not lead out of the directory.
	outside := t.TempDir()
	link := filepath.Join(t.TempDir(), "fn")
	if err := os.Mkdir(link, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(link, "cmd")); err != nil {
		t.Fatal(err)
	}
	if err := Write(link, m, true); err == nil {
		t.Error("Write followed a symbolic link out of the directory")
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("Write wrote outside the directory: %v", entries)
	}

	// A file where the directory should be.
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(file, m, true); err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("Write to a file: %v", err)
	}
}

// The versions in go.mod are cxhook's own: the Functions Framework it
// requires, and its go line.
func TestVersionsMatchCxhook(t *testing.T) {
	b, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	mod := string(b)
	if !strings.Contains(mod, "\ngo "+GoVersion+"\n") {
		t.Errorf("cxhook's go.mod does not say go %s", GoVersion)
	}
	if !strings.Contains(mod, "\tgithub.com/GoogleCloudPlatform/functions-framework-go "+FrameworkVersion+"\n") {
		t.Errorf("cxhook's go.mod does not require functions-framework-go %s", FrameworkVersion)
	}
	if !strings.HasPrefix(mod, "module "+CxhookModule+"\n") {
		t.Errorf("cxhook's module path is not %s", CxhookModule)
	}
}

// Every member name reaches its field through the tag written for it.
func TestFieldTags(t *testing.T) {
	names := []string{"size", "given name", "größe", "2nd-choice", "a,b", `quo"te`, "it's", `back\slash`, "back`tick", "-", "tab\there"}
	s := newStruct()
	for _, n := range names {
		s.add(n, tString, "")
	}
	for i, n := range names {
		params := mustParams(t, map[string]any{n: "v" + n})
		v := reflect.New(s.reflectType())
		if err := params.Decode(v.Interface()); err != nil {
			t.Fatalf("%q: %v", n, err)
		}
		if got := v.Elem().Field(i).String(); got != "v"+n {
			t.Errorf("member %q (tag %s) decodes to %q", n, s.Fields[i].tag(), got)
		}
	}
	var b strings.Builder
	for _, f := range s.Fields {
		writeField(&b, f, "\t")
	}
	src := "package p\n\ntype T struct {\n" + b.String() + "}\n"
	if _, err := format.Source([]byte(src)); err != nil {
		t.Errorf("the fields do not parse: %v\n%s", err, src)
	}
}

func mustParams(t *testing.T, m map[string]any) fulfillment.Params {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var p fulfillment.Params
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	return p
}
