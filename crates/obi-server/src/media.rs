//! Uploads and images: `multipart/form-data` bodies for the verifier (API and page), and
//! baked badge images (`/credentials/{id}/baked.png|svg`).

use std::sync::OnceLock;

use axum::body::Bytes;
use axum::extract::{FromRequest as _, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::Value;

use crate::app::AppState;
use crate::error::AppError;

/// Most parts read from one `multipart/form-data` body.
pub const MAX_MULTIPART_PARTS: usize = 16;
/// Longest header block of one part (bytes).
pub const MAX_PART_HEADER_BYTES: usize = 8 * 1024;
/// Longest multipart boundary (RFC 2046: 70 characters).
pub const MAX_BOUNDARY_LEN: usize = 70;
/// Largest image taken from a `data:` URI to bake into (bytes, after decoding).
pub const MAX_SOURCE_IMAGE_BYTES: usize = 512 * 1024;

/// One part of a `multipart/form-data` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    /// The form field name (`Content-Disposition: form-data; name=…`).
    pub name: Option<String>,
    /// The file name, for a file part.
    pub filename: Option<String>,
    /// The part's `Content-Type`.
    pub content_type: Option<String>,
    /// The content.
    pub data: &'a [u8],
}

/// Why a multipart body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MultipartError {
    /// No usable `boundary` parameter.
    #[error("multipart/form-data needs a boundary parameter of 1 to {MAX_BOUNDARY_LEN} characters")]
    Boundary,
    /// The body does not follow RFC 7578 framing.
    #[error("malformed multipart body: {0}")]
    Malformed(&'static str),
    /// More than [`MAX_MULTIPART_PARTS`] parts.
    #[error("more than MAX_MULTIPART_PARTS ({MAX_MULTIPART_PARTS}) parts")]
    TooManyParts,
    /// A part's headers are longer than [`MAX_PART_HEADER_BYTES`].
    #[error("a part's headers are longer than MAX_PART_HEADER_BYTES ({MAX_PART_HEADER_BYTES})")]
    HeaderTooLong,
}

impl From<MultipartError> for AppError {
    fn from(e: MultipartError) -> Self {
        Self::BadRequest(e.to_string())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    let first = needle[0];
    let last_start = haystack.len() - needle.len();
    let mut i = 0;
    while i <= last_start {
        match haystack[i..=last_start].iter().position(|&b| b == first) {
            None => return None,
            Some(p) => {
                let at = i + p;
                if haystack[at..].starts_with(needle) {
                    return Some(at);
                }
                i = at + 1;
            }
        }
    }
    None
}

/// The value of parameter `key` in a header value such as
/// `form-data; name="file"; filename="a.png"` (quoted or token; case-insensitive key).
fn header_param(value: &str, key: &str) -> Option<String> {
    let mut rest = value;
    while let Some(semi) = rest.find(';') {
        rest = rest[semi + 1..].trim_start();
        let Some(eq) = rest.find('=') else { break };
        let k = rest[..eq].trim();
        let after = &rest[eq + 1..];
        let (v, remaining) = if let Some(q) = after.strip_prefix('"') {
            // Quoted string with backslash escapes.
            let mut out = String::new();
            let mut chars = q.char_indices();
            let mut end = q.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            out.push(n);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => out.push(c),
                }
            }
            (out, &q[end.min(q.len())..])
        } else {
            let stop = after.find(';').unwrap_or(after.len());
            (after[..stop].trim().to_owned(), &after[stop..])
        };
        if k.eq_ignore_ascii_case(key) {
            return Some(v);
        }
        rest = remaining;
    }
    None
}

/// The boundary of a `multipart/form-data` content type.
///
/// # Errors
/// [`MultipartError::Boundary`] when missing, empty or longer than [`MAX_BOUNDARY_LEN`].
pub fn boundary(content_type: &str) -> Result<String, MultipartError> {
    let b = header_param(content_type, "boundary").ok_or(MultipartError::Boundary)?;
    if b.is_empty() || b.len() > MAX_BOUNDARY_LEN {
        return Err(MultipartError::Boundary);
    }
    Ok(b)
}

