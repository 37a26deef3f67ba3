// Bundles www/ into www/dist/ (called by scripts/build-www.sh after the wasm is built).
//   node www/build.mjs --pkg DIR --demo DIR [--edge URL] [--out DIR (default www/dist)]
// DIR of --pkg holds wasm-bindgen's output (ecert_wasm.js + the wasm-opt'ed ecert_wasm_bg.wasm).
// The trust snapshot (DEMO/trust-list.json + the pinned root DEMO/root-spki.pem) and the signed status snapshot
// (DEMO/status/snapshot.bin, `ecert.status-snapshot/1`) are compiled into the worker: revocation is checked from
// the first file on, with or without an edge.

import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const pkg = resolve(args.pkg || join(root, 'target/www-pkg'));
const demo = resolve(args.demo || join(root, 'demo-out'));
const dist = resolve(args.out || join(here, 'dist'));
const edge = args.edge && args.edge !== 'undefined' ? args.edge : null;
// The hosted iframe mode (/embed/): the origins allowed to frame it and to receive its verdicts (space- or
// comma-separated; ECERT_EMBED_ORIGINS in scripts/build-www.sh). Empty: only this origin itself.
const embedOrigins = String(args['embed-origins'] && args['embed-origins'] !== 'undefined' ? args['embed-origins'] : '')
  .split(/[\s,]+/).filter(Boolean).map((o) => {
    const u = new URL(o);
    if (!/^https?:$/.test(u.protocol) || u.origin !== o.replace(/\/+$/, '')) {
      console.error(`build-www: --embed-origins: ${o} is not an origin (scheme://host[:port])`);
      process.exit(2);
    }
    return u.origin;
  });

for (const f of [join(pkg, 'ecert_wasm.js'), join(pkg, 'ecert_wasm_bg.wasm'), join(demo, 'trust-list.json'), join(demo, 'root-spki.pem'), join(demo, 'status/snapshot.bin')]) {
  if (!existsSync(f)) {
    console.error(`build-www: missing ${f}`);
    process.exit(2);
  }
}
const trustJson = readFileSync(join(demo, 'trust-list.json'), 'utf8');
const rootPem = readFileSync(join(demo, 'root-spki.pem'), 'utf8');
const statusSnapshot = readFileSync(join(demo, 'status/snapshot.bin'));
JSON.parse(trustJson); // fail early on a broken snapshot
if (!/-----BEGIN PUBLIC KEY-----/.test(rootPem)) {
  console.error('build-www: root-spki.pem is not a PEM public key');
  process.exit(2);
}

// The core's input limit (ecert_verify::MAX_INPUT_BYTES), read from the very wasm being bundled, compiled into the
// client so it refuses larger files before reading them.
const glue = await import(pathToFileURL(join(pkg, 'ecert_wasm.js')).href);
glue.initSync({ module: readFileSync(join(pkg, 'ecert_wasm_bg.wasm')) });
const maxInputBytes = glue.maxInputBytes();
if (!Number.isSafeInteger(maxInputBytes) || maxInputBytes <= 0) {
  console.error(`build-www: the wasm reports a bad input limit ${maxInputBytes}`);
  process.exit(2);
}
// The warm-up certificate the worker verifies once while idle (see www/README.md), inlined into the worker.
const warmupPdf = readFileSync(join(here, 'widget/warmup.pdf'));

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'widget'), { recursive: true });

const virtual = {
  name: 'ecert-virtual',
  setup(b) {
    b.onResolve({ filter: /^ecert:/ }, (a) => ({ path: a.path, namespace: 'ecert' }));
    b.onLoad({ filter: /.*/, namespace: 'ecert' }, (a) => {
      if (a.path === 'ecert:wasm-glue') return { contents: readFileSync(join(pkg, 'ecert_wasm.js'), 'utf8'), loader: 'js', resolveDir: pkg };
      if (a.path === 'ecert:warmup') {
        return { contents: `export const WARMUP_PDF_BASE64 = ${JSON.stringify(warmupPdf.toString('base64'))};\n`, loader: 'js' };
      }
      if (a.path === 'ecert:trust-snapshot') {
        return {
          contents: `export const ROOT_SPKI_PEM = ${JSON.stringify(rootPem)};\nexport const TRUST_LIST_JSON = ${JSON.stringify(trustJson)};\n`
            + `export const STATUS_SNAPSHOT_BASE64 = ${JSON.stringify(statusSnapshot.toString('base64'))};\n`,
          loader: 'js',
        };
      }
      return null;
    });
  },
};

