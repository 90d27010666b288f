package scaffold

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"go/format"
	"io/fs"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"github.com/cxhook/cxhook/agent"
	"github.com/cxhook/cxhook/fulfillment"
	"github.com/go-json-experiment/json"
)

// The versions the generated go.mod names.
const (
	// GoVersion is the module's go line: Go 1.25, which Cloud Functions'
	// go125 runtime builds (the go line of `go mod init` is the local
	// toolchain's, which may be newer than any runtime).
	GoVersion = "1.25.0"
	// FrameworkVersion is the version of the Functions Framework for Go
	// that the module requires: the one cxhook itself requires.
	FrameworkVersion = "v1.9.2"
	// CxhookModule is cxhook's module path.
	CxhookModule = "github.com/cxhook/cxhook"
	// replacedVersion is the version go.mod requires of cxhook when a
	// replace directive supplies it: the one go mod tidy writes for a
	// module replaced by a directory.
	replacedVersion = "v0.0.0-00010101000000-000000000000"
)

// Options describe the module to write.
type Options struct {
	// Module is the module's path, such as example.com/pizzeria; its
	// first element must hold a dot, as Cloud Functions' Go buildpack
	// requires. The package name is its last element (see
	// [DefaultModulePath]).
	Module string
	// CxhookVersion is the version of github.com/cxhook/cxhook go.mod
	// requires, such as v0.3.0. It may be empty if CxhookReplace is set.
	CxhookVersion string
	// CxhookReplace, if set, is written as the target of
	// `replace github.com/cxhook/cxhook => CxhookReplace`: the directory
	// of a cxhook checkout, absolute or relative to the module's
	// directory ("../cxhook").
	CxhookReplace string
	// External are the display names of webhooks that call another
	// service than the function: no handler is written for them, and the
	// tests leave their call sites out. A webhook whose URI's host is a
	// Google API's (*.googleapis.com), as the prebuilt address
	// component's validation webhook is, is external without being
	// listed.
	External []string
}

// A File is one file of the module.
type File struct {
	// Path is the file's path in the module, with slashes.
	Path string
	Data []byte
}

// A Module is what [Generate] writes.
type Module struct {
	// Files are the module's files, in path order.
	Files []File
	// Agent is the agent the module serves.
	Agent *agent.Agent
	// Handlers describe the handlers written, one a line, as "tag
	// \"checkSize\" (standard): checksize.go".
	Handlers []string
	// Notes say what the user should know about the module: webhooks
	// taken to be external, call sites no handler serves, credentials
	// replaced in the copy of the export.
	Notes []string
}

// Generate writes a new function module for the agent exported in export
// (a file system whose root holds agent.json; see [Open]), through
// webhook.MustNew:
//
//   - go.mod, with the go line Cloud Functions builds ([GoVersion]), the
//     Functions Framework and cxhook (Options.CxhookVersion, or
//     Options.CxhookReplace);
//   - function.go, the root package registering the function "Webhook"
//     and a fulfillment.Mux with one handler per tag the agent calls;
//   - one file per handler: for a standard webhook's tag a
//     fulfillment.HandlerFunc with a parameter struct per page that calls
//     it (the form's parameters, and the intent's on an intent route,
//     typed by entity type with the fulfillment system-entity types); for
//     a flexible webhook a fulfillment.Flexible handler whose request and
//     answer structs follow the webhook's request template and parameter
//     mapping, registered by the tag the template carries or by the path
//     of the webhook's URI. Each answers fulfillment.CodeUnimplemented
//     (501, which the agent sees as webhook.error) until it is written;
//   - cmd/local, the local runner;
//   - function_test.go, which runs agenttest.Check and posts the request
//     of every call site to the function;
//   - testdata/agent, a copy of the export (credentials in webhook files
//     replaced by REDACTED), and testdata/requests, the call sites'
//     requests (agent.SampleRequests);
//   - README.md and .gcloudignore.
//
// The output depends on the export and the options only: the same input
// gives the same bytes. The Go files are gofmt-formatted, and names are
// valid Go identifiers however the agent's display names are spelled. An
// export with problems is refused with its *agent.LoadError; an agent the
// function cannot serve as exported (a tag both on a standard webhook and
// in a flexible one's template, a flexible webhook that carries no tag
// called at the path "/" beside standard ones) with an error naming the
// file.
func Generate(export fs.FS, opts Options) (*Module, error) {
	if err := CheckModulePath(opts.Module); err != nil {
		return nil, err
	}
	if opts.CxhookVersion == "" && opts.CxhookReplace == "" {
		return nil, errors.New("scaffold: no version of github.com/cxhook/cxhook to require: set CxhookVersion, or CxhookReplace to the directory of a cxhook checkout")
	}
	a, err := agent.LoadFS(export)
	if err != nil {
		return nil, err
	}
	g := &generator{a: a, opts: opts, pkg: packageName(opts.Module)}
	if err := g.plan(); err != nil {
		return nil, err
	}
	files, notes, err := copyExport(export)
	if err != nil {
		return nil, fmt.Errorf("scaffold: copying the export: %w", err)
	}
	g.redacted = len(notes) > 0
	g.notes = append(g.notes, notes...)
	for _, s := range g.samples {
		files = append(files, File{Path: "testdata/requests/" + s.Name, Data: s.Body})
	}
	out, err := g.render()
	if err != nil {
		return nil, err
	}
	files = append(files, out...)
	slices.SortFunc(files, func(x, y File) int { return strings.Compare(x.Path, y.Path) })
	for i := 1; i < len(files); i++ {
		if strings.EqualFold(files[i-1].Path, files[i].Path) {
			return nil, fmt.Errorf("scaffold: two files of the module are named %s and %s", files[i-1].Path, files[i].Path)
		}
	}
	m := &Module{Files: files, Agent: a, Notes: g.notes}
	for _, h := range g.std {
		m.Handlers = append(m.Handlers, fmt.Sprintf("tag %s (standard): %s", strconv.Quote(h.Tag), h.File))
	}
	for _, h := range g.flex {
		m.Handlers = append(m.Handlers, fmt.Sprintf("%s (flexible): %s", h.key(), h.File))
	}
	return m, nil
}

