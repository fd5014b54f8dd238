//! Node classes of Open Badges 2.0 and their properties: presence, cardinality and value
//! class of every property (validator-core's `ClassValidators`, `VALIDATE_PROPERTY` and
//! `VALIDATE_RDF_TYPE_PROPERTY` checks), plus the class-level rules
//! (`IDENTITY_OBJECT_PROPERTY_DEPENDENCIES`, `CRITERIA_PROPERTY_DEPENDENCIES`,
//! `VALIDATE_REVOCATIONLIST_ENTRIES`). Linked nodes (badge, issuer, key, list) are fetched by
//! the caller; embedded value objects (recipient, verification, criteria, image, alignment,
//! evidence) are checked here, recursively.

use serde_json::{Map, Value};

use super::values::{
    compact_type, is_data_uri, is_email, is_identity_hash, is_iri, is_language, is_rdf_type,
    is_telephone, is_url, is_url_authority, parse_datetime,
};
use super::{Findings, Level};

/// A check name of validator-core.
pub(crate) const VALIDATE_PROPERTY: &str = "VALIDATE_PROPERTY";
/// A check name of validator-core.
pub(crate) const VALIDATE_RDF_TYPE_PROPERTY: &str = "VALIDATE_RDF_TYPE_PROPERTY";
/// A check name of validator-core.
pub(crate) const VALIDATE_EXPECTED_NODE_CLASS: &str = "VALIDATE_EXPECTED_NODE_CLASS";

/// Value classes of the spec's data types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueType {
    Iri,
    Text,
    TextOrNumber,
    DateTime,
    Email,
    Telephone,
    Url,
    UrlAuthority,
    Boolean,
    Language,
    IdentityHash,
}

impl ValueType {
    fn name(self) -> &'static str {
        match self {
            Self::Iri => "IRI",
            Self::Text => "TEXT",
            Self::TextOrNumber => "TEXT_OR_NUMBER",
            Self::DateTime => "DATETIME",
            Self::Email => "EMAIL",
            Self::Telephone => "TELEPHONE",
            Self::Url => "URL",
            Self::UrlAuthority => "URL_AUTHORITY",
            Self::Boolean => "BOOLEAN",
            Self::Language => "LANGUAGE",
            Self::IdentityHash => "IDENTITY_HASH",
        }
    }

    /// `None` when the value is of this class, else what to fix.
    fn check(self, value: &Value) -> Option<String> {
        let s = value.as_str();
        let ok = match self {
            Self::Boolean => value.is_boolean(),
            Self::TextOrNumber => value.is_string() || value.is_number(),
            Self::Text | Self::IdentityHash => value.is_string(),
            Self::Iri => s.is_some_and(is_iri),
            Self::Url => s.is_some_and(is_url),
            Self::UrlAuthority => s.is_some_and(is_url_authority),
            Self::Email => s.is_some_and(is_email),
            Self::Telephone => s.is_some_and(is_telephone),
            Self::Language => s.is_some_and(is_language),
            Self::DateTime => {
                return match s {
                    Some(text) => parse_datetime(text).err(),
                    None => Some(format!("{} is not a string", short(value))),
                };
            }
        };
        if ok {
            None
        } else {
            Some(match self {
                Self::Iri => format!(
                    "{} is not an IRI (an http(s) URL, a urn:uuid: or a _: blank node id)",
                    short(value)
                ),
                Self::Url => format!("{} is not an absolute http(s) URL", short(value)),
                Self::UrlAuthority => format!(
                    "{} is not a host name (no scheme, port or path, e.g. example.org)",
                    short(value)
                ),
                Self::Email => format!("{} is not an email address", short(value)),
                Self::Telephone => format!(
                    "{} is not an E.164 telephone number (e.g. +15551234567)",
                    short(value)
                ),
                Self::Language => format!("{} is not a BCP 47 language tag", short(value)),
                Self::Boolean => format!("{} is not true or false", short(value)),
                Self::TextOrNumber => format!("{} is not text or a number", short(value)),
                Self::Text | Self::IdentityHash => format!("{} is not text", short(value)),
                Self::DateTime => String::new(),
            })
        }
    }
}

