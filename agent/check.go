package agent

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Handlers is what [Check] needs to know of a webhook function: the tags
// its standard handlers serve. A *fulfillment.Mux is one.
type Handlers interface {
	Tags() []string
}

// FlexibleHandlers is implemented by Handlers that also serve flexible
// webhooks, by the tag their body template carries or by the path of the
// webhook's URI.
type FlexibleHandlers interface {
	Handlers
	FlexibleTags() []string
	FlexiblePaths() []string
}

// Served lists what a webhook function serves.
type Served struct {
	// Tags are the tags of its standard handlers.
	Tags []string
	// FlexibleTags are the tags of its flexible handlers: the
	// fulfillmentInfo.tag a flexible webhook's body template carries.
	FlexibleTags []string
	// FlexiblePaths are the URI paths its flexible handlers serve, for
	// templates that carry no tag.
	FlexiblePaths []string
}

// ServedBy returns what h serves; the flexible lists are empty unless h is
// also a [FlexibleHandlers]. A nil h serves nothing.
func ServedBy(h Handlers) Served {
	if h == nil {
		return Served{}
	}
	s := Served{Tags: h.Tags()}
	if fh, ok := h.(FlexibleHandlers); ok {
		s.FlexibleTags, s.FlexiblePaths = fh.FlexibleTags(), fh.FlexiblePaths()
	}
	return s
}

// CheckOptions describe the deployed function, for the checks that need
// it; each check runs only if its option is set.
type CheckOptions struct {
	// FunctionURL is the URL Dialogflow calls the function at (its Cloud
	// Run or Cloud Functions URL). Webhooks that call tags the function
	// serves must call a URI under it.
	FunctionURL string
	// WebhookTimeout is the function's CXHOOK_WEBHOOK_TIMEOUT: how long it
	// takes Dialogflow to wait. The function's webhooks must wait as long.
	WebhookTimeout time.Duration
	// ExternalWebhooks are the display names of webhooks that call another
	// service than the function (a Google API, a partner's backend): their
	// call sites are not checked against the function's handlers, nor
	// their URI and timeout against the function's.
	ExternalWebhooks []string
}

// Severity ranks a finding.
type Severity int

// The severities.
const (
	// Warning: likely a mistake, but the agent works.
	Warning Severity = iota
	// Error: a call fails (webhook.error) or the agent misbehaves.
	Error
)

func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "warning"
}

// The rules a finding can break.
const (
	RuleUnservedTag           = "unserved-tag"             // a standard call site's tag has no handler
	RuleUnservedFlexible      = "unserved-flexible"        // a flexible call site has no flexible handler
	RuleKindMismatch          = "kind-mismatch"            // standard call site, flexible handler, or the reverse
	RuleNoTag                 = "no-tag"                   // a standard call site without a tag
	RuleFlexibleTagDiffers    = "flexible-tag-differs"     // the page's tag is not the template's
	RuleUnusedHandler         = "unused-handler"           // a handler no call site uses
	RuleWebhookURI            = "webhook-uri"              // the function's webhook calls another URI
	RuleWebhookTimeout        = "webhook-timeout"          // the function's webhook waits another time
	RuleDisabledWebhook       = "disabled-webhook"         // a call site's webhook is disabled
	RuleNoWebhookErrorHandler = "no-webhook-error-handler" // cxlint R011
	RuleErrorHandlerWebhook   = "error-handler-webhook"    // a webhook.error handler calls a webhook
)

// A Finding is one thing [Check] reports.
type Finding struct {
	Severity Severity
	// Rule names the check, one of the Rule constants.
	Rule string
	// Loc is where in the export the finding is; empty for a finding about
	// the function's handlers rather than the agent.
	Loc     Location
	Message string
}

// String writes "file: path: severity: message [rule]".
func (f Finding) String() string {
	where := f.Loc.String()
	if where == "" {
		where = "handlers"
	}
	return fmt.Sprintf("%s: %s: %s [%s]", where, f.Severity, f.Message, f.Rule)
}

