package expr

import (
	"math/rand/v2"
	"testing"
	"time"
)

// typicalConds are conditions as the shared agents write them, in the
// mix a turn evaluates: form completion, flow counters, null checks,
// the always-true route, a system function.
var typicalConds = []string{
	`$page.params.status = "FINAL"`,
	`$page.params.status = FINAL AND $flow.correction != true`,
	`$flow.formatted_address = null AND $flow.webhook_retry_num < $flow.retry_num`,
	`($flow.island = null OR $flow.city = null OR $flow.zip_code = null) AND $flow.webhook_retry_num = $flow.retry_num`,
	`$session.params.formatted = "Hosier Ln\, Melbourne VIC\, Australia"`,
	`$sys.func.COUNT($flow.missing_elems) != 0`,
	`true`,
}

func benchContext() *Context {
	env := testEnv()
	env.Flow["city"] = "Melbourne"
	return &Context{
		Env:  env,
		Now:  func() time.Time { return fixedNow },
		Rand: rand.New(rand.NewPCG(1, 1)),
	}
}

// BenchmarkCondEval evaluates pre-parsed conditions: what the runtime does
// on every turn.
func BenchmarkCondEval(b *testing.B) {
	conds := make([]*Cond, len(typicalConds))
	for i, s := range typicalConds {
		conds[i] = MustParseCond(s)
	}
	ctx := benchContext()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := conds[i%len(conds)].Eval(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCondParseEval parses and evaluates, for comparison: the cost
// the runtime avoids by parsing once at load time.
func BenchmarkCondParseEval(b *testing.B) {
	ctx := benchContext()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c, err := ParseCond(typicalConds[i%len(typicalConds)])
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Eval(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPresetEval evaluates pre-parsed presets of the address
// component: counters, IF with a quoted condition, APPEND.
func BenchmarkPresetEval(b *testing.B) {
	srcs := []any{
		"$sys.func.ADD($flow.playback_counter,1)",
		`$sys.func.IF("$flow.city = N/A", "", $flow.city)`,
		`$sys.func.IF("$flow.admin_area_webhook[0] != null", $flow.admin_area_webhook[0], "N/A")`,
		`$sys.func.APPEND($flow.formatted_address, "the city is $flow.city")`,
		0.0,
	}
	presets := make([]*Preset, len(srcs))
	for i, s := range srcs {
		p, err := ParsePreset(s)
		if err != nil {
			b.Fatal(err)
		}
		presets[i] = p
	}
	ctx := benchContext()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := presets[i%len(presets)].Eval(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRender renders a message text with several references.
func BenchmarkRender(b *testing.B) {
	tm := MustParseTemplate("You want a one way ticket for:\n\nPassenger $session.params.name \n\nLeaving on $session.params.departure_date \n\nTime $session.params.departure_time\n\nFlight $session.params.flight_number_A")
	ctx := benchContext()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tm.Render(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCondEvalAllocs: a pre-parsed condition of the usual kinds
// evaluates without allocating, once the context has warmed up, so that
// the runtime's 5,000 turns a second are not spent in the garbage
// collector.
func TestCondEvalAllocs(t *testing.T) {
	ctx := benchContext()
	for _, s := range typicalConds {
		c := MustParseCond(s)
		c.Eval(ctx) // warm up the context's stacks
		if n := testing.AllocsPerRun(100, func() {
			if _, err := c.Eval(ctx); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%q: %v allocations per evaluation, want 0", s, n)
		}
	}
	p, _ := ParsePreset("$sys.func.ADD($flow.playback_counter,1)")
	p.Eval(ctx)
	if n := testing.AllocsPerRun(100, func() { p.Eval(ctx) }); n != 0 {
		t.Errorf("counter preset: %v allocations per evaluation, want 0", n)
	}
}
