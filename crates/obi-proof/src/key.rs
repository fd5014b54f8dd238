//! Keys: Ed25519, P-256 and RSA; JWK, Multikey, did:key and PEM forms.
//!
//! This module is the crypto provider: it is the only one that names the crypto crates
//! (ed25519-dalek, p256, rsa, ring). Everything else in obi-proof signs through the [`Signer`]
//! trait and verifies through [`PublicKey::verify`]. Keys, signing and every encoding use the
//! RustCrypto crates; ES256 and RS256 verification use ring (already in the build through rustls),
//! whose assembly arithmetic needs about a quarter and a fifth of the instructions (measured with
//! callgrind, `benches/proof_profile.rs`).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::Verifier as _;
use p256::ecdsa::signature::Signer as _;
use p256::pkcs8::{DecodePublicKey as _, EncodePublicKey as _, LineEnding};
use rsa::pkcs1::{DecodeRsaPublicKey as _, EncodeRsaPublicKey as _};
use rsa::signature::SignatureEncoding as _;
use rsa::traits::{PrivateKeyParts as _, PublicKeyParts as _};
use serde_json::{Map, Value, json};

use crate::error::KeyError;
use crate::multibase::{Multicodec, decode_multikey, encode_multikey};

/// Smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus accepted, in bits (bounds verification cost).
pub const MAX_RSA_BITS: usize = 8192;
/// Size of RSA keys [`KeyPair::generate`] makes.
pub const DEFAULT_RSA_BITS: usize = 2048;

/// The key types obi signs and verifies with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// Ed25519 (EdDSA): the default for Open Badges 3.0 Data Integrity proofs.
    Ed25519,
    /// NIST P-256 (ES256).
    P256,
    /// RSA, 2048 bits or more (RS256): VC-JWT minimum and Open Badges 2.0 signed assertions.
    Rsa,
}

impl KeyType {
    /// Lower-case name: `ed25519`, `p256`, `rsa`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Ed25519 => "ed25519",
            Self::P256 => "p256",
            Self::Rsa => "rsa",
        }
    }

    /// The only JWS algorithm obi uses with this key type.
    #[must_use]
    pub const fn algorithm(self) -> Algorithm {
        match self {
            Self::Ed25519 => Algorithm::EdDsa,
            Self::P256 => Algorithm::Es256,
            Self::Rsa => Algorithm::Rs256,
        }
    }
}

impl std::str::FromStr for KeyType {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, KeyError> {
        match s.to_ascii_lowercase().as_str() {
            "ed25519" => Ok(Self::Ed25519),
            "p256" | "p-256" | "es256" => Ok(Self::P256),
            "rsa" | "rs256" => Ok(Self::Rsa),
            _ => Err(KeyError::InvalidJwk(format!(
                "unknown key type {s:?} (ed25519, p256 or rsa)"
            ))),
        }
    }
}

/// JWS algorithms on the allow-list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// `EdDSA` with Ed25519.
    EdDsa,
    /// `ES256`: ECDSA P-256 with SHA-256, signature `r || s` (64 bytes).
    Es256,
    /// `RS256`: RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
}

impl Algorithm {
    /// The JOSE name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::EdDsa => "EdDSA",
            Self::Es256 => "ES256",
            Self::Rs256 => "RS256",
        }
    }

    /// Parses a JOSE `alg` value from the allow-list (never `none`).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "EdDSA" => Some(Self::EdDsa),
            "ES256" => Some(Self::Es256),
            "RS256" => Some(Self::Rs256),
            _ => None,
        }
    }

    /// The key type this algorithm needs.
    #[must_use]
    pub const fn key_type(self) -> KeyType {
        match self {
            Self::EdDsa => KeyType::Ed25519,
            Self::Es256 => KeyType::P256,
            Self::Rs256 => KeyType::Rsa,
        }
    }
}

/// Something that signs: the built-in [`KeyPair`], or an HSM / KMS the caller wraps.
pub trait Signer {
    /// The JWS algorithm of the signatures this signer makes.
    fn algorithm(&self) -> Algorithm;
    /// The public key that verifies the signatures.
    fn public_key(&self) -> PublicKey;
    /// Signs `message` (the algorithm hashes it as it requires).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError>;
}

/// A public key of one of the supported types.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey(PublicInner);

#[derive(Clone, PartialEq, Eq)]
enum PublicInner {
    Ed25519(ed25519_dalek::VerifyingKey),
    P256(p256::ecdsa::VerifyingKey),
    Rsa(Box<rsa::RsaPublicKey>),
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.to_multikey())
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn jwk_bytes(jwk: &Map<String, Value>, name: &str) -> Result<Vec<u8>, KeyError> {
    let text = jwk
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| KeyError::InvalidJwk(format!("missing string member {name:?}")))?;
    if text.len() > 4096 {
        return Err(KeyError::InvalidJwk(format!("member {name:?} is too long")));
    }
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|e| KeyError::InvalidJwk(format!("member {name:?}: {e}")))
}

