// `ecert signer` (the real release binary) against the real edge on workerd (tests/support/edge.mjs): a holder
// applies for a 加注 through the holder API (register, session cookie, CSRF), the signer claims the job, checks it
// against the issuing side's own ledger, seals it with the seal key that stays on the issuing side, uploads it;
// the holder downloads a PDF that `ecert verify` finds VALID with the job's window. A signer killed right after
// sealing (ECERT_SIGNER_CRASH_AFTER=seal) leaves the job generating and nothing stored at the edge; while its
// lease holds nobody else gets the job; once it expires the next signer uploads the very file it spooled (same
// 加注编号, one ledger entry, no second seal). A job the issuing side's ledger refuses is reported failed.
// Run: `. scripts/env.sh && node --test tests/worker/signer.test.mjs` (about a minute: one 30 s lease expires).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { addDays, chinaToday, makeDemo, startEdge } from '../support/edge.mjs';
import { cookieOf, edgeCall } from '../support/holder-api.mjs';

const LEASE = 30; // seconds: the shortest lease the edge grants (docs/holder.md)
let demo;
let edge;
let pki;
let nextIp = 1;
const freshIp = () => `203.0.113.${nextIp++}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha256 = (b) => createHash('sha256').update(b).digest('hex');

/** Run the signer once (or crash it); resolves with { code, signal, stdout, stderr }. */
function signer({ crash, token = edge.signerToken, args = [] } = {}) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ECERT_SIGNER_TOKEN: token };
    delete env.ECERT_SIGNER_CRASH_AFTER;
    if (crash) env.ECERT_SIGNER_CRASH_AFTER = crash;
    const child = spawn(demo.ecert, ['signer', '--edge', edge.baseUrl, '--pki', pki, '--once', '--lease', String(LEASE), ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A holder's session at the edge: cookie + CSRF token, as a browser on the edge's own origin would send them. */
class Holder {
  constructor(sample) {
    this.name = sample.holder_name;
    this.id = sample.id_number;
    this.mgmt = sample.management_number;
    this.ip = freshIp();
    this.cookie = '';
    this.csrf = '';
  }

  async call(method, path, body) {
    const r = await edgeCall(edge.baseUrl, method, path, {
      body,
      ip: this.ip,
      origin: edge.baseUrl,
      cookie: this.cookie,
      csrf: method !== 'GET' ? this.csrf : undefined,
    });
    this.cookie = cookieOf(r) ?? this.cookie;
    return { ...r, text: r.text.slice(0, 2000) };
  }

  async register() {
    const password = `pw-${randomBytes(9).toString('hex')}`;
    const r = await this.call('POST', '/v1/holder/register', { name: this.name, id_number: this.id, password, accept_notice: true });
    assert.equal(r.status, 201, r.text);
    assert.ok(this.cookie, 'a session cookie');
    const s = await this.call('GET', '/v1/holder/session');
    assert.equal(s.status, 200, s.text);
    this.csrf = s.json.csrf_token;
    assert.ok(this.csrf, 'a CSRF token');
  }

  async apply(days, validFrom = chinaToday()) {
    const r = await this.call('POST', `/v1/holder/certificates/${encodeURIComponent(this.mgmt)}/annotations`, {
      scenario: '本人调用',
      valid_from: validFrom,
      days,
    });
    assert.equal(r.status, 202, r.text);
    return r.json.job;
  }

  async job(jobId) {
    const r = await this.call('GET', '/v1/holder/certificates');
    assert.equal(r.status, 200, r.text);
    const cert = r.json.certificates.find((c) => c.management_number === this.mgmt);
    assert.ok(cert, `${this.mgmt} is among the holder's certificates`);
    return cert.annotations.find((j) => j.job_id === jobId);
  }

  download(jobId) {
    return this.call('GET', `/v1/holder/certificates/${encodeURIComponent(this.mgmt)}/annotations/${encodeURIComponent(jobId)}/pdf`);
  }
}

const ledger = async () => JSON.parse(await readFile(join(pki, 'annotation-ledger.json'), 'utf8'));
const spooled = (jobId) => join(pki, 'signer', `${jobId}.pdf`);

