package expr

import (
	"errors"
	"strings"
	"testing"
)

func TestParseCondErrors(t *testing.T) {
	tests := []struct {
		src  string
		pos  string // line:column
		want string // in the message
	}{
		{`$session.params.x =`, "1:20", "expected a value, found end of input"},
		{`$session.params.x = `, "1:21", "expected a value, found end of input"},
		{`= 1`, "1:1", "expected a value, found '='"},
		{`$session.params.x == 1`, "1:19", "CX compares with =, not =="},
		{`$session.params.x <> 1`, "1:19", "!=, not <>"},
		{`$session.params.x = hello world`, "1:27", "unexpected 'w' after the condition"},
		{`$session.params.x = "open`, "1:21", "string not closed"},
		{`($session.params.x = 1`, "1:23", "expected ')' to close the '(' at 1:1"},
		{`$session.params.x = 1)`, "1:22", "unexpected ')'"},
		{`$session.params. = 1`, "1:17", "expected a parameter name after $session.params."},
		{`$session.params.x. = 1`, "1:19", "expected a field name after '.'"},
		{`$session.params.x[a] = 1`, "1:18", "expected a list index such as [0]"},
		{`$session.x = 1`, "1:1", "unknown reference"},
		{`$foo = 1`, "1:1", "unknown reference"},
		{`$sys.func.NOPE(1) = 1`, "1:1", "unknown system function $sys.func.NOPE"},
		{`$sys.func.add(1, 2) = 3`, "1:1", "(system function names are upper case: $sys.func.ADD)"},
		{`$sys.func.ADD = 3`, "1:15", "expected '(' after $sys.func.ADD"},
		{`$sys.func.ADD(1, 2 = 3`, "1:20", "expected ',' or ')' in the arguments of $sys.func.ADD"},
		{`$sys.func.MINUS(1) = 3`, "1:1", "$sys.func.MINUS takes 2 arguments, got 1"},
		{`$sys.func.RAND(1) < 1`, "1:1", "$sys.func.RAND takes 0 arguments, got 1"},
		{`$sys.func.IF("x", 1) = 1`, "1:1", "$sys.func.IF takes 3 arguments, got 2"},
		{`$sys.func.DIVIDE(1) = 1`, "1:1", "takes 2 to 3 arguments"},
		{`$sys.func.ADD() = 1`, "1:1", "takes at least 1 argument, got 0"},
		{`$sys.func.IF("$flow.x = ", 1, 2) = 1`, "1:25", "expected a value, found end of input"},
		{`$sys.func.FILTER($flow.x, "$.a[") = 1`, "1:27", "$sys.func.FILTER: jsonpath: column 5: '[' not closed"},
		{`$flow.x = [1, 2`, "1:16", "expected ',' or ']' in the list opened at 1:11"},
		{`$flow.x = 1 AND`, "1:16", "expected a value, found end of input"},
		{`$flow.x = AND`, "1:11", "found the keyword AND"},
		{`NOT`, "1:4", "expected a value"},
		{"$flow.x = 1\nAND $flow.y =", "2:14", "expected a value, found end of input"},
		{`$flow.x = 1 AND ` + strings.Repeat("(", 70) + `true` + strings.Repeat(")", 70), "1:", "nested too deeply"},
	}
	for _, tt := range tests {
		_, err := ParseCond(tt.src)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("ParseCond(%q) = %v, want a *ParseError", tt.src, err)
			continue
		}
		if !strings.HasPrefix(pe.Pos.String(), tt.pos) || !strings.Contains(pe.Msg, tt.want) {
			t.Errorf("ParseCond(%q) error = %q at %s, want %q at %s", tt.src, pe.Msg, pe.Pos, tt.want, tt.pos)
		}
		if !strings.HasPrefix(err.Error(), "expr: ") {
			t.Errorf("error %q lacks the package prefix", err)
		}
	}
}

func TestParseErrorNear(t *testing.T) {
	_, err := ParseCond(`$session.params.x = ` + strings.Repeat("a", 10) + ` ` + strings.Repeat("b", 100))
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatal(err)
	}
	if pe.Near != strings.Repeat("b", 24)+"…" {
		t.Errorf("Near = %q, want the source clipped at the position", pe.Near)
	}
}

