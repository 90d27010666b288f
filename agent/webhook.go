package agent

import (
	"bytes"
	"net/url"
	"strings"
	"time"

	"github.com/cxhook/cxhook/fulfillment"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// DefaultWebhookTimeout is how long Dialogflow waits for a webhook whose
// resource sets no timeout.
const DefaultWebhookTimeout = 5 * time.Second

// WebhookKind says what a webhook sends.
type WebhookKind int

// The webhook kinds.
const (
	// Standard webhooks receive a WebhookRequest and answer a
	// WebhookResponse.
	Standard WebhookKind = iota
	// Flexible webhooks receive the body their RequestBody template renders
	// and answer any JSON, which ParameterMapping maps into parameters.
	Flexible
)

// String returns "STANDARD" or "FLEXIBLE", as the export spells them.
func (k WebhookKind) String() string {
	if k == Flexible {
		return "FLEXIBLE"
	}
	return "STANDARD"
}

// A Webhook is a webhook resource (webhooks/<W>.json): where and how
// Dialogflow calls out. Exports from August 2025 on leave out raw
// credentials; older ones, and hand-made files, may hold them: Password,
// Header values and OAuth.ClientSecret are secrets, never to be logged.
type Webhook struct {
	ID          string
	DisplayName string
	Disabled    bool
	// Timeout is how long Dialogflow waits for an answer; 0 if the resource
	// sets none (see [Webhook.EffectiveTimeout]).
	Timeout time.Duration
	Kind    WebhookKind
	URI     string
	// Method is the HTTP method of a flexible webhook ("" means POST).
	Method string
	// Headers are the request headers Dialogflow adds, in export order.
	Headers []KeyValue
	// SecretHeaders map header names to Secret Manager secret versions.
	SecretHeaders []KeyValue
	// RequestBody is a flexible webhook's body template, JSON with
	// parameter references ("$session.params.x", "$flow.x") in it.
	RequestBody string
	// ParameterMapping maps parameters (Key, e.g. "$flow.score") to JSON
	// paths into a flexible webhook's answer (Value, e.g. "$.score").
	ParameterMapping []KeyValue
	Auth             WebhookAuth
	// AllowedCACerts are DER certificates Dialogflow trusts for the URI.
	AllowedCACerts [][]byte
	// ServiceDirectory is the Service Directory service the webhook calls
	// through, or "".
	ServiceDirectory string
	Loc              Location
}

// WebhookAuth is how Dialogflow authenticates to a webhook.
type WebhookAuth struct {
	// Username and Password are basic-auth credentials (the password is
	// secret); SecretVersion, a Secret Manager version that holds them.
	Username      string
	Password      string
	SecretVersion string
	// OAuth is set for OAuth client credentials.
	OAuth *OAuthConfig
	// ServiceAgentAuth is "", NONE, ID_TOKEN or ACCESS_TOKEN: the
	// Dialogflow service agent's token sent as Authorization. Unset means
	// ID_TOKEN.
	ServiceAgentAuth string
	// ServiceAccount, if set, is the service account whose token is sent.
	ServiceAccount string
}

// OAuthConfig is an OAuth client-credentials grant.
type OAuthConfig struct {
	ClientID                     string
	ClientSecret                 string
	SecretVersionForClientSecret string
	TokenEndpoint                string
	Scopes                       []string
}

// EffectiveTimeout returns the timeout Dialogflow applies: Timeout, or
// DefaultWebhookTimeout if the resource sets none.
func (w *Webhook) EffectiveTimeout() time.Duration {
	if w.Timeout <= 0 {
		return DefaultWebhookTimeout
	}
	return w.Timeout
}

// Path returns the path of the webhook's URI ("/" if it has none), which
// a function that serves several flexible webhooks can dispatch on.
func (w *Webhook) Path() string {
	u, err := url.Parse(w.URI)
	if err != nil || u.Path == "" {
		return "/"
	}
	return u.Path
}

// FlexibleTag returns the tag a flexible webhook's body template carries
// in fulfillmentInfo.tag, as Google's prebuilt components put one there so
// that tag-based handlers can serve the call. It reports false if the
// webhook is standard, or its template carries no string tag. The tag may
// differ from the tag of the fulfillment that calls the webhook; the
// webhook only ever sees this one.
func (w *Webhook) FlexibleTag() (string, bool) {
	if w.Kind != Flexible || w.RequestBody == "" {
		return "", false
	}
	body := w.RenderBody(func(ParamRef) (fulfillment.Value, bool) { return fulfillment.Value{}, false })
	var doc struct {
		FulfillmentInfo *struct {
			Tag *string `json:"tag"`
		} `json:"fulfillmentInfo"`
	}
	if json.Unmarshal(body, &doc) != nil || doc.FulfillmentInfo == nil || doc.FulfillmentInfo.Tag == nil {
		return "", false
	}
	return *doc.FulfillmentInfo.Tag, true
}

// RenderBody renders a flexible webhook's body template, with the values
// lookup returns for the parameter references in it.
//
// The API reference does not say how Dialogflow substitutes. This follows
// what Google's prebuilt components need to work: a JSON string that is
// one reference and nothing else ("$flow.request_body") is replaced by the
// value itself, which may be an object (the address component posts an
// object that way); a reference inside a longer string is replaced by the
// value's text (a string as it is, any other value as its JSON); one
// outside any string by the value's JSON. A reference lookup does not know
// stays as written inside a string and becomes null outside one, so that
// the body remains JSON. References are $session.params.NAME, $flow.NAME
// and $page.params.NAME, NAME made of letters, digits, '_' and '-'.
func (w *Webhook) RenderBody(lookup func(ParamRef) (fulfillment.Value, bool)) []byte {
	return renderTemplate(w.RequestBody, lookup)
}

func renderTemplate(tmpl string, lookup func(ParamRef) (fulfillment.Value, bool)) []byte {
	var out bytes.Buffer
	inString, escaped := false, false
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if inString && escaped {
			escaped = false
			out.WriteByte(c)
			continue
		}
		switch {
		case inString && c == '\\':
			escaped = true
		case !inString && c == '"':
			// A string that is one reference: the value itself.
			if ref, n := scanRef(tmpl[i+1:]); n > 0 && i+1+n < len(tmpl) && tmpl[i+1+n] == '"' {
				if v, ok := lookup(ref); ok && !v.IsAbsent() {
					out.Write(v.JSON())
					i += n + 1
					continue
				}
			}
			inString = true
		case c == '"':
			inString = false
		case c == '$':
			ref, n := scanRef(tmpl[i:])
			if n == 0 {
				break
			}
			v, ok := lookup(ref)
			switch {
			case !ok && inString:
				out.WriteString(tmpl[i : i+n])
			case !ok:
				out.WriteString("null")
			case inString:
				s, err := v.String()
				if err != nil {
					s = string(v.JSON())
				}
				q, _ := jsontext.AppendQuote(nil, s)
				out.Write(q[1 : len(q)-1])
			default:
				if v.IsAbsent() {
					out.WriteString("null")
				} else {
					out.Write(v.JSON())
				}
			}
			i += n - 1
			continue
		}
		out.WriteByte(c)
	}
	return out.Bytes()
}

// scanRef reads a parameter reference at the start of s and returns it and
// its length in bytes; n is 0 if s does not start with one.
func scanRef(s string) (ref ParamRef, n int) {
	for _, p := range []struct {
		prefix string
		scope  ParamScope
	}{{"$session.params.", ScopeSession}, {"$flow.", ScopeFlow}, {"$page.params.", ScopePage}} {
		rest, ok := strings.CutPrefix(s, p.prefix)
		if !ok {
			continue
		}
		end := 0
		for end < len(rest) && isNameByte(rest[end]) {
			end++
		}
		if end == 0 {
			return ParamRef{}, 0
		}
		return ParamRef{p.scope, rest[:end]}, len(p.prefix) + end
	}
	return ParamRef{}, 0
}

func isNameByte(c byte) bool {
	return c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
