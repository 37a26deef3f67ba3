#!/usr/bin/env node
// Load test of the edge worker on workerd (loopback only, bounded in time), run by scripts/bench-edge.sh.
//
// 1. Starts the worker (tests/support/edge.mjs: wrangler dev --local, fresh D1, demo seeds) and registers
//    --certs synthetic certificates through the admin API, so status buckets hold real rows.
// 2. Warm-up (2 s per route), then wrk against /v1/noop and /v1/status/{prefix} of the same worker, every run
//    with -t1 -c<connections> (8), --duration seconds (4); each route runs alone, the two alternating (noop,
//    status, status, noop, …) --rounds times (5) per phase, with the same connections and the same pacing, in four phases:
//      saturation        as fast as wrk sends: requests/s (p99 there is queueing);
//      paced (goal)      each connection pauses --pace ms between requests (below saturation): the p99 a client
//                        sees; the goal status p99 ≤ 1.5× noop p99 is judged here;
//      paced, revoking   the same while an issuer revokes certificates one after another (during both routes' runs);
//      paced, cold       the same, but every status request asks a prefix nobody asked before in this run, so
//                        none is answered from the status cache: the cost of a D1 read (informational).
//    Status requests of the other phases cycle through --hot prefixes (64), half of them of registered
//    certificates, so each is asked again within a second or two: the working set a status cache serves.
//    Prints requests/s, p50 and p99 per run, the median of the runs' p99s, and p50/p99 of all runs of a phase
//    pooled (each run's latency histogram is written by wrk's done() hook); the goal is judged on the pooled p99.
// 3. Revocations (during the paced-revoking phase): each acknowledged (201)
//    revocation is polled in its bucket until it shows; any poll sent STATUS_MAX_STALE seconds or more after the
//    201 that still shows it valid is a broken bound. Afterwards every acknowledged revocation must be in its
//    bucket and the audit log: none lost.
//
//   node worker/scripts/bench.mjs [--duration S] [--connections N] [--rounds N] [--pace MS] [--certs N]
//                                 [--revocations N] [--hot N] [--max-stale S] [--demo DIR] [--state DIR]
// --state DIR starts the edge on an existing registry instead of a fresh one: the LARGE edge kept by
// `scripts/fill-edge.sh --keep D` (D/large, keys from D/secrets.json; 2 M copies in 4 shards); its certificates get a
// fresh 管理号 prefix per run, so a second run on the same state registers and revokes new ones.
// Lookups (POST /v1/lookup, by 管理号 and 查询编号 of the registered certificates, a new client address each, so the
// per-client and per-number rate limits are not reached) run in the saturation and goal phases beside noop and
// status; the goal is judged for both: p99 ≤ 1.5× noop p99, pooled.
// --max-stale sets the worker's STATUS_MAX_STALE (default: wrangler.toml's, 5 s); 0 turns the status cache off
// (every request reads D1), which is how the design without a cache is measured.
// Exit status: 0 when nothing was lost, no bound was broken and every request succeeded (the p99 goal is
// reported, not enforced), 1 otherwise.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, readdir, rm, writeFile, mkdtemp } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

import { REPO, makeDemo, startEdge } from '../../tests/support/edge.mjs';
import { synthetic } from './synthetic.mjs';

const GOAL_RATIO = 1.5;

function args(argv) {
  const get = (name, dflt) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : dflt;
  };
  return {
    duration: Number(get('--duration', 4)),
    connections: Number(get('--connections', 8)),
    certs: Number(get('--certs', 5000)),
    revocations: Number(get('--revocations', 120)),
    rounds: Math.max(1, Number(get('--rounds', 5))),
    pace: Number(get('--pace', 100)),
    demo: get('--demo', undefined),
    hot: Number(get('--hot', 64)),
    maxStale: get('--max-stale', undefined) === undefined ? undefined : Number(get('--max-stale')),
    state: get('--state', undefined),
  };
}

// 管理号 → the status id of its base copy, as the edge computed it when registering (the registration answer).
const idOf = new Map();
const statusId = (m) => idOf.get(m);

// Appended to every wrk script: writes the run's latency histogram (µs value, count per line) to $ECERT_HIST, so
// the rounds of a phase can be pooled into one distribution.
const HISTOGRAM_LUA = `
function done(summary, latency, requests)
  local f = io.open(os.getenv("ECERT_HIST"), "w")
  for i = 1, #latency do
    local v, c = latency(i)
    f:write(v, " ", c, "\\n")
  end
  f:close()
end
`;

