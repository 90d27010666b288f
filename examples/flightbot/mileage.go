package flightbot

import (
	"context"
	"strings"

	"github.com/cxhook/cxhook/fulfillment"
)

// paramAccount is the account form parameter of "Check Frequent Flyer
// Account Miles". Its entity type, @frequent_flyer_account, takes a
// @sys.number-sequence ("123456") or a @sys.email.
const paramAccount = "frequent_flyer_account_number"

// checkMileage looks up the frequent flyer account the form collects and,
// once the account holder's name matches, sets mileage, which "Display
// Frequent Flyer MIles" shows. An unknown account is an answer the agent
// routes on, not an error.
func (a *airline) checkMileage(_ context.Context, req *fulfillment.Request) (*fulfillment.Response, error) {
	v, ok := filledFormParam(req, paramAccount)
	if !ok {
		return fulfillment.NewResponse(), nil // the account's own prompt: nothing to look up yet
	}
	key, _ := v.String()
	acct, found := findAccount(key)

	if !req.FormComplete() {
		// The passenger_name prompt, right after the account came.
		if !found {
			// The page routes $session.params.account = "invalid" to
			// "Anything Else" with its own apology; drop the queued
			// request for a name.
			return replaceQueued(req, fulfillment.ResponseParameterPrompt).SetParam("account", "invalid"), nil
		}
		// Clear the flag a failed lookup may have left earlier.
		return fulfillment.NewResponse().DeleteParam("account"), nil
	}

	// The FINAL route: the account and the name. The form may have filled
	// in one go, with passenger_name already a session parameter (from a
	// booking, say), so the account may not have been looked up yet.
	nv, _ := filledFormParam(req, paramPassenger)
	name, _ := nv.String()
	if !found || !strings.EqualFold(strings.Join(strings.Fields(name), " "), acct.holder) {
		// The route's target would show miles; ask again instead, without
		// saying which of the two did not match.
		return reenter(req, fulfillment.Reply("Sorry, I can't find a frequent flyer account with that number and name.").
			DeleteParam(paramAccount).
			DeleteParam(paramPassenger)), nil
	}
	return fulfillment.NewResponse().SetParam("mileage", acct.miles).DeleteParam("account"), nil
}

// An account is a frequent flyer account.
type account struct {
	number, email, holder string
	miles                 int
}

// accounts are the frequent flyer accounts. The first is the one the
// agent's prompts suggest trying ("Enter account number: 123456",
// "Enter jetset2020@gmail.com", "Enter Melina Garcia").
var accounts = []account{
	{"123456", "jetset2020@gmail.com", "Melina Garcia", 55000},
	{"246810", "rita.okafor@example.com", "Rita Okafor", 12750},
}

// findAccount finds an account by number or email address.
func findAccount(key string) (account, bool) {
	key = strings.TrimSpace(key)
	for _, acct := range accounts {
		if key == acct.number || strings.EqualFold(key, acct.email) {
			return acct, true
		}
	}
	return account{}, false
}
