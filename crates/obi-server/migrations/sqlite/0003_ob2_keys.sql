-- OB 2.0 signed assertions need an RS256 key (2.0 verifiers do not take Ed25519): made on the
-- issuer's first ob2-signed award, its private part sealed like the issuer's main key.
CREATE TABLE ob2_keys (
    issuer_id TEXT PRIMARY KEY REFERENCES issuers(id),
    public_pem TEXT NOT NULL,
    sealed_key TEXT NOT NULL,
    created_at TEXT NOT NULL
);
