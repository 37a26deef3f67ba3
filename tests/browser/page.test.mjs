// The drag-and-drop page in headless Chromium, with the real wasm verifier on real demo certificates.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { containsPdfBytes, launch } from './support/chromium.mjs';
import { parseCsv } from './support/csv.mjs';
import { ARTIFACTS, fixture, masked } from './support/fixture.mjs';
import { serve } from './support/server.mjs';

let fx, server, browser, page;
const cspViolations = [];
const STATE_OF = {
  VALID: 'valid', ANNOTATION_EXPIRED: 'annotation_problem', ANNOTATION_NOT_YET_VALID: 'annotation_problem',
  ANNOTATION_MISSING: 'annotation_problem', ANNOTATION_INVALID: 'annotation_problem', SEAL_NOT_AUTHORIZED: 'untrusted',
  UNTRUSTED_SEAL: 'untrusted', MODIFIED: 'modified', SIGNATURE_INVALID: 'modified', NON_CANONICAL: 'modified',
  NOT_A_CERTIFICATE: 'not_a_certificate', MALFORMED: 'broken', ENCRYPTED: 'broken', REVOKED: 'revoked',
  STATUS_UNKNOWN: 'status_unknown', TRUST_LIST_EXPIRED: 'status_unknown',
};

/** Drop files on the page as a real drag would: a DataTransfer with File objects, dispatched as `drop`. */
async function dropFiles(p, files) {
  const payload = files.map((f) => ({ name: f.name, b64: Buffer.from(f.bytes).toString('base64') }));
  await p.evaluate((fs) => {
    const dt = new DataTransfer();
    for (const f of fs) {
      const bin = atob(f.b64);
      const u = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
      dt.items.add(new File([u], f.name, { type: 'application/pdf' }));
    }
    const zone = document.getElementById('dropzone');
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, payload);
}

async function waitAllDone(p, n) {
  await p.waitForFunction((count) => {
    const items = document.querySelectorAll('#results .item');
    return items.length >= count && [...items].every((i) => i.dataset.state !== 'pending');
  }, n, { timeout: 60000 });
}

before(async () => {
  fx = fixture();
  server = await serve({ root: fx.distDir });
  browser = await launch();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text()); });
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === '1');
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('every demo sample dropped on the page gives the manifest verdict and its fields', async () => {
  const samples = fx.manifest.samples;
  const files = samples.map((s) => ({ name: s.file, bytes: readFileSync(join(fx.samplesDir, s.file)) }));
  await dropFiles(page, files);
  await waitAllDone(page, samples.length);
  for (const s of samples) {
    const item = page.locator(`#results .item[data-file="${s.file}"]`);
    const card = item.locator('.ec-card');
    assert.equal(await card.getAttribute('data-code'), s.expected, `${s.file}: code`);
    assert.equal(await card.getAttribute('data-state'), STATE_OF[s.expected], `${s.file}: state`);
    const summary = (await card.locator('[data-role=summary]').textContent()).trim();
    assert.ok(summary.length > 4, `${s.file}: a one-sentence reason`);
    if (['valid', 'annotation_problem'].includes(STATE_OF[s.expected])) {
      assert.equal((await card.locator('[data-field=holder_name] dd').textContent()).trim(), s.holder_name, `${s.file}: name`);
      const idText = (await card.locator('[data-field=id_number] dd').textContent()).trim();
      assert.ok(idText.startsWith(masked(s.id_number)), `${s.file}: masked id ${idText}`);
      assert.ok(!idText.includes(s.id_number), `${s.file}: the full ID number is never shown`);
      assert.equal((await card.locator('[data-field=management_number] dd').textContent()).trim(), s.management_number);
      assert.match(await card.locator('[data-field=qualification] dd').textContent(), new RegExp(s.qualification));
      assert.ok(await card.locator('[data-field=issuer] dd').textContent(), 'issuer shown');
      assert.ok(await card.locator('[data-field=annotation] dd').textContent(), 'annotation line shown');
      // No edge configured: the status comes from the snapshot bundled into the build, and the card says so.
      const status = await card.locator('[data-field=status] dd').textContent();
      if (s.expected === 'VALID') assert.match(status, /^未撤销（依据内置状态快照第 1 号，\d{4}-\d\d-\d\d \d\d:\d\d 签发）$/, status);
      else assert.match(status, /依据内置状态快照第 1 号/, status);
    } else {
      // A failure shows the reason first and no certificate fields that could pass for a valid certificate.
      assert.equal(await card.locator('.ec-fields').count(), 0, `${s.file}: no fields on failure`);
      assert.ok(!(await card.getAttribute('class')).includes('ec-tone-ok'), `${s.file}: not coloured as a pass`);
    }
    // The checks one by one.
    assert.ok(await card.locator('.ec-check').count() >= 3, `${s.file}: checks listed`);
  }
  // Annotation windows with days: the valid ones say how many days are left.
  const valid1 = page.locator('#results .item[data-file="valid-style1.pdf"] [data-field=annotation] dd');
  assert.match(await valid1.textContent(), /剩余 \d+ 天|今天是最后一天/);
  const expired = page.locator('#results .item[data-file="annotation-expired.pdf"] [data-field=annotation] dd');
  assert.match(await expired.textContent(), /已过期 \d+ 天/);

  // The table and the CSV export list every verdict.
  assert.equal(await page.locator('#summary').isVisible(), true);
  assert.equal(await page.locator('#table tbody tr').count(), samples.length);
  const csv = await page.evaluate(() => window.ecert.csvText());
  const lines = csv.trim().split(/\r\n/);
  assert.equal(lines.length, samples.length + 1);
  for (const s of samples) {
    const line = lines.find((l) => l.startsWith(`${s.file},`));
    assert.ok(line && line.includes(`,${s.expected},`), `csv line for ${s.file}`);
    assert.ok(!line.includes(s.id_number), 'CSV holds the masked ID number only');
  }
  // Only a VALID row reads as valid: the verdict's own columns, and a revocation column that cannot be taken for it.
  // Headers and words in the page's language (Chinese here), codes as codes, dates ISO 8601, a BOM on export.
  const cols = await page.evaluate(() => window.ecert.csvColumns);
  const [head, ...rows] = parseCsv(csv);
  assert.deepEqual(head, cols.map((c) => c[1]), 'Chinese headers');
  const enRows = parseCsv(await page.evaluate(() => window.ecert.csvText('en')));
  assert.deepEqual(enRows[0], cols.map((c) => c[2]), 'English headers in English');
  const states = Object.fromEntries(await page.evaluate(() => window.ecert.items.map((i) => [i.name, i.verdict.state])));
  for (const [r, cells] of rows.entries()) {
    assert.equal(cells.length, head.length, cells[0]);
    const cell = (k) => cells[cols.findIndex((c) => c[0] === k)];
    const en = (k) => enRows[r + 1][cols.findIndex((c) => c[0] === k)];
    const valid = cell('code') === 'VALID';
    assert.equal(cell('state') === '有效', valid, `${cell('file')}: state`);
    assert.equal(cell('verdict') === '有效', valid, `${cell('file')}: ${cell('verdict')}`);
    // Every authentic record is answered by the bundled snapshot (none revoked); failures have nothing to ask about.
    const authentic = ['valid', 'annotation_problem'].includes(states[cell('file')]);
    assert.equal(cell('registry_status'), authentic ? '未撤销' : '不适用', `${cell('file')}: ${cell('registry_status')}`);
    assert.equal(en('registry_status'), authentic ? 'not revoked' : 'not applicable');
    assert.doesNotMatch(cell('registry_status'), /^valid|有效/);
    if (!valid) assert.doesNotMatch(`${cell('verdict')}|${en('verdict')}`, /^有效$|^Valid$/);
    assert.match(cell('checked_at'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/, 'ISO date');
    if (authentic) assert.match(cell('sealed_at'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    assert.match(cell('verdict_id'), /^ev1-[0-9a-f]{32}$/);
    assert.doesNotMatch(en('summary'), /[（）：]/, 'English punctuation in English');
  }
  // The seal that may not vouch for this certificate is said to be that, as its summary says, not "untrusted".
  const sna = page.locator('#results .item[data-file="seal-not-authorized.pdf"] .ec-card');
  assert.equal((await sna.locator('.ec-state').textContent()).trim(), '印章无权为此证书作证');
  assert.match(await sna.locator('[data-role=summary]').textContent(), /印章本身可信，但它不能为这份证书作证/);
  // A valid card shows when its trusted time-stamp dates the seal.
  const sealedAt = page.locator('#results .item[data-file="valid-style1.pdf"] [data-field=sealed_at]');
  assert.equal((await sealedAt.locator('dt').textContent()).trim(), '可信时间戳时间');
  assert.match(await sealedAt.locator('dd').textContent(), /^\d{4}-\d\d-\d\d \d\d:\d\d · \S/);
  const dl = page.waitForEvent('download');
  await page.click('#csv');
  const download = await dl;
  await download.saveAs(join(ARTIFACTS, 'verdicts.csv'));
  // The exported file: UTF-8 with a BOM (Excel), then exactly the CSV in the page's language, one row per file.
  const exported = readFileSync(join(ARTIFACTS, 'verdicts.csv'));
  assert.deepEqual([...exported.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 BOM first');
  assert.equal(exported.subarray(3).toString('utf8'), csv);
  assert.match(download.suggestedFilename(), /^ecert-verdicts-\d{8}\.csv$/);

  // Wait for previews, then screenshots.
  await page.waitForFunction(() => document.querySelectorAll('.preview-canvas canvas').length >= 3, null, { timeout: 30000 }).catch(() => {});
  await page.screenshot({ path: join(ARTIFACTS, 'page-many.png'), fullPage: true });
  await page.screenshot({ path: join(ARTIFACTS, 'page-top.png') });
  await page.locator('#results .item[data-file="valid-style1.pdf"]').screenshot({ path: join(ARTIFACTS, 'card-valid.png') });
  await page.locator('#results .item[data-file="untrusted-seal.pdf"]').screenshot({ path: join(ARTIFACTS, 'card-untrusted.png') });
  await page.locator('#results .item[data-file="seal-not-authorized.pdf"]').screenshot({ path: join(ARTIFACTS, 'card-seal-not-authorized.png') });

  // No request carried the PDF, or any piece of it.
  for (const f of files) {
    for (const r of [...browser.requests, ...server.log]) {
      assert.ok(!containsPdfBytes(r.body, f.bytes), `request ${r.method} ${r.url} carries bytes of ${f.name}`);
    }
  }
  for (const r of server.log) assert.equal(r.method, 'GET', `only GETs: ${r.method} ${r.url}`);
  // The page, its worker and pdf.js run under the strict CSP without a single violation.
  assert.deepEqual(cspViolations, []);
  for (const r of browser.requests) {
    assert.ok(r.url.startsWith(server.url) || r.url.startsWith('blob:') || r.url.startsWith('data:'), `no third-party request: ${r.url}`);
  }
});

test('a broken or truncated PDF gets an error card and the page keeps working', async () => {
  await page.click('#clear-all');
  const valid = readFileSync(join(fx.samplesDir, 'valid-style1.pdf'));
  await dropFiles(page, [
    { name: 'random.pdf', bytes: randomBytes(40000) },
    { name: 'truncated.pdf', bytes: valid.subarray(0, Math.floor(valid.length / 2)) },
    { name: 'empty.pdf', bytes: Buffer.alloc(0) },
    { name: 'after.pdf', bytes: valid },
  ]);
  await waitAllDone(page, 4);
  for (const name of ['random.pdf', 'truncated.pdf', 'empty.pdf']) {
    const card = page.locator(`#results .item[data-file="${name}"] .ec-card`);
    const state = await card.getAttribute('data-state');
    assert.ok(['broken', 'not_a_certificate', 'modified'].includes(state), `${name}: ${state}`);
    assert.equal(await card.locator('.ec-fields').count(), 0);
    assert.ok((await card.getAttribute('class')).includes('ec-tone-bad'), `${name} shown as a failure`);
  }
  assert.equal(await page.locator('#results .item[data-file="after.pdf"] .ec-card').getAttribute('data-code'), 'VALID');
  await page.screenshot({ path: join(ARTIFACTS, 'page-broken.png'), fullPage: true });
});

/** `pdf` with the hex of its signature's /Contents in lowercase: the same CMS bytes, spelled as no issuer writes. */
function lowercaseContents(pdf) {
  const text = pdf.toString('latin1');
  const m = /\/Contents\s*<([0-9A-F]{1000,})>/.exec(text);
  assert.ok(m, 'the seal\'s /Contents');
  const out = Buffer.from(pdf);
  out.write(m[1].toLowerCase(), m.index + m[0].indexOf('<') + 1, 'latin1');
  return out;
}

/** qpdf run on `pdf` with `args` (a re-save by another program), or null without qpdf. */
function qpdf(pdf, args) {
  const dir = mkdtempSync(join(tmpdir(), 'ecert-qpdf-'));
  try {
    writeFileSync(join(dir, 'in.pdf'), pdf);
    execFileSync('qpdf', [...args, join(dir, 'in.pdf'), join(dir, 'out.pdf')], { stdio: 'ignore' });
    return readFileSync(join(dir, 'out.pdf'));
  } catch (e) {
    if (e.code === 'ENOENT' && !process.env.ECERT_REQUIRE_VALIDATORS) return null;
    throw e;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('copies that are not the file as issued: non-canonical, encrypted, re-saved — each its own red headline', async () => {
  await page.click('#clear-all');
  const valid = readFileSync(join(fx.samplesDir, 'valid-style1.pdf'));
  const cases = [
    { name: 'non-canonical.pdf', bytes: lowercaseContents(valid), code: 'NON_CANONICAL', headline: '不是签发的原始文件', check: ['canonical', 'CONTENTS_NOT_AS_ISSUED'] },
    { name: 'encrypted.pdf', bytes: qpdf(valid, ['--encrypt', '', 'owner', '256', '--']), code: 'ENCRYPTED', headline: '文件已加密，无法验证', check: ['structure', 'ENCRYPTED'] },
    { name: 'resaved.pdf', bytes: qpdf(valid, []), code: 'SIGNATURE_INVALID', headline: '签章无效或不是原始文件', summary: /不是签发的原始文件/ },
  ].filter((c) => c.bytes);
  await dropFiles(page, cases);
  await waitAllDone(page, cases.length);
  for (const c of cases) {
    const card = page.locator(`#results .item[data-file="${c.name}"] .ec-card`);
    assert.equal(await card.getAttribute('data-code'), c.code, c.name);
    assert.equal(await card.getAttribute('data-state'), STATE_OF[c.code], c.name);
    assert.match(await card.getAttribute('class'), /ec-tone-bad/, `${c.name}: red`);
    assert.equal((await card.locator('.ec-state').textContent()).trim(), c.headline, c.name);
    assert.equal(await card.locator('.ec-fields').count(), 0, `${c.name}: no fields`);
    if (c.summary) assert.match(await card.locator('[data-role=summary]').textContent(), c.summary);
    if (c.check) {
      const row = card.locator(`[data-check=${c.check[0]}]`);
      assert.equal(await row.getAttribute('data-outcome'), 'fail', c.name);
      assert.equal((await row.locator('.ec-check-code').textContent()).trim(), c.check[1]);
    }
  }
  const nc = page.locator('#results .item[data-file="non-canonical.pdf"] [data-check=canonical] .ec-check-name');
  assert.equal((await nc.textContent()).trim(), '原始文件');
  await page.locator('#results .item[data-file="non-canonical.pdf"]').screenshot({ path: join(ARTIFACTS, 'card-non-canonical.png') });
});

test('the page starts the verifier at load and prepares it while idle; the size cap is the core\'s', async () => {
  const r = await page.evaluate(async () => {
    const c = window.ecert.client;
    await c.ready();
    let p;
    for (let i = 0; i < 500; i++) {
      p = await c.prepState();
      if (p.done) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    return { prep: p, maxBytes: c.maxBytes, seals: c.trust && c.trust.issuers.length };
  });
  assert.equal(r.maxBytes, 16 * 1024 * 1024, 'ecert_verify::MAX_INPUT_BYTES, read from the wasm at build time');
  assert.equal(r.prep.done, true);
  assert.equal(r.prep.error, null);
  // The warm-up certificate is sealed by a throwaway key: never trusted, its verdict is discarded.
  assert.equal(r.prep.warmup_code, 'UNTRUSTED_SEAL');
  assert.ok(r.prep.chains > 0 && r.prep.chains_ok === r.prep.chains, `every listed seal's chain verifies (${JSON.stringify(r.prep)})`);
  // The <head> preloads the wasm and the compile takes that response: one download, not two.
  const wasmGets = server.log.filter((x) => x.url.endsWith('/ecert_wasm_bg.wasm'));
  assert.equal(wasmGets.length, 1, `the wasm is downloaded once: ${wasmGets.map((x) => x.url).join(', ')}`);
});

test('a timeout or a trap replaces the worker; the file gets an error verdict and the next one verifies', async () => {
  const valid = readFileSync(join(fx.samplesDir, 'valid-style2.pdf'));
  const r = await page.evaluate(async (b64) => {
    const bin = atob(b64);
    const u = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
    const m = await import('./widget/ecert-verify.js');
    const c = new m.EcertClient({ timeoutMs: 5000 });
    await c.ready();
    c.timeoutMs = 1; // copying 16 MB into the wasm memory alone takes longer than 1 ms
    const first = await c.verify(new Uint8Array(c.maxBytes - 1));
    c.timeoutMs = 20000;
    const second = await c.verify(u);
    const big = await c.verify(new Uint8Array(c.maxBytes + 1));
    const w1 = c.worker;
    const trapped = await c.verify(u, { simulateTrap: true });
    const replaced = c.worker !== w1;
    const third = await c.verify(u);
    c.dispose();
    return { first: first.code, firstState: first.state, second: second.code, big: big.code, trapped: trapped.code, replaced, third: third.code };
  }, valid.toString('base64'));
  assert.deepEqual(r, {
    first: 'VERIFIER_TIMEOUT', firstState: 'broken', second: 'VALID', big: 'FILE_TOO_LARGE',
    trapped: 'VERIFIER_CRASHED', replaced: true, third: 'VALID',
  });
});

test('English switch, keyboard access and a phone-sized viewport', async () => {
  await page.click('#clear-all');
  await dropFiles(page, [{ name: 'valid-style1.pdf', bytes: readFileSync(join(fx.samplesDir, 'valid-style1.pdf')) }]);
  await waitAllDone(page, 1);
  await page.click('#lang');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal((await page.locator('.ec-state').first().textContent()).trim(), 'Valid');
  assert.match(await page.locator('[data-field=status] dd').first().textContent(), /^not revoked \(per the bundled status snapshot no\. 1, signed /);
  // Keyboard: the file button is reachable with Tab and is a real button.
  await page.focus('#lang');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'lang');
  const pickRole = await page.locator('#pick').evaluate((el) => el.tagName);
  assert.equal(pickRole, 'BUTTON');
  // Landmarks and live region for screen readers.
  assert.equal(await page.locator('main#main').count(), 1);
  assert.equal(await page.locator('#results[aria-live]').count(), 1);
  assert.ok(await page.locator('.ec-card[aria-labelledby]').count() >= 1);
  await page.click('#lang');
  await page.setViewportSize({ width: 375, height: 740 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `no horizontal scrolling on a phone (${overflow}px)`);
  await page.screenshot({ path: join(ARTIFACTS, 'page-phone.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  writeFileSync(join(ARTIFACTS, 'requests-page.txt'), server.log.map((r) => `${r.method} ${r.url} ${r.body.length}`).join('\n'));
});
