#!/usr/bin/env python3
"""Benchmark `aiw build` against `kubectl kustomize` (issues 6 and 18).

Run it through `scripts/bench.sh`, which builds the release binary first.

For each N it generates a tree with `../shared/bench/gen.py --services N`
(cached under $AIW_BENCH_DIR), builds `overlays/prod` with aiw at every N and
with `kubectl kustomize` at N <= $KUBECTL_MAX_N, alternating the two tools run
by run, checks the outputs are byte-identical, and prints medians of wall
time, CPU time (user + sys) and peak RSS of each tool and their ratios. CPU
time and peak RSS come from wait4(2) on the child, wall time from a monotonic
clock around it. It then times the repository's own `overlays/development`,
then (issue 18) dev, staging and prod built in one run (`--out-dir`) against
three separate builds, and watch mode's rebuild after a one-file change
against a cold build of the changed tree, and checks the targets of both
issues.

Environment (all optional):
  BENCH_NS        sizes to run              (default "10 100 300 1000 3000")
  RUNS            aiw runs per size         (default 5)
  KUBECTL_RUNS    kubectl runs per size     (default 3)
  KUBECTL_MAX_N   largest N kubectl runs at (default 100; 0 = never)
  DEV_RUNS        runs for overlays/development (default 200)
  AIW_BENCH_DIR   where trees and outputs go (default $TMPDIR/aiw-bench-trees)
  AIW_BENCH_GEN   the generator (default ../shared/bench/gen.py beside the repo)
  AIW_BIN         the binary (default target/release/aiw)
  MULTI_NS        sizes for the one-run-for-three-overlays comparison (default "100")
  MULTI_RUNS      runs of each side there (default 7)
  WATCH_NS        sizes for the watch-mode comparison (default "300")
  WATCH_RUNS      one-file changes (and cold builds) there (default 9)

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
MULTI_NS = env_list("MULTI_NS", "100")
MULTI_RUNS = env_int("MULTI_RUNS", 7)
WATCH_NS = env_list("WATCH_NS", "300")
WATCH_RUNS = env_int("WATCH_RUNS", 9)
ENVS = ("dev", "staging", "prod")


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


def run_many(cmds, cwd):
    """Runs cmds one after the other; returns (wall s, cpu s) of them all."""
    t0 = time.perf_counter()
    cpu = 0.0
    for cmd in cmds:
        p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        _, status, ru = os.wait4(p.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"FAILED: {' '.join(cmd)}\n{p.stderr.read().decode(errors='replace')}")
        cpu += ru.ru_utime + ru.ru_stime
    return time.perf_counter() - t0, cpu


def multi(n):
    """dev, staging and prod: three `aiw build ENV -o FILE` against one
    `aiw build dev staging prod --out-dir OUT`, alternating; same bytes?"""
    d = tree(n)
    sep_out = os.path.join(ROOT, f"multi-sep-n{n}")
    one_out = os.path.join(ROOT, f"multi-one-n{n}")
    os.makedirs(sep_out, exist_ok=True)
    envs = [f"overlays/{e}" for e in ENVS]
    separate = [[AIW, "build", e, "-o", os.path.join(sep_out, os.path.basename(e) + ".yaml")]
                for e in envs]
    together = [[AIW, "build", *envs, "--out-dir", one_out]]
    sep_rows, one_rows = [], []
    for _ in range(MULTI_RUNS):
        sep_rows.append(run_many(separate, d))
        one_rows.append(run_many(together, d))
    same = all(same_file(os.path.join(sep_out, e + ".yaml"),
                         os.path.join(one_out, "overlays", e + ".yaml")) for e in ENVS)
    sep = (med(sep_rows, 0), med(sep_rows, 1))
    one = (med(one_rows, 0), med(one_rows, 1))
    print(f"{n:>5} | {fmt_s(sep[0]):>9} {fmt_s(sep[1]):>9} | {fmt_s(one[0]):>9} "
          f"{fmt_s(one[1]):>9} | {one[0] / sep[0]:>6.2f} {one[1] / sep[1]:>6.2f} | "
          f"{'yes' if same else 'NO'}", flush=True)
    return one[0] / sep[0], same


def watch(n):
    """`aiw build overlays/prod --watch -o FILE`: time from a one-file change
    (a port in one service base's Service) to the status line that follows
    the output's write, against cold builds of the changed tree, alternating;
    then the watch's output against the cold build's."""
    import threading, queue
    d = tree(n)
    target = os.path.join(d, "overlays", "prod")
    svc_file = None
    for team in sorted(os.listdir(os.path.join(d, "apps"))):
        for svc in sorted(os.listdir(os.path.join(d, "apps", team))):
            f = os.path.join(d, "apps", team, svc, "service.yaml")
            if os.path.exists(f):
                svc_file = f
                break
        if svc_file:
            break
    with open(svc_file) as f:
        original = f.read()
    w_out = os.path.join(ROOT, f"watch-n{n}.yaml")
    c_out = os.path.join(ROOT, f"watch-cold-n{n}.yaml")
    proc = subprocess.Popen([AIW, "build", target, "--watch", "-o", w_out],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(l) for l in proc.stderr], daemon=True).start()
    latencies, colds = [], []
    try:
        first = lines.get(timeout=600)
        if "error" in first:
            sys.exit(f"watch failed: {first}")
        for i in range(WATCH_RUNS):
            text = original.replace("port: 80\n", f"port: {81 + i}\n", 1)
            tmp = svc_file + ".bench-tmp"
            with open(tmp, "w") as f:
                f.write(text)
            t0 = time.perf_counter()
            os.rename(tmp, svc_file)
            while True:
                line = lines.get(timeout=600)
                with open(w_out) as f:
                    if f"port: {81 + i}\n" in f.read():
                        break
            latencies.append(time.perf_counter() - t0)
            if "error" in line:
                sys.exit(f"watch rebuild failed: {line}")
            colds.append(run([AIW, "build", target, "-o", c_out], c_out + ".log")[0])
        same = same_file(w_out, c_out)
    finally:
        proc.kill()
        proc.wait()
        with open(svc_file, "w") as f:
            f.write(original)
    lat, cold = statistics.median(latencies), statistics.median(colds)
    print(f"{n:>5} | {fmt_s(cold):>9} | {fmt_s(lat):>9} | {lat / cold:>6.2f} | "
          f"{'yes' if same else 'NO'}", flush=True)
    return lat / cold, same


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

    multi_ratio = {}
    if MULTI_NS and MULTI_RUNS > 0:
        print(f"\ndev + staging + prod: three separate builds (-o FILE) against one run "
              f"(--out-dir), medians of {MULTI_RUNS}, alternating")
        print(f"{'N':>5} | {'separate':>9} {'cpu':>9} | {'one run':>9} {'cpu':>9} | "
              f"{'wall':>6} {'cpu':>6} | same")
        for n in MULTI_NS:
            multi_ratio[n], same = multi(n)
            ok &= same
    watch_ratio = {}
    if WATCH_NS and WATCH_RUNS > 0:
        print(f"\nwatch: one-file change to output written, against a cold build of the "
              f"changed tree; medians of {WATCH_RUNS}, alternating")
        print(f"{'N':>5} | {'cold':>9} | {'rebuild':>9} | {'ratio':>6} | same")
        for n in WATCH_NS:
            watch_ratio[n], same = watch(n)
            ok &= same

    print("\ntargets (issues 6 and 18):")

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
    if 100 in results and "kubectl" in results[100]:
        check("N=100 kubectl wall / aiw wall (issue 18)", k[0] / a[0], 250, less=False)
    for n, r in multi_ratio.items():
        check(f"N={n} one run for dev+staging+prod / three builds (wall)", r, 0.75)
    for n, r in watch_ratio.items():
        check(f"N={n} watch rebuild after one change / cold build (wall)", r, 0.35)
    if not ok:
        print("\nOUTPUTS DIFFER: see", ROOT)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
