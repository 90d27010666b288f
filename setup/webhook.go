package setup

import (
	"context"
	"fmt"
	"time"

	cx "cloud.google.com/go/dialogflow/cx/apiv3"
	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
	"google.golang.org/api/iterator"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// A WebhookSpec is what an agent's Webhook resource must say for Dialogflow
// to call the function with the service agent's ID token.
type WebhookSpec struct {
	DisplayName string        // unique within the agent; identifies the webhook
	URI         string        // the function's URL
	Timeout     time.Duration // how long Dialogflow waits for each attempt
}

// A Change says what an ensure step did.
type Change int

const (
	Unchanged Change = iota // everything was already as wanted
	Created
	Updated
)

// String returns "unchanged", "created" or "updated".
func (c Change) String() string {
	switch c {
	case Created:
		return "created"
	case Updated:
		return "updated"
	}
	return "unchanged"
}

// A WebhookResult is the outcome of [EnsureWebhook].
type WebhookResult struct {
	Webhook *cxpb.Webhook // as it now stands
	Change  Change
	Fields  []string // the fields updated, as update-mask paths
}

// EnsureWebhook makes the agent's webhook with the spec's display name call
// the spec's URI with the service agent's ID token and the spec's timeout.
// It creates the webhook if the agent has none of that name, and otherwise
// updates just the fields that differ, in place, with an update mask: the
// webhook keeps its name (which pages and flows refer to) and every other
// setting, such as request headers. A webhook of that name that uses
// Service Directory or is a flexible webhook is an error: making it a
// standard webhook would break what it does now.
func EnsureWebhook(ctx context.Context, c *cx.WebhooksClient, agent Agent, spec WebhookSpec) (*WebhookResult, error) {
	existing, err := findWebhook(ctx, c, agent, spec.DisplayName)
	if err != nil {
		return nil, webhookCall("listing the webhooks of agent "+agent.String(), "dialogflow.webhooks.list", agent).explain(err)
	}
	timeout := durationpb.New(spec.Timeout)
	if existing == nil {
		wh, err := c.CreateWebhook(ctx, &cxpb.CreateWebhookRequest{
			Parent: agent.String(),
			Webhook: &cxpb.Webhook{
				DisplayName: spec.DisplayName,
				Webhook: &cxpb.Webhook_GenericWebService_{GenericWebService: &cxpb.Webhook_GenericWebService{
					Uri:              spec.URI,
					ServiceAgentAuth: cxpb.Webhook_GenericWebService_ID_TOKEN,
				}},
				Timeout: timeout,
			},
		})
		if err != nil {
			return nil, webhookCall("creating webhook "+spec.DisplayName, "dialogflow.webhooks.create", agent).explain(err)
		}
		return &WebhookResult{Webhook: wh, Change: Created}, nil
	}
	if existing.GetServiceDirectory() != nil {
		return nil, fmt.Errorf("webhook %q (%s) uses Service Directory; cxhook manages webhooks that call a URL: pick another webhook name or remove it", spec.DisplayName, existing.GetName())
	}
	gws := existing.GetGenericWebService()
	if gws.GetWebhookType() == cxpb.Webhook_GenericWebService_FLEXIBLE {
		return nil, fmt.Errorf("webhook %q (%s) is a flexible webhook; cxhook serves standard webhooks: pick another webhook name or remove it", spec.DisplayName, existing.GetName())
	}
	var mask []string
	if gws.GetUri() != spec.URI {
		mask = append(mask, "generic_web_service.uri")
	}
	if gws.GetServiceAgentAuth() != cxpb.Webhook_GenericWebService_ID_TOKEN {
		mask = append(mask, "generic_web_service.service_agent_auth")
	}
	if existing.GetTimeout() == nil || existing.GetTimeout().AsDuration() != spec.Timeout {
		mask = append(mask, "timeout")
	}
	if len(mask) == 0 {
		return &WebhookResult{Webhook: existing, Change: Unchanged}, nil
	}
	wh, err := c.UpdateWebhook(ctx, &cxpb.UpdateWebhookRequest{
		Webhook: &cxpb.Webhook{
			Name:        existing.GetName(),
			DisplayName: spec.DisplayName,
			Webhook: &cxpb.Webhook_GenericWebService_{GenericWebService: &cxpb.Webhook_GenericWebService{
				Uri:              spec.URI,
				ServiceAgentAuth: cxpb.Webhook_GenericWebService_ID_TOKEN,
			}},
			Timeout: timeout,
		},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: mask},
	})
	if err != nil {
		return nil, webhookCall("updating webhook "+existing.GetName(), "dialogflow.webhooks.update", agent).explain(err)
	}
	return &WebhookResult{Webhook: wh, Change: Updated, Fields: mask}, nil
}

// findWebhook returns the agent's webhook with this display name, or nil.
func findWebhook(ctx context.Context, c *cx.WebhooksClient, agent Agent, displayName string) (*cxpb.Webhook, error) {
	it := c.ListWebhooks(ctx, &cxpb.ListWebhooksRequest{Parent: agent.String(), PageSize: 1000})
	for {
		wh, err := it.Next()
		if err == iterator.Done {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if wh.GetDisplayName() == displayName {
			return wh, nil
		}
	}
}

func webhookCall(what, permission string, agent Agent) call {
	return call{what: what, permission: permission, resource: agent.String(), project: agent.Project}
}
