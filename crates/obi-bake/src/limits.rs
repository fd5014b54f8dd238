//! Resource limits for every parser in this crate.

/// Largest chunk length the PNG specification allows (2^31 - 1).
pub const PNG_MAX_CHUNK_LEN: u32 = 0x7FFF_FFFF;
/// Default [`Limits::max_text_len`]: 16 MiB.
pub const DEFAULT_MAX_TEXT_LEN: u32 = 16 * 1024 * 1024;
/// Default [`Limits::max_chunks`]: one million chunks.
pub const DEFAULT_MAX_CHUNKS: u64 = 1_000_000;
/// Default [`Limits::max_decompressed_len`]: 16 MiB.
pub const DEFAULT_MAX_DECOMPRESSED_LEN: usize = 16 * 1024 * 1024;
/// Default [`Limits::max_svg_len`]: 32 MiB.
pub const DEFAULT_MAX_SVG_LEN: usize = 32 * 1024 * 1024;
/// Default [`Limits::max_svg_depth`]: 256 nested elements.
pub const DEFAULT_MAX_SVG_DEPTH: usize = 256;

/// Caps on what a bake or unbake reads. Errors name the field that was exceeded.
///
/// Unbaking never holds more than one badge chunk in memory, so these bound memory use
/// whatever the image size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest declared PNG chunk length accepted (any chunk). Default: the PNG maximum, 2^31 - 1.
    pub max_chunk_len: u32,
    /// Largest badge text chunk (`tEXt`/`iTXt`/`zTXt` with a badge keyword) read into memory.
    pub max_text_len: u32,
    /// Most PNG chunks read before giving up.
    pub max_chunks: u64,
    /// Largest inflated size of a compressed text chunk (PNG bombs stop here).
    pub max_decompressed_len: usize,
    /// Largest SVG document, in bytes.
    pub max_svg_len: usize,
    /// Deepest SVG element nesting.
    pub max_svg_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self::new()
    }
}

impl Limits {
    /// The default limits.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            max_chunk_len: PNG_MAX_CHUNK_LEN,
            max_text_len: DEFAULT_MAX_TEXT_LEN,
            max_chunks: DEFAULT_MAX_CHUNKS,
            max_decompressed_len: DEFAULT_MAX_DECOMPRESSED_LEN,
            max_svg_len: DEFAULT_MAX_SVG_LEN,
            max_svg_depth: DEFAULT_MAX_SVG_DEPTH,
        }
    }

    /// Sets [`Limits::max_chunk_len`] (capped at the PNG maximum).
    #[must_use]
    pub const fn with_max_chunk_len(mut self, value: u32) -> Self {
        self.max_chunk_len = if value > PNG_MAX_CHUNK_LEN {
            PNG_MAX_CHUNK_LEN
        } else {
            value
        };
        self
    }

    /// Sets [`Limits::max_text_len`].
    #[must_use]
    pub const fn with_max_text_len(mut self, value: u32) -> Self {
        self.max_text_len = value;
        self
    }

    /// Sets [`Limits::max_chunks`].
    #[must_use]
    pub const fn with_max_chunks(mut self, value: u64) -> Self {
        self.max_chunks = value;
        self
    }

    /// Sets [`Limits::max_decompressed_len`].
    #[must_use]
    pub const fn with_max_decompressed_len(mut self, value: usize) -> Self {
        self.max_decompressed_len = value;
        self
    }

    /// Sets [`Limits::max_svg_len`].
    #[must_use]
    pub const fn with_max_svg_len(mut self, value: usize) -> Self {
        self.max_svg_len = value;
        self
    }

    /// Sets [`Limits::max_svg_depth`].
    #[must_use]
    pub const fn with_max_svg_depth(mut self, value: usize) -> Self {
        self.max_svg_depth = value;
        self
    }
}
