package fulfillment

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
)

// manyParams is a request whose session parameters are n members, with
// every JSON kind among them.
func manyParams(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"sessionInfo":{"parameters":{`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, `"p%d":"v%d"`, i, i)
		case 1:
			fmt.Fprintf(&b, `"p%d":%d`, i, i)
		case 2:
			fmt.Fprintf(&b, `"p%d":null`, i)
		case 3:
			fmt.Fprintf(&b, `"p\u0025%d":[%d]`, i, i) // an escaped name: p%N
		}
	}
	b.WriteString(`}}}`)
	return []byte(b.String())
}

// Lookups through the index answer exactly what scans answer: absent,
// null, wrong type, escaped names, and a name sent twice.
func TestParamIndexAnswersAsScans(t *testing.T) {
	req, err := DecodeRequest(manyParams(200))
	if err != nil {
		t.Fatal(err)
	}
	p := req.Params()
	type answer struct {
		s   string
		n   int64
		has bool
		err string
	}
	ask := func(name string) answer {
		s, err1 := p.String(name)
		n, err2 := p.Int(name)
		return answer{s, n, p.Has(name), fmt.Sprint(err1, errors.Is(err1, ErrAbsent), errors.Is(err1, ErrNull), errors.Is(err1, ErrWrongType), err2)}
	}
	var names []string
	for i := range 200 {
		names = append(names, fmt.Sprintf("p%d", i), fmt.Sprintf("p%%%d", i))
	}
	names = append(names, "missing", "", `p\u00250`)
	if p.Has("p0"); p.idx.built.Load() != nil {
		t.Fatal("indexed after one lookup near the start")
	}
	var scanned []answer
	for _, n := range names[:3] {
		scanned = append(scanned, ask(n))
	}
	fresh := Params{raw: p.raw} // no index: every lookup scans
	for i, n := range names {
		want := answer{}
		if i < 3 {
			want = scanned[i]
		} else {
			s, err1 := fresh.String(n)
			v, err2 := fresh.Int(n)
			want = answer{s, v, fresh.Has(n), fmt.Sprint(err1, errors.Is(err1, ErrAbsent), errors.Is(err1, ErrNull), errors.Is(err1, ErrWrongType), err2)}
		}
		if got := ask(n); got != want {
			t.Errorf("%q: indexed %+v, scanned %+v", n, got, want)
		}
	}
	if p.idx.built.Load() == nil || p.Len() != 200 {
		t.Errorf("built %v, Len %d: want the index and 200", p.idx.built.Load() != nil, p.Len())
	}

	// A name sent twice (the decoder refuses such a request; a hand-built
	// value may hold one): the first value, and nothing after the second.
	dup := Params{raw: jsontext.Value(`{"a":1,"b":2,"a":3,"c":4}`)}.withIndex()
	for round := range 2 {
		for range 8 { // enough to build the index in the second round
			dup.Has("zz")
		}
		if a, err := dup.Int("a"); a != 1 || err != nil || dup.Has("c") || dup.Len() != 2 {
			t.Errorf("round %d: a = %d, %v; has c: %v; Len %d; want 1, no c, 2", round, a, err, dup.Has("c"), dup.Len())
		}
	}
	if dup.idx.built.Load() == nil {
		t.Error("not indexed")
	}
}

// All yields every parameter once, in order, names unescaped, and stops
// when asked to.
func TestParamsAll(t *testing.T) {
	req, err := DecodeRequest(manyParams(8))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for name, v := range req.Params().All() {
		got = append(got, name+"="+v.Kind())
	}
	want := "p0=string p1=number p2=null p%3=list p4=string p5=number p6=null p%7=list"
	if strings.Join(got, " ") != want {
		t.Errorf("All: %s\nwant %s", strings.Join(got, " "), want)
	}
	n := 0
	for range req.Params().All() {
		if n++; n == 3 {
			break
		}
	}
	for range (Params{}).All() {
		t.Error("the empty Params yielded")
	}
}

// BenchmarkParamsByName reads all of 10,000 parameters: by name, each
// after the names (it took 7.7 s before the index, a scan per name), and
// through All.
func BenchmarkParamsByName(b *testing.B) {
	doc := manyParams(10000)
	req, err := DecodeRequest(doc)
	if err != nil {
		b.Fatal(err)
	}
	raw := req.Params().raw
	b.Run("Names then Get", func(b *testing.B) {
		for b.Loop() {
			p := Params{raw: raw}.withIndex() // a fresh index each time
			for _, n := range p.Names() {
				if p.Get(n).IsAbsent() {
					b.Fatal(n)
				}
			}
		}
	})
	b.Run("All", func(b *testing.B) {
		for b.Loop() {
			for _, v := range (Params{raw: raw}).All() {
				if v.IsAbsent() {
					b.Fatal("absent")
				}
			}
		}
	})
}

// Lookups from many goroutines while the index is built, for the race
// detector: every one finds its parameter.
func TestParamIndexConcurrent(t *testing.T) {
	req, err := DecodeRequest(manyParams(400))
	if err != nil {
		t.Fatal(err)
	}
	p := req.Params()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := g; i < 400; i += 8 {
				name := fmt.Sprintf("p%d", i)
				if i%4 == 3 {
					name = fmt.Sprintf("p%%%d", i)
				}
				if !p.Has(name) {
					t.Errorf("%s not found", name)
				}
			}
		})
	}
	wg.Wait()
}
