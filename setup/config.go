package setup

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cxhook/cxhook/fulfillment"
)

// Config describes one deployment: a function and the agents that call it.
type Config struct {
	Project  string // the function's project ID
	Region   string // the function's region, e.g. "us-central1"
	Function string // the function's name
	Gen      Generation
	// Agents are the Dialogflow CX agents that call the function, in any
	// projects. With none, the agents are taken to live in Project and no
	// Webhook resource is managed.
	Agents []Agent
	// WebhookName is the display name of the agents' Webhook resource;
	// empty means Function.
	WebhookName string
	// WebhookTimeout is how long Dialogflow waits for the function, at most
	// 30s; zero means Dialogflow's default, 5s.
	WebhookTimeout time.Duration
	// Memory is the memory of the function's instances as gcloud's
	// --memory takes it (512Mi, 1Gi, 512MB); empty means the function's
	// current size, or [DefaultMemory] for a new function. Only
	// [Setup.Env] reads it, to derive GOMEMLIMIT ([MemoryLimit]).
	Memory string
	// MemoryLimit, if set, is the GOMEMLIMIT to deploy the function with
	// instead of the one derived from Memory.
	MemoryLimit string
}

// Validate checks the config and fills in defaults.
func (c *Config) Validate() error {
	var errs []error
	if !projectID.MatchString(c.Project) {
		errs = append(errs, fmt.Errorf("project %q: want a project ID: 6 to 30 lowercase letters, digits or hyphens, starting with a letter", c.Project))
	}
	if !region.MatchString(c.Region) {
		errs = append(errs, fmt.Errorf("region %q: want a region such as us-central1", c.Region))
	}
	if !functionName.MatchString(c.Function) {
		errs = append(errs, fmt.Errorf("function name %q: want up to 63 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen", c.Function))
	}
	if c.WebhookTimeout == 0 {
		c.WebhookTimeout = fulfillment.DefaultWebhookTimeout
	}
	if c.WebhookTimeout < 0 || c.WebhookTimeout > fulfillment.MaxWebhookTimeout {
		errs = append(errs, fmt.Errorf("webhook timeout %v: want more than 0 and at most %v", c.WebhookTimeout, fulfillment.MaxWebhookTimeout))
	}
	if c.WebhookName == "" {
		c.WebhookName = c.Function
	}
	if c.Memory != "" {
		if _, err := ParseMemory(c.Memory); err != nil {
			errs = append(errs, err)
		}
	}
	if c.MemoryLimit != "" && !goMemLimit.MatchString(c.MemoryLimit) {
		errs = append(errs, fmt.Errorf("%s=%q: want a size such as 200MiB or 1GiB (units B, KiB, MiB, GiB, TiB), or off", EnvMemoryLimit, c.MemoryLimit))
	}
	if c.Gen != Gen1 && c.Gen != Gen2 {
		errs = append(errs, fmt.Errorf("unknown generation %d", c.Gen))
	}
	return errors.Join(errs...)
}

// FunctionName returns the function's resource name.
func (c Config) FunctionName() string {
	return "projects/" + c.Project + "/locations/" + c.Region + "/functions/" + c.Function
}

// agentProjects returns the projects whose Dialogflow service agents call
// the function, without repeats.
func (c Config) agentProjects() []string {
	if len(c.Agents) == 0 {
		return []string{c.Project}
	}
	var out []string
	for _, a := range c.Agents {
		if !slices.Contains(out, a.Project) {
			out = append(out, a.Project)
		}
	}
	return out
}

// numbersNeeded returns the projects whose numbers [Config.Env] needs:
// the agents' projects, and the function's for a 2nd gen run.app URL. A
// project given by number needs no lookup.
func (c Config) numbersNeeded() []string {
	var out []string
	if c.Gen == Gen2 {
		out = append(out, c.Project)
	}
	for _, p := range c.agentProjects() {
		if !slices.Contains(out, p) && !projectNumber.MatchString(p) {
			out = append(out, p)
		}
	}
	return out
}

