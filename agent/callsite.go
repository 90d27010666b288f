package agent

import "fmt"

// SiteKind says where in the agent a fulfillment calls a webhook.
type SiteKind int

// The kinds of call site.
const (
	// SiteEntry: a page's entry fulfillment.
	SiteEntry SiteKind = iota
	// SitePrompt: a form parameter's initial prompt.
	SitePrompt
	// SiteReprompt: a form parameter's reprompt handler.
	SiteReprompt
	// SiteRoute: a route's trigger fulfillment (of a page, a flow or a
	// route group).
	SiteRoute
	// SiteEvent: an event handler's trigger fulfillment (of a page or a
	// flow).
	SiteEvent
)

var siteKindNames = [...]string{"entry fulfillment", "initial prompt", "reprompt handler", "route", "event handler"}

func (k SiteKind) String() string {
	if k >= 0 && int(k) < len(siteKindNames) {
		return siteKindNames[k]
	}
	return "SiteKind(?)"
}

// A CallSite is one place where the agent calls a webhook: a fulfillment
// with a webhook, in the scope of one page. A route of a route group that
// several pages use is a call site of each of them.
type CallSite struct {
	Kind SiteKind
	// Tag is the fulfillment's tag, which a standard webhook receives as
	// fulfillmentInfo.tag.
	Tag         string
	Webhook     *Webhook
	Fulfillment *Fulfillment
	// Flow and Page are where the call happens: the page whose fulfillment
	// it is (a flow's start page for the flow's own routes and handlers),
	// or the page that uses the route group. Page is nil for a route of a
	// group that no page or flow uses; Flow is nil too if the group is
	// agent-level.
	Flow *Flow
	Page *Page
	// Param is the form parameter of a SitePrompt or SiteReprompt.
	Param *FormParameter
	// Route is the route of a SiteRoute; Handler the handler of a
	// SiteReprompt or SiteEvent.
	Route   *Route
	Handler *EventHandler
}

// Loc returns where the calling fulfillment is defined.
func (s CallSite) Loc() Location { return s.Fulfillment.Loc }

// String describes the call site for people: its tag, webhook and location.
func (s CallSite) String() string {
	where := s.Loc().String()
	if s.Route != nil && s.Route.Group != nil && s.Page != nil {
		where += fmt.Sprintf(" (used by page %s of flow %s)", quote(s.Page.DisplayName), quote(s.Flow.DisplayName))
	}
	return fmt.Sprintf("tag %s on webhook %s, %s at %s", quote(s.Tag), quote(s.Webhook.DisplayName), s.Kind, where)
}

// CallSites returns every call site of the agent, in a fixed order: flow
// by flow, the start page first and then each page, and in a page its
// entry fulfillment, its form parameters' prompts and reprompt handlers,
// its routes, its event handlers and the routes of its route groups. Last
// come the routes of route groups nothing uses.
func (a *Agent) CallSites() []CallSite {
	var sites []CallSite
	add := func(s CallSite) {
		if s.Fulfillment.CallsWebhook() {
			s.Tag, s.Webhook = s.Fulfillment.Tag, s.Fulfillment.Webhook
			sites = append(sites, s)
		}
	}
	used := map[*RouteGroup]bool{}
	for _, f := range a.Flows {
		for _, p := range append([]*Page{f.StartPage}, f.Pages...) {
			add(CallSite{Kind: SiteEntry, Flow: f, Page: p, Fulfillment: p.Entry})
			for _, fp := range p.Form {
				add(CallSite{Kind: SitePrompt, Flow: f, Page: p, Param: fp, Fulfillment: fp.InitialPrompt})
				for _, h := range fp.Reprompts {
					add(CallSite{Kind: SiteReprompt, Flow: f, Page: p, Param: fp, Handler: h, Fulfillment: h.Fulfillment})
				}
			}
			for _, r := range p.Routes {
				add(CallSite{Kind: SiteRoute, Flow: f, Page: p, Route: r, Fulfillment: r.Fulfillment})
			}
			for _, h := range p.EventHandlers {
				add(CallSite{Kind: SiteEvent, Flow: f, Page: p, Handler: h, Fulfillment: h.Fulfillment})
			}
			for _, g := range p.RouteGroups {
				used[g] = true
				for _, r := range g.Routes {
					add(CallSite{Kind: SiteRoute, Flow: f, Page: p, Route: r, Fulfillment: r.Fulfillment})
				}
			}
		}
	}
	var unused []*RouteGroup
	for _, f := range a.Flows {
		unused = append(unused, f.DefinedRouteGroups...)
	}
	for _, g := range append(unused, a.RouteGroups...) {
		if !used[g] {
			for _, r := range g.Routes {
				add(CallSite{Kind: SiteRoute, Flow: g.Flow, Route: r, Fulfillment: r.Fulfillment})
			}
		}
	}
	return sites
}
