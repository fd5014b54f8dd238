//! `obi verify`: tell whether badges are genuine, with a report.
//!
//! Inputs are URLs, files, directories (every file in them, sorted), `-` for standard input,
//! or lines of a JSON-lines file (`--lines FILE`: each line a JSON document, a compact JWS or
//! a URL). Many inputs are verified in parallel by `--jobs` threads fed through a bounded
//! channel and printed as they finish, so memory stays constant however many there are.
//!
//! Output: a short human summary per input (colour on a terminal), or with `--json` the
//! 1EdTech validator's report shape (pretty for one input, one JSON line per input for many).
//! Exit: 0 every input valid, 1 any invalid, 2 usage or I/O error or a check that could not run.

use std::collections::HashMap;
use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc;

use anyhow::{Context, bail};
use obi_fetch::{
    CachingFetcher, Fetch, FetchError, FetchPolicy, HttpFetcher, MapFetcher, Request, Response,
};
use obi_verify::{Input, Level, Options, Recipient, Report, verify};

/// Arguments of `obi verify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Badges: URLs, files (JSON, compact JWS, baked PNG or SVG), directories, or `-` for stdin.
    #[arg(required_unless_present = "lines")]
    pub inputs: Vec<String>,
    /// Also verify every line of this JSON-lines file (a JSON document, compact JWS or URL per line).
    #[arg(long, value_name = "FILE")]
    pub lines: Option<PathBuf>,
    /// Print the report as JSON (the 1EdTech validator's shape); JSON lines for many inputs.
    #[arg(long)]
    pub json: bool,
    /// Fetch nothing: only pinned contexts and `--doc` documents are available.
    #[arg(long)]
    pub offline: bool,
    /// Serve FILE for URL (repeatable): any fetch, e.g. a badge class, issuer, key, status list or DID document.
    #[arg(long = "doc", value_name = "URL=FILE")]
    pub docs: Vec<String>,
    /// The recipient the badge must be issued to: an email, a URL or a telephone number.
    #[arg(long)]
    pub recipient: Option<String>,
    /// Check dates against this time (RFC 3339) instead of the clock.
    #[arg(long, value_name = "ISO")]
    pub now: Option<String>,
    /// Allow fetches from loopback, private and link-local addresses (and plain http).
    #[arg(long)]
    pub allow_private_network: bool,
    /// Cache fetched documents in this directory.
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Verify this many inputs at once (default: the number of CPUs).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// A presentation's proof must carry this challenge (VP-JWT: nonce), the fresh value the
    /// verifier gave the holder.
    #[arg(long)]
    pub challenge: Option<String>,
    /// A presentation's proof must carry this domain (VP-JWT: aud), the verifier it was made for.
    #[arg(long)]
    pub domain: Option<String>,
}

/// Serves the `--doc` documents first, then asks the network fetcher (if any).
struct DocsFirst {
    docs: MapFetcher,
    next: Option<Box<dyn Fetch>>,
}

impl Fetch for DocsFirst {
    fn fetch(&self, request: &Request<'_>) -> Result<Response, FetchError> {
        match (self.docs.fetch(request), &self.next) {
            (Err(FetchError::NotFound { .. }), Some(next)) => next.fetch(request),
            (result, _) => result,
        }
    }
}

/// One thing to verify, read by a worker (so only `jobs` inputs are in memory at once).
enum Job {
    Url(String),
    File(PathBuf),
    Stdin,
    Line {
        file: String,
        number: usize,
        text: Vec<u8>,
    },
    /// A line over the input limit: reported, not kept (only its length is).
    LongLine {
        file: String,
        number: usize,
        bytes: u64,
    },
}

impl Job {
    fn label(&self) -> String {
        match self {
            Self::Url(u) => u.clone(),
            Self::File(p) => p.display().to_string(),
            Self::Stdin => "-".to_owned(),
            Self::Line { file, number, .. } | Self::LongLine { file, number, .. } => {
                format!("{file}:{number}")
            }
        }
    }

    fn into_input(self) -> anyhow::Result<Input> {
        Ok(match self {
            Self::Url(u) => Input::Url(u),
            Self::File(p) => {
                let bytes = super::read_input(&p)?;
                Input::bytes(p.display().to_string(), bytes)
            }
            Self::Stdin => Input::bytes("-", super::read_input(std::path::Path::new("-"))?),
            Self::Line { file, number, text } => Input::bytes(format!("{file}:{number}"), text),
            Self::LongLine { bytes, .. } => {
                bail!(
                    "the line is over {bytes} bytes, larger than the {}-byte input limit",
                    super::MAX_INPUT_BYTES
                )
            }
        })
    }
}

fn is_url(s: &str) -> bool {
    s.starts_with("https://") || s.starts_with("http://")
}

