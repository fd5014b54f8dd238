//! `obi schema`: JSON Schema validation.

use std::process::ExitCode;

/// Subcommands of `obi schema`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Validate a credential against the pinned OB 3.0 AchievementCredential schema (exit 0 valid, 1 invalid, 2 unreadable).
    Validate(Rest),
}

/// Arguments of a subcommand that is not implemented yet.
#[derive(Debug, clap::Args)]
pub struct Rest {
    /// Everything after the subcommand.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

/// Runs `obi schema`.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Validate(_) => super::not_yet_implemented("schema"),
    }
}
