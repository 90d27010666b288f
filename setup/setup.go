package setup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	cx "cloud.google.com/go/dialogflow/cx/apiv3"
	cloudfunctions "google.golang.org/api/cloudfunctions/v1"
	cloudfunctions2 "google.golang.org/api/cloudfunctions/v2"
	crm "google.golang.org/api/cloudresourcemanager/v1"
	"google.golang.org/api/option"
	run "google.golang.org/api/run/v2"
	serviceusage "google.golang.org/api/serviceusage/v1beta1"
)

// API names, as in gcloud's CLOUDSDK_API_ENDPOINT_OVERRIDES_<API> (lower
// case): the keys of [Options.Endpoints].
const (
	APIResourceManager = "cloudresourcemanager"
	APIServiceUsage    = "serviceusage"
	APICloudFunctions  = "cloudfunctions"
	APIRun             = "run"
	APIDialogflow      = "dialogflow"
)

// APIs lists the API names [Options.Endpoints] understands.
var APIs = []string{APIResourceManager, APIServiceUsage, APICloudFunctions, APIRun, APIDialogflow}

// Options say how [New] reaches the Google APIs. The zero value uses the
// production endpoints and Application Default Credentials.
type Options struct {
	// Endpoints replace APIs' base URLs, by API name (see [APIs]). The URL
	// is what gcloud's CLOUDSDK_API_ENDPOINT_OVERRIDES_<API> holds, e.g.
	// http://127.0.0.1:8080/: the API's version path is appended to it. A
	// Dialogflow URL serves agents of every location, as gcloud uses an
	// override for every region; the request path still names the
	// agent's location.
	Endpoints map[string]string
	// ClientOptions go to every API client: credentials, an HTTP client.
	ClientOptions []option.ClientOption
	// Log receives one progress line per step; nil discards them.
	Log io.Writer
	// PollInterval is the wait before the first poll of a long-running
	// operation, doubling for each next poll up to 5s; zero means 200ms.
	PollInterval time.Duration
	// Backoff paces the retries of an IAM read-modify-write that lost a
	// race; nil means [DefaultBackoff].
	Backoff Backoff
}

// Setup wires a deployed function to its agents: the service agents'
// identities, their invoker binding, the agents' Webhook resources and the
// function's CXHOOK_* environment. Create it with [New] and [Setup.Close]
// it when done. A Setup is safe for concurrent use.
type Setup struct {
	crm       *crm.Service
	su        *serviceusage.APIService
	functions functions
	run       *run.Service
	// webhooks returns the Dialogflow client for an agent's endpoint.
	webhooks *webhookClients
	log      io.Writer
	poll     time.Duration
	backoff  Backoff
}

// New creates the API clients. It makes no calls.
func New(ctx context.Context, opts Options) (*Setup, error) {
	with := func(api string) []option.ClientOption {
		o := append([]option.ClientOption(nil), opts.ClientOptions...)
		if ep := opts.Endpoints[api]; ep != "" {
			o = append(o, option.WithEndpoint(ep))
		}
		return o
	}
	s := &Setup{log: opts.Log, poll: opts.PollInterval, backoff: opts.Backoff}
	if s.log == nil {
		s.log = io.Discard
	}
	if s.poll == 0 {
		s.poll = 200 * time.Millisecond
	}
	var err error
	if s.crm, err = crm.NewService(ctx, with(APIResourceManager)...); err != nil {
		return nil, err
	}
	if s.su, err = serviceusage.NewService(ctx, with(APIServiceUsage)...); err != nil {
		return nil, err
	}
	if s.functions.v1, err = cloudfunctions.NewService(ctx, with(APICloudFunctions)...); err != nil {
		return nil, err
	}
	if s.functions.v2, err = cloudfunctions2.NewService(ctx, with(APICloudFunctions)...); err != nil {
		return nil, err
	}
	if s.run, err = run.NewService(ctx, with(APIRun)...); err != nil {
		return nil, err
	}
	s.webhooks = &webhookClients{
		opts:     opts.ClientOptions,
		override: strings.TrimSuffix(opts.Endpoints[APIDialogflow], "/"),
		clients:  map[string]*cx.WebhooksClient{},
	}
	return s, nil
}

// Close closes the Dialogflow clients.
func (s *Setup) Close() error {
	return s.webhooks.close()
}

func (s *Setup) logf(format string, args ...any) {
	fmt.Fprintf(s.log, "cxhook: "+format+"\n", args...)
}

// ProjectNumber returns the number of the project with this ID.
func (s *Setup) ProjectNumber(ctx context.Context, project string) (string, error) {
	if projectNumber.MatchString(project) {
		return project, nil
	}
	p, err := s.crm.Projects.Get(project).Context(ctx).Do()
	if err != nil {
		return "", call{
			what:       "looking up the number of project " + project,
			permission: "resourcemanager.projects.get",
			resource:   "projects/" + project,
			project:    project,
		}.explain(err)
	}
	return fmt.Sprint(p.ProjectNumber), nil
}

