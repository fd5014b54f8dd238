//! PNG: a streaming chunk reader and writer. Pixels are never decoded: unbaking reads chunk
//! headers and skips everything but text chunks; baking copies chunks through unchanged.
//!
//! Spec: [PNG 3rd edition, 5.3 chunk layout, 11.3.3 textual information](https://www.w3.org/TR/png-3/#11textinfo),
//! [Open Badges 2.0 baking](https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/baking/index.html),
//! [Open Badges 3.0 baking](https://www.imsglobal.org/spec/ob/v3p0/#baking).

use std::io::{self, Read, Seek, Write};

use crate::{Baked, Error, Format, Limits, Payload, Result, Version};

/// The 8-byte PNG signature.
pub const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
/// `iTXt`/`tEXt` keyword of an Open Badges 1.0/2.0 badge.
pub const KEYWORD_OB2: &str = "openbadges";
/// `iTXt` keyword of an Open Badges 3.0 credential.
pub const KEYWORD_OB3: &str = "openbadgecredential";

const IHDR: [u8; 4] = *b"IHDR";
const IDAT: [u8; 4] = *b"IDAT";
const IEND: [u8; 4] = *b"IEND";
const TEXT: [u8; 4] = *b"tEXt";
const ITXT: [u8; 4] = *b"iTXt";
const ZTXT: [u8; 4] = *b"zTXt";
/// Keywords are 1 to 79 bytes, then a NUL: this many bytes always hold the keyword.
const KEYWORD_PREFIX: u32 = 80;
const COPY_BUFFER: usize = 64 * 1024;
/// Skips up to this many bytes by reading rather than seeking.
const SHORT_SKIP: u64 = 16 * 1024;

/// A byte source that can skip: by seeking, or by reading and discarding.
trait Skip: Read {
    fn skip(&mut self, n: u64) -> io::Result<()>;
}

struct Seeking<R>(R);
impl<R: Read> Read for Seeking<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}
impl<R: Read + Seek> Skip for Seeking<R> {
    fn skip(&mut self, n: u64) -> io::Result<()> {
        // Seeking past the end is not an error; the next header read reports the truncation.
        // Short skips read through (one buffered read beats a seek and a refill, and the
        // memory used stays one small buffer); long ones seek. `seek_relative` lets a
        // `BufReader` keep its buffer when the target is inside it.
        if n <= SHORT_SKIP {
            return Streaming(&mut self.0).skip(n);
        }
        let n = i64::try_from(n).map_err(|_| io::Error::other("skip too long"))?;
        self.0.seek_relative(n)
    }
}

struct Streaming<R>(R);
impl<R: Read> Read for Streaming<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}
impl<R: Read> Skip for Streaming<R> {
    fn skip(&mut self, n: u64) -> io::Result<()> {
        let copied = io::copy(&mut (&mut self.0).take(n), &mut io::sink())?;
        if copied == n {
            Ok(())
        } else {
            Err(io::ErrorKind::UnexpectedEof.into())
        }
    }
}

fn chunk_name(ty: [u8; 4]) -> String {
    String::from_utf8_lossy(&ty).into_owned()
}

/// Maps an unexpected end of file to [`Error::Truncated`].
fn eof(err: io::Error, what: impl FnOnce() -> String) -> Error {
    if err.kind() == io::ErrorKind::UnexpectedEof {
        Error::Truncated(what())
    } else {
        Error::Io(err)
    }
}

fn read_exact(r: &mut impl Read, buf: &mut [u8], ty: [u8; 4]) -> Result<()> {
    r.read_exact(buf)
        .map_err(|e| eof(e, || format!("in chunk {}", chunk_name(ty))))
}

fn check_signature(r: &mut impl Read) -> Result<()> {
    let mut sig = [0u8; 8];
    match r.read_exact(&mut sig) {
        Ok(()) if sig == PNG_SIGNATURE => Ok(()),
        Ok(()) => Err(Error::NotPng),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(Error::NotPng),
        Err(e) => Err(Error::Io(e)),
    }
}