/// Splits a `multipart/form-data` body (RFC 7578) into its parts, without copying content.
///
/// # Errors
/// A missing boundary, bad framing, more than [`MAX_MULTIPART_PARTS`] parts or a header
/// block longer than [`MAX_PART_HEADER_BYTES`].
pub fn parse_multipart<'a>(
    content_type: &str,
    body: &'a [u8],
) -> Result<Vec<Part<'a>>, MultipartError> {
    let boundary = boundary(content_type)?;
    let dash = format!("--{boundary}");
    let delimiter = format!("\r\n--{boundary}");
    // The first delimiter may start the body (no preamble) or follow a preamble and CRLF.
    let mut pos = if body.starts_with(dash.as_bytes()) {
        dash.len()
    } else {
        find(body, delimiter.as_bytes())
            .map(|p| p + delimiter.len())
            .ok_or(MultipartError::Malformed("no opening boundary"))?
    };
    let mut parts = Vec::new();
    loop {
        let rest = &body[pos..];
        if rest.starts_with(b"--") {
            return Ok(parts); // the close delimiter; the epilogue is ignored
        }
        // Transport padding (spaces, tabs) may follow a delimiter, then CRLF.
        let pad = rest
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        let rest = rest[pad..]
            .strip_prefix(b"\r\n")
            .ok_or(MultipartError::Malformed("boundary not followed by CRLF"))?;
        if parts.len() == MAX_MULTIPART_PARTS {
            return Err(MultipartError::TooManyParts);
        }
        let start = body.len() - rest.len();
        let (headers, content_start) = if rest.starts_with(b"\r\n") {
            ("", start + 2)
        } else {
            let end = find(
                &rest[..rest.len().min(MAX_PART_HEADER_BYTES + 4)],
                b"\r\n\r\n",
            )
            .ok_or(if rest.len() > MAX_PART_HEADER_BYTES {
                MultipartError::HeaderTooLong
            } else {
                MultipartError::Malformed("part headers not terminated")
            })?;
            let text = std::str::from_utf8(&rest[..end])
                .map_err(|_| MultipartError::Malformed("part headers are not UTF-8"))?;
            (text, start + end + 4)
        };
        let mut part = Part {
            name: None,
            filename: None,
            content_type: None,
            data: &[],
        };
        for line in headers.split("\r\n") {
            let Some((k, v)) = line.split_once(':') else {
                return Err(MultipartError::Malformed("part header without a colon"));
            };
            let v = v.trim();
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                part.name = header_param(v, "name");
                part.filename = header_param(v, "filename");
            } else if k.trim().eq_ignore_ascii_case("content-type") {
                part.content_type = Some(v.to_ascii_lowercase());
            }
        }
        let content = &body[content_start..];
        let end = find(content, delimiter.as_bytes())
            .ok_or(MultipartError::Malformed("part not closed by a boundary"))?;
        part.data = &content[..end];
        parts.push(part);
        pos = content_start + end + delimiter.len();
    }
}

/// What a verifier form or multipart upload asks to check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Submission {
    /// The `url` field.
    pub url: String,
    /// The `badge` field (pasted JSON or JWS).
    pub badge: String,
    /// The `file` part (or any part with a file name): name and content.
    pub file: Option<(String, Vec<u8>)>,
}

