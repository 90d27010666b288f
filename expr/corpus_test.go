package expr

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The corpus: every condition, preset, preset target and templated text
// of the three real agents in ../shared/agents, copied with its file and
// JSON path into testdata/corpus.json. TestCorpus parses and evaluates
// each one; TestCorpusUpToDate checks the copy against the agents (and
// rewrites it with -update).

var update = flag.Bool("update", false, "rewrite testdata/corpus.json from ../shared/agents")

const (
	corpusFile = "testdata/corpus.json"
	agentsDir  = "../../shared/agents"
)

// corpusEntry is one extracted string. Kind says how the runtime uses
// it: "condition" (a route or conditional case), "preset" (a
// setParameterActions value, JSON in Value), "target" (a preset's
// parameter, a form parameter's name, a parameterMapping key), "text" (a
// message text or other string in a fulfillment message), "body" (a
// flexible webhook's request body template).
type corpusEntry struct {
	File  string          `json:"file"`
	Path  string          `json:"path"`
	Kind  string          `json:"kind"`
	Src   string          `json:"src,omitempty"`
	Value json.RawMessage `json:"value,omitempty"`
}

func extractCorpus(t *testing.T, root string) []corpusEntry {
	t.Helper()
	var out []corpusEntry
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testCases" {
			return filepath.SkipDir // goldens: outputs, not agent logic
		}
		if d.IsDir() || !strings.HasSuffix(p, ".json") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var x any
		if err := json.Unmarshal(data, &x); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		rel, _ := filepath.Rel(root, p)
		walkCorpus(filepath.ToSlash(rel), "", x, false, &out)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func walkCorpus(file, path string, x any, inMessage bool, out *[]corpusEntry) {
	switch t := x.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range t {
				if !yield(k) {
					return
				}
			}
		}) {
			v := t[k]
			p := path + "." + k
			switch {
			case k == "condition":
				if s, ok := v.(string); ok {
					*out = append(*out, corpusEntry{File: file, Path: p, Kind: "condition", Src: s})
					continue
				}
			case k == "setParameterActions":
				if l, ok := v.([]any); ok {
					for i, a := range l {
						m, _ := a.(map[string]any)
						ap := p + "[" + strconv.Itoa(i) + "]"
						if s, ok := m["parameter"].(string); ok {
							*out = append(*out, corpusEntry{File: file, Path: ap + ".parameter", Kind: "target", Src: s})
						}
						raw, _ := json.Marshal(m["value"])
						*out = append(*out, corpusEntry{File: file, Path: ap + ".value", Kind: "preset", Value: raw})
					}
					continue
				}
			case k == "requestBody":
				if s, ok := v.(string); ok {
					*out = append(*out, corpusEntry{File: file, Path: p, Kind: "body", Src: s})
					continue
				}
			case k == "parameterMapping":
				// Exported as a map or as [{key, value}]; the keys are
				// parameters (targets), the values JsonPaths.
				if m, ok := v.(map[string]any); ok {
					for _, mk := range slices.Sorted(func(yield func(string) bool) {
						for k := range m {
							if !yield(k) {
								return
							}
						}
					}) {
						*out = append(*out, corpusEntry{File: file, Path: p + "[" + strconv.Quote(mk) + "]", Kind: "target", Src: mk})
					}
					continue
				}
				if l, ok := v.([]any); ok {
					for i, e := range l {
						if m, ok := e.(map[string]any); ok {
							if s, ok := m["key"].(string); ok {
								*out = append(*out, corpusEntry{File: file, Path: p + "[" + strconv.Itoa(i) + "].key", Kind: "target", Src: s})
							}
						}
					}
					continue
				}
			case k == "displayName" && strings.Contains(path, ".form.parameters["):
				if s, ok := v.(string); ok && strings.HasPrefix(s, "$") {
					*out = append(*out, corpusEntry{File: file, Path: p, Kind: "target", Src: s})
					continue
				}
			}
			walkCorpus(file, p, v, inMessage || k == "messages", out)
		}
	case []any:
		for i, e := range t {
			walkCorpus(file, path+"["+strconv.Itoa(i)+"]", e, inMessage, out)
		}
	case string:
		if inMessage && strings.Contains(t, "$") {
			*out = append(*out, corpusEntry{File: file, Path: path, Kind: "text", Src: t})
		}
	}
}

