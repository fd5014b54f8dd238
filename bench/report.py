#!/usr/bin/env python3
"""Turns the figures `bench/run` recorded (RESULTS.tsv: key, value) into one table, prints it, and
(unless OBI_BENCH_WRITE=0) writes BENCHMARKS.md at the repository root.

Keys: `obi.OP.INPUT` / `peer.OP.INPUT` are rates (operations per second) with optional
`.quads`, `.bytes`, `.rss_kb`, ... beside them; the rest describes the run. Only measured
figures are shown: a missing one reads "—" with the reason.
"""

import os
import platform
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CRED = {
    "minimal": "minimal-openbadgecredential.json",
    "typical": "typical-openbadgecredential.json",
    "complete": "spec-complete-openbadgecredential.json",
    "large": "large-openbadgecredential.json",
}
CRED_LABEL = {"minimal": "minimal", "typical": "typical", "complete": "spec complete example",
              "large": "large (700 alignments)"}
IMAGES = ["10kb", "1mb", "10mb"]
IMAGE_LABEL = {"10kb": "10 KB", "1mb": "1 MB", "10mb": "10 MB"}
JSONLD = "jsonld.js (`jsonld` + `rdf-canonize`)"
DB = "Digital Bazaar `@digitalbazaar/vc` + `eddsa-rdfc-2022-cryptosuite`"
JOSE = "`jose`"
BADGECHECK = "1EdTech `badgecheck`"
BAKERY = "`openbadges-bakery`"


def load(path):
    values = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2:
                values[parts[0]] = parts[1]
    return values


class Figures:
    def __init__(self, values):
        self.v = values

    def num(self, key):
        try:
            return float(self.v[key])
        except (KeyError, TypeError, ValueError):
            return None

    def text(self, key, default="?"):
        return self.v.get(key, default)


def rate(x, unit="/s"):
    if x is None:
        return "—"
    if x >= 100:
        return f"{x:,.0f}{unit}"
    if x >= 10:
        return f"{x:,.1f}{unit}"
    if x >= 1:
        return f"{x:,.2f}{unit}"
    return f"{x:,.3f}{unit}"


def cost(seconds):
    """A duration per item, in a readable unit."""
    if seconds is None:
        return "—"
    if seconds >= 1:
        return f"{seconds:,.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:,.2f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:,.2f} µs"
    return f"{seconds * 1e9:,.1f} ns"


def mb(kb):
    return f"{kb / 1024:,.0f} MB" if kb is not None else "—"


def version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=30)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "absent"


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


class Row:
    """One line of the table. target: a ratio (float), or (text, predicate on the obi figure)."""

    def __init__(self, op, size, obi, peer=None, peer_name="—", target=None, note="",
                 obi_text=None):
        self.op, self.size, self.obi, self.peer = op, size, obi, peer
        self.peer_name, self.target, self.note, self.obi_text = peer_name, target, note, obi_text


