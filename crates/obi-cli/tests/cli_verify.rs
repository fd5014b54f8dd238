//! `obi verify` end to end through the binary: offline with `--doc`, `--json`, directories,
//! stdin, exit codes, and a URL fetched from a 127.0.0.1 server the test starts.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const NOW: &str = "2025-06-15T00:00:00Z";
const STATUS_URL: &str = "https://issuer.example/status/1";

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../obi-verify/tests/data/corpus/ob3")
}

fn case(name: &str) -> String {
    corpus().join("cases").join(name).display().to_string()
}

fn status_doc() -> String {
    format!(
        "{STATUS_URL}={}",
        corpus().join("docs/issuer.example_status_1.json").display()
    )
}

fn obi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_obi"))
        .args(args)
        .output()
        .expect("run obi")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn offline_with_docs_genuine_and_tampered() {
    let doc = status_doc();
    let ok = obi(&[
        "verify",
        "--offline",
        "--now",
        NOW,
        "--doc",
        &doc,
        &case("valid-rdfc.json"),
    ]);
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    assert!(stdout(&ok).starts_with("genuine"), "{ok:?}");
    let bad = obi(&[
        "verify",
        "--offline",
        "--now",
        NOW,
        "--doc",
        &doc,
        &case("invalid-tampered-rdfc.json"),
    ]);
    assert_eq!(bad.status.code(), Some(1), "{bad:?}");
    assert!(stdout(&bad).starts_with("not genuine"));
    assert!(stdout(&bad).contains("VERIFY_SIGNATURE"));
    // Revoked through the supplied status list.
    let revoked = obi(&[
        "verify",
        "--offline",
        "--now",
        NOW,
        "--doc",
        &doc,
        &case("invalid-revoked.json"),
    ]);
    assert_eq!(revoked.status.code(), Some(1), "{revoked:?}");
    assert!(stdout(&revoked).contains("revoked"));
}

#[test]
fn missing_document_offline_is_named_and_exit_2() {
    let o = obi(&[
        "verify",
        "--offline",
        "--now",
        NOW,
        &case("valid-rdfc.json"),
    ]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(stdout(&o).contains(STATUS_URL), "{o:?}");
}

#[test]
fn json_report_has_the_validator_shape() {
    let doc = status_doc();
    let o = obi(&[
        "verify",
        "--offline",
        "--json",
        "--now",
        NOW,
        "--doc",
        &doc,
        "--recipient",
        "mallory@example.org",
        &case("valid-rdfc.json"),
    ]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["report"]["valid"], false);
    assert_eq!(v["report"]["openBadgesVersion"], "3.0");
    assert!(v["report"]["errorCount"].as_u64().unwrap() >= 1);
    let names: Vec<&str> = v["report"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"VERIFY_RECIPIENT_IDENTIFIER"), "{names:?}");
    assert!(v["graph"].is_array());
    assert!(
        v["input"]["source"]
            .as_str()
            .unwrap()
            .ends_with("valid-rdfc.json")
    );
}

