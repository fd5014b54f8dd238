CREATE TABLE issuers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    url TEXT,
    email TEXT,
    public_key TEXT NOT NULL,
    sealed_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE achievements (
    id TEXT PRIMARY KEY,
    issuer_id TEXT NOT NULL REFERENCES issuers(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    criteria TEXT NOT NULL,
    image TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX achievements_issuer ON achievements(issuer_id);
CREATE TABLE awards (
    id TEXT PRIMARY KEY,
    issuer_id TEXT NOT NULL REFERENCES issuers(id),
    achievement_id TEXT NOT NULL REFERENCES achievements(id),
    credential TEXT NOT NULL,
    status_index INTEGER NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0,
    revocation_reason TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (issuer_id, status_index)
);
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    issuer_id TEXT REFERENCES issuers(id),
    label TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
