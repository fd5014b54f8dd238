//! obi-issue end to end: init, award (eddsa-rdfc-2022 and VC-JWT), schema and proof checks,
//! revocation and the signed status list, bulk from CSV (bad rows, strict, re-runs), and the
//! Digital Bazaar oracle when `OBI_OB3_ORACLE` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test runner

use std::path::Path;
use std::process::ExitCode;

use obi_issue::{
    Award, BulkOptions, Format, InitOptions, IssueError, Issuer, Recipient, Secured, StatusList,
    bulk, identity_hash,
};
use obi_proof::{ASSERTION_METHOD, Fetcher, JwsLimits, LdCanonicalizer, Resolver, verify_proofs};
use serde_json::Value;

type Check = fn(&Path) -> Result<(), String>;

/// Checks that skipped (an absent oracle), counted apart from the passed ones.
static SKIPPED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn init(dir: &Path) -> Issuer {
    Issuer::init(
        dir,
        &InitOptions {
            name: "Example University".into(),
            url: "https://example.edu".into(),
            email: Some("badges@example.edu".into()),
            ..InitOptions::default()
        },
    )
    .unwrap()
}

fn achievement(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("achievement.json")).unwrap()).unwrap()
}

fn verify_json(doc: &Value, resolver: &Resolver<'_>) -> Result<(), String> {
    verify_proofs(doc, ASSERTION_METHOD, resolver, &LdCanonicalizer::pinned())
        .map(|_| ())
        .map_err(|e| format!("proof does not verify: {e}"))
}

fn schema_ok(doc: &Value) -> Result<(), String> {
    let errors = obi_model::schema::validate_ob3(doc).map_err(|e| e.to_string())?;
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("schema: {errors:?}"))
    }
}

fn ensure(cond: bool, msg: impl Into<String>) -> Result<(), String> {
    if cond { Ok(()) } else { Err(msg.into()) }
}

fn init_files(dir: &Path) -> Result<(), String> {
    let issuer = init(dir);
    ensure(issuer.id().starts_with("did:key:z6Mk"), "did:key issuer")?;
    for f in [
        "issuer.json",
        "issuer-key.json",
        "achievement.json",
        "state.sqlite",
    ] {
        ensure(dir.join(f).exists(), format!("{f} missing"))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.join("issuer-key.json"))
            .unwrap()
            .permissions()
            .mode();
        ensure(mode & 0o777 == 0o600, format!("key mode {mode:o}"))?;
    }
    let again = Issuer::init(
        dir,
        &InitOptions {
            name: "x".into(),
            url: "https://x.org".into(),
            ..InitOptions::default()
        },
    );
    ensure(
        matches!(again, Err(IssueError::Input(_))),
        "init over an existing issuer must refuse",
    )?;
    let profile = issuer.profile();
    ensure(profile["email"] == "badges@example.edu", "email in profile")?;
    let doc = issuer.did_document();
    ensure(
        doc["verificationMethod"][0]["type"] == "Multikey",
        "Multikey",
    )?;
    ensure(
        doc["assertionMethod"][0] == doc["verificationMethod"][0]["id"],
        "assertionMethod",
    )
}

fn award_eddsa_email(dir: &Path) -> Result<(), String> {
    let mut issuer = init(dir);
    let ach = achievement(dir);
    let mut award = Award::new(Recipient::parse("Alice@Example.org").unwrap());
    award
        .evidence
        .push("https://example.org/portfolio/alice".into());
    award.narrative = Some("Built a bridge.".into());
    award.valid_until = Some("2099-12-31".into());
    let a = issuer
        .award(&ach, &award, Format::Ob3Eddsa, None)
        .map_err(|e| e.to_string())?;
    let b = issuer
        .award(&ach, &award, Format::Ob3Eddsa, None)
        .map_err(|e| e.to_string())?;
    ensure(a.id != b.id, "ids repeat")?;
    ensure(a.status_index != b.status_index, "status index reused")?;
    ensure(a.id.starts_with("urn:uuid:"), "urn:uuid id")?;
    let Secured::Json(doc) = &a.secured else {
        return Err("not JSON".into());
    };
    schema_ok(doc)?;
    verify_json(doc, &Resolver::new())?;
    let ident = &doc["credentialSubject"]["identifier"][0];
    let salt = ident["salt"].as_str().ok_or("no salt")?;
    ensure(
        ident["identityHash"] == identity_hash("alice@example.org", salt),
        "identityHash",
    )?;
    ensure(ident["hashed"] == true, "hashed")?;
    ensure(
        !doc.to_string().contains("Alice@Example.org"),
        "email in clear",
    )?;
    ensure(doc["validUntil"] == "2099-12-31T23:59:59Z", "validUntil")?;
    let st = &doc["credentialStatus"];
    ensure(
        st["type"] == "BitstringStatusListEntry" && st["statusPurpose"] == "revocation",
        "status type",
    )?;
    ensure(
        st["statusListIndex"].as_str() == Some(a.status_index.to_string().as_str()),
        "status index",
    )?;
    ensure(
        st["statusListCredential"] == "https://example.edu/status/revocation",
        "status url",
    )?;
    // Tamper: the proof fails.
    let mut t = doc.clone();
    t["name"] = "Other".into();
    ensure(
        verify_json(&t, &Resolver::new()).is_err(),
        "tampered credential verified",
    )?;
    ensure(issuer.state().count().unwrap() == 2, "two records")
}

fn award_jwt_did(dir: &Path) -> Result<(), String> {
    let mut issuer = init(dir);
    let ach = achievement(dir);
    let award = Award::new(
        Recipient::parse("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK").unwrap(),
    );
    let a = issuer
        .award(&ach, &award, Format::Ob3Jwt, Some("https://example.edu/"))
        .map_err(|e| e.to_string())?;
    ensure(
        a.id.starts_with("https://example.edu/credentials/"),
        "id under base url",
    )?;
    let Secured::Jwt(jwt) = &a.secured else {
        return Err("not a JWT".into());
    };
    let v = obi_proof::verify_vc_jwt(
        jwt,
        &Resolver::new(),
        &JwsLimits::new(),
        chrono::Utc::now().timestamp(),
    )
    .map_err(|e| format!("VC-JWT: {e}"))?;
    let _ = v;
    Ok(())
}

fn bad_inputs(dir: &Path) -> Result<(), String> {
    let mut issuer = init(dir);
    let ach = achievement(dir);
    for bad in [
        "",
        "alice",
        "a b@x.org",
        "did:",
        "https://",
        "alice@localhost",
    ] {
        ensure(
            Recipient::parse(bad).is_err(),
            format!("recipient {bad:?} accepted"),
        )?;
    }
    let mut award = Award::new(Recipient::parse("a@b.org").unwrap());
    award.valid_until = Some("yesterday".into());
    ensure(
        issuer.award(&ach, &award, Format::Ob3Eddsa, None).is_err(),
        "bad validUntil",
    )?;
    award.valid_until = Some("2000-01-01".into());
    ensure(
        issuer.award(&ach, &award, Format::Ob3Eddsa, None).is_err(),
        "validUntil in the past",
    )?;
    let award = Award::new(Recipient::parse("a@b.org").unwrap());
    ensure(
        issuer
            .award(
                &serde_json::json!({"name": "x"}),
                &award,
                Format::Ob3Eddsa,
                None,
            )
            .is_err(),
        "bad achievement",
    )?;
    ensure(
        issuer.state().count().unwrap() == 0,
        "bad input allocated an index",
    )?;
    // Unreadable / wrong key file.
    std::fs::write(dir.join("issuer-key.json"), "{not json").unwrap();
    let e = Issuer::open(&dir.join("issuer.json"))
        .err()
        .ok_or("bad key accepted")?;
    ensure(
        e.to_string().contains("issuer-key.json"),
        format!("error names the key file: {e}"),
    )?;
    std::fs::remove_file(dir.join("issuer-key.json")).unwrap();
    ensure(
        Issuer::open(&dir.join("issuer.json")).is_err(),
        "missing key accepted",
    )?;
    let other = tempfile::tempdir().unwrap();
    init(other.path());
    std::fs::copy(
        other.path().join("issuer-key.json"),
        dir.join("issuer-key.json"),
    )
    .unwrap();
    ensure(
        Issuer::open(&dir.join("issuer.json")).is_err(),
        "another issuer's key accepted",
    )
}