fn jwk_str<'a>(jwk: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    jwk.get(name).and_then(Value::as_str)
}

fn check_rsa_size(n: &rsa::BigUint) -> Result<(), KeyError> {
    let bits = n.bits();
    if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
        return Err(KeyError::RsaSize {
            bits,
            min: MIN_RSA_BITS,
            max: MAX_RSA_BITS,
        });
    }
    Ok(())
}

fn invalid(kind: &'static str, detail: impl std::fmt::Display) -> KeyError {
    KeyError::InvalidKey {
        kind,
        detail: detail.to_string(),
    }
}

fn to32(bytes: &[u8], kind: &'static str) -> Result<[u8; 32], KeyError> {
    bytes
        .try_into()
        .map_err(|_| invalid(kind, format!("expected 32 bytes, got {}", bytes.len())))
}

impl PublicKey {
    /// The key type.
    #[must_use]
    pub fn key_type(&self) -> KeyType {
        match &self.0 {
            PublicInner::Ed25519(_) => KeyType::Ed25519,
            PublicInner::P256(_) => KeyType::P256,
            PublicInner::Rsa(_) => KeyType::Rsa,
        }
    }

    /// The JWS algorithm for this key.
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        self.key_type().algorithm()
    }

    /// An Ed25519 public key from its 32 bytes.
    pub fn from_ed25519_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        let raw = to32(bytes, "Ed25519")?;
        let key =
            ed25519_dalek::VerifyingKey::from_bytes(&raw).map_err(|e| invalid("Ed25519", e))?;
        Ok(Self(PublicInner::Ed25519(key)))
    }

    /// A P-256 public key from SEC1 bytes (compressed or uncompressed).
    pub fn from_p256_sec1(bytes: &[u8]) -> Result<Self, KeyError> {
        let key =
            p256::ecdsa::VerifyingKey::from_sec1_bytes(bytes).map_err(|e| invalid("P-256", e))?;
        Ok(Self(PublicInner::P256(key)))
    }

    /// An RSA public key from PKCS#1 DER `RSAPublicKey` bytes.
    pub fn from_rsa_pkcs1_der(bytes: &[u8]) -> Result<Self, KeyError> {
        let key = rsa::RsaPublicKey::from_pkcs1_der(bytes).map_err(|e| invalid("RSA", e))?;
        check_rsa_size(key.n())?;
        Ok(Self(PublicInner::Rsa(Box::new(key))))
    }

    /// Reads a public JWK (`kty` OKP/Ed25519, EC/P-256 or RSA). A `d` member is ignored here; use
    /// [`KeyPair::from_jwk`] for private keys and [`crate::jws`] rejects header JWKs with `d`.
    pub fn from_jwk(jwk: &Value) -> Result<Self, KeyError> {
        let map = jwk
            .as_object()
            .ok_or_else(|| KeyError::InvalidJwk("not a JSON object".into()))?;
        match (jwk_str(map, "kty"), jwk_str(map, "crv")) {
            (Some("OKP"), Some("Ed25519")) => Self::from_ed25519_bytes(&jwk_bytes(map, "x")?),
            (Some("EC"), Some("P-256")) => {
                let x = jwk_bytes(map, "x")?;
                let y = jwk_bytes(map, "y")?;
                if x.len() != 32 || y.len() != 32 {
                    return Err(KeyError::InvalidJwk(
                        "P-256 x and y must be 32 bytes".into(),
                    ));
                }
                let mut sec1 = Vec::with_capacity(65);
                sec1.push(4);
                sec1.extend_from_slice(&x);
                sec1.extend_from_slice(&y);
                Self::from_p256_sec1(&sec1)
            }
            (Some("RSA"), _) => {
                let n = rsa::BigUint::from_bytes_be(&jwk_bytes(map, "n")?);
                let e = rsa::BigUint::from_bytes_be(&jwk_bytes(map, "e")?);
                check_rsa_size(&n)?;
                let key = rsa::RsaPublicKey::new(n, e).map_err(|e| invalid("RSA", e))?;
                Ok(Self(PublicInner::Rsa(Box::new(key))))
            }
            (kty, crv) => Err(KeyError::InvalidJwk(format!(
                "unsupported kty/crv {kty:?}/{crv:?} (OKP/Ed25519, EC/P-256, RSA)"
            ))),
        }
    }

    /// The public JWK (never with private members).
    #[must_use]
    pub fn to_jwk(&self) -> Value {
        match &self.0 {
            PublicInner::Ed25519(k) => {
                json!({"kty": "OKP", "crv": "Ed25519", "x": b64(k.as_bytes())})
            }
            PublicInner::P256(k) => {
                let point = k.to_encoded_point(false);
                let x = point.x().map(|x| b64(x)).unwrap_or_default();
                let y = point.y().map(|y| b64(y)).unwrap_or_default();
                json!({"kty": "EC", "crv": "P-256", "x": x, "y": y})
            }
            PublicInner::Rsa(k) => json!({
                "kty": "RSA",
                "n": b64(&k.n().to_bytes_be()),
                "e": b64(&k.e().to_bytes_be()),
            }),
        }
    }

    /// The Multikey `publicKeyMultibase` value (`z6Mk…` Ed25519, `zDn…` P-256, `z4MX…` RSA).
    #[must_use]
    pub fn to_multikey(&self) -> String {
        match &self.0 {
            PublicInner::Ed25519(k) => encode_multikey(Multicodec::Ed25519Pub, k.as_bytes()),
            PublicInner::P256(k) => {
                encode_multikey(Multicodec::P256Pub, k.to_encoded_point(true).as_bytes())
            }
            PublicInner::Rsa(k) => {
                let der = k
                    .to_pkcs1_der()
                    .map(|d| d.as_bytes().to_vec())
                    .unwrap_or_default();
                encode_multikey(Multicodec::RsaPub, &der)
            }
        }
    }

    /// Reads a Multikey `publicKeyMultibase` value.
    pub fn from_multikey(text: &str) -> Result<Self, KeyError> {
        let (codec, bytes) = decode_multikey(text)?;
        match codec {
            Multicodec::Ed25519Pub => Self::from_ed25519_bytes(&bytes),
            Multicodec::P256Pub => {
                if bytes.len() != 33 {
                    return Err(invalid(
                        "P-256",
                        "a p256-pub multikey is 33 compressed bytes",
                    ));
                }
                Self::from_p256_sec1(&bytes)
            }
            Multicodec::RsaPub => Self::from_rsa_pkcs1_der(&bytes),
            other => Err(KeyError::WrongMulticodec(other.name())),
        }
    }

    /// The did:key DID of this key (`did:key:<multikey>`). RSA keys use the `rsa-pub` multicodec
    /// over PKCS#1 DER, as the did:key method specification lists.
    #[must_use]
    pub fn did_key(&self) -> String {
        format!("did:key:{}", self.to_multikey())
    }

    /// The did:key verification method id (`did:key:<multikey>#<multikey>`).
    #[must_use]
    pub fn did_key_verification_method(&self) -> String {
        let mk = self.to_multikey();
        format!("did:key:{mk}#{mk}")
    }

    /// Whether `multikey` (a `publicKeyMultibase` value) encodes this key, without decoding a
    /// curve point.
    #[must_use]
    pub fn matches_multikey(&self, multikey: &str) -> bool {
        let Ok((codec, bytes)) = decode_multikey(multikey) else {
            return false;
        };
        match &self.0 {
            PublicInner::Ed25519(k) => codec == Multicodec::Ed25519Pub && bytes == k.as_bytes(),
            PublicInner::P256(k) => {
                codec == Multicodec::P256Pub && bytes == k.to_encoded_point(true).as_bytes()
            }
            PublicInner::Rsa(_) => codec == Multicodec::RsaPub && *multikey == self.to_multikey(),
        }
    }

    /// Raw Ed25519 public key bytes, if this is an Ed25519 key.
    #[must_use]
    pub fn ed25519_bytes(&self) -> Option<[u8; 32]> {
        match &self.0 {
            PublicInner::Ed25519(k) => Some(k.to_bytes()),
            _ => None,
        }
    }

    /// Reads a SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`) for P-256 or RSA, or an
    /// RSA PKCS#1 PEM (`-----BEGIN RSA PUBLIC KEY-----`), as Open Badges 2.0 CryptographicKey
    /// `publicKeyPem` values carry.
    pub fn from_public_key_pem(pem: &str) -> Result<Self, KeyError> {
        let pem = pem.trim();
        if pem.len() > 16 * 1024 {
            return Err(KeyError::InvalidPem("PEM over 16 KiB".into()));
        }
        if pem.starts_with("-----BEGIN RSA PUBLIC KEY-----") {
            let key = rsa::RsaPublicKey::from_pkcs1_pem(pem)
                .map_err(|e| KeyError::InvalidPem(e.to_string()))?;
            check_rsa_size(key.n())?;
            return Ok(Self(PublicInner::Rsa(Box::new(key))));
        }
        if let Ok(key) = rsa::RsaPublicKey::from_public_key_pem(pem) {
            check_rsa_size(key.n())?;
            return Ok(Self(PublicInner::Rsa(Box::new(key))));
        }
        match p256::ecdsa::VerifyingKey::from_public_key_pem(pem) {
            Ok(key) => Ok(Self(PublicInner::P256(key))),
            Err(e) => Err(KeyError::InvalidPem(format!(
                "neither an RSA nor a P-256 public key: {e}"
            ))),
        }
    }

    /// SubjectPublicKeyInfo PEM of a P-256 or RSA key.
    pub fn to_public_key_pem(&self) -> Result<String, KeyError> {
        let pem = match &self.0 {
            PublicInner::P256(k) => k.to_public_key_pem(LineEnding::LF),
            PublicInner::Rsa(k) => k.to_public_key_pem(LineEnding::LF),
            PublicInner::Ed25519(_) => {
                return Err(KeyError::Unsupported {
                    format: "PEM",
                    kind: "Ed25519",
                });
            }
        };
        pem.map_err(|e| KeyError::InvalidPem(e.to_string()))
    }

    /// Verifies `signature` over `message` with this key's algorithm ([`Self::algorithm`]).
    /// Ed25519 uses strict verification (no small-order keys, canonical `S`).
    #[must_use]
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match &self.0 {
            PublicInner::Ed25519(k) => {
                let Ok(sig) = ed25519_dalek::Signature::from_slice(signature) else {
                    return false;
                };
                // Exactly `verify_strict`'s verdict without its decompression of R: a signature
                // verifies only when R is the canonical encoding of the recomputed point, so
                // "R is of small order" is "R is one of the eight canonical small-order
                // encodings"; the key's order is checked by `is_weak`.
                if k.is_weak() || SMALL_ORDER_ENCODINGS.contains(sig.r_bytes()) {
                    return false;
                }
                k.verify(message, &sig).is_ok()
            }
            PublicInner::P256(k) => {
                if signature.len() != 64 {
                    return false;
                }
                // ring's P-256 verification (assembly field arithmetic) is several times faster
                // than the p256 crate's; both accept exactly the `r || s` with 0 < r, s < n that
                // verify, over an on-curve key (the p256 key here is already validated).
                let point = k.to_encoded_point(false);
                ring::signature::UnparsedPublicKey::new(
                    &ring::signature::ECDSA_P256_SHA256_FIXED,
                    point.as_bytes(),
                )
                .verify(message, signature)
                .is_ok()
            }
            PublicInner::Rsa(k) => {
                if signature.len() != k.size() {
                    return false;
                }
                let n = k.n().to_bytes_be();
                let e = k.e().to_bytes_be();
                if ring_accepts_rsa_key(&n, &e) {
                    // ring's RSASSA-PKCS1-v1_5 verification is several times faster than the
                    // rsa crate's; it checks the same encoding (SHA-256 DigestInfo, exact
                    // padding) for a modulus of 2048 to 8192 bits, as obi's own bounds.
                    ring::signature::RsaPublicKeyComponents { n, e }
                        .verify(
                            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                            message,
                            signature,
                        )
                        .is_ok()
                } else {
                    // Keys ring refuses but the rsa crate accepts (an even or tiny exponent, an
                    // even modulus): keep the rsa crate's verdict.
                    let Ok(sig) = rsa::pkcs1v15::Signature::try_from(signature) else {
                        return false;
                    };
                    let vk = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new((**k).clone());
                    vk.verify(message, &sig).is_ok()
                }
            }
        }
    }
}

