package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cxhook/cxhook/agent"
)

// The commands that read an exported agent: check, requests and init
// (init.go).
var agentCommands = map[string]func(args []string, stdout, stderr io.Writer) int{
	"check":    runCheck,
	"requests": runRequests,
	"init":     runInit,
}

const checkUsage = `Usage:
  cxhook check --agent EXPORT [--tag T]... [--flexible-tag T]... [--flexible-path P]...
               [--external W]... [--function-url URL] [--webhook-timeout D]

Checks an agent exported as a JSON package (a folder, a .zip or agent.json)
against the handlers of the function that serves it: tags the agent calls
that no handler serves, handlers no call site uses, flexible webhooks served
by standard handlers or the reverse, the function's webhooks calling another
URI or waiting another time than the function, pages that call webhooks
with no webhook.error handler (cxlint R011), and webhook.error handlers that
call webhooks. It prints one finding a line, "file: JSON path: severity:
message [rule]", and exits 1 if there is an error.

Name the handlers with --tag (and --flexible-tag, --flexible-path). Without
them, it lists the tags the agent calls and checks only the agent itself.
In the function's own tests, agenttest.Check does the same against its Mux.

Flags:
`

const requestsUsage = `Usage:
  cxhook requests --agent EXPORT --out DIR [--agent-name projects/P/locations/L/agents/A] [--language L]

Writes, for every call site of every tag of an agent exported as a JSON
package, the request Dialogflow sends there: a WebhookRequest as JSON, or
for a flexible webhook the body its request template renders (in a file
whose name ends in _flexible.json). File names and contents are the same
from run to run; files of other names in DIR are left alone.

Flags:
`

// stringsFlag collects a repeatable flag; each value may also hold a
// comma-separated list.
type stringsFlag []string

func (s *stringsFlag) String() string { return strings.Join(*s, ",") }

func (s *stringsFlag) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*s = append(*s, part)
		}
	}
	return nil
}

// parseAgentFlags parses a command's flags, printing the usage for -h.
// It returns the exit code to return if the command must not go on.
func parseAgentFlags(fs *flag.FlagSet, usage string, args []string, stdout, stderr io.Writer) (int, bool) {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return 0, false
		}
		fmt.Fprintf(stderr, "%s: %v (%s -h)\n", fs.Name(), err, fs.Name())
		return 2, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q (%s -h)\n", fs.Name(), fs.Arg(0), fs.Name())
		return 2, false
	}
	return 0, true
}

// loadAgent loads the export, printing its problems. ok is false if there
// is no agent to go on with.
func loadAgent(name, export string, stderr io.Writer) (a *agent.Agent, problems int, ok bool) {
	if export == "" {
		fmt.Fprintf(stderr, "%s: --agent is required: the agent's JSON package export (a folder, a .zip or agent.json)\n", name)
		return nil, 0, false
	}
	a, err := agent.Load(export)
	var le *agent.LoadError
	switch {
	case errors.As(err, &le):
		for _, p := range le.Problems {
			fmt.Fprintf(stderr, "%s: error: %s [export]\n", p.Loc, p.Msg)
		}
		return a, len(le.Problems), true
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return nil, 0, false
	}
	return a, 0, true
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cxhook check", flag.ContinueOnError)
	var served agent.Served
	var opts agent.CheckOptions
	export := fs.String("agent", "", "the agent's JSON package export: a folder, a .zip or agent.json (required)")
	fs.Var((*stringsFlag)(&served.Tags), "tag", "a tag the function serves with a standard handler; repeat, or separate with commas")
	fs.Var((*stringsFlag)(&served.FlexibleTags), "flexible-tag", "a tag the function serves with a flexible handler (the fulfillmentInfo.tag a flexible webhook's body carries)")
	fs.Var((*stringsFlag)(&served.FlexiblePaths), "flexible-path", "a URL path the function serves with a flexible handler")
	fs.Var((*stringsFlag)(&opts.ExternalWebhooks), "external", "the display name of a webhook that calls another service than the function; its call sites are not checked against the handlers")
	fs.StringVar(&opts.FunctionURL, "function-url", "", "the function's URL: the webhooks of the tags it serves must call it")
	fs.DurationVar(&opts.WebhookTimeout, "webhook-timeout", 0, "the function's CXHOOK_WEBHOOK_TIMEOUT: the webhooks of the tags it serves must wait as long")
	if code, ok := parseAgentFlags(fs, checkUsage, args, stdout, stderr); !ok {
		return code
	}
	if opts.WebhookTimeout < 0 || opts.WebhookTimeout > 30*time.Second {
		fmt.Fprintf(stderr, "cxhook check: --webhook-timeout %v: want a timeout up to 30s\n", opts.WebhookTimeout)
		return 2
	}
	a, problems, ok := loadAgent("cxhook check", *export, stderr)
	if !ok {
		return 1
	}
	handlers := len(served.Tags)+len(served.FlexibleTags)+len(served.FlexiblePaths) > 0
	errs, warnings := problems, 0
	for _, f := range agent.Check(a, served, opts) {
		if !handlers && !agentRule(f.Rule) {
			continue
		}
		fmt.Fprintln(stdout, f)
		if f.Severity == agent.Error {
			errs++
		} else {
			warnings++
		}
	}
	if !handlers {
		listTags(a, opts.ExternalWebhooks, stdout)
		fmt.Fprintln(stderr, "cxhook check: no handlers given (--tag, --flexible-tag, --flexible-path): the agent's tags are listed, not checked")
	}
	fmt.Fprintf(stderr, "cxhook check: %d errors, %d warnings\n", errs, warnings)
	if errs > 0 {
		return 1
	}
	return 0
}

