package auth

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
)

// The environment variables [FromEnv] reads.
const (
	envAuth              = "CXHOOK_AUTH"
	envProjectNumbers    = "CXHOOK_AGENT_PROJECT_NUMBERS"
	envAllowedEmails     = "CXHOOK_ALLOWED_EMAILS"
	envAudiences         = "CXHOOK_AUDIENCES"
	envInsecureNoAuth    = "CXHOOK_INSECURE_ALLOW_NO_AUTH"
	envBasic             = "CXHOOK_BASIC_CREDENTIALS"
	envBasicPrevious     = "CXHOOK_BASIC_CREDENTIALS_PREVIOUS"
	envHeaderName        = "CXHOOK_HEADER_NAME"
	envHeaderValue       = "CXHOOK_HEADER_VALUE"
	envHeaderValuePrev   = "CXHOOK_HEADER_VALUE_PREVIOUS"
	envCloudRunService   = "K_SERVICE"
	modeList             = "platform, idtoken, basic, header or none"
	insecureOverrideHint = envInsecureNoAuth + "=true"
)

// modeVars lists the variables each mode reads. A variable set for another
// mode is an error.
var modeVars = map[string][]string{
	"platform": {envAudiences, envProjectNumbers, envAllowedEmails},
	"idtoken":  {envAudiences, envProjectNumbers, envAllowedEmails},
	"basic":    {envBasic, envBasicPrevious},
	"header":   {envHeaderName, envHeaderValue, envHeaderValuePrev},
	"none":     {envInsecureNoAuth},
}

var allVars = []string{
	envAudiences, envProjectNumbers, envAllowedEmails,
	envBasic, envBasicPrevious,
	envHeaderName, envHeaderValue, envHeaderValuePrev,
	envInsecureNoAuth,
}

// ConfigError is the error [FromEnv] returns for a missing, malformed or
// contradictory setting. Var names the variable to fix. Its message never
// quotes a secret.
type ConfigError struct {
	Var     string
	Problem string
}

func (e *ConfigError) Error() string { return "auth: " + e.Var + ": " + e.Problem }

// FromEnv builds the Verifier of a deployed function from CXHOOK_*
// variables read through getenv, and logs the mode in effect on logger (nil
// means slog.Default()). opts are passed to the token verifiers. A variable
// set to the empty string counts as unset.
//
//   - CXHOOK_AUTH selects the mode: platform, idtoken, basic, header or
//     none. Unset, it is an error where K_SERVICE is set (Cloud Run), and
//     means none, with a warning, elsewhere (a local run).
//   - platform and idtoken read CXHOOK_AUDIENCES (required: comma-separated
//     aud values, the function's URLs with and without path) and
//     CXHOOK_AGENT_PROJECT_NUMBERS and CXHOOK_ALLOWED_EMAILS (comma-separated;
//     at least one of them): the allow-list of [NewAllowList].
//   - basic reads CXHOOK_BASIC_CREDENTIALS (required) and
//     CXHOOK_BASIC_CREDENTIALS_PREVIOUS (optional), each one
//     "username:password", taken verbatim.
//   - header reads CXHOOK_HEADER_NAME (required), CXHOOK_HEADER_VALUE
//     (required) and CXHOOK_HEADER_VALUE_PREVIOUS (optional), the values
//     taken verbatim.
//   - none reads CXHOOK_INSECURE_ALLOW_NO_AUTH, which must be "true" for
//     none to start where K_SERVICE is set.
//
// Any variable of another mode being set, an unknown mode, a missing
// required variable or a malformed value is a *[ConfigError] naming the
// variable: the function must not start.
func FromEnv(getenv func(string) string, logger *slog.Logger, opts ...Option) (Verifier, error) {
	if logger == nil {
		logger = slog.Default()
	}
	mode := getenv(envAuth)
	onCloudRun := getenv(envCloudRunService) != ""
	if mode == "" {
		if onCloudRun {
			return nil, &ConfigError{envAuth, "unset on Cloud Run (K_SERVICE is set): set it to platform " +
				"(IAM-protected function, recommended), idtoken (public function), basic or header; " +
				"none also needs " + insecureOverrideHint}
		}
		for _, v := range allVars {
			if getenv(v) != "" {
				return nil, &ConfigError{envAuth, "unset, but " + v + " is set: set " + envAuth + " to the mode it belongs to"}
			}
		}
		return NewNoneVerifier(logger.With(slog.String("why", "CXHOOK_AUTH and K_SERVICE are unset: assuming a local run"))), nil
	}
	own, ok := modeVars[mode]
	if !ok {
		return nil, &ConfigError{envAuth, fmt.Sprintf("unknown mode %q: want %s", mode, modeList)}
	}
	for _, v := range allVars {
		if getenv(v) != "" && !slices.Contains(own, v) {
			return nil, &ConfigError{v, "does not apply to " + envAuth + "=" + mode + ": unset it"}
		}
	}
	switch mode {
	case "platform", "idtoken":
		return tokenFromEnv(getenv, logger, mode, opts)
	case "basic":
		return basicFromEnv(getenv, logger)
	case "header":
		return headerFromEnv(getenv, logger)
	}
	switch override := getenv(envInsecureNoAuth); {
	case override != "" && override != "true":
		return nil, &ConfigError{envInsecureNoAuth, `must be "true" or unset`}
	case onCloudRun && override != "true":
		return nil, &ConfigError{envAuth, "none on Cloud Run (K_SERVICE is set) lets anyone call the webhook; " +
			"choose another mode, or set " + insecureOverrideHint + " if you really mean it"}
	}
	return NewNoneVerifier(logger.With(slog.Bool("on_cloud_run", onCloudRun))), nil
}

