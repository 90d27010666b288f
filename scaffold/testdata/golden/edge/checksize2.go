package edge

import (
	"context"

	"github.com/cxhook/cxhook/fulfillment"
)

// checkSize2 serves tag "check_size" of webhook "std". The agent calls it at:
//
//   - a route (condition $page.params.status = "FINAL") of page "Tür öffnen"
//     (flow "Default Start Flow"), at flows/Default Start Flow/pages/Tür
//     öffnen.json: transitionRoutes[0].triggerFulfillment; request
//     testdata/requests/check_size_t-r-ffnen_final.json
func checkSize2(ctx context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
	var params checkSize2Params
	if err := req.Params().Decode(&params); err != nil {
		return nil, fulfillment.NewError(fulfillment.CodeInvalidArgument, err)
	}
	// TODO: serve the call and return its response, as in
	// fulfillment.Reply("...").SetParam("...", v).
	return nil, notImplemented("the handler of tag \"check_size\" in checksize2.go")
}

// checkSize2Params holds the session parameters of the calls from page "Tür
// öffnen" of flow "Default Start Flow", nil or empty while not set. The
// form's flow parameters ($flow.secret_flow) are not session parameters; read
// them from req.FormParams().
type checkSize2Params struct {
	// X2ndChoice is form parameter "2nd-choice" (@sys.number-integer,
	// required).
	X2ndChoice *int `json:"2nd-choice"`
	// Type is form parameter "type" (@sys.date, required).
	Type *fulfillment.Date `json:"type"`
	// Größe is form parameter "größe" (@size, required, a list).
	Größe []string `json:"größe"`
	// GivenName is form parameter "given name" (@sys.given-name).
	GivenName string `json:"given name"`
	// Contact is form parameter "contact" (@contact).
	Contact fulfillment.Value `json:"contact"`
}
