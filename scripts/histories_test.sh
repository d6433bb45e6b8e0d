#!/usr/bin/env bash
# The microdata's readers: pathsim run --histories at a coarse scale, then
# scripts/histories_example.py reads the Parquet with pandas, polars and DuckDB
# (installed from PyPI here) and reproduces a row of results.csv; the R arrow
# example runs too where R and its arrow package are installed.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check pandas pyarrow polars duckdb 2>&1 \
  | grep -v "Running pip as the 'root' user" || true
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# $PATHSIM: a binary already built (CI passes the one `cargo test --release`
# built: `cargo build` would rebuild it with other dependency features).
if [ -n "${PATHSIM:-}" ]; then exe=$PATHSIM; else cargo build --release --quiet; exe=target/release/pathsim; fi
"$exe" run scenarios/baseline.toml --scale 200 --replicates 2 --point \
  --quiet --out "$out/run" --histories --histories-replicates 0 --histories-years 2011
python3 scripts/histories_example.py "$out/run"
if command -v Rscript >/dev/null && Rscript -e 'library(arrow)' >/dev/null 2>&1; then
  Rscript scripts/histories_example.R "$out/run"
else
  echo "R arrow not installed: scripts/histories_example.R skipped"
fi
