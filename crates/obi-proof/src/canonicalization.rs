//! The RDF canonicalization step of eddsa-rdfc-2022 and Ed25519Signature2020: JSON-LD expansion
//! in safe mode (no base IRI, offline loader), toRdf, RDFC-1.0, canonical N-Quads.

use serde_json::Value;

use crate::data_integrity::RdfCanonicalizer;
use crate::error::ProofError;

/// Canonicalizes with obi-ld (safe-mode expansion and toRdf) and obi-rdf (RDFC-1.0, bounded).
/// Contexts come from the processor's loader (the pinned contexts by default); processed
/// contexts are cached across documents.
pub struct LdCanonicalizer {
    processor: obi_ld::Processor,
    options: obi_ld::Options,
    canonicalizer: obi_rdf::Canonicalizer,
}

impl std::fmt::Debug for LdCanonicalizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LdCanonicalizer")
            .field("canonicalizer", &self.canonicalizer)
            .finish_non_exhaustive()
    }
}

impl Default for LdCanonicalizer {
    fn default() -> Self {
        Self::pinned()
    }
}

impl LdCanonicalizer {
    /// Only the pinned contexts; every other context URL is an error.
    #[must_use]
    pub fn pinned() -> Self {
        Self::with_processor(obi_ld::Processor::pinned())
    }

    /// Contexts from `loader` (for example the pinned contexts, then a caller's map).
    #[must_use]
    pub fn with_loader(loader: impl obi_ld::DocumentLoader + 'static) -> Self {
        Self::with_processor(obi_ld::Processor::new(loader))
    }

    /// Uses an existing processor (sharing its context cache).
    #[must_use]
    pub fn with_processor(processor: obi_ld::Processor) -> Self {
        Self {
            processor,
            options: obi_ld::Options::new().with_safe_mode(true),
            canonicalizer: obi_rdf::Canonicalizer::new(),
        }
    }

    /// Sets the RDFC-1.0 canonicalizer (its work and depth limits).
    #[must_use]
    pub fn with_canonicalizer(mut self, canonicalizer: obi_rdf::Canonicalizer) -> Self {
        self.canonicalizer = canonicalizer;
        self
    }
}

impl RdfCanonicalizer for LdCanonicalizer {
    /// Errors: [`ProofError::Canonicalization`] when the check cannot run (a context that cannot
    /// be loaded, a limit exceeded); [`ProofError::Document`] when the document is not valid
    /// JSON-LD for Data Integrity (safe-mode violations, invalid terms): such a document is not
    /// genuine.
    fn canonicalize(&self, document: &Value) -> Result<String, ProofError> {
        self.canonicalize_with(document, &self.options)
    }

    /// Expansion reads the document without the entry: no copy of the document is made.
    fn canonicalize_without(&self, document: &Value, key: &str) -> Result<String, ProofError> {
        let options = self.options.clone().with_skipped_root_entry(key);
        self.canonicalize_with(document, &options)
    }
}

impl LdCanonicalizer {
    fn canonicalize_with(
        &self,
        document: &Value,
        options: &obi_ld::Options,
    ) -> Result<String, ProofError> {
        // Expansion feeds toRdf directly (no expanded document is built).
        let rdf_options = obi_ld::ToRdfOptions::new().with_safe_mode(true);
        let quads = self
            .processor
            .to_rdf(document, options, &rdf_options)
            .map_err(|e| {
                use obi_ld::ErrorCode as C;
                match e {
                    obi_ld::ToRdfError::Expansion(e) => match e.code() {
                        C::LoadingRemoteContextFailed
                        | C::LoadingDocumentFailed
                        | C::LimitExceeded => {
                            ProofError::Canonicalization(format!("JSON-LD expansion: {e}"))
                        }
                        _ => ProofError::Document(format!("JSON-LD expansion (safe mode): {e}")),
                    },
                    obi_ld::ToRdfError::LimitExceeded { .. } => {
                        ProofError::Canonicalization(format!("JSON-LD toRdf: {e}"))
                    }
                    other => ProofError::Document(format!("JSON-LD toRdf (safe mode): {other}")),
                }
            })?;
        // Only the N-Quads text is signed: skip building the relabelled quads and the map.
        self.canonicalizer
            .canonicalize_to_nquads(&quads)
            .map_err(|e| ProofError::Canonicalization(format!("RDFC-1.0: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_context_cannot_run_and_undefined_terms_are_invalid() {
        let c = LdCanonicalizer::pinned();
        let unknown = json!({"@context": ["https://example.org/unknown/v1"], "a": 1});
        assert!(matches!(
            c.canonicalize(&unknown),
            Err(ProofError::Canonicalization(_))
        ));
        let undefined = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "notATerm": "dropped silently without safe mode"
        });
        let r = c.canonicalize(&undefined);
        assert!(matches!(r, Err(ProofError::Document(_))), "{r:?}");
    }

    #[test]
    fn canonicalize_without_matches_a_copy_without_the_entry() {
        let c = LdCanonicalizer::pinned();
        let doc = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": "did:example:1",
            "credentialSubject": {"id": "did:example:2"},
            "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"}
        });
        let mut copy = doc.clone();
        copy.as_object_mut().unwrap().remove("proof");
        let expected = c.canonicalize(&copy).unwrap();
        assert_eq!(c.canonicalize_without(&doc, "proof").unwrap(), expected);
        assert_ne!(c.canonicalize(&doc).unwrap(), expected);
        // The trait's default (a copy) gives the same.
        struct Copying(LdCanonicalizer);
        impl RdfCanonicalizer for Copying {
            fn canonicalize(&self, document: &Value) -> Result<String, ProofError> {
                self.0.canonicalize(document)
            }
        }
        let copying = Copying(LdCanonicalizer::pinned());
        assert_eq!(
            copying.canonicalize_without(&doc, "proof").unwrap(),
            expected
        );
    }
}
