// Package cxpbconv converts between cxhook's fulfillment types and the
// generated Dialogflow CX types in cloud.google.com/go/dialogflow/cx/apiv3/cxpb,
// for code that already works with cxpb.
//
// Importing it links protobuf reflection and gRPC into the binary (about
// twice the size and cold start of a function without them), which the
// fulfillment package itself avoids; only programs that import this package
// pay for it. Conversions go through the JSON form, with protojson on the
// cxpb side, so they are exactly as faithful as the wire.
package cxpbconv

import (
	"context"

	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
	"github.com/cxhook/cxhook/fulfillment"
	"github.com/go-json-experiment/json"
	"google.golang.org/protobuf/encoding/protojson"
)

// Request returns the cxpb form of req. Fields the public proto does not
// have were already dropped when req was decoded.
func Request(req *fulfillment.Request) (*cxpb.WebhookRequest, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	out := new(cxpb.WebhookRequest)
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(b, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Response returns a fulfillment.Response that sends resp.
func Response(resp *cxpb.WebhookResponse) (*fulfillment.Response, error) {
	b, err := protojson.Marshal(resp)
	if err != nil {
		return nil, err
	}
	return fulfillment.ResponseFromJSON(b)
}

// Handler adapts a function written against the cxpb types to a
// fulfillment.Handler, so it can be registered on a fulfillment.Mux.
func Handler(f func(context.Context, *cxpb.WebhookRequest) (*cxpb.WebhookResponse, error)) fulfillment.Handler {
	return fulfillment.HandlerFunc(func(ctx context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
		in, err := Request(req)
		if err != nil {
			return nil, fulfillment.NewError(fulfillment.CodeInternal, err)
		}
		out, err := f(ctx, in)
		if err != nil || out == nil {
			return nil, err
		}
		resp, err := Response(out)
		if err != nil {
			return nil, fulfillment.NewError(fulfillment.CodeInternal, err)
		}
		return resp, nil
	})
}
