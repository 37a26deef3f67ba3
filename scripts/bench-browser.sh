#!/usr/bin/env bash
# Browser benchmark in headless Chromium: cold first verdict after page load (file dropped once the page's
# verifier is idle, and at the load event), warm verify and the wasm floor (SHA-256 + two ECDSA P-256 verifies — the seal's and its time-stamp's — same
# wasm build, timed alternately with verify) for a ~200 KB and a ~5 MB valid certificate; prints the machine's
# load, the ratios to the goals and the wasm's gzipped size. Results also in target/test-artifacts/browser/bench.json.
#   scripts/bench-browser.sh        (BENCH_COLD_RUNS=5 BENCH_WARM=15 BENCH_PAIRS=40; honours CARGO_TARGET_DIR)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
. "$here/scripts/env.sh"
command -v chromium >/dev/null || "$here/scripts/setup.sh"
exec node "$here/tests/browser/bench.mjs"
