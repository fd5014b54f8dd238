//! `obi keys`: signing keys.
//!
//! Key files are private JWKs (RFC 7517, with `d`), written with mode 0600 at creation.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use obi_proof::{KeyPair, KeyType, PublicKey};
use serde_json::{Value, json};

/// Subcommands of `obi keys`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Generate a key (--type ed25519|p256|rsa -o FILE), written 0600.
    Generate(GenerateArgs),
    /// Print a key's public JWK, Multikey and did:key (never the private part unless asked).
    Show(ShowArgs),
}

/// Arguments of `obi keys generate`.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Key type: ed25519 (default; Data Integrity and VC-JWT), p256 (ES256) or rsa (RS256, 2048 bits).
    #[arg(long = "type", default_value = "ed25519")]
    pub key_type: String,
    /// The key file to write (a private JWK, mode 0600).
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// Replace an existing file.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `obi keys show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The key file (a private or public JWK).
    pub file: PathBuf,
    /// Also print the private key (JWK with `d`, and the secret Multikey where one exists).
    #[arg(long)]
    pub private: bool,
}

/// Runs `obi keys`.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Generate(args) => generate(&args),
        Command::Show(args) => show(&args),
    }
}

/// Reads a key file: a private JWK.
pub fn read_key_pair(path: &Path) -> anyhow::Result<KeyPair> {
    let jwk = read_jwk(path)?;
    KeyPair::from_jwk(&jwk).with_context(|| format!("{} is not a private key", path.display()))
}

fn read_jwk(path: &Path) -> anyhow::Result<Value> {
    let bytes = super::read_input(path)?;
    serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a JSON key file", path.display()))
}

fn public_summary(public: &PublicKey) -> Value {
    json!({
        "type": public.key_type().name(),
        "alg": public.algorithm().name(),
        "publicKeyJwk": public.to_jwk(),
        "publicKeyMultibase": public.to_multikey(),
        "did": public.did_key(),
        "verificationMethod": public.did_key_verification_method(),
    })
}

fn generate(args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    let kind: KeyType = args.key_type.parse()?;
    if args.output == Path::new("-") {
        bail!("refusing to write a private key to standard output; give a file with -o");
    }
    if args.output.exists() && !args.force {
        bail!(
            "{} exists; use --force to replace it",
            args.output.display()
        );
    }
    let pair = KeyPair::generate(kind)?;
    let mut jwk = pair.to_private_jwk();
    if let Some(map) = jwk.as_object_mut() {
        map.insert("alg".into(), pair.key_type().algorithm().name().into());
        map.insert(
            "kid".into(),
            pair.public_key().did_key_verification_method().into(),
        );
    }
    write_private(&args.output, &serde_json::to_vec_pretty(&jwk)?, args.force)?;
    println!(
        "{}",
        serde_json::to_string_pretty(&public_summary(&pair.public_key()))?
    );
    Ok(super::EXIT_OK)
}

/// Creates `path` with mode 0600 from the start (never a chmod after writing).
fn write_private(path: &Path, bytes: &[u8], force: bool) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    if force && path.exists() {
        // Remove first so the new file gets mode 0600 even if the old one was wider.
        std::fs::remove_file(path).with_context(|| format!("removing {}", path.display()))?;
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.write_all(b"\n"))
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))
}

fn show(args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let jwk = read_jwk(&args.file)?;
    let public = PublicKey::from_jwk(&jwk)
        .with_context(|| format!("{} is not a supported JWK", args.file.display()))?;
    let mut out = public_summary(&public);
    if args.private {
        let pair = KeyPair::from_jwk(&jwk)
            .with_context(|| format!("{} holds no private key", args.file.display()))?;
        out["privateKeyJwk"] = pair.to_private_jwk();
        if let Ok(mk) = pair.to_private_multikey() {
            out["secretKeyMultibase"] = mk.into();
        }
    }
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(super::EXIT_OK)
}
