//! RDFC-1.0 and N-Quads benchmarks: generated credential-shaped datasets of 10 to 10,000 quads
//! (cost must grow near-linearly) and the Open Badges / CLR specification examples.

// Benchmarks run on fixed, valid inputs: a failure is a bug to see at once.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use obi_rdf::{Canonicalizer, nquads};

mod common;
use common::credentials;

fn spec_examples() -> Vec<(&'static str, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ob-spec");
    [
        "obv3p0/document-canon.txt",
        "obv3p0/complete-quads.nq",
        "clrv2p0/document-canon.txt",
    ]
    .into_iter()
    .filter_map(|name| {
        let text = std::fs::read_to_string(dir.join(name)).ok()?;
        Some((name, text))
    })
    .collect()
}

fn bench(c: &mut Criterion) {
    let canonicalizer = Canonicalizer::new();
    let mut group = c.benchmark_group("rdfc10/credential-shaped");
    for size in [10, 100, 1_000, 10_000] {
        let quads = nquads::parse(&credentials(size)).unwrap();
        group.throughput(Throughput::Elements(size as u64));
        group.bench_with_input(BenchmarkId::from_parameter(size), &quads, |b, quads| {
            b.iter(|| canonicalizer.canonicalize(black_box(quads)).unwrap());
        });
    }
    group.finish();

    let mut group = c.benchmark_group("rdfc10/ob-spec");
    for (name, text) in spec_examples() {
        let quads = nquads::parse(&text).unwrap();
        group.throughput(Throughput::Elements(quads.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), &quads, |b, quads| {
            b.iter(|| canonicalizer.canonicalize(black_box(quads)).unwrap());
        });
        group.bench_with_input(
            BenchmarkId::new("document-only", name),
            &quads,
            |b, quads| {
                b.iter(|| {
                    canonicalizer
                        .canonicalize_to_nquads(black_box(quads))
                        .unwrap()
                });
            },
        );
    }
    group.finish();

    let mut group = c.benchmark_group("nquads");
    let text = credentials(1_000);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("parse/1000", |b| {
        b.iter(|| nquads::parse(black_box(&text)).unwrap());
    });
    let quads = nquads::parse(&text).unwrap();
    group.bench_function("serialize/1000", |b| {
        b.iter(|| nquads::to_nquads(black_box(&quads)));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