struct DidWebFetcher(Vec<u8>);
impl Fetcher for DidWebFetcher {
    fn fetch(&self, url: &str, _max: usize) -> Result<Vec<u8>, String> {
        if url == "https://badges.example.edu/.well-known/did.json" {
            Ok(self.0.clone())
        } else {
            Err(format!("unexpected {url}"))
        }
    }
}

fn did_web(dir: &Path) -> Result<(), String> {
    let mut issuer = Issuer::init(
        dir,
        &InitOptions {
            name: "Web".into(),
            url: "https://badges.example.edu".into(),
            did_web: Some("badges.example.edu".into()),
            ..InitOptions::default()
        },
    )
    .map_err(|e| e.to_string())?;
    ensure(issuer.id() == "did:web:badges.example.edu", "did:web id")?;
    let doc = serde_json::to_vec(&issuer.did_document()).unwrap();
    let ach = achievement(dir);
    let a = issuer
        .award(
            &ach,
            &Award::new(Recipient::parse("https://people.example/bob").unwrap()),
            Format::Ob3Eddsa,
            None,
        )
        .map_err(|e| e.to_string())?;
    let Secured::Json(cred) = &a.secured else {
        return Err("not JSON".into());
    };
    schema_ok(cred)?;
    let fetcher = DidWebFetcher(doc);
    verify_json(cred, &Resolver::new().with_fetcher(&fetcher))?;
    ensure(
        Issuer::init(
            dir.join("x").as_path(),
            &InitOptions {
                name: "n".into(),
                url: "https://a.b".into(),
                did_web: Some("bad domain/".into()),
                ..InitOptions::default()
            },
        )
        .is_err(),
        "bad domain",
    )
}

fn revoke_and_status_list(dir: &Path) -> Result<(), String> {
    let mut issuer = init(dir);
    let ach = achievement(dir);
    let award = Award::new(Recipient::parse("c@d.org").unwrap());
    let a = issuer.award(&ach, &award, Format::Ob3Eddsa, None).unwrap();
    let b = issuer.award(&ach, &award, Format::Ob3Eddsa, None).unwrap();
    ensure(
        issuer.revoke("urn:uuid:nope", "x").is_err(),
        "unknown id revoked",
    )?;
    ensure(issuer.revoke(&a.id, " ").is_err(), "empty reason")?;
    let rec = issuer
        .revoke(&a.id, "issued in error")
        .map_err(|e| e.to_string())?;
    ensure(
        rec.reason.as_deref() == Some("issued in error"),
        "reason kept",
    )?;
    let list = issuer.status_list_credential().map_err(|e| e.to_string())?;
    verify_json(&list, &Resolver::new())?;
    ensure(list["type"][1] == "BitstringStatusListCredential", "type")?;
    ensure(
        list["id"] == issuer.status_url(),
        "list id is the status URL",
    )?;
    let encoded = list["credentialSubject"]["encodedList"]
        .as_str()
        .ok_or("no encodedList")?;
    ensure(encoded.starts_with('u'), "multibase u")?;
    let decoded = StatusList::decode(encoded).map_err(|e| e.to_string())?;
    ensure(
        decoded.len() == 131_072,
        format!("length {}", decoded.len()),
    )?;
    ensure(decoded.get(a.status_index) == Some(true), "revoked bit")?;
    ensure(decoded.get(b.status_index) == Some(false), "unrevoked bit")?;
    let set = (0..decoded.len())
        .filter(|&i| decoded.get(i) == Some(true))
        .count();
    ensure(set == 1, format!("{set} bits set"))
}

fn csv_dir(dir: &Path, csv: &str) -> (Issuer, Value, Vec<u8>) {
    let issuer = init(dir);
    let ach = achievement(dir);
    (issuer, ach, csv.as_bytes().to_vec())
}

fn bulk_rows(dir: &Path) -> Result<(), String> {
    let mut csv = String::from("recipient,name,evidence,narrative\n");
    for i in 0..40 {
        csv.push_str(&format!("user{i}@example.org,User {i},https://example.org/e/{i},\"Did \"\"thing\"\", with a comma\nand a newline\"\n"));
    }
    csv.push_str("not-an-email,Bad,,\n"); // line: 2 + 40*2 = 82
    csv.push_str("user1@example.org,Dup,,\n"); // duplicate recipient
    csv.push_str("short@example.org,Short\n"); // too few fields
    csv.push_str(&format!("big@example.org,{},,\n", "x".repeat(1024 * 1024))); // 1 MB field
    let mut bytes = csv.into_bytes();
    bytes.extend_from_slice(b"bad\xff@example.org,Enc,,\n"); // bad encoding
    bytes.extend_from_slice(b"did:example:123,Did,,\n");
    let (mut issuer, ach, _) = csv_dir(dir, "");
    let out = dir.join("out");
    let opts = BulkOptions {
        jobs: 2,
        batch: 7,
        ..BulkOptions::default()
    };
    let r = bulk(&mut issuer, &ach, &bytes, &out, &opts, &|_| {}).map_err(|e| e.to_string())?;
    ensure(r.issued == 41, format!("issued {}", r.issued))?;
    let lines: Vec<u64> = r.errors.iter().map(|e| e.line).collect();
    ensure(
        lines == vec![82, 83, 84, 85, 86],
        format!("error lines {lines:?}: {:?}", r.errors),
    )?;
    ensure(
        r.errors[1].message.contains("duplicate") && r.errors[1].message.contains("line 4"),
        format!("{}", r.errors[1]),
    )?;
    ensure(
        r.errors[3].message.contains("MAX_CSV_FIELD_BYTES"),
        format!("{}", r.errors[3]),
    )?;
    ensure(
        r.errors[4].message.contains("UTF-8"),
        format!("{}", r.errors[4]),
    )?;
    let manifest = std::fs::read_to_string(out.join("manifest.jsonl")).unwrap();
    let entries: Vec<Value> = manifest
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    ensure(entries.len() == 41, format!("manifest {}", entries.len()))?;
    let files = std::fs::read_dir(&out)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "json")
        })
        .count();
    ensure(files == 41, format!("{files} files"))?;
    ensure(
        !std::fs::read_dir(&out)
            .unwrap()
            .any(|e| e.unwrap().file_name().to_string_lossy().ends_with(".tmp")),
        "temp files left",
    )?;
    // Every file verifies and validates; narratives survive the quoting.
    let first = &entries[0];
    let doc: Value =
        serde_json::from_slice(&std::fs::read(out.join(first["file"].as_str().unwrap())).unwrap())
            .unwrap();
    schema_ok(&doc)?;
    verify_json(&doc, &Resolver::new())?;
    ensure(
        doc["credentialSubject"]["narrative"] == "Did \"thing\", with a comma\nand a newline",
        "narrative quoting",
    )?;
    ensure(doc["credentialSubject"]["name"] == "User 0", "name")?;
    let indexes: std::collections::HashSet<u64> = entries
        .iter()
        .map(|e| e["statusListIndex"].as_u64().unwrap())
        .collect();
    ensure(indexes.len() == 41, "status indexes unique")?;
    // Re-run: nothing issued twice.
    let r2 = bulk(&mut issuer, &ach, &bytes, &out, &opts, &|_| {}).map_err(|e| e.to_string())?;
    ensure(
        r2.issued == 0 && r2.already_issued == 41,
        format!("re-run {r2:?}"),
    )?;
    ensure(issuer.state().count().unwrap() == 41, "state count")?;
    ensure(
        std::fs::read_to_string(out.join("manifest.jsonl"))
            .unwrap()
            .lines()
            .count()
            == 41,
        "manifest grew",
    )?;
    // A lost output file (a crash between record and write) is rewritten with the same id.
    let lost = first["file"].as_str().unwrap();
    std::fs::remove_file(out.join(lost)).unwrap();
    let r3 = bulk(&mut issuer, &ach, &bytes, &out, &opts, &|_| {}).map_err(|e| e.to_string())?;
    ensure(
        r3.issued == 1 && r3.already_issued == 40,
        format!("recovery {r3:?}"),
    )?;
    let again: Value = serde_json::from_slice(&std::fs::read(out.join(lost)).unwrap()).unwrap();
    ensure(again["id"] == doc["id"], "same id after recovery")?;
    ensure(
        again["credentialStatus"] == doc["credentialStatus"],
        "same status after recovery",
    )?;
    ensure(
        issuer.state().count().unwrap() == 41,
        "state count after recovery",
    )
}

