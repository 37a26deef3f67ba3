// Main-thread side of the verifier: owns the Web Worker (recreated after a trap or a timeout), the optional edge
// (newer signed trust list, signed status snapshot + delta) and the size cap. The PDF bytes go to the worker
// only — never to the network. Revocation is checked from the signed status snapshot the worker holds (the
// bundled one, then the edge's newest): the edge is asked for the same two files whatever is being checked, so
// it learns nothing about any one certificate.

import { decorate, readInput } from './identity.js';

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
/** While a page is open with an edge, the snapshot and delta are asked for again this often (conditional). */
export const STATUS_REFRESH_MS = 60000;

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

function normEdge(edge) {
  if (!edge) return null;
  try {
    const u = new URL(String(edge), globalThis.location ? globalThis.location.href : undefined);
    return u.href.replace(/\/+$/, '');
  } catch {
    return null;
  }
}

/** `cache`: 'no-store' (trust list), or 'no-cache' for the status files: the browser revalidates its cached copy
 * with the edge's strong ETag (If-None-Match, a 304 when unchanged) without a CORS preflight. */
async function fetchWithTimeout(url, ms, cache = 'no-store') {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), ms);
  try {
    return await fetch(url, { signal: ctl.signal, credentials: 'omit', cache, referrerPolicy: 'no-referrer' });
  } finally {
    clearTimeout(timer);
  }
}

