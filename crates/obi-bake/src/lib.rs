#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod error;
mod limits;
mod payload;
mod png;
mod svg;

use std::io::{Read, Seek, Write};

pub use error::{Error, Result};
pub use limits::{
    DEFAULT_MAX_CHUNKS, DEFAULT_MAX_DECOMPRESSED_LEN, DEFAULT_MAX_SVG_DEPTH, DEFAULT_MAX_SVG_LEN,
    DEFAULT_MAX_TEXT_LEN, Limits, PNG_MAX_CHUNK_LEN,
};
pub use payload::{Baked, CREDENTIALS_CONTEXTS, Format, Payload, Version, is_compact_jws};
pub use png::{KEYWORD_OB2, KEYWORD_OB3, PNG_SIGNATURE};
pub use svg::OPENBADGES_NS;

/// Bakes and unbakes with a set of [`Limits`]. The free functions use the default limits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Baker {
    limits: Limits,
}

impl Baker {
    /// A baker with the default limits.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            limits: Limits::new(),
        }
    }

    /// Sets the limits.
    #[must_use]
    pub const fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The limits in force.
    #[must_use]
    pub const fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Sniffs the format (PNG signature, else an XML document) and extracts the badge.
    /// `Ok(None)`: a valid image without a badge.
    ///
    /// # Errors
    /// [`Error::UnknownFormat`], or any error of [`Baker::unbake_png`] / [`Baker::unbake_svg`].
    pub fn unbake(&self, image: &[u8]) -> Result<Option<Baked>> {
        sniff(image).and_then(|format| match format {
            Format::Png => self.unbake_png_seekable(std::io::Cursor::new(image)),
            Format::Svg => self.unbake_svg(image),
        })
    }

    /// Extracts the badge from a PNG stream, reading and discarding image data.
    /// Memory use is bounded by [`Limits::max_text_len`] whatever the image size.
    ///
    /// # Errors
    /// Not a PNG, truncated, a bad chunk, a CRC mismatch in the badge chunk, a limit, bad text.
    pub fn unbake_png<R: Read>(&self, reader: R) -> Result<Option<Baked>> {
        png::unbake_png(reader, &self.limits)
    }

    /// Extracts the badge from a seekable PNG, seeking over image data without reading it.
    ///
    /// # Errors
    /// As [`Baker::unbake_png`].
    pub fn unbake_png_seekable<R: Read + Seek>(&self, reader: R) -> Result<Option<Baked>> {
        png::unbake_png_seekable(reader, &self.limits)
    }

    /// Extracts the badge from an SVG document.
    ///
    /// # Errors
    /// Not UTF-8, not well-formed, no root `<svg>`, a DTD, an undefined entity, a limit.
    pub fn unbake_svg(&self, svg: &[u8]) -> Result<Option<Baked>> {
        svg::unbake_svg(svg, &self.limits)
    }

    /// Sniffs the format and bakes `payload` into `image`, writing the result to `writer`.
    /// With `version` `None` the version comes from the payload ([`Version::detect`]).
    ///
    /// # Errors
    /// As [`Baker::bake_png`] / [`Baker::bake_svg`].
    pub fn bake<W: Write>(
        &self,
        image: &[u8],
        writer: W,
        payload: &Payload,
        version: Option<Version>,
    ) -> Result<Version> {
        match sniff(image)? {
            Format::Png => self.bake_png(image, writer, payload, version),
            Format::Svg => self.bake_svg(image, writer, payload, version),
        }
    }

    /// Bakes into a PNG, streaming chunk by chunk from `reader` to `writer`: every chunk is
    /// copied byte for byte (its CRC checked), earlier badge chunks (`openbadges`,
    /// `openbadgecredential`) are dropped, and the new one goes where the first of them was, or
    /// else just before the first `IDAT`. Returns the version baked.
    ///
    /// # Errors
    /// Any error of reading the PNG, writing, or a payload the version cannot hold
    /// (1.0 takes a Latin-1 URL; 3.0 has no hosted URL form).
    pub fn bake_png<R: Read, W: Write>(
        &self,
        reader: R,
        writer: W,
        payload: &Payload,
        version: Option<Version>,
    ) -> Result<Version> {
        let version = choose_version(payload, version)?;
        let chunk = png::badge_chunk(payload, version)?;
        png::bake_png(reader, writer, &chunk, &self.limits)?;
        Ok(version)
    }

    /// Bakes into an SVG: declares the `openbadges` namespace on the root `<svg>` (unless a
    /// prefix is already bound to it), puts the badge element first inside it, and removes earlier
    /// badge elements. Every other byte is kept. Returns the version baked.
    ///
    /// # Errors
    /// As [`Baker::unbake_svg`] for the document, writing, or a payload that XML cannot carry.
    pub fn bake_svg<W: Write>(
        &self,
        svg: &[u8],
        mut writer: W,
        payload: &Payload,
        version: Option<Version>,
    ) -> Result<Version> {
        let version = choose_version(payload, version)?;
        let out = svg::bake_svg(svg, payload, version, &self.limits)?;
        writer.write_all(&out)?;
        writer.flush()?;
        Ok(version)
    }
}

