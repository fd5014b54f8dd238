//! `obi issue`: init, award, verify with `obi verify`, revoke, status-list, bulk, did-web,
//! through the binary.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn obi(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_obi"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run obi")
}

fn ok(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "obi failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

struct TempDir(PathBuf);
impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("obi-cli-issue-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const STATUS: &str = "https://example.edu/status/revocation";

fn init(dir: &Path) {
    ok(&obi(
        &[
            "issue",
            "init",
            "iss",
            "--name",
            "Example U",
            "--url",
            "https://example.edu",
            "--email",
            "b@example.edu",
        ],
        dir,
    ));
}

#[test]
fn award_verify_revoke() {
    let t = TempDir::new("award");
    let d = &t.0;
    init(d);
    let again = obi(
        &[
            "issue",
            "init",
            "iss",
            "--name",
            "x",
            "--url",
            "https://x.org",
        ],
        d,
    );
    assert!(!again.status.success(), "init over an issuer");
    let a = ok(&obi(
        &[
            "issue",
            "award",
            "--issuer",
            "iss/issuer.json",
            "--achievement",
            "iss/achievement.json",
            "--recipient",
            "alice@example.org",
            "--evidence",
            "https://example.org/e",
            "--narrative",
            "did it",
            "--valid-until",
            "2099-01-01",
            "-o",
            "a.json",
        ],
        d,
    ));
    let id = a["id"].as_str().unwrap().to_string();
    let cred: Value = serde_json::from_slice(&std::fs::read(d.join("a.json")).unwrap()).unwrap();
    assert_eq!(cred["id"], id.as_str());
    assert!(
        !std::fs::read_to_string(d.join("a.json"))
            .unwrap()
            .contains("alice@example.org")
    );
    ok(&obi(
        &[
            "issue",
            "status-list",
            "--issuer",
            "iss/issuer.json",
            "-o",
            "list.json",
        ],
        d,
    ));
    let doc = format!("{STATUS}=list.json");
    let v = obi(&["verify", "--offline", "--doc", &doc, "a.json"], d);
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&v.stdout)
    );
    ok(&obi(
        &[
            "issue",
            "revoke",
            "--issuer",
            "iss/issuer.json",
            "--id",
            &id,
            "--reason",
            "error",
        ],
        d,
    ));
    ok(&obi(
        &[
            "issue",
            "status-list",
            "--issuer",
            "iss/issuer.json",
            "-o",
            "list.json",
        ],
        d,
    ));
    let v = obi(&["verify", "--offline", "--doc", &doc, "a.json"], d);
    assert_eq!(
        v.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&v.stdout)
    );
    assert!(String::from_utf8_lossy(&v.stdout).contains("revoked"));
    let unknown = obi(
        &[
            "issue",
            "revoke",
            "--issuer",
            "iss/issuer.json",
            "--id",
            "urn:uuid:x",
            "--reason",
            "r",
        ],
        d,
    );
    assert!(!unknown.status.success());
    // VC-JWT.
    ok(&obi(
        &[
            "issue",
            "award",
            "--issuer",
            "iss/issuer.json",
            "--achievement",
            "iss/achievement.json",
            "--recipient",
            "did:example:bob",
            "--format",
            "ob3-jwt",
            "-o",
            "b.jwt",
        ],
        d,
    ));
    let v = obi(&["verify", "--offline", "--doc", &doc, "b.jwt"], d);
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&v.stdout)
    );
    // Bad input: a clear error, nothing written.
    let bad = obi(
        &[
            "issue",
            "award",
            "--issuer",
            "iss/issuer.json",
            "--achievement",
            "iss/achievement.json",
            "--recipient",
            "not a recipient",
            "-o",
            "c.json",
        ],
        d,
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("recipient"));
    assert!(!d.join("c.json").exists());
}

