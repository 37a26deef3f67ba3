// Migrations 0003 (record-bound status ids) and 0004 + shards (issue 16) on real data: an edge whose D1 was created
// with migrations 0001/0002 and holds old-style rows (管理号-keyed status ids, hex hashes, one certificate revoked) is
// upgraded by applying 0003/0004 to it and the shard schema to the shards, and starting the new worker; the
// procedures of docs/edge.md are then run — copy the pre-shard tables into the shards ("Migrating to shards"), then
// re-register every record through the admin API (the seed, "Migrating to record-bound status ids") — and status
// works by copy id. Real workerd, real wrangler migrations, no mocks.
// Run: `. scripts/env.sh && node --test tests/worker/migration.test.mjs`.

import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { copyAll } from '../../worker/scripts/reshard.mjs';
import { seed } from '../../worker/scripts/seed.mjs';
import { REPO, makeDemo, runWithEnv, startEdge } from '../support/edge.mjs';

const copyId = (bytes) => createHash('sha256').update(Buffer.concat([Buffer.from('ecert.status/2\0'), Buffer.from(bytes)])).digest('hex');
const oldStatusId = (m) => createHash('sha256').update(Buffer.concat([Buffer.from('ecert.status/1\0'), Buffer.from(m)])).digest('hex');
/** The edge's keyed hash (worker/src/crypto.rs): HMAC(key, "ecert.lookup/1\0" ‖ field ‖ 0 ‖ 管理号 ‖ 0 ‖ value). */
const keyedHash = (key, field, m, value) =>
  createHmac('sha256', Buffer.from(key)).update(Buffer.concat([Buffer.from('ecert.lookup/1\0'), Buffer.from(field), Buffer.from([0]), Buffer.from(m), Buffer.from([0]), Buffer.from(value)])).digest('hex');
const sql = (v) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replaceAll("'", "''")}'`);

const REVOKED_AT = 1_790_000_000;
const REASON = '迁移前已撤销';
let demo;
let edge;
let records;
let work;

