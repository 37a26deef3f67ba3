// Measures a point read and a single-row write through D1 and through a Durable Object with SQLite storage, on
// the same local workerd (wrangler dev), each after filling 100 000 rows. Prints p50/p99 per operation next to a
// no-op request. Usage: . scripts/env.sh && node worker/experiments/d1-vs-do/run.mjs [PORT]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const port = Number(process.argv[2] ?? 8799);
const state = mkdtempSync(join(tmpdir(), 'd1do-'));
const child = spawn('wrangler', ['dev', '--local', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', state,
  '--show-interactive-dev-session=false', '--live-reload=false', '--inspector-port', String(port + 1)],
  { cwd: here, env: { ...process.env, CI: '1' }, stdio: 'ignore', detached: true });
const base = `http://127.0.0.1:${port}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
try {
  for (let t = 0; ; t++) { try { if ((await fetch(`${base}/noop`)).ok) break; } catch {} if (t > 400) throw new Error('not ready'); await sleep(250); }
  const N = 100_000, step = 2_000;
  for (const kind of ['d1', 'do']) {
    const t0 = performance.now();
    for (let f = 0; f < N; f += step) { const r = await fetch(`${base}/${kind}/fill?from=${f}&to=${f + step}`); if (!r.ok) throw new Error(await r.text()); }
    console.log(`${kind}: filled ${N} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const runs = 2000;
  const measure = async (path) => {
    const lat = [];
    for (let j = 0; j < runs; j++) {
      const i = Math.floor(Math.random() * N);
      const t = performance.now();
      const r = await fetch(`${base}${path}?i=${i}`); await r.text();
      lat.push(performance.now() - t);
    }
    lat.sort((a, b) => a - b);
    const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(2);
    return `p50 ${q(0.5)} ms  p99 ${q(0.99)} ms`;
  };
  for (let round = 0; round < 2; round++) {
    for (const p of ['/noop', '/d1/read', '/do/read', '/d1/write', '/do/write']) console.log(`round ${round} ${p.padEnd(10)} ${await measure(p)}`);
  }
} finally {
  try { process.kill(-child.pid, 'SIGTERM'); } catch {}
  await sleep(500);
  rmSync(state, { recursive: true, force: true });
}
