//! Parameter uncertainty reaches `run` and `compare`: replicates are spread over
//! posterior draws, every interval carries both kinds of uncertainty, and the
//! share of the variance from the parameters is written beside the results.

use std::path::Path;

mod common;
use common::{pathsim, repo};

/// The coarse retention comparison of `common`, which must succeed.
fn compare(out: &Path, extra: &[&str]) -> std::process::Output {
    let o = common::compare_retention(out, extra);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

#[test]
fn compare_spreads_replicates_over_posterior_draws_and_splits_the_variance() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    let o = compare(&out, &["--draws", "2"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("2 posterior parameter sets x 2 replicates"),
        "{text}"
    );
    assert!(text.contains("share of each headline's variance from the parameters"));
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"parameter_sets\": 2"), "{manifest}");
    let mut r = csv::Reader::from_path(out.join("variance_split.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let share = h.iter().position(|c| c == "parameter_share").unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert!(!rows.is_empty());
    for row in &rows {
        let s: f64 = row[share].parse().unwrap();
        assert!((0.0..=1.0).contains(&s));
    }
    // The point estimate: no split, and the intervals say they are noise only.
    let point = dir.path().join("point");
    let o = compare(&point, &["--point"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("Monte Carlo noise only"));
    assert!(!point.join("variance_split.csv").exists());
    // The draws change the results: the two runs differ.
    let a = std::fs::read_to_string(out.join("differences.csv")).unwrap();
    let b = std::fs::read_to_string(point.join("differences.csv")).unwrap();
    assert_ne!(a, b);
}

/// `pathsim bench --compare` times a posterior comparison at the scenarios' own
/// settings, draws and both arms included.
#[test]
fn bench_times_a_posterior_comparison() {
    let dir = tempfile::tempdir().unwrap();
    let small = |name: &str, base: &str| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!(
                "base = \"{}\"\n[run]\nscale = 2000.0\nreplicates = 4\n",
                repo(base).display()
            ),
        )
        .unwrap();
        path
    };
    let a = small("a.toml", "scenarios/baseline.toml");
    let b = small("b.toml", "scenarios/retention_improved.toml");
    let o = pathsim(&[
        "bench",
        "--scale",
        "2000",
        "--threads",
        "1",
        "--no-kernel",
        "--draws",
        "2",
        "--compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("compare (2 x 2, both)"))
        .unwrap_or_else(|| panic!("{text}"));
    // "compare", "(2", "x", "2,", "both)", threads, seconds, s/replicate, ...
    let cols: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(cols[5], "1", "{line}");
    let seconds: f64 = cols[6].parse().unwrap();
    let per_pair: f64 = cols[7].parse().unwrap();
    assert!(seconds > 0.0, "{line}");
    // Four pairs of replicates (2 draws x 2), each pair timed together.
    assert!((per_pair - seconds / 4.0).abs() < 0.006, "{line}");
    // No kernel was timed, so no ratio to it.
    assert_eq!(cols[10], "-", "{line}");
}
