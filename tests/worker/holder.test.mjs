// The holder API, the signer API and their admin additions (issue 18, docs/holder.md) on the real worker on workerd
// (`wrangler dev --local`, tests/support/edge.mjs) with local D1 shards and R2; sealed uploads made by the real
// `ecert annotate` against the demo PKI. Nothing is mocked.
// Run: `. scripts/env.sh && node --test --test-concurrency=1 tests/worker/holder.test.mjs`.
//
// Every test uses its own client addresses (CF-Connecting-IP) so the per-client limits never meet; accounts are
// the demo's holders (each registered once) and synthetic ones.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';

import { REPO, addDays, chinaToday, makeDemo, startEdge } from '../support/edge.mjs';
import { cookieOf, edgeCall } from '../support/holder-api.mjs';

const run = promisify(execFile);
const wranglerToml = await readFile(join(REPO, 'worker', 'wrangler.toml'), 'utf8');
const limitOf = (name) => Number(wranglerToml.match(new RegExp(`name = "${name}"[^\\n]*\\n[^\\n]*\\nsimple = \\{ limit = (\\d+)`))[1]);
const ACCOUNT_LIMIT = limitOf('RL_LOGIN_ACCOUNT');
const CLIENT_LIMIT = limitOf('RL_LOGIN_CLIENT');

let demo;
let edge;
let samples;
let work;
let ipCounter = 1;
const freshIp = () => `198.51.100.${ipCounter++ % 250}`;
const sample = (file) => samples.find((s) => s.file === file);

/** A valid GB 11643 ID number with a random sequence (for synthetic accounts). */
function randomId(birth = '19900101') {
  const body = `110101${birth}${String(100 + (randomBytes(2).readUInt16BE() % 900))}`;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((a, c, i) => a + Number(c) * w[i], 0);
  return body + '10X98765432'[sum % 11];
}

/** One request from a fresh client address unless `ip` is given. */
const call = (method, path, { ip = freshIp(), ...options } = {}) => edgeCall(edge.baseUrl, method, path, { ...options, ip });

function assertError(res, status, code) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.json?.code, code, res.text);
  assert.ok(res.json.message.zh && res.json.message.en, res.text);
}

/** A signed-in holder: { cookie, csrf, name, id, password, origin }. */
async function signIn(name, id, password, { register = false } = {}) {
  const path = register ? '/v1/holder/register' : '/v1/holder/login';
  const body = register ? { name, id_number: id, password, accept_notice: true } : { name, id_number: id, password };
  const res = await call('POST', path, { body, origin: edge.baseUrl });
  assert.equal(res.status, register ? 201 : 200, res.text);
  const cookie = cookieOf(res);
  assert.ok(cookie, 'a session cookie');
  assert.ok(res.json.csrf_token.length === 64);
  return { cookie, csrf: res.json.csrf_token, name, id, password };
}

const as = (who, extra = {}) => ({ cookie: who.cookie, csrf: who.csrf, origin: edge.baseUrl, ...extra });
const certificatesOf = async (who) => {
  const r = await call('GET', '/v1/holder/certificates', { cookie: who.cookie });
  assert.equal(r.status, 200, r.text);
  return r.json.certificates;
};
const apply = (who, m, body) => call('POST', `/v1/holder/certificates/${m}/annotations`, { ...as(who), body });

/** Seal an annotated copy with the real CLI against the demo PKI (its own ledger checks the rule too). */
async function annotate(m, { from, days, today = chinaToday() }) {
  const out = join(work, `${m}-${randomBytes(4).toString('hex')}.pdf`);
  await run(demo.ecert, ['annotate', '--pki', join(demo.demoDir, 'pki'), '--management-number', m, '--days', String(days),
    '--from', from, '--today', today, '--out', out]);
  return readFile(out);
}

const claim = (body = { max: 20, lease_seconds: 30 }, token = edge.signerToken) =>
  call('POST', '/v1/signer/jobs/claim', { bearer: token, body });
const uploadPdf = (jobId, pdf, token = edge.signerToken) =>
  call('PUT', `/v1/signer/jobs/${jobId}/pdf`, { bearer: token, body: pdf, raw: true, headers: { 'content-type': 'application/pdf' } });

let zhang; // 张伟 (valid-style1.pdf), signed in
let wang; // 王芳 (pre-2021-association.pdf), signed in
const today = chinaToday();

before(async () => {
  demo = await makeDemo();
  samples = demo.manifest.samples;
  work = await mkdtemp(join(tmpdir(), 'ecert-holder-'));
  edge = await startEdge({ demoDir: demo.demoDir, seedFiles: true });
});

