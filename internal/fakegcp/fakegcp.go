// Package fakegcp is an in-memory fake of the Google Cloud REST APIs that
// cxhook's setup code and deploy.sh talk to, for tests. It serves plain HTTP
// and speaks the JSON of the real APIs closely enough for both the generated
// Go clients and the real gcloud CLI.
//
// # What it fakes
//
//   - Cloud Resource Manager v1: projects.get, projects.getIamPolicy.
//   - Service Usage v1 services.get and v1beta1 services.generateServiceIdentity
//     with its long-running operation.
//   - Cloud Functions v1 and v2: functions get, create, patch,
//     generateUploadUrl, operations, runtimes (v2) and the function IAM policy (v1).
//   - Cloud Run v1 and v2: the IAM policy of a service.
//   - Cloud Build v1: locations.getDefaultServiceAccount.
//   - Dialogflow CX v3: agents.webhooks list, get, create, patch.
//   - A signed upload URL target (the "storage" host) that accepts the source zip.
//
// # Routing
//
// [Start] serves each API on its own local port, for endpoint overrides such
// as CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN=http://127.0.0.1:PORT/ ([Servers.Env]).
//
// [Fake.ServeHTTP] serves every API on one port instead and picks the API
// from the first label of the request's host, without a "REGION-" prefix:
// "run.googleapis.com" and "us-central1-run.googleapis.com" both reach Cloud
// Run. The region prefix is kept so that Dialogflow requests can be checked
// against the agent's location. Pair it with [Client], which sends requests
// for the production endpoints to the fake.
//
// # IAM policies
//
// Policies carry an etag that changes on every write. setIamPolicy with a
// stale etag fails with 409 ABORTED, as IAM does, so read-modify-write code
// can be tested for lost updates. [Fake.ConcurrentChange] makes another writer
// change a policy just before the next setIamPolicy.
//
// Every request is recorded ([Fake.Requests]).
package fakegcp

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"
)

// API names, as the first label of their Google host name.
const (
	CloudResourceManager = "cloudresourcemanager"
	ServiceUsage         = "serviceusage"
	CloudFunctions       = "cloudfunctions"
	Run                  = "run"
	CloudBuild           = "cloudbuild"
	Dialogflow           = "dialogflow"
	Storage              = "storage"
)

// A Request is one recorded HTTP request.
type Request struct {
	API    string // e.g. "run"
	Host   string // as sent, e.g. "us-central1-dialogflow.googleapis.com"
	Method string
	Path   string
	Query  url.Values
	Body   []byte
	Auth   string // the Authorization header
}

// String formats the request as "METHOD api /path?query" with the query
// sorted, followed by the body: indented JSON with sorted keys, "<zip>" for
// a zip archive, or a placeholder naming the size of anything else.
func (r Request) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", r.Method, r.API, r.Path)
	if len(r.Query) > 0 {
		b.WriteString("?" + r.Query.Encode())
	}
	if len(r.Body) > 0 {
		b.WriteString("\n" + formatBody(r.Body))
	}
	return b.String()
}

func formatBody(body []byte) string {
	if bytes.HasPrefix(body, []byte("PK\x03\x04")) {
		return "<zip>"
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Sprintf("<%d bytes>", len(body))
	}
	out, _ := json.MarshalIndent(v, "", "  ")
	return string(out)
}

// Fake holds the state of every faked API. Its zero value is not usable: call
// [New]. All methods are safe for concurrent use.
type Fake struct {
	mu           sync.Mutex
	seq          int
	projects     map[string]string         // project ID → number
	functions    map[string]map[string]any // function name → resource JSON
	policies     map[string]*policy        // resource name → IAM policy
	agents       map[string]bool           // agent names
	webhooks     map[string]map[string]any // webhook name → resource JSON
	ops          map[string]*operation
	identities   map[string]bool // project numbers whose Dialogflow service agent exists
	uploads      map[string][]byte
	denied       map[string]bool // permissions the caller lacks
	concurrent   map[string]int  // resource → changes to make before the next setIamPolicy
	requests     []Request
	opPolls      int    // operations.get calls before an operation is done
	hashedRunURL bool   // report run.app URLs in the older hashed form
	uploadBase   string // where generated upload URLs point
}

type policy struct {
	version  int
	etag     string
	bindings []any
	audit    []any
	writes   int
}

type operation struct {
	name     string
	polls    int // operations.get calls still answered "not done"
	response map[string]any
	metadata map[string]any
}

