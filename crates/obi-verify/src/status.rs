//! `credentialStatus`: the W3C Bitstring Status List (and its predecessor StatusList2021) and
//! the 1EdTech Revocation List.
//!
//! Specs: <https://www.w3.org/TR/vc-bitstring-status-list/> (§3.2 validate algorithm: the
//! `encodedList` is a multibase base64url GZIP-compressed bitstring, index 0 the left-most
//! bit), <https://www.imsglobal.org/spec/ob/v3p0/#1edtech-revocation-list-status-method>.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde_json::Value;

use crate::context::VerifyContext;
use crate::ob3::checks::CREDENTIAL_STATUS;
use crate::report::Level;

/// Why an `encodedList` could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatusListError {
    /// Not base64url (optionally multibase `u`).
    #[error("encodedList is not base64url: {0}")]
    Base64(String),
    /// Not a GZIP stream, or a corrupt one.
    #[error("encodedList is not GZIP data: {0}")]
    Gzip(String),
    /// The decompressed bitstring is over the limit.
    #[error("the decompressed status list is over the max_status_list_bytes limit of {0} bytes")]
    TooLarge(usize),
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Decodes a status list `encodedList` (multibase `u` + base64url, or plain base64url /
/// base64, of GZIP data) into the bitstring, decompressing at most `max_bytes`.
///
/// # Errors
/// [`StatusListError`] naming what is wrong.
pub fn decode_status_list(encoded: &str, max_bytes: usize) -> Result<Vec<u8>, StatusListError> {
    let encoded = encoded.trim();
    let decode = |s: &str| {
        let s = s.trim_end_matches('=');
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(s))
    };
    let compressed = match encoded.strip_prefix('u').map(decode) {
        Some(Ok(bytes)) if bytes.starts_with(&GZIP_MAGIC) => bytes,
        _ => decode(encoded).map_err(|e| StatusListError::Base64(e.to_string()))?,
    };
    gunzip(&compressed, max_bytes)
}

/// Decompresses a GZIP member (RFC 1952) with a cap on the output.
fn gunzip(data: &[u8], max_bytes: usize) -> Result<Vec<u8>, StatusListError> {
    let err = |s: &str| StatusListError::Gzip(s.to_owned());
    if data.len() < 18 || !data.starts_with(&GZIP_MAGIC) {
        return Err(err("no GZIP header"));
    }
    if data.get(2) != Some(&8) {
        return Err(err("compression method is not deflate"));
    }
    let flags = data.get(3).copied().unwrap_or(0);
    let mut pos = 10usize;
    if flags & 0x04 != 0 {
        let lo = usize::from(*data.get(pos).ok_or_else(|| err("truncated FEXTRA"))?);
        let hi = usize::from(*data.get(pos + 1).ok_or_else(|| err("truncated FEXTRA"))?);
        pos += 2 + lo + (hi << 8);
    }
    for flag in [0x08u8, 0x10] {
        if flags & flag != 0 {
            let rest = data.get(pos..).ok_or_else(|| err("truncated header"))?;
            let nul = rest
                .iter()
                .position(|b| *b == 0)
                .ok_or_else(|| err("unterminated header string"))?;
            pos += nul + 1;
        }
    }
    if flags & 0x02 != 0 {
        pos += 2;
    }
    let body = data.get(pos..).ok_or_else(|| err("truncated header"))?;
    miniz_oxide::inflate::decompress_to_vec_with_limit(body, max_bytes).map_err(|e| {
        if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput {
            StatusListError::TooLarge(max_bytes)
        } else {
            StatusListError::Gzip(format!("{:?}", e.status))
        }
    })
}

/// The value of `size` bits at entry `index` (index 0 is the left-most bit), or `None` when
/// the list is too short.
#[must_use]
pub fn status_at(bits: &[u8], index: usize, size: usize) -> Option<u64> {
    if size == 0 || size > 64 {
        return None;
    }
    let start = index.checked_mul(size)?;
    let mut value = 0u64;
    for i in start..start.checked_add(size)? {
        let byte = bits.get(i / 8)?;
        let bit = (byte >> (7 - (i % 8))) & 1;
        value = (value << 1) | u64::from(bit);
    }
    Some(value)
}

fn entries(value: &Value) -> Vec<&Value> {
    match value.get("credentialStatus") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(v) => vec![v],
        None => Vec::new(),
    }
}

