//! Test helpers: a small PNG writer (stored or compressed IDAT, any chunk layout) and a chunk lister.
#![allow(dead_code)]

/// One PNG chunk: type and data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub ty: [u8; 4],
    pub data: Vec<u8>,
}

impl Chunk {
    pub fn new(ty: &[u8; 4], data: impl Into<Vec<u8>>) -> Self {
        Self {
            ty: *ty,
            data: data.into(),
        }
    }

    pub fn crc(&self) -> u32 {
        let mut h = crc32fast::Hasher::new();
        h.update(&self.ty);
        h.update(&self.data);
        h.finalize()
    }

    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self.data.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.ty);
        out.extend_from_slice(&self.data);
        out.extend_from_slice(&self.crc().to_be_bytes());
    }
}

pub const SIG: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

pub fn assemble(chunks: &[Chunk]) -> Vec<u8> {
    let mut out = SIG.to_vec();
    for c in chunks {
        c.write(&mut out);
    }
    out
}

/// Splits a PNG into chunks (test-side parser, trusts its input).
pub fn chunks(png: &[u8]) -> Vec<Chunk> {
    assert_eq!(&png[..8], &SIG);
    let mut at = 8;
    let mut out = Vec::new();
    while at < png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        let ty: [u8; 4] = png[at + 4..at + 8].try_into().unwrap();
        let data = png[at + 8..at + 8 + len].to_vec();
        let c = Chunk { ty, data };
        let crc = u32::from_be_bytes(png[at + 8 + len..at + 12 + len].try_into().unwrap());
        assert_eq!(crc, c.crc(), "crc of {:?}", String::from_utf8_lossy(&ty));
        out.push(c);
        at += 12 + len;
    }
    out
}

/// A deterministic pseudo-random byte stream (xorshift).
pub fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    seed |= 1;
    while out.len() < len {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        out.extend_from_slice(&seed.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// IHDR for an 8-bit RGB image.
pub fn ihdr(width: u32, height: u32) -> Chunk {
    let mut d = Vec::new();
    d.extend_from_slice(&width.to_be_bytes());
    d.extend_from_slice(&height.to_be_bytes());
    d.extend_from_slice(&[8, 2, 0, 0, 0]);
    Chunk::new(b"IHDR", d)
}

/// The zlib image stream of an RGB image: a gradient (compressed) or noise (stored, level 0).
pub fn image_data(width: u32, height: u32, noisy: bool) -> Vec<u8> {
    let row = width as usize * 3;
    let pixels = noise(
        row * height as usize,
        u64::from(width) * 31 + u64::from(height),
    );
    let mut raw = Vec::with_capacity((row + 1) * height as usize);
    for y in 0..height as usize {
        raw.push(0);
        for x in 0..row {
            raw.push(if noisy {
                pixels[y * row + x]
            } else {
                ((x + y * 3) % 251) as u8
            });
        }
    }
    miniz_oxide::deflate::compress_to_vec_zlib(&raw, if noisy { 0 } else { 6 })
}

/// IDAT chunks carrying `data`, `split` bytes each.
pub fn idats(data: &[u8], split: usize) -> Vec<Chunk> {
    data.chunks(split.max(1))
        .map(|d| Chunk::new(b"IDAT", d))
        .collect()
}

/// A complete PNG: IHDR, `before` chunks, IDATs, `after` chunks, IEND.
pub fn png_with(
    width: u32,
    height: u32,
    split: usize,
    before: &[Chunk],
    after: &[Chunk],
) -> Vec<u8> {
    let mut all = vec![ihdr(width, height)];
    all.extend_from_slice(before);
    all.extend(idats(&image_data(width, height, false), split));
    all.extend_from_slice(after);
    all.push(Chunk::new(b"IEND", Vec::new()));
    assemble(&all)
}

/// A small plain PNG.
pub fn small_png() -> Vec<u8> {
    png_with(
        16,
        16,
        100,
        &[Chunk::new(b"tEXt", &b"Comment\0hello"[..])],
        &[],
    )
}

/// A PNG of about `size` bytes of incompressible image data in 8 KiB IDAT chunks (the layout
/// libpng writes), with `late` chunks between the last IDAT and IEND.
pub fn big_png_with(size: usize, late: &[Chunk]) -> Vec<u8> {
    let width = 1024u32;
    let height = (size / (width as usize * 3)).max(1) as u32;
    let mut all = vec![ihdr(width, height)];
    all.extend(idats(&image_data(width, height, true), 8 * 1024));
    all.extend_from_slice(late);
    all.push(Chunk::new(b"IEND", Vec::new()));
    assemble(&all)
}

/// [`big_png_with`] without extra chunks.
pub fn big_png(size: usize) -> Vec<u8> {
    big_png_with(size, &[])
}

/// iTXt data: keyword, flags, empty language and translated keyword, text.
pub fn itxt(keyword: &str, compressed: bool, text: &[u8]) -> Chunk {
    let mut d = keyword.as_bytes().to_vec();
    d.extend_from_slice(&[0, u8::from(compressed), 0, 0, 0]);
    if compressed {
        d.extend(miniz_oxide::deflate::compress_to_vec_zlib(text, 6));
    } else {
        d.extend_from_slice(text);
    }
    Chunk::new(b"iTXt", d)
}

/// Decodes a PNG with the `png` crate, returning its pixels.
pub fn decode(png_bytes: &[u8]) -> Vec<u8> {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    buf
}

pub const OB2_JSON: &str = r#"{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"https://example.org/assertions/1","recipient":{"type":"email","hashed":false,"identity":"a@example.org"},"badge":"https://example.org/badges/1","verification":{"type":"hosted"},"issuedOn":"2024-01-01T00:00:00Z"}"#;
pub const OB2_JSON_URN: &str = r#"{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"urn:uuid:2f1e2b0c-0000-4000-8000-000000000001","recipient":{"type":"email","hashed":false,"identity":"a@example.org"},"badge":"https://example.org/badges/1","verification":{"type":"signed"},"issuedOn":"2024-01-01T00:00:00Z"}"#;
pub const OB3_JSON: &str = r#"{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],"id":"urn:uuid:1","type":["VerifiableCredential","OpenBadgeCredential"],"issuer":{"id":"https://example.org/issuer","type":["Profile"]},"validFrom":"2024-01-01T00:00:00Z","credentialSubject":{"type":["AchievementSubject"],"achievement":{"id":"https://example.org/a/1","type":["Achievement"],"name":"Test","criteria":{"narrative":"Do it ]]> now"},"description":"x"}}}"#;
pub const HOSTED_URL: &str = "https://example.org/assertions/1";

fn b64(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

/// A compact JWS whose claims are a signed 2.0 assertion (the signature is not real).
pub fn ob2_jws() -> String {
    format!(
        "{}.{}.c2lnbmF0dXJl",
        b64(r#"{"alg":"RS256"}"#),
        b64(OB2_JSON_URN)
    )
}

/// A VC-JWT: claims with a `vc` member (the signature is not real).
pub fn ob3_jws() -> String {
    format!(
        "{}.{}.c2lnbmF0dXJl",
        b64(r#"{"alg":"EdDSA","typ":"JWT"}"#),
        b64(&format!(
            r#"{{"iss":"https://example.org/issuer","vc":{OB3_JSON}}}"#
        ))
    )
}

pub const SMALL_SVG: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- a test badge -->\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">\n  <circle cx=\"5\" cy=\"5\" r=\"4\" fill=\"#0a0\"/>\n  <text>A &amp; B &#x263A;</text>\n</svg>\n";
