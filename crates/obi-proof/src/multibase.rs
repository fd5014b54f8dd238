//! Multibase base58btc (`z…`) and the multicodec prefixes obi uses.
//!
//! Strict: only the base58btc prefix `z`, only the Bitcoin alphabet (no whitespace, no padding),
//! lengths capped by [`MAX_MULTIBASE_CHARS`]. Base58 has one encoding per byte string, so an
//! accepted value is always the canonical one.

use crate::error::MultibaseError;

/// Longest multibase string accepted (8 KiB): far above any key or signature obi handles
/// (an RSA-8192 public key is about 1.4 KB in base58).
pub const MAX_MULTIBASE_CHARS: usize = 8 * 1024;

/// A multicodec prefix (the unsigned-varint encoding of the code), as used in Multikey and did:key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Multicodec {
    /// `ed25519-pub` (0xed): 32-byte Ed25519 public key.
    Ed25519Pub,
    /// `p256-pub` (0x1200): 33-byte SEC1 compressed P-256 public key.
    P256Pub,
    /// `rsa-pub` (0x1205): PKCS#1 DER `RSAPublicKey`.
    RsaPub,
    /// `ed25519-priv` (0x1300): 32-byte Ed25519 secret seed.
    Ed25519Priv,
    /// `p256-priv` (0x1306): 32-byte P-256 secret scalar.
    P256Priv,
}

impl Multicodec {
    /// The varint bytes of this code.
    #[must_use]
    pub const fn prefix(self) -> &'static [u8] {
        match self {
            Self::Ed25519Pub => &[0xed, 0x01],
            Self::P256Pub => &[0x80, 0x24],
            Self::RsaPub => &[0x85, 0x24],
            Self::Ed25519Priv => &[0x80, 0x26],
            Self::P256Priv => &[0x86, 0x26],
        }
    }

    /// The multicodec table name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Ed25519Pub => "ed25519-pub",
            Self::P256Pub => "p256-pub",
            Self::RsaPub => "rsa-pub",
            Self::Ed25519Priv => "ed25519-priv",
            Self::P256Priv => "p256-priv",
        }
    }

    const ALL: [Self; 5] = [
        Self::Ed25519Pub,
        Self::P256Pub,
        Self::RsaPub,
        Self::Ed25519Priv,
        Self::P256Priv,
    ];

    /// Splits `bytes` into its known multicodec and the rest.
    pub fn split(bytes: &[u8]) -> Result<(Self, &[u8]), MultibaseError> {
        for codec in Self::ALL {
            if let Some(rest) = bytes.strip_prefix(codec.prefix()) {
                return Ok((codec, rest));
            }
        }
        Err(MultibaseError::UnknownMulticodec(
            bytes.iter().take(2).map(|b| format!("{b:02x}")).collect(),
        ))
    }
}

/// Encodes bytes as multibase base58btc (`z` + base58 with the Bitcoin alphabet).
#[must_use]
pub fn encode_base58btc(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(1 + bytes.len() * 138 / 100 + 1);
    out.push('z');
    out.push_str(&bs58::encode(bytes).into_string());
    out
}

/// Decodes a multibase base58btc string strictly (prefix `z`, canonical, at most
/// [`MAX_MULTIBASE_CHARS`] characters).
pub fn decode_base58btc(text: &str) -> Result<Vec<u8>, MultibaseError> {
    if text.len() > MAX_MULTIBASE_CHARS {
        return Err(MultibaseError::TooLong {
            len: text.len(),
            max: MAX_MULTIBASE_CHARS,
        });
    }
    let Some(body) = text.strip_prefix('z') else {
        return Err(MultibaseError::UnsupportedBase(
            text.chars().next().map_or_else(String::new, String::from),
        ));
    };
    if body.is_empty() {
        return Err(MultibaseError::Empty);
    }
    // Base58 has exactly one encoding per byte string (leading '1's are the leading zero bytes,
    // the rest is a big-endian number without leading zero digits), so every string that decodes
    // is canonical; the `round_trip` property test checks it.
    bs58::decode(body)
        .into_vec()
        .map_err(|e| MultibaseError::InvalidBase58(e.to_string()))
}

/// Encodes `key` with the multicodec prefix, as multibase base58btc (a Multikey value).
#[must_use]
pub fn encode_multikey(codec: Multicodec, key: &[u8]) -> String {
    let mut bytes = Vec::with_capacity(codec.prefix().len() + key.len());
    bytes.extend_from_slice(codec.prefix());
    bytes.extend_from_slice(key);
    encode_base58btc(&bytes)
}

/// Decodes a Multikey value into its multicodec and key bytes.
pub fn decode_multikey(text: &str) -> Result<(Multicodec, Vec<u8>), MultibaseError> {
    let bytes = decode_base58btc(text)?;
    let (codec, rest) = Multicodec::split(&bytes)?;
    Ok((codec, rest.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_key() {
        let (codec, key) =
            decode_multikey("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2").unwrap();
        assert_eq!(codec, Multicodec::Ed25519Pub);
        assert_eq!(key.len(), 32);
        let (codec, key) =
            decode_multikey("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq").unwrap();
        assert_eq!(codec, Multicodec::Ed25519Priv);
        assert_eq!(key.len(), 32);
    }

    #[test]
    fn rejects() {
        assert!(matches!(
            decode_base58btc("f00"),
            Err(MultibaseError::UnsupportedBase(_))
        ));
        assert!(matches!(decode_base58btc("z"), Err(MultibaseError::Empty)));
        assert!(matches!(
            decode_base58btc("z0OIl"),
            Err(MultibaseError::InvalidBase58(_))
        ));
        assert!(matches!(
            decode_base58btc(""),
            Err(MultibaseError::UnsupportedBase(_))
        ));
        let long = format!("z{}", "2".repeat(MAX_MULTIBASE_CHARS));
        assert!(matches!(
            decode_base58btc(&long),
            Err(MultibaseError::TooLong { .. })
        ));
        assert!(matches!(
            decode_multikey("z111"),
            Err(MultibaseError::UnknownMulticodec(_))
        ));
    }

    proptest! {
        #[test]
        fn round_trip(bytes in proptest::collection::vec(any::<u8>(), 1..200)) {
            let text = encode_base58btc(&bytes);
            prop_assert_eq!(decode_base58btc(&text).unwrap(), bytes);
        }

        #[test]
        fn decoded_values_are_canonical(body in "[1-9A-HJ-NP-Za-km-z]{1,60}") {
            let text = format!("z{body}");
            let bytes = decode_base58btc(&text).unwrap();
            prop_assert_eq!(encode_base58btc(&bytes), text);
        }

        #[test]
        fn never_panics(text in "\\PC{0,80}") {
            let _ = decode_multikey(&text);
        }
    }
}