/// Checks every `credentialStatus` entry of `value`.
pub(crate) fn check_status(value: &Value, node_id: Option<&str>, ctx: &mut VerifyContext<'_>) {
    let issuer = crate::ob3::issuer_id(value);
    for entry in entries(value) {
        let ty = entry
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match ty {
            "BitstringStatusListEntry" | "StatusList2021Entry" => {
                check_bitstring(entry, issuer, node_id, ctx);
            }
            "1EdTechRevocationList" => check_revocation_list(entry, node_id, ctx),
            other => ctx.node(
                Level::Warning,
                CREDENTIAL_STATUS,
                node_id,
                format!("credentialStatus type {other:?} is not supported; status not checked"),
            ),
        }
    }
}

fn str_or_number(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

fn check_bitstring(
    entry: &Value,
    issuer: Option<&str>,
    node_id: Option<&str>,
    ctx: &mut VerifyContext<'_>,
) {
    let fail = |ctx: &mut VerifyContext<'_>, text: String| {
        ctx.node(Level::Error, CREDENTIAL_STATUS, node_id, text);
    };
    let purpose = entry
        .get("statusPurpose")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let Some(index) = str_or_number(entry.get("statusListIndex")) else {
        return fail(
            ctx,
            "statusListIndex is missing or not a non-negative integer".into(),
        );
    };
    let Some(list_url) = entry
        .get("statusListCredential")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return fail(ctx, "statusListCredential is missing".into());
    };
    let size = str_or_number(entry.get("statusSize")).unwrap_or(1);
    let request = obi_fetch::Request::json(&list_url).with_accept(
        "application/vc+ld+json, application/vc+jwt, application/ld+json, application/json;q=0.9",
    );
    let body = match ctx.fetch(&request) {
        Ok(r) => r.body,
        Err(e) => {
            ctx.report.incomplete = true;
            return fail(
                ctx,
                format!("could not fetch the status list {list_url}: {e}"),
            );
        }
    };
    let info = match ctx.options.status_lists.get(&list_url, &body) {
        Some(info) => {
            ctx.node(
                Level::Info,
                CREDENTIAL_STATUS,
                node_id,
                format!("the status list {list_url}: the same bytes were verified before"),
            );
            info
        }
        None => {
            let Some(info) = load_list(&list_url, &body, node_id, ctx) else {
                return;
            };
            let info = Arc::new(info);
            ctx.options
                .status_lists
                .insert(&list_url, &body, Arc::clone(&info));
            info
        }
    };
    // A list signed by someone else says nothing about this issuer's credential (the W3C
    // validate algorithm leaves this to the verifier; Digital Bazaar's checkStatus refuses
    // it by default with verifyMatchingIssuers).
    if info.issuer.as_deref() != issuer {
        return fail(
            ctx,
            format!(
                "the status list {list_url} is issued by {}, not by the credential's issuer {}",
                info.issuer.as_deref().unwrap_or("(no issuer)"),
                issuer.unwrap_or("(no issuer)")
            ),
        );
    }
    let now = ctx.options.now();
    if let Some(until) = &info.valid_until
        && let Ok(t) = chrono::DateTime::parse_from_rfc3339(until)
        && t < now
    {
        return fail(
            ctx,
            format!("the status list {list_url} expired at {until}"),
        );
    }
    if info.purpose != purpose {
        return fail(
            ctx,
            format!(
                "the status list {list_url} has statusPurpose {:?}, the entry {purpose:?}",
                info.purpose
            ),
        );
    }
    let bits = &info.bits;
    let (Ok(index_us), Ok(size_us)) = (usize::try_from(index), usize::try_from(size)) else {
        return fail(ctx, "statusListIndex or statusSize is too large".into());
    };
    let Some(status) = status_at(bits, index_us, size_us) else {
        return fail(
            ctx,
            format!(
                "statusListIndex {index} (statusSize {size}) is outside the status list {list_url} of {} entries",
                bits.len() * 8 / size_us.max(1)
            ),
        );
    };
    match (purpose.as_str(), status) {
        ("revocation", 0) => ctx.node(
            Level::Info,
            CREDENTIAL_STATUS,
            node_id,
            format!("not revoked (status list {list_url}, index {index})"),
        ),
        ("revocation", _) => fail(
            ctx,
            format!("the credential is revoked (status list {list_url}, index {index})"),
        ),
        ("suspension", 0) => ctx.node(
            Level::Info,
            CREDENTIAL_STATUS,
            node_id,
            format!("not suspended (status list {list_url}, index {index})"),
        ),
        ("suspension", _) => fail(
            ctx,
            format!("the credential is suspended (status list {list_url}, index {index})"),
        ),
        (other, v) => ctx.node(
            Level::Info,
            CREDENTIAL_STATUS,
            node_id,
            format!("status {other:?} is {v:#x} (status list {list_url}, index {index})"),
        ),
    }
}

