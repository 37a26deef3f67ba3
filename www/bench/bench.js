// Benchmark page: cold first verdict after page load, warm verify, and the wasm floor (SHA-256 over the file +
// one ECDSA P-256 verify, same wasm build). Results in window.benchResult (read by scripts/bench-browser.sh).
import { EcertClient } from '../widget/ecert-verify.js';

const q = new URLSearchParams(location.search);
const file = q.get('file');
const warmN = Number(q.get('warm') || 15);
const now = q.get('now') ? Number(q.get('now')) : undefined;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function hashOnly(bytes, variant) {
  // A fresh page: the very first SHA-256 of the file in this wasm instance, then a second one.
  const client = new EcertClient({});
  await client.ready();
  const send = () => { const c = bytes.slice().buffer; return client.call('hash', { bytes: c, variant, chunk: 65536 }, [c], 120000); };
  const first = (await send()).ms;
  const second = (await send()).ms;
  return { variant, first_ms: first, second_ms: second };
}

async function run() {
  const bytes = new Uint8Array(await (await fetch(file, { cache: 'no-store' })).arrayBuffer());
  if (q.get('hash')) return hashOnly(bytes, q.get('hash'));
  // Cold: from here (page loaded, file in memory) to the first verdict: worker start, wasm fetch + compile,
  // trust-list verification under the pinned root, and the verify itself.
  const t0 = performance.now();
  const client = new EcertClient({});
  const trust = await client.ready();
  const tReady = performance.now() - t0;
  const workerStart = trust.boot_ms.started_at - (performance.timeOrigin + t0);
  const workerScript = trust.boot_ms.script_at - (performance.timeOrigin + t0);
  const t1 = performance.now();
  const first = await client.verify(bytes, { now });
  const cold = performance.now() - t0;
  const coldVerify = performance.now() - t1;
  const sinceNavigation = performance.now();

  const warm = [];
  for (let i = 0; i < warmN; i++) {
    const t = performance.now();
    await client.verify(bytes, { now });
    warm.push(performance.now() - t);
  }
  const inWorker = await client.timeVerify(bytes, warmN, now);
  const trustWarm = (await client.call('trust_cost')).trust_ms;
  const floorOne = [];
  const floorChunked = [];
  for (let i = 0; i < warmN; i++) {
    floorOne.push(await client.floor(bytes, 0));
    floorChunked.push(await client.floor(bytes, 64 * 1024));
  }
  const pick = (rs, k) => median(rs.map((r) => r[k]));
  return {
    file, size: bytes.length, code: first.code,
    cold_ms: cold, cold_since_navigation_ms: sinceNavigation, cold_ready_ms: tReady, cold_first_verify_ms: coldVerify,
    worker_script_ms: workerScript, main_compile_ms: client.compileMs, worker_start_ms: workerStart, boot_wasm_ms: trust.boot_ms.wasm, boot_trust_ms: trust.boot_ms.trust, trust_warm_ms: trustWarm,
    warm_roundtrip_ms: median(warm), warm_in_worker_ms: median(inWorker.times.slice(1)),
    floor_one_call_ms: pick(floorOne, 'total_ms'), floor_chunked_ms: pick(floorChunked, 'total_ms'),
    floor_sha256_ms: pick(floorOne, 'sha256_ms'), floor_sha256_chunked_ms: pick(floorChunked, 'sha256_ms'),
    floor_ecdsa_ms: pick(floorOne, 'ecdsa_ms'),
    first_floor_one_call_ms: floorOne[0].total_ms,
  };
}

run().then((r) => {
  window.benchResult = r;
  document.getElementById('out').textContent = JSON.stringify(r, null, 2);
}, (e) => {
  window.benchResult = { error: String(e && e.message || e) };
  document.getElementById('out').textContent = String(e);
});
