// What the browser client and the server entry add to the core's verdict, computed the same way in both so a site
// can match the applicant's preview with its own server's verdict: the file's name, its whole-file SHA-256, and a
// stable verdict id. The core's own verdicts (`ecert verify --json`, `POST /v1/verify`) have none of these.

/** Hex SHA-256 of `bytes` by WebCrypto (browser, Node ≥ 20, Deno, Workers), or null where it is unavailable. */
export async function sha256Hex(bytes) {
  try {
    if (!globalThis.crypto || !crypto.subtle) return null;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  } catch {
    return null;
  }
}

/**
 * The stable verdict id: `ev1-` + the first 32 hex digits of SHA-256 over the file's SHA-256, the verdict's code,
 * state, annotation state and copy status id, and the trust list's and status snapshot's sequence numbers. The
 * same file checked under the same trust list and snapshot gets the same id — in the browser, in Node, today
 * and tomorrow — as long as the outcome is the same; it does not depend on the clock or on the language.
 * Null when the file's hash is unknown (no WebCrypto).
 */
export async function verdictId(verdict, trustSequence) {
  const sha = verdict && verdict.file && verdict.file.sha256;
  if (!sha) return null;
  const snap = verdict.status && verdict.status.snapshot;
  const text = ['ecert.verdict-id/1', sha, verdict.code, verdict.state, verdict.annotation ? verdict.annotation.state : '',
    verdict.status_id || '', trustSequence ?? '', snap ? `${snap.sequence}` : ''].join('\n');
  const hex = await sha256Hex(new TextEncoder().encode(text));
  return hex ? `ev1-${hex.slice(0, 32)}` : null;
}

/** `verdict` with `file.name`, `file.sha256` and `id` set (mutated and returned). */
export async function decorate(verdict, { bytes, name, trustSequence, origin }) {
  if (origin && verdict.status && verdict.status.snapshot) verdict.status.snapshot.origin = origin;
  verdict.file = { name: name || '', ...verdict.file, sha256: bytes ? await sha256Hex(bytes) : null };
  verdict.id = await verdictId(verdict, trustSequence);
  return verdict;
}

/** The last path segment of a URL, decoded ('' when none). */
export function nameFromUrl(u) {
  try {
    const seg = new URL(String(u)).pathname.split('/').filter(Boolean).pop() || '';
    return decodeURIComponent(seg);
  } catch {
    return '';
  }
}

/**
 * Any accepted input → `{bytes: Uint8Array, name}`: a `File` (its name), a `Blob`, an `ArrayBuffer`, a typed array
 * or a `URL` (fetched; its last path segment is the name) — or a string that is an absolute http(s) URL.
 * `fetchUrl(url)` is how a URL is read (the server entry also reads `file:` URLs from disk).
 */
export async function readInput(input, { fileName, fetchUrl } = {}) {
  let bytes;
  let name = '';
  if (input instanceof Uint8Array) bytes = input;
  else if (input instanceof ArrayBuffer) bytes = new Uint8Array(input);
  else if (ArrayBuffer.isView(input)) bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  else if (typeof Blob !== 'undefined' && input instanceof Blob) {
    name = typeof input.name === 'string' ? input.name : '';
    bytes = new Uint8Array(await input.arrayBuffer());
  } else if (input instanceof URL || (typeof input === 'string' && /^(https?|file):\/\//i.test(input))) {
    const url = new URL(String(input));
    name = nameFromUrl(url);
    bytes = await (fetchUrl || defaultFetch)(url);
  } else {
    throw new TypeError('verify(input): input must be a File, Blob, ArrayBuffer, typed array or URL');
  }
  return { bytes, name: fileName || name };
}

async function defaultFetch(url) {
  const r = await fetch(url, { credentials: 'omit', referrerPolicy: 'no-referrer' });
  if (!r.ok) throw Object.assign(new Error(`FETCH_FAILED: ${url.href}: HTTP ${r.status}`), { code: 'FETCH_FAILED' });
  return new Uint8Array(await r.arrayBuffer());
}