/// A status list whose proof verified and whose bitstring decoded.
#[derive(Debug)]
pub(crate) struct ListInfo {
    issuer: Option<String>,
    purpose: String,
    valid_until: Option<String>,
    bits: Vec<u8>,
}

/// How many verified status lists [`StatusListCache`] keeps.
pub const STATUS_LIST_CACHE_ENTRIES: usize = 64;

/// How many bytes (fetched documents plus decoded bitstrings) [`StatusListCache`] keeps at
/// most: 64 MiB. A list larger than this on its own is verified every time, not kept.
pub const STATUS_LIST_CACHE_BYTES: usize = 64 * 1024 * 1024;

/// Verified, decoded status lists keyed by URL, each with the exact bytes that were
/// verified, so a batch does not re-verify the same list for every credential; a list whose
/// bytes changed is verified again. Shared by clones of [`crate::Options`]. Bounded by
/// [`STATUS_LIST_CACHE_ENTRIES`] and [`STATUS_LIST_CACHE_BYTES`]: cleared when full.
#[derive(Debug, Default)]
pub struct StatusListCache(Mutex<ListMap>);

#[derive(Debug, Default)]
struct ListMap {
    lists: HashMap<String, (Vec<u8>, Arc<ListInfo>)>,
    bytes: usize,
}

impl StatusListCache {
    /// The list verified from exactly `body` at `url`, if kept. Comparing the bytes costs a
    /// `memcmp`; hashing them (as a key) cost more than the rest of the status check.
    fn get(&self, url: &str, body: &[u8]) -> Option<Arc<ListInfo>> {
        let map = self.0.lock().ok()?;
        let (kept, info) = map.lists.get(url)?;
        (kept.as_slice() == body).then(|| Arc::clone(info))
    }

    fn insert(&self, url: &str, body: &[u8], info: Arc<ListInfo>) {
        let size = url.len() + body.len() + info.bits.len();
        if size > STATUS_LIST_CACHE_BYTES {
            return;
        }
        if let Ok(mut map) = self.0.lock() {
            if map.lists.len() >= STATUS_LIST_CACHE_ENTRIES
                || map.bytes + size > STATUS_LIST_CACHE_BYTES
            {
                map.lists.clear();
                map.bytes = 0;
            }
            if let Some((old_body, old)) = map.lists.insert(url.to_owned(), (body.to_vec(), info)) {
                let old_size = url.len() + old_body.len() + old.bits.len();
                map.bytes = map.bytes.saturating_sub(old_size);
            }
            map.bytes += size;
        }
    }
}

/// Verifies the status list credential in `body` (Data Integrity or VC-JWT) and decodes its
/// bitstring; writes the ERROR and returns `None` when it fails.
fn load_list(
    list_url: &str,
    body: &[u8],
    node_id: Option<&str>,
    ctx: &mut VerifyContext<'_>,
) -> Option<ListInfo> {
    let fail = |ctx: &mut VerifyContext<'_>, text: String| {
        ctx.node(Level::Error, CREDENTIAL_STATUS, node_id, text);
        None
    };
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();
    let list = if obi_bake::is_compact_jws(trimmed) {
        let fetcher = ctx.proof_fetcher();
        let resolver = obi_proof::Resolver::new().with_fetcher(&fetcher);
        let now = ctx.options.now().timestamp();
        match obi_proof::verify_vc_jwt(trimmed, &resolver, &obi_proof::JwsLimits::new(), now) {
            Ok(v) => v.credential,
            Err(e) => {
                return fail(
                    ctx,
                    format!("the status list {list_url} does not verify: {e}"),
                );
            }
        }
    } else {
        let list = match obi_model::json::parse(body) {
            Ok(v) => v,
            Err(e) => return fail(ctx, format!("the status list {list_url} is not JSON: {e}")),
        };
        let list_id = list.get("id").and_then(Value::as_str).map(str::to_owned);
        if !crate::ob3::verify_data_integrity(
            &list,
            list_id.as_deref().or(node_id),
            CREDENTIAL_STATUS,
            &format!("the status list {list_url}"),
            ctx,
        ) {
            return None;
        }
        list
    };
    let valid_until = ["validUntil", "expirationDate"]
        .iter()
        .find_map(|n| list.get(*n).and_then(Value::as_str))
        .map(str::to_owned);
    let subject = list.get("credentialSubject").unwrap_or(&Value::Null);
    let purpose = subject
        .get("statusPurpose")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let Some(encoded) = subject.get("encodedList").and_then(Value::as_str) else {
        return fail(
            ctx,
            format!("the status list {list_url} has no encodedList"),
        );
    };
    match decode_status_list(encoded, ctx.options.max_status_list_bytes) {
        Ok(bits) => Some(ListInfo {
            issuer: crate::ob3::issuer_id(&list).map(str::to_owned),
            purpose,
            valid_until,
            bits,
        }),
        Err(e) => fail(ctx, format!("the status list {list_url}: {e}")),
    }
}

