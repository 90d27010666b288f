package fulfillmenttest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/cxhook/cxhook/fulfillment"
	"github.com/cxhook/cxhook/fulfillment/fulfillmenttest"
)

func passengers(ctx context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
	p, ok := req.FormParam("passengers")
	if n, err := p.Value.Int(); ok && err == nil && n > 9 {
		return fulfillment.Reply("At most 9 passengers, please.").InvalidateFormParam("passengers"), nil
	}
	return fulfillment.NewResponse().SetParam("checked", true), nil
}

// TestInvalidatesTooManyPassengers shows the kit in use.
func TestInvalidatesTooManyPassengers(t *testing.T) {
	t.Parallel()
	req := fulfillmenttest.NewRequest("validatePassengers").
		FormParam("passengers", true, fulfillment.StateFilled, 12, true).
		Request(t)
	got := fulfillmenttest.Call(t, fulfillment.HandlerFunc(passengers), req)
	if fmt.Sprint(got.Texts, got.FormStates["passengers"]) != "[At most 9 passengers, please.] INVALID" {
		t.Errorf("got %s", got.JSON)
	}
}

func TestCall(t *testing.T) {
	t.Parallel()
	req := fulfillmenttest.NewRequest("x").Param("gone", nil).Text("hi").Request(t)
	if req.Query().Value != "hi" || !req.Params().Get("gone").IsNull() {
		t.Fatalf("builder lost fields: %s", fulfillmenttest.NewRequest("x").Param("gone", nil).JSON())
	}
	h := fulfillment.HandlerFunc(func(ctx context.Context, r *fulfillment.Request) (*fulfillment.Response, error) {
		return fulfillment.Reply("a").DeleteParam("gone").SetParam("n", 2).TransitionTo(r.TargetPage(fulfillment.EndSession)).ReplaceQueued(), nil
	})
	got := fulfillmenttest.Call(t, h, req)
	if n, _ := got.Params.Int("n"); n != 2 || !got.Params.Get("gone").IsNull() || !got.Replace ||
		got.TargetPage != fulfillmenttest.TestAgent+"/flows/00000000-0000-0000-0000-000000000000/pages/END_SESSION" {
		t.Errorf("result %+v from %s", got, got.JSON)
	}
}