#[test]
fn directory_gives_json_lines_and_stdin_works() {
    let dir = std::env::temp_dir().join(format!("obi-cli-verify-dir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(case("valid-jcs.json"), dir.join("a.json")).unwrap();
    std::fs::copy(case("invalid-tampered-jcs.json"), dir.join("b.json")).unwrap();
    std::fs::copy(case("valid-vc-jwt.jwt"), dir.join("c.jwt")).unwrap();
    let doc = status_doc();
    let d = dir.display().to_string();
    let o = obi(&[
        "verify",
        "--offline",
        "--json",
        "--jobs",
        "2",
        "--now",
        NOW,
        "--doc",
        &doc,
        &d,
    ]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    let valid = lines
        .iter()
        .filter(|l| l["report"]["valid"] == true)
        .count();
    assert_eq!(valid, 2);
    // The same credential on standard input.
    let mut child = Command::new(env!("CARGO_BIN_EXE_obi"))
        .args(["verify", "--offline", "--now", NOW, "--doc", &doc, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read(dir.join("a.json")).unwrap())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn usage_and_io_errors_exit_2() {
    let o = obi(&["verify", "--offline", "/nonexistent/badge.json"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let o = obi(&[
        "verify",
        "--offline",
        "--now",
        "yesterday",
        &case("valid-jcs.json"),
    ]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let o = obi(&[
        "verify",
        "--offline",
        "--recipient",
        "???",
        &case("valid-jcs.json"),
    ]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
}

/// Serves `body` for every request, `n` times, on 127.0.0.1.
fn serve(body: Vec<u8>, n: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(n) {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(&body);
        }
    });
    format!("http://{addr}/badge.json")
}

#[test]
fn url_from_a_local_server_needs_allow_private_network() {
    let body = std::fs::read(case("valid-jcs.json")).unwrap();
    let url = serve(body, 2);
    let doc = status_doc();
    let o = obi(&[
        "verify",
        "--now",
        NOW,
        "--doc",
        &doc,
        "--allow-private-network",
        &url,
    ]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(stdout(&o).starts_with("genuine"), "{o:?}");
    // Without the flag the loopback address is refused, with the URL in the message.
    let o = obi(&["verify", "--now", NOW, "--doc", &doc, &url]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(stdout(&o).contains("127.0.0.1"), "{o:?}");
}

/// Runs `obi verify --lines FILE --json` over `n` distinct credentials and returns the
/// child's peak resident set (VmHWM, kB), sampled from `/proc/PID/status` while it runs, and
/// the number of JSON lines it printed. `None` when `/proc` is not there.
#[allow(clippy::type_complexity)]
fn batch_peak_kb(
    dir: &Path,
    n: usize,
    long_line: bool,
) -> Option<(u64, usize, Option<i32>, String)> {
    // A credential with no proof: cheap to verify even in a debug build, yet it goes
    // through parsing, the JSON Schema, the model checks and a full report with its graph.
    let mut credential: serde_json::Value =
        serde_json::from_slice(&std::fs::read(case("invalid-no-proof.json")).unwrap()).unwrap();
    // No status list to fetch (offline, it would make every report incomplete: exit 2).
    credential
        .as_object_mut()
        .unwrap()
        .remove("credentialStatus");
    let input = dir.join(format!("batch-{n}.jsonl"));
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&input).unwrap());
        for i in 0..n {
            // Distinct ids, so nothing can be answered from a cache of identical inputs.
            credential["id"] = serde_json::json!(format!("urn:batch:{i}"));
            writeln!(f, "{credential}").unwrap();
            if long_line && i == 1 {
                // One line over the 64 MiB input limit: reported, never held whole.
                let chunk = vec![b' '; 1 << 20];
                for _ in 0..65 {
                    f.write_all(&chunk).unwrap();
                }
                writeln!(f).unwrap();
            }
        }
    }
    let output = dir.join(format!("batch-{n}.out"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_obi"))
        .args(["verify", "--offline", "--json", "--jobs", "2", "--now", NOW])
        .arg("--lines")
        .arg(&input)
        .stdout(std::fs::File::create(&output).unwrap())
        .stderr(std::fs::File::create(dir.join("stderr")).unwrap())
        .spawn()
        .unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0u64;
    let code = loop {
        if let Ok(status) = std::fs::read_to_string(&status_path)
            && let Some(kb) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak = peak.max(kb);
        } else if peak == 0 && !Path::new("/proc/self/status").exists() {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    let printed = std::fs::read_to_string(&output).unwrap();
    let mut count = 0;
    for line in printed.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["report"]["valid"], false, "{line}");
        count += 1;
    }
    let stderr = std::fs::read_to_string(dir.join("stderr")).unwrap();
    Some((peak, count, code, stderr))
}

/// A JSON-lines batch runs in constant memory: the peak resident set of 20,000 inputs is
/// within a few MiB of that of 5,000 (per-input retention of the ~3 KB report and graph
/// would add tens of MiB); every input gets its line.
#[test]
fn batch_memory_does_not_grow_with_the_number_of_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let Some((small, small_count, code, _)) = batch_peak_kb(dir.path(), 5_000, false) else {
        eprintln!("SKIPPED batch_memory_does_not_grow_with_the_number_of_inputs: no /proc");
        return;
    };
    assert_eq!(small_count, 5_000);
    assert_eq!(code, Some(1)); // every input invalid (no proof), none an I/O error
    let (large, large_count, code, _) = batch_peak_kb(dir.path(), 20_000, false).unwrap();
    assert_eq!(large_count, 20_000);
    assert_eq!(code, Some(1));
    eprintln!("peak RSS: 5,000 inputs {small} kB, 20,000 inputs {large} kB");
    assert!(small > 0 && large > 0);
    assert!(
        large < small + 8 * 1024,
        "peak RSS grew from {small} kB (5,000 inputs) to {large} kB (20,000 inputs)"
    );
}

/// A JSON-lines line over the 64 MiB input limit is an error for that line (named by its
/// number), the lines around it are verified.
#[test]
fn batch_line_over_the_input_limit_is_an_error_for_that_line() {
    let dir = tempfile::tempdir().unwrap();
    let Some((_, count, code, stderr)) = batch_peak_kb(dir.path(), 3, true) else {
        eprintln!("SKIPPED batch_line_over_the_input_limit_is_an_error_for_that_line: no /proc");
        return;
    };
    assert_eq!(count, 3);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("batch-3.jsonl:3: the line is over") && stderr.contains("input limit"),
        "{stderr}"
    );
}

/// `obi issue endorse --format ob2-hosted` makes an Open Badges 2.0 Endorsement that
/// `obi verify` accepts on its own (its published documents given with --doc), and a copy
/// whose claim was changed is not genuine.
#[test]
fn an_ob2_endorsement_issued_by_obi_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("endorser");
    let init = obi(&[
        "issue",
        "init",
        dir.to_str().unwrap(),
        "--name",
        "Endorsing Body",
        "--url",
        "https://endorser.example",
        "--email",
        "endorse@endorser.example",
    ]);
    assert_eq!(init.status.code(), Some(0), "{init:?}");
    let out = tmp.path().join("endorsement.json");
    let base = "https://endorser.example/ob2";
    let endorse = obi(&[
        "issue",
        "endorse",
        "--issuer",
        dir.join("issuer.json").to_str().unwrap(),
        "--subject",
        "https://issuer.example/badges/1",
        "--comment",
        "A rigorous badge.",
        "--format",
        "ob2-hosted",
        "--base-url",
        base,
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(endorse.status.code(), Some(0), "{endorse:?}");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let id = doc["id"].as_str().unwrap().to_owned();
    let publish = tmp.path().join("publish");
    let hosted = publish.join(id.strip_prefix(&format!("{base}/")).unwrap());
    let docs = [
        format!("{id}={}", hosted.display()),
        format!(
            "{base}/issuer.json={}",
            publish.join("issuer.json").display()
        ),
    ];
    let verify = |file: &Path| {
        obi(&[
            "verify",
            "--offline",
            "--json",
            "--doc",
            &docs[0],
            "--doc",
            &docs[1],
            file.to_str().unwrap(),
        ])
    };
    let ok = verify(&out);
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    let report: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(report["report"]["openBadgesVersion"], "2.0", "{report}");
    let mut tampered = doc.clone();
    tampered["claim"]["endorsementComment"] = serde_json::json!("The best badge ever.");
    let bad_file = tmp.path().join("tampered.json");
    std::fs::write(&bad_file, serde_json::to_vec(&tampered).unwrap()).unwrap();
    let bad = verify(&bad_file);
    assert_eq!(bad.status.code(), Some(1), "{bad:?}");
    assert!(stdout(&bad).contains("VERIFY_ENDORSEMENT"), "{bad:?}");
}

/// `--challenge` reaches the verifier: a presentation without a proof cannot carry it.
#[test]
fn challenge_requires_a_presentation_proof() {
    let doc = status_doc();
    let plain = obi(&[
        "verify",
        "--offline",
        "--now",
        NOW,
        "--doc",
        &doc,
        &case("valid-presentation.json"),
    ]);
    assert_eq!(plain.status.code(), Some(0), "{plain:?}");
    let challenged = obi(&[
        "verify",
        "--offline",
        "--now",
        NOW,
        "--doc",
        &doc,
        "--challenge",
        "c0ffee",
        &case("valid-presentation.json"),
    ]);
    assert_eq!(challenged.status.code(), Some(1), "{challenged:?}");
    assert!(
        stdout(&challenged).contains("VERIFY_PRESENTATION_PROOF"),
        "{challenged:?}"
    );
}
