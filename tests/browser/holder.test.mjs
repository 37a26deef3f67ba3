// The holder's side end to end (issue 18) in Chromium against the real edge on workerd (wrangler dev, local D1 and
// R2, serving the built pages as its assets) and the real signer (`ecert signer --once`, the demo PKI's seal key,
// time-stamped by its TSA):
// - 刘䶮 and 王𠈌 register with the 生僻字 picker (䶮 by "yan", 𠈌 by radical + strokes "亻6": Unihan gives it no
//   Mandarin reading), sign out, sign in again, and see their certificates;
// - 张伟 applies for a 加注 → 证书生成中… → the signer runs → the card turns ready by itself → the PDF downloaded
//   (a Playwright download) → dropped on the verify page (/) → VALID with that window; a 4th 加注 within 90 days
//   is refused with the rule's words and the next allowed date, on the card and from a stale form;
// - the demo's expired 加注 (刘洋) shows 加注件已过期 and its download is refused (410);
// - a certificate revoked through the admin API shows 已撤销 + 详情 (time, reason) and cannot be annotated;
// - the pre-2021 association certificate (王芳) downloads without 加注;
// - an empty list explains why.
// Axe-core on every state of my certificates (zh and en, phone). Lookup and the other pages: holder-pages.test.mjs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { axeViolations } from './support/axe.mjs';
import { launch } from './support/chromium.mjs';
import { chinaToday } from './support/fixture.mjs';
import { PASSWORD, addDays, apply, card, holders, login, logout, pickRare, register, startHolderEdge } from './holder-support.mjs';

let env, browser, H;
const pageErrors = [];

before(async () => {
  env = await startHolderEdge();
  H = holders(env.fx);
  browser = await launch();
  browser.context.on('page', (p) => p.on('pageerror', (e) => pageErrors.push(`${p.url()}: ${e.message}`)));
});
after(async () => {
  await browser?.close();
  await env?.stop();
});

async function newPage(viewport = { width: 1280, height: 900 }) {
  const page = await browser.context.newPage();
  await page.setViewportSize(viewport);
  return page;
}

/** The signed-in page's own fetch (same origin, its cookie, its CSRF token). */
function pageFetch(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const s = await (await fetch('/v1/holder/session')).json();
    const r = await fetch(p, {
      method: m, headers: { 'x-csrf-token': s.csrf_token, ...(b ? { 'content-type': 'application/json' } : {}) },
      body: b ? JSON.stringify(b) : undefined,
    });
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* a PDF */ }
    return { status: r.status, json, type: r.headers.get('content-type'), size: text.length };
  }, [method, path, body]);
}

async function assertAxe(page, what) {
  const v = await axeViolations(page);
  assert.deepEqual(v, [], `${what}: ${JSON.stringify(v, null, 1)}`);
}

