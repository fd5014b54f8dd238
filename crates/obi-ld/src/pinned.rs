//! Pinned JSON-LD context documents, compiled into the binary.
//!
//! Every document here is the authoritative copy obi ships; the bytes come from the
//! project's `contexts/` folder, listed in `contexts/manifest.json`. Nothing in this
//! module touches the network.

/// The context document served at <https://w3c-ccg.github.io/vc-ed/plugfest-1-2022/jff-vc-edu-plugfest-1-context.json>.
pub const OB_JFF_VC_EDU_PLUGFEST_1_CONTEXT: &str =
    include_str!("../contexts/ob-jff-vc-edu-plugfest-1-context.json");

/// The context document served at <https://purl.imsglobal.org/spec/ob/v3p0/context.json>.
pub const OB_CONTEXT: &str = include_str!("../contexts/ob-context.json");

/// The context document served at <https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json>.
pub const OB_CONTEXT_3_0_1: &str = include_str!("../contexts/ob-context-3.0.1.json");

/// The context document served at <https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json>.
pub const OB_CONTEXT_3_0_2: &str = include_str!("../contexts/ob-context-3.0.2.json");

/// The context document served at <https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json>.
pub const OB_CONTEXT_3_0_3: &str = include_str!("../contexts/ob-context-3.0.3.json");

/// The context document served at <https://purl.imsglobal.org/spec/ob/v3p0/extensions.json>.
pub const OB_EXTENSIONS: &str = include_str!("../contexts/ob-extensions.json");
/// The context document served at <https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json>
/// (Comprehensive Learner Record 2.0). Not in ../shared/contexts: the bytes 1EdTech's own
/// validator ships offline (digital-credentials-public-validator); with them the 1EdTech CLR 2.0
/// proof vector's canonical N-Quads reproduce byte for byte.
pub const CLR_CONTEXT_2_0_1: &str = include_str!("../contexts/clr-context-2.0.1.json");

/// The context document served at <https://www.w3.org/ns/credentials/undefined-terms/v2>.
pub const WWW_W3_ORG_NS_CREDENTIALS_UNDEFINED_TERMS_V2: &str =
    include_str!("../contexts/www.w3.org-ns-credentials-undefined-terms-v2.jsonld");

/// The context document served at <https://www.w3.org/2018/credentials/v1>.
pub const WWW_W3_ORG_2018_CREDENTIALS_V1: &str =
    include_str!("../contexts/www.w3.org-2018-credentials-v1.jsonld");

/// The context document served at <https://www.w3.org/ns/credentials/v2>.
pub const WWW_W3_ORG_NS_CREDENTIALS_V2: &str =
    include_str!("../contexts/www.w3.org-ns-credentials-v2.jsonld");

/// The context document served at <https://w3id.org/security/data-integrity/v1>.
pub const W3ID_ORG_SECURITY_DATA_INTEGRITY_V1: &str =
    include_str!("../contexts/w3id.org-security-data-integrity-v1.jsonld");

/// The context document served at <https://w3id.org/security/data-integrity/v2>.
pub const W3ID_ORG_SECURITY_DATA_INTEGRITY_V2: &str =
    include_str!("../contexts/w3id.org-security-data-integrity-v2.jsonld");

/// The context document served at <https://w3id.org/security/multikey/v1>.
pub const W3ID_ORG_SECURITY_MULTIKEY_V1: &str =
    include_str!("../contexts/w3id.org-security-multikey-v1.jsonld");

/// The context document served at <https://w3id.org/vc/status-list/2021/v1>.
pub const W3ID_ORG_VC_STATUS_LIST_2021_V1: &str =
    include_str!("../contexts/w3id.org-vc-status-list-2021-v1.jsonld");

/// The context document served at <https://www.w3.org/ns/credentials/status/v1>.
pub const WWW_W3_ORG_NS_CREDENTIALS_STATUS_V1: &str =
    include_str!("../contexts/www.w3.org-ns-credentials-status-v1.jsonld");

/// The context document served at <https://www.w3.org/ns/did/v1>.
pub const WWW_W3_ORG_NS_DID_V1: &str = include_str!("../contexts/www.w3.org-ns-did-v1.jsonld");

