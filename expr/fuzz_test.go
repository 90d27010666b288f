package expr

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// fuzzSeeds are the corpus's strings plus hand-picked edge cases.
func fuzzSeeds(f *testing.F) {
	for _, s := range []string{
		"", "true", `$page.params.status = FINAL`, `NOT ($flow.a = 1 OR $flow.b : "x") AND true`,
		`$sys.func.IF("$flow.x = \"a b\"", [1, 'two'], $sys.func.APPEND($flow.l, 3))`,
		`Hi $session.params.name. $75 $sys.func.UPPER($flow.x)!`, `$flow.a[0].b = 2022-01-05`,
		`$sys.func.FILTER($flow.x, "$..a[?(@.b > 1)]")`, "a\\,b", `"\`, `$sys.func.`,
	} {
		f.Add(s)
	}
	data, err := readCorpusStrings()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range data {
		f.Add(s)
	}
}

func readCorpusStrings() ([]string, error) {
	entries, err := readCorpus()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.Src != "" {
			out = append(out, e.Src)
		} else {
			out = append(out, string(e.Value))
		}
	}
	return out, nil
}

func checkParseError(t *testing.T, what, src string, err error) {
	if err == nil {
		return
	}
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("%s(%q): error %T is not a *ParseError: %v", what, src, err, err)
	}
	if pe.Pos.Offset < 0 || pe.Pos.Offset > len(src) || pe.Pos.Line < 1 || pe.Pos.Column < 1 {
		t.Fatalf("%s(%q): position %+v outside the source", what, src, pe.Pos)
	}
}

// FuzzParse: no input makes a parser panic or loop; errors carry a
// position inside the source.
func FuzzParse(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, src string) {
		_, err := ParseCond(src)
		checkParseError(t, "ParseCond", src, err)
		_, err = ParseExpr(src)
		checkParseError(t, "ParseExpr", src, err)
		_, err = ParseTemplate(src)
		checkParseError(t, "ParseTemplate", src, err)
		_, err = ParseTarget(src)
		checkParseError(t, "ParseTarget", src, err)
		_, err = ParseRef(src)
		checkParseError(t, "ParseRef", src, err)
	})
}

func fuzzContext() *Context {
	return &Context{
		Env:  testEnv(),
		Now:  func() time.Time { return fixedNow },
		Rand: rand.New(rand.NewPCG(3, 4)),
		Note: func(Note) {},
	}
}

// FuzzEval: whatever parses evaluates without a panic, deterministically
// for a given seed; NOT inverts a condition that evaluates without error;
// a template without inline functions renders on an empty session to
// exactly its source (every reference left as written).
func FuzzEval(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 2000 {
			return // bound work per input; real conditions are short
		}
		if c, err := ParseCond(src); err == nil {
			a, errA := c.Eval(fuzzContext())
			b, errB := c.Eval(fuzzContext())
			if a != b || (errA == nil) != (errB == nil) {
				t.Fatalf("%q: two evaluations differ: %v/%v and %v/%v", src, a, errA, b, errB)
			}
			if errA == nil && !strings.ContainsAny(src, "\\\"'") {
				n, err := ParseCond("NOT (" + src + ")")
				if err == nil {
					if nv, err := n.Eval(fuzzContext()); err == nil && nv == a {
						t.Fatalf("%q = %v and NOT of it = %v", src, a, nv)
					}
				}
			}
		}
		if e, err := ParseExpr(src); err == nil {
			e.Eval(fuzzContext())
		}
		if tm, err := ParseTemplate(src); err == nil {
			ctx := fuzzContext()
			tm.Render(ctx)
			tm.Value(ctx)
			hasCall := false
			for _, p := range tm.parts {
				hasCall = hasCall || p.call != nil
			}
			if !hasCall {
				if got, err := tm.Render(&Context{Env: &MapEnv{}}); got != src || err != nil {
					t.Fatalf("template %q on an empty session = %q, %v; want it unchanged", src, got, err)
				}
			}
		}
	})
}

// FuzzJSONPath: no path makes the JsonPath parser or selector panic.
func FuzzJSONPath(f *testing.F) {
	for _, s := range []string{"$", "$.a.b[0]", "$..*", "$[?(@.a == 'x' || !(@.b < 2))]", "$['a','b'][1:-1]", "$[-1]"} {
		f.Add(s)
	}
	doc, err := ParseJSON([]byte(addressReply))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src string) {
		jp, err := ParseJSONPath(src)
		if err != nil {
			return
		}
		jp.Select(doc)
		jp.Select(Null)
	})
}
