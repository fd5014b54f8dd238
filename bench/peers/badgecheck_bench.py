#!/usr/bin/env python3
"""Times the 1EdTech Open Badges 2.0 validator (PyPI `badgecheck`, module `openbadges`) on cases
of obi's OB 2.0 corpus (crates/obi-verify/tests/data/ob2), fully offline: every HTTP request the
validator makes is answered from memory (the corpus documents and the repository's pinned JSON-LD
contexts), anything else gets a 404. This is the "documents cached" case obi is timed on.

    python badgecheck_bench.py SECONDS CORPUS_DIR CONTEXTS_DIR CASE_ID...

Timing: a warm-up of a third of SECONDS, then validations until SECONDS have passed (at least
one). One JSON line per case: {"op": "ob2", "input", "n", "perSec", "ok"}; ok is whether
the validator found the assertion valid (the cases timed are valid ones).
"""

import collections
import collections.abc
import io
import json
import os
import sys
import time

# badgecheck 1.1.8 pins libraries that import the ABCs from `collections` (gone since Python
# 3.10): give them the names back before they are imported.
for _name in ("Mapping", "MutableMapping", "Sequence", "Iterable", "Callable", "MutableSet",
              "Set", "Hashable", "Sized", "Container", "MutableSequence"):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))

import requests.adapters  # noqa: E402
from requests.models import Response  # noqa: E402
from requests.structures import CaseInsensitiveDict  # noqa: E402

SERVED = {}  # URL without fragment -> (bytes, content type)


def serve(url, path, content_type=None):
    with open(path, "rb") as f:
        body = f.read()
    if content_type is None:
        if path.endswith(".png"):
            content_type = "image/png"
        elif path.endswith(".svg"):
            content_type = "image/svg+xml"
        else:
            content_type = "application/ld+json"
    SERVED[url.split("#", 1)[0]] = (body, content_type)


def answer(_adapter, request, **_kwargs):
    url = request.url.split("#", 1)[0]
    response = Response()
    response.url = request.url
    response.request = request
    response.encoding = "utf-8"
    if url in SERVED:
        body, content_type = SERVED[url]
        response.status_code, response.reason = 200, "OK"
    else:
        body, content_type = b"not served", "text/plain"
        response.status_code, response.reason = 404, "Not Found"
    response.headers = CaseInsensitiveDict({"Content-Type": content_type,
                                            "Content-Length": str(len(body))})
    response._content = body
    response.raw = io.BytesIO(body)
    return response


requests.adapters.HTTPAdapter.send = answer


def serve_docs(base, docs):
    for url, value in docs.items():
        if isinstance(value, str):
            serve(url, os.path.join(base, value))
        else:
            serve(url, os.path.join(base, value["file"]), value.get("content_type"))


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    seconds = float(sys.argv[1])
    corpus, contexts = sys.argv[2], sys.argv[3]
    with open(os.path.join(contexts, "manifest.json"), encoding="utf-8") as f:
        serve_docs(contexts, json.load(f))
    with open(os.path.join(corpus, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    serve_docs(corpus, manifest["shared"])

    from openbadges.verifier import verify  # after the transport is replaced

    options = {"use_cache": False, "cache_backend": None, "include_original_json": False}
    for case_id in sys.argv[4:]:
        case = next(c for c in manifest["cases"] if c["id"] == case_id)
        serve_docs(corpus, case.get("docs", {}))
        with open(os.path.join(corpus, case["input"]), encoding="utf-8") as f:
            text = f.read().strip()

        def once():
            return verify(text, **options)["report"].get("valid", False)

        ok = once()
        warm_end = time.perf_counter() + seconds / 3
        while time.perf_counter() < warm_end:
            once()
        n, start = 0, time.perf_counter()
        while n < 1 or time.perf_counter() - start < seconds:
            ok = once() and ok
            n += 1
        per_sec = n / (time.perf_counter() - start)
        print(json.dumps({"op": "ob2", "input": case_id, "n": n,
                          "perSec": round(per_sec, 2), "ok": bool(ok)}), flush=True)


if __name__ == "__main__":
    main()