#[test]
fn bulk_and_rerun() {
    let t = TempDir::new("bulk");
    let d = &t.0;
    init(d);
    let mut csv = String::from("recipient,name,narrative\n");
    for i in 0..20 {
        csv.push_str(&format!("u{i}@example.org,U {i},\"n, {i}\"\n"));
    }
    csv.push_str("oops,Bad,\n");
    std::fs::write(d.join("rows.csv"), csv).unwrap();
    let args = [
        "issue",
        "bulk",
        "--issuer",
        "iss/issuer.json",
        "--achievement",
        "iss/achievement.json",
        "--csv",
        "rows.csv",
        "-o",
        "out",
        "--jobs",
        "2",
    ];
    let out = obi(&args, d);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("line 22"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["issued"], 20);
    let manifest = std::fs::read_to_string(d.join("out/manifest.jsonl")).unwrap();
    assert_eq!(manifest.lines().count(), 20);
    let out = obi(&args, d);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["issued"], 0);
    assert_eq!(r["alreadyIssued"], 20);
    // --strict: nothing signed.
    let mut strict = args.to_vec();
    strict[9] = "out2";
    strict.push("--strict");
    let out = obi(&strict, d);
    assert_eq!(out.status.code(), Some(1));
    assert!(!d.join("out2").exists());
    // Missing columns: an error naming line 1.
    std::fs::write(d.join("bad.csv"), "email,name\na@b.org,A\n").unwrap();
    let mut bad = args.to_vec();
    bad[7] = "bad.csv";
    let out = obi(&bad, d);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1"));
}

#[test]
fn did_web_document() {
    let t = TempDir::new("didweb");
    let d = &t.0;
    ok(&obi(
        &[
            "issue",
            "init",
            "iss",
            "--name",
            "W",
            "--url",
            "https://badges.example.edu",
            "--did-web",
            "badges.example.edu",
        ],
        d,
    ));
    let doc = ok(&obi(
        &["issue", "did-web", "--issuer", "iss/issuer.json"],
        d,
    ));
    assert_eq!(doc["id"], "did:web:badges.example.edu");
    assert_eq!(doc["verificationMethod"][0]["type"], "Multikey");
    assert_eq!(
        doc["assertionMethod"][0],
        "did:web:badges.example.edu#key-1"
    );
    let t2 = TempDir::new("didkey");
    init(&t2.0);
    assert!(
        !obi(&["issue", "did-web", "--issuer", "iss/issuer.json"], &t2.0)
            .status
            .success()
    );
}

#[test]
fn unreadable_key() {
    let t = TempDir::new("key");
    let d = &t.0;
    init(d);
    std::fs::write(d.join("iss/issuer-key.json"), "garbage").unwrap();
    let out = obi(
        &[
            "issue",
            "award",
            "--issuer",
            "iss/issuer.json",
            "--achievement",
            "iss/achievement.json",
            "--recipient",
            "a@b.org",
            "-o",
            "a.json",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("issuer-key.json"));
}

#[test]
fn one_edtech_revocation_list() {
    let t = TempDir::new("1edtech");
    let d = &t.0;
    ok(&obi(
        &[
            "issue",
            "init",
            "iss",
            "--name",
            "Example U",
            "--url",
            "https://example.edu",
            "--status",
            "1edtech",
        ],
        d,
    ));
    let award = |out: &str| {
        ok(&obi(
            &[
                "issue",
                "award",
                "--issuer",
                "iss/issuer.json",
                "--achievement",
                "iss/achievement.json",
                "--recipient",
                "did:example:carol",
                "-o",
                out,
            ],
            d,
        ))
    };
    let a = award("a.json");
    let b = award("b.json");
    let cred: Value = serde_json::from_slice(&std::fs::read(d.join("a.json")).unwrap()).unwrap();
    assert_eq!(cred["credentialStatus"]["type"], "1EdTechRevocationList");
    assert_eq!(cred["credentialStatus"]["id"], STATUS);
    let list_args = [
        "issue",
        "status-list",
        "--issuer",
        "iss/issuer.json",
        "-o",
        "list.json",
    ];
    ok(&obi(&list_args, d));
    let doc = format!("{STATUS}=list.json");
    let v = obi(&["verify", "--offline", "--doc", &doc, "a.json"], d);
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&v.stdout)
    );
    ok(&obi(
        &[
            "issue",
            "revoke",
            "--issuer",
            "iss/issuer.json",
            "--id",
            a["id"].as_str().unwrap(),
            "--reason",
            "issued in error",
        ],
        d,
    ));
    ok(&obi(&list_args, d));
    let list: Value = serde_json::from_slice(&std::fs::read(d.join("list.json")).unwrap()).unwrap();
    assert_eq!(list["id"], STATUS);
    assert_eq!(list["revokedCredentials"][0]["id"], a["id"]);
    assert_eq!(
        list["revokedCredentials"][0]["revocationReason"],
        "issued in error"
    );
    let v = obi(&["verify", "--offline", "--doc", &doc, "a.json"], d);
    assert_eq!(
        v.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&v.stdout)
    );
    assert!(String::from_utf8_lossy(&v.stdout).contains("revoked"));
    let v = obi(&["verify", "--offline", "--doc", &doc, "b.json"], d);
    assert_eq!(
        v.status.code(),
        Some(0),
        "{} ({})",
        String::from_utf8_lossy(&v.stdout),
        b["id"]
    );
    let bad = obi(
        &[
            "issue",
            "init",
            "iss2",
            "--name",
            "X",
            "--url",
            "https://x.org",
            "--status",
            "nope",
        ],
        d,
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("status type"));
}

