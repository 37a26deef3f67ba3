// Moving the registry from 4 to 8 shards without downtime (docs/edge.md, "Moving to more shards"), on workerd: a
// registry of demo + synthetic certificates, a loop of lookups (by 管理号 and by 查询编号, each must answer with the
// certificate: never a miss) and status bucket reads running through the whole move, registrations and revocations
// during each step of it, then every certificate, copy and revocation checked under the new map — nothing lost,
// nothing twice. Run: `. scripts/env.sh && node --test tests/worker/reshard.test.mjs`.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { move } from '../../worker/scripts/reshard.mjs';
import { loadTemplates, synthetic } from '../../worker/scripts/synthetic.mjs';
import { makeDemo, startEdge } from '../support/edge.mjs';

const OLD = ['SHARD_0', 'SHARD_1', 'SHARD_2', 'SHARD_3'];
const NEW = [...OLD, 'SHARD_4', 'SHARD_5', 'SHARD_6', 'SHARD_7'];
const SYNTHETIC = 1200;

let demo;
let edge;
let templates;

before(async () => {
  demo = await makeDemo();
  edge = await startEdge({ demoDir: demo.demoDir, migrate: ['DB', ...NEW], vars: { SHARDS: OLD.join(',') } });
  templates = await loadTemplates(demo.demoDir);
}, { timeout: 20 * 60_000 });

after(async () => {
  await edge?.stop();
  await demo?.cleanup();
});

