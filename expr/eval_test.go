package expr

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// testEnv is a session with one parameter of each shape the shared
// agents and their goldens hold.
func testEnv() *MapEnv {
	return &MapEnv{
		Session: map[string]any{
			"name":             "Jane Doe",
			"miles":            55000.0,
			"miles_text":       "55000",
			"small":            "900",
			"flag":             true,
			"flag_text":        "true",
			"empty":            "",
			"cleared":          nil,
			"formatted":        "Hosier Ln, Melbourne VIC, Australia",
			"departure_date":   map[string]any{"day": 5.0, "month": 1.0, "year": 2022.0},
			"departure_time":   map[string]any{"hours": 15.0, "minutes": 0.0, "nanos": 0.0, "seconds": 0.0},
			"flight-type":      []any{"one-way"},
			"codes":            []any{"SFO", "LAX"},
			"numbers":          []any{1.0, 2.0, 3.0},
			"caller-name":      map[string]any{"name": "Daniel Cormier", "original": "Daniel Cormier"},
			"address":          map[string]any{"city": "Melbourne", "zip-code": "3000"},
			"Type-Of-Property": "residential",
			"score":            4.5,
		},
		Flow: map[string]any{
			"playback_counter":   2.0,
			"retry_num":          3.0,
			"webhook_retry_num":  1.0,
			"admin_area_webhook": []any{"VIC"},
			"missing_elems":      []any{"locality", "country"},
			"active_missing_elem": map[string]any{
				"admin_area": "true", "city": "false",
			},
			"correction": false,
			"country":    "N/A",
		},
		Page:        map[string]any{"passenger_name": "Jane Doe"},
		PageStatus:  "FINAL",
		ParamStatus: map[string]string{"passenger_name": "UPDATED"},
		Intent: map[string]IntentParam{
			"airport": {Original: "San Jose airport", Resolved: "SJC"},
		},
		Request: map[string]any{
			"user-utterance": "one way please",
			"language":       "en",
			"sentiment":      map[string]any{"score": -0.6, "magnitude": 0.8},
			"generative":     map[string]any{"welcome-message": "Hi!"},
		},
	}
}

// fixedNow is the clock of the tests: 2020-12-02 04:29:17 UTC, the
// creation time of the flight agent's first test case.
var fixedNow = time.Date(2020, 12, 2, 4, 29, 17, 545905000, time.UTC)

// testContext returns a context over testEnv and the notes it reports.
func testContext() (*Context, *[]Note) {
	var notes []Note
	return &Context{
		Env:      testEnv(),
		Now:      func() time.Time { return fixedNow },
		Location: time.UTC,
		Rand:     rand.New(rand.NewPCG(7, 7)),
		Note:     func(n Note) { notes = append(notes, n) },
	}, &notes
}

func hasPolicy(notes []Note, p Policy) bool {
	return slices.ContainsFunc(notes, func(n Note) bool { return n.Policy == p })
}

