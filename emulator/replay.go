package emulator

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/expr"
)

// ReplayMode says how a replay understands the text of recorded turns.
type ReplayMode uint8

// The replay modes.
const (
	// Oracle, the default, takes each text turn's recorded intent and
	// recorded parameter changes as what the NLU understood
	// (PolicyOracle): the replay tests agent logic and webhooks, not the
	// NLU model.
	Oracle ReplayMode = iota
	// UseNLU asks the emulator's NLU, as a live conversation would.
	UseNLU
)

// ReplayConfig configures a replay.
type ReplayConfig struct {
	Mode ReplayMode
	// Coverage, if set, records what the replay reached.
	Coverage *Coverage
	// Seed, if not 0, replaces the emulator's seed for the replay.
	Seed uint64
	// Resync puts the session back in the recorded state after a turn
	// that differs: the recorded session parameters, flow and page (the
	// form prompting its first empty parameter), so that each turn is
	// replayed from where the recording was and a difference does not
	// carry into the turns after it. CX's runTestCase does not do this; it
	// measures each turn on its own.
	Resync bool
}

// DiffType is the kind of a difference, as CX's TestRunDifference names it.
type DiffType string

// The difference types.
const (
	DiffIntent     DiffType = "INTENT"
	DiffPage       DiffType = "PAGE"
	DiffParameters DiffType = "PARAMETERS"
	DiffUtterance  DiffType = "UTTERANCE"
	DiffFlow       DiffType = "FLOW"
)

// Cause explains a difference where the replay can tell.
type Cause string

// The causes a replay recognises.
const (
	// CauseParamData: the same message as recorded, rendered with other
	// parameter values (typically ones the webhook set this time and the
	// recording's webhook did not).
	CauseParamData Cause = "parameter data"
	// CauseWebhookMessage: the message came from the webhook's answer.
	CauseWebhookMessage Cause = "webhook message"
	// CauseSetByWebhook: the parameter was last set by a webhook.
	CauseSetByWebhook Cause = "set by webhook"
)

// A Diff is one difference between a recorded turn and its replay.
type Diff struct {
	Type        DiffType
	Description string
	// Cause is set when every part of the difference has that cause.
	Cause Cause
	// Untracked marks parameter differences found because the test case
	// tracks no parameters, so that all are compared.
	Untracked bool
}

func (d Diff) String() string {
	var b strings.Builder
	b.WriteString(string(d.Type))
	var tags []string
	if d.Cause != "" {
		tags = append(tags, string(d.Cause))
	}
	if d.Untracked {
		tags = append(tags, "untracked")
	}
	if len(tags) > 0 {
		b.WriteString(" (" + strings.Join(tags, ", ") + ")")
	}
	b.WriteString(": ")
	b.WriteString(d.Description)
	return b.String()
}

// A CaseResult is the replay of one test case.
type CaseResult struct {
	Case  *agent.TestCase
	Turns []*TurnResult
	// Passed is set when no turn differs.
	Passed   bool
	Duration time.Duration
}

// Agreeing returns the number of turns without differences.
func (r *CaseResult) Agreeing() int {
	n := 0
	for _, t := range r.Turns {
		if len(t.Diffs) == 0 {
			n++
		}
	}
	return n
}

// A TurnResult is one replayed turn.
type TurnResult struct {
	// N is the turn's number, from 1.
	N      int
	Input  agent.UserInput
	Expect agent.Output
	// Got is what the emulator did; nil when the input could not be
	// taken (Err).
	Got   *Turn
	Err   error
	Diffs []Diff
	// Oracle is what the oracle said the text meant, in Oracle mode.
	Oracle *Understanding
	// Resynced is set when the session was put back in the recorded
	// state after this turn (ReplayConfig.Resync).
	Resynced bool
}

// InputString describes the recorded input.
func (r *TurnResult) InputString() string {
	in := r.Input
	switch in.Kind {
	case agent.InputText:
		return fmt.Sprintf("%q", in.Text)
	case agent.InputEvent:
		return "event " + in.Event
	case agent.InputDTMF:
		return "dtmf " + in.DTMF.Digits + in.DTMF.FinishDigit
	case agent.InputIntent:
		if in.Intent != nil {
			return "intent " + in.Intent.DisplayName
		}
		return "intent ?"
	}
	return in.Kind.String()
}