/** Apply migrations 0001 and 0002 only, then write old-style rows (as the 0002-era worker did). */
async function oldDatabase({ persist, lookupKey }) {
  const migrations = join(work, 'migrations');
  await mkdir(migrations, { recursive: true });
  for (const f of ['0001_init.sql', '0002_status_versions.sql']) await copyFile(join(REPO, 'worker', 'migrations', f), join(migrations, f));
  // The same database (binding, name, id) as worker/wrangler.toml, with only the old migrations.
  const toml = (await readFile(join(REPO, 'worker', 'wrangler.toml'), 'utf8')).match(/\[\[d1_databases\]\][\s\S]*?migrations_dir = "migrations"/)[0];
  await writeFile(join(work, 'wrangler.toml'), `name = "ecert-edge"\ncompatibility_date = "2025-09-01"\n\n${toml}\n`);
  const opts = { cwd: work, env: { CI: '1' }, timeoutMs: 120_000 };
  await runWithEnv('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist], opts);
  const rows = records.map((r, i) => {
    const m = r.management_number;
    const id = oldStatusId(m);
    const revoked = i === 0;
    return `INSERT INTO certificates VALUES (${[
      m, r.query_number, id, id.slice(0, 4), r.qualification.code, r.issuer.id, r.approval_date, r.issue_date,
      keyedHash(lookupKey, 'name', m, r.holder.name), keyedHash(lookupKey, 'id_number', m, r.holder.id_number),
      keyedHash(lookupKey, 'record', m, JSON.stringify(r)), 1_780_000_000, revoked ? REVOKED_AT : null, revoked ? REASON : null,
    ].map(sql).join(', ')});`;
  });
  await writeFile(join(work, 'old.sql'), `${rows.join('\n')}\n`);
  await runWithEnv('wrangler', ['d1', 'execute', 'DB', '--local', '--persist-to', persist, '--file', join(work, 'old.sql')], opts);
}

before(async () => {
  demo = await makeDemo();
  work = await mkdtemp(join(tmpdir(), 'ecert-migration-'));
  const dir = join(demo.demoDir, 'pki', 'register');
  records = await Promise.all((await readdir(dir)).sort().map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8'))));
  // Migrations 0003/0004 (and the shards' schema) are applied by startEdge after the old database is prepared;
  // nothing is seeded.
  edge = await startEdge({ demoDir: demo.demoDir, seed: false, prepareDb: oldDatabase });
}, { timeout: 20 * 60_000 });

after(async () => {
  await edge?.stop();
  await demo?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

const admin = (path, init = {}) =>
  fetch(`${edge.baseUrl}${path}`, { ...init, headers: { authorization: `Bearer ${edge.adminToken}`, ...(init.headers ?? {}) } });

async function universe() {
  const r = await admin('/v1/admin/status/universe');
  assert.equal(r.status, 200);
  const b = Buffer.from(await r.arrayBuffer());
  const out = [];
  for (let i = 0; i < b.length; i += 49) {
    out.push({ id: b.subarray(i, i + 32).toString('hex'), revoked: b[i + 32], revoked_at: Number(b.readBigInt64BE(i + 41)) });
  }
  return { withoutCopies: Number(r.headers.get('x-ecert-certificates-without-copies')), copies: out };
}

const verify = async (file) => {
  const r = await fetch(`${edge.baseUrl}/v1/verify`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: await readFile(join(demo.demoDir, 'samples', file)) });
  return r.json();
};

const lookupValid1 = () => {
  const s = demo.manifest.samples.find((x) => x.file === 'valid-style1.pdf');
  return fetch(`${edge.baseUrl}/v1/lookup`, { method: 'POST', headers: { 'content-type': 'application/json', 'cf-connecting-ip': '203.0.113.1' }, body: JSON.stringify({ name: s.holder_name, id_number: s.id_number, management_number: s.management_number }) });
};

test('after 0003/0004 and the copy into the shards the old certificates are kept (lookup, revocation) but have no copies until re-registered', async () => {
  // The trust list is published as usual (verification needs it); no record is registered again yet.
  const put = await admin('/v1/admin/trust-list', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: await readFile(join(demo.demoDir, 'trust-list.json')) });
  assert.equal(put.status, 201, await put.text());
  // Before the copy the shards are empty: the gap the procedure closes right after the deploy.
  assert.equal((await lookupValid1()).status, 404);
  const copied = await copyAll({ baseUrl: edge.baseUrl, adminToken: edge.adminToken, source: 'DB', limit: 3 });
  assert.deepEqual([copied.read, copied.copied, copied.copies], [records.length, records.length, 0]);
  // Idempotent: a second pass changes nothing visible.
  await copyAll({ baseUrl: edge.baseUrl, adminToken: edge.adminToken, source: 'DB' });
  const u = await universe();
  assert.equal(u.withoutCopies, records.length, 'every old certificate is reported');
  assert.deepEqual(u.copies, []);
  // The certificates themselves survived the table rebuild: lookup answers, the old revocation stands.
  const s = demo.manifest.samples.find((x) => x.file === 'valid-style1.pdf');
  const look = await lookupValid1();
  assert.equal(look.status, 200, await look.clone().text());
  assert.equal((await look.json()).status.state, records[0].management_number === s.management_number ? 'revoked' : 'valid');
  // Until its copies are registered, a genuine certificate is not found in the registry: why the procedure
  // re-registers before the new worker serves verifications.
  assert.equal((await verify('valid-style1.pdf')).code, 'NOT_REGISTERED');
});

test('re-registration (the seed) gives every certificate its copies; status works by copy id; idempotent', async () => {
  const first = await seed({ baseUrl: edge.baseUrl, adminToken: edge.adminToken, demoDir: demo.demoDir });
  assert.equal(first.created, 0, 'no certificate is new');
  assert.ok(first.unchanged >= records.length);
  assert.ok(first.copiesCreated > records.length, `${first.copiesCreated} copies: base and annotated`);
  assert.deepEqual(first.copyIdMismatches, []);

  const u = await universe();
  assert.equal(u.withoutCopies, 0);
  const expected = new Set(records.map((r) => copyId(JSON.stringify(r))));
  for (const f of await readdir(join(demo.demoDir, 'pki', 'copies'))) expected.add(f.replace(/\.json$/, ''));
  assert.deepEqual(u.copies.map((c) => c.id).sort(), [...expected].sort());
  // The certificate revoked before the migration: every one of its copies is revoked, at the old time.
  const revokedM = records[0].management_number;
  const ofRevoked = new Set([copyId(JSON.stringify(records[0]))]);
  for (const f of await readdir(join(demo.demoDir, 'pki', 'copies'))) {
    if (JSON.parse(await readFile(join(demo.demoDir, 'pki', 'copies', f), 'utf8')).management_number === revokedM) ofRevoked.add(f.replace(/\.json$/, ''));
  }
  for (const c of u.copies) {
    assert.deepEqual([c.revoked, c.revoked_at], ofRevoked.has(c.id) ? [1, REVOKED_AT] : [0, 0], c.id);
  }
  // Buckets by copy id.
  for (const id of ofRevoked) {
    const b = await (await fetch(`${edge.baseUrl}/v1/status/${id.slice(0, 4)}`)).json();
    assert.deepEqual(b.entries.find((e) => e.id === id), { id, state: 'revoked', revoked_at: REVOKED_AT, reason: REASON });
  }
  for (const s of demo.manifest.samples.filter((x) => x.expected === 'VALID')) {
    const v = await verify(s.file);
    assert.equal(v.code, s.management_number === revokedM ? 'REVOKED' : 'VALID', s.file);
    const b = await (await fetch(`${edge.baseUrl}/v1/status/${v.status_id.slice(0, 4)}`)).json();
    assert.ok(b.entries.some((e) => e.id === v.status_id), s.file);
  }

  const again = await seed({ baseUrl: edge.baseUrl, adminToken: edge.adminToken, demoDir: demo.demoDir });
  assert.deepEqual([again.created, again.copiesCreated], [0, 0]);
  assert.equal(again.copiesUnchanged, first.copiesCreated + first.copiesUnchanged);
});
