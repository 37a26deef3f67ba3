// Starts the ecert edge worker for a test: the real worker on workerd (`wrangler dev --local`) with a fresh
// local D1, migrations applied, seeded from `ecert demo` output through the admin API.
//
//   import { startEdge } from '../support/edge.mjs';
//   const edge = await startEdge({ demoDir: 'demo-out' });   // options below
//   await fetch(`${edge.baseUrl}/v1/status/ab12`);
//   await fetch(`${edge.baseUrl}/v1/admin/revocations`, { method: 'POST',
//     headers: { authorization: `Bearer ${edge.adminToken}` }, body: JSON.stringify({ management_number, reason }) });
//   await edge.stop();
//
// startEdge(options) → Promise<{ baseUrl, adminToken, auditToken, signerToken, lookupKey, shardKey, stateDir, persist,
//                                 demoDir, port, seeded, logs(), stop() }>
//   signerToken  the SIGNER_TOKEN secret: the operator `signer`, whose only right is `sign` (/v1/signer/*)
//   demoDir  (required) an `ecert demo --out DIR` directory: trust-list.json, root-spki.pem, pki/register/*.json
//   port     TCP port on 127.0.0.1 (default: a free one)
//   vars     extra worker vars, e.g. { LOOKUP_RATE_LIMIT: '5/60' } (default: none; wrangler.toml's apply)
//   build    run worker/scripts/build.sh first (default true; it returns at once when nothing changed)
//   seed     publish the demo trust list and register the demo records (default true)
//   seedFiles  also store the demo's base PDFs (certificates needing no 加注) and import its annotated samples as done
//            加注 jobs (default false; seed.mjs `files`) — what the holder pages and tests need
//   holder   { name, idNumber, password }: also create this holder's account through the holder API (default none)
//   seeded   (returned) the seed's summary, or null without seed
//   prepareDb  async ({ persist, lookupKey }) called with the fresh local D1 state directory before the migrations
//            are applied (default none): the migration test applies older migrations and writes old-style rows
//            there first
//   persistDir  keep the D1/R2 state in this directory (created if missing) instead of a temp dir, and leave it on
//            stop(): the capacity fill restarts an edge on its bulk-loaded shards (default none)
//   secrets  { adminToken, auditToken, signerToken, lookupKey, shardKey, passwordPepper } to reuse (default: random per start)
//   migrate  D1 bindings to apply migrations to (default: DB and every shard of the SHARDS var, or of vars.SHARDS);
//            the resharding test adds the shards it moves to
// The registry is split across shards (worker/wrangler.toml: SHARD_0..SHARD_3 by default, docs/edge.md "Shards");
// the shard key (SHARD_KEY) is random per start like the other secrets.
//   assetsDir  static files served next to the API (default www/dist; a placeholder page is written there if
//            the directory does not exist yet, so the worker starts before the browser side is built)
//   timeoutMs  how long to wait for the build and for readiness (default 30 min / 90 s)
// The admin/audit tokens and the lookup key are random per start. The D1 state lives in a temp dir removed by
// stop(). Tool paths come from scripts/env.sh (Node 22, wrangler, worker-build and its offline tools), so this
// works from any Node >= 20 and any cwd. Stable interface: the browser tests use it too.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { applyMigrations } from '../../worker/scripts/migrate.mjs';
import { seed as seedEdge } from '../../worker/scripts/seed.mjs';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WORKER_DIR = join(REPO, 'worker');

/** Run a command with scripts/env.sh sourced; resolves with its output, rejects with it on failure. */
export function runWithEnv(cmd, args, { cwd = REPO, env = {}, timeoutMs = 600_000 } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', ['-c', `. "${REPO}/scripts/env.sh" && exec "$@"`, 'edge', cmd, ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out.slice(-4000)}`));
    });
  });
}

/** PATH and wrangler settings of scripts/env.sh, for spawning wrangler directly. */
let toolEnvCache;
export async function toolEnv() {
  toolEnvCache ??= (async () => {
    const out = await runWithEnv('bash', ['-c', 'env -0']);
    const env = {};
    for (const kv of out.split('\0')) {
      const i = kv.indexOf('=');
      if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
    }
    return { PATH: env.PATH, XDG_CONFIG_HOME: env.XDG_CONFIG_HOME, WRANGLER_SEND_METRICS: 'false',
      WRANGLER_SEND_ERROR_REPORTS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };
  })();
  return toolEnvCache;
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePromise(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Make sure the static-assets directory exists (wrangler refuses to start without it). */
export async function ensureAssetsDir(dir) {
  if (!existsSync(dir)) {
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'index.html'),
      '<!doctype html><meta charset="utf-8"><title>ecert</title><p>ecert edge: the page is not built yet (scripts/build-www.sh). API: <a href="/v1/scope">/v1/scope</a></p>\n',
    );
  }
}

/** The shard list of wrangler.toml's SHARDS var. */
export async function configuredShards() {
  const toml = await readFile(join(WORKER_DIR, 'wrangler.toml'), 'utf8');
  const m = /^SHARDS\s*=\s*"([^"]*)"/m.exec(toml);
  return m ? m[1].split(',').map((s) => s.trim()) : [];
}