#[derive(Clone, Copy)]
struct Header {
    len: u32,
    ty: [u8; 4],
}

impl Header {
    fn bytes(self) -> [u8; 8] {
        let mut out = [0u8; 8];
        out[..4].copy_from_slice(&self.len.to_be_bytes());
        out[4..].copy_from_slice(&self.ty);
        out
    }
}

/// Reads and validates chunk headers: type letters, length limits, chunk count, IHDR first.
struct Chunks {
    limits: Limits,
    count: u64,
}

impl Chunks {
    fn next(&mut self, r: &mut impl Read) -> Result<Header> {
        let mut raw = [0u8; 8];
        r.read_exact(&mut raw).map_err(|e| {
            eof(e, || {
                if self.count == 0 {
                    "before the first chunk".to_owned()
                } else {
                    "before IEND".to_owned()
                }
            })
        })?;
        let [l0, l1, l2, l3, t0, t1, t2, t3] = raw;
        let header = Header {
            len: u32::from_be_bytes([l0, l1, l2, l3]),
            ty: [t0, t1, t2, t3],
        };
        self.count += 1;
        if self.count > self.limits.max_chunks {
            return Err(Error::Limit {
                limit: "Limits::max_chunks",
                max: self.limits.max_chunks,
            });
        }
        if !header.ty.iter().all(u8::is_ascii_alphabetic) {
            return Err(Error::InvalidPng(format!(
                "chunk {} has an invalid type {:02x?}",
                self.count, header.ty
            )));
        }
        if header.len > crate::limits::PNG_MAX_CHUNK_LEN {
            return Err(Error::InvalidPng(format!(
                "chunk {} declares length {}, over the PNG maximum of 2^31-1",
                chunk_name(header.ty),
                header.len
            )));
        }
        if header.len > self.limits.max_chunk_len {
            return Err(Error::Limit {
                limit: "Limits::max_chunk_len",
                max: self.limits.max_chunk_len.into(),
            });
        }
        if self.count == 1 && header.ty != IHDR {
            return Err(Error::InvalidPng(format!(
                "the first chunk is {}, not IHDR",
                chunk_name(header.ty)
            )));
        }
        Ok(header)
    }
}

/// Which badge a text chunk holds, from its type and keyword.
fn badge_kind(ty: [u8; 4], prefix: &[u8]) -> Option<Version> {
    let keyword = prefix.split(|&b| b == 0).next()?;
    if prefix.len() == keyword.len() {
        return None; // no NUL: not a complete keyword
    }
    match (ty, keyword) {
        (ITXT, k) if k == KEYWORD_OB3.as_bytes() => Some(Version::Ob3),
        (ITXT, k) if k == KEYWORD_OB2.as_bytes() => Some(Version::Ob2),
        (TEXT | ZTXT, k) if k == KEYWORD_OB2.as_bytes() => Some(Version::Ob1),
        _ => None,
    }
}

fn is_text_chunk(ty: [u8; 4]) -> bool {
    ty == TEXT || ty == ITXT || ty == ZTXT
}

fn inflate(data: &[u8], ty: [u8; 4], limits: &Limits) -> Result<Vec<u8>> {
    use miniz_oxide::inflate::{TINFLStatus, decompress_to_vec_zlib_with_limit};
    decompress_to_vec_zlib_with_limit(data, limits.max_decompressed_len).map_err(|e| {
        if e.status == TINFLStatus::HasMoreOutput {
            Error::Limit {
                limit: "Limits::max_decompressed_len",
                max: limits.max_decompressed_len as u64,
            }
        } else {
            Error::Decompress(chunk_name(ty))
        }
    })
}

fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

fn split_nul(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = data.iter().position(|&b| b == 0)?;
    Some((data.get(..at)?, data.get(at + 1..)?))
}

