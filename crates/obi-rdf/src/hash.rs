//! A fast keyed hasher for short-lived maps: the blank node tables of one canonicalization
//! (here) and the node map of one JSON-LD toRdf conversion (obi-ld). Not for long-lived maps
//! keyed by attacker input across requests.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

/// Word-at-a-time multiply-rotate mixing with a per-map random seed (from std's
/// `RandomState`), so collisions cannot be planned in advance as with an unkeyed hash.
#[derive(Clone, Copy)]
pub struct FastHash {
    seed: u64,
}

impl Default for FastHash {
    fn default() -> Self {
        Self {
            seed: std::collections::hash_map::RandomState::new().hash_one(0x5eed_u64),
        }
    }
}

/// The hasher [`FastHash`] builds.
pub struct FastHasher {
    hash: u64,
}

const MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;

impl FastHasher {
    fn mix(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(23) ^ word).wrapping_mul(MULTIPLIER);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.mix(i as u64);
    }

    fn finish(&self) -> u64 {
        // Final avalanche so the low bits hashbrown uses depend on every input bit.
        let h = self.hash ^ (self.hash >> 32);
        h.wrapping_mul(MULTIPLIER) ^ (h >> 29)
    }
}

impl BuildHasher for FastHash {
    type Hasher = FastHasher;
    fn build_hasher(&self) -> FastHasher {
        FastHasher { hash: self.seed }
    }
}

/// A `HashMap` with [`FastHash`].
pub type FastMap<K, V> = HashMap<K, V, FastHash>;
