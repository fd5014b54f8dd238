//! Data Integrity proofs (W3C VC Data Integrity 1.0, vc-di-eddsa 1.0):
//! `DataIntegrityProof` with `eddsa-rdfc-2022` or `eddsa-jcs-2022`, and the legacy
//! `Ed25519Signature2020`.
//!
//! Every suite signs `SHA-256(canonical proof configuration) || SHA-256(canonical document)`.
//! The RDFC-1.0 canonicalization step is behind [`RdfCanonicalizer`] so this module only
//! arranges the algorithm steps.

use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

use crate::error::ProofError;
use crate::jcs;
use crate::key::{KeyType, Signer};
use crate::multibase::{decode_base58btc, encode_base58btc};
use crate::resolve::VerificationMethodResolver;

/// `eddsa-rdfc-2022`.
pub const EDDSA_RDFC_2022: &str = "eddsa-rdfc-2022";
/// `eddsa-jcs-2022`.
pub const EDDSA_JCS_2022: &str = "eddsa-jcs-2022";
/// The Ed25519Signature2020 suite context, which documents signed with that suite must use.
pub const ED25519_2020_CONTEXT: &str = "https://w3id.org/security/suites/ed25519-2020/v1";
/// The proof purpose of credentials.
pub const ASSERTION_METHOD: &str = "assertionMethod";
/// Largest number of proofs in a proof set obi checks.
pub const MAX_PROOFS: usize = 8;

/// Converts a JSON-LD document to canonical N-Quads (JSON-LD safe-mode expansion, toRdf,
/// RDFC-1.0).
pub trait RdfCanonicalizer {
    /// The canonical N-Quads of `document`.
    fn canonicalize(&self, document: &Value) -> Result<String, ProofError>;

    /// The canonical N-Quads of `document` read as if its top-level object had no entry
    /// `key` (a secured document without its `proof`). The default canonicalizes a copy
    /// without the entry; implementations may avoid the copy.
    fn canonicalize_without(&self, document: &Value, key: &str) -> Result<String, ProofError> {
        match document {
            Value::Object(map) if map.contains_key(key) => {
                let mut copy = map.clone();
                copy.remove(key);
                self.canonicalize(&Value::Object(copy))
            }
            other => self.canonicalize(other),
        }
    }
}

/// A canonicalizer for callers that only use `eddsa-jcs-2022`: every RDF suite fails with a
/// clear error.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRdfCanonicalizer;

impl RdfCanonicalizer for NoRdfCanonicalizer {
    fn canonicalize(&self, _document: &Value) -> Result<String, ProofError> {
        Err(ProofError::Canonicalization(
            "no RDF canonicalizer configured (needed for eddsa-rdfc-2022 and Ed25519Signature2020)"
                .into(),
        ))
    }
}

/// A Data Integrity proof suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Suite {
    /// `DataIntegrityProof` / `eddsa-rdfc-2022`.
    EddsaRdfc2022,
    /// `DataIntegrityProof` / `eddsa-jcs-2022`.
    EddsaJcs2022,
    /// `Ed25519Signature2020` (legacy, widely deployed in Open Badges 3.0).
    Ed25519Signature2020,
}

impl Suite {
    /// The name used on the command line and in reports.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::EddsaRdfc2022 => EDDSA_RDFC_2022,
            Self::EddsaJcs2022 => EDDSA_JCS_2022,
            Self::Ed25519Signature2020 => "Ed25519Signature2020",
        }
    }

    /// The suite of a proof object, from its `type` and `cryptosuite`.
    pub fn of_proof(proof: &Map<String, Value>) -> Result<Self, ProofError> {
        let ty = proof.get("type").and_then(Value::as_str).unwrap_or("");
        let cs = proof.get("cryptosuite").and_then(Value::as_str);
        match (ty, cs) {
            ("DataIntegrityProof", Some(EDDSA_RDFC_2022)) => Ok(Self::EddsaRdfc2022),
            ("DataIntegrityProof", Some(EDDSA_JCS_2022)) => Ok(Self::EddsaJcs2022),
            ("Ed25519Signature2020", None) => Ok(Self::Ed25519Signature2020),
            (ty, cs) => Err(ProofError::Unsupported(match cs {
                Some(cs) => format!("{ty}/{cs}"),
                None => ty.to_string(),
            })),
        }
    }

    fn is_rdf(self) -> bool {
        !matches!(self, Self::EddsaJcs2022)
    }
}