fn choose_version(payload: &Payload, version: Option<Version>) -> Result<Version> {
    let version = version.unwrap_or_else(|| Version::detect(payload));
    match (version, payload) {
        (Version::Ob1, Payload::Json(_) | Payload::Jws(_)) => Err(Error::Payload(
            "Open Badges 1.0 bakes a hosted assertion URL only".into(),
        )),
        (Version::Ob3, Payload::Url(_)) => Err(Error::Payload(
            "Open Badges 3.0 has no hosted form: bake the credential JSON or its VC-JWT".into(),
        )),
        _ if payload.as_str().trim().is_empty() => Err(Error::Payload("empty payload".into())),
        _ => Ok(version),
    }
}

/// Tells the image format from the first bytes: the PNG signature, or an XML document.
///
/// # Errors
/// [`Error::UnknownFormat`] for anything else.
pub fn sniff(image: &[u8]) -> Result<Format> {
    if image.starts_with(&PNG_SIGNATURE) {
        Ok(Format::Png)
    } else if svg::looks_like_xml(image) {
        Ok(Format::Svg)
    } else {
        Err(Error::UnknownFormat)
    }
}

/// [`Baker::unbake`] with the default limits.
///
/// # Errors
/// As [`Baker::unbake`].
pub fn unbake(image: &[u8]) -> Result<Option<Baked>> {
    Baker::new().unbake(image)
}

/// [`Baker::unbake_png`] with the default limits.
///
/// # Errors
/// As [`Baker::unbake_png`].
pub fn unbake_png<R: Read>(reader: R) -> Result<Option<Baked>> {
    Baker::new().unbake_png(reader)
}

/// [`Baker::unbake_png_seekable`] with the default limits.
///
/// # Errors
/// As [`Baker::unbake_png`].
pub fn unbake_png_seekable<R: Read + Seek>(reader: R) -> Result<Option<Baked>> {
    Baker::new().unbake_png_seekable(reader)
}

/// [`Baker::unbake_svg`] with the default limits.
///
/// # Errors
/// As [`Baker::unbake_svg`].
pub fn unbake_svg(svg: &[u8]) -> Result<Option<Baked>> {
    Baker::new().unbake_svg(svg)
}

/// [`Baker::bake`] with the default limits.
///
/// # Errors
/// As [`Baker::bake`].
pub fn bake<W: Write>(
    image: &[u8],
    writer: W,
    payload: &Payload,
    version: Option<Version>,
) -> Result<Version> {
    Baker::new().bake(image, writer, payload, version)
}

/// [`Baker::bake_png`] with the default limits.
///
/// # Errors
/// As [`Baker::bake_png`].
pub fn bake_png<R: Read, W: Write>(
    reader: R,
    writer: W,
    payload: &Payload,
    version: Option<Version>,
) -> Result<Version> {
    Baker::new().bake_png(reader, writer, payload, version)
}

/// [`Baker::bake_svg`] with the default limits.
///
/// # Errors
/// As [`Baker::bake_svg`].
pub fn bake_svg<W: Write>(
    svg: &[u8],
    writer: W,
    payload: &Payload,
    version: Option<Version>,
) -> Result<Version> {
    Baker::new().bake_svg(svg, writer, payload, version)
}