// New returns an empty fake. Long-running operations finish on the first
// operations.get unless [Fake.SetOperationPolls] says otherwise.
func New() *Fake {
	return &Fake{
		projects:   map[string]string{},
		functions:  map[string]map[string]any{},
		policies:   map[string]*policy{},
		agents:     map[string]bool{},
		webhooks:   map[string]map[string]any{},
		ops:        map[string]*operation{},
		identities: map[string]bool{},
		uploads:    map[string][]byte{},
		denied:     map[string]bool{},
		concurrent: map[string]int{},
	}
}

// AddProject makes a project known to Resource Manager.
func (f *Fake) AddProject(id, number string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.projects[id] = number
}

// AddAgent makes a Dialogflow CX agent known, by its full resource name.
func (f *Fake) AddAgent(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.agents[name] = true
}

// Deny makes every request that needs the permission fail with 403
// PERMISSION_DENIED, as IAM reports it.
func (f *Fake) Deny(permission string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.denied[permission] = true
}

// SetOperationPolls sets how many operations.get calls answer "not done"
// before a new long-running operation completes.
func (f *Fake) SetOperationPolls(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opPolls = n
}

// ReportHashedRunURLs makes 2nd gen functions report the older hashed
// run.app URL (https://NAME-HASH-uc.a.run.app) instead of the deterministic
// one.
func (f *Fake) ReportHashedRunURLs() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hashedRunURL = true
}

// SetPolicy replaces the IAM policy of a resource (a Run service, a function
// or a project). bindings are IAM binding objects as JSON values.
func (f *Fake) SetPolicy(resource string, version int, bindings ...map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.policy(resource)
	p.version = version
	p.bindings = nil
	for _, b := range bindings {
		p.bindings = append(p.bindings, b)
	}
	f.bump(p)
}

// Policy returns the IAM policy of a resource as the API would return it.
func (f *Fake) Policy(resource string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.policy(resource).json()
}

// PolicyWrites counts successful setIamPolicy calls on a resource, made
// through the API.
func (f *Fake) PolicyWrites(resource string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.policy(resource).writes
}

// ConcurrentChange makes another writer grant role to a new member of the
// resource's policy just before each of the next n setIamPolicy calls
// arrive, so those calls carry a stale etag.
func (f *Fake) ConcurrentChange(resource string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.concurrent[resource] += n
}

// AddFunction stores a function resource as if it had been deployed. fn is
// the API's JSON (v2 Function if gen2, else v1 CloudFunction); output fields
// such as the URL are filled in.
func (f *Fake) AddFunction(gen2 bool, name string, fn map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn = clone(fn)
	fn["name"] = name
	f.finishFunction(gen2, fn)
	f.functions[name] = fn
}

// Function returns a copy of a stored function, or nil.
func (f *Fake) Function(name string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fn := f.functions[name]; fn != nil {
		return clone(fn)
	}
	return nil
}

// AddWebhook stores a webhook resource in an agent and returns its name.
func (f *Fake) AddWebhook(agent string, wh map[string]any) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	wh = clone(wh)
	f.seq++
	wh["name"] = fmt.Sprintf("%s/webhooks/wh-%d", agent, f.seq)
	f.webhooks[wh["name"].(string)] = wh
	return wh["name"].(string)
}

// Webhooks returns copies of an agent's webhooks, sorted by name.
func (f *Fake) Webhooks(agent string) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.agentWebhooks(agent)
}

// HasServiceAgent reports whether generateServiceIdentity created the
// Dialogflow service agent of the project with this number.
func (f *Fake) HasServiceAgent(projectNumber string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.identities[projectNumber]
}

// Upload returns the body stored at a generated upload URL path.
func (f *Fake) Upload(path string) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.uploads[path]
}

// Requests returns the requests received so far, in arrival order.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.requests...)
}

// ResetRequests forgets the recorded requests.
func (f *Fake) ResetRequests() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = nil
}

// Servers are the fake's APIs, each on its own local port.
type Servers struct {
	urls map[string]string
}

// overridden are the APIs that clients reach through endpoint overrides.
var overridden = []string{CloudResourceManager, ServiceUsage, CloudFunctions, Run, CloudBuild, Dialogflow}