impl Submission {
    /// From multipart parts: fields `url`, `badge` and the first non-empty file part.
    #[must_use]
    pub fn from_parts(parts: &[Part<'_>]) -> Self {
        let mut s = Self::default();
        for p in parts {
            let is_file = p.filename.is_some() || p.name.as_deref() == Some("file");
            if is_file {
                if s.file.is_none() && !p.data.is_empty() {
                    let name = p
                        .filename
                        .clone()
                        .filter(|n| !n.is_empty())
                        .unwrap_or_else(|| "upload".into());
                    s.file = Some((name, p.data.to_vec()));
                }
            } else if p.name.as_deref() == Some("url") {
                s.url = String::from_utf8_lossy(p.data).trim().to_owned();
            } else if p.name.as_deref() == Some("badge") {
                s.badge = String::from_utf8_lossy(p.data).trim().to_owned();
            }
        }
        s
    }

    /// The verifier input: the file first, then pasted text, then the URL. `None`: empty.
    #[must_use]
    pub fn input(&self) -> Option<obi_verify::Input> {
        if let Some((name, bytes)) = &self.file {
            Some(obi_verify::Input::bytes(name.clone(), bytes.clone()))
        } else if !self.badge.is_empty() {
            Some(obi_verify::Input::bytes(
                "pasted",
                self.badge.as_bytes().to_vec(),
            ))
        } else if !self.url.is_empty() {
            Some(obi_verify::Input::Url(self.url.clone()))
        } else {
            None
        }
    }
}

fn check_url(url: &str) -> Result<(), AppError> {
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(())
    } else {
        Err(AppError::BadRequest(
            "\"url\" must be an http(s) URL".into(),
        ))
    }
}

/// The verifier input of a `multipart/form-data` body on `POST /api/verify`: a file part
/// (baked PNG or SVG, JSON, compact JWS), else a `badge` text field, else a `url` field.
///
/// # Errors
/// 400 for a malformed body or a non-http(s) URL, 422 when it holds nothing to verify.
pub fn verify_input_multipart(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<obi_verify::Input, AppError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let parts = parse_multipart(content_type, body)?;
    let submission = Submission::from_parts(&parts);
    if submission.file.is_none() && submission.badge.is_empty() && !submission.url.is_empty() {
        check_url(&submission.url)?;
    }
    submission.input().ok_or_else(|| {
        AppError::Unprocessable(
            "not a badge: the multipart body has no file part, badge field or url field".into(),
        )
    })
}

#[derive(Debug, Default, Deserialize)]
struct VerifyForm {
    #[serde(default)]
    url: String,
    #[serde(default)]
    badge: String,
}

fn html(markup: maud::Markup) -> Response {
    Html(markup.into_string()).into_response()
}

/// `POST /verify`: the page's form, `application/x-www-form-urlencoded` (URL or pasted
/// badge) or `multipart/form-data` (also a chosen or dropped file). Answers the page with
/// the result in plain language.
pub async fn verify_form_post(
    State(state): State<AppState>,
    req: Request,
) -> Result<Response, AppError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let too_large = |status: StatusCode, text: String| {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge
        } else {
            AppError::BadRequest(text)
        }
    };
    let submission = if content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        let body = Bytes::from_request(req, &state)
            .await
            .map_err(|e| too_large(e.status(), e.body_text()))?;
        Submission::from_parts(&parse_multipart(&content_type, &body)?)
    } else {
        let axum::Form(form) = axum::Form::<VerifyForm>::from_request(req, &state)
            .await
            .map_err(|e| too_large(e.status(), e.body_text()))?;
        Submission {
            url: form.url.trim().to_owned(),
            badge: form.badge.trim().to_owned(),
            file: None,
        }
    };
    let Some(input) = submission.input() else {
        return Ok((
            StatusCode::BAD_REQUEST,
            html(crate::pages::verify_form(
                Some(Err("Choose a badge file, paste a badge or give its URL.")),
                &submission.url,
                &submission.badge,
            )),
        )
            .into_response());
    };
    let report = crate::app::run_verify(&state, input).await?;
    Ok(html(crate::pages::verify_form(
        Some(Ok(&report)),
        &submission.url,
        &submission.badge,
    )))
}

// ---- baked images ----

/// An image format to bake into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    /// PNG.
    Png,
    /// SVG.
    Svg,
}

impl ImageKind {
    fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Svg => "image/svg+xml",
        }
    }
}