def rows(f):
    out = []
    for size, file in CRED.items():
        q = f.num(f"obi.ld.{file}.quads") or f.num(f"peer.ld.{file}.quads")
        out.append(Row("JSON-LD expand + toRdf + RDFC-1.0",
                       f"{CRED_LABEL[size]}" + (f", {q:,.0f} quads" if q else ""),
                       f.num(f"obi.ld.{file}"), f.num(f"peer.ld.{file}"), JSONLD))
    for op, target in (("sign", None), ("verify", 50.0)):
        for size in ("typical", "complete", "large"):
            file = CRED[size]
            note = ""
            if op == "verify" and f.text(f"peer.di_verify.{file}.verifiedObiSignature",
                                         "True") != "True":
                note = "the peer verified its own signature (it rejected obi's)"
            out.append(Row(f"eddsa-rdfc-2022 {op} (did:key)", CRED_LABEL[size],
                           f.num(f"obi.di_{op}.{file}"), f.num(f"peer.di_{op}.{file}"), DB,
                           target, note))
    for alg, header in (("EdDSA", "kid did:key"), ("ES256", "jwk header"),
                        ("RS256", "jwk header")):
        out.append(Row(f"VC-JWT verify, {alg} ({header})", "typical",
                       f.num(f"obi.jwt_verify.{alg}"), f.num(f"peer.jwt_verify.{alg}"), JOSE))
    out.append(Row("OB 3.0 full verification (proof + schema + status list)", "typical",
                   f.num("obi.verify_ob3.status"), None, "—", None,
                   "no peer with the same checks"))
    for case, label in (("hosted-valid", "hosted"), ("signed-valid", "signed (RS256 JWS)")):
        out.append(Row(f"OB 2.0 {label} assertion validation, documents cached", "corpus case",
                       f.num(f"obi.ob2.{case}"), f.num(f"peer.ob2.{case}"), BADGECHECK, 100.0))
    for op, target in (("bake", None), ("unbake", 50.0)):
        for fmt in ("png", "svg"):
            for size in IMAGES:
                name = f"{'plain' if op == 'bake' else 'baked'}-{size}.{fmt}"
                out.append(Row(f"{op} {fmt.upper()}", IMAGE_LABEL[size],
                               f.num(f"obi.{op}.{name}"), f.num(f"peer.{op}.{name}"), BAKERY,
                               target))
            if op == "unbake" and fmt == "png":
                out.append(Row("unbake PNG, badge after the image data", "10 MB",
                               f.num("obi.unbake.late-10mb.png"),
                               f.num("peer.unbake.late-10mb.png"), BAKERY, target))
    bulk = sorted({int(k.split(".")[2]) for k in f.v if k.startswith("obi.bulk.")})
    for n in bulk:
        out.append(Row("bulk issuance from CSV (`obi issue bulk`), "
                       "credentials/s", f"{n:,} rows, peak RSS {mb(f.num(f'obi.bulk.{n}.rss_kb'))}",
                       f.num(f"obi.bulk.{n}"), None, "—",
                       ("≥ 5,000/s", lambda x: x >= 5000)))
    batch = sorted({int(k.split(".")[2]) for k in f.v if k.startswith("obi.batch.")})
    rss = [f.num(f"obi.batch.{n}.rss_kb") for n in batch]
    flat = None
    if len(batch) >= 2 and all(rss):
        flat = max(rss) <= 1.25 * min(rss)
    for n, r in zip(batch, rss):
        valid = f.num(f"obi.batch.{n}.valid")
        note = "" if valid == n else f"only {valid or 0:,.0f} of {n:,} reported valid"
        target = None
        if n == batch[-1] and flat is not None:
            target = ("peak RSS flat across sizes (≤ 1.25×)", lambda _x, flat=flat: flat)
        out.append(Row("batch verification (`obi verify --lines --json`), credentials/s",
                       f"{n:,} credentials, peak RSS {mb(r)}", f.num(f"obi.batch.{n}"), None,
                       "—", target, note))
    load_targets = {"get": ("≥ 20,000 req/s, p99 < 5 ms", 20000, 5.0),
                    "award": ("≥ 2,000/s", 2000, None), "verify": ("≥ 3,000/s", 3000, None)}
    scenarios = sorted({tuple(k.split(".")[2:4]) for k in f.v if k.startswith("obi.load.")})
    for scenario, db in scenarios:
        key = f"obi.load.{scenario}.{db}"
        p50, p99 = f.num(f"{key}.p50_ms"), f.num(f"{key}.p99_ms")
        kind = next((k for k in load_targets if k in scenario), None)
        target = None
        if kind:
            text, floor, p99_max = load_targets[kind]
            target = (text, lambda x, floor=floor, p99_max=p99_max, p99=p99:
                      x >= floor and (p99_max is None or (p99 is not None and p99 < p99_max)))
        out.append(Row(f"server under load: {scenario} ({db}), requests/s",
                       f"p50 {p50 if p50 is not None else '—'} ms, "
                       f"p99 {p99 if p99 is not None else '—'} ms",
                       f.num(key), None, "—", target))
    if not scenarios:
        out.append(Row("server under load: hosted GET / award / verify API", "—", None, None,
                       "—", None, "not available in this run (no obi-server load bench in this "
                       "tree, or OBI_BENCH_LOAD=0)"))
    return out


def table(f):
    lines = ["| operation | size | obi | peer | peer rate | ratio | target | met? |",
             "|---|---|---:|---|---:|---:|---|---|"]
    for r in rows(f):
        ratio = "—"
        if r.obi and r.peer:
            x = r.obi / r.peer
            ratio = f"{x:,.1f}×" if x >= 1 else f"{x:.2g}×"
        met = ""
        if isinstance(r.target, float):
            ttext = f"≥ {r.target:g}×"
            met = ("yes" if r.obi / r.peer >= r.target else "**no**") if r.obi and r.peer \
                else "not measured"
        elif r.target:
            ttext = r.target[0]
            met = ("yes" if r.target[1](r.obi) else "**no**") if r.obi else "not measured"
        else:
            ttext = "—"
        peer_text = r.peer_name
        if r.peer_name != "—" and r.peer is None:
            peer_text += " (not available in this run)"
        note = f"<br>*{r.note}*" if r.note else ""
        obi = rate(r.obi) if r.obi is not None else "— (missing in this run)"
        lines.append(f"| {r.op}{note} | {r.size} | {obi} | {peer_text} | {rate(r.peer)} "
                     f"| {ratio} | {ttext} | {met} |")
    return lines


