//! `obi issue`: issuing from files: profiles, achievements, awards, bulk, revocation.

use std::process::ExitCode;

/// Subcommands of `obi issue`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create an issuer directory: issuer.json, its private key (0600) and an example achievement.json.
    Init(Rest),
    /// Award one badge to one recipient (OB 3.0 eddsa or VC-JWT, OB 2.0 signed or hosted), optionally baked.
    Award(Rest),
    /// Award badges to every row of a CSV file, in parallel, resumable, with a manifest.
    Bulk(Rest),
    /// Revoke an issued credential in the issuer's status list.
    Revoke(Rest),
    /// Print the did:web document to publish at /.well-known/did.json.
    DidWeb(Rest),
}

/// Arguments of a subcommand that is not implemented yet.
#[derive(Debug, clap::Args)]
pub struct Rest {
    /// Everything after the subcommand.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

/// Runs `obi issue`.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Init(_) | Command::Award(_) | Command::Bulk(_) | Command::Revoke(_) | Command::DidWeb(_) => super::not_yet_implemented("issue"),
    }
}
