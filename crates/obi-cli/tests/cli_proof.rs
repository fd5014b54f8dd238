//! `obi keys`, `obi sign`, `obi verify --offline`: end to end through the binary.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn obi(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_obi"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run obi")
}

struct TempDir(PathBuf);
impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("obi-cli-proof-{name}-{}", std::process::id()));
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

fn credential(issuer: &str) -> String {
    serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:9e5a3b5c-2f2e-4b8e-9a61-5f0e8b6f2c11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Example"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "Teamwork",
        "credentialSubject": {"id": "did:example:learner", "type": ["AchievementSubject"],
            "achievement": {"id": "urn:uuid:1", "type": ["Achievement"], "name": "Teamwork",
                "description": "d", "criteria": {"narrative": "n"}}}
    })
    .to_string()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn keys_generate_show_and_file_mode() {
    let t = TempDir::new("keys");
    for kind in ["ed25519", "p256"] {
        let file = format!("{kind}.json");
        let o = obi(&["keys", "generate", "--type", kind, "-o", &file], &t.0);
        assert!(o.status.success(), "{o:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(t.0.join(&file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Refuses to overwrite without --force.
        let again = obi(&["keys", "generate", "--type", kind, "-o", &file], &t.0);
        assert_eq!(again.status.code(), Some(2));
        let forced = obi(
            &["keys", "generate", "--type", kind, "-o", &file, "--force"],
            &t.0,
        );
        assert!(forced.status.success());
        let shown = obi(&["keys", "show", &file], &t.0);
        assert!(shown.status.success());
        let v: serde_json::Value = serde_json::from_str(&stdout(&shown)).unwrap();
        assert!(v["did"].as_str().unwrap().starts_with("did:key:z"));
        assert!(v["publicKeyJwk"].get("d").is_none());
        assert!(!stdout(&shown).contains("\"d\""));
        let private = obi(&["keys", "show", &file, "--private"], &t.0);
        assert!(stdout(&private).contains("\"d\""));
    }
    let bad = obi(&["keys", "generate", "--type", "dsa", "-o", "x.json"], &t.0);
    assert_eq!(bad.status.code(), Some(2));
}

fn did_of(dir: &Path, key: &str) -> String {
    let v: serde_json::Value =
        serde_json::from_str(&stdout(&obi(&["keys", "show", key], dir))).unwrap();
    v["did"].as_str().unwrap().to_string()
}

#[test]
fn sign_and_verify_offline() {
    let t = TempDir::new("sign");
    assert!(
        obi(&["keys", "generate", "-o", "k.json"], &t.0)
            .status
            .success()
    );
    let did = did_of(&t.0, "k.json");
    std::fs::write(t.0.join("c.json"), credential(&did)).unwrap();
    for format in ["eddsa-rdfc-2022", "eddsa-jcs-2022", "jwt"] {
        let signed = obi(
            &["sign", "c.json", "--key", "k.json", "--format", format],
            &t.0,
        );
        assert!(signed.status.success(), "{signed:?}");
        let out = stdout(&signed);
        std::fs::write(t.0.join("s"), &out).unwrap();
        let ok = obi(&["verify", "--offline", "s"], &t.0);
        assert_eq!(ok.status.code(), Some(0), "{ok:?}");
        assert!(stdout(&ok).starts_with("genuine"));
        // One changed byte in the signed content: not genuine.
        let tampered = if format == "jwt" {
            let mut parts: Vec<String> = out.trim().split('.').map(String::from).collect();
            let payload = &mut parts[1];
            let i = payload.len() / 2;
            let c = if &payload[i..=i] == "A" { "B" } else { "A" };
            payload.replace_range(i..=i, c);
            parts.join(".")
        } else {
            out.replace("\"Teamwork\"", "\"Teamwork!\"")
        };
        std::fs::write(t.0.join("t"), tampered).unwrap();
        let bad = obi(&["verify", "--offline", "t"], &t.0);
        assert_eq!(bad.status.code(), Some(1), "{format}: {bad:?}");
        assert!(stdout(&bad).starts_with("not genuine"));
    }
}

#[test]
fn default_format_is_eddsa_rdfc_2022_and_unknown_contexts_cannot_be_checked() {
    let t = TempDir::new("rdfc");
    assert!(
        obi(&["keys", "generate", "-o", "k.json"], &t.0)
            .status
            .success()
    );
    let did = did_of(&t.0, "k.json");
    std::fs::write(t.0.join("c.json"), credential(&did)).unwrap();
    let signed = obi(&["sign", "c.json", "--key", "k.json"], &t.0);
    assert!(signed.status.success(), "{signed:?}");
    let doc: serde_json::Value = serde_json::from_slice(&signed.stdout).unwrap();
    assert_eq!(doc["proof"]["cryptosuite"], "eddsa-rdfc-2022");
    assert_eq!(doc["proof"]["type"], "DataIntegrityProof");
    let mut unknown = doc.clone();
    unknown["@context"][1] = serde_json::json!("https://example.org/unknown-context/v1");
    std::fs::write(t.0.join("u.json"), unknown.to_string()).unwrap();
    let o = obi(&["verify", "--offline", "u.json"], &t.0);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    // An added property the contexts do not define: refused by safe mode, not genuine.
    let mut extra = doc;
    extra["notDefinedAnywhere"] = serde_json::json!("x");
    std::fs::write(t.0.join("x.json"), extra.to_string()).unwrap();
    let o = obi(&["verify", "--offline", "x.json"], &t.0);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
}

/// `obi sign` on a presentation: the holder's `authentication` proof with the verifier's
/// challenge and domain, which `obi verify --challenge --domain` then checks.
#[test]
fn sign_a_presentation_as_its_holder_with_a_challenge() {
    let t = TempDir::new("vp");
    assert!(
        obi(&["keys", "generate", "-o", "issuer.json"], &t.0)
            .status
            .success()
    );
    assert!(
        obi(&["keys", "generate", "-o", "holder.json"], &t.0)
            .status
            .success()
    );
    let issuer = did_of(&t.0, "issuer.json");
    let holder = did_of(&t.0, "holder.json");
    std::fs::write(t.0.join("c.json"), credential(&issuer)).unwrap();
    let signed = obi(&["sign", "c.json", "--key", "issuer.json"], &t.0);
    assert!(signed.status.success(), "{signed:?}");
    let credential: serde_json::Value = serde_json::from_str(&stdout(&signed)).unwrap();
    let vp = serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": holder,
        "verifiableCredential": [credential]
    });
    std::fs::write(t.0.join("vp.json"), vp.to_string()).unwrap();
    let args = |key: &'static str| {
        vec![
            "sign",
            "vp.json",
            "--key",
            key,
            "--challenge",
            "c-42",
            "--domain",
            "https://v.example",
        ]
    };
    let refused = obi(&args("issuer.json"), &t.0);
    assert!(!refused.status.success(), "another key than the holder's");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("holder"),
        "{refused:?}"
    );
    let signed = obi(&args("holder.json"), &t.0);
    assert!(signed.status.success(), "{signed:?}");
    let out: serde_json::Value = serde_json::from_str(&stdout(&signed)).unwrap();
    assert_eq!(out["proof"]["proofPurpose"], "authentication");
    assert_eq!(out["proof"]["challenge"], "c-42");
    std::fs::write(t.0.join("svp.json"), stdout(&signed)).unwrap();
    let verify = |challenge: &str| {
        obi(
            &[
                "verify",
                "--offline",
                "--challenge",
                challenge,
                "--domain",
                "https://v.example",
                "svp.json",
            ],
            &t.0,
        )
    };
    let ok = verify("c-42");
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    let replay = verify("c-43");
    assert_eq!(replay.status.code(), Some(1), "{replay:?}");
    // --challenge on a credential is a mistake, said so.
    let wrong = obi(
        &["sign", "c.json", "--key", "issuer.json", "--challenge", "x"],
        &t.0,
    );
    assert!(!wrong.status.success());
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("presentations"),
        "{wrong:?}"
    );
}

#[test]
fn sign_refuses_a_different_issuer_did() {
    let t = TempDir::new("issuer");
    assert!(
        obi(&["keys", "generate", "-o", "k.json"], &t.0)
            .status
            .success()
    );
    std::fs::write(
        t.0.join("c.json"),
        credential("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"),
    )
    .unwrap();
    let o = obi(
        &[
            "sign",
            "c.json",
            "--key",
            "k.json",
            "--format",
            "eddsa-jcs-2022",
        ],
        &t.0,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("refusing to sign"));
}

#[test]
fn verify_rejects_garbage_without_panicking() {
    let t = TempDir::new("garbage");
    for (name, content) in [
        ("a", "not.a.jws"),
        ("b", "{}"),
        ("c", "a.b"),
        ("d", "{\"proof\": 5}"),
    ] {
        std::fs::write(t.0.join(name), content).unwrap();
        let o = obi(&["verify", "--offline", name], &t.0);
        assert!(matches!(o.status.code(), Some(1 | 2)), "{name}: {o:?}");
    }
}
