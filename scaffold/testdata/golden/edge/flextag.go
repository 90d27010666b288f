package edge

import (
	"context"

	"github.com/cxhook/cxhook/fulfillment"
)

// flexTag serves the FLEXIBLE webhook "flex-tagged", whose request template
// carries the tag "flexTag". The agent calls it at:
//
//   - the entry fulfillment of page "Flexible" (flow "Default Start Flow"), at
//     flows/Default Start Flow/pages/Flexible.json: entryFulfillment; request
//     testdata/requests/flexTag_flexible_entry_flexible.json
//
// Dialogflow posts the body the request template renders (flexTagRequest), not
// a WebhookRequest, and sets parameters from the answer (flexTagAnswer)
// through the parameter mapping.
func flexTag(ctx context.Context, req flexTagRequest) (flexTagAnswer, error) {
	// TODO: serve the call and return the answer.
	return flexTagAnswer{}, notImplemented("the flexible handler of tag \"flexTag\" in flextag.go")
}

// flexTagRequest is the body that the request template of webhook
// "flex-tagged" renders:
//
//	{
//	  "score": "$flow.score",
//	  "note": "score $flow.score of $session.params.who",
//	  "who": "$session.params.who",
//	  "meta": {
//	    "version": 2,
//	    "strict": true,
//	    "source": "cx",
//	    "wait": "$session.params.wait"
//	  },
//	  "tags": ["a", "b"],
//	  "fulfillmentInfo": {
//	    "tag": "flexTag"
//	  }
//	}
//
// A parameter the session does not hold may arrive as the text of its
// reference, or as null: how Dialogflow renders one is not documented.
type flexTagRequest struct {
	// Score is $flow.score, the value of form parameter "$flow.score"
	// (@sys.number) of page "Flexible": the value or its text; read it with
	// Number (a number sent as text: parse String).
	Score fulfillment.Value `json:"score"`
	// Note is text with $flow.score, $session.params.who in it.
	Note string `json:"note"`
	// Who is $session.params.who, the value of form parameter "who"
	// (@sys.person) of page "Start": the value or its text; read it with
	// Person.
	Who  fulfillment.Value `json:"who"`
	Meta struct {
		Version *float64 `json:"version"`
		Strict  *bool    `json:"strict"`
		Source  string   `json:"source"`
		// Wait is $session.params.wait, the value of form parameter "wait"
		// (@sys.duration) of page "Start": the value or its text; read it with
		// Duration.
		Wait fulfillment.Value `json:"wait"`
	} `json:"meta"`
	// Tags is a list in the template, any JSON.
	Tags fulfillment.Value `json:"tags"`
}

// flexTagAnswer is the answer, whose members the parameter mapping reads:
//
//   - $flow.result_score from $.result.score
//   - $flow.result_detail from $.result.detail.text
//   - $flow.odd from $['odd key']
//   - $flow.first_item from $.items[0].name
//   - $flow.plain from plain
//
// A path that filters, indexes or spans members stops at the last member it
// names plainly: set that member to what the path expects.
type flexTagAnswer struct {
	Result struct {
		// Score is the member that sets $flow.result_score.
		Score  any `json:"score,omitzero"`
		Detail struct {
			// Text is the member that sets $flow.result_detail.
			Text any `json:"text,omitzero"`
		} `json:"detail,omitzero"`
	} `json:"result,omitzero"`
	// OddKey is the member that sets $flow.odd.
	OddKey any `json:"odd key,omitzero"`
	// Items is the member that sets $flow.first_item, through a JSON path that
	// goes on into it.
	Items any `json:"items,omitzero"`
	// Plain is the member that sets $flow.plain.
	Plain any `json:"plain,omitzero"`
}