// Replay replays a test case, turn by turn, in a new session that starts
// where the test case says, with the clock pinned to the test case's
// creation time, and compares each turn with its recording as CX's
// runTestCase does.
func (e *Emulator) Replay(ctx context.Context, tc *agent.TestCase, rc ReplayConfig) *CaseResult {
	start := time.Now()
	created := tc.Created
	if created.IsZero() {
		created = time.Now()
	}
	s := e.NewSession(SessionConfig{
		Seed:     rc.Seed,
		ID:       "test-" + uuidFrom(tc.ID+"|"+tc.DisplayName),
		Flow:     tc.StartFlow,
		Page:     tc.StartPage,
		Now:      func() time.Time { return created },
		Coverage: rc.Coverage,
	})
	res := &CaseResult{Case: tc, Passed: true}
	prev := Params{}
	lastSetBy := map[string]string{}
	for i, rt := range tc.Turns {
		tr := &TurnResult{N: i + 1, Input: rt.Input, Expect: rt.Expect}
		want := fromFulfillment(rt.Expect.Params)
		in, err := e.replayInput(s, rt, rc.Mode, prev, want)
		if err == nil {
			if in.Understood != nil {
				tr.Oracle = in.Understood
			}
			tr.Got, err = s.Send(ctx, in)
		}
		if err != nil {
			tr.Err = err
			tr.Diffs = append(tr.Diffs, Diff{Type: DiffUtterance, Description: "the input could not be replayed: " + err.Error()})
		} else {
			for k, by := range s.lastSetBy() {
				lastSetBy[k] = by
			}
			tr.Diffs = e.compare(tc, rt.Expect, want, tr.Got, lastSetBy)
		}
		if len(tr.Diffs) > 0 {
			res.Passed = false
			if rc.Resync && tr.Got != nil {
				tr.Resynced = s.resync(rt.Expect, want)
			}
		}
		res.Turns = append(res.Turns, tr)
		if want == nil {
			want = Params{}
		}
		prev = want
	}
	res.Duration = time.Since(start)
	return res
}

// lastSetBy returns what set each session parameter in the last turn.
func (s *Session) lastSetBy() map[string]string { return s.setBy }

// replayInput builds the input of a recorded turn.
func (e *Emulator) replayInput(s *Session, rt *agent.Turn, mode ReplayMode, prev, want Params) (Input, error) {
	ui := rt.Input
	in := Input{Params: fromFulfillment(ui.Params), NoWebhooks: !ui.WebhookEnabled, LanguageCode: ui.LanguageCode}
	switch ui.Kind {
	case agent.InputText:
		in.Kind, in.Text = InputText, ui.Text
	case agent.InputEvent:
		in.Kind, in.Event = InputEvent, ui.Event
		return in, nil
	case agent.InputDTMF:
		in.Kind, in.Digits, in.FinishDigit = InputDTMF, ui.DTMF.Digits, ui.DTMF.FinishDigit
	case agent.InputIntent:
		if ui.Intent == nil {
			return in, fmt.Errorf("the recorded intent is not in the agent")
		}
		in.Kind, in.Intent = InputIntent, ui.Intent.DisplayName
		return in, nil
	default:
		return in, fmt.Errorf("%s input cannot be replayed", ui.Kind)
	}
	if mode != Oracle || (in.Kind == InputText && strings.TrimSpace(in.Text) == "") {
		return in, nil
	}
	in.Understood = oracle(s, rt.Expect, prev, want)
	return in, nil
}

