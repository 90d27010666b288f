package setup_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cxhook/cxhook/internal/fakegcp"
	"github.com/cxhook/cxhook/setup"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/option"
	run "google.golang.org/api/run/v2"
)

// runStore returns the policy store of the fake's Run service, reached
// through the generated client with its production endpoint.
func runStore(t *testing.T, f *fakegcp.Fake) setup.PolicyStore {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	svc, err := run.NewService(context.Background(), option.WithHTTPClient(fakegcp.Client(srv.URL)))
	if err != nil {
		t.Fatal(err)
	}
	return setup.RunServicePolicy(svc, runService)
}

// othersPolicy is a policy with bindings that grants must leave alone: a
// conditional invoker binding, another role, and version 3.
var othersPolicy = []map[string]any{
	{"role": "roles/run.admin", "members": []any{"user:owner@example.com"}},
	{
		"role":    "roles/run.invoker",
		"members": []any{"user:temp@example.com", agentMember},
		"condition": map[string]any{
			"title":      "until-2030",
			"expression": `request.time < timestamp("2030-01-01T00:00:00Z")`,
		},
	},
}

// barrierStore holds every Policy read until n readers have read, so that
// n concurrent read-modify-writes all start from the same etag and all but
// one of their first writes conflict.
type barrierStore struct {
	setup.PolicyStore
	once    sync.Map // goroutine key → struct{}; the first read of each waits
	arrived sync.WaitGroup
}

func (b *barrierStore) Policy(ctx context.Context) (*setup.Policy, error) {
	p, err := b.PolicyStore.Policy(ctx)
	if key, _ := ctx.Value(readerKey{}).(int); key > 0 {
		if _, loaded := b.once.LoadOrStore(key, struct{}{}); !loaded {
			b.arrived.Done()
			b.arrived.Wait()
		}
	}
	return p, err
}

type readerKey struct{}

func TestGrantTenConcurrentMembersLosesNone(t *testing.T) {
	t.Parallel()
	cfg := crossProject(t)
	f := newWorld(t, cfg)
	f.SetPolicy(runService, 3, othersPolicy...)
	store := &barrierStore{PolicyStore: runStore(t, f)}
	const n = 10
	store.arrived.Add(n)

	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.WithValue(context.Background(), readerKey{}, i+1)
			member := fmt.Sprintf("serviceAccount:service-%d@gcp-sa-dialogflow.iam.gserviceaccount.com", 1000+i)
			// Real backoff with jitter, scaled down: the writers must spread out.
			backoff := func(retry int) time.Duration { return setup.DefaultBackoff(retry) / 20 }
			_, _, errs[i] = setup.Grant(ctx, store, "roles/run.invoker", []string{member}, backoff)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("grant %d: %v", i, err)
		}
	}

	var conflicts int
	for _, r := range f.Requests() {
		if strings.HasSuffix(r.Path, ":setIamPolicy") {
			conflicts++
		}
	}
	conflicts -= n
	if conflicts < n-1 {
		t.Errorf("%d conflicting writes, want at least %d: the test did not race", conflicts, n-1)
	}
	if got := f.PolicyWrites(runService); got != n {
		t.Errorf("%d successful writes, want %d", got, n)
	}
	p := f.Policy(runService)
	if p["version"] != 3 {
		t.Errorf("version = %v, want 3 kept", p["version"])
	}
	bindings := p["bindings"].([]any)
	if diff := cmp.Diff(othersPolicy[0], bindings[0]); diff != "" {
		t.Errorf("other role's binding changed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(othersPolicy[1], bindings[1]); diff != "" {
		t.Errorf("conditional binding changed (-want +got):\n%s", diff)
	}
	if len(bindings) != 3 {
		t.Fatalf("%d bindings, want 3: %v", len(bindings), bindings)
	}
	var members []string
	for _, m := range bindings[2].(map[string]any)["members"].([]any) {
		members = append(members, m.(string))
	}
	sort.Strings(members)
	var want []string
	for i := range n {
		want = append(want, fmt.Sprintf("serviceAccount:service-%d@gcp-sa-dialogflow.iam.gserviceaccount.com", 1000+i))
	}
	if diff := cmp.Diff(want, members); diff != "" {
		t.Errorf("unconditional invokers (-want +got):\n%s", diff)
	}
	t.Logf("%d conflicts resolved by retries", conflicts)
}

