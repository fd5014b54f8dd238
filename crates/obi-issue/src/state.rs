//! The issuer's local state in SQLite (WAL): settings, allocated status indexes, issued
//! credential ids, revocations and the row keys of bulk runs.

use std::collections::HashSet;
use std::path::Path;

use rand::Rng as _;
use rusqlite::{Connection, OptionalExtension as _, params};

use crate::error::{IssueError, Result};

/// The share of a status list that may be allocated before [`IssueError::StatusListFull`]
/// (percent). Random allocation needs free slots to stay fast and private.
pub const STATUS_LIST_MAX_FILL: usize = 90;

/// The state file name inside the issuer directory.
pub const STATE_FILE: &str = "state.sqlite";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS credential (
    id TEXT PRIMARY KEY,
    status_index INTEGER NOT NULL UNIQUE,
    recipient TEXT NOT NULL,
    achievement TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    row_key TEXT UNIQUE,
    revoked_at TEXT,
    reason TEXT
);
";

/// One issued credential as the state records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The credential id.
    pub id: String,
    /// Its index in the revocation status list.
    pub status_index: usize,
    /// The recipient as given (email, DID or URL).
    pub recipient: String,
    /// The achievement id.
    pub achievement: String,
    /// When it was recorded (RFC 3339).
    pub issued_at: String,
    /// The bulk row key, if it came from a CSV row.
    pub row_key: Option<String>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
    /// Why it was revoked.
    pub reason: Option<String>,
}

/// A new credential to record.
#[derive(Debug, Clone)]
pub struct NewRecord<'a> {
    /// The credential id.
    pub id: &'a str,
    /// The recipient.
    pub recipient: &'a str,
    /// The achievement id.
    pub achievement: &'a str,
    /// The bulk row key.
    pub row_key: Option<&'a str>,
}

/// The issuer state database.
#[derive(Debug)]
pub struct State {
    conn: Connection,
}

fn to_usize(v: i64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

fn to_i64(v: usize) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl State {
    /// Opens (creating if needed) the state at `path`: WAL journal, full synchronous commits.
    ///
    /// # Errors
    /// [`IssueError::State`] when the database cannot be opened or migrated.
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self { conn })
    }

    /// A setting.
    ///
    /// # Errors
    /// [`IssueError::State`].
    pub fn get_meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Sets a setting.
    ///
    /// # Errors
    /// [`IssueError::State`].
    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// The status indexes in use.
    ///
    /// # Errors
    /// [`IssueError::State`].
    pub fn used_indexes(&self) -> Result<HashSet<usize>> {
        let mut stmt = self.conn.prepare("SELECT status_index FROM credential")?;
        let rows = stmt.query_map([], |r| r.get::<_, i64>(0))?;
        let mut out = HashSet::new();
        for r in rows {
            out.insert(to_usize(r?));
        }
        Ok(out)
    }

    /// Records `records` in one transaction, each with a fresh random status index in
    /// `0..list_length` never used before. Returns the indexes in order.
    ///
    /// # Errors
    /// [`IssueError::StatusListFull`] past [`STATUS_LIST_MAX_FILL`] percent;
    /// [`IssueError::State`] (for example a repeated id or row key): nothing is recorded.
    pub fn record(&mut self, records: &[NewRecord<'_>], list_length: usize) -> Result<Vec<usize>> {
        let mut used = self.used_indexes()?;
        self.record_with_used(records, list_length, &mut used)
    }

    /// [`State::record`] with the set of used indexes kept by the caller across calls (bulk
    /// records batch after batch without re-reading every index). On an error `used` may hold
    /// indexes that were not recorded (they are then merely skipped).
    pub(crate) fn record_with_used(
        &mut self,
        records: &[NewRecord<'_>],
        list_length: usize,
        used: &mut HashSet<usize>,
    ) -> Result<Vec<usize>> {
        let cap = list_length / 100 * STATUS_LIST_MAX_FILL;
        if used.len() + records.len() > cap {
            return Err(IssueError::StatusListFull(used.len()));
        }
        let now = now();
        let tx = self.conn.transaction()?;
        let mut out = Vec::with_capacity(records.len());
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO credential (id, status_index, recipient, achievement, issued_at, row_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut rng = rand::rngs::OsRng;
            for rec in records {
                let index = loop {
                    let i = rng.gen_range(0..list_length);
                    if used.insert(i) {
                        break i;
                    }
                };
                stmt.execute(params![
                    rec.id,
                    to_i64(index),
                    rec.recipient,
                    rec.achievement,
                    now,
                    rec.row_key
                ])?;
                out.push(index);
            }
        }
        tx.commit()?;
        Ok(out)
    }

    /// The record of credential `id`.
    ///
    /// # Errors
    /// [`IssueError::State`].
    pub fn get(&self, id: &str) -> Result<Option<Record>> {
        self.query_one("id", id)
    }

    /// The record of bulk row `row_key`.
    ///
    /// # Errors
    /// [`IssueError::State`].
    pub fn get_by_row_key(&self, row_key: &str) -> Result<Option<Record>> {
        self.query_one("row_key", row_key)
    }

    fn query_one(&self, column: &str, value: &str) -> Result<Option<Record>> {
        let sql = format!(
            "SELECT id, status_index, recipient, achievement, issued_at, row_key, revoked_at, reason FROM credential WHERE {column} = ?1"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        Ok(stmt
            .query_row([value], |r| {
                Ok(Record {
                    id: r.get(0)?,
                    status_index: to_usize(r.get(1)?),
                    recipient: r.get(2)?,
                    achievement: r.get(3)?,
                    issued_at: r.get(4)?,
                    row_key: r.get(5)?,
                    revoked_at: r.get(6)?,
                    reason: r.get(7)?,
                })
            })
            .optional()?)
    }

    /// Marks credential `id` revoked with `reason`. Revoking twice keeps the first time.
    ///
    /// # Errors
    /// [`IssueError::UnknownCredential`]; [`IssueError::State`].
    pub fn revoke(&self, id: &str, reason: &str) -> Result<Record> {
        let n = self.conn.execute(
            "UPDATE credential SET revoked_at = COALESCE(revoked_at, ?2), reason = COALESCE(reason, ?3) WHERE id = ?1",
            params![id, now(), reason],
        )?;
        if n == 0 {
            return Err(IssueError::UnknownCredential(id.into()));
        }
        self.get(id)?
            .ok_or_else(|| IssueError::UnknownCredential(id.into()))
    }

    /// The status indexes of revoked credentials.
    ///
    /// # Errors
    /// [`IssueError::State`].
    pub fn revoked(&self) -> Result<Vec<(String, usize, Option<String>)>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, status_index, reason FROM credential WHERE revoked_at IS NOT NULL ORDER BY status_index",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, to_usize(r.get(1)?), r.get(2)?)))?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r?);
        }
        Ok(out)
    }

    /// The number of credentials recorded.
    ///
    /// # Errors
    /// [`IssueError::State`].
    pub fn count(&self) -> Result<usize> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM credential", [], |r| r.get(0))?;
        Ok(to_usize(n))
    }
}

pub(crate) fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
