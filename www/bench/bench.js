// Benchmark page (driven by scripts/bench-browser.sh; results in window.benchResult). Like the real page, it
// starts the verifier at page load (prewarm + EcertClient.ready: worker, wasm, bundled trust list, idle
// preparation). Then, by `mode`:
//   load  the file is "dropped" at the window's load event (or when its bytes are in memory, if later): the
//         first verdict then waits for whatever of the boot is not done yet — the earliest possible drop;
//   idle  the file is dropped once the verifier has finished preparing (what a user who opens the page and
//         then drags a file in sees); with warm=N, then N warm verifies (round trip through the worker), and
//         `pairs` (default N) rounds inside the worker of verify, floor with one hash call, floor with 64 KiB
//         hash pieces across calls (floor = SHA-256 over the file + one ECDSA P-256 verify in the same wasm);
//   hash  the first SHA-256 of the file in a fresh wasm instance (variant one | inside | js), then a second.
// ?file=URL&mode=load|idle|hash&warm=N&pairs=M&now=UNIX&variant=…
import { EcertClient, compileSpan, prewarm } from '../widget/ecert-verify.js';

const q = new URLSearchParams(location.search);
const mode = q.get('mode') || 'idle';
const warmN = Number(q.get('warm') || 0);
const pairs = Number(q.get('pairs') || warmN);
const now = q.get('now') ? Number(q.get('now')) : undefined;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const at = () => performance.now(); // ms since navigation start

// ---- page load: start the verifier exactly as www/page/app.js does ----------------------------------------
prewarm();
const client = new EcertClient({});
let readyAt = null;
const readyP = client.ready().then((t) => { readyAt = at(); return t; });
const bytesP = fetch(q.get('file'), { cache: 'no-store' }).then((r) => r.arrayBuffer()).then((b) => new Uint8Array(b));
const loaded = new Promise((r) => { if (document.readyState === 'complete') r(); else addEventListener('load', r, { once: true }); });

async function hashOnly(bytes, variant) {
  await readyP;
  const send = () => { const c = bytes.slice().buffer; return client.call('hash', { bytes: c, variant, chunk: 65536 }, [c], 120000); };
  const first = (await send()).ms;
  const second = (await send()).ms;
  return { variant, first_ms: first, second_ms: second };
}

async function prepared() {
  for (;;) {
    const p = await client.prepState();
    if (p.done) return p;
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function run() {
  if (mode === 'hash') return hashOnly(await bytesP, q.get('variant') || 'one');
  let bytes;
  let prep = null;
  if (mode === 'load') {
    await loaded;
    bytes = await bytesP;
  } else {
    bytes = await bytesP;
    prep = await prepared();
  }
  const dropAt = at();
  const first = await client.verify(bytes, { now });
  const verdictAt = at();
  const trust = await readyP;
  if (!prep) prep = await prepared();
  const out = {
    mode, size: bytes.length, code: first.code,
    cold_ms: verdictAt - dropAt, drop_at_ms: dropAt, verdict_at_ms: verdictAt, ready_at_ms: readyAt,
    prep_done_at_ms: prep.done_at - performance.timeOrigin, prep,
    compile_start_ms: compileSpan.start, compile_end_ms: compileSpan.end,
    worker_script_at_ms: trust.boot_ms.script_at - performance.timeOrigin,
    boot_wasm_ms: trust.boot_ms.wasm, boot_trust_ms: trust.boot_ms.trust,
  };
  if (warmN > 0) {
    const rt = [];
    for (let i = 0; i < warmN; i++) {
      const t = at();
      await client.verify(bytes, { now });
      rt.push(at() - t);
    }
    const c = await client.compare(bytes, pairs, now, 64 * 1024);
    // Per round: the floor is the faster of its two hash variants; the ratio is median verify / median floor.
    const floor = c.floor_one.map((x, i) => Math.min(x, c.floor_chunked[i]));
    Object.assign(out, {
      warm_roundtrip_ms: median(rt), warm_in_worker_ms: median(c.verify), floor_ms: median(floor),
      warm_ratio: median(c.verify) / median(floor),
      floor_one_call_ms: median(c.floor_one), floor_chunked_ms: median(c.floor_chunked),
      floor_sha256_ms: median(c.sha256_one), floor_sha256_chunked_ms: median(c.sha256_chunked), floor_ecdsa_ms: median(c.ecdsa),
      floor_ok: c.ok,
      trust_warm_ms: (await client.call('trust_cost')).trust_ms,
    });
  }
  return out;
}

run().then((r) => {
  window.benchResult = r;
  document.getElementById('out').textContent = JSON.stringify(r, null, 2);
}, (e) => {
  window.benchResult = { error: String((e && e.message) || e) };
  document.getElementById('out').textContent = String(e);
});
