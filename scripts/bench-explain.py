#!/usr/bin/env python3
"""Benchmark `aiw explain` against `aiw build` (issue 15).

    scripts/bench-explain.sh                       # N=100 and overlays/development
    EXPLAIN_NS="10 100 300" RUNS=5 scripts/bench-explain.sh
    CALLGRIND=1 AIW_BASE_BIN=/path/to/old/aiw scripts/bench-explain.sh

For each N it builds `overlays/prod` of the generated tree (see
scripts/bench.py; trees cached in $AIW_BENCH_DIR) with `aiw build`,
`aiw explain` (human output) and `aiw explain -o json` (and `aiw build` with
AIW_BASE_BIN, a binary from before a change, when set), alternating them run
by run, and prints the medians of wall time, CPU time (user + sys) and peak
RSS, and the ratios to `aiw build` (the target: explain at most 3, the base
build no faster). Then the same for the repository's `overlays/development`.

With CALLGRIND=1 it also counts instructions with valgrind (one thread,
AIW_THREADS=1, so counts are repeatable): `aiw build` and `aiw explain` at
each N and on overlays/development, and `aiw build` with AIW_BASE_BIN when
set (a binary from before a change: plain builds must not get slower).

Environment (all optional): EXPLAIN_NS (default "100"), RUNS (default 7),
CALLGRIND, AIW_BASE_BIN, and AIW_BENCH_DIR, AIW_BENCH_GEN, AIW_BIN as for
scripts/bench.py.
"""

import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (scripts/bench.py: run, tree, med, fmt_s, machine)

NS = bench.env_list("EXPLAIN_NS", "100")
RUNS = bench.env_int("RUNS", 7)
CALLGRIND = os.environ.get("CALLGRIND", "") not in ("", "0")
BASE = os.environ.get("AIW_BASE_BIN", "")

MODES = (("build", ["build"]), ("explain", ["explain"]),
         ("explain -o json", ["explain", "-o", "json"]))
if BASE:
    MODES += (("base build", ["build"]),)


def instructions(cmd):
    """Instructions of one run under callgrind, on one thread."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "cg.out")
        p = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] + cmd,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           env=dict(os.environ, AIW_THREADS="1"))
        m = re.search(r"Collected : (\d+)", p.stderr)
        if p.returncode != 0 or not m:
            sys.exit(f"callgrind failed: {' '.join(cmd)}\n{p.stderr[-2000:]}")
        return int(m.group(1))


def bench_target(label, target):
    rows = {m: [] for m, _ in MODES}
    outs = {m: os.path.join(bench.ROOT, f"out-explain-{label}-{m.replace(' ', '')}")
            for m, _ in MODES}
    for _ in range(RUNS):
        for m, args in MODES:
            binary = BASE if m == "base build" else bench.AIW
            rows[m].append(bench.run([binary] + args + [target], outs[m]))
    if BASE and not bench.same_file(outs["build"], outs["base build"]):
        sys.exit(f"{label}: the base binary's build differs from this one's")
    b = [bench.med(rows["build"], i) for i in range(3)]
    for m, _ in MODES:
        x = [bench.med(rows[m], i) for i in range(3)]
        size = os.path.getsize(outs[m]) / 1e6
        print(f"{label:>12} {m:<16} | {bench.fmt_s(x[0]):>9} {bench.fmt_s(x[1]):>9} "
              f"{x[2] / 1024:>7.1f} {size:>7.1f} | {x[0] / b[0]:>6.2f} {x[1] / b[1]:>6.2f} "
              f"{x[2] / b[2]:>6.2f}", flush=True)
    return {m: [bench.med(rows[m], i) for i in range(3)] for m, _ in MODES}


def main():
    print(f"# {time.strftime('%Y-%m-%d %H:%M')}  {bench.machine()}")
    print(f"# {RUNS} runs of each, alternating; medians; CPU = user + sys; x = ÷ aiw build")
    hdr = (f"{'':>12} {'command':<16} | {'wall':>9} {'cpu':>9} {'rss MiB':>7} {'out MB':>7} | "
           f"{'wall x':>6} {'cpu x':>6} {'rss x':>6}")
    print(hdr)
    print("-" * len(hdr))
    targets = [(f"N={n}", os.path.join(bench.tree(n), "overlays", "prod")) for n in NS]
    targets.append(("development", os.path.join(bench.REPO, "overlays", "development")))
    results = {label: bench_target(label, t) for label, t in targets}
    ok = True
    print("\ntarget (issue 15): explain wall <= 3 x build wall")
    for label, r in results.items():
        ratio = r["explain"][0] / r["build"][0]
        good = ratio <= 3
        ok &= good
        print(f"  {'PASS' if good else 'FAIL'}  {label}: {ratio:.2f}")
    if CALLGRIND:
        print("\ninstructions (callgrind, AIW_THREADS=1):")
        for label, t in targets:
            b = instructions([bench.AIW, "build", t])
            e = instructions([bench.AIW, "explain", t])
            line = f"  {label:>12}: build {b:,}  explain {e:,} ({e / b:.2f} x)"
            if BASE:
                old = instructions([BASE, "build", t])
                line += f"  base build {old:,} (build {100 * (b - old) / old:+.2f} %)"
            print(line, flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
