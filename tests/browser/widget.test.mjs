// The <ecert-verify> widget: on the demo recruitment site's page under a strict CSP (no inline script,
// `script-src 'self' 'wasm-unsafe-eval'`), with the real wasm verifier. (The hosted iframe mode, the edge copy and
// the server-side re-check: embed.test.mjs, integrators.test.mjs, recruit.test.mjs.)
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { containsPdfBytes, launch } from './support/chromium.mjs';
import { ARTIFACTS, fixture, masked } from './support/fixture.mjs';
import { serve } from './support/server.mjs';

let fx, server, browser, page;
const cspViolations = [];

before(async () => {
  fx = fixture();
  const s = fx.manifest.samples.find((x) => x.expected === 'ANNOTATION_EXPIRED');
  server = await serve({ root: fx.distDir, extra: { '/sample.pdf': join(fx.samplesDir, s.file) } });
  browser = await launch();
  page = await browser.context.newPage();
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text()); });
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
  await page.goto(`${server.url}/recruit/`);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** The frame the widget is in (the recruitment page itself), once the element is defined. */
async function widgetFrame() {
  const frame = page.mainFrame();
  await frame.waitForFunction(() => customElements.get('ecert-verify') && document.querySelector('ecert-verify').shadowRoot);
  return frame;
}

test('the widget is packaged like an npm package (package.json, types, every listed file present)', () => {
  const dir = join(fx.distDir, 'widget');
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  assert.equal(pkg.type, 'module');
  assert.equal(pkg.exports['.'].import, './ecert-verify.js');
  assert.equal(pkg.types, './ecert-verify.d.ts');
  for (const f of pkg.files) assert.ok(existsSync(join(dir, f)), `package file ${f}`);
  assert.equal(pkg.exports['./server'].import, './server.js');
  assert.equal(pkg.exports['./server'].types, './server.d.ts');
  const sdts = readFileSync(join(dir, 'server.d.ts'), 'utf8');
  for (const name of ['export function verify(input: VerifyInput', 'export function init(', 'export function receipt(']) assert.ok(sdts.includes(name), `server types declare ${name}`);
  const dts = readFileSync(join(dir, 'ecert-verify.d.ts'), 'utf8');
  for (const name of ['export function verify(input: VerifyInput', 'export type VerifyInput = File | Blob | ArrayBuffer | Uint8Array | URL',
    'id?: string | null', 'name?: string', 'file(index?: number): File | null', 'interface Verdict', "'ecert-verdict': EcertVerdictEvent", "'ecert-verify': EcertVerifyElement"]) {
    assert.ok(dts.includes(name), `types declare ${name}`);
  }
});

test('the page is served under the strict CSP and the widget loads', async () => {
  const resp = await page.request.get(`${server.url}/recruit/`);
  const csp = resp.headers()['content-security-policy'];
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
  const frame = await widgetFrame();
  // Styled through constructed stylesheets (no inline <style> needed).
  const bg = await frame.locator('ecert-verify .pick').evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.notEqual(bg, 'rgba(0, 0, 0, 0)', 'the widget is styled');
  assert.equal(await frame.locator('ecert-verify .pick').textContent(), '选择证书 PDF');
});

