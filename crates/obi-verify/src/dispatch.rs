//! Input detection and dispatch: bytes → JSON / JWS / image, version detection, then the
//! OB 2.0 ([`crate::ob2`]) or OB 3.0 ([`crate::ob3`]) checks.

use serde_json::Value;

use crate::context::VerifyContext;
use crate::input::Input;
use crate::options::Options;
use crate::report::Report;

/// The names of the checks the dispatcher itself writes.
pub mod checks {
    /// The input could not be read or classified.
    pub const INPUT: &str = "INPUT";
    /// The Open Badges version could not be told.
    pub const DETECT_VERSION: &str = "DETECT_VERSION";
    /// Unbaking a PNG or SVG failed or found no badge.
    pub const UNBAKE: &str = "UNBAKE";
    /// OB 2.0 (and upgraded 0.5/1.x) verification is not built in.
    pub const OB2_UNAVAILABLE: &str = "OB2_UNAVAILABLE";
    /// A verifiable presentation's members.
    pub const PRESENTATION: &str = "PRESENTATION";
    /// A verifiable presentation's own proof (Data Integrity with `proofPurpose:
    /// authentication`, or VP-JWT): signature, holder binding, expected challenge and domain.
    pub const PRESENTATION_PROOF: &str = "VERIFY_PRESENTATION_PROOF";
}

/// Verifies one input. Never panics and never fails: every problem, including a check that
/// could not run, is an ERROR message in the report.
#[must_use]
pub fn verify(input: Input, options: &Options) -> Report {
    let mut ctx = VerifyContext::new(options);
    match input {
        Input::Url(url) => {
            ctx.report.input.source = Some(url.clone());
            ctx.report.input.input_type = Some("url".to_owned());
            verify_url(&url, &mut ctx);
        }
        Input::Bytes { name, bytes } => {
            ctx.report.input.source = name;
            verify_bytes(&bytes, &mut ctx);
        }
        Input::Json(value) => {
            ctx.report.input.input_type = Some("json".to_owned());
            verify_json(value, &mut ctx);
        }
        Input::Jws(text) => {
            ctx.report.input.input_type = Some("jws".to_owned());
            verify_jws(&text, &mut ctx);
        }
    }
    ctx.report
}

fn verify_url(url: &str, ctx: &mut VerifyContext<'_>) {
    let request = obi_fetch::Request::json(url)
        .with_accept(
            "application/ld+json, application/json;q=0.9, image/png, image/svg+xml, */*;q=0.1",
        )
        .with_max_bytes(ctx.options.max_input_bytes);
    match ctx.fetch(&request) {
        Ok(response) => {
            ctx.source_url = Some(url.to_owned());
            ctx.report.input.value_url = Some(response.final_url.clone());
            verify_bytes(&response.body, ctx);
        }
        Err(e) => ctx.report.could_not_run(
            crate::context::FETCH_DOCUMENT,
            format!("could not fetch {url}: {e}"),
        ),
    }
}

/// Classifies bytes: PNG / SVG (unbaked), JSON, compact JWS, or a bare URL.
fn verify_bytes(bytes: &[u8], ctx: &mut VerifyContext<'_>) {
    if bytes.len() > ctx.options.max_input_bytes {
        ctx.error(
            checks::INPUT,
            format!(
                "input is {} bytes, over the max_input_bytes limit of {}",
                bytes.len(),
                ctx.options.max_input_bytes
            ),
        );
        return;
    }
    if bytes.starts_with(&obi_bake::PNG_SIGNATURE) || looks_like_svg(bytes) {
        return verify_image(bytes, ctx);
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.trim_start_matches('\u{feff}').trim(),
        Err(_) => {
            ctx.error(
                checks::INPUT,
                "input is neither JSON, a compact JWS, a PNG nor an SVG (not UTF-8 text)",
            );
            return;
        }
    };
    if text.starts_with('{') || text.starts_with('[') {
        ctx.report
            .input
            .input_type
            .get_or_insert_with(|| "json".to_owned());
        match obi_model::json::parse(text.as_bytes()) {
            Ok(v) => verify_json(v, ctx),
            Err(e) => ctx.error(checks::INPUT, format!("input is not valid JSON: {e}")),
        }
    } else if obi_bake::is_compact_jws(text) {
        ctx.report
            .input
            .input_type
            .get_or_insert_with(|| "jws".to_owned());
        verify_jws(text, ctx);
    } else if (text.starts_with("https://") || text.starts_with("http://"))
        && !text.contains(char::is_whitespace)
        && ctx.depth == 0
        && ctx.source_url.is_none()
    {
        ctx.report.input.input_type = Some("url".to_owned());
        let url = text.to_owned();
        verify_url(&url, ctx);
    } else {
        ctx.error(
            checks::INPUT,
            "input is neither JSON, a compact JWS, a URL, a PNG nor an SVG",
        );
    }
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let head = String::from_utf8_lossy(head);
    let t = head.trim_start_matches('\u{feff}').trim_start();
    t.starts_with("<?xml")
        || t.starts_with("<svg")
        || t.starts_with("<!--")
        || t.starts_with("<!DOCTYPE svg")
}