// Start serves each API of the fake on its own httptest server, and the
// upload target too, until the test ends.
func Start(tb testing.TB, f *Fake) *Servers {
	tb.Helper()
	s := &Servers{urls: map[string]string{}}
	for _, api := range append(overridden, Storage) {
		srv := httptest.NewServer(f.APIHandler(api))
		tb.Cleanup(srv.Close)
		s.urls[api] = srv.URL + "/"
	}
	f.mu.Lock()
	f.uploadBase = strings.TrimSuffix(s.urls[Storage], "/")
	f.mu.Unlock()
	return s
}

// URL returns the base URL of an API, with a trailing slash as gcloud's
// endpoint overrides have it.
func (s *Servers) URL(api string) string { return s.urls[api] }

// Env returns the CLOUDSDK_API_ENDPOINT_OVERRIDES_<API>=URL settings that
// point gcloud and cxhook at the servers.
func (s *Servers) Env() []string {
	var env []string
	for _, api := range overridden {
		env = append(env, "CLOUDSDK_API_ENDPOINT_OVERRIDES_"+strings.ToUpper(api)+"="+s.urls[api])
	}
	return env
}

// Client returns an HTTP client that sends every request to the server at
// serverURL, whatever its URL says, keeping the original host in the Host
// header so that [Fake.ServeHTTP] routes it. Use it to point clients with
// their production endpoints at the fake.
func Client(serverURL string) *http.Client {
	u, err := url.Parse(serverURL)
	if err != nil {
		panic(err)
	}
	return &http.Client{Transport: rewrite{target: u}}
}

type rewrite struct{ target *url.URL }

func (t rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Host = r.URL.Host
	r.URL.Scheme = t.target.Scheme
	r.URL.Host = t.target.Host
	return http.DefaultTransport.RoundTrip(r)
}

// ServeHTTP serves the API named by the request's host; see the package doc.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	label, _, _ := strings.Cut(host, ".")
	region := ""
	if i := strings.LastIndex(label, "-"); i >= 0 {
		region, label = label[:i], label[i+1:]
	}
	f.serve(w, r, label, region)
}

// APIHandler serves one API whatever the request's host.
func (f *Fake) APIHandler(api string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.serve(w, r, api, "")
	})
}

// apiError is a Google API error response.
type apiError struct {
	code    int
	status  string
	message string
	details []any
}

func (e *apiError) write(w http.ResponseWriter) {
	body := map[string]any{"code": e.code, "message": e.message, "status": e.status}
	if e.details != nil {
		body["details"] = e.details
	}
	writeJSON(w, e.code, map[string]any{"error": body})
}

