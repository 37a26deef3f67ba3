#!/usr/bin/env bash
# The revocation structure of the status snapshot at national scale (issue 15), on a synthetic universe: N issued
# copies (default 50 000 000) with 0.5 % revoked, then a delta of D new revocations (default 10 000). Prints the
# snapshot's and the delta's encoded sizes against the goals (≤ 320 KiB, ≤ 24 KiB), the information-theoretic
# bound and a plain Bloom cascade's size, build time, peak memory, lookup time, and the wrong answers over the
# whole universe (must be 0; exit 1 otherwise). Not in CI (≈ 10 s here).
#   scripts/bench-status.sh [N] [D]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
cargo build -q --release --locked -p ecert-status-filter --example bench_status
exec target/release/examples/bench_status "${1:-50000000}" "${2:-10000}"
