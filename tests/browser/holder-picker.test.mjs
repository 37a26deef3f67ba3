// The 生僻字 picker (issue 18) in Chromium, on the built pages (no edge needed: the dialog only reads
// picker/rare-chars.json): the data is fetched only when a dialog first opens; "yan" finds 䶮 (U+4DAE, Ext A) with
// its reading yǎn, a tone digit narrows; 𠈌 (U+2020C, Ext B), which has no Mandarin reading in Unihan, is found by
// radical + residual strokes as a user types them (亻6 — kRSUnicode 9.6 — and the variant forms 人6, 人+6, ⼈6),
// picked with the keyboard, the radical index fetched only then; and still by its code point; keyboard (↓/↑,
// Enter), click, Esc; the character goes in at the caret and the focus returns to the name field; the button and
// dialog in zh and en; axe-core on the open dialog with pinyin and with radical results. And:
// scripts/gen-rare-chars.py reproduces the committed www/picker/rare-chars.json and rare-radicals.json from
// Debian's unicode-data, when that is installed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { axeViolations } from './support/axe.mjs';
import { launch } from './support/chromium.mjs';
import { ROOT, fixture } from './support/fixture.mjs';
import { serve } from './support/server.mjs';

const UNIHAN = '/usr/share/unicode/Unihan_Readings.txt.bz2';
const IRG = '/usr/share/unicode/Unihan_IRGSources.txt.bz2';
let fx, browser, site;

before(async () => {
  fx = fixture();
  browser = await launch();
  site = await serve({ root: fx.distDir });
});
after(async () => {
  await browser?.close();
  await site?.close();
});

