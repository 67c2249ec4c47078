#!/usr/bin/env python3
"""Print W3's report (Markdown): retort beside Alembic, per database, table count and drift.

  w3_report.py [--results DIR]          (default results/w3, where run_w3.sh writes)

Reads DIR/retort, DIR/alembic and DIR/baseline (keys w3-<what>-<db>-t<T>[-drift<K>]), and
the W3 lines of each tool's checks.tsv. One row per retort measurement, beside the Alembic
measurement doing the same job: Alembic keeps no state between runs (every run reflects the
whole database and compares it with its models), so its `check` stands beside each of
retort's three `check` keys, and its `revision --autogenerate` of the same workload beside
retort's `autogen` and `devloop` (autogenerate again after one table changed).
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from summarize import fmt_time, load, natural, versions  # noqa: E402

# (retort's key prefix, what it times, Alembic's key prefix for the same job)
ROWS = (
    ("w3-check-first", "check, first run (dev database made and loaded)", "w3-check"),
    ("w3-check", "check, dev database warm", "w3-check"),
    ("w3-check-edit", "check, one declared table changed", "w3-check"),
    ("w3-dump", "schema dump (the live schema read alone: compare with the floor)", "w3-check"),
    ("w3-autogen", "autogenerate", "w3-autogen"),
    ("w3-devloop", "autogenerate again: one table's migration applied, that table changed "
     "again", "w3-autogen"),
)
WORKLOAD = re.compile(r"-(postgresql|mysql|sqlite)-t(\d+)(-drift\d+)?$")
DB_NAMES = {"postgresql": "PostgreSQL", "mysql": "MariaDB/MySQL", "sqlite": "SQLite"}


def cell(r) -> str:
    return f"{fmt_time(r['median'])} ({len(r['times'])})" if r else "–"


def ratio(a, b, field="median") -> str:
    return f"{a[field] / b[field]:.1f}×" if a and b and b[field] else "–"


def mb(r) -> str:
    return f"{r['rss_mb']:.0f} MB" if r and r["rss_mb"] else "–"


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--results", default=os.path.join(here, "results", "w3"))
    a = ap.parse_args()
    retort, alembic, base = (load(a.results, t) for t in ("retort", "alembic", "baseline"))
    workloads = sorted({m.group(0)[1:] for k in list(retort) + list(alembic)
                        if k.startswith("w3-") and (m := WORKLOAD.search(k))}, key=natural)

    out = []
    out += versions(a.results)
    out += [
        "Medians of wall time, timed runs in parentheses (run_all.sh: one per round, the "
        "tools taking turns). Alembic / retort: the ratio of medians; CPU: the same ratio "
        "in the tools' own user + system time, which a busy machine disturbs less. Alembic "
        "keeps nothing between runs, so its `check` (or `revision --autogenerate`) of the "
        "same workload stands beside each retort row. PostgreSQL's floor: `psql -f "
        "sql/pg_schema.sql`, the catalog queries that read the whole schema (baseline).",
        "",
        "| database | tables | drift | retort command | retort | Alembic | Alembic / retort | "
        "Alembic / retort CPU | retort RSS | Alembic RSS | floor | load retort / Alembic |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for w in workloads:
        m = WORKLOAD.search("-" + w)
        db, tables, drift = m.group(1), m.group(2), (m.group(3) or "")[len("-drift"):]
        for rkey, what, akey in ROWS:
            r, al = retort.get(f"{rkey}-{w}"), alembic.get(f"{akey}-{w}")
            if not r:
                continue
            floor = base.get(f"{akey}-{w}")
            out.append("| " + " | ".join([
                DB_NAMES[db], tables, drift or "none", what, cell(r), cell(al),
                ratio(al, r), ratio(al, r, "cpu"), mb(r), mb(al), cell(floor),
                f"{r['load'] or '–'} / {al['load'] if al and al['load'] else '–'}"]) + " |")
        if not any(k.endswith("-" + w) for k in retort):
            out.append(f"| {DB_NAMES[db]} | {tables} | {drift or 'none'} | (not measured) | – | "
                       f"{cell(alembic.get('w3-check-' + w))} | – | – | – | – | – | – |")

    out += ["", "Checks (each tool's checks.tsv, W3 lines):", ""]
    for tool in ("retort", "alembic"):
        path = os.path.join(a.results, tool, "checks.tsv")
        if os.path.exists(path):
            lines = [line.rstrip("\n").replace("\t", ": ", 1) for line in open(path)
                     if line.startswith("w3-")]
            out += [f"    {tool} {line}" for line in lines]
    print("\n".join(out))


if __name__ == "__main__":
    main()
