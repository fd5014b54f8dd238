//! Bulk award jobs: `POST /api/issuers/{id}/awards/bulk` (CSV or a JSON array) stores the
//! checked rows and answers 202; a background worker issues them in batches.
//!
//! The guarantee: each batch of awards is committed in one transaction together with the
//! job's progress (`next_row`, `done`), and that progress update only applies if the job is
//! still where the batch started (`WHERE next_row = old`). Each award carries its row key
//! (`{job}:{row}`), unique in the database. So after a crash every award the API reported is
//! stored exactly once, and a restarted worker resumes from the committed progress.
//!
//! Several instances on one database (behind a load balancer on one PostgreSQL, or sharing
//! one SQLite file) do not both work on one job: a worker first claims the job with one
//! conditional `UPDATE` (its instance id in `lease_owner`, `lease_until` a lease length
//! ahead), which only succeeds when the job has no live lease of another instance. The owner
//! renews the lease while it works (a heartbeat, and each batch commit, which also requires
//! the lease to still be its own); another instance takes the job over only once
//! `lease_until` has passed, e.g. after the owner was killed. Lease times come from the
//! instances' clocks: keep them synchronised to well within the lease length.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::{AppState, authenticate, load_issuer, parse_id, require_issuer};
use crate::error::{AppError, AppJson};
use crate::issuing::{AwardFormat, AwardInput, check_input};
use crate::records::{AchievementRecord, audit_stmt, int, opt_text, text};
use crate::store::{Param, StoreError, now};

/// Most rows in one bulk job.
pub const MAX_JOB_ROWS: usize = 100_000;
/// Largest CSV field (bytes), as `obi issue bulk`.
pub const MAX_FIELD_BYTES: usize = obi_issue::MAX_CSV_FIELD_BYTES;
/// Rows signed and committed per transaction.
pub const JOB_BATCH: i64 = 50;
/// Most row errors a job status shows.
pub const MAX_ERRORS_SHOWN: i64 = 1000;
/// How often an idle worker looks for jobs (e.g. queued by another instance, or whose lease
/// expired); at most half the lease length.
const IDLE_POLL: Duration = Duration::from_secs(2);
/// Default length of a job lease (renewed every third of it while the owner works).
pub const DEFAULT_JOB_LEASE: Duration = Duration::from_secs(30);
/// Shortest job lease accepted.
pub const MIN_JOB_LEASE: Duration = Duration::from_millis(100);

const COLUMNS: [&str; 5] = ["recipient", "name", "evidence", "narrative", "achievement"];

/// Shared between the handlers and the worker.
#[derive(Debug)]
pub(crate) struct Jobs {
    notify: tokio::sync::Notify,
    started: AtomicBool,
    /// This instance's id, written into the leases it holds.
    instance: std::sync::RwLock<String>,
    /// Lease length in milliseconds.
    lease_ms: AtomicU64,
    /// Batches this instance committed.
    batches: AtomicU64,
    /// Awards this instance built and signed for jobs (committed or not).
    signed: AtomicU64,
    worker: std::sync::Mutex<Option<tokio::task::AbortHandle>>,
}

impl Default for Jobs {
    fn default() -> Self {
        Self {
            notify: tokio::sync::Notify::new(),
            started: AtomicBool::new(false),
            instance: std::sync::RwLock::new(uuid::Uuid::new_v4().to_string()),
            lease_ms: AtomicU64::new(duration_ms(DEFAULT_JOB_LEASE)),
            batches: AtomicU64::new(0),
            signed: AtomicU64::new(0),
            worker: std::sync::Mutex::new(None),
        }
    }
}

#[allow(clippy::cast_possible_truncation)] // leases are far below u64::MAX ms
fn duration_ms(d: Duration) -> u64 {
    d.as_millis().min(u128::from(u64::MAX)) as u64
}

impl Jobs {
    fn lease(&self) -> Duration {
        Duration::from_millis(self.lease_ms.load(Ordering::Relaxed))
    }

    fn instance(&self) -> String {
        self.instance.read().map(|i| i.clone()).unwrap_or_default()
    }

    fn idle_poll(&self) -> Duration {
        IDLE_POLL.min(self.lease() / 2)
    }
}

/// What this instance's bulk-job worker has done (for tests and monitoring).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct JobCounters {
    /// Batches committed by this instance.
    pub batches: u64,
    /// Awards built and signed by this instance for jobs, committed or not (a batch whose
    /// commit lost to another instance counts here but not in `batches`).
    pub awards_signed: u64,
}

