package auth_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/cxhook/cxhook/auth"
)

func ExampleFromEnv() {
	env := map[string]string{
		"K_SERVICE":                    "webhook", // set by Cloud Run
		"CXHOOK_AUTH":                  "platform",
		"CXHOOK_AGENT_PROJECT_NUMBERS": "123456789012",
	}
	_, err := auth.FromEnv(func(k string) string { return env[k] }, slog.New(slog.DiscardHandler))
	fmt.Println(err)

	var ce *auth.ConfigError
	if errors.As(err, &ce) {
		fmt.Println("fix", ce.Var)
	}
	// Output:
	// auth: CXHOOK_AUDIENCES: required with CXHOOK_AUTH=platform: the function's URLs, with and without path, comma-separated
	// fix CXHOOK_AUDIENCES
}

func ExampleNewHeaderVerifier() {
	// During a rotation, accept the new key and the old one.
	v, err := auth.NewHeaderVerifier("X-Webhook-Key", []auth.Secret{
		"new-key-5f0c2d9a41e7b3",
		"old-key-0a7e44c2b19d58",
	})
	if err != nil {
		panic(err)
	}
	for _, key := range []string{"new-key-5f0c2d9a41e7b3", "old-key-0a7e44c2b19d58", "OLD-KEY-0A7E44C2B19D58"} {
		c, err := v.Verify(context.Background(), http.Header{"X-Webhook-Key": {key}})
		fmt.Println(key, c.Mechanism, errors.Is(err, auth.ErrInvalidCredentials))
	}
	// Output:
	// new-key-5f0c2d9a41e7b3 header false
	// old-key-0a7e44c2b19d58 header false
	// OLD-KEY-0A7E44C2B19D58 none true
}

func ExampleSecret() {
	cred := auth.BasicCredential{Username: "dialogflow", Password: "correct-horse-battery-staple"}
	fmt.Printf("%v\n", cred)
	// Output: {dialogflow [REDACTED]}
}

func ExampleServiceAgentEmail() {
	email, err := auth.ServiceAgentEmail("123456789012")
	fmt.Println(email, err)
	_, err = auth.ServiceAgentEmail("my-agent-project")
	fmt.Println(err)
	// Output:
	// service-123456789012@gcp-sa-dialogflow.iam.gserviceaccount.com <nil>
	// auth: project number "my-agent-project" is not all digits (use the project number, not the project ID)
}
