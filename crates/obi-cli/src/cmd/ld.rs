//! `obi ld`: JSON-LD tools. See exactly what a proof signs: the expanded form, the RDF quads,
//! and their RDFC-1.0 canonical N-Quads; compact a document with any context.
//!
//! Contexts come from the pinned set first, then from `--doc URL=FILE`, then (only with
//! `--allow-network`) from the guarded HTTP fetcher, optionally cached in `--cache-dir`.

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use obi_fetch::{CachingFetcher, Fetch, FetchLoader, FetchPolicy, HttpFetcher};
use obi_ld::{ChainLoader, MapLoader, Options};
use serde_json::Value;

use super::{EXIT_OK, read_input};

/// Subcommands of `obi ld`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Expand a JSON-LD document (safe mode) and print the expanded form.
    Expand(Args),
    /// Convert a JSON-LD document to RDF and print N-Quads.
    ToRdf(Args),
    /// Canonicalize (RDFC-1.0) a JSON-LD or N-Quads document and print canonical N-Quads.
    Canon(CanonArgs),
    /// Compact a JSON-LD document with a context (JSON-LD 1.1 compaction) and print it.
    Compact(CompactArgs),
}

/// Options shared by every `obi ld` subcommand.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The JSON-LD document (`-` for standard input).
    file: PathBuf,
    /// Supply the JSON document at URL from FILE (repeatable); pinned contexts still win.
    #[arg(long = "doc", value_name = "URL=FILE")]
    docs: Vec<String>,
    /// The document's base IRI, against which relative IRIs resolve.
    #[arg(long, value_name = "IRI")]
    base: Option<String>,
    /// Turn JSON-LD safe mode off: drop undefined terms and unresolvable IRIs silently instead
    /// of failing (safe mode is what Data Integrity proofs use).
    #[arg(long = "unsafe")]
    unsafe_mode: bool,
    /// Fetch contexts that are neither pinned nor given with --doc (HTTPS, public addresses
    /// only, 5 s to connect, 15 s in all, 2 MiB at most).
    #[arg(long)]
    allow_network: bool,
    /// With --allow-network: keep fetched documents in DIR for later runs.
    #[arg(long, value_name = "DIR", requires = "allow_network")]
    cache_dir: Option<PathBuf>,
    /// With --allow-network: also fetch from loopback, private and link-local addresses (and
    /// plain http), as `obi verify --allow-private-network` does.
    #[arg(long, requires = "allow_network")]
    allow_private_network: bool,
}

/// Options of `obi ld compact`.
#[derive(Debug, clap::Args)]
pub struct CompactArgs {
    #[command(flatten)]
    common: Args,
    /// The context: a JSON file (a context, or a document with `@context`), or an IRI loaded
    /// like any remote context (pinned, --doc, then --allow-network).
    #[arg(long, value_name = "FILE|IRI")]
    context: String,
}

/// Options of `obi ld canon`.
#[derive(Debug, clap::Args)]
pub struct CanonArgs {
    #[command(flatten)]
    common: Args,
    /// The input format; by default JSON-LD when the input starts with `{` or `[`, else N-Quads.
    #[arg(long, value_enum)]
    input: Option<InputFormat>,
}

/// What `obi ld canon` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// A JSON-LD document.
    JsonLd,
    /// An N-Quads dataset.
    Nquads,
}

