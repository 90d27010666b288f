package webhook

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/cxhook/cxhook/auth"
	"github.com/cxhook/cxhook/fulfillment"
)

// webhookTimeout reads CXHOOK_WEBHOOK_TIMEOUT: a Go duration, more than 0
// and at most 30s; unset or empty means fulfillment.DefaultWebhookTimeout.
// It must match the timeout set on the agent's webhook.
func webhookTimeout(getenv func(string) string) (time.Duration, error) {
	const name = "CXHOOK_WEBHOOK_TIMEOUT"
	s := strings.TrimSpace(getenv(name))
	if s == "" {
		return fulfillment.DefaultWebhookTimeout, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("webhook: %s=%q is not a duration (want e.g. 5s or 2500ms)", name, s)
	}
	if d <= 0 || d > fulfillment.MaxWebhookTimeout {
		return 0, fmt.Errorf("webhook: %s=%q is out of range: the agent's webhook timeout is more than 0 and at most %v", name, s, fulfillment.MaxWebhookTimeout)
	}
	return d, nil
}

// callerCheck returns the gate that verifies the caller,
// configured by the CXHOOK_AUTH family of variables (see auth.FromEnv). A
// missing or contradictory setting is an error naming the variable, and
// the function must not start. Unset, CXHOOK_AUTH is an error on Cloud Run
// (K_SERVICE set) and means "no check", with a warning, elsewhere.
func callerCheck(getenv func(string) string, logger *slog.Logger, opts []auth.Option) (*auth.Gate, error) {
	v, err := auth.FromEnv(getenv, logger, opts...)
	if err != nil {
		return nil, err
	}
	return auth.NewGate(v, auth.WithLogger(logger)), nil
}
