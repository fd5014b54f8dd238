//! Benchmarks of bulk issuance and revocation: `obi issue bulk` of 2,000 CSV rows
//! (eddsa-rdfc-2022, all cores, streamed from a file), of 1,000 rows as Open Badges 2.0
//! signed assertions (RS256 and ES256 compact JWS, the 2.0 documents published), and
//! updating one entry of a
//! 131,072-entry status list (the bit alone; the bit and the re-encoded list; a revocation
//! recorded in the state and the list rebuilt and encoded).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // a benchmark

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use obi_issue::{
    Award, BulkOptions, Format, InitOptions, Issuer, Recipient, StatusList, bulk_file,
};
use obi_proof::KeyType;

const ROWS: usize = 2_000;
const OB2_ROWS: usize = 1_000;

fn issuer(dir: &std::path::Path) -> (Issuer, serde_json::Value) {
    let issuer = Issuer::init(
        dir,
        &InitOptions {
            name: "Bench".into(),
            url: "https://bench.example".into(),
            email: Some("badges@bench.example".into()),
            ..InitOptions::default()
        },
    )
    .unwrap();
    let ach =
        serde_json::from_slice(&std::fs::read(dir.join("achievement.json")).unwrap()).unwrap();
    (issuer, ach)
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

fn bulk_rows(c: &mut Criterion) {
    let input = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(input.path(), csv(ROWS)).unwrap();
    let mut group = c.benchmark_group("bulk_eddsa_rdfc_2022");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function(format!("{ROWS}_rows_csv_file"), |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let (issuer, ach) = issuer(dir.path());
                (dir, issuer, ach)
            },
            |(dir, mut issuer, ach)| {
                let out = dir.path().join("out");
                let r = bulk_file(
                    &mut issuer,
                    &ach,
                    input.path(),
                    &out,
                    &BulkOptions::default(),
                    &|_| {},
                )
                .unwrap();
                assert_eq!(r.issued, ROWS);
                dir
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

fn status_update(c: &mut Criterion) {
    let mut group = c.benchmark_group("status_list_131072");
    let mut list = StatusList::new(131_072);
    let mut i = 0usize;
    group.bench_function("set_one_entry", |b| {
        b.iter(|| {
            i = (i + 7919) % 131_072;
            list.set(i, true).unwrap();
        });
    });
    group.bench_function("set_one_entry_and_encode", |b| {
        b.iter(|| {
            i = (i + 7919) % 131_072;
            list.set(i, true).unwrap();
            list.encode()
        });
    });
    // A revocation end to end, without the signature: record it in the state (one SQLite
    // commit), rebuild the list from the revoked indexes, encode it.
    let dir = tempfile::tempdir().unwrap();
    let (mut issuer, ach) = issuer(dir.path());
    let mut ids = Vec::new();
    for n in 0..100 {
        let award = Award::new(Recipient::parse(&format!("r{n}@example.org")).unwrap());
        ids.push(
            issuer
                .award(&ach, &award, Format::Ob3Eddsa, None)
                .unwrap()
                .id,
        );
    }
    // (Revoking a revoked credential again still runs and commits the UPDATE.)
    let mut next = ids.iter().cycle();
    group.bench_function("revoke_in_state_rebuild_and_encode", |b| {
        b.iter(|| {
            let id = next.next().unwrap();
            issuer.revoke(id, "bench").unwrap();
            issuer.status_list().unwrap().encode()
        });
    });
    group.finish();
}

/// Open Badges 2.0 signed assertions from CSV: an Ed25519 issuer's 2.0 key (RSA 2048, RS256,
/// the default, or P-256, ES256), created before the timed run.
fn bulk_ob2_signed(c: &mut Criterion) {
    let input = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(input.path(), csv(OB2_ROWS)).unwrap();
    let mut group = c.benchmark_group("bulk_ob2_signed");
    group.sample_size(10);
    group.throughput(Throughput::Elements(OB2_ROWS as u64));
    for (name, kind) in [("rs256", KeyType::Rsa), ("es256", KeyType::P256)] {
        group.bench_function(format!("{OB2_ROWS}_rows_csv_file_{name}"), |b| {
            b.iter_batched(
                || {
                    let dir = tempfile::tempdir().unwrap();
                    let (issuer, ach) = issuer(dir.path());
                    issuer.ob2_key(kind).unwrap();
                    (dir, issuer, ach)
                },
                |(dir, mut issuer, ach)| {
                    let out = dir.path().join("out");
                    let options = BulkOptions {
                        format: Format::Ob2Signed,
                        base_url: Some("https://bench.example/ob2".into()),
                        ob2_key: kind,
                        ..BulkOptions::default()
                    };
                    let r = bulk_file(&mut issuer, &ach, input.path(), &out, &options, &|_| {})
                        .unwrap();
                    assert_eq!(r.issued, OB2_ROWS);
                    dir
                },
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

criterion_group!(benches, status_update, bulk_rows, bulk_ob2_signed);
criterion_main!(benches);
