// A tiny static server for the browser tests: correct MIME types (.wasm, .mjs), a strict CSP on every response,
// and a log of every request with its body (the proof that no PDF bytes leave the page).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.wasm': 'application/wasm',
  '.pdf': 'application/pdf', '.pem': 'application/x-pem-file', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8', '.ico': 'image/x-icon', '.ts': 'text/plain; charset=utf-8', '.md': 'text/markdown; charset=utf-8',
};

export function strictCsp(connectExtra = []) {
  return [
    "default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'", "img-src 'self' blob: data:",
    "font-src 'self' data:", `connect-src 'self'${connectExtra.map((o) => ` ${o}`).join('')}`, "worker-src 'self'",
    "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'self'",
  ].join('; ');
}

/**
 * The rules of a Cloudflare-style `_headers` file (as www/build.mjs writes it; wrangler's static assets honour
 * it): `[{pattern, set: [[name, value]], drop: [name]}]`. Patterns: an exact path or a `prefix/*`.
 */
export function parseHeadersFile(text) {
  const rules = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    if (!/^\s/.test(line)) { rules.push({ pattern: line.trim(), set: [], drop: [] }); continue; }
    const r = rules[rules.length - 1];
    const l = line.trim();
    if (l.startsWith('!')) r.drop.push(l.slice(1).trim().toLowerCase());
    else { const i = l.indexOf(':'); r.set.push([l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()]); }
  }
  return rules;
}

/** The headers `_headers` rules give `path`: rules in order, a later rule's `! Name` dropping an earlier one's. */
export function headersFor(rules, path) {
  const out = {};
  for (const r of rules) {
    const m = r.pattern.endsWith('*') ? path.startsWith(r.pattern.slice(0, -1)) : path === r.pattern;
    if (!m) continue;
    for (const d of r.drop) delete out[d];
    for (const [k, v] of r.set) out[k] = out[k] ? `${out[k]}, ${v}` : v;
  }
  return out;
}

/**
 * @param {{root: string, extra?: Record<string, string>, connect?: string[], port?: number, quiet?: boolean,
 *   headersFile?: boolean, host?: string, csp?: string}} o
 *   extra: URL path → file path; headersFile: serve with the headers of ROOT/_headers (as the edge does) instead of
 *   the built-in strict CSP; host: the name in `url` (default 127.0.0.1; `localhost` is another origin)
 * @returns {Promise<{url: string, log: {method: string, url: string, body: Buffer}[], close(): Promise<void>}>}
 */
export async function serve(o) {
  const log = [];
  const csp = o.csp || strictCsp(o.connect || []);
  const rules = o.headersFile ? parseHeadersFile(await readFile(join(o.root, '_headers'), 'utf8')) : null;
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const url = new URL(req.url, 'http://x');
    log.push({ method: req.method, url: url.pathname + url.search, body: Buffer.concat(chunks) });
    let path = decodeURIComponent(url.pathname);
    let file = o.extra && o.extra[path];
    if (!file) {
      if (path.endsWith('/')) path += 'index.html';
      const full = normalize(join(o.root, path));
      if (!full.startsWith(normalize(o.root) + sep) && full !== normalize(o.root)) { res.writeHead(403).end(); return; }
      file = full;
    }
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': MIME[extname(file)] || 'application/octet-stream',
        ...(rules ? headersFor(rules, url.pathname) : { 'content-security-policy': csp, 'x-content-type-options': 'nosniff' }),
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain', 'content-security-policy': csp }).end('not found');
    }
  });
  await new Promise((r) => server.listen(o.port || 0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `http://${o.host || '127.0.0.1'}:${port}`,
    log,
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
  };
}
