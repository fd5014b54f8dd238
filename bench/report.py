#!/usr/bin/env python3
"""Turns the figures `bench/run` recorded (RESULTS.tsv: key, value, note) into one table,
prints it, and (unless OBI_BENCH_WRITE=0) writes BENCHMARKS.md next to bench/.

Only measured figures are shown; a row whose figure is missing says "not measured" and why.
"""

import os
import platform
import subprocess
import sys

NOT_YET = "not yet measured"


def load(path):
    values, notes = {}, {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2:
                continue
            key, value = parts[0], parts[1]
            values[key] = value
            notes[key] = parts[2] if len(parts) > 2 else ""
    return values, notes


def num(values, key):
    try:
        return float(values[key])
    except (KeyError, ValueError):
        return None


def rate(x, unit="/s"):
    if x is None:
        return "—"
    if x >= 100:
        return f"{x:,.0f}{unit}"
    if x >= 10:
        return f"{x:,.1f}{unit}"
    return f"{x:,.2f}{unit}"


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


# (operation, obi key, peer key, peer name, target ratio (float) or absolute target text, note)
ROWS = [
    ("JSON-LD expand + toRdf + RDFC-1.0, minimal credential (15 quads)",
     "ld_minimal_obi", "ld_minimal_peer", "jsonld.js (`jsonld` + `rdf-canonize`)", None, ""),
    ("JSON-LD expand + toRdf + RDFC-1.0, typical credential (37 quads)",
     "ld_typical_obi", "ld_typical_peer", "jsonld.js (`jsonld` + `rdf-canonize`)", None, ""),
    ("JSON-LD expand + toRdf + RDFC-1.0, OB 3.0 spec complete example (356 quads)",
     "ld_complete_obi", "ld_complete_peer", "jsonld.js (`jsonld` + `rdf-canonize`)", None, ""),
    ("eddsa-rdfc-2022 sign, typical credential",
     "di_sign_typical", "di_sign_typical_peer", "Digital Bazaar `@digitalbazaar/vc`", None, ""),
    ("eddsa-rdfc-2022 verify, typical credential",
     "di_verify_typical", "di_verify_typical_peer", "Digital Bazaar `@digitalbazaar/vc`", 50.0, ""),
    ("eddsa-rdfc-2022 sign, spec complete example",
     "di_sign_complete", None, "Digital Bazaar", None,
     "peer not measured: the oracle's bench signs its typical sample only"),
    ("eddsa-rdfc-2022 verify, spec complete example",
     "di_verify_complete", None, "Digital Bazaar", None,
     "peer not measured: the oracle's bench verifies its typical sample only"),
    ("VC-JWT verify, typical credential (obi EdDSA did:key; peer RS256)",
     "jwt_eddsa_verify", "jwt_verify_peer", "`jose` (oracle, RS256)", None,
     "algorithms differ (the oracle bench times RS256; obi's bench EdDSA): indicative only"),
    ("VC-JWT verify, typical credential (obi ES256 jwk header; peer RS256)",
     "jwt_es256_verify", "jwt_verify_peer", "`jose` (oracle, RS256)", None,
     "algorithms differ: indicative only"),
    ("OB 3.0 full verification (proof + schema + status list), typical",
     "verify_ob3_status", None, "—", None,
     "no peer verifier with the same checks in this run"),
    ("OB 2.0 hosted assertion validation (documents cached)",
     "ob2_hosted_obi", "ob2_hosted_peer", "1EdTech `badgecheck`", 100.0, ""),
    ("OB 2.0 signed assertion (RS256 JWS) validation (documents cached)",
     "ob2_signed_obi", "ob2_signed_peer", "1EdTech `badgecheck`", 100.0, ""),
    ("unbake PNG 10 MB (badge before the image data)",
     "unbake_png_10mb", "peer_unbake_png_10mb", "`openbadges-bakery`", 50.0, ""),
    ("unbake PNG 10 MB (badge after the image data)",
     "unbake_png_10mb_late", "peer_unbake_png_10mb_late", "`openbadges-bakery`", 50.0, ""),
    ("unbake SVG 1 MB",
     "unbake_svg_1mb", "peer_unbake_svg_1mb", "`openbadges-bakery`", 50.0, ""),
    ("bake PNG 1 MB", "bake_png_1mb", "peer_bake_png_1mb", "`openbadges-bakery`", None, ""),
    ("bake SVG 1 MB", "bake_svg_1mb", "peer_bake_svg_1mb", "`openbadges-bakery`", None, ""),
    ("bulk issuance from CSV, eddsa-rdfc-2022 (1,000 rows, SQLite state)",
     "bulk_1000", None, "—", "≥ 5,000/s", "no peer: credentials per second, absolute target"),
]

MISSING = [
    ("batch verification of 1,000,000 credentials (rate, peak RSS)",
     "no batch-verification entry point in obi-verify or the CLI yet; constant memory at 1M is "
     "the target"),
    ("bulk issuance of 100,000 from CSV",
     "measured at 1,000 rows only (the obi-issue bench has 1,000 and 10,000; 100,000 takes "
     "minutes on this machine)"),
    ("hosted GET / award / verify API under load (latency percentiles)",
     "obi-server is still being written; no load generator yet"),
    ("OB 2.0 validation at several input sizes; baked images 10 KB to 10 MB",
     "the corpus has one size per case; bake/unbake run at 1 MB and 10 MB only"),
    ("profiles of the two slowest ratios (perf / flamegraph), before/after",
     "not done in this run"),
]


def build(values, notes):
    lines = []
    lines.append("| operation | obi | peer | peer rate | ratio | target | met? |")
    lines.append("|---|---:|---|---:|---:|---|---|")
    for op, ok, pk, peer, target, note in ROWS:
        o = num(values, ok)
        p = num(values, pk) if pk else None
        ratio = f"{o / p:,.1f}×" if o and p else "—"
        if isinstance(target, float):
            ttext = f"≥ {target:g}×"
            met = ("yes" if o / p >= target else "**no**") if o and p else "not measured"
        elif isinstance(target, str):
            ttext = target
            met = ("yes" if o >= 5000 else "**no**") if o else "not measured"
        else:
            ttext, met = "—", ""
        if o is None:
            op_note = " (obi figure missing in this run)"
        else:
            op_note = ""
        if pk and p is None:
            peer_text = f"{peer} (not available in this run)"
        else:
            peer_text = peer
        extra = f"<br>*{note}*" if note else ""
        lines.append(f"| {op}{op_note}{extra} | {rate(o)} | {peer_text} | {rate(p)} | {ratio} "
                     f"| {ttext} | {met} |")
    for op, why in MISSING:
        lines.append(f"| {op}<br>*{why}* | {NOT_YET} | | | | | |")
    return lines


def growth(values):
    lines = ["| quads | canonicalizations/s | quads/s | µs per quad | per-quad cost vs 10 quads |",
             "|---:|---:|---:|---:|---:|"]
    base = None
    for q in (10, 100, 1000, 10000):
        qps = num(values, f"canon_{q}")
        if qps is None:
            lines.append(f"| {q:,} | {NOT_YET} | | | |")
            continue
        us = 1e6 / qps
        base = base or us
        lines.append(f"| {q:,} | {rate(qps / q)} | {rate(qps)} | {us:.3f} | {us / base:.2f}× |")
    lines.append("")
    lines.append("JSON-LD expand + toRdf + RDFC-1.0 on the three credentials (time per quad "
                 "relative to the minimal one):")
    lines.append("")
    lines.append("| credential | quads | obi µs per quad | obi growth | jsonld.js µs per quad "
                 "| jsonld.js growth |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    base_o = base_p = None
    for size, quads in (("minimal", 15), ("typical", 37), ("complete", 356)):
        o = num(values, f"ld_{size}_obi")
        p = num(values, f"ld_{size}_peer")
        uo = 1e6 / o / quads if o else None
        up = 1e6 / p / quads if p else None
        base_o = base_o or uo
        base_p = base_p or up
        lines.append(f"| {size} | {quads} | {f'{uo:.3f}' if uo else '—'} "
                     f"| {f'{uo / base_o:.2f}×' if uo and base_o else '—'} "
                     f"| {f'{up:.2f}' if up else '—'} "
                     f"| {f'{up / base_p:.2f}×' if up and base_p else '—'} |")
    return lines


def main():
    values, notes = load(sys.argv[1])
    table = build(values, notes)
    grow = growth(values)
    load_start = values.get("load_start", "?")
    load_end = values.get("load_end", "?")
    busy = values.get("rustc_at_start", "0") or "0"
    busy_end = values.get("rustc_at_end", "0") or "0"
    ncpu = os.cpu_count() or 0
    try:
        contended = float(load_start.split()[0]) > ncpu or int(busy) > 0 or int(busy_end) > 0
    except ValueError:
        contended = False
    machine = [
        f"- CPU: {cpu_model()}, `nproc` = {ncpu}",
        f"- OS: {platform.system()} {platform.release()}",
        f"- {version(['rustc', '-V'])}",
        f"- Node {values.get('node') or version(['node', '--version'])}; peer Python "
        f"{values.get('py_peer', '?').replace('Python ', '')}",
        f"- load average at start: {load_start}; at end: {load_end}; other `rustc` processes "
        f"at start/end: {busy}/{busy_end}",
    ]
    if contended:
        machine.append("- **The machine was shared**: other engineers' compiles and benchmarks ran "
                       "during this run (load above the core count), so absolute figures are "
                       "low and noisy for both sides; the ratios are from the same run.")
    print("\n".join(table))
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
        f"- date: {values.get('started', '?')} (run took {values.get('seconds', '?')} s)",
        f"- command: `{values.get('command', 'bench/run')}`",
        "",
        "## Machine",
        "",
        *machine,
        "",
        "## Results",
        "",
        *table,
        "",
        "How each figure is taken:",
        "",
        "- obi: criterion bench binaries built by `cargo bench --no-run` and run directly "
        "(`--warm-up-time 1 --measurement-time 3`, the mean from the run's own "
        "`$CRITERION_HOME/*/new/estimates.json`) for proofs, VC-JWT, bake/unbake, full OB 3.0 "
        "verification, bulk issuance and RDFC-1.0; `bench/pipeline` (release build, 2,000 "
        "iterations after a warm-up, one thread) for the JSON-LD pipeline; the `ob2_corpus` test "
        "runner (bench profile) with `OBI_OB2_THROUGHPUT=2000` for OB 2.0 validation.",
        "- jsonld.js: `bench/peers/jsonld_canon.mjs` (`jsonld.canonize`, RDFC-1.0, safe mode, the "
        "same pinned contexts from `crates/obi-ld/contexts`, contexts cached after a warm-up).",
        "- Digital Bazaar eddsa-rdfc-2022 and `jose`: the project's OB 3.0 oracle `bench` "
        "command (`../shared/oracles/ob3-oracle.mjs`), which signs and verifies its sample "
        "credential — the one obi's `typical` input was taken from — with did:key, documents "
        "from memory.",
        "- badgecheck: the project's OB 2.0 oracle (`ob2-oracle.py --repeat N`) on the same "
        "corpus case files obi verifies (`crates/obi-verify/tests/data/ob2`), every document "
        "served from memory (its HTTP transport replaced; nothing reaches the network).",
        "- openbadges-bakery: `bench/peers/bakery_bench.py` (median) on the files the obi-bake "
        "bench writes; obi's unbake figures are the in-memory seekable reader.",
        "",
        "## Cost growth: RDFC-1.0 on credential-shaped datasets",
        "",
        *grow,
        "",
    ]
    notes_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "NOTES.md")
    if os.path.exists(notes_path):
        with open(notes_path, encoding="utf-8") as f:
            doc += ["## Notes (bench/NOTES.md, written by people, not by the run)", "", f.read()]
    with open("BENCHMARKS.md", "w", encoding="utf-8") as f:
        f.write("\n".join(doc))
    print("\nwrote BENCHMARKS.md", file=sys.stderr)


if __name__ == "__main__":
    main()
