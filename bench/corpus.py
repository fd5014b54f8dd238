#!/usr/bin/env python3
"""Generates the inputs `bench/run` times obi and the peers on (deterministic: the same bytes on
every run and machine):

    python3 bench/corpus.py OUT_DIR

OUT_DIR/ld/large-openbadgecredential.json
    the typical credential with 700 distinct alignments on its achievement (about 3,500 quads):
    the "large" size next to minimal (15), typical (37) and the spec's complete example (356)
OUT_DIR/bake/payload.json           an OB 2.0 hosted assertion (the corpus' hosted-valid case)
OUT_DIR/bake/plain-{10kb,1mb,10mb}.{png,svg}
    images without a badge, to bake into: PNG RGB8 of incompressible pixels in 8 KiB IDAT chunks
    (as common encoders write them), SVG of many <path> elements
OUT_DIR/bake/late-10mb.png          a 10 MB PNG whose badge chunk comes after all image data
OUT_DIR/issue-{N}.csv               bulk issuance input: N rows `recipient,name`
"""

import json
import os
import random
import struct
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIZES = {"10kb": 10 * 1024, "1mb": 1024 * 1024, "10mb": 10 * 1024 * 1024}


def chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png(size, extra_before_iend=b""):
    """A valid RGB8 PNG of about `size` bytes (pseudo-random pixels do not compress)."""
    rng = random.Random(size)
    side = max(8, int((size / 3) ** 0.5))
    rows = b"".join(b"\0" + rng.randbytes(side * 3) for _ in range(side))
    data = zlib.compress(rows, 1)
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    idats = b"".join(chunk(b"IDAT", data[i:i + 8192]) for i in range(0, len(data), 8192))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + idats + extra_before_iend
            + chunk(b"IEND", b""))


def svg(size):
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n'
           '<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512">\n']
    length, i = len(out[0]), 0
    while length < size:
        line = (f'  <path d="M{i % 512} {i * 7 % 512} L{i * 13 % 512} {i * 3 % 512} '
                f'L{i * 11 % 512} {i * 5 % 512} Z" fill="#{i * 2654435761 & 0xFFFFFF:06x}"/>\n')
        out.append(line)
        length += len(line)
        i += 1
    out.append("</svg>\n")
    return "".join(out).encode()


def large_credential():
    path = os.path.join(ROOT, "crates/obi-proof/tests/data/ob3-examples/"
                        "typical-openbadgecredential.json")
    with open(path, encoding="utf-8") as f:
        cred = json.load(f)
    cred.pop("proof", None)
    cred["id"] = "urn:uuid:6f1c7d3e-bench-4a1b-9c00-large0000001"
    cred["credentialSubject"]["achievement"]["alignment"] = [
        {"type": ["Alignment"], "targetName": f"Competency {i}",
         "targetUrl": f"https://example.org/frameworks/teamwork/{i}",
         "targetDescription": f"Level {i % 5} of the teamwork framework, item {i}",
         "targetType": "CFItem"}
        for i in range(700)]
    return cred


def main():
    out = sys.argv[1]
    os.makedirs(os.path.join(out, "ld"), exist_ok=True)
    with open(os.path.join(out, "ld", "large-openbadgecredential.json"), "w",
              encoding="utf-8") as f:
        json.dump(large_credential(), f, indent=2)

    bake = os.path.join(out, "bake")
    os.makedirs(bake, exist_ok=True)
    corpus = os.path.join(ROOT, "crates/obi-verify/tests/data/ob2")
    with open(os.path.join(corpus, "cases/hosted-valid/input.json"), encoding="utf-8") as f:
        payload = f.read().strip()
    with open(os.path.join(bake, "payload.json"), "w", encoding="utf-8") as f:
        f.write(payload)
    for label, size in SIZES.items():
        with open(os.path.join(bake, f"plain-{label}.png"), "wb") as f:
            f.write(png(size))
        with open(os.path.join(bake, f"plain-{label}.svg"), "wb") as f:
            f.write(svg(size))
    itxt = chunk(b"iTXt", b"openbadges\0\0\0\0\0" + payload.encode())
    with open(os.path.join(bake, "late-10mb.png"), "wb") as f:
        f.write(png(SIZES["10mb"], itxt))

    for n in (int(x) for x in os.environ.get("OBI_BENCH_CSV", "").split(",") if x):
        with open(os.path.join(out, f"issue-{n}.csv"), "w", encoding="utf-8") as f:
            f.write("recipient,name\n")
            for i in range(n):
                f.write(f"learner{i}@example.org,Learner {i}\n")


if __name__ == "__main__":
    main()
