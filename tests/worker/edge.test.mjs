// Integration tests of the edge worker on workerd: `wrangler dev --local`, a fresh local D1, migrations, seeded
// from a fresh `ecert demo` through the admin API (tests/support/edge.mjs). No mocks: every request goes over
// HTTP to the real worker. Run: `. scripts/env.sh && node --test tests/worker/`.
//
// Rate limits are counted per client address (CF-Connecting-IP, which workerd passes through locally); each
// test uses its own address so counters do not leak between tests.

import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { REPO, makeDemo, runWithEnv, startEdge } from '../support/edge.mjs';

// The per-client lookup limit: wrangler.toml's RL_LOOKUP_CLIENT binding (per 60 s).
const LOOKUP_LIMIT = 10;
// worker/wrangler.toml's STATUS_MAX_STALE (seconds): a status bucket answer is at most this old (docs/edge.md).
const STATUS_MAX_STALE = Number((await readFile(join(REPO, 'worker', 'wrangler.toml'), 'utf8')).match(/^STATUS_MAX_STALE = "(\d+)"/m)[1]);
// The binding's period: Retry-After is at most this.
const LOOKUP_WINDOW = 60;
let demo;
let edge;
let nextIp = 1;
const freshIp = () => `198.51.100.${nextIp++}`;

// A copy's status id: SHA-256 of the domain and the exact record bytes it seals (ecert_format::copy_status_id).
const copyId = (bytes) => createHash('sha256').update(Buffer.concat([Buffer.from('ecert.status/2\0'), Buffer.from(bytes)])).digest('hex');
// Every copy the demo issued, as the edge must know it: each certificate's base copy (its register file in canonical
// form) and every copy in pki/copies (named by its id). Filled in before().
let copies = [];
const copiesOf = (m) => copies.filter((c) => c.management_number === m);
const prefixes = () => new Set(copies.map((c) => c.id.slice(0, 4)));

async function demoCopies(demoDir) {
  const out = new Map();
  const reg = join(demoDir, 'pki', 'register');
  for (const f of await readdir(reg)) {
    const record = JSON.parse(await readFile(join(reg, f), 'utf8'));
    out.set(copyId(JSON.stringify(record)), { management_number: record.management_number, annotation_number: null });
  }
  const dir = join(demoDir, 'pki', 'copies');
  for (const f of await readdir(dir)) {
    const text = await readFile(join(dir, f), 'utf8');
    const record = JSON.parse(text);
    assert.equal(copyId(text), f.replace(/\.json$/, ''), `${f} is named by its id`);
    out.set(copyId(text), { management_number: record.management_number, annotation_number: record.annotation?.number ?? null });
  }
  return [...out].map(([id, c]) => ({ id, ...c })).sort((a, b) => (a.id < b.id ? -1 : 1));
}
const masked = (id) => `${id.slice(0, 3)}${'*'.repeat(id.length - 7)}${id.slice(-4)}`;

async function call(method, path, { body, headers = {}, ip = freshIp(), token } = {}) {
  const h = { 'cf-connecting-ip': ip, ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) {
    body = JSON.stringify(body);
    h['content-type'] ??= 'application/json';
  }
  const r = await fetch(`${edge.baseUrl}${path}`, { method, headers: h, body });
  const text = await r.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: r.status, headers: r.headers, text, json };
}

function assertError(res, status, code) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.json?.code, code, res.text);
  assert.equal(typeof res.json.message?.zh, 'string');
  assert.equal(typeof res.json.message?.en, 'string');
  assert.match(res.headers.get('content-type'), /^application\/json/);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The bucket answer's caching promise: as_of no older than the bound, max-age no longer than what is left of it. */
function assertFreshEnough(res, askedAtMs) {
  const maxAge = Number(res.headers.get('cache-control')?.match(/^public, max-age=(\d+)$/)?.[1]);
  assert.ok(Number.isInteger(maxAge), `cache-control: ${res.headers.get('cache-control')}`);
  // as_of is whole seconds (floor of the read's start): allow the one second of rounding.
  assert.ok(res.json.as_of * 1000 > askedAtMs - (STATUS_MAX_STALE + 1) * 1000, `as_of ${res.json.as_of} older than the bound`);
  assert.ok(res.json.as_of * 1000 <= Date.now(), 'as_of in the future');
  // A cache keeping it max-age seconds from now keeps it no longer than as_of + the bound (50 ms for clocks).
  assert.ok(askedAtMs + maxAge * 1000 < (res.json.as_of + 1 + STATUS_MAX_STALE) * 1000 + 50, `max-age ${maxAge} outlives the bound`);
}

const sample = (file) => demo.manifest.samples.find((s) => s.file === file);
const lookupBody = (s, by = 'management_number') => ({
  name: s.holder_name,
  id_number: s.id_number,
  [by]: by === 'management_number' ? s.management_number : s.query_number,
});

before(async () => {
  demo = await makeDemo();
  copies = await demoCopies(demo.demoDir);
  edge = await startEdge({ demoDir: demo.demoDir });
}, { timeout: 20 * 60_000 });

after(async () => {
  await edge?.stop();
  await demo?.cleanup();
});