test('each demo sample picked in the widget: card, fields, and an ecert-verdict event carrying the verdict', async () => {
  const frame = await widgetFrame();
  await frame.evaluate(() => {
    window.events = [];
    document.querySelector('ecert-verify').addEventListener('ecert-verdict', (e) => window.events.push(e.detail));
  });
  for (const [i, s] of fx.manifest.samples.entries()) {
    const bytes = readFileSync(join(fx.samplesDir, s.file));
    await frame.locator('ecert-verify input[type=file]').setInputFiles({ name: s.file, mimeType: 'application/pdf', buffer: bytes });
    await frame.waitForFunction((n) => window.events.length >= n, i + 1, { timeout: 30000 });
    const v = await frame.evaluate((n) => window.events[n], i);
    assert.equal(v.schema, 'ecert.verdict/1');
    assert.equal(v.code, s.expected, `${s.file}: event verdict code`);
    const card = frame.locator('ecert-verify .ec-card').first();
    assert.equal(await card.getAttribute('data-code'), s.expected, `${s.file}: card code`);
    assert.match(await card.locator('.ec-file').textContent(), new RegExp(s.file.replace('.', '\\.')));
    if (v.certificate && ['valid', 'annotation_problem'].includes(v.state)) {
      assert.equal(v.certificate.holder_name, s.holder_name);
      assert.equal(v.certificate.id_number, masked(s.id_number));
      assert.equal(v.certificate.management_number, s.management_number);
      assert.equal(v.certificate.qualification.code, s.qualification);
      assert.equal((await card.locator('[data-field=holder_name] dd').textContent()).trim(), s.holder_name);
    } else {
      assert.equal(await card.locator('.ec-fields').count(), 0, `${s.file}: no fields on failure`);
    }
  }
  // The recruitment site received every verdict (the ecert-verdict event) and shows the last one.
  const recorded = await page.evaluate(() => window.recruitVerdicts.map((v) => v.code));
  assert.deepEqual(recorded, fx.manifest.samples.map((s) => s.expected));
  await page.screenshot({ path: join(ARTIFACTS, 'recruit-widget.png'), fullPage: true });

  // One valid sample last, so the site shows its "verified" state and enables submit.
  const valid = fx.manifest.samples.find((s) => s.expected === 'VALID');
  await frame.locator('ecert-verify input[type=file]').setInputFiles({ name: valid.file, mimeType: 'application/pdf', buffer: readFileSync(join(fx.samplesDir, valid.file)) });
  await page.waitForFunction(() => document.getElementById('got').dataset.code === 'VALID');
  const ev = await frame.evaluate(() => window.events[window.events.length - 1]);
  assert.equal(ev.file.name, valid.file, 'the event carries the file name');
  assert.match(ev.id, /^ev1-[0-9a-f]{32}$/, 'and a verdict id');
  assert.equal(await page.locator('#submit').isEnabled(), true);
  assert.match(await page.locator('#got').textContent(), new RegExp(valid.holder_name));

  for (const s of fx.manifest.samples) {
    const bytes = readFileSync(join(fx.samplesDir, s.file));
    for (const r of [...browser.requests, ...server.log]) {
      assert.ok(!containsPdfBytes(r.body, bytes), `request ${r.method} ${r.url} carries bytes of ${s.file}`);
    }
  }
  assert.deepEqual(cspViolations, [], 'no CSP violations');
});

test('JS API verify(bytes, options) and the compact display', async () => {
  const frame = await widgetFrame();
  const s = fx.manifest.samples.find((x) => x.expected === 'ANNOTATION_EXPIRED');
  const b64 = readFileSync(join(fx.samplesDir, s.file)).toString('base64');
  const r = await frame.evaluate(async (data) => {
    const bin = atob(data);
    const u = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
    const m = await import('../widget/ecert-verify.js');
    const v = await m.verify(u, { revealIdNumber: true });
    // The other inputs: a File (its name kept), a Blob, a URL (fetched) — the same file, the same verdict id.
    const vf = await m.verify(new File([u], 'named.pdf', { type: 'application/pdf' }));
    const vb = await m.verify(new Blob([u]));
    const vu = await m.verify(new URL('/sample.pdf', location.href));
    const vm = await m.verify(new URL('/missing.pdf', location.href));
    const ids = { file: [vf.id, vf.file.name], blob: [vb.id, vb.file.name], url: [vu.id, vu.file.name], missing: vm.code };
    const el = document.querySelector('ecert-verify');
    el.setAttribute('display', 'compact');
    el.setAttribute('lang', 'en');
    const v2 = await el.verify(u, { fileName: 'api.pdf' });
    const card = el.shadowRoot.querySelector('.ec-card');
    return {
      code: v.code, id: v.certificate.id_number, masked: v.certificate.id_number_masked, annotation: v.annotation.state,
      sha256: v.file.sha256, size: v.file.size,
      code2: v2.code, compact: card.classList.contains('ec-compact'), state: card.querySelector('.ec-state').textContent,
      fields: card.querySelectorAll('.ec-fields').length, untouched: u.length, ids, vid: v.id, vid2: v2.id,
      elFile: [el.file(0).name, el.file(0).size],
    };
  }, b64);
  assert.equal(r.code, 'ANNOTATION_EXPIRED');
  const pdf = readFileSync(join(fx.samplesDir, s.file));
  assert.equal(r.sha256, createHash('sha256').update(pdf).digest('hex'), "file.sha256 is the whole file's SHA-256");
  assert.equal(r.size, pdf.length);
  assert.equal(r.id, s.id_number, 'revealIdNumber shows the full number');
  assert.equal(r.masked, false);
  assert.equal(r.annotation, 'expired');
  assert.equal(r.code2, 'ANNOTATION_EXPIRED');
  assert.equal(r.compact, true);
  assert.equal(r.state, 'Annotation expired', "the headline names the code, in the widget's language");
  assert.equal(r.fields, 0);
  assert.ok(r.untouched > 1000, "the caller's buffer is not detached");
  assert.match(r.vid, /^ev1-[0-9a-f]{32}$/);
  assert.equal(r.vid2, r.vid, 'the same file, the same verdict id');
  assert.deepEqual(r.ids.file, [r.vid, 'named.pdf']);
  assert.deepEqual(r.ids.blob, [r.vid, '']);
  assert.deepEqual(r.ids.url, [r.vid, 'sample.pdf']);
  assert.equal(r.ids.missing, 'FETCH_FAILED');
  assert.deepEqual(r.elFile, ['api.pdf', pdf.length], 'element.file(0) gives the file back');
  await frame.locator('ecert-verify').screenshot({ path: join(ARTIFACTS, 'widget-compact-en.png') });
});