fn options(args: &Args) -> anyhow::Result<Options> {
    let mut docs = MapFetcher::new();
    for spec in &args.docs {
        let (url, file) = spec
            .split_once('=')
            .with_context(|| format!("--doc {spec}: expected URL=FILE"))?;
        let body = std::fs::read(file).with_context(|| format!("--doc {url}: reading {file}"))?;
        let content_type = if file.ends_with(".json") || file.ends_with(".jsonld") {
            Some("application/json".to_owned())
        } else {
            None
        };
        docs.insert(url, content_type, body);
    }
    let next: Option<Box<dyn Fetch>> = if args.offline {
        None
    } else {
        let policy = FetchPolicy::new()
            .allow_private_network(args.allow_private_network)
            .allow_http(args.allow_private_network);
        let http = HttpFetcher::new(policy);
        Some(match &args.cache_dir {
            Some(dir) => Box::new(CachingFetcher::new(http, dir.clone())),
            None => Box::new(http),
        })
    };
    let mut options = Options::new()
        .with_fetcher(Arc::new(DocsFirst { docs, next }))
        .with_offline(args.offline);
    if let Some(now) = &args.now {
        let t = chrono::DateTime::parse_from_rfc3339(now)
            .with_context(|| format!("--now {now}: not an RFC 3339 date-time"))?;
        options = options.with_now(t.to_utc());
    }
    if let Some(c) = &args.challenge {
        options = options.with_expected_challenge(c.clone());
    }
    if let Some(d) = &args.domain {
        options = options.with_expected_domain(d.clone());
    }
    if let Some(r) = &args.recipient {
        let Some(recipient) = Recipient::parse(r) else {
            bail!("--recipient {r}: not an email, URL or telephone number");
        };
        options = options.with_recipient(recipient);
    }
    Ok(options)
}

/// Sends every job to `tx`; stops early if the receiver is gone.
fn produce(
    inputs: &[String],
    lines: Option<&PathBuf>,
    tx: &mpsc::SyncSender<Job>,
) -> anyhow::Result<()> {
    for input in inputs {
        if input == "-" {
            if tx.send(Job::Stdin).is_err() {
                return Ok(());
            }
        } else if is_url(input) {
            if tx.send(Job::Url(input.clone())).is_err() {
                return Ok(());
            }
        } else {
            let path = PathBuf::from(input);
            if path.is_dir() {
                let mut files: Vec<PathBuf> = std::fs::read_dir(&path)
                    .with_context(|| format!("reading directory {input}"))?
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| {
                        p.is_file()
                            && !p
                                .file_name()
                                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                    })
                    .collect();
                files.sort();
                for f in files {
                    if tx.send(Job::File(f)).is_err() {
                        return Ok(());
                    }
                }
            } else if tx.send(Job::File(path)).is_err() {
                return Ok(());
            }
        }
    }
    if let Some(lines) = lines {
        let file =
            std::fs::File::open(lines).with_context(|| format!("opening {}", lines.display()))?;
        let name = lines.display().to_string();
        let mut reader = std::io::BufReader::with_capacity(256 * 1024, file);
        let mut number = 0usize;
        loop {
            number += 1;
            // One line at a time, never more than the input limit of it in memory.
            let mut line = Vec::new();
            let read = (&mut reader)
                .take(super::MAX_INPUT_BYTES + 1)
                .read_until(b'\n', &mut line)
                .with_context(|| format!("reading {name}"))?;
            if read == 0 {
                break;
            }
            let job = if line.last() != Some(&b'\n') && read as u64 > super::MAX_INPUT_BYTES {
                let skipped = skip_line(&mut reader).with_context(|| format!("reading {name}"))?;
                Job::LongLine {
                    file: name.clone(),
                    number,
                    bytes: read as u64 + skipped,
                }
            } else if line.trim_ascii().is_empty() {
                continue;
            } else {
                Job::Line {
                    file: name.clone(),
                    number,
                    text: line,
                }
            };
            if tx.send(job).is_err() {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Reads and drops the rest of a line; returns how many bytes it had.
fn skip_line(reader: &mut impl BufRead) -> std::io::Result<u64> {
    let mut skipped = 0u64;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(skipped);
        }
        if let Some(i) = buf.iter().position(|b| *b == b'\n') {
            reader.consume(i + 1);
            return Ok(skipped + i as u64);
        }
        let n = buf.len();
        reader.consume(n);
        skipped += n as u64;
    }
}

enum Outcome {
    Report(Box<Report>),
    Failed { label: String, error: String },
}

/// Runs `obi verify`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let options = match options(&args) {
        Ok(o) => Arc::new(o),
        Err(e) => {
            eprintln!("obi: verify: {e:#}");
            return Ok(super::exit_error());
        }
    };
    let single = args.inputs.len() == 1
        && args.lines.is_none()
        && !std::path::Path::new(&args.inputs[0]).is_dir();
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
        .clamp(1, 256);
    let (job_tx, job_rx) = mpsc::sync_channel::<Job>(jobs * 4);
    let job_rx = Arc::new(std::sync::Mutex::new(job_rx));
    let (out_tx, out_rx) = mpsc::sync_channel::<Outcome>(jobs * 4);
    let mut workers = Vec::with_capacity(jobs);
    for _ in 0..jobs {
        let rx = Arc::clone(&job_rx);
        let tx = out_tx.clone();
        let options = Arc::clone(&options);
        workers.push(std::thread::spawn(move || {
            loop {
                let job = match rx.lock() {
                    Ok(guard) => match guard.recv() {
                        Ok(job) => job,
                        Err(_) => break,
                    },
                    Err(_) => break,
                };
                let label = job.label();
                let outcome = match job.into_input() {
                    Ok(input) => {
                        let mut report = verify(input, &options);
                        if report.input.source.is_none() {
                            report.input.source = Some(label);
                        }
                        Outcome::Report(Box::new(report))
                    }
                    Err(e) => Outcome::Failed {
                        label,
                        error: format!("{e:#}"),
                    },
                };
                if tx.send(outcome).is_err() {
                    break;
                }
            }
        }));
    }
    drop(out_tx);
    let producer = {
        let inputs = args.inputs.clone();
        let lines = args.lines.clone();
        std::thread::spawn(move || produce(&inputs, lines.as_ref(), &job_tx))
    };

    let colour = std::io::stdout().is_terminal();
    let progress = !single && std::io::stderr().is_terminal();
    let stdout = std::io::stdout();
    // Block-buffered when piped (one write per 64 KiB, not per report); line-buffered on a
    // terminal, where a human reads reports as they come.
    let mut out: Box<dyn Write> = if colour {
        Box::new(stdout.lock())
    } else {
        Box::new(std::io::BufWriter::with_capacity(64 * 1024, stdout.lock()))
    };
    let (mut any_invalid, mut any_error, mut done) = (false, false, 0usize);
    let started = std::time::Instant::now();
    let mut last_progress = started;
    for outcome in out_rx {
        done += 1;
        match outcome {
            Outcome::Report(report) => {
                if report.incomplete {
                    any_error = true;
                } else if !report.valid {
                    any_invalid = true;
                }
                let written = if args.json {
                    let text = if single {
                        serde_json::to_string_pretty(&*report)
                    } else {
                        serde_json::to_string(&*report)
                    };
                    writeln!(out, "{}", text.unwrap_or_default())
                } else {
                    write_human(&mut out, &report, colour)
                };
                if written.is_err() {
                    break; // stdout closed (e.g. piped into head)
                }
            }
            Outcome::Failed { label, error } => {
                any_error = true;
                eprintln!("obi: verify: {label}: {error}");
            }
        }
        // At most ten updates a second: a million inputs must not mean a million redraws.
        if progress && last_progress.elapsed() >= std::time::Duration::from_millis(100) {
            last_progress = std::time::Instant::now();
            print_progress(done, started);
        }
    }
    // A closed stdout (piped into `head`) has nothing more to say.
    let _ = out.flush();
    drop(out);
    if progress {
        print_progress(done, started);
        eprintln!();
    }
    for w in workers {
        let _ = w.join();
    }
    match producer.join() {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            eprintln!("obi: verify: {e:#}");
            any_error = true;
        }
        Err(_) => any_error = true,
    }
    Ok(if any_error {
        super::exit_error()
    } else if any_invalid {
        super::EXIT_INVALID
    } else {
        super::EXIT_OK
    })
}

