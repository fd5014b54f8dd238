//! The README's main command, on the bundled examples, verifies; a one-byte change does not.
#![allow(clippy::expect_used)] // a test helper: a missing binary is a test failure

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn verify(files: &[&Path]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_obi"))
        .current_dir(root())
        .args(["verify", "--offline", "--doc"])
        .arg("https://example.edu/status/revocation=examples/status-list.json")
        .args(files)
        .output()
        .expect("run obi");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn readme_main_command_verifies_the_bundled_examples() {
    let (code, stdout) = verify(&[
        Path::new("examples/ob3-signed.json"),
        Path::new("examples/ob3-baked.png"),
    ]);
    assert_eq!(code, Some(0), "{stdout}");
    assert_eq!(stdout.matches("genuine:").count(), 2, "{stdout}");
}

#[test]
fn a_changed_narrative_is_not_genuine() {
    let original = std::fs::read_to_string(root().join("examples/ob3-signed.json")).unwrap();
    assert!(original.contains("Completed the course"));
    let tampered = original.replace("Completed the course", "Completed the course!");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tampered.json");
    std::fs::write(&path, tampered).unwrap();
    let (code, stdout) = verify(&[&path]);
    assert_eq!(code, Some(1), "{stdout}");
}