export async function startEdge({ demoDir, port, vars = {}, build = true, seed = true, seedFiles = false, holder, timeoutMs, assetsDir, prepareDb, migrate, persistDir, secrets = {} } = {}) {
  if (!demoDir) throw new Error('startEdge: demoDir is required');
  demoDir = resolve(demoDir);
  assetsDir = resolve(assetsDir ?? join(REPO, 'www', 'dist'));
  await ensureAssetsDir(assetsDir);
  const buildTimeout = timeoutMs ?? 30 * 60_000;
  const readyTimeout = timeoutMs ?? 90_000;
  const cargoEnv = { CARGO_TARGET_DIR: process.env.CARGO_TARGET_DIR ?? join(REPO, 'target') };
  if (build) await runWithEnv(join(WORKER_DIR, 'scripts', 'build.sh'), [], { env: cargoEnv, timeoutMs: buildTimeout });

  port ??= await freePort();
  const inspectorPort = await freePort();
  const stateDir = await mkdtemp(join(tmpdir(), 'ecert-edge-'));
  const adminToken = secrets.adminToken ?? randomBytes(24).toString('hex');
  const auditToken = secrets.auditToken ?? randomBytes(24).toString('hex');
  const lookupKey = secrets.lookupKey ?? randomBytes(32).toString('hex');
  const shardKey = secrets.shardKey ?? randomBytes(32).toString('hex');
  // A SIGNER_TOKEN / PASSWORD_PEPPER given in `vars` wins (its line comes last in the env file): report that one.
  const signerToken = secrets.signerToken ?? vars.SIGNER_TOKEN ?? randomBytes(24).toString('hex');
  const passwordPepper = secrets.passwordPepper ?? vars.PASSWORD_PEPPER ?? randomBytes(32).toString('hex');
  const rootSpki = (await readFile(join(demoDir, 'root-spki.pem'), 'utf8'))
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'))
    .join('');
  const envFile = join(stateDir, 'worker.env');
  await writeFile(
    envFile,
    [
      `ADMIN_TOKEN=${adminToken}`,
      `AUDIT_TOKEN=${auditToken}`,
      `LOOKUP_KEY=${lookupKey}`,
      `SHARD_KEY=${shardKey}`,
      `SIGNER_TOKEN=${signerToken}`,
      `PASSWORD_PEPPER=${passwordPepper}`,
      `ROOT_SPKI=${rootSpki}`,
      ...Object.entries(vars).map(([k, v]) => `${k}=${v}`),
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const persist = persistDir ? resolve(persistDir) : join(stateDir, 'state');
  if (persistDir) await mkdir(persist, { recursive: true });
  if (prepareDb) await prepareDb({ persist, lookupKey });
  migrate ??= ['DB', ...(vars.SHARDS ? String(vars.SHARDS).split(',') : await configuredShards())];
  await applyMigrations({ persist, bindings: migrate, env: await toolEnv() });

  const child = spawn(
    'bash',
    [
      '-c',
      `. "${REPO}/scripts/env.sh" && exec "$@"`,
      'edge',
      'wrangler',
      'dev',
      '--local',
      '--ip', '127.0.0.1',
      '--port', String(port),
      '--inspector-port', String(inspectorPort),
      '--persist-to', persist,
      '--env-file', envFile,
      '--assets', assetsDir,
      '--show-interactive-dev-session=false',
      '--live-reload=false',
    ],
    { cwd: WORKER_DIR, env: { ...process.env, ...cargoEnv, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  let exited = null;
  const exitPromise = new Promise((r) => child.on('exit', (code, signal) => r((exited = { code, signal }))));

  const stop = async () => {
    if (exited === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {}
      const killTimer = setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {}
      }, 5000);
      await exitPromise;
      clearTimeout(killTimer);
    }
    await rm(stateDir, { recursive: true, force: true });
  };

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeout;
  for (;;) {
    if (exited !== null) {
      await stop();
      throw new Error(`wrangler dev exited (${JSON.stringify(exited)}) before it was ready:\n${log.slice(-4000)}`);
    }
    try {
      const r = await fetch(`${baseUrl}/v1/noop`);
      if (r.ok) break;
    } catch {}
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev not ready after ${readyTimeout} ms:\n${log.slice(-4000)}`);
    }
    await sleep(250);
  }
  let seeded = null;
  if (seed) {
    try {
      seeded = await seedEdge({ baseUrl, adminToken, demoDir, files: seedFiles, holder });
    } catch (e) {
      await stop();
      throw e;
    }
  }
  return { baseUrl, adminToken, auditToken, signerToken, passwordPepper, lookupKey, shardKey, stateDir, persist, demoDir, port, seeded, logs: () => log, stop };
}

/** Today in China time (UTC+8), YYYY-MM-DD: the day the worker's clock judges annotations by. */
export function chinaToday(nowMs = Date.now()) {
  return new Date(nowMs + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

/** A YYYY-MM-DD day plus `n` days. */
export function addDays(day, n) {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A fresh `ecert demo` directory for today (China time) in a temp dir, from $ECERT_BIN or the release `ecert`
 * binary (built if out of date, in $CARGO_TARGET_DIR or target/). Returns { demoDir, ecert, manifest, cleanup() }.
 */
export async function makeDemo({ today = chinaToday() } = {}) {
  let ecert = process.env.ECERT_BIN;
  if (!ecert) {
    const target = process.env.CARGO_TARGET_DIR ?? join(REPO, 'target');
    await runWithEnv('cargo', ['build', '-q', '--release', '-p', 'ecert-cli'], {
      env: { CARGO_TARGET_DIR: target },
      timeoutMs: 30 * 60_000,
    });
    ecert = join(target, 'release', 'ecert');
  }
  const dir = await mkdtemp(join(tmpdir(), 'ecert-demo-'));
  const demoDir = join(dir, 'demo');
  await runWithEnv(ecert, ['demo', '--out', demoDir, '--today', today]);
  const manifest = JSON.parse(await readFile(join(demoDir, 'samples', 'manifest.json'), 'utf8'));
  return { demoDir, ecert, manifest, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
