#!/usr/bin/env bash
# Builds the browser verifier into www/dist/: the ecert-wasm crate (release-wasm profile) → wasm-bindgen
# (--target web, the exact version pinned in Cargo.toml) → wasm-opt -Oz (npm binaryen) → bundle the page, the
# <ecert-verify> widget, its Web Worker, pdf.js, the trust snapshot (DEMO_DIR/trust-list.json + the pinned
# root DEMO_DIR/root-spki.pem) and the signed status snapshot (DEMO_DIR/status/snapshot.bin), from `ecert demo`.
#   scripts/build-www.sh [DEMO_DIR [OUT_DIR]]   (defaults: demo-out, www/dist; ECERT_EDGE=URL goes into config.json;
#   ECERT_EMBED_ORIGINS="https://a.example https://b.example": the origins that may frame /embed/ and receive its verdicts)
# Idempotent; wasm-bindgen/wasm-opt are skipped when the wasm did not change. Honours CARGO_TARGET_DIR.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
. "$here/scripts/env.sh"
demo="$(cd "${1:-$here/demo-out}" && pwd)"
target="${CARGO_TARGET_DIR:-$here/target}"
case "$target" in /*) ;; *) target="$here/$target" ;; esac
pkg="$target/www-pkg"

command -v wasm-bindgen >/dev/null || { echo "wasm-bindgen not found: run scripts/setup.sh" >&2; exit 2; }
have="$(wasm-bindgen --version | cut -d' ' -f2)"
[ "$have" = "$ECERT_WASM_BINDGEN_VERSION" ] || { echo "wasm-bindgen $have != pinned $ECERT_WASM_BINDGEN_VERSION: run scripts/setup.sh" >&2; exit 2; }
[ -f "$demo/trust-list.json" ] && [ -f "$demo/root-spki.pem" ] && [ -f "$demo/status/snapshot.bin" ] || { echo "$demo has no trust-list.json/root-spki.pem/status/snapshot.bin: run 'ecert demo --out $demo'" >&2; exit 2; }

(cd "$here" && CARGO_TARGET_DIR="$target" cargo build -q --profile release-wasm --target wasm32-unknown-unknown -p ecert-wasm)
raw="$target/wasm32-unknown-unknown/release-wasm/ecert_wasm.wasm"
stamp="$pkg/.input.sha256"
want="$(sha256sum "$raw" | cut -d' ' -f1) $ECERT_WASM_BINDGEN_VERSION"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -f "$pkg/ecert_wasm_bg.wasm" ]; then
  rm -rf "$pkg" && mkdir -p "$pkg"
  wasm-bindgen --target web --no-typescript --out-dir "$pkg" --out-name ecert_wasm "$raw"
  "$here/node_modules/binaryen/bin/wasm-opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    -o "$pkg/ecert_wasm_bg.opt.wasm" "$pkg/ecert_wasm_bg.wasm"
  mv "$pkg/ecert_wasm_bg.opt.wasm" "$pkg/ecert_wasm_bg.wasm"
  echo "$want" > "$stamp"
fi
node "$here/www/build.mjs" --pkg "$pkg" --demo "$demo" ${2:+--out "$2"} ${ECERT_EDGE:+--edge "$ECERT_EDGE"} \
  ${ECERT_EMBED_ORIGINS:+--embed-origins "$ECERT_EMBED_ORIGINS"}