func TestParseNumbersAndWords(t *testing.T) {
	tests := []struct {
		src  string
		want Value
	}{
		{`1`, Number(1)},
		{`-3`, Number(-3)},
		{`3.0`, Number(3)},
		{`0.25`, Number(0.25)},
		{`1e3`, Number(1000)},
		{`.5`, Number(0.5)},
		{`1m`, String("1m")},
		{`2022-01-05`, String("2022-01-05")},
		{`N/A`, String("N/A")},
		{`administrative_area_level_1`, String("administrative_area_level_1")},
		{`a\,b`, String("a,b")},
		{`hello!`, String("hello!")},
		{`null`, Null},
		{`NULL`, Null},
		{`false`, Bool(false)},
		{`"with \"quotes\" and \\ and \, and C:\new"`, String(`with "quotes" and \ and , and C:\new`)},
		{`'single'`, String("single")},
		{`"it's"`, String("it's")},
		{`[]`, List()},
		{`[1, "a", [true]]`, List(Number(1), String("a"), List(Bool(true)))},
		{`1e999`, String("1e999")},
	}
	for _, tt := range tests {
		e, err := ParseExpr(tt.src)
		if err != nil {
			t.Errorf("ParseExpr(%q): %v", tt.src, err)
			continue
		}
		got, err := e.Eval(&Context{})
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("%s = %v, %v; want %v", tt.src, got, err, tt.want)
		}
	}
}

func TestParseRef(t *testing.T) {
	tests := []struct {
		src   string
		scope Scope
		path  string
	}{
		{"$session.params.a", ScopeSession, "a"},
		{"$session.params.type-of-property", ScopeSession, "type-of-property"},
		{"$page.params.status", ScopePage, "status"},
		{"$page.params.p.status", ScopePage, "p.status"},
		{"$flow.admin_area_webhook[0]", ScopeFlow, "admin_area_webhook.[0]"},
		{"$flow.a.b[2].c", ScopeFlow, "a.b.[2].c"},
		{"$intent.params.x.original", ScopeIntent, "x.original"},
		{"$request.user-utterance", ScopeRequest, "user-utterance"},
		{"$request.generative.report-summary", ScopeRequest, "generative.report-summary"},
		{"$session.params.größe", ScopeSession, "größe"},
	}
	for _, tt := range tests {
		r, err := ParseRef(tt.src)
		if err != nil {
			t.Errorf("ParseRef(%q): %v", tt.src, err)
			continue
		}
		var parts []string
		for _, s := range r.Path {
			if s.IsIndex() {
				parts = append(parts, "["+itoa(s.Index)+"]")
			} else {
				parts = append(parts, s.Name)
			}
		}
		if r.Scope != tt.scope || strings.Join(parts, ".") != tt.path || r.Src != tt.src || r.String() != tt.src {
			t.Errorf("ParseRef(%q) = %v %v, want %v %s", tt.src, r.Scope, parts, tt.scope, tt.path)
		}
	}
	for _, bad := range []string{"", "x", "$x.y", "$flow.", "$flow.a.", "$flow.a[", "$flow.a b"} {
		if _, err := ParseRef(bad); err == nil {
			t.Errorf("ParseRef(%q) succeeded, want an error", bad)
		}
	}
	if ScopeFlow.String() != "flow" || ScopeSession.Prefix() != "$session.params." || Scope(99).String() != "Scope(99)" {
		t.Errorf("Scope names: %q %q %q", ScopeFlow, ScopeSession.Prefix(), Scope(99))
	}
}

func itoa(i int) string { return FormatNumber(float64(i)) }

func TestParseExprErrors(t *testing.T) {
	for _, src := range []string{``, `1 2`, `$flow.x = 1`, `(1)`, `$sys.func.ADD(1,)`} {
		if _, err := ParseExpr(src); err == nil {
			t.Errorf("ParseExpr(%q) succeeded, want an error", src)
		}
	}
}

// TestIfConditionPositions: an error inside IF's quoted condition is
// reported at its place in the whole source.
func TestIfConditionPositions(t *testing.T) {
	src := `$sys.func.IF("$flow.city = N/A AND", "", $flow.city)`
	_, err := ParseExpr(src)
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("ParseExpr: %v", err)
	}
	if pe.Pos.Offset != strings.Index(src, `", ""`) {
		t.Errorf("error at offset %d (%s), want %d: %v", pe.Pos.Offset, pe.Pos, strings.Index(src, `", ""`), err)
	}
}
