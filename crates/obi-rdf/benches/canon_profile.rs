//! A fixed-work driver for instruction-count profiling of RDFC-1.0 (`valgrind
//! --tool=callgrind`), load-independent where the criterion figures of `canon.rs` are not.
//!
//! `cargo bench -p obi-rdf --bench canon_profile --no-run`, then run the binary as
//! `canon_profile INPUT [ITERATIONS]` under callgrind. INPUT is `complete` (the toRdf quads of
//! the OB 3.0 specification's complete example, 356 quads), `small` (the OB 3.0 example's
//! canonical document, 16 quads), `clr` (the CLR 2.0 example, 49 quads), `credentials-N`
//! (N generated credential-shaped quads), or a path to an N-Quads file. Parsing happens before
//! the loop, which runs `canonicalize_to_nquads` ITERATIONS times (default 100); divide the
//! loop's Ir by ITERATIONS.
#![allow(missing_docs, clippy::unwrap_used)] // profiling harness

use std::hint::black_box;
use std::path::Path;

use obi_rdf::{Canonicalizer, nquads};

mod common;

#[inline(never)]
fn measured_loop(n: usize, f: &mut dyn FnMut()) {
    for _ in 0..n {
        f();
    }
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let input = args.next().unwrap_or_else(|| "complete".into());
    let n: usize = args.next().map_or(100, |s| s.parse().unwrap());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ob-spec");
    let text = match input.as_str() {
        "complete" => std::fs::read_to_string(dir.join("obv3p0/complete-quads.nq")).unwrap(),
        "small" => std::fs::read_to_string(dir.join("obv3p0/document-canon.txt")).unwrap(),
        "clr" => std::fs::read_to_string(dir.join("clrv2p0/document-canon.txt")).unwrap(),
        other => match other.strip_prefix("credentials-") {
            Some(count) => common::credentials(count.parse().unwrap()),
            None => std::fs::read_to_string(other).unwrap(),
        },
    };
    let quads = nquads::parse(&text).unwrap();
    let canonicalizer = Canonicalizer::new();
    let mut f = || {
        black_box(
            canonicalizer
                .canonicalize_to_nquads(black_box(&quads))
                .unwrap(),
        );
    };
    f();
    measured_loop(n, &mut f);
    println!("{input}: {} quads, {n} iterations", quads.len());
}
