// Issue 17 for integrators, against the real edge (wrangler dev on workerd serving www/dist as static assets with
// its _headers) and a recruitment site on a second origin:
// - one verdict everywhere: each sample through the widget (Chromium, loaded from the edge), Node
//   (@ecert/verify-widget/server), Deno 2 and a Cloudflare Worker on workerd (the same package, from an
//   integrator's node_modules: tests/integrators/), the CLI (`ecert verify --json --status`) and the edge
//   (`POST /v1/verify`) — identical codes and certificate fields;
// - the three ways to embed, each from a second origin under a strict CSP: (1) the package copied to the site's
//   origin, (2) loaded from the edge (CORS + Cross-Origin-Resource-Policy; the module worker started through the
//   blob fallback), (3) the hosted iframe (/embed/) — framable only by the configured origin, posting its verdict
//   only there; and a widget that cannot load shows an error, never nothing.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { launch } from './support/chromium.mjs';
import { ARTIFACTS, ROOT, TARGET, fixture } from './support/fixture.mjs';
import { serve } from './support/server.mjs';
import { checkTypes, integratorProject, runDeno, startWorker } from '../integrators/runtimes.mjs';

const haveEdge = existsSync(join(ROOT, 'tests/support/edge.mjs')) && process.env.ECERT_SKIP_EDGE !== '1';
const SAMPLES = ['valid-style1.pdf', 'valid-style2.pdf', 'annotation-expired.pdf', 'annotation-missing.pdf', 'seal-not-authorized.pdf', 'untrusted-seal.pdf'];

/** A strict CSP for a site page; `extra`: origins added to script-src and connect-src; `frames`: frame-src. */
function siteCsp({ extra = [], frames = [], blob = false } = {}) {
  const x = extra.map((o) => ` ${o}`).join('');
  return ["default-src 'self'", `script-src 'self'${x} 'wasm-unsafe-eval'`, "style-src 'self'", "img-src 'self' data:",
    // A module worker's whole module graph is fetched as "worker": the edge's worker.js, imported by the blob
    // fallback, needs the edge in worker-src too.
    `connect-src 'self'${x}`, `worker-src 'self'${blob ? ` blob:${x}` : ''}`, `frame-src ${frames.length ? frames.join(' ') : "'none'"}`,
    "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"].join('; ');
}

/** Site files: an HTML page with the widget from `src`, and site.js recording its events (no inline script). */
function writeSite(dir, { src, body = '<ecert-verify id="w"><p class="fallback" role="alert">证书验证组件未能加载 / the certificate verifier could not be loaded</p></ecert-verify>' }) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.html'), `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>site</title>
${src ? `<script type="module" src="${src}"></script>` : ''}<script type="module" src="./site.js"></script></head>
<body><main><h1>site</h1>${body}</main></body></html>\n`);
  writeFileSync(join(dir, 'site.js'), `window.events = []; window.messages = []; window.loadErrors = [];
document.addEventListener('ecert-verdict', (e) => window.events.push(e.detail));
window.addEventListener('message', (e) => window.messages.push({ origin: e.origin, type: e.data && e.data.type, verdict: e.data && e.data.verdict, file: e.data && e.data.file ? { name: e.data.file.name, size: e.data.file.size } : null }));
`);
}

let fx, browser, work;
const cspViolations = [];

before(async () => {
  fx = fixture();
  browser = await launch();
  browser.context.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text()); });
  work = mkdtempSync(join(tmpdir(), 'ecert-integrators-'));
});

after(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function pick(page, file) {
  const n = await page.evaluate(() => window.events.length);
  await page.locator('ecert-verify input[type=file]').setInputFiles({ name: file, mimeType: 'application/pdf', buffer: readFileSync(join(fx.samplesDir, file)) });
  await page.waitForFunction((k) => window.events.length > k, n, { timeout: 60000 });
  return page.evaluate(() => window.events.at(-1));
}

test('way 1: the package copied to the site\'s own origin, strict CSP with nothing but \'self\'', async () => {
  const dir = join(work, 'copy');
  writeSite(dir, { src: '/vendor/ecert/ecert-verify.js' });
  cpSync(join(fx.distDir, 'widget'), join(dir, 'vendor/ecert'), { recursive: true });
  const site = await serve({ root: dir, host: 'localhost', csp: siteCsp() });
  try {
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/`);
    const v = await pick(page, 'valid-style1.pdf');
    assert.equal(v.code, 'VALID');
    assert.equal(v.file.name, 'valid-style1.pdf');
    assert.match(v.id, /^ev1-/);
    assert.equal(await page.locator('.fallback').isVisible(), false, 'the fallback is hidden once the element runs');
    await page.close();
  } finally {
    await site.close();
  }
});

