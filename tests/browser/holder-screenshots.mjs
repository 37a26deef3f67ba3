// Screenshots of the holder's pages and 证书查验 for www/README.md (issue 18), from the real build served by the real
// edge on workerd with the real signer — never by hand: register (the 生僻字 picker open on "yan", and on the radical
// query "亻6" with 𠈌 chosen), login, my
// certificates (张伟: two ready 加注, one being made, the 4th refused with the next allowed date), a revoked
// certificate with its 详情 (李娜), an expired 加注 (刘洋), 证书查验 with a result; zh and en, desktop 1280 and
// phone 375, light.
//   node tests/browser/holder-screenshots.mjs     (scripts/screenshots.sh runs it; → www/screenshots/holder-*.png)
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { launch } from './support/chromium.mjs';
import { ROOT } from './support/fixture.mjs';
import { apply, card, holders, pickRare, register, startHolderEdge } from './holder-support.mjs';

const OUT = process.env.ECERT_SCREENSHOTS || join(ROOT, 'www/screenshots');
const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 375, height: 740 } };
const LANGS = { zh: 'zh-CN', en: 'en' };

mkdirSync(OUT, { recursive: true });
const env = await startHolderEdge();
const H = holders(env.fx);
const browser = await launch();
const made = [];

async function shot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(250);
  const file = join(OUT, `holder-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  made.push(file);
}

async function setLang(page, lang) {
  const now = await page.evaluate(() => document.documentElement.lang);
  if ((now === 'en') !== (lang === 'en')) await page.locator('#lang').click();
}

try {
  const page = await browser.context.newPage();
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
  page.on('dialog', (d) => d.accept());

  // The states: 张伟 with the demo's 加注, one more made by the signer, a third being made (the 4th refused).
  const zw = H['张伟'];
  await register(page, env.base, { typed: '张伟', id: zw.id });
  await apply(page, zw.management_number, { days: 90 });
  await card(page, zw.management_number).locator('[data-role=generating]').waitFor();
  await env.signer();
  await card(page, zw.management_number).locator('[data-role=generating]').waitFor({ state: 'detached', timeout: 60000 });
  await apply(page, zw.management_number, { days: 30 });
  await card(page, zw.management_number).locator('[data-role=cannot-apply]').waitFor();
  for (const [l, lang] of Object.entries(LANGS)) {
    for (const [v, vp] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(vp);
      await setLang(page, lang);
      await shot(page, `certificates-${l}-${v}`);
    }
  }
  // 李娜's revoked certificate, 详情 open; 刘洋's expired 加注 (phone, zh).
  const li = H['李娜'];
  await env.admin('POST', '/v1/admin/revocations', { management_number: li.management_number, reason: '以不正当手段取得证书，依规撤销' });
  await page.setViewportSize(VIEWPORTS.phone);
  await register(page, env.base, { typed: '李娜', id: li.id });
  await card(page, li.management_number).locator('[data-action=details]').click();
  await shot(page, 'revoked-zh-phone');
  await register(page, env.base, { typed: '刘洋', id: H['刘洋'].id });
  await card(page, H['刘洋'].management_number).locator('[data-job-state=expired]').waitFor();
  await shot(page, 'expired-zh-phone');
  await page.locator('#logout').click();
  await page.waitForURL(/\/holder\/login(\.html)?$/);

  for (const [l, lang] of Object.entries(LANGS)) {
    for (const [v, vp] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(vp);
      // Register, with the picker open on "yan".
      await page.goto(`${env.base}/holder/register.html?lang=${lang}`);
      await page.locator('#name').fill('刘');
      await page.locator('#name-row .picker-open').click();
      await page.keyboard.type('yan');
      await page.locator('[role=option][data-char="䶮"]').waitFor();
      for (let i = 0; i < 30 && !(await page.locator('[role=option][data-char="䶮"][aria-selected=true]').count()); i++) await page.keyboard.press('ArrowDown');
      await page.waitForTimeout(250);
      const file = join(OUT, `holder-picker-${l}-${v}.png`);
      await page.screenshot({ path: file });
      made.push(file);
      await page.keyboard.press('Enter');
      await page.locator('#id_number').fill(H['刘䶮'].id);
      await shot(page, `register-${l}-${v}`);
      // The picker on a radical query: 亻 + 6 strokes, 𠈌 (no pinyin reading) chosen.
      await page.locator('#name').fill('王');
      await page.locator('#name-row .picker-open').click();
      await page.keyboard.type('亻6');
      await page.locator('[role=option][data-char="𠈌"]').waitFor();
      for (let i = 0; i < 100 && !(await page.locator('[role=option][data-char="𠈌"][aria-selected=true]').count()); i++) await page.keyboard.press('ArrowDown');
      await page.waitForTimeout(250);
      const rfile = join(OUT, `holder-picker-radical-${l}-${v}.png`);
      await page.screenshot({ path: rfile });
      made.push(rfile);
      await page.keyboard.press('Escape');
      // Login.
      await page.goto(`${env.base}/holder/login.html?lang=${lang}`);
      await page.locator('.picker-open').waitFor();
      await shot(page, `login-${l}-${v}`);
      // 证书查验 with a result (王𠈌, the name through the picker).
      await page.goto(`${env.base}/lookup/?lang=${lang}`);
      await page.locator('#name').fill('王');
      await pickRare(page, '亻6', '𠈌');
      await page.locator('#id_number').fill(H['王𠈌'].id);
      await page.locator('#number').fill(H['王𠈌'].management_number);
      await page.locator('#submit').click();
      await page.locator('#result:not([hidden])').waitFor();
      await shot(page, `lookup-${l}-${v}`);
    }
  }
} finally {
  await browser.close();
  await env.stop();
}
console.log(`${made.length} screenshots in ${OUT}:\n${made.map((f) => `  ${f}`).join('\n')}`);
