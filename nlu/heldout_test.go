package nlu_test

import (
	"fmt"
	"sort"
	"testing"

	"github.com/cxhook/cxhook/nlu"
)

// TestHeldOutPhrases measures the matcher on the three shared agents,
// which (but for the flight agent) have no recorded turns: five-fold
// cross-validation over their training phrases. Each phrase is held out
// of the model in turn and classified with every intent in scope; it is
// right when it matches its own intent (for a negative intent's phrase:
// when nothing matches). Intents with identical phrases (the prebuilt
// components' escalate_human_agent and escalate_human_agent_1) make some
// of this ambiguous by construction; nothing is excluded for it.
func TestHeldOutPhrases(t *testing.T) {
	const folds = 5
	floors := map[string]float64{
		"digibhem-flight-bot": 0.57,
		"goodbye-graffiti":    0.62,
		"servicenow-demo":     0.72,
	}
	for _, name := range []string{"digibhem-flight-bot", "goodbye-graffiti", "servicenow-demo"} {
		t.Run(name, func(t *testing.T) {
			a := loadExport(t, "testdata/"+name)
			right, total := 0, 0
			misses := map[string]int{}
			for fold := 0; fold < folds; fold++ {
				cfg := a.config()
				type held struct {
					text, intent string
					fallback     bool
				}
				var test []held
				k := 0
				cfg.Intents = nil
				for _, in := range a.intents {
					keep := in
					keep.Phrases = nil
					for _, p := range in.Phrases {
						if k%folds == fold {
							test = append(test, held{p.Text(), in.DisplayName, in.IsFallback})
						} else {
							keep.Phrases = append(keep.Phrases, p)
						}
						k++
					}
					cfg.Intents = append(cfg.Intents, keep)
				}
				m, err := nlu.Prepare(cfg)
				if err != nil {
					t.Fatal(err)
				}
				for _, h := range test {
					r := m.Classify(nlu.Request{Text: h.text, Now: created})
					ok := r.Intent == h.intent || (h.fallback && r.Intent == "")
					total++
					if ok {
						right++
					} else {
						got := r.Intent
						if got == "" {
							got = "(no match)"
						}
						misses[fmt.Sprintf("%s -> %s", trimmed(h.intent), trimmed(got))]++
					}
				}
			}
			acc := ratio(right, total)
			t.Logf("%s: held-out phrases matched to their intent: %d/%d = %.1f%%", name, right, total, 100*acc)
			keys := make([]string, 0, len(misses))
			for k := range misses {
				keys = append(keys, k)
			}
			sort.Slice(keys, func(i, j int) bool {
				if misses[keys[i]] != misses[keys[j]] {
					return misses[keys[i]] > misses[keys[j]]
				}
				return keys[i] < keys[j]
			})
			for _, k := range keys[:min(len(keys), 8)] {
				t.Logf("  %3d× %s", misses[k], k)
			}
			if acc < floors[name] {
				t.Errorf("accuracy %.3f below the floor %.2f", acc, floors[name])
			}
		})
	}
}
