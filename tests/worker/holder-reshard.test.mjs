// Holder accounts through a move to more shards (docs/edge.md "Moving to more shards", "Holder accounts"), on the
// real worker on workerd: accounts, sessions, holder index rows, 加注 jobs and base PDFs move with the registry
// (worker/scripts/reshard.mjs: certificate pages carry their jobs and files, holder pages carry the holders' rows);
// changes made while the move is copying land in both homes and are not undone by the copy.
// Run: `. scripts/env.sh && node --test --test-concurrency=1 tests/worker/holder-reshard.test.mjs`.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';

import { chinaToday, makeDemo, startEdge } from '../support/edge.mjs';
import { cookieOf, edgeCall } from '../support/holder-api.mjs';
import { move } from '../../worker/scripts/reshard.mjs';

const run = promisify(execFile);
const OLD = ['SHARD_0', 'SHARD_1', 'SHARD_2', 'SHARD_3'];
const NEW = [...OLD, 'SHARD_4', 'SHARD_5', 'SHARD_6', 'SHARD_7'];
const today = chinaToday();

let demo;
let edge;
let work;
let ip = 1;

/** One request from the next client address; `pdf` is sent as application/pdf. */
const call = (method, path, { pdf, ...options } = {}) =>
  edgeCall(edge.baseUrl, method, path, {
    ...options,
    ip: `192.0.2.${ip++ % 250}`,
    ...(pdf ? { body: pdf, raw: true, headers: { 'content-type': 'application/pdf' } } : {}),
  });

async function signIn(s, password, register = false) {
  const r = await call('POST', register ? '/v1/holder/register' : '/v1/holder/login', {
    body: { name: s.holder_name, id_number: s.id_number, password, ...(register ? { accept_notice: true } : {}) },
  });
  assert.equal(r.status, register ? 201 : 200, r.text);
  return { cookie: cookieOf(r), csrf: r.json.csrf_token };
}

const certificates = async (who) => {
  const r = await call('GET', '/v1/holder/certificates', { cookie: who.cookie });
  assert.equal(r.status, 200, r.text);
  return r.json.certificates;
};

before(async () => {
  demo = await makeDemo();
  work = await mkdtemp(join(tmpdir(), 'ecert-holder-reshard-'));
  edge = await startEdge({ demoDir: demo.demoDir, seedFiles: true, migrate: ['DB', ...NEW], vars: { SHARDS: OLD.join(',') } });
});

after(async () => {
  await edge?.stop();
  await demo?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

test('accounts, sessions, jobs and files survive a move from 4 to 8 shards, with changes made during it', async () => {
  const s = (file) => demo.manifest.samples.find((x) => x.file === file);
  const zhangS = s('valid-style1.pdf');
  const wangS = s('pre-2021-association.pdf');
  const liuS = s('rare-name-ext-a.pdf');
  const rareB = s('rare-name-ext-b.pdf');
  const holders = [zhangS, wangS, liuS];
  const sessions = {};
  for (const h of holders) sessions[h.file] = await signIn(h, `${h.file}-password`, true);
  const zhang = sessions[zhangS.file];
  const loggedOut = await signIn(zhangS, `${zhangS.file}-password`);
  const applied = await call('POST', `/v1/holder/certificates/${zhangS.management_number}/annotations`, {
    ...zhang, body: { scenario: '本人调用', valid_from: today, days: 20 },
  });
  assert.equal(applied.status, 202, applied.text);
  const jobId = applied.json.job.job_id;

  let during = null;
  const result = await move({
    baseUrl: edge.baseUrl,
    adminToken: edge.adminToken,
    to: NEW,
    limit: 3,
    onStep: async (step) => {
      if (step !== 'copying') return;
      // While copying: a session ends, an account is created, a job is claimed and done.
      assert.equal((await call('POST', '/v1/holder/logout', loggedOut)).status, 204);
      during = await signIn(rareB, 'rare-b-password', true);
      const claim = await call('POST', '/v1/signer/jobs/claim', { bearer: edge.signerToken, body: { max: 5, lease_seconds: 60 } });
      assert.equal(claim.status, 200, `${claim.text}\n${edge.logs().slice(-3000)}`);
      assert.deepEqual(claim.json.jobs.map((j) => j.job_id), [jobId]);
      const out = join(work, 'a.pdf');
      await run(demo.ecert, ['annotate', '--pki', join(demo.demoDir, 'pki'), '--management-number', zhangS.management_number,
        '--days', '20', '--from', today, '--today', today, '--out', out]);
      const up = await call('PUT', `/v1/signer/jobs/${jobId}/pdf`, { bearer: edge.signerToken, pdf: await readFile(out) });
      assert.equal(up.status, 200, up.text);
    },
  });
  assert.equal(result.map.state, 'active');
  assert.equal(result.map.shards.length, 8);
  const holderCopies = Object.values(result.copied).reduce((n, c) => n + (c.holders?.copied ?? 0), 0);
  assert.ok(holderCopies > 0, `some holders moved: ${JSON.stringify(result.copied)}`);
  await new Promise((r) => setTimeout(r, 4500)); // every isolate on the final map

  // Every session made before the move still works; the one ended during it stays ended.
  for (const h of holders) {
    const r = await call('GET', '/v1/holder/session', { cookie: sessions[h.file].cookie });
    assert.equal(r.status, 200, `${h.file}: ${r.text}`);
  }
  assert.equal((await call('GET', '/v1/holder/session', { cookie: loggedOut.cookie })).status, 401);
  // Logins (accounts and password hashes moved byte for byte), including the account created during the move.
  for (const h of holders) await signIn(h, `${h.file}-password`);
  await signIn(rareB, 'rare-b-password');
  assert.equal((await call('GET', '/v1/holder/session', { cookie: during.cookie })).status, 200);
  // Certificates, jobs (the one done during the move: done, downloadable) and files.
  const [zc] = await certificates(zhang);
  assert.equal(zc.management_number, zhangS.management_number);
  const done = zc.annotations.find((j) => j.job_id === jobId);
  assert.deepEqual([done.state, done.download], ['ready', true]);
  assert.equal((await call('GET', `/v1/holder/certificates/${zhangS.management_number}/annotations/${jobId}/pdf`, { cookie: zhang.cookie })).status, 200);
  const [wc] = await certificates(sessions[wangS.file]);
  assert.equal(wc.base_download, true);
  assert.equal((await call('GET', `/v1/holder/certificates/${wangS.management_number}/pdf`, { cookie: sessions[wangS.file].cookie })).status, 200);
  const [lc] = await certificates(sessions[liuS.file]);
  assert.equal(lc.annotations[0].state, 'ready');
  // The 3-in-90 count still sees every job (the demo's and the one done during the move).
  assert.equal(zc.annotations.length, 2);
});
