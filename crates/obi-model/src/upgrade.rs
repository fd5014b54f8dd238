//! Upgrade on read: Open Badges 0.5, 1.0 and 1.1 objects become Open Badges 2.0 JSON, with
//! a report of every change.
//!
//! Version detection and the upgrade steps follow what the 1EdTech validator
//! (openbadges-validator-core) does:
//!
//! | input | detected by | upgrade |
//! |---|---|---|
//! | 0.5 | no `@context`, `recipient` is a string | `issued_on` → `issuedOn`; the `recipient` string (plus `salt`) becomes an identity object (`type: email`, hashed unless it contains `@`); `verification: {type: HostedBadge}`; embedded `badge` gets `type: BadgeClass`, its `issuer` `type: Profile`, `contact` → `email`, `origin` → `url`, `name` + `org` → `"name: org"`; `id` is the URL the assertion came from ([`UpgradeOptions::with_source`]); then as 1.1 |
//! | 1.0 | no `@context` | `id` from the source URL, else `verify.url` (hosted) or `uid:<uid>` (signed); `type` from the shape (`recipient` → `Assertion`, `criteria` → `BadgeClass`, otherwise `Issuer`); then as 1.1 |
//! | 1.1 | `@context` string with `v1` | `verify` → `verification` with `hosted`/`signed` → `HostedBadge`/`SignedBadge` (what JSON-LD compaction into the 2.0 context does); `issuedOn`/`expires` that are not ISO 8601 date-times (Unix timestamps, bare dates, no time zone) become `YYYY-MM-DDThh:mm:ss+00:00`; badge class `alignment` `url`/`name`/`description` → `targetUrl`/`targetName`/`targetDescription`; `@context` → the 2.0 context, and an embedded badge's or issuer's own 1.1 `@context` is removed |
//! | 2.0 | `@context` with `openbadges/v2` | none |
//!
//! The result is plain JSON ([`Upgraded::value`]); read it with [`Upgraded::assertion`] or
//! deserialize it into any [`crate::ob2`] type.

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde_json::{Map, Value};

use crate::json::JsonError;
use crate::ob2::{self, CONTEXT_V2};

/// The OB 1.1 JSON-LD context IRI.
pub const CONTEXT_V1: &str = "https://w3id.org/openbadges/v1";

/// An Open Badges version, as detected by [`detect_version`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ObVersion {
    /// 0.5: no `@context`, `recipient` is a string, `badge` embedded.
    V0_5,
    /// 1.0: no `@context`, `uid`, `recipient` object, `badge` URL, `verify`.
    V1_0,
    /// 1.1: `@context` `https://w3id.org/openbadges/v1`.
    V1_1,
    /// 2.0: `@context` `https://w3id.org/openbadges/v2`.
    V2_0,
    /// 3.0: a Verifiable Credential (VCDM 1.1 or 2.0 context) with the OB 3.0 context or types.
    V3_0,
}

impl std::fmt::Display for ObVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::V0_5 => "0.5",
            Self::V1_0 => "1.0",
            Self::V1_1 => "1.1",
            Self::V2_0 => "2.0",
            Self::V3_0 => "3.0",
        })
    }
}

/// Tells which Open Badges version a JSON object is, or `None` when it is not a JSON
/// object or its `@context` names neither Open Badges nor Verifiable Credentials.
pub fn detect_version(value: &Value) -> Option<ObVersion> {
    let obj = value.as_object()?;
    let Some(context) = obj.get("@context") else {
        return Some(if obj.get("recipient").is_some_and(Value::is_string) {
            ObVersion::V0_5
        } else {
            ObVersion::V1_0
        });
    };
    let iris: Vec<&str> = match context {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let any = |needle: &str| iris.iter().any(|c| c.contains(needle));
    if any("purl.imsglobal.org/spec/ob/v3p0")
        || any("www.w3.org/ns/credentials/v2")
        || any("www.w3.org/2018/credentials/v1")
    {
        Some(ObVersion::V3_0)
    } else if any("openbadges/v2") || any("openbadgespec.org/v2") {
        Some(ObVersion::V2_0)
    } else if any("openbadges/v1") || any("openbadgespec.org/v1") {
        Some(ObVersion::V1_1)
    } else {
        None
    }
}

/// One change made by the upgrade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// JSON Pointer (RFC 6901) of the changed property, in the upgraded document.
    pub path: String,
    /// What was done.
    pub description: String,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.description)
    }
}