// oracle builds the understanding of a recorded text turn (PolicyOracle):
// the recorded intent, and the recorded parameter changes that are
// parameters of that intent or of the current page's form.
func oracle(s *Session, exp agent.Output, prev, want Params) *Understanding {
	u := &Understanding{Intent: exp.Intent, Confidence: 1, Source: "oracle"}
	var page *agent.Page
	if !s.ended {
		page = s.top().page
	}
	isIntentParam := func(name string) bool {
		if exp.Intent == nil {
			return false
		}
		for _, p := range exp.Intent.Parameters {
			if strings.EqualFold(p.ID, name) {
				return true
			}
		}
		return false
	}
	for _, name := range want.Names() {
		v := want[name]
		if old, ok := prev.Get(name); ok && equalJSON(old, v) {
			continue
		}
		switch {
		case isIntentParam(name):
			u.Params = append(u.Params, ParamValue{Name: name, Value: v})
		case page != nil && formParam(page, name) != nil:
			u.Fill = append(u.Fill, ParamValue{Name: name, Value: v})
		}
	}
	return u
}

// compare compares a replayed turn with its recording.
func (e *Emulator) compare(tc *agent.TestCase, exp agent.Output, want Params, got *Turn, setBy map[string]string) []Diff {
	var diffs []Diff
	if exp.Status != nil {
		return []Diff{{Type: DiffUtterance, Description: fmt.Sprintf("the recording is an error (code %d: %s); the replay answered", exp.Status.Code, clip(exp.Status.Message))}}
	}
	name := func(i *agent.Intent) string {
		if i == nil {
			return "none"
		}
		return quote(strings.TrimSpace(i.DisplayName))
	}
	if exp.Intent != got.Intent {
		diffs = append(diffs, Diff{Type: DiffIntent, Description: fmt.Sprintf("got intent %s, want %s", name(got.Intent), name(exp.Intent))})
	}
	if exp.Flow != nil && exp.Flow != got.Flow {
		diffs = append(diffs, Diff{Type: DiffFlow, Description: fmt.Sprintf("got flow %q, want %q", got.FlowName(), exp.Flow.DisplayName)})
	}
	wantPage := ""
	switch {
	case exp.EndSession:
		wantPage = "End Session"
	case exp.Page != nil:
		wantPage = exp.Page.DisplayName
	}
	if wantPage != "" && (wantPage != got.PageName() || exp.Page != nil && exp.Page != got.Page) {
		diffs = append(diffs, Diff{Type: DiffPage, Description: fmt.Sprintf("got page %q, want %q", got.PageName(), wantPage)})
	}
	if d, ok := compareParams(tc, want, got.Params, setBy); ok {
		diffs = append(diffs, d)
	}
	if d, ok := e.compareTexts(exp.Text, got, want); ok {
		diffs = append(diffs, d)
	}
	return diffs
}

func compareParams(tc *agent.TestCase, want, got Params, setBy map[string]string) (Diff, bool) {
	names := tc.TrackingParameters
	untracked := len(names) == 0
	if untracked {
		seen := map[string]bool{}
		for _, n := range want.Names() {
			seen[strings.ToLower(n)] = true
			names = append(names, n)
		}
		for _, n := range got.Names() {
			if !seen[strings.ToLower(n)] {
				names = append(names, n)
			}
		}
	}
	var parts []string
	allWebhook := true
	for _, n := range names {
		w, wok := want.Get(n)
		g, gok := got.Get(n)
		if wok == gok && equalJSON(w, g) {
			continue
		}
		if setBy[strings.ToLower(n)] != "webhook" && setBy[strings.ToLower(n)] != "webhook form" {
			allWebhook = false
		}
		switch {
		case !gok:
			parts = append(parts, fmt.Sprintf("%s: missing, want %s", n, clip(compactJSON(w))))
		case !wok:
			parts = append(parts, fmt.Sprintf("%s: got %s, want none", n, clip(compactJSON(g))))
		default:
			parts = append(parts, fmt.Sprintf("%s: got %s, want %s", n, clip(compactJSON(g)), clip(compactJSON(w))))
		}
	}
	if len(parts) == 0 {
		return Diff{}, false
	}
	d := Diff{Type: DiffParameters, Description: strings.Join(parts, "; "), Untracked: untracked}
	if allWebhook {
		d.Cause = CauseSetByWebhook
	}
	return d, true
}

