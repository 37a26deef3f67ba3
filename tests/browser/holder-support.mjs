// Shared by holder.test.mjs and holder-screenshots.mjs: the real edge on workerd (tests/support/edge.mjs) serving
// the built pages, a copy of the demo PKI for the real signer (`ecert signer --once`) and the status publisher
// (`ecert status publish`), and what a holder does on the pages (register with the 生僻字 picker, sign in, apply).
// The edge is seeded with the demo's files (worker/scripts/seed.mjs `files: true`) and no holder account.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { fixture } from './support/fixture.mjs';

const run = promisify(execFile);

/** The demo's holders (samples/manifest.json) by name. */
export function holders(fx) {
  const by = {};
  for (const s of fx.manifest.samples) {
    if (s.file === 'retired-seal.pdf') continue; // a forgery under another holder's 管理号
    by[s.holder_name] ??= { name: s.holder_name, id: s.id_number, management_number: s.management_number, query_number: s.query_number, file: s.file };
  }
  return by;
}

export const PASSWORD = 'correct-horse-battery-9';

/**
 * Start the edge (www built by the fixture as its assets), with a signer token and a password pepper of our own
 * (whatever tests/support/edge.mjs sets, ours win: they are the last lines of its env file).
 * → {fx, edge, base, signerToken, pki, signer(), publish(), stop()}
 */
export async function startHolderEdge() {
  const fx = fixture();
  const { startEdge } = await import('../support/edge.mjs');
  const signerToken = randomBytes(24).toString('hex');
  // The edge serves its own copy of the build: target/browser-fixture/dist is rebuilt (emptied first) whenever any
  // browser test starts, and wrangler reloads its assets when they change under it.
  const work = mkdtempSync(join(tmpdir(), 'ecert-holder-'));
  const assetsDir = join(work, 'dist');
  cpSync(fx.distDir, assetsDir, { recursive: true });
  const edge = await startEdge({
    demoDir: fx.demoDir,
    assetsDir,
    vars: { SIGNER_TOKEN: signerToken, PASSWORD_PEPPER: randomBytes(24).toString('hex') },
    seed: false,
  });
  // Seeded here, with the demo's files: the base PDF of the pre-2021 association certificate and every annotated
  // sample as a done 加注 job (so the edge's 3-in-90 count and the issuing side's ledger start equal). No account.
  try {
    const { seed } = await import('../../worker/scripts/seed.mjs');
    await seed({ baseUrl: edge.baseUrl, adminToken: edge.adminToken, demoDir: fx.demoDir, files: true });
  } catch (e) {
    await edge.stop();
    throw e;
  }
  const pki = join(work, 'pki');
  cpSync(join(fx.demoDir, 'pki'), pki, { recursive: true });
  const base = edge.baseUrl;
  return {
    fx, edge, base, signerToken, pki,
    /** One run of the real signer: claims the pending jobs, seals, uploads. Resolves with its output. */
    async signer() {
      const { stdout, stderr } = await run(fx.ecert, ['signer', '--edge', base, '--pki', pki, '--trust-list', join(fx.demoDir, 'trust-list.json'), '--once'], {
        env: { ...process.env, ECERT_SIGNER_TOKEN: signerToken }, timeout: 120000,
      });
      return stdout + stderr;
    },
    /** A status snapshot covering every copy registered so far, signed and published by the issuing side. */
    async publish() {
      const { stdout, stderr } = await run(fx.ecert, ['status', 'publish', '--pki', pki, '--edge', base, '--token', edge.adminToken], { timeout: 120000 });
      return stdout + stderr;
    },
    async admin(method, path, body) {
      const r = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${edge.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await r.text();
      let json = null;
      try { json = JSON.parse(text); } catch { /* not JSON */ }
      return { status: r.status, json, text };
    },
    async stop() {
      await edge.stop();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Pick a character with the 生僻字 picker beside `#name`: type `query`, ↓ until `ch` is active, Enter. */
export async function pickRare(page, query, ch) {
  await page.locator('#name-row .picker-open').click();
  await page.locator('dialog.picker-dialog[open] .picker-q').waitFor();
  await page.keyboard.type(query);
  await page.locator(`dialog.picker-dialog[open] [role=option][data-char="${ch}"]`).waitFor();
  for (let i = 0; i < 200; i++) {
    const active = await page.evaluate(() => {
      const q = document.querySelector('dialog.picker-dialog[open] .picker-q');
      const id = q && q.getAttribute('aria-activedescendant');
      return id ? document.getElementById(id).dataset.char : null;
    });
    if (active === ch) break;
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Enter');
}

/**
 * Register on /holder/register.html. `name` is typed as `typed` (the plain part) plus, when `rare` is given,
 * `{query, ch}` picked with the picker. Resolves when my certificates shows (or with the page's error text).
 */
export async function register(page, base, { typed, rare, id, password = PASSWORD }) {
  await page.goto(`${base}/holder/register.html?lang=zh-CN`);
  await page.locator('#name').fill(typed);
  if (rare) await pickRare(page, rare.query, rare.ch);
  await page.locator('#id_number').fill(id);
  await page.locator('#password').fill(password);
  await page.locator('#password2').fill(password);
  await page.locator('#accept').check();
  await page.locator('#submit').click();
  await Promise.race([
    page.waitForURL(/\/holder\/(index\.html)?$/, { timeout: 30000 }),
    page.locator('#error:not([hidden])').waitFor({ timeout: 30000 }),
  ]);
  if (/\/holder\/(index\.html)?$/.test(new URL(page.url()).pathname)) {
    await page.locator('#loading').waitFor({ state: 'hidden', timeout: 30000 });
    return null;
  }
  return page.locator('#error').textContent();
}

export async function login(page, base, { name, id, password = PASSWORD }) {
  await page.goto(`${base}/holder/login.html?lang=zh-CN`);
  await page.locator('#name').fill(name);
  await page.locator('#id_number').fill(id);
  await page.locator('#password').fill(password);
  await page.locator('#submit').click();
  await page.waitForURL(/\/holder\/(index\.html)?$/, { timeout: 30000 });
  await page.locator('#loading').waitFor({ state: 'hidden', timeout: 30000 });
}

export async function logout(page) {
  await page.locator('#logout').click();
  await page.waitForURL(/\/holder\/login(\.html)?$/, { timeout: 30000 });
}

export const card = (page, mn) => page.locator(`article.cert[data-management-number="${mn}"]`);

/** Apply for a 加注 on the page: [申请加注], optional start/days, 提交加注申请. */
export async function apply(page, mn, { validFrom, days } = {}) {
  const c = card(page, mn);
  await c.locator('[data-action=apply]').click();
  if (validFrom) await c.locator('input[name=valid_from]').fill(validFrom);
  if (days !== undefined) await c.locator('input[name=days]').fill(String(days));
  await c.locator('[data-action=submit-apply]').click();
}

/** YYYY-MM-DD plus n days (tests/support/edge.mjs). */
export { addDays } from '../support/edge.mjs';
