// The verification Web Worker: owns the wasm instance and the verified trust list. The main thread never runs
// the verifier, so a slow or hostile file cannot freeze the page; a trap here is reported and the main thread
// replaces this worker. No network from here: trust lists and status snapshots come in as messages.
//
// Protocol (main → worker): {id, op, ...}; reply {id, ok: true, result} | {id, ok: false, code, error, trap}.
//   init                          → {trust, status}    verify the bundled trust list under the pinned root, then
//                                                      hold the bundled status snapshot (verified under that list)
//   trust    {json}               → {used, trust, status}  a newer signed list (e.g. from the edge); refused if it
//                                                      fails; the status snapshot held is verified again under it
//   status   {snapshot, delta?}   → {status}           hold a signed status snapshot (+ delta) from the edge;
//                                                      refused (coded error, the one held stays) if it fails
//   verify   {bytes, now, reveal} → verdict JSON string (status from the snapshot held; time of check =
//                                   max(now, the snapshot's signed time))
//   receipt  {bytes, name, now, reveal} → ecert.receipt/1 JSON string (the file verified again at `now`)
//   prep                          → state of the idle preparation (below)
//   compare  {bytes, now, reps, chunk} → verify and the floor (SHA-256 over bytes, in one call and in chunks, + one
//                                   ECDSA verify), timed in alternation inside the worker (benchmark)
//   hash, trust_cost              → benchmark details (first hash in a fresh instance; trust list again)
//
// Idle preparation: once the bundled trust list is verified, the worker uses idle time to (1) verify a bundled
// throwaway certificate (`warmup.pdf`, sealed by a key no trust list names; its verdict is discarded) so the
// engine compiles the verifier's code before the user's first file — a fresh wasm instance otherwise runs that
// file in baseline code, several times slower — and (2) verify each listed seal's chain (root → CA → seal),
// which the core otherwise does for the first file of each seal. One step per task, and only while no message
// is being handled, so a file dropped meanwhile waits at most for the step in progress. Nothing a verdict
// depends on is cached: every file is verified in full.

import init, {
  Verifier, floorSha256, floorSha256Chunked, floorEcdsaVerify, Sha256Stream,
} from 'ecert:wasm-glue';
import { ROOT_SPKI_PEM, STATUS_SNAPSHOT_BASE64, TRUST_LIST_JSON } from 'ecert:trust-snapshot';
import { WARMUP_PDF_BASE64 } from 'ecert:warmup';

// When this script began to run (absolute ms), for the benchmark's cold-start split.
const SCRIPT_AT = performance.timeOrigin + performance.now();
const enc = new TextEncoder();
let verifier = null;
let trustSource = 'bundled';
let ready = null;

