package emulator

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// NLUScore measures an NLU on replayed test cases (ReplayConfig.Mode
// UseNLU): per text turn, the intent triggered against the recorded one
// (no intent included), and the parameters the NLU read against the
// recorded parameter changes that only the utterance can explain (those
// of the recorded intent and of the page's form, as the oracle takes
// them; changes by presets and webhooks and injected parameters are left
// out). Replay with Resync, so that each turn starts from the recorded
// state and a miss does not carry into the turns after it.
type NLUScore struct {
	// Turns are the text turns measured; IntentOK those whose triggered
	// intent is the recorded one.
	Turns, IntentOK int
	// ParamTurns are the turns with a recorded parameter change to read
	// or a parameter the NLU read wrongly; ParamOK those where every
	// recorded change was read and nothing else was.
	ParamTurns, ParamOK int
	Misses              []NLUMiss
}

// An NLUMiss is one turn the NLU got wrong.
type NLUMiss struct {
	// Kind is "missed intent" (recorded an intent, got none), "spurious
	// intent" (recorded none), "wrong intent", "not extracted", "value
	// differs" or "extra parameter".
	Kind   string
	Case   string
	Turn   int
	Text   string
	Detail string
}

// IntentAccuracy is IntentOK / Turns (1 for no turns).
func (s *NLUScore) IntentAccuracy() float64 { return ratio(s.IntentOK, s.Turns) }

// ParamAccuracy is ParamOK / ParamTurns (1 for no such turns).
func (s *NLUScore) ParamAccuracy() float64 { return ratio(s.ParamOK, s.ParamTurns) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// ScoreNLU scores the text turns of replays made in UseNLU mode; turns
// replayed otherwise (Oracle mode, events, intents) are not counted.
func ScoreNLU(results []*CaseResult) *NLUScore {
	s := &NLUScore{}
	for _, r := range results {
		for _, tr := range r.Turns {
			if tr.Got == nil || tr.Oracle == nil || tr.Oracle.Source != "recording" || tr.Expect.Status != nil {
				continue
			}
			s.turn(r.Case.DisplayName, tr)
		}
	}
	return s
}

func intentName(u *Understanding) string {
	if u == nil || u.Intent == nil {
		return ""
	}
	return strings.TrimSpace(u.Intent.DisplayName)
}

func (s *NLUScore) turn(tc string, tr *TurnResult) {
	miss := func(kind, format string, args ...any) {
		s.Misses = append(s.Misses, NLUMiss{Kind: kind, Case: tc, Turn: tr.N, Text: clip(tr.Input.Text + tr.Input.DTMF.Digits), Detail: fmt.Sprintf(format, args...)})
	}
	got := tr.Got.Understood
	detail := ""
	if got != nil && got.Detail != "" {
		detail = " [" + clip(got.Detail) + "]"
	}
	s.Turns++
	want, have := "", ""
	if tr.Expect.Intent != nil {
		want = strings.TrimSpace(tr.Expect.Intent.DisplayName)
	}
	if tr.Got.Intent != nil {
		have = strings.TrimSpace(tr.Got.Intent.DisplayName)
	}
	switch {
	case want == have:
		s.IntentOK++
	case have == "":
		miss("missed intent", "recorded %q, got none%s", want, detail)
	case want == "":
		miss("spurious intent", "recorded none, got %q%s", have, detail)
	default:
		miss("wrong intent", "recorded %q, got %q%s", want, have, detail)
	}

	// Parameters: the reference is what the recording says the
	// utterance set; a value the NLU read counts as right when the
	// recorded session holds it after the turn.
	ref := map[string]any{}
	for _, pv := range append(append([]ParamValue(nil), tr.Oracle.Params...), tr.Oracle.Fill...) {
		ref[strings.ToLower(pv.Name)] = pv.Value
	}
	after := fromFulfillment(tr.Expect.Params)
	recorded := func(name string) (any, bool) {
		for _, k := range after.Names() {
			if strings.EqualFold(k, name) {
				return after[k], true
			}
		}
		return nil, false
	}
	read := map[string]any{}
	if got != nil {
		for _, pv := range append(append([]ParamValue(nil), got.Params...), got.Fill...) {
			if v, err := normalize(pv.Value); err == nil && v != nil {
				read[strings.ToLower(pv.Name)] = v
			}
		}
	}
	for _, k := range tr.Input.Params.Names() {
		delete(ref, strings.ToLower(k))
		delete(read, strings.ToLower(k))
	}
	var bad []string
	names := make([]string, 0, len(ref)+len(read))
	for k := range ref {
		names = append(names, k)
	}
	for k := range read {
		if _, ok := ref[k]; !ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	counted := len(ref) > 0
	for _, k := range names {
		w, inRef := ref[k]
		g, inRead := read[k]
		switch {
		case inRef && inRead && equalJSON(w, g):
		case inRef && inRead:
			bad = append(bad, k)
			miss("value differs", "%s recorded %s, got %s", k, compactJSON(w), compactJSON(g))
		case inRef:
			bad = append(bad, k)
			miss("not extracted", "%s recorded %s%s", k, compactJSON(w), detail)
		default:
			if rv, ok := recorded(k); ok && equalJSON(rv, g) {
				continue // the session already had it, or something else set it so
			}
			counted = true
			bad = append(bad, k)
			miss("extra parameter", "%s got %s", k, compactJSON(g))
		}
	}
	if counted {
		s.ParamTurns++
		if len(bad) == 0 {
			s.ParamOK++
		}
	}
}

// Write writes the score: the two accuracies, the misses by kind, then
// each miss.
func (s *NLUScore) Write(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "NLU intent accuracy: %d/%d text turns = %.1f%%\n", s.IntentOK, s.Turns, 100*s.IntentAccuracy())
	fmt.Fprintf(&b, "NLU parameter accuracy: %d/%d turns = %.1f%%\n", s.ParamOK, s.ParamTurns, 100*s.ParamAccuracy())
	kinds := map[string]int{}
	for _, m := range s.Misses {
		kinds[m.Kind]++
	}
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	if len(names) > 0 {
		b.WriteString("NLU misses by kind:")
		for i, k := range names {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, " %s %d", k, kinds[k])
		}
		b.WriteString("\n")
	}
	for _, m := range s.Misses {
		fmt.Fprintf(&b, "  %-16s %s #%d %q: %s\n", m.Kind, m.Case, m.Turn, m.Text, m.Detail)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
