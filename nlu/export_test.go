package nlu_test

// A reader of the parts of a JSON-package export that the tests need. The
// agent package (issue 9) will own loading; this one is test-only and
// reads the export as the files are, display names from inside the files.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the agents' time zones, whatever the machine has

	"github.com/cxhook/cxhook/nlu"
)

type exportAgent struct {
	dir         string
	timeZone    *time.Location
	language    string
	spell       bool
	intents     []nlu.Intent
	entityTypes []nlu.EntityType
	flows       map[string]*exportFlow
	testCases   []exportTestCase
}

type exportRoute struct {
	Intent    string `json:"intent"`
	Condition string `json:"condition"`
}

type exportFormParam struct {
	DisplayName string `json:"displayName"`
	EntityType  string `json:"entityType"`
	Required    bool   `json:"required"`
	IsList      bool   `json:"isList"`
}

type exportPage struct {
	DisplayName      string        `json:"displayName"`
	TransitionRoutes []exportRoute `json:"transitionRoutes"`
	RouteGroups      []string      `json:"transitionRouteGroups"`
	Form             struct {
		Parameters []exportFormParam `json:"parameters"`
	} `json:"form"`
}

type exportFlow struct {
	DisplayName      string        `json:"displayName"`
	TransitionRoutes []exportRoute `json:"transitionRoutes"`
	RouteGroups      []string      `json:"transitionRouteGroups"`
	NLUSettings      struct {
		ClassificationThreshold float64 `json:"classificationThreshold"`
	} `json:"nluSettings"`
	pages  map[string]*exportPage
	groups map[string][]exportRoute
}

type exportTurn struct {
	UserInput struct {
		Input struct {
			Text *struct {
				Text string `json:"text"`
			} `json:"text"`
		} `json:"input"`
		InjectedParameters map[string]any `json:"injectedParameters"`
	} `json:"userInput"`
	VirtualAgentOutput struct {
		SessionParameters map[string]any `json:"sessionParameters"`
		TriggeredIntent   *struct {
			Name string `json:"name"`
		} `json:"triggeredIntent"`
		CurrentPage struct {
			Name string `json:"name"`
			Flow string `json:"flow"`
		} `json:"currentPage"`
	} `json:"virtualAgentOutput"`
}

type exportTestCase struct {
	DisplayName  string       `json:"displayName"`
	Turns        []exportTurn `json:"testCaseConversationTurns"`
	CreationTime struct {
		Seconds int64 `json:"seconds"`
		Nanos   int64 `json:"nanos"`
	} `json:"creationTime"`
}

func readJSON(t testing.TB, path string, v any) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return true
}

// subdirs lists the folders of dir, sorted.
func subdirs(t testing.TB, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out
}