function pemToDer(pem) {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
const ROOT_DER = pemToDer(ROOT_SPKI_PEM);

function b64ToBytes(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function trustInfo() {
  return { ...JSON.parse(verifier.trustInfo()), source: trustSource, boot_ms };
}

// The status snapshot held: its bytes (to hold it again under a newer trust list), where it came from
// ('bundled' | 'edge') and, when the last one offered was refused, why.
let statusHeld = null; // {snapshot, delta, origin}
let statusError = null; // {code, message, origin}

function statusInfo() {
  const info = JSON.parse(verifier.statusInfo());
  return { held: info ? { ...info, origin: statusHeld ? statusHeld.origin : null } : null, error: statusError };
}

/** Hold `snapshot` (+ `delta`) in the current verifier; on refusal keep what is held and remember why. */
function holdStatus(snapshot, delta, origin) {
  try {
    verifier.setStatus(snapshot, delta || undefined);
    statusHeld = { snapshot, delta, origin };
    statusError = null;
    return true;
  } catch (err) {
    statusError = { code: codeOf(err), message: String((err && err.message) || err), origin };
    return false;
  }
}

function codeOf(err) {
  const m = /^([A-Z][A-Z0-9_]+): /.exec(String((err && err.message) || err));
  return m ? m[1] : 'INTERNAL';
}

// Where the cold start goes (ms since the worker started): wasm instantiated, trust list verified.
const boot_ms = {};
async function boot(module) {
  const t0 = performance.now();
  // The main thread usually compiles the wasm while this worker starts and hands over the module; otherwise
  // fetch it from next to this script.
  await init({ module_or_path: module || new URL('./ecert_wasm_bg.wasm', import.meta.url) });
  const t1 = performance.now();
  verifier = new Verifier(enc.encode(TRUST_LIST_JSON), ROOT_DER, 0);
  // The bundled status snapshot: revocation is checked from the first file on, even with no edge at all.
  if (STATUS_SNAPSHOT_BASE64) holdStatus(b64ToBytes(STATUS_SNAPSHOT_BASE64), null, 'bundled');
  const t2 = performance.now();
  // `started_at`: absolute time (ms since the epoch) the worker's script began, for the cold-start split.
  Object.assign(boot_ms, { script_at: SCRIPT_AT, started_at: performance.timeOrigin + t0, wasm: t1 - t0, trust: t2 - t1, ready_at: performance.timeOrigin + t2 });
  schedulePrep(verifier, true);
  return { trust: trustInfo(), status: statusInfo() };
}

// ---- idle preparation --------------------------------------------------------------------------------------

let busy = 0; // messages being handled
let resume = null; // the preparation step waiting for the worker to be idle
const prep = { done: false, warmup_ms: null, warmup_code: null, chains: 0, chains_ok: 0, steps_ms: 0, error: null, done_at: null };

function runWhenIdle(fn) {
  if (busy > 0) resume = fn;
  else setTimeout(fn, 0);
}

/** Prepare `v` (the current verifier) step by step; `warm`: also verify the warm-up certificate first. */
function schedulePrep(v, warm) {
  const steps = [];
  if (warm || prep.warmup_code == null) {
    steps.push(() => {
      const bytes = b64ToBytes(WARMUP_PDF_BASE64);
      const t = performance.now();
      prep.warmup_code = JSON.parse(v.verify(bytes, Math.floor(Date.now() / 1000), undefined, false)).code;
      prep.warmup_ms = performance.now() - t;
    });
  }
  for (let i = 0; i < v.sealCount; i++) {
    steps.push(() => {
      prep.chains++;
      if (v.prepareSeal(i)) prep.chains_ok++;
    });
  }
  Object.assign(prep, { done: false, chains: 0, chains_ok: 0 });
  let k = 0;
  const tick = () => {
    if (verifier !== v) return; // replaced by a newer list: that one has its own preparation
    if (busy > 0) { resume = tick; return; }
    const step = steps[k++];
    if (!step) {
      prep.done = true;
      prep.done_at = performance.timeOrigin + performance.now();
      return;
    }
    const t = performance.now();
    try {
      step();
    } catch (err) {
      // A bug, not an input problem (the inputs are bundled): stop preparing; files are verified as usual.
      prep.error = String((err && err.message) || err);
      prep.done = true;
      return;
    }
    prep.steps_ms += performance.now() - t;
    setTimeout(tick, 0);
  };
  runWhenIdle(tick);
}

async function handle(msg) {
  switch (msg.op) {
    case 'init':
      if (!ready) {
        ready = boot(msg.module instanceof WebAssembly.Module ? msg.module : null);
      }
      return ready;
    case 'trust': {
      await ready;
      const candidate = new Verifier(enc.encode(msg.json), ROOT_DER, verifier.sequence);
      if (candidate.sequence > verifier.sequence) {
        verifier.free();
        verifier = candidate;
        trustSource = 'edge';
        // The snapshot held is verified again under the new list (its status key must be named there too).
        if (statusHeld && !holdStatus(statusHeld.snapshot, statusHeld.delta, statusHeld.origin)) statusHeld = null;
        schedulePrep(candidate, false);
        return { used: true, trust: trustInfo(), status: statusInfo() };
      }
      candidate.free();
      return { used: false, trust: trustInfo(), status: statusInfo() };
    }
    case 'status': {
      await ready;
      const snapshot = new Uint8Array(msg.snapshot);
      const delta = msg.delta ? new Uint8Array(msg.delta) : null;
      // A delta that does not fit the snapshot (published in between) is dropped rather than losing both.
      if (!holdStatus(snapshot, delta, 'edge') && delta) holdStatus(snapshot, null, 'edge');
      return { status: statusInfo() };
    }
    case 'receipt': {
      await ready;
      return verifier.receipt(new Uint8Array(msg.bytes), String(msg.name || ''), msg.now, !!msg.reveal);
    }
    case 'verify': {
      await ready;
      // Tests only: behave exactly as a wasm trap would, to exercise the main thread's recovery.
      if (msg.simulateTrap) throw new WebAssembly.RuntimeError('unreachable (simulated)');
      const bytes = new Uint8Array(msg.bytes);
      return verifier.verify(bytes, msg.now, undefined, !!msg.reveal);
    }
    case 'prep':
      await ready;
      return { ...prep };
    case 'compare': {
      // Benchmark: verify and the floor in alternation (verify, floor with one hash call, floor with `chunk`-byte
      // pieces across calls), so all three see the same machine load. The floor is what no verifier can avoid, in
      // this same wasm build: SHA-256 over the file and two ECDSA P-256 verifies — the seal's and its RFC 3161
      // time-stamp's (format v2 requires both; `ecdsa` times the pair).
      await ready;
      const bytes = new Uint8Array(msg.bytes);
      const chunk = msg.chunk || 65536;
      const out = { verify: [], floor_one: [], floor_chunked: [], sha256_one: [], sha256_chunked: [], ecdsa: [], code: null, ok: true };
      for (let i = 0; i < (msg.reps || 1); i++) {
        let t0 = performance.now();
        const v = verifier.verify(bytes, msg.now, undefined, false);
        out.verify.push(performance.now() - t0);
        if (i === 0) out.code = JSON.parse(v).code;
        for (const chunked of [false, true]) {
          t0 = performance.now();
          if (chunked) {
            const st = new Sha256Stream();
            for (let off = 0; off < bytes.length; off += chunk) st.update(bytes.subarray(off, off + chunk));
            st.finish();
          } else {
            floorSha256(bytes);
          }
          const t1 = performance.now();
          out.ok = floorEcdsaVerify() && floorEcdsaVerify() && out.ok;
          const t2 = performance.now();
          out[chunked ? 'floor_chunked' : 'floor_one'].push(t2 - t0);
          out[chunked ? 'sha256_chunked' : 'sha256_one'].push(t1 - t0);
          out.ecdsa.push(t2 - t1);
        }
      }
      return out;
    }
    case 'hash': {
      // Benchmark: one SHA-256 of the bytes — `one` call, `inside` one call in chunks, or `js` chunks across calls.
      await ready;
      const bytes = new Uint8Array(msg.bytes);
      const chunk = msg.chunk || 65536;
      const t0 = performance.now();
      if (msg.variant === 'inside') floorSha256Chunked(bytes, chunk);
      else if (msg.variant === 'js') {
        const st = new Sha256Stream();
        for (let off = 0; off < bytes.length; off += chunk) st.update(bytes.subarray(off, off + chunk));
        st.finish();
      } else floorSha256(bytes);
      return { ms: performance.now() - t0 };
    }
    case 'trust_cost': {
      // Benchmark: verifying the bundled trust list again (warm), to split the cold start.
      await ready;
      const t0 = performance.now();
      new Verifier(enc.encode(TRUST_LIST_JSON), ROOT_DER, 0).free();
      return { trust_ms: performance.now() - t0 };
    }
    default:
      throw new Error(`BAD_OP: ${msg.op}`);
  }
}

// Boot on the first message: `init` (optionally with a compiled module); any other op boots without one.

self.onmessage = async (e) => {
  const msg = e.data || {};
  if (!ready && msg.op !== 'init') ready = boot(null);
  // `init` only waits for the boot; anything else pauses the idle preparation while it runs.
  const counts = msg.op !== 'init' && msg.op !== 'prep';
  if (counts) busy++;
  try {
    const result = await handle(msg);
    self.postMessage({ id: msg.id, ok: true, result });
  } catch (err) {
    const trap = err instanceof WebAssembly.RuntimeError;
    self.postMessage({ id: msg.id, ok: false, trap, code: trap ? 'VERIFIER_CRASHED' : codeOf(err), error: String((err && err.message) || err) });
  } finally {
    if (counts && --busy === 0 && resume) {
      const fn = resume;
      resume = null;
      setTimeout(fn, 0);
    }
  }
};