/// A disk that fills up during bulk, simulated with RLIMIT_FSIZE (`ulimit -f`, SIGXFSZ
/// ignored so writes fail with EFBIG). The limit is per file, so the first write past it is
/// the state's write-ahead log at the first batch commit (the credential files are small):
/// a clear error, nothing signed, no temporary files; a re-run issues every row once. (The
/// library test `bulk-disk-full` fails the credential writes themselves mid-run.)
#[test]
fn bulk_disk_full_then_rerun() {
    if !Path::new("/bin/sh").exists() {
        println!("skipped bulk_disk_full_then_rerun: no /bin/sh for ulimit");
        return;
    }
    let t = TempDir::new("diskfull");
    let d = &t.0;
    init(d);
    let rows = 1_200;
    let mut csv = String::from("recipient,name\n");
    for i in 0..rows {
        csv.push_str(&format!("u{i}@example.org,User {i}\n"));
    }
    std::fs::write(d.join("rows.csv"), csv).unwrap();
    let args = "issue bulk --issuer iss/issuer.json --achievement iss/achievement.json --csv rows.csv -o out --jobs 2";
    // 100 blocks of 512 bytes (POSIX sh; 100 KiB in bash): less than the log of one batch
    // of 1,024 rows.
    let script = format!(
        "trap '' XFSZ; ulimit -f 100; exec '{}' {args}",
        env!("CARGO_BIN_EXE_obi")
    );
    let full = Command::new("/bin/sh")
        .args(["-c", &script])
        .current_dir(d)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&full.stderr).to_string();
    assert!(!full.status.success(), "the write limit was not hit");
    assert!(
        stderr.contains("large") || stderr.contains("disk") || stderr.contains("full"),
        "{stderr}"
    );
    let leftovers = |dir: &Path| {
        std::fs::read_dir(dir).map_or(0, |r| {
            r.filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".tmp")
            })
            .count()
        })
    };
    assert_eq!(leftovers(&d.join("out")), 0, "temporary files left");
    let first = std::fs::read_to_string(d.join("out/manifest.jsonl")).unwrap_or_default();
    let reported_first: Vec<Value> = first
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    // Every row reported by the failed run is a complete credential file.
    for e in &reported_first {
        let f = d.join("out").join(e["file"].as_str().unwrap());
        let _: Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
    }
    let words: Vec<&str> = args.split(' ').collect();
    let r = ok(&obi(&words, d));
    assert_eq!(
        r["issued"].as_u64().unwrap() + r["alreadyIssued"].as_u64().unwrap(),
        rows as u64,
        "{r}"
    );
    assert!(r["alreadyIssued"].as_u64().unwrap() >= reported_first.len() as u64);
    let manifest = std::fs::read_to_string(d.join("out/manifest.jsonl")).unwrap();
    let ids: std::collections::HashSet<String> = manifest
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids.len(), rows, "one id per row");
    assert_eq!(manifest.lines().count(), rows, "one manifest line per row");
    let files = std::fs::read_dir(d.join("out"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "json")
        })
        .count();
    assert_eq!(files, rows, "one credential file per row");
    assert_eq!(leftovers(&d.join("out")), 0);
}

#[test]
fn endorsement_verifies() {
    let t = TempDir::new("endorse");
    let d = &t.0;
    init(d);
    let ach: Value =
        serde_json::from_slice(&std::fs::read(d.join("iss/achievement.json")).unwrap()).unwrap();
    let e = ok(&obi(
        &[
            "issue",
            "endorse",
            "--issuer",
            "iss/issuer.json",
            "--subject",
            ach["id"].as_str().unwrap(),
            "--comment",
            "A rigorous, well-assessed achievement.",
            "-o",
            "e.json",
        ],
        d,
    ));
    let cred: Value = serde_json::from_slice(&std::fs::read(d.join("e.json")).unwrap()).unwrap();
    assert_eq!(cred["id"], e["id"]);
    assert_eq!(cred["type"][1], "EndorsementCredential");
    assert_eq!(cred["credentialSubject"]["id"], ach["id"]);
    ok(&obi(
        &[
            "issue",
            "status-list",
            "--issuer",
            "iss/issuer.json",
            "-o",
            "list.json",
        ],
        d,
    ));
    let doc = format!("{STATUS}=list.json");
    let v = obi(&["verify", "--offline", "--doc", &doc, "e.json"], d);
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&v.stdout)
    );
    let bad = obi(
        &[
            "issue",
            "endorse",
            "--issuer",
            "iss/issuer.json",
            "--subject",
            "not a uri",
            "--comment",
            "x",
            "-o",
            "f.json",
        ],
        d,
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a URI"));
    assert!(!d.join("f.json").exists());
}

