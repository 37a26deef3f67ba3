// Issue 15 in the browser, without an edge: the status snapshot bundled into the build answers revocation from
// the first file on (and the card says which snapshot); a build whose snapshot does not verify holds none, and
// a VALID is then amber "真实，状态未核验", never plain 有效; a device clock set back cannot make an expired 加注
// current (the snapshot's signed time is the floor; CLOCK_BEHIND on the card); a receipt from the page and from
// the widget re-checks with `ecert receipt verify`. Screenshots (zh + en, 375 px + desktop) go to
// target/test-artifacts/browser/ and /tmp/shots/.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { launch } from './support/chromium.mjs';
import { ARTIFACTS, ROOT, TARGET, fixture } from './support/fixture.mjs';
import { serve } from './support/server.mjs';

const SHOTS = process.env.ECERT_SHOTS || '/tmp/shots';
const DAY = 86400;
let fx, browser, site;

before(async () => {
  fx = fixture();
  mkdirSync(SHOTS, { recursive: true });
  site = await serve({ root: fx.distDir });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await site?.close();
});

/** Save a screenshot under ARTIFACTS and SHOTS. */
export async function shot(target, name, opts = {}) {
  const path = join(ARTIFACTS, `${name}.png`);
  await target.screenshot({ path, ...opts });
  cpSync(path, join(SHOTS, `${name}.png`));
}

const sampleBytes = (file) => readFileSync(join(fx.samplesDir, file));
const PHONE = { width: 375, height: 900 };
const DESKTOP = { width: 1280, height: 900 };
/** Every screenshot in both languages, on a phone and on a desktop. */
const COMBOS = [['zh-CN', DESKTOP], ['zh-CN', PHONE], ['en', DESKTOP], ['en', PHONE]];
const shotName = (state, lang, viewport) => `${state}-${lang === 'en' ? 'en' : 'zh'}-${viewport === PHONE ? 'phone' : 'desktop'}`;

async function openPage(url, { clock, viewport, lang, on = browser } = {}) {
  const page = await on.context.newPage();
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
  if (viewport) await page.setViewportSize(viewport);
  if (clock) await page.clock.setFixedTime(clock);
  await page.goto(`${url}/?edge=${lang ? `&lang=${lang}` : ''}`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === '1' && window.ecert.client.trust);
  return page;
}

async function verifyOnPage(page, file) {
  return page.evaluate(async ([name, b64]) => {
    const bin = atob(b64);
    const u = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
    return window.ecert.verifyBytes(name, u);
  }, [file, sampleBytes(file).toString('base64')]);
}