/// Decodes a base64 `data:image/png` or `data:image/svg+xml` URI of the wanted kind.
#[must_use]
pub fn data_uri_image(uri: &str, kind: ImageKind) -> Option<Vec<u8>> {
    let rest = uri.strip_prefix("data:")?;
    let (meta, data) = rest.split_once(',')?;
    let mut meta_parts = meta.split(';');
    let media = meta_parts.next()?.trim().to_ascii_lowercase();
    if media != kind.content_type() {
        return None;
    }
    let is_base64 = meta_parts.any(|p| p.trim().eq_ignore_ascii_case("base64"));
    if data.len() > MAX_SOURCE_IMAGE_BYTES * 4 / 3 + 4 {
        return None;
    }
    let bytes = if is_base64 {
        base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .ok()?
    } else {
        percent_decode(data)
    };
    (bytes.len() <= MAX_SOURCE_IMAGE_BYTES).then_some(bytes)
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids most control characters.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The generated default badge image as SVG: a medal with `name` (escaped, shortened).
#[must_use]
pub fn default_svg(name: &str) -> Vec<u8> {
    let short: String = name.chars().take(28).collect();
    let label = xml_escape(&short);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"256\" height=\"256\" viewBox=\"0 0 256 256\">\
<title>{label}</title>\
<circle cx=\"128\" cy=\"128\" r=\"120\" fill=\"#1f5fa8\"/>\
<circle cx=\"128\" cy=\"128\" r=\"100\" fill=\"#ffffff\"/>\
<circle cx=\"128\" cy=\"128\" r=\"92\" fill=\"#f2b705\"/>\
<text x=\"128\" y=\"136\" font-family=\"sans-serif\" font-size=\"16\" text-anchor=\"middle\" fill=\"#1b1b1b\">{label}</text>\
</svg>\n"
    )
    .into_bytes()
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32fast::hash(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// Side of the generated default PNG (pixels).
pub const DEFAULT_PNG_SIZE: u32 = 128;

/// The generated default badge image as PNG (a medal: blue ring, gold centre), made once.
#[must_use]
pub fn default_png() -> &'static [u8] {
    static PNG: OnceLock<Vec<u8>> = OnceLock::new();
    PNG.get_or_init(|| {
        let size = DEFAULT_PNG_SIZE;
        let c = f64::from(size) / 2.0;
        let mut raw = Vec::with_capacity((size * (size * 4 + 1)) as usize);
        for y in 0..size {
            raw.push(0); // filter: none
            for x in 0..size {
                let dx = f64::from(x) + 0.5 - c;
                let dy = f64::from(y) + 0.5 - c;
                let r = (dx * dx + dy * dy).sqrt() / c;
                let px: [u8; 4] = if r > 0.94 {
                    [0, 0, 0, 0]
                } else if r > 0.78 {
                    [0x1f, 0x5f, 0xa8, 255]
                } else if r > 0.72 {
                    [255, 255, 255, 255]
                } else {
                    [0xf2, 0xb7, 0x05, 255]
                };
                raw.extend_from_slice(&px);
            }
        }
        let mut out = obi_bake::PNG_SIGNATURE.to_vec();
        let mut ihdr = Vec::with_capacity(13);
        ihdr.extend_from_slice(&size.to_be_bytes());
        ihdr.extend_from_slice(&size.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8-bit RGBA, deflate, no filter, no interlace
        png_chunk(&mut out, b"IHDR", &ihdr);
        png_chunk(
            &mut out,
            b"IDAT",
            &miniz_oxide::deflate::compress_to_vec_zlib(&raw, 6),
        );
        png_chunk(&mut out, b"IEND", &[]);
        out
    })
}

/// What a stored credential is baked as: a compact JWS stays one, JSON is baked as JSON.
#[must_use]
pub fn payload_of(credential: &Value) -> obi_bake::Payload {
    match credential {
        Value::String(s) => obi_bake::Payload::Jws(s.clone()),
        other => obi_bake::Payload::Json(other.to_string()),
    }
}

/// Bakes `credential` into `source` (the achievement's own image when given and of the right
/// kind, else the generated default).
///
/// # Errors
/// The baker's error, as text.
pub fn bake_credential(
    credential: &Value,
    kind: ImageKind,
    source: Option<&[u8]>,
    name: &str,
) -> Result<Vec<u8>, String> {
    let payload = payload_of(credential);
    let default_svg_bytes;
    let image: &[u8] = match (source, kind) {
        (Some(s), _) => s,
        (None, ImageKind::Png) => default_png(),
        (None, ImageKind::Svg) => {
            default_svg_bytes = default_svg(name);
            &default_svg_bytes
        }
    };
    let mut out = Vec::with_capacity(image.len() + payload.as_str().len() + 256);
    let baker = obi_bake::Baker::new();
    let result = match kind {
        ImageKind::Png => baker.bake_png(image, &mut out, &payload, None),
        ImageKind::Svg => baker.bake_svg(image, &mut out, &payload, None),
    };
    result.map_err(|e| e.to_string())?;
    Ok(out)
}

fn image_uri(doc: &Value) -> Option<&str> {
    let candidates = [
        doc.pointer("/credentialSubject/achievement/image/id"),
        doc.pointer("/credentialSubject/achievement/image"),
        doc.pointer("/badge/image/id"),
        doc.pointer("/badge/image"),
        doc.pointer("/issuer/image/id"),
        doc.pointer("/issuer/image"),
        doc.pointer("/badge/issuer/image"),
    ];
    candidates.into_iter().flatten().find_map(Value::as_str)
}

async fn baked(
    state: AppState,
    id: &str,
    kind: ImageKind,
    ob2_only: bool,
) -> Result<Response, AppError> {
    let what = if ob2_only { "assertion" } else { "credential" };
    let id = uuid::Uuid::parse_str(id)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| {
            AppError::NotFound(format!(
                "no {what} with id {:?}",
                id.chars().take(80).collect::<String>()
            ))
        })?;
    let award = state
        .store()
        .get_award(&id)
        .await?
        .filter(|a| !ob2_only || a.format.starts_with("ob2-"))
        .ok_or_else(|| AppError::NotFound(format!("no {what} with id {id:?}")))?;
    let doc = crate::app::hosted_credential_json(&award);
    // The stored achievement's image, else the one in the document, when it is a data: URI.
    let stored_image = state
        .store()
        .get_achievement(&award.achievement_id)
        .await?
        .and_then(|a| a.image.map(|i| (a.name, i)));
    let name = stored_image
        .as_ref()
        .map(|(n, _)| n.clone())
        .or_else(|| crate::pages::badge_name(&doc).map(str::to_owned))
        .unwrap_or_else(|| "Badge".into());
    let source = stored_image
        .as_ref()
        .and_then(|(_, uri)| data_uri_image(uri, kind))
        .or_else(|| image_uri(&doc).and_then(|uri| data_uri_image(uri, kind)));
    let bytes = tokio::task::spawn_blocking(move || {
        match bake_credential(&doc, kind, source.as_deref(), &name) {
            // A broken stored image: bake into the default one instead.
            Err(_) if source.is_some() => bake_credential(&doc, kind, None, &name),
            other => other,
        }
    })
    .await
    .map_err(|e| AppError::Internal(format!("baking task failed: {e}")))?
    .map_err(|e| AppError::Internal(format!("baking credential {id}: {e}")))?;
    let mut res = bytes.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(kind.content_type()),
    );
    res.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!(
            "inline; filename=\"badge-{id}.{}\"",
            match kind {
                ImageKind::Png => "png",
                ImageKind::Svg => "svg",
            }
        ))
        .unwrap_or(HeaderValue::from_static("inline")),
    );
    Ok(res)
}

