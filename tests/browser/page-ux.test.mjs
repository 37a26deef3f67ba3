// The page's rough edges of issue 17: phone layout (the first card on the first screen at 375 px), the zoomable
// preview from the signed revision, clear one / clear all, English punctuation in English, dark mode, the
// favicon, revoked and not-valid previews marked, the revocation time (or that the snapshot has none) — and
// axe-core with zero violations on the page, the widget (full and compact) and the recruitment demo.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { axeViolations } from './support/axe.mjs';
import { launch } from './support/chromium.mjs';
import { ARTIFACTS, ROOT, TARGET, fixture } from './support/fixture.mjs';
import { serve } from './support/server.mjs';

let fx, site, browser;

before(async () => {
  fx = fixture();
  site = await serve({ root: fx.distDir, headersFile: true });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await site?.close();
});

const FILES = ['valid-style1.pdf', 'annotation-expired.pdf', 'untrusted-seal.pdf'];

async function openPage(url, { lang = 'zh-CN', viewport = { width: 1280, height: 900 }, dark = false } = {}) {
  const page = await browser.context.newPage();
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
  await page.setViewportSize(viewport);
  await page.emulateMedia({ colorScheme: dark ? 'dark' : 'light' });
  await page.goto(`${url}/?lang=${lang}`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === '1');
  return page;
}

async function drop(page, files, dir = fx.samplesDir) {
  await page.locator('#file').setInputFiles(files.map((f) => ({ name: f, mimeType: 'application/pdf', buffer: readFileSync(join(dir, f)) })));
  await page.waitForFunction((n) => window.ecert.items.length >= n && window.ecert.items.every((i) => i.verdict.state !== 'pending'), files.length, { timeout: 60000 });
}

test('phone (375 px): the first card is on the first screen, with the summary table there', async () => {
  const page = await openPage(site.url, { viewport: { width: 375, height: 667 } });
  await drop(page, FILES);
  assert.equal(await page.locator('#summary').isVisible(), true);
  const card = await page.locator('#results .item').first().locator('.ec-state').boundingBox();
  assert.ok(card && card.y + card.height < 667, `the first card's headline at ${card && card.y} px, within 667`);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `no sideways scroll (${width})`);
  await page.screenshot({ path: join(ARTIFACTS, 'page-phone-first-screen.png') });
  await page.close();
});

test('the preview opens full size and zooms (buttons, Ctrl + wheel); not-valid previews are marked', async () => {
  const page = await openPage(site.url);
  await drop(page, FILES);
  await page.waitForFunction(() => document.querySelectorAll('.preview-canvas canvas').length >= 3, null, { timeout: 30000 });
  const expired = page.locator('#results .item[data-file="annotation-expired.pdf"]');
  assert.match(await expired.locator('.preview').getAttribute('class'), /preview-marked/);
  assert.equal((await expired.locator('.preview-stamp').textContent()).trim(), '加注已过期');
  const bad = page.locator('#results .item[data-file="untrusted-seal.pdf"]');
  assert.match(await bad.locator('.preview-stamp').textContent(), /印章不受信任 · 未通过验证/);
  const valid = page.locator('#results .item[data-file="valid-style1.pdf"]');
  assert.equal(await valid.locator('.preview-stamp').count(), 0, 'a VALID preview is not marked');
  assert.doesNotMatch(await valid.locator('.preview').getAttribute('class'), /preview-marked/);

  await valid.locator('[data-action=zoom]').click();
  const dlg = page.locator('dialog.zoom-dialog[data-ready="1"]');
  await dlg.waitFor({ timeout: 20000 });
  const small = await valid.locator('.preview-canvas canvas').evaluate((c) => c.width);
  const big = await dlg.locator('canvas').evaluate((c) => c.width);
  assert.ok(big >= small * 3, `full size is rendered large (${big} px against ${small})`);
  const w0 = await dlg.locator('.zoom-sheet').evaluate((e) => e.getBoundingClientRect().width);
  await dlg.locator('[data-action=zoom-in]').click();
  const w1 = await dlg.locator('.zoom-sheet').evaluate((e) => e.getBoundingClientRect().width);
  assert.ok(w1 > w0 * 1.2, `zoom in (${w0} → ${w1})`);
  await dlg.locator('.zoom-area').hover();
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -300);
  await page.keyboard.up('Control');
  await page.waitForTimeout(200);
  const w2 = await dlg.locator('.zoom-sheet').evaluate((e) => e.getBoundingClientRect().width);
  assert.ok(w2 > w1 * 1.5, `Ctrl + wheel zooms (${w1} → ${w2})`);
  await page.screenshot({ path: join(ARTIFACTS, 'page-zoom.png') });
  await dlg.locator('[data-action=zoom-close]').click();
  assert.equal(await page.locator('dialog.zoom-dialog').count(), 0);
  await page.close();
});

