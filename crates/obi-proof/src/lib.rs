//! obi-proof: keys, compact JWS and VC-JWT, Data Integrity proofs, verification-method resolution.
#![forbid(unsafe_code)]

mod error;
pub mod jcs;
pub mod jws;
mod key;
pub mod multibase;
pub mod resolve;

pub use error::{JwsError, KeyError, MultibaseError, ProofError, ResolveError};
pub use jws::{Jws, JwsLimits, MAX_JWS_BYTES, sign_compact};
pub use key::{
    Algorithm, DEFAULT_RSA_BITS, KeyPair, KeyType, MAX_RSA_BITS, MIN_RSA_BITS, PublicKey, Signer,
};
pub use resolve::{Fetcher, MAX_DOCUMENT_BYTES, Resolver, VerificationMethodResolver};