fn bulk_strict(dir: &Path) -> Result<(), String> {
    let (mut issuer, ach, csv) = csv_dir(dir, "recipient,name\na@b.org,A\nbroken,B\nc@d.org,C\n");
    let out = dir.join("out");
    let opts = BulkOptions {
        strict: true,
        ..BulkOptions::default()
    };
    let r = bulk(&mut issuer, &ach, &csv, &out, &opts, &|_| {}).map_err(|e| e.to_string())?;
    ensure(
        r.issued == 0 && r.errors.len() == 1 && r.errors[0].line == 3,
        format!("{r:?}"),
    )?;
    ensure(!out.exists(), "strict wrote output")?;
    ensure(
        issuer.state().count().unwrap() == 0,
        "strict recorded state",
    )
}

fn bulk_bad_headers(dir: &Path) -> Result<(), String> {
    let (mut issuer, ach, _) = csv_dir(dir, "");
    let out = dir.join("out");
    for (csv, want) in [
        ("name\nA\n", "recipient"),
        ("recipient\na@b.org\n", "name"),
        ("recipient,name,colour\na@b.org,A,red\n", "unknown column"),
        ("recipient,name,name\na@b.org,A,B\n", "twice"),
    ] {
        match bulk(
            &mut issuer,
            &ach,
            csv.as_bytes(),
            &out,
            &BulkOptions::default(),
            &|_| {},
        ) {
            Err(e) => ensure(
                e.to_string().contains(want) && e.to_string().contains("line 1"),
                format!("{csv:?}: {e}"),
            )?,
            Ok(r) => return Err(format!("{csv:?} accepted: {r:?}")),
        }
    }
    // Per-row achievement files, relative to base_dir; a missing one is a row error.
    let mut other = achievement(dir);
    other["id"] = "https://example.edu/achievements/other".into();
    other["name"] = "Other".into();
    std::fs::write(dir.join("other.json"), other.to_string()).unwrap();
    let csv =
        "recipient,name,achievement\na@b.org,A,other.json\na@b.org,A,\nb@b.org,B,missing.json\n";
    let opts = BulkOptions {
        base_dir: dir.to_path_buf(),
        ..BulkOptions::default()
    };
    let r =
        bulk(&mut issuer, &ach, csv.as_bytes(), &out, &opts, &|_| {}).map_err(|e| e.to_string())?;
    ensure(
        r.issued == 2 && r.errors.len() == 1 && r.errors[0].line == 4,
        format!("{r:?}"),
    )
}

/// Fails every write after the first `ok` with "no space left on device".
#[derive(Debug)]
struct FullDisk {
    ok: usize,
    writes: std::sync::atomic::AtomicUsize,
}

impl obi_issue::OutputWriter for FullDisk {
    fn write(&self, path: &Path, bytes: &[u8], sync: bool) -> Result<(), IssueError> {
        let n = self
            .writes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if n >= self.ok {
            return Err(IssueError::Io {
                path: path.into(),
                source: std::io::Error::new(
                    std::io::ErrorKind::StorageFull,
                    "No space left on device",
                ),
            });
        }
        let _ = sync;
        obi_issue::write_atomic(path, bytes)
    }
}

fn bulk_disk_full(dir: &Path) -> Result<(), String> {
    let rows = 60usize;
    let mut csv = String::from("recipient,name\n");
    for i in 0..rows {
        csv.push_str(&format!("u{i}@example.org,U {i}\n"));
    }
    let (mut issuer, ach, bytes) = csv_dir(dir, &csv);
    let out = dir.join("out");
    let full = BulkOptions {
        jobs: 2,
        batch: 8,
        writer: Some(std::sync::Arc::new(FullDisk {
            ok: 21,
            writes: 0.into(),
        })),
        ..BulkOptions::default()
    };
    let err = match bulk(&mut issuer, &ach, &bytes, &out, &full, &|_| {}) {
        Err(e) => e.to_string(),
        Ok(r) => return Err(format!("a full disk went unnoticed: {r:?}")),
    };
    ensure(err.contains("No space left"), format!("error: {err}"))?;
    // What was reported is complete; nothing else is in the manifest.
    let manifest = std::fs::read_to_string(out.join("manifest.jsonl")).unwrap();
    let reported: Vec<Value> = manifest
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    ensure(
        !reported.is_empty() && reported.len() <= 21,
        format!("{} reported", reported.len()),
    )?;
    for e in &reported {
        let doc: Value =
            serde_json::from_slice(&std::fs::read(out.join(e["file"].as_str().unwrap())).unwrap())
                .unwrap();
        ensure(doc["id"] == e["id"], "manifest id")?;
    }
    let recorded = issuer.state().count().unwrap();
    // The re-run (disk freed) finishes: every row once, recorded rows keep their ids.
    let r = bulk(
        &mut issuer,
        &ach,
        &bytes,
        &out,
        &BulkOptions {
            jobs: 2,
            batch: 8,
            ..BulkOptions::default()
        },
        &|_| {},
    )
    .map_err(|e| e.to_string())?;
    ensure(
        r.issued + r.already_issued == rows && r.already_issued >= reported.len(),
        format!("re-run {r:?}"),
    )?;
    ensure(
        issuer.state().count().unwrap() == rows,
        format!("state {} (was {recorded})", issuer.state().count().unwrap()),
    )?;
    let manifest = std::fs::read_to_string(out.join("manifest.jsonl")).unwrap();
    let ids: std::collections::HashSet<String> = manifest
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    ensure(
        ids.len() == rows && manifest.lines().count() == rows,
        format!("{} ids, {} lines", ids.len(), manifest.lines().count()),
    )?;
    for e in &reported {
        ensure(
            ids.contains(e["id"].as_str().unwrap()),
            "a reported id was lost",
        )?;
    }
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    ensure(
        names.iter().filter(|n| n.ends_with(".json")).count() == rows,
        "one file per row",
    )?;
    ensure(
        !names.iter().any(|n| n.ends_with(".tmp")),
        "temp files left",
    )
}

