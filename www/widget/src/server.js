// @ecert/verify-widget/server — the same verification core, on a server: no browser, no worker, no network.
//
//   import { verify } from '@ecert/verify-widget/server';
//   const verdict = await verify(pdfBytes, { fileName: 'c.pdf' });   // Buffer, Uint8Array, ArrayBuffer, Blob/File, URL
//
// The trust list, its pinned root and the signed status snapshot bundled into this build are compiled in (the
// same ones as the widget's), so it works offline; `init({ trustList, rootSpki, statusSnapshot, statusDelta })`
// uses newer signed ones instead (from the edge's /v1/trust-list and /v1/status/snapshot, say), verified under the
// pinned root exactly as the browser does. The verdict is the core's JSON (docs/verdict.md) — what `ecert verify
// --json --status …` prints and `POST /v1/verify` answers — plus `file.name`, `file.sha256`, `id` (the stable verdict
// id, computed as the widget computes it) and `status.snapshot.origin`.
//
// Node ≥ 20: nothing to configure (the wasm next to this file is read from disk). Deno 2: the same (read through
// node:fs; `--allow-read`). Cloudflare Workers cannot compile wasm from bytes: import the module and pass it —
//   import wasm from '@ecert/verify-widget/ecert_wasm_bg.wasm';  await init({ wasm });
// — no compatibility flag needed (tests/integrators/workerd/ is such a Worker, run on workerd by the tests).

import initWasm, { Verifier } from 'ecert:wasm-glue';
import { ROOT_SPKI_PEM, STATUS_SNAPSHOT_BASE64, TRUST_LIST_JSON } from 'ecert:trust-snapshot';
import { decorate, readInput } from './identity.js';

// eslint-disable-next-line no-undef
export const MAX_INPUT_BYTES = __ECERT_MAX_INPUT_BYTES__;

const enc = new TextEncoder();
let state = null; // Promise<{verifier, trust, status, origin}>

function b64(s) {
  if (typeof atob === 'function') {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  return new Uint8Array(Buffer.from(s, 'base64'));
}

function pemToDer(pem) {
  return b64(String(pem).replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''));
}

function asBytes(x) {
  if (x == null) return null;
  if (typeof x === 'string') return enc.encode(x);
  if (x instanceof Uint8Array) return x;
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  throw new TypeError('expected bytes or a string');
}

/**
 * A Node built-in (Node, Deno), loaded only when a `file:` URL is read. The specifier is made at run time so that
 * a bundler (wrangler's esbuild) sees no `node:` import: a Worker needs no `nodejs_compat` flag and gets no warning.
 */
async function builtin(name) {
  try {
    return await import(['node', name].join(':'));
  } catch (err) {
    throw Object.assign(new Error(`FETCH_FAILED: node:${name} is not available here (${err && err.message})`), { code: 'FETCH_FAILED' });
  }
}

/** Read a `file:` URL from disk (Node, Deno through node:fs) or fetch anything else. */
async function fetchUrl(url) {
  if (url.protocol === 'file:') {
    const { readFile } = await builtin('fs/promises');
    const { fileURLToPath } = await builtin('url');
    return new Uint8Array(await readFile(fileURLToPath(url)));
  }
  const r = await fetch(url, { redirect: 'follow' });
  if (!r.ok) throw Object.assign(new Error(`FETCH_FAILED: ${url.href}: HTTP ${r.status}`), { code: 'FETCH_FAILED' });
  return new Uint8Array(await r.arrayBuffer());
}

async function loadWasm(wasm) {
  if (wasm) return initWasm({ module_or_path: wasm });
  const url = new URL('./ecert_wasm_bg.wasm', import.meta.url);
  if (url.protocol === 'file:') return initWasm({ module_or_path: await fetchUrl(url) });
  return initWasm({ module_or_path: url });
}

function codeOf(err) {
  const m = /^([A-Z][A-Z0-9_]+): /.exec(String((err && err.message) || err));
  return m ? m[1] : 'INTERNAL';
}

/**
 * Load the verifier (once; `verify` calls it with no options). Options, all optional:
 *   wasm            a WebAssembly.Module (Workers), the wasm bytes, or its URL
 *   trustList       a newer signed trust list (`ecert.signed-trust-list/1` JSON, string or bytes); refused (rejects
 *                   with its TRUST_LIST_* code) unless it verifies under the pinned root and is not older
 *   rootSpki        the pinned root (PEM or SPKI DER) — only when you also give your own trust list
 *   statusSnapshot, statusDelta   a newer signed status snapshot (+ delta) — bytes; refused with its STATUS_SNAPSHOT_* code
 * Resolves to `{trust, status}` (what is held). Calling it again replaces what is held.
 */