// jsonFiles lists the .json files of dir, sorted.
func jsonFiles(t testing.TB, dir string) []string {
	t.Helper()
	out, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func loadExport(t testing.TB, dir string) *exportAgent {
	t.Helper()
	a := &exportAgent{dir: dir, flows: map[string]*exportFlow{}}
	var agent struct {
		TimeZone              string `json:"timeZone"`
		DefaultLanguageCode   string `json:"defaultLanguageCode"`
		EnableSpellCorrection bool   `json:"enableSpellCorrection"`
	}
	readJSON(t, filepath.Join(dir, "agent.json"), &agent)
	loc, err := time.LoadLocation(agent.TimeZone)
	if err != nil {
		t.Fatalf("%s: time zone: %v", dir, err)
	}
	a.timeZone, a.language, a.spell = loc, agent.DefaultLanguageCode, agent.EnableSpellCorrection

	for _, d := range subdirs(t, filepath.Join(dir, "intents")) {
		var in struct {
			DisplayName string      `json:"displayName"`
			Priority    int         `json:"priority"`
			IsFallback  bool        `json:"isFallback"`
			Parameters  []nlu.Param `json:"parameters"`
		}
		files := jsonFiles(t, d)
		if len(files) != 1 {
			t.Fatalf("%s: %d intent files", d, len(files))
		}
		readJSON(t, files[0], &in)
		var tp struct {
			TrainingPhrases []struct {
				Parts []struct {
					Text        string `json:"text"`
					ParameterID string `json:"parameterId"`
				} `json:"parts"`
			} `json:"trainingPhrases"`
		}
		readJSON(t, filepath.Join(d, "trainingPhrases", "en.json"), &tp)
		intent := nlu.Intent{DisplayName: in.DisplayName, Priority: in.Priority, IsFallback: in.IsFallback, Parameters: in.Parameters}
		for _, ph := range tp.TrainingPhrases {
			var p nlu.Phrase
			for _, part := range ph.Parts {
				p.Parts = append(p.Parts, nlu.Part{Text: part.Text, ParameterID: part.ParameterID})
			}
			intent.Phrases = append(intent.Phrases, p)
		}
		a.intents = append(a.intents, intent)
	}

	for _, d := range subdirs(t, filepath.Join(dir, "entityTypes")) {
		var et struct {
			DisplayName           string `json:"displayName"`
			Kind                  string `json:"kind"`
			EnableFuzzyExtraction bool   `json:"enableFuzzyExtraction"`
			AutoExpansionMode     string `json:"autoExpansionMode"`
		}
		files := jsonFiles(t, d)
		if len(files) != 1 {
			t.Fatalf("%s: %d entity type files", d, len(files))
		}
		readJSON(t, files[0], &et)
		var ents struct {
			Entities []nlu.Entity `json:"entities"`
		}
		readJSON(t, filepath.Join(d, "entities", "en.json"), &ents)
		var ex struct {
			ExcludedPhrases []struct {
				Value string `json:"value"`
			} `json:"excludedPhrases"`
		}
		readJSON(t, filepath.Join(d, "excludedPhrases", "en.json"), &ex)
		kind := nlu.KindMap
		switch et.Kind {
		case "KIND_LIST":
			kind = nlu.KindList
		case "KIND_REGEXP":
			kind = nlu.KindRegexp
		}
		out := nlu.EntityType{
			DisplayName: et.DisplayName, Kind: kind, Entities: ents.Entities,
			EnableFuzzyExtraction: et.EnableFuzzyExtraction,
			AutoExpansion:         et.AutoExpansionMode == "AUTO_EXPANSION_MODE_DEFAULT",
		}
		for _, p := range ex.ExcludedPhrases {
			out.ExcludedPhrases = append(out.ExcludedPhrases, p.Value)
		}
		a.entityTypes = append(a.entityTypes, out)
	}

	for _, d := range subdirs(t, filepath.Join(dir, "flows")) {
		files := jsonFiles(t, d)
		if len(files) != 1 {
			t.Fatalf("%s: %d flow files", d, len(files))
		}
		f := &exportFlow{pages: map[string]*exportPage{}, groups: map[string][]exportRoute{}}
		readJSON(t, files[0], f)
		for _, pf := range jsonFiles(t, filepath.Join(d, "pages")) {
			p := &exportPage{}
			readJSON(t, pf, p)
			f.pages[p.DisplayName] = p
		}
		for _, gf := range jsonFiles(t, filepath.Join(d, "transitionRouteGroups")) {
			var g struct {
				DisplayName      string        `json:"displayName"`
				TransitionRoutes []exportRoute `json:"transitionRoutes"`
			}
			readJSON(t, gf, &g)
			f.groups[g.DisplayName] = g.TransitionRoutes
		}
		a.flows[f.DisplayName] = f
	}

	for _, f := range jsonFiles(t, filepath.Join(dir, "testCases")) {
		var tc exportTestCase
		readJSON(t, f, &tc)
		a.testCases = append(a.testCases, tc)
	}
	return a
}

func (a *exportAgent) config() nlu.Config {
	return nlu.Config{Intents: a.intents, EntityTypes: a.entityTypes, TimeZone: a.timeZone, LanguageCode: a.language, SpellCorrection: a.spell}
}

func (a *exportAgent) prepare(t testing.TB) *nlu.Model {
	t.Helper()
	m, err := nlu.Prepare(a.config())
	if err != nil {
		t.Fatalf("%s: %v", a.dir, err)
	}
	return m
}

// pageScope approximates CX's handler scope ([HANDLER] "Scope") for the
// intents: on the flow's start page, the flow's routes and groups; on
// another page, the page's intent routes and its groups' ones, plus the
// flow's intent routes and its groups' ones. It returns nil when the
// flow or page is not in the export.
func (a *exportAgent) pageScope(flow, page string) []string {
	f, ok := a.flows[flow]
	if !ok {
		return nil
	}
	var names []string
	add := func(routes []exportRoute) {
		for _, r := range routes {
			if r.Intent != "" {
				names = append(names, r.Intent)
			}
		}
	}
	add(f.TransitionRoutes)
	for _, g := range f.RouteGroups {
		add(f.groups[g])
	}
	if page != "" && page != "Start Page" {
		p, ok := f.pages[page]
		if !ok {
			return nil
		}
		add(p.TransitionRoutes)
		for _, g := range p.RouteGroups {
			add(f.groups[g])
		}
	}
	return names
}

func (a *exportAgent) intentNames() []string {
	var out []string
	for _, in := range a.intents {
		if !in.IsFallback {
			out = append(out, in.DisplayName)
		}
	}
	return out
}

// threshold is the flow's classification threshold.
func (a *exportAgent) threshold(flow string) float64 {
	if f, ok := a.flows[flow]; ok {
		return f.NLUSettings.ClassificationThreshold
	}
	return 0
}

func trimmed(s string) string { return strings.TrimSpace(s) }
