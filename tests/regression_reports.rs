//! Regression tests for the report, cluster and data-file defects of issue 12
//! (charts, Slurm, progress off a terminal, the codebook, exact seeds): one test
//! per defect, each named for it. They drive the built binary with small runs in
//! temporary folders.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn exe() -> &'static str {
    env!("CARGO_BIN_EXE_pathsim")
}

fn baseline() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml")
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "pathsim failed ({:?}): {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A tiny Morris sweep (4 runs) on the baseline, written into `dir`.
fn tiny_sweep(dir: &Path) -> PathBuf {
    let file = dir.join("tiny.toml");
    std::fs::write(
        &file,
        format!(
            r#"name = "tiny"
base = "{}"
seed = 11
replicates = 1
scale = 4000

[design]
kind = "morris"
r = 2
levels = 4

[[parameter]]
key = "treatment.ost_dropout_rate_0_3m"
distribution = "uniform"
min = 0.8
max = 2.4

[[outputs]]
metric = "treatment_starts"
period = 2026

[[outputs]]
metric = "proven_reoffending_rate"
period = 2025
"#,
            baseline().display().to_string().replace('\\', "\\\\")
        ),
    )
    .unwrap();
    file
}

/// Issue 12: a sweep not run in a terminal printed nothing for its whole run.
/// Now a plain line with runs done, rate and time left comes every few seconds
/// (here every draw: the interval is set to 0).
#[test]
fn sweep_not_on_a_terminal_prints_progress_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let sweep = tiny_sweep(tmp.path());
    let out = tmp.path().join("out");
    let o = Command::new(exe())
        .arg("sweep")
        .arg(&sweep)
        .arg("--out")
        .arg(&out)
        .env("PATHSIM_PROGRESS_SECS", "0")
        .output()
        .unwrap();
    ok(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("sweep: ") && l.contains(" runs ("))
        .collect();
    assert!(!lines.is_empty(), "no progress line in:\n{err}");
    for l in &lines {
        assert!(l.contains("/4 runs"), "done/total: {l}");
        assert!(l.contains("/s"), "rate: {l}");
        assert!(l.contains("left"), "time left: {l}");
        assert!(
            !l.contains('\r') && !l.contains('\u{1b}'),
            "plain text: {l:?}"
        );
    }
}

/// Read a codebook: (metric, group) -> (unit, definition).
fn codebook(dir: &Path) -> std::collections::HashMap<(String, String), (String, String)> {
    let mut r = csv::Reader::from_path(dir.join("codebook.csv")).expect("codebook.csv");
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        ["metric", "group", "unit", "definition"]
    );
    r.records()
        .map(|x| {
            let x = x.unwrap();
            (
                (x[0].to_string(), x[1].to_string()),
                (x[2].to_string(), x[3].to_string()),
            )
        })
        .collect()
}

/// Issue 12: the CSVs carried no units. Every results file now has a
/// `codebook.csv` beside it (metric, group, unit, definition) that covers every
/// (metric, group) the results hold; a sweep's covers every runs.csv column.
#[test]
fn results_files_have_a_codebook_with_units() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    ok(&Command::new(exe())
        .arg("run")
        .arg(baseline())
        .args(["--scale", "4000", "--replicates", "1", "--quiet", "--out"])
        .arg(&run)
        .output()
        .unwrap());
    let book = codebook(&run);
    let mut results = csv::Reader::from_path(run.join("results.csv")).unwrap();
    let mut seen = 0;
    for row in results.records() {
        let row = row.unwrap();
        let (unit, definition) = book
            .get(&(row[2].to_string(), row[3].to_string()))
            .unwrap_or_else(|| panic!("{} / {} not in the codebook", &row[2], &row[3]));
        assert!(!unit.is_empty() && !definition.is_empty());
        seen += 1;
    }
    assert!(seen > 100);
    assert_eq!(
        book[&("proven_reoffending_rate".into(), "all".into())].0,
        "share"
    );

    let sweep = tiny_sweep(tmp.path());
    let out = tmp.path().join("sweep");
    ok(&Command::new(exe())
        .arg("sweep")
        .arg(&sweep)
        .arg("--quiet")
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap());
    let book = codebook(&out);
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    for column in runs.lines().next().unwrap().split(',') {
        let (unit, _) = book
            .iter()
            .find(|((m, _), _)| m == column)
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("runs.csv column {column} not in the codebook"));
        assert!(!unit.is_empty(), "{column} has a unit");
    }
    assert_eq!(
        book[&("treatment.ost_dropout_rate_0_3m".into(), String::new())].0,
        "per year"
    );
}

/// Issue 12: seeds above 2^53 are read as doubles by R, so a seed copied from
/// runs.csv repeated a different run. runs.csv keeps its columns; seeds.json
/// holds every run's seed as a string, sweep.json the sweep seed as text, and
/// the codebook says how to read the column exactly.
#[test]
fn sweep_seeds_are_kept_exact_for_readers_using_doubles() {
    let tmp = tempfile::tempdir().unwrap();
    let sweep = tiny_sweep(tmp.path());
    let out = tmp.path().join("sweep");
    ok(&Command::new(exe())
        .arg("sweep")
        .arg(&sweep)
        .arg("--quiet")
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap());
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let seeds: Vec<u64> = runs
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    assert!(
        seeds.iter().any(|&s| s > 1 << 53),
        "seeds this large: {seeds:?}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("seeds.json")).unwrap()).unwrap();
    let text: Vec<&str> = json["seeds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().expect("seeds are strings"))
        .collect();
    assert_eq!(
        text,
        seeds.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("sweep.json")).unwrap()).unwrap();
    assert_eq!(manifest["seed_text"], "11");
    let book = codebook(&out);
    assert!(book[&("seed".into(), String::new())].1.contains("64-bit"));
    // --run I prints the exact seed.
    let one = Command::new(exe())
        .arg("sweep")
        .arg(&sweep)
        .args(["--run", "1"])
        .output()
        .unwrap();
    ok(&one);
    assert!(String::from_utf8_lossy(&one.stdout).contains(&format!("seed {}", seeds[1])));
}
