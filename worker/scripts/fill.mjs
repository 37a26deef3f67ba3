#!/usr/bin/env node
// Capacity fill of the edge (docs/edge.md, "Capacity"; not in CI), run by scripts/fill-edge.sh:
//
// 1. Two edges on workerd, 4 shards each, the same keys: SMALL gets --small copies (default 10 000; plus the demo's), LARGE the same
//    certificates and then a bulk fill up to --copies (default 2 000 000). Every certificate has --per-cert copies
//    (default 2: the base copy and one 加注 copy).
// 2. Registration through the admin API (POST /v1/admin/certificates, 500 records a request, each record with a 加注:
//    2 copies) is timed on both, empty and — after the bulk fill — at full size: certificates/s and copies/s.
// 3. The bulk fill goes straight into LARGE's local shard files while it is stopped (worker/scripts/fill_shards.py:
//    the same rows and indexes registration writes, placed by the same keyed hash), then LARGE starts again.
// 4. Bytes per copy: page_count × page_size of each shard file over the copies in it.
// 5. Latency side by side, requests alternating between SMALL and LARGE: lookups (by 管理号 and by 查询编号) of
//    certificates registered through the API, and status buckets read from D1 (STATUS_MAX_STALE=0: no cache);
//    p50/p90/p99 and LARGE/SMALL ratios (goal: p99 within 1.3×).
//
//   node worker/scripts/fill.mjs [--copies N] [--small N] [--per-cert N] [--probes N] [--demo DIR] [--keep DIR]
// --keep DIR keeps both edges' state (DIR/small, DIR/large) and their keys (DIR/secrets.json) for
// `scripts/bench-edge.sh --state DIR/large`.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { REPO, makeDemo, startEdge } from '../../tests/support/edge.mjs';
import { loadTemplates, synthetic } from './synthetic.mjs';

