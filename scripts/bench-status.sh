#!/usr/bin/env bash
# The revocation structure of the status snapshot at national scale (issue 15), on a synthetic universe: N issued
# copies (default 50 000 000) with 0.5 % revoked, then a delta of D new revocations (default 10 000). Prints the
# snapshot's and the delta's encoded sizes against the goals (≤ 320 KiB, ≤ 24 KiB), the information-theoretic
# bound and a plain Bloom cascade's size, build time, peak memory, lookup time, and the wrong answers over the
# whole universe (must be 0; exit 1 otherwise).
# Then the lookup in WebAssembly (goal ≤ 50 µs), under Node 22 (scripts/setup.sh installs it): the wasm-bench crate
# (crates/ecert-status-filter/wasm-bench, built like the browser verifier: opt-level z, LTO) builds a 2 M-copy
# snapshot inside wasm, parses (from_bytes) the native run's snapshot and delta, and times ≥ 100 k lookups of
# each, every answer checked against the truth; exit 1 if the goal is missed or any answer is wrong.
# Not in CI (≈ 30 s here).
#   scripts/bench-status.sh [N] [D]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
. scripts/env.sh
n="${1:-50000000}"
d="${2:-10000}"
out="$here/target/bench-status"
cargo build -q --release --locked -p ecert-status-filter --example bench_status
target/release/examples/bench_status "$n" "$d" "$out"

command -v node >/dev/null && [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 22 ] || {
  echo "bench-status: the wasm part needs Node >= 22 (run ./scripts/setup.sh)" >&2
  exit 1
}
cargo build -q --release --locked --target wasm32-unknown-unknown --target-dir "$here/target" \
  --manifest-path crates/ecert-status-filter/wasm-bench/Cargo.toml
exec node crates/ecert-status-filter/wasm-bench/run.mjs \
  "$here/target/wasm32-unknown-unknown/release/ecert_status_filter_wasm_bench.wasm" "$n" "$d" "$out"
