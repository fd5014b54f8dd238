//! `obi sign`: secure a credential with eddsa-rdfc-2022 (default), eddsa-jcs-2022 or VC-JWT,
//! or a presentation as its holder (Data Integrity, purpose `authentication`, with the
//! verifier's challenge and domain).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use obi_proof::{
    JwtKeyHeader, KeyPair, ProofOptions, RdfCanonicalizer, Suite, add_proof_owned, sign_vc_jwt,
};
use serde_json::Value;

/// Arguments of `obi sign`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The unsigned credential or presentation (JSON), or `-` for standard input.
    pub file: PathBuf,
    /// The key file (a private JWK, as `obi keys generate` writes).
    #[arg(long)]
    pub key: PathBuf,
    /// Proof format: eddsa-rdfc-2022 (default), eddsa-jcs-2022 or jwt (VC-JWT).
    #[arg(long, default_value = "eddsa-rdfc-2022")]
    pub format: String,
    /// The proof's `created` (default: now), e.g. 2024-01-01T00:00:00Z.
    #[arg(long)]
    pub created: Option<String>,
    /// Presentations: the verifier's challenge (nonce) to answer, signed into the proof.
    #[arg(long)]
    pub challenge: Option<String>,
    /// Presentations: the verifier's domain the proof is meant for, signed into the proof.
    #[arg(long)]
    pub domain: Option<String>,
}

fn is_presentation(document: &Value) -> bool {
    match document.get("type") {
        Some(Value::String(t)) => t == "VerifiablePresentation",
        Some(Value::Array(types)) => types.iter().any(|t| t == "VerifiablePresentation"),
        _ => false,
    }
}

fn holder_id(presentation: &Value) -> Option<&str> {
    match presentation.get("holder") {
        Some(Value::String(s)) => Some(s),
        Some(obj) => obj.get("id").and_then(Value::as_str),
        None => None,
    }
}

/// The RDF canonicalizer the CLI uses for eddsa-rdfc-2022 and Ed25519Signature2020.
pub(crate) fn rdf_canonicalizer() -> Box<dyn RdfCanonicalizer> {
    Box::new(obi_proof::LdCanonicalizer::pinned())
}

fn issuer_id(credential: &Value) -> Option<&str> {
    match credential.get("issuer") {
        Some(Value::String(s)) => Some(s),
        Some(obj) => obj.get("id").and_then(Value::as_str),
        None => None,
    }
}

/// Runs `obi sign`: prints the secured credential (JSON, or the compact JWS) on stdout.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let bytes = super::read_input(&args.file)?;
    let credential: Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not JSON", args.file.display()))?;
    let key: KeyPair = super::keys::read_key_pair(&args.key)?;
    let public = key.public_key();
    let did = public.did_key();
    let presentation = is_presentation(&credential);
    if presentation {
        if let Some(holder) = holder_id(&credential)
            && holder != did
        {
            bail!("the presentation's holder is {holder}, but the key is {did}; refusing to sign");
        }
        if matches!(args.format.as_str(), "jwt" | "vc-jwt") {
            bail!(
                "obi signs presentations with Data Integrity (eddsa-rdfc-2022 or eddsa-jcs-2022), \
                 not as a VP-JWT"
            );
        }
    } else if args.challenge.is_some() || args.domain.is_some() {
        bail!("--challenge and --domain are for presentations (type VerifiablePresentation)");
    }
    if let Some(issuer) = issuer_id(&credential)
        && issuer.starts_with("did:")
        && issuer != did
    {
        bail!("the credential's issuer is {issuer}, but the key is {did}; refusing to sign");
    }
    match args.format.as_str() {
        "jwt" | "vc-jwt" => {
            let header = if issuer_id(&credential) == Some(did.as_str()) {
                JwtKeyHeader::Kid(public.did_key_verification_method())
            } else {
                JwtKeyHeader::Jwk
            };
            println!("{}", sign_vc_jwt(&credential, &key, &header)?);
        }
        format => {
            let suite: Suite = format.parse().map_err(|_| {
                anyhow::anyhow!(
                    "unknown --format {format:?} (eddsa-rdfc-2022, eddsa-jcs-2022, jwt)"
                )
            })?;
            if suite == Suite::Ed25519Signature2020 {
                bail!("obi signs with DataIntegrityProof; Ed25519Signature2020 is verified only");
            }
            let mut options = ProofOptions::new(suite, public.did_key_verification_method());
            if let Some(created) = &args.created {
                options = options.with_created(created.clone());
            }
            if presentation {
                options = options.with_proof_purpose("authentication");
                if let Some(challenge) = &args.challenge {
                    options = options.with_challenge(challenge.clone());
                }
                if let Some(domain) = &args.domain {
                    options = options.with_domain(domain.clone());
                }
            }
            let canon = rdf_canonicalizer();
            let secured = add_proof_owned(credential, &options, &key, canon.as_ref())?;
            println!("{}", serde_json::to_string_pretty(&secured)?);
        }
    }
    Ok(super::EXIT_OK)
}
