//! The golden baseline: a small fixed-seed run of the shipped baseline whose
//! outputs are checked into `tests/golden/` and compared byte for byte.
//!
//! Any change to the model's behaviour (a rate, a rule, the order of random
//! draws) changes these files, so it shows as a diff in review. A pure
//! restructuring must leave them unchanged. After a deliberate behaviour change,
//! regenerate them with the one documented command
//!
//! ```sh
//! PATHSIM_BLESS=1 cargo test --release --test golden
//! ```
//!
//! and commit the new files with the change that explains them.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The small fixed-seed run every golden file comes from.
const SMALL: &[&str] = &["--scale", "200", "--replicates", "2", "--quiet"];

/// Run `pathsim <command> <scenarios...> SMALL --out DIR` and return DIR.
fn run(command: &str, scenarios: &[&str], dir: &Path) -> PathBuf {
    let out = dir.join(command);
    let mut args: Vec<String> = vec![command.into()];
    args.extend(scenarios.iter().map(|s| repo(s).display().to_string()));
    args.extend(SMALL.iter().map(|s| s.to_string()));
    args.extend(["--out".into(), out.display().to_string()]);
    let o = Command::new(env!("CARGO_BIN_EXE_pathsim"))
        .args(&args)
        .output()
        .expect("run pathsim");
    assert!(
        o.status.success(),
        "pathsim {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

/// Compare `produced` with `tests/golden/<golden>`, or overwrite it when blessing.
fn check(produced: &Path, golden: &str) {
    let want_path = repo("tests/golden").join(golden);
    let got = std::fs::read_to_string(produced).expect("output written");
    if std::env::var_os("PATHSIM_BLESS").is_some() {
        std::fs::write(&want_path, &got).expect("write golden file");
        return;
    }
    let want = std::fs::read_to_string(&want_path).unwrap_or_else(|_| {
        panic!(
            "{} is missing: run `PATHSIM_BLESS=1 cargo test --release --test golden`",
            want_path.display()
        )
    });
    if got != want {
        let first = got
            .lines()
            .zip(want.lines())
            .enumerate()
            .find(|(_, (g, w))| g != w)
            .map(|(i, (g, w))| {
                format!(
                    "first difference at line {}:\n  golden: {w}\n  now:    {g}",
                    i + 1
                )
            })
            .unwrap_or_else(|| {
                format!(
                    "line counts differ: golden {}, now {}",
                    want.lines().count(),
                    got.lines().count()
                )
            });
        panic!(
            "{golden} differs from the golden copy: the model's behaviour changed.\n{first}\n\
             If the change is intended, run `PATHSIM_BLESS=1 cargo test --release --test golden` \
             and commit tests/golden/ with it."
        );
    }
}

#[test]
fn baseline_summary_matches_the_golden_copy() {
    let dir = tempfile::tempdir().unwrap();
    let out = run("run", &["scenarios/baseline.toml"], dir.path());
    check(&out.join("summary.csv"), "baseline_summary.csv");
}

#[test]
fn baseline_targets_match_the_golden_copy() {
    let dir = tempfile::tempdir().unwrap();
    let out = run("targets", &["scenarios/baseline.toml"], dir.path());
    check(&out.join("targets.csv"), "baseline_targets.csv");
    check(
        &out.join("observed_vs_causal.csv"),
        "baseline_observed_vs_causal.csv",
    );
}

#[test]
fn retention_comparison_matches_the_golden_copy() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        "compare",
        &[
            "scenarios/baseline.toml",
            "scenarios/retention_improved.toml",
        ],
        dir.path(),
    );
    check(&out.join("differences.csv"), "retention_differences.csv");
}
