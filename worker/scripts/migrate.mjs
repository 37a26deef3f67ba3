// Applies the D1 migrations of every database binding in worker/wrangler.toml to a local state directory: the
// control database (DB, worker/migrations/) and each registry shard (SHARD_*, worker/migrations/shard/).
//   node worker/scripts/migrate.mjs --persist-to DIR [--only DB,SHARD_0]      (wrangler from scripts/env.sh on PATH)
// Also importable: applyMigrations({ persist, bindings?, run }).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const WORKER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The D1 binding names of wrangler.toml, in order (DB first). */
export function d1Bindings() {
  const toml = readFileSync(join(WORKER_DIR, 'wrangler.toml'), 'utf8');
  const out = [];
  for (const block of toml.split('[[d1_databases]]').slice(1)) {
    const m = /^\s*binding\s*=\s*"([A-Z0-9_]+)"/m.exec(block.split(/^\[/m)[0]);
    if (m) out.push(m[1]);
  }
  return out;
}

function wrangler(args, env) {
  return new Promise((res, rej) => {
    const child = spawn('wrangler', args, { cwd: WORKER_DIR, env: { ...process.env, CI: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', rej);
    child.on('close', (code) => (code === 0 ? res(out) : rej(new Error(`wrangler ${args.join(' ')} exited ${code}:\n${out.slice(-3000)}`))));
  });
}

/** Apply migrations to every binding, one wrangler process after another (two at once on one state directory can
 * fail with SQLITE_BUSY); a busy database is tried again. */
export async function applyMigrations({ persist, bindings = d1Bindings(), env = {} }) {
  for (const b of bindings) {
    for (let attempt = 1; ; attempt++) {
      try {
        await wrangler(['d1', 'migrations', 'apply', b, '--local', '--persist-to', persist], env);
        break;
      } catch (e) {
        if (attempt >= 3 || !/SQLITE_BUSY|database is locked/.test(e.message)) throw e;
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
  }
  return bindings;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  const persist = opt('--persist-to');
  if (!persist) { console.error('usage: migrate.mjs --persist-to DIR [--only A,B]'); process.exit(2); }
  const only = opt('--only');
  const t0 = Date.now();
  const done = await applyMigrations({ persist: resolve(persist), bindings: only ? only.split(',') : undefined });
  console.error(`migrations applied to ${done.join(', ')} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