/** A page emulating a phone with a touch screen (CDP: mobile metrics, touch events), and its CDP session. */
async function phoneWithTouch(url) {
  const page = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('Emulation.setDeviceMetricsOverride', { width: 375, height: 667, deviceScaleFactor: 2, mobile: true });
  await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 5 });
  await page.goto(`${url}/?lang=zh-CN`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === '1');
  return { page, cdp };
}

/** Two fingers on the touch screen at (x, y), spread from `from` to `to` px apart (Input.dispatchTouchEvent). */
async function pinch(cdp, x, y, from, to, steps = 12) {
  const at = (d) => [{ x: x - d / 2, y, id: 1 }, { x: x + d / 2, y, id: 2 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(from) });
  for (let i = 1; i <= steps; i++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(from + ((to - from) * i) / steps) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

async function tap(cdp, x, y) {
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y, id: 1 }] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

test('phone with a touch screen: the preview is enlarged by pinching — the page\'s preview, and the full-size view', async () => {
  const { page, cdp } = await phoneWithTouch(site.url);
  assert.deepEqual(await page.evaluate(() => [innerWidth, navigator.maxTouchPoints > 0, matchMedia('(pointer: coarse)').matches]), [375, true, true]);
  await drop(page, ['valid-style1.pdf']);
  await page.waitForSelector('#results .item.has-preview', { timeout: 30000 });
  const canvas = page.locator('#results .item .preview-canvas canvas');
  await canvas.scrollIntoViewIfNeeded();
  // (1) A tap opens it full size; two fingers zoom the sheet itself (the bar stays put, the page is not zoomed),
  // rendered large enough to stay sharp.
  const b = await canvas.boundingBox();
  await tap(cdp, b.x + b.width / 2, Math.min(b.y + b.height / 2, 600));
  const dlg = page.locator('dialog.zoom-dialog[data-ready="1"]');
  await dlg.waitFor({ timeout: 20000 });
  const sheetWidth = () => dlg.locator('.zoom-sheet').evaluate((e) => e.getBoundingClientRect().width);
  const s0 = await sheetWidth();
  const area = await dlg.locator('.zoom-area').boundingBox();
  await pinch(cdp, area.x + area.width / 2, area.y + Math.min(area.height / 2, 250), 60, 220);
  await page.waitForTimeout(200);
  const s1 = await sheetWidth();
  assert.ok(s1 > s0 * 2.5, `two fingers zoom the full-size sheet (${s0.toFixed(0)} → ${s1.toFixed(0)} px, zoom ${await dlg.getAttribute('data-zoom')})`);
  assert.equal(await page.evaluate(() => visualViewport.scale), 1, 'the page itself is not zoomed: the bar stays usable');
  const px = await dlg.locator('canvas').evaluate((c) => c.width / c.getBoundingClientRect().width);
  assert.ok(px >= 1, `at that size the rendering still has ≥ 1 pixel per CSS pixel (${px.toFixed(2)})`);
  assert.ok(await dlg.locator('[data-action=zoom-close]').isVisible());
  // (Playwright's own screenshot does not know the CDP device metrics: ask CDP.)
  writeFileSync(join(ARTIFACTS, 'page-phone-pinch.png'), Buffer.from((await cdp.send('Page.captureScreenshot', { format: 'png' })).data, 'base64'));
  await dlg.locator('[data-action=zoom-close]').click();
  assert.equal(await page.locator('dialog.zoom-dialog').count(), 0);

  // (2) The card's preview: the page may be pinch-zoomed (no user-scalable=no, no maximum-scale), and the
  // preview grows on the screen with it.
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  const screenWidth = () => canvas.evaluate((c) => c.getBoundingClientRect().width * visualViewport.scale);
  const w0 = await screenWidth();
  await pinch(cdp, box.x + box.width / 2, Math.min(box.y + box.height / 2, 600), 40, 240);
  await page.waitForFunction(() => visualViewport.scale > 1.5, null, { timeout: 5000 });
  const w1 = await screenWidth();
  assert.ok(w1 > w0 * 1.5, `pinching enlarges the preview on the screen (${w0.toFixed(0)} → ${w1.toFixed(0)} px)`);
  await page.close();
});

/**
 * `pdf` with an incremental update after the seal that replaces page 1's content stream by a black page (a classic
 * xref section, /Prev to the signed one): what a viewer of the whole file shows is not what was sealed.
 */
function blackenedAfterSeal(pdf) {
  const text = pdf.toString('latin1');
  const prev = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)[1]);
  const contents = Number(/\/Type\s*\/Page\b[\s\S]*?\/Contents\s+(\d+)\s+0\s+R/.exec(text)[1]);
  const trailer = /trailer\s*<<(.*?)>>\s*startxref/s.exec(text)[1];
  const root = /\/Root\s+(\d+\s+\d+\s+R)/.exec(trailer)[1];
  const size = Number(/\/Size\s+(\d+)/.exec(trailer)[1]);
  const ops = '0 0 0 rg 0 0 2000 2000 re f\n';
  const obj = `\n${contents} 0 obj\n<</Length ${ops.length}>>\nstream\n${ops}endstream\nendobj\n`;
  const objAt = pdf.length + 1;
  const xrefAt = pdf.length + obj.length;
  const tail = `xref\n0 1\n0000000000 65535 f \n${contents} 1\n${String(objAt).padStart(10, '0')} 00000 n \ntrailer\n<</Root ${root}/Size ${size}/Prev ${prev}>>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.concat([pdf, Buffer.from(obj + tail, 'latin1')]);
}

/** Mean brightness (0–255) of the middle third of a canvas. */
const canvasBrightness = (c) => {
  const g = c.getContext('2d');
  const d = g.getImageData(Math.floor(c.width / 3), Math.floor(c.height / 3), Math.floor(c.width / 3), Math.floor(c.height / 3)).data;
  let sum = 0;
  for (let i = 0; i < d.length; i += 4) sum += (d[i] + d[i + 1] + d[i + 2]) / 3;
  return sum / (d.length / 4);
};

test('the preview shows the signed revision: content appended after the seal is not what is drawn', async () => {
  const forged = blackenedAfterSeal(readFileSync(join(fx.samplesDir, 'valid-style1.pdf')));
  const dir = join(TARGET, 'browser-fixture', 'appended');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'appended.pdf'), forged);
  // The forged file really is black for a viewer of the whole file (poppler renders its last revision).
  execFileSync('pdftoppm', ['-r', '20', '-png', '-singlefile', join(dir, 'appended.pdf'), join(dir, 'whole')]);
  const whole = await browser.context.newPage();
  await whole.setContent(`<canvas id="c"></canvas>`);
  const wholeBrightness = await whole.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.getElementById('c');
    c.width = img.width; c.height = img.height;
    c.getContext('2d').drawImage(img, 0, 0);
    return c;
  }, readFileSync(join(dir, 'whole.png')).toString('base64')).then(() => whole.locator('#c').evaluate(canvasBrightness));
  await whole.close();
  assert.ok(wholeBrightness < 30, `the whole file renders black (${wholeBrightness.toFixed(0)})`);

  const page = await openPage(site.url);
  await drop(page, ['appended.pdf'], dir);
  const item = page.locator('#results .item').first();
  assert.notEqual(await item.getAttribute('data-code'), 'VALID', 'content added after the seal is not VALID');
  await page.waitForSelector('#results .item.has-preview', { timeout: 30000 });
  const small = await item.locator('.preview-canvas canvas').evaluate(canvasBrightness);
  assert.ok(small > 180, `the card's preview is the sealed page, not the black one (${small.toFixed(0)})`);
  await item.locator('[data-action=zoom]').click();
  const dlg = page.locator('dialog.zoom-dialog[data-ready="1"]');
  await dlg.waitFor({ timeout: 20000 });
  const big = await dlg.locator('canvas').evaluate(canvasBrightness);
  assert.ok(big > 180, `so is the full-size view (${big.toFixed(0)})`);
  await page.close();
});

