package nlu_test

// The agents the tests measure: intents and entity types from the agent
// package's loader through nlu.FromAgent, and, read here as the files are,
// the flows' routes and forms (for the approximated scope of TestAccuracy)
// and the recorded test cases.

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	_ "time/tzdata" // the agents' time zones, whatever the machine has

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/nlu"
)

type exportAgent struct {
	dir string
	// cfg is the agent as nlu.FromAgent gives it, from the agent package's
	// loader; intents are its intents.
	cfg       nlu.Config
	intents   []nlu.Intent
	flows     map[string]*exportFlow
	testCases []exportTestCase
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
	pages            map[string]*exportPage
	groups           map[string][]exportRoute
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
	ag, err := agent.Load(dir)
	var le *agent.LoadError
	if err != nil && !errors.As(err, &le) {
		t.Fatalf("%s: %v", dir, err)
	}
	cfg, err := nlu.FromAgent(ag, "")
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	a.cfg = cfg
	a.intents = cfg.Intents

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
	cfg := a.cfg
	cfg.Intents = append([]nlu.Intent(nil), cfg.Intents...)
	return cfg
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

func trimmed(s string) string { return strings.TrimSpace(s) }
