//! `Processor::to_rdf` (expansion feeding toRdf directly) agrees with
//! `expanded_to_rdf(expand(..))` on generated documents: the same quads with the same blank
//! node labels, or the same error, in normal and safe mode, with and without a base.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use obi_ld::{
    ErrorCode, MapLoader, Options, Processor, ToRdfError, ToRdfOptions, expand, expanded_to_rdf,
};
use proptest::prelude::*;
use serde_json::{Value, json};

/// A context with every container, aliases, nesting, reverse terms, coercion (to IRIs,
/// vocabulary terms, JSON literals, datatypes), languages, directions, scoped and type-scoped
/// contexts and a property-valued index.
fn context() -> Value {
    json!({
        "@vocab": "http://x/",
        "ex": "http://x/",
        "id": "@id",
        "type": "@type",
        "value": "@value",
        "nested": "@nest",
        "name": "http://x/name",
        "knows": {"@id": "http://x/knows", "@type": "@id"},
        "knowsV": {"@id": "http://x/knows", "@type": "@vocab"},
        "js": {"@id": "http://x/js", "@type": "@json"},
        "tag": {"@id": "http://x/tag", "@container": "@set"},
        "list": {"@id": "http://x/list", "@container": "@list"},
        "lang": {"@id": "http://x/lang", "@container": "@language", "@direction": "rtl"},
        "idx": {"@id": "http://x/idx", "@container": "@index"},
        "pidx": {"@id": "http://x/pidx", "@container": "@index", "@index": "name"},
        "ids": {"@id": "http://x/ids", "@container": "@id"},
        "types": {"@id": "http://x/types", "@container": "@type"},
        "g": {"@id": "http://x/g", "@container": "@graph"},
        "gi": {"@id": "http://x/gi", "@container": ["@graph", "@id"]},
        "rev": {"@reverse": "http://x/knows"},
        "n": {"@id": "http://x/n", "@nest": "nested"},
        "date": {"@id": "http://x/date", "@type": "http://x/Date"},
        "dbl": {"@id": "http://x/dbl", "@type": "http://www.w3.org/2001/XMLSchema#double"},
        "en": {"@id": "http://x/en", "@language": "en"},
        "Person": {"@id": "http://x/Person", "@context": {"name": {"@id": "http://x/pname"}}},
        "Local": {"@id": "http://x/Local", "@context": {"@propagate": false, "inner": "http://x/li"}},
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
        "@json",
        "id",
        "type",
        "value",
        "name",
        "knows",
        "knowsV",
        "js",
        "tag",
        "list",
        "lang",
        "idx",
        "pidx",
        "ids",
        "types",
        "g",
        "gi",
        "rev",
        "n",
        "nested",
        "date",
        "dbl",
        "en",
        "scoped",
        "inner",
        "ex:p",
        "http://x/p",
        "other",
        "_:b",
        "@ignoreMe",
        "rel",
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
            "Local",
            "name",
            "en",
            "EN-us",
            "de",
            "ltr",
            "rtl",
            "v",
            "http://x/Date",
            "@none",
            "@json",
            "@id",
            "rel",
            "urn:u:1",
            "http://x/#a#b",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
        Just(json!(1.5)),
        Just(json!(1e25)),
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

fn document() -> impl Strategy<Value = Value> {
    json_value().prop_map(|v| match v {
        Value::Object(mut m) => {
            m.insert("@context".to_owned(), context());
            Value::Object(m)
        }
        other => json!({"@context": context(), "@graph": other}),
    })
}

fn both_paths(doc: &Value, options: &Options, rdf: &ToRdfOptions) -> Result<(), TestCaseError> {
    let loader = MapLoader::new();
    let fast = Processor::new(loader.clone()).to_rdf(doc, options, rdf);
    let old = expand(doc, options, &loader)
        .map_err(ToRdfError::from)
        .and_then(|expanded| expanded_to_rdf(&expanded, rdf));
    prop_assert_eq!(fast, old, "document {}", doc);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn fast_to_rdf_equals_expand_then_to_rdf(doc in document()) {
        for safe in [false, true] {
            let rdf = ToRdfOptions::new().with_safe_mode(safe);
            both_paths(&doc, &Options::new().with_safe_mode(safe), &rdf)?;
            both_paths(&doc, &Options::new().with_safe_mode(safe).with_base("http://b/d"), &rdf)?;
        }
        let shallow = Options::new().with_limits(obi_ld::Limits::new().with_max_expansion_depth(3));
        both_paths(&doc, &shallow, &ToRdfOptions::new().with_max_depth(4))?;
    }
}

/// The property above is not vacuous: the generator makes documents both paths accept with
/// quads, and documents both refuse (here a safe-mode error, with its code and path).
#[test]
fn both_paths_agree_on_quads_and_on_errors() {
    let rdf = ToRdfOptions::new().with_safe_mode(true);
    let options = Options::new().with_safe_mode(true);
    let good = json!({"@context": context(), "@id": "http://x/a", "knows": "http://x/b",
        "js": {"a": [1, 2]}, "lang": {"en": "hi"}, "list": [1, "_:b0"]});
    let quads = Processor::pinned().to_rdf(&good, &options, &rdf).unwrap();
    assert_eq!(quads.len(), 8, "{quads:?}");
    both_paths(&good, &options, &rdf).unwrap();
    let bad = json!({"@context": context(), "@id": "http://x/a", "knows": "rel"});
    let Err(ToRdfError::Expansion(e)) = Processor::pinned().to_rdf(&bad, &options, &rdf) else {
        panic!("safe mode accepted an undefined term");
    };
    assert_eq!(e.code(), ErrorCode::SafeMode);
    assert_eq!(e.path(), Some("$.knows"), "{e}");
    both_paths(&bad, &options, &rdf).unwrap();
}

/// An object with more properties than expanded objects scan (they index their keys beyond
/// 32): all properties and both `@type` entries (keyword and alias, merged through a removal)
/// are kept, and both paths agree.
#[test]
fn large_objects_expand_completely() {
    let mut doc = serde_json::Map::new();
    doc.insert("@context".into(), context());
    doc.insert("type".into(), json!("Person"));
    for i in 0..500 {
        doc.insert(format!("http://x/p{i}"), json!(i));
    }
    doc.insert("@type".into(), json!("http://x/T"));
    doc.insert("rev".into(), json!({"@id": "http://x/r"}));
    let doc = Value::Object(doc);
    let options = Options::new().with_safe_mode(true);
    let expanded = expand(&doc, &options, &MapLoader::new()).unwrap();
    let node = expanded[0].as_object().unwrap();
    assert_eq!(node.len(), 502, "500 properties, @type and @reverse");
    assert_eq!(node["@type"], json!(["http://x/Person", "http://x/T"]));
    assert_eq!(node["http://x/p499"], json!([{"@value": 499}]));
    let rdf = ToRdfOptions::new().with_safe_mode(true);
    both_paths(&doc, &options, &rdf).unwrap();
    let quads = Processor::pinned().to_rdf(&doc, &options, &rdf).unwrap();
    assert_eq!(
        quads.len(),
        503,
        "500 values, two types, one reverse triple"
    );
}