/// The result of [`upgrade`].
#[derive(Debug, Clone, PartialEq)]
pub struct Upgraded {
    /// The OB 2.0 JSON.
    pub value: Value,
    /// The version of the input.
    pub from: ObVersion,
    /// Every change, in the order made (empty for 2.0 input).
    pub changes: Vec<Change>,
}

impl Upgraded {
    /// Reads the upgraded value as an OB 2.0 assertion.
    ///
    /// # Errors
    /// [`JsonError::Data`] naming the path when it does not have an assertion's shape.
    pub fn assertion(&self) -> Result<ob2::Assertion, JsonError> {
        crate::json::from_value(&self.value)
    }
}

/// Options of [`upgrade_with`]. `Default` is the same as [`UpgradeOptions::new`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct UpgradeOptions {
    source: Option<String>,
}

impl UpgradeOptions {
    /// No source URL.
    pub fn new() -> Self {
        Self::default()
    }

    /// The URL the object was fetched from: becomes its `id` (0.5 objects have none).
    pub fn with_source(mut self, url: impl Into<String>) -> Self {
        self.source = Some(url.into());
        self
    }
}

/// Why an object could not be upgraded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UpgradeError {
    /// The input is not a JSON object.
    #[error("an Open Badges object must be a JSON object, found {found}")]
    NotAnObject {
        /// The JSON type found.
        found: &'static str,
    },
    /// The `@context` names no Open Badges version this crate knows.
    #[error("unrecognized @context: not an Open Badges 0.5, 1.0, 1.1 or 2.0 object")]
    UnknownVersion,
    /// 3.0 credentials are not upgraded to 2.0.
    #[error("this is an Open Badges 3.0 credential; only 0.5, 1.0 and 1.1 objects upgrade to 2.0")]
    AlreadyV3,
    /// No `id` could be determined (0.5 objects, and 1.0 ones without `verify.url`).
    #[error(
        "could not determine the 'id' of this Open Badges {version} {class}: give the URL it was fetched from"
    )]
    NoId {
        /// Detected version.
        version: ObVersion,
        /// `Assertion`, `BadgeClass` or `Profile`.
        class: &'static str,
    },
    /// A date could not be read.
    #[error("{path}: could not interpret date-time {value:?}")]
    BadDate {
        /// JSON Pointer of the date.
        path: String,
        /// The value.
        value: String,
    },
    /// A property has a type the upgrade cannot work with.
    #[error("{path}: {message}")]
    BadShape {
        /// JSON Pointer.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// Upgrades an Open Badges 0.5/1.0/1.1 object (assertion, badge class or issuer) to 2.0.
/// 2.0 input is returned unchanged.
///
/// # Errors
/// See [`UpgradeError`].
pub fn upgrade(value: Value) -> Result<Upgraded, UpgradeError> {
    upgrade_with(value, &UpgradeOptions::new())
}

/// [`upgrade`] with options (the source URL).
///
/// # Errors
/// See [`UpgradeError`].
pub fn upgrade_with(value: Value, options: &UpgradeOptions) -> Result<Upgraded, UpgradeError> {
    let from = detect_version(&value);
    let Value::Object(mut obj) = value else {
        return Err(UpgradeError::NotAnObject {
            found: crate::value::kind(&value),
        });
    };
    let from = from.ok_or(UpgradeError::UnknownVersion)?;
    let mut changes = Vec::new();
    match from {
        ObVersion::V3_0 => return Err(UpgradeError::AlreadyV3),
        ObVersion::V2_0 => {}
        ObVersion::V0_5 => {
            upgrade_0_5(&mut obj, options, &mut changes)?;
            upgrade_1_1(&mut obj, &mut changes)?;
        }
        ObVersion::V1_0 => {
            upgrade_1_0(&mut obj, options, &mut changes)?;
            upgrade_1_1(&mut obj, &mut changes)?;
        }
        ObVersion::V1_1 => upgrade_1_1(&mut obj, &mut changes)?,
    }
    Ok(Upgraded {
        value: Value::Object(obj),
        from,
        changes,
    })
}

fn change(changes: &mut Vec<Change>, path: &str, description: impl Into<String>) {
    changes.push(Change {
        path: path.to_owned(),
        description: description.into(),
    });
}

/// Class of a 0.5–1.1 node from its shape, as the validator guesses it.
fn node_class(obj: &Map<String, Value>) -> &'static str {
    if obj.contains_key("recipient") {
        "Assertion"
    } else if obj.contains_key("criteria") {
        "BadgeClass"
    } else {
        "Profile"
    }
}

