package cxhook

import (
	"log/slog"
	"net/http"

	"github.com/cxhook/cxhook/auth"
)

// callerCheck returns the HTTP middleware that verifies the caller,
// configured by the CXHOOK_AUTH family of variables (see auth.FromEnv). A
// missing or contradictory setting is an error naming the variable, and
// the function must not start. Unset, CXHOOK_AUTH is an error on Cloud Run
// (K_SERVICE set) and means "no check", with a warning, elsewhere.
func callerCheck(getenv func(string) string, logger *slog.Logger) (func(http.Handler) http.Handler, error) {
	v, err := auth.FromEnv(getenv, logger)
	if err != nil {
		return nil, err
	}
	return auth.Require(v, auth.WithLogger(logger)), nil
}
