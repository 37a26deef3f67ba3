-- ecert edge: status bound to the exact sealed record (issue 15; docs/edge.md, "Certificate copies").
--
-- Every certificate *copy* — the base certificate and each 加注 copy — has its own status id: SHA-256 of
-- "ecert.status/2\0" ‖ the exact record bytes it seals (ecert_format::copy_status_id). SQL cannot compute it (it
-- has no record bytes), so this migration only makes room: existing certificates have no copies until their
-- records are registered again through the admin API (idempotent; docs/edge.md, "Migrating to record-bound
-- status ids"). GET /v1/admin/status/universe counts the certificates still without a copy.
--
-- 1. `certificates` is rebuilt without the 管理号-derived `status_id` / `status_prefix` columns (SQLite cannot drop
--    a UNIQUE column in place). This also drops the 0002 triggers that kept status_versions from them; every
--    other column, the revocation-is-final trigger and every row are kept.
-- 2. `certificate_copies`: one row per issued copy, immutable (triggers refuse UPDATE and DELETE). Revocation
--    stays per certificate (`certificates.revoked_at`): revoking a certificate revokes all its copies, by join.
-- 3. status_versions (0002) is now kept by triggers on the copies: registering a copy bumps the bucket of its id's
--    prefix; revoking a certificate bumps the bucket of every copy of it.

PRAGMA defer_foreign_keys = true;

CREATE TABLE certificates_v3 (
    management_number  TEXT    NOT NULL PRIMARY KEY,           -- 管理号
    query_number       TEXT    NOT NULL UNIQUE,                -- 查询编号
    qualification_code TEXT    NOT NULL,                       -- Q01..Q31
    issuer_id          TEXT    NOT NULL,
    approval_date      TEXT    NOT NULL,                       -- YYYY-MM-DD
    issue_date         TEXT    NOT NULL,                       -- YYYY-MM-DD
    name_mac           TEXT    NOT NULL,                       -- HMAC of 姓名
    id_mac             TEXT    NOT NULL,                       -- HMAC of 证件号码
    record_mac         TEXT    NOT NULL,                       -- HMAC of the whole base record (re-registration check)
    registered_at      INTEGER NOT NULL,                       -- Unix seconds
    revoked_at         INTEGER,                                -- Unix seconds; NULL while 有效
    revocation_reason  TEXT,
    CHECK ((revoked_at IS NULL) = (revocation_reason IS NULL))
);

INSERT INTO certificates_v3 (management_number, query_number, qualification_code, issuer_id, approval_date, issue_date,
                             name_mac, id_mac, record_mac, registered_at, revoked_at, revocation_reason)
SELECT management_number, query_number, qualification_code, issuer_id, approval_date, issue_date,
       name_mac, id_mac, record_mac, registered_at, revoked_at, revocation_reason
FROM certificates;

DROP TABLE certificates;
ALTER TABLE certificates_v3 RENAME TO certificates;

-- A revocation is final: once set, neither its time nor its reason changes.
CREATE TRIGGER certificates_revocation_is_final
BEFORE UPDATE OF revoked_at, revocation_reason ON certificates
WHEN OLD.revoked_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'revocation is final');
END;

-- One row per issued copy. The id is 32 raw bytes (hex in every API); its first two bytes are the status bucket
-- (4 hex), read as a range of the primary key.
CREATE TABLE certificate_copies (
    status_id         BLOB    NOT NULL PRIMARY KEY
                              CHECK (typeof(status_id) = 'blob' AND length(status_id) = 32),
    management_number TEXT    NOT NULL REFERENCES certificates (management_number),
    annotation_number TEXT,                                    -- 加注编号; NULL for the base copy
    registered_at     INTEGER NOT NULL                         -- Unix seconds
) WITHOUT ROWID;

-- One base copy per certificate, one copy per 加注; also the index of "the copies of a certificate".
CREATE UNIQUE INDEX certificate_copies_base ON certificate_copies (management_number) WHERE annotation_number IS NULL;
CREATE UNIQUE INDEX certificate_copies_by_certificate ON certificate_copies (management_number, annotation_number);

CREATE TRIGGER certificate_copies_no_update BEFORE UPDATE ON certificate_copies
BEGIN
    SELECT RAISE(ABORT, 'certificate copies are immutable');
END;
CREATE TRIGGER certificate_copies_no_delete BEFORE DELETE ON certificate_copies
BEGIN
    SELECT RAISE(ABORT, 'certificate copies are never deleted');
END;

-- Change numbers (0002): a new copy changes its bucket …
CREATE TRIGGER status_version_on_copy AFTER INSERT ON certificate_copies
BEGIN
    INSERT INTO status_versions (prefix, seq)
    VALUES (lower(substr(hex(NEW.status_id), 1, 4)), (SELECT coalesce(max(seq), 0) + 1 FROM status_versions))
    ON CONFLICT (prefix) DO UPDATE SET seq = excluded.seq;
END;

-- … and a revocation changes the bucket of every copy of the certificate, each with its own number (row_number
-- keeps them distinct whether or not SQLite re-evaluates the max per row).
CREATE TRIGGER status_version_on_revocation AFTER UPDATE OF revoked_at ON certificates
BEGIN
    INSERT INTO status_versions (prefix, seq)
    SELECT p.prefix, (SELECT coalesce(max(seq), 0) FROM status_versions) + row_number() OVER (ORDER BY p.prefix)
    FROM (SELECT DISTINCT lower(substr(hex(status_id), 1, 4)) AS prefix
          FROM certificate_copies WHERE management_number = NEW.management_number) AS p
    WHERE true
    ON CONFLICT (prefix) DO UPDATE SET seq = excluded.seq;
END;

-- The snapshot and delta files the status publisher uploaded (PUT /v1/admin/status/snapshot). The bytes live in
-- R2 (binding STATUS) under `object_key`; this table says which is current, so a read is one indexed query. The
-- current snapshot is the one with the highest sequence; the current delta is the highest delta on top of it.
CREATE TABLE status_publications (
    sequence             INTEGER NOT NULL PRIMARY KEY,
    kind                 TEXT    NOT NULL CHECK (kind IN ('snapshot', 'delta')),
    base_sequence        INTEGER NOT NULL,
    signer               TEXT    NOT NULL,
    issued_at            INTEGER NOT NULL,                     -- signed header: Unix seconds
    covers_sealed_before INTEGER NOT NULL,
    copies               INTEGER NOT NULL,
    revoked              INTEGER NOT NULL,
    size                 INTEGER NOT NULL,                     -- bytes of the file
    sha256               TEXT    NOT NULL,                     -- hex SHA-256 of the file
    etag                 TEXT    NOT NULL,                     -- quoted strong ETag
    object_key           TEXT    NOT NULL UNIQUE,              -- R2 key
    published_at         INTEGER NOT NULL,
    published_by         TEXT    NOT NULL,
    CHECK ((kind = 'snapshot') = (base_sequence = sequence)),
    CHECK (base_sequence <= sequence)
);
CREATE INDEX status_publications_by_kind ON status_publications (kind, sequence);
CREATE INDEX status_publications_by_base ON status_publications (base_sequence, sequence);

CREATE TRIGGER status_publications_no_update BEFORE UPDATE ON status_publications
BEGIN
    SELECT RAISE(ABORT, 'status publications are append-only');
END;
