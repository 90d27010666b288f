// Command cxhook deploys and wires a cxhook function: deploy.sh runs it
// around `gcloud functions deploy`; it can also be run on its own, and
// every run is safe to repeat.
//
//	cxhook runtime [--source DIR]
//	cxhook env     --project P --region R [flags]
//	cxhook setup   --project P --region R [flags]
//	cxhook check   --agent EXPORT [flags]
//	cxhook requests --agent EXPORT --out DIR [flags]
//	cxhook init    DIR --agent EXPORT [flags]
//
// "runtime" checks that the Go module in DIR can be deployed as the HTTP
// function Webhook and prints the Cloud Functions runtime for its go line.
// "env" prints the environment variables to deploy the function with, one
// KEY=VALUE a line. "setup" makes sure, for the deployed function, that its
// environment matches, that each agent project's Dialogflow service agent
// exists and may invoke the function, and that each agent has a Webhook
// resource calling it. Run "cxhook help" for the flags.
//
// Like gcloud, cxhook reads CLOUDSDK_API_ENDPOINT_OVERRIDES_<API> for
// CLOUDRESOURCEMANAGER, SERVICEUSAGE, CLOUDFUNCTIONS, RUN and DIALOGFLOW,
// and CLOUDSDK_AUTH_ACCESS_TOKEN_FILE; otherwise it uses Application
// Default Credentials.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/cxhook/cxhook/setup"
	"golang.org/x/oauth2"
	"google.golang.org/api/option"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `Usage:
  cxhook runtime [--source DIR]
  cxhook env     --project P --region R [--name N] [--agent A]... [--gen1] [--webhook-timeout D]
                 [--memory M] [--dry-run]
  cxhook setup   --project P --region R [--name N] [--agent A]... [--gen1] [--webhook-timeout D]
                 [--webhook-name S] [--dry-run]
  cxhook check    --agent EXPORT [flags]   (cxhook check -h for its flags)
  cxhook requests --agent EXPORT --out DIR [flags]
  cxhook test     --agent EXPORT [--webhook URL]... [flags]   (cxhook test -h)
  cxhook chat     --agent EXPORT [--webhook URL]... [flags]   (cxhook chat -h)
  cxhook init     DIR --agent EXPORT [--module PATH] [--cxhook-replace DIR] [--external W]... [--force]

runtime  checks, without calling anything, that the Go module in DIR can be
         deployed as the HTTP function Webhook: a go line no newer than the
         newest Go runtime (` + setup.NewestGoRuntime + `), a module path with a dot, no
         replace outside DIR unless vendored, and a root package, not main,
         that calls functions.HTTP("Webhook", ...). Prints the runtime ID
         for the go line (go 1.25.0: go125), or says what to fix and exits 1.
env      prints the environment variables to deploy the function with, one
         KEY=VALUE a line: CXHOOK_AUTH, CXHOOK_AGENT_PROJECT_NUMBERS,
         CXHOOK_AUDIENCES, CXHOOK_WEBHOOK_TIMEOUT, GOOGLE_CLOUD_PROJECT and
         GOMEMLIMIT (85% of --memory, or of the deployed function's memory,
         or of 256M for a new function; GOMEMLIMIT in cxhook's own
         environment is printed instead). It looks up project numbers and
         reads the function, if deployed; it changes nothing.
setup    for the deployed function: makes its CXHOOK_* and
         GOOGLE_CLOUD_PROJECT environment match (adding the URL it reports
         to CXHOOK_AUDIENCES), creates each agent project's Dialogflow
         service agent if missing, grants it the invoker role on the
         function (roles/run.invoker on the Cloud Run service for 2nd gen,
         roles/cloudfunctions.invoker for 1st gen), and creates or updates
         each agent's Webhook resource. It changes only what differs.

check    checks an exported agent against the function's handlers: tags
         called with no handler, handlers no call site uses, flexible
         webhooks, webhook URIs and timeouts, missing webhook.error handlers.
requests writes, for every call site of every tag in an exported agent,
         the request Dialogflow sends there.
test     replays the export's test cases in the offline emulator, calling
         the webhook at URL, and reports the differences; chat is a
         conversation with the agent and the webhook in the terminal.
init     writes a new function module for an exported agent in DIR: a
         handler for each tag it calls, answering 501 until written, its
         requests and tests (cxhook init -h).

With --dry-run, env prints the variables with placeholders for what only
the APIs know, and setup prints its plan; neither calls anything.

Environment: CLOUDSDK_API_ENDPOINT_OVERRIDES_<API> (CLOUDRESOURCEMANAGER,
SERVICEUSAGE, CLOUDFUNCTIONS, RUN, DIALOGFLOW) and
CLOUDSDK_AUTH_ACCESS_TOKEN_FILE, as gcloud reads them; without a token
file, Application Default Credentials.

Flags:
`

