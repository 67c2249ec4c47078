#!/usr/bin/env python3
"""Print the start-up benchmark's report (Markdown): retort beside the floor and Alembic.

  startup_report.py [--results DIR] [--n 1000] [--n-big 10000]

Reads what run_startup.sh left in DIR (default results/startup): DIR/retort, DIR/floor
(`sqlite3 DB 'SELECT revision FROM retort_version'` on retort's own databases, timed right
after each retort key) and DIR/alembic, W2 keys `w2-<command>-sqlite-n<N>[-stamped]`, and
retort's `...-nocache` keys (RETORT_NO_CACHE=1: every file read and parsed). Per key:
medians, retort − floor, Alembic / retort, retort's peak RSS, and retort's N_BIG/N time
ratio (linearity). Then issue 13's targets at N_BIG, each met or not: every command at
most 50 ms with the start-up cache and 100 ms without, at least 100x faster than Alembic
(the same command, in the same run), under 50 MB.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from summarize import fmt_time, load, versions  # noqa: E402

COMMANDS = ("current", "heads", "history", "upgrade-head")
STATES = (("", "all applied"), ("-stamped", "stamped"))
CACHES = (("", "cache"), ("-nocache", "no cache"))
MAX_MS = {"": 50.0, "-nocache": 100.0}
FASTER, MAX_MB = 100.0, 50.0


def cell(r) -> str:
    if not r:
        return "–"
    return f"{fmt_time(r['median'])} ({len(r['times'])})"


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--results", default=os.path.join(here, "results", "startup"))
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--n-big", type=int, default=10000)
    a = ap.parse_args()
    retort, floor, alembic = (load(a.results, t) for t in ("retort", "floor", "alembic"))
    sizes = [a.n, a.n_big] if a.n_big else [a.n]

    out = []
    out += versions(a.results)
    out += [
        "Medians of wall time, number of timed runs in parentheses. floor = "
        "`sqlite3 DB 'SELECT revision FROM retort_version'` on retort's own database, "
        "timed right after retort's key. retort peak RSS: one extra untimed run under GNU time. "
        f"{a.n_big}/{a.n} = retort's median at {a.n_big} revisions / at {a.n} "
        f"({a.n_big / a.n:g} = linear). retort CPU = its user + system time per run (mean), "
        "which a busy machine disturbs less than wall time (Alembic / retort CPU: the same ratio "
        "in CPU time); load = the highest 1-minute load average as the runs of that key "
        "started (2 cores). The targets are judged on wall time (the medians).",
        "",
        "| revisions | database | retort's cache | command | retort | floor | Alembic | "
        f"retort − floor | Alembic / retort | retort RSS | retort {a.n_big}/{a.n} | retort CPU | "
        "Alembic / retort CPU | load retort / Alembic |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    verdicts = {"within": [], "faster": [], "memory": []}
    for n in sizes:
        for (sfx, state), (csfx, cache) in ((s, c) for s in STATES for c in CACHES):
            for cmd in COMMANDS:
                key = f"w2-{cmd}-sqlite-n{n}{sfx}"
                r, f, al = retort.get(key + csfx), floor.get(key), alembic.get(key)
                diff = (r["median"] - f["median"]) * 1000 if r and f else None
                ratio = al["median"] / r["median"] if r and al else None
                rss = r["rss_mb"] if r else None
                lin = "–"
                if n == a.n_big and a.n_big != a.n:
                    small = retort.get(f"w2-{cmd}-sqlite-n{a.n}{sfx}{csfx}")
                    if r and small:
                        lin = f"{r['median'] / small['median']:.1f}×"
                out.append("| " + " | ".join([
                    str(n), state, cache, cmd.replace("-", " "), cell(r), cell(f) if not csfx else "–",
                    cell(al),
                    f"{diff:+.1f} ms" if diff is not None and not csfx else "–",
                    f"{ratio:,.0f}×" if ratio is not None else "–",
                    f"{rss:.1f} MB" if rss else "–", lin,
                    fmt_time(r["cpu"]) if r else "–",
                    f"{al['cpu'] / r['cpu']:,.0f}×" if r and al and r["cpu"] else "–",
                    f"{r['load'] if r else '–'} / {al['load'] if al else '–'}"]) + " |")
                if n == a.n_big:
                    ms = r["median"] * 1000 if r else None
                    verdicts["within"].append((key + csfx, (ms, MAX_MS[csfx]) if r else None))
                    if not csfx:  # issue 13: the 100x is for runs with the cache
                        verdicts["faster"].append((key + csfx, ratio))
                    verdicts["memory"].append((key + csfx, rss))

    def verdict(name, items, ok, fmt):
        missing = [k for k, v in items if v is None]
        bad = [(k, v) for k, v in items if v is not None and not ok(v)]
        vals = [v for _, v in items if v is not None]
        if not items:
            return f"- {name}: not measured"
        status = "**met**" if not bad and not missing else "**not met**"
        line = f"- {name}: {status}"
        if vals:
            line += f" (range {fmt(min(vals))} … {fmt(max(vals))})"
        if bad:
            line += "; misses: " + ", ".join(f"`{k}` {fmt(v)}" for k, v in bad)
        if missing:
            line += "; not measured: " + ", ".join(f"`{k}`" for k in missing)
        return line

    n_keys = len(COMMANDS) * len(STATES) * len(CACHES)
    out += ["", f"Targets at {a.n_big} revisions (all {n_keys} keys above):", ""]
    out.append(verdict("retort at most 50 ms with its cache, 100 ms without", verdicts["within"],
                       lambda v: v[0] <= v[1], lambda v: f"{v[0]:.1f} ms"))
    out.append(verdict(f"retort at least {FASTER:.0f}× faster than Alembic (with its cache)",
                       verdicts["faster"],
                       lambda v: v >= FASTER, lambda v: f"{v:,.0f}×"))
    out.append(verdict(f"retort peak RSS under {MAX_MB:.0f} MB", verdicts["memory"],
                       lambda v: v < MAX_MB, lambda v: f"{v:.1f} MB"))
    print("\n".join(out))


if __name__ == "__main__":
    main()
