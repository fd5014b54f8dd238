//! `obi bake`: embed an Open Badge (2.0 assertion or 3.0 credential) into a PNG or SVG image.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use obi_bake::{Format, Payload, Version};

/// Arguments of `obi bake`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The image to bake into (PNG or SVG), or `-` for standard input.
    #[arg(long)]
    pub image: PathBuf,
    /// The badge: a file (assertion/credential JSON or compact JWS), a hosted assertion URL,
    /// or `-` for standard input.
    #[arg(long)]
    pub badge: String,
    /// Where to write the baked image, or `-` for standard output (may be the input image).
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// Bake as this Open Badges version instead of the one the payload shows (1.0, 2.0, 3.0).
    #[arg(long = "ob-version", value_parser = parse_version)]
    pub ob_version: Option<Version>,
}

fn parse_version(s: &str) -> Result<Version, String> {
    match s {
        "1" | "1.0" => Ok(Version::Ob1),
        "2" | "2.0" => Ok(Version::Ob2),
        "3" | "3.0" => Ok(Version::Ob3),
        _ => Err(format!(
            "unknown Open Badges version {s:?} (1.0, 2.0 or 3.0)"
        )),
    }
}

/// Reads the badge argument: standard input, a URL as is, or a file. Surrounding whitespace
/// (a file's final newline) is dropped.
fn read_badge(badge: &str) -> anyhow::Result<Payload> {
    let text = if badge.starts_with("https://") || badge.starts_with("http://") {
        badge.to_owned()
    } else {
        let bytes = super::read_input(Path::new(badge))?;
        String::from_utf8(bytes).with_context(|| format!("{badge} is not UTF-8 text"))?
    };
    let text = text.trim();
    if text.is_empty() {
        bail!("the badge {badge} is empty");
    }
    Ok(Payload::detect(text))
}

/// Runs `obi bake`. Exit 0 baked, 2 unreadable input or a badge the image cannot carry.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.badge == "-" && args.image == Path::new("-") {
        bail!("--image and --badge cannot both be standard input");
    }
    let payload = read_badge(&args.badge)?;
    let to_stdout = args.output == Path::new("-");
    // Write next to the output and rename at the end: the output may be the input image.
    let temp = temp_path(&args.output);
    let result = (|| -> anyhow::Result<Version> {
        let writer: Box<dyn Write> = if to_stdout {
            Box::new(std::io::stdout().lock())
        } else {
            Box::new(File::create(&temp).with_context(|| format!("creating {}", temp.display()))?)
        };
        let mut writer = BufWriter::new(writer);
        let version = bake_into(&args.image, &mut writer, &payload, args.ob_version)?;
        writer.flush()?;
        Ok(version)
    })();
    let version = match result {
        Ok(version) => version,
        Err(err) => {
            if !to_stdout {
                let _ = std::fs::remove_file(&temp);
            }
            return Err(err.context(format!("baking into {}", args.image.display())));
        }
    };
    if !to_stdout {
        std::fs::rename(&temp, &args.output)
            .with_context(|| format!("writing {}", args.output.display()))?;
    }
    eprintln!(
        "obi: baked an Open Badges {version} {} ({}) into {}",
        if version == Version::Ob3 {
            "credential"
        } else {
            "assertion"
        },
        payload.form(),
        args.output.display()
    );
    Ok(super::EXIT_OK)
}

fn temp_path(output: &Path) -> PathBuf {
    let mut name = output.file_name().unwrap_or_default().to_owned();
    name.push(format!(".obi-bake-{}.tmp", std::process::id()));
    output.with_file_name(name)
}

/// A PNG file streams chunk by chunk; an SVG (or standard input) is read whole.
fn bake_into(
    image: &Path,
    writer: &mut impl Write,
    payload: &Payload,
    version: Option<Version>,
) -> anyhow::Result<Version> {
    if image != Path::new("-") {
        let mut file = File::open(image).with_context(|| format!("opening {}", image.display()))?;
        let mut head = [0u8; 8];
        let n = file.read(&mut head)?;
        if obi_bake::sniff(head.get(..n).unwrap_or_default()).ok() == Some(Format::Png) {
            let file = File::open(image)?;
            return Ok(obi_bake::bake_png(
                BufReader::new(file),
                writer,
                payload,
                version,
            )?);
        }
    }
    let bytes = super::read_input(image)?;
    Ok(obi_bake::bake(&bytes, writer, payload, version)?)
}