/// A value abbreviated for a message (48 characters, as validator-core).
pub(crate) fn short(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > 48 {
        let cut: String = text.chars().take(48).collect();
        format!("`{cut}...`")
    } else {
        format!("`{text}`")
    }
}

/// The values of a property (an array's items, or the one value).
pub(crate) fn values_of(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

/// Checks one primitive property. Returns its values when present and valid.
#[expect(
    clippy::too_many_arguments,
    reason = "one flat call per property row, mirroring validator-core's property tables"
)]
pub(crate) fn prop<'v>(
    f: &mut Findings,
    node: &'v Map<String, Value>,
    class: &str,
    node_id: &str,
    name: &str,
    vt: ValueType,
    required: bool,
    many: bool,
) -> Option<Vec<&'v Value>> {
    let values = present(f, node, class, node_id, name, required, many)?;
    let mut ok = true;
    for v in &values {
        if let Some(why) = vt.check(v) {
            ok = false;
            f.push(
                Level::Error,
                VALIDATE_PROPERTY,
                format!(
                    "{} property {name} value {why} in {class} {node_id}",
                    vt.name()
                ),
                node_id,
            );
        }
    }
    ok.then_some(values)
}

/// Presence and cardinality of a property; `None` when absent, null or wrong.
pub(crate) fn present<'v>(
    f: &mut Findings,
    node: &'v Map<String, Value>,
    class: &str,
    node_id: &str,
    name: &str,
    required: bool,
    many: bool,
) -> Option<Vec<&'v Value>> {
    let Some(value) = node.get(name) else {
        if required {
            f.push(
                Level::Error,
                VALIDATE_PROPERTY,
                format!("Required property {name} not present in {class} {node_id}: add it"),
                node_id,
            );
        }
        return None;
    };
    let values: Vec<&Value> = values_of(value)
        .into_iter()
        .filter(|v| !v.is_null())
        .collect();
    if values.is_empty() {
        if required {
            f.push(
                Level::Error,
                VALIDATE_PROPERTY,
                format!(
                    "Required property {name} value {} is not acceptable in {class} {node_id}",
                    short(value)
                ),
                node_id,
            );
        }
        return None;
    }
    if !many && values.len() > 1 {
        f.push(
            Level::Error,
            VALIDATE_PROPERTY,
            format!("Property {name} in {class} {node_id} has more than the single allowed value"),
            node_id,
        );
        return None;
    }
    Some(values)
}

/// Checks `type`: present when required, each value a type of the context, and (when
/// `must_contain` is not empty) one of them among `must_contain`.
pub(crate) fn rdf_type(
    f: &mut Findings,
    node: &Map<String, Value>,
    class: &str,
    node_id: &str,
    required: bool,
    many: bool,
    must_contain: &[&str],
) -> bool {
    let Some(values) = present(f, node, class, node_id, "type", required, many) else {
        return !required;
    };
    let mut names = Vec::new();
    for v in values {
        match v.as_str() {
            Some(s) if is_rdf_type(s) => names.push(compact_type(s)),
            _ => {
                f.push(
                    Level::Error,
                    VALIDATE_RDF_TYPE_PROPERTY,
                    format!(
                        "RDF_TYPE property type value {} in {class} {node_id} is not a type of the Open Badges 2.0 context",
                        short(v)
                    ),
                    node_id,
                );
                return false;
            }
        }
    }
    if !must_contain.is_empty() && !names.iter().any(|n| must_contain.contains(n)) {
        f.push(
            Level::Error,
            VALIDATE_RDF_TYPE_PROPERTY,
            format!(
                "Node {node_id} of type {} does not have type among allowed values ({}): expected a {class}",
                names.join(", "),
                must_contain.join(", ")
            ),
            node_id,
        );
        return false;
    }
    true
}

/// How an ID-type property may be written.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct IdRule {
    pub required: bool,
    pub many: bool,
    /// A URL string is accepted (not fetched).
    pub allow_remote_url: bool,
    /// A `data:` URI string is accepted.
    pub allow_data_uri: bool,
}

