//! `obi serve`: the hosted issuer service and public verifier.
//!
//! Settings come from flags, then `OBI_…` environment variables, then the TOML file given
//! with `--config` (or `OBI_CONFIG`), then defaults. Secrets (the key encryption key, the admin
//! token) are taken from the environment or the file only, never from flags.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use obi_server::{Config, RawConfig};

/// Arguments of `obi serve`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
ENVIRONMENT (used when the flag is absent; the same names, lower case, in the TOML file):
  OBI_BIND, OBI_DATABASE, OBI_PUBLIC_URL, OBI_BODY_LIMIT, OBI_REQUEST_TIMEOUT_SECS,
  OBI_POOL_SIZE, OBI_JOB_LEASE_SECS, OBI_INSTANCE_ID
  OBI_KEY_ENCRYPTION_KEY       32 bytes, base64: seals issuer private keys at rest
  OBI_KEY_ENCRYPTION_KEY_FILE  file holding it (default for SQLite: DATABASE_PATH.key,
                               created with a fresh key, mode 0600); required for PostgreSQL
  OBI_ADMIN_TOKEN              an admin API token; only its SHA-256 is stored
  OBI_CONFIG                   the TOML file, when --config is absent
  RUST_LOG                     log filter (default obi_server=info,tower_http=info)

TOKENS: `obi serve --create-token` prints a new admin token once and exits; use it as
`Authorization: Bearer TOKEN`. POST /api/issuers/{id}/tokens makes tokens scoped to one issuer.
Endpoints: GET /api/openapi.json.")]
pub struct Args {
    /// Address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR:PORT")]
    bind: Option<String>,
    /// Database: sqlite://PATH (WAL) or postgres://USER@HOST:PORT/DB [default: sqlite://obi.sqlite].
    #[arg(long, value_name = "URL")]
    database: Option<String>,
    /// TOML configuration file.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Public base URL of hosted documents and did:web ids [default: http://BIND].
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// Largest request body in bytes [default: 1048576].
    #[arg(long, value_name = "BYTES")]
    body_limit: Option<usize>,
    /// Per-request timeout in seconds [default: 30].
    #[arg(long, value_name = "SECS")]
    request_timeout_secs: Option<u64>,
    /// Database connections [default: 8].
    #[arg(long, value_name = "N")]
    pool_size: Option<usize>,
    /// Lease in seconds on a bulk award job this instance works on: with several instances on
    /// one database, another takes the job over only this long after the owner stopped
    /// renewing it (e.g. was killed) [default: 30].
    #[arg(long, value_name = "SECS")]
    job_lease_secs: Option<u64>,
    /// This instance's name in bulk-job leases: unique among running instances, the same
    /// across restarts (a restarted instance resumes its own jobs at once) [default:
    /// HOSTNAME/BIND].
    #[arg(long, value_name = "ID")]
    instance_id: Option<String>,
    /// Create an admin API token, print it once, and exit.
    #[arg(long)]
    create_token: bool,
}

fn config(args: &Args) -> anyhow::Result<Config> {
    let flags = RawConfig {
        bind: args.bind.clone(),
        database: args.database.clone(),
        public_url: args.public_url.clone(),
        body_limit: args.body_limit,
        request_timeout_secs: args.request_timeout_secs,
        pool_size: args.pool_size,
        job_lease_secs: args.job_lease_secs,
        instance_id: args.instance_id.clone(),
        ..RawConfig::default()
    };
    let env = RawConfig::from_env(|name| std::env::var(name).ok())?;
    let file_path = args
        .config
        .clone()
        .or_else(|| std::env::var_os("OBI_CONFIG").map(PathBuf::from));
    let file = match &file_path {
        Some(path) => RawConfig::from_file(path)?,
        None => RawConfig::default(),
    };
    Ok(Config::from_raw(flags.or(env).or(file))?)
}

/// Runs `obi serve`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config = config(&args)?;
    if args.create_token {
        let token = obi_server::create_admin_token_blocking(&config)
            .context("could not create an admin token")?;
        println!("{token}");
        eprintln!(
            "obi serve: admin token created; it is not shown again (only its hash is stored)"
        );
        return Ok(ExitCode::SUCCESS);
    }
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("obi_server=info,tower_http=info"));
    // A subscriber may already be set (tests); that is fine.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    obi_server::serve_blocking(&config, |addr| {
        eprintln!("obi serve: listening on http://{addr}");
    })
    .context("obi serve failed")?;
    Ok(ExitCode::SUCCESS)
}