fn verify_image(bytes: &[u8], ctx: &mut VerifyContext<'_>) {
    let baked = match obi_bake::unbake(bytes) {
        Ok(Some(b)) => b,
        Ok(None) => {
            ctx.error(checks::UNBAKE, "the image holds no Open Badge");
            return;
        }
        Err(e) => {
            ctx.error(checks::UNBAKE, format!("could not unbake the image: {e}"));
            return;
        }
    };
    ctx.report.input.input_type = Some(
        match baked.format {
            obi_bake::Format::Png => "png",
            obi_bake::Format::Svg => "svg",
            _ => "image",
        }
        .to_owned(),
    );
    match baked.payload {
        obi_bake::Payload::Json(text) => match obi_model::json::parse(text.as_bytes()) {
            Ok(v) => verify_json(v, ctx),
            Err(e) => ctx.error(
                checks::UNBAKE,
                format!("the baked badge is not valid JSON: {e}"),
            ),
        },
        obi_bake::Payload::Jws(text) => verify_jws(text.trim(), ctx),
        obi_bake::Payload::Url(url) => {
            let url = url.trim().to_owned();
            ctx.report.input.value_url = Some(url.clone());
            let request =
                obi_fetch::Request::json(&url).with_max_bytes(ctx.options.max_input_bytes);
            match ctx.fetch(&request) {
                Ok(response) => {
                    ctx.source_url = Some(url.clone());
                    match obi_model::json::parse(&response.body) {
                        Ok(v) => verify_json(v, ctx),
                        Err(e) => ctx.error(
                            crate::context::FETCH_DOCUMENT,
                            format!("{url} (the baked assertion URL) is not valid JSON: {e}"),
                        ),
                    }
                }
                Err(e) => ctx.report.could_not_run(
                    crate::context::FETCH_DOCUMENT,
                    format!("could not fetch {url} (the baked assertion URL): {e}"),
                ),
            }
        }
        _ => ctx.error(checks::UNBAKE, "unknown baked payload form"),
    }
}

/// Verifies a compact JWS: a VC-JWT (claims hold `vc`, or are a credential) goes to OB 3.0,
/// anything else is an OB 2.0 signed assertion.
fn verify_jws(text: &str, ctx: &mut VerifyContext<'_>) {
    let jws = match obi_proof::Jws::parse(text) {
        Ok(j) => j,
        Err(e) => {
            ctx.error(checks::INPUT, format!("not a valid compact JWS: {e}"));
            return;
        }
    };
    let claims = obi_model::json::parse(jws.payload()).ok();
    if claims.as_ref().is_some_and(|c| c.get("vp").is_some()) {
        ctx.report.input.input_type = Some("presentation".to_owned());
        if let Some(vp) = crate::presentation::verify_vp_jwt(text, ctx) {
            verify_presentation_credentials(&vp, ctx);
        }
        return;
    }
    let is_vc = claims.as_ref().is_some_and(|c| {
        c.get("vc").is_some()
            || obi_model::upgrade::detect_version(c) == Some(obi_model::upgrade::ObVersion::V3_0)
    });
    if is_vc {
        ctx.report.open_badges_version = Some("3.0".to_owned());
        crate::ob3::verify_vc_jwt(text, ctx);
    } else {
        ob2_jws(text, ctx);
    }
}

/// Verifies a JSON document: a presentation (each credential), an OB 3.0 credential, or an
/// OB 0.5–2.0 assertion/badge class.
fn verify_json(value: Value, ctx: &mut VerifyContext<'_>) {
    if !value.is_object() {
        ctx.error(checks::INPUT, "the JSON input is not an object");
        return;
    }
    if has_type(&value, "VerifiablePresentation") {
        return verify_presentation(&value, ctx);
    }
    match obi_model::upgrade::detect_version(&value) {
        Some(obi_model::upgrade::ObVersion::V3_0) => {
            ctx.report.open_badges_version = Some("3.0".to_owned());
            crate::ob3::verify_credential(value, ctx);
        }
        Some(v) => {
            ctx.report.open_badges_version = Some(v.to_string());
            ob2_json(&value, ctx);
        }
        None => match crate::ob2::class_by_meaning(&value, ctx.options) {
            Some(class) => {
                ctx.info(
                    checks::DETECT_VERSION,
                    format!(
                        "the @context names no Open Badges context, but expanded the document is an Open Badges 2.0 {class}: verified as 2.0 (compacted with the Open Badges 2.0 context)"
                    ),
                );
                ctx.report.open_badges_version = Some("2.0".to_owned());
                ob2_json(&value, ctx);
            }
            None => ctx.error(
                checks::DETECT_VERSION,
                "not an Open Badge: the @context names neither Open Badges nor Verifiable Credentials, and expanded as JSON-LD its type is no Open Badges 2.0 class",
            ),
        },
    }
}