describe('public, read-only', () => {
  test('GET /v1/noop', async () => {
    const r = await call('GET', '/v1/noop');
    assert.equal(r.status, 200);
    assert.equal(r.json.ok, true);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
  });

  test('the page is served next to the API (static assets), /v1/* still reaches the worker', async () => {
    const page = await fetch(`${edge.baseUrl}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /^text\/html/);
    assert.match(await page.text(), /<title>[^<]*ecert|ecert[^<]*<\/title>/i);
    const missing = await call('GET', '/v1/no-such-asset.html');
    assertError(missing, 404, 'ROUTE_NOT_FOUND');
  });

  test('GET /v1/scope: 31 qualifications, 8 issuers, the trust list seals', async () => {
    const r = await call('GET', '/v1/scope');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    assert.equal(r.json.schema, 'ecert.scope/1');
    assert.equal(r.json.qualifications.length, 31);
    assert.equal(r.json.qualifications.filter((q) => q.style === 1).length, 24);
    assert.equal(r.json.issuers.length, 8);
    const mohrss = r.json.issuers.find((i) => i.id === 'mohrss');
    assert.equal(mohrss.qualifications.length, 24);
    assert.equal(r.json.trust_list.sequence >= 1, true);
    const signed = JSON.parse(await readFile(join(demo.demoDir, 'trust-list.json'), 'utf8'));
    const payload = JSON.parse(Buffer.from(signed.payload, 'base64').toString('utf8'));
    for (const issuer of payload.issuers) {
      const scoped = r.json.issuers.find((i) => i.id === issuer.id);
      assert.deepEqual(scoped.seals.map((s) => s.key_id).sort(), issuer.seals.map((s) => s.key_id).sort(), issuer.id);
    }
  });

  test('GET /v1/trust-list: the published bytes, ETag, Cache-Control, 304', async () => {
    const published = await readFile(join(demo.demoDir, 'trust-list.json'), 'utf8');
    const r = await call('GET', '/v1/trust-list');
    assert.equal(r.status, 200);
    assert.equal(r.text, published);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    assert.match(r.headers.get('cache-control'), /max-age=\d+/);
    const etag = r.headers.get('etag');
    assert.match(etag, /^"[0-9a-f]{32}"$/);
    const again = await call('GET', '/v1/trust-list', { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.text, '');
    assert.equal(again.headers.get('etag'), etag);
    const other = await call('GET', '/v1/trust-list', { headers: { 'if-none-match': '"0000"' } });
    assert.equal(other.status, 200);
  });

  test('GET /v1/status/{prefix}: every issued copy (base and 加注) is in the bucket of its copy id, valid', async () => {
    assert.ok(copies.some((c) => c.annotation_number !== null) && copies.some((c) => c.annotation_number === null));
    for (const c of copies) {
      const r = await call('GET', `/v1/status/${c.id.slice(0, 4)}`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers.get('access-control-allow-origin'), '*');
      assert.equal(r.json.schema, 'ecert.status-bucket/2');
      assert.equal(r.json.prefix, c.id.slice(0, 4));
      assert.ok(r.json.entries.every((e) => e.id.startsWith(c.id.slice(0, 4))));
      const entry = r.json.entries.find((e) => e.id === c.id);
      assert.deepEqual(entry, { id: c.id, state: 'valid' }, c.management_number);
      // The bucket never carries personal data or numbers: only ids and states.
      const s = demo.manifest.samples.find((x) => x.management_number === c.management_number);
      assert.ok(!r.text.includes(c.management_number) && (!s || !r.text.includes(s.holder_name)));
    }
    // The 管理号-keyed ids of before (ecert.status/1) are in no bucket: a crawl can no longer test 管理号 guesses.
    for (const s of demo.manifest.samples) {
      const old = createHash('sha256').update(Buffer.concat([Buffer.from('ecert.status/1\0'), Buffer.from(s.management_number)])).digest('hex');
      const r = await call('GET', `/v1/status/${old.slice(0, 4)}`);
      assert.ok(!r.json.entries.some((e) => e.id === old), s.file);
    }
  });

  test('GET /v1/status/{prefix}: an empty bucket, and bad prefixes are 400', async () => {
    const used = prefixes();
    const empty = ['0000', 'ffff', 'abcd'].find((p) => !used.has(p));
    const r = await call('GET', `/v1/status/${empty}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.entries, []);
    for (const bad of ['ABCD', 'abc', 'abcde', 'zzzz', '%20abc']) {
      assertError(await call('GET', `/v1/status/${bad}`), 400, 'INVALID_PREFIX');
    }
  });

  test('GET /v1/status/{prefix}: bounded caching — as_of, max-age within STATUS_MAX_STALE, ETag and 304', async () => {
    const used = prefixes();
    const prefix = ['1234', '5678', '9abc'].find((p) => !used.has(p));
    let first;
    let again;
    // A background refresh may replace the answer between the two requests (then: a new ETag, 200); retry.
    for (let i = 0; i < 3; i++) {
      const t = Date.now();
      first = await call('GET', `/v1/status/${prefix}`);
      assert.equal(first.status, 200, first.text);
      assertFreshEnough(first, t);
      const etag = first.headers.get('etag');
      assert.match(etag, /^"[0-9a-f]{32}"$/);
      again = await call('GET', `/v1/status/${prefix}`, { headers: { 'if-none-match': etag } });
      if (again.status === 304) break;
    }
    assert.equal(again.status, 304);
    assert.equal(again.text, '');
    assert.equal(again.headers.get('etag'), first.headers.get('etag'));
    assert.match(again.headers.get('cache-control'), /^public, max-age=\d+$/);
    assert.equal((await call('GET', `/v1/status/${prefix}`, { headers: { 'if-none-match': '"0000"' } })).status, 200);
  });

  test('unknown routes are 404, wrong methods 405, preflight answers CORS', async () => {
    assertError(await call('GET', '/v1/nothing'), 404, 'ROUTE_NOT_FOUND');
    const r = await call('GET', '/v1/lookup');
    assertError(r, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(r.headers.get('allow'), 'POST');
    // Lookup answers cross-origin only the edge's own page and LOOKUP_ALLOWED_ORIGINS (tests/worker/abuse.test.mjs).
    const p = await call('OPTIONS', '/v1/lookup', { headers: { origin: edge.baseUrl, 'access-control-request-method': 'POST' } });
    assert.equal(p.status, 204);
    assert.equal(p.headers.get('access-control-allow-origin'), edge.baseUrl);
    assert.match(p.headers.get('access-control-allow-methods'), /POST/);
  });
});

describe('POST /v1/lookup', () => {
  test('by 管理号 and by 查询编号: authoritative fields, masked ID number, 有效', async () => {
    const s = sample('valid-style2.pdf');
    for (const by of ['management_number', 'query_number']) {
      const r = await call('POST', '/v1/lookup', { body: lookupBody(s, by) });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers.get('access-control-allow-origin'), null, 'lookup is not CORS *');
      assert.equal(r.json.management_number, s.management_number);
      assert.equal(r.json.query_number, s.query_number);
      assert.equal(r.json.holder.name, s.holder_name);
      assert.equal(r.json.holder.id_number, masked(s.id_number));
      assert.ok(!r.text.includes(s.id_number), 'the full ID number never comes back');
      assert.equal(r.json.qualification.code, s.qualification);
      assert.equal(r.json.qualification.style, 2);
      assert.notEqual(r.json.issuer.id, 'mohrss');
      assert.deepEqual(r.json.status, { state: 'valid', label_zh: '有效' });
      assert.equal(r.json.status_id, undefined, 'a lookup names the certificate, not a copy');
    }
    const rare = sample('rare-name-ext-b.pdf');
    const r = await call('POST', '/v1/lookup', { body: lookupBody(rare) });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.holder.name, '王𠈌');
  });

  test('a miss is one uniform 404 NOT_FOUND: wrong name, wrong ID, unknown number, another certificate', async () => {
    const s = sample('valid-style1.pdf');
    const other = sample('valid-style2.pdf');
    const misses = [
      { ...lookupBody(s), name: '张三' },
      { ...lookupBody(s), id_number: '11010519491231002X' }, // a valid ID number, not the holder's
      { ...lookupBody(s), management_number: '209912319999' }, // never issued
      { ...lookupBody(s), management_number: other.management_number }, // exists, belongs to someone else
      { name: s.holder_name, id_number: s.id_number, query_number: 'C000000000000000' },
    ];
    const bodies = new Set();
    for (const body of misses) {
      const r = await call('POST', '/v1/lookup', { body });
      assertError(r, 404, 'NOT_FOUND');
      assert.equal(r.json.reason, 'no_match');
      bodies.add(r.text);
    }
    assert.equal(bodies.size, 1, 'every no-match answer is byte-identical');
  });

  test('reasons that follow from the request alone: out_of_scope, information_invalid', async () => {
    const s = sample('valid-style1.pdf');
    for (const number of ['ZY_2023_001', '管理号2023', 'x'.repeat(33)]) {
      const r = await call('POST', '/v1/lookup', { body: { ...lookupBody(s), management_number: number } });
      assertError(r, 404, 'NOT_FOUND');
      assert.equal(r.json.reason, 'out_of_scope', number);
    }
    const r = await call('POST', '/v1/lookup', { body: { ...lookupBody(s), id_number: '110101198804120214' } });
    assertError(r, 404, 'NOT_FOUND');
    assert.equal(r.json.reason, 'information_invalid');
  });

  test('malformed JSON and wrong shapes are 400', async () => {
    assertError(await call('POST', '/v1/lookup', { body: '{"name": "张伟",' }), 400, 'MALFORMED_JSON');
    assertError(await call('POST', '/v1/lookup', { body: '' }), 400, 'MALFORMED_JSON');
    const s = sample('valid-style1.pdf');
    assertError(await call('POST', '/v1/lookup', { body: { name: s.holder_name } }), 400, 'INVALID_REQUEST');
    assertError(await call('POST', '/v1/lookup', { body: { ...lookupBody(s), query_number: s.query_number } }), 400, 'INVALID_REQUEST');
    assertError(await call('POST', '/v1/lookup', { body: { ...lookupBody(s), extra: 1 } }), 400, 'INVALID_REQUEST');
    assertError(await call('POST', '/v1/lookup', { body: { ...lookupBody(s), name: '  ' } }), 400, 'INVALID_FIELD');
  });

  test('rate limited per client: 429 with Retry-After, other clients unaffected', async () => {
    const s = sample('valid-style1.pdf');
    const ip = freshIp();
    for (let i = 0; i < LOOKUP_LIMIT; i++) {
      const r = await call('POST', '/v1/lookup', { body: { ...lookupBody(s), name: `试${i}` }, ip });
      assert.equal(r.status, 404, r.text);
    }
    // Over the limit even with the right answer: enumeration gets nothing more.
    const limited = await call('POST', '/v1/lookup', { body: lookupBody(s), ip });
    assertError(limited, 429, 'RATE_LIMITED');
    const retry = Number(limited.headers.get('retry-after'));
    assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= LOOKUP_WINDOW, `Retry-After ${retry}`);
    assert.equal(limited.json.retry_after, retry);
    const malformed = await call('POST', '/v1/lookup', { body: '{', ip });
    assert.equal(malformed.status, 429, 'malformed requests count too');
    const other = await call('POST', '/v1/lookup', { body: lookupBody(s) });
    assert.equal(other.status, 200);
  });
});

