//! `obi sign`: 

use std::process::ExitCode;

/// Arguments of `obi sign`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Everything after the subcommand (this subcommand is not implemented yet).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

/// Runs `obi sign`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    super::not_yet_implemented("sign")
}
