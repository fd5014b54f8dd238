//! Writes the OB 2.0 verification corpus (`tests/data/ob2/`): documents, signed assertions
//! and `manifest.json`. The corpus is committed; run this only to regenerate it:
//! `cargo test -p obi-verify --test ob2_corpus_gen -- --ignored`.
//! The RSA test key is kept in `tests/data/ob2/keys/` so regenerating keeps signatures stable.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use obi_proof::ob2::{cryptographic_key, sign_assertion};
use obi_proof::{KeyPair, KeyType};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const ISSUER: &str = "https://issuer.example/issuer";
const BADGE: &str = "https://issuer.example/badges/1";
const KEY1: &str = "https://issuer.example/keys/1";
const LIST: &str = "https://issuer.example/revocations";
const SALT: &str = "s4lt";
const ALICE: &str = "alice@example.org";

/// A 1x1 PNG (signature, IHDR, IDAT, IEND).
const PNG_B64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ob2")
}

fn sha(s: &str) -> String {
    let d = Sha256::digest(s.as_bytes());
    format!(
        "sha256${}",
        d.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

fn issuer() -> Value {
    json!({
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Issuer",
        "id": ISSUER,
        "name": "Example Issuer",
        "url": "https://issuer.example",
        "email": "badges@issuer.example",
        "publicKey": KEY1,
        "revocationList": LIST
    })
}

fn badge_class() -> Value {
    json!({
        "@context": "https://w3id.org/openbadges/v2",
        "type": "BadgeClass",
        "id": BADGE,
        "name": "Rust Verifier",
        "description": "Awarded for verifying badges.",
        "image": format!("data:image/png;base64,{PNG_B64}"),
        "criteria": {"narrative": "Verify one hundred badges."},
        "issuer": ISSUER
    })
}

fn assertion(id: &str) -> Value {
    json!({
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": id,
        "recipient": {"type": "email", "hashed": true, "salt": SALT, "identity": sha(&format!("{ALICE}{SALT}"))},
        "badge": BADGE,
        "verification": {"type": "HostedBadge"},
        "issuedOn": "2024-01-15T10:00:00Z"
    })
}

fn hosted_id(case: &str) -> String {
    format!("https://issuer.example/assertions/{case}")
}

fn set(v: &mut Value, pointer: &str, new: Value) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let target = if parent.is_empty() {
        &mut *v
    } else {
        v.pointer_mut(parent).unwrap()
    };
    target.as_object_mut().unwrap().insert(key.to_owned(), new);
}

fn remove(v: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let target = if parent.is_empty() {
        &mut *v
    } else {
        v.pointer_mut(parent).unwrap()
    };
    target.as_object_mut().unwrap().remove(key);
}

#[derive(Default)]
struct Case {
    id: String,
    description: String,
    /// "json", "jws" or "url".
    input_kind: &'static str,
    input_url: Option<String>,
    input: Option<String>,
    docs: BTreeMap<String, Value>,
    recipient: Option<Value>,
    valid: bool,
    check: &'static str,
    level: &'static str,
}

struct Corpus {
    dir: PathBuf,
    cases: Vec<Case>,
    shared: BTreeMap<String, Value>,
    key1: KeyPair,
}

impl Corpus {
    fn write_json(&self, rel: &str, v: &Value) -> String {
        let p = self.dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, serde_json::to_string_pretty(v).unwrap() + "\n").unwrap();
        rel.to_owned()
    }

    fn write_text(&self, rel: &str, t: &str) -> String {
        let p = self.dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, format!("{t}\n")).unwrap();
        rel.to_owned()
    }

    /// A hosted case: the assertion (after `edit`) is the input JSON and is served at its id.
    fn hosted(
        &mut self,
        id: &str,
        description: &str,
        valid: bool,
        check: &'static str,
        level: &'static str,
        edit: impl FnOnce(&mut Value, &mut BTreeMap<String, Value>),
    ) {
        let mut a = assertion(&hosted_id(id));
        let mut docs = BTreeMap::new();
        edit(&mut a, &mut docs);
        let url = a.get("id").and_then(Value::as_str).map(str::to_owned);
        let skip = docs.remove("@skip").is_some();
        if let Some(u) = url
            && u.starts_with("http")
            && !skip
        {
            docs.entry(u).or_insert_with(|| a.clone());
        }
        let input = self.write_json(&format!("cases/{id}/input.json"), &a);
        self.cases.push(Case {
            id: id.to_owned(),
            description: description.to_owned(),
            input_kind: "json",
            input: Some(input),
            docs,
            valid,
            check,
            level,
            ..Case::default()
        });
    }

    /// A signed case: the assertion (after `edit`) signed with `key` (creator `creator`).
    #[allow(clippy::too_many_arguments)]
    fn signed(
        &mut self,
        id: &str,
        description: &str,
        valid: bool,
        check: &'static str,
        level: &'static str,
        key: Option<&KeyPair>,
        creator: &str,
        edit: impl FnOnce(&mut Value, &mut BTreeMap<String, Value>),
    ) {
        let mut a = assertion(&format!(
            "urn:uuid:0b5e0a1c-{:04x}-4c1e-9a2b-7d3e5f6a7b8c",
            self.cases.len()
        ));
        let mut docs = BTreeMap::new();
        edit(&mut a, &mut docs);
        let key = key.unwrap_or(&self.key1);
        let jws = sign_assertion(&a, key, creator).unwrap();
        let input = self.write_text(&format!("cases/{id}/input.jws"), &jws);
        self.cases.push(Case {
            id: id.to_owned(),
            description: description.to_owned(),
            input_kind: "jws",
            input: Some(input),
            docs,
            valid,
            check,
            level,
            ..Case::default()
        });
    }

    fn push_raw(&mut self, case: Case) {
        self.cases.push(case);
    }

    fn finish(self) {
        let mut shared = serde_json::Map::new();
        for (url, v) in &self.shared {
            let name = url.trim_start_matches("https://").replace('/', "_");
            let rel = self.write_json(&format!("docs/{name}.json"), v);
            shared.insert(url.clone(), json!(rel));
        }
        // The OB 1.1 context, for the 1EdTech validator (JSON-LD compaction of 1.1 input).
        shared.insert(
            "https://w3id.org/openbadges/v1".into(),
            json!("openbadges-v1.json"),
        );
        shared.insert(
            "https://issuer.example/images/badge.png".into(),
            json!({"file": "docs/badge.png", "content_type": "image/png"}),
        );
        let mut cases = Vec::new();
        for c in &self.cases {
            let mut docs = serde_json::Map::new();
            for (url, v) in &c.docs {
                let rel = if let Some(s) = v.as_str().and_then(|s| s.strip_prefix("@text:")) {
                    let name = url.trim_start_matches("https://").replace('/', "_");
                    self.write_text(&format!("cases/{}/{name}.txt", c.id), s)
                } else {
                    let name = url.trim_start_matches("https://").replace('/', "_");
                    self.write_json(&format!("cases/{}/{name}.json", c.id), v)
                };
                docs.insert(url.clone(), json!(rel));
            }
            let mut entry = json!({
                "id": c.id,
                "description": c.description,
                "input_kind": c.input_kind,
                "docs": docs,
                "expect": {"valid": c.valid, "check": c.check, "level": c.level},
            });
            if let Some(i) = &c.input {
                set(&mut entry, "/input", json!(i));
            }
            if let Some(u) = &c.input_url {
                set(&mut entry, "/input_url", json!(u));
            }
            if let Some(r) = &c.recipient {
                set(&mut entry, "/recipient", r.clone());
            }
            cases.push(entry);
        }
        let manifest = json!({
            "description": "Open Badges 2.0 / 1.x verification corpus for obi-verify. Each case: an input (JSON, compact JWS, or a URL among the documents), the documents served by URL (shared ones in `shared`, per-case ones in `docs`, which win), an optional expected recipient, and the expected verdict with a check that must fire at the given level. Generated by tests/ob2_corpus_gen.rs.",
            "shared": shared,
            "cases": cases,
        });
        self.write_json("manifest.json", &manifest);
    }
}

