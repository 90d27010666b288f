// Package auth verifies who calls a Dialogflow CX webhook, and refuses
// everyone else before the request reaches fulfillment code.
//
// A webhook URL is public: whoever finds it can post a WebhookRequest that
// reads or changes a customer's session. Each way Dialogflow CX can
// authenticate itself has a [Verifier] here, and [Require] turns any
// Verifier into net/http middleware that answers 401 or 403 and puts the
// verified [Caller] in the request context:
//
//	allow, err := auth.NewAllowList([]string{"123456789012"}, nil)
//	...
//	v, err := auth.NewPlatformVerifier([]string{"https://webhook-abc123-ew.a.run.app"}, allow)
//	...
//	h := auth.Require(v, auth.WithLogger(logger))(webhook)
//
// [Gate] is the same check as a step of its own, for an adapter that
// carries the call's context itself: cxhook's fulfillment adapter runs it
// through fulfillment.WithGate (webhook.New does so), which saves the
// request copy middleware must make.
//
// The deployed function builds its Verifier from the environment with
// [FromEnv]; auth itself never reads the environment.
//
// # Choosing a mode
//
// There is no safe default; pick exactly one.
//
//   - [PlatformVerifier] (CXHOOK_AUTH=platform), recommended: the function
//     is deployed with --no-allow-unauthenticated and each agent's
//     Dialogflow service agent holds roles/run.invoker on it. Cloud Run
//     verifies the ID token; cxhook checks its claims again.
//   - [IDTokenVerifier] (idtoken): the function allows unauthenticated
//     invocations, so cxhook verifies the ID token itself, signature
//     included.
//   - [BasicVerifier] (basic): the webhook has a username and password
//     (secretVersionForUsernamePassword).
//   - [HeaderVerifier] (header): the webhook sends a static header, an API
//     key (requestHeaders or secretVersionsForRequestHeaders).
//   - [NoneVerifier] (none): local development only.
//
// Dialogflow sends a Google ID token unless the webhook says otherwise
// (serviceAgentAuth unset or ID_TOKEN). The two token modes accept only
// the emails of an [AllowList]: the service agent
// service-PROJECT_NUMBER@gcp-sa-dialogflow.iam.gserviceaccount.com of each
// agent project ([ServiceAgentEmail]), plus any other account whose ID
// tokens should get in, such as a smoke-test service account. They refuse
// OAuth access tokens, which is what Dialogflow sends for
// serviceAccountAuthConfig and serviceAgentAuth ACCESS_TOKEN: nothing in an
// access token can be checked offline.
//
// # What the token modes check
//
// Both refuse, before anything else, a credential header over 16 KiB, two
// Authorization headers, and anything but an RS256 JWT of three strict
// base64url segments with a key id. Both then require aud to be one of the
// configured audiences (exact match; configure the function URL with and
// without path), iss to be accounts.google.com or
// https://accounts.google.com, exp and iat present, exp not passed, iat and
// nbf not in the future (each within a clock skew of [DefaultClockSkew],
// see [WithClockSkew]), email_verified not false, and email on the
// allow-list.
//
// IDTokenVerifier also verifies the RS256 signature against Google's
// published keys (https://www.googleapis.com/oauth2/v3/certs, cached as
// their Cache-Control allows), and refuses a token whose signature Cloud
// Run removed. It does so with the standard library alone rather than
// google.golang.org/api/idtoken, which would link gRPC and protobuf into
// the function and double its size and cold start.
//
// PlatformVerifier verifies no signature: it requires the one Cloud Run
// leaves, SIGNATURE_REMOVED_BY_GOOGLE, and trusts that Cloud Run checked
// the original. That is only true behind Cloud Run IAM: on a public
// service anyone can write such a token, so PlatformVerifier refuses any
// token that still has a signature, turning that misdeployment into
// visible 401s instead of a silent hole.
//
// # Errors and answers
//
// Verifiers return errors wrapping [ErrNoCredentials] or
// [ErrInvalidCredentials] (401, with a WWW-Authenticate challenge),
// [ErrNotAllowed] (403) or [ErrUnavailable] (503, when Google's keys cannot
// be fetched). Require answers with a JSON body {"code","message"} whose
// message is generic, and logs the reason. Neither the answer nor the log
// ever holds a token, password or key; a refused caller's email is logged.
// [Secret] values format and log as [REDACTED].
//
// # Rotation
//
// [BasicVerifier] and [HeaderVerifier] accept several values and compare
// every one in constant time. To rotate: accept the new value beside the
// old, point the agent at the new one, then drop the old.
//
// # Testing
//
// Package [github.com/cxhook/cxhook/auth/authtest] mints real RS256 tokens
// and serves their key where IDTokenVerifier looks for Google's, through
// [WithHTTPClient], so a function's tests exercise the real checks without
// a network.
package auth
