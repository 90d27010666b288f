package emulator

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/expr"
	"github.com/cxhook/cxhook/fulfillment"
)

// Config configures an [Emulator].
type Config struct {
	// Webhooks says where webhook calls go; nil disables them (each call
	// site is traced as skipped, as in a CX test turn with webhooks off).
	Webhooks *Webhooks
	// NLU understands free text; nil means text input must carry its
	// understanding (Input.Understood) or be an intent.
	NLU NLU
	// Seed seeds the choice of random message variants and RAND; sessions
	// derive their own seed from it and their ID, so that a session's
	// choices do not depend on other sessions.
	Seed uint64
	// Now is the clock of NOW, the date functions and the NLU; nil means
	// time.Now. A session can pin its own (SessionConfig.Now).
	Now func() time.Time
	// LanguageCode is the language of the conversation; "" means the
	// agent's default language.
	LanguageCode string
	// Channel selects the channel-specific messages to send ("" sends the
	// messages without a channel only).
	Channel string
	// AgentName is the agent's resource name in webhook requests
	// (projects/P/locations/L/agents/A); "" makes one from the agent's
	// project number.
	AgentName string
}

// An Emulator runs one exported agent. Make one with [New]; it is safe for
// concurrent use, and each [Session] it makes is one conversation.
type Emulator struct {
	prog    *program
	cfg     Config
	tz      *time.Location
	agentNm string
	slots   sync.Map // *agent.Page -> []slot
}

// New prepares the agent for running: every condition, text and preset is
// parsed once. Parts that do not parse are reported by [Emulator.Problems]
// and skipped at run time with a warning; New fails only for an agent that
// cannot run at all (nil, or without a start flow).
func New(a *agent.Agent, cfg Config) (*Emulator, error) {
	if a == nil {
		return nil, errors.New("emulator: nil agent")
	}
	if a.StartFlow == nil {
		return nil, errors.New("emulator: the agent has no start flow (agents that start with a playbook cannot be emulated)")
	}
	e := &Emulator{prog: compile(a), cfg: cfg, tz: time.UTC}
	if a.TimeZone != "" {
		if loc, err := time.LoadLocation(a.TimeZone); err == nil {
			e.tz = loc
		}
	}
	e.agentNm = cfg.AgentName
	if e.agentNm == "" {
		project := a.ProjectNumber
		if project == "" {
			project = "emulator"
		}
		e.agentNm = "projects/" + project + "/locations/global/agents/" + uuidFrom(a.DisplayName+"|"+a.StartFlow.ID)
	}
	if cfg.LanguageCode == "" {
		e.cfg.LanguageCode = a.DefaultLanguageCode
	}
	if e.cfg.LanguageCode == "" {
		e.cfg.LanguageCode = "en"
	}
	return e, nil
}

// Agent returns the agent the emulator runs.
func (e *Emulator) Agent() *agent.Agent { return e.prog.agent }

// Problems returns the parts of the agent that do not parse.
func (e *Emulator) Problems() []Problem { return e.prog.problems }

// SessionConfig configures one session.
type SessionConfig struct {
	// ID is the session ID in webhook requests; "" makes one.
	ID string
	// Flow and Page are where the conversation starts: the agent's start
	// flow when Flow is nil, the flow's start page when Page is nil.
	Flow *agent.Flow
	Page *agent.Page
	// Params are session parameters set before the first turn.
	Params Params
	// Now overrides the emulator's clock for this session (a replay pins
	// it to the test case's creation time).
	Now func() time.Time
	// Payload is sent as the webhook requests' payload (QueryParameters
	// payload, such as the telephony caller ID).
	Payload map[string]any
	// Coverage, if set, records the pages, routes and intents the session
	// reaches.
	Coverage *Coverage
	// Seed, if not 0, replaces the emulator's seed for this session.
	Seed uint64
}

// A Session is one conversation with the agent. It is not safe for
// concurrent use.
type Session struct {
	e       *Emulator
	cfg     SessionConfig
	id      string
	params  Params
	stack   []*frame
	prev    *pageSnapshot
	ended   bool
	endFlow *agent.Flow
	rand    *rand.Rand
	now     func() time.Time
	ctx     expr.Context
	env     env
	turnNo  int
	cur     *turn
	// setBy is what set each session parameter in the last turn.
	setBy map[string]string
}

var sessionCount struct {
	sync.Mutex
	n uint64
}

