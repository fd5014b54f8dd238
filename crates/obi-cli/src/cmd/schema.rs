//! `obi schema`: JSON Schema validation.

use std::path::PathBuf;
use std::process::ExitCode;

use obi_model::{json, schema};

/// Subcommands of `obi schema`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Validate a credential against the pinned OB 3.0 AchievementCredential schema (exit 0 valid, 1 invalid, 2 unreadable).
    Validate(ValidateArgs),
}

/// Arguments of `obi schema validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// The OB 3.0 credential (JSON); `-` reads standard input.
    file: PathBuf,
}

/// Runs `obi schema`.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Validate(args) => validate(&args),
    }
}

fn validate(args: &ValidateArgs) -> anyhow::Result<ExitCode> {
    let bytes = super::read_input(&args.file)?;
    let value = json::parse(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    let errors = schema::validate_ob3(&value)?;
    if errors.is_empty() {
        println!("valid");
        return Ok(super::EXIT_OK);
    }
    println!(
        "invalid: {} schema error{}",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    for e in &errors {
        println!("  {e}");
    }
    Ok(super::EXIT_INVALID)
}
