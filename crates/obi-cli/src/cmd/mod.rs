//! One module per subcommand. Each has `Args` (or a `Command` enum) and `run`.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

pub mod bake;
pub mod convert;
pub mod issue;
pub mod keys;
pub mod ld;
pub mod schema;
pub mod serve;
pub mod sign;
pub mod unbake;
pub mod verify;

/// Success, or the badge/proof/document is valid.
#[allow(dead_code)] // the first users land with the subcommands that report validity
pub const EXIT_OK: ExitCode = ExitCode::SUCCESS;
/// The badge, proof or document is invalid.
#[allow(dead_code)] // as above
pub const EXIT_INVALID: ExitCode = ExitCode::FAILURE;
/// A usage or I/O error: the check could not run (exit code 2).
pub fn exit_error() -> ExitCode {
    ExitCode::from(2)
}

/// Largest input file the CLI reads (64 MiB); the library parsers apply their own, smaller limits.
#[allow(dead_code)] // as above
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a file, or standard input for `-`, refusing anything over [`MAX_INPUT_BYTES`].
#[allow(dead_code)] // as above
pub fn read_input(path: &Path) -> anyhow::Result<Vec<u8>> {
    let mut buf = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut buf)
            .context("reading standard input")?;
    } else {
        let file =
            std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
        file.take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut buf)
            .with_context(|| format!("reading {}", path.display()))?;
    }
    if buf.len() as u64 > MAX_INPUT_BYTES {
        anyhow::bail!(
            "{} is larger than the {MAX_INPUT_BYTES}-byte input limit",
            path.display()
        );
    }
    Ok(buf)
}
