#!/bin/sh
# The load checks of the production-hardening work (fulfillment/load_test.go):
# 150 slow-body connections stay under 64 MiB and are answered by the
# deadline; 64 concurrent maximum-size calls cost at most 2.5 MiB each;
# overrunning handlers on keep-alive connections are answered before the
# webhook timeout. Loopback only; about a minute; it loads the machine.
# Set GOMEMLIMIT to run the server under a memory limit.
set -eu
cd "$(dirname "$0")/.."
CXHOOK_LOAD=1 GOTOOLCHAIN=local GOFLAGS=-mod=readonly exec go test -run '^TestLoad' -v -count=1 ./fulfillment
