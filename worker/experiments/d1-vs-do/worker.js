// D1 vs Durable Object SQLite: a point read and a write, the same table in both (docs/edge.md, "Why D1 shards").
import { DurableObject } from 'cloudflare:workers';

const SCHEMA = 'CREATE TABLE IF NOT EXISTS t (k BLOB PRIMARY KEY, v BLOB NOT NULL, n INTEGER NOT NULL) WITHOUT ROWID';
const key = (i) => { const b = new Uint8Array(32); new DataView(b.buffer).setUint32(0, i); return b; };

export class Shard extends DurableObject {
  constructor(ctx, env) { super(ctx, env); ctx.storage.sql.exec(SCHEMA); }
  fill(from, to) {
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => { for (let i = from; i < to; i++) sql.exec('INSERT OR IGNORE INTO t VALUES (?, ?, ?)', key(i), key(i * 7), i); });
    return to - from;
  }
  read(i) { return this.ctx.storage.sql.exec('SELECT n FROM t WHERE k = ?', key(i)).toArray().length; }
  write(i) { this.ctx.storage.sql.exec('UPDATE t SET n = n + 1 WHERE k = ?', key(i)); return 1; }
}

export default {
  async fetch(req, env) {
    const u = new URL(req.url);
    const i = Number(u.searchParams.get('i') ?? 0);
    const stub = env.SHARD.get(env.SHARD.idFromName('shard-0'));
    switch (u.pathname) {
      case '/noop': return new Response('1');
      case '/d1/fill': {
        await env.D1.exec(SCHEMA);
        const from = Number(u.searchParams.get('from')), to = Number(u.searchParams.get('to'));
        const st = env.D1.prepare('INSERT OR IGNORE INTO t VALUES (?, ?, ?)');
        const batch = [];
        for (let j = from; j < to; j++) batch.push(st.bind(key(j), key(j * 7), j));
        await env.D1.batch(batch);
        return new Response(String(to - from));
      }
      case '/do/fill': return new Response(String(await stub.fill(Number(u.searchParams.get('from')), Number(u.searchParams.get('to')))));
      case '/d1/read': return new Response(String((await env.D1.prepare('SELECT n FROM t WHERE k = ?').bind(key(i)).all()).results.length));
      case '/d1/write': await env.D1.prepare('UPDATE t SET n = n + 1 WHERE k = ?').bind(key(i)).run(); return new Response('1');
      case '/do/read': return new Response(String(await stub.read(i)));
      case '/do/write': return new Response(String(await stub.write(i)));
    }
    return new Response('?', { status: 404 });
  },
};