const argv = process.argv.slice(2);
const opt = (n, d) => { const i = argv.indexOf(n); return i >= 0 ? argv[i + 1] : d; };
const TARGET = Number(opt('--copies', 2_000_000));
const SMALL = Number(opt('--small', 10_000));
const PER_CERT = Number(opt('--per-cert', 2));
const PROBES = Number(opt('--probes', 2000));
const SHARDS = ['SHARD_0', 'SHARD_1', 'SHARD_2', 'SHARD_3'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const loadavg = async () => (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');

function python(args) {
  return new Promise((res, rej) => {
    const c = spawn('python3', [join(REPO, 'worker', 'scripts', 'fill_shards.py'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('close', (code) => (code === 0 ? res(JSON.parse(out)) : rej(new Error(`fill_shards.py exited ${code}`))));
  });
}

/** Records with a 加注 each (so a record registers 2 copies: its base copy and the annotated one). */
function annotated(records) {
  return records.map((r, i) => {
    const from = new Date(`${r.issue_date}T00:00:00Z`);
    const until = new Date(from.getTime() + 29 * 86400_000);
    const d = (x) => x.toISOString().slice(0, 10);
    return { ...r, annotation: { scenario: '本人调用', valid_from: d(from), valid_until: d(until), number: `A${i % 1000}` } };
  });
}

async function registerAll(edge, records) {
  const headers = { authorization: `Bearer ${edge.adminToken}`, 'content-type': 'application/json' };
  let copies = 0;
  const t0 = performance.now();
  for (let i = 0; i < records.length; i += 500) {
    const r = await fetch(`${edge.baseUrl}/v1/admin/certificates`, { method: 'POST', headers, body: JSON.stringify({ records: records.slice(i, i + 500) }) });
    const text = await r.text();
    if (r.status !== 201) throw new Error(`registration: ${r.status} ${text.slice(0, 500)}`);
    copies += JSON.parse(text).copies.filter((c) => c.created).length;
  }
  const s = (performance.now() - t0) / 1000;
  return { certificates: records.length, copies, seconds: s, certsPerSecond: records.length / s, copiesPerSecond: copies / s };
}

const pct = (xs, p) => { const v = [...xs].sort((a, b) => a - b); return v[Math.min(v.length - 1, Math.floor((p / 100) * v.length))]; };
let ipCounter = 0;
const ip = () => `198.19.${(ipCounter >> 8) & 255}.${ipCounter++ & 255}`;

async function probe(edges, probeRecords, count = PROBES) {
  const lat = Object.fromEntries(edges.map((e) => [e.name, { lookup: [], status: [] }]));
  let failures = 0;
  for (let i = 0; i < count; i++) {
    const rec = probeRecords[i % probeRecords.length];
    const body = JSON.stringify({ name: rec.holder.name, id_number: rec.holder.id_number, ...(i % 2 ? { query_number: rec.query_number } : { management_number: rec.management_number }) });
    const prefix = randomBytes(2).toString('hex');
    // Alternate which edge goes first, so neither always follows the other.
    for (const e of i % 2 ? edges : [...edges].reverse()) {
      let t = performance.now();
      let r = await fetch(`${e.edge.baseUrl}/v1/lookup`, { method: 'POST', headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip() }, body });
      await r.arrayBuffer();
      lat[e.name].lookup.push(performance.now() - t);
      if (r.status !== 200) failures++;
      t = performance.now();
      r = await fetch(`${e.edge.baseUrl}/v1/status/${prefix}`);
      await r.arrayBuffer();
      lat[e.name].status.push(performance.now() - t);
      if (r.status !== 200) failures++;
    }
  }
  return { lat, failures };
}

async function main() {
  const demo = opt('--demo') ? { demoDir: opt('--demo'), cleanup: async () => {} } : await makeDemo();
  const work = opt('--keep') ?? (await mkdtemp(join(tmpdir(), 'ecert-fill-')));
  const secrets = { adminToken: randomBytes(24).toString('hex'), auditToken: randomBytes(24).toString('hex'), lookupKey: randomBytes(32).toString('hex'), shardKey: randomBytes(32).toString('hex') };
  const vars = { STATUS_MAX_STALE: '0', SHARDS: SHARDS.join(',') };
  if (opt('--keep')) {
    // What `bench.mjs --state DIR/large` needs to start an edge on the filled shards again.
    await mkdir(work, { recursive: true });
    await writeFile(join(work, 'secrets.json'), JSON.stringify(secrets), { mode: 0o600 });
  }
  const templates = await loadTemplates(demo.demoDir);
  // SMALL ends with --small copies: a first API batch, then (after LARGE's bulk fill) a second one registered into
  // both, a quarter of the total, which times registration at full size.
  const laterCerts = Math.max(250, Math.floor(SMALL / PER_CERT / 4));
  const apiCerts = Math.max(500, Math.floor(SMALL / PER_CERT) - laterCerts);
  const base = annotated(synthetic(templates, apiCerts, { prefix: 'P' }));
  const later = annotated(synthetic(templates, laterCerts, { prefix: 'R', start: 500_000 }));
  const edges = [];
  try {
    console.log(`load ${await loadavg()}; SMALL and LARGE edges, ${SHARDS.length} shards each`);
    const small = await startEdge({ demoDir: demo.demoDir, persistDir: join(work, 'small'), secrets, vars });
    edges.push({ name: 'small', edge: small });
    let large = await startEdge({ demoDir: demo.demoDir, persistDir: join(work, 'large'), secrets, vars });
    edges.push({ name: 'large', edge: large });
    const regSmall = await registerAll(small, base);
    const regLarge = await registerAll(large, base);
    console.log(`admin API registration, empty registry: SMALL ${regSmall.certsPerSecond.toFixed(0)} certificates/s (${regSmall.copiesPerSecond.toFixed(0)} copies/s), LARGE ${regLarge.certsPerSecond.toFixed(0)} certificates/s (${regLarge.copiesPerSecond.toFixed(0)} copies/s), ${base.length} certificates each`);

    await large.stop();
    edges.pop();
    let ident = await python(['identify', join(work, 'large'), String(SHARDS.length)]);
    if (ident.shards.some((f) => !f)) throw new Error(`could not identify every shard file: ${JSON.stringify(ident)}`);
    const have = Object.values(ident.files).reduce((s, f) => s + (f.copies ?? 0), 0);
    const certs = Math.max(0, Math.ceil((TARGET - have) / PER_CERT));
    console.log(`bulk fill: ${certs} certificates × ${PER_CERT} copies into ${ident.shards.length} shard files (load ${await loadavg()})…`);
    const fill = await python([join(work, 'large'), secrets.shardKey, String(certs), '0', String(PER_CERT), ident.shards.join(',')]);
    console.log(`bulk fill done in ${fill.seconds} s: certificates per shard ${fill.certificates_per_shard.join(' / ')}`);

    large = await startEdge({ demoDir: demo.demoDir, persistDir: join(work, 'large'), secrets, vars, seed: false, migrate: [] });
    edges.push({ name: 'large', edge: large });
    const regSmall2 = await registerAll(small, later);
    const regLarge2 = await registerAll(large, later);
    console.log(`admin API registration, full: SMALL ${regSmall2.certsPerSecond.toFixed(0)} certificates/s (${regSmall2.copiesPerSecond.toFixed(0)} copies/s), LARGE ${regLarge2.certsPerSecond.toFixed(0)} certificates/s (${regLarge2.copiesPerSecond.toFixed(0)} copies/s), ${later.length} certificates each`);

    const sizes = {};
    for (const [name, dir] of [['small', join(work, 'small')], ['large', join(work, 'large')]]) {
      const id = await python(['identify', dir, String(SHARDS.length)]);
      const shards = id.shards.map((f) => id.files[f]);
      const bytes = shards.reduce((s, f) => s + f.bytes, 0);
      const copies = shards.reduce((s, f) => s + f.copies, 0);
      sizes[name] = { bytes, copies, certificates: shards.reduce((s, f) => s + f.certificates, 0), perShard: shards, control: id.files[id.control]?.bytes };
      console.log(`${name}: ${copies} copies, ${sizes[name].certificates} certificates in ${shards.length} shards, ${(bytes / 2 ** 20).toFixed(1)} MiB → ${(bytes / copies).toFixed(1)} bytes per copy; per shard: ${shards.map((f) => `${f.copies} copies ${(f.bytes / 2 ** 20).toFixed(1)} MiB`).join(', ')}; control ${(sizes[name].control / 1024).toFixed(0)} KiB`);
    }

    // Warm both (isolate start, first reads), then the alternating probes.
    await probe(edges, base.slice(0, 100), 100);
    console.log(`probing: ${PROBES} lookups and ${PROBES} status reads per edge, alternating (load ${await loadavg()})…`);
    const { lat, failures } = await probe(edges, base.slice(100));
    const row = (name, kind) => {
      const xs = lat[name][kind];
      return { p50: pct(xs, 50), p90: pct(xs, 90), p99: pct(xs, 99) };
    };
    console.log('\n| route | copies | p50 ms | p90 ms | p99 ms |\n|---|---|---|---|---|');
    const result = {};
    for (const kind of ['lookup', 'status']) {
      for (const name of ['small', 'large']) {
        const r = row(name, kind);
        result[`${kind}_${name}`] = r;
        console.log(`| ${kind} | ${sizes[name].copies} | ${r.p50.toFixed(2)} | ${r.p90.toFixed(2)} | ${r.p99.toFixed(2)} |`);
      }
    }
    for (const kind of ['lookup', 'status']) {
      const ratio = result[`${kind}_large`].p99 / result[`${kind}_small`].p99;
      console.log(`${kind}: p99 LARGE/SMALL ${ratio.toFixed(2)}× (goal ≤ 1.3×: ${ratio <= 1.3 ? 'met' : 'NOT met'}); p50 ${(result[`${kind}_large`].p50 / result[`${kind}_small`].p50).toFixed(2)}×`);
    }
    console.log(`failed requests: ${failures}; load ${await loadavg()}`);
    console.log(JSON.stringify({ regSmall, regLarge, regSmall2, regLarge2, sizes: Object.fromEntries(Object.entries(sizes).map(([k, v]) => [k, { bytes: v.bytes, copies: v.copies, certificates: v.certificates }])), result }));
    if (failures) process.exitCode = 1;
  } finally {
    for (const e of edges) await e.edge.stop();
    if (!opt('--keep')) await rm(work, { recursive: true, force: true });
    await demo.cleanup();
  }
}

await main();