fn set_id(
    obj: &mut Map<String, Value>,
    options: &UpgradeOptions,
    version: ObVersion,
    class: &'static str,
    changes: &mut Vec<Change>,
) -> Result<(), UpgradeError> {
    if let Some(src) = &options.source {
        if obj.get("id").and_then(Value::as_str) != Some(src) {
            obj.insert("id".into(), Value::String(src.clone()));
            change(changes, "/id", format!("set to the source URL {src}"));
        }
        return Ok(());
    }
    if obj.get("id").is_some() {
        return Ok(());
    }
    let from_verify = if class == "Assertion" && version == ObVersion::V1_0 {
        let verify = obj.get("verify");
        match verify.and_then(|v| v.get("type")).and_then(Value::as_str) {
            Some("hosted") => verify
                .and_then(|v| v.get("url"))
                .and_then(Value::as_str)
                .map(|u| (u.to_owned(), "from verify.url (hosted)")),
            Some("signed") => obj
                .get("uid")
                .and_then(Value::as_str)
                .map(|u| (format!("uid:{u}"), "from uid (signed)")),
            _ => None,
        }
    } else {
        None
    };
    let Some((id, how)) = from_verify else {
        return Err(UpgradeError::NoId { version, class });
    };
    obj.insert("id".into(), Value::String(id.clone()));
    change(changes, "/id", format!("set to {id} {how}"));
    Ok(())
}

fn set_type(obj: &mut Map<String, Value>, path: &str, class: &str, changes: &mut Vec<Change>) {
    if obj.get("type").and_then(Value::as_str) != Some(class) {
        obj.insert("type".into(), Value::String(class.to_owned()));
        change(changes, &format!("{path}/type"), format!("set to {class}"));
    }
}

fn rename(
    obj: &mut Map<String, Value>,
    path: &str,
    from: &str,
    to: &str,
    changes: &mut Vec<Change>,
) {
    if !obj.contains_key(to)
        && let Some(v) = obj.shift_remove(from)
    {
        obj.insert(to.to_owned(), v);
        change(
            changes,
            &format!("{path}/{to}"),
            format!("renamed from {from}"),
        );
    }
}

fn upgrade_0_5(
    obj: &mut Map<String, Value>,
    options: &UpgradeOptions,
    changes: &mut Vec<Change>,
) -> Result<(), UpgradeError> {
    let class = node_class(obj);
    set_id(obj, options, ObVersion::V0_5, class, changes)?;
    set_type(obj, "", class, changes);
    rename(obj, "", "issued_on", "issuedOn", changes);
    if let Some(Value::String(recipient)) = obj.get("recipient").cloned() {
        let mut identity = Map::new();
        identity.insert("type".into(), Value::String("email".into()));
        identity.insert("identity".into(), Value::String(recipient.clone()));
        identity.insert("hashed".into(), Value::Bool(!recipient.contains('@')));
        if let Some(salt) = obj.shift_remove("salt") {
            identity.insert("salt".into(), salt);
            change(changes, "/recipient/salt", "moved from salt");
        }
        obj.insert("recipient".into(), Value::Object(identity));
        change(
            changes,
            "/recipient",
            "recipient string became an email identity object",
        );
        if !obj.contains_key("verification") {
            let mut verification = Map::new();
            verification.insert("type".into(), Value::String("HostedBadge".into()));
            obj.insert("verification".into(), Value::Object(verification));
            change(
                changes,
                "/verification",
                "set to {\"type\": \"HostedBadge\"}",
            );
        }
    }
    if let Some(badge) = obj.get_mut("badge") {
        let Value::Object(badge) = badge else {
            return Err(UpgradeError::BadShape {
                path: "/badge".into(),
                message: "an Open Badges 0.5 badge must be an embedded object".into(),
            });
        };
        set_type(badge, "/badge", "BadgeClass", changes);
        if let Some(Value::Object(issuer)) = badge.get_mut("issuer") {
            set_type(issuer, "/badge/issuer", "Profile", changes);
            rename(issuer, "/badge/issuer", "contact", "email", changes);
            rename(issuer, "/badge/issuer", "origin", "url", changes);
            let org = issuer.get("org").and_then(Value::as_str).map(str::to_owned);
            let name = issuer
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_owned);
            if let (Some(name), Some(org)) = (name, org) {
                issuer.shift_remove("org");
                issuer.insert("name".into(), Value::String(format!("{name}: {org}")));
                change(changes, "/badge/issuer/name", "merged name and org");
            }
        }
    }
    Ok(())
}

