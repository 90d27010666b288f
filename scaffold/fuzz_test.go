package scaffold

import (
	"go/format"
	"go/token"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/cxhook/cxhook/agent"
	"github.com/go-json-experiment/json/jsontext"
)

// Whatever a display name holds, the names made of it are identifiers
// the generated code can declare, and file names no build constraint
// reads.
func FuzzIdentifiers(f *testing.F) {
	for _, s := range []string{"checkSize", "check-size", "2fa", "func", "init", "尺寸", "größe wählen", "a\u0301b", "_", "", "URLCheck", "$flow.x", "string", "context"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ns := newNamespace(reserved...)
		files := newFileNames("function.go", "function_test.go")
		for range 2 {
			name := ns.take(unexportedName(s, "tag"), "Handler")
			if !token.IsIdentifier(name) || predeclared[name] || slicesContains(reserved, name) {
				t.Fatalf("%q: %q is no name to declare", s, name)
			}
			file := files.take(name)
			if strings.Contains(file, "_") || file == "function.go" || !strings.HasSuffix(file, ".go") {
				t.Fatalf("%q: file name %q", s, file)
			}
		}
		e := exportedName(s, "X")
		if r, _ := utf8.DecodeRuneInString(e); !token.IsIdentifier(e) || !unicode.IsUpper(r) {
			t.Fatalf("%q: %q is not an exported identifier", s, e)
		}
	})
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func FuzzJSONPathMembers(f *testing.F) {
	for _, s := range []string{"$.result.score", "score", "$['odd key'].x", "$.items[0].name", "$..a", "$[", "$.a[?(@.b == 'c')].d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		members, _ := jsonPathMembers(path)
		for _, m := range members {
			if m == "" {
				t.Fatalf("%q: an empty member in %q", path, members)
			}
		}
	})
}

// Redaction keeps a file valid JSON if it was, replaces only string
// values, and leaves nothing to replace a second time.
func FuzzRedact(f *testing.F) {
	f.Add(`{"genericWebService": {"password": "p", "requestHeaders": [{"key": "k", "value": "v"}], "oauthConfig": {"clientSecret": "s"}}}`)
	f.Add(`{"serviceDirectory": {"genericWebService": {"requestHeaders": {"X": "y"}}}}`)
	f.Add(`{"genericWebService": {"password": 5}}`)
	f.Add(`not json`)
	f.Fuzz(func(t *testing.T, in string) {
		out, found := redact([]byte(in))
		if len(found) == 0 {
			if string(out) != in {
				t.Fatalf("nothing found, but %q became %q", in, out)
			}
			return
		}
		if jsontext.Value(in).IsValid() != jsontext.Value(out).IsValid() {
			t.Fatalf("%q became %q", in, out)
		}
		if again, found := redact(out); len(found) != 0 || string(again) != string(out) {
			t.Fatalf("%q: a second pass replaced %q", out, found)
		}
	})
}

// Whatever the template, the request struct read from it is Go code that
// formats, and a type this program can build.
func FuzzReadTemplate(f *testing.F) {
	for _, s := range []string{
		`{"phone_number": "$session.params.phone_number", "fulfillmentInfo": {"tag": "x"}}`,
		`{"address": "$flow.request_body"}`,
		`{"a": $flow.x, "b": "text $flow.y and $session.params.z", "c": {"d": [1, "$flow.e"], "f": null, "g": true, "h": 1.5}}`,
		`{"a,b": 1, "q\"uote": "x", "back` + "`" + `tick": 2}`,
		`[1]`, `{}`, `{"a": {"a": {"a": {}}}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tmpl string) {
		w := &agent.Webhook{Kind: agent.Flexible, RequestBody: tmpl}
		shape := readTemplate(w, nil)
		if shape.Body == nil {
			if shape.Problem == "" {
				t.Fatal("no body and no problem")
			}
			return
		}
		var b strings.Builder
		for _, fd := range shape.Body.Fields {
			writeField(&b, fd, "\t")
		}
		src := "package p\n\nimport \"github.com/cxhook/cxhook/fulfillment\"\n\nvar _ fulfillment.Value\n\ntype T struct {\n" + b.String() + "}\n"
		if _, err := format.Source([]byte(src)); err != nil {
			t.Fatalf("%q: %v\n%s", tmpl, err, src)
		}
		_ = shape.Body.reflectType()
	})
}
