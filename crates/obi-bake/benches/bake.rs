//! Baking and unbaking throughput (bytes of image scanned or written per second).
//!
//! Inputs are generated (a 10 MB PNG of incompressible pixels in 64 KiB IDAT chunks, a 1 MB
//! PNG, a 1 MB SVG) and also written to `$OBI_BAKE_BENCH_DIR` (default: the system temporary
//! directory, `obi-bake-bench/`) so `bench/peers/bakery_bench.py` times openbadges-bakery on the
//! very same files.
// Benchmark code: a failed unwrap is a broken benchmark.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../tests/support.rs"]
mod support;

use std::hint::black_box;
use std::io::Cursor;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use obi_bake::Payload;

use support::*;

fn svg_of(size: usize) -> String {
    let mut svg = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"512\" height=\"512\">\n",
    );
    let mut i = 0u32;
    while svg.len() < size {
        svg.push_str(&format!(
            "  <path d=\"M{} {} L{} {} L{} {} Z\" fill=\"#{:06x}\" stroke=\"none\"/>\n",
            i % 512,
            (i * 7) % 512,
            (i * 13) % 512,
            (i * 3) % 512,
            (i * 11) % 512,
            (i * 5) % 512,
            (i * 2_654_435_761) & 0xFF_FFFF
        ));
        i += 1;
    }
    svg.push_str("</svg>\n");
    svg
}

struct Inputs {
    dir: PathBuf,
    png_10mb: Vec<u8>,
    png_1mb: Vec<u8>,
    svg_1mb: Vec<u8>,
    baked_png_10mb: Vec<u8>,
    late_png_10mb: Vec<u8>,
    baked_svg_1mb: Vec<u8>,
    payload: Payload,
}

fn inputs() -> Inputs {
    let payload = Payload::detect(OB2_JSON);
    let png_10mb = big_png(10 * 1024 * 1024);
    let png_1mb = big_png(1024 * 1024);
    let svg_1mb = svg_of(1024 * 1024).into_bytes();
    let mut baked_png_10mb = Vec::new();
    obi_bake::bake_png(&png_10mb[..], &mut baked_png_10mb, &payload, None).unwrap();
    // A badge after the image data (another tool's layout): every reader must pass all IDATs.
    let late_png_10mb = big_png_with(
        10 * 1024 * 1024,
        &[itxt("openbadges", false, OB2_JSON.as_bytes())],
    );
    let mut baked_svg_1mb = Vec::new();
    obi_bake::bake_svg(&svg_1mb, &mut baked_svg_1mb, &payload, None).unwrap();
    let dir = std::env::var_os("OBI_BAKE_BENCH_DIR").map_or_else(
        || std::env::temp_dir().join("obi-bake-bench"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in [
        ("unbake-10mb.png", &baked_png_10mb),
        ("unbake-10mb-late.png", &late_png_10mb),
        ("bake-1mb.png", &png_1mb),
        ("bake-1mb.svg", &svg_1mb),
        ("unbake-1mb.svg", &baked_svg_1mb),
    ] {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    std::fs::write(dir.join("payload.json"), OB2_JSON).unwrap();
    Inputs {
        dir,
        png_10mb,
        png_1mb,
        svg_1mb,
        baked_png_10mb,
        late_png_10mb,
        baked_svg_1mb,
        payload,
    }
}

fn bench(c: &mut Criterion) {
    let inputs = inputs();
    assert!(inputs.png_10mb.len() >= 10 * 1024 * 1024 - 4096);

    let mut g = c.benchmark_group("unbake");
    g.throughput(Throughput::Bytes(inputs.baked_png_10mb.len() as u64));
    g.bench_function("png_10mb_seek", |b| {
        b.iter(|| {
            obi_bake::unbake_png_seekable(Cursor::new(black_box(&inputs.baked_png_10mb[..])))
                .unwrap()
                .unwrap()
        });
    });
    g.bench_function("png_10mb_stream", |b| {
        b.iter(|| {
            obi_bake::unbake_png(black_box(&inputs.baked_png_10mb[..]))
                .unwrap()
                .unwrap()
        });
    });
    // From the file on disk (page cache), seeking over long IDAT chunks, reading through short ones: what
    // `obi unbake` does.
    g.bench_function("png_10mb_file", |b| {
        b.iter(|| {
            let file = std::fs::File::open(inputs.dir.join("unbake-10mb.png")).unwrap();
            obi_bake::unbake_png_seekable(std::io::BufReader::with_capacity(64 * 1024, file))
                .unwrap()
                .unwrap()
        });
    });
    g.throughput(Throughput::Bytes(inputs.late_png_10mb.len() as u64));
    g.bench_function("png_10mb_late_seek", |b| {
        b.iter(|| {
            obi_bake::unbake_png_seekable(Cursor::new(black_box(&inputs.late_png_10mb[..])))
                .unwrap()
                .unwrap()
        });
    });
    g.bench_function("png_10mb_late_file", |b| {
        b.iter(|| {
            let file = std::fs::File::open(inputs.dir.join("unbake-10mb-late.png")).unwrap();
            obi_bake::unbake_png_seekable(std::io::BufReader::with_capacity(64 * 1024, file))
                .unwrap()
                .unwrap()
        });
    });
    g.throughput(Throughput::Bytes(inputs.baked_svg_1mb.len() as u64));
    g.bench_function("svg_1mb", |b| {
        b.iter(|| {
            obi_bake::unbake_svg(black_box(&inputs.baked_svg_1mb))
                .unwrap()
                .unwrap()
        });
    });
    g.finish();

    let mut g = c.benchmark_group("bake");
    let mut out = Vec::with_capacity(inputs.png_1mb.len() + 4096);
    g.throughput(Throughput::Bytes(inputs.png_1mb.len() as u64));
    g.bench_function("png_1mb", |b| {
        b.iter(|| {
            out.clear();
            obi_bake::bake_png(
                black_box(&inputs.png_1mb[..]),
                &mut out,
                &inputs.payload,
                None,
            )
            .unwrap()
        });
    });
    g.throughput(Throughput::Bytes(inputs.svg_1mb.len() as u64));
    g.bench_function("svg_1mb", |b| {
        b.iter(|| {
            out.clear();
            obi_bake::bake_svg(black_box(&inputs.svg_1mb), &mut out, &inputs.payload, None).unwrap()
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
