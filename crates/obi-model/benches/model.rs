//! Parse, typed parse, round trip, schema validation, upgrade and conversion over the
//! suite's example documents, plus the limit checks on hostile input.
#![allow(clippy::unwrap_used)] // benchmark setup on the bundled examples: a failure is a bug

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use obi_model::{convert, json, ob2, ob3, schema, upgrade};

fn data(file: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/ob-examples")
        .join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn benches(c: &mut Criterion) {
    let complete = data("ob3/spec-complete-openbadgecredential.json");
    let complete_value = json::parse(&complete).unwrap();
    let assertion = data("ob2/assertion-embedded.json");
    let assertion_value = json::parse(&assertion).unwrap();
    let legacy = json::parse(&data("legacy/ob10-assertion-hosted.json")).unwrap();

    let mut g = c.benchmark_group("ob3-spec-complete");
    g.throughput(Throughput::Bytes(complete.len() as u64));
    g.bench_function("serde_json::from_slice (baseline)", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&complete)).unwrap())
    });
    g.bench_function("json::parse", |b| {
        b.iter(|| json::parse(black_box(&complete)).unwrap())
    });
    g.bench_function("typed parse", |b| {
        b.iter(|| json::from_slice::<ob3::OpenBadgeCredential>(black_box(&complete)).unwrap())
    });
    g.bench_function("typed round trip (value)", |b| {
        b.iter(|| {
            let c: ob3::OpenBadgeCredential = json::from_value(black_box(&complete_value)).unwrap();
            serde_json::to_value(&c).unwrap()
        })
    });
    g.bench_function("schema::validate_ob3", |b| {
        b.iter(|| schema::validate_ob3(black_box(&complete_value)).unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("ob2");
    g.bench_function("typed parse assertion", |b| {
        b.iter(|| json::from_slice::<ob2::Assertion>(black_box(&assertion)).unwrap())
    });
    let a: ob2::Assertion = json::from_value(&assertion_value).unwrap();
    g.bench_function("convert to 3.0", |b| {
        b.iter(|| convert::ob2_to_ob3(black_box(&a), None, None).unwrap())
    });
    g.bench_function("upgrade 1.0", |b| {
        b.iter(|| upgrade::upgrade(black_box(legacy.clone())).unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("limits");
    let deep = "[".repeat(10_000);
    g.bench_function("refuse 10,000-deep nesting", |b| {
        b.iter(|| json::parse(black_box(deep.as_bytes())).unwrap_err())
    });
    let big = vec![b' '; 50 * 1024 * 1024];
    g.bench_function("refuse 50 MB", |b| {
        b.iter(|| json::parse(black_box(&big)).unwrap_err())
    });
    let limits = json::Limits::new();
    let near_limit = {
        let item = r#"{"type":"Evidence","narrative":"x"},"#;
        let mut s = String::from("[");
        while s.len() + item.len() < 15 * 1024 * 1024 {
            s.push_str(item);
        }
        s.push_str("1]");
        s.into_bytes()
    };
    g.throughput(Throughput::Bytes(near_limit.len() as u64));
    g.sample_size(10);
    g.bench_function("depth scan 15 MB", |b| {
        b.iter(|| json::check_limits(black_box(&near_limit), &limits).unwrap())
    });
    g.bench_function("parse 15 MB", |b| {
        b.iter(|| json::parse(black_box(&near_limit)).unwrap())
    });
    g.finish();
}

criterion_group!(model, benches);
criterion_main!(model);
