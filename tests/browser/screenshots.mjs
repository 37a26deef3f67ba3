// Screenshots of the page for www/README.md: zh and en, desktop and phone, light and dark, with three certificates
// dropped (valid, expired 加注, untrusted seal) — made from the real build, never by hand.
//   scripts/screenshots.sh            (→ www/screenshots/page-{zh,en}-{desktop,phone}-{light,dark}.png)
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { launch } from './support/chromium.mjs';
import { ROOT, fixture } from './support/fixture.mjs';
import { serve } from './support/server.mjs';

const OUT = process.env.ECERT_SCREENSHOTS || join(ROOT, 'www/screenshots');
const FILES = ['untrusted-seal.pdf', 'annotation-expired.pdf', 'valid-style1.pdf'];
const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 375, height: 667 } };

const fx = fixture();
mkdirSync(OUT, { recursive: true });
const site = await serve({ root: fx.distDir, headersFile: true });
const browser = await launch();
const made = [];
try {
  for (const lang of ['zh', 'en']) {
    for (const [vpName, viewport] of Object.entries(VIEWPORTS)) {
      for (const scheme of ['light', 'dark']) {
        const page = await browser.context.newPage();
        await page.setViewportSize(viewport);
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(`${site.url}/?lang=${lang === 'en' ? 'en' : 'zh-CN'}`);
        await page.waitForFunction(() => document.documentElement.dataset.ready === '1');
        await page.locator('#file').setInputFiles(FILES.map((f) => ({ name: f, mimeType: 'application/pdf', buffer: readFileSync(join(fx.samplesDir, f)) })));
        await page.waitForFunction((n) => window.ecert.items.length === n && window.ecert.items.every((i) => i.verdict.state !== 'pending'), FILES.length, { timeout: 60000 });
        await page.waitForFunction((n) => document.querySelectorAll('.preview-canvas canvas').length >= n, FILES.length - 1, { timeout: 30000 }).catch(() => {});
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.waitForTimeout(300);
        const file = join(OUT, `page-${lang}-${vpName}-${scheme}.png`);
        await page.screenshot({ path: file });
        made.push(file);
        await page.close();
      }
    }
  }
} finally {
  await browser.close();
  await site.close();
}
console.log(made.join('\n'));
