//! Writes the OB 3.0 verification corpus (`tests/data/corpus/ob3/`): signed credentials,
//! status lists, DID documents, baked images and `manifest.json`. The corpus is committed;
//! run this only to regenerate it: `cargo test -p obi-verify --test ob3_corpus_gen -- --ignored`.
//! Keys come from fixed seeds and Ed25519 signatures are deterministic, so regenerating gives
//! the same bytes.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use base64::Engine as _;
use obi_proof::{
    JwtKeyHeader, KeyPair, LdCanonicalizer, ProofOptions, Suite, add_proof, sign_vc_jwt,
};
use serde_json::{Value, json};

const CREATED: &str = "2025-01-01T00:00:00Z";
const NOW: &str = "2025-06-15T00:00:00Z";
const STATUS_LIST: &str = "https://issuer.example/status/1";
const SUSPEND_LIST: &str = "https://issuer.example/status/suspension";
const REVOCATION_LIST: &str = "https://issuer.example/revocations";
const DID_WEB: &str = "did:web:issuer.example";
const DID_WEB_DOC: &str = "https://issuer.example/.well-known/did.json";
const ALICE: &str = "alice@example.org";
const SALT: &str = "Kosher";
/// A 1x1 PNG.
const PNG_B64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const SVG: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus/ob3")
}

struct Gen {
    issuer: KeyPair,
    other: KeyPair,
    canon: LdCanonicalizer,
    cases: Vec<Value>,
    shared: serde_json::Map<String, Value>,
}

fn key(seed: u8) -> KeyPair {
    KeyPair::ed25519_from_seed(&[seed; 32])
}

impl Gen {
    fn did(&self) -> String {
        self.issuer.public_key().did_key()
    }

    fn vm(&self) -> String {
        self.issuer.public_key().did_key_verification_method()
    }