/// `--doc URL=FILE` arguments for every file under `publish`, served at `base`.
fn published_docs(d: &Path, base: &str) -> Vec<String> {
    docs_under(&d.join("publish"), base)
}

/// `--doc URL=FILE` arguments for every file under `dir`, served at `base`.
fn docs_under(dir: &Path, base: &str) -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    let mut args = Vec::new();
    for f in files {
        let rel = f.strip_prefix(dir).unwrap().to_string_lossy();
        args.push("--doc".to_string());
        args.push(format!("{base}/{rel}={}", f.display()));
    }
    args
}

/// Runs the 1EdTech validator (`OBI_OB2_ORACLE`) on `file` with the published documents;
/// `None` when the oracle is not configured.
fn ob2_oracle(d: &Path, base: &str, file: &str) -> Option<bool> {
    ob2_oracle_with(d, &published_docs(d, base), file)
}

/// [`ob2_oracle`] with the given `--doc` arguments.
fn ob2_oracle_with(d: &Path, docs: &[String], file: &str) -> Option<bool> {
    let cmdline = std::env::var("OBI_OB2_ORACLE").ok()?;
    let mut words = cmdline.split_whitespace();
    let out = Command::new(words.next().unwrap())
        .args(words)
        .args(docs)
        .arg("--compact")
        .arg(file)
        .current_dir(d)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "oracle error: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(out.status.success())
}