func tokenFromEnv(getenv func(string) string, logger *slog.Logger, mode string, opts []Option) (Verifier, error) {
	audiences := splitList(getenv(envAudiences))
	if len(audiences) == 0 {
		return nil, &ConfigError{envAudiences, "required with " + envAuth + "=" + mode +
			": the function's URLs, with and without path, comma-separated"}
	}
	for _, a := range audiences {
		if !isPrintableNoSpace(a) {
			return nil, &ConfigError{envAudiences, fmt.Sprintf("%q has spaces or control characters", a)}
		}
	}
	projects, emails := splitList(getenv(envProjectNumbers)), splitList(getenv(envAllowedEmails))
	if len(projects) == 0 && len(emails) == 0 {
		return nil, &ConfigError{envProjectNumbers, "required with " + envAuth + "=" + mode +
			" (or " + envAllowedEmails + "): nobody would be allowed to call"}
	}
	for _, n := range projects {
		if _, err := ServiceAgentEmail(n); err != nil {
			return nil, &ConfigError{envProjectNumbers, fmt.Sprintf("%q is not a project number (digits only)", n)}
		}
	}
	for _, e := range emails {
		if err := checkEmail(e); err != nil {
			return nil, &ConfigError{envAllowedEmails, fmt.Sprintf("%q is not an email address", e)}
		}
	}
	allow, err := NewAllowList(projects, emails)
	if err != nil {
		return nil, err // unreachable: the entries were checked above
	}
	var v Verifier
	if mode == "platform" {
		v, err = NewPlatformVerifier(audiences, allow, opts...)
	} else {
		v, err = NewIDTokenVerifier(audiences, allow, opts...)
	}
	if err != nil {
		return nil, err
	}
	attrs := []slog.Attr{
		slog.String("mode", mode),
		slog.Any("audiences", audiences),
		slog.Any("allowed_emails", allow.Emails()),
	}
	if mode == "platform" {
		attrs = append(attrs, slog.String("trusts", "Cloud Run IAM checked the token signature: "+
			"deploy with --no-allow-unauthenticated"))
	}
	logger.LogAttrs(context.Background(), slog.LevelInfo, "auth: verifying callers", attrs...)
	return v, nil
}

func basicFromEnv(getenv func(string) string, logger *slog.Logger) (Verifier, error) {
	var creds []BasicCredential
	for _, name := range []string{envBasic, envBasicPrevious} {
		raw := getenv(name)
		if raw == "" {
			if name == envBasic {
				return nil, &ConfigError{envBasic, "required with " + envAuth + "=basic: username:password"}
			}
			continue
		}
		user, pass, ok := strings.Cut(raw, ":")
		if !ok {
			return nil, &ConfigError{name, "not of the form username:password"}
		}
		c := BasicCredential{Username: user, Password: Secret(pass)}
		if err := c.check(); err != nil {
			return nil, &ConfigError{name, err.Error()}
		}
		creds = append(creds, c)
	}
	v, err := NewBasicVerifier(creds)
	if err != nil {
		return nil, err
	}
	logger.LogAttrs(context.Background(), slog.LevelInfo, "auth: verifying callers",
		slog.String("mode", "basic"), slog.Int("accepted_credentials", len(creds)))
	return v, nil
}

func headerFromEnv(getenv func(string) string, logger *slog.Logger) (Verifier, error) {
	name := getenv(envHeaderName)
	if name == "" {
		return nil, &ConfigError{envHeaderName, "required with " + envAuth + "=header: the header Dialogflow sends, e.g. X-Webhook-Key"}
	}
	if !isHeaderName(name) {
		return nil, &ConfigError{envHeaderName, fmt.Sprintf("%q is not a valid header name", name)}
	}
	var values []Secret
	for _, v := range []string{envHeaderValue, envHeaderValuePrev} {
		raw := Secret(getenv(v))
		if raw == "" {
			if v == envHeaderValue {
				return nil, &ConfigError{envHeaderValue, "required with " + envAuth + "=header"}
			}
			continue
		}
		if err := checkHeaderValue(raw); err != nil {
			return nil, &ConfigError{v, err.Error()}
		}
		values = append(values, raw)
	}
	v, err := NewHeaderVerifier(name, values)
	if err != nil {
		return nil, err
	}
	logger.LogAttrs(context.Background(), slog.LevelInfo, "auth: verifying callers",
		slog.String("mode", "header"), slog.String("header", http.CanonicalHeaderKey(name)), slog.Int("accepted_values", len(values)))
	return v, nil
}

// splitList splits a comma-separated list, trimming spaces and dropping
// empty entries.
func splitList(s string) []string {
	var out []string
	for _, e := range strings.Split(s, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}
