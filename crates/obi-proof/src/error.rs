//! Error types, one per operation family.

/// A multibase or multicodec value could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MultibaseError {
    /// Only base58btc (`z`) is accepted.
    #[error("unsupported multibase prefix {0:?}: only base58btc ('z') is accepted")]
    UnsupportedBase(String),
    /// Nothing after the prefix.
    #[error("empty multibase value")]
    Empty,
    /// Not base58 (Bitcoin alphabet).
    #[error("invalid base58btc: {0}")]
    InvalidBase58(String),
    /// Over the length limit.
    #[error("multibase value of {len} characters exceeds MAX_MULTIBASE_CHARS ({max})")]
    TooLong {
        /// Length seen.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The multicodec prefix is not one obi knows.
    #[error("unknown or unsupported multicodec prefix 0x{0}")]
    UnknownMulticodec(String),
}

/// A key could not be generated, parsed, converted or used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// A JWK is malformed or describes an unsupported key.
    #[error("invalid JWK: {0}")]
    InvalidJwk(String),
    /// The key bytes are not a valid key of their type.
    #[error("invalid {kind} key: {detail}")]
    InvalidKey {
        /// Key type name.
        kind: &'static str,
        /// What was wrong.
        detail: String,
    },
    /// A multibase or multicodec problem.
    #[error(transparent)]
    Multibase(#[from] MultibaseError),
    /// The multicodec is valid but not usable here (for example a private key where a public key
    /// is expected).
    #[error("multicodec {0} is not usable here")]
    WrongMulticodec(&'static str),
    /// RSA modulus outside the accepted size range.
    #[error(
        "RSA modulus of {bits} bits is outside the accepted range {min}..={max} (MIN_RSA_BITS..=MAX_RSA_BITS)"
    )]
    RsaSize {
        /// Modulus size.
        bits: usize,
        /// Smallest accepted.
        min: usize,
        /// Largest accepted.
        max: usize,
    },
    /// The operation needs the private key and only the public key is present.
    #[error("this key has no private part")]
    NoPrivateKey,
    /// The key type has no representation in this format.
    #[error("{format} is not supported for {kind} keys")]
    Unsupported {
        /// Format name.
        format: &'static str,
        /// Key type name.
        kind: &'static str,
    },
    /// A PEM or DER document could not be read.
    #[error("invalid PEM/DER public key: {0}")]
    InvalidPem(String),
    /// The signing operation itself failed.
    #[error("signing failed: {0}")]
    Signing(String),
}

/// A compact JWS could not be parsed or its signature does not verify.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JwsError {
    /// Over [`crate::JwsLimits::max_bytes`].
    #[error("JWS of {len} bytes exceeds the max_bytes limit ({max}, MAX_JWS_BYTES by default)")]
    TooLong {
        /// Length seen.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Not three dot-separated parts.
    #[error("a compact JWS has exactly 3 parts separated by '.', found {0}")]
    Parts(usize),
    /// A part is not canonical unpadded base64url.
    #[error("JWS {part} is not canonical unpadded base64url: {detail}")]
    Base64 {
        /// Which part.
        part: &'static str,
        /// Decoder message.
        detail: String,
    },
    /// The header is not a JSON object.
    #[error("JWS header is not a JSON object: {0}")]
    Header(String),
    /// The payload is not the JSON expected.
    #[error("JWS payload is not a JSON object: {0}")]
    Payload(String),
    /// `alg` absent, `none`, or outside the allow-list.
    #[error("JWS alg {0:?} is not allowed (allowed: EdDSA, ES256, RS256)")]
    Algorithm(String),
    /// The header names a critical extension obi does not understand.
    #[error("JWS header marks unsupported extensions as critical: {0}")]
    Critical(String),
    /// The key type does not match `alg` (algorithm confusion).
    #[error("key type {key} does not match alg {alg}")]
    KeyMismatch {
        /// The key's type.
        key: &'static str,
        /// The header's alg.
        alg: &'static str,
    },
    /// The header's `jwk` carries a private key.
    #[error("JWS header jwk contains private key material ('d')")]
    PrivateJwk,
    /// A key problem.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The signature does not verify.
    #[error("JWS signature does not verify")]
    BadSignature,
}

/// A verification method could not be resolved to a key authorized for the proof purpose.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// The identifier is not a DID or URL obi can resolve.
    #[error("cannot resolve verification method {id:?}: {reason}")]
    Unsupported {
        /// The id.
        id: String,
        /// Why.
        reason: String,
    },
    /// did:key or did:web identifier malformed.
    #[error("invalid DID {id:?}: {reason}")]
    InvalidDid {
        /// The DID.
        id: String,
        /// Why.
        reason: String,
    },
    /// The fetcher failed or refused.
    #[error("fetching {url} failed: {reason}")]
    Fetch {
        /// The URL.
        url: String,
        /// Why (from the fetcher).
        reason: String,
    },
    /// A fetched document is over the size limit.
    #[error("document at {url} is {len} bytes, over the max_document_bytes limit ({max})")]
    TooLarge {
        /// The URL.
        url: String,
        /// Length.
        len: usize,
        /// Limit.
        max: usize,
    },
    /// The controller document is malformed or does not contain the method.
    #[error("controller document {url}: {reason}")]
    Document {
        /// The URL or DID.
        url: String,
        /// Why.
        reason: String,
    },
    /// The method exists but its controller does not list it under the proof purpose.
    #[error(
        "verification method {id} is not authorized for {purpose} by its controller {controller}"
    )]
    NotAuthorized {
        /// Method id.
        id: String,
        /// Purpose (`assertionMethod`).
        purpose: String,
        /// Controller.
        controller: String,
    },
    /// No fetcher was supplied and the method needs one.
    #[error("resolving {0} needs network access and no fetcher is configured (offline)")]
    Offline(String),
    /// The key in the document is invalid.
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// A proof could not be created, or a proof check could not run / failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The input document is not what the proof format needs.
    #[error("invalid document: {0}")]
    Document(String),
    /// The proof object is malformed or uses options obi does not accept.
    #[error("invalid proof: {0}")]
    Proof(String),
    /// The proof type or cryptosuite is not supported.
    #[error("unsupported proof type {0}")]
    Unsupported(String),
    /// RDF canonicalization failed (for example unknown contexts or safe-mode errors).
    #[error("canonicalization failed: {0}")]
    Canonicalization(String),
    /// A key problem.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A JWS problem.
    #[error(transparent)]
    Jws(#[from] JwsError),
    /// Resolving the verification method failed.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// The JWT claims do not agree with the credential.
    #[error("JWT claims do not agree with the credential: {0}")]
    Claims(String),
    /// The signature does not verify.
    #[error("signature does not verify")]
    BadSignature,
}
