// A tiny static server for the browser tests: correct MIME types (.wasm, .mjs), a strict CSP on every response,
// and a log of every request with its body (the proof that no PDF bytes leave the page).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.wasm': 'application/wasm',
  '.pdf': 'application/pdf', '.pem': 'application/x-pem-file', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8', '.ts': 'text/plain; charset=utf-8', '.md': 'text/markdown; charset=utf-8',
};

export function strictCsp(connectExtra = []) {
  return [
    "default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'", "img-src 'self' blob: data:",
    "font-src 'self' data:", `connect-src 'self'${connectExtra.map((o) => ` ${o}`).join('')}`, "worker-src 'self'",
    "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'self'",
  ].join('; ');
}

/**
 * @param {{root: string, extra?: Record<string, string>, connect?: string[], port?: number, quiet?: boolean}} o
 *   extra: URL path → file path
 * @returns {Promise<{url: string, log: {method: string, url: string, body: Buffer}[], close(): Promise<void>}>}
 */
export async function serve(o) {
  const log = [];
  const csp = strictCsp(o.connect || []);
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
        'content-security-policy': csp,
        'x-content-type-options': 'nosniff',
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
    url: `http://127.0.0.1:${port}`,
    log,
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
  };
}