def growth(f):
    """Per-item cost at each size: how cost grows with input."""
    out = ["### JSON-LD expand + toRdf + RDFC-1.0, per quad", "",
           "| credential | quads | obi per quad | obi growth | jsonld.js per quad "
           "| jsonld.js growth |", "|---|---:|---:|---:|---:|---:|"]
    base_o = base_p = None
    for size, file in CRED.items():
        q = f.num(f"obi.ld.{file}.quads") or f.num(f"peer.ld.{file}.quads")
        o, p = f.num(f"obi.ld.{file}"), f.num(f"peer.ld.{file}")
        co = 1 / o / q if o and q else None
        cp = 1 / p / q if p and q else None
        base_o, base_p = base_o or co, base_p or cp
        out.append(f"| {CRED_LABEL[size]} | {q or 0:,.0f} | {cost(co)} "
                   f"| {f'{co / base_o:.2f}×' if co else '—'} | {cost(cp)} "
                   f"| {f'{cp / base_p:.2f}×' if cp else '—'} |")
    out += ["", "### eddsa-rdfc-2022, per quad of the credential", "",
            "| operation | credential | quads | obi per quad | obi growth | peer per quad "
            "| peer growth |", "|---|---|---:|---:|---:|---:|---:|"]
    for op in ("sign", "verify"):
        base_o = base_p = None
        for size in ("typical", "complete", "large"):
            file = CRED[size]
            q = f.num(f"obi.ld.{file}.quads") or f.num(f"peer.ld.{file}.quads")
            o, p = f.num(f"obi.di_{op}.{file}"), f.num(f"peer.di_{op}.{file}")
            co = 1 / o / q if o and q else None
            cp = 1 / p / q if p and q else None
            base_o, base_p = base_o or co, base_p or cp
            out.append(f"| {op} | {CRED_LABEL[size]} | {q or 0:,.0f} | {cost(co)} "
                       f"| {f'{co / base_o:.2f}×' if co else '—'} | {cost(cp)} "
                       f"| {f'{cp / base_p:.2f}×' if cp else '—'} |")
    out += ["", "### RDFC-1.0 alone (obi, criterion, credential-shaped datasets), per quad", "",
            "| quads | obi per quad | growth |", "|---:|---:|---:|"]
    base = None
    for q in (10, 100, 1000, 10000):
        x = f.num(f"obi.canon.{q}")
        c = 1 / x if x else None
        base = base or c
        out.append(f"| {q:,} | {cost(c)} | {f'{c / base:.2f}×' if c else '—'} |")
    out += ["", "### Bake and unbake, per MiB of image", "",
            "Baking copies the whole image, so its cost per MiB should stay flat. An unbaker "
            "that stops at a badge placed before the image data does not depend on the size; "
            "the per-call figures show that case.", "",
            "| operation | image | obi per call | obi per MiB | obi growth "
            "| openbadges-bakery per call | bakery per MiB | bakery growth |",
            "|---|---|---:|---:|---:|---:|---:|---:|"]
    for op in ("bake", "unbake"):
        for fmt in ("png", "svg"):
            base_o = base_p = None
            for size in IMAGES:
                name = f"{'plain' if op == 'bake' else 'baked'}-{size}.{fmt}"
                nbytes = f.num(f"obi.{op}.{name}.bytes") or f.num(f"peer.{op}.{name}.bytes")
                o, p = f.num(f"obi.{op}.{name}"), f.num(f"peer.{op}.{name}")
                mib = nbytes / 2**20 if nbytes else None
                co = 1 / o / mib if o and mib else None
                cp = 1 / p / mib if p and mib else None
                base_o, base_p = base_o or co, base_p or cp
                out.append(f"| {op} {fmt.upper()} | {IMAGE_LABEL[size]} "
                           f"| {cost(1 / o if o else None)} | {cost(co)} "
                           f"| {f'{co / base_o:.2f}×' if co else '—'} "
                           f"| {cost(1 / p if p else None)} | {cost(cp)} "
                           f"| {f'{cp / base_p:.2f}×' if cp else '—'} |")
    out += ["", "### Bulk issuance and batch verification, per credential (obi CLI)", "",
            "| operation | credentials | per credential | growth | peak RSS |",
            "|---|---:|---:|---:|---:|"]
    for op, label in (("bulk", "`obi issue bulk`"), ("batch", "`obi verify --lines`")):
        sizes = sorted({int(k.split(".")[2]) for k in f.v if k.startswith(f"obi.{op}.")})
        base = None
        for n in sizes:
            x = f.num(f"obi.{op}.{n}")
            c = 1 / x if x else None
            base = base or c
            out.append(f"| {label} | {n:,} | {cost(c)} | {f'{c / base:.2f}×' if c else '—'} "
                       f"| {mb(f.num(f'obi.{op}.{n}.rss_kb'))} |")
    return out


