package auth

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// googleCertsURL is where Google publishes the RS256 keys that sign its ID
// tokens, as a JSON Web Key Set.
const googleCertsURL = "https://www.googleapis.com/oauth2/v3/certs"

// Key set caching policy.
const (
	// keySetDefaultTTL is how long a key set is kept when its answer has
	// no usable Cache-Control max-age.
	keySetDefaultTTL = time.Hour
	// keySetMinTTL and keySetMaxTTL bound the lifetime max-age (minus Age)
	// gives a key set.
	keySetMinTTL = time.Minute
	keySetMaxTTL = 24 * time.Hour
	// keySetRefetchInterval is the least time between two fetches caused
	// by unknown key ids while the cached set is still valid, so that
	// tokens with random kids cannot make us hammer Google.
	keySetRefetchInterval = 30 * time.Second
	// keySetFetchTimeout bounds one fetch, whatever the client's timeout
	// and the context of the request that started it.
	keySetFetchTimeout = 10 * time.Second
	// keySetRetryInterval is the least time between two fetches while no
	// valid key set is cached and the last fetch failed: calls in between
	// fail at once (503) instead of each starting a fetch of its own.
	keySetRetryInterval = time.Second
	// maxKeySetBytes caps the key set answer; Google's is about 1 KiB.
	maxKeySetBytes = 1 << 20
	// Key sizes accepted. Google signs with 2048-bit keys; the upper
	// bound keeps a hostile key set from making every verification slow.
	minRSABits = 2048
	maxRSABits = 8192
)

// errKeySetUnavailable marks failures to fetch Google's keys; the verifier
// maps them to ErrUnavailable.
var errKeySetUnavailable = errors.New("cannot fetch Google's signing keys")

// errUnknownKey is a kid that is not in a valid, fresh enough key set.
var errUnknownKey = errors.New("key id is not among Google's current signing keys")

// keySet fetches and caches Google's signing keys. Concurrent lookups that
// need a fetch share one; a failed fetch leaves a still-valid cached set in
// place. It is safe for concurrent use.
type keySet struct {
	url    string
	client *http.Client
	now    func() time.Time

	mu        sync.Mutex
	keys      map[string]*rsa.PublicKey // nil until the first successful fetch
	expires   time.Time                 // keys are valid before this
	lastFetch time.Time                 // start of the last fetch, successful or not
	lastErr   error                     // the last fetch's error; nil after a success
	inflight  *keyFetch                 // the fetch under way, if any
}

// keyFetch is one fetch that lookups can wait for.
type keyFetch struct {
	done chan struct{}
	err  error // set before done is closed
}

func newKeySet(url string, client *http.Client, now func() time.Time) *keySet {
	return &keySet{url: url, client: client, now: now}
}

// key returns the public key with the given kid. It fetches the key set if
// none is cached, if the cached one expired, or if kid is not in it and no
// fetch started in the last keySetRefetchInterval; but without a valid key
// set, not again within keySetRetryInterval of a failed fetch. ctx bounds the wait for
// a fetch. Errors wrap errKeySetUnavailable (no valid key set could be had,
// or ctx ended first) or are errUnknownKey.
func (s *keySet) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	s.mu.Lock()
	now := s.now()
	if s.valid(now) {
		if k, ok := s.keys[kid]; ok {
			s.mu.Unlock()
			return k, nil
		}
		if s.inflight == nil && now.Sub(s.lastFetch) < keySetRefetchInterval {
			s.mu.Unlock()
			return nil, errUnknownKey
		}
	}
	f := s.inflight
	if f == nil && s.lastErr != nil && now.Sub(s.lastFetch) < keySetRetryInterval {
		err := s.lastErr // the keys are unreachable: do not hammer the server
		s.mu.Unlock()
		return nil, err
	}
	if f == nil {
		f = &keyFetch{done: make(chan struct{})}
		s.inflight = f
		s.lastFetch = now
		// The fetch outlives this request if it must: others may wait for
		// it. Its own timeout bounds it.
		go s.fetch(context.WithoutCancel(ctx), f)
	}
	s.mu.Unlock()

	select {
	case <-f.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %w", errKeySetUnavailable, ctx.Err())
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.valid(s.now()) {
		if f.err != nil {
			return nil, f.err
		}
		return nil, fmt.Errorf("%w: the key set expired as soon as it was fetched", errKeySetUnavailable)
	}
	if k, ok := s.keys[kid]; ok {
		return k, nil
	}
	return nil, errUnknownKey
}