/// An ID-type property value: an embedded object, or a string reference.
pub(crate) enum IdValue<'v> {
    /// An embedded JSON object.
    Object(&'v Map<String, Value>),
    /// An IRI or data URI string accepted by the rule.
    Reference,
}

/// Checks an ID-type property that is not fetched: values are embedded objects, or strings
/// the rule accepts (a URL, a data URI).
pub(crate) fn id_prop<'v>(
    f: &mut Findings,
    node: &'v Map<String, Value>,
    class: &str,
    node_id: &str,
    name: &str,
    rule: IdRule,
) -> Vec<IdValue<'v>> {
    let Some(values) = present(f, node, class, node_id, name, rule.required, rule.many) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for v in values {
        match v {
            Value::Object(o) => out.push(IdValue::Object(o)),
            Value::String(s) => {
                if (rule.allow_remote_url && is_url(s)) || (rule.allow_data_uri && is_data_uri(s)) {
                    out.push(IdValue::Reference);
                } else {
                    f.push(
                        Level::Error,
                        VALIDATE_PROPERTY,
                        format!(
                            "ID-type property {name} had value {} that is neither an embedded object nor an accepted {} in {class} {node_id}",
                            short(v),
                            match (rule.allow_remote_url, rule.allow_data_uri) {
                                (true, true) => "URL or data URI",
                                (true, false) => "URL",
                                (false, true) => "data URI",
                                (false, false) => "reference (embed the object)",
                            }
                        ),
                        node_id,
                    );
                }
            }
            other => f.push(
                Level::Error,
                VALIDATE_PROPERTY,
                format!(
                    "ID-type property {name} had value {} that is not an object or a string in {class} {node_id}",
                    short(other)
                ),
                node_id,
            ),
        }
    }
    out
}

/// Properties every primary object (Assertion, BadgeClass, Profile, Endorsement) may carry.
fn primary_common(f: &mut Findings, node: &Map<String, Value>, class: &str, id: &str) {
    prop(
        f,
        node,
        class,
        id,
        "@language",
        ValueType::Language,
        false,
        false,
    );
    prop(
        f,
        node,
        class,
        id,
        "version",
        ValueType::TextOrNumber,
        false,
        false,
    );
    id_prop(
        f,
        node,
        class,
        id,
        "related",
        IdRule {
            many: true,
            allow_remote_url: true,
            ..IdRule::default()
        },
    );
}

/// The node's `id` as text, for messages (`(no id)` when missing).
pub(crate) fn node_label(node: &Map<String, Value>) -> String {
    node.get("id")
        .and_then(Value::as_str)
        .map_or_else(|| "(no id)".to_owned(), str::to_owned)
}

/// The `id` of a primary node: required, except on an embedded node, which gets a blank node
/// id and a WARNING (validator-core's `FLATTEN_EMBEDDED_RESOURCE`).
fn node_id(f: &mut Findings, node: &Map<String, Value>, class: &str, id: &str, embedded: bool) {
    if embedded && !node.contains_key("id") {
        f.push(
            Level::Warning,
            "FLATTEN_EMBEDDED_RESOURCE",
            format!("the embedded {class} has no id: a blank node id is assigned; give it its http(s) URL"),
            "",
        );
    } else {
        prop(f, node, class, id, "id", ValueType::Iri, true, false);
    }
}

