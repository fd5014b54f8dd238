//! `obi bake` and `obi unbake` end to end, running the built binary.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const OB2: &str = r#"{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"https://example.org/assertions/1","recipient":{"type":"email","hashed":false,"identity":"a@example.org"},"badge":"https://example.org/badges/1","verification":{"type":"hosted"},"issuedOn":"2024-01-01T00:00:00Z"}"#;

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

fn obi(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_obi"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        input.write_all(bytes).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn bake_and_unbake_png_json_file() {
    let dir = tempfile::tempdir().unwrap();
    let badge = dir.path().join("badge.json");
    std::fs::write(&badge, format!("{OB2}\n")).unwrap();
    let out_png = dir.path().join("baked.png");
    let out = obi(
        &[
            "bake",
            "--image",
            s(&example("badge.png")),
            "--badge",
            s(&badge),
            "-o",
            s(&out_png),
        ],
        None,
    );
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("2.0"));
    // The payload exactly as stored (the file's final newline is not part of the badge).
    let out = obi(&["unbake", s(&out_png)], None);
    assert_eq!(code(&out), 0);
    assert_eq!(out.stdout, OB2.as_bytes());
    let out = obi(&["unbake", "--json", s(&out_png)], None);
    assert_eq!(code(&out), 0);
    let typed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(typed["format"], "png");
    assert_eq!(typed["version"], "2.0");
    assert_eq!(typed["form"], "json");
    assert_eq!(typed["payload"], OB2);
    // Standard input works for unbake too.
    let bytes = std::fs::read(&out_png).unwrap();
    let out = obi(&["unbake", "-"], Some(&bytes));
    assert_eq!(out.stdout, OB2.as_bytes());
}

#[test]
fn bake_svg_credential_from_stdin_picks_3_0() {
    let dir = tempfile::tempdir().unwrap();
    let credential = std::fs::read(example("ob3-minimal.json")).unwrap();
    let out_svg = dir.path().join("baked.svg");
    let out = obi(
        &[
            "bake",
            "--image",
            s(&example("badge.svg")),
            "--badge",
            "-",
            "-o",
            s(&out_svg),
        ],
        Some(&credential),
    );
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let svg = std::fs::read_to_string(&out_svg).unwrap();
    assert!(svg.contains("<openbadges:credential>"));
    let out = obi(&["unbake", "--json", s(&out_svg)], None);
    let typed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (typed["format"].as_str(), typed["version"].as_str()),
        (Some("svg"), Some("3.0"))
    );
    let out = obi(&["unbake", s(&out_svg)], None);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(credential).unwrap().trim()
    );
}

#[test]
fn bake_url_in_place_and_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("in-place.png");
    std::fs::copy(example("badge.png"), &image).unwrap();
    let url = "https://example.org/assertions/7";
    let out = obi(
        &[
            "bake",
            "--image",
            s(&image),
            "--badge",
            url,
            "-o",
            s(&image),
        ],
        None,
    );
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let out = obi(&["unbake", s(&image)], None);
    assert_eq!(out.stdout, url.as_bytes());
    // Rebake as 1.0 to standard output: a tEXt chunk replaces the iTXt.
    let out = obi(
        &[
            "bake",
            "--image",
            s(&image),
            "--badge",
            url,
            "--ob-version",
            "1.0",
            "-o",
            "-",
        ],
        None,
    );
    assert_eq!(code(&out), 0);
    let found = obi_bake::unbake(&out.stdout).unwrap().unwrap();
    assert_eq!(found.version, obi_bake::Version::Ob1);
    assert_eq!(found.payload.as_str(), url);
    // No temporary files left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    // 1: a valid image without a badge.
    assert_eq!(code(&obi(&["unbake", s(&example("badge.png"))], None)), 1);
    assert_eq!(code(&obi(&["unbake", s(&example("badge.svg"))], None)), 1);
    // 2: missing, not an image, truncated, hostile.
    assert_eq!(
        code(&obi(&["unbake", s(&dir.path().join("missing.png"))], None)),
        2
    );
    let junk = dir.path().join("junk.bin");
    std::fs::write(&junk, b"GIF89a....").unwrap();
    assert_eq!(code(&obi(&["unbake", s(&junk)], None)), 2);
    let png = std::fs::read(example("badge.png")).unwrap();
    let cut = dir.path().join("cut.png");
    std::fs::write(&cut, &png[..png.len() - 5]).unwrap();
    let out = obi(&["unbake", s(&cut)], None);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("truncated"));
    let lol = dir.path().join("lol.svg");
    std::fs::write(&lol, "<!DOCTYPE svg [<!ENTITY a \"b\">]><svg>&a;</svg>").unwrap();
    let out = obi(&["unbake", s(&lol)], None);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("DTD"));
    // 2: a JSON badge cannot be baked as 1.0; the failed bake leaves no output.
    let badge = dir.path().join("b.json");
    std::fs::write(&badge, OB2).unwrap();
    let out_png = dir.path().join("never.png");
    let out = obi(
        &[
            "bake",
            "--image",
            s(&example("badge.png")),
            "--badge",
            s(&badge),
            "--ob-version",
            "1.0",
            "-o",
            s(&out_png),
        ],
        None,
    );
    assert_eq!(code(&out), 2);
    assert!(!out_png.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 4);
    // 2: a truncated image to bake.
    let out = obi(
        &[
            "bake",
            "--image",
            s(&cut),
            "--badge",
            s(&badge),
            "-o",
            s(&out_png),
        ],
        None,
    );
    assert_eq!(code(&out), 2);
    assert!(!out_png.exists());
}
