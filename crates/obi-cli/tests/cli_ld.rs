//! `obi ld expand | to-rdf | canon` end to end, running the built binary. Expected canonical
//! forms come from Digital Bazaar's jsonld.js (see tests/data/ld/README.md).
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/ld")
        .join(name)
}

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

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn ok(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn fails(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(2),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stderr.clone()).unwrap()
}

fn expected(name: &str) -> String {
    std::fs::read_to_string(data(name)).unwrap()
}

#[test]
fn canon_ob3_minimal_matches_jsonld_js() {
    let out = ok(&obi(
        &["ld", "canon", s(&example("ob3-minimal.json"))],
        None,
    ));
    assert_eq!(out, expected("ob3-minimal.canon.nq"));
}

#[test]
fn canon_ob_spec_vector_document() {
    let out = ok(&obi(
        &["ld", "canon", s(&data("obv3p0-unsigned.json"))],
        None,
    ));
    assert_eq!(out, expected("obv3p0-document-canon.txt"));
}

#[test]
fn canon_nquads_input_with_blank_nodes_and_duplicates() {
    let out = ok(&obi(&["ld", "canon", s(&data("bnodes.nq"))], None));
    assert_eq!(out, expected("bnodes.canon.nq"));
    // Forced format, from standard input.
    let input = std::fs::read(data("bnodes.nq")).unwrap();
    let out = ok(&obi(
        &["ld", "canon", "--input", "nquads", "-"],
        Some(&input),
    ));
    assert_eq!(out, expected("bnodes.canon.nq"));
}

#[test]
fn canon_of_to_rdf_output_is_the_same() {
    let quads = ok(&obi(
        &["ld", "to-rdf", s(&example("ob3-minimal.json"))],
        None,
    ));
    assert!(quads.lines().count() >= 10);
    assert!(quads.lines().all(|l| l.ends_with(" .")));
    let out = ok(&obi(&["ld", "canon", "-"], Some(quads.as_bytes())));
    assert_eq!(out, expected("ob3-minimal.canon.nq"));
}

#[test]
fn doc_supplies_unpinned_contexts() {
    let doc = format!(
        "https://contexts.example/people.jsonld={}",
        s(&data("context.jsonld"))
    );
    let input = data("uses-context.json");
    let out = ok(&obi(&["ld", "canon", "--doc", &doc, s(&input)], None));
    assert_eq!(out, expected("uses-context.canon.nq"));
    let expanded: serde_json::Value =
        serde_json::from_str(&ok(&obi(&["ld", "expand", "--doc", &doc, s(&input)], None))).unwrap();
    assert_eq!(
        expanded[0]["https://example.org/vocab#name"][0]["@value"],
        "Alice"
    );
    // Without --doc the context is unavailable: a clear error naming the URL, exit 2.
    let err = fails(&obi(&["ld", "expand", s(&input)], None));
    assert!(
        err.contains("https://contexts.example/people.jsonld"),
        "{err}"
    );
    let err = fails(&obi(
        &["ld", "canon", "--doc", "no-equals-sign", s(&input)],
        None,
    ));
    assert!(err.contains("URL=FILE"), "{err}");
}

#[test]
fn safe_mode_is_on_unless_unsafe() {
    let doc = br#"{"@context":{"a":"urn:a"},"@id":"urn:s","a":"kept","b":"dropped"}"#;
    for cmd in ["expand", "to-rdf", "canon"] {
        let err = fails(&obi(&["ld", cmd, "-"], Some(doc)));
        assert!(err.contains("safe mode"), "{cmd}: {err}");
    }
    let quads = ok(&obi(&["ld", "to-rdf", "--unsafe", "-"], Some(doc)));
    assert_eq!(quads, "<urn:s> <urn:a> \"kept\" .\n");
    let expanded = ok(&obi(&["ld", "expand", "--unsafe", "-"], Some(doc)));
    assert!(expanded.contains("kept") && !expanded.contains("dropped"));
}

#[test]
fn base_resolves_relative_ids() {
    let doc = br#"{"@context":{"a":"urn:a"},"@id":"x/y","a":"v"}"#;
    let quads = ok(&obi(
        &["ld", "to-rdf", "--base", "https://example.org/docs/", "-"],
        Some(doc),
    ));
    assert_eq!(quads, "<https://example.org/docs/x/y> <urn:a> \"v\" .\n");
}