/** `ecert verify --json` of downloaded bytes under the demo's trust list and root: the verdict. */
async function verify(bytes) {
  const f = join(demo.demoDir, `downloaded-${randomBytes(4).toString('hex')}.pdf`);
  await writeFile(f, bytes);
  const out = await new Promise((resolve, reject) => {
    const child = spawn(demo.ecert, ['verify', '--json', '--trust-list', join(demo.demoDir, 'trust-list.json'),
      '--root', join(demo.demoDir, 'root-spki.pem'), '--state-file', join(demo.demoDir, 'floor'), f], { stdio: ['ignore', 'pipe', 'pipe'] });
    let s = '';
    let e = '';
    child.stdout.on('data', (d) => (s += d));
    child.stderr.on('data', (d) => (e += d));
    child.on('error', reject);
    child.on('close', () => (s ? resolve(s) : reject(new Error(e))));
  });
  return JSON.parse(out)[0].verdict;
}

/** The 加注 a verdict reports, as JSON text (the verdict's shape is docs/verdict.md's; the test only needs it to name them). */
const verdictText = (v) => JSON.stringify(v);

describe('ecert signer on the real edge', () => {
  before(async () => {
    demo = await makeDemo();
    edge = await startEdge({ demoDir: demo.demoDir });
    pki = join(demo.demoDir, 'pki');
    assert.ok(edge.signerToken, 'startEdge gives the signer token (SIGNER_TOKEN)');
  });
  after(async () => {
    await edge?.stop();
    await demo?.cleanup();
  });

  const sample = (file) => demo.manifest.samples.find((s) => s.file === file);

  test('a holder applies, the signer seals and uploads, the download verifies VALID with the window', async () => {
    const holder = new Holder(sample('annotation-expired.pdf')); // 刘洋: the last 加注 (A1) expired long ago
    await holder.register();
    const job = await holder.apply(30);
    assert.equal(job.state, 'generating');
    const waiting = await holder.download(job.job_id);
    assert.equal(waiting.status, 409, waiting.text);
    assert.equal(waiting.json.code ?? waiting.json.error?.code, 'ANNOTATION_GENERATING');

    const before = (await ledger()).certificates[holder.mgmt].length;
    const run = await signer();
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const number = `${holder.mgmt}-A${before + 1}`;
    assert.match(run.stdout, new RegExp(`已盖章并上传.*${job.job_id}.*加注编号 ${number}`));

    const done = await holder.job(job.job_id);
    assert.equal(done.state, 'ready', JSON.stringify(done));
    assert.equal(done.annotation_number, number);
    const pdf = await holder.download(job.job_id);
    assert.equal(pdf.status, 200, pdf.text);
    assert.match(pdf.headers.get('content-type'), /^application\/pdf/);
    assert.deepEqual(pdf.bytes, await readFile(spooled(job.job_id)), 'the edge serves the file the signer spooled');
    const verdict = await verify(pdf.bytes);
    assert.equal(verdict.code, 'VALID', verdictText(verdict));
    const text = verdictText(verdict);
    assert.ok(text.includes(number) && text.includes(job.valid_from) && text.includes(job.valid_until), text);
    assert.equal(job.valid_until, addDays(job.valid_from, 29));

    const l = await ledger();
    assert.equal(l.jobs[job.job_id].number, number);
    assert.equal(l.certificates[holder.mgmt].filter((e) => e.number === number).length, 1);
  });

  test('a signer killed after sealing: job still generating, nothing stored; the lease holds; then the same file is uploaded', async () => {
    const holder = new Holder(sample('annotation-missing.pdf')); // 杨磊: never annotated
    await holder.register();
    const job = await holder.apply(14);
    const entriesBefore = ((await ledger()).certificates[holder.mgmt] ?? []).length;
    const copiesBefore = (await readdir(join(pki, 'copies'))).length;

    const claimedAt = Date.now();
    const crashed = await signer({ crash: 'seal' });
    assert.equal(crashed.signal, 'SIGABRT', `aborted: ${crashed.code} ${crashed.stdout}${crashed.stderr}`);
    assert.match(crashed.stderr, /simulated crash after the seal/);
    // The edge: still generating, nothing stored.
    assert.equal((await holder.job(job.job_id)).state, 'generating');
    const nothing = await holder.download(job.job_id);
    assert.equal(nothing.status, 409, nothing.text);
    assert.equal(nothing.json.code ?? nothing.json.error?.code, 'ANNOTATION_GENERATING');
    // The issuing side: the sealed file spooled whole, one ledger entry, the number taken.
    const spool = await readFile(spooled(job.job_id));
    assert.ok(spool.subarray(0, 5).equals(Buffer.from('%PDF-')));
    assert.deepEqual((await readdir(join(pki, 'signer'))).filter((f) => f.startsWith(job.job_id)), [`${job.job_id}.pdf`], 'no temp file left');
    const afterCrash = await ledger();
    const number = afterCrash.jobs[job.job_id].number;
    assert.equal(number, `${holder.mgmt}-A${entriesBefore + 1}`);
    assert.equal(afterCrash.certificates[holder.mgmt].length, entriesBefore + 1);
    assert.equal(afterCrash.jobs[job.job_id].sha256, sha256(spool));

    // Within the lease a second signer gets nothing.
    const early = await signer();
    assert.equal(early.code, 0, early.stdout + early.stderr);
    assert.match(early.stdout, /没有待处理的加注任务/);
    assert.equal((await holder.job(job.job_id)).state, 'generating');

    // After the lease, the job is claimed again and the spooled file uploaded — not sealed again.
    const wait = claimedAt + (LEASE + 2) * 1000 - Date.now();
    if (wait > 0) await sleep(wait);
    const retry = await signer();
    assert.equal(retry.code, 0, retry.stdout + retry.stderr);
    assert.match(retry.stdout, new RegExp(`未再次盖章.*${job.job_id}.*加注编号 ${number}`));
    const done = await holder.job(job.job_id);
    assert.equal(done.state, 'ready', JSON.stringify(done));
    assert.equal(done.annotation_number, number);
    const pdf = await holder.download(job.job_id);
    assert.equal(pdf.status, 200, pdf.text);
    assert.equal(sha256(pdf.bytes), sha256(spool), 'the very file sealed before the crash');
    const l = await ledger();
    assert.equal(l.certificates[holder.mgmt].length, entriesBefore + 1, 'exactly one ledger entry');
    assert.equal(l.certificates[holder.mgmt].filter((e) => e.number === number).length, 1);
    assert.equal((await readdir(join(pki, 'copies'))).length, copiesBefore + 1, 'one copy sealed in all');
    const verdict = await verify(pdf.bytes);
    assert.equal(verdict.code, 'VALID', verdictText(verdict));
  });

  test("a job the issuing side's own ledger refuses is reported failed", async () => {
    const holder = new Holder(sample('seal-not-authorized.pdf')); // 赵敏: one 加注 today in the demo
    await holder.register();
    // The issuing side's ledger knows of more 加注 than the edge (made at a counter, say): three in 90 days.
    const l = await ledger();
    const today = chinaToday();
    const had = l.certificates[holder.mgmt] ?? [];
    for (let i = had.length; i < 3; i++) {
      const day = addDays(today, -10 * (i + 1));
      had.push({ number: `${holder.mgmt}-A${i + 1}`, applied_on: day, valid_from: day, valid_until: day });
    }
    l.certificates[holder.mgmt] = had;
    await writeFile(join(pki, 'annotation-ledger.json'), JSON.stringify(l, null, 2));
    const job = await holder.apply(10);

    const run = await signer();
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`签发方拒绝，已报告失败.*${job.job_id}.*最多3次`));
    const failed = await holder.job(job.job_id);
    assert.equal(failed.state, 'failed', JSON.stringify(failed));
    assert.equal(failed.download, false);
    assert.equal(existsSync(spooled(job.job_id)), false, 'nothing sealed');
    assert.equal((await ledger()).certificates[holder.mgmt].length, 3, 'no entry added');
  });

  test('a wrong token claims nothing', async () => {
    const run = await signer({ token: 'not-the-signer-token-0123456789' });
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /HTTP 40[13]/);
  });
});
