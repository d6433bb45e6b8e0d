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
key = "treatment.dropout_rate_0_3m"
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
