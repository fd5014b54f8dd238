//! Full OB 3.0 verification of a typical credential: eddsa-rdfc-2022 proof, JSON Schema,
//! contexts, dates, and a BitstringStatusList fetched from a `MapFetcher` (its own proof
//! verified too). Inputs come from the committed corpus.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use obi_fetch::MapFetcher;
use obi_verify::{Input, Options, verify};

fn corpus(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/corpus/ob3")
            .join(rel),
    )
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let credential = corpus("cases/valid-rdfc.json");
    let value: serde_json::Value = serde_json::from_slice(&credential).unwrap();
    let fetcher = MapFetcher::new().with_json(
        "https://issuer.example/status/1",
        corpus("docs/issuer.example_status_1.json"),
    );
    let now = chrono::DateTime::parse_from_rfc3339("2025-06-15T00:00:00Z")
        .unwrap()
        .to_utc();
    let options = Options::new()
        .with_fetcher(Arc::new(fetcher))
        .with_offline(true)
        .with_now(now);
    assert!(verify(Input::Json(value.clone()), &options).valid);
    let mut g = c.benchmark_group("verify_ob3");
    g.throughput(Throughput::Elements(1));
    g.bench_function("eddsa-rdfc-2022 + schema + status list (bytes)", |b| {
        b.iter(|| verify(Input::bytes("c.json", credential.clone()), &options));
    });
    let no_status = {
        let mut v = value.clone();
        v.as_object_mut().unwrap().remove("credentialStatus");
        v
    };
    g.bench_function("eddsa-rdfc-2022 + schema, no status (json)", |b| {
        b.iter(|| verify(Input::Json(no_status.clone()), &options));
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
