package main

// The emulator's commands: cxhook test replays an exported agent's test
// cases against a local webhook; cxhook chat is a conversation with them.

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/emulator"
	"github.com/go-json-experiment/json"
)

// emulatorCommands are dispatched from run.
var emulatorCommands = map[string]func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int{
	"test": testCommand,
	"chat": chatCommand,
}

const testUsage = `Usage:
  cxhook test --agent DIR [--webhook URL | --webhook NAME=URL]... [flags]

Replays the test cases of the agent exported at DIR (a folder, a .zip or
agent.json, JSON package format) in the offline emulator, calling the
webhooks at the URLs given, and reports like Dialogflow's runTestCase: per
turn the differences typed INTENT, PAGE, PARAMETERS, UTTERANCE and FLOW.
Text turns are understood as recorded (the test case is its own oracle):
the replay tests the agent's logic and the webhook, not the NLU model. With
--nlu local, local NLU (package nlu) understands them instead, and the
report ends with its intent and parameter accuracy against the recording
and every miss (add --resync so that a miss does not carry into the next
turns). The clock is pinned to each test case's creation time. It exits 1 when a turn
differs, 2 on a usage error.

Flags:
`

const chatUsage = `Usage:
  cxhook chat --agent DIR [--webhook URL | --webhook NAME=URL]... [flags]

A conversation with the agent exported at DIR in the offline emulator,
calling the webhooks at the URLs given. Each line is one turn:

  /intent NAME [k=v ...]   trigger an intent, with its parameters
  /fill k=v [k=v ...]      text that fills form parameters
  /nomatch                 text that matches nothing (sys.no-match)
  /event NAME              raise a custom event
  /dtmf DIGITS             keypad input
  /set k=v [k=v ...]       set session parameters (no turn)
  /params                  show the session parameters
  /trace                   show or hide each turn's full trace
  /reset                   start a new session
  /quit                    leave (so does end of input)

An empty line is no input (sys.no-input). Other text is understood by local
NLU (package nlu: the intents of the routes in scope, the form parameter
being prompted), which is deterministic but not Google's model; each turn
says what it understood and with which confidence ("nlu  local NLU: ...").
Where it gets the text wrong, inject what it means with /intent or /fill.
Values are JSON when they parse as JSON, text otherwise.

Flags:
`

// emuFlags are the flags test and chat share.
type emuFlags struct {
	agentDir   string
	webhooks   []string
	noWebhooks bool
	timeout    time.Duration
	seed       uint64
	// nlu is "local" (package nlu through emulator.LocalNLU), "oracle"
	// (test only) or "none" (chat only).
	nlu string
}

func (f *emuFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.agentDir, "agent", "", "the exported agent: a folder, a .zip or agent.json (required)")
	fs.Func("webhook", "where webhook calls go: `URL` for all, or NAME=URL for the webhook with that display name; repeat for several", func(s string) error {
		f.webhooks = append(f.webhooks, s)
		return nil
	})
	fs.BoolVar(&f.noWebhooks, "no-webhooks", false, "call no webhook, as a test turn with webhooks disabled")
	fs.DurationVar(&f.timeout, "webhook-timeout", 0, "override every webhook's timeout (default: each webhook's own, 5s if unset)")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the random message variants")
}

// webhooksConfig turns the --webhook flags into the emulator's config.
func (f *emuFlags) webhooksConfig() (*emulator.Webhooks, error) {
	if f.noWebhooks || len(f.webhooks) == 0 {
		return nil, nil
	}
	w := &emulator.Webhooks{Timeout: f.timeout}
	for _, s := range f.webhooks {
		name, url, named := strings.Cut(s, "=")
		if !named || strings.Contains(name, ":") {
			if w.URL != "" {
				return nil, fmt.Errorf("--webhook %q: a URL for all webhooks is given twice", s)
			}
			w.URL = s
			continue
		}
		if url == "" || !strings.Contains(url, "://") {
			return nil, fmt.Errorf("--webhook %q: want NAME=URL with an http:// or https:// URL", s)
		}
		if w.URLs == nil {
			w.URLs = map[string]string{}
		}
		w.URLs[name] = url
	}
	if w.URL != "" && !strings.Contains(w.URL, "://") {
		return nil, fmt.Errorf("--webhook %q: want an http:// or https:// URL", w.URL)
	}
	return w, nil
}