/// The canonical encodings of the eight points of small order on edwards25519 (the identity, the
/// point of order 2, two of order 4 and four of order 8).
const SMALL_ORDER_ENCODINGS: [[u8; 32]; 8] = [
    [
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0,
    ],
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    [0; 32],
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0x80,
    ],
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ],
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x85,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0xfa,
    ],
];

/// Whether ring's RSA verification takes the key `(n, e)` (big-endian, no leading zeros): an
/// odd modulus of 2048 to 8192 bits and an odd exponent from 3 to 2^33 - 1.
fn ring_accepts_rsa_key(n: &[u8], e: &[u8]) -> bool {
    let odd = |b: &[u8]| b.last().is_some_and(|l| l & 1 == 1);
    let e_value = e
        .iter()
        .fold(0u64, |acc, &b| acc.saturating_mul(256) | u64::from(b));
    let n_bits = (n.len() * 8).saturating_sub(n.first().map_or(0, |b| b.leading_zeros() as usize));
    odd(n)
        && odd(e)
        && e.len() <= 5
        && (3..(1u64 << 33)).contains(&e_value)
        && (MIN_RSA_BITS..=MAX_RSA_BITS).contains(&n_bits)
}

/// A private key (with its public key). `Debug` never prints secret material.
pub struct KeyPair(SecretInner);

