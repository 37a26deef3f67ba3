// 证书查验 (www/lookup/, issue 18) in Chromium against the real edge on workerd (POST /v1/lookup, same origin): a
// third party finds a certificate by 姓名 + 证件号码 + 管理号, and by 查询编号 (刘䶮's name typed with the 生僻字
// picker); the answer shown is the registry's (masked ID number, qualification, dates, 有效 / 已撤销 with time and
// reason); a wrong 管理号 and a real 管理号 with someone else's details both get the edge's one uniform not-found,
// word for word the same; axe-core zero violations in zh and en, phone and desktop, empty, with a result and a miss.
// Eight lookups in all: the edge allows ten a minute per client.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { axeViolations } from './support/axe.mjs';
import { launch } from './support/chromium.mjs';
import { chinaToday, masked } from './support/fixture.mjs';
import { holders, pickRare, startHolderEdge } from './holder-support.mjs';

let env, browser, H, page;
const errors = [];

before(async () => {
  env = await startHolderEdge();
  H = holders(env.fx);
  browser = await launch();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
});
after(async () => {
  await browser?.close();
  await env?.stop();
});

async function lookup({ name, rare, id, kind = 'management_number', number }) {
  await page.goto(`${env.base}/lookup/`);
  await page.locator('#name').fill(name);
  if (rare) await pickRare(page, rare.query, rare.ch);
  await page.locator('#id_number').fill(id);
  await page.locator(`input[name=kind][value=${kind}]`).check();
  await page.locator('#number').fill(number);
  const answered = page.waitForResponse((r) => r.url().endsWith('/v1/lookup'));
  await page.locator('#submit').click();
  await answered;
  await page.locator('#result:not([hidden])').waitFor();
  return page.locator('#result');
}

test('found by 管理号: the registry\'s fields, 有效; the page posts to /v1/lookup on its own origin', async () => {
  const h = H['张伟'];
  const r = await lookup({ name: h.name, id: h.id, number: h.management_number });
  assert.equal(await r.getAttribute('data-result'), 'found');
  assert.equal(await r.locator('h2').textContent(), '查验结果：登记库中有此证书');
  assert.equal(await r.locator('[data-field=name]').textContent(), '张伟');
  assert.equal(await r.locator('[data-field=id-number]').textContent(), masked(h.id));
  assert.equal(await r.locator('[data-field=management-number]').textContent(), h.management_number);
  assert.equal(await r.locator('[data-field=query-number]').textContent(), h.query_number);
  assert.match(await r.locator('[data-field=qualification]').textContent(), /\S/);
  assert.equal(await r.locator('[data-field=status] .badge').textContent(), '有效');
  assert.equal(await r.locator('[data-field=sex]').textContent(), '男');
  assert.equal(await r.locator('[data-field=birth]').textContent(), '1988-04');
  // English: the same answer in English.
  await page.locator('#lang').click();
  assert.equal(await r.locator('[data-field=status] .badge').textContent(), 'Valid');
  assert.equal(await r.locator('[data-field=sex]').textContent(), 'male');
  await page.locator('#lang').click();
});

test('found by 查询编号, the name typed with the 生僻字 picker (刘 + "yan" → 䶮)', async () => {
  const h = H['刘䶮'];
  const r = await lookup({ name: '刘', rare: { query: 'yan', ch: '䶮' }, id: h.id, kind: 'query_number', number: h.query_number.toLowerCase() });
  assert.equal(await r.getAttribute('data-result'), 'found');
  assert.equal(await r.locator('[data-field=name]').textContent(), '刘䶮');
  assert.equal(await r.locator('[data-field=management-number]').textContent(), h.management_number);
});

test('a revoked certificate: 已撤销 with the time and the reason', async () => {
  const h = H['杨磊'];
  const reason = '证书信息有误，已收回（查验测试）';
  const a = await env.admin('POST', '/v1/admin/revocations', { management_number: h.management_number, reason });
  assert.ok(a.status < 300, a.text);
  const r = await lookup({ name: h.name, id: h.id, number: h.management_number });
  assert.equal(await r.locator('[data-field=status] .badge').textContent(), '已撤销');
  assert.equal(await r.locator('[data-field=revoked-reason]').textContent(), reason);
  assert.match(await r.locator('[data-field=revoked-at]').textContent(), new RegExp(`^${chinaToday()} \\d\\d:\\d\\d（北京时间）$`));
});

test('the uniform not-found: a 管理号 never issued and a real one with another holder\'s details read the same', async () => {
  const zhang = H['张伟'];
  const li = H['李娜'];
  const miss = await lookup({ name: zhang.name, id: zhang.id, number: '209912319999' });
  assert.equal(await miss.getAttribute('data-result'), 'not-found');
  assert.equal(await miss.locator('h2').textContent(), '查验结果：未查询到证书');
  const msg = miss.locator('[data-role=message]');
  assert.equal(await msg.getAttribute('data-code'), 'NOT_FOUND');
  assert.equal(await msg.getAttribute('data-reason'), 'no_match');
  const text1 = await miss.textContent();
  assert.match(text1, /未查询到证书：信息有误或证书未颁发。/);
  // 李娜's real 管理号 with 张伟's name and ID number: the same words, nothing more.
  const other = await lookup({ name: zhang.name, id: zhang.id, number: li.management_number });
  assert.equal(await other.getAttribute('data-result'), 'not-found');
  assert.equal(await other.textContent(), text1);
  assert.equal(await other.locator('[data-field]').count(), 0, 'no certificate field shown');
  await page.locator('#lang').click();
  assert.match(await other.textContent(), /No certificate found: the information is wrong or no such certificate was issued\./);
  await page.locator('#lang').click();
});

test('axe-core: zero violations in zh and en, phone and desktop, empty, with a result and with a miss', async () => {
  const h = H['王𠈌'];
  for (const vp of [{ width: 375, height: 740 }, { width: 1280, height: 900 }]) {
    await page.setViewportSize(vp);
    for (const lang of ['zh-CN', 'en']) {
      await page.goto(`${env.base}/lookup/?lang=${lang}`);
      await page.locator('.picker-open').waitFor();
      let v = await axeViolations(page);
      assert.deepEqual(v, [], `empty ${lang} ${vp.width}: ${JSON.stringify(v, null, 1)}`);
    }
    // One lookup per viewport (the edge allows 10 lookups a minute per client): a miss on the phone, a result on
    // the desktop.
    for (const [what, number] of vp.width < 500 ? [['miss', '209912319998']] : [['result', h.management_number]]) {
      await lookup({ name: '王', rare: { query: '亻6', ch: '𠈌' }, id: h.id, number });
      for (let i = 0; i < 2; i++) {
        const v = await axeViolations(page);
        assert.deepEqual(v, [], `${what} ${await page.evaluate(() => document.documentElement.lang)} ${vp.width}: ${JSON.stringify(v, null, 1)}`);
        await page.locator('#lang').click();
      }
    }
  }
  // Dark (prefers-color-scheme), with the miss shown.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width: 375, height: 740 });
  await lookup({ name: '张伟', id: H['张伟'].id, number: '209912319997' });
  const v = await axeViolations(page);
  assert.deepEqual(v, [], `miss, dark: ${JSON.stringify(v, null, 1)}`);
  assert.deepEqual(errors, []);
});
