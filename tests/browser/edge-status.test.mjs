// Trust-list and status-snapshot updates through an edge, in headless Chromium (issue 15). Two kinds of edge:
// - a stand-in HTTP server speaking the edge's wire format (always runs): a newer or a rolled-back trust list, an
//   unreachable edge (the bundled snapshot answers, and the page says so), a snapshot + delta that revoke, a
//   tampered snapshot refused visibly, a refresh while the page is open (conditional, with the ETag);
// - the real worker on workerd via tests/support/edge.mjs: a certificate revoked through the admin API, the next
//   snapshot published, and the open page shows 已撤销 — while the network capture holds no request naming that
//   certificate: only /v1/trust-list, /v1/status/snapshot and /v1/status/delta.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { containsPdfBytes, launch } from './support/chromium.mjs';
import { ARTIFACTS, ROOT, fixture } from './support/fixture.mjs';
import { serve } from './support/server.mjs';

let fx, browser, work;
before(async () => {
  fx = fixture();
  browser = await launch();
  work = mkdtempSync(join(tmpdir(), 'ecert-edge-status-'));
});
after(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A closed port: nothing listens there. */
async function closedPort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

const etagOf = (buf) => `"${createHash('sha256').update(buf).digest('hex').slice(0, 32)}"`;

/**
 * Stand-in edge: `GET /v1/trust-list`, `/v1/status/snapshot`, `/v1/status/delta` (404 when unset) with CORS and
 * strong ETags (304 on If-None-Match), logging every request. `state` may be changed while it runs.
 */
async function fakeEdge(state) {
  const log = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    log.push({ method: req.method, url: req.url, body: Buffer.concat(chunks), inm: req.headers['if-none-match'] || null });
    const cors = { 'access-control-allow-origin': '*' };
    if (req.url === '/v1/trust-list' && state.trustList) return res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(state.trustList);
    const file = req.url === '/v1/status/snapshot' ? state.snapshot : req.url === '/v1/status/delta' ? state.delta : null;
    if (file) {
      const etag = etagOf(file);
      const h = { ...cors, etag, 'cache-control': 'no-cache', 'content-type': 'application/octet-stream' };
      if (req.headers['if-none-match'] === etag) return res.writeHead(304, h).end();
      return res.writeHead(200, h).end(file);
    }
    res.writeHead(404, { ...cors, 'content-type': 'application/json' }).end('{}');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, log, state, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

/** Open the recruitment demo with the widget pointed at `edge`; returns the widget's frame. */
async function openWidget(site, edge, on = browser) {
  const page = await on.context.newPage();
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
  await page.goto(`${site.url}/embed/?edge=${encodeURIComponent(edge)}`);
  const frame = page.mainFrame(); // the hosted widget page (/embed/)
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

async function verifyOnPage(page, file) {
  return page.evaluate(async ([name, b64]) => {
    const bin = atob(b64);
    const u = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
    return window.ecert.verifyBytes(name, u);
  }, [file, readFileSync(join(fx.samplesDir, file)).toString('base64')]);
}

const sample = (code, i = 0) => fx.manifest.samples.filter((s) => s.expected === code)[i];

/** The demo's trust list re-signed by the demo root with `sequence` (written by the issuer CLI). */
function trustListWithSequence(sequence) {
  const out = join(work, `trust-list-seq${sequence}.json`);
  rmSync(out, { force: true }); // the CLI refuses to overwrite
  execFileSync(fx.ecert, ['trust-list', '--pki', join(fx.demoDir, 'pki'), '--out', out, '--sequence', String(sequence)], { stdio: 'ignore' });
  return readFileSync(out, 'utf8');
}

/** A copy of the demo PKI (the snapshot commands keep their revocations and sequence there). */
function pkiCopy(name) {
  const dir = join(work, name);
  cpSync(join(fx.demoDir, 'pki'), dir, { recursive: true });
  return dir;
}

/** `ecert status snapshot --pki PKI [--delta] [--revoke M]…` → the signed file's bytes. */
function snapshot(pki, name, { revoke = [], delta = false } = {}) {
  const out = join(work, `${name}.bin`);
  execFileSync(fx.ecert, ['status', 'snapshot', '--pki', pki, '--out', out, ...(delta ? ['--delta'] : []), ...revoke.flatMap((m) => ['--revoke', m])], { stdio: 'ignore' });
  return readFileSync(out);
}

/** Every request the edge saw is one of the three files everyone asks for: none names a certificate. */
function assertOnlyCommonFiles(log) {
  for (const r of log) {
    assert.equal(r.method, 'GET', r.url);
    assert.match(r.url, /^\/v1\/(trust-list|status\/snapshot|status\/delta)$/, r.url);
    assert.equal(r.body.length, 0);
  }
}

describe('stand-in edge', () => {
  test('a newer signed trust list from the edge is verified and used (sequence shown on the page)', async () => {
    const edge = await fakeEdge({ trustList: trustListWithSequence(7) });
    const site = await serve({ root: fx.distDir, connect: [edge.url] });
    try {
      const page = await browser.context.newPage();
      await page.goto(`${site.url}/?edge=${encodeURIComponent(edge.url)}`);
      await page.waitForFunction(() => window.ecert && window.ecert.client.trust && window.ecert.client.trust.source === 'edge', null, { timeout: 30000 });
      assert.equal(await page.evaluate(() => window.ecert.client.trust.sequence), 7);
      assert.match(await page.locator('#trust').textContent(), /已从状态服务更新（序号 7）/);
      assert.equal(await page.locator('[data-trust-notice]').count(), 0);
      // The bundled snapshot is verified again under the new list and still held.
      assert.equal(await page.evaluate(() => window.ecert.client.status.origin), 'bundled');
      await page.close();
    } finally {
      await site.close();
      await edge.close();
    }
  });

  test('an older trust list from the edge (rollback) is refused visibly', async () => {
    const edge = await fakeEdge({ trustList: trustListWithSequence(0) });
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

  test('unreachable edge: the bundled snapshot answers, and the widget says the edge could not be reached', async () => {
    const edge = `http://127.0.0.1:${await closedPort()}`;
    const site = await serve({ root: fx.distDir, connect: [edge] });
    try {
      const { page, frame } = await openWidget(site, edge);
      const v = await pick(frame, sample('VALID').file);
      assert.equal(v.code, 'VALID');
      assert.equal(v.status.state, 'valid');
      assert.equal(v.status.snapshot.origin, 'bundled');
      const card = frame.locator('ecert-verify .ec-card').first();
      assert.match(await card.locator('[data-field=status] dd').textContent(), /依据内置状态快照第 1 号/);
      // Neither the trust list nor the snapshot could be fetched: both said, and what is used instead.
      assert.equal(await frame.locator('ecert-verify [data-trust-notice]').getAttribute('data-trust-notice'), 'unavailable');
      const sn = frame.locator('ecert-verify [data-status-notice=unavailable]');
      assert.equal(await sn.getAttribute('data-code'), 'STATUS_UNAVAILABLE');
      assert.match(await sn.textContent(), /无法从状态服务获取最新状态快照，使用已有快照/);
      assert.equal(await frame.locator('ecert-verify [data-status-snapshot=bundled]').count(), 1);
      await frame.locator('ecert-verify').screenshot({ path: join(ARTIFACTS, 'widget-edge-unreachable.png') });
      await page.close();
    } finally {
      await site.close();
    }
  });

  test('a snapshot and a delta from the edge revoke offline; a tampered trust list is refused; the edge learns nothing per certificate', async () => {
    const signed = JSON.parse(readFileSync(join(fx.demoDir, 'trust-list.json'), 'utf8'));
    const sig = Buffer.from(signed.signature, 'base64');
    sig[sig.length - 1] ^= 1;
    const tampered = JSON.stringify({ ...signed, signature: sig.toString('base64') });
    const [byDelta, bySnapshot] = [sample('VALID', 1), sample('VALID', 0)];
    const pki = pkiCopy('pki-revoke');
    const snap = snapshot(pki, 'snap-revoke', { revoke: [bySnapshot.management_number] });
    const delta = snapshot(pki, 'delta-revoke', { revoke: [byDelta.management_number], delta: true });
    const edge = await fakeEdge({ trustList: tampered, snapshot: snap, delta });
    const site = await serve({ root: fx.distDir, connect: [edge.url] });
    try {
      const { page, frame } = await openWidget(site, edge.url);
      const files = [bySnapshot, byDelta, sample('VALID', 2), sample('ANNOTATION_EXPIRED')].map((s) => s.file);
      const v1 = await pick(frame, bySnapshot.file);
      assert.equal(v1.code, 'REVOKED');
      assert.equal(v1.state, 'revoked');
      assert.equal(v1.status.source, 'snapshot');
      assert.equal(v1.status.snapshot.origin, 'edge');
      const card = frame.locator('ecert-verify .ec-card').first();
      assert.equal((await card.locator('.ec-state').textContent()).trim(), '已撤销');
      assert.match(await card.locator('[data-field=status] dd').textContent(), /^已撤销（依据状态服务的状态快照第 \d+ 号，.* 签发；快照未载明撤销时间）$/);
      await frame.locator('ecert-verify').screenshot({ path: join(ARTIFACTS, 'widget-revoked.png') });
      const v2 = await pick(frame, byDelta.file);
      assert.equal(v2.code, 'REVOKED', 'revoked by the delta on top of the snapshot');
      const v3 = await pick(frame, files[2]);
      assert.equal(v3.code, 'VALID');
      assert.equal(v3.status.state, 'valid');
      const v4 = await pick(frame, files[3]);
      assert.equal(v4.code, 'ANNOTATION_EXPIRED');
      // The tampered list was refused, visibly; verification went on with the bundled list.
      const notice = frame.locator('ecert-verify [data-trust-notice]');
      assert.equal(await notice.getAttribute('data-trust-notice'), 'refused');
      assert.match(await notice.getAttribute('data-code'), /^TRUST_LIST_/);
      // What the edge learned: the three files everyone fetches, once each at start — not one request per file.
      assertOnlyCommonFiles(edge.log);
      assert.deepEqual(edge.log.map((r) => r.url).sort(), ['/v1/status/delta', '/v1/status/snapshot', '/v1/trust-list']);
      await page.close();
    } finally {
      await site.close();
      await edge.close();
    }
  });

  test('a tampered snapshot from the edge is refused visibly; the bundled one stays in use', async () => {
    const good = snapshot(pkiCopy('pki-tamper'), 'snap-tamper');
    const bad = Buffer.from(good);
    bad[Math.floor(bad.length / 3)] ^= 0x20;
    const edge = await fakeEdge({ snapshot: bad });
    const site = await serve({ root: fx.distDir, connect: [edge.url] });
    try {
      const page = await browser.context.newPage();
      await page.goto(`${site.url}/?edge=${encodeURIComponent(edge.url)}`);
      const refused = page.locator('#trust [data-status-notice=refused]');
      await refused.waitFor({ timeout: 30000 });
      assert.match(await refused.getAttribute('data-code'), /^STATUS_(SNAPSHOT|SIGNER)_/);
      assert.match(await refused.textContent(), /状态快照未通过验证，已拒绝使用/);
      const v = await verifyOnPage(page, sample('VALID').file);
      assert.equal(v.code, 'VALID');
      assert.equal(v.status.snapshot.origin, 'bundled');
      await page.close();
    } finally {
      await site.close();
      await edge.close();
    }
  });

  test('while the page is open: a newer snapshot is fetched on the timer (conditionally), and the card turns 已撤销', async () => {
    const target = sample('VALID', 0);
    const pki = pkiCopy('pki-refresh');
    const edge = await fakeEdge({ snapshot: snapshot(pki, 'snap-refresh-1') });
    const site = await serve({ root: fx.distDir, connect: [edge.url] });
    // Playwright's clock belongs to the context: one of its own for this test.
    const own = await launch();
    try {
      const page = await own.context.newPage();
      page.on('pageerror', (e) => console.error('pageerror:', e.message));
      await page.clock.install();
      await page.goto(`${site.url}/?edge=${encodeURIComponent(edge.url)}`);
      await page.waitForFunction(() => window.ecert?.client.status?.origin === 'edge', null, { timeout: 30000 });
      const first = await page.evaluate(() => window.ecert.client.status.sequence);
      const v = await verifyOnPage(page, target.file);
      assert.equal(v.code, 'VALID');
      // Unchanged at the next tick: a conditional request answered 304, nothing re-verified.
      const n = edge.log.length;
      await page.clock.fastForward(61000);
      await page.waitForFunction((k) => !window.ecert.client.statusRefresh, n);
      await new Promise((r) => setTimeout(r, 300));
      const again = edge.log.slice(n).filter((r) => r.url === '/v1/status/snapshot');
      assert.ok(again.length >= 1, 'asked again on the timer');
      assert.ok(again.every((r) => r.inm), 'revalidated with the ETag (If-None-Match)');
      // The registry revokes it; the next snapshot is published; the open page picks it up by itself.
      edge.state.snapshot = snapshot(pki, 'snap-refresh-2', { revoke: [target.management_number] });
      await page.clock.fastForward(61000);
      await page.waitForFunction((s) => window.ecert.client.status.sequence > s, first, { timeout: 30000 });
      const item = page.locator(`#results .item[data-file="${target.file}"]`);
      await page.waitForFunction((f) => document.querySelector(`#results .item[data-file="${f}"]`)?.dataset.code === 'REVOKED', target.file, { timeout: 30000 });
      assert.equal((await item.locator('.ec-state').textContent()).trim(), '已撤销');
      assertOnlyCommonFiles(edge.log);
      await page.close();
    } finally {
      await own.close();
      await site.close();
      await edge.close();
    }
  });
});

const haveEdge = existsSync(join(ROOT, 'tests/support/edge.mjs')) && process.env.ECERT_SKIP_EDGE !== '1';

describe('real edge (wrangler dev on workerd)', { skip: haveEdge ? false : 'tests/support/edge.mjs not present (or ECERT_SKIP_EDGE=1)' }, () => {
  let edge, site, pki;
  before(async () => {
    const { startEdge } = await import('../support/edge.mjs');
    edge = await startEdge({ demoDir: fx.demoDir });
    site = await serve({ root: fx.distDir, connect: [edge.baseUrl] });
    pki = pkiCopy('pki-real-edge');
  });
  after(async () => {
    await site?.close();
    await edge?.stop();
  });

  /**
   * The next snapshot: the harness's own publisher when it runs one (`edge.publisher`), else one `ecert status
   * publish` now from a copy of the demo PKI (a refusal — e.g. another publisher got there first with a higher
   * sequence — is only logged: the test waits for a newer snapshot either way).
   */
  function publish() {
    if (edge.publisher) return;
    try {
      execFileSync(fx.ecert, ['status', 'publish', '--pki', pki, '--edge', edge.baseUrl, '--token', edge.adminToken], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      console.error(`ecert status publish: ${e.stderr || e.message}`);
    }
  }

  test('revoked through the admin API, the next snapshot published: the open page shows 已撤销 with no request naming the certificate', async () => {
    const target = sample('VALID', 0);
    const other = sample('VALID', 1);
    publish(); // the edge's first snapshot: nothing revoked
    browser.requests.length = 0;
    const page = await browser.context.newPage();
    page.on('pageerror', (e) => console.error('pageerror:', e.message));
    await page.goto(`${site.url}/?edge=${encodeURIComponent(edge.baseUrl)}`);
    await page.waitForFunction(() => window.ecert?.client.status?.origin === 'edge', null, { timeout: 30000 });
    const before = await page.evaluate(() => window.ecert.client.status.sequence);
    assert.equal((await verifyOnPage(page, target.file)).code, 'VALID');
    assert.equal((await verifyOnPage(page, other.file)).code, 'VALID');

    const r = await fetch(`${edge.baseUrl}/v1/admin/revocations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${edge.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ management_number: target.management_number, reason: '证书被注销（浏览器测试）' }),
    });
    assert.ok(r.ok, `revocation accepted: HTTP ${r.status} ${await r.text()}`);
    publish();
    // Until the page picks it up (its timer does this every minute; here it is asked now).
    const deadline = Date.now() + 120000;
    while ((await page.evaluate(() => window.ecert.client.updateStatusFromEdge().then(() => window.ecert.client.status.sequence))) <= before) {
      assert.ok(Date.now() < deadline, 'a newer snapshot within 2 minutes');
      await new Promise((res) => setTimeout(res, 1000));
    }
    // The page verified its files again under the new snapshot by itself.
    await page.waitForFunction((f) => document.querySelector(`#results .item[data-file="${f}"]`)?.dataset.code === 'REVOKED', target.file, { timeout: 30000 });
    await page.evaluate(() => window.ecert.settled());
    const item = page.locator(`#results .item[data-file="${target.file}"]`);
    assert.equal((await item.locator('.ec-state').textContent()).trim(), '已撤销');
    assert.match(await item.locator('[data-field=status] dd').textContent(), /^已撤销（依据状态服务的状态快照第 \d+ 号/);
    assert.equal(await page.locator(`#results .item[data-file="${other.file}"]`).getAttribute('data-code'), 'VALID');
    await item.locator('.ec-card').screenshot({ path: join(ARTIFACTS, 'page-revoked-real-edge.png') });
    cpSync(join(ARTIFACTS, 'page-revoked-real-edge.png'), '/tmp/shots/revoked-from-snapshot-zh-desktop.png');
    await page.click('#lang');
    await item.locator('.ec-card').screenshot({ path: '/tmp/shots/revoked-from-snapshot-en-desktop.png' });
    await page.setViewportSize({ width: 375, height: 900 });
    await page.locator(`#results .item[data-file="${target.file}"] .ec-card`).screenshot({ path: '/tmp/shots/revoked-from-snapshot-en-phone.png' });
    await page.click('#lang');
    await page.locator(`#results .item[data-file="${target.file}"] .ec-card`).screenshot({ path: '/tmp/shots/revoked-from-snapshot-zh-phone.png' });

    // The network capture: from the edge only the files everyone fetches; nothing anywhere names the certificate.
    const v = await page.evaluate((f) => window.ecert.items.find((i) => i.name === f).verdict, target.file);
    const secrets = [target.management_number, v.status_id, v.status_id.slice(0, 16), target.query_number];
    const bytes = [target, other].map((s) => readFileSync(join(fx.samplesDir, s.file)));
    let fromEdge = 0;
    for (const req of browser.requests) {
      for (const b of bytes) assert.ok(!containsPdfBytes(req.body, b), `${req.method} ${req.url} carries PDF bytes`);
      for (const s of secrets) {
        assert.ok(!req.url.includes(s) && !req.body.toString('latin1').includes(s), `${req.method} ${req.url} names the certificate (${s})`);
      }
      if (req.url.startsWith(edge.baseUrl)) {
        fromEdge++;
        assert.equal(req.method, 'GET', req.url);
        assert.match(new URL(req.url).pathname, /^\/v1\/(trust-list|status\/snapshot|status\/delta)$/, req.url);
      }
    }
    assert.ok(fromEdge >= 3, 'the trust list and the snapshot were fetched from the edge');
    await page.close();
  });

  test('the same edge, stopped: the snapshot bundled into the build answers, and the page says the edge is unreachable', async () => {
    await edge.stop();
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/?edge=${encodeURIComponent(edge.baseUrl)}`);
    await page.waitForFunction(() => window.ecert?.client.statusNotice, null, { timeout: 30000 });
    assert.equal(await page.locator('#trust [data-status-notice=unavailable]').getAttribute('data-code'), 'STATUS_UNAVAILABLE');
    const v = await verifyOnPage(page, sample('VALID', 1).file);
    assert.equal(v.code, 'VALID');
    assert.equal(v.status.snapshot.origin, 'bundled');
    assert.match(await page.locator('#results .item [data-field=status] dd').first().textContent(), /依据内置状态快照第 1 号/);
    await page.close();
  });
});
