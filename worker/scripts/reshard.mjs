// Moves the edge's registry to another list of shards without downtime, or copies the pre-shard tables of the
// control database into the shards, through the admin API (docs/edge.md, "Moving to more shards").
//
//   node worker/scripts/reshard.mjs --base URL --to SHARD_0,…,SHARD_7      (ADMIN_TOKEN in the environment)
//   node worker/scripts/reshard.mjs --base URL --from-legacy                copy DB's pre-shard tables (once)
//
// A move: (1) store the map `copying` (writes go to old and new, reads to old), wait until every isolate has it
// (twice the map's TTL); (2) copy every old shard's rows to their new homes, page by page (idempotent); (3) map
// `switched` (reads new first, old as fallback; writes still both), wait; (4) map `active` (new only).
// Lookups, status reads and revocations are answered throughout. Importable: move(), copyAll().

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function call(baseUrl, adminToken, path, body) {
  const r = await fetch(`${baseUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status} ${text}`);
  return JSON.parse(text);
}

/** Copy every page of `source` into the current map's shards: certificates (with their copies, 查询编号 index rows,
 * 加注 jobs and base PDFs), then — from a shard, not from `DB` — the holders' rows (holder index, accounts, sessions;
 * issue 18). Returns { read, copied, copies, pages, holders: { read, copied, accounts, sessions, pages } }. */
export async function copyAll({ baseUrl, adminToken, source, limit = 100, log = () => {} }) {
  const total = { read: 0, copied: 0, copies: 0, pages: 0 };
  let after = '';
  for (;;) {
    const { page } = await call(baseUrl, adminToken, '/v1/admin/shards/copy', { source, after, limit });
    total.read += page.read;
    total.copied += page.copied;
    total.copies += page.copies;
    total.pages += 1;
    if (total.pages % 50 === 0) log(`  ${source}: ${total.read} read, ${total.copied} copied`);
    if (!page.next_after) break;
    after = page.next_after;
  }
  if (source === 'DB') return total;
  const holders = { read: 0, copied: 0, accounts: 0, sessions: 0, pages: 0 };
  after = '';
  for (;;) {
    const { page } = await call(baseUrl, adminToken, '/v1/admin/shards/copy', { source, after, limit, table: 'holders' });
    holders.read += page.read;
    holders.copied += page.copied;
    holders.accounts += page.accounts;
    holders.sessions += page.sessions;
    holders.pages += 1;
    if (!page.next_after) break;
    after = page.next_after;
  }
  total.holders = holders;
  return total;
}

/** Move the registry to the shard list `to`. `onStep(name, map)` is called after each step. */
export async function move({ baseUrl, adminToken, to, limit = 100, log = () => {}, onStep = async () => {} }) {
  let map = await call(baseUrl, adminToken, '/v1/admin/shards');
  if (map.state !== 'active') throw new Error(`the shard map is ${map.state}, not active: finish or abort that move first`);
  const from = map.shards;
  const settle = () => sleep(2 * map.map_ttl_ms + 200);
  const t0 = Date.now();
  map = await call(baseUrl, adminToken, '/v1/admin/shards', { version: map.version + 1, state: 'copying', shards: to });
  log(`map ${map.version}: copying ${from.join(',')} → ${to.join(',')}`);
  await settle();
  await onStep('copying', map);
  const copied = {};
  for (const source of from) {
    copied[source] = await copyAll({ baseUrl, adminToken, source, limit, log });
    log(`  ${source}: ${JSON.stringify(copied[source])}`);
  }
  map = await call(baseUrl, adminToken, '/v1/admin/shards', { version: map.version + 1, state: 'switched' });
  log(`map ${map.version}: switched (reads ${to.length} shards, falling back to ${from.length})`);
  await settle();
  await onStep('switched', map);
  map = await call(baseUrl, adminToken, '/v1/admin/shards', { version: map.version + 1, state: 'active' });
  log(`map ${map.version}: active on ${to.join(',')} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  await settle();
  await onStep('active', map);
  return { map, copied };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const args = process.argv.slice(2);
  const opt = (n) => { const i = args.indexOf(n); return i >= 0 ? args[i + 1] : undefined; };
  const baseUrl = opt('--base');
  const adminToken = process.env.ADMIN_TOKEN;
  if (!baseUrl || !adminToken || (!opt('--to') && !args.includes('--from-legacy'))) {
    console.error('usage: ADMIN_TOKEN=… reshard.mjs --base URL (--to SHARD_0,…|--from-legacy) [--limit N]');
    process.exit(2);
  }
  const limit = Number(opt('--limit') ?? 100);
  const log = (s) => console.error(s);
  if (args.includes('--from-legacy')) {
    console.log(JSON.stringify(await copyAll({ baseUrl, adminToken, source: 'DB', limit, log })));
  } else {
    const r = await move({ baseUrl, adminToken, to: opt('--to').split(','), limit, log });
    console.log(JSON.stringify(r));
  }
}
