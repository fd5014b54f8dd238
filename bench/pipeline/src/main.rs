//! `obi-bench-pipeline`: times obi in-process on the files `bench/run` generates, with the same
//! timing loop as the peer scripts in `bench/peers/` (a warm-up of a third of SECONDS, then calls
//! until SECONDS have passed, at least one), so that the two sides are measured alike.
//! Every mode prints one JSON line per measurement:
//! `{"op", "input", "n", "perSec", ...}`.
//!
//! ```text
//! obi-bench-pipeline ld SECONDS FILE...          JSON-LD expand + toRdf + RDFC-1.0 (safe mode)
//! obi-bench-pipeline di SECONDS OUTDIR FILE...   eddsa-rdfc-2022 sign and verify (did:key)
//! obi-bench-pipeline jwt SECONDS OUTDIR FILE     VC-JWT verify: EdDSA (kid did:key), ES256 and
//!                                                RS256 (jwk header)
//! obi-bench-pipeline bake SECONDS DIR            bake DIR/plain-*.{png,svg}, unbake DIR/baked-*
//! ```
//!
//! `di` and `jwt` write what they signed to OUTDIR (`signed-FILE`, `jwt-ALG.txt`) so that the
//! peers verify the very same documents; `bake` writes `DIR/baked-*` (obi's output, which both
//! sides then unbake).
#![forbid(unsafe_code)]

/// With `--features mimalloc`, the allocator the `obi` binary ships with.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use obi_ld::{Options, Processor, ToRdfOptions};
use obi_proof::{
    ASSERTION_METHOD, JwsLimits, JwtKeyHeader, KeyPair, KeyType, LdCanonicalizer, ProofOptions,
    Resolver, Suite, add_proof, add_proof_owned, sign_vc_jwt, verify_proofs, verify_vc_jwt,
};
use obi_rdf::Canonicalizer;
use serde_json::{Value, json};

type Result<T> = std::result::Result<T, String>;

/// Warms up (calls `f` for a third of `budget`, at least once), then calls it until `budget` has
/// passed (at least one call). Returns (calls timed, calls per second).
fn timed(budget: Duration, mut f: impl FnMut() -> Result<()>) -> Result<(u64, f64)> {
    let warm = Instant::now();
    f()?;
    while warm.elapsed() < budget / 3 {
        f()?;
    }
    let start = Instant::now();
    let mut n = 0u64;
    while n < 1 || start.elapsed() < budget {
        f()?;
        n += 1;
    }
    #[allow(clippy::cast_precision_loss)] // n is far below 2^52
    Ok((n, n as f64 / start.elapsed().as_secs_f64()))
}

fn emit(op: &str, input: &str, n: u64, per_sec: f64, extra: Value) {
    let mut line =
        json!({"op": op, "input": input, "n": n, "perSec": (per_sec * 10.0).round() / 10.0});
    if let (Some(map), Value::Object(extra)) = (line.as_object_mut(), extra) {
        map.extend(extra);
    }
    println!("{line}");
}