enum SecretInner {
    Ed25519(ed25519_dalek::SigningKey),
    P256(p256::ecdsa::SigningKey),
    /// The key, and the same key prepared for ring's signing (constant-time, about 4x faster
    /// than the `rsa` crate here); `None` only for a key ring refuses, signed with `rsa` then.
    Rsa(Box<rsa::RsaPrivateKey>, Option<Box<ring::rsa::KeyPair>>),
}

/// An RSA private key with its ring signing form ([`SecretInner::Rsa`]).
fn rsa_secret(key: rsa::RsaPrivateKey) -> SecretInner {
    let ring = ring_rsa_key_pair(&key).map(Box::new);
    SecretInner::Rsa(Box::new(key), ring)
}

fn ring_rsa_key_pair(key: &rsa::RsaPrivateKey) -> Option<ring::rsa::KeyPair> {
    let [p, q] = key.primes() else {
        return None;
    };
    let one = rsa::BigUint::from(1u8);
    let dp = key.d() % (p - &one);
    let dq = key.d() % (q - &one);
    let qi = key.crt_coefficient()?;
    let components = ring::rsa::KeyPairComponents {
        public_key: ring::rsa::PublicKeyComponents {
            n: key.n().to_bytes_be(),
            e: key.e().to_bytes_be(),
        },
        d: key.d().to_bytes_be(),
        p: p.to_bytes_be(),
        q: q.to_bytes_be(),
        dP: dp.to_bytes_be(),
        dQ: dq.to_bytes_be(),
        qInv: qi.to_bytes_be(),
    };
    ring::rsa::KeyPair::from_components(&components).ok()
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "KeyPair({}, public {})",
            self.key_type().name(),
            self.public_key().to_multikey()
        )
    }
}

