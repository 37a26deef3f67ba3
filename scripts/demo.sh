#!/usr/bin/env bash
# Runs the product locally: builds ecert, writes a fresh demo PKI, signed trust list and sample certificates
# into ./demo-out, checks every sample with pdfsig and pyHanko against the demo root, then serves the pages and
# the edge API on http://127.0.0.1:8787 (workerd, local D1 and R2 seeded from ./demo-out, a holder account for
# 张伟) with the issuing side's status publisher and 加注 signer beside it, until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cargo build --release --locked -p ecert-cli
target="${CARGO_TARGET_DIR:-target}"
out=demo-out
rm -rf "$out"
"$target/release/ecert" demo --out "$out" "$@"
echo
echo "独立验证 independent validation (pdfsig / pyHanko, trust anchor $out/root.pem):"
for f in "$out"/samples/*.pdf; do
  name=$(basename "$f")
  sig=$(pdfsig "$f" 2>/dev/null | grep -o 'Signature is Valid' || echo 'INVALID')
  anchor="$out/root.pem"
  [ "$name" = untrusted-seal.pdf ] && anchor="$out/untrusted-pki/root/cert.pem"
  hanko=$(pyhanko sign validate --no-revocation-check --trust-replace --trust "$anchor" "$f" 2>/dev/null | grep -o 'INTACT:[A-Z_,]*' || echo 'FAILED')
  printf '  %-28s pdfsig: %-20s pyHanko: %s\n' "$name" "$sig" "$hanko"
done
echo
echo "样例与预期结论 samples and expected verdicts: $out/samples/manifest.json"
# The page (issue 4) and the edge worker (issue 5) on one local server: workerd with a fresh local D1 seeded
# from $out, serving www/dist and the API. Foreground until Ctrl-C.
if [ -x scripts/build-www.sh ]; then ECERT_EDGE=http://127.0.0.1:8787 ./scripts/build-www.sh "$out"; fi
exec worker/scripts/dev.sh "$out" 8787
