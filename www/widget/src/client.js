// Main-thread side of the verifier: owns the Web Worker (recreated after a trap or a timeout), the optional edge
// (newer signed trust list, status buckets) and the size cap. The PDF bytes go to the worker only — never to
// the network. The one thing a status lookup reveals is the first 4 hex characters of the status id.

const WORKER_URL = new URL('./worker.js', import.meta.url);
const WASM_URL = new URL('./ecert_wasm_bg.wasm', import.meta.url);

/** Fetch and compile the verifier's wasm on this thread (off the worker's critical path), once per page; the
 * compiled module is handed to every worker (including one recreated after a crash). Null on failure. */
let compiled = null;
/** When the compile started and ended (performance.now() of this page), for the benchmark. */
export const compileSpan = { start: null, end: null };
function compileWasm() {
  if (!compiled) {
    compileSpan.start = performance.now();
    compiled = (async () => {
      try {
        return await WebAssembly.compileStreaming(fetch(WASM_URL, { credentials: 'same-origin' }));
      } catch {
        // Wrong MIME type on some static hosts, or a CSP without 'wasm-unsafe-eval' here: the worker fetches it.
        return null;
      } finally {
        compileSpan.end = performance.now();
      }
    })();
  }
  return compiled;
}

// The core refuses files over its input limit (ecert_verify::MAX_INPUT_BYTES, 16 MiB); refuse them here before
// reading or copying them at all. The number is the core's own: www/build.mjs reads it from the wasm it bundles.
// eslint-disable-next-line no-undef
export const DEFAULT_MAX_BYTES = __ECERT_MAX_INPUT_BYTES__;
export const DEFAULT_TIMEOUT_MS = 20000;
const EDGE_TIMEOUT_MS = 6000;

function startWorker() {
  try {
    return new Worker(WORKER_URL, { type: 'module', name: 'ecert-verifier' });
  } catch (err) {
    // The widget script served from another origin: start the worker from a same-origin blob that imports it.
    const src = `import ${JSON.stringify(WORKER_URL.href)};`;
    return new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })), { type: 'module' });
  }
}

/** A worker started by prewarm(), booting (wasm + bundled trust list) until the first client takes it. */
let spare = null;

/**
 * Start the verifier now (at page load), before any file arrives: compile the wasm, start the Web Worker and let
 * it verify the bundled trust list and prepare itself while the page is idle. The first EcertClient to need a
 * worker takes this one. Optional: without it the first verify starts the worker itself. Idempotent.
 */
export function prewarm() {
  if (spare) return;
  const w = startWorker();
  spare = w;
  compileWasm().then((module) => {
    // Reply (id 0) is ignored; a client's own `init` returns the same boot.
    w.postMessage({ id: 0, op: 'init', ...(module ? { module } : {}) });
  });
}
const STATUS_PREFIX_LEN = 4;

/** A verdict the client itself produces when the core could not run (same shape as the core's). */
export function clientVerdict(code, zh, en, size) {
  return {
    schema: 'ecert.verdict/1',
    code,
    state: 'broken',
    summary: { zh, en },
    checked_at: Math.floor(Date.now() / 1000),
    file: { size: size ?? null, sha256: null, revisions: 0 },
    checks: [],
    certificate: null,
    seal: null,
    annotation: null,
    status: { state: 'not_checked' },
    status_id: null,
    modifications: [],
    client_error: true,
  };
}

/** Mark a verdict "status unknown" when a status source is configured but its answer could not be applied. */
function statusUnknown(v) {
  const out = { ...v, status: { state: 'unknown' } };
  if (v.code === 'VALID') {
    out.code = 'STATUS_UNKNOWN';
    out.state = 'status_unknown';
    out.summary = { zh: '签名有效，但无法确认证书状态。', en: 'The signature is valid, but the status could not be confirmed.' };
  }
  return out;
}

function normEdge(edge) {
  if (!edge) return null;
  try {
    const u = new URL(String(edge), globalThis.location ? globalThis.location.href : undefined);
    return u.href.replace(/\/+$/, '');
  } catch {
    return null;
  }
}

