package agent

import "github.com/cxhook/cxhook/fulfillment"

// DefaultStartFlowID is the ID every agent's Default Start Flow has.
const DefaultStartFlowID = "00000000-0000-0000-0000-000000000000"

// A Flow is one flow of the agent (flows/<F>/<F>.json, with its pages and
// route groups).
type Flow struct {
	Agent *Agent
	// ID is the flow's UUID, the last segment of its resource name.
	ID          string
	DisplayName string
	Description string
	// Routes and EventHandlers are the flow's own (the flow file's
	// transitionRoutes and eventHandlers). Dialogflow defines them on the
	// flow's start page: on the start page all of them are in scope, on the
	// flow's other pages only the routes with an intent and the event
	// handlers. StartPage shares these slices.
	Routes        []*Route
	EventHandlers []*EventHandler
	// RouteGroups are the groups the flow uses (on its start page), in
	// evaluation order: the flow's own groups, then agent-level ones.
	RouteGroups []*RouteGroup
	// StartPage is the flow's start page, which the export has no file
	// for: a Page whose ID is "START_PAGE", display name "Start Page", with
	// the flow's routes, event handlers and route groups and neither entry
	// fulfillment nor form.
	StartPage *Page
	// Pages are the flow's pages (flows/<F>/pages/), in file order; the
	// start page is not among them.
	Pages []*Page
	// DefinedRouteGroups are the route groups defined in the flow
	// (flows/<F>/transitionRouteGroups/), which its pages may use.
	DefinedRouteGroups []*RouteGroup
	NLU                NLUSettings
	Advanced           AdvancedSettings
	Loc                Location

	pages       map[string]*Page
	routeGroups map[string]*RouteGroup
}

// Page returns the page of the flow with the display name, or nil. "Start
// Page" returns the start page.
func (f *Flow) Page(displayName string) *Page {
	if p, ok := f.pages[displayName]; ok {
		return p
	}
	if displayName == startPageName {
		return f.StartPage
	}
	return nil
}

// DefinedRouteGroup returns the route group defined in the flow with the
// display name, or nil.
func (f *Flow) DefinedRouteGroup(displayName string) *RouteGroup { return f.routeGroups[displayName] }

// ResourceName returns the flow's full resource name under the agent's,
// projects/P/locations/L/agents/A/flows/ID.
func (f *Flow) ResourceName(agent string) string { return agent + "/flows/" + f.ID }

// NLUSettings tune the flow's intent matching.
type NLUSettings struct {
	// ModelType is MODEL_TYPE_STANDARD or MODEL_TYPE_ADVANCED ("" unset).
	ModelType string
	// ClassificationThreshold is the score under which input matches no
	// intent and raises sys.no-match; 0 means Dialogflow's default, 0.3.
	ClassificationThreshold float64
	ModelTrainingMode       string
}

const (
	startPageID   = "START_PAGE"
	startPageName = "Start Page"
)

// A Page is one page of a flow (flows/<F>/pages/<P>.json), or a flow's
// start page (see [Flow.StartPage]).
type Page struct {
	Flow *Flow
	// ID is the page's UUID, or "START_PAGE" for a flow's start page.
	ID          string
	DisplayName string
	Description string
	// Entry is the entry fulfillment, run when the page becomes current;
	// nil if the page has none.
	Entry *Fulfillment
	// Form holds the form's parameters, in the order the form fills them.
	Form          []*FormParameter
	Routes        []*Route
	EventHandlers []*EventHandler
	// RouteGroups are the groups the page uses, in evaluation order: the
	// page's flow-level groups as listed, then its agent-level ones.
	RouteGroups []*RouteGroup
	Advanced    AdvancedSettings
	Loc         Location
}

// IsStart reports whether p is its flow's start page.
func (p *Page) IsStart() bool { return p.ID == startPageID }

// FormParameter returns the form parameter with the display name, or nil.
func (p *Page) FormParameter(displayName string) *FormParameter {
	for _, fp := range p.Form {
		if fp.DisplayName == displayName {
			return fp
		}
	}
	return nil
}

// ResourceName returns the page's full resource name under the agent's,
// projects/P/locations/L/agents/A/flows/F/pages/ID (ending in START_PAGE
// for a start page, as Dialogflow writes it).
func (p *Page) ResourceName(agent string) string {
	return p.Flow.ResourceName(agent) + "/pages/" + p.ID
}

// A FormParameter is one parameter of a page's form.
type FormParameter struct {
	Page *Page
	// DisplayName is the parameter's name; a name such as "$flow.score"
	// makes it a flow parameter instead of a session parameter.
	DisplayName string
	// Required parameters are prompted for until filled; the form is
	// complete ($page.params.status = "FINAL") when all of them are.
	Required   bool
	EntityType EntityRef
	IsList     bool
	// Redact hides the value in logs.
	Redact bool
	// Default is the value an optional parameter takes when the form does
	// not fill it; absent if none.
	Default fulfillment.Value
	// InitialPrompt is run when the form prompts for the parameter (again
	// on each reprompt without a handler); nil if none.
	InitialPrompt *Fulfillment
	// Reprompts are the parameter's event handlers (sys.no-match-N,
	// sys.no-input-N, sys.invalid-parameter), in scope only while the form
	// fills this parameter.
	Reprompts []*EventHandler
	Advanced  AdvancedSettings
	Loc       Location
}

