// The demo recruitment site end to end (www/recruit + its Node back end www/recruit/server/server.mjs): the
// applicant's browser shows the widget's verdict at once (a preview); on submit the PDF goes to the site's server,
// which verifies it again with @ecert/verify-widget/server and stores the application with ITS verdict. Three
// applications: a valid certificate, an expired 加注, and a modified certificate submitted from a browser whose page
// JS was altered to claim VALID — the server stores what it found, and that the claim did not match.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { startRecruitServer } from '../../www/recruit/server/server.mjs';
import { launch } from './support/chromium.mjs';
import { ARTIFACTS, fixture } from './support/fixture.mjs';

let fx, site, browser, dataDir;

before(async () => {
  fx = fixture();
  dataDir = mkdtempSync(join(tmpdir(), 'ecert-recruit-'));
  site = await startRecruitServer({ dist: fx.distDir, port: 0, dataDir });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await site?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const sample = (code) => fx.manifest.samples.find((s) => s.expected === code);

/** Open the site (optionally with its JS altered), pick `bytes` as `name`, wait for the preview, submit. */
async function apply({ name, bytes, applicant, tamper = false }) {
  const page = await browser.context.newPage();
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
  if (tamper) {
    // The applicant controls the browser: the site's own script, altered to claim VALID whatever the widget says.
    await page.route('**/recruit.js', async (route) => {
      const r = await route.fetch();
      const forged = `window.addEventListener('ecert-verdict', (e) => { const v = e.detail; Object.assign(v, { code: 'VALID', state: 'valid',
        status: { state: 'valid', source: 'snapshot' }, summary: { zh: '证书真实有效。', en: 'Valid.' },
        certificate: v.certificate || { holder_name: '张伟', management_number: '202303151001', qualification: { name_zh: '建造师（一级）' } } }); }, true);\n`;
      await route.fulfill({ response: r, body: forged + (await r.text()) });
    });
  }
  await page.goto(`${site.url}/`);
  await page.waitForFunction(() => document.querySelector('ecert-verify')?.shadowRoot?.querySelector('.pick'));
  await page.fill('input[name=name]', applicant);
  await page.fill('input[name=phone]', '13800000000');
  await page.locator('ecert-verify input[type=file]').setInputFiles({ name, mimeType: 'application/pdf', buffer: bytes });
  await page.waitForFunction(() => window.recruitVerdicts.length > 0, null, { timeout: 60000 });
  const preview = await page.evaluate(() => window.recruitVerdicts.at(-1));
  const got = await page.locator('#got').textContent();
  await page.locator('#submit').click();
  await page.waitForFunction(() => document.getElementById('outcome').dataset.code, null, { timeout: 30000 });
  const outcome = await page.locator('#outcome').textContent();
  await page.screenshot({ path: join(ARTIFACTS, `recruit-${applicant}.png`), fullPage: true });
  await page.close();
  const stored = site.applications.find((a) => a.applicant.name === applicant);
  return { preview, got, outcome, stored };
}

test('a valid certificate: previewed VALID in the browser, verified VALID again by the server, accepted', async () => {
  const s = sample('VALID');
  const bytes = readFileSync(join(fx.samplesDir, s.file));
  const r = await apply({ name: s.file, bytes, applicant: 'valid' });
  assert.equal(r.preview.code, 'VALID');
  assert.match(r.got, /预检通过/);
  const a = r.stored;
  assert.ok(a, 'the application is stored');
  assert.equal(a.server_verdict.code, 'VALID');
  assert.equal(a.server_verdict.status.state, 'valid');
  assert.equal(a.accepted, true);
  assert.equal(a.server_verdict.certificate.holder_name, s.holder_name);
  assert.equal(a.server_verdict.certificate.management_number, s.management_number);
  assert.equal(a.file.name, s.file);
  assert.equal(a.file.sha256, createHash('sha256').update(bytes).digest('hex'));
  // Same file, same trust list and snapshot: the browser's verdict id is the server's.
  assert.equal(a.client_claim.id, a.server_verdict.id);
  assert.equal(a.client_claim_matches, true);
  assert.ok(existsSync(join(site.dataDir, 'files', `${a.file.sha256}.pdf`)), 'the PDF is kept with the application');
  assert.match(r.outcome, /证书有效/);
});

test('an expired 加注: the server stores ANNOTATION_EXPIRED and does not accept it', async () => {
  const s = sample('ANNOTATION_EXPIRED');
  const r = await apply({ name: s.file, bytes: readFileSync(join(fx.samplesDir, s.file)), applicant: 'expired' });
  assert.equal(r.preview.code, 'ANNOTATION_EXPIRED');
  assert.equal(r.stored.server_verdict.code, 'ANNOTATION_EXPIRED');
  assert.equal(r.stored.server_verdict.annotation.state, 'expired');
  assert.equal(r.stored.accepted, false);
  assert.equal(r.stored.client_claim_matches, true);
  assert.match(r.outcome, /未通过（ANNOTATION_EXPIRED）/);
});

test("a modified certificate from a browser whose page JS claims VALID: the server's verdict is stored, the claim is not believed", async () => {
  const s = sample('VALID');
  const bytes = Buffer.from(readFileSync(join(fx.samplesDir, s.file)));
  // Change one byte inside the sealed revision (its middle).
  const at = Math.floor(bytes.length / 2);
  bytes[at] ^= 0x01;
  const r = await apply({ name: 'tampered.pdf', bytes, applicant: 'tampered', tamper: true });
  assert.equal(r.preview.code, 'VALID', 'the altered page claims VALID');
  assert.match(r.got, /预检通过/, 'and shows it');
  const a = r.stored;
  assert.notEqual(a.server_verdict.code, 'VALID');
  assert.ok(['modified', 'broken', 'untrusted', 'not_a_certificate'].includes(a.server_verdict.state), a.server_verdict.state);
  assert.equal(a.server_verdict.certificate, null, 'no certificate data from a failed file');
  assert.equal(a.accepted, false);
  assert.equal(a.client_claim.code, 'VALID');
  assert.equal(a.client_claim_matches, false);
  assert.match(r.outcome, /未通过/);
  // What the back end lists is what it stored.
  const list = await (await fetch(`${site.url}/api/applications`)).json();
  assert.deepEqual(list.applications.map((x) => [x.applicant.name, x.server_verdict.code, x.accepted]),
    [['valid', 'VALID', true], ['expired', 'ANNOTATION_EXPIRED', false], ['tampered', a.server_verdict.code, false]]);
});
