//! Bulk issuance from an RFC 4180 CSV file: validate every row, record row keys in the state
//! before writing, sign in parallel, write each credential through a temporary file and a
//! rename, and append `manifest.jsonl`. Re-running issues nothing twice.

use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::error::{IssueError, Result, io};
use crate::issuer::{Award, Format, Issuer, Recipient, read_json, write_atomic_with};
use crate::state::NewRecord;

/// Largest CSV field (bytes). A larger field is a row error naming this limit.
pub const MAX_CSV_FIELD_BYTES: usize = 64 * 1024;
/// Most data rows in one CSV file.
pub const MAX_CSV_ROWS: usize = 10_000_000;
/// Rows recorded, signed and written per batch (memory stays flat across a run).
pub const DEFAULT_BATCH: usize = 1024;

const COLUMNS: [&str; 5] = ["recipient", "name", "evidence", "narrative", "achievement"];

/// Options of [`bulk`].
#[derive(Debug, Clone)]
pub struct BulkOptions {
    /// Validate every row first and sign nothing if any row is bad.
    pub strict: bool,
    /// Signing threads (0: the number of CPUs).
    pub jobs: usize,
    /// How credentials are secured.
    pub format: Format,
    /// Hash email recipients (default true).
    pub hash_email: bool,
    /// Credential ids under this URL instead of `urn:uuid:`.
    pub base_url: Option<String>,
    /// An image (PNG or SVG) to bake each credential into, with its file extension.
    pub bake: Option<(Vec<u8>, String)>,
    /// The directory per-row `achievement` paths are relative to.
    pub base_dir: PathBuf,
    /// Rows per batch.
    pub batch: usize,
    /// Largest field (bytes).
    pub max_field_bytes: usize,
    /// Most rows.
    pub max_rows: usize,
}

impl Default for BulkOptions {
    fn default() -> Self {
        Self {
            strict: false,
            jobs: 0,
            format: Format::Ob3Eddsa,
            hash_email: true,
            base_url: None,
            bake: None,
            base_dir: PathBuf::from("."),
            batch: DEFAULT_BATCH,
            max_field_bytes: MAX_CSV_FIELD_BYTES,
            max_rows: MAX_CSV_ROWS,
        }
    }
}

/// A CSV row that was not issued, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The 1-based line of the row in the CSV file.
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// What a bulk run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkReport {
    /// Rows in the file.
    pub rows: usize,
    /// Credentials signed and written in this run.
    pub issued: usize,
    /// Rows already issued by an earlier run (nothing signed).
    pub already_issued: usize,
    /// Rows not issued.
    pub errors: Vec<RowError>,
}

