#!/usr/bin/env python3
"""Benchmark `aiw build` against `kubectl kustomize` (issue 6).

Run it through `scripts/bench.sh`, which builds the release binary first.

For each N it generates a tree with `../shared/bench/gen.py --services N`
(cached under $AIW_BENCH_DIR), builds `overlays/prod` with aiw at every N and
with `kubectl kustomize` at N <= $KUBECTL_MAX_N, alternating the two tools run
by run, checks the outputs are byte-identical, and prints medians of wall
time, CPU time (user + sys) and peak RSS of each tool and their ratios. CPU
time and peak RSS come from wait4(2) on the child, wall time from a monotonic
clock around it. It then times the repository's own `overlays/development`
and checks the targets of issue 6.

Environment (all optional):
  BENCH_NS        sizes to run              (default "10 100 300 1000 3000")
  RUNS            aiw runs per size         (default 5)
  KUBECTL_RUNS    kubectl runs per size     (default 3)
  KUBECTL_MAX_N   largest N kubectl runs at (default 100; 0 = never)
  DEV_RUNS        runs for overlays/development (default 200)
  AIW_BENCH_DIR   where trees and outputs go (default $TMPDIR/aiw-bench-trees)
  AIW_BENCH_GEN   the generator (default ../shared/bench/gen.py beside the repo)
  AIW_BIN         the binary (default target/release/aiw)

Exit status: 0 when every output matched (targets are reported, not enforced),
1 on a mismatch or a failed build.
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def env_list(name, default):
    return [int(x) for x in os.environ.get(name, default).split()]


def env_int(name, default):
    return int(os.environ.get(name, default))


NS = env_list("BENCH_NS", "10 100 300 1000 3000")
RUNS = env_int("RUNS", 5)
KUBECTL_RUNS = env_int("KUBECTL_RUNS", 3)
KUBECTL_MAX_N = env_int("KUBECTL_MAX_N", 100)
DEV_RUNS = env_int("DEV_RUNS", 200)
ROOT = os.environ.get("AIW_BENCH_DIR") or os.path.join(
    os.environ.get("TMPDIR") or "/tmp", "aiw-bench-trees")
GEN = os.environ.get("AIW_BENCH_GEN") or os.path.join(
    REPO, "..", "shared", "bench", "gen.py")
AIW = os.environ.get("AIW_BIN") or os.path.join(REPO, "target", "release", "aiw")


TIME = "/usr/bin/time"


def run(cmd, out_path, rss=True):
    """Runs cmd with stdout to out_path; returns (wall s, cpu s, peak RSS KiB).

    Peak RSS comes from GNU time wrapped around the command: a process
    started straight from Python inherits Python's own high-water RSS at
    exec, which would inflate small numbers. With rss=False (or without
    /usr/bin/time) the command runs directly and RSS is that of wait4."""
    wrap = rss and os.access(TIME, os.X_OK)
    rss_path = out_path + ".rss"
    full = [TIME, "-f", "%M", "-o", rss_path] + cmd if wrap else cmd
    with open(out_path, "wb") as out, open(out_path + ".err", "wb") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(full, stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        with open(out_path + ".err", "rb") as f:
            tail = f.read()[-2000:].decode(errors="replace")
        sys.exit(f"FAILED (exit {code}): {' '.join(cmd)}\n{tail}")
    peak = ru.ru_maxrss
    if wrap:
        with open(rss_path) as f:
            peak = int(f.read().split()[-1])
    return wall, ru.ru_utime + ru.ru_stime, peak


def tree(n):
    d = os.path.join(ROOT, f"n{n}")
    if not os.path.exists(os.path.join(d, "bench-info.json")):
        print(f"# generating N={n} in {d}", file=sys.stderr)
        subprocess.run([sys.executable, GEN, "--services", str(n), "--out", d,
                        "--seed", "1", "--force"], check=True,
                       stdout=subprocess.DEVNULL)
    return d


def same_file(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


def med(rows, i):
    return statistics.median(r[i] for r in rows)


def fmt_s(s):
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs ({cpu}), "
            f"load average {load:.1f}")


def kubectl_version():
    try:
        out = subprocess.run(["kubectl", "version", "--client", "-o", "json"],
                             capture_output=True, text=True, check=True).stdout
        v = json.loads(out)
        return f"kubectl {v['clientVersion']['gitVersion']} (kustomize {v.get('kustomizeVersion', '?')})"
    except (OSError, subprocess.CalledProcessError, ValueError, KeyError):
        return "kubectl: not found"


def main():
    if not os.access(AIW, os.X_OK):
        sys.exit(f"no binary at {AIW}: run `cargo build --release` (scripts/bench.sh does)")
    if not os.path.exists(GEN):
        sys.exit(f"no generator at {GEN}: set AIW_BENCH_GEN")
    os.makedirs(ROOT, exist_ok=True)
    print(f"# {time.strftime('%Y-%m-%d %H:%M')}  {machine()}")
    print(f"# {kubectl_version()}; aiw runs {RUNS}, kubectl runs {KUBECTL_RUNS} "
          f"at N <= {KUBECTL_MAX_N}; medians; CPU = user + sys")
    ok = True
    results = {}
    hdr = (f"{'N':>5} {'docs':>6} | {'aiw wall':>9} {'cpu':>9} {'rss MiB':>7} | "
           f"{'kubectl wall':>12} {'cpu':>8} {'rss MiB':>7} | {'wall x':>7} {'cpu x':>7} "
           f"{'mem x':>6} | same")
    print(hdr)
    print("-" * len(hdr))
    for n in NS:
        d = tree(n)
        target = os.path.join(d, "overlays", "prod")
        with open(os.path.join(d, "bench-info.json")) as f:
            info = json.load(f)
        docs = info.get("expected_documents", {}).get("prod", "?")
        a_out = os.path.join(ROOT, f"out-aiw-n{n}.yaml")
        k_out = os.path.join(ROOT, f"out-kubectl-n{n}.yaml")
        use_k = n <= KUBECTL_MAX_N and KUBECTL_RUNS > 0
        a_rows, k_rows = [], []
        # Alternate the tools run by run: aiw, kubectl, aiw, kubectl, ...
        for i in range(max(RUNS, KUBECTL_RUNS if use_k else 0)):
            if i < RUNS:
                a_rows.append(run([AIW, "build", target], a_out))
            if use_k and i < KUBECTL_RUNS:
                k_rows.append(run(["kubectl", "kustomize", target], k_out))
        with open(a_out, "rb") as f:
            got = sum(1 for line in f if line.startswith(b"kind:"))
        if got != docs:
            print(f"# N={n}: aiw wrote {got} documents, expected {docs}")
            ok = False
        a = (med(a_rows, 0), med(a_rows, 1), med(a_rows, 2))
        results[n] = {"aiw": a}
        line = (f"{n:>5} {docs:>6} | {fmt_s(a[0]):>9} {fmt_s(a[1]):>9} "
                f"{a[2] / 1024:>7.1f} | ")
        if use_k:
            k = (med(k_rows, 0), med(k_rows, 1), med(k_rows, 2))
            results[n]["kubectl"] = k
            same = same_file(a_out, k_out)
            ok &= same
            line += (f"{fmt_s(k[0]):>12} {fmt_s(k[1]):>8} {k[2] / 1024:>7.1f} | "
                     f"{k[0] / a[0]:>7.0f} {k[1] / a[1]:>7.0f} {k[2] / a[2]:>6.1f} | "
                     f"{'yes' if same else 'NO'}")
        else:
            line += f"{'-':>12} {'-':>8} {'-':>7} | {'-':>7} {'-':>7} {'-':>6} | -"
        print(line, flush=True)

    # The project's own overlay: many runs, median wall.
    dev = os.path.join(REPO, "overlays", "development")
    dev_out = os.path.join(ROOT, "out-aiw-development.yaml")
    dev_rss = run([AIW, "build", dev], dev_out)[2]
    dev_rows = [run([AIW, "build", dev], dev_out, rss=False) for _ in range(DEV_RUNS)]
    dev_wall = med(dev_rows, 0)
    print(f"\noverlays/development: aiw {dev_wall * 1000:.2f} ms wall (median of {DEV_RUNS}), "
          f"{med(dev_rows, 1) * 1000:.2f} ms CPU, {dev_rss / 1024:.1f} MiB")
    if KUBECTL_MAX_N > 0:
        kdev = os.path.join(ROOT, "out-kubectl-development.yaml")
        run(["kubectl", "kustomize", dev], kdev)
        same = same_file(dev_out, kdev)
        ok &= same
        print(f"overlays/development identical to kubectl: {'yes' if same else 'NO'}")

    print("\ntargets (issue 6):")

    def check(label, value, limit, less=True):
        good = value <= limit if less else value >= limit
        rel = "<=" if less else ">="
        print(f"  {'PASS' if good else 'FAIL'}  {label}: {value:.2f} (want {rel} {limit})")

    for lo, hi, limit in ((100, 1000, 12), (1000, 3000, 3.6)):
        if lo in results and hi in results:
            for i, what in ((0, "wall"), (1, "cpu")):
                check(f"{what} time(N={hi}) / time(N={lo})",
                      results[hi]["aiw"][i] / results[lo]["aiw"][i], limit)
    if 100 in results and "kubectl" in results[100]:
        a, k = results[100]["aiw"], results[100]["kubectl"]
        check("N=100 kubectl wall / aiw wall", k[0] / a[0], 150, less=False)
        check("N=100 aiw peak RSS / kubectl peak RSS", a[2] / k[2], 1 / 3)
    check("overlays/development wall (ms)", dev_wall * 1000, 5)
    if not ok:
        print("\nOUTPUTS DIFFER: see", ROOT)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
