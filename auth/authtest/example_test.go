package authtest_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cxhook/cxhook/auth"
	"github.com/cxhook/cxhook/auth/authtest"
)

// exampleTB stands in for the t of a test, which an Example lacks.
type exampleTB struct{ testing.TB }

func (exampleTB) Helper() {}

func (exampleTB) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

// A function behind Cloud Run IAM sees tokens whose signature Cloud Run
// removed; PlatformToken mints those.
func ExampleIssuer_PlatformToken() {
	t := exampleTB{} // in a test: t *testing.T
	const aud = "https://webhook-abc123-ew.a.run.app"

	allow, _ := auth.NewAllowList([]string{"123456789012"}, nil)
	v, err := auth.NewPlatformVerifier([]string{aud}, allow)
	if err != nil {
		panic(err)
	}
	webhook := auth.Require(v, auth.WithLogger(slog.New(slog.DiscardHandler)))(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "{}") }))

	iss := authtest.NewIssuer(t)
	for _, c := range []authtest.Claims{
		authtest.ServiceAgentClaims("123456789012", aud),
		authtest.ServiceAgentClaims("123456789012", aud).With("email_verified", false),
	} {
		req := httptest.NewRequest(http.MethodPost, "/", nil)
		req.Header.Set("Authorization", "Bearer "+iss.PlatformToken(t, c))
		rec := httptest.NewRecorder()
		webhook.ServeHTTP(rec, req)
		fmt.Println(rec.Code)
	}
	// Output:
	// 200
	// 401
}
