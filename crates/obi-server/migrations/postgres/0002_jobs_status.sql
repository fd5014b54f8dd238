-- Bulk award jobs: the rows to issue, their progress, and per-line errors. An award made by a
-- job carries its row key (job id + row number), unique, so a replayed batch inserts nothing.
ALTER TABLE awards ADD COLUMN row_key TEXT;
ALTER TABLE awards ADD COLUMN format TEXT NOT NULL DEFAULT 'ob3';
CREATE UNIQUE INDEX awards_row_key ON awards(row_key);
CREATE INDEX awards_issuer_created ON awards(issuer_id, created_at, id);
CREATE TABLE award_jobs (
    id TEXT PRIMARY KEY,
    issuer_id TEXT NOT NULL REFERENCES issuers(id),
    actor TEXT NOT NULL,
    format TEXT NOT NULL,
    state TEXT NOT NULL,
    total BIGINT NOT NULL,
    queued BIGINT NOT NULL,
    next_row BIGINT NOT NULL DEFAULT 0,
    done BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX award_jobs_state ON award_jobs(state);
CREATE TABLE award_job_rows (
    job_id TEXT NOT NULL REFERENCES award_jobs(id),
    row_no BIGINT NOT NULL,
    line BIGINT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (job_id, row_no)
);
CREATE TABLE award_job_errors (
    job_id TEXT NOT NULL REFERENCES award_jobs(id),
    line BIGINT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX award_job_errors_job ON award_job_errors(job_id, line);
-- Status lists: a per-issuer counter whose values are permuted (keyed, secret) into list
-- indexes, so indexes are random-looking and never reused; and each list's signed document,
-- cached until a revocation bumps its revision. Issuers with awards from before this
-- migration (sequential indexes in list 0) continue in list 1.
CREATE TABLE status_counters (
    issuer_id TEXT PRIMARY KEY REFERENCES issuers(id),
    next_seq BIGINT NOT NULL,
    perm_key TEXT NOT NULL
);
INSERT INTO status_counters (issuer_id, next_seq, perm_key)
    SELECT issuer_id, ((MAX(status_index) / 131072) + 1) * 131072, md5(random()::text || clock_timestamp()::text || issuer_id) || md5(random()::text || issuer_id)
    FROM awards GROUP BY issuer_id;
CREATE TABLE status_lists (
    issuer_id TEXT NOT NULL REFERENCES issuers(id),
    list_no BIGINT NOT NULL,
    revision BIGINT NOT NULL,
    doc_revision BIGINT NOT NULL DEFAULT -1,
    document TEXT,
    PRIMARY KEY (issuer_id, list_no)
);
