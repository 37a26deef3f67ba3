#!/usr/bin/env bash
# Screenshots of the page (zh and en, desktop 1280×900 and phone 375×667, light and dark) for www/README.md, made
# from the real build in headless Chromium (tests/browser/screenshots.mjs): the ecert demo for today, www built
# against it, three certificates dropped. Output: www/screenshots/ (ECERT_SCREENSHOTS=DIR elsewhere).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
. "$here/scripts/env.sh"
cd "$here" && node tests/browser/screenshots.mjs
# The holder's pages and 证书查验 (issue 18): the real edge on workerd and the real signer → www/screenshots/holder-*.png
cd "$here" && node tests/browser/holder-screenshots.mjs
