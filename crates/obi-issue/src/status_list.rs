//! W3C Bitstring Status List v1.0: the bitstring, its GZIP + base64url multibase encoding and
//! the `BitstringStatusListCredential`.
//! <https://www.w3.org/TR/vc-bitstring-status-list/>

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{IssueError, Result};

/// The minimum length of a status list (131,072 entries, 16 KiB), for group privacy
/// (Bitstring Status List §6.1).
pub const MIN_STATUS_LIST_LENGTH: usize = 131_072;

/// Largest encoded list accepted by [`StatusList::decode`] (characters).
pub const MAX_ENCODED_LIST_CHARS: usize = 16 * 1024 * 1024;

/// Largest decompressed list accepted by [`StatusList::decode`] (bytes, 128 Mi entries).
pub const MAX_DECODED_LIST_BYTES: usize = 16 * 1024 * 1024;

/// A bitstring of status entries; entry 0 is the most significant bit of the first byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusList {
    bits: Vec<u8>,
}

impl StatusList {
    /// A list of `length` entries (rounded up to whole bytes, at least
    /// [`MIN_STATUS_LIST_LENGTH`]), all unset.
    #[must_use]
    pub fn new(length: usize) -> Self {
        let length = length.max(MIN_STATUS_LIST_LENGTH);
        Self {
            bits: vec![0; length.div_ceil(8)],
        }
    }

    /// The number of entries.
    #[must_use]
    pub fn len(&self) -> usize {
        self.bits.len() * 8
    }

    /// Whether the list has no entries (never, for lists built by [`StatusList::new`]).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.bits.is_empty()
    }

    /// Sets entry `index` to `value`.
    ///
    /// # Errors
    /// [`IssueError::Input`] when `index` is out of range.
    pub fn set(&mut self, index: usize, value: bool) -> Result<()> {
        let len = self.len();
        let byte = self.bits.get_mut(index / 8).ok_or_else(|| {
            IssueError::Input(format!(
                "status index {index} is outside the {len}-entry list"
            ))
        })?;
        let mask = 0x80u8 >> (index % 8);
        if value {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
        Ok(())
    }

    /// Entry `index`, or `None` when out of range.
    #[must_use]
    pub fn get(&self, index: usize) -> Option<bool> {
        self.bits
            .get(index / 8)
            .map(|b| b & (0x80u8 >> (index % 8)) != 0)
    }

    /// The `encodedList`: GZIP (RFC 1952), then base64url without padding, with the multibase
    /// prefix `u`.
    #[must_use]
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(64);
        out.push('u');
        URL_SAFE_NO_PAD.encode_string(gzip(&self.bits), &mut out);
        out
    }

    /// Decodes an `encodedList` (multibase `u` base64url, GZIP).
    ///
    /// # Errors
    /// [`IssueError::Input`] on a bad encoding; [`IssueError::Limit`] past
    /// [`MAX_ENCODED_LIST_CHARS`] or [`MAX_DECODED_LIST_BYTES`].
    pub fn decode(encoded: &str) -> Result<Self> {
        if encoded.len() > MAX_ENCODED_LIST_CHARS {
            return Err(IssueError::Limit(format!(
                "encodedList exceeds MAX_ENCODED_LIST_CHARS ({MAX_ENCODED_LIST_CHARS})"
            )));
        }
        let body = encoded
            .strip_prefix('u')
            .ok_or_else(|| IssueError::Input("encodedList lacks the multibase prefix u".into()))?;
        let gz = URL_SAFE_NO_PAD
            .decode(body.trim_end_matches('='))
            .map_err(|e| IssueError::Input(format!("encodedList is not base64url: {e}")))?;
        let bits = gunzip(&gz)?;
        Ok(Self { bits })
    }
}

/// GZIP (RFC 1952) of `data`: fixed 10-byte header, raw DEFLATE, CRC-32 and ISIZE.
fn gzip(data: &[u8]) -> Vec<u8> {
    let deflated = miniz_oxide::deflate::compress_to_vec(data, 6);
    let mut out = Vec::with_capacity(deflated.len() + 18);
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    out.extend_from_slice(&deflated);
    out.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
    #[allow(clippy::cast_possible_truncation)] // ISIZE is the length modulo 2^32 (RFC 1952)
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

fn gunzip(gz: &[u8]) -> Result<Vec<u8>> {
    let bad = |m: &str| IssueError::Input(format!("encodedList is not GZIP: {m}"));
    if gz.len() < 18 || gz[..3] != [0x1f, 0x8b, 8] {
        return Err(bad("missing header"));
    }
    let flags = gz[3];
    let mut pos = 10usize;
    if flags & 0x04 != 0 {
        let xlen = gz
            .get(pos..pos + 2)
            .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])))
            .ok_or_else(|| bad("truncated FEXTRA"))?;
        pos += 2 + xlen;
    }
    for flag in [0x08u8, 0x10] {
        if flags & flag != 0 {
            let end = gz
                .get(pos..)
                .and_then(|rest| rest.iter().position(|&b| b == 0))
                .ok_or_else(|| bad("unterminated name or comment"))?;
            pos += end + 1;
        }
    }
    if flags & 0x02 != 0 {
        pos += 2;
    }
    let body = gz
        .get(pos..gz.len().saturating_sub(8))
        .ok_or_else(|| bad("truncated"))?;
    let out = miniz_oxide::inflate::decompress_to_vec_with_limit(body, MAX_DECODED_LIST_BYTES)
        .map_err(|e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => IssueError::Limit(format!(
                "decoded status list exceeds MAX_DECODED_LIST_BYTES ({MAX_DECODED_LIST_BYTES})"
            )),
            status => bad(&format!("{status:?}")),
        })?;
    let trailer = &gz[gz.len() - 8..];
    if trailer[..4] != crc32fast::hash(&out).to_le_bytes() {
        return Err(bad("CRC-32 mismatch"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // tests
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn encode_decode_roundtrip(indexes in proptest::collection::vec(0usize..MIN_STATUS_LIST_LENGTH, 0..64)) {
            let mut list = StatusList::new(MIN_STATUS_LIST_LENGTH);
            for &i in &indexes {
                list.set(i, true).unwrap();
            }
            let decoded = StatusList::decode(&list.encode()).unwrap();
            prop_assert_eq!(&decoded, &list);
            for i in indexes {
                prop_assert_eq!(decoded.get(i), Some(true));
            }
        }

        #[test]
        fn decode_never_panics(text in "u[A-Za-z0-9_-]{0,200}") {
            let _ = StatusList::decode(&text);
        }
    }

    #[test]
    fn bit_order_is_msb_first() {
        let mut list = StatusList::new(0);
        list.set(0, true).unwrap();
        list.set(9, true).unwrap();
        assert_eq!(list.bits[0], 0x80);
        assert_eq!(list.bits[1], 0x40);
        list.set(0, false).unwrap();
        assert_eq!(list.get(0), Some(false));
    }
}
