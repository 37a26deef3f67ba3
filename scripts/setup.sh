#!/usr/bin/env bash
# Installs everything ecert's build, demo and tests need on a fresh machine. Idempotent: tools already present
# are left alone. Sources: Debian apt (validators, CJK fonts), PyPI (pyHanko, schemathesis), the machine's Rust toolchain.
set -euo pipefail

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi

command -v cargo >/dev/null || { echo "cargo not found: install Rust (rustup) first" >&2; exit 1; }

apt_pkgs=()
command -v pdfsig   >/dev/null || apt_pkgs+=(poppler-utils)
command -v qpdf     >/dev/null || apt_pkgs+=(qpdf)
command -v chromium >/dev/null || apt_pkgs+=(chromium)
command -v wrk      >/dev/null || apt_pkgs+=(wrk)
command -v pkg-config >/dev/null || apt_pkgs+=(pkg-config)
[ -x /usr/bin/time ] || apt_pkgs+=(time)
dpkg -s libssl-dev >/dev/null 2>&1 || apt_pkgs+=(libssl-dev)
[ -f /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc ] || apt_pkgs+=(fonts-noto-cjk)
[ -f /usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf ] || apt_pkgs+=(fonts-babelstone-han)
# Unihan readings for scripts/gen-rare-chars.py (the 生僻字 picker data) and its test.
[ -f /usr/share/unicode/Unihan_Readings.txt.bz2 ] || apt_pkgs+=(unicode-data)
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  log "apt: ${apt_pkgs[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_pkgs[@]}" >/dev/null
fi

if ! command -v pyhanko >/dev/null; then
  log "pip: pyHanko (independent PAdES validator)"
  python3 -m pip install -q --disable-pip-version-check "pyHanko==0.38.0" "pyhanko-cli==0.6.0" "pyhanko-certvalidator==0.33.0"
fi
# schemathesis (property-based tests of the edge against docs/openapi.yaml: scripts/schemathesis.sh), pinned, in
# its own virtualenv so its dependencies never meet pyHanko's. Same version and path in scripts/schemathesis.sh.
st_venv="${ECERT_ST_VENV:-$HOME/.local/share/ecert/schemathesis-venv}"
st_version=4.32.5
if [ "$("$st_venv/bin/st" --version 2>/dev/null | awk '{print $NF}')" != "$st_version" ]; then
  log "pip: schemathesis $st_version (in $st_venv)"
  python3 -m venv "$st_venv" 2>/dev/null || {
    $SUDO apt-get update -qq; DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
    rm -rf "$st_venv"; python3 -m venv "$st_venv"; }
  "$st_venv/bin/python" -m pip install -q --disable-pip-version-check "schemathesis==$st_version"
fi
# JavaScript-side tools, pinned in package.json / package-lock.json: Node 22 (for wrangler), wrangler (ships
# workerd), binaryen (wasm-opt 132), esbuild, playwright-core (drives Debian's chromium), pdfjs-dist, axe-core, and
# deno (2.x, its Linux binary from the npm package @deno/linux-x64-glibc: the server entry's Deno test).
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v npm >/dev/null || { log "apt: npm"; $SUDO apt-get update -qq; DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq npm >/dev/null; }
stamp="$here/node_modules/.ecert-lock.sha256"
want="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "npm install from package-lock.json (wrangler, node 22, binaryen, esbuild, playwright-core, pdfjs-dist, axe-core, deno)"
  # Not `npm ci`: a registry mirror may lack other platforms' optional packages (workerd-darwin-*, …), and
  # `npm ci` refuses a lock that does not list them; `npm install` installs exactly the locked versions and
  # skips optional packages of other platforms.
  (cd "$here" && npm install --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
fi
. "$here/scripts/env.sh"

rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown || { log "rustup: wasm32-unknown-unknown"; rustup target add wasm32-unknown-unknown; }
cargo fmt --version >/dev/null 2>&1 || { log "rustup: rustfmt"; rustup component add rustfmt; }
cargo clippy --version >/dev/null 2>&1 || { log "rustup: clippy"; rustup component add clippy; }
# wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock; `--locked` fails against this registry mirror.
if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$ECERT_WASM_BINDGEN_VERSION" ]; then
  log "cargo install wasm-bindgen-cli $ECERT_WASM_BINDGEN_VERSION (~4 min)"
  cargo install -q --force wasm-bindgen-cli --version "$ECERT_WASM_BINDGEN_VERSION"
fi
if [ "$(worker-build --version 2>/dev/null | awk '{print $NF}')" != "$ECERT_WORKER_BUILD_VERSION" ]; then
  log "cargo install worker-build $ECERT_WORKER_BUILD_VERSION (~5 min)"
  cargo install -q --force worker-build --version "$ECERT_WORKER_BUILD_VERSION"
fi

log "ready: $(pdfsig -v 2>&1 | head -1), $(pyhanko --version 2>/dev/null | head -1), $(cargo --version), node $(node --version), wrangler $(wrangler --version 2>/dev/null | tail -1), $(deno --version 2>/dev/null | head -1), wasm-bindgen $(wasm-bindgen --version | cut -d' ' -f2)"
