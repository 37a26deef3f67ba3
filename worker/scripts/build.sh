#!/usr/bin/env bash
# Builds the edge worker into worker/build/ (worker-build → wasm-bindgen → wasm-opt → esbuild), offline-safe:
# the tool paths come from scripts/env.sh. Skips the build when no input changed since the last one.
#   worker/scripts/build.sh [--force]        Honours CARGO_TARGET_DIR.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
. "$here/scripts/env.sh"
cd "$here/worker"

for bin in "$WASM_BINDGEN_BIN" "$WASM_OPT_BIN" "$ESBUILD_BIN"; do
  [ -x "$bin" ] || { echo "missing $bin: run scripts/setup.sh" >&2; exit 2; }
done
command -v worker-build >/dev/null || { echo "worker-build not found: run scripts/setup.sh" >&2; exit 2; }

# Everything the wasm is built from.
inputs_hash() {
  (cd "$here" && find worker/src worker/Cargo.toml crates/ecert-format crates/ecert-verify crates/ecert-pki crates/ecert-status-filter \
      crates/ecert-pdf-structure Cargo.toml Cargo.lock -type f \( -name '*.rs' -o -name '*.toml' -o -name '*.json' -o -name Cargo.lock \) \
      -not -path '*/target/*' 2>/dev/null | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)
}
stamp=build/.inputs.sha256
want="$(inputs_hash) $ECERT_WORKER_BUILD_VERSION"
if [ "${1:-}" != --force ] && [ -f build/index.js ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
# Size-optimised, LTO, panic=abort (the workspace's release-wasm profile).
worker-build --profile release-wasm
echo "$want" > "$stamp"
