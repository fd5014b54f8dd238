//! What the W3C suite runners share: reading the manifests' JSON files, the skip lists, the
//! loader that serves the suites' documents by the URL the tests would fetch them from, and
//! JSON-LD comparison.
#![allow(dead_code)] // each runner uses a part

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use obi_ld::MapLoader;
use serde_json::Value;

/// The URL the W3C manifests resolve their files against.
pub const BASE: &str = "https://w3c.github.io/json-ld-api/tests/";

/// `tests/data/SUB` of this crate.
pub fn data_dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(sub)
}

/// A JSON file; a broken suite file aborts the runner.
pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// JSON-LD object comparison: arrays are unordered except the values of `@list`; numbers
/// compare by value.
pub fn same(a: &Value, b: &Value, ordered: bool) -> bool {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return false;
            }
            if ordered {
                return x.iter().zip(y).all(|(p, q)| same(p, q, false));
            }
            let mut used = vec![false; y.len()];
            'outer: for p in x {
                for (i, q) in y.iter().enumerate() {
                    if !used[i] && same(p, q, false) {
                        used[i] = true;
                        continue 'outer;
                    }
                }
                return false;
            }
            true
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same(v, w, k == "@list")))
        }
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// A skip list: test id (first word of a line) to the reason (the rest); `//` comments; no
/// file, no skips.
pub fn skips(file: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("//"))
        .filter_map(|l| {
            l.split_once(' ')
                .map(|(a, b)| (a.to_owned(), b.trim().to_owned()))
        })
        .collect()
}

/// Every JSON document under `dir/sub`, by the URL the tests would fetch it from.
pub fn loader(dir: &Path, sub: &str) -> MapLoader {
    let mut loader = MapLoader::new();
    let mut pending = vec![dir.join(sub)];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if let Ok(text) = std::fs::read_to_string(&path)
                && let Ok(v) = serde_json::from_str::<Value>(&text)
            {
                loader.insert(format!("{BASE}{rel}"), v);
            }
        }
    }
    loader
}
