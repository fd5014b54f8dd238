//! Verification checks: dates, images, the hosted verification policy, signatures, key
//! ownership, revocation, the expected recipient and endorsements.

use serde_json::{Map, Value};

use super::classes::{self, node_label, short, values_of};
use super::values::{self, authority, is_data_uri, is_url};
use super::{FETCH_HTTP_NODE, Fetched, Findings, Run};
use crate::options::Recipient;
use crate::report::Level;
use obi_model::upgrade::ObVersion;

/// `ASSERTION_TIMESTAMP_CHECKS`: issued in the past, not expired, expiry after issue.
pub(super) fn timestamps(run: &mut Run<'_>, node: &Map<String, Value>, id: &str) {
    let name = "ASSERTION_TIMESTAMP_CHECKS";
    let Some(issued) = node
        .get("issuedOn")
        .and_then(Value::as_str)
        .and_then(|s| values::parse_datetime(s).ok())
    else {
        return; // reported by VALIDATE_PROPERTY
    };
    if issued > run.now {
        run.f.push(
            Level::Error,
            name,
            format!(
                "Assertion {id} has issue date {} in the future",
                issued.to_rfc3339()
            ),
            id,
        );
        return;
    }
    let Some(expires_text) = node.get("expires").and_then(Value::as_str) else {
        return;
    };
    let Ok(expires) = values::parse_datetime(expires_text) else {
        return;
    };
    if expires < issued {
        run.f.push(
            Level::Error,
            name,
            format!("Assertion {id} expiration {expires_text} is prior to its issue date"),
            id,
        );
    } else if expires < run.now {
        run.f.push(
            Level::Error,
            name,
            format!("Assertion {id} expired on {expires_text}"),
            id,
        );
    }
}

/// `IMAGE_VALIDATION`: the `image` is a PNG or SVG, as a data URI (when allowed) or fetched.
pub(super) fn image(
    run: &mut Run<'_>,
    node: &Map<String, Value>,
    id: &str,
    class: &str,
    required: bool,
    allow_data_uri: bool,
) {
    let name = "IMAGE_VALIDATION";
    let url = match node.get("image") {
        None | Some(Value::Null) => {
            if required {
                run.f.push(
                    Level::Error,
                    name,
                    format!("{class} {id} has no image: add a PNG or SVG image URL or data URI"),
                    id,
                );
            }
            return;
        }
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(o)) => match o.get("id").and_then(Value::as_str) {
            Some(s) => s.to_owned(),
            None => return, // reported by the Image class check
        },
        Some(Value::Array(_)) => {
            run.f.push(
                Level::Error,
                name,
                format!("{class} {id} has many images; one is allowed"),
                id,
            );
            return;
        }
        Some(_) => return,
    };
    if is_data_uri(&url) {
        if !allow_data_uri {
            run.f.push(
                Level::Error,
                name,
                format!("Image in {class} {id} may not be a data URI: give its URL"),
                id,
            );
            return;
        }
        let media = values::data_uri_media_type(&url);
        if !(media.contains("image/png") || media.contains("image/svg+xml")) {
            run.f.push(
                Level::Error,
                name,
                format!(
                    "Data URI image of {class} {id} does not declare any of the allowed PNG or SVG media types"
                ),
                id,
            );
        }
        return;
    }
    if !is_url(&url) {
        return; // reported by VALIDATE_PROPERTY
    }
    match run.fetch_bytes(&url, "image/png, image/svg+xml") {
        Ok(bytes) => {
            if !is_png_or_svg(&bytes) {
                run.f.push(
                    Level::Error,
                    name,
                    format!("{class} image {url} is neither a PNG nor an SVG"),
                    id,
                );
            }
        }
        Err(e) => run.f.push(
            Level::Error,
            name,
            format!("Could not fetch image at {url}: {e}"),
            id,
        ),
    }
}

fn is_png_or_svg(bytes: &[u8]) -> bool {
    if bytes.starts_with(&obi_bake::PNG_SIGNATURE) {
        return true;
    }
    let head = String::from_utf8_lossy(bytes.get(..bytes.len().min(1024)).unwrap_or(bytes));
    let text = String::from_utf8_lossy(bytes);
    head.contains("<svg") && text.trim_end().ends_with("</svg>")
}