/// Milliseconds since the Unix epoch (lease times).
fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A row that will not be issued.
#[derive(Debug, Clone)]
struct RowError {
    line: u64,
    message: String,
}

/// A row as given (before the achievement default is applied).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonRow {
    recipient: String,
    name: Option<String>,
    evidence: Option<Evidence>,
    narrative: Option<String>,
    achievement: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Evidence {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug)]
struct RawRow {
    line: u64,
    recipient: String,
    name: Option<String>,
    evidence: Vec<String>,
    narrative: Option<String>,
    achievement: Option<String>,
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// 1-based line numbers of byte offsets, counted incrementally (the csv crate's own line
/// count is off by one with CRLF line ends).
struct Lines<'a> {
    body: &'a [u8],
    counted_to: usize,
    line: u64,
}

impl Lines<'_> {
    fn at(&mut self, byte: u64) -> u64 {
        let mut byte = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.body.len());
        // A record never starts with a line end (blank lines are skipped); with CRLF the
        // reported start can be the LF of the previous line's end.
        while matches!(self.body.get(byte), Some(b'\r' | b'\n')) {
            byte += 1;
        }
        if byte >= self.counted_to {
            let newlines = self.body[self.counted_to..byte]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.line += newlines as u64;
            self.counted_to = byte;
        }
        self.line
    }
}

/// Parses an RFC 4180 CSV with a header naming `recipient`, `name` and optionally
/// `evidence` (space-separated URLs), `narrative`, `achievement` (a UUID).
fn parse_csv(body: &[u8]) -> Result<(Vec<RawRow>, Vec<RowError>), AppError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(body);
    let headers = reader
        .byte_headers()
        .map_err(|e| AppError::BadRequest(format!("line 1: bad CSV header: {e}")))?
        .clone();
    let mut columns: HashMap<&str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let name = std::str::from_utf8(h)
            .map_err(|_| AppError::BadRequest("line 1: the header is not UTF-8".into()))?
            .trim()
            .trim_start_matches('\u{feff}')
            .to_ascii_lowercase();
        let Some(known) = COLUMNS.iter().find(|c| **c == name) else {
            return Err(AppError::BadRequest(format!(
                "line 1: unknown column {:?} (columns: {})",
                name.chars().take(40).collect::<String>(),
                COLUMNS.join(", ")
            )));
        };
        if columns.insert(known, i).is_some() {
            return Err(AppError::BadRequest(format!(
                "line 1: column {name:?} appears twice"
            )));
        }
    }
    for required in ["recipient", "name"] {
        if !columns.contains_key(required) {
            return Err(AppError::BadRequest(format!(
                "line 1: the header lacks the required column {required:?}"
            )));
        }
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut lines = Lines {
        body,
        counted_to: 0,
        line: 1,
    };
    loop {
        let line_before = lines.at(reader.position().byte());
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line_before, |p| lines.at(p.byte()));
                errors.push(RowError {
                    line,
                    message: format!("bad CSV: {e}"),
                });
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
                continue;
            }
        }
        if rows.len() + errors.len() >= MAX_JOB_ROWS {
            return Err(AppError::BadRequest(format!(
                "more than MAX_JOB_ROWS ({MAX_JOB_ROWS}) rows"
            )));
        }
        let line = record
            .position()
            .map_or(line_before, |p| lines.at(p.byte()));
        if record.len() != headers.len() {
            errors.push(RowError {
                line,
                message: format!("{} fields, the header has {}", record.len(), headers.len()),
            });
            continue;
        }
        let mut fields: HashMap<&str, String> = HashMap::new();
        let mut bad = None;
        for (name, &i) in &columns {
            let raw = record.get(i).unwrap_or_default();
            if raw.len() > MAX_FIELD_BYTES {
                bad = Some(format!(
                    "field {name} is {} bytes, over MAX_FIELD_BYTES ({MAX_FIELD_BYTES})",
                    raw.len()
                ));
                break;
            }
            match std::str::from_utf8(raw) {
                Ok(t) => {
                    fields.insert(name, t.to_owned());
                }
                Err(_) => {
                    bad = Some(format!("field {name} is not UTF-8"));
                    break;
                }
            }
        }
        if let Some(message) = bad {
            errors.push(RowError { line, message });
            continue;
        }
        let get = |n: &str| fields.get(n).and_then(|s| non_empty(s));
        rows.push(RawRow {
            line,
            recipient: get("recipient").unwrap_or_default(),
            name: get("name"),
            evidence: get("evidence")
                .map(|e| e.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
            narrative: get("narrative"),
            achievement: get("achievement"),
        });
    }
    Ok((rows, errors))
}