fn name_of(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

fn read_json(path: &Path) -> Result<Value> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn without_proof(mut doc: Value) -> Value {
    if let Some(map) = doc.as_object_mut() {
        map.remove("proof");
    }
    doc
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn ld(budget: Duration, files: &[PathBuf]) -> Result<()> {
    let processor = Processor::pinned();
    let opts = Options::new().with_safe_mode(true);
    let rdf = ToRdfOptions::new().with_safe_mode(true);
    let canon = Canonicalizer::new();
    let run = |doc: &Value| -> Result<String> {
        // What Data Integrity runs: expansion fed to toRdf directly (no serde_json tree).
        let quads = processor
            .to_rdf(doc, &opts, &rdf)
            .map_err(|e| e.to_string())?;
        canon
            .canonicalize_to_nquads(&quads)
            .map_err(|e| e.to_string())
    };
    for file in files {
        let doc = without_proof(read_json(file)?);
        let quads = run(&doc)?.lines().count();
        let (n, per_sec) = timed(budget, || run(black_box(&doc)).map(drop))?;
        emit("ld", &name_of(file), n, per_sec, json!({"quads": quads}));
    }
    Ok(())
}

/// The credential with its proof removed and its issuer set to `issuer`.
fn issued_by(doc: Value, issuer: &str) -> Value {
    let mut c = without_proof(doc);
    if c["issuer"].is_object() {
        c["issuer"]["id"] = Value::String(issuer.into());
    } else {
        c["issuer"] = Value::String(issuer.into());
    }
    c
}

fn di(budget: Duration, out: &Path, files: &[PathBuf]) -> Result<()> {
    let key = KeyPair::ed25519_from_seed(&[7; 32]);
    let vm = key.public_key().did_key_verification_method();
    let resolver = Resolver::new();
    let canon = LdCanonicalizer::pinned();
    let options =
        ProofOptions::new(Suite::EddsaRdfc2022, vm.clone()).with_created("2024-01-01T00:00:00Z");
    for file in files {
        let name = name_of(file);
        let cred = issued_by(read_json(file)?, &key.public_key().did_key());
        let signed = add_proof(&cred, &options, &key, &canon).map_err(|e| e.to_string())?;
        // Signing as an issuer does: the credential it built is secured in place (no copy),
        // then the proof is taken off again for the next round.
        let mut doc = Some(cred.clone());
        let (n, per_sec) = timed(budget, || {
            let unsigned = doc.take().ok_or("no document")?;
            let secured = add_proof_owned(black_box(unsigned), &options, &key, &canon)
                .map_err(|e| e.to_string())?;
            let Value::Object(mut secured) = secured else {
                return Err("not an object".into());
            };
            secured.shift_remove("proof");
            doc = Some(Value::Object(secured));
            Ok(())
        })?;
        emit("di_sign", &name, n, per_sec, json!({}));
        write(
            &out.join(format!("signed-{name}")),
            &serde_json::to_string_pretty(&signed).map_err(|e| e.to_string())?,
        )?;
        let verify = || {
            verify_proofs(black_box(&signed), ASSERTION_METHOD, &resolver, &canon)
                .map_err(|e| e.to_string())
        };
        verify()?;
        let (n, per_sec) = timed(budget, || verify().map(drop))?;
        emit("di_verify", &name, n, per_sec, json!({}));
    }
    Ok(())
}

fn jwt(budget: Duration, out: &Path, file: &Path) -> Result<()> {
    let resolver = Resolver::new();
    let limits = JwsLimits::new();
    let now = 1_750_000_000;
    let ed = KeyPair::ed25519_from_seed(&[7; 32]);
    let p256 = KeyPair::generate(KeyType::P256).map_err(|e| e.to_string())?;
    let rsa = KeyPair::generate(KeyType::Rsa).map_err(|e| e.to_string())?;
    let doc = read_json(file)?;
    let https_issuer = "https://example.edu/issuers/565049";
    let cases = [
        (
            "EdDSA",
            issued_by(doc.clone(), &ed.public_key().did_key()),
            &ed,
            JwtKeyHeader::Kid(ed.public_key().did_key_verification_method()),
        ),
        (
            "ES256",
            issued_by(doc.clone(), https_issuer),
            &p256,
            JwtKeyHeader::Jwk,
        ),
        (
            "RS256",
            issued_by(doc, https_issuer),
            &rsa,
            JwtKeyHeader::Jwk,
        ),
    ];
    for (alg, cred, key, header) in cases {
        let token = sign_vc_jwt(&cred, key, &header).map_err(|e| e.to_string())?;
        write(&out.join(format!("jwt-{alg}.txt")), &token)?;
        let verify = || {
            verify_vc_jwt(black_box(&token), &resolver, &limits, now)
                .map(drop)
                .map_err(|e| e.to_string())
        };
        verify()?;
        let (n, per_sec) = timed(budget, verify)?;
        emit("jwt_verify", alg, n, per_sec, json!({}));
    }
    Ok(())
}

fn bake(budget: Duration, dir: &Path) -> Result<()> {
    let payload = obi_bake::Payload::detect(
        std::fs::read_to_string(dir.join("payload.json")).map_err(|e| e.to_string())?,
    );
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    for name in names.iter().filter(|n| n.starts_with("plain-")) {
        let image = std::fs::read(dir.join(name)).map_err(|e| e.to_string())?;
        let mut baked = Vec::with_capacity(image.len() + 8192);
        let mut run = || {
            baked.clear();
            obi_bake::bake(black_box(&image), &mut baked, &payload, None)
                .map(drop)
                .map_err(|e| e.to_string())
        };
        let (n, per_sec) = timed(budget, &mut run)?;
        run()?;
        let out = dir.join(name.replacen("plain-", "baked-", 1));
        std::fs::write(&out, &baked).map_err(|e| e.to_string())?;
        emit("bake", name, n, per_sec, json!({"bytes": image.len()}));
    }
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.starts_with("baked-") || n.starts_with("late-"))
        .collect();
    names.sort();
    for name in &names {
        let image = std::fs::read(dir.join(name)).map_err(|e| e.to_string())?;
        let run = || match obi_bake::unbake(black_box(&image)) {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(format!("{name}: no badge found")),
            Err(e) => Err(format!("{name}: {e}")),
        };
        let (n, per_sec) = timed(budget, run)?;
        emit("unbake", name, n, per_sec, json!({"bytes": image.len()}));
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: obi-bench-pipeline (ld SECONDS FILE... | di SECONDS OUTDIR FILE... | \
                 jwt SECONDS OUTDIR FILE | bake SECONDS DIR)";
    let (Some(mode), Some(secs)) = (args.first(), args.get(1)) else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let Ok(secs) = secs.parse::<f64>() else {
        eprintln!("SECONDS must be a number, not {secs}");
        return ExitCode::from(2);
    };
    let budget = Duration::from_secs_f64(secs.clamp(0.0, 3600.0));
    let rest: Vec<PathBuf> = args[2..].iter().map(PathBuf::from).collect();
    let result = match (mode.as_str(), rest.as_slice()) {
        ("ld", files) if !files.is_empty() => ld(budget, files),
        ("di", [out, files @ ..]) if !files.is_empty() => di(budget, out, files),
        ("jwt", [out, file]) => jwt(budget, out, file),
        ("bake", [dir]) => bake(budget, dir),
        _ => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("obi-bench-pipeline {mode}: {e}");
            ExitCode::FAILURE
        }
    }
}
