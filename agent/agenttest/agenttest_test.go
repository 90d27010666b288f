package agenttest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/agent/agenttest"
	"github.com/cxhook/cxhook/fulfillment"
)

// recorder is a testing.TB that records what a test reports.
type recorder struct {
	testing.TB
	errors, logs []string
	fatal        bool
}

func (r *recorder) Helper()                   {}
func (r *recorder) Error(args ...any)         { r.errors = append(r.errors, fmt.Sprint(args...)) }
func (r *recorder) Errorf(f string, a ...any) { r.errors = append(r.errors, fmt.Sprintf(f, a...)) }
func (r *recorder) Log(args ...any)           { r.logs = append(r.logs, fmt.Sprint(args...)) }
func (r *recorder) Fatalf(f string, a ...any) { r.Errorf(f, a...); r.FailNow() }
func (r *recorder) FailNow()                  { r.fatal = true; panic(r) }

// run calls f with a recorder, stopping where f calls FailNow.
func run(t *testing.T, f func(tb testing.TB)) *recorder {
	r := &recorder{TB: t}
	func() {
		defer func() {
			if p := recover(); p != nil && p != r {
				panic(p)
			}
		}()
		f(r)
	}()
	return r
}

func handler(context.Context, *fulfillment.Request) (*fulfillment.Response, error) {
	return fulfillment.NewResponse(), nil
}

func TestCheck(t *testing.T) {
	a := agenttest.Load(t, "../testdata/pizza")
	mux := fulfillment.NewMux()
	mux.HandleFunc("placeOrder", handler)
	mux.HandleFunc("cancelOrder", handler)
	r := run(t, func(tb testing.TB) { agenttest.Check(tb, a, mux, agent.CheckOptions{}) })
	want := `flows/Default Start Flow/pages/Order Pizza.json: form.parameters[1].fillBehavior.initialPromptFulfillment.tag: error: no handler serves tag "checkSize"`
	if len(r.errors) != 1 || !strings.HasPrefix(r.errors[0], want) {
		t.Errorf("errors %q, want one starting %q", r.errors, want)
	}
	if len(r.logs) != 1 || !strings.Contains(r.logs[0], `warning: the handler for tag "cancelOrder" serves no call site`) {
		t.Errorf("logs %q", r.logs)
	}

	mux.HandleFunc("checkSize", handler)
	if r := run(t, func(tb testing.TB) { agenttest.Check(tb, a, mux, agent.CheckOptions{}) }); len(r.errors) != 0 {
		t.Errorf("errors %q", r.errors)
	}
}

func TestLoad(t *testing.T) {
	r := run(t, func(tb testing.TB) { agenttest.Load(tb, "../testdata/no-such-export") })
	if !r.fatal || len(r.errors) != 1 || !strings.Contains(r.errors[0], "no such file") {
		t.Errorf("missing export: fatal %v, errors %q", r.fatal, r.errors)
	}

	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../testdata/pizza")); err != nil {
		t.Fatal(err)
	}
	hook := filepath.Join(dir, "webhooks", "pizzeria.json")
	if err := os.WriteFile(hook, []byte(`{"displayName": "pizzeria", "timeout": {"seconds": true}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	r = run(t, func(tb testing.TB) { agenttest.Load(tb, dir) })
	want := []string{
		"agent export: webhooks/pizzeria.json: timeout.seconds: want an integer, got boolean",
		`agent export: flows/Default Start Flow/pages/Order Pizza.json: form.parameters[1].fillBehavior.initialPromptFulfillment.webhook: no webhook named "pizzeria"`,
		`agent export: flows/Default Start Flow/pages/Order Pizza.json: transitionRoutes[0].triggerFulfillment.webhook: no webhook named "pizzeria"`,
	}
	if !r.fatal || !slices.Equal(r.errors, want) {
		t.Errorf("bad export: fatal %v, errors\n%s", r.fatal, strings.Join(r.errors, "\n"))
	}
}