func TestGrantRetriesAfterConflict(t *testing.T) {
	t.Parallel()
	cfg := crossProject(t)
	f := newWorld(t, cfg)
	f.SetPolicy(runService, 3, othersPolicy...)
	f.ConcurrentChange(runService, 1) // someone else writes just before our first write
	store := runStore(t, f)

	p, wrote, err := setup.Grant(context.Background(), store, "roles/run.invoker", []string{agentMember}, func(int) time.Duration { return 0 })
	if err != nil {
		t.Fatal(err)
	}

	if !wrote {
		t.Error("Grant reports no write")
	}
	want := strings.Join([]string{
		"GET run /v2/projects/fn-proj/locations/us-central1/services/cxhook:getIamPolicy?options.requestedPolicyVersion=3",
		"POST run /v2/projects/fn-proj/locations/us-central1/services/cxhook:setIamPolicy", // 409 ABORTED
		"GET run /v2/projects/fn-proj/locations/us-central1/services/cxhook:getIamPolicy?options.requestedPolicyVersion=3",
		"POST run /v2/projects/fn-proj/locations/us-central1/services/cxhook:setIamPolicy",
	}, "\n")
	if diff := cmp.Diff(want, requests(f)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	got := f.Policy(runService)
	bindings := got["bindings"].([]any)
	if len(bindings) != 4 {
		t.Fatalf("bindings = %v, want the two old ones, the other writer's and ours", bindings)
	}
	if role := bindings[2].(map[string]any)["role"]; role != "roles/viewer" {
		t.Errorf("the other writer's binding was lost: %v", bindings)
	}
	wantOurs := map[string]any{"role": "roles/run.invoker", "members": []any{agentMember}}
	if diff := cmp.Diff(wantOurs, bindings[3]); diff != "" {
		t.Errorf("our binding (-want +got):\n%s", diff)
	}
	if got["version"] != 3 || p.Version != 3 {
		t.Errorf("version = %v (returned %d), want 3", got["version"], p.Version)
	}
}

func TestGrantWritesNothingWhenGranted(t *testing.T) {
	t.Parallel()
	cfg := crossProject(t)
	f := newWorld(t, cfg)
	f.SetPolicy(runService, 1, map[string]any{"role": "roles/run.invoker", "members": []any{"user:a@example.com", agentMember}})
	store := runStore(t, f)

	_, wrote, err := setup.Grant(context.Background(), store, "roles/run.invoker", []string{agentMember}, nil)
	if err != nil {
		t.Fatal(err)
	}

	if wrote || f.PolicyWrites(runService) != 0 {
		t.Errorf("Grant wrote the policy (wrote=%v, writes=%d), want no write", wrote, f.PolicyWrites(runService))
	}
}

func TestGrantGivesUpOnOtherErrors(t *testing.T) {
	t.Parallel()
	cfg := crossProject(t)
	f := newWorld(t, cfg)
	f.Deny("run.services.setIamPolicy")
	store := runStore(t, f)

	_, _, err := setup.Grant(context.Background(), store, "roles/run.invoker", []string{agentMember}, func(int) time.Duration { return 0 })

	if err == nil || !strings.Contains(err.Error(), "permission run.services.setIamPolicy denied") {
		t.Errorf("Grant() = %v, want the permission error", err)
	}
	if n := strings.Count(requests(f), ":setIamPolicy"); n != 1 {
		t.Errorf("%d writes attempted, want 1: a permission error is not retried", n)
	}
}