impl KeyPair {
    /// Generates a new key from the operating system's random source (RSA: [`DEFAULT_RSA_BITS`]).
    pub fn generate(kind: KeyType) -> Result<Self, KeyError> {
        let mut rng = rand::rngs::OsRng;
        Ok(Self(match kind {
            KeyType::Ed25519 => SecretInner::Ed25519(ed25519_dalek::SigningKey::generate(&mut rng)),
            KeyType::P256 => SecretInner::P256(p256::ecdsa::SigningKey::random(&mut rng)),
            KeyType::Rsa => rsa_secret(
                rsa::RsaPrivateKey::new(&mut rng, DEFAULT_RSA_BITS)
                    .map_err(|e| invalid("RSA", e))?,
            ),
        }))
    }

    /// An Ed25519 key from its 32-byte secret seed.
    #[must_use]
    pub fn ed25519_from_seed(seed: &[u8; 32]) -> Self {
        Self(SecretInner::Ed25519(ed25519_dalek::SigningKey::from_bytes(
            seed,
        )))
    }

    /// A P-256 key from its 32-byte secret scalar.
    pub fn p256_from_scalar(scalar: &[u8]) -> Result<Self, KeyError> {
        let raw = to32(scalar, "P-256")?;
        let key = p256::ecdsa::SigningKey::from_slice(&raw).map_err(|e| invalid("P-256", e))?;
        Ok(Self(SecretInner::P256(key)))
    }

    /// The key type.
    #[must_use]
    pub fn key_type(&self) -> KeyType {
        match &self.0 {
            SecretInner::Ed25519(_) => KeyType::Ed25519,
            SecretInner::P256(_) => KeyType::P256,
            SecretInner::Rsa(..) => KeyType::Rsa,
        }
    }

    /// The public half.
    #[must_use]
    pub fn public_key(&self) -> PublicKey {
        PublicKey(match &self.0 {
            SecretInner::Ed25519(k) => PublicInner::Ed25519(k.verifying_key()),
            SecretInner::P256(k) => PublicInner::P256(*k.verifying_key()),
            SecretInner::Rsa(k, _) => PublicInner::Rsa(Box::new(k.to_public_key())),
        })
    }