/// Parses a JSON array of row objects; `line` is the 1-based item number.
fn parse_json(body: &[u8]) -> Result<(Vec<RawRow>, Vec<RowError>), AppError> {
    let items: Vec<Value> = serde_json::from_slice(body)
        .map_err(|e| AppError::BadRequest(format!("body is not a JSON array of rows: {e}")))?;
    if items.len() > MAX_JOB_ROWS {
        return Err(AppError::BadRequest(format!(
            "more than MAX_JOB_ROWS ({MAX_JOB_ROWS}) rows"
        )));
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let line = i as u64 + 1;
        match serde_json::from_value::<JsonRow>(item) {
            Ok(r) => rows.push(RawRow {
                line,
                recipient: r.recipient.trim().to_owned(),
                name: r.name.as_deref().and_then(non_empty),
                evidence: match r.evidence {
                    None => Vec::new(),
                    Some(Evidence::One(s)) => s.split_whitespace().map(str::to_owned).collect(),
                    Some(Evidence::Many(v)) => v.iter().map(|s| s.trim().to_owned()).collect(),
                },
                narrative: r.narrative.as_deref().and_then(non_empty),
                achievement: r.achievement.as_deref().and_then(non_empty),
            }),
            Err(e) => errors.push(RowError {
                line,
                message: format!("not a row object: {e}"),
            }),
        }
    }
    Ok((rows, errors))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct BulkQuery {
    achievement_id: Option<String>,
    format: Option<String>,
}

/// `POST /api/issuers/{id}/awards/bulk`.
pub(crate) async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    query: Result<Query<BulkQuery>, axum::extract::rejection::QueryRejection>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, AppError> {
    let scope = authenticate(&state, &headers).await?;
    let id = parse_id("issuer", &id)?;
    require_issuer(&scope, &id)?;
    let issuer = load_issuer(&state, &id).await?;
    let Query(query) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge
        } else {
            AppError::BadRequest(e.body_text())
        }
    })?;
    let format = AwardFormat::parse(query.format.as_deref())?;
    let achievements: HashMap<String, AchievementRecord> = state
        .store()
        .list_achievements(&issuer.id)
        .await?
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect();
    let default = match &query.achievement_id {
        Some(a) => {
            let a = parse_id("achievement", a)?;
            if !achievements.contains_key(&a) {
                return Err(AppError::NotFound(format!(
                    "issuer {} has no achievement {a:?}",
                    issuer.id
                )));
            }
            Some(a)
        }
        None => None,
    };
    let media = crate::app::media_type(&headers);
    let (raw, mut errors) = match media.as_str() {
        "text/csv" => parse_csv(&body)?,
        "application/json" => parse_json(&body)?,
        "" => {
            return Err(AppError::UnsupportedMediaType(
                "missing Content-Type (text/csv or application/json)".into(),
            ));
        }
        other => {
            return Err(AppError::UnsupportedMediaType(format!(
                "{other} (expected text/csv or application/json)"
            )));
        }
    };
    let total = raw.len() + errors.len();
    if total == 0 {
        return Err(AppError::BadRequest("no rows".into()));
    }
    let mut seen: HashMap<(String, String), u64> = HashMap::new();
    let mut rows: Vec<(u64, AwardInput)> = Vec::new();
    for r in raw {
        let achievement = match r.achievement.as_deref().or(default.as_deref()) {
            None => {
                errors.push(RowError {
                    line: r.line,
                    message: "no achievement (give ?achievementId= or an achievement column)"
                        .into(),
                });
                continue;
            }
            Some(a) => match uuid::Uuid::parse_str(a) {
                Ok(u) if achievements.contains_key(&u.hyphenated().to_string()) => {
                    u.hyphenated().to_string()
                }
                _ => {
                    errors.push(RowError {
                        line: r.line,
                        message: format!(
                            "the issuer has no achievement {:?}",
                            a.chars().take(80).collect::<String>()
                        ),
                    });
                    continue;
                }
            },
        };
        let input = AwardInput {
            achievement_id: achievement,
            recipient: r.recipient,
            name: r.name,
            narrative: r.narrative,
            evidence: r.evidence,
        };
        if let Err(message) = check_input(&input, format) {
            errors.push(RowError {
                line: r.line,
                message,
            });
            continue;
        }
        let who = (
            input.achievement_id.clone(),
            input.recipient.to_ascii_lowercase(),
        );
        if let Some(first) = seen.get(&who) {
            errors.push(RowError {
                line: r.line,
                message: format!(
                    "duplicate recipient {} for this achievement (first on line {first})",
                    who.1
                ),
            });
            continue;
        }
        seen.insert(who, r.line);
        rows.push((r.line, input));
    }
    errors.sort_by_key(|e| e.line);
    let job_id = uuid::Uuid::new_v4().to_string();
    let at = now();
    let queued = rows.len() as i64;
    let failed = errors.len() as i64;
    let state_text = if queued == 0 { "finished" } else { "queued" };
    let mut statements = Vec::with_capacity(rows.len() + errors.len() + 2);
    statements.push((
        "INSERT INTO award_jobs (id, issuer_id, actor, format, state, total, queued, next_row, done, failed, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, $8, $9, $9)",
        vec![
            Param::Text(job_id.clone()),
            Param::Text(issuer.id.clone()),
            Param::Text(scope.actor()),
            Param::Text(format.as_str().to_owned()),
            Param::Text(state_text.to_owned()),
            Param::Int(total as i64),
            Param::Int(queued),
            Param::Int(failed),
            Param::Text(at),
        ],
        1,
    ));
    for (row_no, (line, input)) in rows.iter().enumerate() {
        let data = serde_json::to_string(input).map_err(|e| AppError::Internal(e.to_string()))?;
        statements.push((
            "INSERT INTO award_job_rows (job_id, row_no, line, data) VALUES ($1, $2, $3, $4)",
            vec![
                Param::Text(job_id.clone()),
                Param::Int(row_no as i64),
                Param::Int(*line as i64),
                Param::Text(data),
            ],
            1,
        ));
    }
    for e in &errors {
        statements.push((
            "INSERT INTO award_job_errors (job_id, line, message) VALUES ($1, $2, $3)",
            vec![
                Param::Text(job_id.clone()),
                Param::Int(e.line as i64),
                Param::Text(e.message.clone()),
            ],
            1,
        ));
    }
    let (sql, params) = audit_stmt(
        &scope.actor(),
        "job.create",
        &job_id,
        &format!("{queued} rows queued, {failed} rejected"),
    );
    statements.push((sql, params, 1));
    state.store().checked_transaction(statements).await?;
    state.jobs().notify.notify_one();
    let location = format!("/api/issuers/{}/jobs/{job_id}", issuer.id);
    let mut res = (
        StatusCode::ACCEPTED,
        AppJson(json!({
            "id": job_id,
            "state": state_text,
            "total": total,
            "queued": queued,
            "failed": failed,
            "location": location,
        })),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// A job row as stored.
#[derive(Debug, Clone)]
struct JobRecord {
    id: String,
    issuer_id: String,
    actor: String,
    format: String,
    state: String,
    total: i64,
    queued: i64,
    next_row: i64,
    done: i64,
    failed: i64,
    created_at: String,
    updated_at: String,
    lease_owner: Option<String>,
    lease_until: i64,
}

async fn load_job(state: &AppState, id: &str) -> Result<Option<JobRecord>, StoreError> {
    let rows = state
        .store()
        .query(
            "SELECT id, issuer_id, actor, format, state, total, queued, next_row, done, failed, created_at, updated_at, lease_owner, lease_until FROM award_jobs WHERE id = $1",
            vec![Param::Text(id.to_owned())],
        )
        .await?;
    rows.first()
        .map(|r| {
            Ok(JobRecord {
                id: text(r, 0)?,
                issuer_id: text(r, 1)?,
                actor: text(r, 2)?,
                format: text(r, 3)?,
                state: text(r, 4)?,
                total: int(r, 5)?,
                queued: int(r, 6)?,
                next_row: int(r, 7)?,
                done: int(r, 8)?,
                failed: int(r, 9)?,
                created_at: text(r, 10)?,
                updated_at: text(r, 11)?,
                lease_owner: opt_text(r, 12)?,
                lease_until: int(r, 13)?,
            })
        })
        .transpose()
}

/// `GET /api/issuers/{id}/jobs/{job}`.
pub(crate) async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, job)): Path<(String, String)>,
) -> Result<AppJson<Value>, AppError> {
    let scope = authenticate(&state, &headers).await?;
    let id = parse_id("issuer", &id)?;
    require_issuer(&scope, &id)?;
    let job_id = parse_id("job", &job)?;
    let job = load_job(&state, &job_id)
        .await?
        .filter(|j| j.issuer_id == id)
        .ok_or_else(|| AppError::NotFound(format!("issuer {id} has no job {job_id:?}")))?;
    let errors = state
        .store()
        .query(
            "SELECT line, message FROM award_job_errors WHERE job_id = $1 ORDER BY line LIMIT $2",
            vec![Param::Text(job.id.clone()), Param::Int(MAX_ERRORS_SHOWN)],
        )
        .await?
        .iter()
        .map(|r| Ok(json!({ "line": int(r, 0)?, "message": text(r, 1)? })))
        .collect::<Result<Vec<Value>, StoreError>>()?;
    Ok(AppJson(json!({
        "id": job.id,
        "issuerId": job.issuer_id,
        "format": job.format,
        "state": job.state,
        "total": job.total,
        "queued": job.queued,
        "done": job.done,
        "failed": job.failed,
        "pending": job.queued - job.next_row,
        "errors": errors,
        "errorsTruncated": job.failed > MAX_ERRORS_SHOWN,
        "createdAt": job.created_at,
        "updatedAt": job.updated_at,
        "lease": lease_json(&job),
    })))
}

