//! Properties of compaction: compacting an expanded document with any context and expanding
//! the result gives the expanded document back (compaction loses nothing), and compaction never
//! panics on generated documents.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod support;

use obi_ld::{CompactOptions, ErrorCode, Options, PinnedLoader, compact_expanded, expand};
use proptest::prelude::*;
use serde_json::{Value, json};
use support::same;

/// A context exercising every container, aliases, nesting, reverse terms and coercion.
fn rich_context() -> Value {
    json!({
        "@vocab": "http://x/",
        "ex": "http://x/",
        "id": "@id",
        "type": "@type",
        "nested": "@nest",
        "name": "http://x/name",
        "knows": {"@id": "http://x/knows", "@type": "@id"},
        "knowsV": {"@id": "http://x/knows", "@type": "@vocab"},
        "tag": {"@id": "http://x/tag", "@container": "@set"},
        "list": {"@id": "http://x/list", "@container": "@list"},
        "lang": {"@id": "http://x/lang", "@container": "@language"},
        "idx": {"@id": "http://x/idx", "@container": "@index"},
        "ids": {"@id": "http://x/ids", "@container": "@id"},
        "types": {"@id": "http://x/types", "@container": "@type"},
        "g": {"@id": "http://x/g", "@container": "@graph"},
        "gi": {"@id": "http://x/gi", "@container": ["@graph", "@id"]},
        "rev": {"@reverse": "http://x/knows"},
        "n": {"@id": "http://x/n", "@nest": "nested"},
        "date": {"@id": "http://x/date", "@type": "http://x/Date"},
        "en": {"@id": "http://x/en", "@language": "en"},
        "Person": {"@id": "http://x/Person", "@context": {"name": {"@id": "http://x/pname"}}},
        "scoped": {"@id": "http://x/scoped", "@context": {"inner": "http://x/inner"}}
    })
}

