package auth_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cxhook/cxhook/auth"
	"github.com/cxhook/cxhook/auth/authtest"
)

// exampleTB lets this example call authtest helpers, which take a
// testing.TB so that they can fail the test. In a test, pass t instead.
type exampleTB struct{ testing.TB }

func (exampleTB) Helper() {}

func (exampleTB) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

func ExampleRequire() {
	const aud = "https://webhook-abc123-ew.a.run.app"
	tb := exampleTB{}

	// authtest.Issuer stands in for Google: it signs tokens, and its HTTP
	// client serves its key where idtoken fetches Google's.
	iss := authtest.NewIssuer(tb)
	allow, err := auth.NewAllowList([]string{"123456789012"}, nil)
	if err != nil {
		panic(err)
	}
	v, err := auth.NewIDTokenVerifier([]string{aud}, allow, auth.WithHTTPClient(iss.HTTPClient()))
	if err != nil {
		panic(err)
	}

	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := auth.CallerFromContext(r.Context())
		fmt.Fprintln(w, "hello", c.Email)
	})
	srv := httptest.NewServer(auth.Require(v, auth.WithLogger(slog.New(slog.DiscardHandler)))(hello))
	defer srv.Close()

	for _, token := range []string{
		"", // no credentials
		iss.Token(tb, authtest.ServiceAgentClaims("999999999999", aud)), // another agent
		iss.Token(tb, authtest.ServiceAgentClaims("123456789012", aud)), // ours
	} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Print(resp.StatusCode, " ", string(body))
	}
	// Output:
	// 401 {"code":"unauthenticated","message":"credentials required"}
	// 403 {"code":"permission_denied","message":"caller not allowed"}
	// 200 hello service-123456789012@gcp-sa-dialogflow.iam.gserviceaccount.com
}