/// Redraws the progress line on standard error: count and rate.
fn print_progress(done: usize, started: std::time::Instant) {
    let secs = started.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)] // a display rate
    let rate = if secs > 0.0 { done as f64 / secs } else { 0.0 };
    eprint!("\r{done} verified ({rate:.0}/s)\x1b[K");
}

fn write_human(out: &mut impl Write, report: &Report, colour: bool) -> std::io::Result<()> {
    let paint = |code: &str, text: &str| {
        if colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    };
    let source = report.input.source.as_deref().unwrap_or("input");
    let version = report
        .open_badges_version
        .as_deref()
        .map(|v| format!(" (Open Badges {v})"))
        .unwrap_or_default();
    let verdict = if report.valid {
        paint("32;1", "genuine")
    } else if report.incomplete {
        paint("33;1", "not genuine (a check could not run)")
    } else {
        paint("31;1", "not genuine")
    };
    writeln!(
        out,
        "{verdict}: {source}{version}: {} error(s), {} warning(s)",
        report.error_count, report.warning_count
    )?;
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for m in &report.messages {
        let label = match m.level {
            Level::Error => paint("31", "ERROR"),
            Level::Warning => paint("33", "WARNING"),
            _ => paint("2", "INFO"),
        };
        // Keep the summary short: at most 5 messages per check.
        let n = counts.entry(m.name.as_str()).or_default();
        *n += 1;
        if *n <= 5 {
            writeln!(out, "  {label} {}: {}", m.name, m.result)?;
        } else if *n == 6 {
            writeln!(out, "  {label} {}: ... more", m.name)?;
        }
    }
    Ok(())
}