test('each result has its own 移除 / Remove: by keyboard, named for screen readers, focus kept, announced, ecert-remove fired', async () => {
  const { axeViolations } = await import('./support/axe.mjs');
  const p = await browser.context.newPage();
  p.on('pageerror', (e) => console.error('pageerror:', e.message));
  await p.goto(`${server.url}/recruit/`);
  await p.waitForFunction(() => document.querySelector('ecert-verify')?.shadowRoot?.querySelector('.pick'));
  await p.evaluate(() => {
    window.removed = [];
    document.querySelector('ecert-verify').addEventListener('ecert-remove', (e) => window.removed.push(e.detail.code));
  });
  const pick = async (file) => {
    const n = await p.evaluate(() => window.recruitVerdicts.length);
    await p.locator('ecert-verify input[type=file]').setInputFiles({ name: file, mimeType: 'application/pdf', buffer: readFileSync(join(fx.samplesDir, file)) });
    await p.waitForFunction((k) => window.recruitVerdicts.length > k, n, { timeout: 60000 });
  };
  await pick('valid-style1.pdf');
  await pick('annotation-expired.pdf');
  const cards = p.locator('ecert-verify .ec-card');
  assert.equal(await cards.count(), 2);
  const removes = p.locator('ecert-verify [data-action=remove]');
  assert.deepEqual(await removes.evaluateAll((bs) => bs.map((b) => [b.tagName, b.type, b.textContent, b.getAttribute('aria-label')])),
    [['BUTTON', 'button', '移除', '移除 annotation-expired.pdf'], ['BUTTON', 'button', '移除', '移除 valid-style1.pdf']]);
  assert.match(await p.locator('#got').textContent(), /预检未通过（ANNOTATION_EXPIRED）/);
  const axe = await axeViolations(p);
  assert.deepEqual(axe, [], JSON.stringify(axe, null, 2));

  // Keyboard: focus the newest card's 移除 and press Enter.
  await removes.first().focus();
  await p.keyboard.press('Enter');
  assert.equal(await cards.count(), 1);
  assert.equal(await cards.first().getAttribute('data-code'), 'VALID');
  assert.deepEqual(await p.evaluate(() => window.removed), ['ANNOTATION_EXPIRED']);
  const state = () => p.evaluate(() => {
    const el = document.querySelector('ecert-verify');
    const active = el.shadowRoot.activeElement;
    return { focus: active && (active.getAttribute('aria-label') || active.className), said: el.shadowRoot.querySelector('[data-role=announce]').textContent,
      file: el.file(0) && el.file(0).name, verdict: el.verdict(0) && el.verdict(0).code };
  });
  assert.deepEqual(await state(), { focus: '移除 valid-style1.pdf', said: '已移除 annotation-expired.pdf', file: 'valid-style1.pdf', verdict: 'VALID' });
  // The site follows: what it would submit is now the remaining, valid file.
  assert.match(await p.locator('#got').textContent(), /预检通过/);
  assert.equal(await p.locator('#submit').isEnabled(), true);

  // The last one: the focus goes back to the file button; nothing left to submit.
  await removes.first().click();
  assert.equal(await cards.count(), 0);
  assert.deepEqual(await state(), { focus: 'pick', said: '已移除 valid-style1.pdf', file: null, verdict: null });
  assert.equal(await p.locator('#got').textContent(), '尚未选择证书');
  assert.equal(await p.locator('#submit').isEnabled(), false);
  assert.deepEqual(await p.evaluate(() => window.removed), ['ANNOTATION_EXPIRED', 'VALID']);

  // English, and the compact display has it too.
  await p.evaluate(() => { const el = document.querySelector('ecert-verify'); el.setAttribute('lang', 'en'); el.setAttribute('display', 'compact'); });
  await pick('valid-style2.pdf');
  assert.deepEqual(await removes.evaluateAll((bs) => bs.map((b) => [b.textContent, b.getAttribute('aria-label')])), [['Remove', 'Remove valid-style2.pdf']]);
  assert.equal(await p.evaluate(() => document.querySelector('ecert-verify').removeResult(0)), true);
  assert.equal(await cards.count(), 0);
  await p.close();
});