/// Parses the data of a badge text chunk into its text.
fn parse_text_chunk(ty: [u8; 4], data: &[u8], limits: &Limits) -> Result<String> {
    let malformed = |what: &str| Error::InvalidPng(format!("{} chunk: {what}", chunk_name(ty)));
    let (_keyword, rest) = split_nul(data).ok_or_else(|| malformed("no keyword terminator"))?;
    match ty {
        TEXT => Ok(latin1(rest)),
        ZTXT => {
            let (&method, compressed) = rest
                .split_first()
                .ok_or_else(|| malformed("no compression method"))?;
            if method != 0 {
                return Err(malformed("unknown compression method"));
            }
            Ok(latin1(&inflate(compressed, ty, limits)?))
        }
        _ => {
            let [flag, method, rest @ ..] = rest else {
                return Err(malformed("no compression flag and method"));
            };
            let (_language, rest) = split_nul(rest).ok_or_else(|| malformed("no language tag"))?;
            let (translated, text) =
                split_nul(rest).ok_or_else(|| malformed("no translated keyword"))?;
            if std::str::from_utf8(translated).is_err() {
                return Err(Error::NotUtf8("the iTXt translated keyword".to_owned()));
            }
            let text = match (flag, method) {
                (0, _) => text.to_vec(),
                (1, 0) => inflate(text, ty, limits)?,
                (1, _) => return Err(malformed("unknown compression method")),
                _ => return Err(malformed("invalid compression flag")),
            };
            String::from_utf8(text).map_err(|_| Error::NotUtf8("the iTXt text".to_owned()))
        }
    }
}

fn crc_of(ty: [u8; 4], data: &[&[u8]]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&ty);
    for part in data {
        hasher.update(part);
    }
    hasher.finalize()
}

fn read_crc(r: &mut impl Read, ty: [u8; 4]) -> Result<u32> {
    let mut crc = [0u8; 4];
    read_exact(r, &mut crc, ty)?;
    Ok(u32::from_be_bytes(crc))
}

fn check_crc(stored: u32, computed: u32, ty: [u8; 4]) -> Result<()> {
    if stored == computed {
        Ok(())
    } else {
        Err(Error::Crc {
            chunk: chunk_name(ty),
            stored,
            computed,
        })
    }
}

/// Reads the rest of a badge chunk (after `prefix`), checks its CRC and parses it.
fn read_badge_chunk(
    r: &mut impl Read,
    header: Header,
    prefix: Vec<u8>,
    limits: &Limits,
) -> Result<String> {
    if header.len > limits.max_text_len {
        return Err(Error::Limit {
            limit: "Limits::max_text_len",
            max: limits.max_text_len.into(),
        });
    }
    let mut data = prefix;
    let done = data.len();
    data.resize(header.len as usize, 0);
    if let Some(rest) = data.get_mut(done..) {
        read_exact(r, rest, header.ty)?;
    }
    let stored = read_crc(r, header.ty)?;
    check_crc(stored, crc_of(header.ty, &[&data]), header.ty)?;
    parse_text_chunk(header.ty, &data, limits)
}

fn read_prefix(r: &mut impl Read, header: Header) -> Result<Vec<u8>> {
    let mut prefix = vec![0u8; header.len.min(KEYWORD_PREFIX) as usize];
    read_exact(r, &mut prefix, header.ty)?;
    Ok(prefix)
}

