//! The OB 3.0 example credentials expand in safe mode with only the pinned contexts, and
//! safe mode refuses what normal mode would silently drop.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use obi_ld::{ErrorCode, Options, PinnedLoader, Processor, expand};
use serde_json::{Value, json};

fn example(name: &str) -> Value {
    let path = format!("{}/tests/data/ob3/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

const VC: &str = "https://www.w3.org/2018/credentials#";
const OB: &str = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#";

#[test]
fn ob3_examples_expand_in_safe_mode() {
    let safe = Options::new().with_safe_mode(true);
    for name in [
        "minimal-openbadgecredential.json",
        "spec-complete-openbadgecredential.json",
    ] {
        let doc = example(name);
        let out = expand(&doc, &safe, &PinnedLoader).unwrap_or_else(|e| panic!("{name}: {e}"));
        let node = &out[0];
        let types = node["@type"].as_array().unwrap();
        assert!(
            types.contains(&json!(format!("{VC}VerifiableCredential"))),
            "{name}: {types:?}"
        );
        assert!(
            types.contains(&json!(format!("{OB}OpenBadgeCredential"))),
            "{name}: {types:?}"
        );
        let subject = &node[format!("{VC}credentialSubject")][0];
        assert!(
            subject[format!("{OB}achievement")].is_array(),
            "{name}: {subject}"
        );
        // Normal mode gives the same result when safe mode succeeds.
        let normal = expand(&doc, &Options::new(), &PinnedLoader).unwrap();
        assert_eq!(out, normal, "{name}");
    }
}

#[test]
fn processor_cache_gives_identical_results() {
    let p = Processor::pinned();
    let opts = Options::new().with_safe_mode(true);
    let doc = example("spec-complete-openbadgecredential.json");
    let first = p.expand(&doc, &opts).unwrap();
    for _ in 0..3 {
        assert_eq!(p.expand(&doc, &opts).unwrap(), first);
    }
    assert_eq!(expand(&doc, &opts, &PinnedLoader).unwrap(), first);
}

fn safe_err(doc: &Value) -> obi_ld::Error {
    let e = expand(doc, &Options::new().with_safe_mode(true), &PinnedLoader).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SafeMode, "{e}");
    // Normal mode accepts the same document.
    expand(doc, &Options::new(), &PinnedLoader).unwrap();
    e
}

#[test]
fn safe_mode_refuses_undefined_property() {
    let doc = json!({"@context": {"name": "http://schema.org/name"}, "name": "x", "foo": "bar"});
    let e = safe_err(&doc);
    assert!(e.to_string().contains("foo"), "{e}");
    assert_eq!(e.path(), Some("$.foo"));
}

#[test]
fn safe_mode_names_nested_path() {
    let doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "VerifiableCredential",
        "credentialSubject": {"id": "did:example:1", "inner": [{"id": "did:example:2"}]}
    });
    let e = safe_err(&doc);
    assert_eq!(e.path(), Some("$.credentialSubject.inner"), "{e}");
    let doc = json!({
        "@context": {"s": "http://schema.org/", "knows": "s:knows", "name": "s:name"},
        "knows": [{"name": "a"}, {"nmae": "b"}]
    });
    let e = safe_err(&doc);
    assert_eq!(e.path(), Some("$.knows[1].nmae"), "{e}");
}

#[test]
fn safe_mode_refuses_relative_type() {
    let doc =
        json!({"@context": {"name": "http://schema.org/name"}, "@type": "Person", "name": "x"});
    let e = safe_err(&doc);
    assert!(e.to_string().contains("Person"), "{e}");
}

#[test]
fn safe_mode_refuses_relative_id_without_base() {
    let doc = json!({"@context": {"name": "http://schema.org/name"}, "@id": "me", "name": "x"});
    let e = safe_err(&doc);
    assert_eq!(e.path(), Some("$[\"@id\"]"), "{e}");
    // With a base the reference is resolved and accepted.
    let out = expand(
        &doc,
        &Options::new()
            .with_safe_mode(true)
            .with_base("https://ex.org/a/"),
        &PinnedLoader,
    )
    .unwrap();
    assert_eq!(out[0]["@id"], "https://ex.org/a/me");
}

#[test]
fn safe_mode_refuses_keyword_like_values_and_null_values() {
    safe_err(
        &json!({"@context": {"name": "http://schema.org/name"}, "@id": "@ignoreMe", "name": "x"}),
    );
    safe_err(&json!({"@context": {"name": "http://schema.org/name"}, "name": {"@value": null}}));
    safe_err(
        &json!({"@context": {"@foo": "http://x/", "name": "http://schema.org/name"}, "name": "x"}),
    );
    safe_err(
        &json!({"@context": {"name": "http://schema.org/name", "n": {"@id": "@bogus"}}, "name": "x"}),
    );
}

#[test]
fn safe_mode_refuses_undefined_term_in_ob3_credential() {
    // Credentials v2 has no @vocab: an undefined term would be dropped from what is signed.
    let mut doc = example("minimal-openbadgecredential.json");
    doc["credentialSubject"]["achievement"]["notATerm"] = json!("x");
    let e = safe_err(&doc);
    assert_eq!(
        e.path(),
        Some("$.credentialSubject.achievement.notATerm"),
        "{e}"
    );
    // Normal mode drops it silently: exactly what safe mode exists to prevent.
    let out = expand(&doc, &Options::new(), &PinnedLoader).unwrap();
    assert!(!out.to_string().contains("notATerm"));
}

