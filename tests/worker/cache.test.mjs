// The shared response cache of the public GET routes (docs/edge.md, "Caching"), on the real worker on workerd:
// trust list, scope and status snapshot served from the Cache API (`caches.default`, which workerd implements
// locally), and the visibility bounds measured — a publication served at once in this data centre and, for
// readers racing it, never later than STATUS_MAX_STALE after its 201; a revocation in its status bucket within
// STATUS_MAX_STALE of its 201. The measured numbers are printed (`# …` diagnostics) and recorded in docs/edge.md.
//
// Run: `. scripts/env.sh && node --test tests/worker/cache.test.mjs`.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { REPO, makeDemo, runWithEnv, startEdge } from '../support/edge.mjs';

// worker/wrangler.toml's STATUS_MAX_STALE (seconds): the bound of every "current" entry of the shared cache.
const BOUND_S = Number((await readFile(join(REPO, 'worker', 'wrangler.toml'), 'utf8')).match(/^STATUS_MAX_STALE = "(\d+)"/m)[1]);
const SNAPSHOT_TYPE = 'application/vnd.ecert.status-snapshot';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const copyId = (bytes) => createHash('sha256').update(Buffer.concat([Buffer.from('ecert.status/2\0'), Buffer.from(bytes)])).digest('hex');

let demo;
let edge;

async function get(path, headers = {}) {
  const r = await fetch(`${edge.baseUrl}${path}`, { headers });
  const body = Buffer.from(await r.arrayBuffer());
  return { status: r.status, headers: r.headers, body };
}

async function admin(method, path, body, contentType) {
  const r = await fetch(`${edge.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${edge.adminToken}`, 'content-type': contentType },
    body,
  });
  return { status: r.status, json: await r.json() };
}

/** GET until the shared cache answers (its put runs after the first response, in wait_until). */
async function getHit(path, headers = {}) {
  for (let i = 0; i < 40; i++) {
    const r = await get(path, headers);
    if (r.headers.get('x-ecert-edge-cache') === 'hit') return r;
    await sleep(25);
  }
  assert.fail(`${path} never came from the shared cache`);
}

/** The signed header of a status snapshot file (sequence, issued_at). */
function snapshotHeader(bytes) {
  const len = bytes.readUInt32BE(5);
  return JSON.parse(bytes.subarray(9, 9 + len).toString('utf8'));
}

/**
 * Poll `path` from `readers` concurrent loops until stop() is called; every answer recorded with the time its
 * request was sent and its ETag.
 */
function pollers(path, readers = 3) {
  const seen = [];
  let running = true;
  const loops = Array.from({ length: readers }, async () => {
    while (running) {
      const sent = Date.now();
      const r = await fetch(`${edge.baseUrl}${path}`, { method: 'HEAD' });
      seen.push({ sent, received: Date.now(), etag: r.headers.get('etag'), source: r.headers.get('x-ecert-edge-cache') });
      await sleep(10);
    }
  });
  return {
    seen,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return seen;
    },
  };
}

before(async () => {
  demo = await makeDemo();
  edge = await startEdge({ demoDir: demo.demoDir });
});

after(async () => {
  await edge?.stop();
  await demo?.cleanup();
});

