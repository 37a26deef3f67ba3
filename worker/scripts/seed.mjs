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
// Files (issue 18, docs/holder.md; on by default from the command line, `files: true` as a module): the demo's
// sample PDFs that holders download — the base PDF of every certificate needing no 加注 (a sample without a 加注 in
// DEMO/pki/annotation-ledger.json that verifies VALID: PUT /v1/admin/certificates/{管理号}/pdf) and every annotated
// sample sealed by its own issuer (VALID, ANNOTATION_EXPIRED, ANNOTATION_NOT_YET_VALID) imported as a done 加注 job
// with its day of application from the ledger (POST /v1/admin/annotations?applied_on=…). Both verified by the edge.
//
// Holder (`--holder-password P`, or `holder: {name, idNumber, password}` as a module): creates one holder account
// through the holder API — by default 张伟, the holder of samples/valid-style1.pdf (his ID number from
// samples/manifest.json). Nobody else gets an account.
//
//   node worker/scripts/seed.mjs --base http://127.0.0.1:8787 --demo demo-out [--env-file worker/.dev.vars]
//        [--no-files] [--holder-password P [--holder-name 张伟] [--holder-id ID]]
//   (the admin token comes from $ADMIN_TOKEN or from ADMIN_TOKEN=… in the env file)
//
// As a module: `import { seed } from './seed.mjs'; await seed({ baseUrl, adminToken, demoDir, files, holder })`.

import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Publish the demo trust list and register every demo record. Returns a summary; throws on any refusal. */
export async function seed({ baseUrl, adminToken, demoDir, files = false, holder }) {
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
  if (files) summary.files = await seedFiles({ baseUrl, auth, demoDir });
  if (holder) summary.holder = await createHolder({ baseUrl, ...holder });
  return summary;
}

/** The verdicts of demo samples that are genuine copies (their 加注 window is the only possible finding). */
const GENUINE = new Set(['VALID', 'ANNOTATION_EXPIRED', 'ANNOTATION_NOT_YET_VALID']);

/** Store the demo's base PDFs and import its annotated samples (see the header). */
export async function seedFiles({ baseUrl, auth, demoDir }) {
  const manifest = JSON.parse(await readFile(join(demoDir, 'samples', 'manifest.json'), 'utf8'));
  const ledgerPath = join(demoDir, 'pki', 'annotation-ledger.json');
  const ledger = existsSync(ledgerPath) ? JSON.parse(await readFile(ledgerPath, 'utf8')) : { certificates: {} };
  const out = { basePdfs: [], annotations: [] };
  for (const sample of manifest.samples) {
    if (!GENUINE.has(sample.expected)) continue;
    const pdf = await readFile(join(demoDir, 'samples', sample.file));
    // The sample's own 加注 is the certificate's first ledger entry (the demo writes one; a signer adds later ones).
    const entry = (ledger.certificates?.[sample.management_number] ?? [])[0];
    const headers = { ...auth, 'content-type': 'application/pdf' };
    let r;
    if (entry) {
      r = await fetch(`${baseUrl}/v1/admin/annotations?applied_on=${entry.applied_on}`, { method: 'POST', headers, body: pdf });
    } else if (sample.expected === 'VALID') {
      r = await fetch(`${baseUrl}/v1/admin/certificates/${encodeURIComponent(sample.management_number)}/pdf`, { method: 'PUT', headers, body: pdf });
    } else {
      continue;
    }
    const body = await r.json();
    if (r.status !== 200 && r.status !== 201) {
      throw new Error(`storing ${sample.file}: ${r.status} ${JSON.stringify(body)}`);
    }
    if (entry) out.annotations.push({ file: sample.file, management_number: sample.management_number, job_id: body.job_id, created: body.created });
    else out.basePdfs.push({ file: sample.file, management_number: sample.management_number, created: body.created });
  }
  return out;
}

/** Create a holder account through the holder API; an existing one is left as it is. */
export async function createHolder({ baseUrl, name, idNumber, password }) {
  const r = await fetch(`${baseUrl}/v1/holder/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, id_number: idNumber, password, accept_notice: true }),
  });
  const body = await r.json().catch(() => ({}));
  if (r.status === 201) return { name, created: true };
  if (r.status === 409 && body.code === 'ACCOUNT_EXISTS') return { name, created: false };
  throw new Error(`creating the holder account of ${name}: ${r.status} ${JSON.stringify(body)}`);
}

/** The demo's holder for the seeded account: 张伟, the holder of samples/valid-style1.pdf. */
export async function demoHolder(demoDir) {
  const manifest = JSON.parse(await readFile(join(demoDir, 'samples', 'manifest.json'), 'utf8'));
  const s = manifest.samples.find((x) => x.file === 'valid-style1.pdf');
  if (!s) throw new Error(`${demoDir}/samples/manifest.json has no valid-style1.pdf`);
  return { name: s.holder_name, idNumber: s.id_number };
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
  const holderPassword = arg('--holder-password');
  let holder;
  if (holderPassword) {
    const who = await demoHolder(demoDir);
    holder = { name: arg('--holder-name') ?? who.name, idNumber: arg('--holder-id') ?? who.idNumber, password: holderPassword };
  }
  const s = await seed({ baseUrl, adminToken, demoDir, files: !argv.includes('--no-files'), holder });
  console.log(
    `seeded ${baseUrl}: trust list #${s.trustListSequence}, ${s.created} certificates registered, ${s.unchanged} unchanged; ` +
      `copies: ${s.copiesCreated} registered, ${s.copiesUnchanged} unchanged`,
  );
  if (s.files) {
    console.log(`files: ${s.files.basePdfs.length} base PDF(s), ${s.files.annotations.length} annotated copies imported as done 加注 jobs`);
  }
  if (s.holder) {
    console.log(`holder account: ${s.holder.name} (${s.holder.created ? 'created' : 'exists already'}; password as given)`);
  }
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
