//! `obi keys`: signing keys.

use std::process::ExitCode;

/// Subcommands of `obi keys`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Generate a key (--type ed25519|p256|rsa -o FILE), written 0600.
    Generate(Rest),
    /// Print a key's public JWK, Multikey and did:key (never the private part unless asked).
    Show(Rest),
}

/// Arguments of a subcommand that is not implemented yet.
#[derive(Debug, clap::Args)]
pub struct Rest {
    /// Everything after the subcommand.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

/// Runs `obi keys`.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Generate(_) | Command::Show(_) => super::not_yet_implemented("keys"),
    }
}
