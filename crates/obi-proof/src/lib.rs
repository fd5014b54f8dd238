#![cfg_attr(doc, doc = include_str!("../README.md"))]
//! obi-proof: keys, compact JWS and VC-JWT, Data Integrity proofs, verification-method resolution.
#![forbid(unsafe_code)]

mod canonicalization;
pub mod data_integrity;
mod error;
pub mod jcs;
pub mod jws;
mod key;
pub mod multibase;
pub mod ob2;
pub mod resolve;
pub mod vc_jwt;

pub use canonicalization::LdCanonicalizer;
pub use data_integrity::{
    ASSERTION_METHOD, NoRdfCanonicalizer, ProofOptions, RdfCanonicalizer, SigningInput, Suite,
    VerifiedProof, add_proof, add_proof_owned, verify_proofs,
};
pub use error::{JwsError, KeyError, MultibaseError, ProofError, ResolveError};
pub use jws::{Jws, JwsLimits, MAX_JWS_BYTES, sign_compact};
pub use key::{
    Algorithm, DEFAULT_RSA_BITS, KeyPair, KeyType, MAX_RSA_BITS, MIN_RSA_BITS, PublicKey, Signer,
};
pub use resolve::{Fetcher, MAX_DOCUMENT_BYTES, Resolver, VerificationMethodResolver};
pub use vc_jwt::{JwtKeyHeader, KeySource, VerifiedJwt, sign_vc_jwt, verify_vc_jwt};