// numbers looks up the project numbers cfg needs.
func (s *Setup) numbers(ctx context.Context, cfg Config) (map[string]string, error) {
	numbers := map[string]string{}
	for _, p := range cfg.numbersNeeded() {
		n, err := s.ProjectNumber(ctx, p)
		if err != nil {
			return nil, err
		}
		s.logf("project %s is number %s", p, n)
		numbers[p] = n
	}
	return numbers, nil
}

// Env returns the environment variables to deploy the function of cfg
// with: those of [Config.Env], looking up project numbers, and GOMEMLIMIT
// ([EnvMemoryLimit]): cfg.MemoryLimit if set, else 85 % of the instance
// memory ([MemoryLimit]), which is cfg.Memory, or the deployed function's
// if cfg.Memory is empty, or [DefaultMemory] for a function not yet
// deployed. Deploy the function with them and the URL that [Setup.Run]
// gives Dialogflow is one of its audiences, unless the platform reports an
// unexpected URL, which Run then adds. Run leaves GOMEMLIMIT as it is.
func (s *Setup) Env(ctx context.Context, cfg Config) (map[string]string, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	numbers, err := s.numbers(ctx, cfg)
	if err != nil {
		return nil, err
	}
	env := cfg.Env(numbers)
	limit, err := s.memoryLimit(ctx, cfg)
	if err != nil {
		return nil, err
	}
	env[EnvMemoryLimit] = limit
	return env, nil
}

// Run makes the deployed function of cfg callable by its agents, changing
// only what is not already so:
//
//  1. the function's CXHOOK_* environment matches cfg and lists the URL the
//     function reports (else the function is updated);
//  2. each agent project's Dialogflow service agent exists;
//  3. the service agents hold the invoker role on the function
//     ([Generation.InvokerRole]);
//  4. each agent has a Webhook resource that calls the function's URL with
//     the service agent's ID token and cfg's timeout ([EnsureWebhook]).
//
// Run is safe to repeat: a second run with the same cfg changes nothing.
// Errors from the APIs say what permission is missing, on what, and how to
// grant it ([PermissionError]).
func (s *Setup) Run(ctx context.Context, cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	numbers, err := s.numbers(ctx, cfg)
	if err != nil {
		return err
	}
	fn, err := s.function(ctx, cfg)
	if err != nil {
		return err
	}
	if err := s.ensureEnv(ctx, cfg, fn, numbers); err != nil {
		return err
	}
	var members []string
	for _, p := range cfg.agentProjects() {
		n := numbers[p]
		if n == "" {
			n = p // given by number
		}
		email, err := s.ensureServiceAgent(ctx, p, n)
		if err != nil {
			return err
		}
		members = append(members, "serviceAccount:"+email)
	}
	if err := s.grant(ctx, cfg, fn, members); err != nil {
		return err
	}
	if len(cfg.Agents) == 0 {
		s.logf("no agent given: in your agent's settings, add a webhook with URL %s and authentication \"Service agent auth: ID token\"", fn.URL)
		return nil
	}
	for _, a := range cfg.Agents {
		if err := s.ensureWebhook(ctx, cfg, a, fn.URL); err != nil {
			return err
		}
	}
	return nil
}

func (s *Setup) function(ctx context.Context, cfg Config) (*Function, error) {
	fn, err := s.functions.get(ctx, cfg.Gen, cfg.FunctionName())
	if isNotFound(err) {
		return nil, fmt.Errorf("function %s (%s) not found: deploy it first (./deploy.sh --project %s --region %s --name %s)",
			cfg.FunctionName(), cfg.Gen, cfg.Project, cfg.Region, cfg.Function)
	}
	if err != nil {
		return nil, call{
			what:       "reading function " + cfg.FunctionName(),
			permission: "cloudfunctions.functions.get",
			resource:   cfg.FunctionName(),
			project:    cfg.Project,
		}.explain(err)
	}
	s.logf("function %s (%s) answers at %s", fn.Name, fn.Gen, fn.URL)
	return fn, nil
}

func (s *Setup) ensureEnv(ctx context.Context, cfg Config, fn *Function, numbers map[string]string) error {
	want := cfg.Env(numbers)
	want[EnvAudiences] = strings.Join(union(splitList(want[EnvAudiences]), []string{fn.URL}), ",")
	env, changed := mergeEnv(fn.Env, want)
	if len(changed) == 0 {
		s.logf("function environment: up to date")
	} else {
		s.logf("function environment: updating %s", strings.Join(changed, ", "))
		err := s.functions.setEnv(ctx, fn, env, s.poll)
		if err != nil {
			return call{
				what:       "updating the environment of function " + fn.Name,
				permission: "cloudfunctions.functions.update",
				resource:   fn.Name,
				project:    cfg.Project,
			}.explain(err)
		}
		fn.Env = env
	}
	if need := FunctionTimeout(cfg.WebhookTimeout); fn.Timeout < need {
		s.logf("warning: the function times out after %v, before the webhook timeout %v: redeploy with --timeout=%s", fn.Timeout, cfg.WebhookTimeout, seconds(need))
	}
	return nil
}

