package setup

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// serviceAgentEmail returns the email of the Dialogflow service agent of the
// project with this number: the identity whose ID token Dialogflow sends to
// a webhook that uses service agent authentication. It is what
// auth.ServiceAgentEmail returns, without its check that the number is all
// digits: a dry run's plan passes placeholders such as "<number of P>".
func serviceAgentEmail(projectNumber string) string {
	return "service-" + projectNumber + "@gcp-sa-dialogflow.iam.gserviceaccount.com"
}

// ServiceAgentMember returns the IAM member of the Dialogflow service agent
// of the project with this number,
// serviceAccount:service-NUMBER@gcp-sa-dialogflow.iam.gserviceaccount.com:
// the member that setup grants the invoker role. (The email alone, checked,
// is auth.ServiceAgentEmail.)
func ServiceAgentMember(projectNumber string) string {
	return "serviceAccount:" + serviceAgentEmail(projectNumber)
}

// Generation is the generation of a function: 2nd gen (Cloud Run functions,
// the default) or 1st gen (Cloud Functions).
type Generation int

const (
	Gen2 Generation = iota // Cloud Run functions: the function runs as a Cloud Run service.
	Gen1                   // Cloud Functions (1st gen).
)

// String returns "2nd gen" or "1st gen".
func (g Generation) String() string {
	if g == Gen1 {
		return "1st gen"
	}
	return "2nd gen"
}

// InvokerRole returns the role a caller needs to invoke a function of this
// generation: roles/run.invoker on the function's Cloud Run service for 2nd
// gen, roles/cloudfunctions.invoker on the function for 1st gen.
func (g Generation) InvokerRole() string {
	if g == Gen1 {
		return "roles/cloudfunctions.invoker"
	}
	return "roles/run.invoker"
}

// An Agent names a Dialogflow CX agent.
type Agent struct {
	Project  string // project ID (or number) that owns the agent
	Location string // "global" or a region such as "us-central1"
	ID       string
}

var agentName = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)/agents/([^/]+)$`)

var (
	projectID     = regexp.MustCompile(`^[a-z][-a-z0-9]{4,28}[a-z0-9]$`)
	projectNumber = regexp.MustCompile(`^[1-9][0-9]{0,19}$`)
	location      = regexp.MustCompile(`^[a-z][-a-z0-9]*[a-z0-9]$`)
	agentID       = regexp.MustCompile(`^[A-Za-z0-9][-_A-Za-z0-9]*$`)
	region        = regexp.MustCompile(`^[a-z]+-[a-z]+[0-9]+$`)
	functionName  = regexp.MustCompile(`^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`)
)

// ParseAgent parses an agent's resource name,
// projects/PROJECT/locations/LOCATION/agents/ID.
func ParseAgent(name string) (Agent, error) {
	m := agentName.FindStringSubmatch(name)
	if m == nil {
		return Agent{}, fmt.Errorf("agent %q: want projects/PROJECT/locations/LOCATION/agents/ID", name)
	}
	a := Agent{Project: m[1], Location: m[2], ID: m[3]}
	switch {
	case !projectID.MatchString(a.Project) && !projectNumber.MatchString(a.Project):
		return Agent{}, fmt.Errorf("agent %q: %q is not a project ID or number", name, a.Project)
	case !location.MatchString(a.Location):
		return Agent{}, fmt.Errorf("agent %q: %q is not a location", name, a.Location)
	case !agentID.MatchString(a.ID):
		return Agent{}, fmt.Errorf("agent %q: %q is not an agent ID", name, a.ID)
	}
	return a, nil
}

// String returns the agent's resource name.
func (a Agent) String() string {
	return "projects/" + a.Project + "/locations/" + a.Location + "/agents/" + a.ID
}

// Endpoint returns the Dialogflow API endpoint that serves the agent:
// agents outside "global" must be called at their region's endpoint.
func (a Agent) Endpoint() string {
	if a.Location == "global" {
		return "https://dialogflow.googleapis.com"
	}
	return "https://" + a.Location + "-dialogflow.googleapis.com"
}

// FunctionURLs returns the URLs of an HTTP function that are known before
// it is deployed, the run.app one first for 2nd gen:
//
//   - 2nd gen: https://NAME-PROJECT_NUMBER.REGION.run.app and
//     https://REGION-PROJECT_ID.cloudfunctions.net/NAME;
//   - 1st gen: https://REGION-PROJECT_ID.cloudfunctions.net/NAME.
//
// A 2nd gen function may also report an older, hashed run.app URL; only the
// deployed function can tell.
func FunctionURLs(gen Generation, projectID, projectNumber, region, name string) []string {
	cf := "https://" + region + "-" + projectID + ".cloudfunctions.net/" + name
	if gen == Gen1 {
		return []string{cf}
	}
	return []string{"https://" + name + "-" + projectNumber + "." + region + ".run.app", cf}
}

// The environment variables the deployed function reads.
const (
	EnvAuth                = "CXHOOK_AUTH"
	EnvAgentProjectNumbers = "CXHOOK_AGENT_PROJECT_NUMBERS"
	EnvAudiences           = "CXHOOK_AUDIENCES"
	EnvWebhookTimeout      = "CXHOOK_WEBHOOK_TIMEOUT"
	// EnvProject names the function's project for its log lines' trace
	// field (projects/P/traces/T); Cloud Run functions do not set it.
	EnvProject              = "GOOGLE_CLOUD_PROJECT"
	authPlatform            = "platform"
	dialogflowServiceDomain = "dialogflow.googleapis.com"
)

// FunctionTimeout returns the function's own timeout for a webhook timeout:
// the webhook timeout rounded up to whole seconds, the platform's unit. The
// platform then never runs a request longer than Dialogflow waits for it,
// and the handler's own deadline, derived from the webhook timeout, comes
// first.
func FunctionTimeout(webhookTimeout time.Duration) time.Duration {
	return (webhookTimeout + time.Second - 1).Truncate(time.Second)
}

// splitList splits a comma-separated environment value, dropping empty
// items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// union returns the items of a followed by those of b it lacks.
func union(a, b []string) []string {
	out := append([]string(nil), a...)
	for _, item := range b {
		if !slices.Contains(out, item) {
			out = append(out, item)
		}
	}
	return out
}

// seconds formats a duration in whole seconds, e.g. "5s".
func seconds(d time.Duration) string {
	return strconv.FormatInt(int64(d/time.Second), 10) + "s"
}
