package cloudlog_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"testing/slogtest"
	"time"

	"github.com/cxhook/cxhook/cloudlog"
	"github.com/go-json-experiment/json"
)

func TestTraceFromHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, traceparent, cloud string
		want                     cloudlog.Trace
	}{
		{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "", cloudlog.Trace{ID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b7", Sampled: true}},
		{"traceparent not sampled, upper case", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-00", "", cloudlog.Trace{ID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b7"}},
		{"traceparent wins", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "105445aa7843bc8bf206b12000100000/1;o=1", cloudlog.Trace{ID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b7", Sampled: true}},
		{"legacy header", "", "105445aa7843bc8bf206b12000100000/1;o=1", cloudlog.Trace{ID: "105445aa7843bc8bf206b12000100000", SpanID: "0000000000000001", Sampled: true}},
		{"legacy without span", "", "105445aa7843bc8bf206b12000100000", cloudlog.Trace{ID: "105445aa7843bc8bf206b12000100000"}},
		{"legacy decimal span", "", "105445aa7843bc8bf206b12000100000/18446744073709551615;o=0", cloudlog.Trace{ID: "105445aa7843bc8bf206b12000100000", SpanID: "ffffffffffffffff"}},
		{"bad traceparent falls back", "00-zz-00f067aa0ba902b7-01", "105445aa7843bc8bf206b12000100000", cloudlog.Trace{ID: "105445aa7843bc8bf206b12000100000"}},
		{"all-zero trace id", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "", cloudlog.Trace{}},
		{"version ff", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "", cloudlog.Trace{}},
		{"extra fields in version 00", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xx", "", cloudlog.Trace{}},
		{"future version with a field more", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xx", "", cloudlog.Trace{ID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b7", Sampled: true}},
		{"future version, flags run on", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01xx", "", cloudlog.Trace{}},
		{"all-zero span id", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "", cloudlog.Trace{}},
		{"short span id", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902-01", "", cloudlog.Trace{}},
		{"non-hex flags", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g", "", cloudlog.Trace{}},
		{"short legacy id", "", "1054/1", cloudlog.Trace{}},
		{"injection attempt", "", "105445aa7843bc8bf206b12000100000\"}/1", cloudlog.Trace{}},
		{"none", "", "", cloudlog.Trace{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.traceparent != "" {
				h.Set("traceparent", tt.traceparent)
			}
			if tt.cloud != "" {
				h.Set("X-Cloud-Trace-Context", tt.cloud)
			}
			if got := cloudlog.TraceFromHeader(h); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestHandlerFields(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(cloudlog.NewHandler(&buf, &cloudlog.Options{ProjectID: "my-proj", Level: slog.LevelDebug}))
	ctx := cloudlog.WithTrace(context.Background(), cloudlog.Trace{ID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b7", Sampled: true})
	logger.DebugContext(ctx, "d")
	logger.InfoContext(ctx, "i", "k", 1)
	logger.WarnContext(ctx, "w")
	logger.ErrorContext(context.Background(), "e")
	logger.Log(ctx, slog.LevelError+4, "c")
	want := []map[string]any{
		{"severity": "DEBUG", "message": "d"},
		{"severity": "INFO", "message": "i", "k": 1.0},
		{"severity": "WARNING", "message": "w"},
		{"severity": "ERROR", "message": "e"},
		{"severity": "CRITICAL", "message": "c"},
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d lines: %s", len(lines), buf.String())
	}
	for i, line := range lines {
		var got map[string]any
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("line %d is not JSON: %s", i, line)
		}
		for k, v := range want[i] {
			if got[k] != v {
				t.Errorf("line %d: %s = %v, want %v", i, k, got[k], v)
			}
		}
		if _, ok := got["time"]; !ok {
			t.Errorf("line %d has no time", i)
		}
		traced := i != 3
		if tr, _ := got["logging.googleapis.com/trace"].(string); traced != (tr == "projects/my-proj/traces/4bf92f3577b34da6a3ce929d0e0e4736") {
			t.Errorf("line %d: trace %q", i, tr)
		}
		if traced && (got["logging.googleapis.com/spanId"] != "00f067aa0ba902b7" || got["logging.googleapis.com/trace_sampled"] != true) {
			t.Errorf("line %d: span fields %v", i, got)
		}
	}
}

func TestHandlerWithoutProject(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(cloudlog.NewHandler(&buf, nil))
	logger.InfoContext(cloudlog.WithTrace(context.Background(), cloudlog.Trace{ID: "4bf92f3577b34da6a3ce929d0e0e4736"}), "x")
	if !strings.Contains(buf.String(), `"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"`) || strings.Contains(buf.String(), "logging.googleapis.com/trace") {
		t.Errorf("got %s", buf.String())
	}
}

// TestSlogConformance runs the standard library's handler conformance suite,
// reading our keys back as slog's.
func TestSlogConformance(t *testing.T) {
	t.Parallel()
	for _, interval := range []time.Duration{0, time.Hour} {
		t.Run(fmt.Sprint("FlushInterval=", interval), func(t *testing.T) {
			testSlogConformance(t, interval)
		})
	}
}

func testSlogConformance(t *testing.T, interval time.Duration) {
	var buf bytes.Buffer
	h := cloudlog.NewHandler(&buf, &cloudlog.Options{FlushInterval: interval})
	results := func() []map[string]any {
		if err := h.Flush(); err != nil {
			t.Fatal(err)
		}
		var ms []map[string]any
		for line := range strings.Lines(buf.String()) {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatal(err)
			}
			m[slog.MessageKey], m[slog.LevelKey] = m["message"], m["severity"]
			delete(m, "message")
			delete(m, "severity")
			ms = append(ms, m)
		}
		return ms
	}
	if err := slogtest.TestHandler(h, results); err != nil {
		t.Error(err)
	}
}

func ExampleNewHandler() {
	var buf bytes.Buffer
	logger := slog.New(cloudlog.NewHandler(&buf, &cloudlog.Options{ProjectID: "my-project"}))
	h := http.Header{"Traceparent": {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"}}
	ctx := cloudlog.WithTrace(context.Background(), cloudlog.TraceFromHeader(h))
	logger.InfoContext(ctx, "booked", "tag", "findAvailableTicket")
	var line map[string]any
	_ = json.Unmarshal(buf.Bytes(), &line)
	delete(line, "time")
	out, _ := json.Marshal(line, json.Deterministic(true))
	fmt.Println(string(out))
	// Output:
	// {"logging.googleapis.com/spanId":"00f067aa0ba902b7","logging.googleapis.com/trace":"projects/my-project/traces/4bf92f3577b34da6a3ce929d0e0e4736","message":"booked","severity":"INFO","tag":"findAvailableTicket"}
}

// Attributes named like the built-in keys are ordinary attributes.
func TestBuiltinKeyNames(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	slog.New(cloudlog.NewHandler(&buf, nil)).Info("x", "level", "high", "msg", 1, "source", true)
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil || got["level"] != "high" || got["msg"] != 1.0 || got["message"] != "x" {
		t.Errorf("got %v (%v) from %s", got, err, buf.String())
	}
}
