#!/usr/bin/env python3
"""Times openbadges-bakery (PyPI, the reference Python baker) on the images `bench/run`
generates, the same files obi's side (`bench/pipeline`, mode `bake`) is timed on:

    python bakery_bench.py SECONDS DIR

bakes DIR/payload.json into every DIR/plain-* image and unbakes every DIR/baked-* (obi's baked
output) and DIR/late-* (badge chunk after the image data). Timing: a warm-up of a third of
SECONDS, then calls until SECONDS have passed (at least one call). One JSON line per file:
{"op": "bake"|"unbake", "input", "bytes", "n", "perSec", "ok"}.
"""

import io
import json
import os
import sys
import time

import openbadges_bakery


def timed(seconds, fn):
    fn()
    warm_end = time.perf_counter() + seconds / 3
    while time.perf_counter() < warm_end:
        fn()
    n, start = 0, time.perf_counter()
    while n < 1 or time.perf_counter() - start < seconds:
        fn()
        n += 1
    return n, n / (time.perf_counter() - start)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    seconds, root = float(sys.argv[1]), sys.argv[2]
    with open(os.path.join(root, "payload.json"), encoding="utf-8") as f:
        payload = f.read()
    names = sorted(os.listdir(root))
    for op, prefixes in (("bake", ("plain-",)), ("unbake", ("baked-", "late-"))):
        for name in (n for n in names if n.startswith(prefixes)):
            with open(os.path.join(root, name), "rb") as f:
                data = f.read()

            if op == "bake":
                def run(data=data):
                    out = io.BytesIO()
                    openbadges_bakery.bake(io.BytesIO(data), payload, out)
                    if out.getbuffer().nbytes <= len(data):
                        raise RuntimeError("bake wrote nothing")
            else:
                def run(data=data, name=name):
                    if not openbadges_bakery.unbake(io.BytesIO(data)):
                        raise RuntimeError(f"{name}: no badge found")

            try:
                n, per_sec = timed(seconds, run)
            except Exception as e:  # noqa: BLE001 - reported, the other files still run
                print(f"{op} {name}: {e}", file=sys.stderr)
                continue
            print(json.dumps({"op": op, "input": name, "bytes": len(data), "n": n,
                              "perSec": round(per_sec, 3), "ok": True}), flush=True)


if __name__ == "__main__":
    main()