describe('shared cache (Cache API)', () => {
  test('trust list, scope, status snapshot: a miss, then hits with the same bytes and ETag; If-None-Match → 304', async () => {
    const snapshot = await readFile(join(demo.demoDir, 'status', 'snapshot.bin'));
    const put = await admin('PUT', '/v1/admin/status/snapshot', snapshot, SNAPSHOT_TYPE);
    assert.equal(put.status, 201, JSON.stringify(put.json));
    for (const path of ['/v1/trust-list', '/v1/scope', '/v1/status/snapshot']) {
      const first = await get(path);
      assert.equal(first.status, 200, path);
      assert.equal(first.headers.get('x-ecert-edge-cache'), 'miss', `${path}: the publication purged it`);
      const etag = first.headers.get('etag');
      assert.match(etag, /^"[0-9a-f]{32}"$/, path);
      const hit = await getHit(path);
      assert.equal(hit.status, 200);
      assert.deepEqual(hit.body, first.body, `${path}: the cached bytes are the bytes`);
      assert.equal(hit.headers.get('etag'), etag);
      assert.equal(hit.headers.get('cache-control'), first.headers.get('cache-control'));
      assert.equal(hit.headers.get('access-control-allow-origin'), '*');
      const nm = await get(path, { 'if-none-match': etag });
      assert.equal(nm.status, 304, path);
      assert.equal(nm.headers.get('etag'), etag);
      assert.equal(nm.body.length, 0);
    }
    const s = await get('/v1/status/snapshot');
    assert.deepEqual(s.body, snapshot, 'exactly the uploaded bytes');
    assert.equal(s.headers.get('content-type'), SNAPSHOT_TYPE);
    assert.equal(Number(s.headers.get('x-ecert-status-sequence')), snapshotHeader(snapshot).sequence);
  });

  test(`a new status snapshot: served at once after its 201, never later than STATUS_MAX_STALE (${BOUND_S} s) to racing readers`, { timeout: 120_000 }, async (t) => {
    const current = await get('/v1/status/snapshot');
    const oldEtag = current.headers.get('etag');
    const issued = Number(current.headers.get('x-ecert-status-issued-at'));
    // The next snapshot, signed by the demo's status key; signed time never goes back, nor more than 300 s ahead.
    const out = join(demo.demoDir, 'cache-test-snapshot.bin');
    await runWithEnv(demo.ecert, ['status', 'snapshot', '--pki', join(demo.demoDir, 'pki'), '--out', out, '--at', `@${issued + 1}`]);
    const next = await readFile(out);
    await getHit('/v1/status/snapshot');
    const poll = pollers('/v1/status/snapshot');
    await sleep(500);
    const sent = Date.now();
    const put = await admin('PUT', '/v1/admin/status/snapshot', next, SNAPSHOT_TYPE);
    const acked = Date.now();
    assert.equal(put.status, 201, JSON.stringify(put.json));
    const newEtag = put.json.etag;
    // The first request after the 201, in this data centre: the new file.
    const first = await get('/v1/status/snapshot');
    const firstAt = Date.now();
    assert.equal(first.headers.get('etag'), newEtag, 'served at once after the 201 (the publication purged this data centre)');
    assert.deepEqual(first.body, next);
    await sleep(BOUND_S * 1000 + 500);
    const seen = await poll.stop();
    const late = seen.filter((s) => s.etag === oldEtag && s.sent >= acked + BOUND_S * 1000);
    assert.deepEqual(late, [], 'no request sent STATUS_MAX_STALE or more after the 201 got the old file');
    const stale = seen.filter((s) => s.etag === oldEtag && s.sent >= acked);
    const lastOld = Math.max(...seen.filter((s) => s.etag === oldEtag).map((s) => s.received));
    const firstNew = Math.min(...seen.filter((s) => s.etag === newEtag).map((s) => s.sent));
    t.diagnostic(
      `snapshot publication: PUT ${acked - sent} ms; first GET after the 201 new (${firstAt - acked} ms after it); ` +
        `${seen.length} racing reads, ${stale.length} sent after the 201 still old, the last old answer received ` +
        `${lastOld - acked} ms after the 201, the first request answered new sent ${firstNew - acked} ms after it (bound ${BOUND_S * 1000} ms)`,
    );
    assert.ok(seen.some((s) => s.source === 'hit'), 'the racing reads were served from the shared cache');
  });

  test('a new trust list: served at once after its 201, by /v1/trust-list and /v1/scope', { timeout: 120_000 }, async (t) => {
    const before = await getHit('/v1/trust-list');
    await getHit('/v1/scope');
    const seq = Number(before.headers.get('x-ecert-trust-list-sequence'));
    const out = join(demo.demoDir, 'cache-test-trust-list.json');
    await runWithEnv(demo.ecert, ['trust-list', '--pki', join(demo.demoDir, 'pki'), '--out', out, '--sequence', String(seq + 1)]);
    const list = await readFile(out);
    const put = await admin('PUT', '/v1/admin/trust-list', list, 'application/json');
    const acked = Date.now();
    assert.equal(put.status, 201, JSON.stringify(put.json));
    const tl = await get('/v1/trust-list');
    const scope = await get('/v1/scope');
    const done = Date.now();
    assert.deepEqual(tl.body, list);
    assert.equal(Number(tl.headers.get('x-ecert-trust-list-sequence')), seq + 1);
    assert.equal(JSON.parse(scope.body).trust_list.sequence, seq + 1);
    assert.notEqual(scope.headers.get('etag'), before.headers.get('etag'));
    t.diagnostic(`trust list publication: /v1/trust-list and /v1/scope new within ${done - acked} ms of the 201`);
  });

  test(`a revocation: in its status bucket within STATUS_MAX_STALE (${BOUND_S} s) of its 201`, { timeout: 60_000 }, async (t) => {
    // A registered certificate's base copy: its register file in canonical form.
    const reg = join(demo.demoDir, 'pki', 'register');
    const files = (await readdir(reg)).sort();
    const lags = [];
    for (const f of files.slice(0, 3)) {
      const text = await readFile(join(reg, f), 'utf8');
      const record = JSON.parse(text);
      const id = copyId(JSON.stringify(record));
      const bucket = `/v1/status/${id.slice(0, 4)}`;
      const entry = async () => JSON.parse((await get(bucket)).body).entries.find((e) => e.id === id);
      const was = await entry();
      if (!was || was.state !== 'valid') continue;
      await entry(); // cached now
      const r = await admin(
        'POST',
        '/v1/admin/revocations',
        JSON.stringify({ management_number: record.management_number, reason: '证书信息有误' }),
        'application/json',
      );
      const acked = Date.now();
      assert.equal(r.status, 201, JSON.stringify(r.json));
      for (;;) {
        const sent = Date.now();
        const e = await entry();
        if (e?.state === 'revoked') {
          lags.push(sent - acked);
          break;
        }
        assert.ok(sent < acked + BOUND_S * 1000, `still 有效 ${sent - acked} ms after the 201 (bound ${BOUND_S} s)`);
        await sleep(50);
      }
    }
    assert.ok(lags.length >= 1, 'at least one certificate revoked');
    t.diagnostic(`revocation → bucket: first request showing it sent ${lags.join(', ')} ms after the 201 (bound ${BOUND_S * 1000} ms)`);
  });
});
