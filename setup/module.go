package setup

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// EntryPoint is the name deploy.sh deploys the function under (gcloud's
// --entry-point): the name the module's root package registers its
// handler with, functions.HTTP("Webhook", ...).
const EntryPoint = "Webhook"

// NewestGoRuntime is the newest Go runtime Cloud Functions offers, as the
// runtime table of Cloud Run functions lists it (go126, Go 1.26; go125,
// Go 1.25, and older ones before it). A module whose go line needs a newer
// Go cannot be built there: the buildpack does not fetch a newer
// toolchain. Raise it when Google adds a runtime. (Whether go126 is
// generally available or in preview in a region is not known here; gcloud
// functions deploy refuses a preview runtime, and says so.)
const NewestGoRuntime = "go126"

const newestGoMinor = 26 // the Go 1.N of NewestGoRuntime

// frameworkModule is the Functions Framework for Go; its functions package
// registers HTTP functions by name.
const (
	frameworkModule    = "github.com/GoogleCloudPlatform/functions-framework-go"
	frameworkFunctions = frameworkModule + "/functions"
)

// A Module is a Go module that can be deployed as a Cloud Function, as
// [CheckModule] found it.
type Module struct {
	Dir     string // the module's directory, absolute
	Path    string // its module path, e.g. example.com/webhook
	Go      string // its go line, e.g. 1.25.0
	Runtime string // the runtime to deploy it on, derived from Go: go125
	// Vendored reports whether the module has a vendor directory, which
	// the build then uses instead of downloading modules.
	Vendored bool
}

// A ModuleError says why a module cannot be deployed, and how to fix it.
type ModuleError struct {
	Dir     string // the module's directory, as given
	Problem string
	Fix     string
}

func (e *ModuleError) Error() string {
	return e.Dir + ": " + e.Problem + ": " + e.Fix
}