def main():
    f = Figures(load(sys.argv[1]))
    tab = table(f)
    grow = growth(f)
    load_start, load_end = f.text("load_start"), f.text("load_end")
    busy, busy_end = f.text("rustc_at_start", "0") or "0", f.text("rustc_at_end", "0") or "0"
    ncpu = os.cpu_count() or 0
    try:
        contended = (float(load_start.split()[0]) > ncpu / 2 or int(busy) > 0
                     or int(busy_end) > 0)
    except ValueError:
        contended = False
    machine = [
        f"- CPU: {cpu_model()}, `nproc` = {ncpu}; memory: "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB",
        f"- OS: {platform.system()} {platform.release()}",
        f"- {version(['rustc', '-V'])}",
        f"- Node {f.text('node', 'absent')}; peer Python "
        f"{f.text('py_peer', 'absent').replace('Python ', '')}",
        f"- load average (1, 5, 15 min) at start: {load_start}; at end: {load_end}; other "
        f"`rustc` processes at start/end: {busy}/{busy_end}",
    ]
    if contended:
        machine.append("- **The machine was shared**: other engineers' compiles ran during this "
                       "run, so absolute figures are low and noisy for both sides; the ratios "
                       "(obi and peer measured in the same run, one after the other) are the "
                       "comparable figures.")
    print("\n".join(tab))
    print()
    print("\n".join(grow))
    if os.environ.get("OBI_BENCH_WRITE", "1") == "0":
        return
    doc = [
        "# obi benchmarks",
        "",
        "Written by `bench/run` (do not edit by hand; run it again). obi and the peer "
        "implementations run in one run, on one machine, on the same inputs; rates are "
        "operations per second (higher is better), ratio = obi / peer.",
        "",
        f"- date: {f.text('started')} (the run took {f.text('seconds')} s, builds included)",
        f"- command: `{f.text('command', 'bench/run')}` ({f.text('knobs', '')})",
        "",
        "## Machine",
        "",
        *machine,
        "",
        "## Results",
        "",
        *tab,
        "",
        "How each figure is taken (`bench/run` has the details):",
        "",
        "- Inputs: `bench/corpus.py` (the large credential, the images, the CSV files) and the "
        "repository's test data (credentials from `crates/obi-proof/tests/data/ob3-examples`, "
        "the OB 2.0 corpus `crates/obi-verify/tests/data/ob2`). Contexts come from "
        "`crates/obi-ld/contexts` for obi and the peers alike; nothing is fetched.",
        "- In-process rates, obi (`bench/pipeline`, release) and peers (`bench/peers/`): the "
        "same loop — a warm-up of a third of the measurement time, then calls for "
        "`OBI_BENCH_SECONDS`, one thread. The peers verify what obi signed (the same key, "
        "did:key) and unbake what obi baked. eddsa-rdfc-2022 verify: obi checks the proof "
        "(`verify_proofs`), Digital Bazaar runs `vc.verifyCredential` (proof, issuer binding, "
        "dates; status not checked on either side). VC-JWT: obi's `verify_vc_jwt`; `jose` "
        "`jwtVerify` plus the same claim checks (iss, jti, nbf, sub), on obi's tokens.",
        "- OB 2.0: obi's `ob2_corpus` runner (`OBI_OB2_THROUGHPUT`) and `badgecheck`'s "
        "`verify()` on the same corpus cases, every document served from memory.",
        "- criterion (`--measurement-time OBI_BENCH_MEASURE`): RDFC-1.0 sizes (obi-rdf) and "
        "full OB 3.0 verification (obi-verify).",
        "- Bulk issuance and batch verification: the release `obi` binary under "
        "`/usr/bin/time -v` (wall time, peak RSS), default `--jobs` (the core count). The "
        "batch file repeats the distinct credentials of the first bulk run; `--offline`, the "
        "status list served with `--doc`; the JSON reports are counted, not stored.",
        "",
        "## Cost growth",
        "",
        *grow,
        "",
    ]
    notes_path = os.path.join(ROOT, "bench", "NOTES.md")
    if os.path.exists(notes_path):
        with open(notes_path, encoding="utf-8") as fh:
            doc += ["## Notes (bench/NOTES.md, written by people, not by the run)", "",
                    fh.read()]
    with open(os.path.join(ROOT, "BENCHMARKS.md"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(doc))
    print("\nwrote BENCHMARKS.md", file=sys.stderr)


if __name__ == "__main__":
    main()