impl std::str::FromStr for Suite {
    type Err = ProofError;
    fn from_str(s: &str) -> Result<Self, ProofError> {
        match s {
            EDDSA_RDFC_2022 => Ok(Self::EddsaRdfc2022),
            EDDSA_JCS_2022 => Ok(Self::EddsaJcs2022),
            "Ed25519Signature2020" => Ok(Self::Ed25519Signature2020),
            other => Err(ProofError::Unsupported(other.into())),
        }
    }
}

/// Options of a new proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofOptions {
    suite: Suite,
    verification_method: String,
    created: Option<String>,
    proof_purpose: String,
    challenge: Option<String>,
    domain: Option<String>,
}

impl ProofOptions {
    /// Options for `suite` signed by `verification_method`, purpose `assertionMethod`, `created`
    /// now.
    #[must_use]
    pub fn new(suite: Suite, verification_method: impl Into<String>) -> Self {
        Self {
            suite,
            verification_method: verification_method.into(),
            created: None,
            proof_purpose: ASSERTION_METHOD.into(),
            challenge: None,
            domain: None,
        }
    }

    /// Sets `challenge`: the verifier's nonce a presentation (purpose `authentication`) answers,
    /// so that it cannot be replayed to another request.
    #[must_use]
    pub fn with_challenge(mut self, challenge: impl Into<String>) -> Self {
        self.challenge = Some(challenge.into());
        self
    }

    /// Sets `domain`: the verifier (or security domain) the proof is meant for.
    #[must_use]
    pub fn with_domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// Sets `created` (an XML Schema dateTimeStamp, e.g. `2023-02-24T23:36:38Z`).
    #[must_use]
    pub fn with_created(mut self, created: impl Into<String>) -> Self {
        self.created = Some(created.into());
        self
    }

    /// Sets `proofPurpose`.
    #[must_use]
    pub fn with_proof_purpose(mut self, purpose: impl Into<String>) -> Self {
        self.proof_purpose = purpose.into();
        self
    }

    /// The suite.
    #[must_use]
    pub fn suite(&self) -> Suite {
        self.suite
    }

    /// The proof object without `proofValue` (and without `@context`).
    fn proof_skeleton(&self) -> Map<String, Value> {
        let mut p = Map::new();
        match self.suite {
            Suite::Ed25519Signature2020 => {
                p.insert("type".into(), "Ed25519Signature2020".into());
            }
            s => {
                p.insert("type".into(), "DataIntegrityProof".into());
                p.insert("cryptosuite".into(), s.name().into());
            }
        }
        let created = self
            .created
            .clone()
            .unwrap_or_else(|| chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string());
        p.insert("created".into(), created.into());
        p.insert(
            "verificationMethod".into(),
            self.verification_method.clone().into(),
        );
        p.insert("proofPurpose".into(), self.proof_purpose.clone().into());
        if let Some(challenge) = &self.challenge {
            p.insert("challenge".into(), challenge.clone().into());
        }
        if let Some(domain) = &self.domain {
            p.insert("domain".into(), domain.clone().into());
        }
        p
    }
}

/// The intermediate values of a proof: what is hashed and signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningInput {
    /// Canonical form of the proof configuration (N-Quads or JCS).
    pub canonical_proof_config: String,
    /// Canonical form of the unsecured document (N-Quads or JCS).
    pub canonical_document: String,
    /// `SHA-256(canonical_proof_config) || SHA-256(canonical_document)`.
    pub hash_data: Vec<u8>,
}

/// Computes the signing input of `unsecured` (no `proof`) under `proof_config` (the proof
/// without `proofValue`, with the `@context` the suite requires).
pub fn signing_input(
    suite: Suite,
    unsecured: &Value,
    proof_config: &Value,
    canon: &dyn RdfCanonicalizer,
) -> Result<SigningInput, ProofError> {
    let (canonical_proof_config, canonical_document) = if suite.is_rdf() {
        (
            canon.canonicalize(proof_config)?,
            canon.canonicalize(unsecured)?,
        )
    } else {
        (
            jcs::canonicalize(proof_config),
            jcs::canonicalize(unsecured),
        )
    };
    Ok(SigningInput::from_parts(
        canonical_proof_config,
        canonical_document,
    ))
}

