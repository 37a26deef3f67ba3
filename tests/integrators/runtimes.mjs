// The server entry (@ecert/verify-widget/server) as an integrator runs it outside Node: a project directory with the
// built package in node_modules/, then (a) a Deno 2 script (deno/verify.mjs) and (b) a Cloudflare Worker
// (workerd/worker.mjs) on workerd through `wrangler dev --local`; and (c) the package's .d.ts files type-checked
// against an integrator's code (deno/types.ts, `deno check`). Used by tests/browser/integrators.test.mjs, which
// compares their verdicts with Node's, the widget's, the CLI's and the edge's.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { freePort, toolEnv } from '../support/edge.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '../..');

/** A project at `dir` depending on the package built in `widgetDir` (dist/widget), with the Deno script and the Worker. */
export function integratorProject(widgetDir, dir) {
  mkdirSync(join(dir, 'node_modules/@ecert'), { recursive: true });
  cpSync(widgetDir, join(dir, 'node_modules/@ecert/verify-widget'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'integrator', private: true, type: 'module', dependencies: { '@ecert/verify-widget': '0.1.0' } }, null, 2)}\n`);
  cpSync(join(HERE, 'deno/verify.mjs'), join(dir, 'verify.mjs'));
  cpSync(join(HERE, 'deno/types.ts'), join(dir, 'types.ts'));
  cpSync(join(HERE, 'deno/deno.json'), join(dir, 'deno.json'));
  cpSync(join(HERE, 'workerd/worker.mjs'), join(dir, 'worker.mjs'));
  cpSync(join(HERE, 'workerd/wrangler.toml'), join(dir, 'wrangler.toml'));
  return dir;
}

async function denoEnv() {
  return { ...process.env, ...(await toolEnv()), DENO_NO_UPDATE_CHECK: '1', DENO_DIR: join(REPO, 'target/deno-dir'), NO_COLOR: '1' };
}

/** `deno run --allow-read verify.mjs PATHS…` in the project → `{deno, held, out: [{verdict, ids, names}]}`. */
export async function runDeno(dir, paths) {
  const env = await denoEnv();
  const r = spawnSync('deno', ['run', '--no-lock', '--allow-read', 'verify.mjs', ...paths], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw new Error(`deno could not run (scripts/setup.sh installs it): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`deno exited ${r.status}:\n${r.stderr.slice(-4000)}`);
  return JSON.parse(r.stdout);
}

/**
 * `deno check` (TypeScript, strict, DOM lib) of types.ts against the package's .d.ts files → `{status, output}`;
 * status 0 when they declare what an integrator uses and refuse what they must.
 */
export async function checkTypes(dir) {
  const r = spawnSync('deno', ['check', '--no-lock', '--config', 'deno.json', 'types.ts'], { cwd: dir, env: await denoEnv(), encoding: 'utf8', timeout: 180_000 });
  if (r.error) throw new Error(`deno could not run (scripts/setup.sh installs it): ${r.error.message}`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** The project's Worker on workerd (`wrangler dev --local`) → `{baseUrl, logs(), stop()}`, ready when /held answers. */
export async function startWorker(dir, { timeoutMs = 120_000 } = {}) {
  const port = await freePort();
  const inspectorPort = await freePort();
  const child = spawn('bash', ['-c', `. "${REPO}/scripts/env.sh" && exec "$@"`, 'integrator', 'wrangler', 'dev', '--local',
    '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort),
    '--show-interactive-dev-session=false', '--live-reload=false'],
  { cwd: dir, env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  let exited = null;
  const exitPromise = new Promise((r) => child.on('exit', (code, signal) => r((exited = { code, signal }))));
  const stop = async () => {
    if (exited !== null) return;
    try { process.kill(-child.pid, 'SIGTERM'); } catch {}
    const t = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch {} }, 5000);
    await exitPromise;
    clearTimeout(t);
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== null) throw new Error(`wrangler dev exited (${JSON.stringify(exited)}):\n${log.slice(-4000)}`);
    try {
      const r = await fetch(`${baseUrl}/held`);
      if (r.ok) break;
    } catch {}
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the integrator Worker was not ready after ${timeoutMs} ms:\n${log.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { baseUrl, logs: () => log, stop };
}
