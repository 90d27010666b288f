package fulfillment_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/cxhook/cxhook/cloudlog"
	"github.com/cxhook/cxhook/fulfillment"
	"github.com/go-json-experiment/json"
)

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// FuzzDecodeRequest: decoding arbitrary bytes never panics, and what decodes
// re-encodes to a document that decodes to the same request.
func FuzzDecodeRequest(f *testing.F) {
	f.Add(readTestdata(f, "request_realistic.json"))
	if seeds, _ := filepath.Glob("../examples/flightbot/testdata/requests/*.json"); len(seeds) > 0 {
		for _, s := range seeds {
			if b, err := os.ReadFile(s); err == nil {
				f.Add(b)
			}
		}
	}
	for _, s := range []string{`{}`, `[]`, `null`, `{"fulfillmentInfo":{"tag":"t"}}`, `{"sessionInfo":{"parameters":{"a":null,"b":[1,{"c":"d"}]}}}`,
		`{"pageInfo":{"formInfo":{"parameterInfo":[{"state":"INVALID","value":{}}]}}}`, `{"intentInfo":{"confidence":"NaN"}}`, `{"messages":[{"mixedAudio":{"segments":[{"audio":"AA=="}]}}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := fulfillment.DecodeRequest(data)
		if err != nil {
			return
		}
		once, err := json.Marshal(req)
		if err != nil {
			t.Fatalf("a decoded request does not encode: %v", err)
		}
		again, err := fulfillment.DecodeRequest(once)
		if err != nil {
			t.Fatalf("re-encoded request does not decode: %v\n%s", err, once)
		}
		twice, _ := json.Marshal(again)
		if !reflect.DeepEqual(jsonValue(t, once), jsonValue(t, twice)) {
			t.Fatalf("encoding is not stable:\n%s\n%s", once, twice)
		}
		// The accessors must not panic on anything that decodes.
		_, _ = req.Intent()
		_ = req.FormParams()
		_ = req.Query()
		_ = req.Agent()
		_ = req.TargetPage(fulfillment.EndSession)
		for _, m := range req.Messages() {
			_ = m.Kind()
		}
		for _, n := range req.Params().Names() {
			_, _ = req.Params().Get(n).List()
		}
	})
}

func TestRealisticRequest(t *testing.T) {
	t.Parallel()
	req, err := fulfillment.DecodeRequest(readTestdata(t, "request_realistic.json"))
	if err != nil {
		t.Fatal(err)
	}
	in, _ := req.Intent()
	form, _ := req.FormParam("destination-city")
	dest, _ := form.Value.String()
	date, _ := req.FormParam("departure-date")
	got := []any{req.Tag(), req.SessionID(), req.Page().DisplayName, in.DisplayName, in.Confidence, dest, form.JustCollected,
		date.State, date.Value.IsAbsent(), len(req.Messages()), req.Messages()[1].ResponseType(), req.Query(), req.Params().Len()}
	want := []any{"findAvailableTicket", "dfMessenger-8841276:detectIntent", "Collect One-Way Ticket Information", "flight.book_one_way", float32(0.87), "Denver", true,
		fulfillment.StateEmpty, true, 2, fulfillment.ResponseParameterPrompt, fulfillment.Query{Kind: fulfillment.QueryText, Value: "two tickets to Denver please"}, 41}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

func benchMux() *fulfillment.Mux {
	mux := fulfillment.NewMux()
	mux.HandleFunc("findAvailableTicket", func(ctx context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
		name, _ := req.Params().String("customer_name")
		return fulfillment.Reply("Found 3 flights for you, "+name+".").SetParam("flight_options", []string{"UA 512", "AA 90", "F9 1200"}), nil
	})
	return mux
}

func BenchmarkDecodeRequest(b *testing.B) {
	body := readTestdata(b, "request_realistic.json")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fulfillment.DecodeRequest(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeResponse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		resp := fulfillment.Reply("Found 3 flights.").SetParam("flight_options", []string{"UA 512", "AA 90"}).DeleteParam("meal")
		if _, err := fulfillment.EncodeResponse(resp); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkServeHTTP is one call through the HTTP adapter in process:
// decode, dispatch under the call's deadline, encode, log a line (with
// slog's JSON handler, with the default Cloud Logging handler, with the
// Cloud Logging handler writing in batches as the deployed function does,
// and with the line turned off).
func BenchmarkServeHTTP(b *testing.B) {
	body := readTestdata(b, "request_realistic.json")
	for _, tc := range []struct {
		name   string
		logger *slog.Logger
	}{
		{"logging", slog.New(slog.NewJSONHandler(io.Discard, nil))},
		{"cloudlog", slog.New(cloudlog.NewHandler(io.Discard, nil))},
		{"cloudlog-batched", slog.New(cloudlog.NewHandler(io.Discard, &cloudlog.Options{FlushInterval: cloudlog.DefaultFlushInterval}))},
		{"quiet", slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError}))},
	} {
		b.Run(tc.name, func(b *testing.B) {
			h := fulfillment.NewHTTPHandler(benchMux(), fulfillment.WithLogger(tc.logger))
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body)))
				if rec.Code != 200 {
					b.Fatal(rec.Code, rec.Body.String())
				}
			}
		})
	}
}
