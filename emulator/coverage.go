package emulator

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/cxhook/cxhook/agent"
)

// Coverage records what sessions reached of an agent: pages entered,
// routes and event handlers called, intents matched, webhook tags called.
// Share one between sessions (SessionConfig.Coverage); it is safe for
// concurrent use.
type Coverage struct {
	a        *agent.Agent
	mu       sync.Mutex
	pages    map[*agent.Page]int
	routes   map[*agent.Route]int
	handlers map[*agent.EventHandler]int
	intents  map[*agent.Intent]int
	tags     map[string]*TagUse
}

// NewCoverage returns an empty coverage record for the agent.
func NewCoverage(a *agent.Agent) *Coverage {
	return &Coverage{a: a, pages: map[*agent.Page]int{}, routes: map[*agent.Route]int{},
		handlers: map[*agent.EventHandler]int{}, intents: map[*agent.Intent]int{}, tags: map[string]*TagUse{}}
}

func (c *Coverage) page(p *agent.Page) {
	c.mu.Lock()
	c.pages[p]++
	c.mu.Unlock()
}

func (c *Coverage) route(r *agent.Route) {
	c.mu.Lock()
	c.routes[r]++
	c.mu.Unlock()
}

func (c *Coverage) handler(h *agent.EventHandler) {
	c.mu.Lock()
	c.handlers[h]++
	c.mu.Unlock()
}

func (c *Coverage) intent(i *agent.Intent) {
	c.mu.Lock()
	c.intents[i]++
	c.mu.Unlock()
}

func (c *Coverage) webhook(w *WebhookCall) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := w.Webhook + "\x00" + w.Tag
	u := c.tags[key]
	if u == nil {
		u = &TagUse{Webhook: w.Webhook, Tag: w.Tag, Statuses: map[int]int{}}
		c.tags[key] = u
	}
	u.Calls++
	u.Statuses[w.Status]++
	if w.Event != "" {
		u.Failures++
	}
}

// A TagUse is how often a webhook was called with one tag, and with what
// outcome.
type TagUse struct {
	Webhook, Tag string
	Calls        int
	Failures     int
	// Statuses counts the HTTP statuses (0: no answer).
	Statuses map[int]int
}

// A TagSite is a (webhook, tag) pair the agent calls, and where.
type TagSite struct {
	Webhook  string
	Tag      string
	Flexible bool
	Sites    []agent.Location
}

// TagSites returns every (webhook, tag) pair the agent's fulfillments call,
// sorted, with their locations: what a function must serve. For a flexible
// webhook the tag is the one its request body carries, if any.
func TagSites(a *agent.Agent) []TagSite {
	m := map[string]*TagSite{}
	visit := func(f *agent.Fulfillment) {
		if f == nil || f.Webhook == nil {
			return
		}
		tag := f.Tag
		if t, ok := f.Webhook.FlexibleTag(); ok {
			tag = t
		}
		key := f.Webhook.DisplayName + "\x00" + tag
		ts := m[key]
		if ts == nil {
			ts = &TagSite{Webhook: f.Webhook.DisplayName, Tag: tag, Flexible: f.Webhook.Kind == agent.Flexible}
			m[key] = ts
		}
		ts.Sites = append(ts.Sites, f.Loc)
	}
	forEachFulfillment(a, visit)
	out := make([]TagSite, 0, len(m))
	for _, ts := range m {
		out = append(out, *ts)
	}
	slices.SortFunc(out, func(x, y TagSite) int {
		return strings.Compare(x.Webhook+"\x00"+x.Tag, y.Webhook+"\x00"+y.Tag)
	})
	return out
}

// forEachFulfillment calls visit for every fulfillment of the agent.
func forEachFulfillment(a *agent.Agent, visit func(*agent.Fulfillment)) {
	routes := func(rs []*agent.Route) {
		for _, r := range rs {
			visit(r.Fulfillment)
		}
	}
	handlers := func(hs []*agent.EventHandler) {
		for _, h := range hs {
			visit(h.Fulfillment)
		}
	}
	for _, f := range a.Flows {
		routes(f.Routes)
		handlers(f.EventHandlers)
		for _, p := range f.Pages {
			visit(p.Entry)
			for _, fp := range p.Form {
				visit(fp.InitialPrompt)
				handlers(fp.Reprompts)
			}
			routes(p.Routes)
			handlers(p.EventHandlers)
		}
		for _, g := range f.DefinedRouteGroups {
			routes(g.Routes)
		}
	}
	for _, g := range a.RouteGroups {
		routes(g.Routes)
	}
}