/// The job's lease: which instance works on it, until when (`null` when never claimed).
fn lease_json(job: &JobRecord) -> Value {
    match &job.lease_owner {
        Some(owner) => json!({
            "instance": owner,
            "until": chrono::DateTime::from_timestamp_millis(job.lease_until)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        }),
        None => Value::Null,
    }
}

impl AppState {
    /// Starts the bulk-job worker on the current tokio runtime (once per state, again after
    /// [`AppState::stop_jobs_worker`]; nothing outside a runtime). It resumes unfinished jobs
    /// at once. [`crate::app`] calls this.
    pub fn start_jobs_worker(&self) {
        let jobs = self.jobs();
        if jobs.started.swap(true, Ordering::SeqCst) {
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                let task = handle.spawn(worker(self.clone()));
                if let Ok(mut w) = jobs.worker.lock() {
                    *w = Some(task.abort_handle());
                }
            }
            Err(_) => jobs.started.store(false, Ordering::SeqCst),
        }
    }

    /// Stops this state's bulk-job worker where it is, as if the instance were killed: the
    /// leases it holds are not released, so other instances take its jobs over only once
    /// they expire. (For tests, and for a process about to exit.)
    pub fn stop_jobs_worker(&self) {
        if let Ok(mut w) = self.jobs().worker.lock()
            && let Some(task) = w.take()
        {
            task.abort();
            self.jobs().started.store(false, Ordering::SeqCst);
        }
    }

    /// Sets the length of the leases this instance takes on bulk jobs (at least
    /// [`MIN_JOB_LEASE`]; default [`DEFAULT_JOB_LEASE`]). Another instance takes a job over
    /// only this long after the owner's last renewal.
    #[must_use]
    pub fn with_job_lease(self, lease: Duration) -> Self {
        self.jobs()
            .lease_ms
            .store(duration_ms(lease.max(MIN_JOB_LEASE)), Ordering::Relaxed);
        self
    }

    /// This instance's id, as written in the leases it holds.
    #[must_use]
    pub fn instance_id(&self) -> String {
        self.jobs().instance()
    }

    /// Names this instance in the leases it takes (default: a random UUID per state). An
    /// instance restarted under the same id resumes its own leased jobs at once instead of
    /// waiting for the lease to expire; two live instances must never share an id.
    #[must_use]
    pub fn with_instance_id(self, id: &str) -> Self {
        if !id.is_empty()
            && let Ok(mut i) = self.jobs().instance.write()
        {
            id.clone_into(&mut i);
        }
        self
    }

    /// What this instance's bulk-job worker has done so far.
    #[must_use]
    pub fn job_counters(&self) -> JobCounters {
        let jobs = self.jobs();
        JobCounters {
            batches: jobs.batches.load(Ordering::Relaxed),
            awards_signed: jobs.signed.load(Ordering::Relaxed),
        }
    }
}