func TestCondEval(t *testing.T) {
	tests := []struct {
		cond   string
		want   bool
		policy Policy // a note the evaluation must report, if any
	}{
		// Constants and the always-true route.
		{cond: "true", want: true},
		{cond: "false", want: false},
		{cond: "", want: true},
		{cond: "  ", want: true},
		{cond: "TRUE", want: true, policy: PolicyKeywordCase},
		// Form completion, quoted and unquoted (CXRUNTIME §1.10).
		{cond: `$page.params.status = "FINAL"`, want: true},
		{cond: `$page.params.status = FINAL`, want: true},
		{cond: `$page.params.status != FINAL`, want: false},
		{cond: `$page.params.passenger_name.status = "UPDATED"`, want: true},
		{cond: `$page.params.passenger_name = "Jane Doe"`, want: true},
		// Strings: equality, substring, lexicographic order ([COND]).
		{cond: `$session.params.name = "Jane Doe"`, want: true},
		{cond: `$session.params.name = "jane doe"`, want: false},
		{cond: `$session.params.name : "Doe"`, want: true},
		{cond: `$session.params.name : "Smith"`, want: false},
		{cond: `$session.params.name > "Jane"`, want: true},
		{cond: `$session.params.name < "Jane"`, want: false},
		{cond: `$session.params.empty = ""`, want: true},
		{cond: `$session.params.empty = null`, want: false},
		{cond: `$session.params.formatted = "Hosier Ln\, Melbourne VIC\, Australia"`, want: true},
		{cond: `$session.params.formatted != "Hosier Ln\, Melbourne VIC\, Australia"`, want: false},
		// Parameter names are case-insensitive ([PARAM]).
		{cond: `$session.params.type-of-property = "residential"`, want: true},
		{cond: `$session.params.NAME = "Jane Doe"`, want: true},
		// Numbers, and the right side cast to the left side's type.
		{cond: `$session.params.miles > 1000`, want: true},
		{cond: `$session.params.miles = 55000`, want: true},
		{cond: `$session.params.miles = "55000"`, want: true},
		{cond: `$session.params.miles >= 55000.0`, want: true},
		{cond: `$session.params.score < 5`, want: true},
		{cond: `$session.params.score <= 4.5`, want: true},
		{cond: `$session.params.miles = "lots"`, want: false, policy: PolicyCastFailed},
		{cond: `$session.params.miles != "lots"`, want: true, policy: PolicyCastFailed},
		{cond: `$session.params.miles < "lots"`, want: false, policy: PolicyCastFailed},
		// A string on the left compares as a string: "900" > "1000".
		{cond: `$session.params.small > 1000`, want: true},
		{cond: `$session.params.miles_text = 55000`, want: true},
		// Bools.
		{cond: `$session.params.flag = true`, want: true},
		{cond: `$session.params.flag = "true"`, want: true},
		{cond: `$session.params.flag_text = true`, want: true},
		{cond: `$flow.correction != true`, want: true},
		{cond: `$flow.correction = 1`, want: false, policy: PolicyCastFailed},
		{cond: `$session.params.flag`, want: true},
		{cond: `$session.params.flag_text`, want: true, policy: PolicyTruthiness},
		{cond: `$session.params.name`, want: false, policy: PolicyTruthiness},
		// null: an unset parameter, or one set to null.
		{cond: `$session.params.unset = null`, want: true},
		{cond: `$session.params.unset != null`, want: false},
		{cond: `$session.params.cleared = null`, want: true},
		{cond: `$session.params.unset = ""`, want: false},
		{cond: `$session.params.unset != "x"`, want: true},
		{cond: `$session.params.unset < 3`, want: false, policy: PolicyNullOrdering},
		{cond: `$session.params.unset`, want: false, policy: PolicyTruthiness},
		{cond: `$flow.formatted_address = null AND $flow.webhook_retry_num < $flow.retry_num`, want: true},
		// Parameter against parameter.
		{cond: `$flow.webhook_retry_num < $flow.retry_num`, want: true},
		{cond: `$flow.webhook_retry_num = $flow.retry_num`, want: false},
		// Indexing and fields.
		{cond: `$flow.admin_area_webhook[0] = VIC`, want: true},
		{cond: `$flow.admin_area_webhook[1] = null`, want: true},
		{cond: `$flow.active_missing_elem.admin_area  = true`, want: true},
		{cond: `$flow.active_missing_elem.city = true`, want: false},
		{cond: `$flow.active_missing_elem.admin_area = "true"`, want: true},
		{cond: `$session.params.address.city = Melbourne`, want: true},
		{cond: `$session.params.address.zip-code = 3000`, want: true},
		{cond: `$session.params.codes[1] = "LAX"`, want: true},
		// Lists against single values.
		{cond: `$session.params.flight-type = "one-way"`, want: true, policy: PolicyListCompare},
		{cond: `$session.params.codes : "LAX"`, want: true, policy: PolicyListCompare},
		{cond: `$session.params.codes != "JFK"`, want: true, policy: PolicyListCompare},
		{cond: `$session.params.numbers = "2"`, want: true, policy: PolicyListCompare},
		{cond: `$session.params.codes = ["SFO", "LAX"]`, want: true},
		{cond: `$session.params.codes > "A"`, want: false, policy: PolicyKindOrdering},
		// Structs.
		{cond: `$session.params.departure_date = $session.params.departure_date`, want: true},
		{cond: `$session.params.departure_date = "2022-01-05"`, want: false, policy: PolicyCastFailed},
		// Intent parameters and the request.
		{cond: `$intent.params.airport = SJC`, want: true},
		{cond: `$intent.params.airport.resolved = SJC`, want: true},
		{cond: `$intent.params.airport.original = "San Jose airport"`, want: true},
		{cond: `$intent.params.other = null`, want: true},
		{cond: `$request.user-utterance : "one way"`, want: true},
		{cond: `$request.language = en`, want: true},
		{cond: `$request.sentiment.score < -0.5`, want: true},
		{cond: `$request.generative.welcome-message != null`, want: true},
		// Boolean operators and precedence.
		{cond: `$session.params.flag = true AND $session.params.miles > 1`, want: true},
		{cond: `$session.params.flag = false OR $session.params.miles > 1`, want: true},
		{cond: `NOT $session.params.flag = false`, want: true},
		{cond: `NOT NOT true`, want: true},
		{cond: `not true`, want: false, policy: PolicyKeywordCase},
		{cond: `true and false`, want: false, policy: PolicyKeywordCase},
		{cond: `($session.params.score > 5 OR $session.params.score < 1) AND $flow.webhook_retry_num < $flow.retry_num`, want: false},
		{cond: `true OR true AND false`, want: true, policy: PolicyAndOrPrecedence},
		{cond: `false AND true OR true`, want: true, policy: PolicyAndOrPrecedence},
		{cond: `(true OR true) AND false`, want: false},
		// System functions inside conditions.
		{cond: `$sys.func.COUNT($flow.missing_elems) = 2`, want: true},
		{cond: `$sys.func.COUNT($flow.unconfimed_elems) = 0`, want: true, policy: PolicyNullArgument},
		{cond: `$sys.func.CONTAIN($flow.missing_elems, locality)`, want: true},
		{cond: `$sys.func.LOWER($session.params.name) = "jane doe"`, want: true},
		{cond: `$sys.func.rand() < 1`, want: true},
		{cond: `$sys.func.RAND() >= 0`, want: true},
		// Literals on the left (IF's documented example, "5 > 3").
		{cond: `5 > 3`, want: true},
		{cond: `1 < 2`, want: true},
		// Single quotes.
		{cond: `$session.params.name = 'Jane Doe'`, want: true, policy: PolicySingleQuotes},
		// A quoted reference is its value.
		{cond: `$page.params.passenger_name = "$session.params.name"`, want: true},
	}
	for _, tt := range tests {
		c, err := ParseCond(tt.cond)
		if err != nil {
			t.Errorf("ParseCond(%q): %v", tt.cond, err)
			continue
		}
		ctx, notes := testContext()
		got, err := c.Eval(ctx)
		if err != nil {
			t.Errorf("%q: Eval: %v", tt.cond, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%q = %v, want %v", tt.cond, got, tt.want)
		}
		all := append(slices.Clone(c.Notes()), *notes...)
		if tt.policy != 0 && !hasPolicy(all, tt.policy) {
			t.Errorf("%q: notes %v, want one for %s", tt.cond, all, tt.policy)
		}
		if tt.policy == 0 && len(all) > 0 {
			t.Errorf("%q: unexpected notes %v", tt.cond, all)
		}
	}
}

func TestCondEvalErrors(t *testing.T) {
	tests := []struct {
		cond, want string
	}{
		{`$sys.func.DIVIDE(1, 0) = 1`, "1:1: $sys.func.DIVIDE: division by zero"},
		{`true AND $sys.func.ADD($session.params.name, 1) > 2`, "1:10: $sys.func.ADD: argument 1: want a number, got the string \"Jane Doe\""},
		{`$sys.func.IF("$sys.func.TO_NUMBER(abc) = 1", true, false)`, "1:15: $sys.func.TO_NUMBER: argument 1: \"abc\" is not a number"},
	}
	for _, tt := range tests {
		c := MustParseCond(tt.cond)
		ctx, _ := testContext()
		got, err := c.Eval(ctx)
		if got || err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q = %v, %v; want false and an error containing %q", tt.cond, got, err, tt.want)
		}
		var ee *EvalError
		if !errors.As(err, &ee) {
			t.Errorf("%q: error %T is not an *EvalError", tt.cond, err)
		}
	}
}

