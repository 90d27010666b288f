package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/scaffold"
)

const initUsage = `Usage:
  cxhook init DIR --agent EXPORT [--module PATH] [--cxhook-replace DIR] [--external W]... [--force]

Writes a new Go function module in DIR for an agent exported as a JSON
package (a folder, a .zip or agent.json): function.go, which registers the
function "Webhook" through webhook.MustNew with a handler for each tag the
agent calls; one file per handler, typed on what the agent sends there;
cmd/local, to run it on this machine; testdata/agent, a copy of the export
(credentials in webhook files replaced by REDACTED); testdata/requests, the
request of each call site; function_test.go, which checks the agent against
the handlers and posts every request to them; go.mod (go 1.25.0, which
Cloud Functions builds) and a README. Each handler answers 501 (the agent
sees webhook.error) until you write it. DIR must be new or empty, unless
--force is given. Then:

  cd DIR && go mod tidy && go test ./... && go run ./cmd/local

No release of cxhook is on the module proxy yet: pass --cxhook-replace with
the directory of a cxhook checkout, which go.mod's replace then names, and
run go mod vendor before deploy.sh --source DIR. (A cxhook installed with go
install from the module proxy requires its own version instead.)

A webhook whose URI is a Google API's (*.googleapis.com, as the prebuilt
address component's) calls that API, not the function: it gets no handler.
--external names other such webhooks.

Flags:
`

// initFlags holds the command line of cxhook init.
type initFlags struct {
	export, module, replace string
	external                []string
	force                   bool
}

func newInitFlags() (*flag.FlagSet, *initFlags) {
	f := &initFlags{}
	fs := flag.NewFlagSet("cxhook init", flag.ContinueOnError)
	fs.StringVar(&f.export, "agent", "", "the agent's JSON package export: a folder, a .zip or agent.json (required)")
	fs.StringVar(&f.module, "module", "", "the module's path (default example.com/ and DIR's name)")
	fs.StringVar(&f.replace, "cxhook-replace", "", "the directory of a cxhook checkout, for go.mod's replace of github.com/cxhook/cxhook\n(needed until cxhook is released on the module proxy)")
	fs.Var((*stringsFlag)(&f.external), "external", "the display name of a webhook that calls another service than the function: no handler is written for it; repeat, or separate with commas")
	fs.BoolVar(&f.force, "force", false, "write into DIR even if it is not empty, over the files cxhook init writes")
	return fs, f
}

// cxhookVersion returns the version of github.com/cxhook/cxhook this
// program was built from, if it is one the module proxy can serve: a
// build with go install from the proxy, not one in a checkout (whose
// commit may be nowhere else) or of modified files.
var cxhookVersion = func() (string, bool) {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Path != scaffold.CxhookModule {
		return "", false
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" || strings.Contains(v, "+") {
		return v, false
	}
	for _, s := range bi.Settings {
		if strings.HasPrefix(s.Key, "vcs.") {
			return v, false
		}
	}
	return v, true
}