/// Open Badges 2.0: a signed (RS256) and a hosted assertion, their published documents, the
/// 2.0 revocation list; checked with `obi verify` and, when `OBI_OB2_ORACLE` is set, the
/// 1EdTech validator (documents served from the files, nothing fetched).
#[test]
fn ob2_signed_and_hosted() {
    let t = TempDir::new("ob2");
    let d = &t.0;
    init(d);
    let base = "https://badges.example.edu/ob2";
    let award = |format: &str, who: &str, out: &str| {
        ok(&obi(
            &[
                "issue",
                "award",
                "--issuer",
                "iss/issuer.json",
                "--achievement",
                "iss/achievement.json",
                "--recipient",
                who,
                "--format",
                format,
                "--base-url",
                base,
                "-o",
                out,
            ],
            d,
        ))
    };
    let a = award("ob2-signed", "a@example.org", "a.jws");
    let b = award("ob2-hosted", "b@example.org", "b.json");
    let c = award("ob2-hosted", "c@example.org", "c.json");
    assert!(
        std::fs::read_to_string(d.join("a.jws"))
            .unwrap()
            .starts_with("eyJ")
    );
    let hosted: Value = serde_json::from_slice(&std::fs::read(d.join("b.json")).unwrap()).unwrap();
    assert_eq!(hosted["verification"]["type"], "hosted");
    assert_eq!(hosted["id"], b["id"]);
    assert!(d.join("publish/issuer.json").exists() && d.join("publish/keys/ob2.json").exists());
    let verify = |file: &str| {
        let mut args = vec!["verify".to_string(), "--offline".to_string()];
        args.extend(published_docs(d, base));
        args.push(file.into());
        let words: Vec<&str> = args.iter().map(String::as_str).collect();
        obi(&words, d)
    };
    for f in ["a.jws", "b.json", "c.json"] {
        let v = verify(f);
        assert_eq!(
            v.status.code(),
            Some(0),
            "{f}: {}",
            String::from_utf8_lossy(&v.stdout)
        );
        match ob2_oracle(d, base, f) {
            Some(valid) => assert!(valid, "the 1EdTech validator rejects {f}"),
            None => println!("skipped the 1EdTech validator on {f}: OBI_OB2_ORACLE not set"),
        }
    }
    // Revoke two (that validator ignores a one-entry list), publish the 2.0 list.
    for id in [&a["id"], &b["id"]] {
        ok(&obi(
            &[
                "issue",
                "revoke",
                "--issuer",
                "iss/issuer.json",
                "--id",
                id.as_str().unwrap(),
                "--reason",
                "error",
                "--publish",
                "publish",
            ],
            d,
        ));
    }
    ok(&obi(
        &[
            "issue",
            "status-list",
            "--issuer",
            "iss/issuer.json",
            "--ob2",
            "-o",
            "publish/revocations.json",
        ],
        d,
    ));
    let list: Value =
        serde_json::from_slice(&std::fs::read(d.join("publish/revocations.json")).unwrap())
            .unwrap();
    assert_eq!(list["type"], "RevocationList");
    assert_eq!(list["revokedAssertions"].as_array().unwrap().len(), 2);
    for (f, revoked) in [("a.jws", true), ("b.json", true), ("c.json", false)] {
        let v = verify(f);
        assert_eq!(
            v.status.code(),
            Some(if revoked { 1 } else { 0 }),
            "{f}: {}",
            String::from_utf8_lossy(&v.stdout)
        );
        // (That validator ignores `revoked` on hosted assertions: checked on signed ones.)
        if let Some(valid) = ob2_oracle(d, base, f)
            && f.ends_with(".jws")
        {
            assert_eq!(valid, !revoked, "the 1EdTech validator on {f}");
        }
    }
    let _ = c;
    // A 2.0 Endorsement of the badge class (hosted).
    let badge_class = hosted["badge"].as_str().unwrap().to_string();
    let e = ok(&obi(
        &[
            "issue",
            "endorse",
            "--issuer",
            "iss/issuer.json",
            "--subject",
            &badge_class,
            "--comment",
            "Rigorous.",
            "--format",
            "ob2-hosted",
            "--base-url",
            base,
            "-o",
            "e.json",
        ],
        d,
    ));
    let endorsement: Value =
        serde_json::from_slice(&std::fs::read(d.join("e.json")).unwrap()).unwrap();
    assert_eq!(endorsement["type"], "Endorsement");
    assert_eq!(endorsement["claim"]["id"], badge_class.as_str());
    assert_eq!(endorsement["id"], e["id"]);
    let rel = e["id"].as_str().unwrap().strip_prefix(base).unwrap();
    assert!(d.join(format!("publish{rel}")).exists());
    let v = verify("e.json");
    println!(
        "obi verify on the 2.0 endorsement: {:?} {}",
        v.status.code(),
        String::from_utf8_lossy(&v.stdout)
    );
    // A 2.0 format without --base-url: a clear error.
    let bad = obi(
        &[
            "issue",
            "award",
            "--issuer",
            "iss/issuer.json",
            "--achievement",
            "iss/achievement.json",
            "--recipient",
            "x@example.org",
            "--format",
            "ob2-hosted",
            "-o",
            "x.json",
        ],
        d,
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--base-url"));
}

/// `obi issue bulk --format ob2-signed|ob2-hosted`: bad rows by line, every assertion passes
/// `obi verify` with the published documents (and the 1EdTech validator on a sample when
/// `OBI_OB2_ORACLE` is set), re-runs issue nothing, revocations reach the 2.0 list.
#[test]
fn bulk_ob2() {
    let t = TempDir::new("bulk-ob2");
    let d = &t.0;
    init(d);
    let base = "https://badges.example.edu/ob2";
    let mut csv = String::from("recipient,name,narrative\n");
    for i in 0..6 {
        // Capitals in the address: hashed in lower case, matched whatever the capitals.
        csv.push_str(&format!("P{i}@Example.org,P {i},\"did {i}, well\"\n"));
    }
    csv.push_str("oops,Bad,\n"); // line 8
    std::fs::write(d.join("rows.csv"), &csv).unwrap();
    // The same rows in the other 2.0 format would be the same assertions (same ids, as
    // ob3-eddsa and ob3-jwt): other recipients for the hosted run.
    std::fs::write(
        d.join("rows-hosted.csv"),
        csv.replace("@Example", "@hosted.example"),
    )
    .unwrap();
    let run = |format: &str, out: &str| {
        obi(
            &[
                "issue",
                "bulk",
                "--issuer",
                "iss/issuer.json",
                "--achievement",
                "iss/achievement.json",
                "--csv",
                if format == "ob2-hosted" {
                    "rows-hosted.csv"
                } else {
                    "rows.csv"
                },
                "--format",
                format,
                "--base-url",
                base,
                "--publish",
                "site",
                "-o",
                out,
                "--jobs",
                "2",
            ],
            d,
        )
    };
    let mut files = Vec::new();
    for (format, out, ext) in [
        ("ob2-signed", "signed", "jws"),
        ("ob2-hosted", "hosted", "json"),
    ] {
        let o = run(format, out);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("line 8"),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let r: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(r["issued"], 6, "{r}");
        assert_eq!(r["publishAt"], base);
        let manifest = std::fs::read_to_string(d.join(out).join("manifest.jsonl")).unwrap();
        assert_eq!(manifest.lines().count(), 6);
        for line in manifest.lines() {
            let e: Value = serde_json::from_str(line).unwrap();
            let file = format!("{out}/{}", e["file"].as_str().unwrap());
            assert!(file.ends_with(ext), "{file}");
            files.push((file, e["id"].as_str().unwrap().to_string()));
        }
        // Re-run: nothing issued twice.
        let o = run(format, out);
        let r: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            (r["issued"].as_u64(), r["alreadyIssued"].as_u64()),
            (Some(0), Some(6))
        );
    }
    assert!(d.join("site/keys/ob2.json").exists() && d.join("site/issuer.json").exists());
    let docs = docs_under(&d.join("site"), base);
    let verify = |file: &str| {
        let mut args = vec!["verify".to_string(), "--offline".to_string()];
        args.extend(docs_under(&d.join("site"), base));
        args.push(file.into());
        let words: Vec<&str> = args.iter().map(String::as_str).collect();
        obi(&words, d)
    };
    for (file, _) in &files {
        let v = verify(file);
        assert_eq!(
            v.status.code(),
            Some(0),
            "{file}: {}",
            String::from_utf8_lossy(&v.stdout)
        );
    }
    // The recipient, hashed in lower case, matches however it is typed; another one does not.
    for (who, code) in [
        ("p0@example.org", 0),
        ("P0@EXAMPLE.ORG", 0),
        ("p1@example.org", 1),
    ] {
        let mut args = vec!["verify".to_string(), "--offline".to_string()];
        args.extend(docs_under(&d.join("site"), base));
        args.extend([
            "--recipient".to_string(),
            who.to_string(),
            files[0].0.clone(),
        ]);
        let words: Vec<&str> = args.iter().map(String::as_str).collect();
        let v = obi(&words, d);
        assert_eq!(
            v.status.code(),
            Some(code),
            "{who}: {}",
            String::from_utf8_lossy(&v.stdout)
        );
    }
    // The 1EdTech validator on a sample: the first signed and the first hosted assertion.
    for (file, _) in [&files[0], &files[6]] {
        match ob2_oracle_with(d, &docs, file) {
            Some(valid) => assert!(valid, "the 1EdTech validator rejects {file}"),
            None => println!("skipped the 1EdTech validator on {file}: OBI_OB2_ORACLE not set"),
        }
    }
    // Revoke a signed and a hosted assertion: the published list and hosted document follow.
    for (_, id) in [&files[1], &files[7]] {
        let r = ok(&obi(
            &[
                "issue",
                "revoke",
                "--issuer",
                "iss/issuer.json",
                "--id",
                id,
                "--reason",
                "error",
                "--publish",
                "site",
            ],
            d,
        ));
        assert!(r["ob2RevocationList"].is_string(), "{r}");
    }
    let list: Value =
        serde_json::from_slice(&std::fs::read(d.join("site/revocations.json")).unwrap()).unwrap();
    assert_eq!(list["revokedAssertions"].as_array().unwrap().len(), 2);
    for (i, (file, _)) in files.iter().enumerate() {
        let revoked = i == 1 || i == 7;
        let v = verify(file);
        assert_eq!(
            v.status.code(),
            Some(if revoked { 1 } else { 0 }),
            "{file}: {}",
            String::from_utf8_lossy(&v.stdout)
        );
    }
    if let Some(valid) = ob2_oracle_with(d, &docs_under(&d.join("site"), base), &files[1].0) {
        assert!(
            !valid,
            "the 1EdTech validator accepts a revoked signed assertion"
        );
    }
    // No --base-url: a clear error.
    let o = obi(
        &[
            "issue",
            "bulk",
            "--issuer",
            "iss/issuer.json",
            "--achievement",
            "iss/achievement.json",
            "--csv",
            "rows.csv",
            "--format",
            "ob2-hosted",
            "-o",
            "x",
        ],
        d,
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--base-url"));
    assert!(!d.join("x").exists());
}

/// `obi issue init --key-type p256|rsa`: ob3-jwt and ob2-signed with the one key, the status
/// list as a VC-JWT, all passing `obi verify`; ob3-eddsa refused with a clear error.
#[test]
fn key_types() {
    let t = TempDir::new("key-types");
    let d = &t.0;
    let bad = obi(
        &[
            "issue",
            "init",
            "k",
            "--name",
            "K",
            "--url",
            "https://k.example",
            "--key-type",
            "dsa",
        ],
        d,
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--key-type"));
    for kind in ["p256", "rsa"] {
        let iss = format!("{kind}/issuer.json");
        let r = ok(&obi(
            &[
                "issue",
                "init",
                kind,
                "--name",
                "Keys",
                "--url",
                "https://example.edu",
                "--email",
                "b@example.edu",
                "--key-type",
                kind,
            ],
            d,
        ));
        assert_eq!(r["keyType"], kind);
        let award = |format: &str, out: &str| {
            obi(
                &[
                    "issue",
                    "award",
                    "--issuer",
                    &iss,
                    "--achievement",
                    &format!("{kind}/achievement.json"),
                    "--recipient",
                    "r@example.org",
                    "--format",
                    format,
                    "--base-url",
                    "https://badges.example.edu/ob2",
                    "-o",
                    out,
                ],
                d,
            )
        };
        let refused = award("ob3-eddsa", "no.json");
        assert!(!refused.status.success());
        let err = String::from_utf8_lossy(&refused.stderr);
        assert!(err.contains("Ed25519") && err.contains("ob3-jwt"), "{err}");
        assert!(!d.join("no.json").exists());
        let jwt = format!("{kind}.jwt");
        ok(&award("ob3-jwt", &jwt));
        let list = format!("{kind}-list.jwt");
        ok(&obi(
            &["issue", "status-list", "--issuer", &iss, "-o", &list],
            d,
        ));
        assert!(
            std::fs::read_to_string(d.join(&list))
                .unwrap()
                .starts_with("eyJ")
        );
        let doc = format!("{STATUS}={list}");
        let v = obi(&["verify", "--offline", "--doc", &doc, &jwt], d);
        assert_eq!(
            v.status.code(),
            Some(0),
            "{kind}: {}",
            String::from_utf8_lossy(&v.stdout)
        );
        // 2.0 signed: the issuer's own key (no second key file); --ob2-key of another type
        // is refused.
        let jws = format!("{kind}.jws");
        let other = if kind == "rsa" { "p256" } else { "rsa" };
        let mixed = obi(
            &[
                "issue",
                "award",
                "--issuer",
                &iss,
                "--achievement",
                &format!("{kind}/achievement.json"),
                "--recipient",
                "r@example.org",
                "--format",
                "ob2-signed",
                "--ob2-key",
                other,
                "--base-url",
                "https://badges.example.edu/ob2",
                "-o",
                &jws,
            ],
            d,
        );
        assert!(!mixed.status.success());
        ok(&award("ob2-signed", &jws));
        assert!(!d.join(kind).join("ob2-key.json").exists());
        let mut args = vec!["verify".to_string(), "--offline".to_string()];
        args.extend(published_docs(d, "https://badges.example.edu/ob2"));
        args.push(jws.clone());
        let words: Vec<&str> = args.iter().map(String::as_str).collect();
        let v = obi(&words, d);
        assert_eq!(
            v.status.code(),
            Some(0),
            "{kind} 2.0: {}",
            String::from_utf8_lossy(&v.stdout)
        );
        std::fs::remove_dir_all(d.join("publish")).unwrap();
    }
}

/// `--bake`, `--no-hash` and `--valid-until`: a baked 3.0 award and baked 2.0 bulk awards
/// pass `obi verify`; the email stays in clear; the expiry is carried.
#[test]
fn bake_no_hash_valid_until() {
    let t = TempDir::new("bake");
    let d = &t.0;
    init(d);
    std::fs::write(
        d.join("badge.svg"),
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><circle cx="10" cy="10" r="9"/></svg>"#,
    )
    .unwrap();
    ok(&obi(
        &[
            "issue",
            "award",
            "--issuer",
            "iss/issuer.json",
            "--achievement",
            "iss/achievement.json",
            "--recipient",
            "clear@example.org",
            "--no-hash",
            "--valid-until",
            "2099-01-01",
            "--bake",
            "badge.svg",
            "-o",
            "a.svg",
        ],
        d,
    ));
    let svg = std::fs::read_to_string(d.join("a.svg")).unwrap();
    assert!(svg.contains("openbadges:credential") && svg.contains("clear@example.org"));
    assert!(svg.contains("2099-01-01T23:59:59Z"));
    ok(&obi(
        &[
            "issue",
            "status-list",
            "--issuer",
            "iss/issuer.json",
            "-o",
            "list.json",
        ],
        d,
    ));
    let doc = format!("{STATUS}=list.json");
    let v = obi(&["verify", "--offline", "--doc", &doc, "a.svg"], d);
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&v.stdout)
    );
    // Bulk 2.0 signed, baked, with an expiry.
    std::fs::write(
        d.join("rows.csv"),
        "recipient,name\nb1@example.org,B1\nb2@example.org,B2\n",
    )
    .unwrap();
    let base = "https://badges.example.edu/ob2";
    let r = ok(&obi(
        &[
            "issue",
            "bulk",
            "--issuer",
            "iss/issuer.json",
            "--achievement",
            "iss/achievement.json",
            "--csv",
            "rows.csv",
            "--format",
            "ob2-signed",
            "--base-url",
            base,
            "--valid-until",
            "2099-01-01",
            "--bake",
            "badge.svg",
            "-o",
            "out",
        ],
        d,
    ));
    assert_eq!(r["issued"], 2);
    let manifest = std::fs::read_to_string(d.join("out/manifest.jsonl")).unwrap();
    for line in manifest.lines() {
        let e: Value = serde_json::from_str(line).unwrap();
        let svg = format!(
            "out/{}",
            e["file"].as_str().unwrap().replace(".jws", ".svg")
        );
        assert!(
            std::fs::read_to_string(d.join(&svg))
                .unwrap()
                .contains("openbadges:assertion")
        );
        let mut args = vec!["verify".to_string(), "--offline".to_string()];
        args.extend(docs_under(&d.join("out/publish"), base));
        args.push(svg.clone());
        let words: Vec<&str> = args.iter().map(String::as_str).collect();
        let v = obi(&words, d);
        assert_eq!(
            v.status.code(),
            Some(0),
            "{svg}: {}",
            String::from_utf8_lossy(&v.stdout)
        );
    }
    // A past --valid-until: a clear error, nothing written.
    let bad = obi(
        &[
            "issue",
            "bulk",
            "--issuer",
            "iss/issuer.json",
            "--achievement",
            "iss/achievement.json",
            "--csv",
            "rows.csv",
            "--valid-until",
            "2001-01-01",
            "-o",
            "past",
        ],
        d,
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--valid-until"));
    assert!(!d.join("past").exists());
}

/// `obi issue did-web` for P-256 (Multikey) and RSA (JsonWebKey) issuers: a VC-JWT they issue
/// passes `obi verify` with the DID document served from the file.
#[test]
fn did_web_key_types() {
    let t = TempDir::new("didweb-keys");
    let d = &t.0;
    for (kind, method) in [("p256", "Multikey"), ("rsa", "JsonWebKey")] {
        ok(&obi(
            &[
                "issue",
                "init",
                kind,
                "--name",
                "W",
                "--url",
                "https://badges.example.edu",
                "--did-web",
                "badges.example.edu",
                "--key-type",
                kind,
            ],
            d,
        ));
        let iss = format!("{kind}/issuer.json");
        let out = obi(&["issue", "did-web", "--issuer", &iss], d);
        let doc = ok(&out);
        assert_eq!(doc["verificationMethod"][0]["type"], method);
        let did_file = format!("{kind}-did.json");
        std::fs::write(d.join(&did_file), &out.stdout).unwrap();
        let jwt = format!("{kind}.jwt");
        ok(&obi(
            &[
                "issue",
                "award",
                "--issuer",
                &iss,
                "--achievement",
                &format!("{kind}/achievement.json"),
                "--recipient",
                "did:example:learner",
                "--format",
                "ob3-jwt",
                "-o",
                &jwt,
            ],
            d,
        ));
        let list = format!("{kind}-list.jwt");
        ok(&obi(
            &["issue", "status-list", "--issuer", &iss, "-o", &list],
            d,
        ));
        let status = "https://badges.example.edu/status/revocation";
        let v = obi(
            &[
                "verify",
                "--offline",
                "--doc",
                &format!("https://badges.example.edu/.well-known/did.json={did_file}"),
                "--doc",
                &format!("{status}={list}"),
                &jwt,
            ],
            d,
        );
        assert_eq!(
            v.status.code(),
            Some(0),
            "{kind}: {}",
            String::from_utf8_lossy(&v.stdout)
        );
    }
}
