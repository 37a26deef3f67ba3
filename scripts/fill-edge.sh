#!/usr/bin/env bash
# Capacity of the edge's sharded registry (not in CI; minutes and ~1 GB of disk): fills 2 M certificate copies into
# 4 local shards, prints admin-API registration throughput, bytes per copy, and lookup/status latency at 10 k and
# at 2 M copies side by side (goal: p99 within 1.3×). Details: worker/scripts/fill.mjs, docs/edge.md "Capacity".
#   ./scripts/fill-edge.sh [--copies N] [--small N] [--per-cert N] [--probes N] [--demo DIR] [--keep DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
command -v python3 >/dev/null || { echo "python3 not found" >&2; exit 2; }
exec node worker/scripts/fill.mjs "$@"
