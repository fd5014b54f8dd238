//! Bulk issuance from an RFC 4180 CSV file, streamed: a reader thread parses and checks rows
//! and hands batches over a bounded channel; the calling thread records each batch in the
//! state (one SQLite transaction: ids, random status indexes, row keys) before anything is
//! signed; worker threads (one per core) build, sign and write each credential through a
//! temporary file and a rename; the calling thread then appends `manifest.jsonl` in row order.
//! Memory stays flat: at most a few batches are in flight (plus 24 bytes per row for the
//! duplicate-recipient check).
//!
//! # What "issued" means, and what survives a crash
//! A row is reported issued (counted, and its `manifest.jsonl` line written) only after its
//! state record has committed and its file has been renamed into place, so the file is
//! complete. Re-running the same command recognises every recorded row by its row key: a row
//! whose file is present and complete is skipped; a recorded row whose file is missing or
//! incomplete is signed again with the same id and status index (never a second id); other
//! rows are new.
//!
//! - **Process crash** (kill -9, panic, out of memory): nothing reported is lost and nothing is
//!   issued twice. Renamed files and appended manifest lines live in the OS page cache.
//! - **Power loss or OS crash**: the state commit of each batch is synchronous (`synchronous =
//!   FULL`, one fsync per batch of [`DEFAULT_BATCH`] rows), so a row never gets a second id.
//!   Files and manifest lines written since the OS last flushed (seconds) may be lost or empty;
//!   the re-run writes them again with the same ids. With [`BulkOptions::fsync`] every file,
//!   the directory and the manifest are synced before rows are reported, for issuers that hand
//!   files out as soon as they are reported (slower: one fsync per file).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::error::{IssueError, Result, io};
use crate::issuer::{Award, Format, Issuer, Recipient, Template, read_json, write_atomic_with};
use crate::ob2::Ob2Template;
use crate::state::NewRecord;
use obi_proof::{KeyPair, KeyType};

/// Largest CSV field (bytes). A larger field is a row error naming this limit.
pub const MAX_CSV_FIELD_BYTES: usize = 64 * 1024;
/// Most data rows in one CSV file.
pub const MAX_CSV_ROWS: usize = 10_000_000;
/// Rows recorded per state transaction (and per reader hand-over).
pub const DEFAULT_BATCH: usize = 1024;

const COLUMNS: [&str; 5] = ["recipient", "name", "evidence", "narrative", "achievement"];

/// Where [`bulk`] writes credential and image files: through a temporary file and a rename
/// by default. A seam for tests (a disk that fills up mid-run) and for other stores.
pub trait OutputWriter: Send + Sync + std::fmt::Debug {
    /// Writes `bytes` to `path` completely or not at all; `sync`: durably.
    ///
    /// # Errors
    /// [`IssueError::Io`] stops the run (the rows reported so far stay issued).
    fn write(&self, path: &Path, bytes: &[u8], sync: bool) -> Result<()>;
}

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
    /// Every credential's `validUntil` (2.0: `expires`): RFC 3339, or a date (end of that
    /// day UTC). Checked before any row is recorded.
    pub valid_until: Option<String>,
    /// Credential ids under this URL instead of `urn:uuid:`. Required by the 2.0 formats:
    /// the URL the 2.0 documents are published under (assertions `BASE/assertions/UUID.json`).
    pub base_url: Option<String>,
    /// 2.0 formats: the directory mirroring `base_url` where the documents to publish are
    /// written (issuer, key, badge classes, revocation list, hosted assertions). Default
    /// `OUT_DIR/publish`.
    pub publish: Option<PathBuf>,
    /// `ob2-signed` by an Ed25519 issuer: the type of the 2.0 key (`ob2-key.json`) created
    /// when absent (RSA or P-256; default RSA). Issuers with a P-256 or RSA key sign with it.
    pub ob2_key: KeyType,
    /// An image (PNG or SVG) to bake each credential into, with its file extension.
    pub bake: Option<(Vec<u8>, String)>,
    /// The directory per-row `achievement` paths are relative to.
    pub base_dir: PathBuf,
    /// Rows per batch (one state transaction each).
    pub batch: usize,
    /// Largest field (bytes).
    pub max_field_bytes: usize,
    /// Most rows.
    pub max_rows: usize,
    /// Sync every file, the directory and the manifest before reporting rows (survives power
    /// loss; see the module docs). Default false: reported rows survive a process crash.
    pub fsync: bool,
    /// Writes the output files (default: [`crate::write_atomic`]'s temporary file and rename).
    pub writer: Option<Arc<dyn OutputWriter>>,
}