test('the server entry in every Node >= 20 on this machine (the system node too): same verdict, same id', async () => {
  const script = `const { verify } = await import(${JSON.stringify(pathToFileURL(join(fx.distDir, 'widget/server.js')).href)});
    const { readFileSync } = await import('node:fs');
    const out = [];
    for (const f of ${JSON.stringify(SAMPLES)}) { const v = await verify(readFileSync(${JSON.stringify(fx.samplesDir)} + '/' + f), { fileName: f }); out.push([f, v.code, v.id]); }
    console.log(JSON.stringify({ version: process.version, out }));`;
  const nodes = [...new Set([process.execPath, '/usr/bin/node', '/usr/local/bin/node'].filter((p) => existsSync(p)))];
  const results = nodes.map((n) => JSON.parse(execFileSync(n, ['--input-type=module', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })));
  for (const r of results) {
    assert.ok(Number(r.version.slice(1).split('.')[0]) >= 20, r.version);
    assert.deepEqual(r.out, results[0].out, `${r.version} agrees with ${results[0].version}`);
  }
  assert.deepEqual(results[0].out.map(([f, c]) => [f, c]), SAMPLES.map((f) => [f, fx.manifest.samples.find((x) => x.file === f).expected]));
});

/** The verdict parts every runtime must give alike, the checks (clock and status too: one bundled snapshot) included. */
function comparable(v) {
  return {
    schema: v.schema, code: v.code, state: v.state, certificate: v.certificate, seal: v.seal, annotation: v.annotation && v.annotation.state,
    status: v.status && v.status.state, snapshot: v.status && v.status.snapshot ? [v.status.snapshot.sequence, v.status.snapshot.origin] : null,
    status_id: v.status_id, checks: v.checks.map((c) => [c.id, c.outcome, c.code]), file: [v.file.name, v.file.size, v.file.sha256], id: v.id,
  };
}

// file → {deno, workers}: the same package's verdicts under Deno and on workerd, compared again in 'one verdict'.
const runtimeVerdicts = new Map();

