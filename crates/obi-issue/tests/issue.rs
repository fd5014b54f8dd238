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
        ident["identityHash"] == identity_hash("Alice@Example.org", salt),
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
