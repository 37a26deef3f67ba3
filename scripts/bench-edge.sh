#!/usr/bin/env bash
# Load test of the edge worker on workerd (loopback, bounded): requests/s and p99 of GET /v1/status/{prefix}
# next to GET /v1/noop in the same run (goal: status p99 ≤ 1.5× noop), and revocations issued during the load
# all visible afterwards. Uses Debian's wrk (installed by scripts/setup.sh).
#   ./scripts/bench-edge.sh [--duration S] [--connections N] [--rounds N] [--pace MS] [--certs N] [--revocations N]
#                           [--hot N] [--max-stale S] [--demo DIR]      (details: worker/scripts/bench.mjs, docs/edge.md)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
command -v wrk >/dev/null || { echo "wrk not found: run scripts/setup.sh" >&2; exit 2; }
exec node worker/scripts/bench.mjs "$@"
