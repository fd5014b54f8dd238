//! Private keys at rest: sealed with ChaCha20-Poly1305 under a 32-byte key from configuration.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};

/// Sealing failed or a sealed value is damaged or was sealed under another key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// The master key is not 32 bytes of base64.
    #[error("the key encryption key must be 32 bytes, base64 encoded")]
    BadMasterKey,
    /// The sealed value is not `v1:` + base64, or authentication failed.
    #[error("sealed key is damaged or was sealed under another key encryption key")]
    Open,
    /// Encryption failed.
    #[error("sealing failed")]
    Seal,
}

/// Seals and opens secrets; the key never appears in `Debug` output.
#[derive(Clone)]
pub struct KeySealer {
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for KeySealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeySealer(..)")
    }
}

impl KeySealer {
    /// From raw key bytes.
    #[must_use]
    pub fn new(key: &[u8; 32]) -> Self {
        Self {
            cipher: ChaCha20Poly1305::new(&Key::from(*key)),
        }
    }

    /// From base64 (padded or not) of 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self, SealError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .or_else(|_| B64.decode(text.trim()))
            .map_err(|_| SealError::BadMasterKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| SealError::BadMasterKey)?;
        Ok(Self::new(&key))
    }

    /// A fresh random key as base64.
    #[must_use]
    pub fn generate_base64() -> String {
        let key = ChaCha20Poly1305::generate_key(&mut OsRng);
        base64::engine::general_purpose::STANDARD.encode(key)
    }

    /// `v1:` + base64(nonce ‖ ciphertext); `context` (the issuer id) is bound as associated data,
    /// so a sealed key copied to another issuer's row does not open.
    pub fn seal(&self, plaintext: &[u8], context: &str) -> Result<String, SealError> {
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ct = self
            .cipher
            .encrypt(
                &nonce,
                chacha20poly1305::aead::Payload {
                    msg: plaintext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| SealError::Seal)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(format!("v1:{}", B64.encode(out)))
    }

    /// Opens what [`KeySealer::seal`] made with the same `context`.
    pub fn open(&self, sealed: &str, context: &str) -> Result<Vec<u8>, SealError> {
        let b = sealed.strip_prefix("v1:").ok_or(SealError::Open)?;
        let bytes = B64.decode(b).map_err(|_| SealError::Open)?;
        if bytes.len() < 12 {
            return Err(SealError::Open);
        }
        let (nonce, ct) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| SealError::Open)?;
        self.cipher
            .decrypt(
                &Nonce::from(nonce),
                chacha20poly1305::aead::Payload {
                    msg: ct,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| SealError::Open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let s = KeySealer::from_base64(&KeySealer::generate_base64()).unwrap();
        let sealed = s.seal(b"secret", "a").unwrap();
        assert!(!sealed.contains("secret"));
        assert_eq!(s.open(&sealed, "a").unwrap(), b"secret");
        assert!(s.open(&sealed, "b").is_err());
        let other = KeySealer::from_base64(&KeySealer::generate_base64()).unwrap();
        assert!(other.open(&sealed, "a").is_err());
        assert!(s.open("v1:AAAA", "a").is_err());
        assert!(KeySealer::from_base64("c2hvcnQ=").is_err());
    }
}
