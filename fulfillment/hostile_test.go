package fulfillment_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cxhook/cxhook/cloudlog"
	"github.com/cxhook/cxhook/fulfillment"
	"github.com/cxhook/cxhook/internal/logbuf"
)

// hostileDocs are requests of just under the 2 MiB body limit whose tag is
// made to be expensive to log, each with a valid request of the same size
// and make: the same text as the end user's input (decoded into a string,
// as the tag is), the tag "ok".
func hostileDocs() (names []string, hostile, valid [][]byte) {
	const size = fulfillment.DefaultMaxBodyBytes - 512
	for _, k := range []struct{ name, unit string }{
		{"DEL bytes", "\x7f"},        // \u007f in a JSON log line: 6 bytes each
		{`\u0000 escapes`, `\u0000`}, // 6 bytes in, 6 out
		{"quotes", `\"`},             // %q and JSON both escape them
	} {
		text := strings.Repeat(k.unit, size/len(k.unit))
		names = append(names, k.name)
		hostile = append(hostile, []byte(`{"fulfillmentInfo":{"tag":"`+text+`"},"sessionInfo":{"session":"projects/p/locations/global/agents/a/sessions/s1"}}`))
		valid = append(valid, []byte(`{"text":"`+text+`","fulfillmentInfo":{"tag":"ok"},"sessionInfo":{"session":"projects/p/locations/global/agents/a/sessions/s1"}}`))
	}
	return names, hostile, valid
}

// A tag of 2 MiB that no handler has is answered with 404, and no log line
// carries it whole: fulfillment clips it (checked with slog's own JSON
// handler), and the cloudlog handler keeps every line under MaxLineBytes.
func TestHostileTagIsClipped(t *testing.T) {
	t.Parallel()
	names, hostile, _ := hostileDocs()
	for _, lg := range []struct {
		name string
		new  func(io.Writer) slog.Handler
	}{
		{"slog JSON", func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) }},
		{"cloudlog", func(w io.Writer) slog.Handler { return cloudlog.NewHandler(w, nil) }},
	} {
		for i, doc := range hostile {
			t.Run(lg.name+"/"+names[i], func(t *testing.T) {
				logs := new(logbuf.Buffer)
				h := fulfillment.NewHTTPHandler(testMux(), fulfillment.WithLogger(slog.New(lg.new(logs))))
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(doc)))
				if w.Code != 404 {
					t.Fatalf("status %d, want 404", w.Code)
				}
				lines := logs.Lines()
				if len(lines) != 2 { // the handler's error and the access line
					t.Errorf("%d log lines, want 2", len(lines))
				}
				for _, l := range lines {
					if len(l) >= cloudlog.MaxLineBytes {
						t.Errorf("a log line of %d bytes: %.200s", len(l), l)
					}
					if !strings.Contains(l, " bytes)") {
						t.Errorf("the tag's length is not noted: %.300s", l)
					}
				}
			})
		}
	}
}

// BenchmarkHostileTag serves, in turns, a call whose 2 MiB tag no handler
// has and a valid call of the same size, with the default Cloud Logging
// handler, and reports what the hostile call costs in valid calls
// (x-valid): reading and decoding 2 MiB costs what it costs, the log must
// not multiply it. It must stay under 5.
func BenchmarkHostileTag(b *testing.B) {
	names, hostile, valid := hostileDocs()
	h := fulfillment.NewHTTPHandler(testMux(), fulfillment.WithLogger(slog.New(cloudlog.NewHandler(io.Discard, nil))))
	serve := func(doc []byte, want int) time.Duration {
		start := time.Now()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(doc)).WithContext(context.Background()))
		if w.Code != want {
			b.Fatalf("status %d, want %d", w.Code, want)
		}
		return time.Since(start)
	}
	for i := range names {
		b.Run(names[i], func(b *testing.B) {
			var th, tv time.Duration
			for b.Loop() {
				tv += serve(valid[i], 200)
				th += serve(hostile[i], 404)
			}
			b.ReportMetric(float64(th)/float64(tv), "x-valid")
			b.ReportMetric(float64(th.Microseconds())/float64(b.N), "hostile-µs/call")
			b.ReportMetric(float64(tv.Microseconds())/float64(b.N), "valid-µs/call")
		})
	}
}
