//! Caches in front of any [`Fetch`]: on disk across runs ([`CachingFetcher`]) and in memory for
//! one run ([`MemoryCache`]). Both are keyed by the exact URL and store only successful fetches.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{Fetch, FetchError, Request, Response};

/// Default age after which a disk cache entry is fetched again (1 day).
pub const DEFAULT_CACHE_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// Largest number of documents a [`MemoryCache`] keeps by default.
pub const DEFAULT_MEMORY_CACHE_ENTRIES: usize = 1024;

const FORMAT: &str = "obi-fetch-cache/1";

/// Room for an entry's header line beyond its body when deciding, from the file size alone,
/// that an entry is too large to read (URLs are at most 8 KiB, escaped twice).
const MAX_ENTRY_HEADER_BYTES: u64 = 64 * 1024;

/// A disk cache in front of a fetcher. Each entry is one file named by the SHA-256 of the URL,
/// holding a one-line JSON header (format, URL, final URL, content type) and then the body;
/// it is written to a temporary file and renamed into place, so readers never see half an
/// entry. Unreadable, foreign or stale entries are fetched again; a failed cache write does not
/// fail the fetch.
#[derive(Debug)]
pub struct CachingFetcher<F> {
    inner: F,
    dir: PathBuf,
    max_age: Duration,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl<F: Fetch> CachingFetcher<F> {
    /// A cache in `dir` (created on first write) in front of `inner`.
    #[must_use]
    pub fn new(inner: F, dir: impl Into<PathBuf>) -> Self {
        Self {
            inner,
            dir: dir.into(),
            max_age: DEFAULT_CACHE_MAX_AGE,
        }
    }

    /// Entries older than `max_age` are fetched again.
    #[must_use]
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// The cache directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The fetcher behind the cache.
    #[must_use]
    pub fn inner(&self) -> &F {
        &self.inner
    }

    fn path_for(&self, url: &str) -> PathBuf {
        let digest = Sha256::digest(url.as_bytes());
        let mut name = String::with_capacity(64);
        for b in digest {
            name.push_str(&format!("{b:02x}"));
        }
        self.dir.join(name)
    }

    /// The cached response for `url`: `None` when there is no usable entry, `Some(Err)` when
    /// the entry is larger than `max_bytes` allows (not read).
    fn read_entry(&self, url: &str, max_bytes: usize) -> Option<Result<Response, FetchError>> {
        let path = self.path_for(url);
        let metadata = fs::metadata(&path).ok()?;
        let modified = metadata.modified().ok()?;
        let age = SystemTime::now()
            .duration_since(modified)
            .unwrap_or_default();
        if age > self.max_age {
            return None;
        }
        let max_file = u64::try_from(max_bytes)
            .unwrap_or(u64::MAX)
            .saturating_add(MAX_ENTRY_HEADER_BYTES);
        if metadata.len() > max_file {
            return Some(Err(FetchError::TooLarge {
                url: url.to_owned(),
                limit: max_bytes,
            }));
        }
        let data = fs::read(&path).ok()?;
        let newline = data.iter().position(|&b| b == b'\n')?;
        let header: Value = serde_json::from_slice(data.get(..newline)?).ok()?;
        if header.get("format")?.as_str()? != FORMAT || header.get("url")?.as_str()? != url {
            return None;
        }
        let final_url = header.get("final_url")?.as_str()?.to_owned();
        let content_type = header
            .get("content_type")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let body = data.get(newline + 1..)?.to_vec();
        if body.len() > max_bytes {
            return Some(Err(FetchError::TooLarge {
                url: url.to_owned(),
                limit: max_bytes,
            }));
        }
        Some(Ok(Response::new(final_url, content_type, body)))
    }

    fn write_entry(&self, url: &str, response: &Response) -> std::io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        let path = self.path_for(url);
        let header = json!({
            "format": FORMAT,
            "url": url,
            "final_url": response.final_url,
            "content_type": response.content_type,
        });
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = path.with_extension(format!("tmp.{}.{n}", std::process::id()));
        let result = (|| {
            let mut file = fs::File::create(&tmp)?;
            file.write_all(header.to_string().as_bytes())?;
            file.write_all(b"\n")?;
            file.write_all(&response.body)?;
            file.sync_all()?;
            fs::rename(&tmp, &path)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }
}

impl<F: Fetch> Fetch for CachingFetcher<F> {
    fn fetch(&self, request: &Request<'_>) -> Result<Response, FetchError> {
        if let Some(hit) = self.read_entry(request.url, request.max_bytes) {
            return hit;
        }
        let response = self.inner.fetch(request)?;
        // A cache that cannot be written is only slower: the fetch itself succeeded.
        let _ = self.write_entry(request.url, &response);
        Ok(response)
    }
}

/// An in-memory cache in front of a fetcher, for one run: each URL is fetched at most once
/// (while fewer than `max_entries` documents are held; past that, new URLs are not stored).
#[derive(Debug)]
pub struct MemoryCache<F> {
    inner: F,
    entries: Mutex<HashMap<String, Response>>,
    max_entries: usize,
}

impl<F: Fetch> MemoryCache<F> {
    /// An empty cache in front of `inner`.
    #[must_use]
    pub fn new(inner: F) -> Self {
        Self {
            inner,
            entries: Mutex::new(HashMap::new()),
            max_entries: DEFAULT_MEMORY_CACHE_ENTRIES,
        }
    }

    /// Keep at most `max` documents.
    #[must_use]
    pub fn with_max_entries(mut self, max: usize) -> Self {
        self.max_entries = max;
        self
    }

    /// Number of documents held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.len())
    }

    /// Whether no document is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<F: Fetch> Fetch for MemoryCache<F> {
    fn fetch(&self, request: &Request<'_>) -> Result<Response, FetchError> {
        let hit = self
            .entries
            .lock()
            .ok()
            .and_then(|e| e.get(request.url).cloned());
        if let Some(hit) = hit {
            if hit.body.len() > request.max_bytes {
                return Err(FetchError::TooLarge {
                    url: request.url.to_owned(),
                    limit: request.max_bytes,
                });
            }
            return Ok(hit);
        }
        let response = self.inner.fetch(request)?;
        if let Ok(mut entries) = self.entries.lock()
            && entries.len() < self.max_entries
        {
            entries.insert(request.url.to_owned(), response.clone());
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;
    use crate::MapFetcher;

    /// Counts the fetches that reach the inner fetcher.
    struct Counting(MapFetcher, AtomicUsize);

    impl Fetch for Counting {
        fn fetch(&self, request: &Request<'_>) -> Result<Response, FetchError> {
            self.1.fetch_add(1, Ordering::SeqCst);
            self.0.fetch(request)
        }
    }

    const URL: &str = "https://a.example/doc";

    fn counting() -> Counting {
        Counting(
            MapFetcher::new().with_json(URL, b"{\"x\":\n1}".to_vec()),
            AtomicUsize::new(0),
        )
    }

    #[test]
    fn damaged_or_foreign_entries_are_fetched_again() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CachingFetcher::new(counting(), dir.path());
        let first = cache.fetch(&Request::json(URL)).unwrap();
        assert_eq!(first.content_type.as_deref(), Some("application/json"));
        let path = cache.path_for(URL);
        assert!(path.file_name().unwrap().len() == 64);
        for damage in [
            b"garbage".to_vec(),
            b"{\"format\":\"obi-fetch-cache/1\",\"url\":\"https://other.example/\",\"final_url\":\"x\"}\nbody".to_vec(),
            b"{\"format\":\"other\"}\n{}".to_vec(),
            Vec::new(),
        ] {
            fs::write(&path, damage).unwrap();
            assert_eq!(cache.fetch(&Request::json(URL)).unwrap(), first);
        }
        assert_eq!(cache.inner().1.load(Ordering::SeqCst), 5);
        assert_eq!(cache.fetch(&Request::json(URL)).unwrap(), first);
        assert_eq!(
            cache.inner().1.load(Ordering::SeqCst),
            5,
            "the repaired entry serves"
        );
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary files left behind");
    }

    #[test]
    fn an_unwritable_cache_still_fetches() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-dir");
        fs::write(&file, b"").unwrap();
        let cache = CachingFetcher::new(counting(), &file);
        assert!(cache.fetch(&Request::json(URL)).is_ok());
        assert!(cache.fetch(&Request::json(URL)).is_ok());
        assert_eq!(cache.inner().1.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn memory_cache_respects_its_size_and_the_cap() {
        let cache = MemoryCache::new(counting()).with_max_entries(0);
        cache.fetch(&Request::json(URL)).unwrap();
        assert!(cache.is_empty());
        let cache = MemoryCache::new(counting());
        cache.fetch(&Request::json(URL)).unwrap();
        assert!(matches!(
            cache.fetch(&Request::json(URL).with_max_bytes(2)),
            Err(FetchError::TooLarge { limit: 2, .. })
        ));
        assert_eq!(cache.inner.1.load(Ordering::SeqCst), 1);
    }
}