func TestNoClockNoRand(t *testing.T) {
	ctx := &Context{Env: testEnv()}
	if _, err := MustParseCond(`$sys.func.RAND() < 1`).Eval(ctx); !errors.Is(err, ErrNoRand) {
		t.Errorf("RAND without a source: %v, want ErrNoRand", err)
	}
	e, _ := ParseExpr(`$sys.func.NOW()`)
	if _, err := e.Eval(ctx); !errors.Is(err, ErrNoClock) {
		t.Errorf("NOW without a clock: %v, want ErrNoClock", err)
	}
	// A nil environment resolves nothing.
	ok, err := MustParseCond(`$session.params.x = null`).Eval(&Context{})
	if !ok || err != nil {
		t.Errorf("nil Env: %v, %v; want true", ok, err)
	}
}

// TestRandDeterministic: the same seed gives the same numbers.
func TestRandDeterministic(t *testing.T) {
	e, _ := ParseExpr(`$sys.func.RAND()`)
	run := func() []float64 {
		ctx := &Context{Rand: rand.New(rand.NewPCG(42, 1))}
		var out []float64
		for range 5 {
			v, err := e.Eval(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if f := v.AsNumber(); f < 0 || f >= 1 {
				t.Fatalf("RAND() = %v, want [0, 1)", f)
			}
			out = append(out, v.AsNumber())
		}
		return out
	}
	if a, b := run(), run(); !slices.Equal(a, b) {
		t.Errorf("two runs with one seed differ: %v and %v", a, b)
	}
}

func TestCondRefs(t *testing.T) {
	c := MustParseCond(`$flow.a = 1 AND ($sys.func.COUNT($session.params.l) > $page.params.status OR "$intent.params.x")`)
	var got []string
	for _, r := range c.Refs() {
		got = append(got, r.Src)
	}
	want := []string{"$flow.a", "$session.params.l", "$page.params.status", "$intent.params.x"}
	if !slices.Equal(got, want) {
		t.Errorf("Refs() = %v, want %v", got, want)
	}
}

// TestEveryPolicyReachable: each undocumented choice is reported by at
// least one input, so that none is made silently.
func TestEveryPolicyReachable(t *testing.T) {
	inputs := map[Policy]string{
		PolicyAndOrPrecedence:  `true OR false AND false`,
		PolicyKeywordCase:      `True`,
		PolicySingleQuotes:     `$session.params.name = 'x'`,
		PolicyCastFailed:       `$session.params.miles = abc`,
		PolicyNullOrdering:     `$session.params.unset > 1`,
		PolicyListCompare:      `$session.params.codes = SFO`,
		PolicyKindOrdering:     `$session.params.flag > false`,
		PolicyTruthiness:       `$session.params.name`,
		PolicyUnresolvedSingle: `$sys.func.IDENTITY("$session.params.unset") = null`,
		PolicyNullArgument:     `$sys.func.LEN($session.params.unset) = 0`,
		PolicyNumericString:    `$sys.func.ADD($session.params.miles_text, 1) = 55001`,
		PolicyStructText:       `$sys.func.TO_TEXT($session.params.address) != ""`,
		PolicyListText:         `$sys.func.TO_TEXT($session.params.codes) = "SFO, LAX"`,
		PolicyDynamicCondition: `$sys.func.IF($sys.func.CONCATENATE($session.params.miles, " > 1"), true, false) = true`,
		PolicyDateLanguage:     `$sys.func.FORMAT_DATE($session.params.departure_date, "MMMM", "de") = January`,
		PolicyPhoneNumber:      `$sys.func.IS_PHONE_NUMBER("+1 650 206 5555")`,
	}
	templates := map[Policy]string{
		PolicyFunctionText: `Total $sys.func.DIVIDE(1, 0)`,
	}
	for _, p := range Policies() {
		if p.Name() == "" || p.Doc() == "" || strings.HasPrefix(p.Name(), "policy-") {
			t.Errorf("policy %d has no name or description", p)
		}
		ctx, notes := testContext()
		if src, ok := inputs[p]; ok {
			c, err := ParseCond(src)
			if err != nil {
				t.Errorf("%s: %v", p, err)
				continue
			}
			*notes = append(*notes, c.Notes()...)
			if _, err := c.Eval(ctx); err != nil {
				t.Errorf("%s: %q: %v", p, src, err)
			}
		} else if src, ok := templates[p]; ok {
			tm := MustParseTemplate(src)
			tm.Render(ctx)
		} else {
			t.Errorf("no input reaches %s", p)
			continue
		}
		if !hasPolicy(*notes, p) {
			t.Errorf("%s: not reported; notes %v", p, *notes)
		}
	}
}

func TestNoteString(t *testing.T) {
	c := MustParseCond(`$flow.a = 1 AND true OR false`)
	if len(c.Notes()) != 1 {
		t.Fatalf("notes %v, want one", c.Notes())
	}
	got := c.Notes()[0].String()
	want := "1:22: and-or-precedence: AND and OR mixed without parentheses; read as (… AND …) OR (… AND …)"
	if got != want {
		t.Errorf("note = %q, want %q", got, want)
	}
}

// TestConcurrentEval: one parsed condition, template and preset serve
// several goroutines, each with its own Context (run with -race).
func TestConcurrentEval(t *testing.T) {
	c := MustParseCond(`$sys.func.IF("$flow.retry_num = 3", $sys.func.COUNT($flow.missing_elems), 0) = 2 AND $sys.func.RAND() < 1`)
	tm := MustParseTemplate("Hi $sys.func.UPPER($session.params.name) on $session.params.departure_date")
	p, _ := ParsePreset(map[string]any{"l": "$sys.func.APPEND($flow.missing_elems, \"x\")"})
	done := make(chan error)
	for range 4 {
		go func() {
			ctx, _ := testContext()
			for range 200 {
				if ok, err := c.Eval(ctx); !ok || err != nil {
					done <- errors.Join(errors.New("condition false"), err)
					return
				}
				if s, _ := tm.Render(ctx); s != "Hi JANE DOE on 2022-01-05" {
					done <- errors.New("render: " + s)
					return
				}
				if v, err := p.Eval(ctx); err != nil || v.String() != `{"l":["locality","country","x"]}` {
					done <- errors.New("preset: " + v.String())
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