// agentRule reports whether a rule concerns the agent alone, and holds
// whatever the handlers.
func agentRule(rule string) bool {
	switch rule {
	case agent.RuleNoWebhookErrorHandler, agent.RuleErrorHandlerWebhook, agent.RuleDisabledWebhook, agent.RuleFlexibleTagDiffers:
		return true
	}
	return false
}

// listTags prints the tags the agent calls, with their webhook kind and
// call-site count.
func listTags(a *agent.Agent, external []string, w io.Writer) {
	type key struct{ tag, kind, webhook, note string }
	counts := map[key]int{}
	var keys []key
	for _, s := range a.CallSites() {
		k := key{s.Tag, "standard", s.Webhook.DisplayName, ""}
		if s.Webhook.Kind == agent.Flexible {
			k.kind = "flexible"
			if bodyTag, ok := s.Webhook.FlexibleTag(); ok {
				k.tag = bodyTag
			} else {
				k.note = " (its body carries no tag; path " + s.Webhook.Path() + ")"
			}
		}
		if slices.Contains(external, s.Webhook.DisplayName) {
			k.kind = "external"
		}
		if counts[k] == 0 {
			keys = append(keys, k)
		}
		counts[k]++
	}
	fmt.Fprintln(w, "tags the agent calls:")
	for _, k := range keys {
		sites := "call sites"
		if counts[k] == 1 {
			sites = "call site"
		}
		fmt.Fprintf(w, "  %-24s %-8s %d %s, webhook %q%s\n", k.tag, k.kind, counts[k], sites, k.webhook, k.note)
	}
}

func runRequests(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cxhook requests", flag.ContinueOnError)
	export := fs.String("agent", "", "the agent's JSON package export: a folder, a .zip or agent.json (required)")
	out := fs.String("out", "", "the folder to write the requests to, e.g. testdata/requests (required)")
	var opts agent.SampleOptions
	fs.StringVar(&opts.Agent, "agent-name", agent.DefaultSampleAgent, "the agent's resource name, which page, flow and session names start with")
	fs.StringVar(&opts.LanguageCode, "language", "", "the requests' language (default: the agent's default language)")
	if code, ok := parseAgentFlags(fs, requestsUsage, args, stdout, stderr); !ok {
		return code
	}
	if *out == "" {
		fmt.Fprintln(stderr, "cxhook requests: --out is required: the folder to write the requests to")
		return 2
	}
	if p := strings.Split(opts.Agent, "/"); len(p) != 6 || p[0] != "projects" || p[2] != "locations" || p[4] != "agents" || slices.Contains(p, "") {
		fmt.Fprintf(stderr, "cxhook requests: --agent-name %q: want projects/P/locations/L/agents/A\n", opts.Agent)
		return 2
	}
	a, problems, ok := loadAgent("cxhook requests", *export, stderr)
	if !ok {
		return 1
	}
	samples, err := a.SampleRequests(opts)
	if err != nil {
		fmt.Fprintf(stderr, "cxhook requests: %v\n", err)
		return 1
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintf(stderr, "cxhook requests: %v\n", err)
		return 1
	}
	for _, s := range samples {
		if err := os.WriteFile(filepath.Join(*out, s.Name), s.Body, 0o644); err != nil {
			fmt.Fprintf(stderr, "cxhook requests: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s\t%s\n", filepath.Join(*out, s.Name), s.Site.Loc())
	}
	fmt.Fprintf(stderr, "cxhook requests: wrote %d requests to %s\n", len(samples), *out)
	if problems > 0 {
		return 1
	}
	return 0
}