#[test]
fn safe_mode_accepts_json_literals() {
    let doc = json!({
        "@context": {"data": {"@id": "http://x/data", "@type": "@json"}, "raw": "http://x/raw"},
        "data": {"b": [1, 2], "a": null},
        "raw": {"@value": {"z": true}, "@type": "@json"}
    });
    let safe = expand(&doc, &Options::new().with_safe_mode(true), &PinnedLoader).unwrap();
    assert_eq!(safe, expand(&doc, &Options::new(), &PinnedLoader).unwrap());
    assert_eq!(safe[0]["http://x/raw"][0]["@type"], "@json");
}

#[test]
fn safe_mode_refuses_relative_vocab() {
    let doc = json!({"@context": {"@vocab": "terms/"}, "name": "x"});
    let opts = Options::new().with_base("https://ex.org/");
    let e = expand(&doc, &opts.clone().with_safe_mode(true), &PinnedLoader).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SafeMode, "{e}");
    let out = expand(&doc, &opts, &PinnedLoader).unwrap();
    assert_eq!(out[0]["https://ex.org/terms/name"][0]["@value"], "x");
}

#[test]
fn tiny_cache_still_gives_correct_results() {
    let p = Processor::pinned().with_max_cached_contexts(1);
    let opts = Options::new().with_safe_mode(true);
    let docs = [
        example("minimal-openbadgecredential.json"),
        example("spec-complete-openbadgecredential.json"),
    ];
    let want: Vec<Value> = docs
        .iter()
        .map(|d| expand(d, &opts, &PinnedLoader).unwrap())
        .collect();
    for round in 0..3 {
        for (i, d) in docs.iter().enumerate() {
            let other = json!({"@context": {"p": format!("http://x/{round}/{i}")}, "p": "v"});
            assert_eq!(
                p.expand(&other, &opts).unwrap()[0][format!("http://x/{round}/{i}")][0]["@value"],
                "v"
            );
            assert_eq!(p.expand(d, &opts).unwrap(), want[i]);
        }
    }
}

#[test]
fn processor_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Processor>();
    let p = std::sync::Arc::new(Processor::pinned());
    let doc = example("minimal-openbadgecredential.json");
    let want = p.expand(&doc, &Options::new()).unwrap();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (p, doc) = (p.clone(), doc.clone());
            std::thread::spawn(move || p.expand(&doc, &Options::new()).unwrap())
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), want);
    }
}

#[test]
fn unknown_remote_context_is_refused_by_name() {
    let doc = json!({"@context": "https://evil.example/ctx", "name": "x"});
    let e = expand(&doc, &Options::new(), &PinnedLoader).unwrap_err();
    assert_eq!(e.code(), ErrorCode::LoadingRemoteContextFailed);
    assert!(e.to_string().contains("https://evil.example/ctx"), "{e}");
}

/// A skipped top-level entry expands as if absent (the proof of a secured document), and only
/// at the top level: a nested entry of that name stays, an undefined one is not checked.
#[test]
fn skipped_root_entry_expands_as_if_absent() {
    let safe = Options::new().with_safe_mode(true);
    let skipping = safe.clone().with_skipped_root_entry("proof");
    for name in [
        "minimal-openbadgecredential.json",
        "spec-complete-openbadgecredential.json",
    ] {
        let doc = example(name);
        let mut without = doc.clone();
        without.as_object_mut().unwrap().remove("proof");
        let mut with = without.clone();
        with["proof"] = json!({"type": "DataIntegrityProof", "proofValue": "z1"});
        assert_eq!(
            expand(&with, &skipping, &PinnedLoader).unwrap(),
            expand(&without, &safe, &PinnedLoader).unwrap(),
            "{name}"
        );
        // Not skipped, the proof is expanded (its graph is not the document's).
        assert_ne!(
            expand(&with, &safe, &PinnedLoader).unwrap(),
            expand(&without, &safe, &PinnedLoader).unwrap()
        );
    }
    // An undefined term would be a safe-mode error: skipped at the top level, it is not.
    let doc = json!({
        "@context": {"@vocab": "http://x/"},
        "@id": "http://x/s",
        "http://x/p": {"proof": "kept"}
    });
    let mut with = doc.clone();
    with["proof"] = json!("dropped");
    let skip_undefined = Options::new()
        .with_safe_mode(true)
        .with_skipped_root_entry("proof");
    let out = expand(&with, &skip_undefined, &PinnedLoader).unwrap();
    assert_eq!(out, expand(&doc, &Options::new(), &PinnedLoader).unwrap());
    assert_eq!(
        out[0]["http://x/p"][0]["http://x/proof"][0]["@value"],
        "kept"
    );
}

/// `Processor::to_rdf` gives the very quads (blank node labels included) of
/// `expanded_to_rdf(expand(..))` on the OB 3.0 examples (the one obi-proof signs with is also
/// checked byte for byte against the vc-di-eddsa vectors there), and a non-empty dataset.
#[test]
fn ob3_examples_to_rdf_fast_path_matches_expand_then_to_rdf() {
    use obi_ld::{ToRdfOptions, expanded_to_rdf};
    let processor = Processor::pinned();
    for safe in [false, true] {
        let options = Options::new().with_safe_mode(safe);
        let rdf = ToRdfOptions::new().with_safe_mode(safe);
        for name in [
            "minimal-openbadgecredential.json",
            "spec-complete-openbadgecredential.json",
        ] {
            let doc = example(name);
            let fast = processor.to_rdf(&doc, &options, &rdf).unwrap();
            let old = expanded_to_rdf(&expand(&doc, &options, &PinnedLoader).unwrap(), &rdf);
            assert_eq!(Ok(&fast), old.as_ref(), "{name}");
            assert!(fast.len() > 10, "{name}: {} quads", fast.len());
            // Again with the processor's cached contexts: the same quads.
            assert_eq!(processor.to_rdf(&doc, &options, &rdf).unwrap(), fast);
        }
    }
}