function sameBytes(a, b) {
  if (!a || !b) return a === b || (!a && !b);
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
    // The status snapshot the worker holds: {sequence, kind, issued_at, copies, revoked, max_age, origin:
    // 'bundled'|'edge'} or null; statusNotice: the edge's snapshot could not be fetched or was refused.
    this.status = null;
    this.statusNotice = null; // {kind: 'unavailable'|'refused', code, message}
    this.edgeStatus = null; // {snapshot, delta} bytes last taken from the edge, replayed into a recreated worker
    this.statusTimer = null;
    this.statusRefresh = null; // the refresh in flight
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
        const boot = await this.call('init', module ? { module } : {});
        this.trust = boot.trust;
        this.takeStatus(boot.status);
      } catch (err) {
        // The trust list refused, or the verifier itself could not be loaded (worker script or wasm blocked or
        // missing — CORS, CSP, a wrong path): either way the UI shows it, never nothing.
        this.trustNotice = /^TRUST_LIST_/.test(err.code || '')
          ? { kind: 'broken', code: err.code, message: err.message }
          : { kind: 'load', code: 'VERIFIER_UNAVAILABLE', message: `${err.code || 'ERROR'}: ${err.message}` };
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
      if (this.edgeStatus) {
        // A recreated worker: hold the edge's snapshot again (verified again).
        try { this.takeStatus((await this.call('status', this.edgeStatus)).status); } catch { /* keep bundled */ }
      } else if (this.edge && !this.statusTried) {
        this.statusTried = true;
        await this.updateStatusFromEdge();
        this.startStatusTimer();
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
      this.takeStatus(res.status);
      if (res.used) this.edgeTrustJson = json;
      this.trustNotice = null;
    } catch (err) {
      // Unverifiable (bad signature, wrong root, rollback, …): refused, visibly; the bundled list stays.
      this.trustNotice = { kind: 'refused', code: err.code || 'TRUST_LIST_INVALID', message: err.message };
      if (err.trap) await this.ready();
    }
  }

  /** Take the worker's `{held, error}` status report; whether the snapshot held changed. */
  takeStatus(report) {
    if (!report) return false;
    const before = this.statusKey();
    this.status = report.held || null;
    if (report.error && report.error.origin === 'edge') {
      this.statusNotice = { kind: 'refused', code: report.error.code, message: report.error.message };
    }
    // The snapshot compiled into the build did not verify (a broken or mismatched build): said with the none notice.
    if (report.error && report.error.origin === 'bundled') this.bundledStatusError = report.error;
    return this.statusKey() !== before;
  }

  /**
   * `"sequence/issued_at"` of the snapshot held ('' for none). Listeners (`onChange`) compare it with the one
   * their verdicts were made under and verify their files again when it changed: a newer snapshot may revoke.
   */
  statusKey() {
    return this.status ? `${this.status.sequence}/${this.status.issued_at}` : '';
  }

  /**
   * Whether the snapshot held is older than the trust list's `max_status_age` at `now` (or none is held): the
   * core then answers STATUS_UNKNOWN (STATUS_STALE) for a certificate it would otherwise accept.
   */
  statusStale(now = Math.floor(Date.now() / 1000)) {
    const s = this.status;
    return !s || (typeof s.max_age === 'number' && Math.max(now, s.issued_at) - s.issued_at > s.max_age);
  }

  /**
   * Fetch the edge's signed status snapshot and delta (`GET /v1/status/snapshot`, `/v1/status/delta`; 404 = none)
   * — the same two files for everyone, revalidated with their ETags — and hand them to the worker, which holds
   * them only if they verify under the trust list and are not older than what it holds. Listeners are told when a
   * newer snapshot is held (the page and the widget then verify their files again). Never rejects.
   */
  updateStatusFromEdge() {
    if (!this.edge) return Promise.resolve(false);
    if (this.statusRefresh) return this.statusRefresh;
    this.statusRefresh = (async () => {
      let snapshot;
      let delta = null;
      try {
        const r = await fetchWithTimeout(`${this.edge}/v1/status/snapshot`, EDGE_TIMEOUT_MS, 'no-cache');
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        snapshot = new Uint8Array(await r.arrayBuffer());
        const d = await fetchWithTimeout(`${this.edge}/v1/status/delta`, EDGE_TIMEOUT_MS, 'no-cache');
        if (d.ok) delta = new Uint8Array(await d.arrayBuffer());
        else if (d.status !== 404) throw new Error(`delta: HTTP ${d.status}`);
      } catch (err) {
        this.statusNotice = { kind: 'unavailable', code: 'STATUS_UNAVAILABLE', message: String(err.message || err) };
        this.emit();
        return false;
      }
      const last = this.edgeStatus;
      if (last && sameBytes(last.snapshot, snapshot) && sameBytes(last.delta, delta)) {
        this.statusNotice = null; // unchanged (a 304 from the edge)
        this.emit();
        return false;
      }
      let newer = false;
      try {
        const sb = snapshot.slice().buffer;
        const db = delta ? delta.slice().buffer : null;
        const res = await this.call('status', { snapshot: sb, delta: db }, db ? [sb, db] : [sb]);
        this.statusNotice = null;
        newer = this.takeStatus(res.status);
        if (this.status && this.status.origin === 'edge') this.edgeStatus = { snapshot, delta };
        else if (res.status && res.status.error) {
          this.statusNotice = { kind: 'refused', code: res.status.error.code, message: res.status.error.message };
        }
      } catch (err) {
        this.statusNotice = { kind: 'refused', code: err.code || 'STATUS_SNAPSHOT_INVALID', message: err.message };
      }
      this.emit();
      return newer;
    })().finally(() => { this.statusRefresh = null; });
    return this.statusRefresh;
  }

  /** While the page is open: ask the edge again every STATUS_REFRESH_MS (and at once when the page is shown again). */
  startStatusTimer() {
    if (!this.edge || this.statusTimer || typeof setInterval !== 'function') return;
    this.statusTimer = setInterval(() => { this.updateStatusFromEdge(); }, STATUS_REFRESH_MS);
    if (globalThis.document) {
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible' && this.statusStale()) this.updateStatusFromEdge();
      });
    }
  }

  /**
   * Verify one PDF. Never rejects for a bad file: every input gets a verdict.
   * @param {File|Blob|ArrayBuffer|Uint8Array|URL} input  a URL is fetched (the page's CSP must allow it)
   * @param {{fileName?: string, now?: number|Date, revealIdNumber?: boolean}} options
   */
  verify(input, options = {}) {
    // One file at a time per worker; callers may fire many.
    const run = this.queue.then(() => this.verifyNow(input, options));
    this.queue = run.catch(() => {});
    return run;
  }

  async verifyNow(input, options) {
    // A File or Blob over the cap is refused before it is read at all.
    if (typeof Blob !== 'undefined' && input instanceof Blob && input.size > this.maxBytes) {
      return this.tooLarge(input.size, options.fileName || input.name || '');
    }
    let bytes;
    let name;
    try {
      ({ bytes, name } = await readInput(input, { fileName: options.fileName }));
    } catch (err) {
      if (err instanceof TypeError && !/fetch/i.test(err.message)) throw err;
      return this.clientMade('FETCH_FAILED', '无法读取该文件（下载失败）。', `The file could not be read (download failed): ${err.message}`, null, options.fileName || '');
    }
    if (bytes.byteLength > this.maxBytes) return this.tooLarge(bytes.byteLength, name);
    const now = options.now instanceof Date ? Math.floor(options.now.getTime() / 1000)
      : typeof options.now === 'number' ? Math.floor(options.now) : Math.floor(Date.now() / 1000);
    const made = (code, zh, en) => this.clientMade(code, zh, en, bytes.byteLength, name);
    try {
      await this.ready();
      // With an edge, a snapshot too old to answer is refreshed first (the core would say STATUS_UNKNOWN).
      if (this.edge && this.statusStale(now)) await this.updateStatusFromEdge();
    } catch (err) {
      if (this.trustNotice && this.trustNotice.kind === 'load') {
        return made('VERIFIER_UNAVAILABLE', '验证程序未能加载，无法验证。', 'The verifier could not be loaded; nothing was checked.');
      }
      return made('TRUST_LIST_INVALID', '内置信任列表无法验证，无法验证任何证书。',
        'The bundled trust list does not verify; no certificate can be checked.');
    }
    const copy = bytes.slice().buffer; // the caller keeps its buffer; ours is transferred
    let verdictJson;
    try {
      verdictJson = await this.call('verify', { bytes: copy, now, reveal: !!options.revealIdNumber, simulateTrap: !!options.simulateTrap }, [copy]);
    } catch (err) {
      if (err.code === 'VERIFIER_TIMEOUT') {
        return made('VERIFIER_TIMEOUT', '验证超时，已中止。该文件无法验证。',
          'Verification took too long and was stopped. The file could not be verified.');
      }
      if (err.trap) this.restart();
      return made('VERIFIER_CRASHED', '验证程序在处理该文件时出错，文件无法验证。',
        'The verifier failed on this file; it could not be verified.');
    }
    // The client adds (identity.js, as the server entry does): `file.name`; `file.sha256`, the whole file's
    // SHA-256 (WebCrypto; null outside a secure context), so a site can tell which exact file was checked; `id`,
    // the stable verdict id; and `status.snapshot.origin`, where the snapshot the status rests on came from.
    return decorate(JSON.parse(verdictJson), {
      bytes, name, trustSequence: this.trust && this.trust.sequence, origin: this.status && this.status.origin,
    });
  }

  /** A client-made verdict (`client_error: true`) with the file's name and a verdict id. */
  clientMade(code, zh, en, size, name) {
    return decorate(clientVerdict(code, zh, en, size), { bytes: null, name, trustSequence: this.trust && this.trust.sequence });
  }

  tooLarge(size, name) {
    const mb = (this.maxBytes / 1024 / 1024).toFixed(0);
    return this.clientMade('FILE_TOO_LARGE', `文件过大（超过 ${mb} MB），未进行验证。`,
      `The file is larger than ${mb} MB and was not checked.`, size, name);
  }

  /**
   * A receipt (`ecert.receipt/1`, docs/verdict.md "Receipts") for `verdict`, a verdict this client gave for
   * `input`: the worker verifies the file again at the verdict's own device clock under the trust list and the
   * snapshot held now, and builds the receipt from that. Rejects (code RECEIPT_UNAVAILABLE) for a client-made
   * verdict, and (RECEIPT_VERDICT_CHANGED) when the verdict is no longer what was shown — a newer snapshot
   * arrived: verify again, then ask for the receipt.
   * @returns {Promise<object>} the receipt object (JSON.stringify it to keep it)
   */
  async receipt(input, verdict, options = {}) {
    const fail = (code, message) => Object.assign(new Error(`${code}: ${message}`), { code });
    if (!verdict || verdict.client_error || typeof verdict.clock !== 'number') {
      throw fail('RECEIPT_UNAVAILABLE', 'no core verdict for this file (nothing to put in a receipt)');
    }
    const bytes = toBytes(input);
    await this.ready();
    const copy = bytes.slice().buffer;
    const json = await this.call('receipt', {
      bytes: copy, name: String(options.fileName || ''), now: verdict.clock, reveal: !!options.revealIdNumber,
    }, [copy]);
    const receipt = JSON.parse(json);
    if (receipt.verdict.code !== verdict.code || receipt.verdict.checked_at !== verdict.checked_at) {
      throw fail('RECEIPT_VERDICT_CHANGED', `the file now verifies as ${receipt.verdict.code}, not ${verdict.code}: verify it again`);
    }
    return receipt;
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
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = null;
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
