package cxhook

import (
	"os"
	"strings"
	"testing"
)

// getenvOf returns a getenv that reads the given NAME=value pairs.
func getenvOf(pairs ...string) func(string) string {
	m := make(map[string]string)
	for _, p := range pairs {
		k, v, _ := strings.Cut(p, "=")
		m[k] = v
	}
	return func(k string) string { return m[k] }
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
