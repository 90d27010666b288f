package quickstart

import (
	"strings"
	"testing"

	"github.com/cxhook/cxhook/fulfillment/fulfillmenttest"
)

func TestCheckMileage(t *testing.T) {
	tests := []struct {
		name    string
		account any // the session parameter frequent_flyer_account; nil: not set
		want    string
		found   bool
	}{
		{"known account", "FF-1001", "You have 12500 miles.", true},
		{"unknown account", "FF-9999", "I can't find that account.", false},
		{"no account yet", nil, "What is your frequent flyer number?", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := fulfillmenttest.NewRequest("checkMileage")
			if tt.account != nil {
				req.Param("frequent_flyer_account", tt.account)
			}
			got := fulfillmenttest.Call(t, newMux(), req.Request(t))
			if len(got.Texts) != 1 || got.Texts[0] != tt.want {
				t.Errorf("texts %q, want %q", got.Texts, tt.want)
			}
			if found, _ := got.Params.Bool("account_found"); found != tt.found {
				t.Errorf("account_found = %v, want %v", found, tt.found)
			}
			if tt.found && !strings.HasSuffix(got.TargetPage, "/pages/END_FLOW") {
				t.Errorf("target page %q, want the end of the flow", got.TargetPage)
			}
		})
	}
}
