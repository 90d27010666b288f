package emulator

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// ReportOptions say what a report shows.
type ReportOptions struct {
	// Trace adds each differing turn's trace; AllTraces every turn's.
	Trace, AllTraces bool
}

// Totals counts a set of replays.
type Totals struct {
	Cases, Passed int
	Turns, Agree  int
	// ByType counts differing turns by difference type (a turn with two
	// types counts under both).
	ByType map[DiffType]int
	// DataOnly counts differing turns whose only difference is text with
	// a cause (CauseParamData or CauseWebhookMessage).
	DataOnly int
}

// Tally counts results.
func Tally(results []*CaseResult) Totals {
	t := Totals{ByType: map[DiffType]int{}}
	for _, r := range results {
		t.Cases++
		if r.Passed {
			t.Passed++
		}
		for _, tr := range r.Turns {
			t.Turns++
			if len(tr.Diffs) == 0 {
				t.Agree++
				continue
			}
			dataOnly := true
			for _, d := range tr.Diffs {
				t.ByType[d.Type]++
				if d.Type != DiffUtterance || d.Cause == "" {
					dataOnly = false
				}
			}
			if dataOnly {
				t.DataOnly++
			}
		}
	}
	return t
}

func (t Totals) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d test cases, %d pass; %d turns, %d agree (%s)", t.Cases, t.Passed, t.Turns, t.Agree, pct(t.Agree, t.Turns))
	if d := t.Turns - t.Agree; d > 0 {
		var parts []string
		for _, k := range []DiffType{DiffIntent, DiffPage, DiffFlow, DiffParameters, DiffUtterance} {
			if n := t.ByType[k]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", k, n))
			}
		}
		fmt.Fprintf(&b, ", %d differ (%s)", d, strings.Join(parts, ", "))
		if t.DataOnly > 0 {
			fmt.Fprintf(&b, "; %d of them in text only, from parameter data or webhook messages", t.DataOnly)
		}
	}
	return b.String()
}

// WriteReport writes a replay report like runTestCase's: per test case its
// agreement, per differing turn its differences by type.
func WriteReport(w io.Writer, results []*CaseResult, opts ReportOptions) error {
	var b strings.Builder
	for _, r := range results {
		status := "PASS"
		if !r.Passed {
			status = "FAIL"
		}
		fmt.Fprintf(&b, "%s %s: %d/%d turns agree\n", status, r.Case.DisplayName, r.Agreeing(), len(r.Turns))
		if len(r.Case.TrackingParameters) == 0 {
			differs := false
			for _, tr := range r.Turns {
				for _, d := range tr.Diffs {
					differs = differs || d.Untracked
				}
			}
			if differs {
				b.WriteString("  (the test case tracks no parameters: all are compared, marked untracked)\n")
			}
		}
		for _, tr := range r.Turns {
			if len(tr.Diffs) == 0 && !opts.AllTraces {
				continue
			}
			page := ""
			if tr.Got != nil {
				page = " -> " + tr.Got.PageName()
			}
			fmt.Fprintf(&b, "  turn %d %s%s\n", tr.N, tr.InputString(), page)
			for _, d := range tr.Diffs {
				fmt.Fprintf(&b, "    %s\n", d)
			}
			if tr.Resynced {
				b.WriteString("    (the next turn starts from the recorded state)\n")
			}
			if tr.Got != nil && (opts.AllTraces || opts.Trace && len(tr.Diffs) > 0) {
				b.WriteString(FormatTrace(tr.Got.Trace, "      | "))
			}
		}
	}
	b.WriteString(Tally(results).String())
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

// JUnit XML, as CI systems read it: one testsuite for the agent, one
// testcase per CX test case, a failure listing the differing turns.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the results as JUnit XML; suite names the agent.
func WriteJUnit(w io.Writer, suite string, results []*CaseResult) error {
	s := junitSuite{Name: suite, Tests: len(results)}
	var total time.Duration
	for _, r := range results {
		total += r.Duration
		c := junitCase{Name: r.Case.DisplayName, Classname: suite, Time: seconds(r.Duration)}
		if !r.Passed {
			s.Failures++
			var b strings.Builder
			types := map[DiffType]bool{}
			for _, tr := range r.Turns {
				if len(tr.Diffs) == 0 {
					continue
				}
				fmt.Fprintf(&b, "turn %d %s\n", tr.N, tr.InputString())
				for _, d := range tr.Diffs {
					types[d.Type] = true
					fmt.Fprintf(&b, "  %s\n", d)
				}
				if tr.Got != nil {
					b.WriteString(FormatTrace(tr.Got.Trace, "    | "))
				}
			}
			var ts []string
			for _, k := range []DiffType{DiffIntent, DiffPage, DiffFlow, DiffParameters, DiffUtterance} {
				if types[k] {
					ts = append(ts, string(k))
				}
			}
			c.Failure = &junitFailure{
				Message: fmt.Sprintf("%d of %d turns differ", len(r.Turns)-r.Agreeing(), len(r.Turns)),
				Type:    strings.Join(ts, ","),
				Text:    b.String(),
			}
		}
		s.Cases = append(s.Cases, c)
	}
	s.Time = seconds(total)
	out, err := xml.MarshalIndent(junitSuites{Suites: []junitSuite{s}}, "", "  ")
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	_, err = w.Write(append(out, '\n'))
	return err
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }
