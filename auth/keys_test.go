package auth

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cxhook/cxhook/auth/authtest"
	"github.com/cxhook/cxhook/internal/fakeclock"
)

// fakeKeyServer is a fake transport for the certs URL that counts requests.
// It serves jwks with header, or fails while fail is set.
type fakeKeyServer struct {
	mu       sync.Mutex
	jwks     []byte
	header   http.Header
	fail     bool
	gate     chan struct{} // if not nil, requests wait for it to close
	requests atomic.Int32
}

func (k *fakeKeyServer) RoundTrip(r *http.Request) (*http.Response, error) {
	k.requests.Add(1)
	if r.URL.String() != googleCertsURL || r.Method != http.MethodGet {
		return nil, errors.New("unexpected request " + r.Method + " " + r.URL.String())
	}
	k.mu.Lock()
	gate, fail, jwks, header := k.gate, k.fail, k.jwks, k.header.Clone()
	k.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	}
	if fail {
		return nil, errors.New("dial tcp: connection refused")
	}
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{StatusCode: http.StatusOK, Header: header, Body: io.NopCloser(bytes.NewReader(jwks)), Request: r}, nil
}

func (k *fakeKeyServer) set(f func(k *fakeKeyServer)) {
	k.mu.Lock()
	f(k)
	k.mu.Unlock()
}

