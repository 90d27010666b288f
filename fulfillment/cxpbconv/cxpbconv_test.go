package cxpbconv_test

import (
	"context"
	"encoding/json"
	"fmt"

	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
	"github.com/cxhook/cxhook/fulfillment"
	"github.com/cxhook/cxhook/fulfillment/cxpbconv"
)

func ExampleHandler() {
	mux := fulfillment.NewMux()
	mux.Handle("legacy", cxpbconv.Handler(func(ctx context.Context, req *cxpb.WebhookRequest) (*cxpb.WebhookResponse, error) {
		return &cxpb.WebhookResponse{
			FulfillmentResponse: &cxpb.WebhookResponse_FulfillmentResponse{
				Messages: []*cxpb.ResponseMessage{{Message: &cxpb.ResponseMessage_Text_{
					Text: &cxpb.ResponseMessage_Text{Text: []string{"tag was " + req.GetFulfillmentInfo().GetTag()}}}}},
			},
		}, nil
	}))
	req, _ := fulfillment.DecodeRequest([]byte(`{"fulfillmentInfo":{"tag":"legacy"},"unknownField":1}`))
	resp, err := mux.Fulfill(context.Background(), req)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := fulfillment.EncodeResponse(resp)
	// protojson's spacing varies from run to run; print the JSON value.
	var v any
	_ = json.Unmarshal(out, &v)
	stable, _ := json.Marshal(v)
	fmt.Println(string(stable))
	// Output:
	// {"fulfillmentResponse":{"messages":[{"text":{"text":["tag was legacy"]}}]}}
}
