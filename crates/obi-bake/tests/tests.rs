//! Integration tests of obi-bake, one binary.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod api;
mod bad_input;
mod png_bake;
mod props;
mod svg_bake;