    /// Reads a private JWK (with `d`; RSA also needs `p` and `q`).
    pub fn from_jwk(jwk: &Value) -> Result<Self, KeyError> {
        let map = jwk
            .as_object()
            .ok_or_else(|| KeyError::InvalidJwk("not a JSON object".into()))?;
        if !map.contains_key("d") {
            return Err(KeyError::NoPrivateKey);
        }
        let public = PublicKey::from_jwk(jwk)?;
        let d = jwk_bytes(map, "d")?;
        let pair = match public.0 {
            PublicInner::Ed25519(_) => Self::ed25519_from_seed(&to32(&d, "Ed25519")?),
            PublicInner::P256(_) => Self::p256_from_scalar(&d)?,
            PublicInner::Rsa(ref k) => {
                let p = rsa::BigUint::from_bytes_be(&jwk_bytes(map, "p")?);
                let q = rsa::BigUint::from_bytes_be(&jwk_bytes(map, "q")?);
                let d = rsa::BigUint::from_bytes_be(&d);
                let mut key = rsa::RsaPrivateKey::from_components(
                    k.n().clone(),
                    k.e().clone(),
                    d,
                    vec![p, q],
                )
                .map_err(|e| invalid("RSA", e))?;
                key.validate().map_err(|e| invalid("RSA", e))?;
                key.precompute().map_err(|e| invalid("RSA", e))?;
                Self(rsa_secret(key))
            }
        };
        if pair.public_key() != public {
            return Err(KeyError::InvalidJwk(
                "the private key does not match the public members".into(),
            ));
        }
        Ok(pair)
    }

    /// The private JWK (includes `d`: store it 0600, never print it unless asked).
    #[must_use]
    pub fn to_private_jwk(&self) -> Value {
        let mut jwk = self.public_key().to_jwk();
        if let Some(map) = jwk.as_object_mut() {
            match &self.0 {
                SecretInner::Ed25519(k) => {
                    map.insert("d".into(), Value::String(b64(&k.to_bytes())));
                }
                SecretInner::P256(k) => {
                    map.insert("d".into(), Value::String(b64(&k.to_bytes())));
                }
                SecretInner::Rsa(k, _) => {
                    map.insert("d".into(), Value::String(b64(&k.d().to_bytes_be())));
                    if let [p, q, ..] = k.primes() {
                        let one = rsa::BigUint::from(1u8);
                        let dp = k.d() % (p - &one);
                        let dq = k.d() % (q - &one);
                        map.insert("p".into(), Value::String(b64(&p.to_bytes_be())));
                        map.insert("q".into(), Value::String(b64(&q.to_bytes_be())));
                        map.insert("dp".into(), Value::String(b64(&dp.to_bytes_be())));
                        map.insert("dq".into(), Value::String(b64(&dq.to_bytes_be())));
                        if let Some(qi) = k.crt_coefficient() {
                            map.insert("qi".into(), Value::String(b64(&qi.to_bytes_be())));
                        }
                    }
                }
            }
        }
        jwk
    }

    /// The secret Multikey (`ed25519-priv` / `p256-priv`); RSA has none.
    pub fn to_private_multikey(&self) -> Result<String, KeyError> {
        match &self.0 {
            SecretInner::Ed25519(k) => Ok(encode_multikey(Multicodec::Ed25519Priv, &k.to_bytes())),
            SecretInner::P256(k) => Ok(encode_multikey(Multicodec::P256Priv, &k.to_bytes())),
            SecretInner::Rsa(..) => Err(KeyError::Unsupported {
                format: "secret Multikey",
                kind: "RSA",
            }),
        }
    }

    /// Reads a secret Multikey (`ed25519-priv`, 32-byte seed or 64-byte seed || public key; or
    /// `p256-priv`).
    pub fn from_private_multikey(text: &str) -> Result<Self, KeyError> {
        let (codec, bytes) = decode_multikey(text)?;
        match codec {
            Multicodec::Ed25519Priv if bytes.len() == 64 => {
                // Some libraries (Digital Bazaar) write seed || public key.
                let (seed, public) = bytes.split_at(32);
                let pair = Self::ed25519_from_seed(&to32(seed, "Ed25519")?);
                if pair.public_key().ed25519_bytes().as_ref().map(|b| &b[..]) != Some(public) {
                    return Err(invalid(
                        "Ed25519",
                        "the secret key's public half does not match",
                    ));
                }
                Ok(pair)
            }
            Multicodec::Ed25519Priv => Ok(Self::ed25519_from_seed(&to32(&bytes, "Ed25519")?)),
            Multicodec::P256Priv => Self::p256_from_scalar(&bytes),
            other => Err(KeyError::WrongMulticodec(other.name())),
        }
    }
}

impl Signer for KeyPair {
    fn algorithm(&self) -> Algorithm {
        self.key_type().algorithm()
    }

