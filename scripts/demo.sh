#!/usr/bin/env bash
# Runs the product locally: builds ecert, writes a fresh demo PKI, signed trust list and sample certificates
# into ./demo-out, and checks every sample with pdfsig and pyHanko against the demo root.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cargo build --release --locked -p ecert-cli
out=demo-out
rm -rf "$out"
./target/release/ecert demo --out "$out" "$@"
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
