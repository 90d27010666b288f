package setup

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMergeEnv(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		EnvAuth:                "platform",
		EnvAgentProjectNumbers: "222",
		EnvAudiences:           "https://a,https://b",
		EnvWebhookTimeout:      "5s",
	}
	for _, tc := range []struct {
		name        string
		env         map[string]string
		wantEnv     map[string]string
		wantChanged []string
	}{
		{
			name:    "nothing set: everything is added",
			wantEnv: want,
			wantChanged: []string{
				EnvAgentProjectNumbers, EnvAudiences, EnvAuth, EnvWebhookTimeout,
			},
		},
		{
			name:    "everything set: nothing changes",
			env:     want,
			wantEnv: want,
		},
		{
			name: "lists keep extra items and gain missing ones; other variables stay",
			env: map[string]string{
				"MY_VAR":               "kept",
				EnvAuth:                "platform",
				EnvAgentProjectNumbers: "333",
				EnvAudiences:           "https://custom.example.com, https://b",
				EnvWebhookTimeout:      "5s",
			},
			wantEnv: map[string]string{
				"MY_VAR":               "kept",
				EnvAuth:                "platform",
				EnvAgentProjectNumbers: "333,222",
				EnvAudiences:           "https://custom.example.com,https://b,https://a",
				EnvWebhookTimeout:      "5s",
			},
			wantChanged: []string{EnvAgentProjectNumbers, EnvAudiences},
		},
		{
			name:        "a different timeout is replaced",
			env:         map[string]string{EnvAuth: "platform", EnvAgentProjectNumbers: "222", EnvAudiences: "https://a,https://b", EnvWebhookTimeout: "10s"},
			wantEnv:     want,
			wantChanged: []string{EnvWebhookTimeout},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			before := map[string]string{}
			for k, v := range tc.env {
				before[k] = v
			}
			got, changed := mergeEnv(tc.env, want)
			if diff := cmp.Diff(tc.wantEnv, got); diff != "" {
				t.Errorf("env (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantChanged, changed); diff != "" {
				t.Errorf("changed (-want +got):\n%s", diff)
			}
			if len(tc.env) > 0 {
				if diff := cmp.Diff(before, tc.env); diff != "" {
					t.Errorf("input modified (-before +after):\n%s", diff)
				}
			}
		})
	}
}