test('clear one, clear all', async () => {
  const page = await openPage(site.url);
  await drop(page, FILES);
  await page.locator('#results .item[data-file="untrusted-seal.pdf"] [data-action=remove]').click();
  assert.equal(await page.locator('#results .item').count(), 2);
  assert.equal(await page.evaluate(() => window.ecert.items.length), 2);
  assert.equal(await page.locator('#table tbody tr').count(), 2);
  assert.equal(await page.locator('#clear-all').isVisible(), true);
  // One clear-all control on the page (the summary has none of its own), one remove per card.
  const clearAlls = await page.locator('button:visible').evaluateAll((bs) => bs.filter((b) => /清空|全部清除|clear all/i.test(b.textContent)).map((b) => b.id));
  assert.deepEqual(clearAlls, ['clear-all']);
  assert.equal(await page.locator('#results .item [data-action=remove]').count(), 2);
  await page.locator('#clear-all').click();
  assert.equal(await page.locator('#results .item').count(), 0);
  assert.equal(await page.locator('#clear-all').isVisible(), false);
  assert.equal(await page.locator('#summary').isVisible(), false);
  await page.close();
});

test('the summary table\'s 结果 / Result column reads as a phrase: never a character per line (zh and en, desktop)', async () => {
  for (const lang of ['zh-CN', 'en']) {
    const page = await openPage(site.url, { lang });
    await drop(page, FILES);
    // An inline element has one client rect per line it runs over.
    const tags = await page.locator('#table tbody .tag').evaluateAll((els) => els.map((e) => ({ text: e.textContent, lines: e.getClientRects().length })));
    assert.equal(tags.length, FILES.length);
    for (const t of tags) {
      // Chinese: the whole verdict on one line. English: it may wrap, but only between words.
      const most = lang === 'en' ? t.text.split(' ').length : 1;
      assert.ok(t.lines <= most, `${lang}: "${t.text}" runs over ${t.lines} lines at 1280 px (at most ${most})`);
    }
    await page.close();
  }
});