func marshalCorpus(t *testing.T, entries []corpusEntry) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("[\n")
	for i, e := range entries {
		line, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		if i < len(entries)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("]\n")
	return b.Bytes()
}

func TestCorpusUpToDate(t *testing.T) {
	if _, err := os.Stat(agentsDir); err != nil {
		if *update {
			t.Fatalf("-update needs %s: %v", agentsDir, err)
		}
		t.Skipf("%s not found; the checked-in corpus is used as it is", agentsDir)
	}
	got := marshalCorpus(t, extractCorpus(t, agentsDir))
	if *update {
		if err := os.WriteFile(corpusFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(corpusFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date with %s; run go test ./expr -run TestCorpusUpToDate -update", corpusFile, agentsDir)
	}
}

func loadCorpus(t *testing.T) []corpusEntry {
	t.Helper()
	entries, err := readCorpus()
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

func readCorpus() ([]corpusEntry, error) {
	data, err := os.ReadFile(corpusFile)
	if err != nil {
		return nil, err
	}
	var entries []corpusEntry
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("%s: %w", corpusFile, err)
	}
	return entries, nil
}

// corpusContext is an evaluation context with nothing set: every
// reference is absent.
func corpusContext() *Context {
	return &Context{
		Env:      &MapEnv{},
		Now:      func() time.Time { return time.Date(2020, 12, 2, 4, 29, 17, 0, time.UTC) },
		Location: time.UTC,
		Rand:     rand.New(rand.NewPCG(1, 2)),
	}
}

// TestCorpus parses every extracted string as the runtime will, and
// evaluates it on an empty environment. A string that does not parse
// fails the test with its file and JSON path; none is skipped.
func TestCorpus(t *testing.T) {
	entries := loadCorpus(t)
	counts := map[string]int{}
	for _, e := range entries {
		counts[e.Kind]++
		where := e.File + " " + e.Path
		c := corpusContext()
		switch e.Kind {
		case "condition":
			cond, err := ParseCond(e.Src)
			if err != nil {
				t.Errorf("%s: condition %q: %v", where, e.Src, err)
				continue
			}
			if _, err := cond.Eval(c); err != nil {
				t.Logf("%s: %q on an empty session: %v", where, e.Src, err)
			}
		case "preset":
			var x any
			if err := json.Unmarshal(e.Value, &x); err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			p, err := ParsePreset(x)
			if err != nil {
				t.Errorf("%s: preset %s: %v", where, e.Value, err)
				continue
			}
			if _, err := p.Eval(c); err != nil {
				t.Logf("%s: preset %s on an empty session: %v", where, e.Value, err)
			}
		case "target":
			if _, err := ParseTarget(e.Src); err != nil {
				t.Errorf("%s: parameter %q: %v", where, e.Src, err)
			}
		case "text", "body":
			tmpl, err := ParseTemplate(e.Src)
			if err != nil {
				t.Errorf("%s: text %q: %v", where, e.Src, err)
				continue
			}
			if _, err := tmpl.Render(c); err != nil {
				t.Logf("%s: %q on an empty session: %v", where, e.Src, err)
			}
		default:
			t.Errorf("%s: unknown kind %q", where, e.Kind)
		}
	}
	// The agents hold 112 distinct conditions (CXRUNTIME.md §1.10) in
	// more places; a much smaller count means the extraction broke.
	for kind, least := range map[string]int{"condition": 150, "preset": 400, "target": 400, "text": 40, "body": 3} {
		if counts[kind] < least {
			t.Errorf("corpus has %d %s entries, want at least %d", counts[kind], kind, least)
		}
	}
	t.Logf("corpus: %v", counts)
}

// TestNotInDeployableFunction: the function that is deployed does not
// link this package (the emulator's code stays out of its binary and
// cold start). The repository's deps_test.go is the place for this rule;
// this test holds it until that list names the package.
func TestNotInDeployableFunction(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH")
	}
	cmd := exec.Command(goTool, "list", "-deps", "github.com/cxhook/cxhook")
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	if strings.Count(string(out), "\n") < 10 {
		t.Fatalf("go list -deps printed too little: %q", out)
	}
	for pkg := range strings.Lines(string(out)) {
		if strings.TrimSpace(pkg) == "github.com/cxhook/cxhook/expr" {
			t.Error("the deployable function links github.com/cxhook/cxhook/expr")
		}
	}
}
