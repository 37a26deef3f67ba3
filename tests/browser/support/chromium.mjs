// Debian's chromium driven by playwright-core (never `playwright install`): headless, no network extras, a fresh
// profile per launch.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export function chromiumPath() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

export async function launch() {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('chromium not found: run scripts/setup.sh');
  const userDataDir = mkdtempSync(join(tmpdir(), 'ecert-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
  });
  const requests = [];
  context.on('request', (r) => {
    requests.push({ url: r.url(), method: r.method(), body: r.postDataBuffer() || Buffer.alloc(0), type: r.resourceType() });
  });
  return {
    context,
    requests,
    async close() {
      await context.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Whether `body` contains any 32-byte window of `pdf` (sampled every 512 bytes, plus its first and last bytes). */
export function containsPdfBytes(body, pdf) {
  if (!body || body.length < 32) return false;
  const step = 512;
  for (let off = 0; off + 32 <= pdf.length; off += step) {
    if (body.indexOf(pdf.subarray(off, off + 32)) !== -1) return true;
  }
  if (body.indexOf(pdf.subarray(pdf.length - 32)) !== -1) return true;
  // Also as base64 / hex text.
  const s = body.toString('latin1');
  for (let off = 0; off + 48 <= pdf.length; off += 4096) {
    const chunk = pdf.subarray(off, off + 48);
    if (s.includes(chunk.toString('base64')) || s.includes(chunk.toString('hex'))) return true;
  }
  return false;
}