// loadEmulator loads the agent and prepares the emulator, reporting the
// export's problems on stderr.
func (f *emuFlags) loadEmulator(stderr io.Writer, cmd string) (*emulator.Emulator, error) {
	if f.agentDir == "" {
		return nil, errors.New("--agent is required")
	}
	a, err := agent.Load(f.agentDir)
	var le *agent.LoadError
	switch {
	case errors.As(err, &le):
		fmt.Fprintf(stderr, "cxhook %s: the export has %d problem(s); the rest runs:\n", cmd, len(le.Problems))
		for i, p := range le.Problems {
			if i == 10 {
				fmt.Fprintf(stderr, "  and %d more\n", len(le.Problems)-10)
				break
			}
			fmt.Fprintf(stderr, "  %s\n", p)
		}
	case err != nil:
		return nil, err
	}
	wh, err := f.webhooksConfig()
	if err != nil {
		return nil, err
	}
	cfg := emulator.Config{Webhooks: wh, Seed: f.seed}
	if f.nlu == "local" {
		l, err := emulator.NewLocalNLU(a)
		if err != nil {
			return nil, fmt.Errorf("local NLU: %w", err)
		}
		for _, w := range l.Warnings() {
			fmt.Fprintf(stderr, "cxhook %s: local NLU: %s\n", cmd, w)
		}
		cfg.NLU = l
	}
	e, err := emulator.New(a, cfg)
	if err != nil {
		return nil, err
	}
	for _, p := range e.Problems() {
		fmt.Fprintf(stderr, "cxhook %s: cannot run as written: %s\n", cmd, p)
	}
	return e, nil
}

func testCommand(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	var f emuFlags
	var cases []string
	var junit string
	var trace, traceAll, resync, policies bool
	fs := flag.NewFlagSet("cxhook test", flag.ContinueOnError)
	f.register(fs)
	fs.Func("case", "replay only the test case with this display name; repeat for several", func(s string) error {
		cases = append(cases, s)
		return nil
	})
	fs.StringVar(&junit, "junit", "", "write JUnit XML to `FILE` for CI")
	fs.BoolVar(&trace, "trace", false, "print the trace of each differing turn")
	fs.BoolVar(&traceAll, "trace-all", false, "print the trace of every turn")
	fs.BoolVar(&resync, "resync", false, "after a differing turn, go on from the recorded state, so that one difference does not carry into the next turns")
	fs.BoolVar(&policies, "policies", false, "print the emulator's decisions where Dialogflow's behaviour is undocumented, and exit")
	fs.StringVar(&f.nlu, "nlu", "oracle", "how text turns are understood: oracle (as recorded) or local (package nlu, and its accuracy reported)")
	if code, ok := parseAgentFlags(fs, testUsage, args, stdout, stderr); !ok {
		return code
	}
	if f.nlu != "oracle" && f.nlu != "local" {
		fmt.Fprintf(stderr, "cxhook test: --nlu %q: want oracle or local\n", f.nlu)
		return 2
	}
	if policies {
		printPolicies(stdout)
		return 0
	}
	e, err := f.loadEmulator(stderr, "test")
	if err != nil {
		fmt.Fprintf(stderr, "cxhook test: %v\n", err)
		return 2
	}
	a := e.Agent()
	var selected []*agent.TestCase
	for _, name := range cases {
		tc := a.TestCase(name)
		if tc == nil {
			fmt.Fprintf(stderr, "cxhook test: the agent has no test case %q\n", name)
			return 2
		}
		selected = append(selected, tc)
	}
	if len(cases) == 0 {
		selected = a.TestCases
	}
	if len(selected) == 0 {
		fmt.Fprintf(stderr, "cxhook test: the export has no test cases (testCases/)\n")
		return 2
	}
	cov := emulator.NewCoverage(a)
	var results []*emulator.CaseResult
	for _, tc := range selected {
		if ctx.Err() != nil {
			break
		}
		rc := emulator.ReplayConfig{Coverage: cov, Resync: resync}
		if f.nlu == "local" {
			rc.Mode = emulator.UseNLU
		}
		results = append(results, e.Replay(ctx, tc, rc))
	}
	if err := emulator.WriteReport(stdout, results, emulator.ReportOptions{Trace: trace, AllTraces: traceAll}); err != nil {
		fmt.Fprintf(stderr, "cxhook test: %v\n", err)
		return 1
	}
	if f.nlu == "local" {
		if !resync {
			fmt.Fprintln(stdout, "local NLU scored without --resync: a miss carries into the turns after it")
		}
		if err := emulator.ScoreNLU(results).Write(stdout); err != nil {
			fmt.Fprintf(stderr, "cxhook test: %v\n", err)
			return 1
		}
	}
	if f.noWebhooks || len(f.webhooks) == 0 {
		fmt.Fprintln(stdout, "webhooks: not called (give --webhook URL to call them)")
	}
	fmt.Fprint(stdout, cov.Summary())
	if junit != "" {
		name := a.DisplayName
		if name == "" {
			name = filepath.Base(filepath.Clean(f.agentDir))
		}
		if err := writeJUnit(junit, name, results); err != nil {
			fmt.Fprintf(stderr, "cxhook test: %v\n", err)
			return 1
		}
	}
	if ctx.Err() != nil {
		fmt.Fprintf(stderr, "cxhook test: interrupted\n")
		return 1
	}
	for _, r := range results {
		if !r.Passed {
			return 1
		}
	}
	return 0
}