/// The context document served at <https://w3id.org/security/suites/ed25519-2020/v1>.
pub const W3ID_ORG_SECURITY_SUITES_ED25519_2020_V1: &str =
    include_str!("../contexts/w3id.org-security-suites-ed25519-2020-v1.jsonld");

/// The context document served at <https://w3id.org/openbadges/v2>, <https://openbadgespec.org/v2/context.json>.
pub const OPENBADGES_V2: &str = include_str!("../contexts/openbadges-v2.json");

/// The context document served at <https://w3id.org/openbadges/v1>, <https://openbadgespec.org/v1/context.json>.
pub const OPENBADGES_V1: &str = include_str!("../contexts/openbadges-v1.json");

/// Every pinned document as `(url, document)`, in the manifest's order.
pub const PINNED: &[(&str, &str)] = &[
    (
        "https://w3c-ccg.github.io/vc-ed/plugfest-1-2022/jff-vc-edu-plugfest-1-context.json",
        OB_JFF_VC_EDU_PLUGFEST_1_CONTEXT,
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        OB_CONTEXT,
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
        OB_CONTEXT_3_0_1,
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        OB_CONTEXT_3_0_2,
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        OB_CONTEXT_3_0_3,
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
        OB_EXTENSIONS,
    ),
    (
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
        CLR_CONTEXT_2_0_1,
    ),
    (
        "https://www.w3.org/ns/credentials/undefined-terms/v2",
        WWW_W3_ORG_NS_CREDENTIALS_UNDEFINED_TERMS_V2,
    ),
    (
        "https://www.w3.org/2018/credentials/v1",
        WWW_W3_ORG_2018_CREDENTIALS_V1,
    ),
    (
        "https://www.w3.org/ns/credentials/v2",
        WWW_W3_ORG_NS_CREDENTIALS_V2,
    ),
    (
        "https://w3id.org/security/data-integrity/v1",
        W3ID_ORG_SECURITY_DATA_INTEGRITY_V1,
    ),
    (
        "https://w3id.org/security/data-integrity/v2",
        W3ID_ORG_SECURITY_DATA_INTEGRITY_V2,
    ),
    (
        "https://w3id.org/security/multikey/v1",
        W3ID_ORG_SECURITY_MULTIKEY_V1,
    ),
    (
        "https://w3id.org/vc/status-list/2021/v1",
        W3ID_ORG_VC_STATUS_LIST_2021_V1,
    ),
    (
        "https://www.w3.org/ns/credentials/status/v1",
        WWW_W3_ORG_NS_CREDENTIALS_STATUS_V1,
    ),
    ("https://www.w3.org/ns/did/v1", WWW_W3_ORG_NS_DID_V1),
    (
        "https://w3id.org/security/suites/ed25519-2020/v1",
        W3ID_ORG_SECURITY_SUITES_ED25519_2020_V1,
    ),
    ("https://w3id.org/openbadges/v2", OPENBADGES_V2),
    ("https://w3id.org/openbadges/v1", OPENBADGES_V1),
    ("https://openbadgespec.org/v2/context.json", OPENBADGES_V2),
    ("https://openbadgespec.org/v1/context.json", OPENBADGES_V1),
];

/// The pinned document for `url`, if obi ships one.
///
/// The lookup is exact: no normalisation of scheme, trailing slash or fragment.
#[must_use]
pub fn pinned(url: &str) -> Option<&'static str> {
    PINNED.iter().find(|(u, _)| *u == url).map(|(_, doc)| *doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pinned_document_is_a_json_object_with_a_context() {
        for (url, doc) in PINNED {
            let value: serde_json::Value =
                serde_json::from_str(doc).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert!(value.get("@context").is_some(), "{url} has no @context");
        }
    }

    #[test]
    fn lookup_is_exact() {
        assert!(pinned("https://www.w3.org/ns/credentials/v2").is_some());
        assert!(pinned("https://www.w3.org/ns/credentials/v2/").is_none());
        assert!(pinned("http://www.w3.org/ns/credentials/v2").is_none());
    }
}