    fn public_key(&self) -> PublicKey {
        KeyPair::public_key(self)
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        match &self.0 {
            SecretInner::Ed25519(k) => {
                use ed25519_dalek::Signer as _;
                Ok(k.sign(message).to_bytes().to_vec())
            }
            SecretInner::P256(k) => {
                let sig: p256::ecdsa::Signature = k
                    .try_sign(message)
                    .map_err(|e| KeyError::Signing(e.to_string()))?;
                Ok(sig.to_bytes().to_vec())
            }
            SecretInner::Rsa(_, Some(ring_key)) => {
                let mut sig = vec![0; ring_key.public().modulus_len()];
                ring_key
                    .sign(
                        &ring::signature::RSA_PKCS1_SHA256,
                        &ring::rand::SystemRandom::new(),
                        message,
                        &mut sig,
                    )
                    .map_err(|e| KeyError::Signing(e.to_string()))?;
                Ok(sig)
            }
            SecretInner::Rsa(k, None) => {
                let sk = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new((**k).clone());
                let sig = sk
                    .try_sign(message)
                    .map_err(|e| KeyError::Signing(e.to_string()))?;
                Ok(sig.to_vec())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsa_signatures_from_ring_and_from_the_rsa_crate_are_identical() {
        // RSASSA-PKCS1-v1_5 is deterministic: ring's signing path must give the `rsa` crate's
        // bytes, and both must verify.
        let pair = KeyPair::generate(KeyType::Rsa).unwrap();
        let SecretInner::Rsa(key, ring_key) = &pair.0 else {
            panic!("not RSA")
        };
        assert!(ring_key.is_some(), "ring refused a generated key");
        let fallback = KeyPair(SecretInner::Rsa(key.clone(), None));
        let message = b"header.payload";
        let a = pair.sign(message).unwrap();
        let b = fallback.sign(message).unwrap();
        assert_eq!(a, b);
        assert!(pair.public_key().verify(message, &a));
        let reread = KeyPair::from_jwk(&pair.to_private_jwk()).unwrap();
        assert_eq!(reread.sign(message).unwrap(), a);
    }

    #[test]
    fn small_order_encodings_are_the_eight_small_order_points() {
        // There are exactly eight points of small order, each with one canonical encoding: eight
        // distinct canonical encodings of weak points are all of them.
        for (i, e) in SMALL_ORDER_ENCODINGS.iter().enumerate() {
            let k = ed25519_dalek::VerifyingKey::from_bytes(e).unwrap();
            assert!(k.is_weak(), "{i}");
            assert_eq!(k.as_bytes(), e, "{i} is canonical");
            assert!(!SMALL_ORDER_ENCODINGS[..i].contains(e), "{i} is distinct");
        }
        let real = KeyPair::generate(KeyType::Ed25519).unwrap().public_key();
        let raw = real.ed25519_bytes().unwrap();
        assert!(!SMALL_ORDER_ENCODINGS.contains(&raw));
    }

    #[test]
    fn ed25519_verification_is_strict() {
        // The identity key with R = identity and S = 0 verifies every message under the
        // cofactorless equation; strict verification refuses it.
        let identity = PublicKey::from_ed25519_bytes(&SMALL_ORDER_ENCODINGS[0]).unwrap();
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&SMALL_ORDER_ENCODINGS[0]);
        let dalek = ed25519_dalek::VerifyingKey::from_bytes(&SMALL_ORDER_ENCODINGS[0]).unwrap();
        let s = ed25519_dalek::Signature::from_bytes(&sig);
        assert!(dalek.verify(b"any message", &s).is_ok());
        assert!(dalek.verify_strict(b"any message", &s).is_err());
        assert!(!identity.verify(b"any message", &sig));
        // Every small-order R is refused, whatever the key.
        let pair = KeyPair::generate(KeyType::Ed25519).unwrap();
        let good = pair.sign(b"m").unwrap();
        assert!(pair.public_key().verify(b"m", &good));
        for r in SMALL_ORDER_ENCODINGS {
            let mut bad = good.clone();
            bad[..32].copy_from_slice(&r);
            assert!(!pair.public_key().verify(b"m", &bad));
        }
        // An S above the group order (top bit set) is refused.
        let mut high = good.clone();
        high[63] |= 0x80;
        assert!(!pair.public_key().verify(b"m", &high));
    }

    #[test]
    fn ring_rsa_key_bounds() {
        let mut n = vec![0xffu8; 256];
        let e = [1u8, 0, 1];
        assert!(ring_accepts_rsa_key(&n, &e));
        assert!(!ring_accepts_rsa_key(&n, &[4]));
        assert!(!ring_accepts_rsa_key(&n, &[1]));
        assert!(ring_accepts_rsa_key(&n, &[3]));
        assert!(!ring_accepts_rsa_key(&n, &[2, 0, 0, 0, 1]));
        assert!(!ring_accepts_rsa_key(&n, &[1, 0, 0, 0, 0, 1]));
        assert!(!ring_accepts_rsa_key(&[], &e));
        assert!(!ring_accepts_rsa_key(&n[..255], &e));
        n[255] = 0xfe;
        assert!(!ring_accepts_rsa_key(&n, &e));
    }

    #[test]
    fn rsa_and_p256_verify_agree_with_rustcrypto() {
        use rsa::signature::Verifier as _;
        let msg = b"agreement";
        let rsa = KeyPair::generate(KeyType::Rsa).unwrap();
        let sig = rsa.sign(msg).unwrap();
        let public = rsa.public_key();
        let PublicInner::Rsa(k) = &public.0 else {
            panic!("not RSA")
        };
        let rc = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new((**k).clone());
        let check = |m: &[u8], s: &[u8]| {
            let theirs =
                rsa::pkcs1v15::Signature::try_from(s).is_ok_and(|s| rc.verify(m, &s).is_ok());
            assert_eq!(public.verify(m, s), theirs);
            theirs
        };
        assert!(check(msg, &sig));
        assert!(!check(b"other", &sig));
        let mut bad = sig.clone();
        bad[100] ^= 1;
        assert!(!check(msg, &bad));
        assert!(!check(msg, &sig[1..]));
        assert!(!check(msg, &[0xff; 256]));

        let p = KeyPair::generate(KeyType::P256).unwrap();
        let sig = p.sign(msg).unwrap();
        let public = p.public_key();
        let PublicInner::P256(k) = &public.0 else {
            panic!("not P-256")
        };
        let check = |m: &[u8], s: &[u8]| {
            let theirs = p256::ecdsa::Signature::from_slice(s)
                .is_ok_and(|s| p256::ecdsa::signature::Verifier::verify(k, m, &s).is_ok());
            assert_eq!(public.verify(m, s), theirs);
            theirs
        };
        assert!(check(msg, &sig));
        assert!(!check(b"other", &sig));
        let mut bad = sig.clone();
        bad[40] ^= 1;
        assert!(!check(msg, &bad));
        assert!(!check(msg, &[0; 64]));
        assert!(!check(msg, &[0xff; 64]));
    }

    #[test]
    fn vector_key_pair() {
        let pair =
            KeyPair::from_private_multikey("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
                .unwrap();
        assert_eq!(
            pair.public_key().to_multikey(),
            "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
        );
        assert_eq!(
            pair.to_private_multikey().unwrap(),
            "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
        );
    }

    #[test]
    fn digital_bazaar_secret_multikey() {
        let pair = KeyPair::from_private_multikey(
            "zruzdu1ot9nb4GJvVvUbeYynyRzDgp6tvyXbMYGBrMU3EZst7UFwpoAWreUkDtyacnqGbJFkoUcWkEcNZKbr6apLGN4",
        )
        .unwrap();
        assert_eq!(
            pair.public_key().to_multikey(),
            "z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG"
        );
    }

    #[test]
    fn round_trips() {
        for kind in [KeyType::Ed25519, KeyType::P256] {
            let pair = KeyPair::generate(kind).unwrap();
            let public = pair.public_key();
            let jwk = pair.to_private_jwk();
            let back = KeyPair::from_jwk(&jwk).unwrap();
            assert_eq!(back.public_key(), public);
            assert_eq!(PublicKey::from_jwk(&public.to_jwk()).unwrap(), public);
            assert_eq!(
                PublicKey::from_multikey(&public.to_multikey()).unwrap(),
                public
            );
            let sk = KeyPair::from_private_multikey(&pair.to_private_multikey().unwrap()).unwrap();
            assert_eq!(sk.public_key(), public);
            let sig = pair.sign(b"msg").unwrap();
            assert!(public.verify(b"msg", &sig));
            assert!(!public.verify(b"msh", &sig));
            assert!(public.to_jwk().get("d").is_none());
        }
        let p256 = KeyPair::generate(KeyType::P256).unwrap().public_key();
        assert!(p256.to_multikey().starts_with("zDn"));
        let pem = p256.to_public_key_pem().unwrap();
        assert_eq!(PublicKey::from_public_key_pem(&pem).unwrap(), p256);
    }

    #[test]
    fn rejects() {
        assert!(PublicKey::from_jwk(&json!({"kty": "oct", "k": "AA"})).is_err());
        assert!(
            PublicKey::from_jwk(&json!({"kty": "OKP", "crv": "Ed25519", "x": "AAAA"})).is_err()
        );
        assert!(matches!(
            PublicKey::from_multikey("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"),
            Err(KeyError::WrongMulticodec(_))
        ));
        let small = json!({"kty": "RSA", "n": b64(&[0xc1; 128]), "e": "AQAB"});
        assert!(matches!(
            PublicKey::from_jwk(&small),
            Err(KeyError::RsaSize { .. })
        ));
        let public_only = KeyPair::generate(KeyType::Ed25519)
            .unwrap()
            .public_key()
            .to_jwk();
        assert!(matches!(
            KeyPair::from_jwk(&public_only),
            Err(KeyError::NoPrivateKey)
        ));
    }
}
