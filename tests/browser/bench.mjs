// Browser benchmark (run by scripts/bench-browser.sh): in headless Chromium, for a ~200 KB and a ~5 MB valid
// certificate, the cold first verdict after page load (fresh browser profile each time: no wasm code cache),
// the warm verify, and the wasm floor (SHA-256 over the file + one ECDSA P-256 verify, same wasm build).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { launch } from './support/chromium.mjs';
import { ARTIFACTS, ROOT, TARGET, fixture } from './support/fixture.mjs';
import { serve } from './support/server.mjs';

const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS || 5);
const WARM = Number(process.env.BENCH_WARM || 15);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

const fx = fixture();
execFileSync('cargo', ['build', '-q', '--release', '-p', 'ecert-wasm', '--example', 'bench_sample'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, CARGO_TARGET_DIR: TARGET } });
const tool = join(TARGET, 'release/examples/bench_sample');
const record = join(fx.demoDir, 'bench-record.json');
writeFileSync(record, execFileSync('qpdf', ['--show-attachment=ecert-record.json', join(fx.samplesDir, 'valid-style1.pdf')]));
const at = Math.floor(Date.parse(`${fx.today}T10:00:00+08:00`) / 1000);
const files = [['200k', 200 * 1024], ['5m', 5 * 1024 * 1024]].map(([name, size]) => {
  const out = join(fx.demoDir, `bench-${name}.pdf`);
  if (!existsSync(out)) execFileSync(tool, [join(fx.demoDir, 'pki'), record, String(at), String(size), out], { stdio: 'inherit' });
  return { name, path: out, size: readFileSync(out).length };
});

const server = await serve({ root: fx.distDir, extra: Object.fromEntries(files.map((f) => [`/bench/${f.name}.pdf`, f.path])) });
const results = [];
const hashFirst = [];
try {
  for (const f of files) {
    const runs = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      const b = await launch();
      try {
        const page = await b.context.newPage();
        await page.goto(`${server.url}/bench/?file=${encodeURIComponent(`/bench/${f.name}.pdf`)}&warm=${i === 0 ? WARM : 1}`);
        await page.waitForFunction(() => window.benchResult, null, { timeout: 300000 });
        const r = await page.evaluate(() => window.benchResult);
        if (r.error) throw new Error(r.error);
        if (r.code !== 'VALID') throw new Error(`${f.name}: expected VALID, got ${r.code}`);
        runs.push(r);
      } finally {
        await b.close();
      }
    }
    const full = runs[0];
    results.push({
      file: f.name, size: f.size, cold_runs_ms: runs.map((r) => +r.cold_ms.toFixed(1)), cold_ms: median(runs.map((r) => r.cold_ms)),
      warm_roundtrip_ms: full.warm_roundtrip_ms, warm_in_worker_ms: full.warm_in_worker_ms,
      floor_ms: full.floor_one_call_ms, floor_chunked_ms: full.floor_chunked_ms,
      floor_sha256_ms: full.floor_sha256_ms, floor_sha256_chunked_ms: full.floor_sha256_chunked_ms, floor_ecdsa_ms: full.floor_ecdsa_ms,
      first_floor_one_call_ms: full.first_floor_one_call_ms,
      cold_parts: ['cold_ready_ms', 'worker_script_ms', 'main_compile_ms', 'worker_start_ms', 'boot_wasm_ms', 'boot_trust_ms', 'cold_first_verify_ms', 'trust_warm_ms']
        .map((k) => [k, median(runs.map((r) => r[k]))]),
    });
  }
  // The first SHA-256 of 5 MB in a fresh wasm instance: one update, chunked updates inside one call, or chunks
  // across calls from JS (fresh profile each).
  const big = files.find((f) => f.name === '5m');
  for (const variant of ['one', 'inside', 'js']) {
    const runs = [];
    for (let i = 0; i < Math.max(3, Math.ceil(COLD_RUNS / 2)); i++) {
      const b = await launch();
      try {
        const page = await b.context.newPage();
        await page.goto(`${server.url}/bench/?file=${encodeURIComponent(`/bench/${big.name}.pdf`)}&hash=${variant}`);
        await page.waitForFunction(() => window.benchResult, null, { timeout: 300000 });
        runs.push(await page.evaluate(() => window.benchResult));
      } finally {
        await b.close();
      }
    }
    hashFirst.push({ variant, first_ms: median(runs.map((r) => r.first_ms)), second_ms: median(runs.map((r) => r.second_ms)) });
  }
} finally {
  await server.close();
}