/// A 1EdTech Revocation List issuer: the entry names the list; the list names revoked ids.
fn one_edtech_list(dir: &Path) -> Result<(), String> {
    let mut issuer = Issuer::init(
        dir,
        &InitOptions {
            name: "Example University".into(),
            url: "https://example.edu".into(),
            status_type: obi_issue::StatusType::OneEdTech,
            ..InitOptions::default()
        },
    )
    .unwrap();
    let ach = achievement(dir);
    let award = Award::new(Recipient::parse("did:example:x").unwrap());
    let a = issuer.award(&ach, &award, Format::Ob3Eddsa, None).unwrap();
    let Secured::Json(doc) = &a.secured else {
        return Err("not JSON".into());
    };
    schema_ok(doc)?;
    verify_json(doc, &Resolver::new())?;
    ensure(
        doc["credentialStatus"]
            == serde_json::json!({"id": issuer.status_url(), "type": "1EdTechRevocationList"}),
        format!("{}", doc["credentialStatus"]),
    )?;
    let empty = issuer.status_document().unwrap();
    ensure(
        empty["revokedCredentials"] == serde_json::json!([]),
        "empty list",
    )?;
    issuer.revoke(&a.id, "mistake").unwrap();
    let list = issuer.status_document().unwrap();
    ensure(
        list["revokedCredentials"]
            == serde_json::json!([{"id": a.id, "revocationReason": "mistake"}])
            && list["issuer"] == issuer.id(),
        format!("{list}"),
    )?;
    // Reopened, the issuer keeps its status type.
    let again = Issuer::open(&dir.join("issuer.json")).unwrap();
    ensure(
        again.status_type() == obi_issue::StatusType::OneEdTech,
        "status type",
    )
}

fn endorsement(dir: &Path) -> Result<(), String> {
    let mut issuer = init(dir);
    let ach = achievement(dir);
    let subject = ach["id"].as_str().unwrap();
    let e = issuer
        .endorse(subject, "Well assessed.", Format::Ob3Eddsa, None)
        .map_err(|e| e.to_string())?;
    let Secured::Json(doc) = &e.secured else {
        return Err("not JSON".into());
    };
    verify_json(doc, &Resolver::new())?;
    ensure(
        doc["type"] == serde_json::json!(["VerifiableCredential", "EndorsementCredential"])
            && doc["credentialSubject"]["id"] == subject
            && doc["credentialSubject"]["type"] == serde_json::json!(["EndorsementSubject"])
            && doc["credentialSubject"]["endorsementComment"] == "Well assessed."
            && doc["credentialStatus"]["type"] == "BitstringStatusListEntry",
        format!("{doc}"),
    )?;
    ensure(
        issuer.state().get(&e.id).unwrap().is_some(),
        "endorsement recorded",
    )?;
    for (subject, comment) in [("no uri", "x"), ("https://x.org/a", " ")] {
        ensure(
            issuer
                .endorse(subject, comment, Format::Ob3Eddsa, None)
                .is_err(),
            format!("accepted {subject:?} {comment:?}"),
        )?;
    }
    ensure(issuer.state().count().unwrap() == 1, "bad input recorded")
}

fn status_list_roundtrip(_dir: &Path) -> Result<(), String> {
    let mut l = StatusList::new(10);
    ensure(l.len() == 131_072, "minimum length")?;
    for i in [0, 7, 8, 131_071] {
        l.set(i, true).unwrap();
    }
    ensure(l.set(131_072, true).is_err(), "out of range")?;
    let d = StatusList::decode(&l.encode()).map_err(|e| e.to_string())?;
    ensure(d == l, "roundtrip")?;
    ensure(
        StatusList::decode("zabc").is_err() && StatusList::decode("uAAAA").is_err(),
        "bad encodings",
    )
}