/// Runs `obi ld`.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    let out = match command {
        Command::Expand(args) => {
            let doc = read_json(&args)?;
            let expanded = obi_ld::expand(&doc, &options(&args), &loader(&args)?)
                .context("JSON-LD expansion failed")?;
            let mut text = serde_json::to_string_pretty(&expanded)?;
            text.push('\n');
            text
        }
        Command::Compact(args) => {
            let doc = read_json(&args.common)?;
            let context =
                if args.context.starts_with("https://") || args.context.starts_with("http://") {
                    Value::String(args.context.clone())
                } else {
                    let bytes = read_input(args.context.as_ref())?;
                    serde_json::from_slice(&bytes)
                        .with_context(|| format!("--context {} is not JSON", args.context))?
                };
            let compacted = obi_ld::compact(
                &doc,
                &context,
                &options(&args.common),
                &loader(&args.common)?,
            )
            .context("JSON-LD compaction failed")?;
            let mut text = serde_json::to_string_pretty(&compacted)?;
            text.push('\n');
            text
        }
        Command::ToRdf(args) => obi_rdf::nquads::to_nquads(&quads_of_json(&args)?),
        Command::Canon(args) => {
            let bytes = read_input(&args.common.file)?;
            let text = std::str::from_utf8(&bytes)
                .with_context(|| format!("{} is not UTF-8", args.common.file.display()))?;
            let format = args.input.unwrap_or_else(|| detect(text));
            let quads = match format {
                InputFormat::JsonLd => quads_of(&args.common, parse_json(&args.common, text)?)?,
                InputFormat::Nquads => obi_rdf::nquads::parse(text)
                    .with_context(|| format!("{}: bad N-Quads", args.common.file.display()))?,
            };
            // A dataset is a set: duplicate statements count once.
            let mut seen = HashSet::new();
            let quads: Vec<_> = quads
                .into_iter()
                .filter(|q| seen.insert(q.clone()))
                .collect();
            obi_rdf::canonicalize(&quads)
                .context("RDFC-1.0 canonicalization failed")?
                .into_nquads()
        }
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    stdout.flush()?;
    Ok(EXIT_OK)
}

fn detect(text: &str) -> InputFormat {
    match text
        .trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n'])
        .chars()
        .next()
    {
        Some('{' | '[') => InputFormat::JsonLd,
        _ => InputFormat::Nquads,
    }
}

fn read_json(args: &Args) -> anyhow::Result<Value> {
    let bytes = read_input(&args.file)?;
    let text = std::str::from_utf8(&bytes)
        .with_context(|| format!("{} is not UTF-8", args.file.display()))?;
    parse_json(args, text)
}

fn parse_json(args: &Args, text: &str) -> anyhow::Result<Value> {
    serde_json::from_str(text).with_context(|| format!("{} is not JSON", args.file.display()))
}

fn quads_of_json(args: &Args) -> anyhow::Result<Vec<obi_rdf::Quad>> {
    let doc = read_json(args)?;
    quads_of(args, doc)
}

fn quads_of(args: &Args, doc: Value) -> anyhow::Result<Vec<obi_rdf::Quad>> {
    obi_ld::to_rdf(&doc, &options(args), &loader(args)?).context("JSON-LD to RDF failed")
}

fn options(args: &Args) -> Options {
    let mut options = Options::new().with_safe_mode(!args.unsafe_mode);
    if let Some(base) = &args.base {
        options = options.with_base(base.clone());
    }
    options
}

/// Pinned contexts, then `--doc` documents, then (opt-in) the network.
fn loader(args: &Args) -> anyhow::Result<ChainLoader> {
    let mut map = MapLoader::new();
    for spec in &args.docs {
        let Some((url, file)) = spec.split_once('=') else {
            bail!("--doc expects URL=FILE, got {spec:?}");
        };
        if url.is_empty() || file.is_empty() {
            bail!("--doc expects URL=FILE, got {spec:?}");
        }
        let bytes = read_input(file.as_ref())?;
        let text =
            std::str::from_utf8(&bytes).with_context(|| format!("--doc {file} is not UTF-8"))?;
        map.insert_json(url, text)
            .with_context(|| format!("--doc {url}={file}"))?;
    }
    let mut chain = ChainLoader::pinned_then(map);
    if args.allow_network {
        let policy = FetchPolicy::new()
            .allow_private_network(args.allow_private_network)
            .allow_http(args.allow_private_network);
        let http = HttpFetcher::new(policy);
        let fetcher: Box<dyn Fetch> = match &args.cache_dir {
            Some(dir) => Box::new(CachingFetcher::new(http, dir.clone())),
            None => Box::new(http),
        };
        chain = chain.then(FetchLoader::new(fetcher));
    }
    Ok(chain)
}
