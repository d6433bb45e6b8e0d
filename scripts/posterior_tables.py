#!/usr/bin/env python3
"""Print the fit and hold-out tables (Markdown) of a history-matching calibration
from its posterior predictive file.

Usage: python3 scripts/posterior_tables.py calibration/predictive.csv [calibration/holdout.predictive.csv]

For each file: the independent calibration and validation rows with the published
figure, the posterior predictive mean and 95% interval (over the acceptable matches,
each simulated at the fit's scale), z = (mean - published) / combined SD, and whether
the row was fitted. Counts of |z| <= 2 by group head each table (independent rows only; repeats and
derived rows are listed as not counted).
"""
import csv
import sys

from targets_table import fmt, z


def table(path):
    rows = [r for r in csv.DictReader(open(path)) if r["role"] in ("calibration", "validation")]
    groups = [
        ("fitted", [r for r in rows if r["fitted"] == "true"]),
        ("not fitted (validation or held out)", [r for r in rows if r["fitted"] != "true"]),
    ]
    for label, chosen in groups:
        scored = [r for r in chosen if r["z"] != "" and r["counted"] == "true"]
        met = sum(r["met"] == "true" for r in scored)
        print(f"**{path}: {label}: {met} of {len(scored)} with |z| <= 2**\n")
        print("| id | role | published | predictive mean | 95% interval | z |")
        print("| --- | --- | --- | --- | --- | --- |")
        for r in chosen:
            u = r["unit"]
            role = r["role"] + ("" if r["counted"] == "true" else " (not counted)")
            print(f"| `{r['id']}` | {role} | {fmt(r['published'], u)} | {fmt(r['mean'], u)} | "
                  f"{fmt(r['lo95'], u)} to {fmt(r['hi95'], u)} | {z(r['z'])} |")
        print()


for p in sys.argv[1:]:
    table(p)