fn key(dir: &Path, name: &str, kind: KeyType) -> KeyPair {
    let p = dir.join(format!("keys/{name}.jwk.json"));
    if let Ok(text) = std::fs::read_to_string(&p) {
        return KeyPair::from_jwk(&serde_json::from_str(&text).unwrap()).unwrap();
    }
    let k = KeyPair::generate(kind).unwrap();
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(
        &p,
        serde_json::to_string_pretty(&k.to_private_jwk()).unwrap(),
    )
    .unwrap();
    k
}

#[test]
#[ignore = "regenerates the committed corpus"]
fn generate() {
    let dir = data_dir();
    let _ = std::fs::remove_dir_all(dir.join("cases"));
    for entry in std::fs::read_dir(dir.join("docs"))
        .into_iter()
        .flatten()
        .flatten()
    {
        if entry.path().extension().is_some_and(|e| e == "json") {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }
    let key1 = key(&dir, "rsa1", KeyType::Rsa);
    let key2 = key(&dir, "rsa2", KeyType::Rsa);
    let p256 = key(&dir, "p256", KeyType::P256);
    let mut shared = BTreeMap::new();
    shared.insert(ISSUER.to_owned(), issuer());
    shared.insert(BADGE.to_owned(), badge_class());
    shared.insert(
        KEY1.to_owned(),
        cryptographic_key(&key1.public_key(), KEY1, ISSUER).unwrap(),
    );
    shared.insert(
        LIST.to_owned(),
        json!({
            "@context": "https://w3id.org/openbadges/v2",
            "type": "RevocationList",
            "id": LIST,
            "issuer": ISSUER,
            "revokedAssertions": [
                "urn:uuid:0b5e0a1c-ffff-4c1e-9a2b-7d3e5f6a7b8c",
                {"id": "urn:uuid:0b5e0a1c-fffe-4c1e-9a2b-7d3e5f6a7b8c", "revocationReason": "Issued in error"}
            ]
        }),
    );
    std::fs::create_dir_all(dir.join("docs")).unwrap();
    use base64::Engine as _;
    std::fs::write(
        dir.join("docs/badge.png"),
        base64::engine::general_purpose::STANDARD
            .decode(PNG_B64)
            .unwrap(),
    )
    .unwrap();
    let mut c = Corpus {
        dir: dir.clone(),
        cases: Vec::new(),
        shared,
        key1,
    };
    let v = |s: &str| -> Value { json!(s) };

    // ---- Hosted: valid ----
    c.hosted(
        "hosted-valid",
        "hosted assertion, hashed email recipient",
        true,
        "",
        "",
        |_, _| {},
    );
    c.hosted(
        "hosted-valid-plain-email",
        "unhashed email recipient",
        true,
        "",
        "",
        |a, _| {
            set(
                a,
                "/recipient",
                json!({"type": "email", "hashed": false, "identity": ALICE}),
            );
        },
    );
    c.hosted(
        "hosted-valid-expires-future",
        "expires in 2099",
        true,
        "",
        "",
        |a, _| {
            set(a, "/expires", v("2099-01-01T00:00:00Z"));
        },
    );
    c.hosted(
        "hosted-valid-offset-dates",
        "dates with +hh:mm offsets and fractions",
        true,
        "",
        "",
        |a, _| {
            set(a, "/issuedOn", v("2024-01-15T10:00:00.250+02:00"));
            set(a, "/expires", v("2099-01-01T00:00:00-05:00"));
        },
    );
    c.hosted(
        "hosted-valid-evidence-narrative",
        "evidence URL, narrative, assertion image URL",
        true,
        "",
        "",
        |a, _| {
            set(a, "/evidence", v("https://issuer.example/evidence/1"));
            set(a, "/narrative", v("Did the work."));
            set(a, "/image", v("https://issuer.example/images/badge.png"));
        },
    );
    c.hosted("hosted-valid-evidence-object", "evidence object", true, "", "", |a, _| {
        set(a, "/evidence", json!([{"id": "https://issuer.example/evidence/2", "narrative": "Wrote a verifier", "name": "Repo"}]));
    });
    c.hosted(
        "hosted-valid-url-recipient",
        "url-type recipient",
        true,
        "",
        "",
        |a, _| {
            set(
                a,
                "/recipient",
                json!({"type": "url", "hashed": false, "identity": "https://alice.example/"}),
            );
        },
    );
    c.hosted(
        "hosted-valid-telephone-recipient",
        "telephone-type recipient",
        true,
        "",
        "",
        |a, _| {
            set(
                a,
                "/recipient",
                json!({"type": "telephone", "hashed": false, "identity": "+15551234567"}),
            );
        },
    );
    c.hosted("hosted-valid-extension-context", "an extra inline @context (extension)", true, "JSONLD_COMPACT_DATA", "INFO", |a, _| {
        set(a, "/@context", json!(["https://w3id.org/openbadges/v2", {"ext": "https://example.org/ext#", "note": "ext:note"}]));
        set(a, "/note", v("extension data"));
    });
    c.hosted(
        "hosted-valid-embedded-badge",
        "badge class embedded (urn:uuid id), issuer by URL",
        true,
        "",
        "",
        |a, _| {
            let mut bc = badge_class();
            remove(&mut bc, "/@context");
            set(
                &mut bc,
                "/id",
                v("urn:uuid:4f2c1a6e-8b3d-4e5f-9a1b-2c3d4e5f6a7b"),
            );
            set(a, "/badge", bc);
        },
    );
    c.hosted(
        "hosted-valid-embedded-issuer",
        "badge class embedded with the issuer embedded too",
        true,
        "",
        "",
        |a, _| {
            let mut bc = badge_class();
            remove(&mut bc, "/@context");
            set(
                &mut bc,
                "/id",
                v("urn:uuid:5f2c1a6e-8b3d-4e5f-9a1b-2c3d4e5f6a7b"),
            );
            let mut iss = issuer();
            remove(&mut iss, "/@context");
            set(&mut bc, "/issuer", iss);
            set(a, "/badge", bc);
        },
    );
    c.hosted(
        "hosted-valid-criteria-url",
        "badge class criteria as a URL",
        true,
        "",
        "",
        |a, docs| {
            let mut bc = badge_class();
            set(
                &mut bc,
                "/id",
                v("https://issuer.example/badges/criteria-url"),
            );
            set(&mut bc, "/criteria", v("https://issuer.example/criteria/1"));
            set(a, "/badge", v("https://issuer.example/badges/criteria-url"));
            docs.insert("https://issuer.example/badges/criteria-url".into(), bc);
        },
    );
    c.hosted("hosted-valid-alignment-tags", "badge class with alignment and tags", true, "", "", |a, docs| {
        let mut bc = badge_class();
        set(&mut bc, "/id", v("https://issuer.example/badges/aligned"));
        set(&mut bc, "/alignment", json!([{"targetName": "Rust", "targetUrl": "https://rust-lang.org/", "targetFramework": "Lang"}]));
        set(&mut bc, "/tags", json!(["rust", "badges"]));
        set(a, "/badge", v("https://issuer.example/badges/aligned"));
        docs.insert("https://issuer.example/badges/aligned".into(), bc);
    });
    c.hosted(
        "hosted-valid-remote-image",
        "badge class image fetched (PNG)",
        true,
        "",
        "",
        |a, docs| {
            let mut bc = badge_class();
            set(
                &mut bc,
                "/id",
                v("https://issuer.example/badges/remote-image"),
            );
            set(
                &mut bc,
                "/image",
                v("https://issuer.example/images/badge.png"),
            );
            set(a, "/badge", v("https://issuer.example/badges/remote-image"));
            docs.insert("https://issuer.example/badges/remote-image".into(), bc);
        },
    );
    c.hosted(
        "hosted-valid-issuer-telephone",
        "issuer with a telephone and a description",
        true,
        "",
        "",
        |a, docs| {
            let mut iss = issuer();
            set(&mut iss, "/id", v("https://issuer.example/issuer-tel"));
            set(&mut iss, "/telephone", v("+15551234567"));
            set(&mut iss, "/description", v("We issue."));
            let mut bc = badge_class();
            set(&mut bc, "/id", v("https://issuer.example/badges/tel"));
            set(&mut bc, "/issuer", v("https://issuer.example/issuer-tel"));
            set(a, "/badge", v("https://issuer.example/badges/tel"));
            docs.insert("https://issuer.example/issuer-tel".into(), iss);
            docs.insert("https://issuer.example/badges/tel".into(), bc);
        },
    );

    // ---- Hosted: verification policy ----
    let policy_issuer = |id: &str, policy: Value| {
        let mut iss = issuer();
        set(&mut iss, "/id", json!(id));
        set(&mut iss, "/verification", policy);
        iss
    };
    let policy_badge = |id: &str, issuer_id: &str| {
        let mut bc = badge_class();
        set(&mut bc, "/id", json!(id));
        set(&mut bc, "/issuer", json!(issuer_id));
        bc
    };
    c.hosted(
        "hosted-bad-origin",
        "assertion hosted on another host than the issuer",
        false,
        "HOSTED_ID_IN_VERIFICATION_SCOPE",
        "ERROR",
        |a, _| {
            set(a, "/id", v("https://elsewhere.example/assertions/1"));
        },
    );
    c.hosted(
        "hosted-allowed-origins",
        "assertion on a host the issuer lists in allowedOrigins",
        true,
        "",
        "",
        |a, docs| {
            set(a, "/id", v("https://badges.example/a/1"));
            set(a, "/badge", v("https://issuer.example/badges/allowed"));
            docs.insert(
                "https://issuer.example/issuer-allowed".into(),
                policy_issuer(
                    "https://issuer.example/issuer-allowed",
                    json!({"allowedOrigins": ["badges.example"]}),
                ),
            );
            docs.insert(
                "https://issuer.example/badges/allowed".into(),
                policy_badge(
                    "https://issuer.example/badges/allowed",
                    "https://issuer.example/issuer-allowed",
                ),
            );
        },
    );
    c.hosted(
        "hosted-allowed-origins-miss",
        "assertion on a host not in allowedOrigins",
        false,
        "HOSTED_ID_IN_VERIFICATION_SCOPE",
        "ERROR",
        |a, docs| {
            set(a, "/badge", v("https://issuer.example/badges/allowed2"));
            docs.insert(
                "https://issuer.example/issuer-allowed2".into(),
                policy_issuer(
                    "https://issuer.example/issuer-allowed2",
                    json!({"allowedOrigins": "badges.example"}),
                ),
            );
            docs.insert(
                "https://issuer.example/badges/allowed2".into(),
                policy_badge(
                    "https://issuer.example/badges/allowed2",
                    "https://issuer.example/issuer-allowed2",
                ),
            );
        },
    );
    c.hosted(
        "hosted-starts-with",
        "assertion id starts with the issuer's startsWith",
        true,
        "",
        "",
        |a, docs| {
            set(a, "/badge", v("https://issuer.example/badges/sw"));
            docs.insert(
                "https://issuer.example/issuer-sw".into(),
                policy_issuer(
                    "https://issuer.example/issuer-sw",
                    json!({"startsWith": "https://issuer.example/assertions/"}),
                ),
            );
            docs.insert(
                "https://issuer.example/badges/sw".into(),
                policy_badge(
                    "https://issuer.example/badges/sw",
                    "https://issuer.example/issuer-sw",
                ),
            );
        },
    );
    c.hosted(
        "hosted-starts-with-miss",
        "assertion id outside the issuer's startsWith",
        false,
        "HOSTED_ID_IN_VERIFICATION_SCOPE",
        "ERROR",
        |a, docs| {
            set(
                a,
                "/id",
                v("https://issuer.example/other/hosted-starts-with-miss"),
            );
            set(a, "/badge", v("https://issuer.example/badges/sw2"));
            docs.insert(
                "https://issuer.example/issuer-sw2".into(),
                policy_issuer(
                    "https://issuer.example/issuer-sw2",
                    json!({"startsWith": "https://issuer.example/assertions/"}),
                ),
            );
            docs.insert(
                "https://issuer.example/badges/sw2".into(),
                policy_badge(
                    "https://issuer.example/badges/sw2",
                    "https://issuer.example/issuer-sw2",
                ),
            );
        },
    );
    c.hosted(
        "hosted-bad-allowed-origins-value",
        "allowedOrigins holds a URL, not a host",
        false,
        "VALIDATE_PROPERTY",
        "ERROR",
        |a, docs| {
            set(a, "/badge", v("https://issuer.example/badges/allowed3"));
            docs.insert(
                "https://issuer.example/issuer-allowed3".into(),
                policy_issuer(
                    "https://issuer.example/issuer-allowed3",
                    json!({"allowedOrigins": "https://issuer.example"}),
                ),
            );
            docs.insert(
                "https://issuer.example/badges/allowed3".into(),
                policy_badge(
                    "https://issuer.example/badges/allowed3",
                    "https://issuer.example/issuer-allowed3",
                ),
            );
        },
    );

    // ---- Hosted: the hosted copy ----
    c.hosted(
        "hosted-not-found",
        "nothing is served at the assertion id",
        false,
        "FETCH_HTTP_NODE",
        "ERROR",
        |a, docs| {
            docs.insert("@skip".into(), Value::Null);
            let _ = a;
        },
    );
    c.hosted(
        "hosted-id-mismatch",
        "the copy at the id declares another id",
        false,
        "VERIFY_HOSTED_ASSERTION",
        "ERROR",
        |a, docs| {
            let mut other = a.clone();
            set(
                &mut other,
                "/id",
                v("https://issuer.example/assertions/somewhere-else"),
            );
            docs.insert(hosted_id("hosted-id-mismatch"), other);
        },
    );
    c.hosted(
        "hosted-copy-differs",
        "the input differs from the hosted copy (the hosted copy is verified)",
        true,
        "VERIFY_HOSTED_ASSERTION",
        "WARNING",
        |a, docs| {
            docs.insert(hosted_id("hosted-copy-differs"), a.clone());
            set(a, "/narrative", v("edited by the holder"));
        },
    );
    c.hosted(
        "hosted-revoked-flag",
        "hosted assertion with revoked: true",
        false,
        "VERIFY_HOSTED_ASSERTION_NOT_REVOKED",
        "ERROR",
        |a, _| {
            set(a, "/revoked", json!(true));
            set(a, "/revocationReason", v("Cheating"));
        },
    );
    c.hosted(
        "hosted-urn-id",
        "hosted assertion whose id is not a URL",
        false,
        "DETECT_INPUT_TYPE",
        "ERROR",
        |a, _| {
            set(a, "/id", v("urn:uuid:6a2c1a6e-8b3d-4e5f-9a1b-2c3d4e5f6a7b"));
        },
    );

    // ---- Hosted: dates ----
    c.hosted(
        "hosted-expired",
        "expires in the past",
        false,
        "ASSERTION_TIMESTAMP_CHECKS",
        "ERROR",
        |a, _| {
            set(a, "/expires", v("2024-06-01T00:00:00Z"));
        },
    );
    c.hosted(
        "hosted-issued-future",
        "issuedOn in the future",
        false,
        "ASSERTION_TIMESTAMP_CHECKS",
        "ERROR",
        |a, _| {
            set(a, "/issuedOn", v("2099-01-01T00:00:00Z"));
        },
    );
    c.hosted(
        "hosted-expires-before-issue",
        "expires before issuedOn",
        false,
        "ASSERTION_TIMESTAMP_CHECKS",
        "ERROR",
        |a, _| {
            set(a, "/expires", v("2023-01-01T00:00:00Z"));
        },
    );
    c.hosted(
        "hosted-date-only",
        "issuedOn without a time",
        false,
        "VALIDATE_PROPERTY",
        "ERROR",
        |a, _| {
            set(a, "/issuedOn", v("2024-01-15"));
        },
    );
    c.hosted(
        "hosted-date-no-zone",
        "issuedOn without a time zone",
        false,
        "VALIDATE_PROPERTY",
        "ERROR",
        |a, _| {
            set(a, "/issuedOn", v("2024-01-15T10:00:00"));
        },
    );
    c.hosted(
        "hosted-date-unix",
        "issuedOn as a Unix timestamp in a 2.0 assertion",
        false,
        "VALIDATE_PROPERTY",
        "ERROR",
        |a, _| {
            set(a, "/issuedOn", v("1705312800"));
        },
    );
    c.hosted(
        "hosted-expires-garbage",
        "expires not a date",
        false,
        "VALIDATE_PROPERTY",
        "ERROR",
        |a, _| {
            set(a, "/expires", v("next year"));
        },
    );

    // ---- Hosted: assertion properties ----
    c.hosted(
        "missing-recipient",
        "no recipient",
        false,
        "VALIDATE_PROPERTY",
        "ERROR",
        |a, _| remove(a, "/recipient"),
    );
    c.hosted(
        "missing-issued-on",
        "no issuedOn",
        false,
        "VALIDATE_PROPERTY",
        "ERROR",
        |a, _| remove(a, "/issuedOn"),
    );
    c.hosted(
        "missing-badge",
        "no badge",
        false,
        "VALIDATE_PROPERTY",
        "ERROR",
        |a, _| remove(a, "/badge"),
    );
    c.hosted(
        "missing-verification",
        "no verification",
        false,
        "VALIDATE_PROPERTY",
        "ERROR",
        |a, _| remove(a, "/verification"),
    );
    c.hosted(
        "bad-type",
        "type is not Assertion",
        false,
        "VALIDATE_RDF_TYPE_PROPERTY",
        "ERROR",
        |a, _| set(a, "/type", v("Achievement")),
    );
    c.hosted(
        "bad-verification-type",
        "verification type unknown",
        false,
        "VALIDATE_RDF_TYPE_PROPERTY",
        "ERROR",
        |a, _| {
            set(a, "/verification", json!({"type": "LockedBadge"}));
        },
    );
    c.hosted(
        "two-badges",
        "badge holds two values",
        false,
        "VALIDATE_PROPERTY",
        "ERROR",
        |a, _| {
            set(a, "/badge", json!([BADGE, BADGE]));
        },
    );
    c.hosted(
        "hashed-true-not-hash",
        "hashed true but the identity is plain",
        false,
        "IDENTITY_OBJECT_PROPERTY_DEPENDENCIES",
        "ERROR",
        |a, _| {
            set(
                a,
                "/recipient",
                json!({"type": "email", "hashed": true, "identity": ALICE}),
            );
        },
    );
    c.hosted(
        "hashed-false-but-hash",
        "hashed false but the identity is a hash",
        false,
        "IDENTITY_OBJECT_PROPERTY_DEPENDENCIES",
        "ERROR",
        |a, _| {
            set(
                a,
                "/recipient",
                json!({"type": "email", "hashed": false, "identity": sha(ALICE)}),
            );
        },
    );
    c.hosted(
        "bad-email-identity",
        "email identity that is not an email",
        false,
        "IDENTITY_OBJECT_PROPERTY_DEPENDENCIES",
        "ERROR",
        |a, _| {
            set(
                a,
                "/recipient",
                json!({"type": "email", "hashed": false, "identity": "alice at example.org"}),
            );
        },
    );
    c.hosted(
        "recipient-missing-hashed",
        "identity object without hashed",
        false,
        "VALIDATE_PROPERTY",
        "ERROR",
        |a, _| {
            set(a, "/recipient", json!({"type": "email", "identity": ALICE}));
        },
    );
    c.hosted(
        "recipient-bad-type",
        "identity type not id/email/url/telephone",
        false,
        "VALIDATE_RDF_TYPE_PROPERTY",
        "ERROR",
        |a, _| {
            set(
                a,
                "/recipient",
                json!({"type": "username", "hashed": false, "identity": "alice"}),
            );
        },
    );
    c.hosted(
        "recipient-as-string",
        "recipient is a string",
        false,
        "VALIDATE_PROPERTY",
        "ERROR",
        |a, _| {
            set(a, "/recipient", v(ALICE));
        },
    );
    c.hosted(
        "assertion-image-data-uri",
        "assertion image as a data URI (not allowed)",
        false,
        "IMAGE_VALIDATION",
        "ERROR",
        |a, _| {
            set(
                a,
                "/image",
                json!(format!("data:image/png;base64,{PNG_B64}")),
            );
        },
    );

    // ---- Badge class and issuer ----
    let with_badge = |id: &'static str, edit: fn(&mut Value)| {
        move |a: &mut Value, docs: &mut BTreeMap<String, Value>| {
            let url = format!("https://issuer.example/badges/{id}");
            let mut bc = badge_class();
            set(&mut bc, "/id", json!(url));
            edit(&mut bc);
            set(a, "/badge", json!(url));
            docs.insert(url, bc);
        }
    };
    c.hosted(
        "badge-missing-name",
        "badge class without name",
        false,
        "VALIDATE_PROPERTY",
        "ERROR",
        with_badge("no-name", |b| remove(b, "/name")),
    );
    c.hosted(
        "badge-missing-description",
        "badge class without description",
        false,
        "VALIDATE_PROPERTY",
        "ERROR",
        with_badge("no-desc", |b| remove(b, "/description")),
    );
    c.hosted(
        "badge-missing-criteria",
        "badge class without criteria",
        false,
        "VALIDATE_PROPERTY",
        "ERROR",
        with_badge("no-criteria", |b| remove(b, "/criteria")),
    );
    c.hosted(
        "badge-missing-image",
        "badge class without image",
        false,
        "IMAGE_VALIDATION",
        "ERROR",
        with_badge("no-image", |b| remove(b, "/image")),
    );
    c.hosted(
        "badge-image-gif",
        "badge class image is a GIF data URI",
        false,
        "IMAGE_VALIDATION",
        "ERROR",
        with_badge("gif", |b| {
            set(
                b,
                "/image",
                json!("data:image/gif;base64,R0lGODlhAQABAAAAACw="),
            );
        }),
    );
    c.hosted(
        "badge-image-missing-remote",
        "badge class image URL not served",
        false,
        "IMAGE_VALIDATION",
        "ERROR",
        with_badge("img-404", |b| {
            set(
                b,
                "/image",
                json!("https://issuer.example/images/missing.png"),
            );
        }),
    );
    c.hosted(
        "badge-criteria-empty",
        "criteria object with neither id nor narrative",
        false,
        "CRITERIA_PROPERTY_DEPENDENCIES",
        "ERROR",
        with_badge("crit-empty", |b| {
            set(b, "/criteria", json!({"type": "Criteria"}));
        }),
    );
    c.hosted(
        "badge-alignment-no-url",
        "alignment without targetUrl",
        false,
        "VALIDATE_PROPERTY",
        "ERROR",
        with_badge("align-bad", |b| {
            set(b, "/alignment", json!([{"targetName": "Rust"}]));
        }),
    );
    c.hosted(
        "badge-wrong-type",
        "the badge URL serves an Issuer",
        false,
        "VALIDATE_RDF_TYPE_PROPERTY",
        "ERROR",
        with_badge("wrong-type", |b| {
            set(b, "/type", json!("Issuer"));
        }),
    );
    c.hosted(
        "badge-not-found",
        "badge class URL not served",
        false,
        "FETCH_HTTP_NODE",
        "ERROR",
        |a, _| {
            set(a, "/badge", v("https://issuer.example/badges/missing"));
        },
    );
    c.hosted(
        "badge-issuer-not-iri",
        "badge class issuer is not an IRI",
        false,
        "VALIDATE_PROPERTY",
        "ERROR",
        with_badge("iss-not-iri", |b| {
            set(b, "/issuer", json!("Example Issuer"));
        }),
    );
    let with_issuer = |id: &'static str, edit: fn(&mut Value)| {
        move |a: &mut Value, docs: &mut BTreeMap<String, Value>| {
            let iss_url = format!("https://issuer.example/issuers/{id}");
            let bc_url = format!("https://issuer.example/badges/by-{id}");
            let mut iss = issuer();
            set(&mut iss, "/id", json!(iss_url));
            edit(&mut iss);
            let mut bc = badge_class();
            set(&mut bc, "/id", json!(bc_url));
            set(&mut bc, "/issuer", json!(iss_url));
            set(a, "/badge", json!(bc_url));
            docs.insert(iss_url, iss);
            docs.insert(bc_url, bc);
        }
    };
    c.hosted(
        "issuer-missing-email",
        "issuer without email",
        false,
        "VALIDATE_PROPERTY",
        "ERROR",
        with_issuer("no-email", |i| remove(i, "/email")),
    );
    c.hosted(
        "issuer-bad-email",
        "issuer email malformed",
        false,
        "VALIDATE_PROPERTY",
        "ERROR",
        with_issuer("bad-email", |i| set(i, "/email", json!("badges at issuer"))),
    );
    c.hosted(
        "issuer-missing-url",
        "issuer without url",
        false,
        "VALIDATE_PROPERTY",
        "ERROR",
        with_issuer("no-url", |i| remove(i, "/url")),
    );
    c.hosted(
        "issuer-bad-url",
        "issuer url not http(s)",
        false,
        "VALIDATE_PROPERTY",
        "ERROR",
        with_issuer("bad-url", |i| set(i, "/url", json!("ftp://issuer.example"))),
    );
    c.hosted(
        "issuer-bad-telephone",
        "issuer telephone not E.164",
        false,
        "VALIDATE_PROPERTY",
        "ERROR",
        with_issuer("bad-tel", |i| set(i, "/telephone", json!("call us"))),
    );
    c.hosted(
        "issuer-missing-name",
        "issuer without name",
        false,
        "VALIDATE_PROPERTY",
        "ERROR",
        with_issuer("no-name", |i| remove(i, "/name")),
    );
    c.hosted(
        "issuer-wrong-type",
        "issuer typed as BadgeClass",
        false,
        "VALIDATE_RDF_TYPE_PROPERTY",
        "ERROR",
        with_issuer("wrong-type", |i| set(i, "/type", json!("BadgeClass"))),
    );
    c.hosted(
        "issuer-not-found",
        "issuer URL not served",
        false,
        "FETCH_HTTP_NODE",
        "ERROR",
        with_badge("iss-404", |b| {
            set(
                b,
                "/issuer",
                json!("https://issuer.example/issuers/missing"),
            );
        }),
    );

    // ---- Recipient matching ----
    let with_recipient = |c: &mut Corpus,
                          id: &str,
                          desc: &str,
                          valid: bool,
                          check: &'static str,
                          level: &'static str,
                          recipient: Value,
                          identity: Option<Value>| {
        c.hosted(id, desc, valid, check, level, |a, _| {
            if let Some(i) = identity {
                set(a, "/recipient", i);
            }
        });
        c.cases.last_mut().unwrap().recipient = Some(recipient);
    };
    with_recipient(
        &mut c,
        "recipient-match-hashed",
        "expected email matches the salted sha256 hash",
        true,
        "VERIFY_RECIPIENT_IDENTIFIER",
        "INFO",
        json!({"email": ALICE}),
        None,
    );
    with_recipient(
        &mut c,
        "recipient-mismatch-hashed",
        "expected email does not match the hash",
        false,
        "VERIFY_RECIPIENT_IDENTIFIER",
        "ERROR",
        json!({"email": "mallory@example.org"}),
        None,
    );
    with_recipient(
        &mut c,
        "recipient-match-plain",
        "expected email equals the plain identity",
        true,
        "VERIFY_RECIPIENT_IDENTIFIER",
        "INFO",
        json!({"email": ALICE}),
        Some(json!({"type": "email", "hashed": false, "identity": ALICE})),
    );
    with_recipient(
        &mut c,
        "recipient-mismatch-plain",
        "expected email differs from the plain identity",
        false,
        "VERIFY_RECIPIENT_IDENTIFIER",
        "ERROR",
        json!({"email": "bob@example.org"}),
        Some(json!({"type": "email", "hashed": false, "identity": ALICE})),
    );
    with_recipient(
        &mut c,
        "recipient-match-unsalted",
        "sha256 hash without salt",
        true,
        "VERIFY_RECIPIENT_IDENTIFIER",
        "INFO",
        json!({"email": ALICE}),
        Some(json!({"type": "email", "hashed": true, "identity": sha(ALICE)})),
    );
    with_recipient(
        &mut c,
        "recipient-type-mismatch",
        "expected a url, the badge names an email",
        false,
        "VERIFY_RECIPIENT_IDENTIFIER",
        "ERROR",
        json!({"url": "https://alice.example/"}),
        None,
    );
    with_recipient(
        &mut c,
        "recipient-match-url",
        "expected url equals the url identity",
        true,
        "VERIFY_RECIPIENT_IDENTIFIER",
        "INFO",
        json!({"url": "https://alice.example/"}),
        Some(json!({"type": "url", "hashed": false, "identity": "https://alice.example/"})),
    );

    // ---- Signed ----
    c.signed(
        "signed-valid",
        "RS256 signed assertion, key listed and owned by the issuer",
        true,
        "",
        "",
        None,
        KEY1,
        |_, _| {},
    );
    c.signed(
        "signed-valid-expires-future",
        "signed, expires in 2099",
        true,
        "",
        "",
        None,
        KEY1,
        |a, _| {
            set(a, "/expires", v("2099-01-01T00:00:00Z"));
        },
    );
    c.signed(
        "signed-valid-embedded-badge",
        "signed with the badge class embedded",
        true,
        "",
        "",
        None,
        KEY1,
        |a, _| {
            let mut bc = badge_class();
            remove(&mut bc, "/@context");
            set(
                &mut bc,
                "/id",
                v("urn:uuid:7f2c1a6e-8b3d-4e5f-9a1b-2c3d4e5f6a7b"),
            );
            set(a, "/badge", bc);
        },
    );
    c.signed(
        "signed-wrong-key",
        "signed with another key than the creator's",
        false,
        "VERIFY_JWS",
        "ERROR",
        Some(&key2),
        KEY1,
        |_, _| {},
    );
    c.signed(
        "signed-expired",
        "signed and expired",
        false,
        "ASSERTION_TIMESTAMP_CHECKS",
        "ERROR",
        None,
        KEY1,
        |a, _| {
            set(a, "/expires", v("2024-06-01T00:00:00Z"));
        },
    );
    c.signed(
        "signed-issued-future",
        "signed, issued in the future",
        false,
        "ASSERTION_TIMESTAMP_CHECKS",
        "ERROR",
        None,
        KEY1,
        |a, _| {
            set(a, "/issuedOn", v("2099-01-01T00:00:00Z"));
        },
    );
    c.signed(
        "signed-key-not-listed",
        "signed by a key the issuer does not list",
        false,
        "VERIFY_KEY_OWNERSHIP",
        "ERROR",
        Some(&key2),
        "https://issuer.example/keys/2",
        |_, docs| {
            docs.insert(
                "https://issuer.example/keys/2".into(),
                cryptographic_key(&key2.public_key(), "https://issuer.example/keys/2", ISSUER)
                    .unwrap(),
            );
        },
    );
    c.signed(
        "signed-key-not-found",
        "the creator key is not served",
        false,
        "FETCH_HTTP_NODE",
        "ERROR",
        Some(&key2),
        "https://issuer.example/keys/missing",
        |_, _| {},
    );
    // Revoked through the list: the ids the shared list names.
    let rid1 = "urn:uuid:0b5e0a1c-ffff-4c1e-9a2b-7d3e5f6a7b8c";
    let rid2 = "urn:uuid:0b5e0a1c-fffe-4c1e-9a2b-7d3e5f6a7b8c";
    c.signed(
        "signed-revoked",
        "listed (as a string) in the issuer's revocation list",
        false,
        "VERIFY_SIGNED_ASSERTION_NOT_REVOKED",
        "ERROR",
        None,
        KEY1,
        |a, _| {
            set(a, "/id", json!(rid1));
        },
    );
    c.signed(
        "signed-revoked-reason",
        "listed (as an object with a reason) in the revocation list",
        false,
        "VERIFY_SIGNED_ASSERTION_NOT_REVOKED",
        "ERROR",
        None,
        KEY1,
        |a, _| {
            set(a, "/id", json!(rid2));
        },
    );
    let alt_issuer = |id: &str, list: &str| {
        let mut iss = issuer();
        set(&mut iss, "/id", json!(id));
        set(&mut iss, "/revocationList", json!(list));
        iss
    };
    c.signed(
        "signed-revocation-list-missing",
        "the issuer's revocation list is not served",
        false,
        "FETCH_HTTP_NODE",
        "ERROR",
        None,
        KEY1,
        |a, docs| {
            set(a, "/badge", v("https://issuer.example/badges/rl-missing"));
            docs.insert(
                "https://issuer.example/issuers/rl-missing".into(),
                alt_issuer(
                    "https://issuer.example/issuers/rl-missing",
                    "https://issuer.example/revocations-missing",
                ),
            );
            docs.insert(
                "https://issuer.example/badges/rl-missing".into(),
                policy_badge(
                    "https://issuer.example/badges/rl-missing",
                    "https://issuer.example/issuers/rl-missing",
                ),
            );
        },
    );
    // Key 1 is owned by ISSUER; with another issuer listing it, ownership fails.
    c.signed(
        "signed-key-owner-other",
        "the key is listed by the issuer but owned by another profile",
        false,
        "VERIFY_KEY_OWNERSHIP",
        "ERROR",
        None,
        KEY1,
        |a, docs| {
            set(a, "/badge", v("https://issuer.example/badges/owner"));
            let mut iss = issuer();
            set(&mut iss, "/id", v("https://issuer.example/issuers/owner"));
            docs.insert("https://issuer.example/issuers/owner".into(), iss);
            docs.insert(
                "https://issuer.example/badges/owner".into(),
                policy_badge(
                    "https://issuer.example/badges/owner",
                    "https://issuer.example/issuers/owner",
                ),
            );
        },
    );
    c.signed(
        "signed-revoked-single-entry",
        "revoked in a list with exactly one entry",
        false,
        "VERIFY_SIGNED_ASSERTION_NOT_REVOKED",
        "ERROR",
        None,
        KEY1,
        |a, docs| {
            let id = "urn:uuid:0b5e0a1c-fffd-4c1e-9a2b-7d3e5f6a7b8c";
            set(a, "/id", json!(id));
            set(a, "/badge", v("https://issuer.example/badges/rl-one"));
            let mut iss = alt_issuer(
                "https://issuer.example/issuers/rl-one",
                "https://issuer.example/revocations-one",
            );
            set(&mut iss, "/publicKey", v(KEY1));
            docs.insert("https://issuer.example/issuers/rl-one".into(), iss);
            docs.insert(
                "https://issuer.example/badges/rl-one".into(),
                policy_badge(
                    "https://issuer.example/badges/rl-one",
                    "https://issuer.example/issuers/rl-one",
                ),
            );
            docs.insert(
                "https://issuer.example/revocations-one".into(),
                json!({
            "@context": "https://w3id.org/openbadges/v2", "type": "RevocationList",
            "id": "https://issuer.example/revocations-one", "revokedAssertions": [id]}),
            );
        },
    );
    c.signed(
        "signed-p256",
        "ES256 (P-256) signed assertion",
        true,
        "VERIFY_JWS",
        "WARNING",
        Some(&p256),
        "https://issuer.example/keys/p256",
        |a, docs| {
            set(a, "/badge", v("https://issuer.example/badges/p256"));
            let mut iss = issuer();
            set(&mut iss, "/id", v("https://issuer.example/issuers/p256"));
            set(
                &mut iss,
                "/publicKey",
                v("https://issuer.example/keys/p256"),
            );
            docs.insert("https://issuer.example/issuers/p256".into(), iss);
            docs.insert(
                "https://issuer.example/badges/p256".into(),
                policy_badge(
                    "https://issuer.example/badges/p256",
                    "https://issuer.example/issuers/p256",
                ),
            );
            docs.insert(
                "https://issuer.example/keys/p256".into(),
                cryptographic_key(
                    &p256.public_key(),
                    "https://issuer.example/keys/p256",
                    "https://issuer.example/issuers/p256",
                )
                .unwrap(),
            );
        },
    );
    // Tampered: take a valid JWS and swap its payload.
    {
        let a = assertion("urn:uuid:8f2c1a6e-8b3d-4e5f-9a1b-2c3d4e5f6a7b");
        let jws = sign_assertion(&a, &c.key1, KEY1).unwrap();
        let mut parts: Vec<String> = jws.split('.').map(str::to_owned).collect();
        let mut payload: Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(&parts[1])
                .unwrap(),
        )
        .unwrap();
        set(&mut payload, "/issuedOn", v("2023-01-15T10:00:00Z"));
        parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(&payload).unwrap());
        let input = c.write_text("cases/signed-tampered/input.jws", &parts.join("."));
        c.push_raw(Case {
            id: "signed-tampered".into(),
            description: "payload changed after signing".into(),
            input_kind: "jws",
            input: Some(input),
            valid: false,
            check: "VERIFY_JWS",
            level: "ERROR",
            ..Case::default()
        });
    }
    // A SignedBadge given as plain JSON (no JWS): the signature cannot be checked.
    {
        let mut a = assertion("urn:uuid:9f2c1a6e-8b3d-4e5f-9a1b-2c3d4e5f6a7b");
        set(
            &mut a,
            "/verification",
            json!({"type": "SignedBadge", "creator": KEY1}),
        );
        let input = c.write_json("cases/signed-as-json/input.json", &a);
        c.push_raw(Case {
            id: "signed-as-json".into(),
            description: "a SignedBadge assertion given as JSON instead of its JWS".into(),
            input_kind: "json",
            input: Some(input),
            valid: false,
            check: "DETECT_INPUT_TYPE",
            level: "ERROR",
            ..Case::default()
        });
    }

    // ---- Endorsements ----
    c.hosted("endorsement-valid", "badge class with a hosted endorsement", true, "VERIFY_ENDORSEMENT", "INFO", |a, docs| {
        let e_url = "https://issuer.example/endorsements/1";
        let endorsement = json!({
            "@context": "https://w3id.org/openbadges/v2",
            "type": "Endorsement",
            "id": e_url,
            "issuer": ISSUER,
            "issuedOn": "2024-01-10T00:00:00Z",
            "claim": {"id": "https://issuer.example/badges/endorsed", "endorsementComment": "Good badge."},
            "verification": {"type": "HostedBadge"}
        });
        let mut bc = badge_class();
        set(&mut bc, "/id", v("https://issuer.example/badges/endorsed"));
        set(&mut bc, "/endorsement", json!([e_url]));
        set(a, "/badge", v("https://issuer.example/badges/endorsed"));
        docs.insert("https://issuer.example/badges/endorsed".into(), bc);
        docs.insert(e_url.into(), endorsement);
    });
    c.hosted(
        "endorsement-wrong-claim",
        "an endorsement about another badge (a warning only)",
        true,
        "VERIFY_ENDORSEMENT",
        "WARNING",
        |a, docs| {
            let e_url = "https://issuer.example/endorsements/2";
            let endorsement = json!({
                "@context": "https://w3id.org/openbadges/v2",
                "type": "Endorsement",
                "id": e_url,
                "issuer": ISSUER,
                "issuedOn": "2024-01-10T00:00:00Z",
                "claim": {"id": "https://issuer.example/badges/other"},
                "verification": {"type": "HostedBadge"}
            });
            let mut bc = badge_class();
            set(&mut bc, "/id", v("https://issuer.example/badges/endorsed2"));
            set(&mut bc, "/endorsement", json!([e_url]));
            set(a, "/badge", v("https://issuer.example/badges/endorsed2"));
            docs.insert("https://issuer.example/badges/endorsed2".into(), bc);
            docs.insert(e_url.into(), endorsement);
        },
    );

    // ---- Badge class / issuer on their own ----
    c.push_raw(Case {
        id: "badge-class-alone".into(),
        description: "a BadgeClass URL verified on its own".into(),
        input_kind: "url",
        input_url: Some(BADGE.into()),
        valid: true,
        ..Case::default()
    });
    c.push_raw(Case {
        id: "issuer-alone".into(),
        description: "an issuer Profile URL verified on its own".into(),
        input_kind: "url",
        input_url: Some(ISSUER.into()),
        valid: true,
        ..Case::default()
    });
    c.push_raw(Case {
        id: "hosted-by-url".into(),
        description: "a hosted assertion given by its URL".into(),
        input_kind: "url",
        input_url: Some(hosted_id("hosted-valid")),
        docs: BTreeMap::from([(
            hosted_id("hosted-valid"),
            assertion(&hosted_id("hosted-valid")),
        )]),
        valid: true,
        ..Case::default()
    });

    // ---- 1.x upgraded ----
    let v11_issuer = json!({
        "@context": "https://w3id.org/openbadges/v1",
        "type": "Issuer",
        "id": "https://issuer.example/v11/issuer",
        "name": "Example Issuer (1.1)",
        "url": "https://issuer.example",
        "email": "badges@issuer.example"
    });
    let v11_badge = json!({
        "@context": "https://w3id.org/openbadges/v1",
        "type": "BadgeClass",
        "id": "https://issuer.example/v11/badge",
        "name": "Old Badge",
        "description": "A 1.1 badge.",
        "image": format!("data:image/png;base64,{PNG_B64}"),
        "criteria": "https://issuer.example/v11/criteria",
        "issuer": "https://issuer.example/v11/issuer"
    });
    let v11_assertion = |id: &str, issued: Value| {
        json!({
            "@context": "https://w3id.org/openbadges/v1",
            "type": "Assertion",
            "id": id,
            "uid": "abc123",
            "recipient": {"type": "email", "hashed": true, "salt": SALT, "identity": sha(&format!("{ALICE}{SALT}"))},
            "badge": "https://issuer.example/v11/badge",
            "verify": {"type": "hosted", "url": id},
            "issuedOn": issued
        })
    };
    for (id, issued, valid, check, level, desc) in [
        (
            "v11-hosted",
            json!("2016-12-31T23:59:59Z"),
            true,
            "UPGRADE_1_1_NODE",
            "INFO",
            "OB 1.1 hosted assertion, upgraded",
        ),
        (
            "v11-hosted-unix-date",
            json!(1483228799),
            true,
            "UPGRADE_1_1_NODE",
            "INFO",
            "OB 1.1 with a Unix timestamp issuedOn, upgraded",
        ),
        (
            "v11-issued-future",
            json!("2099-12-31T23:59:59Z"),
            false,
            "ASSERTION_TIMESTAMP_CHECKS",
            "ERROR",
            "OB 1.1 issued in the future",
        ),
    ] {
        let url = format!("https://issuer.example/v11/assertions/{id}");
        let a = v11_assertion(&url, issued);
        let input = c.write_json(&format!("cases/{id}/input.json"), &a);
        c.push_raw(Case {
            id: id.into(),
            description: desc.into(),
            input_kind: "json",
            input: Some(input),
            docs: BTreeMap::from([
                (url, a.clone()),
                (
                    "https://issuer.example/v11/issuer".into(),
                    v11_issuer.clone(),
                ),
                ("https://issuer.example/v11/badge".into(), v11_badge.clone()),
            ]),
            valid,
            check,
            level,
            ..Case::default()
        });
    }
    // 1.1 signed: the key (PEM) at verify.url; a 1.x revocation list maps uids to reasons.
    let v11_key_url = "https://issuer.example/v11/key.pem";
    let pem = c.key1.public_key().to_public_key_pem().unwrap();
    for (n, (id, revoked, wrong_key, valid, check, level, desc)) in [
        (
            "v11-signed",
            false,
            false,
            true,
            "UPGRADE_1_1_NODE",
            "INFO",
            "OB 1.1 signed assertion (key PEM at verify.url), upgraded",
        ),
        (
            "v11-signed-revoked",
            true,
            false,
            false,
            "VERIFY_SIGNED_ASSERTION_NOT_REVOKED",
            "ERROR",
            "OB 1.1 signed assertion whose uid is in the issuer's 1.x revocation list",
        ),
        (
            "v11-signed-wrong-key",
            false,
            true,
            false,
            "VERIFY_JWS",
            "ERROR",
            "OB 1.1 signed assertion not signed by the key at verify.url",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let issuer_url = format!("https://issuer.example/v11/issuer-{id}");
        let badge_url = format!("https://issuer.example/v11/badge-{id}");
        let mut iss = v11_issuer.clone();
        set(&mut iss, "/id", json!(issuer_url));
        let mut docs = BTreeMap::new();
        let uid = format!("uid-{id}");
        if revoked {
            set(
                &mut iss,
                "/revocationList",
                json!("https://issuer.example/v11/revoked.json"),
            );
            docs.insert(
                "https://issuer.example/v11/revoked.json".to_owned(),
                json!({ uid.clone(): "Issued in error", "some-other-uid": "Cheating" }),
            );
        }
        let mut bc = v11_badge.clone();
        set(&mut bc, "/id", json!(badge_url));
        set(&mut bc, "/issuer", json!(issuer_url));
        let a = json!({
            "@context": "https://w3id.org/openbadges/v1",
            "type": "Assertion",
            "id": format!("urn:uuid:3c9d1e2f-000{n}-4a5b-8c7d-9e0f1a2b3c4d"),
            "uid": uid,
            "recipient": {"type": "email", "hashed": true, "salt": SALT, "identity": sha(&format!("{ALICE}{SALT}"))},
            "badge": badge_url,
            "verify": {"type": "signed", "url": v11_key_url},
            "issuedOn": "2016-12-31T23:59:59Z"
        });
        let jws = obi_proof::sign_compact(
            &serde_json::Map::new(),
            &serde_json::to_vec(&a).unwrap(),
            if wrong_key { &key2 } else { &c.key1 },
        )
        .unwrap();
        let input = c.write_text(&format!("cases/{id}/input.jws"), &jws);
        docs.insert(issuer_url, iss);
        docs.insert(badge_url, bc);
        docs.insert(v11_key_url.to_owned(), json!(format!("@text:{pem}")));
        c.push_raw(Case {
            id: id.into(),
            description: desc.into(),
            input_kind: "jws",
            input: Some(input),
            docs,
            valid,
            check,
            level,
            ..Case::default()
        });
    }
    let v10_issuer = json!({
        "name": "Example Issuer (1.0)",
        "url": "https://issuer.example",
        "email": "badges@issuer.example"
    });
    let v10_badge = json!({
        "name": "Older Badge",
        "description": "A 1.0 badge.",
        "image": "https://issuer.example/images/badge.png",
        "criteria": "https://issuer.example/v10/criteria",
        "issuer": "https://issuer.example/v10/issuer"
    });
    for (id, expires, valid, check, level, desc) in [
        (
            "v10-hosted",
            None,
            true,
            "UPGRADE_1_0_NODE",
            "INFO",
            "OB 1.0 hosted assertion (no @context), upgraded",
        ),
        (
            "v10-expired",
            Some(json!("2020-01-01")),
            false,
            "ASSERTION_TIMESTAMP_CHECKS",
            "ERROR",
            "OB 1.0 assertion that expired",
        ),
    ] {
        let url = format!("https://issuer.example/v10/assertions/{id}");
        let mut a = json!({
            "uid": "abc-10",
            "recipient": {"type": "email", "hashed": true, "salt": SALT, "identity": sha(&format!("{ALICE}{SALT}"))},
            "badge": "https://issuer.example/v10/badge",
            "verify": {"type": "hosted", "url": url},
            "issuedOn": "2014-01-01"
        });
        if let Some(e) = expires {
            set(&mut a, "/expires", e);
        }
        let input = c.write_json(&format!("cases/{id}/input.json"), &a);
        c.push_raw(Case {
            id: id.into(),
            description: desc.into(),
            input_kind: "url",
            input: Some(input),
            input_url: Some(url.clone()),
            docs: BTreeMap::from([
                (url, a.clone()),
                (
                    "https://issuer.example/v10/issuer".into(),
                    v10_issuer.clone(),
                ),
                ("https://issuer.example/v10/badge".into(), v10_badge.clone()),
            ]),
            valid,
            check,
            level,
            ..Case::default()
        });
    }
    let v05_url = "https://issuer.example/v05/assertion";
    let v05 = json!({
        "recipient": sha(&format!("{ALICE}{SALT}")),
        "salt": SALT,
        "issued_on": "2013-01-01",
        "badge": {
            "version": "0.5.0",
            "name": "Ancient Badge",
            "image": "https://issuer.example/images/badge.png",
            "description": "A 0.5 badge.",
            "criteria": "https://issuer.example/v05/criteria",
            "issuer": {"origin": "https://issuer.example", "name": "Example Issuer (0.5)", "contact": "badges@issuer.example"}
        }
    });
    let input = c.write_json("cases/v05-hosted/input.json", &v05);
    c.push_raw(Case {
        id: "v05-hosted".into(),
        description: "OB 0.5 assertion at a URL, upgraded".into(),
        input_kind: "url",
        input: Some(input),
        input_url: Some(v05_url.into()),
        docs: BTreeMap::from([(v05_url.into(), v05.clone())]),
        valid: true,
        check: "UPGRADE_0_5_NODE",
        level: "INFO",
        ..Case::default()
    });

    c.finish();
}
