//! `obi ld`: JSON-LD tools.

use std::process::ExitCode;

/// Subcommands of `obi ld`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Expand a JSON-LD document (safe mode) and print the expanded form.
    Expand(Rest),
    /// Convert a JSON-LD document to RDF and print N-Quads.
    ToRdf(Rest),
    /// Canonicalize (RDFC-1.0) a JSON-LD or N-Quads document and print canonical N-Quads.
    Canon(Rest),
}

/// Arguments of a subcommand that is not implemented yet.
#[derive(Debug, clap::Args)]
pub struct Rest {
    /// Everything after the subcommand.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

/// Runs `obi ld`.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Expand(_) | Command::ToRdf(_) | Command::Canon(_) => super::not_yet_implemented("ld"),
    }
}