/// Assertion properties (the linked badge class is checked by the caller).
pub(crate) fn assertion(f: &mut Findings, node: &Map<String, Value>) {
    let class = "Assertion";
    let id = node_label(node);
    let id = id.as_str();
    prop(f, node, class, id, "id", ValueType::Iri, true, false);
    rdf_type(f, node, class, id, true, true, &["Assertion"]);
    for r in id_prop(
        f,
        node,
        class,
        id,
        "recipient",
        IdRule {
            required: true,
            ..IdRule::default()
        },
    ) {
        if let IdValue::Object(o) = r {
            identity_object(f, o, id);
        }
    }
    match present(f, node, class, id, "badge", true, false).as_deref() {
        Some([Value::String(s)]) if !is_iri(s) => f.push(
            Level::Error,
            VALIDATE_PROPERTY,
            format!("ID-type property badge had value {} not embedded node or in IRI format in Assertion {id}", short(&Value::String(s.clone()))),
            id,
        ),
        Some([Value::String(_) | Value::Object(_)]) | None => {}
        Some(other) => f.push(
            Level::Error,
            VALIDATE_PROPERTY,
            format!("ID-type property badge in Assertion {id} is {} : give the BadgeClass URL or embed it", other.first().map_or_else(String::new, |v| short(v))),
            id,
        ),
    }
    for v in id_prop(
        f,
        node,
        class,
        id,
        "verification",
        IdRule {
            required: true,
            ..IdRule::default()
        },
    ) {
        if let IdValue::Object(o) = v {
            verification_assertion(f, o, id);
        }
    }
    prop(
        f,
        node,
        class,
        id,
        "issuedOn",
        ValueType::DateTime,
        true,
        false,
    );
    prop(
        f,
        node,
        class,
        id,
        "expires",
        ValueType::DateTime,
        false,
        false,
    );
    for v in id_prop(
        f,
        node,
        class,
        id,
        "image",
        IdRule {
            allow_remote_url: true,
            ..IdRule::default()
        },
    ) {
        if let IdValue::Object(o) = v {
            image(f, o, id);
        }
    }
    prop(
        f,
        node,
        class,
        id,
        "narrative",
        ValueType::Text,
        false,
        false,
    );
    for v in id_prop(
        f,
        node,
        class,
        id,
        "evidence",
        IdRule {
            many: true,
            allow_remote_url: true,
            ..IdRule::default()
        },
    ) {
        if let IdValue::Object(o) = v {
            evidence(f, o, id);
        }
    }
    prop(
        f,
        node,
        class,
        id,
        "revoked",
        ValueType::Boolean,
        false,
        false,
    );
    prop(
        f,
        node,
        class,
        id,
        "revocationReason",
        ValueType::Text,
        false,
        false,
    );
    primary_common(f, node, class, id);
}

/// `IdentityObject` (the assertion's `recipient`).
pub(crate) fn identity_object(f: &mut Findings, node: &Map<String, Value>, owner: &str) {
    let class = "IdentityObject";
    let type_ok = rdf_type(
        f,
        node,
        class,
        owner,
        true,
        false,
        &["id", "email", "url", "telephone"],
    );
    let identity = prop(
        f,
        node,
        class,
        owner,
        "identity",
        ValueType::IdentityHash,
        true,
        false,
    );
    let hashed = prop(
        f,
        node,
        class,
        owner,
        "hashed",
        ValueType::Boolean,
        true,
        false,
    );
    prop(f, node, class, owner, "salt", ValueType::Text, false, false);
    let (Some(identity), Some(hashed)) = (identity, hashed) else {
        return;
    };
    let identity = identity.first().and_then(|v| v.as_str()).unwrap_or("");
    let hashed = hashed.first().and_then(|v| v.as_bool()).unwrap_or(false);
    let looks_hashed = is_identity_hash(identity);
    let name = "IDENTITY_OBJECT_PROPERTY_DEPENDENCIES";
    if hashed && !looks_hashed {
        f.push(
            Level::Error,
            name,
            format!(
                "Identity {identity} must be sha256$<64 hex> or md5$<32 hex> when hashed is true"
            ),
            owner,
        );
    } else if looks_hashed && !hashed {
        f.push(
            Level::Error,
            name,
            format!("Identity {identity} looks hashed but hashed is false: set hashed to true"),
            owner,
        );
    } else if !hashed
        && type_ok
        && node.get("type").and_then(Value::as_str) == Some("email")
        && !is_email(identity)
    {
        f.push(
            Level::Error,
            name,
            format!("Email type identity {identity:?} must match email format"),
            owner,
        );
    }
}

/// `VerificationObject` of an assertion: `type` HostedBadge or SignedBadge, `creator`.
pub(crate) fn verification_assertion(f: &mut Findings, node: &Map<String, Value>, owner: &str) {
    let class = "VerificationObject";
    rdf_type(
        f,
        node,
        class,
        owner,
        true,
        false,
        &["HostedBadge", "SignedBadge"],
    );
    prop(
        f,
        node,
        class,
        owner,
        "creator",
        ValueType::Iri,
        false,
        false,
    );
}