// CoverageSummary counts what was reached of what the agent has.
type CoverageSummary struct {
	Pages, PagesTotal       int
	Routes, RoutesTotal     int
	Handlers, HandlersTotal int
	Intents, IntentsTotal   int
	// Unreached lists the pages never entered, as "flow / page".
	Unreached []string
	// Tags are the webhook tags called; NotCalled the agent's tag sites
	// never called.
	Tags      []TagUse
	NotCalled []TagSite
}

// Summary counts the coverage.
func (c *Coverage) Summary() CoverageSummary {
	c.mu.Lock()
	defer c.mu.Unlock()
	var s CoverageSummary
	seenRoute := map[*agent.Route]bool{}
	countRoutes := func(rs []*agent.Route) {
		for _, r := range rs {
			if seenRoute[r] {
				continue
			}
			seenRoute[r] = true
			s.RoutesTotal++
			if c.routes[r] > 0 {
				s.Routes++
			}
		}
	}
	countHandlers := func(hs []*agent.EventHandler) {
		for _, h := range hs {
			s.HandlersTotal++
			if c.handlers[h] > 0 {
				s.Handlers++
			}
		}
	}
	for _, f := range c.a.Flows {
		pages := append([]*agent.Page{f.StartPage}, f.Pages...)
		for _, p := range pages {
			s.PagesTotal++
			if c.pages[p] > 0 || p.IsStart() && c.startReached(f) {
				s.Pages++
			} else {
				s.Unreached = append(s.Unreached, f.DisplayName+" / "+p.DisplayName)
			}
			countRoutes(p.Routes)
			countHandlers(p.EventHandlers)
			for _, fp := range p.Form {
				countHandlers(fp.Reprompts)
			}
		}
		for _, g := range f.DefinedRouteGroups {
			countRoutes(g.Routes)
		}
	}
	for _, g := range c.a.RouteGroups {
		countRoutes(g.Routes)
	}
	for _, in := range c.a.Intents {
		if in.IsFallback {
			continue
		}
		s.IntentsTotal++
		if c.intents[in] > 0 {
			s.Intents++
		}
	}
	for _, u := range c.tags {
		s.Tags = append(s.Tags, *u)
	}
	slices.SortFunc(s.Tags, func(x, y TagUse) int { return strings.Compare(x.Webhook+"\x00"+x.Tag, y.Webhook+"\x00"+y.Tag) })
	for _, ts := range TagSites(c.a) {
		if c.tags[ts.Webhook+"\x00"+ts.Tag] == nil {
			s.NotCalled = append(s.NotCalled, ts)
		}
	}
	return s
}

// startReached reports whether a session was on the flow's start page: any
// route of the flow called, or any page of it entered.
func (c *Coverage) startReached(f *agent.Flow) bool {
	if f == c.a.StartFlow {
		return true
	}
	for p, n := range c.pages {
		if n > 0 && p.Flow == f {
			return true
		}
	}
	return false
}

func pct(n, total int) string {
	if total == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(total))
}

// String writes the summary as a few lines.
func (s CoverageSummary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "coverage: pages %d/%d (%s), routes %d/%d (%s), event handlers %d/%d (%s), intents %d/%d (%s)\n",
		s.Pages, s.PagesTotal, pct(s.Pages, s.PagesTotal), s.Routes, s.RoutesTotal, pct(s.Routes, s.RoutesTotal),
		s.Handlers, s.HandlersTotal, pct(s.Handlers, s.HandlersTotal), s.Intents, s.IntentsTotal, pct(s.Intents, s.IntentsTotal))
	for _, u := range s.Tags {
		var st []string
		for _, code := range slices.Sorted(maps.Keys(u.Statuses)) {
			label := fmt.Sprint(code)
			if code == 0 {
				label = "no answer"
			}
			st = append(st, fmt.Sprintf("%s ×%d", label, u.Statuses[code]))
		}
		fmt.Fprintf(&b, "  webhook %s tag %q: %d call(s), %s\n", u.Webhook, u.Tag, u.Calls, strings.Join(st, ", "))
	}
	for _, ts := range s.NotCalled {
		fmt.Fprintf(&b, "  webhook %s tag %q: never called (%d call site(s), first %s)\n", ts.Webhook, ts.Tag, len(ts.Sites), ts.Sites[0])
	}
	return b.String()
}