// compareTexts compares the text messages (PolicyTextMatch).
func (e *Emulator) compareTexts(want [][]string, got *Turn, params Params) (Diff, bool) {
	var msgs []Message
	for _, m := range got.Messages {
		if m.Kind == "text" {
			msgs = append(msgs, m)
		}
	}
	var parts []string
	cause := Cause("")
	allSame := true
	n := max(len(want), len(msgs))
	for i := 0; i < n; i++ {
		var w string
		if i < len(want) && len(want[i]) > 0 {
			w = strings.Join(want[i], "")
		}
		switch {
		case i >= len(msgs):
			parts = append(parts, fmt.Sprintf("message %d: missing, want %q", i+1, clip(w)))
			allSame = false
		case i >= len(want):
			parts = append(parts, fmt.Sprintf("message %d: got %q, want none", i+1, clip(msgs[i].Text)))
			allSame = false
		case !textMatches(w, msgs[i]):
			c := e.textCause(w, msgs[i], params)
			if c == "" {
				allSame = false
			} else if cause == "" {
				cause = c
			} else if cause != c {
				cause = CauseParamData
			}
			parts = append(parts, fmt.Sprintf("message %d: %s", i+1, textDiff(msgs[i].Text, w)))
		}
	}
	if len(parts) == 0 {
		return Diff{}, false
	}
	d := Diff{Type: DiffUtterance, Description: strings.Join(parts, "; ")}
	if allSame {
		d.Cause = cause
	}
	return d, true
}

func textMatches(want string, m Message) bool {
	if want == m.Text {
		return true
	}
	for _, v := range m.Variants {
		if v == want {
			return true
		}
	}
	return false
}

// textCause says why a text differs, if the replay can tell: the message
// came from a webhook, or rendering it with the recorded parameters gives
// the recorded text.
func (e *Emulator) textCause(want string, m Message, params Params) Cause {
	if m.FromWebhook {
		return CauseWebhookMessage
	}
	env := &expr.MapEnv{Session: map[string]any(params)}
	ctx := &expr.Context{Env: env, Location: e.tz}
	for _, src := range m.templates {
		tm := e.prog.tmpls[src]
		if tm == nil {
			continue
		}
		if out, _ := tm.Render(ctx); out == want {
			return CauseParamData
		}
	}
	return ""
}

// textDiff describes two different texts: whole when short, else around
// where they first differ.
func textDiff(got, want string) string {
	const window = 48
	if len(got) <= 2*window && len(want) <= 2*window {
		return fmt.Sprintf("got %q, want %q", got, want)
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	for i > 0 && i < len(got) && got[i]&0xC0 == 0x80 {
		i--
	}
	from := max(i-window/2, 0)
	for from > 0 && got[from]&0xC0 == 0x80 {
		from--
	}
	cut := func(s string) string {
		if from >= len(s) {
			return "…"
		}
		end := min(from+window+window/2, len(s))
		for end < len(s) && s[end]&0xC0 == 0x80 {
			end++
		}
		out := s[from:end]
		q := fmt.Sprintf("%q", out)
		if from > 0 {
			q = "…" + q
		}
		if end < len(s) {
			q += "…"
		}
		return q
	}
	return fmt.Sprintf("differs at byte %d: got %s, want %s", i, cut(got), cut(want))
}

// resync puts the session in the recorded state after a turn: its
// parameters, flow and page. It reports false when the recording names no
// page.
func (s *Session) resync(exp agent.Output, params Params) bool {
	s.params = params.Clone()
	if s.params == nil {
		s.params = Params{}
	}
	if exp.EndSession {
		s.ended = true
		s.endFlow = exp.Flow
		return true
	}
	if exp.Page == nil {
		return false
	}
	s.ended = false
	fr := s.top()
	if fr.flow != exp.Page.Flow {
		s.stack[len(s.stack)-1] = newFrame(exp.Page.Flow, exp.Page)
		fr = s.top()
	}
	if fr.page != exp.Page {
		fr.page = exp.Page
		fr.form = newForm()
	}
	fr.form.invalid = nil
	fr.form.prompted = nil
	for _, fp := range fr.page.Form {
		if fp.Required && !s.filled(fr, fp) {
			fr.form.prompted = fp
			break
		}
	}
	fr.form.promptedTurn = s.turnNo
	return true
}