#[test]
fn allow_network_fetches_through_the_guard() {
    // A server on 127.0.0.1: the CLI's fetcher refuses loopback, so it is never contacted.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "https://127.0.0.1:{}/ctx.jsonld",
        listener.local_addr().unwrap().port()
    );
    let doc = format!(r#"{{"@context":"{url}","@id":"urn:s","name":"n"}}"#);
    let err = fails(&obi(
        &["ld", "expand", "--allow-network", "-"],
        Some(doc.as_bytes()),
    ));
    assert!(err.contains("private or reserved address"), "{err}");
    let err = fails(&obi(&["ld", "expand", "-"], Some(doc.as_bytes())));
    assert!(err.contains(&url) && !err.contains("private"), "{err}");
    // Plain http is refused before anything is resolved.
    let doc = doc.replace("https://", "http://");
    let err = fails(&obi(
        &["ld", "expand", "--allow-network", "-"],
        Some(doc.as_bytes()),
    ));
    assert!(err.contains("https only"), "{err}");
}

#[test]
fn bad_input_is_a_clear_error() {
    let err = fails(&obi(&["ld", "expand", "-"], Some(b"{not json")));
    assert!(err.contains("not JSON"), "{err}");
    let err = fails(&obi(&["ld", "canon", "-"], Some(b"<a> <b> .\n")));
    assert!(err.contains("N-Quads"), "{err}");
    let err = fails(&obi(&["ld", "canon", "/nonexistent/file.json"], None));
    assert!(err.contains("/nonexistent/file.json"), "{err}");
}

/// Serves `body` (a JSON-LD context) over plain http on 127.0.0.1 for up to `n` requests.
fn serve_context(body: &'static str, n: usize) -> String {
    use std::io::Read;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(n) {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/ld+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(body.as_bytes());
        }
    });
    format!("http://{addr}/ctx.jsonld")
}

#[test]
fn allow_private_network_reaches_a_local_server() {
    let url = serve_context(r#"{"@context":{"name":"http://schema.org/name"}}"#, 1);
    let doc = format!(r#"{{"@context":"{url}","@id":"urn:s","name":"n"}}"#);
    let out = ok(&obi(
        &[
            "ld",
            "expand",
            "--allow-network",
            "--allow-private-network",
            "-",
        ],
        Some(doc.as_bytes()),
    ));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["http://schema.org/name"][0]["@value"], "n", "{out}");
    // Without it, the same address is refused by the guard.
    let err = fails(&obi(
        &["ld", "expand", "--allow-network", "-"],
        Some(doc.as_bytes()),
    ));
    assert!(err.contains("https only"), "{err}");
    // It only makes sense with --allow-network.
    let o = obi(
        &["ld", "expand", "--allow-private-network", "-"],
        Some(b"{}"),
    );
    assert_eq!(o.status.code(), Some(2), "{o:?}");
}

#[test]
fn compact_with_a_context_file_and_a_pinned_iri() {
    let dir = std::env::temp_dir().join(format!("obi-ld-compact-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ctx = dir.join("ctx.json");
    std::fs::write(
        &ctx,
        r#"{"@context":{"name":"http://schema.org/name","id":"@id"}}"#,
    )
    .unwrap();
    let doc = br#"{"@id":"urn:s","http://schema.org/name":"n"}"#;
    let out = ok(&obi(
        &["ld", "compact", "--context", s(&ctx), "-"],
        Some(doc),
    ));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["id"], "urn:s", "{out}");
    assert_eq!(v["name"], "n", "{out}");
    assert_eq!(v["@context"]["name"], "http://schema.org/name", "{out}");
    // An OB 2.0 assertion written with full IRIs compacts to the canonical terms.
    let doc = br#"{"@id":"urn:uuid:1","@type":"https://w3id.org/openbadges#Assertion","https://w3id.org/openbadges#badge":{"@id":"https://example.org/b"}}"#;
    let out = ok(&obi(
        &[
            "ld",
            "compact",
            "--context",
            "https://w3id.org/openbadges/v2",
            "-",
        ],
        Some(doc),
    ));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["type"], "Assertion", "{out}");
    assert_eq!(v["badge"], "https://example.org/b", "{out}");
    assert_eq!(v["@context"], "https://w3id.org/openbadges/v2", "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
