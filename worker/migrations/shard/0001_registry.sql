-- ecert edge: the schema of every registry SHARD (SHARD_0, SHARD_1, …; docs/edge.md, "Shards"). Applied to each
-- shard binding with `wrangler d1 migrations apply SHARD_i`; the control database (binding DB) has its own
-- migrations in worker/migrations/.
--
-- A certificate lives, with every copy of it, in the shard its keyed shard hash names:
--   shard_hash = first 6 bytes (big-endian) of HMAC-SHA256(SHARD_KEY, "ecert.shard/1\0" ‖ "management_number" ‖ 0 ‖ 管理号)
--   shard      = the map's shards[shard_hash % count]
-- so a lookup by 管理号, a revocation (which revokes every copy at once, one transaction) and a copy's state are
-- one shard. A 查询编号 is found through its own index row, kept in the shard its own keyed hash names.
-- Hashes and digests are BLOBs (32 bytes), never hex. Rows are never deleted; a revocation is final.
-- A shard may hold rows of certificates that now live elsewhere (copied away during a move to more shards and
-- kept, since nothing may be deleted): every read filters by `shard_hash % count = this shard's index`.

CREATE TABLE certificates (
    management_number  TEXT    NOT NULL PRIMARY KEY,           -- 管理号
    query_number       TEXT    NOT NULL,                       -- 查询编号 (unique through query_index)
    shard_hash         INTEGER NOT NULL CHECK (shard_hash BETWEEN 0 AND 281474976710655),
    qualification_code TEXT    NOT NULL,                       -- Q01..Q31
    issuer_id          TEXT    NOT NULL,
    approval_date      TEXT    NOT NULL,                       -- YYYY-MM-DD
    issue_date         TEXT    NOT NULL,                       -- YYYY-MM-DD
    name_mac           BLOB    NOT NULL CHECK (typeof(name_mac) = 'blob' AND length(name_mac) = 32),
    id_mac             BLOB    NOT NULL CHECK (typeof(id_mac) = 'blob' AND length(id_mac) = 32),
    record_mac         BLOB    NOT NULL CHECK (typeof(record_mac) = 'blob' AND length(record_mac) = 32),
    registered_at      INTEGER NOT NULL,                       -- Unix seconds
    revoked_at         INTEGER,                                -- Unix seconds; NULL while 有效
    revocation_reason  TEXT,
    CHECK ((revoked_at IS NULL) = (revocation_reason IS NULL))
) WITHOUT ROWID;

-- A registered certificate is permanent: never deleted, its registered facts never changed, and a revocation is
-- final (neither its time nor its reason changes, and it is never undone).
CREATE TRIGGER certificates_no_delete BEFORE DELETE ON certificates
BEGIN
    SELECT RAISE(ABORT, 'certificates are never deleted');
END;
CREATE TRIGGER certificates_revocation_is_final
BEFORE UPDATE OF revoked_at, revocation_reason ON certificates
WHEN OLD.revoked_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'revocation is final');
END;
CREATE TRIGGER certificates_facts_are_final
BEFORE UPDATE OF management_number, query_number, shard_hash, qualification_code, issuer_id, approval_date,
                 issue_date, name_mac, id_mac, record_mac, registered_at ON certificates
BEGIN
    SELECT RAISE(ABORT, 'registered facts are final');
END;

-- One row per issued copy (the base certificate and each 加注 copy), in its certificate's shard. The id is 32 raw
-- bytes; its first two bytes are the status bucket, read as a range of the primary key. annotation_number is ''
-- for the base copy, so one unique index says both "one base copy per certificate" and "one copy per 加注编号",
-- and is the index of "the copies of a certificate".
CREATE TABLE certificate_copies (
    status_id         BLOB    NOT NULL PRIMARY KEY CHECK (typeof(status_id) = 'blob' AND length(status_id) = 32),
    management_number TEXT    NOT NULL REFERENCES certificates (management_number),
    annotation_number TEXT    NOT NULL,                        -- 加注编号; '' for the base copy
    registered_at     INTEGER NOT NULL                         -- Unix seconds
) WITHOUT ROWID;
CREATE UNIQUE INDEX certificate_copies_by_certificate ON certificate_copies (management_number, annotation_number);

CREATE TRIGGER certificate_copies_no_update BEFORE UPDATE ON certificate_copies
BEGIN
    SELECT RAISE(ABORT, 'certificate copies are immutable');
END;
CREATE TRIGGER certificate_copies_no_delete BEFORE DELETE ON certificate_copies
BEGIN
    SELECT RAISE(ABORT, 'certificate copies are never deleted');
END;

-- 查询编号 → 管理号, in the shard of the 查询编号's own keyed hash (query_hash = HMAC-SHA256(SHARD_KEY,
-- "ecert.shard/1\0" ‖ "query_number" ‖ 0 ‖ 查询编号), whose first 6 bytes place it). Its primary key makes a
-- 查询编号 name one certificate in the whole registry.
CREATE TABLE query_index (
    query_hash        BLOB    NOT NULL PRIMARY KEY CHECK (typeof(query_hash) = 'blob' AND length(query_hash) = 32),
    management_number TEXT    NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER query_index_no_update BEFORE UPDATE ON query_index
BEGIN
    SELECT RAISE(ABORT, 'query index rows are immutable');
END;
CREATE TRIGGER query_index_no_delete BEFORE DELETE ON query_index
BEGIN
    SELECT RAISE(ABORT, 'query index rows are never deleted');
END;