/// Claims the oldest unfinished job that has no live lease of another instance (or is this
/// instance's already), in one conditional `UPDATE`: of two instances claiming the same job
/// at once, one changes the row and the other, re-checking the lease condition against the
/// winner's row, changes nothing. On PostgreSQL the candidate is picked with `FOR UPDATE SKIP
/// LOCKED`, so concurrent claimers spread over different jobs instead of queueing on one.
async fn claim_job(state: &AppState) -> Result<Option<JobRecord>, StoreError> {
    const SQLITE: &str = "UPDATE award_jobs SET lease_owner = $1, lease_until = $2 \
         WHERE id = (SELECT id FROM award_jobs WHERE state <> 'finished' \
             AND (lease_owner IS NULL OR lease_owner = $1 OR lease_until < $3) \
             ORDER BY updated_at, created_at, id LIMIT 1) \
         AND state <> 'finished' AND (lease_owner IS NULL OR lease_owner = $1 OR lease_until < $3) \
         RETURNING id";
    const POSTGRES: &str = "UPDATE award_jobs SET lease_owner = $1, lease_until = $2 \
         WHERE id = (SELECT id FROM award_jobs WHERE state <> 'finished' \
             AND (lease_owner IS NULL OR lease_owner = $1 OR lease_until < $3) \
             ORDER BY updated_at, created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
         AND state <> 'finished' AND (lease_owner IS NULL OR lease_owner = $1 OR lease_until < $3) \
         RETURNING id";
    let jobs = state.jobs();
    let now = now_ms();
    let until = now.saturating_add(i64::try_from(duration_ms(jobs.lease())).unwrap_or(i64::MAX));
    let sql = if state.store().backend() == "postgres" {
        POSTGRES
    } else {
        SQLITE
    };
    let rows = state
        .store()
        .query(
            sql,
            vec![
                Param::Text(jobs.instance()),
                Param::Int(until),
                Param::Int(now),
            ],
        )
        .await?;
    match rows.first() {
        Some(r) => {
            let id = text(r, 0)?;
            tracing::debug!(job = %id, instance = %jobs.instance(), "claimed bulk job");
            load_job(state, &id).await
        }
        None => Ok(None),
    }
}