// valid reports whether a key set is cached and unexpired at now. s.mu is
// held.
func (s *keySet) valid(now time.Time) bool {
	return s.keys != nil && now.Before(s.expires)
}

// fetch runs f: it gets the key set and, if it is usable, replaces the
// cached one.
func (s *keySet) fetch(ctx context.Context, f *keyFetch) {
	ctx, cancel := context.WithTimeout(ctx, keySetFetchTimeout)
	defer cancel()
	keys, ttl, err := s.get(ctx)

	s.mu.Lock()
	if err == nil {
		s.keys = keys
		s.expires = s.now().Add(ttl)
	} else {
		f.err = fmt.Errorf("%w: %w", errKeySetUnavailable, err)
	}
	s.lastErr = f.err
	s.inflight = nil
	s.mu.Unlock()
	close(f.done)
}

// get fetches and decodes the key set, and returns how long to keep it.
func (s *keySet) get(ctx context.Context) (map[string]*rsa.PublicKey, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, 0, fmt.Errorf("status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxKeySetBytes+1))
	if err != nil {
		return nil, 0, err
	}
	if len(body) > maxKeySetBytes {
		return nil, 0, errors.New("key set exceeds 1 MiB")
	}
	keys, err := parseKeySet(body)
	if err != nil {
		return nil, 0, err
	}
	return keys, cacheTTL(resp.Header), nil
}

// jwk is the part of a JSON Web Key that an RS256 key needs.
type jwk struct {
	Kty string `json:"kty"`
	Alg string `json:"alg"`
	Use string `json:"use"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// parseKeySet decodes a JWKS and keeps the keys fit for RS256 signature
// checks, skipping the rest. A set without any such key is an error.
func parseKeySet(body []byte) (map[string]*rsa.PublicKey, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, errors.New("key set is not a JSON Web Key Set")
	}
	keys := make(map[string]*rsa.PublicKey, len(set.Keys))
	for _, raw := range set.Keys {
		var k jwk
		if json.Unmarshal(raw, &k) != nil {
			continue
		}
		pub, ok := rsaKey(k)
		if !ok {
			continue
		}
		if _, dup := keys[k.Kid]; dup {
			continue // the first key with a kid wins
		}
		keys[k.Kid] = pub
	}
	if len(keys) == 0 {
		return nil, errors.New("key set has no usable RS256 key")
	}
	return keys, nil
}

// rsaKey returns the RSA public key of k if k is an RS256 signing key with
// a kid, a modulus of minRSABits to maxRSABits and an odd exponent of at
// least 3 that fits in an int32.
func rsaKey(k jwk) (*rsa.PublicKey, bool) {
	if k.Kty != "RSA" || k.Kid == "" ||
		k.Alg != "" && k.Alg != "RS256" || k.Use != "" && k.Use != "sig" {
		return nil, false
	}
	nb, err := base64.RawURLEncoding.DecodeString(k.N)
	if err != nil {
		return nil, false
	}
	eb, err := base64.RawURLEncoding.DecodeString(k.E)
	if err != nil || len(eb) == 0 || len(eb) > 4 {
		return nil, false
	}
	n := new(big.Int).SetBytes(nb)
	if bits := n.BitLen(); bits < minRSABits || bits > maxRSABits {
		return nil, false
	}
	e := new(big.Int).SetBytes(eb).Int64()
	if e < 3 || e%2 == 0 || e > 1<<31-1 {
		return nil, false
	}
	return &rsa.PublicKey{N: n, E: int(e)}, true
}

// cacheTTL is how long the answer with header h may be cached: its
// Cache-Control max-age minus its Age, within [keySetMinTTL, keySetMaxTTL],
// or keySetDefaultTTL without a max-age.
func cacheTTL(h http.Header) time.Duration {
	maxAge := -1
	for _, v := range h.Values("Cache-Control") {
		for d := range strings.SplitSeq(v, ",") {
			name, val, ok := strings.Cut(strings.TrimSpace(d), "=")
			if !ok || !strings.EqualFold(name, "max-age") {
				continue
			}
			if n, err := strconv.Atoi(strings.Trim(val, `"`)); err == nil && n >= 0 {
				maxAge = n
			}
		}
	}
	if maxAge < 0 {
		return keySetDefaultTTL
	}
	secs := maxAge
	if age, err := strconv.Atoi(strings.TrimSpace(h.Get("Age"))); err == nil && age > 0 {
		secs -= age
	}
	// Clamp in seconds first: a huge max-age must not overflow a Duration.
	secs = min(max(secs, int(keySetMinTTL/time.Second)), int(keySetMaxTTL/time.Second))
	return time.Duration(secs) * time.Second
}