// NewSession starts a conversation.
func (e *Emulator) NewSession(cfg SessionConfig) *Session {
	s := &Session{e: e, cfg: cfg, id: cfg.ID}
	if s.id == "" {
		sessionCount.Lock()
		sessionCount.n++
		n := sessionCount.n
		sessionCount.Unlock()
		s.id = fmt.Sprintf("emulator-%d", n)
	}
	base := e.cfg.Seed
	if cfg.Seed != 0 {
		base = cfg.Seed
	}
	h := fnv.New64a()
	h.Write([]byte(s.id))
	seed := h.Sum64() ^ base
	s.rand = rand.New(rand.NewPCG(base, seed))
	s.now = cfg.Now
	if s.now == nil {
		s.now = e.cfg.Now
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.env.s = s
	s.ctx = expr.Context{Env: &s.env, Now: s.now, Location: e.tz, Rand: s.rand, Note: s.exprNote}
	s.reset()
	return s
}

// reset puts the session at its start: parameters from the config, the
// start flow (or the configured flow and page) on the stack.
func (s *Session) reset() {
	s.params = s.cfg.Params.Clone()
	if s.params == nil {
		s.params = Params{}
	}
	flow := s.cfg.Flow
	if flow == nil {
		flow = s.e.prog.agent.StartFlow
	}
	page := s.cfg.Page
	if page == nil || page.Flow != flow {
		page = flow.StartPage
	}
	s.stack = []*frame{newFrame(flow, page)}
	s.prev = nil
	s.ended = false
	s.endFlow = nil
}

// ID returns the session ID.
func (s *Session) ID() string { return s.id }

// Params returns a copy of the session parameters.
func (s *Session) Params() Params { return s.params.Clone() }

// SetParam sets a session parameter between turns (nil sets null).
func (s *Session) SetParam(name string, v any) error {
	x, err := normalize(v)
	if err != nil {
		return fmt.Errorf("parameter %q: %w", name, err)
	}
	s.params.set(name, x)
	return nil
}

// Page returns the current page; nil after the session ended.
func (s *Session) Page() *agent.Page {
	if s.ended {
		return nil
	}
	return s.top().page
}

// Flow returns the active flow (after the session ended, the flow it ended
// in).
func (s *Session) Flow() *agent.Flow {
	if s.ended {
		return s.endFlow
	}
	return s.top().flow
}

// Ended reports whether the session has ended; the next input starts a new
// one.
func (s *Session) Ended() bool { return s.ended }

// Reset starts the conversation over, as a new session with the same ID.
func (s *Session) Reset() { s.reset() }

func (s *Session) top() *frame { return s.stack[len(s.stack)-1] }

// InputKind says what an input is.
type InputKind uint8

// The kinds of input.
const (
	InputText InputKind = iota + 1
	InputIntent
	InputEvent
	InputDTMF
)

// An Input is one end-user turn.
type Input struct {
	Kind InputKind
	// Text is the text of InputText ("" is no input: sys.no-input).
	Text string
	// Intent is the display name of the intent of InputIntent (an
	// intent's surrounding spaces may be left out).
	Intent string
	// Event is the event name of InputEvent.
	Event string
	// Digits and FinishDigit are InputDTMF's.
	Digits, FinishDigit string
	// Params are injected parameters: set as session parameters before
	// the input is matched. For InputIntent they are also the intent's
	// parameters.
	Params Params
	// Understood, for text and DTMF, is what the input means, in place of
	// asking the NLU.
	Understood *Understanding
	// NoWebhooks disables webhook calls for this turn.
	NoWebhooks bool
	// LanguageCode overrides the session's language for this turn.
	LanguageCode string
}

// Text returns a text input.
func Text(text string) Input { return Input{Kind: InputText, Text: text} }

// Intent returns an input that triggers the intent, with params as its
// parameters.
func Intent(displayName string, params Params) Input {
	return Input{Kind: InputIntent, Intent: displayName, Params: params}
}

// Event returns an input that raises a custom event.
func Event(name string) Input { return Input{Kind: InputEvent, Event: name} }

// DTMF returns keypad input.
func DTMF(digits string) Input { return Input{Kind: InputDTMF, Digits: digits} }

// String describes the input for a trace.
func (in Input) String() string {
	switch in.Kind {
	case InputText:
		return fmt.Sprintf("text %q", in.Text)
	case InputIntent:
		return fmt.Sprintf("intent %q", in.Intent)
	case InputEvent:
		return fmt.Sprintf("event %q", in.Event)
	case InputDTMF:
		return fmt.Sprintf("dtmf %q", in.Digits+in.FinishDigit)
	}
	return "no input"
}

// A Turn is what the agent did with one input.
type Turn struct {
	Input Input
	// Intent is the intent the input matched; nil if none.
	Intent *agent.Intent
	// Messages are the messages sent, in order.
	Messages []Message
	// Flow and Page are where the session is after the turn; Page is nil
	// and EndSession set when the session ended (Flow is then the flow it
	// ended in).
	Flow       *agent.Flow
	Page       *agent.Page
	EndSession bool
	// Params are the session parameters after the turn.
	Params Params
	// Payloads are the payloads of the webhook answers, in order.
	Payloads []map[string]any
	// Webhooks are the webhook calls made.
	Webhooks []*WebhookCall
	// Trace is everything that happened, in order.
	Trace []Step
	// Notes are the policies the turn depended on (also in Trace).
	Notes []Note
	// Err is set when the turn stopped early (a limit was reached); the
	// session is then where the turn left it.
	Err error
}

// Texts returns the text of each text message.
func (t *Turn) Texts() []string {
	var out []string
	for _, m := range t.Messages {
		if m.Kind == fulfillment.KindText {
			out = append(out, m.Text)
		}
	}
	return out
}

// PageName returns the page's display name as CX test cases record it:
// "End Session" after the session ended, "Start Page" on a start page.
func (t *Turn) PageName() string {
	if t.EndSession || t.Page == nil {
		return "End Session"
	}
	return t.Page.DisplayName
}

// FlowName returns the flow's display name.
func (t *Turn) FlowName() string {
	if t.Flow == nil {
		return ""
	}
	return t.Flow.DisplayName
}

// ResponseType says which kind of fulfillment queued a message, as CX's
// WebhookRequest messages say.
type ResponseType uint8

// The response types.
const (
	EntryPrompt ResponseType = iota + 1
	ParameterPrompt
	HandlerPrompt
)

func (r ResponseType) String() string {
	switch r {
	case EntryPrompt:
		return "ENTRY_PROMPT"
	case ParameterPrompt:
		return "PARAMETER_PROMPT"
	case HandlerPrompt:
		return "HANDLER_PROMPT"
	}
	return "RESPONSE_TYPE_UNSPECIFIED"
}

// A Message is one message of a turn.
type Message struct {
	Kind fulfillment.MessageKind
	// Text is the text sent, for a text or output-audio message: one
	// variant, rendered.
	Text string
	// Variants are all variants of a text message, rendered, the one sent
	// among them.
	Variants []string
	// Type is the kind of fulfillment that queued it.
	Type ResponseType
	// Source says which fulfillment queued it ("entry of page X", "route
	// Y", "webhook Z").
	Source string
	// FromWebhook marks a message a webhook answered with.
	FromWebhook bool
	// Raw is the message as the agent or the webhook wrote it, before
	// rendering.
	Raw fulfillment.Message
	// templates are the variants as written, for a replay to render
	// against the recorded parameters.
	templates []string
	channel   string
}

// Send runs one turn. An error means the input could not be taken (an
// intent the agent lacks, text without an NLU, an NLU error); the session
// is then unchanged. Limits reached while the turn runs are reported in
// Turn.Err with the session where the turn left it.
func (s *Session) Send(ctx context.Context, in Input) (*Turn, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	t := &turn{s: s, ctx: ctx, in: in, out: &Turn{Input: in}}
	if err := t.check(); err != nil {
		return nil, err
	}
	s.turnNo++
	s.cur = t
	defer func() { s.cur = nil }()
	if s.ended {
		t.note(PolicyEndSession, "the session had ended: this input starts a new one")
		s.reset()
	}
	if err := t.run(); err != nil {
		return nil, err
	}
	t.finish()
	s.setBy = t.setBy
	return t.out, nil
}

// lookupIntent finds an intent by display name, exactly or up to spaces at
// either end (exports keep trailing spaces in some names).
func (e *Emulator) lookupIntent(name string) *agent.Intent {
	a := e.prog.agent
	if i := a.Intent(name); i != nil {
		return i
	}
	want := strings.TrimSpace(name)
	for _, i := range a.Intents {
		if strings.TrimSpace(i.DisplayName) == want {
			return i
		}
	}
	return nil
}

// uuidFrom makes a UUID-shaped name from a string, so that generated
// resource names are stable across runs.
func uuidFrom(s string) string {
	h := fnv.New128a()
	h.Write([]byte(s))
	b := h.Sum(nil)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