test('the server entry under Deno 2 and in a Cloudflare Worker (workerd) gives Node\'s verdicts, fields and ids', async () => {
  const proj = integratorProject(join(fx.distDir, 'widget'), join(work, 'integrator'));
  const node = await import(pathToFileURL(join(proj, 'node_modules/@ecert/verify-widget/server.js')).href);
  const paths = SAMPLES.map((f) => join(fx.samplesDir, f));
  const d = await runDeno(proj, paths);
  assert.match(d.deno, /^2\./, 'Deno 2.x');
  assert.deepEqual({ trust: d.held.trust.sequence, status: d.held.status.sequence, origin: d.held.status.origin },
    { trust: 1, status: 1, origin: 'bundled' }, 'Deno holds the bundled trust list and status snapshot');
  let wk = null;
  if (haveEdge) wk = await startWorker(proj);
  try {
    const held = wk && await (await fetch(`${wk.baseUrl}/held`)).json();
    if (wk) {
      assert.equal(held.wasmIsModule, true, 'the Worker imports the wasm as a WebAssembly.Module');
      assert.deepEqual([held.trust.sequence, held.status.sequence, held.status.origin], [d.held.trust.sequence, d.held.status.sequence, 'bundled']);
    }
    for (const [i, file] of SAMPLES.entries()) {
      const bytes = readFileSync(paths[i]);
      const n = await node.verify(bytes, { fileName: file });
      const dv = d.out[i];
      assert.deepEqual(dv.names, [file, file, file], `${file}: Deno names from bytes+fileName, File, file: URL`);
      assert.deepEqual(dv.ids, [n.id, n.id, n.id], `${file}: Deno ids (bytes, File, URL) = Node's`);
      assert.deepEqual(comparable(dv.verdict), comparable(n), `${file}: Deno = Node`);
      const got = { deno: dv.verdict };
      if (wk) {
        const form = new FormData();
        form.set('file', new Blob([bytes], { type: 'application/pdf' }), file);
        const r = await fetch(`${wk.baseUrl}/verify`, { method: 'POST', body: form });
        assert.equal(r.status, 200, `${file}: Worker POST /verify`);
        const w = await r.json();
        assert.deepEqual(comparable(w), comparable(n), `${file}: Worker (multipart File) = Node`);
        const raw = await (await fetch(`${wk.baseUrl}/verify?name=${encodeURIComponent(file)}`, { method: 'POST', body: bytes })).json();
        assert.deepEqual(comparable(raw), comparable(n), `${file}: Worker (raw body) = Node`);
        got.workers = w;
      }
      assert.equal(n.code, fx.manifest.samples.find((x) => x.file === file).expected, `${file}: the expected verdict`);
      if (i === 0) {
        // Node resolves the bare specifier through the package's "exports" too, from the project's directory.
        const bare = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e',
          `const { verify } = await import('@ecert/verify-widget/server'); const { readFileSync } = await import('node:fs');
           const v = await verify(readFileSync(${JSON.stringify(paths[0])}), { fileName: ${JSON.stringify(file)} }); console.log(JSON.stringify(v));`],
        { cwd: proj, encoding: 'utf8' }));
        assert.deepEqual(comparable(bare), comparable(n), `${file}: Node via '@ecert/verify-widget/server' = Node`);
      }
      runtimeVerdicts.set(file, got);
    }
    if (wk) assert.doesNotMatch(wk.logs(), /nodejs_compat|WARNING|ERROR/i, 'wrangler bundles the package without warnings or compat flags');
  } finally {
    await wk?.stop();
  }
});

test('the .d.ts files declare what an integrator uses, browser and server (TypeScript strict, by deno check)', async () => {
  const proj = join(work, 'integrator');
  if (!existsSync(join(proj, 'types.ts'))) integratorProject(join(fx.distDir, 'widget'), proj);
  const ok = await checkTypes(proj);
  assert.equal(ok.status, 0, ok.output);
  // And the check can fail: the same code against a .d.ts without element.verdict() is refused.
  const dts = join(proj, 'node_modules/@ecert/verify-widget/ecert-verify.d.ts');
  const text = readFileSync(dts, 'utf8');
  writeFileSync(dts, text.replace(/^\s*verdict\(index\?: number\): Verdict \| null;$/m, ''));
  try {
    const bad = await checkTypes(proj);
    assert.notEqual(bad.status, 0);
    assert.match(bad.output, /Property 'verdict' does not exist on type 'EcertVerifyElement'/);
  } finally {
    writeFileSync(dts, text);
  }
});