test('gen-rare-chars.py reproduces the committed rare-chars.json and rare-radicals.json (Debian unicode-data)', { skip: !(existsSync(UNIHAN) && existsSync(IRG)) && `${UNIHAN} not installed` }, () => {
  const r = spawnSync('python3', [join(ROOT, 'scripts/gen-rare-chars.py'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const data = JSON.parse(readFileSync(join(ROOT, 'www/picker/rare-chars.json'), 'utf8'));
  assert.equal(data.schema, 'ecert.rare-chars/1');
  // The subset: no GB 2312 character (common ones come from any IME); 䶮 under yan with tone 3.
  assert.ok(!data.keys.zhang.includes('张'), 'GB 2312 characters are not in the subset');
  assert.match(data.keys.yan, /䶮3/);
  assert.ok(data.count > 30000, `${data.count} characters`);
  // The radical index: 𠈌 (kRSUnicode 9.6, no kMandarin) under radical 9 (人) with 6 residual strokes; 䶮 (212'.4)
  // under the simplified 龙; every character of rare-chars.json is in it.
  assert.ok(!Object.values(data.keys).join('').includes('𠈌'), '𠈌 has no pinyin');
  const rad = JSON.parse(readFileSync(join(ROOT, 'www/picker/rare-radicals.json'), 'utf8'));
  assert.equal(rad.schema, 'ecert.rare-radicals/1');
  assert.equal(rad.radicals['9'], '人');
  assert.equal(Object.keys(rad.radicals).filter((k) => !k.endsWith("'")).length, 214);
  const runs = (r) => new Map(rad.rs[r].split(';').map((x) => [Number(x.split(':')[0]), x.split(':')[1]]));
  assert.ok(runs('9').get(6).includes('𠈌'));
  assert.ok(runs("212'").get(4).includes('䶮'));
  const all = new Set(Array.from(Object.values(rad.rs).join('').replace(/[-0-9:;]/g, ''))); // strokes may be -1 (巛.-1)
  assert.equal(all.size, rad.count);
  for (const ch of Array.from(Object.values(data.keys).join('').replace(/[0-9]/g, ''))) assert.ok(all.has(ch), ch);
});

async function openPage(lang = 'zh-CN') {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const dataRequests = [];
  const radicalRequests = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/picker/rare-chars.json')) dataRequests.push(r.url());
    if (r.url().endsWith('/picker/rare-radicals.json')) radicalRequests.push(r.url());
  });
  await page.goto(`${site.url}/holder/register.html${lang === 'en' ? '?lang=en' : '?lang=zh-CN'}`);
  await page.waitForSelector('.picker-open');
  return { page, errors, dataRequests, radicalRequests };
}

test('䶮 by "yan" with the keyboard: ↓ to it, Enter inserts it at the caret, focus back on 姓名; data loaded on first open only', async () => {
  const { page, errors, dataRequests } = await openPage();
  try {
    const button = page.locator('#name-row .picker-open');
    assert.equal(await button.textContent(), '生僻字输入');
    assert.match(await button.getAttribute('aria-label'), /生僻字输入：按拼音或部首查找姓名中的字/);
    await page.waitForTimeout(300);
    assert.equal(dataRequests.length, 0, 'no data before the dialog opens');

    await page.fill('#name', '刘');
    await button.click();
    const dialog = page.locator('dialog.picker-dialog[open]');
    await dialog.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('role')), 'combobox', 'focus in the pinyin field');
    await page.keyboard.type('yan');
    await page.locator('[role=option][data-char="䶮"]').waitFor();
    assert.equal(dataRequests.length, 1);
    assert.equal(await page.locator('[role=option][data-char="䶮"] .picker-reading').textContent(), 'yǎn');
    assert.match(await page.locator('.picker-status').textContent(), /^找到 \d+ 个字/);
    // The active option is announced through aria-activedescendant; ↓ until it is 䶮.
    let steps = 0;
    for (;;) {
      const active = await page.evaluate(() => {
        const q = document.activeElement;
        const id = q.getAttribute('aria-activedescendant');
        return id && document.getElementById(id).dataset.char;
      });
      if (active === '䶮') break;
      await page.keyboard.press('ArrowDown');
      assert.ok(++steps < 100, '䶮 among the first 100 of "yan"');
    }
    assert.equal(await page.locator('[role=option][data-char="䶮"]').getAttribute('aria-selected'), 'true');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' }).catch(() => {});
    assert.equal(await page.locator('dialog.picker-dialog').evaluate((d) => d.open), false);
    assert.equal(await page.inputValue('#name'), '刘䶮');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'name', 'focus back on the name field');
    assert.deepEqual(await page.evaluate(() => [document.activeElement.selectionStart, document.activeElement.selectionEnd]), [2, 2], 'caret right after 䶮');

    // Opening again does not fetch again; a tone digit narrows: yan3 has 䶮, yan1 has not.
    await button.click();
    await page.keyboard.type('yan3');
    await page.locator('[role=option][data-char="䶮"]').waitFor();
    await page.fill('.picker-q', 'yan1');
    await page.waitForFunction(() => !document.querySelector('[role=option][data-char="䶮"]') && document.querySelectorAll('[role=option]').length > 0);
    assert.equal(dataRequests.length, 1, 'the data is fetched once');
    // Esc closes without inserting; the focus returns to the name field.
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('dialog.picker-dialog').evaluate((d) => d.open), false);
    assert.equal(await page.inputValue('#name'), '刘䶮');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'name');
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

/** ↓ until the active option (aria-activedescendant of the focused combobox) is `ch`. */
async function arrowTo(page, ch) {
  for (let steps = 0; ; steps++) {
    const active = await page.evaluate(() => {
      const id = document.activeElement.getAttribute('aria-activedescendant');
      return id && document.getElementById(id).dataset.char;
    });
    if (active === ch) return steps;
    assert.ok(steps < 200, `${ch} among the first 200`);
    await page.keyboard.press('ArrowDown');
  }
}

