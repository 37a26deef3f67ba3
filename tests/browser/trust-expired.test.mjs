// A bundled trust list past its next_update: the page and the widget built against a demo made 14 days ago
// (`ecert demo --today`, whose trust list expired 7 days after that day) show TRUST_LIST_EXPIRED in amber —
// never green — and say next to the trust list that it has to be updated; its bundled status snapshot (made that
// day too) is past the list's max_status_age, and the page says so. A newer list and snapshot from an edge cure it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { launch } from './support/chromium.mjs';
import { parseCsv } from './support/csv.mjs';
import { ARTIFACTS, ROOT, TARGET, chinaToday, fixture } from './support/fixture.mjs';
import { serve } from './support/server.mjs';

const DAY_MS = 86400 * 1000;
let ecert, demoDir, distDir, site, browser;

before(async () => {
  ({ ecert } = fixture());
  const day = chinaToday(Date.now() - 14 * DAY_MS);
  demoDir = join(TARGET, 'browser-fixture', `demo-expired-${day}`);
  const manifest = join(demoDir, 'samples/manifest.json');
  if (!existsSync(manifest) || statSync(manifest).mtimeMs < statSync(ecert).mtimeMs) {
    rmSync(demoDir, { recursive: true, force: true });
    execFileSync(ecert, ['demo', '--out', demoDir, '--today', day], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  distDir = join(TARGET, 'browser-fixture', 'dist-expired');
  execFileSync(join(ROOT, 'scripts/build-www.sh'), [demoDir, distDir], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CARGO_TARGET_DIR: TARGET, ECERT_EDGE: '' },
  });
  site = await serve({ root: distDir });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await site?.close();
});

const sampleBytes = (file) => readFileSync(join(demoDir, 'samples', file));

test('the demo trust list bundled here is past its next_update', () => {
  const signed = JSON.parse(readFileSync(join(demoDir, 'trust-list.json'), 'utf8'));
  const list = JSON.parse(Buffer.from(signed.payload, 'base64').toString('utf8'));
  assert.equal(list.schema, 'ecert.trust-list/3');
  assert.ok(list.next_update * 1000 < Date.now(), `next_update ${new Date(list.next_update * 1000).toISOString()} is in the past`);
});