fn key() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "@id",
        "@type",
        "@value",
        "@list",
        "@set",
        "@graph",
        "@reverse",
        "@language",
        "@index",
        "@included",
        "@direction",
        "id",
        "type",
        "name",
        "knows",
        "knowsV",
        "tag",
        "list",
        "lang",
        "idx",
        "ids",
        "types",
        "g",
        "gi",
        "rev",
        "n",
        "nested",
        "date",
        "en",
        "scoped",
        "inner",
        "ex:p",
        "http://x/p",
        "other",
        "_:b",
    ])
    .prop_map(str::to_owned)
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i32..3).prop_map(|i| json!(i)),
        prop::sample::select(vec![
            "http://x/a",
            "http://x/b",
            "ex:c",
            "_:b0",
            "_:b1",
            "Person",
            "name",
            "en",
            "de",
            "ltr",
            "v",
            "w",
            "http://x/Date",
            "@none",
            "rel",
            "urn:u:1",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
        Just(json!(1.5)),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(5, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..5)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// A document using the rich context (so that compaction has terms to choose from).
fn document() -> impl Strategy<Value = Value> {
    json_value().prop_map(|v| match v {
        Value::Object(mut m) => {
            m.insert("@context".to_owned(), rich_context());
            Value::Object(m)
        }
        other => json!({"@context": rich_context(), "@graph": other}),
    })
}

/// Drop what carries no meaning (no RDF) and compaction does not keep: free-floating values
/// and lists (items of a top-level array or of `@graph` that are value or list objects), which
/// compaction turns into scalars that expansion drops; entries with an empty array (other than
/// `@list`) or an empty map (`@reverse`); and the empty node objects left behind, bottom-up
/// (and top-level ones with only `@id`, which expansion drops).
fn meaningful(v: &Value, top: bool) -> Value {
    match v {
        Value::Array(a) => Value::Array(
            a.iter()
                .filter(|i| !(top && (i.get("@value").is_some() || i.get("@list").is_some())))
                .map(|i| meaningful(i, false))
                .filter(|i| {
                    !i.as_object().is_some_and(|m| {
                        m.is_empty() || (top && m.len() == 1 && m.contains_key("@id"))
                    })
                })
                .collect(),
        ),
        Value::Object(m) if m.contains_key("@value") => v.clone(),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), meaningful(v, k == "@graph")))
                .filter(|(k, v)| {
                    k == "@list"
                        || !(v.as_array().is_some_and(Vec::is_empty)
                            || v.as_object().is_some_and(serde_json::Map::is_empty))
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Expanded output that is not valid expanded form, which compaction cannot be asked to keep:
/// a value object whose `@type` is a keyword other than `@json`, a node object with
/// `@language`, or an `@set` object. Expansion leaves these as the algorithm writes them.
fn not_expanded_form(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.iter().any(not_expanded_form),
        Value::Object(m) => {
            let keyword_type = matches!(
                m.get("@type"),
                Some(Value::String(t)) if t.starts_with('@') && t != "@json"
            );
            let value = m.contains_key("@value");
            (value && keyword_type)
                || (!value && m.contains_key("@language"))
                || m.contains_key("@set")
                || m.values().any(not_expanded_form)
        }
        _ => false,
    }
}

/// What expansion must never produce (the algorithm's map steps and list rule are errors
/// instead): a value object with `@id` or several types, a list object with anything but
/// `@index`.
fn invalid_value_or_list(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.iter().any(invalid_value_or_list),
        Value::Object(m) => {
            (m.contains_key("@value")
                && (m.contains_key("@id") || m.get("@type").is_some_and(Value::is_array)))
                || (m.contains_key("@list") && m.keys().any(|k| k != "@list" && k != "@index"))
                || m.values().any(invalid_value_or_list)
        }
        _ => false,
    }
}

fn round_trip(doc: &Value, context: &Value) -> Result<(), TestCaseError> {
    let Ok(expanded) = expand(doc, &Options::new(), &PinnedLoader) else {
        return Ok(());
    };
    // A top-level graph object without @id compacts to a top-level @graph, which reads back
    // as the default graph: the spec's compaction cannot tell them apart.
    let anonymous_graph = expanded.as_array().is_some_and(|a| {
        a.iter()
            .any(|n| n.get("@graph").is_some() && n.get("@id").is_none())
    });
    prop_assert!(
        !invalid_value_or_list(&expanded),
        "expansion produced an invalid value or list object: {expanded}"
    );
    if anonymous_graph || not_expanded_form(&expanded) {
        return Ok(());
    }
    let expanded = meaningful(&expanded, true);
    let compacted = match compact_expanded(
        &expanded,
        context,
        &Options::new(),
        &CompactOptions::new(),
        &PinnedLoader,
    ) {
        Ok(c) => c,
        // The one error compaction of valid expanded input may raise by design.
        Err(e) if e.code() == ErrorCode::IriConfusedWithPrefix => return Ok(()),
        Err(e) => return Err(TestCaseError::fail(format!("compaction failed: {e}"))),
    };
    let again = expand(&compacted, &Options::new(), &PinnedLoader)
        .map_err(|e| TestCaseError::fail(format!("re-expansion failed: {e}\n{compacted}")))?;
    prop_assert!(
        same(&meaningful(&again, true), &expanded, false),
        "compacted {compacted}\n re-expanded {again}\n expected {expanded}"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn compaction_round_trips_with_a_rich_context(doc in document()) {
        round_trip(&doc, &rich_context())?;
    }

    #[test]
    fn compaction_round_trips_with_no_context(doc in document()) {
        round_trip(&doc, &json!({}))?;
    }
}

/// Compaction with a context it cannot process is an error, not a panic; deep input is
/// refused by the named limit.
#[test]
fn bad_context_and_deep_input_are_errors() {
    let expanded = json!([{"http://x/p": [{"@value": "v"}]}]);
    let e = compact_expanded(
        &expanded,
        &json!({"p": {"@id": "http://x/p", "@container": "@bogus"}}),
        &Options::new(),
        &CompactOptions::new(),
        &PinnedLoader,
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidContainerMapping);
    let mut deep = json!([{"@value": "v"}]);
    for _ in 0..40 {
        deep = json!([{"http://x/p": deep}]);
    }
    let e = compact_expanded(
        &deep,
        &json!({}),
        &Options::new(),
        &CompactOptions::new().with_max_depth(20),
        &PinnedLoader,
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::LimitExceeded);
}

/// The three expansion cases the round trip used to skip: a scalar in an `@id` or `@type` map
/// (steps 13.8.3.7.4-5 would give a value object an `@id` or a list of types), a list object
/// with `@type` (step 17 applies whatever the form of `@type`), and `@included: []` (kept, as
/// step 13.4.16 drops only null; it produces nothing).
#[test]
fn map_and_list_edge_cases_are_errors_or_valid_expanded_form() {
    let ctx = json!({
        "ids": {"@id": "http://x/ids", "@container": "@id"},
        "types": {"@id": "http://x/types", "@container": "@type"}
    });
    let cases = [
        (
            json!({"ids": {"http://x/a": "v"}}),
            ErrorCode::InvalidValueObject,
        ),
        (
            json!({"ids": {"http://x/a": {"@list": [1]}}}),
            ErrorCode::InvalidSetOrListObject,
        ),
        (
            json!({"types": {"http://x/T": true}}),
            ErrorCode::InvalidValueObject,
        ),
        (
            json!({"types": {"http://x/T": {"@value": "v"}}}),
            ErrorCode::InvalidValueObject,
        ),
        (
            json!({"http://x/p": {"@list": null, "@type": "http://x/T"}}),
            ErrorCode::InvalidSetOrListObject,
        ),
        (
            json!({"http://x/p": {"@list": [], "@type": ["http://x/T"]}}),
            ErrorCode::InvalidSetOrListObject,
        ),
        (
            json!({"http://x/p": {"@set": [], "@id": "http://x/s"}}),
            ErrorCode::InvalidSetOrListObject,
        ),
    ];
    for (mut doc, code) in cases {
        doc["@context"] = ctx.clone();
        let e = expand(&doc, &Options::new(), &PinnedLoader).unwrap_err();
        assert_eq!(e.code(), code, "{doc}");
    }
    // A string in a type map is a node reference: valid.
    let mut doc = json!({"types": {"http://x/T": "http://x/n"}});
    doc["@context"] = ctx.clone();
    assert_eq!(
        expand(&doc, &Options::new(), &PinnedLoader).unwrap(),
        json!([{"http://x/types": [{"@id": "http://x/n", "@type": ["http://x/T"]}]}])
    );
    let doc = json!({"@id": "http://x/s", "http://x/p": "v", "@included": []});
    let expanded = expand(&doc, &Options::new(), &PinnedLoader).unwrap();
    assert_eq!(expanded[0]["@included"], json!([]));
    let compacted = compact_expanded(
        &expanded,
        &json!({}),
        &Options::new(),
        &CompactOptions::new(),
        &PinnedLoader,
    )
    .unwrap();
    let again = expand(&compacted, &Options::new(), &PinnedLoader).unwrap();
    assert!(same(
        &meaningful(&again, true),
        &meaningful(&expanded, true),
        false
    ));
}
