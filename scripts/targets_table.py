#!/usr/bin/env python3
"""Print the seed studies' calibration and validation rows of a `pathsim targets`
run as Markdown tables (published, simulated, 95% interval, error, met).

Usage: python3 scripts/targets_table.py outputs/baseline-targets/targets.csv
"""
import csv
import sys

rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["study"] != "national"]

def fmt(v, unit):
    if v in ("", "NaN"):
        return "n/a"
    v = float(v)
    if unit == "percent":
        return f"{v:.1f}%"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.2f}"

for role in ("calibration", "validation"):
    chosen = [r for r in rows if r["role"] == role]
    met = sum(r["met"] == "true" for r in chosen)
    print(f"**{role.capitalize()}: {met} of {len(chosen)} met**\n")
    print("| id | study | published | simulated | 95% interval | met |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in chosen:
        u = r["unit"]
        print(f"| `{r['id']}` | {r['study']} | {fmt(r['published'], u)} | {fmt(r['mean'], u)} | "
              f"{fmt(r['lo95'], u)} to {fmt(r['hi95'], u)} | {'yes' if r['met'] == 'true' else 'no'} |")
    print()
