package nlu_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cxhook/cxhook/nlu"
)

// TestAccuracy replays the recorded user turns of the flight agent's test
// cases through Understand and compares, per turn, the triggered intent
// (no intent included) and the parameter changes with what CX recorded.
// Run it with -v for the report.
//
// What is approximated, since the runtime that will drive the NLU is not
// there yet:
//   - The state at the start of each turn is the recorded one: the page
//     of the previous turn's output (the start page of the Default Start
//     Flow first, and again after "End Session") and its session
//     parameters. The NLU is measured, not the agent logic.
//   - The intents in scope are, in the "agent" mode the issue asks for,
//     every intent of the agent; in the "page" mode, the intents of the
//     routes in scope on that page as CXRUNTIME.md §1.2 gives them (the
//     page's routes and route groups, the flow's intent routes and
//     groups). The runtime will give the real scope.
//   - The form being filled is the page's form less the parameters the
//     session already has; the prompted parameter is the first required
//     one of those.
//   - A recorded parameter change counts as NLU output when it is a form
//     parameter of the page the turn starts on, or a parameter of the
//     recorded or the matched intent; changes made by presets and
//     webhooks (mileage, account_credits) and injected parameters are
//     left out, and so are deletions (presets setting null).
//   - The clock is pinned to the test case's creation time, in the
//     agent's time zone.
func TestAccuracy(t *testing.T) {
	a := loadExport(t, "../testdata/agents/digibhem-flight-bot")
	m := a.prepare(t)
	for _, w := range m.Warnings() {
		t.Logf("warning: %s", w)
	}
	// Floors just below what the current code reaches, so that a
	// regression fails; see the report for the figures.
	floors := map[string][2]float64{
		"agent": {0.865, 0.90},
		"page":  {0.92, 0.89},
	}
	for _, mode := range []string{"agent", "page"} {
		t.Run(mode, func(t *testing.T) {
			r := replay(t, a, m, mode)
			t.Log(r.String())
			if got := r.intentAccuracy(); got < floors[mode][0] {
				t.Errorf("intent accuracy %.3f, below the floor %.2f", got, floors[mode][0])
			}
			if got := r.paramAccuracy(); got < floors[mode][1] {
				t.Errorf("parameter accuracy %.3f, below the floor %.2f", got, floors[mode][1])
			}
		})
	}
}

type miss struct {
	kind, detail string
}

type report struct {
	mode                      string
	turns, intentOK           int
	withIntent, withIntentOK  int
	noIntent, noIntentOK      int
	exact                     int
	paramTurns, paramOK       int
	values, valuesOK          int
	intentMisses, paramMisses []miss
}

func (r *report) intentAccuracy() float64 { return ratio(r.intentOK, r.turns) }
func (r *report) paramAccuracy() float64  { return ratio(r.paramOK, r.paramTurns) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func (r *report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "scope: %s\n", r.mode)
	fmt.Fprintf(&b, "intent accuracy: %d/%d = %.1f%% (recorded intent %d/%d, recorded no intent %d/%d; %d exact phrases)\n",
		r.intentOK, r.turns, 100*r.intentAccuracy(), r.withIntentOK, r.withIntent, r.noIntentOK, r.noIntent, r.exact)
	fmt.Fprintf(&b, "parameter accuracy: %d/%d turns = %.1f%% (values %d/%d)\n",
		r.paramOK, r.paramTurns, 100*r.paramAccuracy(), r.valuesOK, r.values)
	for _, group := range []struct {
		name   string
		misses []miss
	}{{"intent misses", r.intentMisses}, {"parameter misses", r.paramMisses}} {
		kinds := map[string]int{}
		for _, ms := range group.misses {
			kinds[ms.kind]++
		}
		names := make([]string, 0, len(kinds))
		for k := range kinds {
			names = append(names, k)
		}
		sort.Strings(names)
		fmt.Fprintf(&b, "%s by kind:", group.name)
		for _, k := range names {
			fmt.Fprintf(&b, " %s %d;", k, kinds[k])
		}
		b.WriteString("\n")
		for _, ms := range group.misses {
			fmt.Fprintf(&b, "  %-22s %s\n", ms.kind, ms.detail)
		}
	}
	return b.String()
}

// canon returns v as canonical JSON, for comparing values of any shape.
func canon(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	var x any
	_ = json.Unmarshal(b, &x)
	b, _ = json.Marshal(x)
	return string(b)
}