// CheckModule checks that the Go module in dir can be deployed as the HTTP
// function entryPoint with `gcloud functions deploy --source dir`, and
// returns its runtime. It refuses, naming the fix, what Cloud Functions'
// Go buildpack would refuse or build into a function that cannot start:
//
//   - a directory without go.mod, or a go.mod without a go line;
//   - a go line newer than [NewestGoRuntime]'s Go (go mod init writes the
//     local toolchain's version);
//   - a module path without a dot in its first element (the buildpack
//     requires one, as in example.com/webhook);
//   - a replace directive pointing outside dir, unless the module is
//     vendored: gcloud uploads dir alone;
//   - a vendor directory without the Functions Framework's funcframework
//     package, which the buildpack's generated main needs;
//   - a root package that is package main, has no Go files, or does not
//     register entryPoint with functions.HTTP.
//
// The last check reads the root package's non-test files for linux/amd64
// without cgo, as the build sees them, with go/parser. It looks for a call
// functions.HTTP(NAME, ...) on the Functions Framework's functions package
// (under any import name), where NAME is a string literal or a constant
// declared in the package with a literal value. It proves that the call is
// written, not that it runs: a call in a function that is never called
// passes, and a registration made elsewhere (in an imported package, with
// a computed name) is refused. Register in an init function of the root
// package, as the Functions Framework documents.
func CheckModule(dir, entryPoint string) (*Module, error) {
	fail := func(problem, fix string, args ...any) error {
		return &ModuleError{Dir: dir, Problem: problem, Fix: fmt.Sprintf(fix, args...)}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	gomod, err := os.ReadFile(filepath.Join(abs, "go.mod"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fail("no go.mod", "--source names the directory of the function's module, where its go.mod is")
	}
	if err != nil {
		return nil, err
	}
	mf := parseGoMod(gomod)
	m := &Module{Dir: abs, Path: mf.module, Go: mf.goVersion}
	if m.Path == "" {
		return nil, fail("go.mod has no module line", "create it with go mod init example.com/webhook")
	}
	if m.Go == "" {
		return nil, fail("go.mod has no go line", "add one: go mod edit -go=1.25.0")
	}
	minor, ok := goMinor(m.Go)
	if !ok {
		return nil, fail(fmt.Sprintf("go.mod's go line %q is not a Go 1.N version", m.Go), "write one such as go 1.25.0: go mod edit -go=1.25.0")
	}
	if minor > newestGoMinor {
		return nil, fail(fmt.Sprintf("go.mod says go %s, newer than Go 1.%d of %s, the newest Go runtime Cloud Functions offers (go mod init writes the local toolchain's version)", m.Go, newestGoMinor, NewestGoRuntime),
			"lower it: go mod edit -go=1.25.0 (runtime go125, as cxhook's own go.mod; up to -go=1.%d.0 works), then go mod tidy; a dependency that needs a newer Go must be pinned to an older release", newestGoMinor)
	}
	m.Runtime = "go1" + strconv.Itoa(minor)
	if first, _, _ := strings.Cut(m.Path, "/"); !strings.Contains(first, ".") {
		return nil, fail(fmt.Sprintf("module path %q has no dot in its first element, which Cloud Functions' Go buildpack requires", m.Path),
			"rename the module, for example go mod edit -module example.com/%s, and its imports", m.Path)
	}
	_, err = os.Stat(filepath.Join(abs, "vendor", "modules.txt"))
	m.Vendored = err == nil
	if !m.Vendored {
		for _, r := range mf.localReplaces {
			target := filepath.Join(abs, filepath.FromSlash(r.path))
			if filepath.IsAbs(r.path) {
				target = filepath.Clean(r.path)
			}
			if rel, err := filepath.Rel(abs, target); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return nil, fail(fmt.Sprintf("go.mod replaces %s with %s, outside the module's directory, and gcloud uploads that directory alone", r.module, r.path),
					"vendor the module's dependencies (go mod vendor in %s; the build then uses vendor/) or require a published version instead of the replace", dir)
			}
		}
	}
	if m.Vendored {
		if _, err := os.Stat(filepath.Join(abs, "vendor", filepath.FromSlash(frameworkModule), "funcframework")); err != nil {
			return nil, fail("vendor/ lacks "+frameworkModule+"/funcframework, which the buildpack's generated main imports",
				"import it in the module (the local runner's main.go does; or add import _ %q to a file) and run go mod vendor again", frameworkModule+"/funcframework")
		}
	}
	if err := checkEntryPoint(abs, entryPoint); err != nil {
		var me *ModuleError
		if errors.As(err, &me) {
			me.Dir = dir
		}
		return nil, err
	}
	return m, nil
}

// goMinor returns N of a go line's version 1.N, 1.N.P or 1.NrcK.
func goMinor(v string) (int, bool) {
	rest, ok := strings.CutPrefix(v, "1.")
	if !ok {
		return 0, false
	}
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(rest[:end])
	if err != nil || n > 1000 {
		return 0, false
	}
	if tail := rest[end:]; tail != "" && !strings.HasPrefix(tail, ".") && !strings.HasPrefix(tail, "rc") && !strings.HasPrefix(tail, "beta") {
		return 0, false
	}
	return n, true
}

// goModFile is what CheckModule reads from go.mod.
type goModFile struct {
	module, goVersion string
	localReplaces     []replace
}

type replace struct{ module, path string }

// parseGoMod reads the module and go lines and the replace directives
// whose target is a directory (starts with ./, ../ or /), in the line
// syntax of go.mod: one directive a line or a parenthesized block, //
// comments, quoted or unquoted strings. It is no validating parser: the
// go command reports a malformed go.mod when the module is built.
func parseGoMod(data []byte) goModFile {
	var f goModFile
	block := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if block != "" {
			if fields[0] == ")" {
				block = ""
				continue
			}
			fields = append([]string{block}, fields...)
		} else if len(fields) == 2 && fields[1] == "(" {
			block = fields[0]
			continue
		}
		unquote := func(s string) string {
			if u, err := strconv.Unquote(s); err == nil {
				return u
			}
			return s
		}
		switch fields[0] {
		case "module":
			if len(fields) >= 2 {
				f.module = unquote(fields[1])
			}
		case "go":
			if len(fields) >= 2 {
				f.goVersion = fields[1]
			}
		case "replace":
			// replace M [V] => P [V]
			for i, tok := range fields {
				if tok == "=>" && i+1 < len(fields) && i >= 2 {
					p := unquote(fields[i+1])
					if strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") || p == "." || p == ".." || filepath.IsAbs(p) {
						f.localReplaces = append(f.localReplaces, replace{module: unquote(fields[1]), path: p})
					}
				}
			}
		}
	}
	return f
}