test('page: TRUST_LIST_EXPIRED in amber with its code, the trust list said to be expired, CSV not valid', async () => {
  const page = await browser.context.newPage();
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
  await page.goto(`${site.url}/`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === '1');
  const notice = page.locator('#trust [data-trust-notice=expired]');
  await notice.waitFor({ timeout: 30000 });
  assert.equal(await notice.getAttribute('data-code'), 'TRUST_LIST_EXPIRED');
  assert.match(await notice.textContent(), /信任列表已于 \d{4}-\d\d-\d\d 过期.*请联网更新信任列表/);
  assert.match(await notice.getAttribute('class'), /pill-warn/);
  // The bundled status snapshot is as old as the list: said to be too old, never silently used.
  const stale = page.locator('#trust [data-status-notice=stale]');
  assert.equal(await stale.getAttribute('data-code'), 'STATUS_STALE');
  assert.match(await stale.textContent(), /状态快照（\d{4}-\d\d-\d\d \d\d:\d\d 签发）已过期/);

  for (const file of ['valid-style1.pdf', 'pre-2021-association.pdf']) {
    const v = await page.evaluate(async ([name, b64]) => {
      const bin = atob(b64);
      const u = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
      return window.ecert.verifyBytes(name, u);
    }, [file, sampleBytes(file).toString('base64')]);
    assert.equal(v.code, 'TRUST_LIST_EXPIRED', `${file}: ${JSON.stringify(v.summary)}`);
    assert.equal(v.state, 'status_unknown');
    assert.equal(v.checks.find((c) => c.id === 'trust').code, 'TRUST_LIST_EXPIRED');
    const card = page.locator(`#results .item[data-file="${file}"] .ec-card`);
    assert.equal(await card.getAttribute('data-code'), 'TRUST_LIST_EXPIRED');
    const cls = await card.getAttribute('class');
    assert.match(cls, /ec-tone-warn/, `${file}: amber`);
    assert.doesNotMatch(cls, /ec-tone-ok/, `${file}: never green`);
    assert.equal((await card.locator('.ec-state').textContent()).trim(), '信任列表已过期，无法确认');
    assert.equal((await card.locator('.ec-code').textContent()).trim(), 'TRUST_LIST_EXPIRED');
    assert.match(await card.locator('[data-role=summary]').textContent(), /信任列表已过期/);
    // The seal's time-stamp time is shown where the signing time used to be.
    assert.match(await card.locator('[data-field=sealed_at] dt').textContent(), /可信时间戳时间/);
    assert.match(await card.locator('[data-field=sealed_at] dd').textContent(), /^\d{4}-\d\d-\d\d \d\d:\d\d/);
  }
  // The table and the CSV: the verdict, never a "valid" status.
  assert.equal(await page.locator('#table tbody tr').count(), 2);
  assert.match(await page.locator('#table tbody tr').first().textContent(), /信任列表已过期/);
  const cols = await page.evaluate(() => window.ecert.csvColumns);
  const [head, ...rows] = parseCsv(await page.evaluate(() => window.ecert.csvText('en')));
  assert.ok(!head.includes('Status') && !head.includes('status'), 'no bare "status" column that could be read as the verdict');
  assert.equal(rows.length, 2);
  for (const cells of rows) {
    assert.equal(cells.length, head.length);
    const cell = (k) => cells[cols.findIndex((c) => c[0] === k)];
    assert.equal(cell('state'), 'Signature valid, status unknown');
    assert.equal(cell('code'), 'TRUST_LIST_EXPIRED');
    assert.equal(cell('registry_status'), 'status snapshot too old');
    assert.equal(cell('verdict'), 'Trust list expired, cannot confirm');
    assert.match(cell('sealed_at'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
  }
  await page.screenshot({ path: join(ARTIFACTS, 'page-trust-expired.png'), fullPage: true });
  await page.click('#lang');
  const card = page.locator('#results .item[data-file="valid-style1.pdf"] .ec-card');
  assert.equal((await card.locator('.ec-state').textContent()).trim(), 'Trust list expired, cannot confirm');
  assert.match(await card.locator('[data-field=sealed_at] dt').textContent(), /Time-stamped at/);
  assert.match(await page.locator('#trust [data-trust-notice=expired]').textContent(), /The trust list expired on .*connect to update/);
  await page.screenshot({ path: join(ARTIFACTS, 'page-trust-expired-en.png'), fullPage: true });
  await page.click('#lang');
  await page.close();
});

test('widget: TRUST_LIST_EXPIRED in amber, the notice shown, the recruitment site does not accept it', async () => {
  const page = await browser.context.newPage();
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
  await page.goto(`${site.url}/recruit/`);
  const frame = page.mainFrame(); // the widget on the recruitment page
  await frame.waitForFunction(() => document.querySelector('ecert-verify')?.shadowRoot?.querySelector('.pick'));
  await frame.evaluate(() => {
    window.events = [];
    document.querySelector('ecert-verify').addEventListener('ecert-verdict', (e) => window.events.push(e.detail));
  });
  await frame.locator('ecert-verify input[type=file]').setInputFiles({ name: 'valid-style2.pdf', mimeType: 'application/pdf', buffer: sampleBytes('valid-style2.pdf') });
  await frame.waitForFunction(() => window.events.length > 0, null, { timeout: 60000 });
  const v = await frame.evaluate(() => window.events[0]);
  assert.equal(v.code, 'TRUST_LIST_EXPIRED');
  const card = frame.locator('ecert-verify .ec-card').first();
  assert.match(await card.getAttribute('class'), /ec-tone-warn/);
  assert.equal((await card.locator('.ec-state').textContent()).trim(), '信任列表已过期，无法确认');
  const notice = frame.locator('ecert-verify [data-trust-notice=expired]');
  assert.equal(await notice.getAttribute('data-code'), 'TRUST_LIST_EXPIRED');
  await page.waitForFunction(() => document.getElementById('got').dataset.code === 'TRUST_LIST_EXPIRED');
  assert.match(await page.locator('#got').getAttribute('class'), /\bbad\b/, 'not shown as a valid certificate');
  assert.match(await page.locator('#got').textContent(), /预检未通过/);
  await frame.locator('ecert-verify').screenshot({ path: join(ARTIFACTS, 'widget-trust-expired.png') });
  await page.close();
});

test('a newer trust list from an edge replaces the expired one: the same certificate is VALID again', async () => {
  const fresh = join(demoDir, 'trust-list-fresh.json');
  rmSync(fresh, { force: true });
  execFileSync(ecert, ['trust-list', '--pki', join(demoDir, 'pki'), '--out', fresh, '--sequence', '2'], { stdio: 'ignore' });
  // A snapshot signed now by the demo's status key (the issuing side's CLI), as the edge would serve it.
  const snapshot = join(demoDir, 'status-fresh.bin');
  rmSync(snapshot, { force: true });
  execFileSync(ecert, ['status', 'snapshot', '--pki', join(demoDir, 'pki'), '--out', snapshot], { stdio: 'ignore' });
  const edge = createServer((req, res) => {
    const cors = { 'access-control-allow-origin': '*', 'content-type': 'application/json' };
    if (req.url === '/v1/trust-list') return res.writeHead(200, cors).end(readFileSync(fresh));
    if (req.url === '/v1/status/snapshot') {
      return res.writeHead(200, { ...cors, 'content-type': 'application/octet-stream' }).end(readFileSync(snapshot));
    }
    return res.writeHead(404, cors).end('{}');
  });
  await new Promise((r) => edge.listen(0, '127.0.0.1', r));
  const edgeUrl = `http://127.0.0.1:${edge.address().port}`;
  const withEdge = await serve({ root: distDir, connect: [edgeUrl] });
  try {
    const page = await browser.context.newPage();
    await page.goto(`${withEdge.url}/?edge=${encodeURIComponent(edgeUrl)}`);
    await page.waitForFunction(() => window.ecert?.client.trust?.source === 'edge', null, { timeout: 30000 });
    assert.equal(await page.locator('#trust [data-trust-notice=expired]').count(), 0, 'no expiry notice once updated');
    await page.waitForFunction(() => window.ecert.client.status?.origin === 'edge', null, { timeout: 30000 });
    assert.equal(await page.locator('#trust [data-status-notice]').count(), 0, 'no stale-snapshot notice once updated');
    assert.equal(await page.locator('#trust [data-status-snapshot=edge]').count(), 1);
    const v = await page.evaluate(async (b64) => {
      const bin = atob(b64);
      const u = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
      return window.ecert.verifyBytes('valid-style1.pdf', u);
    }, sampleBytes('valid-style1.pdf').toString('base64'));
    assert.equal(v.code, 'VALID', JSON.stringify(v.summary));
    assert.equal(v.status.state, 'valid');
    assert.equal(v.status.source, 'snapshot');
    assert.equal(v.status.snapshot.origin, 'edge');
    await page.close();
  } finally {
    await withEdge.close();
    await new Promise((r) => { edge.closeAllConnections(); edge.close(r); });
  }
});