/// The row key: SHA-256 hex of the achievement id and the row's fields.
#[must_use]
pub fn row_key(achievement_id: &str, fields: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(achievement_id.as_bytes());
    for f in fields {
        h.update([0u8]);
        h.update(f.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

struct Row {
    line: u64,
    award: Award,
    achievement: std::sync::Arc<Value>,
    key: String,
}

struct Job {
    line: u64,
    id: String,
    index: usize,
    credential: Value,
    file: PathBuf,
    recipient: String,
    manifest_needed: bool,
}

fn file_stem(id: &str) -> String {
    let tail = id.rsplit(['/', ':']).next().unwrap_or(id);
    tail.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Issues a credential for every row of `csv` into `out_dir`; see the module docs.
/// `progress` is called with the number of rows done so far.
///
/// # Errors
/// Errors that stop the whole run: a CSV without the `recipient` and `name` columns, an
/// unreadable output directory, the state. Bad rows are reported in [`BulkReport::errors`].
pub fn bulk(
    issuer: &mut Issuer,
    achievement: &Value,
    csv: &[u8],
    out_dir: &Path,
    options: &BulkOptions,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<BulkReport> {
    crate::issuer::check_achievement(achievement)?;
    let default_achievement = std::sync::Arc::new(achievement.clone());
    let (rows, mut errors, total) = parse_rows(csv, &default_achievement, options)?;
    let mut report = BulkReport {
        rows: total,
        ..BulkReport::default()
    };
    if options.strict && !errors.is_empty() {
        report.errors = errors;
        return Ok(report);
    }
    std::fs::create_dir_all(out_dir).map_err(io(out_dir))?;
    let manifest_path = out_dir.join("manifest.jsonl");
    let in_manifest = read_manifest_ids(&manifest_path)?;
    let mut manifest = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&manifest_path)
        .map_err(io(&manifest_path))?;
    let ext = match options.format {
        Format::Ob3Jwt => "jwt",
        _ => "json",
    };
    let jobs = if options.jobs == 0 {
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    } else {
        options.jobs
    };
    let mut done = 0usize;
    for batch in rows.chunks(options.batch.max(1)) {
        // 1. Rows already recorded keep their id and index; new rows are recorded (one
        //    transaction) before anything is written.
        let mut jobs_list: Vec<Job> = Vec::with_capacity(batch.len());
        let mut fresh: Vec<(&Row, String)> = Vec::new();
        for row in batch {
            if let Some(rec) = issuer.state().get_by_row_key(&row.key)? {
                let file = out_dir.join(format!("{}.{ext}", file_stem(&rec.id)));
                // A present, non-empty file was written by an earlier run (written through a
                // rename, so never partial); an empty one (a crash before the batch sync) is
                // signed again with the same id and index.
                if std::fs::metadata(&file).is_ok_and(|m| m.len() > 0) {
                    report.already_issued += 1;
                    if !in_manifest.contains(&rec.id) {
                        write_manifest_line(
                            &mut manifest,
                            &manifest_path,
                            row.line,
                            &rec.id,
                            rec.status_index,
                            &file,
                            row.award.recipient.as_str(),
                            &row.key,
                        )?;
                    }
                    continue;
                }
                match issuer.credential(&rec.id, &row.achievement, &row.award, rec.status_index) {
                    Ok(credential) => jobs_list.push(Job {
                        line: row.line,
                        id: rec.id.clone(),
                        index: rec.status_index,
                        credential,
                        file,
                        recipient: rec.recipient.clone(),
                        manifest_needed: !in_manifest.contains(&rec.id),
                    }),
                    Err(e) => errors.push(RowError {
                        line: row.line,
                        message: e.to_string(),
                    }),
                }
            } else {
                fresh.push((row, Issuer::new_credential_id(options.base_url.as_deref())));
            }
        }
        if !fresh.is_empty() {
            let records: Vec<NewRecord<'_>> = fresh
                .iter()
                .map(|(row, id)| NewRecord {
                    id,
                    recipient: row.award.recipient.as_str(),
                    achievement: row
                        .achievement
                        .get("id")
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                    row_key: Some(&row.key),
                })
                .collect();
            let length = issuer.status_list_length();
            let indexes = issuer.state_mut().record(&records, length)?;
            for ((row, id), index) in fresh.iter().zip(indexes) {
                match issuer.credential(id, &row.achievement, &row.award, index) {
                    Ok(credential) => jobs_list.push(Job {
                        line: row.line,
                        id: id.clone(),
                        index,
                        file: out_dir.join(format!("{}.{ext}", file_stem(id))),
                        credential,
                        recipient: row.award.recipient.as_str().into(),
                        manifest_needed: true,
                    }),
                    Err(e) => errors.push(RowError {
                        line: row.line,
                        message: e.to_string(),
                    }),
                }
            }
        }
        // 2. Sign and write in parallel.
        let key = issuer.key();
        let chunk = jobs_list.len().div_ceil(jobs).max(1);
        let results: Vec<(usize, Result<()>)> = std::thread::scope(|s| {
            let handles: Vec<_> = jobs_list
                .chunks(chunk)
                .enumerate()
                .map(|(c, part)| {
                    s.spawn(move || {
                        part.iter()
                            .enumerate()
                            .map(|(i, job)| (c * chunk + i, sign_and_write(key, job, options)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        });
        // 3. Make the batch durable (one journal commit covers most of it), then report it in
        //    the manifest, in row order.
        for (i, result) in &results {
            if result.is_ok()
                && let Some(job) = jobs_list.get(*i)
            {
                sync_file(&job.file)?;
                if let Some((_, ext)) = &options.bake {
                    sync_file(&job.file.with_extension(ext))?;
                }
            }
        }
        sync_file(out_dir)?;
        for (i, result) in results {
            let Some(job) = jobs_list.get(i) else {
                continue;
            };
            match result {
                Ok(()) => {
                    report.issued += 1;
                    if job.manifest_needed {
                        let key = batch
                            .iter()
                            .find(|r| r.line == job.line)
                            .map(|r| r.key.as_str())
                            .unwrap_or_default();
                        write_manifest_line(
                            &mut manifest,
                            &manifest_path,
                            job.line,
                            &job.id,
                            job.index,
                            &job.file,
                            &job.recipient,
                            key,
                        )?;
                    }
                }
                Err(e) => errors.push(RowError {
                    line: job.line,
                    message: e.to_string(),
                }),
            }
        }
        manifest.sync_data().map_err(io(&manifest_path))?;
        done += batch.len();
        progress(done);
    }
    errors.sort_by_key(|e| e.line);
    report.errors = errors;
    Ok(report)
}

/// Checks every row of `csv` as [`bulk`] would, without touching state or files. Returns the
/// number of valid rows and the row errors.
///
/// # Errors
/// As [`bulk`] for the header and limits.
pub fn check_csv(
    achievement: &Value,
    csv: &[u8],
    options: &BulkOptions,
) -> Result<(usize, Vec<RowError>)> {
    crate::issuer::check_achievement(achievement)?;
    let default_achievement = std::sync::Arc::new(achievement.clone());
    let (rows, errors, _) = parse_rows(csv, &default_achievement, options)?;
    Ok((rows.len(), errors))
}

fn sync_file(path: &Path) -> Result<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(io(path))
}

fn sign_and_write(key: &crate::issuer::IssuerKey, job: &Job, options: &BulkOptions) -> Result<()> {
    let secured = key.secure(&job.credential, options.format)?;
    write_atomic_with(&job.file, &secured.to_file_bytes(), false)?;
    if let Some((image, ext)) = &options.bake {
        let mut out = Vec::new();
        obi_bake::bake(image, &mut out, &secured.payload(), None)?;
        write_atomic_with(&job.file.with_extension(ext), &out, false)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)] // one manifest line's fields
fn write_manifest_line(
    manifest: &mut std::fs::File,
    path: &Path,
    line: u64,
    id: &str,
    index: usize,
    file: &Path,
    recipient: &str,
    row_key: &str,
) -> Result<()> {
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let entry = json!({
        "line": line,
        "id": id,
        "file": name,
        "recipient": recipient,
        "statusListIndex": index,
        "rowKey": row_key,
    });
    writeln!(manifest, "{entry}").map_err(io(path))
}

fn read_manifest_ids(path: &Path) -> Result<HashSet<String>> {
    let mut out = HashSet::new();
    match std::fs::read_to_string(path) {
        Ok(text) => {
            for line in text.lines() {
                if let Ok(v) = serde_json::from_str::<Value>(line)
                    && let Some(id) = v.get("id").and_then(Value::as_str)
                {
                    out.insert(id.to_string());
                }
            }
            Ok(out)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(out),
        Err(e) => Err(IssueError::Io {
            path: path.into(),
            source: e,
        }),
    }
}

type Parsed = (Vec<Row>, Vec<RowError>, usize);

fn parse_rows(
    csv_bytes: &[u8],
    default: &std::sync::Arc<Value>,
    options: &BulkOptions,
) -> Result<Parsed> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(csv_bytes);
    let headers = reader
        .byte_headers()
        .map_err(|e| IssueError::Row {
            line: 1,
            message: format!("bad CSV header: {e}"),
        })?
        .clone();
    let mut columns: HashMap<&str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let name = std::str::from_utf8(h)
            .map_err(|_| IssueError::Row {
                line: 1,
                message: "the header is not UTF-8".into(),
            })?
            .trim()
            .trim_start_matches('\u{feff}')
            .to_ascii_lowercase();
        let Some(known) = COLUMNS.iter().find(|c| **c == name) else {
            return Err(IssueError::Row {
                line: 1,
                message: format!("unknown column {name:?} (columns: {})", COLUMNS.join(", ")),
            });
        };
        if columns.insert(known, i).is_some() {
            return Err(IssueError::Row {
                line: 1,
                message: format!("column {name:?} appears twice"),
            });
        }
    }
    for required in ["recipient", "name"] {
        if !columns.contains_key(required) {
            return Err(IssueError::Row {
                line: 1,
                message: format!("the header lacks the required column {required:?}"),
            });
        }
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<(String, String), u64> = HashMap::new();
    let mut achievements: HashMap<String, std::sync::Arc<Value>> = HashMap::new();
    let mut record = csv::ByteRecord::new();
    let mut total = 0usize;
    loop {
        let line_before = reader.position().line();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line_before, csv::Position::line);
                errors.push(RowError {
                    line,
                    message: format!("bad CSV: {e}"),
                });
                total += 1;
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
                continue;
            }
        }
        total += 1;
        if total > options.max_rows {
            return Err(IssueError::Limit(format!(
                "the CSV has more than max_rows ({}) rows (MAX_CSV_ROWS)",
                options.max_rows
            )));
        }
        let line = record.position().map_or(line_before, csv::Position::line);
        match parse_row(
            &record,
            &columns,
            headers.len(),
            default,
            &mut achievements,
            options,
        ) {
            Ok(row) => {
                let ach = row
                    .achievement
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let who = row.award.recipient.as_str().to_ascii_lowercase();
                if let Some(first) = seen.get(&(ach.clone(), who.clone())) {
                    errors.push(RowError {
                        line,
                        message: format!(
                            "duplicate recipient {who} for this achievement (first on line {first})"
                        ),
                    });
                } else {
                    seen.insert((ach, who), line);
                    rows.push(Row { line, ..row });
                }
            }
            Err(message) => errors.push(RowError { line, message }),
        }
    }
    Ok((rows, errors, total))
}

fn parse_row(
    record: &csv::ByteRecord,
    columns: &HashMap<&str, usize>,
    width: usize,
    default: &std::sync::Arc<Value>,
    achievements: &mut HashMap<String, std::sync::Arc<Value>>,
    options: &BulkOptions,
) -> std::result::Result<Row, String> {
    if record.len() != width {
        return Err(format!("{} fields, the header has {width}", record.len()));
    }
    let mut fields: HashMap<&str, &str> = HashMap::new();
    for (name, &i) in columns {
        let raw = record.get(i).unwrap_or_default();
        if raw.len() > options.max_field_bytes {
            return Err(format!(
                "field {name} is {} bytes, over max_field_bytes ({}, MAX_CSV_FIELD_BYTES)",
                raw.len(),
                options.max_field_bytes
            ));
        }
        let text =
            std::str::from_utf8(raw).map_err(|e| format!("field {name} is not UTF-8 ({e})"))?;
        fields.insert(name, text.trim());
    }
    let get = |n: &str| fields.get(n).copied().filter(|s| !s.is_empty());
    let recipient_text = get("recipient").ok_or("empty recipient")?;
    let recipient = Recipient::parse(recipient_text).map_err(|e| e.to_string())?;
    let achievement = match get("achievement") {
        None => default.clone(),
        Some(path) => {
            if let Some(a) = achievements.get(path) {
                a.clone()
            } else {
                let a = read_json(&options.base_dir.join(path))
                    .map_err(|e| format!("achievement: {e}"))?;
                crate::issuer::check_achievement(&a)
                    .map_err(|e| format!("achievement {path}: {e}"))?;
                let a = std::sync::Arc::new(a);
                achievements.insert(path.to_string(), a.clone());
                a
            }
        }
    };
    let mut award = Award::new(recipient);
    award.hash_email = options.hash_email;
    award.name = get("name").map(String::from);
    award.narrative = get("narrative").map(String::from);
    if let Some(e) = get("evidence") {
        for url in e.split_whitespace() {
            let ok = (url.starts_with("https://") || url.starts_with("http://")) && url.len() > 8;
            if !ok {
                return Err(format!("evidence {url:?} is not an http(s) URL"));
            }
            award.evidence.push(url.to_string());
        }
    }
    let ach_id = achievement
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let key = row_key(
        ach_id,
        &[
            recipient_text,
            get("name").unwrap_or_default(),
            get("evidence").unwrap_or_default(),
            get("narrative").unwrap_or_default(),
        ],
    );
    Ok(Row {
        line: 0,
        award,
        achievement,
        key,
    })
}