fn oracle(dir: &Path) -> Result<(), String> {
    let Ok(cmdline) = std::env::var("OBI_OB3_ORACLE") else {
        println!("skipped oracle: OBI_OB3_ORACLE not set (run shared/oracles/setup.sh)");
        SKIPPED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        return Ok(());
    };
    let mut words = cmdline.split_whitespace();
    let program = words.next().ok_or("empty OBI_OB3_ORACLE")?;
    let args: Vec<&str> = words.collect();
    let mut issuer = init(dir);
    let ach = achievement(dir);
    let mut award = Award::new(Recipient::parse("oracle@example.org").unwrap());
    award.evidence.push("https://example.org/e".into());
    award.narrative = Some("n".into());
    let a = issuer.award(&ach, &award, Format::Ob3Eddsa, None).unwrap();
    let mut files = vec![("award", a.secured.to_file_bytes())];
    let list = issuer.status_list_credential().unwrap();
    files.push(("status-list", serde_json::to_vec(&list).unwrap()));
    let j = issuer.award(&ach, &award, Format::Ob3Jwt, None).unwrap();
    files.push(("award-jwt", j.secured.to_file_bytes()));
    let e = issuer
        .endorse(
            ach["id"].as_str().unwrap(),
            "Well assessed.",
            Format::Ob3Eddsa,
            None,
        )
        .unwrap();
    files.push(("endorsement", e.secured.to_file_bytes()));
    let one = dir.join("one");
    let mut one_issuer = Issuer::init(
        &one,
        &InitOptions {
            name: "One".into(),
            url: "https://one.example".into(),
            status_type: obi_issue::StatusType::OneEdTech,
            ..InitOptions::default()
        },
    )
    .unwrap();
    let o = one_issuer
        .award(&achievement(&one), &award, Format::Ob3Eddsa, None)
        .unwrap();
    files.push(("award-1edtech", o.secured.to_file_bytes()));
    for (name, bytes) in files {
        let path = dir.join(format!("{name}.txt"));
        std::fs::write(&path, bytes).unwrap();
        let out = std::process::Command::new(program)
            .args(&args)
            .args(["verify", path.to_str().unwrap()])
            .output()
            .map_err(|e| format!("running the oracle: {e}"))?;
        ensure(
            out.status.success(),
            format!(
                "oracle rejects {name}: {} {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )?;
    }
    Ok(())
}

const OB2_BASE: &str = "https://badges.example.edu/ob2";

fn read_value(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn manifest(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out.join("manifest.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The published document at `url` (under [`OB2_BASE`]) in the publish directory.
fn published(publish: &Path, url: &str) -> Result<Value, String> {
    let rel = url
        .strip_prefix(OB2_BASE)
        .and_then(|r| r.strip_prefix('/'))
        .ok_or_else(|| format!("{url} is not under {OB2_BASE}"))?;
    let path = publish.join(rel);
    ensure(path.exists(), format!("{} not published", path.display()))?;
    Ok(read_value(&path))
}

/// Checks a 2.0 assertion against its published badge class and issuer, and its hashed
/// recipient against `email`.
fn check_ob2_assertion(publish: &Path, a: &Value, email: &str) -> Result<(), String> {
    ensure(
        a["@context"] == obi_issue::OB2_CONTEXT && a["type"] == "Assertion",
        format!("not a 2.0 assertion: {a}"),
    )?;
    let id = a["id"].as_str().unwrap_or_default();
    ensure(
        id.starts_with(&format!("{OB2_BASE}/assertions/")) && id.ends_with(".json"),
        format!("id {id}"),
    )?;
    let badge = published(publish, a["badge"].as_str().ok_or("no badge")?)?;
    ensure(badge["type"] == "BadgeClass", "badge class type")?;
    let issuer = published(publish, badge["issuer"].as_str().ok_or("no issuer")?)?;
    ensure(
        issuer["type"] == "Issuer" && issuer["email"].is_string(),
        format!("issuer {issuer}"),
    )?;
    ensure(
        issuer["revocationList"] == format!("{OB2_BASE}/revocations.json"),
        "issuer names the revocation list",
    )?;
    let r = &a["recipient"];
    let salt = r["salt"].as_str().ok_or("no salt")?;
    ensure(
        r["type"] == "email"
            && r["hashed"] == true
            && r["identity"] == identity_hash(&email.to_lowercase(), salt),
        format!("recipient {r} for {email}"),
    )?;
    ensure(!a.to_string().contains(email), "email in clear")
}

/// Verifies a signed 2.0 assertion with the published CryptographicKey (whose owner lists it).
fn verify_ob2_signed(publish: &Path, jws: &str) -> Result<Value, String> {
    let key = read_value(&publish.join("keys/ob2.json"));
    let v = obi_proof::ob2::verify_assertion(jws.trim(), &key, &JwsLimits::new())
        .map_err(|e| format!("signed assertion does not verify: {e}"))?;
    ensure(
        v.creator.as_deref() == key["id"].as_str(),
        "creator is the key",
    )?;
    let issuer = read_value(&publish.join("issuer.json"));
    ensure(
        issuer["publicKey"] == key["id"] && key["owner"] == issuer["id"],
        "issuer and key name each other",
    )?;
    Ok(v.assertion)
}

fn files_with(out: &Path, ext: &str) -> usize {
    std::fs::read_dir(out)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == ext)
        })
        .count()
}

fn ob2_csv(n: usize) -> String {
    let mut csv = String::from("recipient,name,evidence,narrative\n");
    for i in 0..n {
        csv.push_str(&format!(
            "s{i}@example.org,S {i},https://example.org/e/{i},Narrative {i}\n"
        ));
    }
    csv
}

/// Bulk OB 2.0 signed assertions (an Ed25519 issuer: a second, P-256 2.0 key): bad rows by
/// line, every assertion verifies, re-runs issue nothing twice and recover a lost file with
/// the same id, 3.0 rows of the same CSV are distinct awards, --strict signs nothing.
fn bulk_ob2_signed(dir: &Path) -> Result<(), String> {
    let (mut issuer, ach, _) = csv_dir(dir, "");
    let mut csv = ob2_csv(30);
    csv.push_str("nope,Bad,,\n"); // line 32
    csv.push_str("s3@example.org,Dup,,\n"); // line 33
    let out = dir.join("out");
    let opts = BulkOptions {
        format: Format::Ob2Signed,
        base_url: Some(OB2_BASE.into()),
        ob2_key: obi_proof::KeyType::P256,
        jobs: 2,
        batch: 7,
        ..BulkOptions::default()
    };
    let r =
        bulk(&mut issuer, &ach, csv.as_bytes(), &out, &opts, &|_| {}).map_err(|e| e.to_string())?;
    ensure(r.issued == 30 && r.rows == 32, format!("{r:?}"))?;
    let lines: Vec<u64> = r.errors.iter().map(|e| e.line).collect();
    ensure(lines == vec![32, 33], format!("error lines {:?}", r.errors))?;
    ensure(files_with(&out, "jws") == 30, "30 .jws files")?;
    let publish = out.join("publish");
    ensure(
        dir.join(obi_issue::OB2_KEY_FILE).exists(),
        "an Ed25519 issuer signs 2.0 with ob2-key.json",
    )?;
    ensure(
        publish.join("revocations.json").exists(),
        "revocation list published",
    )?;
    let entries = manifest(&out);
    ensure(entries.len() == 30, format!("manifest {}", entries.len()))?;
    let mut indexes = std::collections::HashSet::new();
    for e in &entries {
        let jws = std::fs::read_to_string(out.join(e["file"].as_str().unwrap())).unwrap();
        let a = verify_ob2_signed(&publish, &jws)?;
        ensure(a["id"] == e["id"], "manifest id is the assertion id")?;
        check_ob2_assertion(&publish, &a, e["recipient"].as_str().unwrap())?;
        indexes.insert(e["statusListIndex"].as_u64().unwrap());
    }
    ensure(indexes.len() == 30, "status indexes unique")?;
    let first = &entries[0];
    let jws = std::fs::read_to_string(out.join(first["file"].as_str().unwrap())).unwrap();
    let a = verify_ob2_signed(&publish, &jws)?;
    ensure(
        a["narrative"] == "Narrative 0" && a["evidence"][0]["id"] == "https://example.org/e/0",
        format!("narrative and evidence: {a}"),
    )?;
    // A tampered payload does not verify.
    let parts: Vec<&str> = jws.trim().split('.').collect();
    let payload = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        a.to_string().replace("Narrative 0", "Narrative X"),
    );
    ensure(
        verify_ob2_signed(&publish, &format!("{}.{payload}.{}", parts[0], parts[2])).is_err(),
        "tampered assertion verified",
    )?;
    // Re-run: nothing issued twice.
    let r2 =
        bulk(&mut issuer, &ach, csv.as_bytes(), &out, &opts, &|_| {}).map_err(|e| e.to_string())?;
    ensure(
        r2.issued == 0 && r2.already_issued == 30,
        format!("re-run {r2:?}"),
    )?;
    ensure(issuer.state().count().unwrap() == 30, "state count")?;
    ensure(manifest(&out).len() == 30, "manifest grew")?;
    // A lost file is signed again with the same id and index.
    std::fs::remove_file(out.join(first["file"].as_str().unwrap())).unwrap();
    let r3 =
        bulk(&mut issuer, &ach, csv.as_bytes(), &out, &opts, &|_| {}).map_err(|e| e.to_string())?;
    ensure(
        r3.issued == 1 && r3.already_issued == 29,
        format!("recovery {r3:?}"),
    )?;
    let again = std::fs::read_to_string(out.join(first["file"].as_str().unwrap())).unwrap();
    ensure(
        verify_ob2_signed(&publish, &again)?["id"] == a["id"],
        "same id after recovery",
    )?;
    ensure(
        issuer.state().count().unwrap() == 30,
        "count after recovery",
    )?;
    // Revocation: the 2.0 list names the assertion.
    let id = a["id"].as_str().unwrap();
    issuer.revoke(id, "error").map_err(|e| e.to_string())?;
    let list = issuer.ob2_revocation_list().map_err(|e| e.to_string())?;
    ensure(
        list["revokedAssertions"] == serde_json::json!([{"id": id, "revocationReason": "error"}]),
        format!("{list}"),
    )?;
    // The same rows as 3.0 credentials are other awards (not mistaken for the 2.0 ones).
    let r4 = bulk(
        &mut issuer,
        &ach,
        ob2_csv(30).as_bytes(),
        &dir.join("out3"),
        &BulkOptions::default(),
        &|_| {},
    )
    .map_err(|e| e.to_string())?;
    ensure(r4.issued == 30, format!("3.0 run {r4:?}"))?;
    // --strict: one bad row, nothing signed or recorded.
    let before = issuer.state().count().unwrap();
    let strict = BulkOptions {
        strict: true,
        ..opts.clone()
    };
    let bad = "recipient,name\nt1@example.org,T\nt2@example.org,T\nt3@example.org,T\nbroken,B\n";
    let r5 = bulk(
        &mut issuer,
        &ach,
        bad.as_bytes(),
        &dir.join("o5"),
        &strict,
        &|_| {},
    )
    .map_err(|e| e.to_string())?;
    ensure(
        r5.issued == 0 && r5.errors.len() == 1 && r5.errors[0].line == 5,
        format!("strict {r5:?}"),
    )?;
    ensure(
        issuer.state().count().unwrap() == before,
        "--strict recorded rows",
    )?;
    // No --base-url, another base URL, an issuer without email: clear errors, nothing recorded.
    let no_base = BulkOptions {
        base_url: None,
        ..opts.clone()
    };
    let e = bulk(
        &mut issuer,
        &ach,
        csv.as_bytes(),
        &dir.join("o6"),
        &no_base,
        &|_| {},
    )
    .err()
    .ok_or("no --base-url accepted")?;
    ensure(e.to_string().contains("--base-url"), format!("{e}"))?;
    let other_base = BulkOptions {
        base_url: Some("https://elsewhere.example/ob2".into()),
        ..opts.clone()
    };
    ensure(
        bulk(
            &mut issuer,
            &ach,
            csv.as_bytes(),
            &dir.join("o7"),
            &other_base,
            &|_| {},
        )
        .is_err(),
        "a second base URL accepted",
    )?;
    let plain = dir.join("plain");
    let mut no_email = Issuer::init(
        &plain,
        &InitOptions {
            name: "No Email".into(),
            url: "https://example.edu".into(),
            ..InitOptions::default()
        },
    )
    .unwrap();
    let e = bulk(
        &mut no_email,
        &achievement(&plain),
        csv.as_bytes(),
        &plain.join("o"),
        &opts,
        &|_| {},
    )
    .err()
    .ok_or("2.0 issuer without email accepted")?;
    ensure(e.to_string().contains("email"), format!("{e}"))?;
    ensure(
        no_email.state().count().unwrap() == 0 && !plain.join(obi_issue::OB2_KEY_FILE).exists(),
        "nothing recorded or created",
    )
}

/// Bulk OB 2.0 hosted assertions: each written to OUT and published at its id; baked SVGs;
/// re-runs; a revoked assertion re-signed after a lost file stays marked revoked.
fn bulk_ob2_hosted(dir: &Path) -> Result<(), String> {
    let (mut issuer, ach, _) = csv_dir(dir, "");
    let csv = ob2_csv(12);
    let out = dir.join("out");
    let publish = dir.join("site");
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#;
    let opts = BulkOptions {
        format: Format::Ob2Hosted,
        base_url: Some(format!("{OB2_BASE}/")),
        publish: Some(publish.clone()),
        bake: Some((svg.to_vec(), "svg".into())),
        jobs: 2,
        batch: 5,
        ..BulkOptions::default()
    };
    let r =
        bulk(&mut issuer, &ach, csv.as_bytes(), &out, &opts, &|_| {}).map_err(|e| e.to_string())?;
    ensure(r.issued == 12 && r.errors.is_empty(), format!("{r:?}"))?;
    ensure(files_with(&out, "svg") == 12, "12 baked images")?;
    let issuer_doc = read_value(&publish.join("issuer.json"));
    ensure(
        issuer_doc.get("publicKey").is_none(),
        "a hosted-only issuer publishes no key",
    )?;
    let entries = manifest(&out);
    ensure(entries.len() == 12, "manifest")?;
    for e in &entries {
        let file = out.join(e["file"].as_str().unwrap());
        let a = read_value(&file);
        ensure(a["verification"]["type"] == "hosted", "hosted")?;
        ensure(a["id"] == e["id"], "manifest id")?;
        ensure(
            published(&publish, a["id"].as_str().unwrap())? == a,
            "the published assertion is the one handed out",
        )?;
        check_ob2_assertion(&publish, &a, e["recipient"].as_str().unwrap())?;
        let baked = obi_bake::unbake(&std::fs::read(file.with_extension("svg")).unwrap())
            .map_err(|e| e.to_string())?
            .ok_or("nothing baked")?;
        let payload: Value = serde_json::from_str(baked.payload.as_str()).unwrap();
        ensure(
            payload == a && baked.version == obi_bake::Version::Ob2,
            "baked assertion",
        )?;
    }
    // Badge class with the default image.
    let a = read_value(&out.join(entries[0]["file"].as_str().unwrap()));
    let badge = published(&publish, a["badge"].as_str().unwrap())?;
    ensure(
        publish
            .join(
                badge["image"]
                    .as_str()
                    .unwrap()
                    .strip_prefix(&format!("{OB2_BASE}/"))
                    .unwrap(),
            )
            .exists(),
        "badge image published",
    )?;
    // Re-run: nothing new.
    let r2 =
        bulk(&mut issuer, &ach, csv.as_bytes(), &out, &opts, &|_| {}).map_err(|e| e.to_string())?;
    ensure(r2.issued == 0 && r2.already_issued == 12, format!("{r2:?}"))?;
    // Revoke one hosted assertion, lose its file, re-run: the republished assertion is
    // still marked revoked, with the same id.
    let id = a["id"].as_str().unwrap();
    issuer.revoke(id, "withdrawn").map_err(|e| e.to_string())?;
    ensure(
        obi_issue::mark_hosted_revoked(&publish, OB2_BASE, id, "withdrawn").unwrap(),
        "hosted assertion marked",
    )?;
    std::fs::remove_file(out.join(entries[0]["file"].as_str().unwrap())).unwrap();
    let r3 =
        bulk(&mut issuer, &ach, csv.as_bytes(), &out, &opts, &|_| {}).map_err(|e| e.to_string())?;
    ensure(r3.issued == 1 && r3.already_issued == 11, format!("{r3:?}"))?;
    let again = published(&publish, id)?;
    ensure(
        again["revoked"] == true && again["revocationReason"] == "withdrawn" && again["id"] == id,
        format!("re-signed revoked assertion: {again}"),
    )?;
    let list = read_value(&publish.join("revocations.json"));
    ensure(
        list["revokedAssertions"][0]["id"] == id,
        format!("the run republished the revocation list: {list}"),
    )?;
    // A lost published assertion (the output file still there) is published again.
    let other = entries[1]["id"].as_str().unwrap();
    let rel = other.strip_prefix(&format!("{OB2_BASE}/")).unwrap();
    std::fs::remove_file(publish.join(rel)).unwrap();
    let r4 =
        bulk(&mut issuer, &ach, csv.as_bytes(), &out, &opts, &|_| {}).map_err(|e| e.to_string())?;
    ensure(r4.issued == 1 && r4.already_issued == 11, format!("{r4:?}"))?;
    ensure(
        published(&publish, other)?["id"] == other,
        "published again with the same id",
    )?;
    ensure(issuer.state().count().unwrap() == 12, "state count")?;
    // --fsync: files, the output and published directories synced before rows are reported.
    let synced = BulkOptions {
        fsync: true,
        bake: None,
        ..opts.clone()
    };
    let rows = "recipient,name\nf1@example.org,F1\nf2@example.org,F2\n";
    let r5 = bulk(
        &mut issuer,
        &ach,
        rows.as_bytes(),
        &dir.join("outf"),
        &synced,
        &|_| {},
    )
    .map_err(|e| e.to_string())?;
    ensure(r5.issued == 2, format!("{r5:?}"))?;
    for e in manifest(&dir.join("outf")) {
        published(&publish, e["id"].as_str().unwrap())?;
    }
    Ok(())
}

struct KeyDidWeb(Vec<u8>);
impl Fetcher for KeyDidWeb {
    fn fetch(&self, url: &str, _max: usize) -> Result<Vec<u8>, String> {
        if url == "https://keys.example.edu/.well-known/did.json" {
            Ok(self.0.clone())
        } else {
            Err(format!("unexpected {url}"))
        }
    }
}

fn jwt_alg(jwt: &str) -> String {
    let header = jwt.split('.').next().unwrap_or_default();
    let bytes = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, header)
        .unwrap_or_default();
    serde_json::from_slice::<Value>(&bytes).unwrap_or_default()["alg"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// `init --key-type p256|rsa`: ob3-jwt as ES256/RS256, 2.0 signed assertions with the one
/// key (no ob2-key.json), the status list as a VC-JWT, did:web documents; ob3-eddsa refused
/// clearly before anything is recorded.
fn key_types(dir: &Path) -> Result<(), String> {
    for (kind, prefix, alg) in [
        (obi_proof::KeyType::P256, "did:key:zDn", "ES256"),
        (obi_proof::KeyType::Rsa, "did:key:z4MX", "RS256"),
    ] {
        let d = dir.join(kind.name());
        let issuer = Issuer::init(
            &d,
            &InitOptions {
                name: "Keys U".into(),
                url: "https://example.edu".into(),
                email: Some("badges@example.edu".into()),
                key_type: kind,
                ..InitOptions::default()
            },
        )
        .map_err(|e| e.to_string())?;
        ensure(
            issuer.id().starts_with(prefix),
            format!("{kind:?} id {}", issuer.id()),
        )?;
        ensure(
            read_value(&d.join("issuer-key.json"))["alg"] == alg,
            "key file alg",
        )?;
        let mut issuer = {
            drop(issuer);
            Issuer::open(&d.join("issuer.json")).map_err(|e| format!("reopen: {e}"))?
        };
        ensure(issuer.key().key_type() == kind, "key type")?;
        let ach = achievement(&d);
        let award = Award::new(Recipient::parse("k@example.org").unwrap());
        let e = issuer
            .award(&ach, &award, Format::Ob3Eddsa, None)
            .err()
            .ok_or("ob3-eddsa with a non-Ed25519 key")?
            .to_string();
        ensure(
            e.contains("Ed25519") && e.contains("ob3-jwt"),
            format!("unclear error: {e}"),
        )?;
        ensure(
            issuer
                .endorse(ach["id"].as_str().unwrap(), "Good.", Format::Ob3Eddsa, None)
                .is_err(),
            "endorse ob3-eddsa",
        )?;
        ensure(
            issuer.state().count().unwrap() == 0,
            "refused award recorded",
        )?;
        let a = issuer
            .award(&ach, &award, Format::Ob3Jwt, None)
            .map_err(|e| e.to_string())?;
        let Secured::Jwt(jwt) = &a.secured else {
            return Err("not a JWT".into());
        };
        ensure(jwt_alg(jwt) == alg, format!("alg {}", jwt_alg(jwt)))?;
        let now = || chrono::Utc::now().timestamp();
        obi_proof::verify_vc_jwt(jwt, &Resolver::new(), &JwsLimits::new(), now())
            .map_err(|e| format!("{alg} VC-JWT: {e}"))?;
        // 2.0 signed with the issuer's own key, whatever type is asked for.
        let o = issuer
            .award_ob2(&ach, &award, OB2_BASE, Some(obi_proof::KeyType::Rsa))
            .map_err(|e| e.to_string())?;
        ensure(
            !d.join(obi_issue::OB2_KEY_FILE).exists(),
            "a second key was created",
        )?;
        let site = d.join("site");
        obi_issue::write_published(&site, &o.publish).unwrap();
        let Secured::Jwt(jws) = &o.assertion else {
            return Err("2.0 signed is not a JWS".into());
        };
        ensure(jwt_alg(jws) == alg, "2.0 alg")?;
        verify_ob2_signed(&site, jws)?;
        let pem = read_value(&site.join("keys/ob2.json"))["publicKeyPem"].clone();
        ensure(
            pem == issuer.key().public_key().to_public_key_pem().unwrap(),
            "the 2.0 key is the issuer key",
        )?;
        // Bulk: ob3-eddsa refused before anything; ob3-jwt and ob2-signed issue.
        let csv = ob2_csv(4);
        ensure(
            bulk(
                &mut issuer,
                &ach,
                csv.as_bytes(),
                &d.join("x"),
                &BulkOptions::default(),
                &|_| {},
            )
            .is_err()
                && !d.join("x").exists(),
            "bulk ob3-eddsa with a non-Ed25519 key",
        )?;
        let jwt_opts = BulkOptions {
            format: Format::Ob3Jwt,
            ..BulkOptions::default()
        };
        let r = bulk(
            &mut issuer,
            &ach,
            csv.as_bytes(),
            &d.join("j"),
            &jwt_opts,
            &|_| {},
        )
        .map_err(|e| e.to_string())?;
        ensure(r.issued == 4, format!("{r:?}"))?;
        for e in manifest(&d.join("j")) {
            let jwt =
                std::fs::read_to_string(d.join("j").join(e["file"].as_str().unwrap())).unwrap();
            obi_proof::verify_vc_jwt(jwt.trim(), &Resolver::new(), &JwsLimits::new(), now())
                .map_err(|e| format!("bulk {alg} VC-JWT: {e}"))?;
        }
        let s_opts = BulkOptions {
            format: Format::Ob2Signed,
            base_url: Some(OB2_BASE.into()),
            ..BulkOptions::default()
        };
        let r = bulk(
            &mut issuer,
            &ach,
            csv.as_bytes(),
            &d.join("s"),
            &s_opts,
            &|_| {},
        )
        .map_err(|e| e.to_string())?;
        ensure(r.issued == 4, format!("{r:?}"))?;
        for e in manifest(&d.join("s")) {
            let jws =
                std::fs::read_to_string(d.join("s").join(e["file"].as_str().unwrap())).unwrap();
            verify_ob2_signed(&d.join("s/publish"), &jws)?;
        }
        // The status list: a VC-JWT signed by the issuer, with the revoked bit.
        issuer.revoke(&a.id, "test").map_err(|e| e.to_string())?;
        ensure(
            issuer.status_list_credential().is_err(),
            "eddsa status list",
        )?;
        let Secured::Jwt(list) = issuer
            .status_document_secured()
            .map_err(|e| e.to_string())?
        else {
            return Err("status list is not a VC-JWT".into());
        };
        let v = obi_proof::verify_vc_jwt(&list, &Resolver::new(), &JwsLimits::new(), now())
            .map_err(|e| format!("status list VC-JWT: {e}"))?;
        let encoded = v.credential["credentialSubject"]["encodedList"]
            .as_str()
            .ok_or("no encodedList")?;
        ensure(
            StatusList::decode(encoded).unwrap().get(a.status_index) == Some(true),
            "revoked bit",
        )?;
        // did:web with this key type: the document resolves the VC-JWT kid.
        let w = dir.join(format!("web-{}", kind.name()));
        let mut web = Issuer::init(
            &w,
            &InitOptions {
                name: "Web".into(),
                url: "https://keys.example.edu".into(),
                did_web: Some("keys.example.edu".into()),
                key_type: kind,
                ..InitOptions::default()
            },
        )
        .map_err(|e| e.to_string())?;
        let doc = serde_json::to_vec(&web.did_document()).unwrap();
        let a = web
            .award(&achievement(&w), &award, Format::Ob3Jwt, None)
            .map_err(|e| e.to_string())?;
        let Secured::Jwt(jwt) = &a.secured else {
            return Err("not a JWT".into());
        };
        let fetcher = KeyDidWeb(doc);
        obi_proof::verify_vc_jwt(
            jwt,
            &Resolver::new().with_fetcher(&fetcher),
            &JwsLimits::new(),
            now(),
        )
        .map_err(|e| format!("did:web {alg}: {e}"))?;
    }
    Ok(())
}

/// An Ed25519 issuer directory as written before key types: its 2.0 key file is still used.
fn ed25519_ob2_key_compat(dir: &Path) -> Result<(), String> {
    let (mut issuer, ach, _) = csv_dir(dir, "");
    let old = obi_proof::KeyPair::generate(obi_proof::KeyType::Rsa).unwrap();
    std::fs::write(
        dir.join(obi_issue::OB2_KEY_FILE),
        serde_json::to_vec(&old.to_private_jwk()).unwrap(),
    )
    .unwrap();
    let award = Award::new(Recipient::parse("c@example.org").unwrap());
    let o = issuer
        .award_ob2(&ach, &award, OB2_BASE, Some(obi_proof::KeyType::P256))
        .map_err(|e| e.to_string())?;
    let site = dir.join("site");
    obi_issue::write_published(&site, &o.publish).unwrap();
    let Secured::Jwt(jws) = &o.assertion else {
        return Err("not a JWS".into());
    };
    ensure(jwt_alg(jws) == "RS256", "the existing RSA key signs")?;
    verify_ob2_signed(&site, jws)?;
    ensure(
        read_value(&site.join("keys/ob2.json"))["publicKeyPem"]
            == old.public_key().to_public_key_pem().unwrap(),
        "published key is the file's",
    )?;
    // 3.0 keeps eddsa-rdfc-2022 with the Ed25519 key.
    let a = issuer
        .award(&ach, &award, Format::Ob3Eddsa, None)
        .map_err(|e| e.to_string())?;
    let Secured::Json(doc) = &a.secured else {
        return Err("not JSON".into());
    };
    verify_json(doc, &Resolver::new())
}

/// `--no-hash` and `--valid-until` in 3.0 and 2.0 awards and in bulk.
fn no_hash_and_valid_until(dir: &Path) -> Result<(), String> {
    let (mut issuer, ach, _) = csv_dir(dir, "");
    let mut award = Award::new(Recipient::parse("clear@example.org").unwrap());
    award.hash_email = false;
    award.valid_until = Some("2099-06-30".into());
    let a = issuer
        .award(&ach, &award, Format::Ob3Eddsa, None)
        .map_err(|e| e.to_string())?;
    let Secured::Json(doc) = &a.secured else {
        return Err("not JSON".into());
    };
    schema_ok(doc)?;
    verify_json(doc, &Resolver::new())?;
    let ident = &doc["credentialSubject"]["identifier"][0];
    ensure(
        ident["hashed"] == false && ident["identityHash"] == "clear@example.org",
        format!("3.0 unhashed: {ident}"),
    )?;
    ensure(
        doc["validUntil"] == "2099-06-30T23:59:59Z",
        "3.0 validUntil",
    )?;
    let o = issuer
        .award_ob2(&ach, &award, OB2_BASE, None)
        .map_err(|e| e.to_string())?;
    let Secured::Json(h) = &o.assertion else {
        return Err("hosted is not JSON".into());
    };
    ensure(
        h["recipient"]
            == serde_json::json!({"type": "email", "hashed": false, "identity": "clear@example.org"})
            && h["expires"] == "2099-06-30T23:59:59Z",
        format!("2.0 unhashed, expires: {h}"),
    )?;
    let before = issuer.state().count().unwrap();
    award.valid_until = Some("2001-01-01".into());
    ensure(
        issuer.award_ob2(&ach, &award, OB2_BASE, None).is_err(),
        "2.0 expires in the past",
    )?;
    ensure(
        issuer.state().count().unwrap() == before,
        "bad expiry recorded",
    )?;
    // Bulk: every row gets the expiry; a past one stops the run before anything.
    let opts = BulkOptions {
        hash_email: false,
        valid_until: Some("2099-01-01T00:00:00Z".into()),
        ..BulkOptions::default()
    };
    let out = dir.join("out");
    let r = bulk(
        &mut issuer,
        &ach,
        ob2_csv(3).as_bytes(),
        &out,
        &opts,
        &|_| {},
    )
    .map_err(|e| e.to_string())?;
    ensure(r.issued == 3, format!("{r:?}"))?;
    for e in manifest(&out) {
        let doc = read_value(&out.join(e["file"].as_str().unwrap()));
        verify_json(&doc, &Resolver::new())?;
        ensure(
            doc["validUntil"] == "2099-01-01T00:00:00Z"
                && doc["credentialSubject"]["identifier"][0]["identityHash"] == e["recipient"],
            format!("bulk row: {doc}"),
        )?;
    }
    let past = BulkOptions {
        valid_until: Some("2001-01-01".into()),
        ..BulkOptions::default()
    };
    ensure(
        bulk(
            &mut issuer,
            &ach,
            ob2_csv(3).as_bytes(),
            &dir.join("o2"),
            &past,
            &|_| {},
        )
        .is_err()
            && !dir.join("o2").exists(),
        "bulk with a past --valid-until",
    )
}

fn main() -> ExitCode {
    let checks: &[(&str, Check)] = &[
        ("init-files", init_files),
        ("award-eddsa-email", award_eddsa_email),
        ("award-jwt-did", award_jwt_did),
        ("bad-inputs", bad_inputs),
        ("did-web", did_web),
        ("revoke-status-list", revoke_and_status_list),
        ("status-list-roundtrip", status_list_roundtrip),
        ("bulk-rows", bulk_rows),
        ("bulk-strict", bulk_strict),
        ("bulk-bad-headers", bulk_bad_headers),
        ("bulk-disk-full", bulk_disk_full),
        ("one-edtech-list", one_edtech_list),
        ("endorsement", endorsement),
        ("bulk-ob2-signed", bulk_ob2_signed),
        ("bulk-ob2-hosted", bulk_ob2_hosted),
        ("key-types", key_types),
        ("ed25519-ob2-key-compat", ed25519_ob2_key_compat),
        ("no-hash-valid-until", no_hash_and_valid_until),
        ("oracle-ob3", oracle),
    ];
    let (mut passed, mut failed) = (0, 0);
    for (name, check) in checks {
        let dir = tempfile::tempdir().unwrap();
        match check(dir.path()) {
            Ok(()) => passed += 1,
            Err(e) => {
                failed += 1;
                println!("FAIL {name}: {e}");
            }
        }
    }
    let skipped = SKIPPED.load(std::sync::atomic::Ordering::SeqCst);
    passed -= skipped;
    println!("obi-issue end to end: {passed} passed, {failed} failed, {skipped} skipped");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
