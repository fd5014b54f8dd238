//! Embedded schema migrations, applied in order at start (see `Store::migrate`).

/// SQLite migrations: (version, SQL).
pub(crate) const SQLITE: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_init.sql")),
    (2, include_str!("../migrations/sqlite/0002_jobs_status.sql")),
    (3, include_str!("../migrations/sqlite/0003_ob2_keys.sql")),
    (4, include_str!("../migrations/sqlite/0004_job_leases.sql")),
];

/// PostgreSQL migrations: (version, SQL).
pub(crate) const POSTGRES: &[(i64, &str)] = &[
    (1, include_str!("../migrations/postgres/0001_init.sql")),
    (
        2,
        include_str!("../migrations/postgres/0002_jobs_status.sql"),
    ),
    (3, include_str!("../migrations/postgres/0003_ob2_keys.sql")),
    (
        4,
        include_str!("../migrations/postgres/0004_job_leases.sql"),
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// A database made before job leases (migrations 1 to 3, an unfinished job) is upgraded
    /// on connect: the job gets no lease and is claimable at once.
    #[test]
    fn sqlite_upgrades_from_version_3() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE obi_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)")
                .unwrap();
            for (version, sql) in &SQLITE[..3] {
                conn.execute_batch(sql).unwrap();
                conn.execute(
                    "INSERT INTO obi_migrations (version, applied_at) VALUES (?1, 'then')",
                    [version],
                )
                .unwrap();
            }
            conn.execute_batch(
                "INSERT INTO issuers VALUES ('i', 'n', NULL, NULL, 'z', 's', 't', 't');
                 INSERT INTO award_jobs (id, issuer_id, actor, format, state, total, queued, created_at, updated_at)
                     VALUES ('j', 'i', 'admin', 'ob3', 'running', 2, 2, 't', 't');",
            )
            .unwrap();
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let url = format!("sqlite://{}", path.display());
        let store = rt
            .block_on(crate::Store::connect(&url, &crate::StoreOptions::default()))
            .unwrap();
        let rows = rt
            .block_on(store.query(
                "SELECT lease_owner, lease_until, (SELECT MAX(version) FROM obi_migrations) FROM award_jobs WHERE id = 'j'",
                vec![],
            ))
            .unwrap();
        use crate::store::Cell;
        assert_eq!(
            rows,
            vec![vec![
                Cell::Null,
                Cell::Int(0),
                Cell::Int(SQLITE.len() as i64)
            ]]
        );
        assert_eq!(SQLITE.len(), POSTGRES.len());
    }
}