impl SigningInput {
    fn from_parts(canonical_proof_config: String, canonical_document: String) -> Self {
        let mut hash_data = Vec::with_capacity(64);
        hash_data.extend_from_slice(&Sha256::digest(canonical_proof_config.as_bytes()));
        hash_data.extend_from_slice(&Sha256::digest(canonical_document.as_bytes()));
        Self {
            canonical_proof_config,
            canonical_document,
            hash_data,
        }
    }
}

/// The document one proof is checked over.
enum Unsecured<'d> {
    /// The secured document itself, read without its `proof` entry (no copy).
    Secured(&'d Value, &'d Map<String, Value>),
    /// A document object built for this proof (proof chains put previous proofs back).
    Owned(Map<String, Value>),
}

impl Unsecured<'_> {
    fn context(&self) -> Option<&Value> {
        match self {
            Self::Secured(_, map) => map.get("@context"),
            Self::Owned(map) => map.get("@context"),
        }
    }

    fn into_owned(self) -> Map<String, Value> {
        match self {
            Self::Secured(_, map) => {
                let mut copy = map.clone();
                copy.remove("proof");
                copy
            }
            Self::Owned(map) => map,
        }
    }
}

fn check_datetime(name: &str, value: Option<&Value>) -> Result<(), ProofError> {
    match value {
        None => Ok(()),
        Some(Value::String(s)) if chrono::DateTime::parse_from_rfc3339(s).is_ok() => Ok(()),
        Some(other) => Err(ProofError::Proof(format!(
            "{name} is not a dateTimeStamp: {other}"
        ))),
    }
}

fn document_object(document: &Value) -> Result<&Map<String, Value>, ProofError> {
    document
        .as_object()
        .ok_or_else(|| ProofError::Document("not a JSON object".into()))
}

/// The proof configuration for `suite`: the proof options with `@context` set from the document.
fn proof_config(
    suite: Suite,
    options: Map<String, Value>,
    unsecured: &Map<String, Value>,
) -> Value {
    proof_config_with(suite, options, unsecured.get("@context"))
}

/// [`proof_config`] given the document's `@context`.
fn proof_config_with(
    suite: Suite,
    mut options: Map<String, Value>,
    context: Option<&Value>,
) -> Value {
    match context {
        Some(ctx) => {
            options.insert("@context".into(), ctx.clone());
        }
        None => {
            if suite.is_rdf() {
                options.remove("@context");
            }
        }
    }
    Value::Object(options)
}

/// Adds a proof to `document` (which must not have one yet) and returns the secured document,
/// a copy of `document` with the proof. [`add_proof_owned`] secures a document without copying
/// it.
///
/// # Errors
/// As [`add_proof_owned`].
pub fn add_proof(
    document: &Value,
    options: &ProofOptions,
    signer: &dyn Signer,
    canon: &dyn RdfCanonicalizer,
) -> Result<Value, ProofError> {
    let proof = make_proof(document, options, signer, canon)?;
    let mut secured = document_object(document)?.clone();
    secured.insert("proof".into(), Value::Object(proof));
    Ok(Value::Object(secured))
}

/// Adds a proof to `document` (which must not have one yet) in place and returns it: the
/// same result as [`add_proof`], without a copy of the document (for a credential of the spec's
/// complete example, copying and dropping the copy cost about an eighth of signing).
///
/// # Errors
/// [`ProofError::Document`] when the document is not an object, already has a proof, or cannot
/// be canonicalized; [`ProofError::Proof`] for a key or options the suite cannot use;
/// [`ProofError::Canonicalization`] when canonicalization cannot run.
pub fn add_proof_owned(
    document: Value,
    options: &ProofOptions,
    signer: &dyn Signer,
    canon: &dyn RdfCanonicalizer,
) -> Result<Value, ProofError> {
    let proof = make_proof(&document, options, signer, canon)?;
    let Value::Object(mut secured) = document else {
        return Err(ProofError::Document("not a JSON object".into()));
    };
    secured.insert("proof".into(), Value::Object(proof));
    Ok(Value::Object(secured))
}

