//! Property tests: generated OB 2.0 and 3.0 documents in every allowed shape round-trip
//! losslessly through the typed models; the JSON limits hold for any nesting.

use obi_model::json::{self, JsonError, Limits};
use obi_model::{ob2, ob3};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Any JSON value (extension content), a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1.0e9f64..1.0e9).prop_map(Value::from),
        "[a-zA-Z0-9 :/._-]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-z]{1,6}", inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Extension properties (names no model uses).
fn extras() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec(("x-[a-z]{1,8}", any_json()), 0..3)
        .prop_map(|kv| kv.into_iter().collect())
}

fn iri() -> impl Strategy<Value = String> {
    "(https://[a-z]{1,8}\\.example/[a-z0-9]{0,8}|urn:uuid:[0-9a-f]{8})"
}

fn one_or_many(v: Value, many: bool) -> Value {
    if many { Value::Array(vec![v]) } else { v }
}

fn with(mut base: Value, extra: Map<String, Value>) -> Value {
    if let Value::Object(m) = &mut base {
        m.extend(extra);
    }
    base
}

prop_compose! {
    fn profile2()(id in iri(), name in "[A-Za-z ]{1,12}", typed in any::<bool>(), extra in extras()) -> Value {
        let mut p = json!({"id": id, "name": name, "url": "https://example.org", "email": "a@example.org"});
        if typed { p["type"] = json!(["Issuer", "Profile"]); }
        with(p, extra)
    }
}

prop_compose! {
    fn badge2()(
        id in iri(), name in "[A-Za-z ]{1,12}", issuer_embedded in any::<bool>(), issuer in profile2(),
        issuer_iri in iri(), criteria_obj in any::<bool>(), tags_many in any::<bool>(),
        image_obj in any::<bool>(), extra in extras(),
    ) -> Value {
        let mut b = json!({"type": "BadgeClass", "id": id, "name": name, "description": "d"});
        b["issuer"] = if issuer_embedded { issuer } else { json!(issuer_iri) };
        b["criteria"] = if criteria_obj { json!({"narrative": "do it"}) } else { json!("https://example.org/c") };
        b["tags"] = one_or_many(json!("t"), tags_many);
        b["image"] = if image_obj { json!({"id": "https://example.org/i.png", "caption": "c"}) } else { json!("data:image/png;base64,AA==") };
        with(b, extra)
    }
}

prop_compose! {
    fn assertion2()(
        id in iri(), badge_embedded in any::<bool>(), badge in badge2(), badge_iri in iri(),
        context_form in 0..3u8, type_many in any::<bool>(), hashed in any::<bool>(),
        evidence in prop::collection::vec(prop_oneof![iri().prop_map(Value::String),
            "[a-z ]{0,10}".prop_map(|n| json!({"type": "Evidence", "narrative": n}))], 0..3),
        evidence_many in any::<bool>(), extra in extras(),
    ) -> Value {
        let context = match context_form {
            0 => json!("https://w3id.org/openbadges/v2"),
            1 => json!(["https://w3id.org/openbadges/v2"]),
            _ => json!(["https://w3id.org/openbadges/v2", {"x": "https://example.org/x#"}]),
        };
        let mut a = json!({"@context": context, "id": id,
            "type": one_or_many(json!("Assertion"), type_many),
            "recipient": {"type": "email", "hashed": hashed, "identity": "a@example.org"},
            "issuedOn": "2020-01-01T00:00:00Z",
            "verification": {"type": "HostedBadge"}});
        a["badge"] = if badge_embedded { badge } else { json!(badge_iri) };
        if let Some(first) = evidence.first() {
            a["evidence"] = if evidence_many { Value::Array(evidence.clone()) } else { first.clone() };
        }
        with(a, extra)
    }
}

prop_compose! {
    fn credential3()(
        id in iri(), issuer_embedded in any::<bool>(), issuer in profile2(), issuer_iri in iri(),
        vcdm2 in any::<bool>(), many in any::<bool>(), credits in prop_oneof![any::<u32>().prop_map(Value::from), (0.0f64..1000.0).prop_map(Value::from)],
        extra in extras(), subject_extra in extras(), achievement_extra in extras(),
    ) -> Value {
        let mut c = if vcdm2 {
            json!({"@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
                   "validFrom": "2024-01-01T00:00:00Z"})
        } else {
            json!({"@context": ["https://www.w3.org/2018/credentials/v1", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
                   "issuanceDate": "2024-01-01T00:00:00Z"})
        };
        c["id"] = json!(id);
        c["type"] = json!(["VerifiableCredential", "OpenBadgeCredential"]);
        c["issuer"] = if issuer_embedded { issuer } else { json!(issuer_iri) };
        let achievement = with(json!({"id": "https://example.org/a", "type": ["Achievement"], "name": "n",
            "description": "d", "criteria": {"narrative": "n"}, "creditsAvailable": credits.clone(),
            "tag": one_or_many(json!("t"), many),
            "alignment": one_or_many(json!({"type": ["Alignment"], "targetName": "t", "targetUrl": "https://example.org/t"}), many)}),
            achievement_extra);
        c["credentialSubject"] = with(json!({"type": one_or_many(json!("AchievementSubject"), many),
            "creditsEarned": credits, "achievement": achievement,
            "identifier": one_or_many(json!({"type": "IdentityObject", "hashed": false, "identityHash": "a@b.c", "identityType": "emailAddress"}), many)}),
            subject_extra);
        c["proof"] = one_or_many(json!({"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "proofValue": "z1"}), many);
        c["credentialStatus"] = one_or_many(json!({"id": "https://example.org/s#1", "type": "BitstringStatusListEntry", "statusListIndex": "1"}), many);
        with(c, extra)
    }
}

fn roundtrip<T: serde::de::DeserializeOwned + serde::Serialize>(
    v: &Value,
) -> Result<(), TestCaseError> {
    let typed: T = json::from_value(v).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let back = serde_json::to_value(&typed).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&back, v);
    // And through bytes, with the bounded parser.
    let bytes = serde_json::to_vec(v).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let typed2: T = json::from_slice(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(
        serde_json::to_value(&typed2).map_err(|e| TestCaseError::fail(e.to_string()))?,
        back
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn ob2_assertions_round_trip(a in assertion2()) {
        roundtrip::<ob2::Assertion>(&a)?;
    }

    #[test]
    fn ob2_badge_classes_round_trip(b in badge2()) {
        roundtrip::<ob2::BadgeClass>(&b)?;
    }

    #[test]
    fn ob3_credentials_round_trip(c in credential3()) {
        roundtrip::<ob3::OpenBadgeCredential>(&c)?;
    }

    #[test]
    fn depth_limit_is_exact(depth in 0usize..200, max in 1usize..130) {
        let doc = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let limits = Limits::new().with_max_depth(max);
        let result = json::parse_with(doc.as_bytes(), &limits);
        if depth == 0 {
            let syntax = matches!(result, Err(JsonError::Syntax { .. }));
            prop_assert!(syntax);
        } else if depth > limits.max_depth() {
            let too_deep = matches!(result, Err(JsonError::TooDeep { .. }));
            prop_assert!(too_deep, "{:?}", result);
        } else {
            prop_assert!(result.is_ok(), "{:?}", result);
        }
    }

    #[test]
    fn parse_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = json::parse(&bytes);
    }
}