// timeout bounds a whole run, long-running operations included.
const timeout = 10 * time.Minute

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fs, _ := newFlags("help")
		out := stdout
		if len(args) == 0 {
			out = stderr
		}
		fmt.Fprint(out, usage)
		printFlags(out, fs)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	verb := args[0]
	if cmd, ok := emulatorCommands[verb]; ok {
		return cmd(ctx, args[1:], os.Stdin, stdout, stderr)
	}
	if cmd, ok := agentCommands[verb]; ok {
		return cmd(args[1:], stdout, stderr)
	}
	if verb != "env" && verb != "setup" && verb != "runtime" {
		fmt.Fprintf(stderr, "cxhook: unknown command %q; want runtime, env, setup, check, requests, test, chat or init (cxhook help)\n", verb)
		return 2
	}
	fs, f := newFlags(verb)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			printFlags(stdout, fs)
			return 0
		}
		fmt.Fprintf(stderr, "cxhook %s: %v (cxhook help)\n", verb, err)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "cxhook %s: unexpected argument %q (cxhook help)\n", verb, fs.Arg(0))
		return 2
	}
	if verb == "runtime" {
		m, err := setup.CheckModule(f.source, setup.EntryPoint)
		if err != nil {
			fmt.Fprintf(stderr, "cxhook runtime: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, m.Runtime)
		return 0
	}
	if verb == "env" {
		f.memoryLimit = getenv(setup.EnvMemoryLimit)
	}
	cfg, err := f.config()
	if err != nil {
		fmt.Fprintf(stderr, "cxhook %s: %v\n", verb, err)
		return 2
	}

	if f.dryRun {
		if verb == "env" {
			env := cfg.Env(nil)
			env[setup.EnvMemoryLimit] = cfg.PlannedMemoryLimit()
			printEnv(stdout, env)
			return 0
		}
		fmt.Fprintln(stdout, "cxhook setup: dry run, nothing is called. It would:")
		for _, step := range cfg.Plan() {
			fmt.Fprintln(stdout, "  "+step)
		}
		return 0
	}

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	opts, err := options(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "cxhook: %v\n", err)
		return 1
	}
	opts.Log = stderr
	s, err := setup.New(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "cxhook: %v\n", err)
		return 1
	}
	defer s.Close()
	if verb == "env" {
		env, err := s.Env(ctx, cfg)
		if err != nil {
			fmt.Fprintf(stderr, "cxhook: %v\n", err)
			return 1
		}
		printEnv(stdout, env)
		return 0
	}
	if err := s.Run(ctx, cfg); err != nil {
		fmt.Fprintf(stderr, "cxhook: %v\n", err)
		return 1
	}
	fmt.Fprintln(stderr, "cxhook: done")
	return 0
}

// flags holds the command line of runtime, env and setup.
type flags struct {
	project, region, name, webhookName string
	agents                             []setup.Agent
	gen1, dryRun                       bool
	webhookTimeout                     time.Duration
	memory, source                     string
	memoryLimit                        string // GOMEMLIMIT in cxhook's environment
}

