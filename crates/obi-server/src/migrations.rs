//! Embedded schema migrations, applied in order at start (see `Store::migrate`).

/// SQLite migrations: (version, SQL).
pub(crate) const SQLITE: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_init.sql")),
    (2, include_str!("../migrations/sqlite/0002_jobs_status.sql")),
    (3, include_str!("../migrations/sqlite/0003_ob2_keys.sql")),
];

/// PostgreSQL migrations: (version, SQL).
pub(crate) const POSTGRES: &[(i64, &str)] = &[
    (1, include_str!("../migrations/postgres/0001_init.sql")),
    (
        2,
        include_str!("../migrations/postgres/0002_jobs_status.sql"),
    ),
    (3, include_str!("../migrations/postgres/0003_ob2_keys.sql")),
];
