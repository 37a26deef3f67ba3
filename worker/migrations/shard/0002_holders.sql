-- ecert edge: holder accounts and 加注 jobs (issue 18; docs/holder.md, docs/edge.md "Holder accounts"), in every
-- registry SHARD.
--
-- holder_key = HMAC-SHA256(LOOKUP_KEY, "ecert.holder/1\0" ‖ folded 姓名 ‖ 0 ‖ canonical 证件号码) (32 bytes). A
-- holder's rows (holder_index, accounts, sessions) live in the shard its first 6 bytes place (shard_hash % count,
-- like a 管理号's); a certificate's 加注 jobs and stored files live in the certificate's shard. No plain 证件号码 is
-- stored anywhere: an account keeps the name as typed (for the greeting) and the ID number's last 4 characters.

-- Which certificates are whose: written whenever a certificate is registered (POST /v1/admin/certificates, INSERT OR
-- IGNORE; re-registration fills it for certificates registered before). Registry data: never deleted with an account.
CREATE TABLE holder_index (
    holder_key        BLOB    NOT NULL CHECK (typeof(holder_key) = 'blob' AND length(holder_key) = 32),
    management_number TEXT    NOT NULL,
    shard_hash        INTEGER NOT NULL CHECK (shard_hash BETWEEN 0 AND 281474976710655),
    PRIMARY KEY (holder_key, management_number)
) WITHOUT ROWID;

CREATE TRIGGER holder_index_no_update BEFORE UPDATE ON holder_index
BEGIN
    SELECT RAISE(ABORT, 'holder index rows are immutable');
END;

-- One account per holder_key. Password: PBKDF2-HMAC-SHA256(HMAC-SHA256(PASSWORD_PEPPER, password), salt, iterations)
-- → 32 bytes (WebCrypto in the worker).
CREATE TABLE accounts (
    holder_key      BLOB    NOT NULL PRIMARY KEY CHECK (typeof(holder_key) = 'blob' AND length(holder_key) = 32),
    shard_hash      INTEGER NOT NULL CHECK (shard_hash BETWEEN 0 AND 281474976710655),
    name            TEXT    NOT NULL,                          -- as typed (folded), for the greeting
    id_tail         TEXT    NOT NULL CHECK (length(id_tail) = 4), -- last 4 characters of the 证件号码
    password_salt   BLOB    NOT NULL CHECK (typeof(password_salt) = 'blob' AND length(password_salt) = 16),
    password_hash   BLOB    NOT NULL CHECK (typeof(password_hash) = 'blob' AND length(password_hash) = 32),
    password_scheme TEXT    NOT NULL,                          -- e.g. 'pbkdf2-sha256-pepper/1'
    iterations      INTEGER NOT NULL CHECK (iterations > 0),
    notice_version  TEXT    NOT NULL,                          -- the service notice accepted
    created_at      INTEGER NOT NULL                           -- Unix seconds
) WITHOUT ROWID;

-- Sessions: only SHA-256 of the random 32-byte token is stored.
CREATE TABLE sessions (
    token_hash  BLOB    NOT NULL PRIMARY KEY CHECK (typeof(token_hash) = 'blob' AND length(token_hash) = 32),
    holder_key  BLOB    NOT NULL REFERENCES accounts (holder_key) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_holder ON sessions (holder_key);

-- 加注 jobs, in the certificate's shard. state: pending (waiting or leased: lease_until), done, failed. Never
-- deleted: the 3-in-90 rule counts every job not failed, by applied_on (China time).
CREATE TABLE annotation_jobs (
    job_id            TEXT    NOT NULL PRIMARY KEY CHECK (length(job_id) = 32),
    management_number TEXT    NOT NULL REFERENCES certificates (management_number),
    shard_hash        INTEGER NOT NULL CHECK (shard_hash BETWEEN 0 AND 281474976710655),
    scenario          TEXT    NOT NULL,
    applied_on        TEXT    NOT NULL,                        -- YYYY-MM-DD, China time
    valid_from        TEXT    NOT NULL,
    valid_until       TEXT    NOT NULL,
    state             TEXT    NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    origin            TEXT    NOT NULL CHECK (origin IN ('holder', 'import')),
    created_at        INTEGER NOT NULL,
    attempts          INTEGER NOT NULL DEFAULT 0,
    lease_until       INTEGER,                                 -- Unix seconds; a pending job is claimable after it
    leased_by         TEXT,                                    -- operator name
    done_at           INTEGER,
    annotation_number TEXT,                                    -- 加注编号, once done
    status_id         BLOB CHECK (status_id IS NULL OR (typeof(status_id) = 'blob' AND length(status_id) = 32)),
    pdf_sha256        TEXT,                                    -- of the stored file (R2 annotated/<job_id>/<sha256>.pdf)
    pdf_deleted       INTEGER NOT NULL DEFAULT 0,              -- 1: the file was deleted with the holder's account
    failure_reason    TEXT,
    CHECK ((state = 'done') = (done_at IS NOT NULL AND annotation_number IS NOT NULL AND status_id IS NOT NULL
                               AND pdf_sha256 IS NOT NULL))
) WITHOUT ROWID;
CREATE INDEX annotation_jobs_by_certificate ON annotation_jobs (management_number, applied_on);
CREATE INDEX annotation_jobs_by_state ON annotation_jobs (state, created_at);
CREATE UNIQUE INDEX annotation_jobs_by_number ON annotation_jobs (management_number, annotation_number);

CREATE TRIGGER annotation_jobs_no_delete BEFORE DELETE ON annotation_jobs
BEGIN
    SELECT RAISE(ABORT, 'annotation jobs are never deleted');
END;
CREATE TRIGGER annotation_jobs_done_is_final
BEFORE UPDATE OF state, annotation_number, status_id, pdf_sha256, done_at ON annotation_jobs
WHEN OLD.state IN ('done', 'failed')
BEGIN
    SELECT RAISE(ABORT, 'a finished annotation job is final');
END;

-- Stored base PDFs of certificates that need no 加注 (R2 base/<管理号>.pdf), in the certificate's shard.
CREATE TABLE certificate_files (
    management_number TEXT    NOT NULL PRIMARY KEY REFERENCES certificates (management_number),
    status_id         BLOB    NOT NULL CHECK (typeof(status_id) = 'blob' AND length(status_id) = 32),
    pdf_sha256        TEXT    NOT NULL,
    stored_at         INTEGER NOT NULL
) WITHOUT ROWID;
