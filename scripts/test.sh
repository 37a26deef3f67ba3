#!/usr/bin/env bash
# Runs every test of ecert on this machine, installing what is missing first (see scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export ECERT_REQUIRE_VALIDATORS=1   # pdfsig, qpdf and pyHanko checks must run, not skip
export CARGO_TERM_COLOR=never
# Formatting first: it takes a second, and rustfmt.toml is the one style (120 columns). Then clippy, warnings
# as errors (including the crates' own [lints.clippy] tables: no unwrap, expect, panic or indexing in the verifier).
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
# Browser (issue 4): the wasm verifier, page and <ecert-verify> widget in headless Chromium, on demo samples.
. ./scripts/env.sh
node --test --test-concurrency=1 tests/browser/*.test.mjs
# Edge worker (issue 5): the worker on workerd (wrangler dev --local), fresh local D1, every endpoint.
node --test --test-concurrency=1 tests/worker/*.test.mjs
# The edge against its OpenAPI file (issue 16): schemathesis with every check on a fresh edge on workerd, 50
# examples per operation (scripts/schemathesis.toml: settings, exclusions and why). About 2 minutes; cut off at 5.
timeout 300 ./scripts/schemathesis.sh