const api = async (method, path, body) => {
  const r = await fetch(`${edge.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${edge.adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null, text };
};

const register = async (records) => {
  const ids = new Map();
  for (let i = 0; i < records.length; i += 500) {
    const r = await api('POST', '/v1/admin/certificates', { records: records.slice(i, i + 500) });
    assert.equal(r.status, 201, r.text);
    for (const c of r.json.copies) ids.set(c.management_number, c.status_id);
  }
  return ids;
};

let ip = 0;
const nextIp = () => `198.18.${(ip >> 8) & 255}.${ip++ & 255}`;

test('4 → 8 shards while lookups, status reads, registrations and revocations go on: no miss, nothing lost', async () => {
  const records = synthetic(templates, SYNTHETIC);
  const idOf = await register(records);
  const revoked = new Map(); // 管理号 → reason

  // The loop: round-robin over the registered certificates (so no number nears its per-number rate limit), a new
  // client address each time; by 管理号 and by 查询编号 in turn; a status bucket read every fifth round.
  let running = true;
  const stats = { lookups: 0, misses: [], statusReads: 0, statusMisses: [], limited: 0 };
  const pool = [...records];
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const rec = pool[i % pool.length];
      const byQuery = i % 2 === 1;
      const body = { name: rec.holder.name, id_number: rec.holder.id_number, ...(byQuery ? { query_number: rec.query_number } : { management_number: rec.management_number }) };
      // Revoked before this request was sent (acknowledged): the answer must say so.
      const wasRevoked = revoked.has(rec.management_number);
      const r = await fetch(`${edge.baseUrl}/v1/lookup`, { method: 'POST', headers: { 'content-type': 'application/json', 'cf-connecting-ip': nextIp() }, body: JSON.stringify(body) });
      const j = await r.json();
      if (r.status === 429) stats.limited++;
      else {
        stats.lookups++;
        if (r.status !== 200 || j.management_number !== rec.management_number || (wasRevoked && j.status.state !== 'revoked')) {
          stats.misses.push({ m: rec.management_number, byQuery, status: r.status, body: JSON.stringify(j).slice(0, 200) });
        }
      }
      if (i % 5 === 0) {
        const id = idOf.get(rec.management_number);
        const b = await (await fetch(`${edge.baseUrl}/v1/status/${id.slice(0, 4)}`)).json();
        stats.statusReads++;
        if (!b.entries?.some((e) => e.id === id)) stats.statusMisses.push(rec.management_number);
      }
    }
  })();

  // During each step: register a few new certificates, a 加注 copy of a few registered ones (their certificate may
  // not be in its new shard yet), and revoke a few.
  let batch = 0;
  const annotatedIds = [];
  const during = async (step) => {
    const fresh = synthetic(templates, 20, { start: 100_000 + 1000 * batch++, prefix: 'N' });
    for (const [m, id] of await register(fresh)) idOf.set(m, id);
    pool.push(...fresh);
    const annotated = records.slice(600 + 6 * batch, 606 + 6 * batch).map((r) => {
      const from = new Date(`${r.issue_date}T00:00:00Z`);
      const d = (x) => x.toISOString().slice(0, 10);
      return { ...r, annotation: { scenario: '本人调用', valid_from: d(from), valid_until: d(new Date(from.getTime() + 9 * 86400_000)), number: `R${batch}` } };
    });
    const a = await api('POST', '/v1/admin/certificates', { records: annotated });
    assert.equal(a.status, 201, a.text);
    annotatedIds.push(...a.json.copies.filter((c) => c.annotation_number !== null && c.created).map((c) => c.status_id));
    for (const rec of records.slice(10 * batch, 10 * batch + 5)) {
      const reason = `迁移中撤销（${step}）`;
      const r = await api('POST', '/v1/admin/revocations', { management_number: rec.management_number, reason });
      assert.equal(r.status, 201, r.text);
      revoked.set(rec.management_number, reason);
    }
    await new Promise((r) => setTimeout(r, 1500));
  };
  await during('before');
  const steps = [];
  const result = await move({ baseUrl: edge.baseUrl, adminToken: edge.adminToken, to: NEW, limit: 150, onStep: async (name, map) => { steps.push([name, map.version, map.state]); await during(name); } });
  await new Promise((r) => setTimeout(r, 1000));
  running = false;
  await loop;

  assert.deepEqual(steps, [['copying', 1, 'copying'], ['switched', 2, 'switched'], ['active', 3, 'active']]);
  const copiedTotal = Object.values(result.copied).reduce((s, c) => s + c.copied, 0);
  const everything = SYNTHETIC + 20 * 2 + templates.length; // registered before the copy ran: synthetic, the 'before' and 'copying' batches, demo
  assert.ok(copiedTotal > everything * 0.35 && copiedTotal < everything * 0.65, `about half the certificates move: ${copiedTotal} of ${everything}`);
  console.log(`loop: ${stats.lookups} lookups, ${stats.statusReads} status reads, ${stats.limited} rate-limited; copied ${copiedTotal}`);
  assert.deepEqual(stats.misses, [], 'no lookup missed during the move');
  assert.deepEqual(stats.statusMisses, [], 'no status read missed a copy during the move');
  assert.ok(stats.lookups > 200, `the loop ran (${stats.lookups} lookups)`);

  // Afterwards, under the 8-shard map: every certificate and revocation, every copy exactly once.
  const map = await api('GET', '/v1/admin/shards');
  assert.deepEqual([map.json.version, map.json.state, map.json.shards, map.json.previous], [3, 'active', NEW, null]);
  for (const rec of pool) {
    const r = await fetch(`${edge.baseUrl}/v1/lookup`, { method: 'POST', headers: { 'content-type': 'application/json', 'cf-connecting-ip': nextIp() }, body: JSON.stringify({ name: rec.holder.name, id_number: rec.holder.id_number, query_number: rec.query_number }) });
    if (r.status === 429) continue;
    assert.equal(r.status, 200, rec.management_number);
    assert.equal((await r.json()).status.state, revoked.has(rec.management_number) ? 'revoked' : 'valid', rec.management_number);
  }
  const universe = [];
  for (let after = null; ;) {
    const r = await fetch(`${edge.baseUrl}/v1/admin/status/universe${after ? `?after=${after}` : ''}`, { headers: { authorization: `Bearer ${edge.adminToken}` } });
    assert.equal(r.status, 200);
    const b = Buffer.from(await r.arrayBuffer());
    for (let i = 0; i < b.length; i += 49) universe.push({ id: b.subarray(i, i + 32).toString('hex'), revoked: b[i + 32] });
    after = r.headers.get('x-ecert-next-after');
    if (!after) break;
  }
  const ids = universe.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length, 'no copy twice (shadows left in the old shards are filtered)');
  for (const [m, id] of idOf) assert.ok(ids.includes(id), `copy of ${m} in the universe`);
  assert.equal(annotatedIds.length, 24, 'a 加注 copy registered before and during every step');
  for (const id of annotatedIds) assert.ok(ids.includes(id), `加注 copy ${id} in the universe`);
  const revokedIds = new Set([...revoked.keys()].map((m) => idOf.get(m)));
  for (const c of universe) if (revokedIds.has(c.id)) assert.equal(c.revoked, 1, c.id);
  assert.equal(universe.filter((c) => c.revoked).length >= revoked.size, true);
  // Registration after the move lands in the new shards and is found.
  const late = synthetic(templates, 5, { start: 900_000, prefix: 'L' });
  await register(late);
  const r = await fetch(`${edge.baseUrl}/v1/lookup`, { method: 'POST', headers: { 'content-type': 'application/json', 'cf-connecting-ip': nextIp() }, body: JSON.stringify({ name: late[0].holder.name, id_number: late[0].holder.id_number, management_number: late[0].management_number }) });
  assert.equal(r.status, 200);
});

test('a move refuses bad steps: wrong version, unknown binding, copying a shard outside the move', async () => {
  const map = (await api('GET', '/v1/admin/shards')).json;
  let r = await api('POST', '/v1/admin/shards', { version: map.version + 2, state: 'copying', shards: OLD });
  assert.equal(r.status, 409, r.text);
  r = await api('POST', '/v1/admin/shards', { version: map.version + 1, state: 'copying', shards: ['SHARD_0', 'NO_SUCH_DB'] });
  assert.equal(r.status, 400, r.text);
  r = await api('POST', '/v1/admin/shards/copy', { source: 'SHARD_0' });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.code, 'SHARD_MOVE_NOT_COPYING');
});
