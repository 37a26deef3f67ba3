#!/usr/bin/env node
// Seeds an ecert edge from `ecert demo` output through the admin API, so seeds pass the same validation as real
// data: publishes DEMO/trust-list.json (PUT /v1/admin/trust-list), then registers DEMO/pki/register/*.json (the
// base records: certificate + base copy) and DEMO/pki/copies/<status id>.json (every issued copy's exact record
// bytes, base and annotated; skipped when the directory does not exist) with POST /v1/admin/certificates, in
// batches of 500. Idempotent: re-running reports everything as unchanged — which is also how certificates
// registered before migration 0003 get their copies (docs/edge.md, "Migrating to record-bound status ids"). The
// edge computes every copy's status id itself; the seed compares them with the copy files' names and reports any
// difference.
//
//   node worker/scripts/seed.mjs --base http://127.0.0.1:8787 --demo demo-out [--env-file worker/.dev.vars]
//   (the admin token comes from $ADMIN_TOKEN or from ADMIN_TOKEN=… in the env file)
//
// As a module: `import { seed } from './seed.mjs'; await seed({ baseUrl, adminToken, demoDir })`.

import { existsSync } from 'node:fs';
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
  const summary = { trustListSequence: published.sequence, created: 0, unchanged: 0, copiesCreated: 0, copiesUnchanged: 0, copyIdMismatches: [] };
  const register = async (dir) => {
    const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
    for (let i = 0; i < files.length; i += BATCH) {
      const batch = files.slice(i, i + BATCH);
      const texts = await Promise.all(batch.map((f) => readFile(join(dir, f), 'utf8')));
      r = await fetch(`${baseUrl}/v1/admin/certificates`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        // The files' texts as they are (the edge re-derives each record's canonical bytes and ids itself).
        body: `{"records":[${texts.join(',')}]}`,
      });
      const registered = await r.json();
      if (r.status !== 201 && r.status !== 200) {
        throw new Error(`registering ${batch.length} records of ${dir}: ${r.status} ${JSON.stringify(registered)}`);
      }
      summary.created += registered.created.length;
      summary.unchanged += registered.unchanged.length;
      for (const c of registered.copies ?? []) {
        if (c.created) summary.copiesCreated++;
        else summary.copiesUnchanged++;
      }
      if (dir.endsWith('copies')) {
        const ids = new Set((registered.copies ?? []).map((c) => c.status_id));
        for (const f of batch) {
          const named = f.replace(/\.json$/, '');
          if (!ids.has(named)) summary.copyIdMismatches.push(named);
        }
      }
    }
  };
  await register(join(demoDir, 'pki', 'register'));
  const copiesDir = join(demoDir, 'pki', 'copies');
  if (existsSync(copiesDir)) await register(copiesDir);
  return summary;
}

/** Records per registration request (the edge's limit). */
const BATCH = 500;

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
  console.log(
    `seeded ${baseUrl}: trust list #${s.trustListSequence}, ${s.created} certificates registered, ${s.unchanged} unchanged; ` +
      `copies: ${s.copiesCreated} registered, ${s.copiesUnchanged} unchanged`,
  );
  if (s.copyIdMismatches.length > 0) {
    console.error(`seed: ${s.copyIdMismatches.length} copy file(s) named by an id the edge did not compute: ${s.copyIdMismatches.join(', ')}`);
    process.exit(1);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(`seed: ${e.message}`);
    process.exit(1);
  });
}