after(async () => {
  await edge?.stop();
  await demo?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('seeding', () => {
  test('base PDFs of certificates needing no 加注 and the annotated samples are stored, verified by the edge', () => {
    const f = edge.seeded.files;
    assert.deepEqual(f.basePdfs.map((b) => b.file), ['pre-2021-association.pdf']);
    const imported = f.annotations.map((a) => a.file).sort();
    for (const file of ['valid-style1.pdf', 'valid-style2.pdf', 'annotation-expired.pdf', 'annotation-future.pdf', 'rare-name-ext-a.pdf', 'rare-name-ext-b.pdf']) {
      assert.ok(imported.includes(file), `${file} imported: ${imported}`);
    }
    // Forgeries and foreign seals are never imported.
    for (const file of ['seal-not-authorized.pdf', 'untrusted-seal.pdf', 'retired-seal.pdf', 'annotation-missing.pdf']) {
      assert.ok(!imported.includes(file), file);
    }
  });

  test('seeding again changes nothing (idempotent)', async () => {
    const { seed } = await import('../../worker/scripts/seed.mjs');
    const again = await seed({ baseUrl: edge.baseUrl, adminToken: edge.adminToken, demoDir: demo.demoDir, files: true });
    assert.ok(again.files.basePdfs.every((b) => b.created === false));
    assert.ok(again.files.annotations.every((a) => a.created === false));
  });

  test('a tampered or foreign PDF is refused by the admin routes and nothing is stored', async () => {
    const m = sample('valid-style1.pdf').management_number;
    const pdf = await readFile(join(demo.demoDir, 'samples', 'untrusted-seal.pdf'));
    const r = await call('POST', `/v1/admin/annotations?applied_on=${today}`, {
      bearer: edge.adminToken, body: pdf, raw: true, headers: { 'content-type': 'application/pdf' },
    });
    assertError(r, 422, 'UPLOAD_REJECTED');
    assert.equal(r.json.verdict_code, 'UNTRUSTED_SEAL');
    // An annotated copy is not a base PDF; a certificate that needs 加注 gets no base PDF.
    const style1 = await readFile(join(demo.demoDir, 'samples', 'valid-style1.pdf'));
    const b = await call('PUT', `/v1/admin/certificates/${m}/pdf`, {
      bearer: edge.adminToken, body: style1, raw: true, headers: { 'content-type': 'application/pdf' },
    });
    assertError(b, 409, 'ANNOTATION_REQUIRED');
    const missing = await readFile(join(demo.demoDir, 'samples', 'annotation-missing.pdf'));
    const c = await call('PUT', `/v1/admin/certificates/${sample('annotation-missing.pdf').management_number}/pdf`, {
      bearer: edge.adminToken, body: missing, raw: true, headers: { 'content-type': 'application/pdf' },
    });
    assertError(c, 409, 'ANNOTATION_REQUIRED');
    // The signer may not seed.
    const d = await call('PUT', `/v1/admin/certificates/${m}/pdf`, {
      bearer: edge.signerToken, body: style1, raw: true, headers: { 'content-type': 'application/pdf' },
    });
    assertError(d, 403, 'FORBIDDEN');
  });
});

describe('accounts and sessions', () => {
  test('register: cookie attributes, session view, my certificates', async () => {
    const s = sample('valid-style1.pdf');
    const res = await call('POST', '/v1/holder/register', {
      body: { name: s.holder_name, id_number: s.id_number, password: 'zhang-wei-password', accept_notice: true },
      origin: edge.baseUrl,
    });
    assert.equal(res.status, 201, res.text);
    const set = res.headers.get('set-cookie');
    for (const attr of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/v1/holder', 'Max-Age=43200']) {
      assert.ok(set.includes(attr), `${attr} in ${set}`);
    }
    assert.match(set, /^ecert_session=[0-9a-f]{12}\.[A-Za-z0-9_-]{43};/);
    assert.equal(res.headers.get('access-control-allow-origin'), null, 'no CORS on the holder API');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(Object.keys(res.json).sort(), ['csrf_token', 'expires_at', 'id_tail', 'name', 'notice_version']);
    assert.equal(res.json.name, '张伟');
    assert.equal(res.json.id_tail, s.id_number.slice(-4));
    zhang = { cookie: cookieOf(res), csrf: res.json.csrf_token, name: s.holder_name, id: s.id_number, password: 'zhang-wei-password' };
    const session = await call('GET', '/v1/holder/session', { cookie: zhang.cookie });
    assert.equal(session.status, 200);
    assert.equal(session.json.csrf_token, zhang.csrf);
    const certs = await certificatesOf(zhang);
    assert.deepEqual(certs.map((c) => c.management_number), [s.management_number]);
    const c = certs[0];
    assert.equal(c.status.state, 'valid');
    assert.equal(c.annotation_required, true);
    assert.equal(c.base_download, false);
    assert.equal(c.qualification.code, 'Q07');
    assert.ok(c.qualification.zh && c.issuer.zh && c.issuer.id === 'mohrss');
    // The demo's own 加注 (imported): ready, downloadable.
    assert.equal(c.annotations.length, 1);
    assert.equal(c.annotations[0].state, 'ready');
    assert.equal(c.annotations[0].applied_on, today);
    assert.equal(c.annotations[0].download, true);
    assert.equal(c.can_apply.ok, true);
  });

  test('生僻字 names (刘䶮, 王𠈌) register, log in as typed and find their certificates', async () => {
    for (const file of ['rare-name-ext-a.pdf', 'rare-name-ext-b.pdf']) {
      const s = sample(file);
      const who = await signIn(s.holder_name, s.id_number, `rare-${file}-pw`, { register: true });
      // Logging in with the ID number typed in full-width digits and a lower-case x finds the same account.
      const typed = s.id_number.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d))).replace('X', 'x');
      const again = await signIn(` ${s.holder_name} `, typed, `rare-${file}-pw`);
      for (const w of [who, again]) {
        const certs = await certificatesOf(w);
        assert.deepEqual(certs.map((c) => c.management_number), [s.management_number], file);
      }
      const session = await call('GET', '/v1/holder/session', { cookie: again.cookie });
      assert.equal(session.json.name, s.holder_name);
    }
  });

  test('registration refusals: existing account, weak password, notice, invalid input', async () => {
    const s = sample('rare-name-ext-b.pdf');
    const reg = (body) => call('POST', '/v1/holder/register', { body: { accept_notice: true, ...body }, origin: edge.baseUrl });
    assertError(await reg({ name: s.holder_name, id_number: s.id_number, password: 'another-password' }), 409, 'ACCOUNT_EXISTS');
    const id = randomId();
    assertError(await reg({ name: '赵一', id_number: id, password: 'short' }), 400, 'WEAK_PASSWORD');
    assertError(await reg({ name: '赵一', id_number: id, password: id }), 400, 'WEAK_PASSWORD');
    assertError(await reg({ name: '赵一', id_number: id, password: 'long-enough-pw', accept_notice: false }), 400, 'NOTICE_NOT_ACCEPTED');
    const bad = await reg({ name: '赵一', id_number: id.slice(0, 17) + (id.endsWith('0') ? '1' : '0'), password: 'long-enough-pw' });
    assertError(bad, 400, 'INVALID_INPUT');
    assert.equal(bad.json.field, 'id_number');
    // A holder with no certificates may register: the empty list is a normal answer.
    const none = await signIn('赵一', id, 'long-enough-pw', { register: true });
    assert.deepEqual(await certificatesOf(none), []);
  });

  test('login failures are one answer: unknown account and wrong password alike', async () => {
    const id = randomId('19660606');
    await signIn('郑七', id, 'zheng-qi-password', { register: true });
    const unknown = await call('POST', '/v1/holder/login', { body: { name: '钱二', id_number: randomId(), password: 'whatever-password' } });
    const wrong = await call('POST', '/v1/holder/login', { body: { name: '郑七', id_number: id, password: 'wrong-password!' } });
    for (const r of [unknown, wrong]) {
      assertError(r, 401, 'LOGIN_FAILED');
      assert.equal(r.headers.get('set-cookie'), null);
    }
    const strip = (j) => ({ ...j, request_id: undefined });
    assert.deepEqual(strip(unknown.json), strip(wrong.json));
    assert.deepEqual([...unknown.headers.keys()].sort(), [...wrong.headers.keys()].sort());
  });

  test('login is rate-limited per account (from any address) and per client network', async () => {
    const id = randomId('19851212');
    await signIn('孙三', id, 'sun-san-password', { register: true }); // counts once for the account
    const statuses = [];
    for (let i = 0; i < ACCOUNT_LIMIT + 1; i++) {
      const r = await call('POST', '/v1/holder/login', { body: { name: '孙三', id_number: id, password: 'wrong-password!' } });
      statuses.push(r.status);
      if (r.status === 429) {
        assertError(r, 429, 'RATE_LIMITED');
        assert.ok(Number(r.headers.get('retry-after')) > 0);
      }
    }
    assert.deepEqual(statuses.slice(0, ACCOUNT_LIMIT - 1), Array(ACCOUNT_LIMIT - 1).fill(401), String(statuses));
    assert.equal(statuses[ACCOUNT_LIMIT - 1], 429, String(statuses));
    // The right password does not get past the limit either.
    const right = await call('POST', '/v1/holder/login', { body: { name: '孙三', id_number: id, password: 'sun-san-password' } });
    assertError(right, 429, 'RATE_LIMITED');

    // One client network (an IPv6 /64 in several spellings), many accounts.
    const net = (i) => `2001:db8:77:1::${(i + 1).toString(16)}`;
    let limited = -1;
    for (let i = 0; i < CLIENT_LIMIT + 1; i++) {
      const r = await call('POST', '/v1/holder/login', { ip: net(i), body: { name: '周四', id_number: randomId(), password: 'whatever-password' } });
      if (r.status === 429) {
        limited = i;
        break;
      }
      assertError(r, 401, 'LOGIN_FAILED');
    }
    assert.equal(limited, CLIENT_LIMIT, 'the client network is limited after its allowance');
    // Another network is not.
    const other = await call('POST', '/v1/holder/login', { ip: '2001:db8:77:2::1', body: { name: '周四', id_number: randomId(), password: 'whatever-password' } });
    assertError(other, 401, 'LOGIN_FAILED');
  });

  test('CSRF: a missing or wrong X-CSRF-Token and a foreign Origin are refused on every state-changing route', async () => {
    const m = sample('valid-style1.pdf').management_number;
    const body = { scenario: '本人调用', valid_from: today, days: 10 };
    const routes = [
      ['POST', `/v1/holder/certificates/${m}/annotations`, body],
      ['POST', '/v1/holder/logout', undefined],
      ['POST', '/v1/holder/account/delete', { password: zhang.password }],
    ];
    const other = await signIn('吴六', randomId('19770707'), 'wu-liu-password', { register: true });
    for (const [method, path, b] of routes) {
      assertError(await call(method, path, { cookie: zhang.cookie, origin: edge.baseUrl, body: b ?? {} }), 403, 'CSRF_TOKEN_INVALID');
      assertError(await call(method, path, { cookie: zhang.cookie, csrf: 'f'.repeat(64), origin: edge.baseUrl, body: b ?? {} }), 403, 'CSRF_TOKEN_INVALID');
      assertError(await call(method, path, { ...as(zhang, { origin: 'https://evil.example' }), body: b ?? {} }), 403, 'ORIGIN_NOT_ALLOWED');
      // Another holder's CSRF token is not this session's.
      assertError(await call(method, path, { cookie: zhang.cookie, csrf: other.csrf, origin: edge.baseUrl, body: b ?? {} }), 403, 'CSRF_TOKEN_INVALID');
    }
    // Register and login from a foreign origin: refused before anything is read.
    assertError(await call('POST', '/v1/holder/login', { origin: 'https://evil.example', body: { name: zhang.name, id_number: zhang.id, password: zhang.password } }), 403, 'ORIGIN_NOT_ALLOWED');
    assertError(await call('POST', '/v1/holder/register', { origin: 'null', body: { name: '吴五', id_number: randomId(), password: 'long-enough-pw', accept_notice: true } }), 403, 'ORIGIN_NOT_ALLOWED');
    // A form post (no JSON) is not accepted; no CORS preflight is granted.
    const form = await call('POST', '/v1/holder/login', { body: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assertError(form, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const pre = await call('OPTIONS', '/v1/holder/login', { origin: 'https://evil.example', headers: { 'access-control-request-method': 'POST' } });
    assert.equal(pre.status, 405);
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
    // Still signed in: nothing above changed anything.
    assert.equal((await call('GET', '/v1/holder/session', { cookie: zhang.cookie })).status, 200);
    assert.equal((await certificatesOf(zhang))[0].annotations.length, 1);
  });

  test('without a session: 401 NOT_SIGNED_IN everywhere; a forged cookie is no session', async () => {
    const m = sample('valid-style1.pdf').management_number;
    // A second session of 张伟, for the deletion test (every session ends with the account).
    zhang.second = await signIn(zhang.name, zhang.id, zhang.password);
    const forged = zhang.cookie.slice(0, 13) + 'A'.repeat(43);
    for (const cookie of [undefined, forged, 'garbage']) {
      assertError(await call('GET', '/v1/holder/session', { cookie }), 401, 'NOT_SIGNED_IN');
      assertError(await call('GET', '/v1/holder/certificates', { cookie }), 401, 'NOT_SIGNED_IN');
      assertError(await call('GET', `/v1/holder/certificates/${m}/pdf`, { cookie }), 401, 'NOT_SIGNED_IN');
    }
  });
});

describe('certificates, 加注 and downloads', () => {
  test('pre-2021 association certificate: no 加注 needed, base download, apply refused', async () => {
    const s = sample('pre-2021-association.pdf');
    wang = await signIn(s.holder_name, s.id_number, 'wang-fang-password', { register: true });
    const [c] = await certificatesOf(wang);
    assert.equal(c.management_number, s.management_number);
    assert.equal(c.annotation_required, false);
    assert.equal(c.base_download, true);
    assert.deepEqual([c.can_apply.ok, c.can_apply.code], [false, 'ANNOTATION_NOT_NEEDED']);
    const r = await call('GET', `/v1/holder/certificates/${s.management_number}/pdf`, { cookie: wang.cookie });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('content-type'), 'application/pdf');
    assert.match(r.headers.get('content-disposition'), /^attachment; filename="/);
    assert.ok(r.bytes.equals(await readFile(join(demo.demoDir, 'samples', s.file))));
    assertError(await apply(wang, s.management_number, { scenario: '本人调用', valid_from: today, days: 10 }), 409, 'ANNOTATION_NOT_NEEDED');
    // A certificate that needs 加注 has no base download.
    assertError(await call('GET', `/v1/holder/certificates/${sample('valid-style1.pdf').management_number}/pdf`, { cookie: zhang.cookie }), 403, 'ANNOTATION_REQUIRED');
  });

  test('expired and not-yet-valid 加注 cannot be downloaded', async () => {
    const e = sample('annotation-expired.pdf');
    const liu = await signIn(e.holder_name, e.id_number, 'liu-yang-password', { register: true });
    const [c] = await certificatesOf(liu);
    assert.equal(c.annotations[0].state, 'expired');
    assert.equal(c.annotations[0].download, false);
    const r = await call('GET', `/v1/holder/certificates/${e.management_number}/annotations/${c.annotations[0].job_id}/pdf`, { cookie: liu.cookie });
    assertError(r, 410, 'ANNOTATION_EXPIRED');
    assert.equal(r.json.message.zh, '加注件已过期，请重新申请加注');
    assert.equal(c.can_apply.ok, true, 'an expired 加注 is re-applied for');

    const f = sample('annotation-future.pdf');
    const chen = await signIn(f.holder_name, f.id_number, 'chen-jing-password', { register: true });
    const [cf] = await certificatesOf(chen);
    assert.equal(cf.annotations[0].state, 'not_yet_valid');
    assertError(await call('GET', `/v1/holder/certificates/${f.management_number}/annotations/${cf.annotations[0].job_id}/pdf`, { cookie: chen.cookie }), 409, 'ANNOTATION_NOT_YET_VALID');
  });

  test('apply: the rules with their exact messages; a 4th within 90 days refused with the next allowed day', async () => {
    const m = sample('valid-style1.pdf').management_number;
    const refuse = async (body, status, code) => assertError(await apply(zhang, m, body), status, code);
    await refuse({ scenario: '本人调用', valid_from: today, days: 91 }, 400, 'ANNOTATION_WINDOW_TOO_LONG');
    await refuse({ scenario: '本人调用', valid_from: today, days: 0 }, 400, 'ANNOTATION_WINDOW_EMPTY');
    await refuse({ scenario: '本人调用', valid_from: addDays(today, -1), days: 5 }, 400, 'ANNOTATION_STARTS_IN_PAST');
    await refuse({ scenario: '本人调用', valid_from: addDays(today, 91), days: 5 }, 400, 'ANNOTATION_STARTS_TOO_LATE');
    await refuse({ scenario: '第三方调用', valid_from: today, days: 5 }, 400, 'UNSUPPORTED_SCENARIO');
    await refuse({ scenario: '本人调用', valid_from: 'tomorrow', days: 5 }, 400, 'INVALID_INPUT');
    const long = await apply(zhang, m, { scenario: '本人调用', valid_from: today, days: 91 });
    assert.equal(long.json.message.zh, '加注有效期最长为90天，所请求为91天');

    // The demo's own 加注 counts (applied today): two more fit, the fourth does not.
    const first = await apply(zhang, m, { scenario: '本人调用', valid_from: today, days: 30 });
    assert.equal(first.status, 202, first.text);
    assert.equal(first.json.job.state, 'generating');
    assert.equal(first.json.job.valid_until, addDays(today, 29));
    assert.match(first.json.job.job_id, /^[0-9a-f]{32}$/);
    const second = await apply(zhang, m, { scenario: '本人调用', valid_from: addDays(today, 2), days: 10 });
    assert.equal(second.status, 202, second.text);
    const fourth = await apply(zhang, m, { scenario: '本人调用', valid_from: today, days: 10 });
    assertError(fourth, 409, 'ANNOTATION_TOO_MANY');
    assert.equal(fourth.json.next_allowed, addDays(today, 90));
    assert.ok(fourth.json.message.zh.includes(`最早可于${addDays(today, 90)}再次申请`), fourth.json.message.zh);
    const [c] = await certificatesOf(zhang);
    assert.deepEqual([c.can_apply.ok, c.can_apply.code, c.can_apply.next_allowed], [false, 'ANNOTATION_TOO_MANY', addDays(today, 90)]);
    assert.equal(c.annotations.length, 3);
    assert.deepEqual(c.annotations.slice(0, 2).map((j) => j.state), ['generating', 'generating']);
    // While generating: "证书生成中…".
    const gen = await call('GET', `/v1/holder/certificates/${m}/annotations/${first.json.job.job_id}/pdf`, { cookie: zhang.cookie });
    assertError(gen, 409, 'ANNOTATION_GENERATING');
    assert.equal(gen.json.message.zh, '证书生成中…');
    zhang.jobs = [first.json.job, second.json.job];
  });

  test('a revoked certificate shows its revocation and cannot be annotated or downloaded', async () => {
    const s = sample('valid-style2.pdf');
    const li = await signIn(s.holder_name, s.id_number, 'li-na-password!', { register: true });
    const rev = await call('POST', '/v1/admin/revocations', {
      bearer: edge.adminToken, body: { management_number: s.management_number, reason: '证书信息有误' },
    });
    assert.equal(rev.status, 201, rev.text);
    const [c] = await certificatesOf(li);
    assert.equal(c.status.state, 'revoked');
    assert.equal(c.status.reason, '证书信息有误');
    assert.ok(Number.isInteger(c.status.revoked_at));
    assert.deepEqual([c.can_apply.ok, c.can_apply.code], [false, 'CERTIFICATE_REVOKED']);
    assert.ok(c.annotations.every((j) => j.download === false));
    assertError(await apply(li, s.management_number, { scenario: '本人调用', valid_from: today, days: 5 }), 409, 'CERTIFICATE_REVOKED');
    assertError(await call('GET', `/v1/holder/certificates/${s.management_number}/annotations/${c.annotations[0].job_id}/pdf`, { cookie: li.cookie }), 409, 'CERTIFICATE_REVOKED');
  });

  test('IDOR: another holder\'s 管理号 or job id is the same 404 as one that does not exist, on every route', async () => {
    const mine = sample('valid-style1.pdf').management_number;
    const theirs = sample('pre-2021-association.pdf').management_number;
    const theirJob = (await certificatesOf(await signIn(sample('rare-name-ext-a.pdf').holder_name, sample('rare-name-ext-a.pdf').id_number, 'rare-rare-name-ext-a.pdf-pw')))[0].annotations[0].job_id;
    const rareM = sample('rare-name-ext-a.pdf').management_number;
    const body = { scenario: '本人调用', valid_from: today, days: 5 };
    const probes = (m, job) => [
      ...(m === mine ? [] : [
        () => call('GET', `/v1/holder/certificates/${m}/pdf`, { cookie: zhang.cookie }),
        () => apply(zhang, m, body),
      ]),
      () => call('GET', `/v1/holder/certificates/${m}/annotations/${job}/pdf`, { cookie: zhang.cookie }),
    ];
    const answers = [];
    // Their certificates (a pre-2021 one with a base PDF, a 生僻字 holder's with a ready 加注), a 管理号 nobody has,
    // their job under my certificate, a job id nobody has, a malformed 管理号.
    for (const [m, job] of [[theirs, theirJob], [rareM, theirJob], ['209912319999', theirJob], [mine, theirJob], [mine, 'f'.repeat(32)], ['x_y', 'y']]) {
      for (const p of probes(m, job)) {
        const r = await p();
        assertError(r, 404, 'NOT_FOUND');
        answers.push(JSON.stringify({ ...r.json, request_id: undefined }));
      }
    }
    assert.equal(new Set(answers).size, 1, 'one byte-identical body for every miss');
    // My list holds only mine; nothing was created on their certificates.
    assert.deepEqual((await certificatesOf(zhang)).map((c) => c.management_number), [mine]);
    assert.equal((await certificatesOf(wang))[0].annotations.length, 0);
  });
});

describe('signer', () => {
  test('claim: only the sign right; pending jobs oldest first, leased; an expired lease is claimable again with attempt + 1', async () => {
    assertError(await claim(undefined, edge.auditToken), 403, 'FORBIDDEN');
    assertError(await call('POST', '/v1/signer/jobs/claim', { body: { max: 1 } }), 401, 'UNAUTHORIZED');
    assertError(await claim({ max: 21, lease_seconds: 30 }), 400, 'INVALID_FIELD');
    assertError(await claim({ max: 1, lease_seconds: 29 }), 400, 'INVALID_FIELD');
    // A body that is not an object (schemathesis sent `[]`, which serde would read as "every field defaulted").
    assertError(await claim([]), 400, 'INVALID_REQUEST');
    assertError(await call('POST', '/v1/holder/login', { body: [] }), 400, 'INVALID_REQUEST');
    const first = await claim({ max: 20, lease_seconds: 30 });
    assert.equal(first.status, 200, first.text);
    const ids = first.json.jobs.map((j) => j.job_id);
    // The two pending jobs (oldest first: both were created within the same second here).
    assert.deepEqual([...ids].sort(), zhang.jobs.map((j) => j.job_id).sort());
    const j = first.json.jobs.find((x) => x.job_id === zhang.jobs[0].job_id);
    assert.equal(j.attempt, 1);
    assert.equal(j.management_number, sample('valid-style1.pdf').management_number);
    assert.deepEqual([j.scenario, j.applied_on, j.valid_from], ['本人调用', today, today]);
    // Leased: a second claim gets nothing.
    assert.deepEqual((await claim()).json.jobs, []);
    // Operators see them pending (not overdue yet).
    const pending = await call('GET', '/v1/admin/jobs?state=pending', { bearer: edge.auditToken });
    assert.equal(pending.status, 200, pending.text);
    assert.deepEqual(pending.json.jobs.map((x) => x.job_id).sort(), [...ids].sort());
    assert.ok(pending.json.jobs.every((x) => x.attempts === 1 && x.leased_by === 'signer' && x.overdue === false));
    assert.deepEqual((await call('GET', '/v1/admin/jobs', { bearer: edge.adminToken })).json.jobs, [], 'nothing overdue');
    assertError(await call('GET', '/v1/admin/jobs', { bearer: edge.signerToken }), 403, 'FORBIDDEN');
    // The lease expires (30 s): the jobs are handed out again, attempt 2.
    await new Promise((r) => setTimeout(r, 31_000));
    const again = await claim({ max: 1, lease_seconds: 300 });
    assert.deepEqual(again.json.jobs.map((x) => [x.job_id, x.attempt]), [[ids[0], 2]]);
  });

  test('upload: wrong and tampered files are refused and nothing is stored; the right one is registered, idempotent', async () => {
    const m = sample('valid-style1.pdf').management_number;
    const [job] = zhang.jobs;
    const good = await annotate(m, { from: job.valid_from, days: 30 });
    // Another certificate's genuine copy.
    const foreign = await readFile(join(demo.demoDir, 'samples', 'rare-name-ext-b.pdf'));
    const r1 = await uploadPdf(job.job_id, foreign);
    assertError(r1, 422, 'UPLOAD_REJECTED');
    assert.equal(r1.json.reason, 'RECORD_MISMATCH');
    // The right file with one byte changed after the seal.
    const tampered = Buffer.from(good);
    const at = tampered.indexOf('/Producer');
    tampered[at > 0 ? at + 2 : tampered.length - 200] ^= 1;
    const r2 = await uploadPdf(job.job_id, tampered);
    assertError(r2, 422, 'UPLOAD_REJECTED');
    assert.notEqual(r2.json.verdict_code, 'VALID');
    // The same certificate's copy with another window: not this job's.
    const r3 = await uploadPdf(job.job_id, await readFile(join(demo.demoDir, 'samples', 'valid-style1.pdf')));
    assertError(r3, 422, 'UPLOAD_REJECTED');
    assert.equal(r3.json.reason, 'WINDOW_MISMATCH');
    // Nothing stored: still generating, no download.
    let [c] = await certificatesOf(zhang);
    assert.equal(c.annotations.find((x) => x.job_id === job.job_id).state, 'generating');
    assertError(await call('GET', `/v1/holder/certificates/${m}/annotations/${job.job_id}/pdf`, { cookie: zhang.cookie }), 409, 'ANNOTATION_GENERATING');
    // A wrong content type and an unknown job.
    assertError(await call('PUT', `/v1/signer/jobs/${job.job_id}/pdf`, { bearer: edge.signerToken, body: good, raw: true, headers: { 'content-type': 'text/plain' } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    assertError(await uploadPdf('0'.repeat(32), good), 404, 'NOT_FOUND');

    const ok = await uploadPdf(job.job_id, good);
    assert.equal(ok.status, 200, ok.text);
    assert.match(ok.json.status_id, /^[0-9a-f]{64}$/);
    assert.ok(ok.json.annotation_number);
    // Idempotent by job id: the same file again is the same answer; another file is refused.
    const same = await uploadPdf(job.job_id, good);
    assert.equal(same.status, 200);
    assert.deepEqual(same.json, ok.json);
    const other = await annotate(m, { from: job.valid_from, days: 30 });
    assertError(await uploadPdf(job.job_id, other), 409, 'JOB_ALREADY_DONE');

    // The holder downloads it inside its window; it verifies VALID at the edge with that window.
    [c] = await certificatesOf(zhang);
    const view = c.annotations.find((x) => x.job_id === job.job_id);
    assert.deepEqual([view.state, view.download, view.annotation_number], ['ready', true, ok.json.annotation_number]);
    const dl = await call('GET', `/v1/holder/certificates/${m}/annotations/${job.job_id}/pdf`, { cookie: zhang.cookie });
    assert.equal(dl.status, 200, dl.text);
    assert.ok(dl.bytes.equals(good));
    const v = await call('POST', '/v1/verify', { body: dl.bytes, raw: true, headers: { 'content-type': 'application/pdf' } });
    assert.equal(v.json.code, 'VALID', v.text);
    assert.equal(v.json.status_id, ok.json.status_id);
    assert.deepEqual([v.json.annotation.valid_from, v.json.annotation.valid_until], [job.valid_from, job.valid_until]);
  });

  test('fail: the issuing side refuses a job; it no longer counts; done jobs cannot fail', async () => {
    const m = sample('valid-style1.pdf').management_number;
    const [done, pending] = zhang.jobs;
    assertError(await call('POST', `/v1/signer/jobs/${done.job_id}/fail`, { bearer: edge.signerToken, body: { reason: 'x' } }), 409, 'JOB_ALREADY_DONE');
    const r = await call('POST', `/v1/signer/jobs/${pending.job_id}/fail`, { bearer: edge.signerToken, body: { reason: '台账不一致' } });
    assert.equal(r.status, 200, r.text);
    assert.equal((await call('POST', `/v1/signer/jobs/${pending.job_id}/fail`, { bearer: edge.signerToken, body: { reason: 'again' } })).status, 200);
    assertError(await uploadPdf(pending.job_id, await annotate(m, { from: pending.valid_from, days: 10 }).catch(() => Buffer.from('%PDF-1.7'))), 409, 'JOB_FAILED');
    const [c] = await certificatesOf(zhang);
    assert.equal(c.annotations.find((x) => x.job_id === pending.job_id).state, 'failed');
    assert.equal(c.can_apply.ok, true, 'a failed job does not count towards 3 in 90 days');
    const failed = await call('GET', '/v1/admin/jobs?state=failed', { bearer: edge.adminToken });
    assert.deepEqual(failed.json.jobs.map((x) => [x.job_id, x.failure_reason]), [[pending.job_id, '台账不一致']]);
  });
});

describe('leaving', () => {
  test('logout ends the session', async () => {
    const who = await signIn(wang.name, wang.id, wang.password);
    const r = await call('POST', '/v1/holder/logout', as(who));
    assert.equal(r.status, 204);
    assert.match(r.headers.get('set-cookie'), /ecert_session=; Max-Age=0; Path=\/v1\/holder/);
    assertError(await call('GET', '/v1/holder/session', { cookie: who.cookie }), 401, 'NOT_SIGNED_IN');
    assert.equal((await call('GET', '/v1/holder/session', { cookie: wang.cookie })).status, 200, 'other sessions stay');
  });

  test('account deletion: password again; account, sessions and annotated PDFs gone; registry and 加注 history stay', async () => {
    const m = sample('valid-style1.pdf').management_number;
    const before = await certificatesOf(zhang);
    assertError(await call('POST', '/v1/holder/account/delete', { ...as(zhang), body: { password: 'not-the-password' } }), 403, 'PASSWORD_INCORRECT');
    const second = zhang.second;
    const r = await call('POST', '/v1/holder/account/delete', { ...as(zhang), body: { password: zhang.password } });
    assert.equal(r.status, 204, r.text);
    assert.match(r.headers.get('set-cookie'), /Max-Age=0/);
    for (const cookie of [zhang.cookie, second.cookie]) {
      assertError(await call('GET', '/v1/holder/certificates', { cookie }), 401, 'NOT_SIGNED_IN');
    }
    // Registering again works (201, not ACCOUNT_EXISTS): the account is gone.: the same certificate and its 加注 history (the rule still counts them), no stored files.
    const back = await signIn(zhang.name, zhang.id, 'a-new-password', { register: true });
    const [c] = await certificatesOf(back);
    assert.equal(c.management_number, m);
    assert.deepEqual(c.annotations.map((j) => j.job_id), before[0].annotations.map((j) => j.job_id));
    assert.ok(c.annotations.every((j) => j.download === false));
    const done = c.annotations.find((j) => j.state === 'ready');
    assertError(await call('GET', `/v1/holder/certificates/${m}/annotations/${done.job_id}/pdf`, { cookie: back.cookie }), 404, 'NOT_FOUND');
    // The registry is untouched: the lookup still finds the certificate.
    const l = await call('POST', '/v1/lookup', { body: { name: zhang.name, id_number: zhang.id, management_number: m } });
    assert.equal(l.status, 200, l.text);
  });
});

describe('races', () => {
  test('concurrent applications cannot pass 3 in 90 days: the count and the insert are one statement', async () => {
    // 陈静 (annotation-future.pdf) has one 加注 applied for today (imported): two more fit.
    const f = sample('annotation-future.pdf');
    const chen = await signIn(f.holder_name, f.id_number, 'chen-jing-password');
    const body = { scenario: '本人调用', valid_from: today, days: 7 };
    const answers = await Promise.all(Array.from({ length: 5 }, () => apply(chen, f.management_number, body)));
    const statuses = answers.map((r) => r.status).sort();
    assert.deepEqual(statuses, [202, 202, 409, 409, 409], answers.map((r) => r.text).join('\n'));
    for (const r of answers.filter((x) => x.status === 409)) assertError(r, 409, 'ANNOTATION_TOO_MANY');
    const [c] = await certificatesOf(chen);
    assert.equal(c.annotations.filter((j) => j.state !== 'failed').length, 3);
  });
});
