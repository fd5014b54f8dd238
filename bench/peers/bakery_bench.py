#!/usr/bin/env python3
"""Times openbadges-bakery (the reference Python implementation, PyPI) on the inputs that
`cargo bench -p obi-bake --bench bake` generates, and prints throughput in the same units
(MB/s = 10^6 bytes/s, MiB/s = 2^20) so the two can be compared.

Usage:
    cargo bench -p obi-bake --bench bake          # writes the inputs, times obi
    python3 bench/peers/bakery_bench.py [DIR]     # DIR defaults to $OBI_BAKE_BENCH_DIR or
                                                  # <tmp>/obi-bake-bench
"""

import io
import os
import sys
import tempfile
import time

try:
    import openbadges_bakery
except ImportError:
    sys.exit("openbadges_bakery is not importable: pip install openbadges-bakery")


def timeit(fn, min_seconds=2.0, min_runs=5):
    """Best and median seconds per call over at least min_runs calls / min_seconds."""
    fn()  # warm up
    times = []
    start = time.perf_counter()
    while len(times) < min_runs or time.perf_counter() - start < min_seconds:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[0], times[len(times) // 2]


def main():
    default = os.environ.get("OBI_BAKE_BENCH_DIR") or os.path.join(
        tempfile.gettempdir(), "obi-bake-bench"
    )
    root = sys.argv[1] if len(sys.argv) > 1 else default
    path = lambda name: os.path.join(root, name)
    with open(path("payload.json"), encoding="utf-8") as f:
        payload = f.read()
    files = {}
    for name in ["unbake-10mb.png", "unbake-10mb-late.png", "bake-1mb.png", "bake-1mb.svg", "unbake-1mb.svg"]:
        with open(path(name), "rb") as f:
            files[name] = f.read()

    def unbake(name):
        def run():
            found = openbadges_bakery.unbake(io.BytesIO(files[name]))
            assert found, "no badge found"
        return run

    def bake(name):
        def run():
            out = io.BytesIO()
            openbadges_bakery.bake(io.BytesIO(files[name]), payload, out)
            assert out.getbuffer().nbytes > len(files[name])
        return run

    cases = [
        ("unbake/png_10mb", "unbake-10mb.png", unbake),
        ("unbake/png_10mb_late", "unbake-10mb-late.png", unbake),
        ("unbake/svg_1mb", "unbake-1mb.svg", unbake),
        ("bake/png_1mb", "bake-1mb.png", bake),
        ("bake/svg_1mb", "bake-1mb.svg", bake),
    ]
    print(f"openbadges-bakery {getattr(openbadges_bakery, '__version__', '')} on {root}")
    for label, name, make in cases:
        size = len(files[name])
        best, median = timeit(make(name))
        print(
            f"{label:18} {size:>10} bytes  median {median * 1e3:9.3f} ms  best {best * 1e3:9.3f} ms"
            f"  {size / median / 2**20:9.1f} MiB/s"
        )


if __name__ == "__main__":
    main()