fn verify_presentation(value: &Value, ctx: &mut VerifyContext<'_>) {
    ctx.report.input.input_type = Some("presentation".to_owned());
    crate::presentation::check_proof(value, ctx);
    verify_presentation_credentials(value, ctx);
}

/// Verifies each credential of a presentation (JSON or the `vp` claim of a VP-JWT).
fn verify_presentation_credentials(value: &Value, ctx: &mut VerifyContext<'_>) {
    let credentials: Vec<&Value> = match value.get("verifiableCredential") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(v) => vec![v],
        None => Vec::new(),
    };
    if credentials.is_empty() {
        ctx.error(checks::PRESENTATION, "the presentation holds no credential");
        return;
    }
    if credentials.len() > ctx.options.max_presentation_credentials {
        ctx.error(
            checks::PRESENTATION,
            format!(
                "the presentation holds {} credentials, over the max_presentation_credentials limit of {}",
                credentials.len(),
                ctx.options.max_presentation_credentials
            ),
        );
        return;
    }
    for (i, credential) in credentials.into_iter().enumerate() {
        let mut nested = VerifyContext {
            options: ctx.options,
            report: Report::new(),
            depth: ctx.depth,
            source_url: None,
        };
        match credential {
            Value::String(s) if obi_bake::is_compact_jws(s.trim()) => {
                verify_jws(s.trim(), &mut nested)
            }
            Value::Object(_) if has_type(credential, "VerifiablePresentation") => nested.error(
                checks::PRESENTATION,
                "a presentation inside a presentation is not verified",
            ),
            Value::Object(_) => verify_json(credential.clone(), &mut nested),
            _ => nested.error(checks::PRESENTATION, "not a credential (object or VC-JWT)"),
        }
        let verdict = if nested.report.valid {
            "valid"
        } else {
            "not valid"
        };
        ctx.report.open_badges_version = nested.report.open_badges_version.clone();
        ctx.report.graph.append(&mut nested.report.graph);
        ctx.report.absorb_messages(nested.report);
        ctx.info(
            checks::PRESENTATION,
            format!("credential {i} of the presentation is {verdict}"),
        );
    }
}

/// True when `value.type` is `wanted` or an array containing it.
pub(crate) fn has_type(value: &Value, wanted: &str) -> bool {
    match value.get("type") {
        Some(Value::String(s)) => s == wanted,
        Some(Value::Array(items)) => items.iter().any(|t| t.as_str() == Some(wanted)),
        _ => false,
    }
}

// ---- OB 2.0 hand-off --------------------------------------------------------------------
//
// OB2 engineer: add `mod ob2;` to lib.rs and implement, in `src/ob2/`:
//
//     /// Verifies an OB 0.5/1.0/1.1/2.0 JSON document (assertion, or badge class). `value` is
//     /// the document as received (upgrade on read is yours). Write findings with
//     /// `ctx.error/warning/info/node`, fetch with `ctx.fetch_json(CHECK, url)` (it writes the
//     /// ERROR naming the URL when missing), push looked-at documents to `ctx.report.graph`.
//     /// `ctx.source_url` is the URL the input was fetched from (hosted verification),
//     /// `ctx.options.recipient` the expected recipient, `ctx.options.now()` the time,
//     /// `ctx.depth` / `ctx.nested()` for endorsements.
//     pub(crate) fn verify_ob2(value: &serde_json::Value, ctx: &mut VerifyContext<'_>);
//
//     /// Verifies an OB 2.0 signed assertion given as a compact JWS (payload not a VC).
//     pub(crate) fn verify_ob2_jws(jws: &str, ctx: &mut VerifyContext<'_>);
//
// then replace the two bodies below with calls to them.

fn ob2_json(value: &Value, ctx: &mut VerifyContext<'_>) {
    crate::ob2::verify_ob2(value, ctx);
}

fn ob2_jws(jws: &str, ctx: &mut VerifyContext<'_>) {
    ctx.report.open_badges_version = Some("2.0".to_owned());
    crate::ob2::verify_ob2_jws(jws, ctx);
}
