package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/cxhook/cxhook/fulfillment"
	"github.com/go-json-experiment/json"
)

// process is what the HTTP adapter does for one call, minus HTTP: decode,
// dispatch, encode.
func process(mux fulfillment.Handler, body []byte, w io.Writer) error {
	req, err := fulfillment.DecodeRequest(body)
	if err != nil {
		return err
	}
	resp, err := mux.Fulfill(context.Background(), req)
	if err != nil {
		return err
	}
	return json.MarshalWrite(w, resp)
}

// BenchmarkCodec is the bench harness's in-process micro benchmark: it reads
// the harness's fixtures from $BENCH_FIXTURES (run.sh sets it) and skips
// without them.
func BenchmarkCodec(b *testing.B) {
	dir := os.Getenv("BENCH_FIXTURES")
	if dir == "" {
		b.Skip("BENCH_FIXTURES not set (run through ../shared/bench/run.sh)")
	}
	mux := newMux()
	for _, f := range []string{"small", "medium", "large"} {
		body, err := os.ReadFile(filepath.Join(dir, f+".json"))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(f, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := process(mux, body, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestHello(t *testing.T) {
	req, err := fulfillment.DecodeRequest([]byte(`{"fulfillmentInfo":{"tag":"t"},"sessionInfo":{"parameters":{"customer_name":"Ada"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := process(newMux(), []byte(`{"fulfillmentInfo":{"tag":"t"},"sessionInfo":{"parameters":{"customer_name":"Ada"}}}`), &out); err != nil {
		t.Fatal(err)
	}
	var got any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := `{"fulfillmentResponse":{"messages":[{"text":{"text":["t: hello, Ada"]}}]},"sessionInfo":{"parameters":{"last_tag":"t"}}}`
	var w any
	_ = json.Unmarshal([]byte(want), &w)
	if g, _ := json.Marshal(got, json.Deterministic(true)); string(g) != mustCanon(t, want) {
		t.Errorf("got %s, want %s", g, want)
	}
	_ = req
}

func mustCanon(t *testing.T, s string) string {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v, json.Deterministic(true))
	return string(b)
}
