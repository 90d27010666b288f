package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cxhook/cxhook/examples/flightbot"
	"github.com/cxhook/cxhook/fulfillment"
)

const flightExport = "../../testdata/agents/digibhem-flight-bot"

// exampleServer serves the example function on loopback HTTP, its clock on
// a day after the dates the chat test books.
func exampleServer(t *testing.T) string {
	t.Helper()
	mux := flightbot.NewMuxAt(func() time.Time { return time.Date(2036, 3, 1, 0, 0, 0, 0, time.UTC) })
	srv := httptest.NewServer(fulfillment.NewHTTPHandler(mux, fulfillment.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))))
	t.Cleanup(srv.Close)
	return srv.URL
}

func emuRun(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	verb := emulatorCommands[args[0]]
	if verb == nil {
		t.Fatalf("no command %q", args[0])
	}
	code := verb(context.Background(), args[1:], strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestTestCommand(t *testing.T) {
	url := exampleServer(t)
	junit := filepath.Join(t.TempDir(), "junit.xml")
	code, out, errOut := emuRun(t, "", "test", "--agent", flightExport, "--webhook", url, "--junit", junit)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (the recordings differ); stderr: %s", code, errOut)
	}
	for _, want := range []string{
		"FAIL Error handling - Check miles - Invalid account: 2/3 turns agree\n",
		"PASS Happy path - join frequent flyer_: 6/6 turns agree\n",
		"16 test cases, ",
		"coverage: pages ",
		"webhook Apigee Integration tag \"findAvailableTicket\": ",
		"tag \"validation\": never called",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report does not say %q:\n%s", want, out)
		}
	}
	b, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("JUnit XML: %v", err)
	}
	if len(doc.Suites) != 1 || doc.Suites[0].Tests != 16 || doc.Suites[0].Failures == 0 || len(doc.Suites[0].Cases) != 16 {
		t.Errorf("JUnit: %+v", doc)
	}

	// One test case that agrees: exit 0.
	code, out, errOut = emuRun(t, "", "test", "--agent", flightExport, "--webhook", url, "--case", "Happy path - join frequent flyer_", "--trace-all")
	if code != 0 || !strings.Contains(out, "1 test cases, 1 pass; 6 turns, 6 agree") || !strings.Contains(out, "| route ") {
		t.Errorf("exit %d, stderr %s, out:\n%s", code, errOut, out)
	}
}

func TestTestCommandUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"test"}, 2, "--agent is required"},
		{[]string{"test", "--agent", flightExport, "--case", "nope"}, 2, `no test case "nope"`},
		{[]string{"test", "--agent", flightExport, "--webhook", "not a url"}, 2, "want an http:// or https:// URL"},
		{[]string{"test", "--agent", flightExport, "--webhook", "x=y"}, 2, "want NAME=URL"},
		{[]string{"test", "--agent", "/nonexistent"}, 2, "no such file"},
		{[]string{"test", "--bogus"}, 2, "flag provided but not defined"},
		{[]string{"test", "extra"}, 2, "unexpected argument"},
		{[]string{"chat", "--agent", flightExport, "--flow", "nope"}, 2, `no flow "nope"`},
	} {
		code, out, errOut := emuRun(t, "", tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: exit %d, stderr %q, stdout %q; want %d and %q", tc.args, code, errOut, out, tc.code, tc.want)
		}
	}
	code, out, _ := emuRun(t, "", "test", "--policies")
	if code != 0 || !strings.Contains(out, "replace-reach") || !strings.Contains(out, "Why: ") {
		t.Errorf("--policies: exit %d:\n%s", code, out)
	}
	code, out, _ = emuRun(t, "", "test", "-h")
	if code != 0 || !strings.Contains(out, "cxhook test --agent DIR") || !strings.Contains(out, "-junit FILE") {
		t.Errorf("-h: exit %d:\n%s", code, out)
	}
}

func TestChatCommand(t *testing.T) {
	url := exampleServer(t)
	script := strings.Join([]string{
		"/help",
		"/intent flights.available_miles",
		`/fill frequent_flyer_account_number="123456"`,
		"how many miles",
		"/fill passenger_name=Melina Garcia",
		"/params",
		"",
		"/intent small_talk.confirmation.no",
		"/set origin=web count=3",
		"/event custom-event",
		"/dtmf 42",
		"/reset",
		"/intent no.such.intent",
		"/bogus",
		"/quit",
		"/intent flights.available_miles",
	}, "\n")
	code, out, errOut := emuRun(t, script, "chat", "--agent", flightExport, "--webhook", url)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"/event NAME              raise a custom event",
		"agent: Let's check on your frequent flyer account.\n",
		"  webhook  Apigee Integration tag \"checkMileage\" from prompt of frequent_flyer_account_number: 200 in ",
		"  param    frequent_flyer_account_number = \"123456\" (form)\n",
		"free text needs local NLU",
		"agent: Melina Garcia, you have 55000 miles available for use.\n",
		"  param    mileage = 55000 (webhook)\n",
		"  page     enter page \"Anything Else\" (flow \"Default Start Flow\")\n",
		"  mileage = 55000\n",
		"  [the session ended; the next input starts a new one]\n",
		"  param count = 3\n  param origin = \"web\"\n",
		"  new session, page \"Start Page\"\n",
		`the agent has no intent "no.such.intent"`,
		"unknown command /bogus",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the chat does not show %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "Let's check on your frequent flyer account.") != 1 {
		t.Errorf("input after /quit was taken:\n%s", out)
	}
}

func TestParseKV(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
	}{
		{`a=1 b=two words c=true`, `{"a":1,"b":"two words","c":true}`},
		{`d={"x":1}`, `{"d":{"x":1}}`},
		{`e="007"`, `{"e":"007"}`},
		{``, `{}`},
	} {
		p, err := parseKV(tc.in)
		if err != nil || compact(map[string]any(p)) != tc.want {
			t.Errorf("parseKV(%q) = %s, %v; want %s", tc.in, compact(map[string]any(p)), err, tc.want)
		}
	}
	for _, bad := range []string{"novalue", "=1", "a b=1"} {
		if _, err := parseKV(bad); err == nil {
			t.Errorf("parseKV(%q) took it", bad)
		}
	}
}

// TestRunDispatchesEmulatorCommands: run hands test and chat to the
// emulator's commands.
func TestRunDispatchesEmulatorCommands(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"test", "--policies"}, func(string) string { return "" }, &out, &errOut); code != 0 || !strings.Contains(out.String(), "webhook-target") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
}

// FuzzParseKV: parseKV never panics, and every name it returns is a word.
func FuzzParseKV(f *testing.F) {
	for _, s := range []string{`a=1 b=two words`, `d={"x": 1} e=[1, 2]`, `=`, `a==b`, ` x = y `, "k=\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseKV(s)
		if err != nil {
			return
		}
		for k := range p {
			if k == "" || strings.ContainsAny(k, " \t=") {
				t.Errorf("parseKV(%q) gave the name %q", s, k)
			}
		}
	})
}