impl Default for BulkOptions {
    fn default() -> Self {
        Self {
            strict: false,
            jobs: 0,
            format: Format::Ob3Eddsa,
            hash_email: true,
            valid_until: None,
            base_url: None,
            publish: None,
            ob2_key: KeyType::Rsa,
            bake: None,
            base_dir: PathBuf::from("."),
            batch: DEFAULT_BATCH,
            max_field_bytes: MAX_CSV_FIELD_BYTES,
            max_rows: MAX_CSV_ROWS,
            fsync: false,
            writer: None,
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
    achievement: Arc<Value>,
    key: String,
}

/// What the reader thread hands over: a batch of good rows and the bad rows among them.
struct Batch {
    rows: Vec<Row>,
    errors: Vec<RowError>,
}

/// One credential to sign and write, in row order `seq`.
struct Job {
    seq: u64,
    row: Row,
    id: String,
    index: usize,
    file: PathBuf,
    manifest_needed: bool,
    /// The revocation reason of a recorded row revoked since (a re-signed hosted 2.0
    /// assertion stays marked revoked).
    revoked: Option<String>,
}

/// How the workers make each file.
#[derive(Clone, Copy)]
enum Maker<'a> {
    /// OB 3.0: build from the template, secure with the issuer key.
    Ob3 {
        template: &'a Template,
        key: &'a crate::issuer::IssuerKey,
    },
    /// OB 2.0: signed with `key`, or hosted (`key: None`: the assertion is also written to
    /// `publish`).
    Ob2 {
        template: &'a Ob2Template,
        key: Option<&'a KeyPair>,
        publish: &'a Path,
    },
}

/// A row done (or failed) in row order `seq`.
enum Outcome {
    Done {
        line: u64,
        id: String,
        index: usize,
        file: PathBuf,
        recipient: String,
        key: String,
        manifest_needed: bool,
        signed: bool,
    },
    RowFailed(RowError),
    /// A write failed (disk full, permissions): the run stops.
    Fatal(IssueError),
}

fn file_stem(id: &str) -> String {
    let tail = id.rsplit(['/', ':']).next().unwrap_or(id);
    // 2.0 assertion ids end with `.json`.
    let tail = tail.strip_suffix(".json").unwrap_or(tail);
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
/// unreadable output directory, the state, a failed write (disk full: the rows reported
/// before it stay issued; run again to finish). Bad rows are reported in
/// [`BulkReport::errors`].
pub fn bulk(
    issuer: &mut Issuer,
    achievement: &Value,
    csv: &[u8],
    out_dir: &Path,
    options: &BulkOptions,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<BulkReport> {
    run(issuer, achievement, &|| Ok(csv), out_dir, options, progress)
}

/// [`bulk`] streaming the CSV file at `csv_path` (read twice with [`BulkOptions::strict`]).
///
/// # Errors
/// As [`bulk`]; [`IssueError::Io`] when the CSV cannot be opened.
pub fn bulk_file(
    issuer: &mut Issuer,
    achievement: &Value,
    csv_path: &Path,
    out_dir: &Path,
    options: &BulkOptions,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<BulkReport> {
    run(
        issuer,
        achievement,
        &|| std::fs::File::open(csv_path).map_err(io(csv_path)),
        out_dir,
        options,
        progress,
    )
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
    let default_achievement = Arc::new(achievement.clone());
    let (good, errors, _) = check_all(csv, &default_achievement, options)?;
    Ok((good, errors))
}

/// Reads every row; returns the number of good rows, the row errors and the row count.
fn check_all<R: Read>(
    source: R,
    default: &Arc<Value>,
    options: &BulkOptions,
) -> Result<(usize, Vec<RowError>, usize)> {
    let mut rows = RowReader::new(source, default.clone(), options.clone())?;
    let mut good = 0usize;
    let mut errors = Vec::new();
    while let Some(batch) = rows.next_batch(options.batch.max(1))? {
        good += batch.rows.len();
        errors.extend(batch.errors);
    }
    Ok((good, errors, rows.total))
}

fn run<R: Read + Send>(
    issuer: &mut Issuer,
    achievement: &Value,
    open: &dyn Fn() -> Result<R>,
    out_dir: &Path,
    options: &BulkOptions,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<BulkReport> {
    crate::issuer::check_achievement(achievement)?;
    if let Some(u) = &options.valid_until {
        let u = crate::issuer::parse_valid_until(u)?;
        let now = crate::state::now();
        if u <= now {
            return Err(IssueError::Input(format!(
                "--valid-until {u} is not after now ({now})"
            )));
        }
    }
    // The 2.0 formats: base URL, email and key checked, issuer-wide documents published,
    // before any row is recorded.
    let ob2 = if options.format.is_ob2() {
        let base = options.base_url.as_deref().ok_or_else(|| {
            IssueError::Input(format!(
                "--format {} needs --base-url (where the 2.0 documents are published)",
                options.format.as_str()
            ))
        })?;
        let template = issuer.ob2_template(base)?;
        let file_key = if options.format == Format::Ob2Signed {
            issuer.ob2_file_key(options.ob2_key)?
        } else {
            None
        };
        let publish = options
            .publish
            .clone()
            .unwrap_or_else(|| out_dir.join("publish"));
        Some((template, file_key, publish))
    } else {
        issuer.key().check_format(options.format)?;
        None
    };
    let default_achievement = Arc::new(achievement.clone());
    if options.strict {
        let (_, errors, total) = check_all(open()?, &default_achievement, options)?;
        if !errors.is_empty() {
            return Ok(BulkReport {
                rows: total,
                errors,
                ..BulkReport::default()
            });
        }
    }
    // The header is read here, so a bad one stops the run before anything is written.
    let mut reader = RowReader::new(open()?, default_achievement, options.clone())?;
    std::fs::create_dir_all(out_dir).map_err(io(out_dir))?;
    let manifest_path = out_dir.join("manifest.jsonl");
    let in_manifest = read_manifest_ids(&manifest_path)?;
    let mut manifest = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&manifest_path)
        .map_err(io(&manifest_path))?;
    // A line torn by a crash would swallow the next one: end it first.
    if std::fs::read(&manifest_path)
        .map_err(io(&manifest_path))?
        .last()
        .is_some_and(|&b| b != b'\n')
    {
        manifest.write_all(b"\n").map_err(io(&manifest_path))?;
    }
    let ext = match options.format {
        Format::Ob3Jwt => "jwt",
        Format::Ob2Signed => "jws",
        _ => "json",
    };
    let workers = if options.jobs == 0 {
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    } else {
        options.jobs
    };
    let batch_size = options.batch.max(1);
    let template = issuer.template();
    let length = issuer.status_list_length();
    if let Some((template, file_key, publish)) = &ob2 {
        let signing = match (options.format, file_key) {
            (Format::Ob2Signed, Some(k)) => Some(k),
            (Format::Ob2Signed, None) => Some(issuer.key().key_pair()),
            _ => None,
        };
        let docs = issuer.ob2_issuer_documents(template, signing)?;
        crate::ob2::write_published(publish, &docs)?;
        let assertions = publish.join("assertions");
        std::fs::create_dir_all(&assertions).map_err(io(&assertions))?;
    }
    let (key, state) = issuer.key_and_state();
    let maker = match &ob2 {
        None => Maker::Ob3 {
            template: &template,
            key,
        },
        Some((template, file_key, publish)) => Maker::Ob2 {
            template,
            key: match options.format {
                Format::Ob2Signed => Some(file_key.as_ref().unwrap_or(key.key_pair())),
                _ => None,
            },
            publish,
        },
    };
    // 2.0: the badge classes published in this run (by achievement id).
    let mut badges_published: HashSet<String> = HashSet::new();
    let mut used = state.used_indexes()?;

    let (batch_tx, batch_rx) = mpsc::sync_channel::<Result<Batch>>(1);
    let (job_tx, job_rx) = mpsc::sync_channel::<Job>(batch_size.min(4096));
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (out_tx, out_rx) = mpsc::channel::<(u64, Outcome)>();
    let stop = std::sync::atomic::AtomicBool::new(false);

    let mut report = BulkReport::default();
    let mut errors: Vec<RowError> = Vec::new();
    // Hosted 2.0 assertions are renamed into the published directory too.
    let hosted_dir = match &ob2 {
        Some((_, _, publish)) if options.format == Format::Ob2Hosted => {
            Some(publish.join("assertions"))
        }
        _ => None,
    };
    let mut sink = Sink {
        pending: BTreeMap::new(),
        next: 0,
        manifest: &mut manifest,
        manifest_path: &manifest_path,
        out_dir,
        hosted_dir: hosted_dir.as_deref(),
        fsync: options.fsync,
        done: 0,
        fatal: None,
    };

    let (result, total) = std::thread::scope(|s| {
        // Reader: parse and check rows, hand over batches.
        let stop_ref = &stop;
        let reader_thread = s.spawn(move || {
            loop {
                if stop_ref.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                match reader.next_batch(batch_size) {
                    Ok(Some(b)) => {
                        if batch_tx.send(Ok(b)).is_err() {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        let _ = batch_tx.send(Err(e));
                        break;
                    }
                }
            }
            reader.total
        });
        // Workers: build, sign, write.
        for _ in 0..workers {
            let job_rx = Arc::clone(&job_rx);
            let out_tx = out_tx.clone();
            let stop_ref = &stop;
            s.spawn(move || {
                loop {
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => break,
                    };
                    let Ok(job) = job else { break };
                    let seq = job.seq;
                    let outcome = if stop_ref.load(std::sync::atomic::Ordering::Relaxed) {
                        // A write failed: sign nothing more (the rows stay recorded and
                        // are finished by the next run with the same ids).
                        Outcome::Fatal(IssueError::Input("stopped".into()))
                    } else {
                        sign_and_write(maker, job, options)
                    };
                    if matches!(outcome, Outcome::Fatal(_)) {
                        stop_ref.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                    if out_tx.send((seq, outcome)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(out_tx);
        // This thread: record each batch, dispatch it, report what is done in row order.
        let mut seq = 0u64;
        let result = (|| -> Result<()> {
            for batch in batch_rx.iter() {
                let batch = batch?;
                errors.extend(batch.errors);
                let mut fresh: Vec<(u64, Row, String)> = Vec::new();
                let mut dispatch: Vec<Job> = Vec::new();
                for row in batch.rows {
                    let this = seq;
                    seq += 1;
                    if let Some(rec) = state.get_by_row_key(&row.key)? {
                        let file = out_dir.join(format!("{}.{ext}", file_stem(&rec.id)));
                        // A hosted 2.0 row is complete when its published assertion is
                        // there too.
                        let published = match &ob2 {
                            Some((t, _, publish)) if options.format == Format::Ob2Hosted => t
                                .relative(&rec.id)
                                .is_some_and(|rel| publish.join(rel).exists()),
                            _ => true,
                        };
                        if published && complete(&file, options) {
                            sink.pending.insert(
                                this,
                                Outcome::Done {
                                    line: row.line,
                                    manifest_needed: !in_manifest.contains(&rec.id),
                                    id: rec.id,
                                    index: rec.status_index,
                                    file,
                                    recipient: rec.recipient,
                                    key: row.key,
                                    signed: false,
                                },
                            );
                        } else {
                            dispatch.push(Job {
                                seq: this,
                                manifest_needed: !in_manifest.contains(&rec.id),
                                revoked: rec
                                    .revoked_at
                                    .as_ref()
                                    .map(|_| rec.reason.clone().unwrap_or_default()),
                                id: rec.id,
                                index: rec.status_index,
                                file,
                                row,
                            });
                        }
                    } else {
                        let id = match &ob2 {
                            Some((t, _, _)) => t.new_assertion_id(),
                            None => Issuer::new_credential_id(options.base_url.as_deref()),
                        };
                        fresh.push((this, row, id));
                    }
                }
                if !fresh.is_empty() {
                    let records: Vec<NewRecord<'_>> = fresh
                        .iter()
                        .map(|(_, row, id)| NewRecord {
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
                    let indexes = state.record_with_used(&records, length, &mut used)?;
                    drop(records);
                    for ((this, row, id), index) in fresh.into_iter().zip(indexes) {
                        dispatch.push(Job {
                            seq: this,
                            file: out_dir.join(format!("{}.{ext}", file_stem(&id))),
                            id,
                            index,
                            row,
                            manifest_needed: true,
                            revoked: None,
                        });
                    }
                    dispatch.sort_by_key(|j| j.seq);
                }
                // 2.0: publish the badge class of each achievement before its first assertion.
                if let Some((template, _, publish)) = &ob2 {
                    for job in &dispatch {
                        let ach = &job.row.achievement;
                        let ach_id = ach.get("id").and_then(Value::as_str).unwrap_or_default();
                        if !badges_published.contains(ach_id) {
                            crate::ob2::write_published(
                                publish,
                                &template.badge_class(ach).publish,
                            )?;
                            badges_published.insert(ach_id.to_string());
                        }
                    }
                }
                for job in dispatch {
                    job_tx
                        .send(job)
                        .map_err(|_| IssueError::Input("the signing threads stopped".into()))?;
                }
                while let Ok((k, outcome)) = out_rx.try_recv() {
                    sink.pending.insert(k, outcome);
                }
                sink.flush(&mut report, &mut errors)?;
                progress(sink.done);
                if sink.fatal.is_some() {
                    break;
                }
            }
            Ok(())
        })();
        stop.store(
            result.is_err() || sink.fatal.is_some(),
            std::sync::atomic::Ordering::Relaxed,
        );
        drop(job_tx);
        drop(batch_rx);
        // Every dispatched job reports back (workers stop when the job channel closes).
        for (k, outcome) in out_rx.iter() {
            sink.pending.insert(k, outcome);
        }
        let flushed = sink.flush(&mut report, &mut errors);
        progress(sink.done);
        let total = reader_thread.join().unwrap_or_default();
        (result.and(flushed), total)
    });
    result?;
    if let Some(e) = sink.fatal.take() {
        return Err(e);
    }
    manifest.flush().map_err(io(&manifest_path))?;
    errors.sort_by_key(|e| e.line);
    report.rows = total;
    report.errors = errors;
    Ok(report)
}

/// Reports outcomes in row order: manifest lines, counts, row errors.
struct Sink<'a> {
    pending: BTreeMap<u64, Outcome>,
    next: u64,
    manifest: &'a mut std::fs::File,
    manifest_path: &'a Path,
    out_dir: &'a Path,
    hosted_dir: Option<&'a Path>,
    fsync: bool,
    done: usize,
    fatal: Option<IssueError>,
}

impl Sink<'_> {
    fn flush(&mut self, report: &mut BulkReport, errors: &mut Vec<RowError>) -> Result<()> {
        let mut ready = Vec::new();
        while let Some(outcome) = self.pending.remove(&self.next) {
            self.next += 1;
            ready.push(outcome);
        }
        if ready.is_empty() {
            return Ok(());
        }
        if self.fsync {
            sync_file(self.out_dir)?;
            if let Some(dir) = self.hosted_dir {
                sync_file(dir)?;
            }
        }
        let mut text = String::new();
        for outcome in ready {
            self.done += 1;
            match outcome {
                Outcome::Done {
                    line,
                    id,
                    index,
                    file,
                    recipient,
                    key,
                    manifest_needed,
                    signed,
                } => {
                    if signed {
                        report.issued += 1;
                    } else {
                        report.already_issued += 1;
                    }
                    if manifest_needed {
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
                            "rowKey": key,
                        });
                        text.push_str(&entry.to_string());
                        text.push('\n');
                    }
                }
                Outcome::RowFailed(e) => errors.push(e),
                Outcome::Fatal(e) => {
                    // The first failure is the cause; later ones are "stopped".
                    if self.fatal.is_none() && !matches!(&e, IssueError::Input(m) if m == "stopped")
                    {
                        self.fatal = Some(e);
                    }
                }
            }
        }
        self.manifest
            .write_all(text.as_bytes())
            .map_err(io(self.manifest_path))?;
        if self.fsync {
            self.manifest.sync_data().map_err(io(self.manifest_path))?;
        }
        Ok(())
    }
}

/// Whether an earlier run's output for a recorded row is there and complete (written through
/// a rename, it is never partial after a process crash; after a power loss it may be empty).
fn complete(file: &Path, options: &BulkOptions) -> bool {
    let ends_well = std::fs::read(file).is_ok_and(|b| b.len() > 1 && b.last() == Some(&b'\n'));
    ends_well
        && options.bake.as_ref().is_none_or(|(_, ext)| {
            std::fs::metadata(file.with_extension(ext)).is_ok_and(|m| m.len() > 0)
        })
}

fn sync_file(path: &Path) -> Result<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(io(path))
}

/// A secured credential or assertion, and the hosted 2.0 document to publish with it.
type Made = (crate::Secured, Option<(PathBuf, Vec<u8>)>);

/// Builds and secures the row's credential or assertion; for a hosted 2.0 assertion also
/// the document to publish (path under the publish directory, bytes).
fn make(maker: Maker<'_>, job: &Job, format: Format) -> Result<Made> {
    match maker {
        Maker::Ob3 { template, key } => {
            let credential =
                template.build(&job.id, &job.row.achievement, &job.row.award, job.index)?;
            Ok((key.secure(credential, format)?, None))
        }
        Maker::Ob2 {
            template,
            key,
            publish,
        } => {
            let badge_id = template.badge_id(&job.row.achievement);
            let mut assertion = template.assertion(&job.id, &badge_id, &job.row.award)?;
            let hosted = match key {
                Some(_) => None,
                None => {
                    if let (Some(reason), Some(m)) = (&job.revoked, assertion.as_object_mut()) {
                        m.insert("revoked".into(), true.into());
                        m.insert("revocationReason".into(), reason.clone().into());
                    }
                    let rel = template.relative(&job.id).ok_or_else(|| {
                        IssueError::Input(format!(
                            "{} is not under the base URL {}",
                            job.id,
                            template.base()
                        ))
                    })?;
                    let mut bytes = serde_json::to_vec_pretty(&assertion).unwrap_or_default();
                    bytes.push(b'\n');
                    Some((publish.join(rel), bytes))
                }
            };
            Ok((template.secure(assertion, key)?, hosted))
        }
    }
}

fn sign_and_write(maker: Maker<'_>, job: Job, options: &BulkOptions) -> Outcome {
    let row_failed = |e: IssueError| {
        Outcome::RowFailed(RowError {
            line: job.row.line,
            message: e.to_string(),
        })
    };
    let (secured, hosted) = match make(maker, &job, options.format) {
        Ok(s) => s,
        Err(e) => return row_failed(e),
    };
    let write = |path: &Path, bytes: &[u8]| match &options.writer {
        Some(w) => w.write(path, bytes, options.fsync),
        None => write_atomic_with(path, bytes, options.fsync),
    };
    let written = (|| -> Result<()> {
        if let Some((path, bytes)) = &hosted {
            write(path, bytes)?;
        }
        if let Some((image, ext)) = &options.bake {
            let mut out = Vec::new();
            obi_bake::bake(image, &mut out, &secured.payload(), None)?;
            write(&job.file.with_extension(ext), &out)?;
        }
        // The credential file last: its presence marks the row complete.
        write(&job.file, &secured.to_file_bytes())
    })();
    match written {
        Ok(()) => Outcome::Done {
            line: job.row.line,
            recipient: job.row.award.recipient.as_str().into(),
            key: job.row.key,
            id: job.id,
            index: job.index,
            file: job.file,
            manifest_needed: job.manifest_needed,
            signed: true,
        },
        Err(e @ IssueError::Io { .. }) => Outcome::Fatal(e),
        Err(e) => row_failed(e),
    }
}

fn read_manifest_ids(path: &Path) -> Result<HashSet<String>> {
    let mut out = HashSet::new();
    match std::fs::File::open(path) {
        Ok(f) => {
            use std::io::BufRead as _;
            for line in std::io::BufReader::new(f).lines() {
                let line = line.map_err(io(path))?;
                if let Ok(v) = serde_json::from_str::<Value>(&line)
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

/// Streams rows from a CSV source: header checked on creation, rows checked one by one.
struct RowReader<R: Read> {
    reader: csv::Reader<R>,
    columns: HashMap<&'static str, usize>,
    width: usize,
    default: Arc<Value>,
    options: BulkOptions,
    /// First line of each (achievement, recipient), by a 16-byte hash.
    seen: HashMap<[u8; 16], u64>,
    achievements: HashMap<String, Arc<Value>>,
    record: csv::ByteRecord,
    total: usize,
    done: bool,
}

impl<R: Read> RowReader<R> {
    fn new(source: R, default: Arc<Value>, options: BulkOptions) -> Result<Self> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(source);
        let headers = reader
            .byte_headers()
            .map_err(|e| IssueError::Row {
                line: 1,
                message: format!("bad CSV header: {e}"),
            })?
            .clone();
        let mut columns: HashMap<&'static str, usize> = HashMap::new();
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
        Ok(Self {
            reader,
            columns,
            width: headers.len(),
            default,
            options,
            seen: HashMap::new(),
            achievements: HashMap::new(),
            record: csv::ByteRecord::new(),
            total: 0,
            done: false,
        })
    }

    /// Up to `n` rows (good and bad), or `None` at the end.
    fn next_batch(&mut self, n: usize) -> Result<Option<Batch>> {
        if self.done {
            return Ok(None);
        }
        let mut batch = Batch {
            rows: Vec::with_capacity(n.min(4096)),
            errors: Vec::new(),
        };
        while batch.rows.len() + batch.errors.len() < n {
            let line_before = self.reader.position().line();
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => {
                    self.done = true;
                    break;
                }
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map_or(line_before, csv::Position::line);
                    self.total += 1;
                    let stop = matches!(e.kind(), csv::ErrorKind::Io(_));
                    batch.errors.push(RowError {
                        line,
                        message: format!("bad CSV: {e}"),
                    });
                    if stop {
                        self.done = true;
                        break;
                    }
                    continue;
                }
            }
            self.total += 1;
            if self.total > self.options.max_rows {
                return Err(IssueError::Limit(format!(
                    "the CSV has more than max_rows ({}) rows (MAX_CSV_ROWS)",
                    self.options.max_rows
                )));
            }
            let line = self
                .record
                .position()
                .map_or(line_before, csv::Position::line);
            match parse_row(
                &self.record,
                &self.columns,
                self.width,
                &self.default,
                &mut self.achievements,
                &self.options,
            ) {
                Ok(row) => {
                    let ach = row
                        .achievement
                        .get("id")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    let who = row.award.recipient.as_str().to_ascii_lowercase();
                    let mut h = Sha256::new();
                    h.update(ach.as_bytes());
                    h.update([0u8]);
                    h.update(who.as_bytes());
                    let digest = h.finalize();
                    let mut seen_key = [0u8; 16];
                    seen_key.copy_from_slice(&digest[..16]);
                    if let Some(first) = self.seen.get(&seen_key) {
                        batch.errors.push(RowError {
                            line,
                            message: format!(
                                "duplicate recipient {who} for this achievement (first on line {first})"
                            ),
                        });
                    } else {
                        self.seen.insert(seen_key, line);
                        batch.rows.push(Row { line, ..row });
                    }
                }
                Err(message) => batch.errors.push(RowError { line, message }),
            }
        }
        if batch.rows.is_empty() && batch.errors.is_empty() && self.done {
            return Ok(None);
        }
        Ok(Some(batch))
    }
}

fn parse_row(
    record: &csv::ByteRecord,
    columns: &HashMap<&'static str, usize>,
    width: usize,
    default: &Arc<Value>,
    achievements: &mut HashMap<String, Arc<Value>>,
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
                let a = Arc::new(a);
                achievements.insert(path.to_string(), a.clone());
                a
            }
        }
    };
    let mut award = Award::new(recipient);
    award.hash_email = options.hash_email;
    award.valid_until.clone_from(&options.valid_until);
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
    // 2.0 rows are keyed apart from 3.0 rows of the same file (their ids differ in shape).
    let scoped;
    let key_scope = if options.format.is_ob2() {
        scoped = format!("ob2 {ach_id}");
        scoped.as_str()
    } else {
        ach_id
    };
    let key = row_key(
        key_scope,
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