/// The proof [`add_proof`] adds to `document`.
fn make_proof(
    document: &Value,
    options: &ProofOptions,
    signer: &dyn Signer,
    canon: &dyn RdfCanonicalizer,
) -> Result<Map<String, Value>, ProofError> {
    let doc = document_object(document)?;
    if doc.contains_key("proof") {
        return Err(ProofError::Document(
            "the document already has a proof (proof sets are not created by obi)".into(),
        ));
    }
    if signer.public_key().key_type() != KeyType::Ed25519 {
        return Err(ProofError::Proof(format!(
            "{} needs an Ed25519 key, not {}",
            options.suite.name(),
            signer.public_key().key_type().name()
        )));
    }
    if options.suite == Suite::Ed25519Signature2020 && !has_context(doc, ED25519_2020_CONTEXT) {
        return Err(ProofError::Document(format!(
            "Ed25519Signature2020 needs {ED25519_2020_CONTEXT} in the document @context"
        )));
    }
    let skeleton = options.proof_skeleton();
    check_datetime("created", skeleton.get("created"))?;
    let config = proof_config(options.suite, skeleton.clone(), doc);
    let input = signing_input(options.suite, document, &config, canon)?;
    let signature = signer.sign(&input.hash_data)?;
    let mut proof = skeleton;
    if options.suite == Suite::EddsaJcs2022
        && let Some(ctx) = doc.get("@context")
    {
        proof.insert("@context".into(), ctx.clone());
    }
    proof.insert("proofValue".into(), encode_base58btc(&signature).into());
    Ok(proof)
}

fn has_context(doc: &Map<String, Value>, url: &str) -> bool {
    match doc.get("@context") {
        Some(Value::String(s)) => s == url,
        Some(Value::Array(items)) => items.iter().any(|c| c.as_str() == Some(url)),
        _ => false,
    }
}

/// What a successful proof check established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedProof {
    /// The suite.
    pub suite: Suite,
    /// The verification method id, as written in the proof.
    pub verification_method: String,
    /// The proof's `created`, if any.
    pub created: Option<String>,
    /// The proof purpose.
    pub proof_purpose: String,
}

/// Checks every proof on `document` (one proof, or a proof set of up to [`MAX_PROOFS`]; chains
/// through `previousProof` are followed). `Ok` only when every proof verifies with a key its
/// controller authorizes for `purpose`.
pub fn verify_proofs(
    document: &Value,
    purpose: &str,
    resolver: &dyn VerificationMethodResolver,
    canon: &dyn RdfCanonicalizer,
) -> Result<Vec<VerifiedProof>, ProofError> {
    let doc = document_object(document)?;
    let proofs: Vec<&Value> = match doc.get("proof") {
        None => return Err(ProofError::Document("the document has no proof".into())),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(p) => vec![p],
    };
    if proofs.is_empty() {
        return Err(ProofError::Document("the proof set is empty".into()));
    }
    if proofs.len() > MAX_PROOFS {
        return Err(ProofError::Document(format!(
            "{} proofs exceed MAX_PROOFS ({MAX_PROOFS})",
            proofs.len()
        )));
    }
    let mut out = Vec::with_capacity(proofs.len());
    for proof in &proofs {
        let Some(prev) = proof.get("previousProof") else {
            out.push(verify_one(
                Unsecured::Secured(document, doc),
                proof,
                purpose,
                resolver,
                canon,
            )?);
            continue;
        };
        let mut base = doc.clone();
        base.remove("proof");
        {
            let wanted: Vec<&str> = match prev {
                Value::String(s) => vec![s.as_str()],
                Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                _ => {
                    return Err(ProofError::Proof(
                        "previousProof is not a string or list".into(),
                    ));
                }
            };
            let mut matched = Vec::new();
            for id in wanted {
                let found = proofs
                    .iter()
                    .find(|p| p.get("id").and_then(Value::as_str) == Some(id))
                    .ok_or_else(|| ProofError::Proof(format!("previousProof {id} not found")))?;
                matched.push((*found).clone());
            }
            let value = if matched.len() == 1 {
                matched.remove(0)
            } else {
                Value::Array(matched)
            };
            base.insert("proof".into(), value);
        }
        out.push(verify_one(
            Unsecured::Owned(base),
            proof,
            purpose,
            resolver,
            canon,
        )?);
    }
    Ok(out)
}

