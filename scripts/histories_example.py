#!/usr/bin/env python3
"""Reproduce one row of results.csv from pathsim's Parquet histories.

Arrests of opiate and crack users in 2011, replicate 0, counted from the events
and people tables and multiplied by the run's scale, equal the `arrests` row
for group opiates_crack, period 2011, replicate 0 of results.csv. Read with
pandas, and with polars and DuckDB when they are installed.

    pathsim run scenarios/baseline.toml --histories \
        --histories-replicates 0 --histories-years 2011
    python3 scripts/histories_example.py outputs/baseline

Exit code 1 if a reading differs from results.csv.
"""

import sys
import tomllib
from pathlib import Path

import pandas as pd

GROUP, YEAR, REPLICATE = "opiates_crack", 2011, 0


def published_row(out: Path) -> float:
    """The row of results.csv the microdata should reproduce."""
    results = pd.read_csv(out / "results.csv")
    row = results[
        (results.replicate == REPLICATE)
        & (results.metric == "arrests")
        & (results.group == GROUP)
        & (results.period == YEAR)
    ]
    return float(row.value.iloc[0])


def with_pandas(h: Path) -> int:
    people = pd.read_parquet(h / "people.parquet")
    events = pd.read_parquet(h / "events.parquet")
    arrests = events[
        (events.event == "arrest")
        & (events.replicate == REPLICATE)
        & (pd.to_datetime(events.date).dt.year == YEAR)
    ]
    joined = arrests.merge(people, on=["replicate", "person"])
    return int((joined.substance == GROUP).sum())


def with_polars(h: Path) -> int:
    import polars as pl

    people = pl.read_parquet(h / "people.parquet")
    events = pl.read_parquet(h / "events.parquet")
    return (
        events.filter(
            (pl.col("event") == "arrest")
            & (pl.col("replicate") == REPLICATE)
            & (pl.col("date").dt.year() == YEAR)
        )
        .join(people, on=["replicate", "person"])
        .filter(pl.col("substance") == GROUP)
        .height
    )


def with_duckdb(h: Path) -> int:
    import duckdb

    return duckdb.sql(
        f"""SELECT count(*) FROM '{h / "events.parquet"}' e
            JOIN '{h / "people.parquet"}' p USING (replicate, person)
            WHERE e.event = 'arrest' AND e.replicate = {REPLICATE}
              AND year(e.date) = {YEAR} AND p.substance = '{GROUP}'"""
    ).fetchall()[0][0]


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "outputs/baseline")
    h = out / "histories"
    scale = tomllib.loads((out / "scenario.toml").read_text())["run"]["scale"]
    want = published_row(out)
    print(f"results.csv: arrests, {GROUP}, {YEAR}, replicate {REPLICATE}: {want:.0f}")
    readers = [("pandas", with_pandas), ("polars", with_polars), ("duckdb", with_duckdb)]
    failed = False
    for name, reader in readers:
        try:
            n = reader(h)
        except ImportError:
            print(f"{name}: not installed, skipped")
            continue
        ok = n * scale == want
        failed |= not ok
        print(f"{name}: {n} arrests x scale {scale:g} = {n * scale:.0f}: {'equal' if ok else 'DIFFERENT'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