// Check checks the agent against the webhook function that serves it and
// returns its findings, errors first, each group in the agent's order:
//
//   - a call site whose tag no handler serves (the function answers 404,
//     and the agent raises webhook.error);
//   - a call site on a FLEXIBLE webhook that no flexible handler serves, by
//     the tag its body template carries or by the path of its URI, and a
//     flexible call site a standard handler serves, or the reverse: the two
//     receive different bodies;
//   - handlers no call site uses;
//   - with opts.FunctionURL, a webhook calling tags the function serves at
//     another URI; with opts.WebhookTimeout, such a webhook waiting longer
//     or shorter than the function expects;
//   - pages and flows that call a webhook with no webhook.error handler in
//     scope (cxlint's R011: a failed call goes unnoticed);
//   - webhook.error handlers that call a webhook, which the API forbids.
//
// The first three leave out the call sites of opts.ExternalWebhooks.
func Check(a *Agent, served Served, opts CheckOptions) []Finding {
	c := &checker{served: served, opts: opts, seen: map[Finding]bool{}}
	all := a.CallSites()
	var sites []CallSite
	for _, s := range all {
		if !slices.Contains(opts.ExternalWebhooks, s.Webhook.DisplayName) {
			sites = append(sites, s)
		}
	}
	for _, s := range sites {
		c.site(s)
	}
	c.unused(sites)
	c.webhooks(a, sites)
	c.errorHandlers(a, all)
	slices.SortStableFunc(c.findings, func(x, y Finding) int { return int(y.Severity) - int(x.Severity) })
	return c.findings
}

type checker struct {
	served   Served
	opts     CheckOptions
	findings []Finding
	seen     map[Finding]bool
}

func (c *checker) add(sev Severity, rule string, loc Location, format string, args ...any) {
	f := Finding{sev, rule, loc, fmt.Sprintf(format, args...)}
	if !c.seen[f] { // a group's route is a call site of each page that uses it
		c.seen[f] = true
		c.findings = append(c.findings, f)
	}
}

// caseHint points out a served name that differs only in case.
func caseHint(name string, served []string) string {
	for _, s := range served {
		if strings.EqualFold(s, name) {
			return fmt.Sprintf(" (the function serves %s: tags match case-sensitively)", quote(s))
		}
	}
	return ""
}

func (c *checker) site(s CallSite) {
	w, loc := s.Webhook, s.Loc()
	if w.Disabled {
		c.add(Warning, RuleDisabledWebhook, loc.at("webhook"), "calls webhook %s, which is disabled", quote(w.DisplayName))
	}
	if w.Kind == Flexible {
		c.flexibleSite(s)
		return
	}
	switch tag := s.Tag; {
	case tag == "":
		c.add(Warning, RuleNoTag, loc, "calls webhook %s without a tag: a Mux dispatches on the tag, so only a fallback handler can serve the call", quote(w.DisplayName))
	case slices.Contains(c.served.Tags, tag):
	case slices.Contains(c.served.FlexibleTags, tag):
		c.add(Error, RuleKindMismatch, loc.at("tag"), "tag %s: webhook %s is STANDARD and sends a WebhookRequest, but the function serves the tag with a flexible handler", quote(tag), quote(w.DisplayName))
	default:
		c.add(Error, RuleUnservedTag, loc.at("tag"), "no handler serves tag %s (webhook %s): the function answers 404 and the agent raises webhook.error%s",
			quote(tag), quote(w.DisplayName), caseHint(tag, c.served.Tags))
	}
}

