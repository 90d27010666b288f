// Package setup wires a deployed cxhook function to the Dialogflow CX agents
// that call it: the agents' service agent identities, their right to invoke
// the function, the agents' Webhook resources and the function's CXHOOK_*
// environment. It is admin-time code: the function never imports it, so its
// API clients stay out of the function's binary. The cxhook command
// (cmd/cxhook) and deploy.sh drive it.
//
// # What a working set-up needs
//
// Dialogflow calls a webhook with an ID token of the agent project's
// Dialogflow service agent, service-NUMBER@gcp-sa-dialogflow.iam.gserviceaccount.com
// (auth.ServiceAgentEmail gives it; its IAM member is [ServiceAgentMember]).
// Behind --no-allow-unauthenticated the platform lets the call through only
// if that identity holds the invoker role
// ([Generation.InvokerRole]): roles/run.invoker on the Cloud Run service of
// a 2nd gen function, roles/cloudfunctions.invoker on a 1st gen function.
// The grant is made in the function's project, which may differ from the
// agent's. The service agent only exists once Dialogflow has been used in
// its project, so [EnsureServiceAgent] creates it first. Last, the agent
// needs a Webhook resource with the function's URL and service agent
// authentication ([EnsureWebhook]), at the agent's regional endpoint if it
// is not global ([Agent.Endpoint]).
//
// # Usage
//
//	s, err := setup.New(ctx, setup.Options{Log: os.Stderr})
//	if err != nil { ... }
//	defer s.Close()
//	agent, err := setup.ParseAgent("projects/my-agents/locations/global/agents/123")
//	cfg := setup.Config{Project: "my-functions", Region: "europe-west1", Function: "cxhook", Agents: []setup.Agent{agent}}
//	err = s.Run(ctx, cfg)
//
// [Setup.Env] gives the environment to deploy the function with, GOMEMLIMIT
// from the instance memory included ([MemoryLimit]); [Config.Plan] says
// what Run would do without calling anything. [CheckModule] says, before
// anything is uploaded, whether a Go module can be deployed as the
// function and on which runtime.
//
// # Safe to repeat
//
// Every step reads before it writes and writes only what differs: a second
// [Setup.Run] makes no change. IAM policies are changed by read-modify-write
// with their etag ([Grant]); a write that loses a race with another writer
// is retried from a fresh read, and other bindings, conditions and the
// policy version are kept as they are. A Webhook resource that exists is
// updated in place with an update mask, keeping its name and other settings.
//
// # Errors
//
// When IAM refuses a call, the error is a [*PermissionError]: it names the
// permission, the resource, a role that holds the permission and the gcloud
// command that grants it. A call to a disabled API gives a [*DisabledError]
// with the command that enables it.
package setup
