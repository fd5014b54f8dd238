//! `obi sign`: secure a credential with eddsa-rdfc-2022 (default), eddsa-jcs-2022 or VC-JWT.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use obi_proof::{
    JwtKeyHeader, KeyPair, ProofOptions, RdfCanonicalizer, Suite, add_proof, sign_vc_jwt,
};
use serde_json::Value;

/// Arguments of `obi sign`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The unsigned credential (JSON), or `-` for standard input.
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
            let canon = rdf_canonicalizer();
            let secured = add_proof(&credential, &options, &key, canon.as_ref())?;
            println!("{}", serde_json::to_string_pretty(&secured)?);
        }
    }
    Ok(super::EXIT_OK)
}
