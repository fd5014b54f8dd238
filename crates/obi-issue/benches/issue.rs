//! Benchmarks: one status-list update in a 131,072-entry list (and re-encoding it), and bulk
//! issuance (eddsa-rdfc-2022) of 1,000 and 10,000 CSV rows.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // a benchmark

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use obi_issue::{BulkOptions, InitOptions, Issuer, StatusList, bulk};

fn status_list(c: &mut Criterion) {
    let mut list = StatusList::new(131_072);
    let mut i = 0usize;
    c.bench_function("status_list/set_one_entry_131072", |b| {
        b.iter(|| {
            i = (i + 7919) % 131_072;
            list.set(i, true).unwrap();
        });
    });
    c.bench_function("status_list/set_and_encode_131072", |b| {
        b.iter(|| {
            i = (i + 7919) % 131_072;
            list.set(i, true).unwrap();
            list.encode()
        });
    });
}

fn sign_one(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let issuer = Issuer::init(
        dir.path(),
        &InitOptions {
            name: "Bench".into(),
            url: "https://bench.example".into(),
            ..InitOptions::default()
        },
    )
    .unwrap();
    let ach: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("achievement.json")).unwrap())
            .unwrap();
    let award = obi_issue::Award::new(obi_issue::Recipient::parse("a@example.org").unwrap());
    let credential = issuer
        .credential(
            "urn:uuid:00000000-0000-4000-8000-000000000000",
            &ach,
            &award,
            7,
        )
        .unwrap();
    c.bench_function("sign_one/eddsa_rdfc_2022", |b| {
        b.iter(|| {
            issuer
                .key()
                .secure(credential.clone(), obi_issue::Format::Ob3Eddsa)
                .unwrap()
        });
    });
}

fn csv(rows: usize) -> Vec<u8> {
    let mut s = String::from("recipient,name,narrative\n");
    for i in 0..rows {
        s.push_str(&format!(
            "learner{i}@example.org,Learner {i},Completed module {i}\n"
        ));
    }
    s.into_bytes()
}

fn bulk_issue(c: &mut Criterion) {
    let mut group = c.benchmark_group("bulk_eddsa_rdfc_2022");
    group.sample_size(10);
    for rows in [1_000usize, 10_000] {
        let input = csv(rows);
        group.throughput(Throughput::Elements(rows as u64));
        group.bench_function(format!("{rows}_rows"), |b| {
            b.iter_batched(
                || {
                    let dir = tempfile::tempdir().unwrap();
                    let issuer = Issuer::init(
                        dir.path(),
                        &InitOptions {
                            name: "Bench".into(),
                            url: "https://bench.example".into(),
                            ..InitOptions::default()
                        },
                    )
                    .unwrap();
                    let ach: serde_json::Value = serde_json::from_slice(
                        &std::fs::read(dir.path().join("achievement.json")).unwrap(),
                    )
                    .unwrap();
                    (dir, issuer, ach)
                },
                |(dir, mut issuer, ach)| {
                    let out = dir.path().join("out");
                    let r = bulk(
                        &mut issuer,
                        &ach,
                        &input,
                        &out,
                        &BulkOptions::default(),
                        &|_| {},
                    )
                    .unwrap();
                    assert_eq!(r.issued, rows);
                    dir
                },
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

criterion_group!(benches, status_list, sign_one, bulk_issue);
criterion_main!(benches);
