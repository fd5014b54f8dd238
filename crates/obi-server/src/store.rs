//! Storage: one [`Store`] over SQLite (rusqlite, WAL) or PostgreSQL (tokio-postgres).
//!
//! Every statement is written once with `$N` placeholders (PostgreSQL's form; rewritten to
//! SQLite's `?N`) and every value is bound as a parameter, never spliced into SQL. Columns are
//! TEXT or BIGINT only, so both back ends read the same rows.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;

use crate::migrations::{POSTGRES, SQLITE};

/// A storage failure. Its text is for logs only: handlers answer 500 without detail.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite reported an error.
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL reported an error.
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// The database URL is not `sqlite://PATH` or `postgres://…`.
    #[error("unsupported database URL (expected sqlite://PATH or postgres://...): {0}")]
    UnsupportedUrl(String),
    /// The schema name for PostgreSQL is not a plain identifier.
    #[error("invalid PostgreSQL schema name {0:?} (letters, digits and _ only)")]
    InvalidSchema(String),
    /// A blocking task or the pool was shut down.
    #[error("storage task failed: {0}")]
    Task(String),
    /// A stored row did not have the expected shape.
    #[error("unexpected row shape: {0}")]
    Row(&'static str),
    /// A checked statement of a transaction changed fewer rows than required (another
    /// writer got there first); the transaction was rolled back.
    #[error("concurrent update: {0}")]
    Conflict(&'static str),
}

impl StoreError {
    /// Whether another writer got there first: a checked statement found its row moved on,
    /// or a unique key (e.g. a bulk row key) is already taken.
    #[must_use]
    pub fn is_conflict(&self) -> bool {
        match self {
            Self::Conflict(_) => true,
            Self::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.code == rusqlite::ErrorCode::ConstraintViolation
            }
            Self::Postgres(e) => {
                e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
            }
            _ => false,
        }
    }
}

type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A bound statement parameter.
#[derive(Debug, Clone)]
pub(crate) enum Param {
    Text(String),
    OptText(Option<String>),
    Int(i64),
}

/// One column of a result row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Text(String),
    Int(i64),
    Null,
}

type Row = Vec<Cell>;

/// Pool sizes and connection options.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// The most connections open at once.
    pub max_connections: usize,
    /// PostgreSQL only: a schema to create (if missing) and use as `search_path`; tests use
    /// a fresh one per run.
    pub pg_schema: Option<String>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_connections: 8,
            pg_schema: None,
        }
    }
}

/// The database behind the service.
#[derive(Clone)]
pub enum Store {
    /// An embedded SQLite file in WAL mode.
    Sqlite(Arc<SqlitePool>),
    /// A PostgreSQL server.
    Postgres(Arc<PgPool>),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(p) => write!(f, "Store::Sqlite({})", p.path.display()),
            Self::Postgres(_) => write!(f, "Store::Postgres"),
        }
    }
}

/// SQLite connections, opened on demand up to the pool size.
pub struct SqlitePool {
    path: PathBuf,
    idle: Mutex<Vec<rusqlite::Connection>>,
    permits: Semaphore,
}

/// PostgreSQL clients, opened on demand up to the pool size.
pub struct PgPool {
    url: String,
    schema: Option<String>,
    idle: Mutex<Vec<PgConn>>,
    permits: Semaphore,
}

/// A PostgreSQL connection with the statements prepared on it (each SQL text is a
/// `&'static str` of this crate, so the map is bounded by the program's statements): a
/// query then costs one round trip instead of a prepare and an execute.
struct PgConn {
    client: tokio_postgres::Client,
    statements: std::collections::HashMap<&'static str, tokio_postgres::Statement>,
}

impl PgConn {
    async fn statement(&mut self, sql: &'static str) -> Result<tokio_postgres::Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(sql).await?;
        self.statements.insert(sql, s.clone());
        Ok(s)
    }
}

fn sqlite_sql(sql: &str) -> String {
    sql.replace('$', "?")
}

fn open_sqlite(path: &std::path::Path) -> Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

impl SqlitePool {
    async fn with<R: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut rusqlite::Connection) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| StoreError::Task(e.to_string()))?;
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let idle = pool.idle.lock().ok().and_then(|mut v| v.pop());
            let mut conn = match idle {
                Some(c) => c,
                None => open_sqlite(&pool.path)?,
            };
            let out = f(&mut conn);
            if let Ok(mut v) = pool.idle.lock() {
                v.push(conn);
            }
            out
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }
}

fn sqlite_params(params: &[Param]) -> Vec<rusqlite::types::Value> {
    params
        .iter()
        .map(|p| match p {
            Param::Text(s) => rusqlite::types::Value::Text(s.clone()),
            Param::OptText(Some(s)) => rusqlite::types::Value::Text(s.clone()),
            Param::OptText(None) => rusqlite::types::Value::Null,
            Param::Int(v) => rusqlite::types::Value::Integer(*v),
        })
        .collect()
}

