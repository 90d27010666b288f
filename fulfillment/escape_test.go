package fulfillment_test

import (
	"testing"

	"github.com/cxhook/cxhook/fulfillment"
)

func TestEscapedNames(t *testing.T) {
	r, err := fulfillment.DecodeRequest([]byte(`{"sessionInfo":{"parameters":{"a\u0062":1,"c\"d":2,"plain":3}}}`))
	if err != nil {
		t.Fatal(err)
	}
	p := r.Params()
	for name, want := range map[string]int64{"ab": 1, `c"d`: 2, "plain": 3} {
		if n, err := p.Int(name); err != nil || n != want {
			t.Errorf("%q: %d, %v", name, n, err)
		}
	}
	if got := p.Names(); len(got) != 3 || got[0] != "ab" || got[1] != `c"d` {
		t.Errorf("names %q", got)
	}
	if p.Has("a\\u0062") || p.Len() != 3 {
		t.Error("raw escape matched, or Len wrong")
	}
}
