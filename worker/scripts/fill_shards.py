#!/usr/bin/env python3
"""Bulk-loads synthetic certificates into the local shard databases of a stopped `wrangler dev` state directory
(the capacity fill of scripts/fill-edge.sh; docs/edge.md, "Capacity"). Each certificate gets its row in the shard
of its 管理号 (the worker's keyed shard hash under SHARD_KEY), its 查询编号 index row in the shard of the 查询编号's
hash, and COPIES copies (random 32-byte ids; the base copy and 加注 copies A1, A2, …) — exactly the rows and indexes
registration writes, in large transactions. Hashes of names and ID numbers are random bytes: these certificates are
filler, never looked up (the latency probes use certificates registered through the admin API).

  fill_shards.py STATE_DIR SHARD_KEY COUNT START COPIES FILE_0,FILE_1,…   (one sqlite file per shard, in map order)
Prints JSON: rows written per shard and seconds."""
import hashlib
import hmac
import json
import os
import sqlite3
import sys
import time

DOMAIN = b'ecert.shard/1\0'

if sys.argv[1] == 'identify':
    # identify STATE_DIR N: which sqlite file is the control database and which is shard i of N (by the home of its
    # rows), and each file's size, page count and rows.
    import glob
    state, n = sys.argv[2], int(sys.argv[3])
    out = {'control': None, 'shards': [None] * n, 'files': {}}
    for f in sorted(glob.glob(os.path.join(state, 'v3', 'd1', '*', '*.sqlite'))):
        db = sqlite3.connect(f)
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        page_count = db.execute('PRAGMA page_count').fetchone()[0]
        page_size = db.execute('PRAGMA page_size').fetchone()[0]
        info = {'bytes': page_count * page_size, 'page_count': page_count, 'page_size': page_size}
        if 'trust_lists' in tables:
            out['control'] = f
        elif 'shard_maps' not in tables and 'certificates' in tables:
            row = db.execute('SELECT shard_hash FROM certificates LIMIT 1').fetchone()
            info['certificates'] = db.execute('SELECT count(*) FROM certificates').fetchone()[0]
            info['copies'] = db.execute('SELECT count(*) FROM certificate_copies').fetchone()[0]
            info['query_index'] = db.execute('SELECT count(*) FROM query_index').fetchone()[0]
            if row is not None:
                out['shards'][row[0] % n] = f
        out['files'][f] = info
        db.close()
    print(json.dumps(out))
    sys.exit(0)

state, shard_key, count, start, copies, files = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6].split(',')
n = len(files)


def shard_hash(kind, value):
    return hmac.new(shard_key, DOMAIN + kind + b'\0' + value.encode(), hashlib.sha256).digest()


def slot(h):
    return int.from_bytes(h[:6], 'big')


t0 = time.time()
dbs = [sqlite3.connect(f) for f in files]
for db in dbs:
    db.execute('PRAGMA synchronous = OFF')
    db.execute('PRAGMA cache_size = -100000')
    db.execute('BEGIN')
certs = [[] for _ in range(n)]
index = [[] for _ in range(n)]
cps = [[] for _ in range(n)]
written = [0] * n
now = int(time.time())


def flush():
    for i, db in enumerate(dbs):
        db.executemany('INSERT INTO certificates (management_number, query_number, shard_hash, qualification_code, issuer_id, '
                       'approval_date, issue_date, name_mac, id_mac, record_mac, registered_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)', certs[i])
        db.executemany('INSERT INTO query_index (query_hash, management_number) VALUES (?, ?)', index[i])
        db.executemany('INSERT INTO certificate_copies (status_id, management_number, annotation_number, registered_at) VALUES (?,?,?,?)', cps[i])
        db.execute('COMMIT')
        db.execute('BEGIN')
        certs[i].clear(), index[i].clear(), cps[i].clear()


for j in range(start, start + count):
    m = f'F{j:011d}'
    q = f'QF{j:014d}'
    h = shard_hash(b'management_number', m)
    s = slot(h)
    home = s % n
    certs[home].append((m, q, s, 'Q07', 'mohrss', '2023-01-10', '2023-03-15', os.urandom(32), os.urandom(32), os.urandom(32), now))
    qh = shard_hash(b'query_number', q)
    index[slot(qh) % n].append((qh, m))
    for c in range(copies):
        cps[home].append((os.urandom(32), m, '' if c == 0 else f'A{c}', now))
    written[home] += 1
    if (j - start + 1) % 100_000 == 0:
        flush()
        print(f'  {j - start + 1} certificates ({time.time() - t0:.0f} s)', file=sys.stderr, flush=True)
flush()
for db in dbs:
    db.execute('COMMIT')
    db.close()
print(json.dumps({'certificates_per_shard': written, 'seconds': round(time.time() - t0, 1)}))