/// `VerificationObject` of an issuer: the hosted verification policy.
pub(crate) fn verification_issuer(f: &mut Findings, node: &Map<String, Value>, owner: &str) {
    let class = "VerificationObject";
    rdf_type(f, node, class, owner, false, true, &[]);
    prop(
        f,
        node,
        class,
        owner,
        "verificationProperty",
        ValueType::Text,
        false,
        false,
    );
    prop(
        f,
        node,
        class,
        owner,
        "startsWith",
        ValueType::Url,
        false,
        true,
    );
    prop(
        f,
        node,
        class,
        owner,
        "allowedOrigins",
        ValueType::UrlAuthority,
        false,
        true,
    );
}

/// `Image` object.
pub(crate) fn image(f: &mut Findings, node: &Map<String, Value>, owner: &str) {
    let class = "Image";
    rdf_type(f, node, class, owner, false, true, &[]);
    let Some(id) = present(f, node, class, owner, "id", true, false) else {
        return;
    };
    if !id
        .first()
        .and_then(|v| v.as_str())
        .is_some_and(|s| is_url(s) || is_data_uri(s))
    {
        f.push(
            Level::Error,
            VALIDATE_PROPERTY,
            format!("DATA_URI_OR_URL property id of Image in {owner} is not a URL or data URI"),
            owner,
        );
    }
    prop(
        f,
        node,
        class,
        owner,
        "caption",
        ValueType::Text,
        false,
        false,
    );
    prop(
        f,
        node,
        class,
        owner,
        "author",
        ValueType::Iri,
        false,
        false,
    );
}

/// `Evidence` object.
pub(crate) fn evidence(f: &mut Findings, node: &Map<String, Value>, owner: &str) {
    let class = "Evidence";
    rdf_type(f, node, class, owner, false, true, &[]);
    prop(f, node, class, owner, "id", ValueType::Iri, false, false);
    for p in ["narrative", "name", "description", "genre", "audience"] {
        prop(f, node, class, owner, p, ValueType::Text, false, false);
    }
}

/// `Criteria` object: an `id` (URL) or a `narrative` is needed.
pub(crate) fn criteria(f: &mut Findings, node: &Map<String, Value>, owner: &str) {
    let class = "Criteria";
    rdf_type(f, node, class, owner, false, true, &[]);
    let id = prop(f, node, class, owner, "id", ValueType::Iri, false, false);
    let narrative = prop(
        f,
        node,
        class,
        owner,
        "narrative",
        ValueType::Text,
        false,
        false,
    );
    let blank = id.as_ref().is_none_or(|v| {
        v.first()
            .and_then(|x| x.as_str())
            .is_some_and(|s| s.starts_with("_:"))
    });
    if blank && narrative.is_none() {
        f.push(
            Level::Error,
            "CRITERIA_PROPERTY_DEPENDENCIES",
            format!("Criteria of {owner} has neither a URL id nor a narrative: add one"),
            owner,
        );
    }
}

/// `AlignmentObject`.
pub(crate) fn alignment(f: &mut Findings, node: &Map<String, Value>, owner: &str) {
    let class = "AlignmentObject";
    rdf_type(f, node, class, owner, false, true, &[]);
    prop(
        f,
        node,
        class,
        owner,
        "targetName",
        ValueType::Text,
        true,
        false,
    );
    prop(
        f,
        node,
        class,
        owner,
        "targetUrl",
        ValueType::Url,
        true,
        false,
    );
    for p in [
        "description",
        "targetDescription",
        "targetFramework",
        "targetCode",
    ] {
        prop(f, node, class, owner, p, ValueType::Text, false, false);
    }
}