describe('administration', () => {
  test('401 without or with a wrong token on every admin endpoint; 403 for the audit token writing', async () => {
    const endpoints = [
      ['POST', '/v1/admin/certificates', { records: [] }],
      ['POST', '/v1/admin/revocations', { management_number: '1', reason: 'x' }],
      ['PUT', '/v1/admin/trust-list', {}],
      ['GET', '/v1/admin/audit', undefined],
    ];
    for (const [method, path, body] of endpoints) {
      assertError(await call(method, path, { body }), 401, 'UNAUTHORIZED');
      assertError(await call(method, path, { body, token: 'x'.repeat(48) }), 401, 'UNAUTHORIZED');
      assertError(await call(method, path, { body, headers: { authorization: edge.adminToken } }), 401, 'UNAUTHORIZED');
      assertError(await call(method, path, { body, headers: { authorization: `Basic ${edge.adminToken}` } }), 401, 'UNAUTHORIZED');
      const admin = await call(method, path, { body, token: edge.adminToken });
      assert.notEqual(admin.status, 401, `${method} ${path}`);
      assert.equal(admin.headers.get('access-control-allow-origin'), null, 'admin endpoints are not CORS-open');
    }
    for (const [method, path, body] of endpoints.slice(0, 3)) {
      assertError(await call(method, path, { body, token: edge.auditToken }), 403, 'FORBIDDEN');
    }
    const audit = await call('GET', '/v1/admin/audit', { token: edge.auditToken });
    assert.equal(audit.status, 200);
    assert.ok(Array.isArray(audit.json.entries));
  });

  test('POST /v1/admin/certificates: validation (422), conflicts (409), idempotence, new registration', async () => {
    const dir = join(demo.demoDir, 'pki', 'register');
    const records = await Promise.all((await readdir(dir)).map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8'))));
    // Idempotent: the seeds again; each record's base copy is named, already registered.
    let r = await call('POST', '/v1/admin/certificates', { body: { records }, token: edge.adminToken });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.created.length, 0);
    assert.equal(r.json.unchanged.length, records.length);
    assert.deepEqual(
      r.json.copies.map((c) => [c.management_number, c.annotation_number, c.status_id, c.created]).sort(),
      records.map((rec) => [rec.management_number, null, copyId(JSON.stringify(rec)), false]).sort(),
    );
    // A 加注件 record of a registered certificate is the same certificate, and a new copy with its own id.
    const annotated = { ...records[0] };
    annotated.annotation = { scenario: '本人调用', valid_from: annotated.issue_date, valid_until: annotated.issue_date, number: `${annotated.management_number}-A9` };
    r = await call('POST', '/v1/admin/certificates', { body: { records: [annotated] }, token: edge.adminToken });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json.unchanged, [annotated.management_number]);
    const annotatedId = copyId(JSON.stringify(annotated));
    assert.deepEqual(r.json.copies, [
      { management_number: annotated.management_number, annotation_number: null, status_id: copyId(JSON.stringify(records[0])), created: false },
      { management_number: annotated.management_number, annotation_number: `${annotated.management_number}-A9`, status_id: annotatedId, created: true },
    ]);
    copies.push({ id: annotatedId, management_number: annotated.management_number, annotation_number: `${annotated.management_number}-A9` });
    // Again: unchanged (200). The same 加注编号 with other content: a conflict.
    r = await call('POST', '/v1/admin/certificates', { body: { records: [annotated] }, token: edge.adminToken });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.copies[1].created, false);
    const dayAfter = new Date(Date.parse(`${annotated.issue_date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const otherWindow = { ...annotated, annotation: { ...annotated.annotation, valid_until: dayAfter } };
    r = await call('POST', '/v1/admin/certificates', { body: { records: [otherWindow] }, token: edge.adminToken });
    assertError(r, 409, 'REGISTRATION_CONFLICT');
    assert.deepEqual(r.json.errors.map((e) => [e.management_number, e.code]), [[annotated.management_number, 'CONFLICT']]);

    const fresh = { ...records[0], management_number: '202611230001', query_number: 'C900000000000001' };
    const badId = { ...records[1], management_number: '202611230002', query_number: 'C900000000000002', holder: { ...records[1].holder, id_number: '110101198804120214' } };
    r = await call('POST', '/v1/admin/certificates', { body: { records: [fresh, badId] }, token: edge.adminToken });
    assertError(r, 422, 'INVALID_RECORDS');
    assert.deepEqual(r.json.errors.map((e) => [e.index, e.management_number, e.code]), [[1, '202611230002', 'INVALID_RECORD']]);
    assert.match(r.json.errors[0].message.en, /check character/);
    // Nothing was written: the valid record of the refused batch is unknown.
    const probe = { name: fresh.holder.name, id_number: fresh.holder.id_number, management_number: fresh.management_number };
    assert.equal((await call('POST', '/v1/lookup', { body: probe })).status, 404);

    const changed = { ...records[0], approval_date: records[0].issue_date };
    const stolenQuery = { ...fresh, query_number: records[1].query_number };
    for (const record of [changed, stolenQuery]) {
      r = await call('POST', '/v1/admin/certificates', { body: { records: [record] }, token: edge.adminToken });
      assertError(r, 409, 'REGISTRATION_CONFLICT');
      assert.equal(r.json.errors[0].code, 'CONFLICT');
    }
    r = await call('POST', '/v1/admin/certificates', { body: { records: [fresh] }, token: edge.adminToken });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json.created, [fresh.management_number]);
    assert.deepEqual(r.json.copies, [{ management_number: fresh.management_number, annotation_number: null, status_id: copyId(JSON.stringify(fresh)), created: true }]);
    copies.push({ id: copyId(JSON.stringify(fresh)), management_number: fresh.management_number, annotation_number: null });
    assert.equal((await call('POST', '/v1/lookup', { body: probe })).status, 200);

    assertError(await call('POST', '/v1/admin/certificates', { body: '{"records": [', token: edge.adminToken }), 400, 'MALFORMED_JSON');
    assertError(await call('POST', '/v1/admin/certificates', { body: { records: [] }, token: edge.adminToken }), 400, 'INVALID_FIELD');
    assertError(await call('POST', '/v1/admin/certificates', { body: { items: [] }, token: edge.adminToken }), 400, 'INVALID_REQUEST');
    const audit = await call('GET', '/v1/admin/audit', { token: edge.adminToken });
    const registrations = audit.json.entries.filter((e) => e.action === 'register');
    assert.deepEqual(registrations[0].detail.management_numbers, [fresh.management_number]);
    assert.deepEqual(registrations[0].detail.copies, [copyId(JSON.stringify(fresh))]);
    assert.ok(!audit.text.includes(fresh.holder.id_number) && !audit.text.includes(fresh.holder.name), 'no personal data in the audit log');
  });

  test('revocation: durable, then lookup and status show 已撤销; idempotent; audited once', async () => {
    const s = sample('annotation-expired.pdf');
    const reason = '证书持有人资格被依法撤销';
    const revokedAt = Math.floor(Date.now() / 1000) - 3600;
    const ids = copiesOf(s.management_number).map((c) => c.id);
    assert.ok(ids.length >= 2, 'the base copy and the annotated copy');
    // The bucket is cached (valid) before the revocation.
    const before = await call('GET', `/v1/status/${ids[0].slice(0, 4)}`);
    assert.equal(before.json.entries.find((e) => e.id === ids[0]).state, 'valid');
    const r = await call('POST', '/v1/admin/revocations', {
      body: { management_number: s.management_number, reason, revoked_at: revokedAt },
      token: edge.adminToken,
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.created, true);
    assert.deepEqual(r.json.status, { state: 'revoked', label_zh: '已撤销', revoked_at: revokedAt, reason });
    assert.deepEqual([...r.json.copies].sort(), [...ids].sort(), 'every copy of the certificate is revoked with it');
    const acknowledged = Date.now();

    const look = await call('POST', '/v1/lookup', { body: lookupBody(s) });
    assert.equal(look.status, 200, look.text);
    assert.deepEqual(look.json.status, { state: 'revoked', label_zh: '已撤销', revoked_at: revokedAt, reason });

    // The status bucket (cached, read earlier by the read-only tests) shows it within STATUS_MAX_STALE of the 201.
    const id = ids[0];
    const entry = { id, state: 'revoked', revoked_at: revokedAt, reason };
    for (;;) {
      const asked = Date.now();
      const bucket = await call('GET', `/v1/status/${id.slice(0, 4)}`);
      assert.equal(bucket.status, 200, bucket.text);
      assertFreshEnough(bucket, asked);
      const got = bucket.json.entries.find((e) => e.id === id);
      if (got.state === 'revoked') {
        assert.deepEqual(got, entry);
        break;
      }
      // Still the answer of a read that started before the revocation was acknowledged …
      assert.ok(bucket.json.as_of * 1000 <= acknowledged, 'an answer read after the revocation must show it');
      // … and only within the bound.
      assert.ok(asked < acknowledged + STATUS_MAX_STALE * 1000, `not visible ${asked - acknowledged} ms after the 201`);
      await sleep(100);
    }

    // Again, with another reason: nothing changes, the first revocation stands.
    const again = await call('POST', '/v1/admin/revocations', {
      body: { management_number: s.management_number, reason: '另一个原因' },
      token: edge.adminToken,
    });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.created, false);
    assert.deepEqual(again.json.status, r.json.status);

    const audit = await call('GET', '/v1/admin/audit?limit=500', { token: edge.adminToken });
    const entries = audit.json.entries.filter((e) => e.action === 'revoke' && e.target === s.management_number);
    assert.equal(entries.length, 1);
    assert.deepEqual(entries[0].detail, { revoked_at: revokedAt, reason });
    assert.ok(entries[0].actor, 'the operator is named');
    assert.ok(typeof entries[0].request_id === 'string' && entries[0].request_id.length > 0, 'the request id is recorded');
  });

  test('revocation input errors', async () => {
    const t = edge.adminToken;
    assertError(await call('POST', '/v1/admin/revocations', { body: { management_number: '209901019999', reason: 'x' }, token: t }), 404, 'NOT_REGISTERED');
    assertError(await call('POST', '/v1/admin/revocations', { body: { management_number: '202303151001', reason: ' ' }, token: t }), 400, 'INVALID_FIELD');
    assertError(await call('POST', '/v1/admin/revocations', { body: { management_number: 'a b', reason: 'x' }, token: t }), 400, 'INVALID_FIELD');
    const future = Math.floor(Date.now() / 1000) + 86400;
    assertError(await call('POST', '/v1/admin/revocations', { body: { management_number: '202303151001', reason: 'x', revoked_at: future }, token: t }), 422, 'REVOKED_AT_OUT_OF_RANGE');
    // Before the certificate's approval date (00:00 China time): refused too, and nothing is revoked.
    const dir = join(demo.demoDir, 'pki', 'register');
    const rec = JSON.parse(await readFile(join(dir, (await readdir(dir)).sort().at(-1)), 'utf8'));
    const approval = Date.parse(`${rec.approval_date}T00:00:00+08:00`) / 1000;
    const early = await call('POST', '/v1/admin/revocations', { body: { management_number: rec.management_number, reason: 'x', revoked_at: approval - 1 }, token: t });
    assertError(early, 422, 'REVOKED_AT_OUT_OF_RANGE');
    assert.deepEqual([early.json.field, early.json.earliest], ['revoked_at', approval]);
    assertError(await call('POST', '/v1/admin/revocations', { body: '{"management_number"', token: t }), 400, 'MALFORMED_JSON');
    assertError(await call('POST', '/v1/admin/revocations', { body: { management_number: '202303151001' }, token: t }), 400, 'INVALID_REQUEST');
  });

  test('GET /v1/admin/audit pages newest first', async () => {
    const all = await call('GET', '/v1/admin/audit', { token: edge.adminToken });
    assert.ok(all.json.entries.length >= 3);
    const ids = all.json.entries.map((e) => e.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
    const page = await call('GET', '/v1/admin/audit?limit=1', { token: edge.adminToken });
    assert.equal(page.json.entries.length, 1);
    assert.equal(page.json.next_before, ids[0]);
    const next = await call('GET', `/v1/admin/audit?limit=1&before=${page.json.next_before}`, { token: edge.adminToken });
    assert.equal(next.json.entries[0].id, ids[1]);
    assertError(await call('GET', '/v1/admin/audit?limit=0', { token: edge.adminToken }), 400, 'INVALID_FIELD');
    assertError(await call('GET', '/v1/admin/audit?before=x', { token: edge.adminToken }), 400, 'INVALID_FIELD');
  });

  test('trust-list rotation: a higher sequence is published; rollback, bad signature, foreign root are refused', async () => {
    const t = edge.adminToken;
    const pki = join(demo.demoDir, 'pki');
    const current = (await call('GET', '/v1/trust-list')).text;
    const held = JSON.parse(Buffer.from(JSON.parse(current).payload, 'base64')).sequence;
    const next = join(demo.demoDir, 'trust-list-next.json');
    await runWithEnv(demo.ecert, ['trust-list', '--pki', pki, '--out', next, '--sequence', String(held + 1)]);
    const nextText = await readFile(next, 'utf8');

    let r = await call('PUT', '/v1/admin/trust-list', { body: nextText, token: t });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.sequence, held + 1);
    const served = await call('GET', '/v1/trust-list');
    assert.equal(served.text, nextText);
    assert.equal(served.headers.get('etag'), r.json.etag);
    assert.equal((await call('GET', '/v1/scope')).json.trust_list.sequence, held + 1);
    // The same list again: a no-op.
    r = await call('PUT', '/v1/admin/trust-list', { body: nextText, token: t });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.published, false);

    // The previous list (lower sequence): rollback.
    assertError(await call('PUT', '/v1/admin/trust-list', { body: current, token: t }), 409, 'TRUST_LIST_ROLLBACK');
    // Another list with the same sequence (another next_update, so the bytes differ: signing is deterministic).
    const twin = join(demo.demoDir, 'trust-list-twin.json');
    await runWithEnv(demo.ecert, ['trust-list', '--pki', pki, '--out', twin, '--sequence', String(held + 1), '--next-update-days', '3']);
    assert.notEqual(await readFile(twin, 'utf8'), nextText);
    assertError(await call('PUT', '/v1/admin/trust-list', { body: await readFile(twin, 'utf8'), token: t }), 409, 'TRUST_LIST_SEQUENCE_TAKEN');
    // A tampered payload under the original signature.
    const env = JSON.parse(nextText);
    const payload = JSON.parse(Buffer.from(env.payload, 'base64'));
    payload.sequence = held + 5;
    const tampered = { ...env, payload: Buffer.from(JSON.stringify(payload)).toString('base64') };
    assertError(await call('PUT', '/v1/admin/trust-list', { body: tampered, token: t }), 422, 'TRUST_LIST_BAD_SIGNATURE');
    // Signed by another root.
    const rogue = join(demo.demoDir, 'trust-list-rogue.json');
    await runWithEnv(demo.ecert, ['trust-list', '--pki', join(demo.demoDir, 'untrusted-pki'), '--out', rogue, '--sequence', String(held + 9)]);
    assertError(await call('PUT', '/v1/admin/trust-list', { body: await readFile(rogue, 'utf8'), token: t }), 422, 'TRUST_LIST_WRONG_SIGNER');
    assertError(await call('PUT', '/v1/admin/trust-list', { body: '{"schema": ', token: t }), 400, 'MALFORMED_JSON');
    // Correctly signed by the root, but one seal certificate's CA signature is broken: verifiers would not trust
    // that seal, so the edge does not publish the list.
    const broken = JSON.parse(Buffer.from(env.payload, 'base64'));
    broken.sequence = held + 7;
    const seal = broken.issuers.find((i) => i.seals.length > 0).seals[0];
    const der = Buffer.from(seal.certificate, 'base64');
    der[der.length - 1] ^= 0x01;
    seal.certificate = der.toString('base64');
    const brokenBytes = Buffer.from(JSON.stringify(broken));
    const rootKey = await readFile(join(pki, 'root', 'key.pem'), 'utf8');
    const resigned = { ...env, payload: brokenBytes.toString('base64'), signature: sign('sha256', brokenBytes, rootKey).toString('base64') };
    assertError(await call('PUT', '/v1/admin/trust-list', { body: resigned, token: t }), 422, 'TRUST_LIST_INCONSISTENT');
    // Still the rotated list.
    assert.equal((await call('GET', '/v1/trust-list')).text, nextText);
    const audit = await call('GET', '/v1/admin/audit?limit=500', { token: t });
    assert.equal(audit.json.entries.filter((e) => e.action === 'publish_trust_list').length, 2);
  });
});

// ---- The status publisher's side: the universe of copies, signed snapshots and deltas ----------------------------

const SNAPSHOT_TYPE = 'application/vnd.ecert.status-snapshot';
const sha256hex = (b) => createHash('sha256').update(b).digest('hex');

/** Parse a status snapshot file ("ECSS" | 1 | u32 header length | header | u16 signature length | signature | filter). */
function parseSnapshot(bytes) {
  const b = Buffer.from(bytes);
  assert.equal(b.subarray(0, 4).toString(), 'ECSS');
  const hlen = b.readUInt32BE(5);
  const header = JSON.parse(b.subarray(9, 9 + hlen).toString());
  const slen = b.readUInt16BE(9 + hlen);
  return { header, filter: b.subarray(11 + hlen + slen) };
}

/** A snapshot file with this header (fields in the signed, canonical order) over `filter`, signed with `key`. */
function snapshotFile(fields, filter, key) {
  const header = {
    schema: 'ecert.status-snapshot/1',
    kind: fields.kind,
    signer: fields.signer,
    sequence: fields.sequence,
    base_sequence: fields.base_sequence ?? fields.sequence,
    issued_at: fields.issued_at,
    covers_sealed_before: fields.covers_sealed_before ?? fields.issued_at,
    copies: fields.copies ?? 0,
    revoked: fields.revoked ?? 0,
    filter_sha256: sha256hex(filter),
    filter_len: filter.length,
  };
  const h = Buffer.from(JSON.stringify(header));
  const sig = key ? sign('sha256', h, key) : Buffer.alloc(0);
  const len32 = Buffer.alloc(4);
  len32.writeUInt32BE(h.length);
  const len16 = Buffer.alloc(2);
  len16.writeUInt16BE(sig.length);
  return Buffer.concat([Buffer.from('ECSS'), Buffer.from([1]), len32, h, len16, sig, filter]);
}

/** Every copy of a universe page: 49-byte records (id | flags | registered_at i64 BE | revoked_at i64 BE or 0). */
function parseUniverse(body) {
  const b = Buffer.from(body);
  assert.equal(b.length % 49, 0, `${b.length} bytes`);
  const out = [];
  for (let i = 0; i < b.length; i += 49) {
    out.push({
      id: b.subarray(i, i + 32).toString('hex'),
      revoked: b[i + 32],
      registered_at: Number(b.readBigInt64BE(i + 33)),
      revoked_at: Number(b.readBigInt64BE(i + 41)),
    });
  }
  return out;
}

async function universe(query = '', token = edge.adminToken) {
  const r = await fetch(`${edge.baseUrl}/v1/admin/status/universe${query}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}

const putSnapshot = (bytes, { token = edge.adminToken, type = SNAPSHOT_TYPE } = {}) =>
  call('PUT', '/v1/admin/status/snapshot', { body: new Uint8Array(bytes), headers: { 'content-type': type }, token });

describe('status publisher', () => {
  test('GET /v1/admin/status/universe: every copy once, by id, with its certificate\'s revocation; paged', async () => {
    const r = await universe();
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/vnd.ecert.status-universe');
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.equal(r.headers.get('access-control-allow-origin'), null);
    const asOf = Number(r.headers.get('x-ecert-as-of'));
    assert.ok(Math.abs(asOf - Date.now() / 1000) < 60, `as_of ${asOf}`);
    assert.equal(r.headers.get('x-ecert-certificates-without-copies'), '0');
    assert.equal(r.headers.get('x-ecert-next-after'), null, 'one page holds the demo');
    const all = parseUniverse(r.body);
    assert.equal(Number(r.headers.get('x-ecert-copies')), all.length);
    assert.deepEqual(all.map((c) => c.id), [...all.map((c) => c.id)].sort(), 'in id order');
    assert.deepEqual(all.map((c) => c.id), copies.map((c) => c.id).sort(), 'exactly the copies issued (and registered by the tests)');
    // Revoking the certificate (the revocation test) revoked every one of its copies.
    const revoked = sample('annotation-expired.pdf').management_number;
    const revokedIds = new Set(copiesOf(revoked).map((c) => c.id));
    assert.ok(revokedIds.size >= 2);
    for (const c of all) {
      assert.ok(c.registered_at > 1_700_000_000);
      if (revokedIds.has(c.id)) assert.ok(c.revoked === 1 && c.revoked_at > 1_700_000_000, c.id);
      else assert.deepEqual([c.revoked, c.revoked_at], [0, 0], c.id);
    }
    // Pages of 3, by the id cursor, concatenate to the whole.
    const paged = [];
    let after = null;
    for (let i = 0; i < 100; i++) {
      const page = await universe(`?limit=3${after ? `&after=${after}` : ''}`);
      assert.equal(page.status, 200);
      assert.equal(page.headers.has('x-ecert-certificates-without-copies'), after === null, 'counted on the first page only');
      paged.push(...parseUniverse(page.body));
      after = page.headers.get('x-ecert-next-after');
      if (!after) break;
      assert.equal(after, paged.at(-1).id);
    }
    assert.deepEqual(paged, all);
    for (const q of ['?after=ABC', `?after=${'g'.repeat(64)}`, '?limit=0', '?limit=50001', '?limit=x']) {
      const bad = await call('GET', `/v1/admin/status/universe${q}`, { token: edge.adminToken });
      assertError(bad, 400, 'INVALID_FIELD');
    }
    assertError(await call('GET', '/v1/admin/status/universe'), 401, 'UNAUTHORIZED');
    assertError(await call('GET', '/v1/admin/status/universe', { token: edge.auditToken }), 403, 'FORBIDDEN');
  });

  test('status snapshots: refused unless signed by a listed status key, in order; served with ETag, 304, CORS', async () => {
    const t = edge.adminToken;
    const key = await readFile(join(demo.demoDir, 'pki', 'status', 'key.pem'), 'utf8');
    const signed = JSON.parse(await readFile(join(demo.demoDir, 'trust-list.json'), 'utf8'));
    const signer = JSON.parse(Buffer.from(signed.payload, 'base64')).status_signers[0].id;
    assertError(await call('GET', '/v1/status/snapshot'), 404, 'NO_STATUS_SNAPSHOT');
    assertError(await call('GET', '/v1/status/delta'), 404, 'NO_STATUS_DELTA');

    // The demo's own snapshot (built and signed by `ecert demo`, sequence 1).
    const demoSnapshot = await readFile(join(demo.demoDir, 'status', 'snapshot.bin'));
    const { header: demoHeader, filter } = parseSnapshot(demoSnapshot);
    let r = await putSnapshot(demoSnapshot);
    assert.equal(r.status, 201, r.text);
    assert.deepEqual([r.json.sequence, r.json.kind, r.json.published], [demoHeader.sequence, 'snapshot', true]);
    const etag1 = r.json.etag;
    assert.match(etag1, /^"[0-9a-f]{32}"$/);
    r = await putSnapshot(demoSnapshot);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.published, false);

    // Served: the bytes, strong ETag, short public caching, CORS with the ETag exposed; 304; HEAD.
    let g = await fetch(`${edge.baseUrl}/v1/status/snapshot`);
    assert.equal(g.status, 200);
    assert.deepEqual(Buffer.from(await g.arrayBuffer()), demoSnapshot);
    assert.equal(g.headers.get('content-type'), SNAPSHOT_TYPE);
    assert.equal(g.headers.get('etag'), etag1);
    assert.equal(g.headers.get('cache-control'), 'public, max-age=60');
    assert.equal(g.headers.get('access-control-allow-origin'), '*');
    assert.match(g.headers.get('access-control-expose-headers'), /etag/i);
    assert.equal(g.headers.get('x-ecert-status-sequence'), String(demoHeader.sequence));
    g = await fetch(`${edge.baseUrl}/v1/status/snapshot`, { headers: { 'if-none-match': etag1 } });
    assert.equal(g.status, 304);
    assert.equal(g.headers.get('etag'), etag1);
    g = await fetch(`${edge.baseUrl}/v1/status/snapshot`, { method: 'HEAD' });
    assert.equal(g.status, 200);
    assert.equal(g.headers.get('etag'), etag1);
    assert.equal((await g.arrayBuffer()).byteLength, 0);
    assertError(await call('GET', '/v1/status/delta'), 404, 'NO_STATUS_DELTA');

    // Refused, and nothing stored.
    // Signed time never goes back (the demo signs a minute ahead), and a delta covers at least what its base covers.
    const now = Math.max(Math.floor(Date.now() / 1000), demoHeader.issued_at);
    const seq = demoHeader.sequence;
    const base = { signer, issued_at: now, covers_sealed_before: demoHeader.covers_sealed_before, copies: demoHeader.copies, revoked: demoHeader.revoked };
    const delta = (fields, k = key) => snapshotFile({ ...base, kind: 'delta', base_sequence: seq, ...fields }, filter, k);
    const { privateKey: rogueKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    assertError(await putSnapshot(delta({ sequence: seq + 1 }, null)), 422, 'STATUS_SNAPSHOT_BAD_SIGNATURE');
    assertError(await putSnapshot(delta({ sequence: seq + 1 }, rogueKey)), 422, 'STATUS_SNAPSHOT_BAD_SIGNATURE');
    assertError(await putSnapshot(delta({ sequence: seq + 1, signer: 'rogue-status' }, rogueKey)), 422, 'STATUS_SIGNER_UNKNOWN');
    const tampered = delta({ sequence: seq + 1 });
    tampered[tampered.length - 1] ^= 1;
    assertError(await putSnapshot(tampered), 422, 'STATUS_SNAPSHOT_FILTER_MISMATCH');
    assertError(await putSnapshot(Buffer.from('not a snapshot')), 422, 'STATUS_SNAPSHOT_MALFORMED');
    // Signed and framed, but the filter is not one a verifier can decode: the edge checks as the verifier does.
    assertError(await putSnapshot(snapshotFile({ ...base, kind: 'snapshot', sequence: seq + 1 }, Buffer.from('junk filter'), key)), 422, 'STATUS_SNAPSHOT_MALFORMED');
    assertError(await putSnapshot(delta({ sequence: seq + 1, issued_at: now + 3600 })), 422, 'STATUS_SNAPSHOT_FROM_FUTURE');
    assertError(await putSnapshot(delta({ sequence: seq + 1, issued_at: 1_500_000_000, covers_sealed_before: 1_500_000_000 })), 422, 'STATUS_SIGNER_NOT_IN_USE');
    assertError(await putSnapshot(delta({ sequence: seq + 1, base_sequence: seq - 1 })), 409, 'STATUS_DELTA_MISMATCH');
    assertError(await putSnapshot(snapshotFile({ ...base, kind: 'snapshot', sequence: seq }, filter, key)), 409, 'STATUS_SEQUENCE_TAKEN');
    assertError(await putSnapshot(delta({ sequence: seq + 1 }), { type: 'application/json' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    assertError(await putSnapshot(delta({ sequence: seq + 1 }), { token: edge.auditToken }), 403, 'FORBIDDEN');
    assertError(await call('PUT', '/v1/admin/status/snapshot', { body: 'x', headers: { 'content-type': SNAPSHOT_TYPE } }), 401, 'UNAUTHORIZED');
    assert.equal((await fetch(`${edge.baseUrl}/v1/status/snapshot`)).headers.get('etag'), etag1);

    // A delta on the current snapshot: accepted, served beside it.
    const d2 = delta({ sequence: seq + 1 });
    r = await putSnapshot(d2);
    assert.equal(r.status, 201, r.text);
    assert.deepEqual([r.json.kind, r.json.base_sequence], ['delta', seq]);
    g = await fetch(`${edge.baseUrl}/v1/status/delta`);
    assert.equal(g.status, 200);
    assert.deepEqual(Buffer.from(await g.arrayBuffer()), d2);
    assert.equal(g.headers.get('etag'), r.json.etag);
    assert.equal(g.headers.get('x-ecert-status-base-sequence'), String(seq));
    assert.equal((await fetch(`${edge.baseUrl}/v1/status/delta`, { headers: { 'if-none-match': r.json.etag } })).status, 304);
    // A delta on another base, or time going back: refused.
    assertError(await putSnapshot(delta({ sequence: seq + 2, base_sequence: seq + 1 })), 409, 'STATUS_DELTA_MISMATCH');
    const earlier = { issued_at: demoHeader.issued_at - 1, covers_sealed_before: Math.min(demoHeader.covers_sealed_before, demoHeader.issued_at - 1) };
    assertError(await putSnapshot(delta({ sequence: seq + 2, ...earlier })), 409, 'STATUS_DELTA_MISMATCH');
    assertError(await putSnapshot(snapshotFile({ ...base, kind: 'snapshot', sequence: seq + 2, ...earlier }, filter, key)), 409, 'STATUS_SNAPSHOT_ROLLBACK');

    // A new full snapshot supersedes the delta; a sequence skipped over is a rollback.
    const s4 = snapshotFile({ ...base, kind: 'snapshot', sequence: seq + 3 }, filter, key);
    r = await putSnapshot(s4);
    assert.equal(r.status, 201, r.text);
    assertError(await call('GET', '/v1/status/delta'), 404, 'NO_STATUS_DELTA');
    g = await fetch(`${edge.baseUrl}/v1/status/snapshot`, { headers: { 'if-none-match': etag1 } });
    assert.equal(g.status, 200, 'the old ETag no longer matches');
    assert.deepEqual(Buffer.from(await g.arrayBuffer()), s4);
    assertError(await putSnapshot(delta({ sequence: seq + 2 })), 409, 'STATUS_SNAPSHOT_ROLLBACK');
    assertError(await putSnapshot(snapshotFile({ ...base, kind: 'snapshot', sequence: seq + 2 }, filter, key)), 409, 'STATUS_SNAPSHOT_ROLLBACK');

    const audit = await call('GET', '/v1/admin/audit?limit=500', { token: t });
    const published = audit.json.entries.filter((e) => e.action === 'publish_status').map((e) => [e.detail.sequence, e.detail.kind]);
    assert.deepEqual(published, [[seq + 3, 'snapshot'], [seq + 1, 'delta'], [seq, 'snapshot']]);
  });
  test('ecert status publish: reads the universe, signs, uploads; the edge serves what it built', { timeout: 120_000 }, async () => {
    const current = await fetch(`${edge.baseUrl}/v1/status/snapshot`);
    const before = Number(current.headers.get('x-ecert-status-sequence'));
    // The publisher signs at the edge's time; the files above were signed at the demo's (a minute ahead), and signed
    // time never goes back: wait until the edge's clock has passed them.
    const wait = Number(current.headers.get('x-ecert-status-issued-at')) * 1000 + 1500 - Date.now();
    if (wait > 0) await sleep(wait);
    await runWithEnv(demo.ecert, ['status', 'publish', '--pki', join(demo.demoDir, 'pki'), '--edge', edge.baseUrl], { env: { ECERT_ADMIN_TOKEN: edge.adminToken } });
    const g = await fetch(`${edge.baseUrl}/v1/status/snapshot`);
    assert.equal(g.status, 200);
    const { header } = parseSnapshot(Buffer.from(await g.arrayBuffer()));
    assert.ok(header.sequence > before, `${header.sequence} after ${before}`);
    const all = parseUniverse((await universe()).body);
    assert.equal(header.copies, all.length);
    assert.equal(header.revoked, all.filter((c) => c.revoked).length);
    assert.ok(header.revoked >= 2, 'every copy of the revoked certificate');
  });
});

describe('POST /v1/verify', () => {
  test('each demo sample gets the manifest verdict (status from the snapshot and the exact registry)', async () => {
    const revoked = sample('annotation-expired.pdf').management_number; // revoked above
    for (const s of demo.manifest.samples) {
      const pdf = await readFile(join(demo.demoDir, 'samples', s.file));
      const r = await call('POST', '/v1/verify', { body: pdf, headers: { 'content-type': 'application/pdf' } });
      assert.equal(r.status, 200, `${s.file}: ${r.text.slice(0, 300)}`);
      assert.equal(r.headers.get('access-control-allow-origin'), '*');
      assert.equal(r.json.schema, 'ecert.verdict/1');
      const expected = s.management_number === revoked ? 'REVOKED' : s.expected;
      assert.equal(r.json.code, expected, `${s.file}: ${JSON.stringify(r.json.summary)}`);
      if (r.json.certificate) {
        assert.equal(r.json.certificate.management_number, s.management_number);
        assert.equal(r.json.certificate.id_number, masked(s.id_number));
        if (['VALID', 'ANNOTATION_EXPIRED', 'ANNOTATION_NOT_YET_VALID', 'ANNOTATION_MISSING'].includes(s.expected)) {
          // The id of the very copy this file seals, one of the copies the registry issued for its 管理号.
          assert.ok(copiesOf(s.management_number).some((c) => c.id === r.json.status_id), `${s.file}: ${r.json.status_id}`);
          assert.equal(r.json.status.state, s.management_number === revoked ? 'revoked' : 'valid', s.file);
          // Both sources: the published signed snapshot (its signed header named) and the exact registry.
          assert.equal(r.json.status.source, s.management_number === revoked ? 'registry' : 'snapshot+registry', s.file);
          assert.ok(r.json.status.snapshot, s.file);
        }
      }
    }
  });

  test('a revocation through the admin API turns a VALID certificate REVOKED', async () => {
    const s = sample('valid-style1.pdf');
    const pdf = await readFile(join(demo.demoDir, 'samples', s.file));
    const verify = () => call('POST', '/v1/verify', { body: pdf, headers: { 'content-type': 'application/pdf' } });
    assert.equal((await verify()).json.code, 'VALID');
    const r = await call('POST', '/v1/admin/revocations', { body: { management_number: s.management_number, reason: '测试撤销' }, token: edge.adminToken });
    assert.equal(r.status, 201, r.text);
    const v = await verify();
    assert.equal(v.json.code, 'REVOKED');
    assert.equal(v.json.status.state, 'revoked');
  });

  test('a record the registry never issued, sealed with a real key under a real 管理号, is NOT_REGISTERED', async () => {
    const s = sample('valid-style2.pdf');
    const forged = join(demo.demoDir, 'forged.pdf');
    // An insider with the seal key (a copy of the issuer's store, so the demo's own register stays as it is) seals
    // another holder under a registered 管理号; the edge is never told: not issued.
    const pki = join(demo.demoDir, 'forger-pki');
    await cp(join(demo.demoDir, 'pki'), pki, { recursive: true });
    const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
    await runWithEnv(demo.ecert, [
      'issue', '--pki', pki, '--qualification', s.qualification, '--name', '李四',
      '--id-number', '11010519491231002X', '--approval-date', '2020-01-10', '--issue-date', today,
      '--management-number', s.management_number, '--out', forged,
    ]);
    const r = await call('POST', '/v1/verify', { body: await readFile(forged), headers: { 'content-type': 'application/pdf' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.code, 'NOT_REGISTERED', JSON.stringify(r.json.summary));
    assert.equal(r.json.status.state, 'not_registered');
    assert.ok(!copies.some((c) => c.id === r.json.status_id));
  });

  test('not a PDF, wrong media type, oversized (declared and streamed)', async () => {
    const junk = await call('POST', '/v1/verify', { body: 'hello', headers: { 'content-type': 'application/pdf' } });
    assert.equal(junk.status, 200);
    assert.equal(junk.json.code, 'MALFORMED');
    assertError(await call('POST', '/v1/verify', { body: 'x', headers: { 'content-type': 'text/plain' } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    const big = new Uint8Array(16 * 1024 * 1024 + 1);
    const declared = await call('POST', '/v1/verify', { body: big, headers: { 'content-type': 'application/pdf' } });
    assertError(declared, 413, 'PAYLOAD_TOO_LARGE');
    assert.equal(declared.json.limit_bytes, 16 * 1024 * 1024);
    // Without Content-Length (chunked): cut off while streaming.
    const chunks = (function* () {
      for (let i = 0; i < 17; i++) yield new Uint8Array(1024 * 1024);
    })();
    const stream = new ReadableStream({
      pull(c) {
        const n = chunks.next();
        if (n.done) c.close();
        else c.enqueue(n.value);
      },
    });
    const resp = await fetch(`${edge.baseUrl}/v1/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/pdf', 'cf-connecting-ip': freshIp() },
      body: stream,
      duplex: 'half',
    });
    assert.equal(resp.status, 413);
    assert.equal((await resp.json()).code, 'PAYLOAD_TOO_LARGE');
  });

  test('other oversized bodies: admin JSON over 4 MiB, trust list over 1 MiB', async () => {
    const huge = JSON.stringify({ records: [{ pad: 'x'.repeat(4 * 1024 * 1024) }] });
    assertError(await call('POST', '/v1/admin/certificates', { body: huge, token: edge.adminToken }), 413, 'PAYLOAD_TOO_LARGE');
    const list = JSON.stringify({ pad: 'x'.repeat(1024 * 1024) });
    assertError(await call('PUT', '/v1/admin/trust-list', { body: list, token: edge.adminToken }), 413, 'PAYLOAD_TOO_LARGE');
  });
});