// checkEntryPoint checks that the package in dir is not main and calls
// functions.HTTP(entryPoint, ...).
func checkEntryPoint(dir, entryPoint string) error {
	fail := func(problem, fix string, args ...any) error {
		return &ModuleError{Dir: dir, Problem: problem, Fix: fmt.Sprintf(fix, args...)}
	}
	ctxt := build.Default
	ctxt.GOOS, ctxt.GOARCH, ctxt.CgoEnabled = "linux", "amd64", false
	pkg, err := ctxt.ImportDir(dir, 0)
	var noGo *build.NoGoError
	switch {
	case errors.As(err, &noGo):
		return fail("no Go files at the module's root", "Cloud Functions builds the package at the root of the module: put the function's file (package webhook, say) there")
	case err != nil:
		return fmt.Errorf("%s: reading the root package: %w", dir, err)
	case pkg.Name == "main":
		return fail("the root package is package main", "Cloud Functions builds a package of its own name around the function: give the root package another name and move a local runner to cmd/")
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range pkg.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		files = append(files, f)
	}
	consts := stringConsts(files)
	var found []string
	for _, f := range files {
		local := frameworkImportName(f)
		if local == "" {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 || !isFrameworkHTTP(call.Fun, local) {
				return true
			}
			if name, ok := stringArg(call.Args[0], consts); ok {
				found = append(found, name)
			} else {
				found = append(found, "(a name computed at run time)")
			}
			return true
		})
	}
	for _, name := range found {
		if name == entryPoint {
			return nil
		}
	}
	if len(found) > 0 {
		return fail(fmt.Sprintf("the root package registers %s, not %q", strings.Join(quoteAll(found), ", "), entryPoint),
			"deploy.sh deploys the entry point %q: register the handler as functions.HTTP(%q, h) in an init function", entryPoint, entryPoint)
	}
	return fail(fmt.Sprintf("the root package (package %s) does not call functions.HTTP(%q, ...)", pkg.Name, entryPoint),
		"register the handler in an init function of that package: functions.HTTP(%q, h), with functions imported from %s", entryPoint, frameworkFunctions)
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		if strings.HasPrefix(n, "(") {
			out[i] = n
		} else {
			out[i] = strconv.Quote(n)
		}
	}
	return out
}

// frameworkImportName returns the name f refers to the Functions
// Framework's functions package by, "." for a dot import, or "" if f does
// not import it.
func frameworkImportName(f *ast.File) string {
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p != frameworkFunctions {
			continue
		}
		if imp.Name == nil {
			return "functions"
		}
		if imp.Name.Name == "_" {
			return ""
		}
		return imp.Name.Name
	}
	return ""
}

// isFrameworkHTTP reports whether fun is local.HTTP, or HTTP under a dot
// import.
func isFrameworkHTTP(fun ast.Expr, local string) bool {
	switch fun := fun.(type) {
	case *ast.SelectorExpr:
		x, ok := fun.X.(*ast.Ident)
		return ok && local != "." && x.Name == local && fun.Sel.Name == "HTTP"
	case *ast.Ident:
		return local == "." && fun.Name == "HTTP"
	}
	return false
}

// stringConsts returns the package-level string constants declared with a
// literal value.
func stringConsts(files []*ast.File) map[string]string {
	consts := map[string]string{}
	for _, f := range files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						if s, ok := stringArg(vs.Values[i], nil); ok {
							consts[name.Name] = s
						}
					}
				}
			}
		}
	}
	return consts
}

// stringArg returns the value of a string literal, or of a constant in
// consts.
func stringArg(e ast.Expr, consts map[string]string) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		}
	case *ast.Ident:
		s, ok := consts[e.Name]
		return s, ok
	case *ast.ParenExpr:
		return stringArg(e.X, consts)
	}
	return "", false
}