func (c *checker) flexibleSite(s CallSite) {
	w, loc := s.Webhook, s.Loc()
	bodyTag, hasTag := w.FlexibleTag()
	path := w.Path()
	served := c.served
	switch {
	case hasTag && slices.Contains(served.FlexibleTags, bodyTag):
	case !hasTag && slices.Contains(served.FlexiblePaths, path):
	case hasTag && slices.Contains(served.Tags, bodyTag):
		c.add(Error, RuleKindMismatch, loc.at("tag"), "tag %s: webhook %s is FLEXIBLE: Dialogflow posts its requestBody template (which carries fulfillmentInfo.tag %s), not a WebhookRequest, but the function serves the tag with a standard handler; serve it with a flexible handler, or make the webhook STANDARD",
			quote(s.Tag), quote(w.DisplayName), quote(bodyTag))
	case hasTag:
		c.add(Error, RuleUnservedFlexible, loc.at("tag"), "tag %s on FLEXIBLE webhook %s: no flexible handler serves the tag its body template carries, %s%s",
			quote(s.Tag), quote(w.DisplayName), quote(bodyTag), caseHint(bodyTag, served.FlexibleTags))
	case slices.Contains(served.FlexibleTags, s.Tag):
		c.add(Error, RuleUnservedFlexible, loc.at("tag"), "tag %s on FLEXIBLE webhook %s: the body template carries no tag, so the flexible handler for %s is never called; serve the webhook's path %s instead",
			quote(s.Tag), quote(w.DisplayName), quote(s.Tag), quote(path))
	case slices.Contains(served.Tags, s.Tag):
		c.add(Error, RuleKindMismatch, loc.at("tag"), "tag %s: webhook %s is FLEXIBLE: Dialogflow posts its requestBody template (which carries no tag), not a WebhookRequest, but the function serves the tag with a standard handler",
			quote(s.Tag), quote(w.DisplayName))
	default:
		c.add(Error, RuleUnservedFlexible, loc.at("tag"), "tag %s on FLEXIBLE webhook %s: no flexible handler serves it (the body template carries no tag; the URI's path is %s)",
			quote(s.Tag), quote(w.DisplayName), quote(path))
	}
	if hasTag && bodyTag != s.Tag {
		c.add(Warning, RuleFlexibleTagDiffers, loc.at("tag"), "tag %s differs from the tag %s that webhook %s's body template carries; the function only sees %s",
			quote(s.Tag), quote(bodyTag), quote(w.DisplayName), quote(bodyTag))
	}
}

// unused reports handlers no call site reaches.
func (c *checker) unused(sites []CallSite) {
	std, flexTags, flexPaths, pageTags := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, s := range sites {
		pageTags[s.Tag] = true
		if s.Webhook.Kind == Standard {
			std[s.Tag] = true
			continue
		}
		if tag, ok := s.Webhook.FlexibleTag(); ok {
			flexTags[tag] = true
		} else {
			flexPaths[s.Webhook.Path()] = true
		}
	}
	for _, tag := range c.served.Tags {
		if !std[tag] && !flexTags[tag] && !pageTags[tag] {
			c.add(Warning, RuleUnusedHandler, Location{}, "the handler for tag %s serves no call site of the agent", quote(tag))
		}
	}
	for _, tag := range c.served.FlexibleTags {
		if !flexTags[tag] && !std[tag] && !pageTags[tag] {
			c.add(Warning, RuleUnusedHandler, Location{}, "the flexible handler for tag %s serves no call site of the agent (no flexible webhook's body template carries the tag)", quote(tag))
		}
	}
	for _, p := range c.served.FlexiblePaths {
		if !flexPaths[p] {
			c.add(Warning, RuleUnusedHandler, Location{}, "the flexible handler for path %s serves no call site of the agent (no flexible webhook whose template carries no tag calls that path)", quote(p))
		}
	}
}

// servedBy reports whether the function serves the call site.
func (c *checker) servedBy(s CallSite) bool {
	if s.Webhook.Kind == Standard {
		return slices.Contains(c.served.Tags, s.Tag)
	}
	if tag, ok := s.Webhook.FlexibleTag(); ok {
		return slices.Contains(c.served.FlexibleTags, tag)
	}
	return slices.Contains(c.served.FlexiblePaths, s.Webhook.Path())
}