let histograms = 0;
async function wrk(url, { duration, connections, script, work }) {
  const argv = ['-t1', `-c${connections}`, `-d${duration}s`, '--latency', '--timeout', '10s', '-s', script, url];
  const hist = join(work, `hist-${histograms++}.txt`);
  const out = await new Promise((resolve, reject) => {
    const child = spawn('wrk', argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ECERT_HIST: hist } });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}: ${text}`))));
  });
  const samples = (await readFile(hist, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ').map(Number));
  return { ...parseWrk(out), samples };
}

/** The p-th percentile (0–100) of pooled [µs, count] samples, in ms. */
function pooledPercentile(runs, p) {
  const all = runs.flatMap((r) => r.samples).sort((a, b) => a[0] - b[0]);
  const total = all.reduce((s, [, c]) => s + c, 0);
  let seen = 0;
  for (const [v, c] of all) {
    seen += c;
    if (seen >= (p / 100) * total) return v / 1000;
  }
  return NaN;
}

function ms(v, unit) {
  const x = Number(v);
  return unit === 'us' ? x / 1000 : unit === 's' ? x * 1000 : x;
}

function parseWrk(out) {
  const p = (pct) => {
    const m = out.match(new RegExp(`^\\s+${pct}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm'));
    return m ? ms(m[1], m[2]) : NaN;
  };
  const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? NaN);
  const requests = Number(out.match(/(\d+) requests in/)?.[1] ?? 0);
  const non2xx = Number(out.match(/Non-2xx or 3xx responses:\s+(\d+)/)?.[1] ?? 0);
  const errors = out.match(/Socket errors:.*/)?.[0] ?? '';
  return { rps, p50: p(50), p90: p(90), p99: p(99), requests, non2xx, errors, raw: out };
}

const fmt = (r) =>
  `${r.rps.toFixed(0).padStart(5)} req/s   p50 ${r.p50.toFixed(2).padStart(6)} ms   p99 ${r.p99.toFixed(2).padStart(7)} ms   (${r.requests} requests${r.non2xx ? `, ${r.non2xx} non-2xx` : ''})`;
const loadavg = async () => (await readFile('/proc/loadavg', 'utf8')).trim().split(' ').slice(0, 3).join(' ');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const luaList = (xs) => `{${xs.map((x) => `"${x}"`).join(',')}}`;

