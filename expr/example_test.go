package expr_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/cxhook/cxhook/expr"
)

// A route's condition, parsed once when the agent loads and evaluated on
// each turn.
func ExampleCond() {
	cond, err := expr.ParseCond(`$page.params.status = FINAL AND $session.params.formatted_address != ""`)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := &expr.Context{Env: &expr.MapEnv{
		PageStatus: "FINAL",
		Session:    map[string]any{"formatted_address": "Hosier Ln, Melbourne VIC, Australia"},
	}}
	ok, err := cond.Eval(ctx)
	fmt.Println(ok, err)
	// Output: true <nil>
}

// A condition that does not parse is an error with its position.
func ExampleParseCond_error() {
	_, err := expr.ParseCond(`$session.params.city = New York`)
	fmt.Println(err)
	// Output: expr: 1:28: unexpected 'Y' after the condition (join conditions with AND or OR; quote strings with spaces) (near "York")
}

// A message text: references replaced, unset ones left as written, dates
// rendered as CX renders them.
func ExampleTemplate_Render() {
	tmpl, _ := expr.ParseTemplate("Flight $session.params.flight_number on $session.params.departure_date for $sys.func.UPPER($session.params.name).")
	ctx := &expr.Context{Env: &expr.MapEnv{Session: map[string]any{
		"name":           "Jane Doe",
		"departure_date": map[string]any{"year": 2022.0, "month": 1.0, "day": 5.0},
	}}}
	text, _ := tmpl.Render(ctx)
	fmt.Println(text)
	// Output: Flight $session.params.flight_number on 2022-01-05 for JANE DOE.
}

// Parameter presets as the address component writes them: a counter, and
// an IF with its condition in a string.
func ExamplePreset() {
	ctx := &expr.Context{Env: &expr.MapEnv{Flow: map[string]any{
		"playback_counter": 1.0,
		"city":             "N/A",
	}}}
	for _, value := range []any{
		"$sys.func.ADD($flow.playback_counter,1)",
		`$sys.func.IF("$flow.city = N/A", "", $flow.city)`,
		map[string]any{"locality": "$flow.city", "retries": 0.0},
	} {
		p, err := expr.ParsePreset(value)
		if err != nil {
			fmt.Println(err)
			continue
		}
		v, err := p.Eval(ctx)
		fmt.Println(v, err)
	}
	// Output:
	// 2 <nil>
	// "" <nil>
	// {"locality":"N/A","retries":0} <nil>
}

// A preset that sets one field of a struct parameter.
func ExampleParseTarget() {
	target, _ := expr.ParseTarget(`$sys.func.NESTED_FIELD("$session.params.address", "city")`)
	fmt.Println(target.Scope, target.Name, target.Fields)

	address := expr.MustFromJSON(map[string]any{"country": "AU"})
	fmt.Println(expr.SetPath(address, target.Fields, expr.String("Melbourne")))
	// Output:
	// session.params address [city]
	// {"city":"Melbourne","country":"AU"}
}

// The clock and the random source are the caller's, so that a replay is
// deterministic.
func ExampleContext() {
	ctx := &expr.Context{
		Now:      func() time.Time { return time.Date(2020, 12, 2, 4, 29, 17, 0, time.UTC) },
		Location: time.FixedZone("PST", -8*3600),
		Rand:     rand.New(rand.NewPCG(1, 2)),
	}
	e, _ := expr.ParseExpr(`$sys.func.FORMAT_DATE($sys.func.NOW(), "EEEE d MMMM, h:mm a")`)
	v, _ := e.Eval(ctx)
	fmt.Println(v.AsString())
	// Output: Tuesday 1 December, 8:29 PM
}

// Undocumented choices are reported, for the runtime's trace.
func ExampleNote() {
	cond := expr.MustParseCond(`$flow.a = 1 OR $flow.b = 2 AND $flow.c = 3`)
	for _, n := range cond.Notes() {
		fmt.Println(n)
	}
	ctx := &expr.Context{
		Env:  &expr.MapEnv{},
		Note: func(n expr.Note) { fmt.Println(n) },
	}
	expr.MustParseCond(`$session.params.count > 2`).Eval(ctx)
	// Output:
	// 1:13: and-or-precedence: AND and OR mixed without parentheses; read as (… AND …) OR (… AND …)
	// 1:23: null-ordering: > with null is false
}