/// BadgeClass properties (the linked issuer is checked by the caller).
pub(crate) fn badge_class(f: &mut Findings, node: &Map<String, Value>, embedded: bool) {
    let class = "BadgeClass";
    let id = node_label(node);
    let id = id.as_str();
    node_id(f, node, class, id, embedded);
    rdf_type(f, node, class, id, true, true, &["BadgeClass"]);
    match node.get("issuer") {
        None | Some(Value::Null) => f.push(
            Level::Error,
            VALIDATE_PROPERTY,
            format!("Required property issuer not present in BadgeClass {id}: add the issuer Profile URL"),
            id,
        ),
        Some(Value::String(s)) if !is_iri(s) => f.push(
            Level::Error,
            VALIDATE_PROPERTY,
            format!("ID-type property issuer had value {} not embedded node or in IRI format in BadgeClass {id}", short(&Value::String(s.clone()))),
            id,
        ),
        Some(Value::String(_) | Value::Object(_)) => {}
        Some(other) => f.push(
            Level::Error,
            VALIDATE_PROPERTY,
            format!("ID-type property issuer in BadgeClass {id} is {}: give the Profile URL", short(other)),
            id,
        ),
    }
    prop(f, node, class, id, "name", ValueType::Text, true, false);
    prop(
        f,
        node,
        class,
        id,
        "description",
        ValueType::Text,
        true,
        false,
    );
    for v in id_prop(
        f,
        node,
        class,
        id,
        "image",
        IdRule {
            allow_remote_url: true,
            allow_data_uri: true,
            ..IdRule::default()
        },
    ) {
        if let IdValue::Object(o) = v {
            image(f, o, id);
        }
    }
    for v in id_prop(
        f,
        node,
        class,
        id,
        "criteria",
        IdRule {
            required: true,
            allow_remote_url: true,
            ..IdRule::default()
        },
    ) {
        if let IdValue::Object(o) = v {
            criteria(f, o, id);
        }
    }
    for v in id_prop(
        f,
        node,
        class,
        id,
        "alignment",
        IdRule {
            many: true,
            ..IdRule::default()
        },
    ) {
        if let IdValue::Object(o) = v {
            alignment(f, o, id);
        }
    }
    prop(f, node, class, id, "tags", ValueType::Text, false, true);
    primary_common(f, node, class, id);
}

/// Profile (Issuer) properties. `as_issuer`: the profile issues badges, so `url` and `email`
/// are required and an `http(s)` id is expected (`ISSUER_PROPERTY_DEPENDENCIES`).
pub(crate) fn profile(
    f: &mut Findings,
    node: &Map<String, Value>,
    as_issuer: bool,
    embedded: bool,
) {
    let class = "Profile";
    let id = node_label(node);
    let id = id.as_str();
    node_id(f, node, class, id, embedded);
    rdf_type(f, node, class, id, true, true, &["Issuer", "Profile"]);
    prop(f, node, class, id, "name", ValueType::Text, true, false);
    prop(
        f,
        node,
        class,
        id,
        "description",
        ValueType::Text,
        false,
        false,
    );
    for v in id_prop(
        f,
        node,
        class,
        id,
        "image",
        IdRule {
            allow_remote_url: true,
            allow_data_uri: true,
            ..IdRule::default()
        },
    ) {
        if let IdValue::Object(o) = v {
            image(f, o, id);
        }
    }
    prop(f, node, class, id, "url", ValueType::Url, as_issuer, false);
    prop(
        f,
        node,
        class,
        id,
        "email",
        ValueType::Email,
        as_issuer,
        false,
    );
    prop(
        f,
        node,
        class,
        id,
        "telephone",
        ValueType::Telephone,
        false,
        false,
    );
    for v in id_prop(f, node, class, id, "verification", IdRule::default()) {
        if let IdValue::Object(o) = v {
            verification_issuer(f, o, id);
        }
    }
    if let Some(keys) = present(f, node, class, id, "publicKey", false, true) {
        for k in keys {
            if !k.as_str().is_some_and(is_iri) && !k.is_object() {
                f.push(
                    Level::Error,
                    VALIDATE_PROPERTY,
                    format!("ID-type property publicKey had value {} not embedded node or in IRI format in Profile {id}", short(k)),
                    id,
                );
            }
        }
    }
    prop(
        f,
        node,
        class,
        id,
        "revocationList",
        ValueType::Iri,
        false,
        false,
    );
    if as_issuer && !(id.starts_with("http://") || id.starts_with("https://")) {
        f.push(
            Level::Warning,
            "ISSUER_PROPERTY_DEPENDENCIES",
            format!(
                "Issuer Profile {id} not hosted with HTTP-based identifier. Many platforms can only handle HTTP(s)-hosted issuers."
            ),
            id,
        );
    }
    primary_common(f, node, class, id);
}