fn check_revocation_list(entry: &Value, node_id: Option<&str>, ctx: &mut VerifyContext<'_>) {
    let Some(list_url) = entry.get("id").and_then(Value::as_str).map(str::to_owned) else {
        ctx.node(
            Level::Error,
            CREDENTIAL_STATUS,
            node_id,
            "the 1EdTechRevocationList entry has no id",
        );
        return;
    };
    let Some(list) = ctx.fetch_json(CREDENTIAL_STATUS, &list_url) else {
        return;
    };
    // The 1EdTech list is a plain JSON document; when the issuer signs it anyway, its proof
    // must verify (a list that fails its own proof cannot be trusted either way).
    if list.get("proof").is_some()
        && !crate::ob3::verify_data_integrity(
            &list,
            node_id,
            CREDENTIAL_STATUS,
            &format!("the 1EdTech revocation list {list_url}"),
            ctx,
        )
    {
        return;
    }
    let Some(id) = node_id else {
        ctx.error(
            CREDENTIAL_STATUS,
            "the credential has no id to look up in the 1EdTech revocation list",
        );
        return;
    };
    let revoked = list
        .get("revokedCredentials")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|r| match r {
            Value::String(s) => s == id,
            other => other.get("id").and_then(Value::as_str) == Some(id),
        });
    match revoked {
        Some(r) => {
            let reason = r
                .get("revocationReason")
                .and_then(Value::as_str)
                .map(|s| format!(": {s}"))
                .unwrap_or_default();
            ctx.node(
                Level::Error,
                CREDENTIAL_STATUS,
                node_id,
                format!("the credential is revoked (1EdTech revocation list {list_url}){reason}"),
            );
        }
        None => ctx.node(
            Level::Info,
            CREDENTIAL_STATUS,
            node_id,
            format!("not revoked (1EdTech revocation list {list_url})"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gzip(bits: &[u8]) -> Vec<u8> {
        let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
        out.extend(miniz_oxide::deflate::compress_to_vec(bits, 6));
        out.extend([0u8; 8]);
        out
    }

    #[test]
    fn decodes_multibase_and_plain_lists() {
        let mut bits = vec![0u8; 16 * 1024];
        bits[0] = 0b0100_0000;
        bits[1000] = 0x01;
        let z = gzip(&bits);
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&z);
        for encoded in [format!("u{b64}"), b64.clone()] {
            let out = decode_status_list(&encoded, 1 << 20).unwrap();
            assert_eq!(out.len(), bits.len());
            assert_eq!(status_at(&out, 0, 1), Some(0));
            assert_eq!(status_at(&out, 1, 1), Some(1));
            assert_eq!(status_at(&out, 8006, 1), Some(0));
            assert_eq!(status_at(&out, 8008, 1), Some(0));
            assert_eq!(status_at(&out, 1000 * 8 + 7, 1), Some(1));
            assert_eq!(status_at(&out, 0, 2), Some(1));
            assert_eq!(status_at(&out, bits.len() * 8, 1), None);
        }
        assert!(matches!(
            decode_status_list(&format!("u{b64}"), 100),
            Err(StatusListError::TooLarge(100))
        ));
        assert!(matches!(
            decode_status_list("!!!", 100),
            Err(StatusListError::Base64(_))
        ));
        assert!(matches!(
            decode_status_list("AAAAAAAA", 100),
            Err(StatusListError::Gzip(_))
        ));
    }

    proptest::proptest! {
        #[test]
        fn round_trip_and_bits(bits in proptest::collection::vec(proptest::num::u8::ANY, 1..512), index in 0usize..5000) {
            let encoded = format!(
                "u{}",
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(gzip(&bits))
            );
            let out = decode_status_list(&encoded, 1 << 16).unwrap();
            proptest::prop_assert_eq!(&out, &bits);
            let want = bits.get(index / 8).map(|b| u64::from((b >> (7 - index % 8)) & 1));
            proptest::prop_assert_eq!(status_at(&out, index, 1), want);
        }

        #[test]
        fn arbitrary_text_never_panics_and_respects_the_cap(text in ".{0,200}") {
            if let Ok(out) = decode_status_list(&text, 64) {
                proptest::prop_assert!(out.len() <= 64);
            }
        }
    }
}