func writeJUnit(path, suite string, results []*emulator.CaseResult) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := emulator.WriteJUnit(f, suite, results); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func printPolicies(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, p := range emulator.Policies() {
		fmt.Fprintf(tw, "%s\t%s\n\tWhy: %s\n", p.Name, p.Does, p.Why)
	}
	tw.Flush()
}

func chatCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var f emuFlags
	var flowName, pageName string
	var traceAll bool
	fs := flag.NewFlagSet("cxhook chat", flag.ContinueOnError)
	f.register(fs)
	fs.StringVar(&flowName, "flow", "", "start in this flow (display name) instead of the start flow")
	fs.StringVar(&pageName, "page", "", "start on this page (display name) of the flow")
	fs.BoolVar(&traceAll, "trace", false, "show each turn's full trace")
	fs.StringVar(&f.nlu, "nlu", "local", "how free text is understood: local (package nlu) or none (inject with /intent and /fill)")
	if code, ok := parseAgentFlags(fs, chatUsage, args, stdout, stderr); !ok {
		return code
	}
	if f.nlu != "local" && f.nlu != "none" {
		fmt.Fprintf(stderr, "cxhook chat: --nlu %q: want local or none\n", f.nlu)
		return 2
	}
	e, err := f.loadEmulator(stderr, "chat")
	if err != nil {
		fmt.Fprintf(stderr, "cxhook chat: %v\n", err)
		return 2
	}
	a := e.Agent()
	cfg := emulator.SessionConfig{ID: "cxhook-chat"}
	if flowName != "" {
		if cfg.Flow = a.Flow(flowName); cfg.Flow == nil {
			fmt.Fprintf(stderr, "cxhook chat: the agent has no flow %q\n", flowName)
			return 2
		}
	}
	if pageName != "" {
		fl := cfg.Flow
		if fl == nil {
			fl = a.StartFlow
		}
		if cfg.Page = fl.Page(pageName); cfg.Page == nil {
			fmt.Fprintf(stderr, "cxhook chat: flow %q has no page %q\n", fl.DisplayName, pageName)
			return 2
		}
	}
	c := &chat{e: e, s: e.NewSession(cfg), out: stdout, trace: traceAll}
	interactive := isTerminal(stdin)
	if interactive {
		fmt.Fprintf(stdout, "Agent %q, page %q. /help for the commands, /quit to leave.\n", a.DisplayName, c.s.Page().DisplayName)
	}
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for {
		if interactive {
			fmt.Fprint(stdout, "> ")
		}
		if !sc.Scan() || ctx.Err() != nil {
			break
		}
		if !c.line(ctx, strings.TrimRight(sc.Text(), "\r")) {
			break
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(stderr, "cxhook chat: %v\n", err)
		return 1
	}
	return 0
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// chat is a terminal conversation.
type chat struct {
	e     *emulator.Emulator
	s     *emulator.Session
	out   io.Writer
	trace bool
}

// line handles one input line; false ends the conversation.
func (c *chat) line(ctx context.Context, line string) bool {
	cmd, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
	rest = strings.TrimSpace(rest)
	if !strings.HasPrefix(cmd, "/") {
		if strings.TrimSpace(line) == "" {
			c.send(ctx, emulator.Text(""))
			return true
		}
		c.send(ctx, emulator.Text(line))
		return true
	}
	switch cmd {
	case "/quit", "/exit":
		return false
	case "/help":
		fmt.Fprint(c.out, chatUsage[strings.Index(chatUsage, "  /intent"):strings.Index(chatUsage, "An empty")])
	case "/intent":
		name, kv, _ := strings.Cut(rest, " ")
		if name == "" {
			fmt.Fprintln(c.out, "usage: /intent NAME [k=v ...]")
			return true
		}
		params, err := parseKV(kv)
		if err != nil {
			fmt.Fprintln(c.out, err)
			return true
		}
		c.send(ctx, emulator.Intent(name, params))
	case "/fill":
		params, err := parseKV(rest)
		if err != nil || len(params) == 0 {
			fmt.Fprintln(c.out, "usage: /fill name=value [name=value ...]")
			return true
		}
		u := &emulator.Understanding{Source: "injected"}
		for _, k := range params.Names() {
			u.Fill = append(u.Fill, emulator.ParamValue{Name: k, Value: params[k]})
		}
		c.send(ctx, emulator.Input{Kind: emulator.InputText, Text: rest, Understood: u})
	case "/nomatch":
		c.send(ctx, emulator.Input{Kind: emulator.InputText, Text: rest, Understood: &emulator.Understanding{Source: "injected"}})
	case "/event":
		if rest == "" {
			fmt.Fprintln(c.out, "usage: /event NAME")
			return true
		}
		c.send(ctx, emulator.Event(rest))
	case "/dtmf":
		if rest == "" {
			fmt.Fprintln(c.out, "usage: /dtmf DIGITS")
			return true
		}
		c.send(ctx, emulator.DTMF(rest))
	case "/set":
		params, err := parseKV(rest)
		if err != nil || len(params) == 0 {
			fmt.Fprintln(c.out, "usage: /set name=value [name=value ...]")
			return true
		}
		for _, k := range params.Names() {
			if err := c.s.SetParam(k, params[k]); err != nil {
				fmt.Fprintln(c.out, err)
			} else {
				fmt.Fprintf(c.out, "  param %s = %s\n", k, compact(params[k]))
			}
		}
	case "/params":
		p := c.s.Params()
		if len(p) == 0 {
			fmt.Fprintln(c.out, "  (no session parameters)")
		}
		for _, k := range p.Names() {
			fmt.Fprintf(c.out, "  %s = %s\n", k, compact(p[k]))
		}
	case "/trace":
		c.trace = !c.trace
		fmt.Fprintf(c.out, "  full trace %s\n", map[bool]string{true: "on", false: "off"}[c.trace])
	case "/reset":
		c.s.Reset()
		fmt.Fprintf(c.out, "  new session, page %q\n", c.s.Page().DisplayName)
	default:
		fmt.Fprintf(c.out, "unknown command %s (/help)\n", cmd)
	}
	return true
}

func (c *chat) send(ctx context.Context, in emulator.Input) {
	turn, err := c.s.Send(ctx, in)
	if errors.Is(err, emulator.ErrNeedsNLU) {
		fmt.Fprintln(c.out, "  free text needs an NLU (--nlu none is set): say what it means with /intent NAME k=v or /fill name=value")
		return
	}
	if err != nil {
		fmt.Fprintf(c.out, "  %v\n", err)
		return
	}
	for _, m := range turn.Messages {
		switch {
		case m.Text != "":
			fmt.Fprintf(c.out, "agent: %s\n", strings.ReplaceAll(m.Text, "\n", "\n       "))
		default:
			fmt.Fprintf(c.out, "agent: [%s message]\n", m.Kind)
		}
	}
	if c.trace {
		fmt.Fprint(c.out, emulator.FormatTrace(turn.Trace, "  | "))
	} else {
		for _, st := range turn.Trace {
			switch st.Kind {
			case emulator.StepUnderstood, emulator.StepIntent, emulator.StepPage, emulator.StepFlow, emulator.StepWebhook, emulator.StepParam, emulator.StepWarning:
				fmt.Fprintf(c.out, "  %s\n", st)
			}
		}
	}
	if turn.Err != nil {
		fmt.Fprintf(c.out, "  error: %v\n", turn.Err)
	}
	where := fmt.Sprintf("page %q, flow %q", turn.PageName(), turn.FlowName())
	if turn.EndSession {
		where = "the session ended; the next input starts a new one"
	}
	fmt.Fprintf(c.out, "  [%s]\n", where)
}

// parseKV reads k=v pairs separated by spaces; a value that parses as JSON
// is that JSON value (42, true, {"a":1}), else the text. A value may hold
// spaces up to the next " k=".
func parseKV(s string) (emulator.Params, error) {
	p := emulator.Params{}
	s = strings.TrimSpace(s)
	for s != "" {
		k, rest, ok := strings.Cut(s, "=")
		if !ok || strings.TrimSpace(k) == "" || strings.ContainsAny(strings.TrimSpace(k), " \t") {
			return nil, fmt.Errorf("%q: want name=value", clipText(s))
		}
		v := rest
		s = ""
		if i := nextKey(rest); i >= 0 {
			v, s = rest[:i], rest[i+1:]
		}
		v = strings.TrimSpace(v)
		var x any
		if err := json.Unmarshal([]byte(v), &x); err != nil {
			x = v
		}
		p[strings.TrimSpace(k)] = x
	}
	return p, nil
}

// nextKey returns the index of the space before the next "k=" in s, or -1.
func nextKey(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' {
			continue
		}
		j := i + 1
		for j < len(s) && s[j] != ' ' && s[j] != '=' {
			j++
		}
		if j < len(s) && s[j] == '=' && j > i+1 {
			return i
		}
	}
	return -1
}

func compact(v any) string {
	b, err := json.Marshal(v, json.Deterministic(true))
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func clipText(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
