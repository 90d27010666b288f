# The two commands of the README, and the pieces of the second.
#
#   make run    the example function on http://127.0.0.1:8080 (go run ./cmd/webhook)
#   make test   everything CI checks: format, vet, staticcheck, shellcheck,
#               the tests with the race detector, and short fuzz runs
#
# The Go tools are fetched through the module proxy, so they work on a
# fresh machine; Go must be installed (go.mod's go line is the minimum).
# Two steps need tools from elsewhere. shellcheck is installed with apt-get
# when it is missing and this runs as root; otherwise .ci/shellcheck says
# how to get it and skips the lint. The deploy.sh end-to-end tests
# (internal/deploytest) need the Google Cloud CLI, gcloud; without it they
# are skipped and make test says so after the unit tests. On CI (CI set, as
# .ci/run does) a missing shellcheck or gcloud fails instead.

export GOTOOLCHAIN := local
export GOFLAGS := -mod=readonly
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# Every fuzz target in the tree runs (found by name, so a new one is never
# left out). Fuzz budgets are counts of inputs, not durations: with a duration,
# Go 1.26's fuzz coordinator can fail a healthy target with a bare
# "context deadline exceeded" at the end of the window
# (https://go.dev/issue/75804, fixed in Go 1.27). A count has no deadline
# to race. 20000 inputs take 5 to 15 s per target on two cores.
FUZZTIME ?= 20000x

.PHONY: run test fmt vet lint shellcheck unit fuzz bench

run:
	go run ./cmd/webhook

test: fmt vet lint shellcheck unit fuzz

fmt:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "not gofmt-formatted:"; echo "$$out"; exit 1; fi

vet:
	go vet ./...
	cd examples/quickstart && go vet ./...

lint:
	go run $(STATICCHECK) ./...
	cd examples/quickstart && go run $(STATICCHECK) ./...

shellcheck:
	.ci/shellcheck

unit:
	go test -race -count=1 ./...
	cd examples/quickstart && go test -race -count=1 ./...
	@command -v gcloud >/dev/null || echo "SKIPPED the deploy.sh end-to-end tests (TestDeploy, TestDeployModule in internal/deploytest): gcloud is not on PATH; install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install) to run them (on CI this fails)"

fuzz:
	@set -e; for dir in $$(go list -f '{{.Dir}}' ./...); do \
		for target in $$(cat "$$dir"/*_test.go 2>/dev/null | grep -o '^func Fuzz[A-Za-z0-9_]*' | cut -d' ' -f2 | sort -u); do \
			echo "go test -run '^$$' -fuzz '^$$target\$$' -fuzztime $(FUZZTIME) $$dir"; \
			go test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) "$$dir"; \
		done; \
	done

# The in-process codec benchmarks and the agent loader's; the HTTP load
# comparison with the peers is ../shared/bench/run.sh (see the README's
# Performance section).
bench:
	go test -run '^$$' -bench . -benchmem ./fulfillment
	go test -run '^$$' -bench . -benchmem ./agent
