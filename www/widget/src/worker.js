// The verification Web Worker: owns the wasm instance and the verified trust list. The main thread never runs
// the verifier, so a slow or hostile file cannot freeze the page; a trap here is reported and the main thread
// replaces this worker. No network from here: trust lists and status answers come in as messages.
//
// Protocol (main → worker): {id, op, ...}; reply {id, ok: true, result} | {id, ok: false, code, error, trap}.
//   init                          → {trust}            verify the bundled snapshot under the pinned root
//   trust    {json}               → {used, trust}      a newer signed list (e.g. from the edge); refused if it fails
//   verify   {bytes, now, status, reveal} → verdict JSON string
//   status   {verdict, status}    → verdict JSON string (StatusInput applied)
//   floor    {bytes, chunk}       → timings of SHA-256 over bytes + one ECDSA verify (benchmark)
//   time     {bytes, now, reps}   → timings of verify alone, measured inside the worker (benchmark)

import init, {
  Verifier, applyStatus, floorSha256, floorSha256Chunked, floorEcdsaVerify, Sha256Stream,
} from 'ecert:wasm-glue';
import { ROOT_SPKI_PEM, TRUST_LIST_JSON } from 'ecert:trust-snapshot';

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

function trustInfo() {
  return { ...JSON.parse(verifier.trustInfo()), source: trustSource, boot_ms };
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
  const t2 = performance.now();
  // `started_at`: absolute time (ms since the epoch) the worker's script began, for the cold-start split.
  Object.assign(boot_ms, { script_at: SCRIPT_AT, started_at: performance.timeOrigin + t0, wasm: t1 - t0, trust: t2 - t1 });
  return trustInfo();
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
        return { used: true, trust: trustInfo() };
      }
      candidate.free();
      return { used: false, trust: trustInfo() };
    }
    case 'verify': {
      await ready;
      // Tests only: behave exactly as a wasm trap would, to exercise the main thread's recovery.
      if (msg.simulateTrap) throw new WebAssembly.RuntimeError('unreachable (simulated)');
      const bytes = new Uint8Array(msg.bytes);
      return verifier.verify(bytes, msg.now, msg.status ?? undefined, !!msg.reveal);
    }
    case 'status':
      await ready;
      return applyStatus(msg.verdict, msg.status);
    case 'floor': {
      await ready;
      const bytes = new Uint8Array(msg.bytes);
      const chunk = msg.chunk | 0;
      const t0 = performance.now();
      if (chunk > 0) {
        const s = new Sha256Stream();
        for (let off = 0; off < bytes.length; off += chunk) s.update(bytes.subarray(off, off + chunk));
        s.finish();
      } else {
        floorSha256(bytes);
      }
      const t1 = performance.now();
      const ok = floorEcdsaVerify();
      const t2 = performance.now();
      return { sha256_ms: t1 - t0, ecdsa_ms: t2 - t1, total_ms: t2 - t0, ok };
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
    case 'time': {
      await ready;
      const bytes = new Uint8Array(msg.bytes);
      const times = [];
      let code = null;
      for (let i = 0; i < (msg.reps || 1); i++) {
        const t0 = performance.now();
        const v = verifier.verify(bytes, msg.now, undefined, false);
        times.push(performance.now() - t0);
        if (i === 0) code = JSON.parse(v).code;
      }
      return { times, code };
    }
    default:
      throw new Error(`BAD_OP: ${msg.op}`);
  }
}

// Boot on the first message: `init` (optionally with a compiled module); any other op boots without one.

self.onmessage = async (e) => {
  const msg = e.data || {};
  if (!ready && msg.op !== 'init') ready = boot(null);
  try {
    const result = await handle(msg);
    self.postMessage({ id: msg.id, ok: true, result });
  } catch (err) {
    const trap = err instanceof WebAssembly.RuntimeError;
    self.postMessage({ id: msg.id, ok: false, trap, code: trap ? 'VERIFIER_CRASHED' : codeOf(err), error: String((err && err.message) || err) });
  }
};
