package fulfillment_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/cxhook/cxhook/fulfillment"
)

// The prebuilt feedback component's webhook
// prebuilt_components_feedback:last_feedback_check is FLEXIBLE: its
// requestBody template renders
//
//	{"phone_number": "$session.params.phone_number", "fulfillmentInfo": {"tag": "getPreviousFeedbackDate"}}
//
// and its parameterMapping sets $flow.last_feedback_time_elapsed from the
// answer's last_feedback_time_elapsed.
func ExampleFlexible() {
	type check struct {
		Phone string `json:"phone_number"`
	}
	type answer struct {
		Elapsed string `json:"last_feedback_time_elapsed"` // the flow compares it with "true"
	}
	mux := fulfillment.NewMux()
	mux.HandleFlexible("getPreviousFeedbackDate", fulfillment.Flexible(func(ctx context.Context, r check) (answer, error) {
		gaveFeedback := r.Phone == "+16505550100"
		return answer{Elapsed: fmt.Sprint(!gaveFeedback)}, nil
	}))
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	srv := httptest.NewServer(fulfillment.NewHTTPHandler(mux, fulfillment.WithLogger(quiet)))
	defer srv.Close()

	for _, body := range []string{
		`{"phone_number": "+16505550100", "fulfillmentInfo": {"tag": "getPreviousFeedbackDate"}}`,
		`{"phone_number": "+16505550199", "fulfillmentInfo": {"tag": "getPreviousFeedbackDate"}}`,
		`{"phone_number": 16505550199, "fulfillmentInfo": {"tag": "getPreviousFeedbackDate"}}`,
	} {
		resp, err := http.Post(srv.URL, "application/json", strings.NewReader(body))
		if err != nil {
			fmt.Println(err)
			return
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.Status, string(answer))
	}
	// Output:
	// 200 OK {"last_feedback_time_elapsed":"false"}
	// 200 OK {"last_feedback_time_elapsed":"true"}
	// 400 Bad Request {"code":"invalid_argument","message":"the request body is not valid for this webhook"}
}

// A template without a tag, such as {"address": "$flow.request_body"},
// is served by path: the webhook's URI is the function's URL with the path.
func ExampleMux_HandleFlexiblePath() {
	type address struct {
		Address string `json:"address"`
	}
	type result struct {
		Formatted string   `json:"formatted"`
		Missing   []string `json:"missing"`
	}
	type validation struct {
		Result result `json:"result"` // mapped as $.result.formatted, $.result.missing
	}
	mux := fulfillment.NewMux()
	mux.HandleFlexiblePath("/address/validate", fulfillment.Flexible(func(ctx context.Context, r address) (validation, error) {
		v := validation{Result: result{Formatted: strings.ToUpper(r.Address), Missing: []string{}}}
		if !strings.ContainsAny(r.Address, "0123456789") {
			v.Result.Missing = append(v.Result.Missing, "street_number")
		}
		return v, nil
	}))
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	srv := httptest.NewServer(fulfillment.NewHTTPHandler(mux, fulfillment.WithLogger(quiet)))
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/address/validate", "application/json", strings.NewReader(`{"address": "Amphitheatre Pkwy, Mountain View"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status, string(answer))
	fmt.Println(mux.FlexiblePaths())
	// Output:
	// 200 OK {"result":{"formatted":"AMPHITHEATRE PKWY, MOUNTAIN VIEW","missing":["street_number"]}}
	// [/address/validate]
}
