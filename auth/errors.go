package auth

import (
	"errors"
	"fmt"
)

// Errors returned by verifiers. Verifiers wrap them with a reason, so test
// with errors.Is. Reasons never quote a credential or a claim value other
// than the caller's email.
var (
	// ErrNoCredentials: the request carries no credential where the
	// verifier looks. Require answers 401.
	ErrNoCredentials = errors.New("auth: no credentials")
	// ErrInvalidCredentials: a credential is there but malformed, forged,
	// expired, meant for another audience or simply wrong. Require answers
	// 401.
	ErrInvalidCredentials = errors.New("auth: invalid credentials")
	// ErrNotAllowed: the credential is valid but names a caller outside the
	// allow-list. Require answers 403.
	ErrNotAllowed = errors.New("auth: caller not allowed")
	// ErrUnavailable: the verifier could not decide, for example because
	// Google's signing keys could not be fetched. Require answers 503, which
	// Dialogflow reports as webhook.error.unavailable and retries once.
	ErrUnavailable = errors.New("auth: verification unavailable")
)

func noCredentials(reason string) error {
	return fmt.Errorf("%w: %s", ErrNoCredentials, reason)
}

func invalid(reason string) error {
	return fmt.Errorf("%w: %s", ErrInvalidCredentials, reason)
}