async function main() {
  const opt = args(process.argv.slice(2));
  const demo = opt.demo ? { demoDir: opt.demo, cleanup: async () => {} } : await makeDemo();
  console.log('starting the edge (wrangler dev on workerd, fresh local D1)…');
  const vars = opt.maxStale === undefined ? {} : { STATUS_MAX_STALE: String(opt.maxStale) };
  let edge;
  let prefix = 'B';
  if (opt.state) {
    const secrets = JSON.parse(await readFile(join(opt.state, '..', 'secrets.json'), 'utf8'));
    edge = await startEdge({ demoDir: demo.demoDir, vars, persistDir: opt.state, secrets, seed: false });
    prefix = `B${Date.now().toString(36).toUpperCase()}`;
    console.log(`on the registry kept in ${opt.state}; synthetic 管理号 prefix ${prefix}`);
  } else {
    edge = await startEdge({ demoDir: demo.demoDir, vars });
  }
  const work = await mkdtemp(join(tmpdir(), 'ecert-bench-'));
  let failed = false;
  try {
    const auth = { authorization: `Bearer ${edge.adminToken}`, 'content-type': 'application/json' };
    const dir = join(demo.demoDir, 'pki', 'register');
    const templates = await Promise.all((await readdir(dir)).sort().map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8'))));
    const records = synthetic(templates, opt.certs, { prefix });
    const t0 = Date.now();
    for (let i = 0; i < records.length; i += 500) {
      const r = await fetch(`${edge.baseUrl}/v1/admin/certificates`, { method: 'POST', headers: auth, body: JSON.stringify({ records: records.slice(i, i + 500) }) });
      if (r.status !== 201) throw new Error(`registering synthetic certificates: ${r.status} ${await r.text()}`);
      for (const c of (await r.json()).copies) if (c.annotation_number === null) idOf.set(c.management_number, c.status_id);
    }
    console.log(`registered ${records.length} synthetic certificates in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const probe = await fetch(`${edge.baseUrl}/v1/status/0000`);
    const cacheControl = probe.headers.get('cache-control');
    const configured = Number((await readFile(join(REPO, 'worker', 'wrangler.toml'), 'utf8')).match(/^STATUS_MAX_STALE = "(\d+)"/m)?.[1]);
    const maxStale = opt.maxStale ?? configured;
    if (!Number.isInteger(maxStale)) throw new Error('STATUS_MAX_STALE not found in worker/wrangler.toml');
    console.log(`status answers: Cache-Control ${cacheControl} (STATUS_MAX_STALE ${maxStale} s)`);

    // Hot prefixes: half of registered certificates (non-empty buckets), half random.
    const hot = [];
    for (let i = 0; i < opt.hot; i++) {
      hot.push(i % 2 ? statusId(records[(i * 7919) % records.length].management_number).slice(0, 4) : createHash('sha256').update(`r${i}`).digest('hex').slice(0, 4));
    }
    const hotSet = new Set(hot);
    // Cold prefixes: every prefix outside the hot set and the revoked ones, in a fixed shuffled order; each cold
    // run gets its own slice, longer than the run can consume.
    const toRevoke = records.slice(0, opt.revocations).map((r) => r.management_number);
    const revokedPrefixes = new Set(toRevoke.map((m) => statusId(m).slice(0, 4)));
    const cold = [];
    for (let i = 0; i < 65536; i++) {
      const p = createHash('sha256').update(`cold${i}`).digest('hex').slice(0, 4);
      if (!hotSet.has(p) && !revokedPrefixes.has(p) && !cold.includes(p)) cold.push(p);
      if (cold.length >= 4 * opt.rounds * Math.ceil((opt.connections * opt.duration * 1000) / opt.pace)) break;
    }
    const coldSlice = Math.floor(cold.length / opt.rounds);

    const pace = `function delay()\n  return ${opt.pace}\nend\n`;
    const cycle = (list) => `local p = ${luaList(list)}\nlocal i = 0\nrequest = function()\n  i = i + 1\n  return wrk.format("GET", "/v1/status/" .. p[((i - 1) % #p) + 1])\nend\n`;
    const script = async (name, text) => {
      const f = join(work, name);
      await writeFile(f, text + HISTOGRAM_LUA);
      return f;
    };
    // Lookups: bodies of registered certificates (by 管理号 and by 查询编号 in turn), a new client address per request
    // starting at a per-run offset, so neither the per-client nor the per-number rate limit is reached.
    const bodies = records.slice(0, 2000).map((rec, i) => JSON.stringify({ name: rec.holder.name, id_number: rec.holder.id_number, ...(i % 2 ? { query_number: rec.query_number } : { management_number: rec.management_number }) }));
    let lookupRuns = 0;
    const lookupScript = async (paced) => {
      const offset = 100_000 * ++lookupRuns;
      return script(`lookup-${lookupRuns}.lua`, `local b = {${bodies.map((x) => `[==[${x}]==]`).join(',')}}\nlocal i = ${offset}\nlocal h = { ["content-type"] = "application/json" }\nrequest = function()\n  i = i + 1\n  h["cf-connecting-ip"] = "10." .. (math.floor(i / 65536) % 256) .. "." .. (math.floor(i / 256) % 256) .. "." .. (i % 256)\n  return wrk.format("POST", "/v1/lookup", h, b[(i % #b) + 1])\nend\n${paced ? pace : ''}`);
    };
    const scripts = {
      noop: await script('noop.lua', ''),
      noopPaced: await script('noop-paced.lua', pace),
      statusHot: await script('status-hot.lua', cycle(hot)),
      statusHotPaced: await script('status-hot-paced.lua', cycle(hot) + pace),
    };
    const load = { duration: opt.duration, connections: opt.connections, work };
    const noopUrl = `${edge.baseUrl}/v1/noop`;
    const statusUrl = `${edge.baseUrl}/v1/status/0000`; // the scripts choose the path
    const lookupUrl = `${edge.baseUrl}/v1/lookup`;

    const loadBefore = await loadavg();
    console.log('warm-up…');
    await wrk(noopUrl, { ...load, duration: 2, script: scripts.noop });
    await wrk(statusUrl, { ...load, duration: 2, script: scripts.statusHot });
    await wrk(lookupUrl, { ...load, duration: 2, script: await lookupScript(false) });

    // Revocations, and a watcher that polls each acknowledged one in its bucket until it shows.
    const acknowledged = [];
    const late = [];
    const delays = [];
    const pending = new Map();
    let revErrors = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching || pending.size) {
        for (const [m, ackAt] of pending) {
          const id = statusId(m);
          const sentAt = Date.now();
          try {
            const b = await (await fetch(`${edge.baseUrl}/v1/status/${id.slice(0, 4)}`)).json();
            if (b.entries.find((e) => e.id === id)?.state === 'revoked') {
              delays.push(sentAt - ackAt);
              pending.delete(m);
            } else if (sentAt >= ackAt + maxStale * 1000) {
              late.push(m);
              pending.delete(m);
            }
          } catch {}
        }
        await sleep(100);
      }
    })();
    const revokeDuring = async (list) => {
      for (const m of list) {
        try {
          const r = await fetch(`${edge.baseUrl}/v1/admin/revocations`, { method: 'POST', headers: auth, body: JSON.stringify({ management_number: m, reason: '压测期间撤销 revoked during load' }) });
          if (r.status === 201) {
            acknowledged.push(m);
            pending.set(m, Date.now());
          } else revErrors++;
        } catch {
          revErrors++;
        }
      }
    };
    const share = Math.ceil(toRevoke.length / (2 * opt.rounds));
    let slot = 0;
    const nextRevocations = () => toRevoke.slice(slot * share, ++slot * share);

    // Each route runs alone (never both at once, so neither pays for the other's work); within a phase the two
    // alternate noop, status, status, noop, … so a drift in the machine's load hits both alike.
    const phases = [
      { name: 'saturation, read-only: as fast as wrk sends', paced: false, lookup: true },
      { name: `paced, read-only (goal): each connection pauses ${opt.pace} ms between requests`, paced: true, goal: true, lookup: true },
      { name: `paced, revoking: ${opt.pace} ms pauses, an issuer revokes certificates during every run`, paced: true, revoke: true },
      { name: `paced, cold buckets: ${opt.pace} ms pauses, every status prefix asked for the first time (no cache hit)`, paced: true, cold: true },
    ];
    const runs = [];
    for (const phase of phases) {
      const r = { phase, noop: [], status: [], lookup: [] };
      runs.push(r);
      for (let round = 0; round < opt.rounds; round++) {
        const statusScript = phase.cold
          ? await script(`status-cold-${round}.lua`, cycle(cold.slice(round * coldSlice, (round + 1) * coldSlice)) + pace)
          : phase.paced
            ? scripts.statusHotPaced
            : scripts.statusHot;
        const routes = phase.lookup ? ['noop', 'status', 'lookup'] : ['noop', 'status'];
        const order = round % 2 ? [...routes].reverse() : routes;
        for (const route of order) {
          const run = route === 'noop'
            ? wrk(noopUrl, { ...load, script: phase.paced ? scripts.noopPaced : scripts.noop })
            : route === 'lookup'
              ? wrk(lookupUrl, { ...load, script: await lookupScript(phase.paced) })
              : wrk(statusUrl, { ...load, script: statusScript });
          const [result] = await Promise.all([run, revokeDuring(phase.revoke ? nextRevocations() : [])]);
          r[route].push(result);
        }
      }
    }
    const loadAfter = await loadavg();

    // Every revocation resolved (shown, or its bound passed), then none lost: all in their buckets and audited.
    watching = false;
    await watcher;
    let visible = 0;
    for (const m of acknowledged) {
      const id = statusId(m);
      const b = await (await fetch(`${edge.baseUrl}/v1/status/${id.slice(0, 4)}`)).json();
      if (b.entries.find((e) => e.id === id)?.state === 'revoked') visible++;
    }
    const audit = await (await fetch(`${edge.baseUrl}/v1/admin/audit?limit=500`, { headers: auth })).json();
    const audited = new Set(audit.entries.filter((e) => e.action === 'revoke').map((e) => e.target));
    const auditedAll = acknowledged.every((m) => audited.has(m)) || acknowledged.length > 500;

    console.log('');
    console.log(
      `edge load test — wrk -t1 -c${opt.connections} per route, ${opt.rounds} rounds per phase, ${opt.duration} s per run, loopback, ` +
        `${opt.state ? `the registry kept in ${opt.state} plus ` : ''}${records.length + templates.length} registered certificates, status cache ${maxStale > 0 ? `on (STATUS_MAX_STALE ${maxStale} s)` : 'off (every request reads D1)'}`,
    );
    let goalRatio = NaN;
    let lookupGoalRatio = NaN;
    for (const r of runs) {
      console.log(`  ${r.phase.name}:`);
      r.noop.forEach((x, i) => console.log(`    /v1/noop            run ${i + 1}: ${fmt(x)}`));
      r.status.forEach((x, i) => console.log(`    /v1/status/{prefix} run ${i + 1}: ${fmt(x)}`));
      r.lookup.forEach((x, i) => console.log(`    POST /v1/lookup     run ${i + 1}: ${fmt(x)}`));
      const p99 = { noop: median(r.noop.map((x) => x.p99)), status: median(r.status.map((x) => x.p99)) };
      const pooled = (q) => ({ noop: pooledPercentile(r.noop, q), status: pooledPercentile(r.status, q) });
      const [p50all, p99all] = [pooled(50), pooled(99)];
      const ratio = p99all.status / p99all.noop;
      const n = (xs) => xs.reduce((s, x) => s + x.requests, 0);
      console.log(`    median req/s status / noop = ${median(r.status.map((x) => x.rps)).toFixed(0)} / ${median(r.noop.map((x) => x.rps)).toFixed(0)}`);
      console.log(`    median of the runs' p99  status / noop = ${p99.status.toFixed(2)} / ${p99.noop.toFixed(2)} ms = ${(p99.status / p99.noop).toFixed(2)}×`);
      console.log(`    all runs pooled (${n(r.status)} / ${n(r.noop)} requests): p50 ${p50all.status.toFixed(2)} / ${p50all.noop.toFixed(2)} ms, p99 ${p99all.status.toFixed(2)} / ${p99all.noop.toFixed(2)} ms = ${ratio.toFixed(2)}×`);
      if (r.lookup.length) {
        const lp = { p50: pooledPercentile(r.lookup, 50), p99: pooledPercentile(r.lookup, 99) };
        r.lookupRatio = lp.p99 / p99all.noop;
        console.log(`    lookup: median req/s ${median(r.lookup.map((x) => x.rps)).toFixed(0)}; pooled (${n(r.lookup)} requests) p50 ${lp.p50.toFixed(2)} ms, p99 ${lp.p99.toFixed(2)} ms = ${r.lookupRatio.toFixed(2)}× noop`);
      }
      if (r.phase.goal) {
        goalRatio = ratio;
        lookupGoalRatio = r.lookupRatio;
      }
      if (!r.phase.cold) {
        const every = opt.hot / median(r.status.map((x) => x.rps));
        console.log(`    each of the ${opt.hot} hot buckets asked again every ≈ ${every.toFixed(1)} s${maxStale > 0 ? ` (cache: answered from memory when < ${maxStale} s)` : ''}`);
      }
    }
    console.log(`  goal: status p99 ≤ ${GOAL_RATIO}× noop p99 (paced phase, all runs pooled): ${goalRatio.toFixed(2)}× — ${goalRatio <= GOAL_RATIO ? 'MET' : 'NOT MET'}`);
    console.log(`  goal: lookup p99 ≤ ${GOAL_RATIO}× noop p99 (paced phase, all runs pooled): ${lookupGoalRatio.toFixed(2)}× — ${lookupGoalRatio <= GOAL_RATIO ? 'MET' : 'NOT MET'}`);
    const lost = acknowledged.length - visible;
    console.log(`  revocations during load: ${acknowledged.length} acknowledged (201), ${revErrors} failed`);
    if (delays.length) {
      console.log(`    shown in their bucket after the 201 (first poll showing it, polls every ~100 ms): median ${median(delays).toFixed(0)} ms, max ${Math.max(...delays)} ms; bound ${maxStale * 1000} ms`);
    }
    console.log(`    still shown valid ≥ ${maxStale} s after the 201 (bound broken): ${late.length}`);
    console.log(`    visible afterwards in status buckets: ${visible}/${acknowledged.length}; in the audit log: ${auditedAll ? 'all' : 'NOT all'}; lost: ${lost}`);
    const non2xx = runs.flatMap((r) => [...r.noop, ...r.status, ...r.lookup]).reduce((s, r) => s + r.non2xx, 0);
    if (lost !== 0 || late.length !== 0 || !auditedAll || revErrors !== 0 || non2xx !== 0) {
      failed = true;
      console.log(`FAILED: ${lost} lost, ${late.length} past the bound, ${revErrors} revocation errors, ${non2xx} non-2xx responses under load`);
    }
    console.log(`  machine load average (1, 5, 15 min): before ${loadBefore}, after ${loadAfter}; ${cpus().length} cores, shared`);
  } finally {
    await edge.stop();
    await demo.cleanup();
    await rm(work, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
