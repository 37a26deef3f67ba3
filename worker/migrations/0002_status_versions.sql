-- ecert edge: which status buckets changed, and in what order (docs/edge.md, "Status: k-anonymity buckets").
--
-- One row per bucket that ever changed (at most 65 536): the sequence number of its latest change. Every
-- registration and revocation takes the next number (the highest so far + 1) in the same transaction as the
-- change, by the triggers below, so a reader that sees a change also sees its number, and the highest number
-- it sees stands for everything committed before its snapshot. An edge isolate holding bucket answers read at
-- sequence S asks "which buckets changed after S" (one small indexed read) to keep the unchanged ones instead
-- of reading every bucket again. No personal data: a 4-hex prefix and a number.
CREATE TABLE status_versions (
    prefix TEXT    NOT NULL PRIMARY KEY CHECK (length(prefix) = 4),
    seq    INTEGER NOT NULL UNIQUE
);

CREATE TRIGGER status_version_on_insert AFTER INSERT ON certificates
BEGIN
    INSERT INTO status_versions (prefix, seq)
    VALUES (NEW.status_prefix, (SELECT coalesce(max(seq), 0) + 1 FROM status_versions))
    ON CONFLICT (prefix) DO UPDATE SET seq = excluded.seq;
END;

CREATE TRIGGER status_version_on_update AFTER UPDATE ON certificates
BEGIN
    INSERT INTO status_versions (prefix, seq)
    VALUES (NEW.status_prefix, (SELECT coalesce(max(seq), 0) + 1 FROM status_versions))
    ON CONFLICT (prefix) DO UPDATE SET seq = excluded.seq;
END;

CREATE TRIGGER status_version_on_delete AFTER DELETE ON certificates
BEGIN
    INSERT INTO status_versions (prefix, seq)
    VALUES (OLD.status_prefix, (SELECT coalesce(max(seq), 0) + 1 FROM status_versions))
    ON CONFLICT (prefix) DO UPDATE SET seq = excluded.seq;
END;