fn upgrade_1_0(
    obj: &mut Map<String, Value>,
    options: &UpgradeOptions,
    changes: &mut Vec<Change>,
) -> Result<(), UpgradeError> {
    let class = node_class(obj);
    set_id(obj, options, ObVersion::V1_0, class, changes)?;
    // The validator types a 1.0 issuer organization `Issuer` (0.5 ones `Profile`).
    let type_ = if class == "Profile" { "Issuer" } else { class };
    set_type(obj, "", type_, changes);
    Ok(())
}

fn upgrade_1_1(
    obj: &mut Map<String, Value>,
    changes: &mut Vec<Change>,
) -> Result<(), UpgradeError> {
    if obj.get("@context").and_then(Value::as_str) != Some(CONTEXT_V2) {
        // Insert at the front, as the document's first key.
        let rest = std::mem::take(obj);
        obj.insert("@context".into(), Value::String(CONTEXT_V2.into()));
        obj.extend(rest.into_iter().filter(|(k, _)| k != "@context"));
        change(changes, "/@context", format!("set to {CONTEXT_V2}"));
    }
    let class = node_class(obj);
    if class == "Assertion" {
        rename(obj, "", "verify", "verification", changes);
        if let Some(Value::Object(verification)) = obj.get_mut("verification") {
            let new = match verification.get("type").and_then(Value::as_str) {
                Some("hosted") => Some("HostedBadge"),
                Some("signed") => Some("SignedBadge"),
                _ => None,
            };
            if let Some(new) = new {
                verification.insert("type".into(), Value::String(new.into()));
                change(changes, "/verification/type", format!("set to {new}"));
            }
        }
        for key in ["issuedOn", "expires"] {
            fix_datetime(obj, key, changes)?;
        }
        if let Some(Value::Object(badge)) = obj.get_mut("badge") {
            drop_v1_context(badge, "/badge", changes);
            if let Some(Value::Object(issuer)) = badge.get_mut("issuer") {
                drop_v1_context(issuer, "/badge/issuer", changes);
            }
            upgrade_alignment(badge, "/badge", changes);
        }
    } else if class == "BadgeClass" {
        upgrade_alignment(obj, "", changes);
    }
    Ok(())
}

/// An embedded node's own 1.1 `@context` goes: the document's 2.0 context covers it (as
/// after JSON-LD compaction).
fn drop_v1_context(node: &mut Map<String, Value>, path: &str, changes: &mut Vec<Change>) {
    let is_v1 = node
        .get("@context")
        .and_then(Value::as_str)
        .is_some_and(|c| c.contains("openbadges/v1"));
    if is_v1 {
        node.shift_remove("@context");
        change(
            changes,
            &format!("{path}/@context"),
            "removed the embedded 1.1 context",
        );
    }
}

fn upgrade_alignment(badge: &mut Map<String, Value>, path: &str, changes: &mut Vec<Change>) {
    let Some(alignment) = badge.get_mut("alignment") else {
        return;
    };
    let items: Vec<(String, &mut Value)> = match alignment {
        Value::Array(items) => items
            .iter_mut()
            .enumerate()
            .map(|(i, v)| (format!("{path}/alignment/{i}"), v))
            .collect(),
        other => vec![(format!("{path}/alignment"), other)],
    };
    for (p, item) in items {
        if let Value::Object(a) = item {
            for (term, new) in [
                ("url", "targetUrl"),
                ("name", "targetName"),
                ("description", "targetDescription"),
            ] {
                rename(a, &p, term, new, changes);
            }
        }
    }
}

