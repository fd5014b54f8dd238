//! The one error type of baking and unbaking.

use std::io;

/// Why a bake or unbake could not run.
///
/// "No badge in a valid image" is not an error: the unbake functions return `Ok(None)`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading the image or writing the output failed.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// The bytes are neither a PNG (by its signature) nor an SVG (an XML document).
    #[error("not a PNG or SVG image")]
    UnknownFormat,
    /// The input does not start with the 8-byte PNG signature.
    #[error("not a PNG image: bad signature")]
    NotPng,
    /// The PNG ended before its `IEND` chunk.
    #[error("truncated PNG: unexpected end of file {0}")]
    Truncated(String),
    /// A chunk's stored CRC does not match its contents.
    #[error("PNG chunk {chunk}: CRC mismatch (stored {stored:08x}, computed {computed:08x})")]
    Crc {
        /// The chunk type, e.g. `iTXt`.
        chunk: String,
        /// The CRC stored in the file.
        stored: u32,
        /// The CRC computed over type and data.
        computed: u32,
    },
    /// The PNG chunk structure is invalid (bad chunk type, missing `IHDR`, malformed text chunk).
    #[error("invalid PNG: {0}")]
    InvalidPng(String),
    /// A configured limit (a field of [`crate::Limits`]) was exceeded.
    #[error("limit exceeded: {limit} = {max}")]
    Limit {
        /// The name of the [`crate::Limits`] field.
        limit: &'static str,
        /// Its value.
        max: u64,
    },
    /// The badge text is not valid UTF-8 (iTXt, SVG).
    #[error("badge text in {0} is not valid UTF-8")]
    NotUtf8(String),
    /// A compressed text chunk could not be inflated.
    #[error("compressed {0} chunk: invalid zlib data")]
    Decompress(String),
    /// The SVG is not well-formed XML, or has no root `<svg>` element.
    #[error("invalid SVG: {0}")]
    InvalidSvg(String),
    /// The SVG has a document type declaration. DTDs are refused: they are how entity expansion
    /// (billion laughs) and external entities get in.
    #[error("SVG with a DTD (<!DOCTYPE>) refused: entity declarations are not supported")]
    Dtd,
    /// The SVG references an entity other than the five predefined ones or a character reference.
    #[error("SVG references undefined entity &{0}; (entities are not expanded)")]
    Entity(String),
    /// The payload cannot be baked in the requested form.
    #[error("cannot bake: {0}")]
    Payload(String),
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