fn unbake_from(r: &mut impl Skip, limits: &Limits) -> Result<Option<Baked>> {
    check_signature(r)?;
    let mut chunks = Chunks {
        limits: *limits,
        count: 0,
    };
    let mut found: Option<Baked> = None;
    loop {
        let header = chunks.next(r)?;
        let len = u64::from(header.len);
        if header.ty == IEND {
            r.skip(len).map_err(|e| eof(e, || "in IEND".to_owned()))?;
            let stored = read_crc(r, header.ty)?;
            if len == 0 {
                check_crc(stored, crc_of(IEND, &[]), IEND)?;
            }
            return Ok(found);
        }
        if is_text_chunk(header.ty) {
            let prefix = read_prefix(r, header)?;
            if let Some(version) = badge_kind(header.ty, &prefix) {
                // Keep the highest version if an image carries several badges.
                if found.as_ref().is_none_or(|f| f.version < version) {
                    let payload = Payload::detect(read_badge_chunk(r, header, prefix, limits)?);
                    found = Some(Baked {
                        format: Format::Png,
                        version: crate::payload::found_version(version, &payload),
                        payload,
                    });
                    continue;
                }
            }
            r.skip(len - prefix.len() as u64 + 4)
                .map_err(|e| eof(e, || format!("in chunk {}", chunk_name(header.ty))))?;
        } else {
            r.skip(len + 4)
                .map_err(|e| eof(e, || format!("in chunk {}", chunk_name(header.ty))))?;
        }
    }
}

/// Extracts the badge from a PNG read from any stream (skipped data is read and discarded).
pub(crate) fn unbake_png<R: Read>(reader: R, limits: &Limits) -> Result<Option<Baked>> {
    unbake_from(&mut Streaming(reader), limits)
}

/// Extracts the badge from a seekable PNG (skipped data is seeked over, never read).
pub(crate) fn unbake_png_seekable<R: Read + Seek>(
    reader: R,
    limits: &Limits,
) -> Result<Option<Baked>> {
    unbake_from(&mut Seeking(reader), limits)
}

/// Builds the complete badge chunk (length, type, data, CRC).
pub(crate) fn badge_chunk(payload: &Payload, version: Version) -> Result<Vec<u8>> {
    let text = payload.as_str();
    let (ty, keyword) = match version {
        Version::Ob1 => (TEXT, KEYWORD_OB2),
        Version::Ob2 => (ITXT, KEYWORD_OB2),
        Version::Ob3 => (ITXT, KEYWORD_OB3),
    };
    let mut data = Vec::with_capacity(keyword.len() + 5 + text.len());
    data.extend_from_slice(keyword.as_bytes());
    if ty == TEXT {
        data.push(0);
        for c in text.chars() {
            let byte = u8::try_from(u32::from(c))
                .ok()
                .filter(|&b| b != 0)
                .ok_or_else(|| {
                    Error::Payload("an Open Badges 1.0 tEXt chunk holds Latin-1 text only".into())
                })?;
            data.push(byte);
        }
    } else {
        // keyword NUL, compression flag 0, method 0, empty language tag NUL, empty translated NUL
        data.extend_from_slice(&[0, 0, 0, 0, 0]);
        data.extend_from_slice(text.as_bytes());
    }
    let len = u32::try_from(data.len())
        .ok()
        .filter(|&l| l <= crate::limits::PNG_MAX_CHUNK_LEN)
        .ok_or_else(|| Error::Payload("payload too large for a PNG chunk".into()))?;
    let mut chunk = Vec::with_capacity(data.len() + 12);
    chunk.extend_from_slice(&len.to_be_bytes());
    chunk.extend_from_slice(&ty);
    chunk.extend_from_slice(&data);
    chunk.extend_from_slice(&crc_of(ty, &[&data]).to_be_bytes());
    Ok(chunk)
}

/// Copies `n` bytes from `r` to `w`, returning the running CRC hasher updated with them.
fn copy_n(
    r: &mut impl Read,
    w: &mut impl Write,
    mut n: u64,
    hasher: &mut crc32fast::Hasher,
    buf: &mut [u8],
    ty: [u8; 4],
) -> Result<()> {
    while n > 0 {
        let want = usize::try_from(n).unwrap_or(usize::MAX).min(buf.len());
        let Some(part) = buf.get_mut(..want) else {
            break;
        };
        read_exact(r, part, ty)?;
        hasher.update(part);
        w.write_all(part)?;
        n -= want as u64;
    }
    Ok(())
}

