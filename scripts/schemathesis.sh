#!/usr/bin/env bash
# Property-based tests of the edge against its OpenAPI file: schemathesis (pinned; installed by scripts/setup.sh)
# with every check on, against the real worker on workerd started fresh (a new `ecert demo`, local D1 shards,
# seeded; the demo's status snapshot published), the admin token sent for the admin routes. Settings:
# scripts/schemathesis.toml (examples per operation, excluded operations and why). Exits non-zero on any failure.
#   scripts/schemathesis.sh [extra `st run` options, e.g. --max-examples 100 --seed 1]
# Reports (JUnit XML, NDJSON) go to target/schemathesis/.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
. "$here/scripts/env.sh"
st="${ECERT_ST_VENV:-$HOME/.local/share/ecert/schemathesis-venv}/bin/st"
[ -x "$st" ] || { echo "schemathesis not installed: run scripts/setup.sh" >&2; exit 2; }
mkdir -p "$here/target/schemathesis"
exec node "$here/scripts/schemathesis.mjs" "$st" --report junit,ndjson --report-dir "$here/target/schemathesis" "$@"
