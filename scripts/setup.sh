#!/usr/bin/env bash
# Installs everything ecert's build, demo and tests need on a fresh machine. Idempotent: tools already present
# are left alone. Sources: Debian apt (validators, CJK fonts), PyPI (pyHanko), the machine's Rust toolchain.
set -euo pipefail

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi

command -v cargo >/dev/null || { echo "cargo not found: install Rust (rustup) first" >&2; exit 1; }

apt_pkgs=()
command -v pdfsig   >/dev/null || apt_pkgs+=(poppler-utils)
command -v qpdf     >/dev/null || apt_pkgs+=(qpdf)
[ -f /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc ] || apt_pkgs+=(fonts-noto-cjk)
[ -f /usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf ] || apt_pkgs+=(fonts-babelstone-han)
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  log "apt: ${apt_pkgs[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_pkgs[@]}" >/dev/null
fi

if ! command -v pyhanko >/dev/null; then
  log "pip: pyHanko (independent PAdES validator)"
  python3 -m pip install -q --disable-pip-version-check "pyHanko==0.38.0" "pyhanko-cli==0.6.0" "pyhanko-certvalidator==0.33.0"
fi
log "ready: $(pdfsig -v 2>&1 | head -1), $(pyhanko --version 2>/dev/null | head -1), $(cargo --version)"