/// Bakes: copies every chunk through, drops existing badge chunks, and writes the new badge
/// chunk in place of the first one found before IDAT, or else just before the first IDAT.
pub(crate) fn bake_png<R: Read, W: Write>(
    reader: R,
    mut writer: W,
    chunk: &[u8],
    limits: &Limits,
) -> Result<()> {
    let mut r = Streaming(reader);
    check_signature(&mut r)?;
    writer.write_all(&PNG_SIGNATURE)?;
    let mut chunks = Chunks {
        limits: *limits,
        count: 0,
    };
    let mut inserted = false;
    let mut buf = vec![0u8; COPY_BUFFER];
    loop {
        let header = chunks.next(&mut r)?;
        let len = u64::from(header.len);
        if !inserted && (header.ty == IDAT || header.ty == IEND) {
            writer.write_all(chunk)?;
            inserted = true;
        }
        let mut prefix: &[u8] = &[];
        let prefix_buf;
        if is_text_chunk(header.ty) {
            prefix_buf = read_prefix(&mut r, header)?;
            prefix = &prefix_buf;
            if badge_kind(header.ty, prefix).is_some() {
                if !inserted {
                    writer.write_all(chunk)?;
                    inserted = true;
                }
                r.skip(len - prefix.len() as u64 + 4)
                    .map_err(|e| eof(e, || format!("in chunk {}", chunk_name(header.ty))))?;
                continue;
            }
        }
        writer.write_all(&header.bytes())?;
        writer.write_all(prefix)?;
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&header.ty);
        hasher.update(prefix);
        copy_n(
            &mut r,
            &mut writer,
            len - prefix.len() as u64,
            &mut hasher,
            &mut buf,
            header.ty,
        )?;
        let stored = read_crc(&mut r, header.ty)?;
        check_crc(stored, hasher.finalize(), header.ty)?;
        writer.write_all(&stored.to_be_bytes())?;
        if header.ty == IEND {
            writer.flush()?;
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords() {
        assert_eq!(badge_kind(ITXT, b"openbadges\0\0\0"), Some(Version::Ob2));
        assert_eq!(
            badge_kind(ITXT, b"openbadgecredential\0"),
            Some(Version::Ob3)
        );
        assert_eq!(badge_kind(TEXT, b"openbadges\0http"), Some(Version::Ob1));
        assert_eq!(badge_kind(ZTXT, b"openbadges\0\0"), Some(Version::Ob1));
        assert_eq!(badge_kind(TEXT, b"openbadgecredential\0"), None);
        assert_eq!(badge_kind(ITXT, b"openbadges"), None); // no terminator
        assert_eq!(badge_kind(ITXT, b"OpenBadges\0"), None);
        assert_eq!(badge_kind(*b"IDAT", b"openbadges\0"), None);
    }

    #[test]
    fn text_chunks() {
        let limits = Limits::new();
        assert_eq!(
            parse_text_chunk(ITXT, b"k\0\0\0en\0tr\0text", &limits).unwrap(),
            "text"
        );
        assert_eq!(
            parse_text_chunk(TEXT, b"k\0\xE9", &limits).unwrap(),
            "\u{e9}"
        );
        assert!(matches!(
            parse_text_chunk(ITXT, b"k\0\0\0en\0\xFF\0", &limits),
            Err(Error::NotUtf8(_))
        ));
        assert!(matches!(
            parse_text_chunk(ZTXT, b"k\0\x01", &limits),
            Err(Error::InvalidPng(_))
        ));
    }

    #[test]
    fn chunk_bytes() {
        let chunk = badge_chunk(&Payload::Url("u".into()), Version::Ob1).unwrap();
        assert_eq!(&chunk[..8], b"\0\0\0\x0ctEXt");
        assert_eq!(&chunk[8..20], b"openbadges\0u");
        assert_eq!(chunk[20..], crc_of(TEXT, &[b"openbadges\0u"]).to_be_bytes());
    }
}
