#!/usr/bin/env bash
# Runs the edge worker locally on workerd with fresh local D1 databases (control + 4 registry shards), seeded from an `ecert demo` directory
# (and a holder account for 张伟), serving www/dist next to the API; beside it the issuing side's status publisher
# (`ecert status publish`) and 加注 signer (`ecert signer`). Stays in the foreground until Ctrl-C.
#   worker/scripts/dev.sh [DEMO_DIR [PORT]]      (defaults: demo-out, 8787; honours CARGO_TARGET_DIR)
# Secrets for local use live in worker/.dev.vars (git-ignored), created with random tokens on first use (and the
# demo holder's password, DEMO_HOLDER_PASSWORD); the pinned root (ROOT_SPKI) is taken from DEMO_DIR/root-spki.pem
# on every start.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
. "$here/scripts/env.sh"
demo="$(cd "${1:-$here/demo-out}" && pwd)"
port="${2:-8787}"
wdir="$here/worker"
[ -f "$demo/trust-list.json" ] && [ -f "$demo/root-spki.pem" ] || { echo "$demo is not an 'ecert demo' directory" >&2; exit 2; }

# Another server on the port would answer the readiness probe below and receive our seeds: refuse early.
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "127.0.0.1:$port is already in use (another ecert edge or wrangler dev?): stop it or pass another port" >&2
  exit 2
fi

"$wdir/scripts/build.sh"

assets="$here/www/dist"
if [ ! -d "$assets" ]; then
  mkdir -p "$assets"
  printf '<!doctype html><meta charset="utf-8"><title>ecert</title><p>ecert edge: the page is not built yet (scripts/build-www.sh). API: <a href="/v1/scope">/v1/scope</a></p>\n' > "$assets/index.html"
fi

vars="$wdir/.dev.vars"
if [ ! -f "$vars" ]; then
  umask 077
  {
    echo "ADMIN_TOKEN=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"
    echo "AUDIT_TOKEN=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"
    echo "LOOKUP_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
  } > "$vars"
fi
# The key that places rows in shards (an older .dev.vars has none: add it; the D1 state is fresh on every start).
grep -q '^SHARD_KEY=' "$vars" || echo "SHARD_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" >> "$vars"
# The signer's credential (the edge's SIGNER_TOKEN secret, operator `signer`, right `sign` only) and the password
# of the demo holder account the seed creates for 张伟 (not a worker secret: kept out of the worker's env below).
grep -q '^SIGNER_TOKEN=' "$vars" || echo "SIGNER_TOKEN=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')" >> "$vars"
# The pepper of holder passwords and the CSRF key (optional at the edge, which would derive one from LOOKUP_KEY).
grep -q '^PASSWORD_PEPPER=' "$vars" || echo "PASSWORD_PEPPER=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" >> "$vars"
grep -q '^DEMO_HOLDER_PASSWORD=' "$vars" || echo "DEMO_HOLDER_PASSWORD=demo-$(od -An -tx1 -N6 /dev/urandom | tr -d ' \n')" >> "$vars"
env_file="$(mktemp)"
chmod 600 "$env_file"
grep -v -e '^ROOT_SPKI=' -e '^DEMO_HOLDER_PASSWORD=' "$vars" > "$env_file" || true
echo "ROOT_SPKI=$(grep -v -- ----- "$demo/root-spki.pem" | tr -d '\n')" >> "$env_file"
admin_token="$(sed -n 's/^ADMIN_TOKEN=//p' "$vars")"
signer_token="$(sed -n 's/^SIGNER_TOKEN=//p' "$vars")"
holder_password="$(sed -n 's/^DEMO_HOLDER_PASSWORD=//p' "$vars")"

state="$wdir/.wrangler/demo-state"
rm -rf "$state"
# The control database (DB) and every registry shard (SHARD_*) of wrangler.toml.
node "$wdir/scripts/migrate.mjs" --persist-to "$state"

cd "$wdir"
wrangler dev --local --ip 127.0.0.1 --port "$port" --persist-to "$state" --env-file "$env_file" --assets "$assets" \
  --show-interactive-dev-session=false &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$env_file"; }
trap cleanup EXIT INT TERM

base="http://127.0.0.1:$port"
for _ in $(seq 1 360); do
  curl -sf -o /dev/null "$base/v1/noop" && break
  kill -0 "$pid" 2>/dev/null || { echo "wrangler dev exited" >&2; exit 1; }
  sleep 0.25
done
curl -sf -o /dev/null "$base/v1/noop" || { echo "wrangler dev did not become ready" >&2; exit 1; }
# The demo data, and a holder account for 张伟 with the password above.
ADMIN_TOKEN="$admin_token" node "$wdir/scripts/seed.mjs" --base "$base" --demo "$demo" --holder-password "$holder_password"

# The issuing side's status publisher: reads every copy from the edge, signs a snapshot (or a delta) with the
# demo's status key — which stays here, never on the edge — and uploads it; then again whenever the registry
# changes (a revocation through the admin API shows in the next snapshot within seconds).
ecert="${CARGO_TARGET_DIR:-$here/target}/release/ecert"
(cd "$here" && cargo build -q --release --locked -p ecert-cli)
ECERT_ADMIN_TOKEN="$admin_token" "$ecert" status publish --pki "$demo/pki" --edge "$base" --every "${ECERT_STATUS_EVERY:-5}" &
publisher=$!
# The issuing side's 加注 signer: claims the holders' 加注 jobs from the edge, checks them against the demo's own
# ledger, seals them with the demo's seal keys (which stay here, never on the edge), time-stamps, uploads.
ECERT_SIGNER_TOKEN="$signer_token" "$ecert" signer --edge "$base" --pki "$demo/pki" --trust-list "$demo/trust-list.json" \
  --every "${ECERT_SIGNER_EVERY:-2}" &
signer=$!
cleanup() { kill "$signer" "$publisher" "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$env_file"; }
# 张伟's 证件号码, from the demo's manifest (the seed made his account).
zhang_id="$(node -e 'const m=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));const s=m.samples.find((s)=>s.holder_name==="张伟");console.log(s?s.id_number:"")' "$demo/samples/manifest.json")"

cat <<EOF

ecert 本地服务 local service (workerd, local D1 seeded from $demo):
  页面 page           $base/
  核验范围 scope       $base/v1/scope
  信任列表 trust list  $base/v1/trust-list
  状态快照 snapshot     $base/v1/status/snapshot  (and /v1/status/delta; signed by the publisher every ${ECERT_STATUS_EVERY:-5} s when the registry changed)
  状态 status bucket   $base/v1/status/{4 hex of the copy's status id}
  证书查验 lookup      POST $base/v1/lookup
  持证人 holder pages  $base/holder/  (登录 sign in, 我的证书 my certificates, 加注, 下载 download)
  证书查验页 lookup    $base/lookup/
  演示账号 demo login  姓名 张伟 · 证件号码 $zhang_id · 密码 password $holder_password
  签名方 signer        ecert signer (pid $signer): 每 ${ECERT_SIGNER_EVERY:-2} 秒领取加注任务 claims 加注 jobs every ${ECERT_SIGNER_EVERY:-2} s, seals, uploads
  验证 verify          POST $base/v1/verify  (application/pdf)
  管理 admin           $base/v1/admin/…  (Authorization: Bearer \$(sed -n 's/^ADMIN_TOKEN=//p' worker/.dev.vars))
  API 文档             docs/openapi.yaml
按 Ctrl-C 停止 / Ctrl-C stops it.
EOF
wait "$pid"