/// Checks one `proof` over `unsecured` (the document object without that proof).
fn verify_one(
    unsecured: Unsecured<'_>,
    proof: &Value,
    purpose: &str,
    resolver: &dyn VerificationMethodResolver,
    canon: &dyn RdfCanonicalizer,
) -> Result<VerifiedProof, ProofError> {
    let proof = proof
        .as_object()
        .ok_or_else(|| ProofError::Proof("proof is not a JSON object".into()))?;
    let suite = Suite::of_proof(proof)?;
    let get_str = |name: &str| -> Result<String, ProofError> {
        proof
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| ProofError::Proof(format!("missing string {name}")))
    };
    let proof_purpose = get_str("proofPurpose")?;
    if proof_purpose != purpose {
        return Err(ProofError::Proof(format!(
            "proofPurpose is {proof_purpose}, expected {purpose}"
        )));
    }
    let verification_method = get_str("verificationMethod")?;
    let proof_value = get_str("proofValue")?;
    check_datetime("created", proof.get("created"))?;
    check_datetime("expires", proof.get("expires"))?;
    if let Some(expires) = proof.get("expires").and_then(Value::as_str)
        && let Ok(t) = chrono::DateTime::parse_from_rfc3339(expires)
        && t < chrono::Utc::now()
    {
        return Err(ProofError::Proof(format!("the proof expired at {expires}")));
    }
    let signature = decode_base58btc(&proof_value)
        .map_err(|e| ProofError::Proof(format!("proofValue: {e}")))?;
    if signature.len() != 64 {
        return Err(ProofError::Proof(format!(
            "proofValue is {} bytes, an Ed25519 signature is 64",
            signature.len()
        )));
    }
    let mut options = proof.clone();
    options.remove("proofValue");
    let mut unsecured = unsecured;
    if suite == Suite::EddsaJcs2022
        && let Some(pctx) = options.get("@context")
    {
        // vc-di-eddsa §3.3.2: the document's @context must start with the proof's.
        let mut owned = unsecured.into_owned();
        let doc_ctx = as_list(owned.get("@context"));
        let proof_ctx = as_list(Some(pctx));
        if doc_ctx.len() < proof_ctx.len() || doc_ctx[..proof_ctx.len()] != proof_ctx[..] {
            return Err(ProofError::Proof(
                "the document @context does not start with the proof @context".into(),
            ));
        }
        owned.insert("@context".into(), pctx.clone());
        unsecured = Unsecured::Owned(owned);
    }
    let config = proof_config_with(suite, options, unsecured.context());
    let key = resolver.resolve(&verification_method, purpose)?;
    if key.key_type() != KeyType::Ed25519 {
        return Err(ProofError::Proof(format!(
            "{} needs an Ed25519 verification method, {verification_method} is {}",
            suite.name(),
            key.key_type().name()
        )));
    }
    let input = match unsecured {
        // The document is canonicalized as read, without its proof: no copy of it.
        Unsecured::Secured(document, _) if suite.is_rdf() => SigningInput::from_parts(
            canon.canonicalize(&config)?,
            canon.canonicalize_without(document, "proof")?,
        ),
        other => signing_input(suite, &Value::Object(other.into_owned()), &config, canon)?,
    };
    if !key.verify(&input.hash_data, &signature) {
        return Err(ProofError::BadSignature);
    }
    Ok(VerifiedProof {
        suite,
        verification_method,
        created: proof
            .get("created")
            .and_then(Value::as_str)
            .map(str::to_string),
        proof_purpose,
    })
}