fn fix_datetime(
    obj: &mut Map<String, Value>,
    key: &str,
    changes: &mut Vec<Change>,
) -> Result<(), UpgradeError> {
    let path = format!("/{key}");
    let Some(v) = obj.get(key) else {
        return Ok(());
    };
    if let Some(s) = v.as_str()
        && chrono::DateTime::parse_from_rfc3339(s).is_ok()
    {
        return Ok(());
    }
    let fixed = upgrade_datetime(v).ok_or_else(|| UpgradeError::BadDate {
        path: path.clone(),
        value: match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        },
    })?;
    change(
        changes,
        &path,
        format!(
            "{} became ISO 8601 {fixed}",
            v.to_string().trim_matches('"')
        ),
    );
    obj.insert(key.to_owned(), Value::String(fixed));
    Ok(())
}

/// A Unix timestamp (number or numeric string), an ISO 8601 date-time without a zone, or a
/// bare `YYYY-MM-DD` date, as an RFC 3339 UTC date-time.
pub(crate) fn upgrade_datetime(v: &Value) -> Option<String> {
    let fmt = |dt: chrono::DateTime<Utc>| dt.format("%Y-%m-%dT%H:%M:%S%:z").to_string();
    let from_secs = |secs: f64| -> Option<String> {
        if !secs.is_finite() || secs.abs() > 1e13 {
            return None;
        }
        // Whole seconds, as the timestamps of 1.0 badges are.
        #[allow(clippy::cast_possible_truncation)] // bounded just above
        let whole = secs.trunc() as i64;
        Utc.timestamp_opt(whole, 0).single().map(fmt)
    };
    match v {
        Value::Number(n) => n.as_f64().and_then(from_secs),
        Value::String(s) => {
            let s = s.trim();
            if let Ok(secs) = s.parse::<f64>() {
                return from_secs(secs);
            }
            for pattern in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
                if let Ok(naive) = NaiveDateTime::parse_from_str(s, pattern) {
                    return Some(fmt(Utc.from_utc_datetime(&naive)));
                }
            }
            let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
            Some(fmt(Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0)?)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn detects_versions() {
        assert_eq!(
            detect_version(&json!({"recipient": "a@b.c"})),
            Some(ObVersion::V0_5)
        );
        assert_eq!(
            detect_version(&json!({"uid": "x", "recipient": {}})),
            Some(ObVersion::V1_0)
        );
        assert_eq!(
            detect_version(&json!({"@context": CONTEXT_V1})),
            Some(ObVersion::V1_1)
        );
        assert_eq!(
            detect_version(&json!({"@context": CONTEXT_V2})),
            Some(ObVersion::V2_0)
        );
        assert_eq!(
            detect_version(&json!({"@context": ["https://www.w3.org/ns/credentials/v2"]})),
            Some(ObVersion::V3_0)
        );
        assert_eq!(
            detect_version(&json!({"@context": "https://schema.org"})),
            None
        );
        assert_eq!(detect_version(&json!([1])), None);
    }

    #[test]
    fn datetimes() {
        assert_eq!(
            upgrade_datetime(&json!(1359217910)).as_deref(),
            Some("2013-01-26T16:31:50+00:00")
        );
        assert_eq!(
            upgrade_datetime(&json!("1359217910")).as_deref(),
            Some("2013-01-26T16:31:50+00:00")
        );
        assert_eq!(
            upgrade_datetime(&json!("2013-06-01")).as_deref(),
            Some("2013-06-01T00:00:00+00:00")
        );
        assert_eq!(
            upgrade_datetime(&json!("2016-12-31T23:59:59")).as_deref(),
            Some("2016-12-31T23:59:59+00:00")
        );
        assert_eq!(upgrade_datetime(&json!("next tuesday")), None);
        assert_eq!(upgrade_datetime(&json!(1e300)), None);
        assert_eq!(upgrade_datetime(&json!(true)), None);
    }

    #[test]
    fn v2_is_unchanged() {
        let v = json!({"@context": CONTEXT_V2, "type": "Assertion", "id": "urn:uuid:1"});
        let up = upgrade(v.clone()).unwrap();
        assert_eq!(up.value, v);
        assert!(up.changes.is_empty());
    }

    #[test]
    fn errors() {
        assert!(matches!(
            upgrade(json!("x")),
            Err(UpgradeError::NotAnObject { found: "string" })
        ));
        assert!(matches!(
            upgrade(json!({"recipient": "a@b.c", "badge": {}})),
            Err(UpgradeError::NoId {
                version: ObVersion::V0_5,
                ..
            })
        ));
        let err = upgrade(json!({"@context": CONTEXT_V1, "recipient": {}, "issuedOn": "soon"}))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "/issuedOn: could not interpret date-time \"soon\""
        );
    }
}