func (s *Setup) ensureServiceAgent(ctx context.Context, project, number string) (string, error) {
	email, err := EnsureServiceAgent(ctx, s.su, number, s.poll)
	if err != nil {
		return "", call{
			what:       "creating the Dialogflow service agent of project " + project,
			permission: "serviceusage.services.use",
			resource:   "projects/" + project,
			project:    project,
			instead:    "gcloud beta services identity create --service=" + dialogflowServiceDomain + " --project=" + project,
		}.explain(err)
	}
	s.logf("Dialogflow service agent of project %s: %s", project, email)
	return email, nil
}

func (s *Setup) grant(ctx context.Context, cfg Config, fn *Function, members []string) error {
	role := fn.Gen.InvokerRole()
	var store PolicyStore
	var instead []string
	if fn.Gen == Gen1 {
		store = FunctionPolicy(s.functions.v1, fn.Name)
		for _, m := range members {
			instead = append(instead, fmt.Sprintf("gcloud functions add-invoker-policy-binding %s --project=%s --region=%s --member=%s", cfg.Function, cfg.Project, cfg.Region, m))
		}
	} else {
		store = RunServicePolicy(s.run, fn.Service)
		for _, m := range members {
			instead = append(instead, fmt.Sprintf("gcloud run services add-iam-policy-binding %s --project=%s --region=%s --member=%s --role=%s", lastSegment(fn.Service), cfg.Project, cfg.Region, m, role))
		}
	}
	policy, wrote, err := Grant(ctx, store, role, members, s.backoff)
	if err != nil {
		var pe *PermissionError
		if errors.As(err, &pe) && strings.HasSuffix(pe.Permission, ".setIamPolicy") {
			pe.Instead = strings.Join(instead, "\n    ")
		}
		return err
	}
	if wrote {
		s.logf("%s on %s: granted to %s", role, store.Resource(), strings.Join(members, ", "))
	} else {
		s.logf("%s on %s: already granted to %s", role, store.Resource(), strings.Join(members, ", "))
	}
	for _, public := range []string{"allUsers", "allAuthenticatedUsers"} {
		if policy.HasMember(role, public) {
			s.logf("warning: %s on %s is granted to %s: anyone can call the function. Remove it unless you mean it.", role, store.Resource(), public)
		}
	}
	return nil
}

func (s *Setup) ensureWebhook(ctx context.Context, cfg Config, agent Agent, uri string) error {
	c, err := s.webhooks.get(ctx, agent)
	if err != nil {
		return err
	}
	res, err := EnsureWebhook(ctx, c, agent, WebhookSpec{DisplayName: cfg.WebhookName, URI: uri, Timeout: cfg.WebhookTimeout})
	if err != nil {
		return err
	}
	switch res.Change {
	case Updated:
		s.logf("webhook %q of agent %s: updated %s (%s)", cfg.WebhookName, agent, strings.Join(res.Fields, ", "), res.Webhook.GetName())
	default:
		s.logf("webhook %q of agent %s: %s (%s)", cfg.WebhookName, agent, res.Change, res.Webhook.GetName())
	}
	if res.Webhook.GetDisabled() {
		s.logf("warning: webhook %q of agent %s is disabled: Dialogflow will not call it until you enable it", cfg.WebhookName, agent)
	}
	return nil
}

func lastSegment(name string) string {
	return name[strings.LastIndex(name, "/")+1:]
}

// webhookClients holds one Dialogflow client per endpoint.
type webhookClients struct {
	opts     []option.ClientOption
	override string // replaces every location's endpoint when set

	mu      sync.Mutex
	clients map[string]*cx.WebhooksClient
}

// get returns the client for the endpoint that serves the agent.
func (w *webhookClients) get(ctx context.Context, agent Agent) (*cx.WebhooksClient, error) {
	endpoint := agent.Endpoint()
	if w.override != "" {
		endpoint = w.override
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if c := w.clients[endpoint]; c != nil {
		return c, nil
	}
	opts := append(append([]option.ClientOption(nil), w.opts...), option.WithEndpoint(endpoint))
	c, err := cx.NewWebhooksRESTClient(ctx, opts...)
	if err != nil {
		return nil, err
	}
	w.clients[endpoint] = c
	return c, nil
}

func (w *webhookClients) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	var errs []error
	for _, c := range w.clients {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}