// CheckModulePath reports whether path can be a function module's path:
// slash-separated elements of letters, digits and "-._~", the first with
// a dot (example.com/webhook), as Cloud Functions' Go buildpack requires.
func CheckModulePath(path string) error {
	if path == "" {
		return errors.New("scaffold: no module path (such as example.com/webhook)")
	}
	for i, elem := range strings.Split(path, "/") {
		if elem == "" || elem == "." || elem == ".." || strings.HasPrefix(elem, ".") || strings.HasSuffix(elem, ".") {
			return fmt.Errorf("scaffold: module path %q: empty or dotted element %q", path, elem)
		}
		for _, r := range elem {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~", r)) {
				return fmt.Errorf("scaffold: module path %q: %q is not allowed in a module path", path, r)
			}
		}
		if i == 0 && !strings.Contains(elem, ".") {
			return fmt.Errorf("scaffold: module path %q: its first element must hold a dot, as in example.com/%s (Cloud Functions' Go buildpack requires one)", path, path)
		}
	}
	return nil
}

// DefaultModulePath returns the module path for a module in a directory
// named base: example.com/ and base lower-cased, with what a module path
// cannot hold replaced by '-'.
func DefaultModulePath(base string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(base) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			b.WriteRune(r)
		} else if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-_")
	if name == "" {
		name = "webhook"
	}
	return "example.com/" + name
}

// A generator holds what Generate works out before writing the files.
type generator struct {
	a        *agent.Agent
	opts     Options
	pkg      string
	external []string // webhooks' display names, in the agent's order
	std      []*stdHandler
	flex     []*flexHandler
	unserved []string // call sites no handler serves, described
	samples  []agent.Sample
	bySite   map[siteKey]agent.Sample
	redacted bool
	notes    []string
}

// A siteKey identifies a call site's sample: the calling fulfillment on a
// page.
type siteKey struct {
	f *agent.Fulfillment
	p *agent.Page
}

// reserved are the package-level names the generated files use or
// import; a handler or type must not take one.
var reserved = []string{
	"init", "main", "newMux", "notImplemented", "external", "agentExport", "requestsDir",
	"TestAgent", "TestCallSites",
	"context", "fmt", "fulfillment", "functions", "webhook",
	"bytes", "json", "slog", "http", "httptest", "os", "filepath", "slices", "strings", "testing", "agent", "agenttest",
}

