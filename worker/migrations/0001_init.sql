-- ecert edge: initial schema. Applied by `wrangler d1 migrations apply DB` (see docs/edge.md).
--
-- Personal data: none in plain text. 姓名 and 证件号码 are stored only as keyed hashes (HMAC-SHA256 under the
-- LOOKUP_KEY secret, bound to the certificate's 管理号); a lookup answer echoes the name the caller gave and
-- derives the masked number, sex and birth month from the ID number the caller gave.

-- One row per registered certificate (the base record; 加注件 copies share it).
CREATE TABLE certificates (
    management_number  TEXT    NOT NULL PRIMARY KEY,           -- 管理号
    query_number       TEXT    NOT NULL UNIQUE,                -- 查询编号
    status_id          TEXT    NOT NULL UNIQUE,                -- hex SHA-256("ecert.status/1\0" || 管理号)
    status_prefix      TEXT    NOT NULL,                       -- first 4 hex characters of status_id
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
    CHECK ((revoked_at IS NULL) = (revocation_reason IS NULL)),
    CHECK (length(status_prefix) = 4 AND substr(status_id, 1, 4) = status_prefix)
);

-- A revocation is final: once set, neither its time nor its reason changes.
CREATE TRIGGER certificates_revocation_is_final
BEFORE UPDATE OF revoked_at, revocation_reason ON certificates
WHEN OLD.revoked_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'revocation is final');
END;

-- The status bucket query reads only this index.
CREATE INDEX certificates_by_status_prefix
    ON certificates (status_prefix, status_id, revoked_at, revocation_reason);

-- Every published signed trust list, exactly the bytes published. The current one has the highest sequence.
CREATE TABLE trust_lists (
    sequence     INTEGER NOT NULL PRIMARY KEY,
    envelope     TEXT    NOT NULL,                             -- ecert.signed-trust-list/1 JSON, verbatim
    etag         TEXT    NOT NULL,                             -- quoted strong ETag of the envelope bytes
    issued_at    INTEGER NOT NULL,
    next_update  INTEGER NOT NULL,
    published_at INTEGER NOT NULL,
    published_by TEXT    NOT NULL
);

-- Append-only log of administrative changes. No personal data: targets are 管理号 or trust-list sequences.
CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    at     INTEGER NOT NULL,                                   -- Unix seconds
    actor  TEXT    NOT NULL,                                   -- principal name (admin, auditor), never a token
    action TEXT    NOT NULL,                                   -- register | revoke | publish_trust_list
    target TEXT    NOT NULL,
    detail TEXT    NOT NULL                                    -- JSON object
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Fixed-window request counters per (endpoint, keyed hash of the client address).
CREATE TABLE rate_limits (
    bucket       TEXT    NOT NULL,
    window_start INTEGER NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
) WITHOUT ROWID;
