// Runs schemathesis (property-based API tests from docs/openapi.yaml, every check on) against the real edge on
// workerd: a fresh `ecert demo`, the worker started as the tests start it (tests/support/edge.mjs: fresh local D1
// shards, seeded), the demo's status snapshot and a delta on it published (so every public GET has something to
// serve), then `st run` with the admin token for the admin routes and scripts/schemathesis_hooks.py.
// Called by scripts/schemathesis.sh (which finds the `st` command); exits with schemathesis's status.
//
//   node scripts/schemathesis.mjs ST_COMMAND [extra st run options …]

import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { REPO, makeDemo, runWithEnv, startEdge } from '../tests/support/edge.mjs';

const [st, ...extra] = process.argv.slice(2);
if (!st) {
  console.error('usage: node scripts/schemathesis.mjs ST_COMMAND [st run options]');
  process.exit(2);
}

const demo = await makeDemo();
// The rate limits stay as configured; scripts/schemathesis_hooks.py gives each lookup and verification its own client
// address, so they test the handlers rather than the limiter (whose 429 the spec lists).
const edge = await startEdge({ demoDir: demo.demoDir, seedFiles: true });
let code = 1;
try {
  const put = async (bytes) => {
    const r = await fetch(`${edge.baseUrl}/v1/admin/status/snapshot`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${edge.adminToken}`, 'content-type': 'application/vnd.ecert.status-snapshot' },
      body: bytes,
    });
    if (r.status !== 201) throw new Error(`publishing a status file: ${r.status} ${await r.text()}`);
  };
  const snapshot = await readFile(join(demo.demoDir, 'status', 'snapshot.bin'));
  await put(snapshot);
  // A delta on it, signed by the demo's status key a second after it (signed time never goes back).
  const issuedAt = JSON.parse(snapshot.subarray(9, 9 + snapshot.readUInt32BE(5)).toString('utf8')).issued_at;
  const deltaFile = join(demo.demoDir, 'schemathesis-delta.bin');
  await runWithEnv(demo.ecert, ['status', 'snapshot', '--pki', join(demo.demoDir, 'pki'), '--delta', '--out', deltaFile, '--at', `@${issuedAt + 1}`]);
  await put(await readFile(deltaFile));
  // A holder session for the holder routes (issue 18): 张伟's account, signed in; its cookie and CSRF token go with
  // every request (the admin routes ignore them; the holder routes ignore the bearer token).
  const zhang = demo.manifest.samples.find((x) => x.file === 'valid-style1.pdf');
  const holder = { name: zhang.holder_name, id_number: zhang.id_number, password: `st-${Date.now()}-password` };
  let r = await fetch(`${edge.baseUrl}/v1/holder/register`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...holder, accept_notice: true }),
  });
  if (r.status !== 201) throw new Error(`registering the schemathesis holder: ${r.status} ${await r.text()}`);
  const cookie = /ecert_session=[^;]*/.exec(r.headers.get('set-cookie'))[0];
  const { csrf_token: csrf } = await r.json();
  const args = [
    '--config-file', join(REPO, 'scripts', 'schemathesis.toml'),
    'run', join(REPO, 'docs', 'openapi.yaml'),
    '--url', edge.baseUrl,
    '--header', `Authorization: Bearer ${edge.adminToken}`,
    '--header', `Cookie: ${cookie}`,
    '--header', `X-CSRF-Token: ${csrf}`,
    '--checks', 'all',
    ...extra,
  ];
  // Run from target/schemathesis: schemathesis keeps its example database in ./.schemathesis.
  const cwd = join(REPO, 'target', 'schemathesis');
  await mkdir(cwd, { recursive: true });
  code = await new Promise((resolve) => {
    const env = { ...process.env, SCHEMATHESIS_HOOKS: join(REPO, 'scripts', 'schemathesis_hooks.py') };
    const child = spawn(st, args, { stdio: 'inherit', env, cwd });
    child.on('close', (c) => resolve(c ?? 1));
  });
} catch (e) {
  console.error(e);
  console.error(edge.logs().slice(-4000));
} finally {
  await edge.stop();
  await demo.cleanup();
}
process.exit(code);