fn as_list(v: Option<&Value>) -> Vec<Value> {
    match v {
        Some(Value::Array(items)) => items.clone(),
        Some(other) => vec![other.clone()],
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::KeyPair;
    use crate::resolve::Resolver;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
            "id": "urn:uuid:1",
            "type": ["VerifiableCredential"],
            "issuer": "did:example:1",
            "credentialSubject": {"id": "did:example:2", "n": 1.5}
        })
    }

    #[test]
    fn challenge_and_domain_are_signed_proof_options() {
        let pair = KeyPair::generate(KeyType::Ed25519).unwrap();
        let opts = ProofOptions::new(
            Suite::EddsaJcs2022,
            pair.public_key().did_key_verification_method(),
        )
        .with_proof_purpose("authentication")
        .with_challenge("n-1")
        .with_domain("https://verifier.example");
        let secured = add_proof(&doc(), &opts, &pair, &NoRdfCanonicalizer).unwrap();
        assert_eq!(secured["proof"]["challenge"], "n-1");
        assert_eq!(secured["proof"]["domain"], "https://verifier.example");
        let check =
            |d: &Value| verify_proofs(d, "authentication", &Resolver::new(), &NoRdfCanonicalizer);
        assert!(check(&secured).is_ok());
        for (k, v) in [("challenge", "n-2"), ("domain", "https://else.example")] {
            let mut replayed = secured.clone();
            replayed["proof"][k] = json!(v);
            assert!(
                matches!(check(&replayed), Err(ProofError::BadSignature)),
                "{k} edited"
            );
        }
    }

    #[test]
    fn add_proof_owned_secures_in_place_as_add_proof_does() {
        let pair = KeyPair::ed25519_from_seed(&[3; 32]);
        let vm = pair.public_key().did_key_verification_method();
        let opts = ProofOptions::new(Suite::EddsaJcs2022, vm).with_created("2024-01-01T00:00:00Z");
        let copied = add_proof(&doc(), &opts, &pair, &NoRdfCanonicalizer).unwrap();
        let owned = add_proof_owned(doc(), &opts, &pair, &NoRdfCanonicalizer).unwrap();
        assert_eq!(owned, copied);
        assert!(owned["proof"]["proofValue"].is_string());
        // The same refusals: a document that has a proof, a document that is not an object.
        assert!(matches!(
            add_proof_owned(owned, &opts, &pair, &NoRdfCanonicalizer),
            Err(ProofError::Document(_))
        ));
        assert!(matches!(
            add_proof_owned(json!([1]), &opts, &pair, &NoRdfCanonicalizer),
            Err(ProofError::Document(_))
        ));
    }

    #[test]
    fn jcs_round_trip_and_tamper() {
        let pair = KeyPair::generate(KeyType::Ed25519).unwrap();
        let vm = pair.public_key().did_key_verification_method();
        let opts = ProofOptions::new(Suite::EddsaJcs2022, vm.clone());
        let secured = add_proof(&doc(), &opts, &pair, &NoRdfCanonicalizer).unwrap();
        let ok = verify_proofs(
            &secured,
            ASSERTION_METHOD,
            &Resolver::new(),
            &NoRdfCanonicalizer,
        )
        .unwrap();
        assert_eq!(ok[0].verification_method, vm);
        let mut bad = secured.clone();
        bad["credentialSubject"]["n"] = json!(1.6);
        assert!(matches!(
            verify_proofs(
                &bad,
                ASSERTION_METHOD,
                &Resolver::new(),
                &NoRdfCanonicalizer
            ),
            Err(ProofError::BadSignature)
        ));
        let mut bad = secured.clone();
        bad["proof"]["proofPurpose"] = json!("authentication");
        assert!(
            verify_proofs(
                &bad,
                ASSERTION_METHOD,
                &Resolver::new(),
                &NoRdfCanonicalizer
            )
            .is_err()
        );
        let mut bad = secured;
        bad["proof"]["proofValue"] = json!("z1111");
        assert!(
            verify_proofs(
                &bad,
                ASSERTION_METHOD,
                &Resolver::new(),
                &NoRdfCanonicalizer
            )
            .is_err()
        );
    }

    #[test]
    fn rdf_suites_need_a_canonicalizer() {
        let pair = KeyPair::generate(KeyType::Ed25519).unwrap();
        let opts = ProofOptions::new(
            Suite::EddsaRdfc2022,
            pair.public_key().did_key_verification_method(),
        );
        assert!(matches!(
            add_proof(&doc(), &opts, &pair, &NoRdfCanonicalizer),
            Err(ProofError::Canonicalization(_))
        ));
        let p256 = KeyPair::generate(KeyType::P256).unwrap();
        assert!(
            add_proof(
                &doc(),
                &ProofOptions::new(Suite::EddsaJcs2022, "x"),
                &p256,
                &NoRdfCanonicalizer
            )
            .is_err()
        );
    }
}
