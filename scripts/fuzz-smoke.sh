#!/usr/bin/env bash
# A short fuzzing run of the verifier's cargo-fuzz targets (walker, verify), seeded with the demo samples.
# `verify` trusts the demo trust list and root in crates/ecert-verify/fuzz/ (refresh-demo-trust.sh), and is also
# seeded with fuzz/seeds/, samples sealed under that root (a fresh demo's samples have another root: untrusted).
# Not part of CI (it needs the nightly toolchain); run it after changing the walker or the verifier.
#   scripts/fuzz-smoke.sh [SECONDS per target, default 300]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
secs="${1:-300}"
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
"$here/scripts/setup.sh" >/dev/null
cargo build -q --release --locked -p ecert-cli
corpus="$here/bench-out/fuzz-corpus"
mkdir -p "$corpus/seeds"
"${CARGO_TARGET_DIR:-$here/target}/release/ecert" demo --out "$corpus/demo" --today 2026-11-23 >/dev/null
cp "$corpus"/demo/samples/*.pdf "$corpus/seeds/"
cd "$here/crates/ecert-verify"
for target in walker verify; do
  mkdir -p "$corpus/$target"
  echo "== $target, $secs s"
  seeds=("$corpus/seeds")
  [ "$target" = verify ] && seeds+=("$here/crates/ecert-verify/fuzz/seeds")
  cargo +nightly fuzz run "$target" "$corpus/$target" "${seeds[@]}" -- \
    -max_total_time="$secs" -rss_limit_mb=1024 -timeout=5 2>&1 | grep -E "^Done|ERROR|panicked|SUMMARY" || true
  # cargo fuzz exits non-zero and leaves artifacts/ when it finds a crash, leak, timeout or OOM.
  if compgen -G "fuzz/artifacts/$target/*" >/dev/null; then echo "FOUND: see crates/ecert-verify/fuzz/artifacts/$target"; exit 1; fi
done
