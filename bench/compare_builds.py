#!/usr/bin/env python3
"""Times builds of retort against each other on one start-up workload, interleaved.

    ./compare_builds.py [--rounds 40] [--stamped] [--args "upgrade head"] BIN BIN...

hyperfine runs one command after another, and on a shared 2-core VM the machine's speed
drifts by 10-20 % over minutes; here each round runs every build once, in alternating order,
so drift falls on all of them alike. Each build keeps its own start-up cache (a directory
per binary name under $TMPDIR), so builds with different cache formats do not rewrite each
other's. The workload is run_startup.sh's at N_BIG (work/retort/linear-sqlite-10000 and its
databases): run that first. Prints the median, 25th percentile and minimum in ms.
"""
import argparse
import os
import shlex
import statistics
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--stamped", action="store_true", help="the database with only the version table")
    ap.add_argument("--args", default="upgrade head", help="the retort command to time")
    ap.add_argument("bins", nargs="+")
    a = ap.parse_args()
    suffix = "_stamped" if a.stamped else ""
    url = f"sqlite:{HERE}/work/db/bench_retort_w2_n{a.n}{suffix}.sqlite"
    project = f"{HERE}/work/retort/linear-sqlite-{a.n}"
    times = {b: [] for b in a.bins}
    for r in range(a.rounds + 1):
        for b in a.bins if r % 2 == 0 else a.bins[::-1]:
            cache = os.path.join(tempfile.gettempdir(), "retort-compare-" + os.path.basename(b))
            env = dict(os.environ, BENCH_DB_URL=url, XDG_CACHE_HOME=cache)
            start = time.perf_counter()
            subprocess.run([b, "-C", project, *shlex.split(a.args)], env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if r > 0:  # round 0 writes each build's cache
                times[b].append((time.perf_counter() - start) * 1e3)
    for b, t in times.items():
        t.sort()
        print(f"{b}: median {statistics.median(t):.2f}  p25 {t[len(t) // 4]:.2f}  min {t[0]:.2f} ms")


if __name__ == "__main__":
    main()
