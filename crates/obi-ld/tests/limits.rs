//! Limits, hostile input and properties of expansion.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use obi_ld::{ErrorCode, Limits, MapLoader, Options, PinnedLoader, expand};
use proptest::prelude::*;
use serde_json::{Value, json};

#[test]
fn cyclic_remote_contexts_fail_with_context_overflow() {
    let loader = MapLoader::new()
        .with(
            "https://a.example/",
            json!({"@context": "https://b.example/"}),
        )
        .with(
            "https://b.example/",
            json!({"@context": ["https://a.example/"]}),
        );
    let doc = json!({"@context": "https://a.example/", "@id": "urn:x"});
    let e = expand(&doc, &Options::new(), &loader).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ContextOverflow, "{e}");
    assert!(e.to_string().contains("max_context_recursion"), "{e}");
}

#[test]
fn self_referencing_context_fails() {
    let loader = MapLoader::new().with(
        "https://a.example/",
        json!({"@context": "https://a.example/"}),
    );
    let doc = json!({"@context": "https://a.example/"});
    let e = expand(&doc, &Options::new(), &loader).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ContextOverflow, "{e}");
}

#[test]
fn deep_documents_hit_the_depth_limit() {
    let mut doc = json!("leaf");
    for _ in 0..100 {
        doc = json!({"http://x/p": doc});
    }
    let opts = Options::new().with_limits(Limits::new().with_max_expansion_depth(50));
    let e = expand(&doc, &opts, &PinnedLoader).unwrap_err();
    assert_eq!(e.code(), ErrorCode::LimitExceeded);
    assert!(e.to_string().contains("max_expansion_depth"), "{e}");
    // The default allows it.
    expand(&doc, &Options::new(), &PinnedLoader).unwrap();
}

#[test]
fn default_depth_limit_fits_a_small_thread_stack() {
    // Objects nested to just under the default limit, expanded on a 4 MiB stack (even in a debug
    // build), and just over it.
    let mut doc = json!("leaf");
    for _ in 0..(obi_ld::MAX_EXPANSION_DEPTH / 2 - 2) {
        doc = json!({"http://x/p": [doc]});
    }
    let mut deeper = doc.clone();
    for _ in 0..4 {
        deeper = json!({"http://x/p": [deeper]});
    }
    let r = std::thread::Builder::new()
        .stack_size(4 << 20)
        .spawn(move || {
            let ok = expand(&doc, &Options::new(), &PinnedLoader).is_ok();
            let err = expand(&deeper, &Options::new(), &PinnedLoader).map_err(|e| e.code());
            (ok, err.err())
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(r, (true, Some(ErrorCode::LimitExceeded)));
}

#[test]
fn many_remote_contexts_hit_the_limit() {
    let mut loader = MapLoader::new();
    let mut refs = Vec::new();
    for i in 0..20 {
        let url = format!("https://c.example/{i}");
        loader.insert(url.clone(), json!({"@context": {}}));
        refs.push(Value::String(url));
    }
    let doc = json!({"@context": refs});
    let opts = Options::new().with_limits(Limits::new().with_max_remote_contexts(10));
    let e = expand(&doc, &opts, &loader).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ContextOverflow);
    assert!(e.to_string().contains("max_remote_contexts"), "{e}");
}

#[test]
fn megabyte_strings_are_fine() {
    let big = "x".repeat(1 << 20);
    let doc = json!({"@context": {"p": "http://x/p"}, "p": big, "@id": format!("http://x/{big}")});
    let out = expand(&doc, &Options::new().with_safe_mode(true), &PinnedLoader).unwrap();
    assert_eq!(
        out[0]["http://x/p"][0]["@value"].as_str().map(str::len),
        Some(1 << 20)
    );
}

#[test]
fn invalid_iris_in_typed_values_are_errors() {
    let doc = json!({"@context": {"p": {"@id": "http://x/p", "@type": "http://x/t"}}, "p": {"@value": "v", "@type": "not an iri"}});
    let e = expand(&doc, &Options::new(), &PinnedLoader).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidTypedValue);
}

#[test]
fn safe_mode_is_never_more_permissive_on_the_w3c_inputs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/json-ld/expand");
    let (mut same, mut refused) = (0, 0);
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with("-in.jsonld") {
            continue;
        }
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let base = Options::new().with_base("https://w3c.github.io/json-ld-api/tests/expand/x");
        let normal = expand(&doc, &base, &PinnedLoader);
        match expand(&doc, &base.clone().with_safe_mode(true), &PinnedLoader) {
            Ok(v) => {
                assert_eq!(normal.as_ref().ok(), Some(&v), "{}", path.display());
                same += 1;
            }
            Err(_) => refused += 1,
        }
    }
    // Most inputs are fine in safe mode; the suite deliberately exercises what safe mode refuses.
    assert!(same > 150 && refused > 50, "same {same}, refused {refused}");
}

