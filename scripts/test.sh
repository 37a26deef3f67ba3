#!/usr/bin/env bash
# Runs every test of ecert on this machine, installing what is missing first (see scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export ECERT_REQUIRE_VALIDATORS=1   # pdfsig, qpdf and pyHanko checks must run, not skip
export CARGO_TERM_COLOR=never
cargo test --workspace --locked