func runInit(args []string, stdout, stderr io.Writer) int {
	fs, f := newInitFlags()
	fs.SetOutput(io.Discard)
	var dir string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, initUsage)
				printFlags(stdout, fs)
				return 0
			}
			fmt.Fprintf(stderr, "cxhook init: %v (cxhook init -h)\n", err)
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		if dir != "" {
			fmt.Fprintf(stderr, "cxhook init: unexpected argument %q: one DIR only (cxhook init -h)\n", fs.Arg(0))
			return 2
		}
		dir, rest = fs.Arg(0), fs.Args()[1:]
	}
	if dir == "" {
		fmt.Fprintln(stderr, "cxhook init: DIR is required: the directory to write the module to (cxhook init -h)")
		return 2
	}
	if f.export == "" {
		fmt.Fprintln(stderr, "cxhook init: --agent is required: the agent's JSON package export (a folder, a .zip or agent.json)")
		return 2
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		fmt.Fprintf(stderr, "cxhook init: %v\n", err)
		return 2
	}
	opts := scaffold.Options{Module: f.module, External: f.external}
	if opts.Module == "" {
		opts.Module = scaffold.DefaultModulePath(filepath.Base(absDir))
	}
	if err := scaffold.CheckModulePath(opts.Module); err != nil {
		fmt.Fprintf(stderr, "cxhook init: --module: %v\n", strings.TrimPrefix(err.Error(), "scaffold: "))
		return 2
	}
	if f.replace != "" {
		if opts.CxhookReplace, err = replacePath(absDir, f.replace); err != nil {
			fmt.Fprintf(stderr, "cxhook init: --cxhook-replace: %v\n", err)
			return 2
		}
	} else if v, ok := cxhookVersion(); ok {
		opts.CxhookVersion = v
	} else {
		fmt.Fprintf(stderr, "cxhook init: this cxhook is a development build (version %q), and no release of %s is on the module proxy yet: pass --cxhook-replace DIR, the directory of your cxhook checkout\n", v, scaffold.CxhookModule)
		return 2
	}

	export, closer, err := scaffold.Open(f.export)
	if err != nil {
		fmt.Fprintf(stderr, "cxhook init: %v\n", err)
		return 1
	}
	defer closer.Close()
	m, err := scaffold.Generate(export, opts)
	var le *agent.LoadError
	switch {
	case errors.As(err, &le):
		for _, p := range le.Problems {
			fmt.Fprintf(stderr, "%s: error: %s [export]\n", p.Loc, p.Msg)
		}
		fmt.Fprintf(stderr, "cxhook init: the export has %d problems; nothing written\n", len(le.Problems))
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "cxhook init: %v\n", strings.TrimPrefix(err.Error(), "scaffold: "))
		return 1
	}
	if err := scaffold.Write(dir, m, f.force); err != nil {
		fmt.Fprintf(stderr, "cxhook init: %v\n", err)
		return 1
	}
	for _, n := range m.Notes {
		fmt.Fprintf(stderr, "cxhook init: note: %s\n", n)
	}
	name := "the agent"
	if m.Agent.DisplayName != "" {
		name += fmt.Sprintf(" %q", m.Agent.DisplayName)
	}
	fmt.Fprintf(stdout, "wrote %s (%d files) for %s, with %d handlers:\n", dir, len(m.Files), name, len(m.Handlers))
	for _, h := range m.Handlers {
		fmt.Fprintf(stdout, "  %s\n", h)
	}
	fmt.Fprintf(stdout, "next:\n  cd %s\n  go mod tidy\n  go test ./...\n  go run ./cmd/local\n", shellQuote(dir))
	return 0
}

// shellQuote quotes a path for a shell command line, if it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-+=:@%,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// replacePath returns the directory of a cxhook checkout as go.mod's
// replace writes it: relative to the module's directory dir when it can
// be ("../cxhook"), with slashes. It refuses a directory whose go.mod is
// not cxhook's, naming the file.
func replacePath(dir, checkout string) (string, error) {
	abs, err := filepath.Abs(checkout)
	if err != nil {
		return "", err
	}
	gomod := filepath.Join(abs, "go.mod")
	file, err := os.Open(gomod)
	if err != nil {
		return "", fmt.Errorf("%s is not a cxhook checkout: %w", checkout, err)
	}
	defer file.Close()
	module := ""
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			module = strings.Trim(strings.TrimSpace(rest), `"`)
			break
		}
	}
	if module != scaffold.CxhookModule {
		return "", fmt.Errorf("%s: the module is %q, not %s", gomod, module, scaffold.CxhookModule)
	}
	rel, err := filepath.Rel(dir, abs)
	if err != nil {
		return filepath.ToSlash(abs), nil
	}
	rel = filepath.ToSlash(rel)
	if !strings.HasPrefix(rel, "../") && rel != ".." {
		rel = "./" + rel
	}
	return rel, nil
}