fn key() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "@context",
        "@id",
        "@type",
        "@value",
        "@list",
        "@set",
        "@graph",
        "@reverse",
        "@language",
        "@index",
        "@nest",
        "@included",
        "@vocab",
        "@base",
        "@container",
        "@protected",
        "@json",
        "@version",
        "@direction",
        "@import",
        "@propagate",
        "@none",
        "@prefix",
        "name",
        "knows",
        "ex:p",
        "_:b",
        "http://x/p",
        "",
        "@bogus",
        "tag",
        "Person",
    ])
    .prop_map(str::to_owned)
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|i| json!(i)),
        prop::sample::select(vec![
            "@id",
            "@vocab",
            "@set",
            "@list",
            "@index",
            "@language",
            "@type",
            "@graph",
            "@json",
            "@none",
            "http://x/",
            "ex:",
            "ex:o",
            "_:b0",
            "rel",
            "../up",
            "en",
            "ltr",
            "name",
            "https://www.w3.org/ns/credentials/v2",
            "http://x/t",
            "1.1",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
        Just(json!(1.1)),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn expansion_never_panics_and_safe_mode_is_never_more_permissive(doc in json_value()) {
        let normal = expand(&doc, &Options::new(), &PinnedLoader);
        let safe = expand(&doc, &Options::new().with_safe_mode(true), &PinnedLoader);
        if let Ok(s) = &safe {
            match &normal {
                Ok(n) => prop_assert_eq!(s, n),
                Err(e) => prop_assert!(false, "safe mode accepted what normal mode refused: {}", e),
            }
        }
        if let Ok(Value::Array(_)) = &normal {} else if normal.is_ok() {
            prop_assert!(false, "expansion result is not an array");
        }
    }

    #[test]
    fn expansion_is_idempotent(doc in json_value()) {
        // Expanded form is its own expansion (no context, nothing left to change).
        if let Ok(once) = expand(&doc, &Options::new(), &PinnedLoader) {
            let twice = expand(&once, &Options::new(), &PinnedLoader);
            prop_assert_eq!(twice.as_ref().ok(), Some(&once), "{:?}", twice.as_ref().err());
        }
    }
}

/// Found by `expansion_is_idempotent`: properties under `@nest` keep the enclosing active
/// property (as jsonld.js does), so a scalar under `@set` inside a top-level `@nest` is a
/// free-floating value and is dropped, and expanding the result again changes nothing.
#[test]
fn nested_properties_keep_the_enclosing_active_property() {
    let top = serde_json::json!({"@nest": {"@set": false}});
    let once = expand(&top, &Options::new(), &PinnedLoader).unwrap();
    assert_eq!(once, serde_json::json!([]));
    let inner =
        serde_json::json!({"@context": {"@vocab": "http://x/"}, "a": {"@nest": {"@set": false}}});
    let once = expand(&inner, &Options::new(), &PinnedLoader).unwrap();
    assert_eq!(
        once,
        serde_json::json!([{"http://x/a": [{"@value": false}]}])
    );
    let twice = expand(&once, &Options::new(), &PinnedLoader).unwrap();
    assert_eq!(twice, once);
}

/// Found by the `jsonld_expand` fuzz target (fuzz/regressions/jsonld_expand/): a term whose first
/// or last character is not ASCII, mapped to an IRI, used to panic on a byte slice that cut that
/// character.
#[test]
fn terms_starting_or_ending_with_non_ascii_characters_expand() {
    for term in ["éx", "xé", "é", "日本語"] {
        let doc = json!({"@context": {term: "http://example.org/x"}, term: "v"});
        let out = expand(&doc, &Options::new(), &PinnedLoader);
        let out = out.unwrap_or_else(|e| panic!("{term:?}: {e}"));
        assert_eq!(
            out,
            json!([{"http://example.org/x": [{"@value": "v"}]}]),
            "{term:?}"
        );
    }
    // A colon inside such a term makes it look like a compact IRI of another meaning: the
    // spec's invalid IRI mapping, not a panic.
    for term in ["é:é", "a:é"] {
        let doc = json!({"@context": {term: "http://example.org/x"}});
        let e = expand(&doc, &Options::new(), &PinnedLoader).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidIriMapping, "{term:?}: {e}");
    }
}

proptest! {
    /// Any term, whatever its characters, defined as an absolute IRI: expansion answers (a
    /// result or an error), never a panic.
    #[test]
    fn any_term_defined_as_an_iri_never_panics(term in "\\PC{1,6}", iri in "[a-z]{1,5}:[\\PC]{0,6}") {
        let doc = json!({"@context": {&term: &iri}, &term: "v"});
        let _ = expand(&doc, &Options::new(), &PinnedLoader);
    }
}