fn sqlite_rows(conn: &rusqlite::Connection, sql: &str, params: &[Param]) -> Result<Vec<Row>> {
    let mut stmt = conn.prepare_cached(&sqlite_sql(sql))?;
    let n = stmt.column_count();
    let mut rows = stmt.query(rusqlite::params_from_iter(sqlite_params(params)))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut cells = Vec::with_capacity(n);
        for i in 0..n {
            cells.push(match row.get_ref(i)? {
                rusqlite::types::ValueRef::Integer(v) => Cell::Int(v),
                rusqlite::types::ValueRef::Text(t) => {
                    Cell::Text(String::from_utf8_lossy(t).into_owned())
                }
                rusqlite::types::ValueRef::Null => Cell::Null,
                _ => return Err(StoreError::Row("unexpected SQLite column type")),
            });
        }
        out.push(cells);
    }
    Ok(out)
}

fn pg_params(params: &[Param]) -> Vec<Box<dyn tokio_postgres::types::ToSql + Sync + Send>> {
    params
        .iter()
        .map(|p| -> Box<dyn tokio_postgres::types::ToSql + Sync + Send> {
            match p {
                Param::Text(s) => Box::new(s.clone()),
                Param::OptText(s) => Box::new(s.clone()),
                Param::Int(v) => Box::new(*v),
            }
        })
        .collect()
}

fn pg_row(row: &tokio_postgres::Row) -> Result<Row> {
    let mut cells = Vec::with_capacity(row.len());
    for (i, col) in row.columns().iter().enumerate() {
        let ty = col.type_();
        cells.push(if *ty == tokio_postgres::types::Type::INT8 {
            match row.try_get::<_, Option<i64>>(i)? {
                Some(v) => Cell::Int(v),
                None => Cell::Null,
            }
        } else if *ty == tokio_postgres::types::Type::INT4 {
            match row.try_get::<_, Option<i32>>(i)? {
                Some(v) => Cell::Int(i64::from(v)),
                None => Cell::Null,
            }
        } else {
            match row.try_get::<_, Option<String>>(i)? {
                Some(v) => Cell::Text(v),
                None => Cell::Null,
            }
        });
    }
    Ok(cells)
}

struct PgLease<'a> {
    pool: &'a PgPool,
    conn: Option<PgConn>,
    _permit: tokio::sync::SemaphorePermit<'a>,
}

impl Drop for PgLease<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take()
            && !c.client.is_closed()
            && let Ok(mut v) = self.pool.idle.lock()
        {
            v.push(c);
        }
    }
}

impl PgPool {
    async fn lease(&self) -> Result<PgLease<'_>> {
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| StoreError::Task(e.to_string()))?;
        let idle = self.idle.lock().ok().and_then(|mut v| v.pop());
        let conn = match idle {
            Some(c) if !c.client.is_closed() => c,
            _ => PgConn {
                client: self.connect().await?,
                statements: std::collections::HashMap::new(),
            },
        };
        Ok(PgLease {
            pool: self,
            conn: Some(conn),
            _permit: permit,
        })
    }

    async fn connect(&self) -> Result<tokio_postgres::Client> {
        let (client, connection) =
            tokio_postgres::connect(&self.url, tokio_postgres::NoTls).await?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!(error = %e, "PostgreSQL connection closed");
            }
        });
        if let Some(schema) = &self.schema {
            client
                .batch_execute(&format!("SET search_path TO \"{schema}\""))
                .await?;
        }
        Ok(client)
    }
}

impl PgLease<'_> {
    fn conn(&mut self) -> Result<&mut PgConn> {
        self.conn
            .as_mut()
            .ok_or(StoreError::Task("connection already returned".into()))
    }

    fn client(&mut self) -> Result<&mut tokio_postgres::Client> {
        Ok(&mut self.conn()?.client)
    }
}

fn valid_schema(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit()
}

