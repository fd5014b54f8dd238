//! `obi convert`: Open Badges 1.x → 2.0 (upgrade) and 2.0 → unsigned 3.0 credential.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use obi_model::convert::{self, ConvertError};
use obi_model::upgrade::{self, ObVersion, UpgradeOptions};
use obi_model::{IdOr, json, ob2};
use serde_json::Value;

/// Target version of `obi convert`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// Open Badges 2.0 (upgrade a 0.5, 1.0 or 1.1 assertion).
    #[value(name = "2.0")]
    V2,
    /// An unsigned Open Badges 3.0 OpenBadgeCredential (VC Data Model 2.0).
    #[value(name = "3.0")]
    V3,
}

/// Arguments of `obi convert`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The assertion (JSON, any version from 0.5 to 2.0); `-` reads standard input.
    file: PathBuf,
    /// The badge class, when the assertion references it by IRI (no network is used).
    #[arg(long, value_name = "FILE")]
    badge_class: Option<PathBuf>,
    /// The issuer profile, when the badge class references it by IRI.
    #[arg(long, value_name = "FILE")]
    issuer: Option<PathBuf>,
    /// Target version.
    #[arg(long, value_enum, default_value = "3.0")]
    to: Target,
    /// The URL the assertion was fetched from: its id when it has none (0.5 badges).
    #[arg(long, value_name = "URL")]
    source: Option<String>,
}

/// Runs `obi convert`: prints the converted JSON on stdout and notes on stderr.
/// Exit 0 converted, 1 the input is not a convertible badge, 2 unreadable input or usage.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let value = read_json(&args.file)?;
    let options = args.source.as_ref().map_or_else(UpgradeOptions::new, |s| {
        UpgradeOptions::new().with_source(s.clone())
    });
    let version = upgrade::detect_version(&value);
    if version == Some(ObVersion::V3_0) {
        eprintln!(
            "obi: {}: already an Open Badges 3.0 credential",
            args.file.display()
        );
        return Ok(super::EXIT_INVALID);
    }
    let upgraded = match upgrade::upgrade_with(value, &options) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("obi: {}: {e}", args.file.display());
            return Ok(super::EXIT_INVALID);
        }
    };
    for change in &upgraded.changes {
        eprintln!("obi: upgraded {} → 2.0: {change}", upgraded.from);
    }
    if args.to == Target::V2 {
        println!("{}", serde_json::to_string_pretty(&upgraded.value)?);
        return Ok(super::EXIT_OK);
    }
    let assertion = match upgraded.assertion() {
        Ok(a) => a,
        Err(e) => {
            eprintln!(
                "obi: {}: not an Open Badges assertion: {e}",
                args.file.display()
            );
            return Ok(super::EXIT_INVALID);
        }
    };
    // Supplied documents are upgraded too; the referenced IRI is their id if they lack one.
    let badge_ref = assertion.badge.iri().map(|i| i.0.clone());
    let badge_class: Option<ob2::BadgeClass> = match &args.badge_class {
        Some(path) => Some(
            json::from_value(&read_upgraded(path, badge_ref.as_deref())?)
                .with_context(|| format!("{}: not a badge class", path.display()))?,
        ),
        None => None,
    };
    let issuer_ref = match &assertion.badge {
        IdOr::Object(b) => b.issuer.iri().map(|i| i.0.clone()),
        IdOr::Id(_) => badge_class
            .as_ref()
            .and_then(|b| b.issuer.iri().map(|i| i.0.clone())),
    };
    let issuer: Option<ob2::Profile> = match &args.issuer {
        Some(path) => Some(
            json::from_value(&read_upgraded(path, issuer_ref.as_deref())?)
                .with_context(|| format!("{}: not an issuer profile", path.display()))?,
        ),
        None => None,
    };
    match convert::ob2_to_ob3(&assertion, badge_class.as_ref(), issuer.as_ref()) {
        Ok(converted) => {
            for note in &converted.notes {
                eprintln!("obi: note: {note}");
            }
            println!("{}", serde_json::to_string_pretty(&converted.credential)?);
            Ok(super::EXIT_OK)
        }
        Err(
            e @ (ConvertError::MissingBadgeClass(_)
            | ConvertError::MissingIssuer(_)
            | ConvertError::IdMismatch { .. }),
        ) => Err(e.into()),
        Err(e) => {
            eprintln!("obi: {}: {e}", args.file.display());
            Ok(super::EXIT_INVALID)
        }
    }
}

fn read_json(path: &Path) -> anyhow::Result<Value> {
    let bytes = super::read_input(path)?;
    json::parse(&bytes).with_context(|| format!("{}", path.display()))
}

/// Reads a supplied badge class or issuer, upgrading it to 2.0 (with `id` as its id when it
/// has none).
fn read_upgraded(path: &Path, id: Option<&str>) -> anyhow::Result<Value> {
    let value = read_json(path)?;
    let options = id.map_or_else(UpgradeOptions::new, |s| {
        UpgradeOptions::new().with_source(s)
    });
    let options = if value.get("id").is_some() {
        UpgradeOptions::new()
    } else {
        options
    };
    let up =
        upgrade::upgrade_with(value, &options).with_context(|| format!("{}", path.display()))?;
    Ok(up.value)
}