/// `GET /credentials/{id}/baked.png`.
pub async fn baked_png(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    baked(state, &id, ImageKind::Png, false).await
}

/// `GET /credentials/{id}/baked.svg`.
pub async fn baked_svg(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    baked(state, &id, ImageKind::Svg, false).await
}

/// `GET /assertions/{id}/baked.png`: an OB 2.0 award (signed: its JWS; hosted: its JSON, as
/// hosted, `revoked` included) baked into the badge image.
pub async fn baked_assertion_png(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    baked(state, &id, ImageKind::Png, true).await
}

/// `GET /assertions/{id}/baked.svg`: as [`baked_assertion_png`], in SVG.
pub async fn baked_assertion_svg(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    baked(state, &id, ImageKind::Svg, true).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CT: &str = "multipart/form-data; boundary=XyZ";

    #[test]
    fn parses_fields_and_files() {
        let body = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"url\"\r\n\r\nhttps://a.example/b\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b \\\"1\\\".png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--X\r\n--XyZ--\r\nepilogue";
        let parts = parse_multipart(CT, body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name.as_deref(), Some("url"));
        assert_eq!(parts[0].data, b"https://a.example/b");
        assert_eq!(parts[1].filename.as_deref(), Some("b \"1\".png"));
        assert_eq!(parts[1].content_type.as_deref(), Some("image/png"));
        assert_eq!(parts[1].data, b"\x89PNG\r\n--X");
        let s = Submission::from_parts(&parts);
        assert_eq!(s.url, "https://a.example/b");
        assert!(matches!(s.input(), Some(obi_verify::Input::Bytes { .. })));
    }

    #[test]
    fn rejects_bad_framing_and_limits() {
        assert_eq!(
            parse_multipart("multipart/form-data", b"--x\r\n").unwrap_err(),
            MultipartError::Boundary
        );
        assert!(
            parse_multipart(
                CT,
                b"--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nno end"
            )
            .is_err()
        );
        assert!(parse_multipart(CT, b"nothing").is_err());
        let mut many = String::new();
        for _ in 0..=MAX_MULTIPART_PARTS {
            many.push_str("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n");
        }
        many.push_str("--XyZ--");
        assert_eq!(
            parse_multipart(CT, many.as_bytes()).unwrap_err(),
            MultipartError::TooManyParts
        );
        let long = format!(
            "--XyZ\r\nX: {}\r\n\r\nv\r\n--XyZ--",
            "a".repeat(MAX_PART_HEADER_BYTES + 10)
        );
        assert_eq!(
            parse_multipart(CT, long.as_bytes()).unwrap_err(),
            MultipartError::HeaderTooLong
        );
    }

    #[test]
    fn default_images_bake_and_unbake() {
        let credential = serde_json::json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": "x"});
        for kind in [ImageKind::Png, ImageKind::Svg] {
            let baked = bake_credential(&credential, kind, None, "<b>&</b>").unwrap();
            let found = obi_bake::unbake(&baked).unwrap().unwrap();
            let back: Value = serde_json::from_str(found.payload.as_str()).unwrap();
            assert_eq!(back, credential);
        }
        let svg = String::from_utf8(default_svg("<script>")).unwrap();
        assert!(!svg.contains("<script>"));
    }

    #[test]
    fn data_uris() {
        let png = default_png();
        let uri = format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(png)
        );
        assert_eq!(data_uri_image(&uri, ImageKind::Png).as_deref(), Some(png));
        assert_eq!(data_uri_image(&uri, ImageKind::Svg), None);
        assert_eq!(
            data_uri_image("data:image/svg+xml,%3Csvg%2F%3E", ImageKind::Svg).as_deref(),
            Some(&b"<svg/>"[..])
        );
        assert_eq!(data_uri_image("https://x/y.png", ImageKind::Png), None);
    }

    proptest! {
        #[test]
        fn multipart_never_panics(body in proptest::collection::vec(any::<u8>(), 0..400), ct in "multipart/form-data; boundary=[-a-zA-Z0-9\"]{0,12}") {
            let _ = parse_multipart(&ct, &body);
        }

        #[test]
        fn multipart_roundtrips(values in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 1..5)) {
            let b = "b0undary-8f2a";
            let mut body = Vec::new();
            for (i, v) in values.iter().enumerate() {
                body.extend_from_slice(format!("--{b}\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\n").as_bytes());
                body.extend_from_slice(v);
                body.extend_from_slice(b"\r\n");
            }
            body.extend_from_slice(format!("--{b}--\r\n").as_bytes());
            let parts = parse_multipart(&format!("multipart/form-data; boundary=\"{b}\""), &body);
            // Content that happens to contain the delimiter is cut there; otherwise exact.
            let contains = values.iter().any(|v| find(v, format!("\r\n--{b}").as_bytes()).is_some());
            if !contains {
                let parts = parts.unwrap();
                prop_assert_eq!(parts.len(), values.len());
                for (p, v) in parts.iter().zip(&values) {
                    prop_assert_eq!(p.data, &v[..]);
                }
            }
        }
    }
}
