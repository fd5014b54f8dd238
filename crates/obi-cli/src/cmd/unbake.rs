//! `obi unbake`: extract the Open Badge embedded in a PNG or SVG image.

use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

/// Arguments of `obi unbake`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The baked image (PNG or SVG), or `-` for standard input.
    pub file: PathBuf,
    /// Print the typed result as JSON (format, version, form, payload) instead of the payload.
    #[arg(long)]
    pub json: bool,
}

/// Runs `obi unbake`: prints the payload exactly as stored (the JSON, the JWS or the URL).
/// Exit 0 found, 1 a valid image without a badge, 2 unreadable or invalid input.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let found =
        unbake_path(&args.file).with_context(|| format!("unbaking {}", args.file.display()))?;
    let Some(baked) = found else {
        eprintln!("obi: no Open Badge found in {}", args.file.display());
        return Ok(super::EXIT_INVALID);
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &baked)?;
        out.write_all(b"\n")?;
    } else {
        out.write_all(baked.payload.as_str().as_bytes())?;
    }
    out.flush()?;
    Ok(super::EXIT_OK)
}

/// A PNG file is streamed (seeking over image data, whatever its size); anything else is read
/// whole, within the CLI input limit.
fn unbake_path(path: &Path) -> anyhow::Result<Option<obi_bake::Baked>> {
    if path != Path::new("-") {
        let mut file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
        let mut head = [0u8; 8];
        let n = file.read(&mut head)?;
        if head.get(..n) == Some(&obi_bake::PNG_SIGNATURE[..]) {
            let file = File::open(path)?;
            return Ok(obi_bake::unbake_png_seekable(BufReader::new(file))?);
        }
    }
    let bytes = super::read_input(path)?;
    Ok(obi_bake::unbake(&bytes)?)
}