test('𠈌 (no kMandarin) by radical + strokes typed as a user would: 亻6, keyboard only; variant forms 人6 / 人+6 / ⼈6 find it too', async () => {
  const { page, errors, dataRequests, radicalRequests } = await openPage();
  try {
    await page.fill('#name', '王');
    await page.locator('#name-row .picker-open').focus();
    await page.keyboard.press('Enter');
    const dialog = page.locator('dialog.picker-dialog[open]');
    await dialog.waitFor();
    // Pinyin first: the radical index is not fetched for it.
    await page.keyboard.type('yan');
    await page.locator('[role=option][data-char="䶮"]').waitFor();
    assert.equal(radicalRequests.length, 0, 'no radical index for a pinyin query');
    await page.fill('.picker-q', '');
    // 亻 (the form written in 𠈌) + 6 residual strokes (Unihan kRSUnicode 9.6).
    await page.keyboard.type('亻6');
    const opt = page.locator('[role=option][data-char="𠈌"]');
    await opt.waitFor();
    assert.equal(radicalRequests.length, 1);
    assert.match(await page.locator('.picker-status').textContent(), /^部首 亻（康熙部首 9）：找到 \d+ 个字/);
    assert.match(await opt.textContent(), /无拼音读音/);
    assert.match(await opt.textContent(), /U\+2020C/);
    // Every option is a 6-stroke 人 character (佺 U+4F7A is 9.6 too, and has a reading).
    assert.match(await page.locator('[role=option][data-char="佺"] .picker-reading').textContent(), /quán/);
    await arrowTo(page, '𠈌');
    assert.equal(await opt.getAttribute('aria-selected'), 'true');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('dialog.picker-dialog').evaluate((d) => d.open), false);
    assert.equal(await page.inputValue('#name'), '王𠈌');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'name', 'focus back on the name field');
    // The radical's other forms give the same list: 人 (the Kangxi radical as a character), 人+6, ⼈ (U+2F08, the
    // Kangxi Radicals block), full-width digits.
    await page.locator('#name-row .picker-open').click();
    await page.keyboard.type('亻6');
    await opt.waitFor();
    const chars = () => page.evaluate(() => [...document.querySelectorAll('[role=option]')].map((o) => o.dataset.char).join(''));
    const list = await chars();
    assert.ok(list.length > 20, list);
    for (const q of ['人6', '人+6', '⼈6', '人 ６']) {
      await page.fill('.picker-q', q);
      await opt.waitFor();
      assert.equal(await chars(), list, `${q} lists what 亻6 lists`);
    }
    // Other variant forms: 氵 → 水 (85), 钅 ↔ 金 (167′, 167), 阝 → 阜 and 邑; a radical alone lists it by strokes.
    await page.fill('.picker-q', '氵5');
    await page.waitForFunction(() => /康熙部首 85/.test(document.querySelector('.picker-status').textContent));
    await page.fill('.picker-q', '钅');
    await page.waitForFunction(() => /康熙部首 167′, 167/.test(document.querySelector('.picker-status').textContent));
    await page.fill('.picker-q', '金');
    await page.waitForFunction(() => /康熙部首 167, 167′/.test(document.querySelector('.picker-status').textContent));
    await page.fill('.picker-q', '阝3');
    await page.waitForFunction(() => /康熙部首 170, 163/.test(document.querySelector('.picker-status').textContent));
    // Not a radical, and a stroke count with nothing: the status says so.
    await page.fill('.picker-q', '䶮');
    await page.waitForFunction(() => /“䶮”不是部首/.test(document.querySelector('.picker-status').textContent));
    await page.fill('.picker-q', '亻60');
    await page.waitForFunction(() => /部首“亻”外 60 画没有生僻字/.test(document.querySelector('.picker-status').textContent));
    assert.equal(await page.locator('[role=option]').count(), 0);
    // Pinyin and code points still work after radical queries.
    await page.fill('.picker-q', 'yan');
    await page.locator('[role=option][data-char="䶮"]').waitFor();
    await page.fill('.picker-q', 'U+2020C');
    await opt.waitFor();
    await page.keyboard.press('Escape');
    assert.equal(await page.inputValue('#name'), '王𠈌');
    assert.equal(dataRequests.length, 1);
    assert.equal(radicalRequests.length, 1, 'the radical index is fetched once');
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('𠈌 (U+2020C, Ext B, no kMandarin in Unihan) by its code point, clicked into the middle of the name; ü as v', async () => {
  const { page, errors } = await openPage();
  try {
    await page.fill('#name', '王伟');
    // Caret between 王 and 伟.
    await page.evaluate(() => { const i = document.getElementById('name'); i.focus(); i.setSelectionRange(1, 1); });
    await page.locator('#name-row .picker-open').click();
    await page.keyboard.type('U+2020C');
    const opt = page.locator('[role=option][data-char="𠈌"]');
    await opt.waitFor();
    assert.match(await opt.textContent(), /U\+2020C/);
    assert.match(await opt.textContent(), /无拼音读音/);
    await opt.click();
    assert.equal(await page.inputValue('#name'), '王𠈌伟');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'name');
    // Moving on at once (a fast Tab, or a script filling the next field before the dialog's close event arrives)
    // keeps the focus where it went: the next field's text never lands in the name.
    await page.locator('#name-row .picker-open').click();
    await page.keyboard.type('U+2020C');
    await opt.waitFor();
    const where = await page.evaluate(async () => {
      document.querySelector('[role=option][data-char="𠈌"]').click();
      const id = document.getElementById('id_number');
      id.focus();
      await new Promise((r) => setTimeout(r, 100));
      return document.activeElement.id;
    });
    assert.equal(where, 'id_number', 'the close event does not pull the focus back');
    await page.keyboard.type('110101');
    assert.equal(await page.inputValue('#id_number'), '110101');
    assert.equal(await page.inputValue('#name'), '王𠈌𠈌伟');
    await page.fill('#id_number', '');
    await page.fill('#name', '王𠈌伟');
    // The pinyin "lv" finds characters read lǘ/lǚ/lǜ…, shown with ü.
    await page.locator('#name-row .picker-open').click();
    await page.keyboard.type('lv');
    await page.locator('[role=option]').first().waitFor();
    assert.match(await page.locator('[role=option] .picker-reading').first().textContent(), /^l[ǖǘǚǜü]/);
    // A pinyin no rare character has: the status says so and what to do.
    await page.fill('.picker-q', 'zzz');
    await page.waitForFunction(() => /没有读音为“zzz”的生僻字.*按部首和笔画查找/.test(document.querySelector('.picker-status').textContent));
    await page.keyboard.press('Escape');
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

for (const [lang, vp] of [['zh-CN', { width: 375, height: 740 }], ['en', { width: 375, height: 740 }], ['zh-CN', { width: 1280, height: 900 }]]) {
  test(`the open dialog is axe-clean (${lang}, ${vp.width} px) with pinyin and with radical results, labelled in the page's language`, async () => {
    const { page } = await openPage(lang);
    try {
      await page.setViewportSize(vp);
      await page.locator('#name-row .picker-open').click();
      await page.keyboard.type('yan');
      await page.locator('[role=option]').first().waitFor();
      assert.equal(await page.locator('.picker-title').textContent(), lang === 'en' ? 'Rare character input' : '生僻字输入');
      assert.equal(await page.locator('.picker-list').getAttribute('aria-label'), lang === 'en' ? 'Characters' : '候选字');
      const v = await axeViolations(page);
      assert.deepEqual(v, [], JSON.stringify(v, null, 1));
      // The dialog fits the phone screen.
      const box = await page.locator('dialog.picker-dialog').boundingBox();
      assert.ok(box.width <= vp.width && box.height <= vp.height, JSON.stringify(box));
      // Radical results (𠈌, no reading, active).
      await page.fill('.picker-q', '亻6');
      await page.locator('[role=option][data-char="𠈌"]').waitFor();
      await arrowTo(page, '𠈌');
      assert.match(await page.locator('.picker-status').textContent(), lang === 'en' ? /^Radical 亻 \(Kangxi 9\): \d+ characters found/ : /^部首 亻/);
      const v2 = await axeViolations(page);
      assert.deepEqual(v2, [], JSON.stringify(v2, null, 1));
      const box2 = await page.locator('dialog.picker-dialog').boundingBox();
      assert.ok(box2.width <= vp.width && box2.height <= vp.height, JSON.stringify(box2));
    } finally {
      await page.close();
    }
  });
}