/** `ecert receipt verify RECEIPT FILE --root ROOT [...]` → {status, out}. */
function receiptVerify(receiptPath, file, extra = []) {
  const r = spawnSync(fx.ecert, ['receipt', 'verify', receiptPath, file, '--root', join(fx.demoDir, 'root-spki.pem'), ...extra], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test('?edge= (empty): the bundled snapshot answers, the page and the card say which one; never a request about a certificate', async () => {
  const page = await openPage(site.url);
  const pill = page.locator('#trust [data-status-snapshot=bundled]');
  await pill.waitFor();
  assert.match(await pill.textContent(), /^状态快照：内置（第 1 号，\d{4}-\d\d-\d\d \d\d:\d\d 签发）$/);
  assert.match(await page.locator('#trust [data-edge=off]').textContent(), /撤销状态只依据内置状态快照/);
  const v = await verifyOnPage(page, 'valid-style1.pdf');
  assert.equal(v.code, 'VALID');
  assert.equal(v.status.state, 'valid');
  assert.equal(v.status.source, 'snapshot');
  assert.equal(v.status.snapshot.origin, 'bundled');
  assert.equal(v.checks[0].id, 'clock');
  const card = page.locator('#results .item[data-file="valid-style1.pdf"] .ec-card');
  assert.match(await card.getAttribute('class'), /ec-tone-ok/);
  assert.equal((await card.locator('.ec-state').textContent()).trim(), '有效');
  assert.match(await card.locator('[data-field=status] dd').textContent(), /^未撤销（依据内置状态快照第 1 号，.* 签发）$/);
  await page.close();
  for (const [lang, viewport] of COMBOS) {
    const p = await openPage(site.url, { lang, viewport });
    await verifyOnPage(p, 'valid-style1.pdf');
    await shot(p.locator('#results .item[data-file="valid-style1.pdf"] .ec-card'), shotName('valid-from-bundled-snapshot', lang, viewport));
    if (viewport === PHONE) await shot(p, `${shotName('valid-from-bundled-snapshot', lang, viewport)}-page`, { fullPage: true });
    await p.close();
  }
});

describe('a build whose bundled snapshot does not verify (no snapshot held)', () => {
  let bad, badSite;
  before(() => {
    // The demo with its snapshot's last signature byte flipped: refused by the wasm, so nothing is held.
    const demo = join(TARGET, 'browser-fixture', 'demo-bad-snapshot');
    rmSync(demo, { recursive: true, force: true });
    mkdirSync(join(demo, 'status'), { recursive: true });
    for (const f of ['trust-list.json', 'root-spki.pem']) cpSync(join(fx.demoDir, f), join(demo, f));
    const broken = Buffer.from(readFileSync(join(fx.demoDir, 'status/snapshot.bin')));
    broken[Math.floor(broken.length / 3)] ^= 0x20;
    writeFileSync(join(demo, 'status/snapshot.bin'), broken);
    bad = join(TARGET, 'browser-fixture', 'dist-bad-snapshot');
    execFileSync(join(ROOT, 'scripts/build-www.sh'), [demo, bad], {
      cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CARGO_TARGET_DIR: TARGET, ECERT_EDGE: '' },
    });
  });
  after(async () => { await badSite?.close(); });

  test('a VALID is amber 真实，状态未核验, with the missing snapshot said next to the trust list', async () => {
    badSite = await serve({ root: bad });
    for (const [lang, viewport] of COMBOS) {
      const page = await openPage(badSite.url, { lang, viewport });
      const none = page.locator('#trust [data-status-notice=none]');
      await none.waitFor();
      assert.match(await none.getAttribute('data-code'), /^STATUS_(SNAPSHOT|SIGNER|DELTA)_/, 'why: the bundled snapshot was refused');
      const v = await verifyOnPage(page, 'valid-style1.pdf');
      assert.equal(v.code, 'VALID', 'the core: authentic, status not checked');
      assert.equal(v.status.state, 'not_checked');
      const card = page.locator('#results .item[data-file="valid-style1.pdf"] .ec-card');
      const cls = await card.getAttribute('class');
      assert.match(cls, /ec-tone-warn/);
      assert.doesNotMatch(cls, /ec-tone-ok/);
      const words = (await card.locator('.ec-state').textContent()).trim();
      assert.equal(words, lang === 'en' ? 'Authentic — status not checked' : '真实，状态未核验');
      assert.equal(await card.locator('.ec-check[data-check=status]').getAttribute('data-outcome'), 'skipped');
      // The table row does not read as valid either.
      await shot(page, shotName('not-checked', lang, viewport), { fullPage: true });
      await page.close();
    }
  });
});

test('a clock set back 40 days: the 加注 that expired is expired, checked at the snapshot\'s signed time, CLOCK_BEHIND on the card', async () => {
  const back = new Date(Date.now() - 40 * DAY * 1000);
  // Playwright's clock belongs to the browser context: a context of its own, so no other test runs on it.
  const own = await launch();
  after(() => own.close());
  for (const [lang, viewport] of COMBOS) {
    const page = await openPage(site.url, { clock: back, viewport, lang, on: own });
    assert.ok(Math.abs((await page.evaluate(() => Date.now())) - back.getTime()) < 60000, 'the page runs on the clock set back');
    const v = await verifyOnPage(page, 'annotation-expired.pdf');
    assert.equal(v.code, 'ANNOTATION_EXPIRED', JSON.stringify(v.summary));
    assert.equal(v.annotation.state, 'expired');
    assert.ok(v.clock < v.checked_at, 'checked at the floor, not at the device clock');
    assert.equal(v.checked_at, v.time_floor);
    const clock = v.checks.find((c) => c.id === 'clock');
    assert.equal(clock.outcome, 'warn');
    assert.equal(clock.code, 'CLOCK_BEHIND');
    const card = page.locator('#results .item[data-file="annotation-expired.pdf"] .ec-card');
    assert.equal((await card.locator('.ec-state').textContent()).trim(), lang === 'en' ? 'Annotation expired' : '加注已过期');
    assert.match(await card.locator('[data-field=annotation] dd').textContent(), lang === 'en' ? /expired \d+ days? ago/ : /已过期 \d+ 天/);
    assert.doesNotMatch(await card.locator('[data-field=annotation] dd').textContent(), /剩余|left/);
    const note = card.locator('[data-role=clock]');
    assert.equal(await note.getAttribute('data-code'), 'CLOCK_BEHIND');
    assert.match(await note.textContent(), lang === 'en' ? /^Device clock is wrong: This device's clock \(.*\) is earlier than the status snapshot's signed time/ : /^本机时间有误：本机时间（.*）早于状态快照的签名时间/);
    // A certificate whose 加注 starts today (by the snapshot's time) is valid, not "not yet valid".
    const v2 = await verifyOnPage(page, 'valid-style1.pdf');
    assert.equal(v2.code, 'VALID', JSON.stringify(v2.summary));
    await shot(card, shotName('clock-behind', lang, viewport));
    await page.close();
  }
});

test('?edge= and a bundled snapshot older than max_status_age: STATUS_UNKNOWN in amber, "联网更新状态后再核验", said next to the trust list', async () => {
  // Two days on (the trust list still current for 7): the snapshot of the build is past the list's 24 h.
  const own = await launch();
  try {
    for (const [lang, viewport] of COMBOS) {
      const page = await openPage(site.url, { clock: new Date(Date.now() + 2 * DAY * 1000), lang, viewport, on: own });
      const stale = page.locator('#trust [data-status-notice=stale]');
      await stale.waitFor();
      assert.equal(await stale.getAttribute('data-code'), 'STATUS_STALE');
      const v = await verifyOnPage(page, 'valid-style1.pdf');
      assert.equal(v.code, 'STATUS_UNKNOWN', JSON.stringify(v.summary));
      assert.equal(v.status.state, 'stale');
      assert.equal(v.checks.find((c) => c.id === 'status').code, 'STATUS_STALE');
      const card = page.locator('#results .item[data-file="valid-style1.pdf"] .ec-card');
      assert.match(await card.getAttribute('class'), /ec-tone-warn/);
      assert.equal((await card.locator('.ec-state').textContent()).trim(), lang === 'en' ? 'Signature valid, status unknown' : '签名有效，状态未知');
      assert.match(await card.locator('[data-field=status] dd').textContent(), lang === 'en' ? /connect to update the status.*bundled status snapshot no\. 1/ : /请联网更新状态后再核验（依据内置状态快照第 1 号/);
      await shot(page, shotName('stale-bundled-snapshot', lang, viewport), { fullPage: true });
      await page.close();
    }
  } finally {
    await own.close();
  }
});

test('receipts: the page\'s JSON download and the widget\'s receipt(0) re-check with ecert receipt verify; the printable view', async () => {
  const dir = join(TARGET, 'browser-fixture', 'receipts');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const page = await openPage(site.url);
  for (const file of ['valid-style1.pdf', 'annotation-expired.pdf', 'untrusted-seal.pdf']) await verifyOnPage(page, file);
  // The page: the card's download button.
  const card = page.locator('#results .item[data-file="valid-style1.pdf"] .ec-card');
  const [dl] = await Promise.all([page.waitForEvent('download'), card.locator('[data-action=receipt-json]').click()]);
  assert.match(dl.suggestedFilename(), /^ecert-receipt-202303151001-\d{8}\.json$/);
  const fromPage = join(dir, 'page-valid-style1.receipt.json');
  await dl.saveAs(fromPage);
  const r = JSON.parse(readFileSync(fromPage, 'utf8'));
  assert.equal(r.schema, 'ecert.receipt/1');
  assert.equal(r.verdict.code, 'VALID');
  assert.equal(r.file.name, 'valid-style1.pdf');
  const v = await page.evaluate(() => window.ecert.items.find((i) => i.name === 'valid-style1.pdf').verdict);
  assert.equal(r.file.sha256, v.file.sha256, 'the SHA-256 WebCrypto computed for the card');
  assert.equal(r.certificate.status_id, v.status_id);
  assert.equal(r.status.snapshot.signature, v.status.snapshot.signature);
  assert.equal(r.trust_list.sequence, 1);
  let res = receiptVerify(fromPage, join(fx.samplesDir, 'valid-style1.pdf'));
  assert.equal(res.status, 0, res.out);
  assert.match(res.out, /VERDICT_REPRODUCED|结论一致/);
  res = receiptVerify(fromPage, join(fx.samplesDir, 'valid-style1.pdf'), ['--status', join(fx.demoDir, 'status/snapshot.bin')]);
  assert.equal(res.status, 0, res.out);
  // Another file under the same receipt does not pass.
  res = receiptVerify(fromPage, join(fx.samplesDir, 'valid-style2.pdf'));
  assert.notEqual(res.status, 0, 'a different file fails the receipt');
  // A failed verdict has a receipt too (file identity, verdict), and it reproduces.
  const expired = await page.evaluate(() => window.ecert.receipt(window.ecert.items.findIndex((i) => i.name === 'annotation-expired.pdf')));
  assert.equal(expired.verdict.code, 'ANNOTATION_EXPIRED');
  writeFileSync(join(dir, 'page-annotation-expired.receipt.json'), JSON.stringify(expired));
  res = receiptVerify(join(dir, 'page-annotation-expired.receipt.json'), join(fx.samplesDir, 'annotation-expired.pdf'));
  assert.equal(res.status, 0, res.out);

  // The printable view: zh first with en; the file's SHA-256, the verdict, identifiers, snapshot and limits.
  for (const [name, viewport] of [['receipt-view-desktop', DESKTOP], ['receipt-view-phone', PHONE]]) {
    await page.setViewportSize(viewport);
    await card.locator('[data-action=receipt-view]').click();
    const dialog = page.locator('dialog.ec-receipt-dialog');
    await dialog.waitFor();
    const text = await dialog.textContent();
    for (const want of [r.file.sha256, r.certificate.management_number, r.certificate.status_id, r.status.snapshot.signature,
      '电子证书核验回执 / Certificate verification receipt', '有效 / Valid', '回执不能证明', 'What it does not prove', 'ecert receipt verify']) {
      assert.ok(text.includes(want), `receipt view shows ${want}`);
    }
    await shot(dialog, name);
    await dialog.locator('[data-action=close]').click();
    await dialog.waitFor({ state: 'detached' });
  }
  // What printing gives: the receipt alone (printReceipt renders it into a frame of its own), print media, A4 width.
  const printed = await browser.context.newPage();
  await printed.setViewportSize({ width: 794, height: 1123 });
  await printed.goto(`${site.url}/?edge=`);
  await printed.waitForFunction(() => document.documentElement.dataset.ready === '1');
  await printed.evaluate(async (receipt) => {
    const { renderReceipt } = await import('./widget/ecert-verify.js');
    document.body.replaceChildren(renderReceipt(receipt, { headingLevel: 1 }));
  }, r);
  await printed.emulateMedia({ media: 'print' });
  await shot(printed, 'receipt-print', { fullPage: true });
  await printed.close();
  await page.close();

  // The widget in the recruitment demo: element.receipt(0), and its own buttons.
  const rp = await browser.context.newPage();
  await rp.goto(`${site.url}/embed/`);
  const frame = rp.mainFrame(); // the hosted widget page (/embed/)
  await frame.waitForFunction(() => document.querySelector('ecert-verify')?.shadowRoot?.querySelector('.pick'));
  await frame.evaluate(() => {
    window.events = [];
    document.querySelector('ecert-verify').addEventListener('ecert-verdict', (e) => window.events.push(e.detail));
  });
  await frame.locator('ecert-verify input[type=file]').setInputFiles({ name: 'valid-style2.pdf', mimeType: 'application/pdf', buffer: sampleBytes('valid-style2.pdf') });
  await frame.waitForFunction(() => window.events.length > 0, null, { timeout: 60000 });
  const fromWidget = await frame.evaluate(() => document.querySelector('ecert-verify').receipt(0));
  assert.equal(fromWidget.verdict.code, 'VALID');
  assert.equal(fromWidget.file.name, 'valid-style2.pdf');
  writeFileSync(join(dir, 'widget-valid-style2.receipt.json'), JSON.stringify(fromWidget, null, 2));
  res = receiptVerify(join(dir, 'widget-valid-style2.receipt.json'), join(fx.samplesDir, 'valid-style2.pdf'), ['--status', join(fx.demoDir, 'status/snapshot.bin')]);
  assert.equal(res.status, 0, res.out);
  const wcard = frame.locator('ecert-verify .ec-card').first();
  await wcard.locator('[data-action=receipt-view]').click();
  await frame.locator('ecert-verify dialog.ec-receipt-dialog').waitFor();
  await shot(rp, 'widget-receipt-view', { fullPage: true });
  await rp.close();
});