func (g *generator) plan() error {
	a := g.a
	ext := map[string]bool{}
	for _, name := range g.opts.External {
		if a.Webhook(name) == nil {
			return fmt.Errorf("scaffold: external webhook %s: the agent has no webhook of that display name", strconv.Quote(name))
		}
		ext[name] = true
	}
	for _, w := range a.Webhooks {
		if !ext[w.DisplayName] && googleAPI(w.URI) {
			ext[w.DisplayName] = true
			g.notes = append(g.notes, fmt.Sprintf("%s: webhook %s calls %s, a Google API, not the function: no handler serves it (the tests leave it out as external)",
				w.Loc.File, strconv.Quote(w.DisplayName), hostOf(w.URI)))
		}
		if ext[w.DisplayName] {
			g.external = append(g.external, w.DisplayName)
		}
	}

	samples, err := a.SampleRequests(agent.SampleOptions{})
	if err != nil {
		return fmt.Errorf("scaffold: the call sites' requests: %w", err)
	}
	g.samples = samples
	g.bySite = map[siteKey]agent.Sample{}
	for _, s := range samples {
		g.bySite[siteKey{s.Site.Fulfillment, s.Site.Page}] = s
	}

	std := map[string]*stdHandler{}
	flexTags := map[string]*flexHandler{}
	flexPaths := map[string]*flexHandler{}
	for _, s := range a.CallSites() {
		w := s.Webhook
		if ext[w.DisplayName] {
			continue
		}
		if w.Kind == agent.Standard {
			if s.Tag == "" {
				g.unserved = append(g.unserved, describeSite(s, true)+": it calls webhook "+strconv.Quote(w.DisplayName)+" without a tag, so only a fallback handler could serve it")
				g.notes = append(g.notes, fmt.Sprintf("%s: calls webhook %s without a tag: no handler is written for it (a Mux dispatches on the tag)", s.Loc(), strconv.Quote(w.DisplayName)))
				continue
			}
			h := std[s.Tag]
			if h == nil {
				h = &stdHandler{Tag: s.Tag}
				std[s.Tag] = h
				g.std = append(g.std, h)
			}
			h.sites = append(h.sites, s)
			h.addWebhook(w)
			continue
		}
		var h *flexHandler
		if tag, ok := w.FlexibleTag(); ok {
			if tag == "" {
				return fmt.Errorf("%s: fulfillmentInfo.tag in the requestBody template of webhook %s is empty: a Mux cannot dispatch on it; give it a tag", w.Loc.File, strconv.Quote(w.DisplayName))
			}
			if h = flexTags[tag]; h == nil {
				h = &flexHandler{Tag: tag}
				flexTags[tag] = h
				g.flex = append(g.flex, h)
			}
		} else {
			path := w.Path()
			if h = flexPaths[path]; h == nil {
				h = &flexHandler{Path: path, ByPath: true}
				flexPaths[path] = h
				g.flex = append(g.flex, h)
			}
		}
		h.sites = append(h.sites, s)
		h.addWebhook(w)
	}
	for _, h := range g.flex {
		if sh := std[h.Tag]; !h.ByPath && sh != nil {
			return fmt.Errorf("%s: tag %s is on standard webhook %s (%s) and in the request template of flexible webhook %s: a function serves a tag with one kind of handler; rename one of them",
				h.webhooks[0].Loc.File, strconv.Quote(h.Tag), strconv.Quote(sh.webhooks[0].DisplayName), sh.sites[0].Loc(), strconv.Quote(h.webhooks[0].DisplayName))
		}
		if h.ByPath && h.Path == "/" && len(g.std) > 0 {
			return fmt.Errorf("%s: flexible webhook %s carries no tag in its request template and its URI has no path, so the function cannot tell its calls from the standard webhooks' ones: give its URI a path of its own, or its template a fulfillmentInfo.tag",
				h.webhooks[0].Loc.File, strconv.Quote(h.webhooks[0].DisplayName))
		}
	}
	slices.SortFunc(g.std, func(x, y *stdHandler) int { return strings.Compare(x.Tag, y.Tag) })
	slices.SortFunc(g.flex, func(x, y *flexHandler) int {
		if x.ByPath != y.ByPath {
			if x.ByPath {
				return 1
			}
			return -1
		}
		return strings.Compare(x.Tag+x.Path, y.Tag+y.Path)
	})

	// Names: the handlers first, in the order above, then their types.
	ns := newNamespace(reserved...)
	files := newFileNames("function.go", "function_test.go")
	for _, h := range g.std {
		h.Func = ns.take(unexportedName(h.Tag, "tag"), "Handler")
		h.File = files.take(h.Func)
	}
	for _, h := range g.flex {
		base := unexportedName(h.Tag, "tag")
		if h.ByPath {
			base = unexportedName(h.Path, "path")
		}
		h.Func = ns.take(base, "Handler")
		h.File = files.take(h.Func)
	}
	for _, h := range g.std {
		g.planStandard(h, ns)
	}
	for _, h := range g.flex {
		if err := g.planFlexible(h, ns); err != nil {
			return err
		}
	}
	return nil
}

// googleAPI reports whether uri calls a Google API.
func googleAPI(uri string) bool {
	host := hostOf(uri)
	return host == "googleapis.com" || strings.HasSuffix(host, ".googleapis.com")
}