const sizes = JSON.parse(readFileSync(join(fx.distDir, 'sizes.json'), 'utf8'));
const f1 = (x) => x.toFixed(1).padStart(7);
console.log(`\necert browser benchmark — Chromium ${execFileSync('chromium', ['--version'], { encoding: 'utf8' }).trim().split(' ')[1] || ''}, ${COLD_RUNS} cold runs (fresh profiles), ${WARM} warm`);
console.log('file    size      cold(median)  warm(round trip)  warm(in worker)  floor(1 call)  floor(64K chunks)  warm/floor');
for (const r of results) {
  const floor = Math.min(r.floor_ms, r.floor_chunked_ms);
  console.log(`${r.file.padEnd(6)} ${String(r.size).padStart(8)}  ${f1(r.cold_ms)} ms    ${f1(r.warm_roundtrip_ms)} ms        ${f1(r.warm_in_worker_ms)} ms       ${f1(r.floor_ms)} ms     ${f1(r.floor_chunked_ms)} ms      ${(r.warm_in_worker_ms / floor).toFixed(2)}×`);
  console.log(`         floor parts: SHA-256 ${r.floor_sha256_ms.toFixed(2)} ms (chunked ${r.floor_sha256_chunked_ms.toFixed(2)} ms) + ECDSA ${r.floor_ecdsa_ms.toFixed(2)} ms; first floor call in a fresh page ${r.first_floor_one_call_ms.toFixed(1)} ms; cold runs ${r.cold_runs_ms.join(', ')}`);
  console.log(`         cold parts (median): ${r.cold_parts.map(([k, v]) => `${k.replace(/_ms$/, '')} ${v.toFixed(1)} ms`).join(', ')}`);
}
console.log('\nfirst SHA-256 of 5 MB in a fresh wasm instance (median; then the second call):');
const label = { one: 'one update in one call       ', inside: '64 KiB updates in one call   ', js: '64 KiB chunks across JS calls' };
for (const h of hashFirst) console.log(`  ${label[h.variant]}  first ${f1(h.first_ms)} ms   second ${f1(h.second_ms)} ms`);
const small = results.find((r) => r.file === '200k');
const goals = [
  ['warm ≤ 1.5× floor (200 KB)', small.warm_in_worker_ms / Math.min(small.floor_ms, small.floor_chunked_ms), 1.5, '×'],
  ['warm ≤ 1.5× floor (5 MB)', (() => { const b = results.find((r) => r.file === '5m'); return b.warm_in_worker_ms / Math.min(b.floor_ms, b.floor_chunked_ms); })(), 1.5, '×'],
  ['cold 200 KB ≤ 100 ms (strict)', small.cold_ms, 100, ' ms'],
  ['  …first verify after boot', Object.fromEntries(small.cold_parts).cold_first_verify_ms, 100, ' ms'],
  ['wasm ≤ 300 KB gzipped', sizes.wasm_gzip_bytes / 1024, 300, ' KB'],
];
console.log('\ngoals (cold strict = worker start + wasm + trust-list verification + first verify, from a fresh profile;');
console.log('       "after boot" = the page booted the worker at load, then the first file: what a user who drops a file sees):');
for (const [name, v, goal, unit] of goals) {
  console.log(`  ${v <= goal ? 'met    ' : 'NOT met'}  ${name.padEnd(30)} measured ${v.toFixed(2)}${unit} (ratio to goal ${(v / goal).toFixed(2)})`);
}
writeFileSync(join(ARTIFACTS, 'bench.json'), `${JSON.stringify({ results, hashFirst, sizes, goals }, null, 2)}\n`);
