//! Data-driven suite over `tests/data/ob-examples/manifest.json`: every example parses
//! into the typed model, round-trips losslessly (JSON value equality after parse →
//! serialize), 3.0 credentials validate against the pinned schema, legacy badges upgrade
//! to the expected 2.0 JSON, 2.0 assertions convert to schema-valid 3.0 credentials, and
//! every broken document fails with the expected message. Prints one line per failure
//! and a count line; exits non-zero on any failure.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use obi_model::json::{self, JsonError};
use obi_model::upgrade::{self, UpgradeOptions};
use obi_model::{convert, ob2, ob3, schema};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ob-examples")
}

fn read(file: &str) -> Result<Vec<u8>, String> {
    std::fs::read(data_dir().join(file)).map_err(|e| format!("reading {file}: {e}"))
}

fn read_json(file: &str) -> Result<Value, String> {
    json::parse(&read(file)?).map_err(|e| format!("{file}: {e}"))
}

/// Typed parse and lossless round trip; the error message when the parse fails.
fn typed_roundtrip<T: DeserializeOwned + Serialize>(
    value: &Value,
) -> Result<Result<T, String>, String> {
    let typed: T = match json::from_value(value) {
        Ok(t) => t,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let back = serde_json::to_value(&typed).map_err(|e| format!("serialize: {e}"))?;
    if &back != value {
        return Err(format!(
            "round trip changed the document:\n  in:  {value}\n  out: {back}"
        ));
    }
    Ok(Ok(typed))
}

fn typed_by_model(model: &str, value: &Value) -> Result<Result<(), String>, String> {
    fn unit<T>(r: Result<Result<T, String>, String>) -> Result<Result<(), String>, String> {
        r.map(|x| x.map(|_| ()))
    }
    match model {
        "ob2-assertion" => unit(typed_roundtrip::<ob2::Assertion>(value)),
        "ob2-badgeclass" => unit(typed_roundtrip::<ob2::BadgeClass>(value)),
        "ob2-profile" => unit(typed_roundtrip::<ob2::Profile>(value)),
        "ob2-endorsement" => unit(typed_roundtrip::<ob2::Endorsement>(value)),
        "ob2-revocationlist" => unit(typed_roundtrip::<ob2::RevocationList>(value)),
        "ob2-cryptographickey" => unit(typed_roundtrip::<ob2::CryptographicKey>(value)),
        "ob3-credential" => unit(typed_roundtrip::<ob3::OpenBadgeCredential>(value)),
        "ob3-endorsement" => unit(typed_roundtrip::<ob3::EndorsementCredential>(value)),
        other => Err(format!("unknown model {other}")),
    }
}

/// Compares an outcome with the manifest's expected error (if any).
fn expect(case: &Value, outcome: Result<(), String>) -> Result<(), String> {
    match (case.get("error").and_then(Value::as_str), outcome) {
        (None, Ok(())) => Ok(()),
        (None, Err(e)) => Err(e),
        (Some(want), Ok(())) => Err(format!(
            "expected an error containing {want:?}, got success"
        )),
        (Some(want), Err(got)) if got.contains(want) => Ok(()),
        (Some(want), Err(got)) => Err(format!(
            "expected an error containing {want:?}, got {got:?}"
        )),
    }
}

fn check_schema(case: &Value, value: &Value) -> Result<(), String> {
    let errors = schema::validate_ob3(value).map_err(|e| e.to_string())?;
    match case.get("schemaErrors").and_then(Value::as_array) {
        None => {
            if errors.is_empty() {
                Ok(())
            } else {
                let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
                Err(format!("schema errors: {}", list.join("; ")))
            }
        }
        Some(expected) => {
            for e in expected {
                let [path, keyword, text] =
                    [0, 1, 2].map(|i| e.get(i).and_then(Value::as_str).unwrap_or(""));
                let found = errors.iter().any(|got| {
                    got.instance_path == path
                        && got.keyword == keyword
                        && got.message.contains(text)
                });
                if !found {
                    let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
                    return Err(format!(
                        "expected schema error at {path:?} ({keyword}, {text:?}); got: {}",
                        list.join("; ")
                    ));
                }
            }
            Ok(())
        }
    }
}

fn upgraded(file: &str, source: Option<&str>) -> Result<Value, String> {
    let value = read_json(file)?;
    let options = source.map_or_else(UpgradeOptions::new, |s| {
        UpgradeOptions::new().with_source(s)
    });
    upgrade::upgrade_with(value, &options)
        .map(|u| u.value)
        .map_err(|e| e.to_string())
}

fn run_convert(case: &Value) -> Result<(), String> {
    let s = |k: &str| case.get(k).and_then(Value::as_str);
    let file = s("file").ok_or("no file")?;
    let assertion_value = match upgraded(file, s("source")) {
        Ok(v) => v,
        Err(e) => return expect(case, Err(e)),
    };
    let assertion: ob2::Assertion =
        json::from_value(&assertion_value).map_err(|e| e.to_string())?;
    let badge_class: Option<ob2::BadgeClass> = match s("badgeClass") {
        Some(f) => Some(
            json::from_value(&upgraded(f, s("badgeClassSource"))?).map_err(|e| e.to_string())?,
        ),
        None => None,
    };
    let issuer: Option<ob2::Profile> = match s("issuer") {
        Some(f) => {
            Some(json::from_value(&upgraded(f, s("issuerSource"))?).map_err(|e| e.to_string())?)
        }
        None => None,
    };
    let converted = match convert::ob2_to_ob3(&assertion, badge_class.as_ref(), issuer.as_ref()) {
        Ok(c) => c,
        Err(e) => return expect(case, Err(e.to_string())),
    };
    expect(case, Ok(()))?;
    let out = serde_json::to_value(&converted.credential).map_err(|e| e.to_string())?;
    check_schema(case, &out)?;
    typed_roundtrip::<ob3::OpenBadgeCredential>(&out)?.map(|_| ())?;
    if out.get("id") != assertion_value.get("id") {
        return Err("converted credential lost the assertion id".into());
    }
    Ok(())
}

fn run_upgrade(case: &Value) -> Result<(), String> {
    let s = |k: &str| case.get(k).and_then(Value::as_str);
    let value = read_json(s("file").ok_or("no file")?)?;
    let detected = upgrade::detect_version(&value).map(|v| v.to_string());
    let options = s("source").map_or_else(UpgradeOptions::new, |src| {
        UpgradeOptions::new().with_source(src)
    });
    let up = match upgrade::upgrade_with(value, &options) {
        Ok(u) => u,
        Err(e) => return expect(case, Err(e.to_string())),
    };
    expect(case, Ok(()))?;
    if let Some(version) = s("version")
        && (detected.as_deref() != Some(version) || up.from.to_string() != version)
    {
        return Err(format!("detected version {detected:?}, expected {version}"));
    }
    if up.changes.is_empty() {
        return Err("an upgrade from 1.x reported no changes".into());
    }
    if let Some(expected) = s("expected") {
        let want = read_json(expected)?;
        if up.value != want {
            return Err(format!("upgraded to\n  {}\nexpected\n  {want}", up.value));
        }
    }
    let then = s("then").ok_or("no `then` model")?;
    typed_by_model(then, &up.value)??;
    // Upgrading the result again changes nothing.
    let again = upgrade::upgrade(up.value.clone()).map_err(|e| e.to_string())?;
    if again.value != up.value || !again.changes.is_empty() {
        return Err("upgrading the 2.0 result again changed it".into());
    }
    Ok(())
}

fn run_case(case: &Value, skips: &[Value], skipped: &mut usize) -> Result<(), String> {
    let id = case.get("id").and_then(Value::as_str).unwrap_or("?");
    let model = case
        .get("model")
        .and_then(Value::as_str)
        .ok_or("no model")?;
    match model {
        "upgrade" => return run_upgrade(case),
        "convert" => return run_convert(case),
        _ => {}
    }
    let bytes = match case.get("generate").and_then(Value::as_str) {
        Some("deep") => "[".repeat(10_000).into_bytes(),
        Some("large") => vec![b' '; 50 * 1024 * 1024],
        Some(other) => return Err(format!("unknown generator {other}")),
        None => read(case.get("file").and_then(Value::as_str).ok_or("no file")?)?,
    };
    let value = match json::parse(&bytes) {
        Ok(v) => v,
        Err(e) => {
            if matches!(
                e,
                JsonError::TooLarge { .. } | JsonError::TooDeep { .. } | JsonError::Syntax { .. }
            ) {
                return expect(case, Err(e.to_string()));
            }
            return Err(format!("unexpected error kind {e:?}"));
        }
    };
    if model == "json" {
        return expect(case, Ok(()));
    }
    let typed = typed_by_model(model, &value)?;
    let has_schema_expectation = case.get("schemaErrors").is_some();
    expect(case, typed)?;
    match case.get("schema") {
        Some(Value::Bool(true)) => check_schema(case, &value)?,
        Some(Value::String(s)) if s == "skip" => {
            let listed = skips.iter().any(|s| {
                s.get("id").and_then(Value::as_str) == Some(id)
                    && s.get("reason")
                        .and_then(Value::as_str)
                        .is_some_and(|r| !r.is_empty())
            });
            if !listed {
                return Err("schema check skipped without an entry (and reason) in `skips`".into());
            }
            *skipped += 1;
        }
        _ if has_schema_expectation => check_schema(case, &value)?,
        _ => {}
    }
    Ok(())
}

fn main() -> ExitCode {
    let manifest = match read_json("manifest.json") {
        Ok(m) => m,
        Err(e) => {
            eprintln!("cannot read manifest: {e}");
            return ExitCode::FAILURE;
        }
    };
    let cases = manifest
        .get("tests")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let skips = manifest
        .get("skips")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let (mut passed, mut failed, mut skipped) = (0usize, 0usize, 0usize);
    for case in &cases {
        let id = case.get("id").and_then(Value::as_str).unwrap_or("?");
        match run_case(case, &skips, &mut skipped) {
            Ok(()) => passed += 1,
            Err(e) => {
                failed += 1;
                println!("FAIL {id}: {e}");
            }
        }
    }
    println!(
        "OB examples: {passed} passed, {failed} failed, {skipped} schema checks skipped (listed with reasons)"
    );
    if failed == 0 && passed > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