func hostOf(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// A stdHandler is the handler of a standard webhook's tag.
type stdHandler struct {
	Tag      string
	Func     string
	File     string
	sites    []agent.CallSite
	webhooks []*agent.Webhook
	groups   []*paramGroup
}

func (h *stdHandler) addWebhook(w *agent.Webhook) {
	if !slices.Contains(h.webhooks, w) {
		h.webhooks = append(h.webhooks, w)
	}
}

// A paramGroup is the parameter struct of the pages of one display name
// that call a standard handler.
type paramGroup struct {
	pages      []*agent.Page
	sites      []agent.CallSite
	st         *structType
	flowParams []string
	Type       string
}

func (h *stdHandler) group(p *agent.Page) *paramGroup {
	for _, gr := range h.groups {
		if gr.pages[0].DisplayName == p.DisplayName {
			if !slices.Contains(gr.pages, p) {
				gr.pages = append(gr.pages, p)
			}
			return gr
		}
	}
	gr := &paramGroup{pages: []*agent.Page{p}, st: newStruct()}
	h.groups = append(h.groups, gr)
	return gr
}

// planStandard works out a standard handler's parameter structs: one per
// page display name among its call sites, with the page's form parameters
// and, on an intent route, the intent's parameters, all of them session
// parameters. Each struct is then checked against the requests of its
// call sites: a field a request's value does not decode into becomes a
// fulfillment.Value.
func (g *generator) planStandard(h *stdHandler, ns *namespace) {
	seen := map[*agent.Page]bool{}
	for _, s := range h.sites {
		if s.Page == nil {
			continue
		}
		gr := h.group(s.Page)
		gr.sites = append(gr.sites, s)
		if !seen[s.Page] {
			seen[s.Page] = true
			for _, fp := range s.Page.Form {
				ref, ok := agent.ParseParamRef(fp.DisplayName)
				if ok && ref.Scope == agent.ScopeFlow {
					if !slices.Contains(gr.flowParams, fp.DisplayName) {
						gr.flowParams = append(gr.flowParams, fp.DisplayName)
					}
					continue
				}
				name := fp.DisplayName
				if ok && ref.Scope == agent.ScopeSession {
					name = ref.Name
				}
				what := []string{entityName(fp.EntityType)}
				if fp.Required {
					what = append(what, "required")
				}
				if fp.IsList {
					what = append(what, "a list")
				}
				gr.st.add(name, entityType(fp.EntityType, fp.IsList),
					fmt.Sprintf("form parameter %s (%s)", strconv.Quote(fp.DisplayName), strings.Join(what, ", ")))
			}
		}
		if s.Kind == agent.SiteRoute && s.Route.Intent != nil {
			for _, ip := range s.Route.Intent.Parameters {
				gr.st.add(ip.ID, entityType(ip.EntityType, ip.IsList),
					fmt.Sprintf("parameter %s of intent %s (%s)", strconv.Quote(ip.ID), strconv.Quote(strings.TrimSpace(s.Route.Intent.DisplayName)), entityName(ip.EntityType)))
			}
		}
	}
	for _, gr := range h.groups {
		for _, s := range gr.sites {
			sm, ok := g.bySite[siteKey{s.Fulfillment, s.Page}]
			if !ok {
				continue
			}
			req, err := fulfillment.DecodeRequest(sm.Body)
			if err == nil {
				gr.st.fit(req.Params(), "testdata/requests/"+sm.Name)
			}
		}
		if len(gr.st.Fields) == 0 {
			continue
		}
		if len(h.groups) == 1 {
			gr.Type = ns.take(h.Func+"Params", "")
		} else {
			gr.Type = ns.take(h.Func+exportedName(gr.pages[0].DisplayName, "Page")+"Params", "")
		}
	}
}

// fit checks that params decode into the struct as Params.Decode binds
// them, and makes each field they do not fit a fulfillment.Value, which
// takes any JSON.
func (s *structType) fit(params fulfillment.Params, where string) {
	for range len(s.Fields) + 1 {
		v := reflect.New(s.reflectType())
		err := params.Decode(v.Interface())
		if err == nil {
			return
		}
		var f *field
		var pe *fulfillment.ParamError
		if errors.As(err, &pe) {
			name, _, _ := strings.Cut(pe.Name, "/")
			name = strings.NewReplacer("~1", "/", "~0", "~").Replace(name)
			for _, c := range s.Fields {
				if c.JSON == name {
					f = c
				}
			}
		}
		if f == nil || f.Type == tValue {
			// Not a field's fault that can be told: take any JSON everywhere.
			for _, c := range s.Fields {
				c.Type = tValue
			}
			return
		}
		f.Type = tValue
		f.Doc += "; any JSON, as the value in " + where + " is not of its entity type's shape"
	}
}

// A flexHandler is the handler of a flexible webhook: by the tag its
// template carries, or by the path of its URI.
type flexHandler struct {
	Tag      string
	Path     string
	ByPath   bool
	Func     string
	File     string
	ReqType  string
	AnsType  string
	sites    []agent.CallSite
	webhooks []*agent.Webhook
	req      *structType
	ans      answerShape
}

func (h *flexHandler) addWebhook(w *agent.Webhook) {
	if !slices.Contains(h.webhooks, w) {
		h.webhooks = append(h.webhooks, w)
	}
}

// key describes how the mux reaches the handler.
func (h *flexHandler) key() string {
	if h.ByPath {
		return "path " + strconv.Quote(h.Path)
	}
	return "tag " + strconv.Quote(h.Tag)
}

// planFlexible works out a flexible handler's request and answer structs,
// and checks the request struct against the bodies of its call sites.
func (g *generator) planFlexible(h *flexHandler, ns *namespace) error {
	h.req = newStruct()
	for _, w := range h.webhooks {
		var flow *agent.Flow
		for _, s := range h.sites {
			if s.Webhook == w {
				flow = s.Flow
				break
			}
		}
		shape := readTemplate(w, flow)
		if shape.Body == nil {
			// The adapter answers 400 to a flexible body that is not a JSON
			// object, before any handler runs.
			return fmt.Errorf("%s: genericWebService.requestBody: flexible webhook %s: %s, and a function serves only JSON objects: make the template one, or pass the webhook as external to leave it out",
				w.Loc.File, strconv.Quote(w.DisplayName), shape.Problem)
		}
		for _, f := range shape.Body.Fields {
			got, added := h.req.add(f.JSON, f.Type, f.Doc)
			if !added && got.Type.src != f.Type.src {
				got.Type = tValue
				got.Doc += "; any JSON, as the webhooks' templates put different values there"
			}
		}
	}
	for _, s := range h.sites {
		sm, ok := g.bySite[siteKey{s.Fulfillment, s.Page}]
		if !ok {
			continue
		}
		var body fulfillment.Params
		if json.Unmarshal(sm.Body, &body) == nil {
			h.req.fit(body, "testdata/requests/"+sm.Name)
		}
	}
	h.ReqType = ns.take(h.Func+"Request", "")
	h.ans = readMapping(h.webhooks)
	h.AnsType = ns.take(h.Func+"Answer", "")
	return nil
}

// describeSite says where a call site is, for people: "the initial prompt
// of form parameter "x" of page "P"".
func describeSite(s agent.CallSite, withFlow bool) string {
	var page string
	switch {
	case s.Page == nil:
	case s.Page.IsStart():
		page = "flow " + strconv.Quote(s.Flow.DisplayName)
		withFlow = false
	default:
		page = "page " + strconv.Quote(s.Page.DisplayName)
	}
	var what string
	switch s.Kind {
	case agent.SiteEntry:
		what = "the entry fulfillment of " + page
	case agent.SitePrompt:
		what = fmt.Sprintf("the initial prompt of form parameter %s of %s", strconv.Quote(s.Param.DisplayName), page)
	case agent.SiteReprompt:
		what = fmt.Sprintf("the %s handler of form parameter %s of %s", s.Handler.Event, strconv.Quote(s.Param.DisplayName), page)
	case agent.SiteEvent:
		what = fmt.Sprintf("the %s handler of %s", s.Handler.Event, page)
	case agent.SiteRoute:
		r := s.Route
		var cond []string
		if r.Intent != nil {
			cond = append(cond, "intent "+strconv.Quote(strings.TrimSpace(r.Intent.DisplayName)))
		}
		if r.Condition != "" {
			cond = append(cond, "condition "+clipText(r.Condition, 60))
		}
		what = "a route"
		if len(cond) > 0 {
			what += " (" + strings.Join(cond, ", ") + ")"
		}
		switch {
		case r.Group != nil && s.Page != nil:
			what += fmt.Sprintf(" of route group %s, used by %s", strconv.Quote(r.Group.DisplayName), page)
		case r.Group != nil:
			what += fmt.Sprintf(" of route group %s, which no page uses", strconv.Quote(r.Group.DisplayName))
			withFlow = false
		default:
			what += " of " + page
		}
	}
	if withFlow && s.Flow != nil {
		what += " (flow " + strconv.Quote(s.Flow.DisplayName) + ")"
	}
	return what
}

// clipText keeps a text for a comment: one line, at most n bytes.
func clipText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		cut := n
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func utf8Start(b byte) bool { return b&0xc0 != 0x80 }

// clipLine keeps a line of a template for a comment: its indentation, at
// most n bytes.
func clipLine(s string, n int) string {
	s = strings.TrimRight(commentSafe(strings.ReplaceAll(s, "\t", "  ")), " ")
	if len(s) > n {
		cut := n
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// quoteName quotes a display name for a comment.
func quoteName(s string) string { return strconv.Quote(s) }

// maxSitesListed bounds the call sites a handler's comment lists.
const maxSitesListed = 12

// siteList writes the bullet list of a handler's call sites, each with
// where it is in the export and its request.
func (g *generator) siteList(sites []agent.CallSite) string {
	var b strings.Builder
	multiFlow := len(g.a.Flows) > 1
	for i, s := range sites {
		if i == maxSitesListed {
			fmt.Fprintf(&b, "  - and %d more (cxhook check --agent testdata/agent lists the tags the agent calls)\n", len(sites)-i)
			break
		}
		line := "  - " + describeSite(s, multiFlow) + ", at " + s.Loc().String()
		if sm, ok := g.bySite[siteKey{s.Fulfillment, s.Page}]; ok {
			line += "; request testdata/requests/" + sm.Name
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

func webhookNames(ws []*agent.Webhook) string {
	names := make([]string, len(ws))
	for i, w := range ws {
		names[i] = strconv.Quote(w.DisplayName)
	}
	return andList(names)
}

func andList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	case 2:
		return items[0] + " and " + items[1]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

//go:embed templates/*.tmpl
var templateFiles embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{"comment": comment}).ParseFS(templateFiles, "templates/*.tmpl"))

// render writes the module's own files.
func (g *generator) render() ([]File, error) {
	var files []File
	add := func(path, tmpl string, data any, gofmt bool) error {
		var b bytes.Buffer
		if err := templates.ExecuteTemplate(&b, tmpl, data); err != nil {
			return fmt.Errorf("scaffold: %s: %w", path, err)
		}
		out := b.Bytes()
		if gofmt {
			var err error
			if out, err = format.Source(out); err != nil {
				return fmt.Errorf("scaffold: %s does not format (a bug in cxhook init): %w\n%s", path, err, b.Bytes())
			}
		}
		files = append(files, File{Path: path, Data: out})
		return nil
	}
	replace := g.opts.CxhookReplace
	version := g.opts.CxhookVersion
	if replace != "" {
		version = replacedVersion
	}
	err := add("go.mod", "go.mod.tmpl", map[string]any{
		"Module": g.opts.Module, "GoVersion": GoVersion, "FrameworkVersion": FrameworkVersion,
		"CxhookVersion": version, "Replace": replace,
	}, false)
	if err == nil {
		err = add(".gcloudignore", "gcloudignore.tmpl", nil, false)
	}
	if err == nil {
		err = add("function.go", "function.go.tmpl", map[string]any{
			"Package": g.pkg, "PackageDoc": g.packageDoc(), "Standard": g.std, "Flexible": g.flex,
		}, true)
	}
	if err == nil {
		err = add("cmd/local/main.go", "local.go.tmpl", map[string]any{"Module": g.opts.Module}, true)
	}
	if err == nil {
		err = add("function_test.go", "function_test.go.tmpl", map[string]any{"Package": g.pkg, "External": g.external}, true)
	}
	for _, h := range g.std {
		if err == nil {
			err = add(h.File, "standard.go.tmpl", g.standardData(h), true)
		}
	}
	for _, h := range g.flex {
		if err == nil {
			err = add(h.File, "flexible.go.tmpl", g.flexibleData(h), true)
		}
	}
	if err == nil {
		err = add("README.md", "README.md.tmpl", g.readmeData(), false)
	}
	return files, err
}

func (g *generator) agentName() string {
	if g.a.DisplayName != "" {
		return "the agent " + strconv.Quote(g.a.DisplayName)
	}
	return "the exported agent"
}

func (g *generator) packageDoc() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Package %s is the Dialogflow CX webhook of %s: a Cloud Run function (Functions Framework for Go) registered as \"Webhook\", with a handler for each tag the agent calls.",
		g.pkg, g.agentName())
	b.WriteString(" cxhook init wrote it from the agent's export, testdata/agent; a handler not written yet answers 501, which the agent sees as webhook.error.")
	return b.String()
}

func (g *generator) standardData(h *stdHandler) map[string]any {
	var doc strings.Builder
	fmt.Fprintf(&doc, "%s serves tag %s of webhook %s. The agent calls it at:\n\n", h.Func, strconv.Quote(h.Tag), webhookNames(h.webhooks))
	doc.WriteString(g.siteList(h.sites))
	type groupData struct {
		Pages  []string
		Where  string
		Todo   string
		Type   string
		Doc    string
		Fields string
	}
	var groups []groupData
	multiFlow := len(g.a.Flows) > 1
	for _, gr := range h.groups {
		// The pages of a group share their display name, which the
		// request's pageInfo carries.
		d := groupData{Type: gr.Type, Pages: []string{gr.pages[0].DisplayName}}
		where := make([]string, len(gr.pages))
		for i, p := range gr.pages {
			where[i] = "page " + strconv.Quote(p.DisplayName)
			if p.IsStart() {
				where[i] = "the start page of flow " + strconv.Quote(p.Flow.DisplayName)
			} else if multiFlow {
				where[i] += " of flow " + strconv.Quote(p.Flow.DisplayName)
			}
		}
		d.Where = andList(where)
		d.Todo = "TODO: serve the call from " + d.Where + " and return its response, as in fulfillment.Reply(\"...\").SetParam(\"...\", v)."
		if gr.Type != "" {
			var fd strings.Builder
			fmt.Fprintf(&fd, "%s holds the session parameters of the calls from %s, nil or empty while not set.", gr.Type, d.Where)
			if len(gr.flowParams) > 0 {
				fmt.Fprintf(&fd, " The form's flow parameters (%s) are not session parameters; read them from req.FormParams().", strings.Join(gr.flowParams, ", "))
			}
			d.Doc = fd.String()
			var fields strings.Builder
			for _, f := range gr.st.Fields {
				writeField(&fields, f, "\t")
			}
			d.Fields = fields.String()
		}
		groups = append(groups, d)
	}
	return map[string]any{
		"Package": g.pkg,
		"Func":    h.Func,
		"Doc":     doc.String(),
		"Switch":  len(h.groups) > 1,
		"Groups":  groups,
		"Handler": fmt.Sprintf("the handler of tag %s in %s", strconv.Quote(h.Tag), h.File),
	}
}

func (g *generator) flexibleData(h *flexHandler) map[string]any {
	var doc strings.Builder
	kind := "webhook"
	if len(h.webhooks) > 1 {
		kind = "webhooks"
	}
	if h.ByPath {
		fmt.Fprintf(&doc, "%s serves the FLEXIBLE %s %s, which the agent calls at the path %s (its request template carries no tag): point the webhook's URI at the function's URL with that path.", h.Func, kind, webhookNames(h.webhooks), strconv.Quote(h.Path))
	} else {
		fmt.Fprintf(&doc, "%s serves the FLEXIBLE %s %s, whose request template carries the tag %s.", h.Func, kind, webhookNames(h.webhooks), strconv.Quote(h.Tag))
	}
	doc.WriteString(" The agent calls it at:\n\n")
	doc.WriteString(g.siteList(h.sites))
	fmt.Fprintf(&doc, "\nDialogflow posts the body the request template renders (%s), not a WebhookRequest, and sets parameters from the answer (%s) through the parameter mapping.", h.ReqType, h.AnsType)

	needsFulfillment := false
	var reqDoc, reqFields strings.Builder
	fmt.Fprintf(&reqDoc, "%s is the body that the request template of webhook %s renders:\n\n", h.ReqType, strconv.Quote(h.webhooks[0].DisplayName))
	for i, line := range strings.Split(strings.TrimRight(h.webhooks[0].RequestBody, "\n"), "\n") {
		if i == 40 {
			reqDoc.WriteString("\t…\n")
			break
		}
		reqDoc.WriteString("\t" + clipLine(line, 100) + "\n")
	}
	if len(h.req.Fields) > 0 {
		reqDoc.WriteString("\nA parameter the session does not hold may arrive as the text of its reference, or as null: how Dialogflow renders one is not documented.")
	}
	for _, f := range h.req.Fields {
		writeField(&reqFields, f, "\t")
		needsFulfillment = needsFulfillment || strings.Contains(f.Type.src, "fulfillment.")
	}

	var ansDoc, ansFields strings.Builder
	var mapped []string
	for _, w := range h.webhooks {
		for _, kv := range w.ParameterMapping {
			mapped = append(mapped, "  - "+kv.Key+" from "+clipText(kv.Value, 120))
		}
	}
	if len(mapped) == 0 {
		fmt.Fprintf(&ansDoc, "%s is the answer. The webhook's parameter mapping reads none of its members.", h.AnsType)
	} else {
		fmt.Fprintf(&ansDoc, "%s is the answer, whose members the parameter mapping reads:\n\n%s", h.AnsType, strings.Join(mapped, "\n")+"\n")
		if len(h.ans.Complex) > 0 {
			ansDoc.WriteString("\nA path that filters, indexes or spans members stops at the last member it names plainly: set that member to what the path expects.")
		}
	}
	for _, f := range h.ans.Body.Fields {
		writeField(&ansFields, f, "\t")
	}
	what := "the flexible handler of " + h.key() + " in " + h.File
	return map[string]any{
		"Package":          g.pkg,
		"Func":             h.Func,
		"Doc":              doc.String(),
		"ReqType":          h.ReqType,
		"ReqDoc":           reqDoc.String(),
		"ReqFields":        reqFields.String(),
		"AnsType":          h.AnsType,
		"AnsDoc":           ansDoc.String(),
		"AnsFields":        ansFields.String(),
		"NeedsFulfillment": needsFulfillment,
		"Handler":          what,
	}
}

func (g *generator) readmeData() map[string]any {
	type row struct{ File, What string }
	var rows []row
	var served []*agent.Webhook
	for _, h := range g.std {
		rows = append(rows, row{h.File, "the handler of tag `" + mdCode(h.Tag) + "` (standard webhook)"})
		for _, w := range h.webhooks {
			if !slices.Contains(served, w) {
				served = append(served, w)
			}
		}
	}
	for _, h := range g.flex {
		what := "the handler of tag `" + mdCode(h.Tag) + "` (flexible webhook)"
		if h.ByPath {
			what = "the handler of path `" + mdCode(h.Path) + "` (flexible webhook)"
		}
		rows = append(rows, row{h.File, what})
		for _, w := range h.webhooks {
			if !slices.Contains(served, w) {
				served = append(served, w)
			}
		}
	}
	servedNames := "no webhook this function serves"
	if len(served) > 0 {
		servedNames = "the webhook"
		if len(served) > 1 {
			servedNames += "s"
		}
		servedNames += " " + webhookNames(served)
	}
	title := g.a.DisplayName
	if title == "" {
		title = g.opts.Module
	}
	curl := ""
	for _, s := range g.samples {
		if !s.Flexible && !slices.Contains(g.external, s.Site.Webhook.DisplayName) && s.Site.Tag != "" {
			curl = s.Name
			break
		}
	}
	return map[string]any{
		"Title":          title,
		"AgentName":      g.agentName(),
		"Handlers":       rows,
		"External":       g.external,
		"Unserved":       g.unserved,
		"Redacted":       g.redacted,
		"Replace":        g.opts.CxhookReplace,
		"CurlRequest":    curl,
		"ServedWebhooks": servedNames,
	}
}

// mdCode keeps a name inside a Markdown code span.
func mdCode(s string) string { return strings.ReplaceAll(clipText(s, 80), "`", "'") }

// comment writes text as Go line comments, wrapped: paragraphs separated
// by blank lines, list items ("  - ") with their continuation lines
// indented, and lines that start with a tab (code) as they are.
func comment(text, indent string) string {
	var b strings.Builder
	for i, para := range strings.Split(strings.TrimRight(text, "\n"), "\n\n") {
		if i > 0 {
			b.WriteString(indent + "//\n")
		}
		lines := strings.Split(para, "\n")
		var prose []string
		flush := func() {
			if len(prose) > 0 {
				for _, l := range wrap(strings.Join(prose, " "), 76-len(indent)*4) {
					b.WriteString(indent + "// " + l + "\n")
				}
				prose = nil
			}
		}
		for _, l := range lines {
			switch {
			case strings.HasPrefix(l, "\t"):
				flush()
				b.WriteString(indent + "//" + commentSafe(l) + "\n")
			case strings.HasPrefix(l, "  - "):
				flush()
				for j, w := range wrap(strings.TrimPrefix(l, "  - "), 72-len(indent)*4) {
					if j == 0 {
						b.WriteString(indent + "//   - " + w + "\n")
					} else {
						b.WriteString(indent + "//     " + w + "\n")
					}
				}
			default:
				prose = append(prose, l)
			}
		}
		flush()
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// commentSafe keeps a line of a comment one line: control characters
// become spaces.
func commentSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' && r != '\t' || r == 0x7f || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}

// wrap breaks text into lines of at most width bytes where it can (a word
// longer than that gets a line of its own).
func wrap(text string, width int) []string {
	var lines []string
	var line string
	for _, w := range strings.Fields(commentSafe(text)) {
		switch {
		case line == "":
			line = w
		case len(line)+1+len(w) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