const common = {
  bundle: true, format: 'esm', target: ['chrome111', 'firefox115', 'safari16.4'], minify: true,
  legalComments: 'none', charset: 'utf8', logLevel: 'warning', loader: { '.css': 'text' },
  define: { __ECERT_MAX_INPUT_BYTES__: String(maxInputBytes) },
};
// The widget entry (custom element + JS API); the page and the recruitment demo import it at runtime.
await build({ ...common, entryPoints: [join(here, 'widget/src/ecert-verify.js')], outfile: join(dist, 'widget/ecert-verify.js') });
// The Web Worker: wasm glue + pinned root + trust snapshot. The wasm file is fetched next to it.
await build({ ...common, entryPoints: [join(here, 'widget/src/worker.js')], outfile: join(dist, 'widget/worker.js'), plugins: [virtual] });
// The server entry (@ecert/verify-widget/server): the same wasm and trust snapshot, for Node ≥ 20, Deno, Workers.
await build({
  ...common, entryPoints: [join(here, 'widget/src/server.js')], outfile: join(dist, 'widget/server.js'), plugins: [virtual],
  platform: 'neutral', external: ['node:*'],
});
cpSync(join(pkg, 'ecert_wasm_bg.wasm'), join(dist, 'widget/ecert_wasm_bg.wasm'));
cpSync(join(here, 'widget/src/card.css'), join(dist, 'widget/card.css'));
cpSync(join(here, 'widget/ecert-verify.d.ts'), join(dist, 'widget/ecert-verify.d.ts'));
cpSync(join(here, 'widget/server.d.ts'), join(dist, 'widget/server.d.ts'));
cpSync(join(here, 'widget/README.md'), join(dist, 'widget/README.md'));
const widgetPkg = JSON.parse(readFileSync(join(here, 'widget/package.json'), 'utf8'));
writeFileSync(join(dist, 'widget/package.json'), `${JSON.stringify(widgetPkg, null, 2)}\n`);
// The signed snapshot, also as a file (for inspection; the worker uses its compiled-in copy).
mkdirSync(join(dist, 'widget/trust'), { recursive: true });
writeFileSync(join(dist, 'widget/trust/trust-list.json'), trustJson);
writeFileSync(join(dist, 'widget/trust/root-spki.pem'), rootPem);
writeFileSync(join(dist, 'widget/trust/status-snapshot.bin'), statusSnapshot);

// The page and the demo sites: plain ES modules, minified one by one (imports stay relative).
// holder/, lookup/, picker/: the holder's pages, 证书查验 and the 生僻字 picker (issue 18), called by their paths.
for (const dir of ['page', 'recruit', 'embed', 'bench', 'holder', 'lookup', 'picker']) {
  const src = join(here, dir);
  if (!existsSync(src)) continue;
  const out = dir === 'page' ? dist : join(dist, dir);
  mkdirSync(out, { recursive: true });
  for (const f of readdirSync(src)) {
    const p = join(src, f);
    if (f.endsWith('.js')) {
      await build({ ...common, bundle: false, entryPoints: [p], outfile: join(out, f) });
    } else if (statSync(p).isFile()) {
      cpSync(p, join(out, f));
    }
  }
}

// pdf.js, served locally (no CDN).
const pdfjs = join(root, 'node_modules/pdfjs-dist/build');
mkdirSync(join(dist, 'pdfjs'), { recursive: true });
for (const f of ['pdf.min.mjs', 'pdf.worker.min.mjs']) cpSync(join(pdfjs, f), join(dist, 'pdfjs', f));
cpSync(join(root, 'node_modules/pdfjs-dist/LICENSE'), join(dist, 'pdfjs/LICENSE'));
// The icon: SVG for browsers that take it, and /favicon.ico (what a browser asks for unprompted; an ICO holding a PNG).
cpSync(join(here, 'favicon.svg'), join(dist, 'favicon.svg'));
cpSync(join(here, 'favicon.ico'), join(dist, 'favicon.ico'));

writeFileSync(join(dist, 'config.json'), `${JSON.stringify({ edge })}\n`);
writeFileSync(join(dist, 'embed/config.json'), `${JSON.stringify({ origins: embedOrigins })}\n`);
// Headers for static hosting (Cloudflare static assets / Pages read `_headers`; `wrangler dev` honours it,
// including `! Name`, which drops a header an earlier rule set): a strict CSP everywhere; the widget package
// loadable from any origin (CORS + Cross-Origin-Resource-Policy, for a cross-origin module script, its worker
// and its wasm); the hosted iframe (/embed/) framable by the configured origins only.
const cspBase = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob: data:; font-src 'self' data:; connect-src 'self'" +
  (edge ? ` ${new URL(edge).origin}` : '') + "; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'";
const csp = `${cspBase}; frame-ancestors 'self'`;
const embedCsp = `${cspBase}; frame-ancestors 'self'${embedOrigins.map((o) => ` ${o}`).join('')}`;
writeFileSync(join(dist, '_headers'), [
  '/*', `  Content-Security-Policy: ${csp}`, '  X-Content-Type-Options: nosniff', '  Referrer-Policy: no-referrer',
  '/widget/*', '  Access-Control-Allow-Origin: *', '  Cross-Origin-Resource-Policy: cross-origin',
  '/embed/*', '  ! Content-Security-Policy', `  Content-Security-Policy: ${embedCsp}`, '',
].join('\n'));
writeFileSync(join(dist, 'csp.txt'), `${csp}\n`);

const wasm = readFileSync(join(dist, 'widget/ecert_wasm_bg.wasm'));
const gz = gzipSync(wasm, { level: 9 }).length;
const js = ['widget/ecert-verify.js', 'widget/worker.js'].map((f) => readFileSync(join(dist, f)));
const jsGz = js.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0);
const sizes = {
  wasm_bytes: wasm.length, wasm_gzip_bytes: gz, js_gzip_bytes: jsGz,
  wasm_sha256: createHash('sha256').update(wasm).digest('hex'),
};
writeFileSync(join(dist, 'sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`www/dist: wasm ${kb(wasm.length)} (gzip ${kb(gz)}; goal ≤ 300 KB gzip: ${gz <= 300 * 1024 ? 'met' : 'NOT met'}), widget+worker JS gzip ${kb(jsGz)}`);
