#!/usr/bin/env bash
# cpu-per-call.sh BIN... : the server CPU time one call costs, for each
# server binary, measured in pairs so that the machine's drift (on a shared
# VM, 10-30 % between runs a minute apart) hits every server alike.
#
#   bench/cpu-per-call.sh /tmp/bench-plain/bin/go-ff-jsonv2 /tmp/bench-plain/bin/cxhook
#
# Every server starts once, pinned to CPU $SERVER_CPU (GOMAXPROCS=1), on its
# own port; then, K times, each in turn gets D seconds of closed-loop load at
# c=32 from the shared benchmark's load generator, pinned to $LOAD_CPU, and
# its user+system CPU time over the run (from /proc/PID/stat) is divided by
# the calls answered. It prints each round, then per server the median CPU
# time per call and the median of its ratio to the first server's in the
# same round. Binaries: those ../shared/bench/run.sh built (BENCH_OUT/bin).
#
# Knobs: K=16 D=1.2 FIX=small (a fixture of ../shared/bench/fixtures)
# SERVER_CPU=0 LOAD_CPU=1 BASE_PORT=19200 PEER_ENV="NAME=VALUE ...".
set -euo pipefail
[[ $# -ge 1 ]] || { sed -n '2,20p' "$0"; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
bench=${BENCH_DIR:-$here/../../shared/bench}
K=${K:-16} D=${D:-1.2} FIX=$bench/fixtures/${FIX:-small}.json
SERVER_CPU=${SERVER_CPU:-0} LOAD_CPU=${LOAD_CPU:-1} BASE_PORT=${BASE_PORT:-19200}
tick=$(getconf CLK_TCK)
work=$(mktemp -d)
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
(cd "$bench" && go build -o "$work/benchtool" ./tools/benchtool)

pids=() ports=()
for bin in "$@"; do
  port=$((BASE_PORT + ${#pids[@]}))
  # shellcheck disable=SC2086 # PEER_ENV is a list of NAME=VALUE words
  env ${PEER_ENV:-} PORT=$port taskset -c "$SERVER_CPU" "$bin" >/dev/null 2>&1 &
  pids+=($!) ports+=("$port")
done
for port in "${ports[@]}"; do
  for _ in $(seq 100); do
    curl -sf -o /dev/null -H 'Content-Type: application/json' --data-binary @"$FIX" "http://127.0.0.1:$port/" && break
    sleep 0.05
  done
  taskset -c "$LOAD_CPU" "$work/benchtool" load -c 32 -d 1s -body "$FIX" -url "http://127.0.0.1:$port/" >/dev/null
done

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for _ in $(seq "$K"); do
  row=""
  for i in "${!pids[@]}"; do
    t0=$(cpu "${pids[$i]}")
    res=$(taskset -c "$LOAD_CPU" "$work/benchtool" load -c 32 -d "${D}s" -body "$FIX" -url "http://127.0.0.1:${ports[$i]}/")
    t1=$(cpu "${pids[$i]}")
    n=$(grep -oE 'requests=[0-9]+' <<<"$res" | cut -d= -f2)
    row+=" $(awk -v a="$t0" -v b="$t1" -v n="$n" -v hz="$tick" 'BEGIN { printf "%.2f", (b - a) * 1e6 / hz / n }')"
  done
  echo "$row" | tee -a "$work/rows"
done
python3 - "$work/rows" "$@" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
for i, name in enumerate(sys.argv[2:]):
    vals = [r[i] for r in rows]
    ratios = [r[i] / r[0] for r in rows]
    print(f"{name}: {statistics.median(vals):.2f} µs of CPU a call (median of {len(rows)}); "
          f"to the first: {statistics.median(ratios):.3f} (range {min(ratios):.3f}-{max(ratios):.3f})")
PY