describe('holders on the real edge and signer', () => {
  test('register and login pages: axe-clean in zh and en, phone and desktop, with an error shown; the service notice must be accepted', async () => {
    const page = await newPage();
    try {
      for (const file of ['register.html', 'login.html']) {
        for (const vp of [{ width: 375, height: 740 }, { width: 1280, height: 900 }]) {
          await page.setViewportSize(vp);
          for (const lang of ['zh-CN', 'en']) {
            await page.goto(`${env.base}/holder/${file}?lang=${lang}`);
            await page.locator('.picker-open').waitFor();
            assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
            await assertAxe(page, `${file} ${lang} ${vp.width}`);
            await page.locator('#submit').click();
            await page.locator('#error:not([hidden])').waitFor();
            await assertAxe(page, `${file} ${lang} ${vp.width} with an error`);
          }
        }
      }
      // The notice is there in both languages; registering without accepting it is refused on the page.
      await page.goto(`${env.base}/holder/register.html?lang=zh-CN`);
      assert.match(await page.locator('#notice').textContent(), /90日内同一证书最多可有3次有效加注/);
      await page.locator('#name').fill('张伟');
      await page.locator('#id_number').fill(H['张伟'].id);
      await page.locator('#password').fill(PASSWORD);
      await page.locator('#password2').fill(PASSWORD);
      await page.locator('#submit').click();
      await page.locator('#error:not([hidden])').waitFor();
      assert.match(await page.locator('#error').textContent(), /请先阅读并勾选同意服务须知/);
      await page.locator('#lang').click();
      assert.match(await page.locator('#notice').textContent(), /at most 3 valid annotations in 90 days/);
      assert.match(await page.locator('#error').textContent(), /accept the service notice/);
      // A weak password: the edge's own words.
      await page.locator('#lang').click();
      await page.locator('#accept').check();
      await page.locator('#password').fill('short');
      await page.locator('#password2').fill('short');
      await page.locator('#submit').click();
      await page.waitForFunction(() => /WEAK_PASSWORD/.test(document.querySelector('#error [data-code]')?.dataset.code || ''));
    } finally {
      await page.close();
    }
  });

  test('刘䶮 registers with the picker ("yan" → 䶮), signs out and in, and sees the certificate', async () => {
    const h = H['刘䶮'];
    const page = await newPage();
    try {
      const err = await register(page, env.base, { typed: '刘', rare: { query: 'yan', ch: '䶮' }, id: h.id });
      assert.equal(err, null, `registered: ${err}`);
      assert.match(await page.locator('#greeting').textContent(), /您好，刘䶮（证件号码尾号 0376）/);
      const c = card(page, h.management_number);
      await c.waitFor();
      assert.equal(await c.locator('[data-field=management-number]').textContent(), h.management_number);
      assert.equal(await c.locator('[data-role=status]').getAttribute('data-state'), 'valid');
      assert.match(await c.locator('[data-role=status]').textContent(), /有效/);
      assert.equal(await page.locator('article.cert').count(), 1, 'only 刘䶮\'s certificate');
      await logout(page);
      // Signing in, the name again through the picker.
      await page.locator('#name').fill('刘');
      await pickRare(page, 'yan3', '䶮');
      assert.equal(await page.inputValue('#name'), '刘䶮');
      await page.locator('#id_number').fill(h.id);
      await page.locator('#password').fill(PASSWORD);
      await page.locator('#submit').click();
      await page.waitForURL(/\/holder\/$/);
      await card(page, h.management_number).waitFor();
      // A wrong password: the one login answer.
      await logout(page);
      await page.locator('#name').fill('刘䶮');
      await page.locator('#id_number').fill(h.id);
      await page.locator('#password').fill('not-the-password-1');
      await page.locator('#submit').click();
      await page.locator('#error:not([hidden])').waitFor();
      assert.match(await page.locator('#error').textContent(), /姓名、证件号码或密码不正确/);
    } finally {
      await page.close();
    }
  });

  test('王𠈌 registers with the picker (radical 亻 + 6 strokes) and sees the certificate; my certificates without a session goes to login', async () => {
    const h = H['王𠈌'];
    const page = await newPage({ width: 375, height: 740 });
    try {
      const err = await register(page, env.base, { typed: '王', rare: { query: '亻6', ch: '𠈌' }, id: h.id });
      assert.equal(err, null, `registered: ${err}`);
      assert.match(await page.locator('#greeting').textContent(), /王𠈌/);
      await card(page, h.management_number).waitFor();
      assert.equal(await page.locator('article.cert').count(), 1);
      await logout(page);
      await login(page, env.base, { name: '王𠈌', id: h.id });
      await card(page, h.management_number).waitFor();
      await logout(page);
      await page.goto(`${env.base}/holder/`);
      await page.waitForURL(/\/holder\/login(\.html)?$/);
    } finally {
      await page.close();
    }
  });

  let zhang; // {page, pdf, window}
  test('张伟: 申请加注 → 证书生成中… → the signer runs → ready by itself → download → the verify page says VALID with that window', async () => {
    const h = H['张伟'];
    const page = await newPage();
    zhang = { page };
    const err = await register(page, env.base, { typed: '张伟', id: h.id });
    assert.equal(err, null, `registered: ${err}`);
    const c = card(page, h.management_number);
    await c.waitFor();
    // The demo's own 加注 of this certificate (valid-style1.pdf, applied for today) is there, ready.
    assert.equal(await c.locator('[data-job-state=ready]').count(), 1);
    const today = chinaToday();
    const until = addDays(today, 89);
    await apply(page, h.management_number, { validFrom: today, days: 90 });
    await c.locator('[data-role=generating]').waitFor({ timeout: 30000 });
    assert.equal(await c.locator('[data-role=generating]').textContent(), '证书生成中…');
    assert.match(await c.textContent(), /系统将在24小时内完成加注/);
    // Nothing to download while it is made.
    const jobId = await c.locator('[data-job-state=generating]').getAttribute('data-job');
    const early = await pageFetch(page, 'GET', `/v1/holder/certificates/${h.management_number}/annotations/${jobId}/pdf`);
    assert.equal(early.status, 409);
    assert.equal(early.json.code, 'ANNOTATION_GENERATING');

    const out = await env.signer();
    assert.doesNotMatch(out, /error|refus/i, out);
    // The page asks again by itself until the job is done.
    const ready = c.locator(`[data-job="${jobId}"][data-job-state=ready]`);
    await ready.waitFor({ timeout: 60000 });
    assert.equal(await c.locator('[data-job-state=ready]').count(), 2);
    assert.equal(await ready.locator('[data-role=window]').textContent(), `加注有效期 ${today} 至 ${until}`);
    assert.equal(await c.locator('[data-role=generating]').count(), 0);
    const [download] = await Promise.all([page.waitForEvent('download'), ready.locator('[data-action=download]').click()]);
    const path = await download.path();
    const pdf = readFileSync(path);
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    assert.match(download.suggestedFilename(), new RegExp(`^${h.management_number}.*\\.pdf$`));
    zhang.pdf = pdf;
    zhang.window = [today, until];

    // The issuing side publishes the next status snapshot; the verify page (served by the same edge) takes it.
    await env.publish();
    const verify = await newPage();
    try {
      await verify.goto(`${env.base}/?edge=${encodeURIComponent(env.base)}`);
      await verify.waitForFunction(() => document.documentElement.dataset.ready === '1');
      await verify.waitForFunction(() => window.ecert?.client?.status?.origin === 'edge', null, { timeout: 30000 });
      await verify.locator('#file').setInputFiles({ name: 'zhang-wei-annotated.pdf', mimeType: 'application/pdf', buffer: pdf });
      const item = verify.locator('#results .item[data-file="zhang-wei-annotated.pdf"]');
      await verify.waitForFunction(() => { const i = document.querySelector('#results .item'); return i && i.dataset.state !== 'pending' && i.dataset.code; }, null, { timeout: 60000 });
      assert.equal(await item.getAttribute('data-code'), 'VALID', await item.textContent());
      assert.match(await item.textContent(), new RegExp(`${today} – ${until}`));
      assert.match(await item.textContent(), /张伟/);
    } finally {
      await verify.close();
    }
  });

  test('张伟: a 3rd 加注 is taken, a 4th within 90 days refused with the next allowed date — on the card, and from a stale form', async () => {
    const h = H['张伟'];
    const page = zhang.page;
    const c = card(page, h.management_number);
    const today = chinaToday();
    // A second tab opens the form now, while a place is left (the demo's 加注 and the one above: 2 of 3).
    const stale = await newPage();
    try {
      await stale.goto(`${env.base}/holder/`);
      await card(stale, h.management_number).locator('[data-action=apply]').click();
      await apply(page, h.management_number, { days: 30 });
      await c.locator('[data-role=generating]').waitFor({ timeout: 30000 });
      await c.locator('[data-role=cannot-apply]').waitFor({ timeout: 30000 });
      const next = addDays(today, 90);
      const refusal = c.locator('[data-role=cannot-apply]');
      assert.equal(await refusal.getAttribute('data-next-allowed'), next);
      assert.match(await refusal.textContent(), new RegExp(`自申请日向前90日内该证书已有3次有效加注，最多3次；最早可于${next}再次申请`));
      assert.equal(await c.locator('[data-action=apply]').count(), 0, 'no apply button');
      assert.equal(await c.locator('[data-role=generating]').count(), 1, 'the 3rd being made');
      assert.equal(await c.locator('[data-job-state=ready]').count(), 2, 'the two before still downloadable');
      // The stale form submits: the edge refuses with the rule's words and the date.
      const sc = card(stale, h.management_number);
      await sc.locator('[data-action=submit-apply]').click();
      const alert = sc.locator('[data-role=apply-error]:not([hidden])');
      await alert.waitFor();
      assert.equal(await alert.getAttribute('data-next-allowed'), next);
      assert.match(await alert.textContent(), new RegExp(`最早可于${next}再次申请`));
      assert.equal(await alert.locator('[data-code]').getAttribute('data-code'), 'ANNOTATION_TOO_MANY');
      // In English, the same refusal in the edge's English words.
      await stale.locator('#lang').click();
      assert.match(await alert.textContent(), new RegExp(`the next is possible on ${next}`));
      await assertAxe(stale, 'my certificates, refused form, en, desktop');
      await stale.locator('#lang').click();
    } finally {
      await stale.close();
    }
    // The signer makes the 3rd (its own ledger agrees: 3 in 90 days); the card shows three ready windows.
    await env.signer();
    await c.locator('[data-job-state=generating]').waitFor({ state: 'detached', timeout: 60000 });
    assert.equal(await c.locator('[data-job-state=ready]').count(), 3);
  });

  test('刘洋\'s expired 加注 (the demo\'s sample, imported by the seed): 加注件已过期, download refused, apply again offered', async () => {
    const h = H['刘洋'];
    const page = await newPage({ width: 375, height: 740 });
    try {
      assert.equal(await register(page, env.base, { typed: '刘洋', id: h.id }), null);
      const c = card(page, h.management_number);
      await c.waitFor();
      const exp = c.locator('[data-job-state=expired]');
      await exp.waitFor();
      assert.equal(await exp.locator('[data-role=expired]').textContent(), '加注件已过期');
      assert.match(await c.textContent(), /无法查看和下载，请重新申请加注/);
      assert.equal(await c.locator('[data-action=download]').count(), 0, 'no download link');
      const r = await pageFetch(page, 'GET', `/v1/holder/certificates/${h.management_number}/annotations/${await exp.getAttribute('data-job')}/pdf`);
      assert.equal(r.status, 410);
      assert.equal(r.json.code, 'ANNOTATION_EXPIRED');
      assert.match(r.json.message.zh, /加注件已过期/);
      assert.equal(await c.locator('[data-action=apply]').textContent(), '重新申请加注');
      await assertAxe(page, 'my certificates with an expired 加注, zh, phone');
    } finally {
      await page.close();
    }
  });

  test('a certificate revoked through the admin API: 已撤销, [详情] shows time and reason, no 加注 (and the API refuses one)', async () => {
    const h = H['李娜'];
    const reason = '以不正当手段取得（测试）';
    const r = await env.admin('POST', '/v1/admin/revocations', { management_number: h.management_number, reason });
    assert.ok(r.status < 300, `revoked: ${r.status} ${r.text}`);
    const page = await newPage({ width: 375, height: 740 });
    try {
      assert.equal(await register(page, env.base, { typed: '李娜', id: h.id }), null);
      const c = card(page, h.management_number);
      await c.waitFor();
      assert.equal(await c.locator('[data-role=status]').getAttribute('data-state'), 'revoked');
      assert.match(await c.locator('[data-role=status] .badge').textContent(), /已撤销/);
      const details = c.locator('[data-action=details]');
      assert.equal(await details.getAttribute('aria-expanded'), 'false');
      assert.ok(await c.locator('[data-role=revocation]').isHidden());
      await details.click();
      assert.equal(await details.getAttribute('aria-expanded'), 'true');
      assert.equal(await c.locator('[data-field=revoked-reason]').textContent(), reason);
      assert.match(await c.locator('[data-field=revoked-at]').textContent(), new RegExp(`^${chinaToday()} \\d\\d:\\d\\d（北京时间）$`));
      assert.equal(await c.locator('[data-action=apply]').count(), 0, 'no apply button');
      assert.equal(await c.locator('[data-action=download]').count(), 0, 'no download');
      // The demo's 加注 of this certificate is no longer offered as valid.
      assert.equal(await c.locator('[data-role=annotation]').getAttribute('data-state'), 'revoked');
      assert.match(await c.locator('[data-role=annotation]').textContent(), /证书已撤销，加注件不能查看和下载/);
      assert.doesNotMatch(await c.textContent(), /\bnull\b|undefined/);
      const refused = await pageFetch(page, 'POST', `/v1/holder/certificates/${h.management_number}/annotations`, { scenario: '本人调用', valid_from: chinaToday(), days: 30 });
      assert.equal(refused.status, 409);
      assert.equal(refused.json.code, 'CERTIFICATE_REVOKED');
      await assertAxe(page, 'my certificates with a revoked certificate and its details, zh, phone');
      await page.locator('#lang').click();
      assert.match(await c.locator('[data-role=status] .badge').textContent(), /Revoked/);
      await assertAxe(page, 'my certificates with a revoked certificate, en, phone');
    } finally {
      await page.close();
    }
  });

  test('王芳\'s association certificate issued before 2021-12-17: no 加注, direct 下载', async () => {
    const h = H['王芳'];
    const page = await newPage();
    try {
      assert.equal(await register(page, env.base, { typed: '王芳', id: h.id }), null);
      const c = card(page, h.management_number);
      await c.waitFor();
      assert.equal(await c.locator('[data-role=annotation]').getAttribute('data-state'), 'not_needed');
      assert.match(await c.textContent(), /无须加注，可直接下载/);
      assert.equal(await c.locator('[data-action=apply]').count(), 0);
      const [download] = await Promise.all([page.waitForEvent('download'), c.locator('[data-action=download]').click()]);
      assert.equal(readFileSync(await download.path()).subarray(0, 5).toString(), '%PDF-');
    } finally {
      await page.close();
    }
  });

  test('someone with no certificate: the empty list says why; axe-clean in zh and en on a phone; the account deleted', async () => {
    const page = await newPage({ width: 375, height: 740 });
    try {
      // A valid ID number (GB 11643 check character) under which nothing was issued.
      assert.equal(await register(page, env.base, { typed: '赵无证', id: '110101199003070011' }), null);
      const empty = page.locator('[data-role=empty]');
      await empty.waitFor();
      const text = await empty.textContent();
      for (const re of [/没有找到您的证书/, /人事考试机构登记的不一致/, /生僻字/, /2021年12月17日以前/, /24项/, /暂未上线/]) assert.match(text, re);
      await assertAxe(page, 'empty list, zh, phone');
      await page.locator('#lang').click();
      assert.match(await empty.textContent(), /No certificate found/);
      await assertAxe(page, 'empty list, en, phone');
      await page.locator('#lang').click();
      // Deleting the account: a wrong password is refused; the right one deletes it, and it cannot sign in again.
      page.on('dialog', (d) => d.accept());
      await page.locator('#delete-zone summary').click();
      await page.locator('#delete-password').fill('not-my-password-0');
      await page.locator('#delete-submit').click();
      await page.locator('#delete-error:not([hidden])').waitFor();
      await page.locator('#delete-password').fill(PASSWORD);
      await page.locator('#delete-submit').click();
      await page.waitForURL(/\/holder\/register(\.html)?\?deleted=1$/);
      await page.locator('#deleted:not([hidden])').waitFor();
      assert.match(await page.locator('#deleted').textContent(), /账号已注销/);
      await page.goto(`${env.base}/holder/login.html?lang=zh-CN`);
      await page.locator('#name').fill('赵无证');
      await page.locator('#id_number').fill('110101199003070011');
      await page.locator('#password').fill(PASSWORD);
      await page.locator('#submit').click();
      await page.locator('#error:not([hidden])').waitFor();
      assert.match(await page.locator('#error').textContent(), /姓名、证件号码或密码不正确/);
    } finally {
      await page.close();
    }
  });

  test('my certificates with ready 加注 and the refusal is axe-clean (zh and en, phone and desktop, light and dark); no page errors', async () => {
    const page = zhang.page;
    assert.doesNotMatch(await page.locator('main').textContent(), /\bnull\b|undefined|NaN/);
    for (const vp of [{ width: 375, height: 740 }, { width: 1280, height: 900 }]) {
      await page.setViewportSize(vp);
      await assertAxe(page, `my certificates, zh, ${vp.width}`);
      await page.locator('#lang').click();
      assert.match(await page.locator('h1').textContent(), /My certificates/);
      await assertAxe(page, `my certificates, en, ${vp.width}`);
      await page.locator('#lang').click();
    }
    // Dark (prefers-color-scheme): the same contrast rules.
    await page.emulateMedia({ colorScheme: 'dark' });
    await assertAxe(page, 'my certificates, zh, dark');
    await page.goto(`${env.base}/holder/register.html?lang=en`);
    await page.locator('#submit').click();
    await page.locator('#error:not([hidden])').waitFor();
    await assertAxe(page, 'register with an error, en, dark');
    await page.locator('#name-row .picker-open').click();
    await page.keyboard.type('yan');
    await page.locator('[role=option]').first().waitFor();
    await assertAxe(page, 'the picker, en, dark');
    await page.close();
    assert.deepEqual(pageErrors, []);
  });
});