// Env returns the environment variables the function reads, given the
// number of each project that needs one: the function's own project and
// the agents' projects. A project missing from numbers is written as
// <number of PROJECT>, which is how a dry run shows them.
//
//   - CXHOOK_AUTH=platform: the platform checks callers (IAM invoker).
//   - CXHOOK_AGENT_PROJECT_NUMBERS: the agents' project numbers; their
//     Dialogflow service agents are the allowed callers.
//   - CXHOOK_AUDIENCES: the function's URLs known before deploy
//     ([FunctionURLs]); a token's audience must be one of them.
//   - CXHOOK_WEBHOOK_TIMEOUT: the agents' webhook timeout, a Go duration.
//   - GOOGLE_CLOUD_PROJECT: the function's project, for the trace field of
//     its log lines.
func (c Config) Env(numbers map[string]string) map[string]string {
	number := func(project string) string {
		if n, ok := numbers[project]; ok {
			return n
		}
		return numberPlaceholder(project)
	}
	var agentNumbers []string
	for _, p := range c.agentProjects() {
		agentNumbers = append(agentNumbers, number(p))
	}
	return map[string]string{
		EnvAuth:                authPlatform,
		EnvAgentProjectNumbers: strings.Join(agentNumbers, ","),
		EnvAudiences:           strings.Join(FunctionURLs(c.Gen, c.Project, number(c.Project), c.Region, c.Function), ","),
		EnvWebhookTimeout:      c.WebhookTimeout.String(),
		EnvProject:             c.Project,
	}
}

// mergeEnv returns env with want applied: list variables
// (CXHOOK_AGENT_PROJECT_NUMBERS, CXHOOK_AUDIENCES) gain the items they lack,
// keeping those they have; the others are set. It reports which variables
// changed, sorted; env itself is not modified.
func mergeEnv(env, want map[string]string) (map[string]string, []string) {
	out := maps.Clone(env)
	if out == nil {
		out = map[string]string{}
	}
	var changed []string
	for _, k := range slices.Sorted(maps.Keys(want)) {
		v := want[k]
		if k == EnvAgentProjectNumbers || k == EnvAudiences {
			v = strings.Join(union(splitList(env[k]), splitList(v)), ",")
		}
		if have, ok := env[k]; !ok || have != v {
			out[k] = v
			changed = append(changed, k)
		}
	}
	return out, changed
}

// Plan returns what [Setup.Run] would do for the config, one step a line,
// without calling anything. Values that only the APIs know are shown as
// placeholders.
func (c Config) Plan() []string {
	var steps []string
	step := func(format string, args ...any) {
		steps = append(steps, fmt.Sprintf("%d. ", len(steps)+1)+fmt.Sprintf(format, args...))
	}
	if need := c.numbersNeeded(); len(need) > 0 {
		step("Look up the project numbers of %s (Resource Manager projects.get).", strings.Join(need, ", "))
	}
	api := "Cloud Functions v2"
	if c.Gen == Gen1 {
		api = "Cloud Functions v1"
	}
	step("Read function %s (%s, %s): its URL, environment and timeout.", c.FunctionName(), c.Gen, api)
	env := c.Env(nil)
	var kv []string
	for _, k := range slices.Sorted(maps.Keys(env)) {
		kv = append(kv, k+"="+env[k])
	}
	step("Make its environment hold %s, with the function's URL in %s; update the function if not.", strings.Join(kv, " "), EnvAudiences)
	var members []string
	for _, p := range c.agentProjects() {
		members = append(members, ServiceAgentMember(numberPlaceholder(p)))
	}
	step("Make sure the Dialogflow service agent of %s exists (Service Usage v1beta1 generateServiceIdentity, polled until done).", strings.Join(c.agentProjects(), ", "))
	resource := "the function's Cloud Run service (projects/" + c.Project + "/locations/" + c.Region + "/services/" + c.Function + " unless the function reports another)"
	if c.Gen == Gen1 {
		resource = "function " + c.FunctionName()
	}
	step("Grant %s on %s to %s: read-modify-write of its IAM policy, nothing written if already granted.", c.Gen.InvokerRole(), resource, strings.Join(members, ", "))
	if len(c.Agents) == 0 {
		step("No agent given: create the Webhook resource yourself, with the function's URL and service agent authentication ID token.")
	}
	for _, a := range c.Agents {
		step("Create or update webhook %q of agent %s (at %s): uri = the function's URL, serviceAgentAuth = ID_TOKEN, timeout = %v.", c.WebhookName, a, a.Endpoint(), c.WebhookTimeout)
	}
	return steps
}

// numberPlaceholder returns a project's number if it is given as one, or
// "<number of PROJECT>".
func numberPlaceholder(project string) string {
	if projectNumber.MatchString(project) {
		return project
	}
	return "<number of " + project + ">"
}