impl Store {
    /// Connects to `url` (`sqlite://PATH` or `postgres://…`) and runs the embedded migrations.
    pub async fn connect(url: &str, options: &StoreOptions) -> Result<Self> {
        let max = options.max_connections.max(1);
        let store = if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(StoreError::UnsupportedUrl(url.to_owned()));
            }
            Self::Sqlite(Arc::new(SqlitePool {
                path: PathBuf::from(path),
                idle: Mutex::new(Vec::new()),
                permits: Semaphore::new(max),
            }))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            if let Some(schema) = &options.pg_schema
                && !valid_schema(schema)
            {
                return Err(StoreError::InvalidSchema(schema.clone()));
            }
            let pool = PgPool {
                url: url.to_owned(),
                schema: None,
                idle: Mutex::new(Vec::new()),
                permits: Semaphore::new(max),
            };
            if let Some(schema) = &options.pg_schema {
                let client = pool.connect().await?;
                client
                    .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
                    .await?;
            }
            Self::Postgres(Arc::new(PgPool {
                schema: options.pg_schema.clone(),
                ..pool
            }))
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Which back end this is: `"sqlite"` or `"postgres"`.
    #[must_use]
    pub fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    /// Applies the embedded migrations not yet recorded in `obi_migrations`, each in its own
    /// transaction.
    pub async fn migrate(&self) -> Result<()> {
        const CREATE: &str = "CREATE TABLE IF NOT EXISTS obi_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)";
        match self {
            Self::Sqlite(pool) => {
                pool.with(|conn| {
                    conn.execute_batch(CREATE)?;
                    for (version, sql) in SQLITE {
                        let done: i64 = conn.query_row(
                            "SELECT COUNT(*) FROM obi_migrations WHERE version = ?1",
                            [version],
                            |r| r.get(0),
                        )?;
                        if done == 0 {
                            let tx = conn.transaction()?;
                            tx.execute_batch(sql)?;
                            tx.execute(
                                "INSERT INTO obi_migrations (version, applied_at) VALUES (?1, ?2)",
                                rusqlite::params![version, now()],
                            )?;
                            tx.commit()?;
                        }
                    }
                    Ok(())
                })
                .await
            }
            Self::Postgres(pool) => {
                let mut lease = pool.lease().await?;
                let client = lease.client()?;
                client.batch_execute(CREATE).await?;
                for (version, sql) in POSTGRES {
                    let tx = client.transaction().await?;
                    // One migrator at a time across instances sharing the database.
                    tx.batch_execute("LOCK TABLE obi_migrations IN EXCLUSIVE MODE")
                        .await?;
                    let done = tx
                        .query_opt(
                            "SELECT version FROM obi_migrations WHERE version = $1",
                            &[version],
                        )
                        .await?;
                    if done.is_none() {
                        tx.batch_execute(sql).await?;
                        tx.execute(
                            "INSERT INTO obi_migrations (version, applied_at) VALUES ($1, $2)",
                            &[version, &now()],
                        )
                        .await?;
                    }
                    tx.commit().await?;
                }
                Ok(())
            }
        }
    }

    /// Drops the PostgreSQL test schema (tests only; SQLite: nothing).
    pub async fn drop_schema(&self) -> Result<()> {
        if let Self::Postgres(pool) = self
            && let Some(schema) = &pool.schema
        {
            let mut lease = pool.lease().await?;
            lease
                .client()?
                .batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
                .await?;
            if let Ok(mut v) = pool.idle.lock() {
                v.clear();
            }
        }
        Ok(())
    }

    pub(crate) async fn query(&self, sql: &'static str, params: Vec<Param>) -> Result<Vec<Row>> {
        match self {
            Self::Sqlite(pool) => pool.with(move |conn| sqlite_rows(conn, sql, &params)).await,
            Self::Postgres(pool) => {
                let mut lease = pool.lease().await?;
                let boxed = pg_params(&params);
                let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                    boxed.iter().map(|b| &**b as _).collect();
                let conn = lease.conn()?;
                let stmt = conn.statement(sql).await?;
                let rows = conn.client.query(&stmt, &refs).await?;
                rows.iter().map(pg_row).collect()
            }
        }
    }

    /// Runs statements in one transaction; returns the rows changed by each.
    pub(crate) async fn transaction(
        &self,
        statements: Vec<(&'static str, Vec<Param>)>,
    ) -> Result<Vec<u64>> {
        self.checked_transaction(statements.into_iter().map(|(s, p)| (s, p, 0)).collect())
            .await
    }

    /// Runs statements in one transaction, each with the fewest rows it must change; if one
    /// changes fewer, everything is rolled back and [`StoreError::Conflict`] returned.
    pub(crate) async fn checked_transaction(
        &self,
        statements: Vec<(&'static str, Vec<Param>, u64)>,
    ) -> Result<Vec<u64>> {
        match self {
            Self::Sqlite(pool) => {
                pool.with(move |conn| {
                    let tx =
                        conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                    let mut counts = Vec::with_capacity(statements.len());
                    for (sql, params, min) in &statements {
                        let mut stmt = tx.prepare_cached(&sqlite_sql(sql))?;
                        let n = stmt.execute(rusqlite::params_from_iter(sqlite_params(params)))?;
                        if (n as u64) < *min {
                            // Dropping `tx` rolls back.
                            return Err(StoreError::Conflict(
                                "a checked statement changed too few rows",
                            ));
                        }
                        counts.push(n as u64);
                    }
                    tx.commit()?;
                    Ok(counts)
                })
                .await
            }
            Self::Postgres(pool) => {
                let mut lease = pool.lease().await?;
                let conn = lease.conn()?;
                let mut prepared = Vec::with_capacity(statements.len());
                for (sql, _, _) in &statements {
                    prepared.push(conn.statement(sql).await?);
                }
                let tx = conn.client.transaction().await?;
                let mut counts = Vec::with_capacity(statements.len());
                for ((_, params, min), stmt) in statements.iter().zip(&prepared) {
                    let boxed = pg_params(params);
                    let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                        boxed.iter().map(|b| &**b as _).collect();
                    let n = tx.execute(stmt, &refs).await?;
                    if n < *min {
                        tx.rollback().await?;
                        return Err(StoreError::Conflict(
                            "a checked statement changed too few rows",
                        ));
                    }
                    counts.push(n);
                }
                tx.commit().await?;
                Ok(counts)
            }
        }
    }
}

/// The current time as RFC 3339 (UTC, seconds).
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