// jwksOf merges the key sets of issuers.
func jwksOf(t testing.TB, issuers ...*authtest.Issuer) []byte {
	t.Helper()
	var all []json.RawMessage
	for _, iss := range issuers {
		var set struct{ Keys []json.RawMessage }
		if err := json.Unmarshal(iss.JWKS(), &set); err != nil {
			t.Fatal(err)
		}
		all = append(all, set.Keys...)
	}
	b, err := json.Marshal(map[string]any{"keys": all})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newTestKeySet(srv *fakeKeyServer, clock *fakeclock.Clock) *keySet {
	return newKeySet(googleCertsURL, &http.Client{Transport: srv}, clock.Now)
}

func TestCacheTTL(t *testing.T) {
	t.Parallel()
	cases := []struct {
		cc, age string
		want    time.Duration
	}{
		{"", "", time.Hour},
		{"no-cache", "", time.Hour},
		{"public, max-age=19793, must-revalidate, no-transform", "", 19793 * time.Second},
		{"public, max-age=3600", "3000", 10 * time.Minute},
		{"MAX-AGE=600", "", 10 * time.Minute},
		{"max-age=10", "", time.Minute},
		{"max-age=600", "590", time.Minute},
		{"max-age=600", "9999", time.Minute},
		{"max-age=600", "junk", 10 * time.Minute},
		{"max-age=999999", "", 24 * time.Hour},
		{"max-age=99999999999999999", "", 24 * time.Hour},
		{"max-age=-5", "", time.Hour},
		{"max-age=abc", "", time.Hour},
	}
	for _, c := range cases {
		h := http.Header{}
		if c.cc != "" {
			h.Set("Cache-Control", c.cc)
		}
		if c.age != "" {
			h.Set("Age", c.age)
		}
		if got := cacheTTL(h); got != c.want {
			t.Errorf("Cache-Control %q, Age %q: ttl %v, want %v", c.cc, c.age, got, c.want)
		}
	}
}

func TestKeySetHonoursMaxAge(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	srv := &fakeKeyServer{jwks: iss.JWKS(), header: http.Header{"Cache-Control": {"public, max-age=600"}, "Age": {"100"}}}
	clock := fakeclock.New(time.Unix(1_800_000_000, 0))
	ks := newTestKeySet(srv, clock)
	for i, step := range []struct {
		advance  time.Duration
		requests int32
	}{
		{0, 1},
		{time.Minute, 1},
		{500*time.Second - time.Minute - time.Second, 1}, // 499 s after the fetch
		{time.Second, 2}, // 500 s: max-age 600 minus Age 100
		{499 * time.Second, 2},
		{time.Second, 3},
	} {
		clock.Advance(step.advance)
		if _, err := ks.key(t.Context(), iss.KeyID()); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := srv.requests.Load(); got != step.requests {
			t.Fatalf("step %d: %d requests, want %d", i, got, step.requests)
		}
	}
}

func TestUnknownKidRefetchIsRateLimited(t *testing.T) {
	t.Parallel()
	iss, rotated := authtest.NewIssuer(t), authtest.NewIssuer(t)
	srv := &fakeKeyServer{jwks: iss.JWKS()}
	clock := fakeclock.New(time.Unix(1_800_000_000, 0))
	ks := newTestKeySet(srv, clock)
	if _, err := ks.key(t.Context(), iss.KeyID()); err != nil {
		t.Fatal(err)
	}
	// Right after a fetch, an unknown kid does not cause another.
	if _, err := ks.key(t.Context(), "random-1"); !errors.Is(err, errUnknownKey) {
		t.Fatalf("err = %v, want errUnknownKey", err)
	}
	if got := srv.requests.Load(); got != 1 {
		t.Fatalf("%d requests, want 1", got)
	}
	// Google rotates: the new kid causes one refetch and is found.
	srv.set(func(k *fakeKeyServer) { k.jwks = jwksOf(t, iss, rotated) })
	clock.Advance(keySetRefetchInterval)
	if _, err := ks.key(t.Context(), rotated.KeyID()); err != nil {
		t.Fatalf("rotated key: %v", err)
	}
	if got := srv.requests.Load(); got != 2 {
		t.Fatalf("%d requests, want 2", got)
	}
	// A flood of random kids within the interval fetches nothing.
	for i := range 100 {
		clock.Advance(keySetRefetchInterval / 200)
		if _, err := ks.key(t.Context(), "random-"+string(rune('a'+i%26))); !errors.Is(err, errUnknownKey) {
			t.Fatalf("err = %v, want errUnknownKey", err)
		}
	}
	if got := srv.requests.Load(); got != 2 {
		t.Fatalf("%d requests after a flood of unknown kids, want 2", got)
	}
	// Once the interval has passed, one more refetch, then quiet again.
	clock.Advance(keySetRefetchInterval / 2)
	for range 10 {
		if _, err := ks.key(t.Context(), "random-z"); !errors.Is(err, errUnknownKey) {
			t.Fatalf("err = %v, want errUnknownKey", err)
		}
	}
	if got := srv.requests.Load(); got != 3 {
		t.Fatalf("%d requests, want 3", got)
	}
}

func TestConcurrentFirstLookupsShareOneFetch(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	gate := make(chan struct{})
	srv := &fakeKeyServer{jwks: iss.JWKS(), gate: gate}
	allow, err := NewAllowList([]string{"123456789012"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	const aud = "https://webhook-abc123-ew.a.run.app"
	v, err := NewIDTokenVerifier([]string{aud}, allow, WithHTTPClient(&http.Client{Transport: srv}), WithClock(time.Now))
	if err != nil {
		t.Fatal(err)
	}
	tok := iss.Token(t, authtest.ServiceAgentClaims("123456789012", aud))
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, err := v.Verify(t.Context(), http.Header{"Authorization": {"Bearer " + tok}})
			errs <- err
		})
	}
	// Let the fetch start, and most lookups join it, before it answers.
	for srv.requests.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	close(gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.requests.Load(); got != 1 {
		t.Fatalf("%d concurrent verifications made %d requests, want 1", n, got)
	}
}

func TestFailedRefreshKeepsValidCache(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	srv := &fakeKeyServer{jwks: iss.JWKS(), header: http.Header{"Cache-Control": {"max-age=3600"}}}
	clock := fakeclock.New(time.Unix(1_800_000_000, 0))
	ks := newTestKeySet(srv, clock)
	if _, err := ks.key(t.Context(), iss.KeyID()); err != nil {
		t.Fatal(err)
	}
	srv.set(func(k *fakeKeyServer) { k.fail = true })
	clock.Advance(time.Minute)
	// The refresh an unknown kid causes fails: the kid is still unknown,
	// not a reason to answer 503, and the cached key still works.
	if _, err := ks.key(t.Context(), "no-such-key"); !errors.Is(err, errUnknownKey) {
		t.Fatalf("unknown kid: err = %v, want errUnknownKey", err)
	}
	if got := srv.requests.Load(); got != 2 {
		t.Fatalf("%d requests, want 2", got)
	}
	if _, err := ks.key(t.Context(), iss.KeyID()); err != nil {
		t.Fatalf("cached key after a failed refresh: %v", err)
	}
	// Once the cache expires, a failed fetch means keys are unavailable.
	clock.Advance(time.Hour)
	if _, err := ks.key(t.Context(), iss.KeyID()); !errors.Is(err, errKeySetUnavailable) {
		t.Fatalf("expired cache: err = %v, want errKeySetUnavailable", err)
	}
	// And the next successful fetch, a retry interval later, serves again.
	srv.set(func(k *fakeKeyServer) { k.fail = false })
	clock.Advance(keySetRetryInterval)
	if _, err := ks.key(t.Context(), iss.KeyID()); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
}

// While the keys cannot be had, calls fail at once rather than each
// starting a fetch: one fetch per retry interval reaches the server.
func TestUnreachableKeysAreRetriedAtMostOncePerInterval(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	srv := &fakeKeyServer{jwks: iss.JWKS(), fail: true}
	clock := fakeclock.New(time.Unix(1_800_000_000, 0))
	ks := newTestKeySet(srv, clock)
	for i := range 50 {
		if _, err := ks.key(t.Context(), iss.KeyID()); !errors.Is(err, errKeySetUnavailable) {
			t.Fatalf("lookup %d: err = %v, want errKeySetUnavailable", i, err)
		}
		clock.Advance(keySetRetryInterval / 100)
	}
	if got := srv.requests.Load(); got != 1 {
		t.Fatalf("%d fetches within the retry interval, want 1", got)
	}
	clock.Advance(keySetRetryInterval / 2)
	if _, err := ks.key(t.Context(), iss.KeyID()); !errors.Is(err, errKeySetUnavailable) {
		t.Fatalf("after the interval: err = %v", err)
	}
	if got := srv.requests.Load(); got != 2 {
		t.Fatalf("%d fetches after the interval, want 2", got)
	}
	srv.set(func(k *fakeKeyServer) { k.fail = false })
	clock.Advance(keySetRetryInterval)
	if _, err := ks.key(t.Context(), iss.KeyID()); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
}

func TestKeyWaitIsBoundedByContext(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	gate := make(chan struct{})
	defer close(gate)
	srv := &fakeKeyServer{jwks: iss.JWKS(), gate: gate}
	ks := newTestKeySet(srv, fakeclock.New(time.Unix(1_800_000_000, 0)))
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if _, err := ks.key(ctx, iss.KeyID()); !errors.Is(err, errKeySetUnavailable) {
		t.Fatalf("err = %v, want errKeySetUnavailable", err)
	}
}

// TestUnreachableKeyServerIs503 goes through a real, closed TCP port.
func TestUnreachableKeyServerIs503(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/oauth2/v3/certs"
	srv.Close()
	iss := authtest.NewIssuer(t)
	const aud = "https://webhook-abc123-ew.a.run.app"
	allow, err := NewAllowList([]string{"123456789012"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewIDTokenVerifier([]string{aud}, allow, withCertsURL(url))
	if err != nil {
		t.Fatal(err)
	}
	h := Require(v, WithLogger(slog.New(slog.DiscardHandler)))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("handler reached")
	}))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	req.Header.Set("Authorization", "Bearer "+iss.Token(t, authtest.ServiceAgentClaims("123456789012", aud)))
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"code":"unavailable"`) {
		t.Fatalf("got %d %s, want 503 unavailable", rec.Code, rec.Body)
	}
}

func TestUnfitKeysAreIgnored(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	var good map[string]any
	{
		var set struct{ Keys []map[string]any }
		if err := json.Unmarshal(iss.JWKS(), &set); err != nil {
			t.Fatal(err)
		}
		good = set.Keys[0]
	}
	with := func(name string, value any) map[string]any {
		k := map[string]any{}
		for n, v := range good {
			k[n] = v
		}
		k["kid"] = name
		if value == nil {
			return k
		}
		for n, v := range value.(map[string]any) {
			if v == nil {
				delete(k, n)
			} else {
				k[n] = v
			}
		}
		return k
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	e := func(n int64) string { return enc(big.NewInt(n).Bytes()) }
	unfit := []map[string]any{
		with("ec", map[string]any{"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA", "n": nil, "e": nil}),
		with("oct", map[string]any{"kty": "oct", "k": "c2VjcmV0"}),
		with("1024-bit", map[string]any{"n": enc(small.N.Bytes())}),
		with("e=1", map[string]any{"e": e(1)}),
		with("e=2", map[string]any{"e": e(2)}),
		with("e even", map[string]any{"e": e(65536)}),
		with("e too big", map[string]any{"e": enc([]byte{1, 0, 0, 0, 1})}),
		with("RS512", map[string]any{"alg": "RS512"}),
		with("enc", map[string]any{"use": "enc"}),
		with("bad n", map[string]any{"n": "!!!"}),
		with("no n", map[string]any{"n": nil}),
		with("no e", map[string]any{"e": nil}),
		with("", nil), // no kid
	}
	body, err := json.Marshal(map[string]any{"keys": unfit})
	if err != nil {
		t.Fatal(err)
	}
	if keys, err := parseKeySet(body); err == nil {
		t.Fatalf("a set of unfit keys parsed: %v", keys)
	}
	body, err = json.Marshal(map[string]any{"keys": append(unfit, with("good", nil), with("good, no alg or use", map[string]any{"alg": nil, "use": nil}))})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := parseKeySet(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys["good"] == nil || keys["good, no alg or use"] == nil {
		t.Fatalf("kept %d keys: %v", len(keys), keys)
	}
	for _, bad := range []string{``, `null`, `[]`, `{"keys":{}}`, `{"keys":[]}`, `{"keys":[1,"x",null]}`} {
		if _, err := parseKeySet([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}

	// A key set whose only key is too small is no key set: 503, not a
	// token signed with that key accepted.
	smallSet, _ := json.Marshal(map[string]any{"keys": []any{with(iss.KeyID(), map[string]any{"n": enc(small.N.Bytes())})}})
	srv := &fakeKeyServer{jwks: smallSet}
	ks := newTestKeySet(srv, fakeclock.New(time.Unix(1_800_000_000, 0)))
	if _, err := ks.key(t.Context(), iss.KeyID()); !errors.Is(err, errKeySetUnavailable) {
		t.Fatalf("small-key set: err = %v, want errKeySetUnavailable", err)
	}
}
