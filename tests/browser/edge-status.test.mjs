// Status and trust-list updates through an edge, in headless Chromium. Two kinds of edge:
// - a stand-in HTTP server speaking the edge's wire format (always runs: unreachable edge, refused trust list,
//   revoked / valid / unregistered buckets);
// - the real worker on workerd via tests/support/edge.mjs (revocation through the admin API shows 已撤销).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { containsPdfBytes, launch } from './support/chromium.mjs';
import { ARTIFACTS, ROOT, fixture } from './support/fixture.mjs';
import { serve } from './support/server.mjs';

const statusId = (mgmt) => createHash('sha256').update(Buffer.concat([Buffer.from('ecert.status/1\0'), Buffer.from(mgmt)])).digest('hex');

let fx, browser;
before(async () => {
  fx = fixture();
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** A closed port: nothing listens there. */
async function closedPort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** Stand-in edge: `GET /v1/trust-list` and `GET /v1/status/{prefix}` with CORS, logging every request. */
async function fakeEdge({ trustList, statuses }) {
  const log = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    log.push({ method: req.method, url: req.url, body: Buffer.concat(chunks) });
    const cors = { 'access-control-allow-origin': '*', 'content-type': 'application/json' };
    const m = /^\/v1\/status\/([0-9a-f]{4})$/.exec(req.url);
    if (req.url === '/v1/trust-list') return res.writeHead(200, cors).end(trustList);
    if (m) {
      const entries = Object.entries(statuses).map(([mgmt, st]) => ({ id: statusId(mgmt), ...st })).filter((e) => e.id.startsWith(m[1]));
      return res.writeHead(200, cors).end(JSON.stringify({ schema: 'ecert.status-bucket/1', prefix: m[1], as_of: Math.floor(Date.now() / 1000), entries }));
    }
    res.writeHead(404, cors).end('{}');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, log, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

/** Open the recruitment demo with the widget pointed at `edge`; returns the widget's frame. */
async function openWidget(site, edge) {
  const page = await browser.context.newPage();
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
  await page.goto(`${site.url}/recruit/?edge=${encodeURIComponent(edge)}`);
  const frame = await (await page.waitForSelector('iframe#verifier')).contentFrame();
  await frame.waitForFunction(() => document.querySelector('ecert-verify')?.shadowRoot?.querySelector('.pick'));
  await frame.waitForFunction((e) => document.querySelector('ecert-verify').getAttribute('edge') === e, edge);
  await frame.evaluate(() => {
    window.events = [];
    document.querySelector('ecert-verify').addEventListener('ecert-verdict', (e) => window.events.push(e.detail));
  });
  return { page, frame };
}

async function pick(frame, file) {
  const n = await frame.evaluate(() => window.events.length);
  await frame.locator('ecert-verify input[type=file]').setInputFiles({ name: file, mimeType: 'application/pdf', buffer: readFileSync(join(fx.samplesDir, file)) });
  await frame.waitForFunction((k) => window.events.length > k, n, { timeout: 60000 });
  return frame.evaluate(() => window.events[window.events.length - 1]);
}

const sample = (code, i = 0) => fx.manifest.samples.filter((s) => s.expected === code)[i];

/** The demo's trust list re-signed by the demo root with `sequence` (written by the issuer CLI). */
function trustListWithSequence(sequence) {
  const out = join(fx.demoDir, `trust-list-seq${sequence}.json`);
  rmSync(out, { force: true }); // the CLI refuses to overwrite
  execFileSync(fx.ecert, ['trust-list', '--pki', join(fx.demoDir, 'pki'), '--out', out, '--sequence', String(sequence)], { stdio: 'ignore' });
  return readFileSync(out, 'utf8');
}

describe('stand-in edge', () => {
  test('a newer signed trust list from the edge is verified and used (sequence shown on the page)', async () => {
    const edge = await fakeEdge({ trustList: trustListWithSequence(7), statuses: {} });
    const site = await serve({ root: fx.distDir, connect: [edge.url] });
    try {
      const page = await browser.context.newPage();
      await page.goto(`${site.url}/?edge=${encodeURIComponent(edge.url)}`);
      await page.waitForFunction(() => window.ecert && window.ecert.client.trust && window.ecert.client.trust.source === 'edge', null, { timeout: 30000 });
      assert.equal(await page.evaluate(() => window.ecert.client.trust.sequence), 7);
      assert.match(await page.locator('#trust').textContent(), /已从状态服务更新（序号 7）/);
      assert.equal(await page.locator('[data-trust-notice]').count(), 0);
      await page.close();
    } finally {
      await site.close();
      await edge.close();
    }
  });

  test('an older trust list from the edge (rollback) is refused visibly', async () => {
    const edge = await fakeEdge({ trustList: trustListWithSequence(0), statuses: {} });
    const site = await serve({ root: fx.distDir, connect: [edge.url] });
    try {
      const page = await browser.context.newPage();
      await page.goto(`${site.url}/?edge=${encodeURIComponent(edge.url)}`);
      const notice = page.locator('#trust [data-trust-notice=refused]');
      await notice.waitFor({ timeout: 30000 });
      assert.equal(await notice.getAttribute('data-code'), 'TRUST_LIST_ROLLBACK');
      assert.match(await notice.textContent(), /未通过验证，已拒绝使用/);
      assert.equal(await page.evaluate(() => window.ecert.client.trust.sequence), 1);
      await page.screenshot({ path: join(ARTIFACTS, 'page-trust-refused.png') });
      await page.close();
    } finally {
      await site.close();
      await edge.close();
    }
  });

  test('unreachable edge: signature valid, status unknown — never plain valid', async () => {
    const edge = `http://127.0.0.1:${await closedPort()}`;
    const site = await serve({ root: fx.distDir, connect: [edge] });
    try {
      const { page, frame } = await openWidget(site, edge);
      const v = await pick(frame, sample('VALID').file);
      assert.equal(v.code, 'STATUS_UNKNOWN');
      assert.equal(v.state, 'status_unknown');
      assert.equal(v.status.state, 'unknown');
      const card = frame.locator('ecert-verify .ec-card').first();
      assert.equal((await card.locator('.ec-state').textContent()).trim(), '签名有效，状态未知');
      assert.ok(!(await card.getAttribute('class')).includes('ec-tone-ok'));
      // The trust list could not be fetched: said so, and the bundled snapshot is used.
      assert.equal(await frame.locator('ecert-verify [data-trust-notice]').getAttribute('data-trust-notice'), 'unavailable');
      await frame.locator('ecert-verify').screenshot({ path: join(ARTIFACTS, 'widget-status-unknown.png') });
      await page.close();
    } finally {
      await site.close();
    }
  });

  test('revoked, valid and unregistered buckets; a tampered trust list is refused visibly', async () => {
    const signed = JSON.parse(readFileSync(join(fx.demoDir, 'trust-list.json'), 'utf8'));
    const sig = Buffer.from(signed.signature, 'base64');
    sig[sig.length - 1] ^= 1;
    const tampered = JSON.stringify({ ...signed, signature: sig.toString('base64') });
    const revoked = sample('VALID', 0);
    const valid = sample('VALID', 1);
    const unregistered = sample('VALID', 2);
    const revokedAt = Math.floor(Date.parse('2026-11-20T09:30:00+08:00') / 1000);
    const edge = await fakeEdge({
      trustList: tampered,
      statuses: {
        [revoked.management_number]: { state: 'revoked', revoked_at: revokedAt, reason: '证书信息有误' },
        [valid.management_number]: { state: 'valid' },
      },
    });
    const site = await serve({ root: fx.distDir, connect: [edge.url] });
    try {
      const { page, frame } = await openWidget(site, edge.url);
      const v1 = await pick(frame, revoked.file);
      assert.equal(v1.code, 'REVOKED');
      assert.equal(v1.state, 'revoked');
      assert.equal(v1.status.revoked_at, revokedAt);
      assert.equal(v1.status.reason, '证书信息有误');
      const card = frame.locator('ecert-verify .ec-card').first();
      assert.equal((await card.locator('.ec-state').textContent()).trim(), '已撤销');
      assert.match(await card.locator('[data-field=status] dd').textContent(), /已撤销 2026-11-20 09:30.*证书信息有误/);
      // The tampered list was refused, visibly; verification went on with the bundled snapshot.
      const notice = frame.locator('ecert-verify [data-trust-notice]');
      assert.equal(await notice.getAttribute('data-trust-notice'), 'refused');
      assert.match(await notice.getAttribute('data-code'), /^TRUST_LIST_/);
      await frame.locator('ecert-verify').screenshot({ path: join(ARTIFACTS, 'widget-revoked.png') });

      const v2 = await pick(frame, valid.file);
      assert.equal(v2.code, 'VALID');
      assert.equal(v2.status.state, 'valid');
      const v3 = await pick(frame, unregistered.file);
      assert.equal(v3.status.state, 'not_registered');
      assert.notEqual(v3.code, 'VALID', 'a certificate the registry does not know is not plainly valid');

      // What the edge learned: the trust-list fetch and 4-hex-character bucket prefixes, nothing else.
      for (const r of edge.log) {
        assert.equal(r.method, 'GET');
        assert.match(r.url, /^\/v1\/(trust-list|status\/[0-9a-f]{4})$/);
        assert.equal(r.body.length, 0);
      }
      const asked = edge.log.filter((r) => r.url.startsWith('/v1/status/')).map((r) => r.url.slice(-4));
      assert.deepEqual(asked, [revoked, valid, unregistered].map((s) => statusId(s.management_number).slice(0, 4)));
      await page.close();
    } finally {
      await site.close();
      await edge.close();
    }
  });
});

const haveEdge = existsSync(join(ROOT, 'tests/support/edge.mjs')) && process.env.ECERT_SKIP_EDGE !== '1';

describe('real edge (wrangler dev on workerd)', { skip: haveEdge ? false : 'tests/support/edge.mjs not present (or ECERT_SKIP_EDGE=1)' }, () => {
  let edge, site;
  before(async () => {
    const { startEdge } = await import('../support/edge.mjs');
    edge = await startEdge({ demoDir: fx.demoDir });
    site = await serve({ root: fx.distDir, connect: [edge.baseUrl] });
  });
  after(async () => {
    await site?.close();
    await edge?.stop();
  });

  test('a certificate revoked through the admin API shows as 已撤销; others stay valid', async () => {
    const target = sample('VALID', 0);
    const other = sample('VALID', 1);
    const r = await fetch(`${edge.baseUrl}/v1/admin/revocations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${edge.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ management_number: target.management_number, reason: '证书被注销（浏览器测试）' }),
    });
    assert.ok(r.ok, `revocation accepted: HTTP ${r.status} ${await r.text()}`);
    browser.requests.length = 0;
    const { page, frame } = await openWidget(site, edge.baseUrl);
    const v = await pick(frame, target.file);
    assert.equal(v.code, 'REVOKED');
    assert.equal(v.status.state, 'revoked');
    assert.match(v.status.reason, /浏览器测试/);
    const card = frame.locator('ecert-verify .ec-card').first();
    assert.equal((await card.locator('.ec-state').textContent()).trim(), '已撤销');
    await frame.locator('ecert-verify').screenshot({ path: join(ARTIFACTS, 'widget-revoked-real-edge.png') });
    const v2 = await pick(frame, other.file);
    assert.equal(v2.code, 'VALID');
    assert.equal(v2.status.state, 'valid');
    // The edge's trust list verified and was accepted (no refusal notice).
    assert.equal(await frame.locator('ecert-verify [data-trust-notice=refused]').count(), 0);
    const bytes = [target, other].map((s) => readFileSync(join(fx.samplesDir, s.file)));
    for (const req of browser.requests) {
      for (const b of bytes) assert.ok(!containsPdfBytes(req.body, b), `${req.method} ${req.url} carries PDF bytes`);
      if (req.url.startsWith(edge.baseUrl)) assert.match(new URL(req.url).pathname, /^\/v1\/(trust-list|status\/[0-9a-f]{4})$/);
    }
    await page.close();
  });

  test('the same edge, stopped: signature valid, status unknown', async () => {
    await edge.stop();
    const { page, frame } = await openWidget(site, edge.baseUrl);
    const v = await pick(frame, sample('VALID', 1).file);
    assert.equal(v.code, 'STATUS_UNKNOWN');
    assert.equal(v.status.state, 'unknown');
    assert.equal((await frame.locator('ecert-verify .ec-card .ec-state').first().textContent()).trim(), '签名有效，状态未知');
    await page.close();
  });
});