func notFound(format string, args ...any) *apiError {
	return &apiError{404, "NOT_FOUND", fmt.Sprintf(format, args...), nil}
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{400, "INVALID_ARGUMENT", fmt.Sprintf(format, args...), nil}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// call is one request being served.
type call struct {
	r      *http.Request
	api    string
	region string
	path   string
	body   []byte
}

func (c *call) is(method, pattern string) []string {
	if c.r.Method != method {
		return nil
	}
	re, ok := routes.Load(pattern)
	if !ok {
		re, _ = routes.LoadOrStore(pattern, regexp.MustCompile("^"+pattern+"$"))
	}
	return re.(*regexp.Regexp).FindStringSubmatch(c.path)
}

// routes caches the compiled route patterns of every fake.
var routes sync.Map // pattern → *regexp.Regexp

func (c *call) decode(v any) *apiError {
	if err := json.Unmarshal(c.body, v); err != nil {
		return badRequest("invalid JSON payload: %v", err)
	}
	return nil
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request, api, region string) {
	body, _ := io.ReadAll(r.Body)
	q := r.URL.Query()
	q.Del("alt")
	q.Del("prettyPrint")
	q.Del("$alt")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, Request{API: api, Host: r.Host, Method: r.Method, Path: r.URL.Path, Query: q, Body: body, Auth: r.Header.Get("Authorization")})
	c := &call{r: r, api: api, region: region, path: r.URL.Path, body: body}
	var (
		resp any
		err  *apiError
	)
	switch api {
	case CloudResourceManager:
		resp, err = f.crm(c)
	case ServiceUsage:
		resp, err = f.serviceUsage(c)
	case CloudFunctions:
		resp, err = f.cloudFunctions(c)
	case Run:
		resp, err = f.run(c)
	case CloudBuild:
		resp, err = f.cloudBuild(c)
	case Dialogflow:
		resp, err = f.dialogflow(c)
	case Storage:
		resp, err = f.storage(c)
	default:
		err = notFound("fakegcp: no API %q (host %s)", api, r.Host)
	}
	if err != nil {
		err.write(w)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// allow checks that the caller holds a permission on a resource.
func (f *Fake) allow(c *call, permission, resource string) *apiError {
	if !f.denied[permission] {
		return nil
	}
	return &apiError{
		code:   403,
		status: "PERMISSION_DENIED",
		message: fmt.Sprintf("Permission '%s' denied on resource '%s' (or it may not exist).",
			permission, resource),
		details: []any{map[string]any{
			"@type":    "type.googleapis.com/google.rpc.ErrorInfo",
			"reason":   "IAM_PERMISSION_DENIED",
			"domain":   c.api + ".googleapis.com",
			"metadata": map[string]any{"permission": permission, "resource": resource},
		}},
	}
}

// projectNumber resolves a project ID or number.
func (f *Fake) projectNumber(idOrNumber string) (string, bool) {
	if n, ok := f.projects[idOrNumber]; ok {
		return n, true
	}
	for _, n := range f.projects {
		if n == idOrNumber {
			return n, true
		}
	}
	return "", false
}

func (f *Fake) crm(c *call) (any, *apiError) {
	if m := c.is("GET", `/v1/projects/([^/:]+)`); m != nil {
		if err := f.allow(c, "resourcemanager.projects.get", "projects/"+m[1]); err != nil {
			return nil, err
		}
		n, ok := f.projects[m[1]]
		if !ok {
			// Resource Manager answers 403, not 404, for projects that
			// do not exist.
			return nil, &apiError{403, "PERMISSION_DENIED", "The caller does not have permission", nil}
		}
		return map[string]any{"projectId": m[1], "projectNumber": n, "name": m[1], "lifecycleState": "ACTIVE"}, nil
	}
	if m := c.is("POST", `/v1/projects/([^/:]+):getIamPolicy`); m != nil {
		if err := f.allow(c, "resourcemanager.projects.getIamPolicy", "projects/"+m[1]); err != nil {
			return nil, err
		}
		return f.policy("projects/" + m[1]).json(), nil
	}
	return nil, notFound("fakegcp: no %s %s in Resource Manager", c.r.Method, c.path)
}

func (f *Fake) serviceUsage(c *call) (any, *apiError) {
	if m := c.is("GET", `/v1/projects/([^/]+)/services/([^/:]+)`); m != nil {
		if err := f.allow(c, "serviceusage.services.get", "projects/"+m[1]); err != nil {
			return nil, err
		}
		n, ok := f.projectNumber(m[1])
		if !ok {
			return nil, &apiError{403, "PERMISSION_DENIED", "Not found or permission denied for project " + m[1], nil}
		}
		return map[string]any{"name": "projects/" + n + "/services/" + m[2], "parent": "projects/" + n, "state": "ENABLED"}, nil
	}
	if m := c.is("POST", `/v1beta1/projects/([^/]+)/services/([^/:]+):generateServiceIdentity`); m != nil {
		if err := f.allow(c, "serviceusage.services.use", "projects/"+m[1]); err != nil {
			return nil, err
		}
		n, ok := f.projectNumber(m[1])
		if !ok {
			return nil, &apiError{403, "PERMISSION_DENIED", "Not found or permission denied for project " + m[1], nil}
		}
		if m[2] != "dialogflow.googleapis.com" {
			return nil, badRequest("fakegcp: only dialogflow.googleapis.com has a service identity here")
		}
		f.identities[n] = true
		f.seq++
		op := f.newOperation(fmt.Sprintf("operations/finish.%d", f.seq), map[string]any{
			"@type":    "type.googleapis.com/google.api.serviceusage.v1beta1.ServiceIdentity",
			"email":    "service-" + n + "@gcp-sa-dialogflow.iam.gserviceaccount.com",
			"uniqueId": "1" + n,
		}, map[string]any{"@type": "type.googleapis.com/google.protobuf.Empty"})
		return op.json(), nil
	}
	if m := c.is("GET", `/v1beta1/(operations/[^/]+)`); m != nil {
		return f.poll(m[1])
	}
	return nil, notFound("fakegcp: no %s %s in Service Usage", c.r.Method, c.path)
}

func (f *Fake) newOperation(name string, response, metadata map[string]any) *operation {
	op := &operation{name: name, polls: f.opPolls, response: response, metadata: metadata}
	f.ops[name] = op
	return op
}

func (op *operation) json() map[string]any {
	out := map[string]any{"name": op.name}
	if op.metadata != nil {
		out["metadata"] = op.metadata
	}
	if op.polls < 0 {
		out["done"] = true
		out["response"] = op.response
	}
	return out
}

func (f *Fake) poll(name string) (any, *apiError) {
	op := f.ops[name]
	if op == nil {
		return nil, notFound("operation %s not found", name)
	}
	op.polls--
	return op.json(), nil
}

var (
	functionV2 = `/v2/(projects/([^/]+)/locations/([^/]+)/functions/([^/:]+))`
	functionV1 = `/v1/(projects/([^/]+)/locations/([^/]+)/functions/([^/:]+))`
)

func (f *Fake) cloudFunctions(c *call) (any, *apiError) {
	// 2nd gen (v2).
	if m := c.is("GET", functionV2); m != nil {
		return f.getFunction(c, m[1])
	}
	if m := c.is("GET", `/v2/projects/([^/]+)/locations/([^/]+)/runtimes`); m != nil {
		return map[string]any{"runtimes": []any{
			map[string]any{"name": "go125", "displayName": "Go 1.25", "stage": "GA", "environment": "GEN_2"},
			map[string]any{"name": "go125", "displayName": "Go 1.25", "stage": "GA", "environment": "GEN_1"},
			map[string]any{"name": "go126", "displayName": "Go 1.26", "stage": "GA", "environment": "GEN_2"},
		}}, nil
	}
	if m := c.is("POST", `/v2/(projects/([^/]+)/locations/([^/]+))/functions:generateUploadUrl`); m != nil {
		upload := f.uploadURL()
		return map[string]any{
			"uploadUrl": upload,
			"storageSource": map[string]any{
				"bucket": "gcf-v2-uploads-" + m[2] + "." + m[3] + ".cloudfunctions.appspot.com",
				"object": fmt.Sprintf("upload-%d.zip", f.seq),
			},
		}, nil
	}
	if m := c.is("POST", `/v2/(projects/([^/]+)/locations/([^/]+))/functions`); m != nil {
		name := m[1] + "/functions/" + c.r.URL.Query().Get("functionId")
		return f.createFunction(c, true, name, m[1])
	}
	if m := c.is("PATCH", functionV2); m != nil {
		return f.patchFunction(c, true, m[1], fmt.Sprintf("projects/%s/locations/%s", m[2], m[3]))
	}
	if m := c.is("GET", `/v2/(projects/[^/]+/locations/[^/]+/operations/[^/]+)`); m != nil {
		return f.poll(m[1])
	}
	// 1st gen (v1).
	if m := c.is("GET", functionV1); m != nil {
		return f.getFunction(c, m[1])
	}
	if m := c.is("POST", `/v1/(projects/([^/]+)/locations/([^/]+))/functions:generateUploadUrl`); m != nil {
		return map[string]any{"uploadUrl": f.uploadURL()}, nil
	}
	if m := c.is("POST", `/v1/(projects/([^/]+)/locations/([^/]+))/functions`); m != nil {
		var fn map[string]any
		if err := c.decode(&fn); err != nil {
			return nil, err
		}
		name, _ := fn["name"].(string)
		return f.createFunction(c, false, name, "")
	}
	if m := c.is("PATCH", functionV1); m != nil {
		return f.patchFunction(c, false, m[1], "")
	}
	if m := c.is("GET", `/v1/(operations/[^/]+)`); m != nil {
		return f.poll(m[1])
	}
	if m := c.is("GET", functionV1+`:getIamPolicy`); m != nil {
		return f.getPolicy(c, m[1], "cloudfunctions.functions.getIamPolicy")
	}
	if m := c.is("POST", functionV1+`:setIamPolicy`); m != nil {
		return f.setPolicy(c, m[1], "cloudfunctions.functions.setIamPolicy")
	}
	return nil, notFound("fakegcp: no %s %s in Cloud Functions", c.r.Method, c.path)
}

// uploadURL returns a new signed-URL stand-in on the fake's upload target.
func (f *Fake) uploadURL() string {
	f.seq++
	base := f.uploadBase
	if base == "" {
		base = "https://storage.googleapis.com"
	}
	return fmt.Sprintf("%s/upload/%d", base, f.seq)
}

func (f *Fake) getFunction(c *call, name string) (any, *apiError) {
	if err := f.allow(c, "cloudfunctions.functions.get", name); err != nil {
		return nil, err
	}
	fn := f.functions[name]
	if fn == nil {
		return nil, notFound("Resource '%s' was not found", name)
	}
	return fn, nil
}

func (f *Fake) createFunction(c *call, gen2 bool, name, parent string) (any, *apiError) {
	if err := f.allow(c, "cloudfunctions.functions.create", name); err != nil {
		return nil, err
	}
	var fn map[string]any
	if err := c.decode(&fn); err != nil {
		return nil, err
	}
	if f.functions[name] != nil {
		return nil, &apiError{409, "ALREADY_EXISTS", fmt.Sprintf("Function %s already exists", name), nil}
	}
	fn["name"] = name
	f.finishFunction(gen2, fn)
	f.functions[name] = fn
	return f.functionOperation(gen2, fn, parent, "create").json(), nil
}

func (f *Fake) patchFunction(c *call, gen2 bool, name, parent string) (any, *apiError) {
	if err := f.allow(c, "cloudfunctions.functions.update", name); err != nil {
		return nil, err
	}
	fn := f.functions[name]
	if fn == nil {
		return nil, notFound("Resource '%s' was not found", name)
	}
	var patch map[string]any
	if err := c.decode(&patch); err != nil {
		return nil, err
	}
	mask := c.r.URL.Query().Get("updateMask")
	if mask == "" {
		return nil, badRequest("fakegcp: PATCH without updateMask")
	}
	for _, path := range strings.Split(mask, ",") {
		applyPath(fn, patch, path)
	}
	f.finishFunction(gen2, fn)
	return f.functionOperation(gen2, fn, parent, "update").json(), nil
}

func (f *Fake) functionOperation(gen2 bool, fn map[string]any, parent, verb string) *operation {
	f.seq++
	if gen2 {
		resp := clone(fn)
		resp["@type"] = "type.googleapis.com/google.cloud.functions.v2.Function"
		return f.newOperation(fmt.Sprintf("%s/operations/operation-%d", parent, f.seq), resp, map[string]any{
			"@type":  "type.googleapis.com/google.cloud.functions.v2.OperationMetadata",
			"target": fn["name"],
			"verb":   verb,
		})
	}
	resp := clone(fn)
	resp["@type"] = "type.googleapis.com/google.cloud.functions.v1.CloudFunction"
	kind := "CREATE_FUNCTION"
	if verb == "update" {
		kind = "UPDATE_FUNCTION"
	}
	return f.newOperation(fmt.Sprintf("operations/op-%d", f.seq), resp, map[string]any{
		"@type":  "type.googleapis.com/google.cloud.functions.v1.OperationMetadataV1",
		"target": fn["name"],
		"type":   kind,
	})
}

var functionName = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)/functions/([^/]+)$`)

// finishFunction fills in a function's output-only fields.
func (f *Fake) finishFunction(gen2 bool, fn map[string]any) {
	m := functionName.FindStringSubmatch(fn["name"].(string))
	if m == nil {
		return
	}
	project, region, id := m[1], m[2], m[3]
	fnURL := fmt.Sprintf("https://%s-%s.cloudfunctions.net/%s", region, project, id)
	if !gen2 {
		fn["status"] = "ACTIVE"
		trigger, _ := fn["httpsTrigger"].(map[string]any)
		if trigger == nil {
			trigger = map[string]any{}
			fn["httpsTrigger"] = trigger
		}
		trigger["url"] = fnURL
		return
	}
	fn["state"] = "ACTIVE"
	fn["environment"] = "GEN_2"
	fn["url"] = fnURL
	sc, _ := fn["serviceConfig"].(map[string]any)
	if sc == nil {
		sc = map[string]any{}
		fn["serviceConfig"] = sc
	}
	sc["service"] = fmt.Sprintf("projects/%s/locations/%s/services/%s", project, region, id)
	number := f.projects[project]
	sc["uri"] = fmt.Sprintf("https://%s-%s.%s.run.app", id, number, region)
	if f.hashedRunURL {
		sc["uri"] = fmt.Sprintf("https://%s-abcdefghij-uc.a.run.app", id)
	}
}

func (f *Fake) run(c *call) (any, *apiError) {
	const service = `/(?:v1|v2)/(projects/[^/]+/locations/[^/]+/services/[^/:]+)`
	if m := c.is("GET", service+`:getIamPolicy`); m != nil {
		return f.getPolicy(c, m[1], "run.services.getIamPolicy")
	}
	if m := c.is("POST", service+`:setIamPolicy`); m != nil {
		return f.setPolicy(c, m[1], "run.services.setIamPolicy")
	}
	return nil, notFound("fakegcp: no %s %s in Cloud Run", c.r.Method, c.path)
}

func (f *Fake) cloudBuild(c *call) (any, *apiError) {
	if m := c.is("GET", `/v1/projects/([^/]+)/locations/([^/]+)/defaultServiceAccount`); m != nil {
		n := f.projects[m[1]]
		return map[string]any{
			"name":                fmt.Sprintf("projects/%s/locations/%s/defaultServiceAccount", m[1], m[2]),
			"serviceAccountEmail": fmt.Sprintf("projects/%s/serviceAccounts/%s-compute@developer.gserviceaccount.com", m[1], n),
		}, nil
	}
	return nil, notFound("fakegcp: no %s %s in Cloud Build", c.r.Method, c.path)
}

func (f *Fake) storage(c *call) (any, *apiError) {
	if c.r.Method == "PUT" && strings.HasPrefix(c.path, "/upload/") {
		f.uploads[c.path] = c.body
		return map[string]any{}, nil
	}
	return nil, notFound("fakegcp: no %s %s in storage", c.r.Method, c.path)
}

func (f *Fake) dialogflow(c *call) (any, *apiError) {
	const agent = `/v3/(projects/[^/]+/locations/([^/]+)/agents/[^/]+)`
	var m []string
	for _, route := range []struct{ method, pattern string }{
		{"GET", agent + `/webhooks`},
		{"POST", agent + `/webhooks`},
		{"GET", agent + `/webhooks/([^/]+)`},
		{"PATCH", agent + `/webhooks/([^/]+)`},
	} {
		if m = c.is(route.method, route.pattern); m != nil {
			break
		}
	}
	if m == nil {
		return nil, notFound("fakegcp: no %s %s in Dialogflow", c.r.Method, c.path)
	}
	agentName, location := m[1], m[2]
	// The real API refuses requests for an agent sent to another
	// location's endpoint. A fake host without a region prefix (an IP
	// address or an override) is not checked.
	wantRegion := location
	if location == "global" {
		wantRegion = ""
	}
	if c.region != wantRegion && !isIP(c.r.Host) {
		return nil, badRequest("Please refer to https://cloud.google.com/dialogflow/cx/docs/concept/region#avail and use the correct endpoint for location %s (request sent to %s).", location, c.r.Host)
	}
	if !f.agents[agentName] {
		return nil, notFound("com.google.apps.framework.request.NotFoundException: No DesignTimeAgent found for %s", agentName)
	}
	switch {
	case c.r.Method == "GET" && len(m) == 3:
		if err := f.allow(c, "dialogflow.webhooks.list", agentName); err != nil {
			return nil, err
		}
		return map[string]any{"webhooks": f.agentWebhooks(agentName)}, nil
	case c.r.Method == "POST":
		if err := f.allow(c, "dialogflow.webhooks.create", agentName); err != nil {
			return nil, err
		}
		var wh map[string]any
		if err := c.decode(&wh); err != nil {
			return nil, err
		}
		for _, other := range f.agentWebhooks(agentName) {
			if other["displayName"] == wh["displayName"] {
				return nil, &apiError{409, "ALREADY_EXISTS", fmt.Sprintf("Webhook with display name %v already exists", wh["displayName"]), nil}
			}
		}
		f.seq++
		wh["name"] = fmt.Sprintf("%s/webhooks/wh-%d", agentName, f.seq)
		f.webhooks[wh["name"].(string)] = wh
		return wh, nil
	}
	name := agentName + "/webhooks/" + m[3]
	wh := f.webhooks[name]
	if wh == nil {
		return nil, notFound("Webhook %s not found", name)
	}
	if c.r.Method == "GET" {
		if err := f.allow(c, "dialogflow.webhooks.get", name); err != nil {
			return nil, err
		}
		return wh, nil
	}
	if err := f.allow(c, "dialogflow.webhooks.update", name); err != nil {
		return nil, err
	}
	var patch map[string]any
	if err := c.decode(&patch); err != nil {
		return nil, err
	}
	mask := c.r.URL.Query().Get("updateMask")
	if mask == "" {
		patch["name"] = name
		f.webhooks[name] = patch
		return patch, nil
	}
	for _, path := range strings.Split(mask, ",") {
		applyPath(wh, patch, path)
	}
	return wh, nil
}

func isIP(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return net.ParseIP(host) != nil
}

func (f *Fake) agentWebhooks(agent string) []map[string]any {
	var out []map[string]any
	for name, wh := range f.webhooks {
		if strings.HasPrefix(name, agent+"/webhooks/") {
			out = append(out, clone(wh))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i]["name"].(string) < out[j]["name"].(string) })
	return out
}

func (f *Fake) policy(resource string) *policy {
	p := f.policies[resource]
	if p == nil {
		p = &policy{etag: etag(0)}
		f.policies[resource] = p
	}
	return p
}

func etag(n int) string {
	return base64.StdEncoding.EncodeToString([]byte("etag-" + strconv.Itoa(n)))
}

func (f *Fake) bump(p *policy) {
	f.seq++
	p.etag = etag(f.seq)
}

func (p *policy) json() map[string]any {
	out := map[string]any{"etag": p.etag}
	if p.version != 0 {
		out["version"] = p.version
	}
	if len(p.bindings) > 0 {
		out["bindings"] = cloneValue(p.bindings)
	}
	if len(p.audit) > 0 {
		out["auditConfigs"] = cloneValue(p.audit)
	}
	return out
}

func (f *Fake) getPolicy(c *call, resource, permission string) (any, *apiError) {
	if err := f.allow(c, permission, resource); err != nil {
		return nil, err
	}
	if err := f.exists(resource); err != nil {
		return nil, err
	}
	return f.policy(resource).json(), nil
}

// exists checks that the resource of an IAM policy exists: a function, or
// the Run service of a 2nd gen function.
func (f *Fake) exists(resource string) *apiError {
	if f.functions[resource] != nil {
		return nil
	}
	for _, fn := range f.functions {
		if sc, _ := fn["serviceConfig"].(map[string]any); sc != nil && sc["service"] == resource {
			return nil
		}
	}
	return notFound("Resource '%s' was not found", resource)
}

func (f *Fake) setPolicy(c *call, resource, permission string) (any, *apiError) {
	if err := f.allow(c, permission, resource); err != nil {
		return nil, err
	}
	if err := f.exists(resource); err != nil {
		return nil, err
	}
	var req struct {
		Policy struct {
			Version      int    `json:"version"`
			Etag         string `json:"etag"`
			Bindings     []any  `json:"bindings"`
			AuditConfigs []any  `json:"auditConfigs"`
		} `json:"policy"`
		UpdateMask string `json:"updateMask"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	p := f.policy(resource)
	if f.concurrent[resource] > 0 {
		f.concurrent[resource]--
		f.seq++
		p.bindings = append(p.bindings, map[string]any{
			"role":    "roles/viewer",
			"members": []any{fmt.Sprintf("user:other-writer-%d@example.com", f.seq)},
		})
		f.bump(p)
	}
	if req.Policy.Etag != "" && req.Policy.Etag != p.etag {
		return nil, &apiError{409, "ABORTED", "There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.", nil}
	}
	for _, b := range req.Policy.Bindings {
		if cond, _ := b.(map[string]any)["condition"]; cond != nil && req.Policy.Version < 3 {
			return nil, badRequest("Policies with conditional role bindings must specify version 3.")
		}
	}
	p.version = req.Policy.Version
	p.bindings = req.Policy.Bindings
	if req.UpdateMask != "" && strings.Contains(req.UpdateMask, "auditConfigs") {
		p.audit = req.Policy.AuditConfigs
	}
	p.writes++
	f.bump(p)
	return p.json(), nil
}

// applyPath copies one field-mask path from src to dst, or deletes it from
// dst when src lacks it. Path segments may be snake_case or lowerCamelCase.
func applyPath(dst, src map[string]any, path string) {
	segs := strings.Split(path, ".")
	for i, s := range segs {
		segs[i] = lowerCamel(s)
	}
	for _, s := range segs[:len(segs)-1] {
		next, _ := src[s].(map[string]any)
		src = next
		d, _ := dst[s].(map[string]any)
		if d == nil {
			d = map[string]any{}
			dst[s] = d
		}
		dst = d
	}
	last := segs[len(segs)-1]
	if v, ok := src[last]; ok && src != nil {
		dst[last] = cloneValue(v)
	} else {
		delete(dst, last)
	}
}

func lowerCamel(s string) string {
	var b strings.Builder
	up := false
	for _, r := range s {
		if r == '_' {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

func clone(m map[string]any) map[string]any {
	return cloneValue(m).(map[string]any)
}

func cloneValue(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&out); err != nil {
		panic(err)
	}
	return out
}