async function fetchWithTimeout(url, ms) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), ms);
  try {
    return await fetch(url, { signal: ctl.signal, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' });
  } finally {
    clearTimeout(timer);
  }
}

/** Hex SHA-256 of `bytes` by WebCrypto, or null where it is unavailable (an insecure context). */
async function sha256Hex(bytes) {
  try {
    if (!globalThis.crypto || !crypto.subtle) return null;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  } catch {
    return null;
  }
}

function toBytes(input) {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new TypeError('verify(bytes): bytes must be an ArrayBuffer or a typed array');
}

export class EcertClient {
  /**
   * @param {{edge?: string|null, maxBytes?: number, timeoutMs?: number}} o
   */
  constructor(o = {}) {
    this.edge = normEdge(o.edge);
    this.maxBytes = o.maxBytes || DEFAULT_MAX_BYTES;
    this.timeoutMs = o.timeoutMs || DEFAULT_TIMEOUT_MS;
    this.worker = null;
    this.pending = new Map();
    this.nextId = 1;
    this.queue = Promise.resolve();
    this.trust = null; // {sequence, issued_at, next_update, source}
    this.trustNotice = null; // {kind: 'refused'|'unavailable'|'broken', code, message}
    this.edgeTrustJson = null; // a verified newer list, replayed into a recreated worker
    this.readyPromise = null;
    this.listeners = new Set();
  }

  onChange(fn) { this.listeners.add(fn); return () => this.listeners.delete(fn); }
  emit() { for (const fn of this.listeners) { try { fn(this); } catch { /* listener's own problem */ } } }

  spawn() {
    let w;
    if (spare) {
      w = spare;
      spare = null;
    } else {
      w = startWorker();
    }
    w.onmessage = (e) => {
      const m = e.data || {};
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.ok) p.resolve(m.result);
      else {
        const err = new Error(m.error || 'worker error');
        err.code = m.code;
        err.trap = !!m.trap;
        p.reject(err);
      }
    };
    w.onerror = (e) => {
      e.preventDefault?.();
      this.failAll('VERIFIER_CRASHED', e.message || 'worker error');
    };
    this.worker = w;
    return w;
  }

  failAll(code, message) {
    const err = new Error(message);
    err.code = code;
    err.trap = true;
    for (const [, p] of this.pending) { clearTimeout(p.timer); p.reject(err); }
    this.pending.clear();
    this.restart();
  }

  restart() {
    if (this.worker) this.worker.terminate();
    this.worker = null;
    this.readyPromise = null;
  }

  call(op, payload = {}, transfer = [], timeoutMs = this.timeoutMs) {
    if (!this.worker) this.spawn();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.pending.has(id)) return;
        this.pending.delete(id);
        const err = new Error('timeout');
        err.code = 'VERIFIER_TIMEOUT';
        err.trap = true;
        reject(err);
        // A worker stuck in a long computation cannot be interrupted: replace it.
        this.failAll('VERIFIER_TIMEOUT', 'worker replaced after a timeout');
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.worker.postMessage({ id, op, ...payload }, transfer);
    });
  }

  /** Start the worker, verify the bundled trust list, then (with an edge) try the edge's newer list. */
  ready() {
    if (this.readyPromise) return this.readyPromise;
    this.readyPromise = (async () => {
      try {
        // Compile the wasm here while the worker starts; the compiled module is handed over in `init`.
        const tc = performance.now();
        const compiling = compileWasm();
        if (!this.worker) this.spawn();
        const module = await compiling;
        this.compileMs = performance.now() - tc;
        this.trust = await this.call('init', module ? { module } : {});
      } catch (err) {
        this.trustNotice = { kind: 'broken', code: err.code || 'TRUST_LIST_INVALID', message: err.message };
        this.emit();
        throw err;
      }
      if (this.edgeTrustJson) {
        // A recreated worker: replay the edge list verified earlier (it is verified again).
        try { this.trust = (await this.call('trust', { json: this.edgeTrustJson })).trust; } catch { /* keep bundled */ }
      } else if (this.edge && !this.edgeTried) {
        this.edgeTried = true;
        await this.updateTrustFromEdge();
      }
      this.emit();
      return this.trust;
    })();
    this.readyPromise.catch(() => {});
    return this.readyPromise;
  }

  /**
   * Whether the trust list in use is past its `next_update` at `now` (Unix seconds; default now): the bundled
   * snapshot is too old and no newer list came from an edge. The core then answers TRUST_LIST_EXPIRED for every
   * certificate it would otherwise accept; the UI says so next to the trust list.
   */
  trustExpired(now = Math.floor(Date.now() / 1000)) {
    return !!this.trust && typeof this.trust.next_update === 'number' && now >= this.trust.next_update;
  }

  async updateTrustFromEdge() {
    let json;
    try {
      const r = await fetchWithTimeout(`${this.edge}/v1/trust-list`, EDGE_TIMEOUT_MS);
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      json = await r.text();
    } catch (err) {
      this.trustNotice = { kind: 'unavailable', code: 'TRUST_LIST_UNAVAILABLE', message: String(err.message || err) };
      return;
    }
    try {
      const res = await this.call('trust', { json });
      this.trust = res.trust;
      if (res.used) this.edgeTrustJson = json;
      this.trustNotice = null;
    } catch (err) {
      // Unverifiable (bad signature, wrong root, rollback, …): refused, visibly; the bundled list stays.
      this.trustNotice = { kind: 'refused', code: err.code || 'TRUST_LIST_INVALID', message: err.message };
      if (err.trap) await this.ready();
    }
  }

  /** Ask the edge for the status bucket of this verdict and build a StatusInput. */
  async lookupStatus(statusId) {
    const prefix = statusId.slice(0, STATUS_PREFIX_LEN);
    if (!/^[0-9a-f]{4}$/.test(prefix)) return { kind: 'unavailable', reason: 'bad status id' };
    try {
      const r = await fetchWithTimeout(`${this.edge}/v1/status/${prefix}`, EDGE_TIMEOUT_MS);
      if (!r.ok) return { kind: 'unavailable', reason: `status service answered HTTP ${r.status}` };
      const b = await r.json();
      if (!b || b.schema !== 'ecert.status-bucket/1' || b.prefix !== prefix || !Array.isArray(b.entries) || typeof b.as_of !== 'number') {
        return { kind: 'unavailable', reason: 'status service sent an unexpected answer' };
      }
      const e = b.entries.find((x) => x && x.id === statusId);
      if (!e) return { kind: 'not_registered', as_of: b.as_of };
      if (e.state === 'revoked') {
        return { kind: 'known', status: { state: 'revoked', revoked_at: e.revoked_at, reason: String(e.reason ?? '') }, as_of: b.as_of };
      }
      if (e.state === 'valid') return { kind: 'known', status: { state: 'valid' }, as_of: b.as_of };
      return { kind: 'unavailable', reason: 'status service sent an unknown state' };
    } catch (err) {
      return { kind: 'unavailable', reason: `status service unreachable: ${err.message || err}` };
    }
  }

  /**
   * Verify one PDF. Never rejects for a bad file: every input gets a verdict.
   * @param {ArrayBuffer|Uint8Array} input
   * @param {{now?: number|Date, revealIdNumber?: boolean}} options
   */
  verify(input, options = {}) {
    // One file at a time per worker; callers may fire many.
    const run = this.queue.then(() => this.verifyNow(input, options));
    this.queue = run.catch(() => {});
    return run;
  }

  async verifyNow(input, options) {
    const bytes = toBytes(input);
    if (bytes.byteLength > this.maxBytes) {
      const mb = (this.maxBytes / 1024 / 1024).toFixed(0);
      return clientVerdict('FILE_TOO_LARGE', `文件过大（超过 ${mb} MB），未进行验证。`,
        `The file is larger than ${mb} MB and was not checked.`, bytes.byteLength);
    }
    const now = options.now instanceof Date ? Math.floor(options.now.getTime() / 1000)
      : typeof options.now === 'number' ? Math.floor(options.now) : Math.floor(Date.now() / 1000);
    try {
      await this.ready();
    } catch (err) {
      return clientVerdict('TRUST_LIST_INVALID', '内置信任列表无法验证，无法验证任何证书。',
        'The bundled trust list does not verify; no certificate can be checked.', bytes.byteLength);
    }
    const copy = bytes.slice().buffer; // the caller keeps its buffer; ours is transferred
    let verdictJson;
    try {
      verdictJson = await this.call('verify', { bytes: copy, now, reveal: !!options.revealIdNumber, simulateTrap: !!options.simulateTrap }, [copy]);
    } catch (err) {
      if (err.code === 'VERIFIER_TIMEOUT') {
        return clientVerdict('VERIFIER_TIMEOUT', '验证超时，已中止。该文件无法验证。',
          'Verification took too long and was stopped. The file could not be verified.', bytes.byteLength);
      }
      if (err.trap) this.restart();
      return clientVerdict('VERIFIER_CRASHED', '验证程序在处理该文件时出错，文件无法验证。',
        'The verifier failed on this file; it could not be verified.', bytes.byteLength);
    }
    let verdict = JSON.parse(verdictJson);
    if (this.edge && verdict.status_id && verdict.certificate) {
      const status = await this.lookupStatus(verdict.status_id);
      try {
        verdict = JSON.parse(await this.call('status', { verdict: verdictJson, status: JSON.stringify(status) }));
      } catch {
        // The worker could not apply it (crashed meanwhile): never let a configured-but-unapplied status read
        // as a plain pass.
        verdict = statusUnknown(verdict);
      }
    }
    // The whole file's SHA-256 (hex), so a site recording the verdict can tell which exact file was checked. The
    // core does not compute it (its hash covers the signed ranges); WebCrypto does, where the page is a secure
    // context.
    verdict.file = { ...verdict.file, sha256: await sha256Hex(bytes) };
    return verdict;
  }

  /** Benchmark helpers (bench page): verify and the floor timed alternately in the worker; preparation state. */
  compare(bytes, reps, now, chunk = 65536) {
    const copy = toBytes(bytes).slice().buffer;
    return this.ready().then(() => this.call('compare', { bytes: copy, reps, chunk, now: now ?? Math.floor(Date.now() / 1000) }, [copy], 300000));
  }

  prepState() {
    return this.ready().then(() => this.call('prep'));
  }

  dispose() {
    this.restart();
  }
}

const shared = new Map();

/** One client per edge URL, shared by every widget on the page. */
export function sharedClient(edge) {
  const key = normEdge(edge) || '';
  if (!shared.has(key)) shared.set(key, new EcertClient({ edge: key || null }));
  return shared.get(key);
}
