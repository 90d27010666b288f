package fulfillment_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/cxhook/cxhook/fulfillment"
	"github.com/go-json-experiment/json/jsontext"
)

// Session parameters go out in the order first set, each once, with the
// last value set; below and above the size at which the response starts to
// index them.
func TestResponseParamOrder(t *testing.T) {
	for _, n := range []int{1, 3, 15, 16, 17, 40} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			resp := fulfillment.NewResponse()
			want := make([]string, n) // the expected JSON value of each, in order
			for i := range n {
				resp.SetParam(fmt.Sprintf("p%d", i), i)
				want[i] = fmt.Sprint(i)
			}
			for i := n - 1; i >= 0; i -= 3 { // overwrite, from the back
				resp.SetParam(fmt.Sprintf("p%d", i), fmt.Sprintf("v%d", i))
				want[i] = fmt.Sprintf("%q", fmt.Sprintf("v%d", i))
			}
			for i := 0; i < n; i += 5 {
				resp.DeleteParam(fmt.Sprintf("p%d", i))
				want[i] = "null"
			}
			body, err := fulfillment.EncodeResponse(resp)
			if err != nil {
				t.Fatal(err)
			}
			dec := jsontext.NewDecoder(bytes.NewReader(body))
			for _, want := range []string{"{", "sessionInfo", "{", "parameters", "{"} {
				tok, err := dec.ReadToken()
				if err != nil {
					t.Fatal(err)
				}
				if got := tok.String(); tok.Kind() == '{' && want != "{" || tok.Kind() == '"' && got != want {
					t.Fatalf("token %s, want %s in %s", got, want, body)
				}
			}
			for i := range n {
				tok, err := dec.ReadToken()
				if err != nil {
					t.Fatal(err)
				}
				name := tok.String()
				v, err := dec.ReadValue()
				if err != nil {
					t.Fatal(err)
				}
				if name != fmt.Sprintf("p%d", i) || string(v) != want[i] {
					t.Errorf("member %d = %s: %s, want p%d: %s", i, name, v, i, want[i])
				}
			}
			if k := dec.PeekKind(); k != '}' {
				t.Errorf("more members after %d: %s", n, body)
			}
		})
	}
}
