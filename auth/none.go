package auth

import (
	"context"
	"log/slog"
	"net/http"
)

// NoneVerifier lets every request through as a Caller with
// [MechanismNone]. It is for local development only: [FromEnv] refuses it
// on Cloud Run unless CXHOOK_INSECURE_ALLOW_NO_AUTH=true.
type NoneVerifier struct{}

// NewNoneVerifier returns a NoneVerifier, logging a warning on logger (nil
// means slog.Default()) that caller verification is off.
func NewNoneVerifier(logger *slog.Logger) *NoneVerifier {
	if logger == nil {
		logger = slog.Default()
	}
	logger.LogAttrs(context.Background(), slog.LevelWarn,
		"auth: WARNING: caller verification is OFF: anyone who can reach this URL can call the webhook",
		slog.String("mode", MechanismNone.String()))
	return &NoneVerifier{}
}

// Verify implements [Verifier]: it accepts everything.
func (*NoneVerifier) Verify(context.Context, http.Header) (Caller, error) {
	return Caller{Mechanism: MechanismNone}, nil
}
