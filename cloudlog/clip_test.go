package cloudlog_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/cxhook/cxhook/cloudlog"
	"github.com/go-json-experiment/json"
)

type bigText struct{ n int }

func (t bigText) MarshalText() ([]byte, error) { return bytes.Repeat([]byte{0x7f}, t.n), nil }

// Whatever a record holds, its line is valid JSON shorter than
// MaxLineBytes, and a clipped value says how long it was.
func TestLineLimits(t *testing.T) {
	t.Parallel()
	del := strings.Repeat("\x7f", 2<<20)
	nul := strings.Repeat("\x00", 1<<20)
	many := func(n, size int) []any {
		var args []any
		for i := range n {
			args = append(args, slog.String(strings.Repeat("k", 8)+string(rune('a'+i%26)), strings.Repeat("v", size)))
		}
		return args
	}
	tests := []struct {
		name string
		msg  string
		args []any
		want []string // in the line
	}{
		{"small", "m", []any{"k", "v"}, []string{`"k":"v"`}},
		{"2 MiB of DEL", "m", []any{"tag", del}, []string{`…(2097152 bytes)"`}},
		{"1 MiB of NUL, six bytes each escaped", "m", []any{"tag", nul}, []string{`\u0000…(1048576 bytes)"`}},
		{"a value at the limit", "m", []any{"v", strings.Repeat("x", cloudlog.MaxValueBytes)}, []string{strings.Repeat("x", cloudlog.MaxValueBytes) + `"`}},
		{"a value one byte over", "m", []any{"v", strings.Repeat("x", cloudlog.MaxValueBytes+1)}, []string{`…(4097 bytes)"`}},
		{"multi-byte runes are cut whole", "m", []any{"v", strings.Repeat("é", 1<<20)}, []string{`é…(2097152 bytes)"`}},
		{"an error's text", "m", []any{"error", errors.New(del)}, []string{`…(2097152 bytes)"`}},
		{"a TextMarshaler", "m", []any{"t", bigText{1 << 20}}, []string{`…(1048576 bytes)"`}},
		{"a large JSON value becomes a clipped string", "m", []any{"list", make([]int, 1<<18)}, []string{`"list":"[0,0,`, ` bytes)"`}},
		{"the message", del, nil, []string{`"message":"` + "\x7f"}},
		{"a key", "m", []any{del, 1}, []string{`…(2097152 bytes)":1`}},
		{"a group", "m", []any{slog.Group(del, "k", del)}, []string{`…(2097152 bytes)":{`}},
		{"many values near the limit", "m", many(10, 3<<10), []string{`"kkkkkkkka":"vvv`, `…(3072 bytes)"`}},
		{"too many values even clipped", "m", many(5000, 10), []string{`"message":"m"`, `"cloudlog_attrs_omitted":5001`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			slog.New(cloudlog.NewHandler(&buf, &cloudlog.Options{ProjectID: "p"})).With("component", "test").Info(tt.msg, tt.args...)
			line := buf.String()
			if len(line) >= cloudlog.MaxLineBytes {
				t.Errorf("line of %d bytes, want < %d", len(line), cloudlog.MaxLineBytes)
			}
			if !strings.HasSuffix(line, "}\n") || strings.Count(line, "\n") != 1 {
				t.Errorf("not one line: %.200q", line)
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Errorf("not JSON: %v: %.300q", err, line)
			}
			for _, w := range tt.want {
				if !strings.Contains(line, w) {
					t.Errorf("line lacks %.80q: %.300q", w, line)
				}
			}
		})
	}
}
