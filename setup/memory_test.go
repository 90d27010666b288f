package setup_test

import (
	"testing"

	"github.com/cxhook/cxhook/setup"
)

func TestMemoryLimit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		memory, want string // want "" for an error
	}{
		{"256Mi", "217MiB"},
		{"256M", "207MiB"},
		{"256MB", "207MiB"}, // B means bytes, as gcloud reads it
		{"256Mb", "207MiB"},
		{"512Mi", "435MiB"},
		{"1Gi", "870MiB"},
		{"1.5Gi", "1305MiB"},
		{"2G", "1621MiB"},
		{"1000000Ki", "830MiB"},
		{"268435456", "217MiB"}, // bytes, as the API may report them
		{"512", ""},             // 512 bytes
		{"512m", ""},            // millibytes in Kubernetes' notation
		{"1Ti", ""},
		{"", ""},
		{"Mi", ""},
		{"-1Gi", ""},
	} {
		got, err := setup.MemoryLimit(tc.memory)
		if tc.want == "" {
			if err == nil {
				t.Errorf("MemoryLimit(%q) = %q, want an error", tc.memory, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("MemoryLimit(%q) = %q, %v; want %q", tc.memory, got, err, tc.want)
		}
	}
}

func TestConfigMemoryChecked(t *testing.T) {
	t.Parallel()
	for _, cfg := range []setup.Config{
		{Project: "fn-proj", Region: "us-central1", Function: "cxhook", Memory: "lots"},
		{Project: "fn-proj", Region: "us-central1", Function: "cxhook", MemoryLimit: "200M"},
	} {
		if err := cfg.Validate(); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
	ok := setup.Config{Project: "fn-proj", Region: "us-central1", Function: "cxhook", Memory: "512Mi", MemoryLimit: "off"}
	if err := ok.Validate(); err != nil {
		t.Error(err)
	}
}
