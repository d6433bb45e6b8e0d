#!/usr/bin/env python3
"""Print the national fit table (Markdown) from a `pathsim targets` run.

Usage: python3 scripts/national_table.py outputs/baseline-targets/targets.csv

For every official series of calibration/national_series.csv: the official
figure, the simulated mean under the publication's definition, its 95% Monte
Carlo interval over replicates, the error (per cent for counts, points for
rates) and whether it is within the issue's rule (15% for counts, 3 points
for rates).
"""
import csv
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
series = {r["id"]: r for r in csv.DictReader(open(root / "calibration/national_series.csv"))}
rows = {r["id"]: r for r in csv.DictReader(open(sys.argv[1]))}

def fmt(v, unit):
    if unit == "percent":
        return f"{v:.1f}%"
    return f"{v:,.0f}"

print("| id | period | official | simulated | 95% interval | error | within |")
print("| --- | --- | --- | --- | --- | --- | --- |")
within = 0
for sid, s in series.items():
    r = rows.get(sid)
    if r is None or r["mean"] in ("", "NaN"):
        print(f"| `{sid}` | {s['period']} | {fmt(float(s['value']), s['unit'])} | not measured | | | no |")
        continue
    unit = s["unit"]
    pub, mean = float(s["value"]), float(r["mean"])
    lo, hi = float(r["lo95"]), float(r["hi95"])
    if unit == "percent":
        err = mean - pub
        ok = abs(err) <= 3.0
        e = f"{err:+.1f} pt"
    else:
        err = mean / pub - 1
        ok = abs(err) <= 0.15
        e = f"{100 * err:+.0f}%"
    within += ok
    print(f"| `{sid}` | {s['period']} | {fmt(pub, unit)} | {fmt(mean, unit)} | "
          f"{fmt(lo, unit)} to {fmt(hi, unit)} | {e} | {'yes' if ok else 'no'} |")
print()
print(f"{within} of {len(series)} within 15% (counts) or 3 points (rates).")
