//! Costs of the guard and the caches: URL policy check, address classification, a disk cache
//! hit, a memory cache hit, and a keep-alive HTTP fetch from a 127.0.0.1 server.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)] // benchmark code

use std::hint::black_box;
use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::thread;

use criterion::{Criterion, criterion_group, criterion_main};
use obi_fetch::{
    CachingFetcher, Fetch, FetchPolicy, HttpFetcher, MapFetcher, MemoryCache, Request,
    is_public_address,
};

const BODY_BYTES: usize = 4 * 1024;

fn body() -> Vec<u8> {
    let mut b = b"{\"pad\":\"".to_vec();
    b.resize(BODY_BYTES - 2, b'x');
    b.extend(b"\"}");
    b
}

/// A keep-alive HTTP/1.1 server answering every request with the same JSON body.
fn server() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                stream.set_nodelay(true).unwrap();
                let mut out = stream;
                let body = body();
                loop {
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                        body.len()
                    );
                    if out
                        .write_all(head.as_bytes())
                        .and_then(|()| out.write_all(&body))
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    port
}

fn bench(c: &mut Criterion) {
    let policy = FetchPolicy::new();
    c.bench_function("check_url", |b| {
        b.iter(|| policy.check_url(black_box("https://issuer.example.org:8443/badges/1?x=y")))
    });
    let addrs: Vec<IpAddr> = [
        "8.8.8.8",
        "10.1.2.3",
        "::ffff:192.168.0.1",
        "2606:4700::1111",
        "fe80::1",
    ]
    .iter()
    .map(|s| s.parse().unwrap())
    .collect();
    c.bench_function("is_public_address x5", |b| {
        b.iter(|| {
            addrs
                .iter()
                .filter(|a| is_public_address(black_box(**a)))
                .count()
        })
    });

    let url = "https://issuer.example.org/badges/1";
    let map = MapFetcher::new().with_json(url, body());
    let dir = tempfile::tempdir().unwrap();
    let disk = CachingFetcher::new(map.clone(), dir.path());
    disk.fetch(&Request::json(url)).unwrap();
    c.bench_function("disk cache hit 4 KiB", |b| {
        b.iter(|| disk.fetch(black_box(&Request::json(url))).unwrap())
    });
    let memory = MemoryCache::new(map);
    memory.fetch(&Request::json(url)).unwrap();
    c.bench_function("memory cache hit 4 KiB", |b| {
        b.iter(|| memory.fetch(black_box(&Request::json(url))).unwrap())
    });

    let port = server();
    let http = HttpFetcher::new(
        FetchPolicy::new()
            .allow_http(true)
            .allow_address(IpAddr::V4(Ipv4Addr::LOCALHOST)),
    );
    let local = format!("http://127.0.0.1:{port}/doc.json");
    http.fetch(&Request::json(&local)).unwrap();
    c.bench_function("http fetch 4 KiB 127.0.0.1 keep-alive", |b| {
        b.iter(|| http.fetch(black_box(&Request::json(&local))).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