export function init(options = {}) {
  state = (async () => {
    await loadWasm(options.wasm);
    const root = options.rootSpki ? (typeof options.rootSpki === 'string' ? pemToDer(options.rootSpki) : asBytes(options.rootSpki)) : pemToDer(ROOT_SPKI_PEM);
    let verifier;
    let trustSource = 'bundled';
    if (options.trustList && options.rootSpki) {
      verifier = new Verifier(asBytes(options.trustList), root, 0);
      trustSource = 'given';
    } else {
      verifier = new Verifier(enc.encode(TRUST_LIST_JSON), root, 0);
      if (options.trustList) {
        const candidate = new Verifier(asBytes(options.trustList), root, verifier.sequence);
        if (candidate.sequence > verifier.sequence) { verifier.free(); verifier = candidate; trustSource = 'given'; } else candidate.free();
      }
    }
    let origin = null;
    if (options.statusSnapshot) {
      verifier.setStatus(asBytes(options.statusSnapshot), options.statusDelta ? asBytes(options.statusDelta) : undefined);
      origin = 'given';
    } else if (STATUS_SNAPSHOT_BASE64) {
      try { verifier.setStatus(b64(STATUS_SNAPSHOT_BASE64), undefined); origin = 'bundled'; } catch { /* not held: STATUS not checked */ }
    }
    return { verifier, origin, trust: { ...JSON.parse(verifier.trustInfo()), source: trustSource }, status: JSON.parse(verifier.statusInfo()) };
  })();
  state.catch(() => { state = null; });
  return state.then((s) => ({ trust: s.trust, status: s.status ? { ...s.status, origin: s.origin } : null })).catch((err) => {
    throw Object.assign(err instanceof Error ? err : new Error(String(err)), { code: codeOf(err) });
  });
}

/**
 * Verify one certificate PDF; resolves to the verdict (docs/verdict.md), never rejects for a bad file.
 * @param input a Buffer/Uint8Array, ArrayBuffer, Blob or File, or a URL (http(s) fetched, file: read)
 * @param options `{fileName, now (Date | Unix seconds; default the server's clock), revealIdNumber}`
 */
export async function verify(input, options = {}) {
  const { bytes, name } = await readInput(input, { fileName: options.fileName, fetchUrl });
  const s = await (state || (init(), state));
  if (bytes.byteLength > MAX_INPUT_BYTES) {
    const mb = (MAX_INPUT_BYTES / 1024 / 1024).toFixed(0);
    return decorate(tooLarge(bytes.byteLength, mb), { bytes: null, name, trustSequence: s.trust.sequence });
  }
  const now = options.now instanceof Date ? Math.floor(options.now.getTime() / 1000)
    : typeof options.now === 'number' ? Math.floor(options.now) : Math.floor(Date.now() / 1000);
  const verdict = JSON.parse(s.verifier.verify(bytes, now, undefined, !!options.revealIdNumber));
  return decorate(verdict, { bytes, name, trustSequence: s.trust.sequence, origin: s.origin });
}

/** The receipt (`ecert.receipt/1`, docs/verdict.md) of this file verified at `options.now` (default now). */
export async function receipt(input, options = {}) {
  const { bytes, name } = await readInput(input, { fileName: options.fileName, fetchUrl });
  const s = await (state || (init(), state));
  const now = options.now instanceof Date ? Math.floor(options.now.getTime() / 1000)
    : typeof options.now === 'number' ? Math.floor(options.now) : Math.floor(Date.now() / 1000);
  return JSON.parse(s.verifier.receipt(bytes, name, now, !!options.revealIdNumber));
}

function tooLarge(size, mb) {
  return {
    schema: 'ecert.verdict/1', code: 'FILE_TOO_LARGE', state: 'broken',
    summary: { zh: `文件过大（超过 ${mb} MB），未进行验证。`, en: `The file is larger than ${mb} MB and was not checked.` },
    checked_at: Math.floor(Date.now() / 1000), file: { size, sha256: null, revisions: 0 }, checks: [], certificate: null,
    seal: null, annotation: null, status: { state: 'not_checked' }, status_id: null, modifications: [], client_error: true,
  };
}