/// `revoked: true` on a hosted assertion makes it invalid (spec: "Hosted verification ...
/// the assertion is revoked if ... it includes `revoked: true`"). validator-core ignores it.
pub(super) fn hosted_not_revoked(run: &mut Run<'_>, node: &Map<String, Value>, id: &str) {
    if node.get("revoked").and_then(Value::as_bool) == Some(true) {
        let reason = node
            .get("revocationReason")
            .and_then(Value::as_str)
            .map(|r| format!(" with reason: {r}"))
            .unwrap_or_default();
        run.f.push(
            Level::Error,
            "VERIFY_HOSTED_ASSERTION_NOT_REVOKED",
            format!("Assertion {id} has been revoked by its issuer (revoked: true){reason}"),
            id,
        );
    }
}

/// `HOSTED_ID_IN_VERIFICATION_SCOPE`: the assertion id is within the issuer's verification
/// policy: `startsWith` prefixes, `allowedOrigins` hosts, by default the issuer id's host.
pub(super) fn hosted_scope(run: &mut Run<'_>, id: &str, issuer: &Map<String, Value>) {
    let name = "HOSTED_ID_IN_VERIFICATION_SCOPE";
    let issuer_id = node_label(issuer);
    let policy = issuer.get("verification").and_then(Value::as_object);
    let strings = |key: &str| -> Option<Vec<String>> {
        policy.and_then(|p| p.get(key)).map(|v| {
            values_of(v)
                .into_iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
    };
    let starts_with = strings("startsWith");
    if let Some(prefixes) = &starts_with
        && !prefixes.iter().any(|p| id.starts_with(p.as_str()))
    {
        run.f.push(
            Level::Error,
            name,
            format!(
                "Assertion id {id} does not start with any permitted value ({}) of its issuer's verification policy",
                prefixes.join(", ")
            ),
            id,
        );
        return;
    }
    let allowed = match strings("allowedOrigins") {
        Some(list) => list,
        None if starts_with.is_some() => return,
        None => {
            if !is_url(&issuer_id) {
                run.f.push(
                    Level::Warning,
                    name,
                    format!(
                        "Issuer {issuer_id} has no HTTP domain to enforce hosted verification policy against"
                    ),
                    id,
                );
                return;
            }
            authority(&issuer_id)
                .map(str::to_owned)
                .into_iter()
                .collect()
        }
    };
    let host = authority(id).unwrap_or("");
    if !allowed.iter().any(|a| a.eq_ignore_ascii_case(host)) {
        run.f.push(
            Level::Error,
            name,
            format!(
                "Assertion {id} is not hosted in the allowed origins ({}) of issuer {issuer_id}: host it there or list its host in the issuer's verification.allowedOrigins",
                allowed.join(", ")
            ),
            id,
        );
    }
}

/// Signed verification: signature against `verification.creator` (`VERIFY_JWS`), the key
/// listed by and owned by the issuer (`VERIFY_KEY_OWNERSHIP`), the revocation list
/// (`VERIFY_SIGNED_ASSERTION_NOT_REVOKED`).
pub(super) fn signed(
    run: &mut Run<'_>,
    compact: &str,
    node: &Map<String, Value>,
    id: &str,
    issuer: Option<&Map<String, Value>>,
) {
    let creator = node
        .get("verification")
        .and_then(|v| v.get("creator"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let legacy = matches!(
        run.version,
        Some(ObVersion::V0_5 | ObVersion::V1_0 | ObVersion::V1_1)
    );
    if creator.is_none()
        && legacy
        && let Some(url) = node
            .get("verification")
            .and_then(|v| v.get("url"))
            .and_then(Value::as_str)
    {
        return signed_legacy(run, compact, node, id, issuer, url);
    }
    let Some(creator) = creator else {
        run.f.push(
            Level::Error,
            "VERIFY_JWS",
            format!(
                "Signed assertion {id} has no verification.creator: the signing key cannot be found"
            ),
            id,
        );
        return;
    };
    let key = if is_url(&creator) {
        match run.fetch_json(&creator, "CryptographicKey") {
            Fetched::Ok(k) => Some(k),
            Fetched::Gone => {
                run.f.push(
                    Level::Error,
                    "VERIFY_JWS",
                    format!("the signing key {creator} is gone (HTTP 410)"),
                    id,
                );
                None
            }
            Fetched::Failed => None,
        }
    } else {
        run.f.push(
            Level::Error,
            "VERIFY_JWS",
            format!("verification.creator {creator} of {id} is not an http(s) URL: the key cannot be fetched"),
            id,
        );
        None
    };
    let Some(key) = key else {
        return;
    };
    let Some(key_node) = key.as_object() else {
        run.f.push(
            Level::Error,
            "VERIFY_JWS",
            format!("the key at {creator} is not a JSON object"),
            id,
        );
        return;
    };
    classes::cryptographic_key(&mut run.f, key_node);
    run.push_graph(&key);
    match obi_proof::ob2::verify_assertion(compact, &key, &obi_proof::JwsLimits::new()) {
        Ok(_) => {
            if !compact_header_alg_is(compact, "RS256") {
                run.f.push(
                    Level::Warning,
                    "VERIFY_JWS",
                    format!(
                        "Assertion {id} is signed with ES256: the signature is good, but Open Badges 2.0 names RS256 and other verifiers (the 1EdTech validator) reject other algorithms"
                    ),
                    id,
                );
            }
        }
        Err(e) => {
            run.f.push(
                Level::Error,
                "VERIFY_JWS",
                format!("Signature for node {id} failed verification :: {e}"),
                id,
            );
        }
    }
    let Some(issuer) = issuer else {
        return;
    };
    let issuer_id = node_label(issuer);
    let key_id = key_node
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or(&creator);
    let listed = issuer
        .get("publicKey")
        .map(values_of)
        .unwrap_or_default()
        .into_iter()
        .any(|k| k.as_str() == Some(key_id) || k.get("id").and_then(Value::as_str) == Some(key_id));
    if !listed {
        run.f.push(
            Level::Error,
            "VERIFY_KEY_OWNERSHIP",
            format!(
                "Assertion signed by a key {key_id} other than those authorized by issuer profile {issuer_id}: list it in the issuer's publicKey"
            ),
            id,
        );
    }
    if let Some(owner) = key_node.get("owner").and_then(Value::as_str)
        && owner != issuer_id
    {
        run.f.push(
            Level::Error,
            "VERIFY_KEY_OWNERSHIP",
            format!("the signing key {key_id} is owned by {owner}, not by the issuer {issuer_id}"),
            id,
        );
    }
    revocation_list(run, id, issuer);
}

/// A signed 0.5/1.x assertion: the public key (PEM, or JSON with `publicKeyPem`) is at
/// `verify.url` (now `verification.url`); the revocation list, if the issuer has one, maps
/// revoked `uid`s to reasons.
fn signed_legacy(
    run: &mut Run<'_>,
    compact: &str,
    node: &Map<String, Value>,
    id: &str,
    issuer: Option<&Map<String, Value>>,
    key_url: &str,
) {
    let body = match run.fetch_bytes(
        key_url,
        "application/x-pem-file, text/plain, application/json;q=0.9",
    ) {
        Ok(b) => b,
        Err(e) => {
            run.f.push(
                Level::Error,
                FETCH_HTTP_NODE,
                format!("could not fetch the public key at {key_url} (verify.url): {e}"),
                id,
            );
            return;
        }
    };
    let text = String::from_utf8_lossy(&body).into_owned();
    let pem = if text.contains("-----BEGIN") {
        Some(text)
    } else {
        obi_model::json::parse(&body).ok().and_then(|v| {
            v.get("publicKeyPem")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
    };
    let Some(pem) = pem else {
        run.f.push(
            Level::Error,
            "VERIFY_JWS",
            format!("{key_url} (verify.url) holds no PEM public key"),
            id,
        );
        return;
    };
    let checked = obi_proof::PublicKey::from_public_key_pem(&pem)
        .map_err(|e| e.to_string())
        .and_then(|key| {
            obi_proof::Jws::parse_with(compact, &obi_proof::JwsLimits::new())
                .and_then(|jws| jws.verify(&key))
                .map_err(|e| e.to_string())
        });
    if let Err(e) = checked {
        run.f.push(
            Level::Error,
            "VERIFY_JWS",
            format!("Signature for node {id} failed verification with the key at {key_url} :: {e}"),
            id,
        );
    }
    let Some(issuer) = issuer else {
        return;
    };
    let issuer_host = issuer
        .get("url")
        .and_then(Value::as_str)
        .and_then(authority)
        .or_else(|| issuer.get("id").and_then(Value::as_str).and_then(authority));
    if let Some(host) = issuer_host
        && authority(key_url).is_some_and(|k| !k.eq_ignore_ascii_case(host))
    {
        run.f.push(
            Level::Warning,
            "VERIFY_KEY_OWNERSHIP",
            format!("the public key {key_url} is not hosted on the issuer's host {host}"),
            id,
        );
    }
    let Some(list_url) = issuer.get("revocationList").and_then(Value::as_str) else {
        return;
    };
    let list_url = list_url.to_owned();
    let Fetched::Ok(list) = run.fetch_json(&list_url, "revocation list") else {
        run.f.push(
            Level::Error,
            "VERIFY_SIGNED_ASSERTION_NOT_REVOKED",
            format!(
                "the revocation list {list_url} could not be read: revocation cannot be ruled out"
            ),
            id,
        );
        return;
    };
    let uid = node.get("uid").and_then(Value::as_str);
    if let (Some(uid), Some(map)) = (uid, list.as_object())
        && let Some(reason) = map.get(uid)
    {
        run.f.push(
            Level::Error,
            "VERIFY_SIGNED_ASSERTION_NOT_REVOKED",
            format!(
                "Assertion {id} (uid {uid}) has been revoked in the revocation list {list_url}: {}",
                reason.as_str().unwrap_or("no reason given")
            ),
            id,
        );
    }
}

/// Whether the JWS protected header names `alg`.
fn compact_header_alg_is(compact: &str, alg: &str) -> bool {
    obi_proof::Jws::parse(compact)
        .map(|j| j.algorithm().name() == alg)
        .unwrap_or(false)
}

fn revocation_list(run: &mut Run<'_>, id: &str, issuer: &Map<String, Value>) {
    let Some(list_url) = issuer.get("revocationList").and_then(Value::as_str) else {
        return;
    };
    let list_url = list_url.to_owned();
    if !is_url(&list_url) {
        run.f.push(
            Level::Error,
            "VERIFY_SIGNED_ASSERTION_NOT_REVOKED",
            format!("revocationList {list_url} of the issuer is not an http(s) URL: revocation cannot be checked"),
            id,
        );
        return;
    }
    let Fetched::Ok(list) = run.fetch_json(&list_url, "RevocationList") else {
        run.f.push(
            Level::Error,
            "VERIFY_SIGNED_ASSERTION_NOT_REVOKED",
            format!(
                "the revocation list {list_url} could not be read: revocation cannot be ruled out"
            ),
            id,
        );
        return;
    };
    let Some(list_node) = list.as_object() else {
        run.f.push(
            Level::Error,
            "VALIDATE_REVOCATIONLIST_ENTRIES",
            format!("the revocation list {list_url} is not a JSON object"),
            id,
        );
        return;
    };
    classes::revocation_list(&mut run.f, list_node);
    run.push_graph(&list);
    let Some(entries) = list_node.get("revokedAssertions") else {
        return;
    };
    for entry in values_of(entries) {
        let (entry_id, reason) = match entry {
            Value::String(s) => (Some(s.as_str()), None),
            Value::Object(o) => (
                o.get("id").and_then(Value::as_str),
                o.get("revocationReason").and_then(Value::as_str),
            ),
            _ => (None, None),
        };
        if entry_id == Some(id) {
            let reason = reason
                .map(|r| format!(" with reason: {r}"))
                .unwrap_or_default();
            run.f.push(
                Level::Error,
                "VERIFY_SIGNED_ASSERTION_NOT_REVOKED",
                format!("Assertion {id} has been revoked in RevocationList {list_url}{reason}"),
                id,
            );
            return;
        }
    }
}

/// `VERIFY_RECIPIENT_IDENTIFIER`: when the caller expects a recipient, the assertion's
/// identity object must name it (hashed with the stated salt, or in plain text).
pub(super) fn recipient(run: &mut Run<'_>, node: &Map<String, Value>, id: &str) {
    let Some(expected) = run.options.recipient.clone() else {
        return;
    };
    let name = "VERIFY_RECIPIENT_IDENTIFIER";
    let Some(identity) = node.get("recipient").and_then(Value::as_object) else {
        return; // reported by VALIDATE_PROPERTY
    };
    let kind = identity.get("type").and_then(Value::as_str).unwrap_or("");
    let stated = identity
        .get("identity")
        .and_then(Value::as_str)
        .unwrap_or("");
    let hashed = identity
        .get("hashed")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let salt = identity.get("salt").and_then(Value::as_str).unwrap_or("");
    if kind != expected.kind() {
        run.f.push(
            Level::Error,
            name,
            format!(
                "Assertion {id} is issued to an identity of type {kind:?}; the expected recipient is of type {}",
                expected.kind()
            ),
            id,
        );
        return;
    }
    let want = expected.value();
    let matched = if hashed {
        let stated_hash = stated.to_ascii_lowercase();
        // The address as given (what validator-core hashes), then in lower case (what obi and
        // most issuers hash).
        let lower = want.trim().to_lowercase();
        let found = values::identity_matches(want, salt, &stated_hash).map(|m| {
            m || (matches!(expected, Recipient::Email(_))
                && lower != want
                && values::identity_matches(&lower, salt, &stated_hash) == Some(true))
        });
        match found {
            Some(m) => m,
            None => {
                run.f.push(
                    Level::Error,
                    name,
                    format!("Cannot interpret hash type of {stated}: only sha256$ and md5$ are supported"),
                    id,
                );
                return;
            }
        }
    } else if matches!(expected, Recipient::Email(_)) {
        stated.eq_ignore_ascii_case(want)
    } else {
        stated == want
    };
    if matched {
        run.f.push(
            Level::Info,
            name,
            format!("Assertion {id} is awarded to the expected {kind} {want}"),
            id,
        );
    } else {
        run.f.push(
            Level::Error,
            name,
            format!(
                "the expected {kind} {want} did not match assertion {id} recipient {}",
                if hashed {
                    stated.to_owned()
                } else {
                    format!("value {stated}")
                }
            ),
            id,
        );
    }
}

/// `VERIFY_ENDORSEMENT`: one endorsement (an IRI, fetched, or embedded): its class, its claim
/// about `endorsed`, its issuer, its hosted verification. Problems are WARNINGs.
pub(super) fn endorsement(run: &mut Run<'_>, value: &Value, endorsed: &str) {
    let name = "VERIFY_ENDORSEMENT";
    let outer = std::mem::take(&mut run.f);
    let doc = match value {
        Value::Object(_) => Some(value.clone()),
        Value::String(url) if is_url(url) => match run.fetch_json(url, "Endorsement") {
            Fetched::Ok(v) => Some(v),
            _ => None,
        },
        other => {
            run.f.push(
                Level::Error,
                classes::VALIDATE_PROPERTY,
                format!(
                    "endorsement {} of {endorsed} is not an object or a URL",
                    short(other)
                ),
                endorsed,
            );
            None
        }
    };
    // Read as validator-core does: compacted with the OB 2.0 context (JSONLD_COMPACT_DATA).
    let fetcher = std::sync::Arc::clone(&run.options.fetcher);
    let doc = doc.and_then(|d| super::jsonld::compact_ob2(&mut run.f, &*fetcher, d));
    let mut label = match value {
        Value::String(s) => s.clone(),
        _ => "(embedded)".to_owned(),
    };
    if let Some(doc) = &doc
        && let Some(node) = doc.as_object()
    {
        label = node_label(node);
        endorsement_checks(run, doc, node, endorsed);
    }
    let inner = std::mem::replace(&mut run.f, outer);
    let problems = inner.has_errors();
    downgrade(&mut run.f, inner, &label);
    if problems {
        run.f.push(
            Level::Warning,
            name,
            format!("endorsement {label} of {endorsed} could not be verified (see the warnings above); the badge's verdict does not depend on it"),
            endorsed,
        );
    } else {
        run.f.push(
            Level::Info,
            name,
            format!("endorsement {label} of {endorsed} verified"),
            endorsed,
        );
    }
}

fn endorsement_checks(run: &mut Run<'_>, doc: &Value, node: &Map<String, Value>, endorsed: &str) {
    let name = "VERIFY_ENDORSEMENT";
    let id = node_label(node);
    let claim_id = node
        .get("claim")
        .and_then(|c| c.get("id"))
        .and_then(Value::as_str);
    if let Some(c) = claim_id
        && c != endorsed
    {
        run.f.push(
            Level::Error,
            name,
            format!("endorsement {id} is about {c}, not about {endorsed}"),
            &id,
        );
    }
    let Some(issuer) = endorsement_common(run, doc, node) else {
        return;
    };
    let Some(issuer_node) = issuer.as_object() else {
        return;
    };
    match super::verification_type(node).as_deref() {
        Some("HostedBadge") => {
            if !is_url(&id) {
                run.f.push(
                    Level::Error,
                    name,
                    format!("hosted endorsement {id} has no http(s) id to be fetched from"),
                    &id,
                );
                return;
            }
            match run.fetch_json(&id, "hosted endorsement") {
                Fetched::Ok(hosted) => {
                    if hosted.get("id").and_then(Value::as_str) != Some(id.as_str()) {
                        run.f.push(
                            Level::Error,
                            name,
                            format!("the endorsement hosted at {id} declares another id"),
                            &id,
                        );
                    } else if hosted.get("claim") != node.get("claim") {
                        run.f.push(
                            Level::Error,
                            name,
                            format!("the claim of endorsement {id} differs from the copy hosted at its id"),
                            &id,
                        );
                    }
                }
                Fetched::Gone => run.f.push(
                    Level::Error,
                    name,
                    format!("the hosted endorsement {id} is gone (HTTP 410): revoked"),
                    &id,
                ),
                Fetched::Failed => {}
            }
            hosted_not_revoked(run, node, &id);
            hosted_scope(run, &id, issuer_node);
        }
        Some("SignedBadge") => run.f.push(
            Level::Error,
            name,
            format!(
                "endorsement {id} is signed; signed endorsements embedded as JSON cannot be checked"
            ),
            &id,
        ),
        _ => {}
    }
}

/// The checks every endorsement gets, embedded or verified on its own: its `@context`, its
/// properties (`claim`, `issuedOn`, `verification`), an issue date not in the future, and its
/// issuer Profile (fetched when an IRI). Returns the issuer.
pub(super) fn endorsement_common(
    run: &mut Run<'_>,
    doc: &Value,
    node: &Map<String, Value>,
) -> Option<Value> {
    let name = "VERIFY_ENDORSEMENT";
    let id = node_label(node);
    if node.contains_key("@context") {
        run.context_check(node);
    }
    classes::endorsement(&mut run.f, node);
    run.push_graph(doc);
    if let Some(issued) = node
        .get("issuedOn")
        .and_then(Value::as_str)
        .and_then(|s| values::parse_datetime(s).ok())
        && issued > run.now
    {
        run.f.push(
            Level::Error,
            name,
            format!(
                "endorsement {id} has issue date {} in the future",
                issued.to_rfc3339()
            ),
            &id,
        );
    }
    let issuer = run.linked(node.get("issuer"), "endorser Profile", &id)?;
    if let Some(issuer_node) = issuer.as_object() {
        let embedded = node.get("issuer").is_some_and(Value::is_object);
        classes::profile(&mut run.f, issuer_node, true, embedded);
        run.push_graph(&issuer);
    }
    Some(issuer)
}

/// Moves `inner` into `outer`, ERRORs becoming WARNINGs prefixed with the endorsement.
fn downgrade(outer: &mut Findings, inner: Findings, label: &str) {
    for mut m in inner.messages {
        if m.level == Level::Error {
            m.level = Level::Warning;
            m.result = format!("endorsement {label}: {}", m.result);
        }
        outer.messages.push(m);
    }
}
