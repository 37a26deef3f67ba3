-- ecert edge: the control database (binding DB) once the registry lives in shards (issue 16; docs/edge.md,
-- "Shards"). Certificates, copies and the 查询编号 index now live in the SHARD_i databases (worker/migrations/shard/);
-- this database keeps trust lists, status publications, the status buckets' change numbers, the audit log and the
-- shard map. The pre-shard `certificates` and `certificate_copies` tables stay here untouched, as the source of
-- the one-time copy into the shards (POST /v1/admin/shards/copy with source "DB"; docs/edge.md, "Migrating to
-- shards"); nothing writes them any more.

-- Who did it, per request: the operator's name is the actor; request_id is the edge's id of the request.
ALTER TABLE audit_log ADD COLUMN request_id TEXT;

-- Every shard map, append-only; the current one has the highest version. No row: the map of the SHARDS var
-- (version 0, active). state: 'active' (read and write `shards`); 'copying' (a move in progress: reads from
-- `previous`, writes to both); 'switched' (the copy is complete: reads from `shards`, falling back to `previous`,
-- writes to both). A move ends with an 'active' map without `previous`.
CREATE TABLE shard_maps (
    version    INTEGER NOT NULL PRIMARY KEY,
    shards     TEXT    NOT NULL,                               -- comma-separated D1 binding names, in order
    previous   TEXT,                                           -- the map being moved from
    state      TEXT    NOT NULL CHECK (state IN ('active', 'copying', 'switched')),
    created_at INTEGER NOT NULL,
    created_by TEXT    NOT NULL,
    CHECK ((state = 'active') = (previous IS NULL))
);
CREATE TRIGGER shard_maps_no_update BEFORE UPDATE ON shard_maps
BEGIN
    SELECT RAISE(ABORT, 'shard maps are append-only');
END;
CREATE TRIGGER shard_maps_no_delete BEFORE DELETE ON shard_maps
BEGIN
    SELECT RAISE(ABORT, 'shard maps are append-only');
END;

-- The status buckets' change numbers (0002) are now written by the worker, after the shard's commit and before
-- the answer, not by triggers (a change and its number are in different databases). The pre-shard triggers on
-- the legacy tables stay harmless: nothing writes those tables.