describe('with the edge (wrangler dev on workerd)', { skip: haveEdge ? false : 'ECERT_SKIP_EDGE=1' }, () => {
  let edge, site, other, nocors, dist, sitePort;

  before(async () => {
    const { startEdge, freePort } = await import('../support/edge.mjs');
    // The site's origin is on the hosted iframe's allow-list: the build is configured for it.
    sitePort = await freePort();
    dist = join(TARGET, 'browser-fixture/dist-embed');
    execFileSync('node', [join(ROOT, 'www/build.mjs'), '--pkg', join(TARGET, 'www-pkg'), '--demo', fx.demoDir, '--out', dist,
      '--embed-origins', `http://localhost:${sitePort}`], { stdio: ['ignore', 'ignore', 'inherit'] });
    edge = await startEdge({ demoDir: fx.demoDir, assetsDir: dist });
    const E = edge.baseUrl;
    writeSite(join(work, 'site/edge'), { src: `${E}/widget/ecert-verify.js` });
    writeSite(join(work, 'site/iframe'), { src: null, body: `<iframe id="f" title="证书验证" src="${E}/embed/?origin=${encodeURIComponent(`http://localhost:${sitePort}`)}&send-file=1" style="width:100%;height:600px;border:0"></iframe>` });
    writeSite(join(work, 'site/iframe-other'), { src: null, body: `<iframe id="f" title="证书验证" src="${E}/embed/?origin=${encodeURIComponent('https://evil.example')}" style="width:100%;height:300px;border:0"></iframe>` });
    // The site's strict CSP admits the edge for scripts, fetches (the wasm) and frames, and blob: workers.
    site = await serve({ root: join(work, 'site'), host: 'localhost', port: sitePort, csp: siteCsp({ extra: [E], blob: true, frames: [E] }) });
    // Another origin, not on the allow-list, framing the same page.
    other = await serve({ root: join(work, 'site'), host: 'localhost', csp: siteCsp({ frames: [E] }) });
    // A copy of the widget served WITHOUT the edge's headers (no CORS): a cross-origin module script cannot load.
    nocors = await serve({ root: dist, csp: "default-src 'self'" });
  });

  after(async () => {
    await site?.close();
    await other?.close();
    await nocors?.close();
    await edge?.stop();
  });

  test("the edge serves the widget with CORS and Cross-Origin-Resource-Policy, /embed/ with the configured frame-ancestors", async () => {
    for (const f of ['widget/ecert-verify.js', 'widget/worker.js', 'widget/ecert_wasm_bg.wasm']) {
      const r = await fetch(`${edge.baseUrl}/${f}`, { headers: { origin: `http://localhost:${sitePort}` } });
      assert.equal(r.status, 200, f);
      assert.equal(r.headers.get('access-control-allow-origin'), '*', `${f}: CORS`);
      assert.equal(r.headers.get('cross-origin-resource-policy'), 'cross-origin', `${f}: CORP`);
    }
    const page = await fetch(`${edge.baseUrl}/`);
    assert.match(page.headers.get('content-security-policy'), /frame-ancestors 'self'$/);
    const embed = await fetch(`${edge.baseUrl}/embed/`);
    const csp = embed.headers.get('content-security-policy');
    assert.match(csp, new RegExp(`frame-ancestors 'self' http://localhost:${sitePort}$`));
    assert.equal(csp.split('frame-ancestors').length, 2, 'one policy, not the site-wide one as well');
  });

  test('one verdict: widget (Chromium, from the edge), Node server entry (Node, Deno, Workers), CLI and POST /v1/verify agree', async (t) => {
    if (!runtimeVerdicts.size) t.diagnostic('Deno and Workers not compared: the runtimes test did not run in this invocation');
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/edge/`);
    const node = await import(pathToFileURL(join(dist, 'widget/server.js')).href);
    const state = join(work, 'cli-state');
    for (const file of SAMPLES) {
      const path = join(fx.samplesDir, file);
      const w = await pick(page, file);
      const n = await node.verify(readFileSync(path), { fileName: file });
      // (`ecert verify` exits with the verdict's status: 0 valid, 11 annotation problem, 13 untrusted, …)
      const run = spawnSync(fx.ecert, ['verify', '--json', '--trust-list', join(fx.demoDir, 'trust-list.json'),
        '--root', join(fx.demoDir, 'root-spki.pem'), '--status', join(fx.demoDir, 'status/snapshot.bin'), '--state-file', state, path],
      { encoding: 'utf8' });
      assert.ok(run.status !== 2 && run.stdout, `${file}: ecert verify ran (${run.status}): ${run.stderr}`);
      const cli = JSON.parse(run.stdout)[0].verdict;
      const r = await fetch(`${edge.baseUrl}/v1/verify`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: readFileSync(path) });
      assert.equal(r.status, 200, `${file}: POST /v1/verify`);
      const e = await r.json();
      const all = { widget: w, node: n, ...runtimeVerdicts.get(file), cli, edge: e };
      for (const [who, v] of Object.entries(all)) {
        assert.equal(v.schema, 'ecert.verdict/1', `${file}: ${who} schema`);
        assert.equal(v.code, w.code, `${file}: ${who} code ${v.code} vs widget ${w.code}`);
        assert.equal(v.state, w.state, `${file}: ${who} state`);
        assert.deepEqual(v.certificate, w.certificate, `${file}: ${who} certificate fields`);
        assert.deepEqual(v.seal, w.seal, `${file}: ${who} seal`);
        assert.deepEqual(v.annotation && v.annotation.state, w.annotation && w.annotation.state, `${file}: ${who} annotation`);
        assert.equal(v.status_id, w.status_id, `${file}: ${who} status id`);
        assert.deepEqual(v.checks.map((c) => [c.id, c.outcome, c.code]).filter(([id]) => id !== 'status' && id !== 'clock'),
          w.checks.map((c) => [c.id, c.outcome, c.code]).filter(([id]) => id !== 'status' && id !== 'clock'), `${file}: ${who} checks`);
      }
      // The widget and the server entry (Node, Deno, Workers) agree to the byte on what they add, the verdict id included.
      // (Deno's and the Worker's verdicts come from the runtimes test above; a run filtered to this test has none.)
      for (const who of ['node', ...(runtimeVerdicts.size ? ['deno', 'workers'] : [])]) {
        if (!all[who]) assert.fail(`${file}: no ${who} verdict`);
        assert.equal(all[who].id, w.id, `${file}: ${who} verdict id`);
        assert.equal(all[who].file.sha256, w.file.sha256, `${file}: ${who} sha256`);
      }
      assert.equal(n.file.sha256, w.file.sha256);
      assert.equal(n.file.name, file);
      // The CLI and the server entry hold the same snapshot: the status part is identical too.
      assert.deepEqual(n.status.state, cli.status.state);
    }
    assert.equal(await page.locator('.fallback').isVisible(), false);
    await page.close();
  });

  test('way 2: a cross-origin module script from the edge; its worker starts through the blob fallback', async () => {
    const page = await browser.context.newPage();
    const workers = [];
    page.on('worker', (wk) => workers.push(wk.url()));
    await page.goto(`${site.url}/edge/`);
    const v = await pick(page, 'annotation-expired.pdf');
    assert.equal(v.code, 'ANNOTATION_EXPIRED');
    assert.ok(workers.some((u) => u.startsWith('blob:')), `a blob: worker (${workers.join(', ')})`);
    await page.screenshot({ path: join(ARTIFACTS, 'embed-from-edge.png'), fullPage: true });
    await page.close();
  });

  test('way 3: the hosted iframe posts the verdict (and, asked, the file) to the configured origin only', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/iframe/`);
    const frame = await (await page.waitForSelector('#f')).contentFrame();
    await frame.waitForFunction(() => document.querySelector('ecert-verify')?.shadowRoot?.querySelector('.pick'));
    assert.equal(await frame.locator('#embed-notice').isVisible(), false);
    await frame.locator('ecert-verify input[type=file]').setInputFiles({ name: 'valid-style2.pdf', mimeType: 'application/pdf', buffer: readFileSync(join(fx.samplesDir, 'valid-style2.pdf')) });
    await page.waitForFunction(() => window.messages.some((m) => m.type === 'ecert-verdict'), null, { timeout: 60000 });
    const m = await page.evaluate(() => window.messages.find((x) => x.type === 'ecert-verdict'));
    assert.equal(m.origin, edge.baseUrl);
    assert.equal(m.verdict.code, 'VALID');
    assert.equal(m.file.name, 'valid-style2.pdf');
    await page.screenshot({ path: join(ARTIFACTS, 'embed-iframe.png'), fullPage: true });
    await page.close();

    // A page of another origin: frame-ancestors refuses to be framed there; nothing is posted to it.
    const p2 = await browser.context.newPage();
    await p2.goto(`${other.url}/iframe/`);
    await p2.waitForTimeout(1500);
    const f2 = await (await p2.waitForSelector('#f')).contentFrame();
    const loaded = await f2.evaluate(() => !!document.querySelector('ecert-verify')).catch(() => false);
    assert.equal(loaded, false, 'the hosted iframe does not render inside a page of an origin not on the list');
    assert.deepEqual(await p2.evaluate(() => window.messages), []);
    await p2.close();
  });

  test('way 3: an allowed framer naming another origin in ?origin= gets nothing; the iframe says why', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/iframe-other/`);
    const frame = await (await page.waitForSelector('#f')).contentFrame();
    await frame.waitForFunction(() => document.querySelector('ecert-verify')?.shadowRoot?.querySelector('.pick'));
    await frame.waitForSelector('#embed-notice:not([hidden])');
    assert.equal(await frame.locator('#embed-notice').getAttribute('data-code'), 'EMBED_ORIGIN_NOT_ALLOWED');
    await frame.locator('ecert-verify input[type=file]').setInputFiles({ name: 'valid-style2.pdf', mimeType: 'application/pdf', buffer: readFileSync(join(fx.samplesDir, 'valid-style2.pdf')) });
    await frame.waitForFunction(() => document.querySelector('ecert-verify').shadowRoot.querySelector('.ec-card[data-code]'), null, { timeout: 60000 });
    await page.waitForTimeout(500);
    assert.deepEqual(await page.evaluate(() => window.messages), []);
    await page.close();
  });

  test('a widget that cannot load is a visible error: no CORS on its script, or its worker blocked by the CSP', async () => {
    // (a) The module script from an origin without CORS headers: the element's own fallback content shows.
    writeSite(join(work, 'site/nocors'), { src: `${nocors.url}/widget/ecert-verify.js` });
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/nocors/`);
    await page.waitForTimeout(1000);
    assert.equal(await page.evaluate(() => !!customElements.get('ecert-verify')), false);
    assert.equal(await page.locator('.fallback').isVisible(), true, 'the fallback text is visible');
    await page.close();
    // (b) The script loads but the site's CSP has no worker-src blob: — the element shows VERIFIER_UNAVAILABLE.
    const strict = await serve({ root: join(work, 'site'), host: 'localhost', csp: siteCsp({ extra: [edge.baseUrl], blob: false }) });
    try {
      const p = await browser.context.newPage();
      await p.goto(`${strict.url}/edge/`);
      await p.waitForSelector('ecert-verify >> [data-trust-notice=load]', { timeout: 30000 });
      assert.equal(await p.locator('ecert-verify >> [data-trust-notice=load]').getAttribute('data-code'), 'VERIFIER_UNAVAILABLE');
      await p.screenshot({ path: join(ARTIFACTS, 'embed-load-failed.png') });
      await p.close();
    } finally {
      await strict.close();
    }
  });

  test('a certificate the registry revoked: POST /v1/verify says when and why in the summary', async () => {
    // Last in this group: it revokes a demo certificate on this edge.
    const s = fx.manifest.samples.find((x) => x.file === 'valid-style2.pdf');
    const revokedAt = Math.floor(Date.now() / 1000) - 3 * 86400;
    const r = await fetch(`${edge.baseUrl}/v1/admin/revocations`, { method: 'POST', headers: { authorization: `Bearer ${edge.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ management_number: s.management_number, reason: '证书信息有误', revoked_at: revokedAt }) });
    assert.equal(r.status, 201, await r.text());
    const day = new Date((revokedAt + 8 * 3600) * 1000).toISOString().slice(0, 10);
    const v = await (await fetch(`${edge.baseUrl}/v1/verify`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: readFileSync(join(fx.samplesDir, s.file)) })).json();
    assert.equal(v.code, 'REVOKED');
    assert.equal(v.status.revoked_at, revokedAt);
    assert.equal(v.summary.zh, `证书已撤销（${day} 撤销，原因：证书信息有误），不再有效。`);
    assert.equal(v.summary.en, `The certificate was revoked on ${day} (reason: 证书信息有误); it is no longer valid.`);
  });
});
