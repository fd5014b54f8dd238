//! RDFC-1.0 and N-Quads benchmarks: generated credential-shaped datasets of 10 to 10,000 quads
//! (cost must grow near-linearly) and the Open Badges / CLR specification examples.

// Benchmarks run on fixed, valid inputs: a failure is a bug to see at once.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use obi_rdf::{Canonicalizer, nquads};

/// `count` quads of credential-shaped data: each credential is 10 quads with an IRI id, three
/// blank nodes (issuer, subject, achievement), IRIs and distinct literals, plus a proof in a
/// blank-node graph every other credential.
fn credentials(count: usize) -> String {
    const RDF_TYPE: &str = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>";
    const NAME: &str = "<https://schema.org/name>";
    const CRED: &str = "https://www.w3.org/2018/credentials#";
    const OB: &str = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#";
    let mut lines = Vec::new();
    let mut i = 0;
    while lines.len() < count {
        let c = format!("<urn:uuid:credential-{i}>");
        lines.push(format!("{c} {RDF_TYPE} <{CRED}VerifiableCredential> ."));
        lines.push(format!("{c} {RDF_TYPE} <{OB}OpenBadgeCredential> ."));
        lines.push(format!("{c} {NAME} \"Badge number {i}\" ."));
        lines.push(format!("{c} <{CRED}issuer> _:issuer{i} ."));
        lines.push(format!("_:issuer{i} {NAME} \"Issuer {i}\" ."));
        lines.push(format!("{c} <{CRED}credentialSubject> _:subject{i} ."));
        lines.push(format!("_:subject{i} <{OB}achievement> _:achievement{i} ."));
        lines.push(format!("_:achievement{i} {NAME} \"Achievement {i}\" ."));
        lines.push(format!(
            "_:achievement{i} <{OB}criteria> \"Complete task {i}\" ."
        ));
        lines.push(format!(
            "{c} <{CRED}validFrom> \"2024-01-01T00:00:{:02}Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime> .",
            i % 60
        ));
        i += 1;
    }
    lines.truncate(count);
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

fn spec_examples() -> Vec<(&'static str, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ob-spec");
    ["obv3p0/document-canon.txt", "clrv2p0/document-canon.txt"]
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