// newFlags returns the flags of a command; "help" has them all.
func newFlags(verb string) (*flag.FlagSet, *flags) {
	f := &flags{}
	fs := flag.NewFlagSet("cxhook "+verb, flag.ContinueOnError)
	all := verb == "help"
	if all || verb == "runtime" {
		fs.StringVar(&f.source, "source", ".", "runtime: the directory `DIR` of the function's Go module")
	}
	if verb == "runtime" {
		return fs, f
	}
	fs.StringVar(&f.project, "project", "", "the function's project ID `P` (required)")
	fs.StringVar(&f.region, "region", "", "the function's region `R`, e.g. us-central1 (required)")
	fs.StringVar(&f.name, "name", "cxhook", "the function's name `N`")
	fs.Func("agent", "an agent that calls the function, `projects/A/locations/L/agents/ID`; repeat for several.\nWithout it, the agent is taken to be in the function's project and no Webhook resource is managed.", func(s string) error {
		a, err := setup.ParseAgent(s)
		if err != nil {
			return err
		}
		f.agents = append(f.agents, a)
		return nil
	})
	fs.BoolVar(&f.gen1, "gen1", false, "the function is 1st gen (Cloud Functions); the default is 2nd gen")
	fs.DurationVar(&f.webhookTimeout, "webhook-timeout", 5*time.Second, "how long Dialogflow waits for the function, a duration `D` such as 5s, 4.5s or 800ms, at most 30s")
	if all || verb == "env" {
		fs.StringVar(&f.memory, "memory", "", "env: the memory `M` of the function's instances, as gcloud's --memory takes it (512Mi, 1Gi, 512MB),\nfor GOMEMLIMIT (default: the deployed function's, or 256M for a new one)")
	}
	if all || verb == "setup" {
		fs.StringVar(&f.webhookName, "webhook-name", "", "setup: the display name `S` of the agents' Webhook resource (default: the function's name)")
	}
	fs.BoolVar(&f.dryRun, "dry-run", false, "env: print the variables with placeholders; setup: print the plan. Neither calls anything")
	return fs, f
}

// printFlags lists the flags as the usage writes them, --name VALUE (the
// flag package takes one dash or two).
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(fl *flag.Flag) {
		name, text := flag.UnquoteUsage(fl)
		line := "  --" + fl.Name
		if name != "" {
			line += " " + name
		}
		fmt.Fprintln(w, line)
		for l := range strings.SplitSeq(text, "\n") {
			fmt.Fprintln(w, "      "+l)
		}
		if fl.DefValue != "" && fl.DefValue != "false" {
			fmt.Fprintf(w, "      (default %s)\n", fl.DefValue)
		}
	})
}

func (f *flags) config() (setup.Config, error) {
	if f.project == "" || f.region == "" {
		return setup.Config{}, errors.New("--project and --region are required")
	}
	if f.webhookTimeout <= 0 {
		return setup.Config{}, fmt.Errorf("--webhook-timeout %v: want more than 0", f.webhookTimeout)
	}
	cfg := setup.Config{
		Project:        f.project,
		Region:         f.region,
		Function:       f.name,
		Agents:         f.agents,
		WebhookName:    f.webhookName,
		WebhookTimeout: f.webhookTimeout,
		Memory:         f.memory,
		MemoryLimit:    f.memoryLimit,
	}
	if f.gen1 {
		cfg.Gen = setup.Gen1
	}
	return cfg, cfg.Validate()
}

func printEnv(w io.Writer, env map[string]string) {
	for _, k := range slices.Sorted(maps.Keys(env)) {
		fmt.Fprintf(w, "%s=%s\n", k, env[k])
	}
}

// options reads gcloud's endpoint overrides and access token file from the
// environment.
func options(getenv func(string) string) (setup.Options, error) {
	opts := setup.Options{Endpoints: map[string]string{}}
	for _, api := range setup.APIs {
		u := getenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_" + strings.ToUpper(api))
		if u == "" {
			continue
		}
		// gcloud appends the API's version path to the override, which
		// should end in a slash; tolerate one without.
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		opts.Endpoints[api] = u
	}
	if file := getenv("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE"); file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return opts, fmt.Errorf("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE: %w", err)
		}
		token := strings.TrimSpace(string(b))
		if token == "" {
			return opts, fmt.Errorf("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE: %s is empty", file)
		}
		opts.ClientOptions = append(opts.ClientOptions, option.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token})))
	}
	return opts, nil
}
