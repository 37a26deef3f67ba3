#!/usr/bin/env node
// Seeds an ecert edge from `ecert demo` output through the admin API, so seeds pass the same validation as real
// data: publishes DEMO/trust-list.json (PUT /v1/admin/trust-list), then registers DEMO/pki/register/*.json
// (POST /v1/admin/certificates). Idempotent: re-running reports everything as unchanged.
//
//   node worker/scripts/seed.mjs --base http://127.0.0.1:8787 --demo demo-out [--env-file worker/.dev.vars]
//   (the admin token comes from $ADMIN_TOKEN or from ADMIN_TOKEN=… in the env file)
//
// As a module: `import { seed } from './seed.mjs'; await seed({ baseUrl, adminToken, demoDir })`.

import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Publish the demo trust list and register every demo record. Returns a summary; throws on any refusal. */
export async function seed({ baseUrl, adminToken, demoDir }) {
  const auth = { authorization: `Bearer ${adminToken}` };
  const trustList = await readFile(join(demoDir, 'trust-list.json'));
  let r = await fetch(`${baseUrl}/v1/admin/trust-list`, {
    method: 'PUT',
    headers: { ...auth, 'content-type': 'application/json' },
    body: trustList,
  });
  const published = await r.json();
  if (r.status !== 201 && r.status !== 200) {
    throw new Error(`publishing ${demoDir}/trust-list.json: ${r.status} ${JSON.stringify(published)}`);
  }
  const dir = join(demoDir, 'pki', 'register');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const records = await Promise.all(files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8'))));
  r = await fetch(`${baseUrl}/v1/admin/certificates`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ records }),
  });
  const registered = await r.json();
  if (r.status !== 201 && r.status !== 200) {
    throw new Error(`registering ${files.length} records: ${r.status} ${JSON.stringify(registered)}`);
  }
  return { trustListSequence: published.sequence, created: registered.created.length, unchanged: registered.unchanged.length };
}

/** KEY=VALUE lines (optional quotes), as wrangler's env files. */
export async function readEnvFile(path) {
  const out = {};
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    const m = line.match(/^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/);
    if (m) out[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
  }
  return out;
}

async function main(argv) {
  const arg = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const baseUrl = arg('--base') ?? 'http://127.0.0.1:8787';
  const demoDir = arg('--demo') ?? 'demo-out';
  const envFile = arg('--env-file');
  const adminToken = process.env.ADMIN_TOKEN ?? (envFile ? (await readEnvFile(envFile)).ADMIN_TOKEN : undefined);
  if (!adminToken) {
    console.error('seed: no admin token (set ADMIN_TOKEN or pass --env-file)');
    process.exit(2);
  }
  const s = await seed({ baseUrl, adminToken, demoDir });
  console.log(`seeded ${baseUrl}: trust list #${s.trustListSequence}, ${s.created} certificates registered, ${s.unchanged} unchanged`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(`seed: ${e.message}`);
    process.exit(1);
  });
}
