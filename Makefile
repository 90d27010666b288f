# The two commands of the README, and the pieces of the second.
#
#   make run    the example function on http://127.0.0.1:8080 (go run ./cmd/webhook)
#   make test   everything CI checks: format, vet, staticcheck, shellcheck,
#               the tests with the race detector, and short fuzz runs
#
# Every tool is fetched by these targets (Go modules through the module
# proxy, shellcheck through apt-get when it is missing), so they work on a
# fresh machine. Go must be installed; go.mod's go line is the minimum.

export GOTOOLCHAIN := local
export GOFLAGS := -mod=readonly
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# Fuzz budgets are counts of inputs, not durations: with a duration,
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

lint:
	go run $(STATICCHECK) ./...

shellcheck:
	@command -v shellcheck >/dev/null || { apt-get update -qq && apt-get install -y -qq shellcheck >/dev/null; } \
		|| { echo "shellcheck is missing and could not be installed"; exit 1; }
	shellcheck deploy.sh .ci/run

unit:
	go test -race -count=1 ./...

fuzz:
	go test -run '^$$' -fuzz '^FuzzDecodeRequest$$' -fuzztime $(FUZZTIME) ./fulfillment
	go test -run '^$$' -fuzz '^FuzzRequestMatchesProtojson$$' -fuzztime $(FUZZTIME) ./fulfillment
	go test -run '^$$' -fuzz '^FuzzResponseMatchesProtojson$$' -fuzztime $(FUZZTIME) ./fulfillment
	go test -run '^$$' -fuzz '^FuzzParseToken$$' -fuzztime $(FUZZTIME) ./auth
	go test -run '^$$' -fuzz '^FuzzPlatformVerify$$' -fuzztime $(FUZZTIME) ./auth
	go test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./expr
	go test -run '^$$' -fuzz '^FuzzEval$$' -fuzztime $(FUZZTIME) ./expr
	go test -run '^$$' -fuzz '^FuzzJSONPath$$' -fuzztime $(FUZZTIME) ./expr

# The in-process codec benchmarks; the HTTP load comparison with the peers
# is ../shared/bench/run.sh (see the README's Performance section).
bench:
	go test -run '^$$' -bench . -benchmem ./fulfillment