/// CryptographicKey properties.
pub(crate) fn cryptographic_key(f: &mut Findings, node: &Map<String, Value>) {
    let class = "CryptographicKey";
    let id = node_label(node);
    let id = id.as_str();
    prop(f, node, class, id, "id", ValueType::Iri, false, false);
    rdf_type(f, node, class, id, false, true, &["CryptographicKey"]);
    prop(f, node, class, id, "owner", ValueType::Iri, false, false);
    prop(
        f,
        node,
        class,
        id,
        "publicKeyPem",
        ValueType::Text,
        true,
        false,
    );
}

/// RevocationList: type and entries (`VALIDATE_REVOCATIONLIST_ENTRIES`). Returns whether the
/// list is usable.
pub(crate) fn revocation_list(f: &mut Findings, node: &Map<String, Value>) -> bool {
    let class = "RevocationList";
    let id = node_label(node);
    let id = id.as_str();
    let mut ok = rdf_type(f, node, class, id, true, true, &["RevocationList"]);
    prop(f, node, class, id, "id", ValueType::Iri, false, false);
    let name = "VALIDATE_REVOCATIONLIST_ENTRIES";
    let Some(entries) = node.get("revokedAssertions") else {
        f.push(
            Level::Error,
            name,
            format!("RevocationList {id} missing required property revokedAssertions"),
            id,
        );
        return false;
    };
    for entry in values_of(entries) {
        let bad = match entry {
            Value::String(s) => !is_iri(s),
            Value::Object(o) => match o.get("id") {
                Some(v) => !v.as_str().is_some_and(is_iri),
                None => !o.get("uid").is_some_and(Value::is_string),
            },
            _ => true,
        };
        if bad {
            ok = false;
            f.push(
                Level::Error,
                name,
                format!(
                    "RevocationList {id} has entry {} that is not an IRI or an object with an IRI id",
                    short(entry)
                ),
                id,
            );
        }
    }
    ok
}

/// Endorsement properties (the claim, issuedOn; the issuer is checked by the caller).
pub(crate) fn endorsement(f: &mut Findings, node: &Map<String, Value>) {
    let class = "Endorsement";
    let id = node_label(node);
    let id = id.as_str();
    prop(f, node, class, id, "id", ValueType::Iri, true, false);
    rdf_type(f, node, class, id, true, true, &["Endorsement"]);
    match node.get("claim") {
        Some(Value::Object(c)) => {
            prop(f, c, "EndorsementClaim", id, "id", ValueType::Iri, true, false);
            prop(f, c, "EndorsementClaim", id, "endorsementComment", ValueType::Text, false, false);
        }
        _ => f.push(
            Level::Error,
            VALIDATE_PROPERTY,
            format!("Required property claim (an embedded object with the endorsed id) not present in Endorsement {id}"),
            id,
        ),
    }
    prop(
        f,
        node,
        class,
        id,
        "issuedOn",
        ValueType::DateTime,
        true,
        false,
    );
    if !node
        .get("issuer")
        .is_some_and(|v| v.is_object() || v.as_str().is_some_and(is_iri))
    {
        f.push(
            Level::Error,
            VALIDATE_PROPERTY,
            format!("Required property issuer (a Profile IRI) not present in Endorsement {id}"),
            id,
        );
    }
    for v in id_prop(
        f,
        node,
        class,
        id,
        "verification",
        IdRule {
            required: true,
            ..IdRule::default()
        },
    ) {
        if let IdValue::Object(o) = v {
            verification_assertion(f, o, id);
        }
    }
    primary_common(f, node, class, id);
}
