// The demo recruitment site's back end: serves the site (www/dist/recruit/ at /, the widget package copied at
// /widget/) and takes applications. The applicant's browser shows the widget's verdict at once — a preview on
// a machine the applicant controls. On submit the PDF comes here; this server verifies it again with
// @ecert/verify-widget/server (the same core, the bundled trust list and signed status snapshot, no network) and
// stores the application with ITS verdict. What the browser claimed is kept beside it, never believed.
//
//   node www/recruit/server/server.mjs [--dist www/dist] [--port 8090] [--data DIR] [--host 127.0.0.1]
//
// API: POST /api/applications (multipart/form-data: name, phone, certificate = the PDF, client_verdict = the
// browser's verdict JSON) → 201 {application}; GET /api/applications → {applications: [...]} (a demo: no login).
// Also usable as a module: `const s = await startRecruitServer({ dist, port: 0, dataDir })` → {url, close(), applications}.

import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon', '.png': 'image/png', '.pdf': 'application/pdf', '.md': 'text/markdown; charset=utf-8',
};
// The site's own strict CSP: the widget copied to this origin needs only 'self' (and 'wasm-unsafe-eval').
export const RECRUIT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; "
  + "connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const MAX_BODY = 17 * 1024 * 1024;

/** What the site keeps of a verdict: enough to decide and to show HR, nothing it did not check itself. */
function keep(v) {
  const c = v.certificate;
  return {
    id: v.id, code: v.code, state: v.state, summary: v.summary, checked_at: v.checked_at,
    status: v.status ? { state: v.status.state, source: v.status.source, revoked_at: v.status.revoked_at ?? null, snapshot: v.status.snapshot ? v.status.snapshot.sequence : null } : null,
    annotation: v.annotation ? { state: v.annotation.state, valid_until: v.annotation.valid_until } : null,
    certificate: c && ['valid', 'status_unknown', 'annotation_problem', 'revoked'].includes(v.state) ? {
      holder_name: c.holder_name, id_number: c.id_number, management_number: c.management_number,
      query_number: c.query_number, qualification: c.qualification.code, qualification_zh: c.qualification.name_zh,
      issue_date: c.issue_date, issuer: c.issuer.name_zh,
    } : null,
  };
}

export async function startRecruitServer({ dist, port = 0, host = '127.0.0.1', dataDir } = {}) {
  dist = resolve(dist || join(fileURLToPath(new URL('../../dist', import.meta.url))));
  // The same package the browser gets, its server entry: same core, same bundled trust list and snapshot.
  const ecert = await import(pathToFileURL(join(dist, 'widget/server.js')).href);
  await ecert.init();
  dataDir = resolve(dataDir || join(dist, '..', '.recruit-data'));
  mkdirSync(join(dataDir, 'files'), { recursive: true });
  const dbFile = join(dataDir, 'applications.json');
  const applications = existsSync(dbFile) ? JSON.parse(readFileSync(dbFile, 'utf8')) : [];
  const save = () => writeFileSync(dbFile, `${JSON.stringify(applications, null, 2)}\n`);

  const json = (res, code, body) => {
    res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': RECRUIT_CSP });
    res.end(JSON.stringify(body));
  };

  async function apply(req, res, body) {
    let form;
    try {
      form = await new Request('http://x/', { method: 'POST', headers: { 'content-type': req.headers['content-type'] || '' }, body }).formData();
    } catch {
      return json(res, 400, { error: 'BAD_FORM', message: 'multipart/form-data expected' });
    }
    const file = form.get('certificate');
    if (!file || typeof file === 'string') return json(res, 400, { error: 'NO_CERTIFICATE', message: 'certificate (a PDF file) is required' });
    const bytes = new Uint8Array(await file.arrayBuffer());
    // The server's own verdict: the only one the site acts on.
    const verdict = await ecert.verify(bytes, { fileName: file.name });
    let claimed = null;
    try {
      const c = JSON.parse(String(form.get('client_verdict') || 'null'));
      if (c && typeof c === 'object') claimed = { id: c.id ?? null, code: c.code ?? null, state: c.state ?? null };
    } catch { /* a claim that is not JSON is no claim */ }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(dataDir, 'files', `${sha256}.pdf`), bytes);
    const accepted = verdict.code === 'VALID' && verdict.status && verdict.status.state === 'valid';
    const application = {
      application_id: randomUUID(),
      received_at: new Date().toISOString(),
      applicant: { name: String(form.get('name') || '').slice(0, 100), phone: String(form.get('phone') || '').slice(0, 40) },
      file: { name: file.name, size: bytes.length, sha256 },
      server_verdict: keep(verdict),
      accepted,
      client_claim: claimed,
      // The browser's claim agrees with what this server found (same verdict id: same file, code, evidence).
      client_claim_matches: !!claimed && claimed.id === verdict.id && claimed.code === verdict.code,
    };
    applications.push(application);
    save();
    return json(res, 201, { application });
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    try {
      if (url.pathname === '/api/applications') {
        if (req.method === 'GET') return json(res, 200, { applications });
        if (req.method !== 'POST') return json(res, 405, { error: 'METHOD_NOT_ALLOWED' });
        const chunks = [];
        let n = 0;
        for await (const c of req) {
          n += c.length;
          if (n > MAX_BODY) return json(res, 413, { error: 'TOO_LARGE' });
          chunks.push(c);
        }
        return await apply(req, res, Buffer.concat(chunks));
      }
      // Static: the recruitment site at /, the copied widget package at /widget/.
      let path = decodeURIComponent(url.pathname);
      let base = join(dist, 'recruit');
      if (path.startsWith('/widget/')) { base = dist; } else if (path === '/favicon.ico') { base = dist; }
      if (path.endsWith('/')) path += 'index.html';
      const full = normalize(join(base, path));
      if (!full.startsWith(normalize(base) + sep)) { res.writeHead(403).end(); return; }
      if (!(await stat(full)).isFile()) throw new Error('not a file');
      res.writeHead(200, {
        'content-type': MIME[extname(full)] || 'application/octet-stream', 'content-security-policy': RECRUIT_CSP,
        'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-cache',
      });
      res.end(await readFile(full));
    } catch {
      if (!res.headersSent) res.writeHead(404, { 'content-type': 'text/plain', 'content-security-policy': RECRUIT_CSP }).end('not found');
    }
  });
  await new Promise((r) => server.listen(port, host, r));
  const addr = server.address();
  return {
    url: `http://${host}:${addr.port}`,
    applications,
    dataDir,
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
    return acc;
  }, []));
  const s = await startRecruitServer({ dist: args.dist, port: Number(args.port || 8090), host: args.host || '127.0.0.1', dataDir: args.data });
  console.log(`demo recruitment site on ${s.url}/ (applications: ${s.url}/api/applications, stored in ${s.dataDir}); Ctrl-C to stop`);
}