    fn credential(&self, id: &str) -> Value {
        json!({
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
            ],
            "id": format!("urn:example:credential:{id}"),
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": "Teamwork Badge",
            "issuer": {
                "id": self.did(),
                "type": ["Profile"],
                "name": "Example Corp",
                "url": "https://example.edu"
            },
            "validFrom": "2025-01-01T00:00:00Z",
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "identifier": [{
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": true,
                    "identityHash": obi_verify::hash_identity(ALICE, SALT),
                    "salt": SALT
                }],
                "achievement": {
                    "id": "https://example.com/achievements/teamwork",
                    "type": ["Achievement"],
                    "achievementType": "Badge",
                    "name": "Teamwork",
                    "description": "Recognizes the capacity to collaborate within a group.",
                    "criteria": {"narrative": "Nominated by peers."},
                    "image": {"id": "https://example.com/achievements/teamwork/image.png", "type": "Image"}
                }
            }
        })
    }

    fn sign_with(&self, doc: &Value, suite: Suite, key: &KeyPair, vm: &str) -> Value {
        let opts = ProofOptions::new(suite, vm).with_created(CREATED);
        add_proof(doc, &opts, key, &self.canon).unwrap_or_else(|e| panic!("signing: {e}"))
    }

    fn sign(&self, doc: &Value) -> Value {
        self.sign_with(doc, Suite::EddsaRdfc2022, &self.issuer, &self.vm())
    }

    fn status_list(&self, url: &str, purpose: &str, set: &[usize]) -> Value {
        let mut bits = vec![0u8; 16 * 1024];
        for i in set {
            bits[i / 8] |= 0x80 >> (i % 8);
        }
        let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
        gz.extend(miniz_oxide::deflate::compress_to_vec(&bits, 9));
        let crc = crc32(&bits);
        gz.extend(crc.to_le_bytes());
        gz.extend(u32::try_from(bits.len()).unwrap().to_le_bytes());
        let encoded = format!(
            "u{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(gz)
        );
        self.sign(&json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": self.did(),
            "validFrom": "2025-01-01T00:00:00Z",
            "credentialSubject": {
                "id": format!("{url}#list"),
                "type": "BitstringStatusList",
                "statusPurpose": purpose,
                "encodedList": encoded
            }
        }))
    }

    fn write(&self, rel: &str, bytes: &[u8]) -> String {
        let p = dir().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
        rel.to_owned()
    }

    fn write_json(&self, rel: &str, v: &Value) -> String {
        let mut text = serde_json::to_string_pretty(v).unwrap();
        text.push('\n');
        self.write(rel, text.as_bytes())
    }

    fn share(&mut self, url: &str, v: &Value) {
        let name = url.trim_start_matches("https://").replace('/', "_");
        let rel = self.write_json(&format!("docs/{name}.json"), v);
        self.shared.insert(url.to_owned(), json!(rel));
    }

    /// A case whose input is JSON.
    fn case(&mut self, id: &str, description: &str, input: &Value, expect: (bool, &str, &str)) {
        let rel = self.write_json(&format!("cases/{id}.json"), input);
        self.push(id, description, &rel, json!({}), None, expect);
    }

    fn push(
        &mut self,
        id: &str,
        description: &str,
        input: &str,
        docs: Value,
        recipient: Option<&str>,
        (valid, check, level): (bool, &str, &str),
    ) {
        let mut c = json!({
            "id": id,
            "description": description,
            "input": input,
            "docs": docs,
            "expect": {"valid": valid, "check": check, "level": level}
        });
        if let Some(r) = recipient {
            c["recipient"] = json!(r);
        }
        self.cases.push(c);
    }
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for b in data {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn with_status(mut c: Value, index: usize) -> Value {
    c["credentialStatus"] = json!({
        "id": format!("{STATUS_LIST}#{index}"),
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": index.to_string(),
        "statusListCredential": STATUS_LIST
    });
    c
}

/// Changes one character of the achievement name (a one-byte tamper).
fn tamper(mut c: Value) -> Value {
    c["credentialSubject"]["achievement"]["name"] = json!("Teamworl");
    c
}

const V: (bool, &str, &str) = (true, "VERIFY_SIGNATURE", "INFO");

#[test]
#[ignore = "regenerates the committed corpus"]
fn generate() {
    let _ = std::fs::remove_dir_all(dir().join("cases"));
    let _ = std::fs::remove_dir_all(dir().join("docs"));
    let mut g = Gen {
        issuer: key(1),
        other: key(2),
        canon: LdCanonicalizer::pinned(),
        cases: Vec::new(),
        shared: serde_json::Map::new(),
    };
    let revoked_index = 42;
    let list = g.status_list(STATUS_LIST, "revocation", &[revoked_index, 7]);
    g.share(STATUS_LIST, &list);
    let suspended = g.status_list(SUSPEND_LIST, "suspension", &[9]);
    g.share(SUSPEND_LIST, &suspended);
    g.share(
        REVOCATION_LIST,
        &json!({
            "id": REVOCATION_LIST,
            "issuer": g.did(),
            "revokedCredentials": [{"id": "urn:uuid:revoked-1edtech", "revocationReason": "issued in error"}]
        }),
    );
    let web_key = key(3);
    g.share(
        DID_WEB_DOC,
        &json!({
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": DID_WEB,
            "verificationMethod": [{
                "id": format!("{DID_WEB}#key-1"),
                "type": "Multikey",
                "controller": DID_WEB,
                "publicKeyMultibase": web_key.public_key().to_multikey()
            }],
            "assertionMethod": [format!("{DID_WEB}#key-1")]
        }),
    );

    // Valid forms.
    let base = with_status(g.credential("valid"), 3);
    let valid = g.sign(&base);
    g.case(
        "valid-rdfc",
        "eddsa-rdfc-2022, did:key issuer, status not set",
        &valid,
        V,
    );
    let jcs = g.sign_with(&base, Suite::EddsaJcs2022, &g.issuer, &g.vm());
    g.case("valid-jcs", "eddsa-jcs-2022", &jcs, V);
    let mut v1 = g.credential("v1");
    v1["@context"] = json!([
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://w3id.org/security/suites/ed25519-2020/v1"
    ]);
    v1.as_object_mut().unwrap().remove("validFrom");
    v1["issuanceDate"] = json!("2025-01-01T00:00:00Z");
    let ed2020 = g.sign_with(&v1, Suite::Ed25519Signature2020, &g.issuer, &g.vm());
    g.case(
        "valid-ed25519signature2020-vcdm11",
        "Ed25519Signature2020 on a VCDM 1.1 credential",
        &ed2020,
        V,
    );
    let mut web = g.credential("web");
    web["issuer"]["id"] = json!(DID_WEB);
    let web = g.sign_with(
        &web,
        Suite::EddsaRdfc2022,
        &web_key,
        &format!("{DID_WEB}#key-1"),
    );
    g.case(
        "valid-did-web",
        "did:web issuer resolved from the supplied DID document",
        &web,
        V,
    );
    let mut refresh = g.credential("refresh");
    refresh["refreshService"] =
        json!({"id": "https://issuer.example/refresh", "type": "1EdTechCredentialRefresh"});
    let refresh = g.sign_with(&refresh, Suite::EddsaJcs2022, &g.issuer, &g.vm());
    g.case(
        "valid-refresh-service",
        "refreshService is reported as INFO",
        &refresh,
        (true, "REFRESH_SERVICE", "INFO"),
    );
    let mut schema = g.credential("schema");
    schema["credentialSchema"] = json!([{
        "id": obi_model::schema::OB3_ACHIEVEMENT_CREDENTIAL_SCHEMA_ID,
        "type": "1EdTechJsonSchemaValidator2019"
    }]);
    let schema_signed = g.sign_with(&schema, Suite::EddsaJcs2022, &g.issuer, &g.vm());
    g.case(
        "valid-credential-schema-pinned",
        "credentialSchema naming the pinned schema",
        &schema_signed,
        (true, "CREDENTIAL_SCHEMA", "INFO"),
    );
    let mut unknown_schema = g.credential("unknown-schema");
    unknown_schema["credentialSchema"] = json!([{"id": "https://schemas.example/other.json", "type": "1EdTechJsonSchemaValidator2019"}]);
    let unknown_schema = g.sign_with(&unknown_schema, Suite::EddsaJcs2022, &g.issuer, &g.vm());
    g.case(
        "warn-credential-schema-unknown",
        "an unknown credentialSchema is a WARNING, still valid",
        &unknown_schema,
        (true, "CREDENTIAL_SCHEMA", "WARNING"),
    );
    let mut rl_ok = g.credential("rl-ok");
    rl_ok["credentialStatus"] = json!({"id": REVOCATION_LIST, "type": "1EdTechRevocationList"});
    let rl_ok = g.sign_with(&rl_ok, Suite::EddsaJcs2022, &g.issuer, &g.vm());
    g.case(
        "valid-1edtech-revocation-list",
        "1EdTechRevocationList not listing the credential",
        &rl_ok,
        (true, "CREDENTIAL_STATUS", "INFO"),
    );

    // Recipient.
    let rel = g.write_json("cases/recipient-match.json", &valid);
    g.push(
        "valid-recipient-match",
        "hashed email identifier matches --recipient",
        &rel,
        json!({}),
        Some(ALICE),
        (true, "VERIFY_RECIPIENT_IDENTIFIER", "INFO"),
    );
    g.push(
        "invalid-recipient-mismatch",
        "hashed email identifier does not match --recipient",
        &rel,
        json!({}),
        Some("mallory@example.org"),
        (false, "VERIFY_RECIPIENT_IDENTIFIER", "ERROR"),
    );

    // Tampering and keys.
    g.case(
        "invalid-tampered-rdfc",
        "one byte of the achievement name changed after signing",
        &tamper(valid.clone()),
        (false, "VERIFY_SIGNATURE", "ERROR"),
    );
    g.case(
        "invalid-tampered-jcs",
        "one byte changed, eddsa-jcs-2022",
        &tamper(jcs.clone()),
        (false, "VERIFY_SIGNATURE", "ERROR"),
    );
    g.case(
        "invalid-tampered-ed25519signature2020",
        "one byte changed, Ed25519Signature2020",
        &tamper(ed2020.clone()),
        (false, "VERIFY_SIGNATURE", "ERROR"),
    );
    let wrong = g.sign_with(&base, Suite::EddsaRdfc2022, &g.other, &g.vm());
    g.case(
        "invalid-wrong-key",
        "signed with another key than the verification method's",
        &wrong,
        (false, "VERIFY_SIGNATURE", "ERROR"),
    );
    let other_vm = g.other.public_key().did_key_verification_method();
    let foreign = g.sign_with(&base, Suite::EddsaRdfc2022, &g.other, &other_vm);
    g.case(
        "invalid-key-not-issuers",
        "a valid proof by a key the issuer does not control",
        &foreign,
        (false, "ISSUER_KEY_BINDING", "ERROR"),
    );
    let mut unknown = valid.clone();
    unknown["proof"]["type"] = json!("FooSignature2099");
    g.case(
        "invalid-unknown-proof-type",
        "proof type obi does not know",
        &unknown,
        (false, "VERIFY_SIGNATURE", "ERROR"),
    );
    let mut unknown_suite = valid.clone();
    unknown_suite["proof"]["cryptosuite"] = json!("ecdsa-foo-2099");
    g.case(
        "invalid-unknown-cryptosuite",
        "cryptosuite obi does not know",
        &unknown_suite,
        (false, "VERIFY_SIGNATURE", "ERROR"),
    );
    let mut no_proof = valid.clone();
    no_proof.as_object_mut().unwrap().remove("proof");
    g.case(
        "invalid-no-proof",
        "no proof at all",
        &no_proof,
        (false, "VERIFY_SIGNATURE", "ERROR"),
    );
    let mut bad_purpose = valid.clone();
    bad_purpose["proof"]["proofPurpose"] = json!("authentication");
    g.case(
        "invalid-proof-purpose",
        "proofPurpose is not assertionMethod",
        &bad_purpose,
        (false, "VERIFY_SIGNATURE", "ERROR"),
    );
    let mut web_wrong = g.credential("web-wrong");
    web_wrong["issuer"]["id"] = json!(DID_WEB);
    let web_wrong = g.sign_with(
        &web_wrong,
        Suite::EddsaRdfc2022,
        &g.other,
        &format!("{DID_WEB}#key-1"),
    );
    g.case(
        "invalid-did-web-wrong-key",
        "did:web verification method, signed by another key",
        &web_wrong,
        (false, "VERIFY_SIGNATURE", "ERROR"),
    );

    // Dates.
    let mut expired = base.clone();
    expired["validUntil"] = json!("2025-03-01T00:00:00Z");
    let expired = g.sign(&expired);
    g.case(
        "invalid-expired",
        "validUntil before now",
        &expired,
        (false, "CREDENTIAL_EXPIRED", "ERROR"),
    );
    let mut future = base.clone();
    future["validFrom"] = json!("2026-01-01T00:00:00Z");
    let future = g.sign(&future);
    g.case(
        "invalid-not-yet-valid",
        "validFrom after now",
        &future,
        (false, "CREDENTIAL_NOT_YET_VALID", "ERROR"),
    );
    let mut v1_expired = v1.clone();
    v1_expired["expirationDate"] = json!("2025-02-01T00:00:00Z");
    let v1_expired = g.sign_with(&v1_expired, Suite::Ed25519Signature2020, &g.issuer, &g.vm());
    g.case(
        "invalid-expired-vcdm11",
        "VCDM 1.1 expirationDate before now",
        &v1_expired,
        (false, "CREDENTIAL_EXPIRED", "ERROR"),
    );
    let mut bad_date = base.clone();
    bad_date["validFrom"] = json!("2025-01-01");
    let bad_date = g.sign_with(&bad_date, Suite::EddsaJcs2022, &g.issuer, &g.vm());
    g.case(
        "invalid-date-format",
        "validFrom without a time",
        &bad_date,
        (false, "VC_DATES", "ERROR"),
    );

    // Model.
    let mut no_ob = base.clone();
    no_ob["@context"] = json!(["https://www.w3.org/ns/credentials/v2"]);
    let no_ob = g.sign_with(&no_ob, Suite::EddsaJcs2022, &g.issuer, &g.vm());
    g.case(
        "invalid-missing-ob-context",
        "the OB 3.0 context is missing",
        &no_ob,
        (false, "VC_CONTEXT", "ERROR"),
    );
    let mut order = base.clone();
    order["@context"] = json!([
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://www.w3.org/ns/credentials/v2"
    ]);
    let order = g.sign_with(&order, Suite::EddsaJcs2022, &g.issuer, &g.vm());
    g.case(
        "invalid-context-order",
        "the OB context comes before the VC context",
        &order,
        (false, "VC_CONTEXT", "ERROR"),
    );
    let mut no_type = base.clone();
    no_type["type"] = json!(["VerifiableCredential"]);
    let no_type = g.sign_with(&no_type, Suite::EddsaJcs2022, &g.issuer, &g.vm());
    g.case(
        "invalid-type",
        "type lacks OpenBadgeCredential",
        &no_type,
        (false, "VC_TYPE", "ERROR"),
    );
    let mut no_name = base.clone();
    no_name["credentialSubject"]["achievement"]
        .as_object_mut()
        .unwrap()
        .remove("criteria");
    let no_name = g.sign_with(&no_name, Suite::EddsaJcs2022, &g.issuer, &g.vm());
    g.case(
        "invalid-schema",
        "achievement without criteria fails the JSON Schema",
        &no_name,
        (false, "OB3_JSON_SCHEMA", "ERROR"),
    );

    // Status.
    let revoked = g.sign(&with_status(g.credential("revoked"), revoked_index));
    g.case(
        "invalid-revoked",
        "the status list bit is set (revocation)",
        &revoked,
        (false, "CREDENTIAL_STATUS", "ERROR"),
    );
    let mut susp = g.credential("suspended");
    susp["credentialStatus"] = json!({
        "id": format!("{SUSPEND_LIST}#9"), "type": "BitstringStatusListEntry",
        "statusPurpose": "suspension", "statusListIndex": "9", "statusListCredential": SUSPEND_LIST
    });
    let susp = g.sign(&susp);
    g.case(
        "invalid-suspended",
        "the status list bit is set (suspension)",
        &susp,
        (false, "CREDENTIAL_STATUS", "ERROR"),
    );
    let out_of_range = g.sign(&with_status(g.credential("range"), 200_000));
    g.case(
        "invalid-status-index-out-of-range",
        "statusListIndex past the end of the list",
        &out_of_range,
        (false, "CREDENTIAL_STATUS", "ERROR"),
    );
    let mut missing_list = with_status(g.credential("missing-list"), 3);
    missing_list["credentialStatus"]["statusListCredential"] =
        json!("https://issuer.example/status/missing");
    let missing_list = g.sign(&missing_list);
    g.case(
        "invalid-status-list-unavailable",
        "the status list cannot be fetched (offline, not supplied)",
        &missing_list,
        (false, "CREDENTIAL_STATUS", "ERROR"),
    );
    let tampered_list_url = "https://issuer.example/status/tampered";
    let mut tampered_list = g.status_list(tampered_list_url, "revocation", &[]);
    tampered_list["credentialSubject"]["statusPurpose"] = json!("revocation");
    tampered_list["validFrom"] = json!("2025-01-02T00:00:00Z");
    let name = "docs-case/status-tampered.json";
    let rel_list = g.write_json(name, &tampered_list);
    let mut tl = with_status(g.credential("tampered-list"), 3);
    tl["credentialStatus"]["statusListCredential"] = json!(tampered_list_url);
    let tl = g.sign(&tl);
    let rel = g.write_json("cases/invalid-status-list-bad-proof.json", &tl);
    g.push(
        "invalid-status-list-bad-proof",
        "the status list credential's own proof does not verify",
        &rel,
        json!({tampered_list_url: rel_list}),
        None,
        (false, "CREDENTIAL_STATUS", "ERROR"),
    );
    let mut rl_bad = g.credential("rl-bad");
    rl_bad["id"] = json!("urn:uuid:revoked-1edtech");
    rl_bad["credentialStatus"] = json!({"id": REVOCATION_LIST, "type": "1EdTechRevocationList"});
    let rl_bad = g.sign_with(&rl_bad, Suite::EddsaJcs2022, &g.issuer, &g.vm());
    g.case(
        "invalid-1edtech-revoked",
        "listed in the 1EdTech revocation list",
        &rl_bad,
        (false, "CREDENTIAL_STATUS", "ERROR"),
    );

    // A status list (bit not set) whose own proof verifies, but signed by another issuer:
    // it says nothing about this issuer's credentials.
    let foreign_list_url = "https://issuer.example/status/foreign";
    let mut foreign_list = g.status_list(foreign_list_url, "revocation", &[]);
    foreign_list.as_object_mut().unwrap().remove("proof");
    foreign_list["issuer"] = json!(g.other.public_key().did_key());
    let foreign_list = g.sign_with(&foreign_list, Suite::EddsaRdfc2022, &g.other, &other_vm);
    let rel_list = g.write_json("docs-case/status-foreign.json", &foreign_list);
    let mut fl = with_status(g.credential("foreign-list"), 3);
    fl["credentialStatus"]["statusListCredential"] = json!(foreign_list_url);
    let fl = g.sign(&fl);
    let rel = g.write_json("cases/invalid-status-list-other-issuer.json", &fl);
    g.push(
        "invalid-status-list-other-issuer",
        "the status list verifies but is issued by another issuer than the credential",
        &rel,
        json!({foreign_list_url: rel_list}),
        None,
        (false, "CREDENTIAL_STATUS", "ERROR"),
    );
    // A 1EdTech revocation list that carries a proof which does not verify (not listed).
    let signed_rl_url = "https://issuer.example/revocations-signed";
    let mut signed_rl = g.sign_with(
        &json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": signed_rl_url,
            "issuer": g.did(),
            "revokedCredentials": []
        }),
        Suite::EddsaJcs2022,
        &g.issuer,
        &g.vm(),
    );
    signed_rl["revokedCredentials"] = json!([]);
    signed_rl["issuer"] = json!(g.did());
    signed_rl["id"] = json!(format!("{signed_rl_url}#tampered"));
    let rel_list = g.write_json("docs-case/revocations-bad-proof.json", &signed_rl);
    let mut rl_sig = g.credential("rl-signed");
    rl_sig["credentialStatus"] = json!({"id": signed_rl_url, "type": "1EdTechRevocationList"});
    let rl_sig = g.sign_with(&rl_sig, Suite::EddsaJcs2022, &g.issuer, &g.vm());
    let rel = g.write_json("cases/invalid-1edtech-list-bad-proof.json", &rl_sig);
    g.push(
        "invalid-1edtech-list-bad-proof",
        "the 1EdTech revocation list carries a proof that does not verify",
        &rel,
        json!({signed_rl_url: rel_list}),
        None,
        (false, "CREDENTIAL_STATUS", "ERROR"),
    );

    // An issuer identified by an HTTPS URL whose key is a key document (its own URL as id)
    // controlled by that issuer; and the same key document claimed by another controller.
    let url_issuer = "https://issuer.example/issuer";
    let key_doc_url = "https://issuer.example/keys/1";
    let url_key = key(4);
    let key_doc = |controller: &str| {
        json!({
            "@context": ["https://w3id.org/security/multikey/v1"],
            "id": key_doc_url,
            "type": "Multikey",
            "controller": controller,
            "publicKeyMultibase": url_key.public_key().to_multikey()
        })
    };
    let rel_key = g.write_json("docs-case/key-document.json", &key_doc(url_issuer));
    let rel_ctrl = g.write_json(
        "docs-case/url-issuer.json",
        &json!({"id": url_issuer, "assertionMethod": [key_doc_url]}),
    );
    let mut url_cred = g.credential("url-issuer");
    url_cred["issuer"]["id"] = json!(url_issuer);
    let url_cred = g.sign_with(&url_cred, Suite::EddsaRdfc2022, &url_key, key_doc_url);
    let rel = g.write_json("cases/valid-https-key-document.json", &url_cred);
    g.push(
        "valid-https-key-document",
        "issuer is an HTTPS URL; the key is a key document it controls and authorizes",
        &rel,
        json!({key_doc_url: rel_key, url_issuer: rel_ctrl}),
        None,
        (true, "VERIFY_SIGNATURE", "INFO"),
    );
    let other_ctrl = "https://other.example/issuer";
    let rel_key2 = g.write_json("docs-case/key-document-other.json", &key_doc(other_ctrl));
    let rel_ctrl2 = g.write_json(
        "docs-case/other-issuer.json",
        &json!({"id": other_ctrl, "assertionMethod": [key_doc_url]}),
    );
    g.push(
        "invalid-https-key-document-other-controller",
        "the key document verifies but is controlled by another party than the issuer",
        &rel,
        json!({key_doc_url: rel_key2, other_ctrl: rel_ctrl2}),
        None,
        (false, "ISSUER_KEY_BINDING", "ERROR"),
    );

    // Endorsements.
    let mut endorsement = json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ],
        "id": "urn:uuid:11111111-2222-4333-8444-555555555555",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": "Endorsement of Teamwork",
        "issuer": {"id": g.other.public_key().did_key(), "type": ["Profile"], "name": "Endorser"},
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "https://example.com/achievements/teamwork",
            "type": ["EndorsementSubject"],
            "endorsementComment": "A fine achievement."
        }
    });
    endorsement = g.sign_with(&endorsement, Suite::EddsaRdfc2022, &g.other, &other_vm);
    let mut endorsed = g.credential("endorsed");
    endorsed["credentialSubject"]["achievement"]["endorsement"] = json!([endorsement.clone()]);
    let endorsed_ok = g.sign(&endorsed);
    g.case(
        "valid-endorsement",
        "an embedded EndorsementCredential that verifies",
        &endorsed_ok,
        (true, "VERIFY_ENDORSEMENT", "INFO"),
    );
    let mut bad_end = endorsement.clone();
    bad_end["credentialSubject"]["endorsementComment"] = json!("A fine achievemenu.");
    endorsed["credentialSubject"]["achievement"]["endorsement"] = json!([bad_end]);
    let endorsed_bad = g.sign(&endorsed);
    g.case(
        "warn-endorsement-tampered",
        "a tampered embedded endorsement is a WARNING; the credential stays valid",
        &endorsed_bad,
        (true, "VERIFY_ENDORSEMENT", "WARNING"),
    );

    // Presentations.
    let vp = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [valid.clone(), jcs.clone()]
    });
    g.case(
        "valid-presentation",
        "a presentation of two valid credentials",
        &vp,
        V,
    );
    let vp_bad = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [valid.clone(), tamper(jcs.clone())]
    });
    g.case(
        "invalid-presentation",
        "a presentation holding one tampered credential",
        &vp_bad,
        (false, "VERIFY_SIGNATURE", "ERROR"),
    );

    // VC-JWT.
    let jwt_cred = g.credential("jwt");
    let jwt = sign_vc_jwt(&jwt_cred, &g.issuer, &JwtKeyHeader::Kid(g.vm())).unwrap();
    let rel = g.write("cases/valid-vc-jwt.jwt", jwt.as_bytes());
    g.push(
        "valid-vc-jwt",
        "VC-JWT (EdDSA, did:key kid)",
        &rel,
        json!({}),
        None,
        V,
    );
    let mut parts: Vec<String> = jwt.split('.').map(str::to_owned).collect();
    let mut payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&parts[1])
        .unwrap();
    let pos = payload.windows(8).position(|w| w == b"Teamwork").unwrap();
    payload[pos + 7] = b'l';
    parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload);
    let rel = g.write(
        "cases/invalid-vc-jwt-tampered.jwt",
        parts.join(".").as_bytes(),
    );
    g.push(
        "invalid-vc-jwt-tampered",
        "VC-JWT with one payload byte changed",
        &rel,
        json!({}),
        None,
        (false, "VERIFY_SIGNATURE", "ERROR"),
    );
    let jwt_other = sign_vc_jwt(&jwt_cred, &g.other, &JwtKeyHeader::Kid(g.vm())).unwrap();
    let rel = g.write("cases/invalid-vc-jwt-wrong-key.jwt", jwt_other.as_bytes());
    g.push(
        "invalid-vc-jwt-wrong-key",
        "VC-JWT signed by another key than its kid",
        &rel,
        json!({}),
        None,
        (false, "VERIFY_SIGNATURE", "ERROR"),
    );
    let mut jwt_exp = g.credential("jwt-expired");
    jwt_exp["validUntil"] = json!("2025-03-01T00:00:00Z");
    let jwt_exp = sign_vc_jwt(&jwt_exp, &g.issuer, &JwtKeyHeader::Kid(g.vm())).unwrap();
    let rel = g.write("cases/invalid-vc-jwt-expired.jwt", jwt_exp.as_bytes());
    g.push(
        "invalid-vc-jwt-expired",
        "VC-JWT past its exp/validUntil",
        &rel,
        json!({}),
        None,
        (false, "VERIFY_SIGNATURE", "ERROR"),
    );

    // Baked images.
    let png = base64::engine::general_purpose::STANDARD
        .decode(PNG_B64)
        .unwrap();
    for (id, cred, ok) in [
        ("valid-baked-png", &valid, true),
        ("invalid-baked-png-tampered", &tamper(valid.clone()), false),
    ] {
        let mut out = Vec::new();
        let payload = obi_bake::Payload::detect(serde_json::to_string(cred).unwrap());
        obi_bake::bake_png(png.as_slice(), &mut out, &payload, None).unwrap();
        let rel = g.write(&format!("cases/{id}.png"), &out);
        let expect = if ok {
            V
        } else {
            (false, "VERIFY_SIGNATURE", "ERROR")
        };
        g.push(
            id,
            "a credential baked into a PNG",
            &rel,
            json!({}),
            None,
            expect,
        );
    }
    let mut out = Vec::new();
    let payload = obi_bake::Payload::detect(serde_json::to_string(&valid).unwrap());
    obi_bake::bake_svg(SVG.as_bytes(), &mut out, &payload, None).unwrap();
    let rel = g.write("cases/valid-baked-svg.svg", &out);
    g.push(
        "valid-baked-svg",
        "a credential baked into an SVG",
        &rel,
        json!({}),
        None,
        V,
    );
    let mut out = Vec::new();
    obi_bake::bake_png(
        png.as_slice(),
        &mut out,
        &obi_bake::Payload::detect(jwt.clone()),
        None,
    )
    .unwrap();
    let rel = g.write("cases/valid-baked-png-vc-jwt.png", &out);
    g.push(
        "valid-baked-png-vc-jwt",
        "a VC-JWT baked into a PNG",
        &rel,
        json!({}),
        None,
        V,
    );

    let manifest = json!({
        "description": "Open Badges 3.0 verification corpus for obi-verify. Each case: an input file (JSON, VC-JWT, PNG or SVG), documents served by URL (`shared` for all cases, per-case `docs` win), the time `now`, an optional expected recipient, and the expected verdict with a check that must fire at the given level. Generated by tests/ob3_corpus_gen.rs from fixed-seed keys.",
        "now": NOW,
        "shared": g.shared,
        "cases": g.cases,
    });
    g.write_json("manifest.json", &manifest);
}
