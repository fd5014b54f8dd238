//! Expansion of the OB 3.0 example credentials with the pinned loader, safe mode on.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // a benchmark binary

use criterion::{Criterion, criterion_group, criterion_main};
use obi_ld::{Options, PinnedLoader, Processor, expand};
use serde_json::Value;

fn example(name: &str) -> Value {
    let path = format!("{}/tests/data/ob3/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn bench(c: &mut Criterion) {
    let opts = Options::new().with_safe_mode(true);
    let processor = Processor::pinned();
    for (label, name) in [
        ("minimal", "minimal-openbadgecredential.json"),
        ("complete", "spec-complete-openbadgecredential.json"),
    ] {
        let doc = example(name);
        processor.expand(&doc, &opts).unwrap();
        c.bench_function(&format!("expand/{label}/cached"), |b| {
            b.iter(|| processor.expand(std::hint::black_box(&doc), &opts).unwrap());
        });
        c.bench_function(&format!("expand/{label}/uncached"), |b| {
            b.iter(|| expand(std::hint::black_box(&doc), &opts, &PinnedLoader).unwrap());
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