func lowerKeys(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

func replay(t *testing.T, a *exportAgent, m *nlu.Model, mode string) *report {
	r := &report{mode: mode}
	all, err := m.Scope(a.intentNames()...)
	if err != nil {
		t.Fatal(err)
	}
	intentParams := map[string]map[string]bool{}
	for _, in := range a.intents {
		ps := map[string]bool{}
		for _, p := range in.Parameters {
			ps[strings.ToLower(p.ID)] = true
		}
		intentParams[in.DisplayName] = ps
	}
	const startFlow = "Default Start Flow"
	for _, tc := range a.testCases {
		now := time.Unix(tc.CreationTime.Seconds, tc.CreationTime.Nanos)
		flow, page := startFlow, "Start Page"
		prev := map[string]any{}
		for ti, turn := range tc.Turns {
			out := turn.VirtualAgentOutput
			cur := lowerKeys(out.SessionParameters)
			if turn.UserInput.Input.Text == nil {
				flow, page, prev = out.CurrentPage.Flow, out.CurrentPage.Name, cur
				continue
			}
			text := turn.UserInput.Input.Text.Text
			if page == "End Session" {
				flow, page = startFlow, "Start Page"
			}
			scope := all
			if mode == "page" {
				names := a.pageScope(flow, page)
				if names == nil {
					t.Fatalf("%s turn %d: page %q of flow %q is not in the export", tc.DisplayName, ti+1, page, flow)
				}
				if scope, err = m.Scope(names...); err != nil {
					t.Fatal(err)
				}
			}
			// The form and the prompted parameter.
			var form *nlu.Form
			formParams := map[string]bool{}
			if p := a.flows[flow].pages[page]; p != nil && len(p.Form.Parameters) > 0 {
				form = &nlu.Form{}
				for _, fp := range p.Form.Parameters {
					name := strings.ToLower(fp.DisplayName)
					formParams[name] = true
					if v, ok := prev[name]; ok && v != nil {
						continue
					}
					form.Params = append(form.Params, nlu.FormParam{Name: fp.DisplayName, EntityType: fp.EntityType, IsList: fp.IsList})
					if form.Prompted == "" && fp.Required {
						form.Prompted = fp.DisplayName
					}
				}
				if len(form.Params) == 0 {
					form = nil
				}
			}
			got := m.Understand(nlu.TurnRequest{Text: text, Scope: scope, Threshold: m.Threshold(flow), Now: now, Form: form})
			want := ""
			if out.TriggeredIntent != nil {
				want = out.TriggeredIntent.Name
			}
			gotIntent := ""
			if got.Kind == nlu.TurnIntent {
				gotIntent = got.Intent.Intent
			}
			where := fmt.Sprintf("%q (%s #%d, on %q)", text, tc.DisplayName, ti+1, page)
			r.turns++
			if got.Intent.Exact && got.Kind == nlu.TurnIntent {
				r.exact++
			}
			if want != "" {
				r.withIntent++
			} else {
				r.noIntent++
			}
			if gotIntent == want {
				r.intentOK++
				if want != "" {
					r.withIntentOK++
				} else {
					r.noIntentOK++
				}
			} else {
				kind := "wrong intent"
				switch {
				case gotIntent == "":
					kind = "missed intent"
				case want == "":
					kind = "spurious intent"
				}
				r.intentMisses = append(r.intentMisses, miss{kind, fmt.Sprintf("%s: recorded %q, got %q (%.2f, %s)", where, trimmed(want), trimmed(gotIntent), got.Intent.Confidence, got.Intent.Reason)})
			}

			// Parameters.
			attributable := map[string]bool{}
			for k := range formParams {
				attributable[k] = true
			}
			for k := range intentParams[want] {
				attributable[k] = true
			}
			for k := range intentParams[gotIntent] {
				attributable[k] = true
			}
			for k := range turn.UserInput.InjectedParameters {
				delete(attributable, strings.ToLower(k))
			}
			wantP := map[string]string{}
			for k, v := range cur {
				if attributable[k] && v != nil && canon(prev[k]) != canon(v) {
					wantP[k] = canon(v)
				}
			}
			gotP := map[string]string{}
			var vals []nlu.Value
			switch got.Kind {
			case nlu.TurnIntent:
				vals = got.Intent.Parameters
			case nlu.TurnFill:
				vals = got.Form.Filled
			}
			for _, v := range vals {
				k := strings.ToLower(v.Param)
				if attributable[k] {
					gotP[k] = canon(v.Resolved)
				}
			}
			if len(wantP) > 0 || len(gotP) > 0 {
				r.paramTurns++
				if reflect.DeepEqual(wantP, gotP) {
					r.paramOK++
				}
				keys := map[string]bool{}
				for k := range wantP {
					keys[k] = true
				}
				for k := range gotP {
					keys[k] = true
				}
				names := make([]string, 0, len(keys))
				for k := range keys {
					names = append(names, k)
				}
				sort.Strings(names)
				for _, k := range names {
					w, inW := wantP[k]
					g, inG := gotP[k]
					if inW {
						r.values++
					}
					switch {
					case inW && inG && w == g:
						r.valuesOK++
					case inW && inG:
						kind := "value differs"
						if sameButYear(w, g) {
							kind = "date year differs"
						}
						r.paramMisses = append(r.paramMisses, miss{kind, fmt.Sprintf("%s: %s recorded %s, got %s", where, k, w, g)})
					case inW:
						r.paramMisses = append(r.paramMisses, miss{"not extracted", fmt.Sprintf("%s: %s recorded %s", where, k, w)})
					default:
						r.paramMisses = append(r.paramMisses, miss{"extra", fmt.Sprintf("%s: %s got %s", where, k, g)})
					}
				}
			}
			flow, page, prev = out.CurrentPage.Flow, out.CurrentPage.Name, cur
		}
	}
	return r
}

// sameButYear reports whether two canonical @sys.date values differ only
// in the year: the clock of a recording that is later than the test
// case's creation time (CXRUNTIME.md: "Jan 5" resolved to 2022 in a test
// case created in 2020).
func sameButYear(a, b string) bool {
	var x, y map[string]any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	if _, ok := x["year"]; !ok {
		return false
	}
	delete(x, "year")
	delete(y, "year")
	return reflect.DeepEqual(x, y)
}