// webhooks checks the URI and timeout of the webhooks the function serves.
func (c *checker) webhooks(a *Agent, sites []CallSite) {
	if c.opts.FunctionURL == "" && c.opts.WebhookTimeout <= 0 {
		return
	}
	base := strings.TrimSuffix(c.opts.FunctionURL, "/")
	under := func(uri string) bool {
		return base != "" && (uri == base || strings.HasPrefix(uri, base+"/") || strings.HasPrefix(uri, base+"?"))
	}
	served := map[*Webhook]bool{}
	for _, s := range sites {
		if c.servedBy(s) {
			served[s.Webhook] = true
		}
	}
	for _, w := range a.Webhooks {
		if !served[w] && !under(w.URI) || slices.Contains(c.opts.ExternalWebhooks, w.DisplayName) {
			continue
		}
		if base != "" && !under(w.URI) {
			c.add(Error, RuleWebhookURI, w.Loc.at("genericWebService.uri"), "webhook %s calls %s, not the function at %s, for tags the function serves",
				quote(w.DisplayName), quote(clip(w.URI)), quote(base))
		}
		if want := c.opts.WebhookTimeout; want > 0 {
			switch got := w.EffectiveTimeout(); {
			case got < want:
				c.add(Error, RuleWebhookTimeout, w.Loc.at("timeout"), "webhook %s waits %v, less than the function's CXHOOK_WEBHOOK_TIMEOUT %v: the agent gives up before the function's own deadline and raises webhook.error.timeout",
					quote(w.DisplayName), got, want)
			case got > want:
				c.add(Warning, RuleWebhookTimeout, w.Loc.at("timeout"), "webhook %s waits %v, more than the function's CXHOOK_WEBHOOK_TIMEOUT %v: the function answers with its timeout response sooner than it needs to",
					quote(w.DisplayName), got, want)
			}
		}
	}
}

// isWebhookError reports whether the event is webhook.error or one of its
// finer kinds (webhook.error.timeout, ...).
func isWebhookError(event string) bool {
	return event == "webhook.error" || strings.HasPrefix(event, "webhook.error.")
}

// errorHandlers reports pages that call webhooks without a webhook.error
// handler in scope, and webhook.error handlers that call webhooks.
func (c *checker) errorHandlers(a *Agent, sites []CallSite) {
	calls := map[*Page][]string{}
	var pages []*Page
	for _, s := range sites {
		if s.Page == nil {
			continue
		}
		if _, ok := calls[s.Page]; !ok {
			pages = append(pages, s.Page)
		}
		if !slices.Contains(calls[s.Page], s.Tag) {
			calls[s.Page] = append(calls[s.Page], s.Tag)
		}
	}
	handles := func(hs []*EventHandler) bool {
		return slices.ContainsFunc(hs, func(h *EventHandler) bool { return h.Event == "webhook.error" })
	}
	for _, p := range pages {
		if handles(p.EventHandlers) || handles(p.Flow.EventHandlers) {
			continue
		}
		what := "page " + quote(p.DisplayName)
		if p.IsStart() {
			what = "flow " + quote(p.Flow.DisplayName)
		}
		c.add(Warning, RuleNoWebhookErrorHandler, p.Loc, "%s calls webhooks (tags %s) but neither it nor its flow handles webhook.error: a failed call goes unnoticed (cxlint R011)",
			what, quoteAll(calls[p]))
	}
	check := func(hs []*EventHandler) {
		for _, h := range hs {
			if isWebhookError(h.Event) && h.Fulfillment.CallsWebhook() {
				c.add(Error, RuleErrorHandlerWebhook, h.Fulfillment.Loc.at("webhook"), "the %s handler calls webhook %s: the API forbids a webhook call in a handler of webhook errors",
					h.Event, quote(h.Fulfillment.Webhook.DisplayName))
			}
		}
	}
	for _, f := range a.Flows {
		check(f.EventHandlers)
		for _, p := range f.Pages {
			check(p.EventHandlers)
		}
	}
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quote(n)
	}
	return strings.Join(q, ", ")
}
