package fulfillment_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"log/slog"

	"github.com/cxhook/cxhook/fulfillment"
)

func ExampleMux() {
	mux := fulfillment.NewMux()
	mux.HandleFunc("greet", func(ctx context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
		name, err := req.Params().String("name")
		if errors.Is(err, fulfillment.ErrAbsent) {
			return fulfillment.Reply("Hello! What's your name?"), nil
		}
		if err != nil {
			return nil, fulfillment.NewError(fulfillment.CodeInvalidArgument, err)
		}
		return fulfillment.Reply("Hello, "+name+"!").SetParam("greeted", true), nil
	})

	req, _ := fulfillment.DecodeRequest([]byte(`{"fulfillmentInfo":{"tag":"greet"},"sessionInfo":{"parameters":{"name":"Ada"}}}`))
	resp, _ := mux.Fulfill(context.Background(), req)
	out, _ := fulfillment.EncodeResponse(resp)
	fmt.Println(string(out))
	// Output:
	// {"fulfillmentResponse":{"messages":[{"text":{"text":["Hello, Ada!"]}}]},"sessionInfo":{"parameters":{"greeted":true}}}
}

func ExampleNewHTTPHandler() {
	mux := fulfillment.NewMux()
	mux.HandleFunc("ping", func(ctx context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
		return fulfillment.Reply("pong"), nil
	})
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	srv := httptest.NewServer(fulfillment.NewHTTPHandler(mux, fulfillment.WithLogger(quiet)))
	defer srv.Close()

	for _, body := range []string{`{"fulfillmentInfo":{"tag":"ping"}}`, `{"fulfillmentInfo":{"tag":"pong"}}`, `not json`} {
		resp, _ := http.Post(srv.URL, "application/json", strings.NewReader(body))
		var b strings.Builder
		_, _ = fmt.Fprint(&b, resp.Status, " ")
		buf := make([]byte, 200)
		n, _ := resp.Body.Read(buf)
		resp.Body.Close()
		fmt.Println(b.String() + string(buf[:n]))
	}
	// Output:
	// 200 OK {"fulfillmentResponse":{"messages":[{"text":{"text":["pong"]}}]}}
	// 404 Not Found {"code":"not_found","message":"no handler for this tag"}
	// 400 Bad Request {"code":"invalid_argument","message":"the request is not a valid WebhookRequest"}
}

func ExampleResponse() {
	req, _ := fulfillment.DecodeRequest([]byte(`{"fulfillmentInfo":{"tag":"book"},
		"pageInfo":{"currentPage":"projects/p/locations/global/agents/a/flows/f/pages/confirm"}}`))

	resp := fulfillment.Reply("Your flight is booked.", "Done: you're booked.").
		Add(fulfillment.OutputAudioSSML("<speak>Your flight is booked.</speak>")).
		SetParam("booking_ref", "ZX81").
		DeleteParam("card_number").
		TransitionTo(req.TargetPage(fulfillment.EndSession))
	out, err := fulfillment.EncodeResponse(resp)
	fmt.Println(string(out), err)
	// Output:
	// {"fulfillmentResponse":{"messages":[{"text":{"text":["Your flight is booked.","Done: you're booked."]}},{"outputAudioText":{"ssml":"<speak>Your flight is booked.</speak>"}}]},"sessionInfo":{"parameters":{"booking_ref":"ZX81","card_number":null}},"targetPage":"projects/p/locations/global/agents/a/flows/f/pages/END_SESSION"} <nil>
}

func ExampleResponse_InvalidateFormParam() {
	req, _ := fulfillment.DecodeRequest([]byte(`{"fulfillmentInfo":{"tag":"validate"},
		"pageInfo":{"formInfo":{"parameterInfo":[{"displayName":"passengers","required":true,"state":"FILLED","value":12,"justCollected":true}]}}}`))

	p, _ := req.FormParam("passengers")
	n, _ := p.Value.Int()
	resp := fulfillment.NewResponse()
	if n > 9 {
		resp = fulfillment.Reply("We can book at most 9 passengers.").InvalidateFormParam("passengers")
	}
	out, _ := fulfillment.EncodeResponse(resp)
	fmt.Println(string(out))
	// Output:
	// {"fulfillmentResponse":{"messages":[{"text":{"text":["We can book at most 9 passengers."]}}]},"pageInfo":{"formInfo":{"parameterInfo":[{"displayName":"passengers","state":"INVALID"}]}}}
}

func ExampleParams_Int() {
	req, _ := fulfillment.DecodeRequest([]byte(`{"sessionInfo":{"parameters":{"miles":12500,"tier":null,"seats":"two"}}}`))
	p := req.Params()
	for _, name := range []string{"miles", "tier", "seats", "pets"} {
		n, err := p.Int(name)
		switch {
		case errors.Is(err, fulfillment.ErrAbsent):
			fmt.Println(name, "is not set")
		case errors.Is(err, fulfillment.ErrNull):
			fmt.Println(name, "was cleared")
		case err != nil:
			fmt.Println(err)
		default:
			fmt.Println(name, "=", n)
		}
	}
	// Output:
	// miles = 12500
	// tier was cleared
	// parameter "seats" is a string, want integer
	// pets is not set
}

func ExampleNewError() {
	err := fulfillment.NewError(fulfillment.CodeUnavailable, errors.New("fares service down"))
	code := fulfillment.CodeOf(err)
	fmt.Println(code, code.HTTPStatus())
	fmt.Println(fulfillment.CodeOf(context.DeadlineExceeded), fulfillment.CodeOf(errors.New("plain")).HTTPStatus())
	// Output:
	// unavailable 503
	// deadline_exceeded 500
}

func ExampleChain() {
	logTag := func(next fulfillment.Handler) fulfillment.Handler {
		return fulfillment.HandlerFunc(func(ctx context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
			fmt.Println("before", req.Tag())
			resp, err := next.Fulfill(ctx, req)
			fmt.Println("after", req.Tag())
			return resp, err
		})
	}
	h := fulfillment.Chain(logTag)(fulfillment.HandlerFunc(func(ctx context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
		fmt.Println("handler")
		return fulfillment.NewResponse(), nil
	}))
	req, _ := fulfillment.DecodeRequest([]byte(`{"fulfillmentInfo":{"tag":"t"}}`))
	_, _ = h.Fulfill(context.Background(), req)
	// Output:
	// before t
	// handler
	// after t
}