// A Route is a transition route: of a page, of a flow (on its start page),
// or of a route group. It is called when its intent matches and its
// condition holds (either may be unset, not both).
type Route struct {
	// ID is the route's UUID.
	ID          string
	Description string
	// Intent is the intent that must match; nil if the route has none.
	Intent *Intent
	// Condition is the condition that must hold, in Dialogflow's condition
	// language; "" if the route has none.
	Condition string
	// Fulfillment is the trigger fulfillment, run before the transition;
	// nil if the route has none.
	Fulfillment *Fulfillment
	Target      Target
	// Page is the page the route belongs to (the start page for a flow's
	// routes); nil for a route of a route group.
	Page *Page
	// Group is the route group the route belongs to, or nil.
	Group *RouteGroup
	Loc   Location
}

// An EventHandler handles an event: of a page, of a flow (on its start
// page), or of a form parameter (a reprompt handler).
type EventHandler struct {
	// ID is the handler's UUID.
	ID    string
	Event string
	// Fulfillment is the trigger fulfillment; nil if the handler has none.
	Fulfillment *Fulfillment
	Target      Target
	// Page is the page the handler belongs to (the start page for a flow's
	// handlers, the parameter's page for a reprompt handler).
	Page *Page
	// Param is the form parameter of a reprompt handler, or nil.
	Param *FormParameter
	Loc   Location
}

// A RouteGroup is a named list of routes that pages and flows reuse:
// defined in a flow (flows/<F>/transitionRouteGroups/) or at agent level
// (agentTransitionRouteGroups/).
type RouteGroup struct {
	ID          string
	DisplayName string
	// Flow is the flow that defines the group; nil for an agent-level
	// group, whose routes may only target flows and symbolic pages.
	Flow   *Flow
	Routes []*Route
	Loc    Location
}

// TargetKind says where a transition goes.
type TargetKind int

// The transition targets. The symbolic pages are relative to the flow that
// is active when the transition happens.
const (
	// TargetNone: no transition; evaluation goes on.
	TargetNone TargetKind = iota
	// TargetPage: Target.Page, a page of the same flow.
	TargetPage
	// TargetFlow: Target.Flow, whose start page becomes current.
	TargetFlow
	// TargetPlaybook: Target.Playbook, by display name (playbooks are not
	// loaded).
	TargetPlaybook
	TargetStartPage
	TargetCurrentPage
	TargetPreviousPage
	TargetEndFlow
	TargetEndFlowWithCancellation
	TargetEndFlowWithFailure
	TargetEndFlowWithHumanEscalation
	TargetEndSession
)

var targetKindNames = [...]string{"none", "page", "flow", "playbook", "START_PAGE", "CURRENT_PAGE", "PREVIOUS_PAGE",
	"END_FLOW", "END_FLOW_WITH_CANCELLATION", "END_FLOW_WITH_FAILURE", "END_FLOW_WITH_HUMAN_ESCALATION", "END_SESSION"}

// String returns "none", "page", "flow" or "playbook", or for a symbolic
// page the constant that ends its resource name in the API ("END_FLOW").
func (k TargetKind) String() string {
	if k >= 0 && int(k) < len(targetKindNames) {
		return targetKindNames[k]
	}
	return "TargetKind(?)"
}

// symbolicPages maps the spellings of symbolic pages in exports (and the
// API constants, which hand-edited files use) to their kinds.
var symbolicPages = map[string]TargetKind{
	"Start Page": TargetStartPage, "START_PAGE": TargetStartPage,
	"Current Page": TargetCurrentPage, "CURRENT_PAGE": TargetCurrentPage,
	"Previous Page": TargetPreviousPage, "PREVIOUS_PAGE": TargetPreviousPage,
	"End Flow": TargetEndFlow, "END_FLOW": TargetEndFlow,
	"End Flow With Cancellation": TargetEndFlowWithCancellation, "END_FLOW_WITH_CANCELLATION": TargetEndFlowWithCancellation,
	"End Flow With Failure": TargetEndFlowWithFailure, "END_FLOW_WITH_FAILURE": TargetEndFlowWithFailure,
	"End Flow With Human Escalation": TargetEndFlowWithHumanEscalation, "END_FLOW_WITH_HUMAN_ESCALATION": TargetEndFlowWithHumanEscalation,
	"End Session": TargetEndSession, "END_SESSION": TargetEndSession,
}

// A Target is where a route or event handler transitions to.
type Target struct {
	Kind TargetKind
	// Page is set for TargetPage.
	Page *Page
	// Flow is set for TargetFlow.
	Flow *Flow
	// Playbook is set for TargetPlaybook.
	Playbook string
}

// IsSymbolic reports whether the target is a symbolic page (START_PAGE,
// END_FLOW, ...).
func (t Target) IsSymbolic() bool { return t.Kind >= TargetStartPage }

// String describes the target: `page "X"`, `flow "Y"`, `playbook "Z"`, the
// symbolic page's constant, or "none".
func (t Target) String() string {
	switch t.Kind {
	case TargetPage:
		if t.Page != nil {
			return "page " + quote(t.Page.DisplayName)
		}
	case TargetFlow:
		if t.Flow != nil {
			return "flow " + quote(t.Flow.DisplayName)
		}
	case TargetPlaybook:
		return "playbook " + quote(t.Playbook)
	}
	return t.Kind.String()
}