/// Extends this instance's lease on `job`; `false` when the lease is no longer its own.
async fn renew_lease(state: &AppState, job: &str) -> Result<bool, StoreError> {
    let jobs = state.jobs();
    let until =
        now_ms().saturating_add(i64::try_from(duration_ms(jobs.lease())).unwrap_or(i64::MAX));
    let changed = state
        .store()
        .transaction(vec![(
            "UPDATE award_jobs SET lease_until = $3 WHERE id = $1 AND lease_owner = $2",
            vec![
                Param::Text(job.to_owned()),
                Param::Text(jobs.instance()),
                Param::Int(until),
            ],
        )])
        .await?;
    Ok(changed.first().copied().unwrap_or(0) > 0)
}

/// Renews a lease every third of its length until dropped (the heartbeat of the job being
/// worked on). Dropped with the worker's future, so a stopped worker stops renewing.
struct Heartbeat(tokio::task::JoinHandle<()>);

impl Heartbeat {
    fn start(state: &AppState, job: &str) -> Self {
        let state = state.clone();
        let job = job.to_owned();
        Self(tokio::spawn(async move {
            loop {
                tokio::time::sleep(state.jobs().lease() / 3).await;
                match renew_lease(&state, &job).await {
                    Ok(true) => {}
                    Ok(false) => return,
                    Err(e) => tracing::warn!(job = %job, error = %e, "cannot renew job lease"),
                }
            }
        }))
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn worker(state: AppState) {
    let jobs: Arc<Jobs> = state.jobs_arc();
    loop {
        match claim_job(&state).await {
            Ok(Some(job)) => {
                let id = job.id.clone();
                if let Err(e) = run_job(&state, job).await {
                    tracing::warn!(job = %id, error = %e, "bulk job batch failed; will retry");
                    // Behind the other unfinished jobs, so one failing job blocks none, and
                    // released, so another instance may try it.
                    let _ = state
                        .store()
                        .transaction(vec![(
                            "UPDATE award_jobs SET updated_at = $2, lease_until = 0 WHERE id = $1 AND lease_owner = $3",
                            vec![Param::Text(id), Param::Text(now()), Param::Text(jobs.instance())],
                        )])
                        .await;
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
            Ok(None) => {
                let _ = tokio::time::timeout(jobs.idle_poll(), jobs.notify.notified()).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "bulk job worker cannot read jobs");
                tokio::time::sleep(jobs.idle_poll()).await;
            }
        }
    }
}

/// Processes `job` (claimed by this instance) batch by batch until it is finished or the
/// lease is lost.
async fn run_job(state: &AppState, mut job: JobRecord) -> Result<(), AppError> {
    let _heartbeat = Heartbeat::start(state, &job.id);
    let jobs = state.jobs();
    let issuer = state
        .store()
        .get_issuer(&job.issuer_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("job {}: issuer is gone", job.id)))?;
    let key = crate::app::issuer_key(state, &issuer).await?;
    let achievements: HashMap<String, AchievementRecord> = state
        .store()
        .list_achievements(&issuer.id)
        .await?
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect();
    let format = AwardFormat::parse(Some(&job.format))?;
    let instance = jobs.instance();
    loop {
        if job.lease_owner.as_deref() != Some(instance.as_str()) {
            tracing::info!(job = %job.id, "job lease taken over by another instance");
            return Ok(());
        }
        if job.next_row >= job.queued {
            state
                .store()
                .transaction(vec![(
                    "UPDATE award_jobs SET state = 'finished', updated_at = $2 WHERE id = $1 AND state <> 'finished'",
                    vec![Param::Text(job.id.clone()), Param::Text(now())],
                )])
                .await?;
            return Ok(());
        }
        let rows = state
            .store()
            .query(
                "SELECT row_no, line, data FROM award_job_rows WHERE job_id = $1 AND row_no >= $2 ORDER BY row_no LIMIT $3",
                vec![
                    Param::Text(job.id.clone()),
                    Param::Int(job.next_row),
                    Param::Int(JOB_BATCH),
                ],
            )
            .await?;
        let mut inputs = Vec::with_capacity(rows.len());
        let mut failures = Vec::new();
        let mut last = job.next_row;
        for r in &rows {
            let row_no = int(r, 0)?;
            let line = int(r, 1)?;
            last = row_no;
            match serde_json::from_str::<AwardInput>(&text(r, 2)?) {
                Ok(input) if achievements.contains_key(&input.achievement_id) => {
                    inputs.push((input, Some(format!("{}:{row_no}", job.id))));
                }
                Ok(_) => failures.push((line, "the achievement no longer exists".to_owned())),
                Err(e) => failures.push((line, format!("stored row unreadable: {e}"))),
            }
        }
        if rows.is_empty() {
            // Progress says rows remain but none are stored: finish rather than spin.
            last = job.queued - 1;
        }
        let new_next = last + 1;
        let prepared =
            crate::issuing::prepare(state, &issuer, &key, &achievements, inputs, format).await?;
        jobs.signed
            .fetch_add(prepared.len() as u64, Ordering::Relaxed);
        let done = prepared.len() as i64;
        let failed = failures.len() as i64;
        let lease_until =
            now_ms().saturating_add(i64::try_from(duration_ms(jobs.lease())).unwrap_or(i64::MAX));
        // Commits only while the lease is still this instance's (and renews it).
        let mut extra = vec![(
            "UPDATE award_jobs SET next_row = $3, done = done + $4, failed = failed + $5, \
             state = CASE WHEN $3 >= queued THEN 'finished' ELSE 'running' END, updated_at = $6, \
             lease_until = $8 \
             WHERE id = $1 AND next_row = $2 AND lease_owner = $7",
            vec![
                Param::Text(job.id.clone()),
                Param::Int(job.next_row),
                Param::Int(new_next),
                Param::Int(done),
                Param::Int(failed),
                Param::Text(now()),
                Param::Text(instance.clone()),
                Param::Int(lease_until),
            ],
            1,
        )];
        // The processed rows go with the commit: their data (recipients) is not kept, and
        // what is left is exactly what remains to do.
        extra.push((
            "DELETE FROM award_job_rows WHERE job_id = $1 AND row_no < $2",
            vec![Param::Text(job.id.clone()), Param::Int(new_next)],
            0,
        ));
        for (line, message) in failures {
            extra.push((
                "INSERT INTO award_job_errors (job_id, line, message) VALUES ($1, $2, $3)",
                vec![
                    Param::Text(job.id.clone()),
                    Param::Int(line),
                    Param::Text(message),
                ],
                1,
            ));
        }
        match state
            .store()
            .insert_prepared(&job.actor, &issuer.id, &prepared, extra)
            .await
        {
            Ok(()) => {
                jobs.batches.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) if e.is_conflict() => {
                // The lease was lost (its owner re-checked below) or another worker
                // committed this batch first: continue from the stored progress.
                tracing::info!(job = %job.id, "batch not committed: lease lost or batch already committed");
            }
            Err(e) => return Err(e.into()),
        }
        job = load_job(state, &job.id)
            .await?
            .ok_or_else(|| AppError::Internal("job vanished".into()))?;
        if job.state == "finished" {
            return Ok(());
        }
    }
}

/// `GET /api/issuers/{id}/awards?offset=&limit=`.
pub(crate) async fn list_awards(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<AppJson<Value>, AppError> {
    let scope = authenticate(&state, &headers).await?;
    let id = parse_id("issuer", &id)?;
    require_issuer(&scope, &id)?;
    let issuer = load_issuer(&state, &id).await?;
    let Query(q) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let offset = i64::from(q.offset.unwrap_or(0));
    let limit = i64::from(q.limit.unwrap_or(100));
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(AppError::BadRequest(format!(
            "limit must be 1..={MAX_PAGE} (MAX_PAGE)"
        )));
    }
    let (items, total) = state.store().list_awards(&issuer.id, offset, limit).await?;
    let items: Vec<Value> = items
        .iter()
        .map(|a| {
            let path = AwardFormat::parse(Some(&a.format))
                .unwrap_or(AwardFormat::Ob3)
                .path(&a.id);
            json!({
                "id": a.id,
                "url": state.url(&path),
                "achievementId": a.achievement_id,
                "format": a.format,
                "revoked": a.revoked,
                "createdAt": a.created_at,
                "jobId": a.row_key.as_deref().and_then(|k| k.split(':').next()),
                "rowKey": a.row_key,
            })
        })
        .collect();
    Ok(AppJson(json!({
        "items": items,
        "total": total,
        "offset": offset,
        "limit": limit,
    })))
}

/// Largest page of [`list_awards`].
pub const MAX_PAGE: i64 = 1000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    #[serde(default)]
    offset: Option<u32>,
    #[serde(default)]
    limit: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_lines_and_fields() {
        let csv = "\u{feff}Recipient,NAME,evidence\r\na@example.org,A,\r\n\"b@example.org\",\"B, with comma\",https://e.example/1 https://e.example/2\r\nc@example.org,\"C\nsecond line\",\r\nshort\r\n";
        let (rows, errors) = parse_csv(csv.as_bytes()).unwrap();
        // CRLF or LF, the same lines.
        let lf = parse_csv(csv.replace("\r\n", "\n").as_bytes()).unwrap();
        assert_eq!(
            lf.0.iter().map(|r| r.line).collect::<Vec<_>>(),
            rows.iter().map(|r| r.line).collect::<Vec<_>>()
        );
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[1].name.as_deref(), Some("B, with comma"));
        assert_eq!(rows[1].evidence.len(), 2);
        assert_eq!(rows[2].line, 4);
        assert_eq!(rows[2].name.as_deref(), Some("C\nsecond line"));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 6, "{:?}", errors[0]);
        assert!(errors[0].message.contains("fields"));
    }

    #[test]
    fn csv_header_errors() {
        for (csv, want) in [
            ("recipient,colour\nx,y\n", "unknown column"),
            ("recipient,name,name\n", "twice"),
            ("recipient\na@b.org\n", "required column \"name\""),
        ] {
            match parse_csv(csv.as_bytes()) {
                Err(AppError::BadRequest(m)) => {
                    assert!(m.starts_with("line 1") && m.contains(want), "{m}");
                }
                other => panic!("{csv:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn csv_field_limit_and_utf8() {
        let big = "x".repeat(MAX_FIELD_BYTES + 1);
        let csv = format!("recipient,name\na@example.org,{big}\n");
        let (rows, errors) = parse_csv(csv.as_bytes()).unwrap();
        assert!(rows.is_empty());
        assert!(errors[0].message.contains("MAX_FIELD_BYTES"));
        let mut bytes = b"recipient,name\na@example.org,".to_vec();
        bytes.extend_from_slice(&[0xff, 0xfe, b'\n']);
        let (rows, errors) = parse_csv(&bytes).unwrap();
        assert!(rows.is_empty() && errors[0].message.contains("UTF-8"));
    }

    #[test]
    fn json_rows() {
        let body = br#"[{"recipient":"a@example.org","evidence":"https://e.example/1"},{"recipient":"b@example.org","evidence":["https://e.example/2"]},{"recipient":"c@example.org","colour":"red"},7]"#;
        let (rows, errors) = parse_json(body).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].evidence, ["https://e.example/1"]);
        assert_eq!(rows[1].line, 2);
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), [3, 4]);
        assert!(matches!(parse_json(b"{}"), Err(AppError::BadRequest(_))));
    }
}
