// Test fixture: the `ecert` binary (release), a demo PKI + samples for today (China time) made by `ecert demo`,
// and www built against that demo's trust list and pinned root (scripts/build-www.sh DEMO OUT).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const TARGET = resolve(ROOT, process.env.CARGO_TARGET_DIR || 'target');
export const ARTIFACTS = join(ROOT, 'target/test-artifacts/browser');

/** Today in China time, YYYY-MM-DD. */
export function chinaToday(nowMs = Date.now()) {
  return new Date(nowMs + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

function run(cmd, args, opts = {}) {
  execFileSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], ...opts });
}

let cached = null;

export function fixture() {
  if (cached) return cached;
  const today = chinaToday();
  const base = join(TARGET, 'browser-fixture');
  mkdirSync(base, { recursive: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  run('cargo', ['build', '-q', '--release', '-p', 'ecert-cli'], { env: { ...process.env, CARGO_TARGET_DIR: TARGET } });
  const ecert = join(TARGET, 'release/ecert');
  const demoDir = join(base, `demo-${today}`);
  const fresh = existsSync(join(demoDir, 'samples/manifest.json'))
    && statSync(join(demoDir, 'samples/manifest.json')).mtimeMs > statSync(ecert).mtimeMs;
  if (!fresh) {
    rmSync(demoDir, { recursive: true, force: true });
    run(ecert, ['demo', '--out', demoDir, '--today', today], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const distDir = join(base, 'dist');
  run(join(ROOT, 'scripts/build-www.sh'), [demoDir, distDir], { env: { ...process.env, CARGO_TARGET_DIR: TARGET, ECERT_EDGE: '' } });
  const manifest = JSON.parse(readFileSync(join(demoDir, 'samples/manifest.json'), 'utf8'));
  cached = { today, ecert, demoDir, distDir, manifest, samplesDir: join(demoDir, 'samples') };
  return cached;
}

/** Masked form of an ID number as the verdict shows it: first 3 and last 4 characters kept. */
export function masked(id) {
  return `${id.slice(0, 3)}${'*'.repeat(id.length - 7)}${id.slice(-4)}`;
}
