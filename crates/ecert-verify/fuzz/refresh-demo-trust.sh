#!/usr/bin/env bash
# Regenerates what the `verify` fuzz target trusts, from one `ecert demo --today 2026-11-23` run: trust-list.json
# (signed, sequence 1) and root-spki.pem (the pinned root), both compiled into the target with include_bytes!,
# and seeds/, demo samples sealed under that root (so the fuzzer starts on the trusted path; the demo's keys
# are thrown away). Re-run after a change to the trust-list, certificate or seal format, and commit the result.
#   crates/ecert-verify/fuzz/refresh-demo-trust.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$repo" && cargo run -q --locked -p ecert-cli -- demo --out "$tmp/demo" --today 2026-11-23 >/dev/null)
cp "$tmp/demo/trust-list.json" "$tmp/demo/root-spki.pem" "$here/"
rm -rf "$here/seeds"
mkdir -p "$here/seeds"
# A few samples, not all (≈ 50 KB each): two styles, a rotated association seal, an annotated copy.
for f in valid-style1 valid-style2 pre-2021-association annotation-expired; do
  cp "$tmp/demo/samples/$f.pdf" "$here/seeds/"
done
echo "refreshed $here/{trust-list.json,root-spki.pem,seeds/} (root-spki.pem sha256 $(sha256sum "$here/root-spki.pem" | cut -c1-16)…)"
