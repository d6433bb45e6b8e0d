#!/usr/bin/env python3
"""Print the seed studies' calibration and validation rows of a `pathsim targets`
run as Markdown tables (published, simulated, 95% interval, z, met). Rows that
repeat or follow from other rows (counted = false) are listed but not counted.

Usage: python3 scripts/targets_table.py outputs/baseline-targets/targets.csv
"""
import csv
import sys


def fmt(v, unit):
    if v in ("", "NaN"):
        return "n/a"
    v = float(v)
    if unit == "percent":
        return f"{v:.1f}%"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.2f}"

def z(v):
    return "n/a" if v in ("", "NaN") else f"{float(v):+.1f}"

def main(path):
    rows = [r for r in csv.DictReader(open(path)) if r["study"] != "national"]
    for role in ("calibration", "validation", "verification"):
        chosen = [r for r in rows if r["role"] == role]
        counted = [r for r in chosen if r["counted"] == "true"]
        met = sum(r["met"] == "true" for r in counted)
        print(f"**{role.capitalize()}: {met} of {len(counted)} independent rows met (|z| <= 2)**\n")
        print("| id | study | published | simulated | 95% interval | z | met |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for r in chosen:
            u = r["unit"]
            met = ("yes" if r["met"] == "true" else "no") + ("" if r["counted"] == "true" else " (not counted)")
            print(f"| `{r['id']}` | {r['study']} | {fmt(r['published'], u)} | {fmt(r['mean'], u)} | "
                  f"{fmt(r['lo95'], u)} to {fmt(r['hi95'], u)} | {z(r['z'])} | {met} |")
        print()


if __name__ == "__main__":
    main(sys.argv[1])
