//! `obi schema validate` and `obi convert`: exit codes and output, running the built binary.
#![allow(clippy::unwrap_used)] // test helpers: a failed spawn or a non-UTF-8 path is a test failure

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn model_data(file: &str) -> PathBuf {
    repo()
        .join("crates/obi-model/tests/data/ob-examples")
        .join(file)
}

fn obi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_obi"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn schema_validate_valid_example_exits_0() {
    let file = repo().join("examples/ob3-minimal.json");
    let out = obi(&["schema", "validate", path_str(&file)]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(stdout(&out).trim(), "valid");
}

#[test]
fn schema_validate_invalid_exits_1_with_paths() {
    let file = model_data("broken/ob3-bad-validfrom.json");
    let out = obi(&["schema", "validate", path_str(&file)]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = stdout(&out);
    assert!(text.starts_with("invalid"), "{text}");
    assert!(text.contains("/validFrom"), "{text}");

    let file = model_data("broken/ob3-achievement-missing-name.json");
    let out = obi(&["schema", "validate", path_str(&file)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("/credentialSubject/achievement"));
}

#[test]
fn schema_validate_unreadable_or_unparsable_exits_2() {
    let out = obi(&["schema", "validate", "/nonexistent/obi-test.json"]);
    assert_eq!(out.status.code(), Some(2));
    let file = model_data("broken/syntax-error.json");
    let out = obi(&["schema", "validate", path_str(&file)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 5"));
    let dir = tempfile::tempdir().unwrap();
    let deep = dir.path().join("deep.json");
    std::fs::write(&deep, "[".repeat(10_000)).unwrap();
    let out = obi(&["schema", "validate", path_str(&deep)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("MAX_JSON_DEPTH"));
}

#[test]
fn convert_bundled_ob2_example_gives_schema_valid_ob3() {
    let file = repo().join("examples/ob2-assertion.json");
    let out = obi(&["convert", path_str(&file)]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let dir = tempfile::tempdir().unwrap();
    let converted = dir.path().join("ob3.json");
    std::fs::write(&converted, &out.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["type"][1], "OpenBadgeCredential");
    let out = obi(&["schema", "validate", path_str(&converted)]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn convert_with_supplied_badge_class_and_issuer() {
    let a = model_data("ob2/assertion-hosted-references.json");
    let b = model_data("convert/badgeclass.json");
    let i = model_data("convert/issuer.json");
    let out = obi(&["convert", path_str(&a)]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "missing badge class is a usage error"
    );
    let out = obi(&[
        "convert",
        path_str(&a),
        "--badge-class",
        path_str(&b),
        "--issuer",
        path_str(&i),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["issuer"]["id"], "https://badges.example.org/issuer");
}

#[test]
fn convert_1_0_to_2_0() {
    let a = model_data("legacy/ob10-assertion-hosted.json");
    let out = obi(&["convert", path_str(&a), "--to", "2.0"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let want: serde_json::Value = serde_json::from_slice(
        &std::fs::read(model_data("legacy/ob10-assertion-hosted.upgraded.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(v, want);
    assert!(String::from_utf8_lossy(&out.stderr).contains("/issuedOn"));
}

#[test]
fn convert_refuses_ob3_input() {
    let file = repo().join("examples/ob3-minimal.json");
    let out = obi(&["convert", path_str(&file)]);
    assert_eq!(out.status.code(), Some(1));
}
