#!/bin/sh
# The load checks of the production-hardening work (fulfillment/load_test.go):
# 150 slow-body connections stay under 64 MiB and are answered by the
# deadline; overrunning handlers on keep-alive connections are answered
# before the webhook timeout; and the RSS per concurrent maximum-size call
# is reported (what a call holds is checked by TestMaxSizeCallMemory).
# Loopback only; about a minute; it loads the machine. Set GOMEMLIMIT to
# run the server under a memory limit.
set -eu
cd "$(dirname "$0")/.."
CXHOOK_LOAD=1 GOTOOLCHAIN=local GOFLAGS=-mod=readonly exec go test -run '^TestLoad' -v -count=1 ./fulfillment
