//! `obi verify`: tell whether a badge is genuine.
//!
//! `--offline` checks the proof only: Data Integrity proofs (eddsa-rdfc-2022, eddsa-jcs-2022,
//! Ed25519Signature2020) with did:key verification methods, and VC-JWTs whose key is a did:key
//! or an embedded JWK. The full report (status, issuer profile, schema) comes with the verifier.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use obi_proof::{
    ASSERTION_METHOD, JwsLimits, ProofError, ResolveError, Resolver, verify_proofs, verify_vc_jwt,
};
use serde_json::Value;

/// Arguments of `obi verify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The badge: a credential (JSON with an embedded proof) or a compact JWS VC-JWT; `-` for stdin.
    pub file: PathBuf,
    /// Check the proof without any network access (did:key and embedded keys only).
    #[arg(long)]
    pub offline: bool,
}

fn issuer_id(credential: &Value) -> Option<&str> {
    match credential.get("issuer") {
        Some(Value::String(s)) => Some(s),
        Some(obj) => obj.get("id").and_then(Value::as_str),
        None => None,
    }
}

/// Could the check not run (exit 2) rather than find the badge not genuine (exit 1)?
fn could_not_run(err: &ProofError) -> bool {
    matches!(
        err,
        ProofError::Canonicalization(_)
            | ProofError::Unsupported(_)
            | ProofError::Resolve(ResolveError::Offline(_) | ResolveError::Unsupported { .. })
    )
}

/// Runs `obi verify`. Exit 0 genuine, 1 not genuine, 2 the check could not run.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !args.offline {
        eprintln!("obi: verify: only --offline (proof check) is implemented so far");
        return Ok(super::exit_error());
    }
    let bytes = super::read_input(&args.file)?;
    let text = String::from_utf8(bytes)
        .with_context(|| format!("{} is not UTF-8", args.file.display()))?;
    let text = text.trim();
    let resolver = Resolver::new();
    let outcome = if text.starts_with('{') {
        let credential: Value = serde_json::from_str(text)
            .with_context(|| format!("{} is not JSON", args.file.display()))?;
        let canon = super::sign::rdf_canonicalizer();
        verify_proofs(&credential, ASSERTION_METHOD, &resolver, canon.as_ref()).and_then(|proofs| {
            let issuer = issuer_id(&credential).unwrap_or_default();
            let mut lines = Vec::new();
            for p in &proofs {
                let vm_did = p.verification_method.split('#').next().unwrap_or_default();
                if issuer.starts_with("did:") && vm_did != issuer {
                    return Err(ProofError::Proof(format!(
                        "the proof's verification method {} does not belong to the issuer {issuer}",
                        p.verification_method
                    )));
                }
                lines.push(format!(
                    "{} proof by {}",
                    p.suite.name(),
                    p.verification_method
                ));
            }
            Ok(lines)
        })
    } else {
        let now = chrono_now();
        verify_vc_jwt(text, &resolver, &JwsLimits::new(), now).map(|v| {
            vec![format!(
                "VC-JWT {} signature by {}",
                v.header.get("alg").and_then(Value::as_str).unwrap_or("?"),
                v.key.did_key()
            )]
        })
    };
    match outcome {
        Ok(lines) => {
            for line in lines {
                println!("genuine: {line}");
            }
            Ok(super::EXIT_OK)
        }
        Err(err) if could_not_run(&err) => {
            eprintln!("obi: verify: the proof could not be checked: {err}");
            Ok(super::exit_error())
        }
        Err(err) => {
            println!("not genuine: {err}");
            Ok(super::EXIT_INVALID)
        }
    }
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
