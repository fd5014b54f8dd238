//! Interop with the reference Python implementation, openbadges-bakery (PyPI): badges baked by
//! obi unbake there, and badges baked there unbake in obi, for PNG and SVG.
//!
//! Skipped, with a message, when `python3 -c "import openbadges_bakery"` fails.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::process::{Command, ExitCode};

use obi_bake::{Format, Payload, Version};

use support::*;

const SCRIPT: &str = r#"
import sys, openbadges_bakery as bakery
mode = sys.argv[1]
if mode == 'unbake':
    with open(sys.argv[2], 'rb') as f:
        found = bakery.unbake(f)
    sys.stdout.buffer.write(b'' if found is None else found.encode('utf-8'))
else:
    image, payload, out = sys.argv[2:5]
    with open(payload, encoding='utf-8') as p:
        text = p.read()
    with open(image, 'rb') as f, open(out, 'wb') as o:
        bakery.bake(f, text, o)
"#;

fn python(args: &[&Path]) -> Result<String, String> {
    let out = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .args(args)
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "python3 failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| e.to_string())
}

fn available() -> bool {
    Command::new("python3")
        .args(["-c", "import openbadges_bakery"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// obi bakes `payload` into `image`; the bakery unbakes and must return `expected`.
fn obi_to_bakery(image: &[u8], payload: &str, expected: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let baked = dir.path().join("baked");
    let mut out = Vec::new();
    obi_bake::bake(image, &mut out, &Payload::detect(payload), None).map_err(|e| e.to_string())?;
    if obi_bake::sniff(&out).map_err(|e| e.to_string())? == Format::Png {
        decode(&out); // still an image for the png crate
    }
    std::fs::write(&baked, &out).map_err(|e| e.to_string())?;
    let got = python(&[Path::new("unbake"), &baked])?;
    if got == expected {
        Ok(())
    } else {
        Err(format!("bakery unbaked {got:?}, expected {expected:?}"))
    }
}

/// The bakery bakes `payload` into `image`; obi unbakes and must find `version` and `payload`.
fn bakery_to_obi(image: &[u8], payload: &str, version: Version) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (input, text, baked) = (
        dir.path().join("in"),
        dir.path().join("payload"),
        dir.path().join("baked"),
    );
    std::fs::write(&input, image).map_err(|e| e.to_string())?;
    std::fs::write(&text, payload).map_err(|e| e.to_string())?;
    python(&[Path::new("bake"), &input, &text, &baked])?;
    let bytes = std::fs::read(&baked).map_err(|e| e.to_string())?;
    let found = obi_bake::unbake(&bytes)
        .map_err(|e| e.to_string())?
        .ok_or("obi found no badge")?;
    if found.version != version || found.payload != Payload::detect(payload) {
        return Err(format!("obi unbaked {found:?}"));
    }
    // Rebaking the bakery's image with obi leaves one badge, obi's.
    let mut again = Vec::new();
    obi_bake::bake(&bytes, &mut again, &Payload::detect(HOSTED_URL), None)
        .map_err(|e| e.to_string())?;
    let found = obi_bake::unbake(&again).map_err(|e| e.to_string())?;
    if found.map(|f| f.payload) != Some(Payload::detect(HOSTED_URL)) {
        return Err("rebake by obi did not replace the bakery's badge".into());
    }
    Ok(())
}

/// One interop case.
type Case<'a> = Box<dyn Fn() -> Result<(), String> + 'a>;

fn main() -> ExitCode {
    if !available() {
        println!(
            "openbadges-bakery interop: skipped (python3 cannot import openbadges_bakery; \
             `pip install openbadges-bakery` to run it)"
        );
        return ExitCode::SUCCESS;
    }
    let png = small_png();
    let svg = SMALL_SVG.as_bytes();
    let ob2_jws = ob2_jws();
    let cases: Vec<(&str, Case)> = vec![
        (
            "obi->bakery png json",
            Box::new(|| obi_to_bakery(&png, OB2_JSON, OB2_JSON)),
        ),
        (
            "obi->bakery png jws",
            Box::new(|| obi_to_bakery(&png, &ob2_jws, &ob2_jws)),
        ),
        (
            "obi->bakery png url",
            Box::new(|| obi_to_bakery(&png, HOSTED_URL, HOSTED_URL)),
        ),
        // The bakery returns the verify attribute when there is one: the id of a hosted assertion.
        (
            "obi->bakery svg json hosted",
            Box::new(|| obi_to_bakery(svg, OB2_JSON, HOSTED_URL)),
        ),
        (
            "obi->bakery svg json",
            Box::new(|| obi_to_bakery(svg, OB2_JSON_URN, OB2_JSON_URN)),
        ),
        (
            "obi->bakery svg jws",
            Box::new(|| obi_to_bakery(svg, &ob2_jws, &ob2_jws)),
        ),
        (
            "obi->bakery svg url",
            Box::new(|| obi_to_bakery(svg, HOSTED_URL, HOSTED_URL)),
        ),
        (
            "bakery->obi png json",
            Box::new(|| bakery_to_obi(&png, OB2_JSON, Version::Ob2)),
        ),
        (
            "bakery->obi png jws",
            Box::new(|| bakery_to_obi(&png, &ob2_jws, Version::Ob2)),
        ),
        (
            "bakery->obi png url",
            Box::new(|| bakery_to_obi(&png, HOSTED_URL, Version::Ob2)),
        ),
        (
            "bakery->obi svg json",
            Box::new(|| bakery_to_obi(svg, OB2_JSON, Version::Ob2)),
        ),
        (
            "bakery->obi svg jws",
            Box::new(|| bakery_to_obi(svg, &ob2_jws, Version::Ob2)),
        ),
        (
            "bakery->obi svg url",
            Box::new(|| bakery_to_obi(svg, HOSTED_URL, Version::Ob2)),
        ),
    ];
    let (mut passed, mut failed) = (0, 0);
    for (id, case) in &cases {
        match case() {
            Ok(()) => passed += 1,
            Err(e) => {
                failed += 1;
                println!("FAIL {id}: {e}");
            }
        }
    }
    println!("openbadges-bakery interop: {passed} passed, {failed} failed, 0 skipped");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