test('English mode uses English punctuation; dark mode; a favicon', async () => {
  const page = await openPage(site.url, { lang: 'en', dark: true });
  await drop(page, FILES);
  const text = await page.locator('body').innerText();
  const bad = text.split('\n').filter((l) => /[（）：，。]/.test(l));
  assert.deepEqual(bad, [], 'no Chinese punctuation in English mode');
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(21, 24, 30)', 'dark paper');
  const cardBg = await page.locator('#results .ec-card').first().evaluate((e) => getComputedStyle(e).backgroundColor);
  assert.equal(cardBg, 'rgb(28, 32, 39)', 'dark cards');
  await page.screenshot({ path: join(ARTIFACTS, 'page-en-dark.png'), fullPage: true });
  const icon = await page.request.get(`${site.url}/favicon.ico`);
  assert.equal(icon.status(), 200);
  assert.equal(icon.headers()['content-type'], 'image/x-icon');
  assert.equal(await page.locator('link[rel=icon]').getAttribute('href'), './favicon.svg');
  await page.close();
});

test('axe-core: zero violations on the page (zh and en, light and dark, with cards), the widget full and compact, the recruitment demo', async () => {
  const report = [];
  for (const [lang, dark] of [['zh-CN', false], ['en', true]]) {
    const page = await openPage(site.url, { lang, dark });
    report.push([`page ${lang}${dark ? ' dark' : ''} (empty)`, await axeViolations(page)]);
    await drop(page, FILES);
    report.push([`page ${lang}${dark ? ' dark' : ''}`, await axeViolations(page)]);
    await page.close();
  }
  for (const display of ['full', 'compact']) {
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/embed/?display=${display}`);
    await page.waitForFunction(() => document.querySelector('ecert-verify')?.shadowRoot?.querySelector('.pick'));
    await page.locator('ecert-verify input[type=file]').setInputFiles({ name: 'valid-style1.pdf', mimeType: 'application/pdf', buffer: readFileSync(join(fx.samplesDir, 'valid-style1.pdf')) });
    await page.waitForFunction(() => document.querySelector('ecert-verify').shadowRoot.querySelector('.ec-card[data-code]:not([aria-busy])'), null, { timeout: 60000 });
    report.push([`widget ${display}`, await axeViolations(page)]);
    await page.close();
  }
  const page = await browser.context.newPage();
  await page.goto(`${site.url}/recruit/`);
  await page.waitForFunction(() => document.querySelector('ecert-verify')?.shadowRoot?.querySelector('.pick'));
  await page.locator('ecert-verify input[type=file]').setInputFiles({ name: 'annotation-expired.pdf', mimeType: 'application/pdf', buffer: readFileSync(join(fx.samplesDir, 'annotation-expired.pdf')) });
  await page.waitForFunction(() => window.recruitVerdicts.length > 0, null, { timeout: 60000 });
  report.push(['recruit demo', await axeViolations(page)]);
  await page.close();
  const failing = report.filter(([, v]) => v.length);
  assert.deepEqual(failing, [], JSON.stringify(failing, null, 2));
});

describe('a revoked certificate (a build whose bundled snapshot revokes it)', () => {
  let dist, revokedSite;
  before(async () => {
    const demo = join(TARGET, 'browser-fixture', 'demo-revoked');
    rmSync(demo, { recursive: true, force: true });
    mkdirSync(join(demo, 'status'), { recursive: true });
    for (const f of ['trust-list.json', 'root-spki.pem']) cpSync(join(fx.demoDir, f), join(demo, f));
    cpSync(join(fx.demoDir, 'pki'), join(demo, 'pki'), { recursive: true });
    const s = fx.manifest.samples.find((x) => x.file === 'valid-style1.pdf');
    execFileSync(fx.ecert, ['status', 'snapshot', '--pki', join(demo, 'pki'), '--revoke', s.management_number, '--out', join(demo, 'status/snapshot.bin')], { stdio: 'ignore' });
    dist = join(TARGET, 'browser-fixture', 'dist-revoked');
    execFileSync('node', [join(ROOT, 'www/build.mjs'), '--pkg', join(TARGET, 'www-pkg'), '--demo', demo, '--out', dist], { stdio: ['ignore', 'ignore', 'inherit'] });
    revokedSite = await serve({ root: dist, headersFile: true });
  });
  after(async () => { await revokedSite?.close(); });

  test('its preview is marked 已撤销; the card says the snapshot gives no time of revocation', async () => {
    for (const lang of ['zh-CN', 'en']) {
      const page = await openPage(revokedSite.url, { lang });
      await drop(page, ['valid-style1.pdf']);
      const item = page.locator('#results .item').first();
      assert.equal(await item.getAttribute('data-code'), 'REVOKED');
      await page.waitForSelector('#results .item.has-preview', { timeout: 30000 });
      assert.match(await item.locator('.preview').getAttribute('class'), /preview-marked/);
      assert.equal((await item.locator('.preview-stamp').textContent()).trim(), lang === 'en' ? 'Revoked' : '已撤销');
      const status = await item.locator('[data-field=status] dd').textContent();
      assert.match(status, lang === 'en' ? /^revoked \(per the bundled status snapshot no\. \d+, signed [^;]+; the snapshot gives no time of revocation\)$/
        : /^已撤销（依据内置状态快照第 \d+ 号，.+ 签发；快照未载明撤销时间）$/);
      await page.screenshot({ path: join(ARTIFACTS, `page-revoked-${lang}.png`), fullPage: true });
      await page.close();
    }
  });
});
