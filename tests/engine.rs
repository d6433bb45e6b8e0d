//! End-to-end checks of the engine: reproducibility across thread counts, common
//! random numbers between scenarios, and clear errors for bad scenario files.

use pathsim::engine::{simulate_people, Model};
use pathsim::history::{EventKind, Histories};
use pathsim::population::Roster;
use pathsim::rng::replicate_seed;
use pathsim::scenario;
use std::path::PathBuf;

mod common;
use common::{pathsim, repo};

#[test]
fn same_seed_gives_byte_identical_csv_on_1_2_and_8_threads() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = repo("scenarios/baseline.toml");
    let mut outputs = Vec::new();
    for threads in ["1", "2", "8"] {
        let out = dir.path().join(format!("t{threads}"));
        let o = pathsim(&[
            "run",
            baseline.to_str().unwrap(),
            "--scale",
            "400",
            "--replicates",
            "3",
            "--threads",
            threads,
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let results = std::fs::read(out.join("results.csv")).unwrap();
        let summary = std::fs::read(out.join("summary.csv")).unwrap();
        assert!(results.len() > 10_000);
        outputs.push((results, summary));
    }
    assert!(outputs[0] == outputs[1], "1 vs 2 threads differ");
    assert!(outputs[0] == outputs[2], "1 vs 8 threads differ");
}

/// Simulate one chunk of people for a scenario file at a coarse scale.
fn histories(file: &str, ids: std::ops::Range<u64>) -> Histories {
    let p = scenario::load_with(&repo(file), &["run.scale=200".into()])
        .unwrap()
        .params;
    let model = Model::new(&p);
    let roster = Roster::new(&p);
    let mut h = Histories::default();
    let seed = replicate_seed(p.run.seed, 0);
    simulate_people(&p, &model, &roster, seed, ids, &mut h);
    h
}

#[test]
fn a_retention_lever_leaves_every_other_draw_unchanged() {
    // People who enter in the 2010s and 2020s, many in treatment after 2026.
    let ids = 30_000..38_000;
    let base = histories("scenarios/baseline.toml", ids.clone());
    let lever = histories("scenarios/retention_improved.toml", ids);
    let start = pathsim::calendar::Date::ymd(2026, 4, 1).day();
    let mut untouched = 0;
    let mut changed = 0;
    for ((pa, ea), (pb, eb)) in base.iter().zip(lever.iter()) {
        // Attributes are drawn from their own stream; only the exit day may move.
        assert_eq!(
            pathsim::history::Person { exit_day: 0, ..*pa },
            pathsim::history::Person { exit_day: 0, ..*pb },
            "attributes differ"
        );
        // Before the lever starts, histories are identical event for event.
        let before = |e: &[pathsim::history::Event]| {
            e.iter()
                .filter(|x| x.day < start)
                .copied()
                .collect::<Vec<_>>()
        };
        assert_eq!(
            before(ea),
            before(eb),
            "person {} differs before the lever",
            pa.id
        );
        // People never in treatment after the start are not touched at all.
        let treated_after = |e: &[pathsim::history::Event]| {
            e.iter()
                .any(|x| x.kind == EventKind::TreatmentStart && x.day >= start)
                || e.iter()
                    .any(|x| x.kind == EventKind::TreatmentEnd && x.day >= start)
        };
        if !treated_after(ea) && !treated_after(eb) {
            assert_eq!(ea, eb, "untreated person {} differs", pa.id);
            untouched += 1;
        } else if ea != eb {
            changed += 1;
        }
    }
    assert!(untouched > 1000, "{untouched}");
    assert!(changed > 10, "the lever changed nobody ({changed})");
}

#[test]
fn compare_shows_a_difference_with_an_interval() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    let o = pathsim(&[
        "compare",
        repo("scenarios/baseline.toml").to_str().unwrap(),
        repo("scenarios/retention_improved.toml").to_str().unwrap(),
        "--scale",
        "400",
        "--replicates",
        "4",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(out.join("differences.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let mut seen = false;
    for rec in rdr.records() {
        let rec = rec.unwrap();
        if &rec[col("metric")] == "completion_share" && &rec[col("group")] == "all" {
            let year: i32 = rec[col("period")].parse().unwrap();
            let d: f64 = rec[col("difference_mean")].parse().unwrap();
            let lo: f64 = rec[col("difference_lo95")].parse().unwrap();
            let hi: f64 = rec[col("difference_hi95")].parse().unwrap();
            if year < 2026 {
                assert_eq!(
                    (d, lo, hi),
                    (0.0, 0.0, 0.0),
                    "difference before the lever in {year}"
                );
            } else if year >= 2028 {
                // Fewer dropouts: a larger share of exits are completions.
                assert!(lo > 0.0 && d > lo && hi > d, "{year}: {d} [{lo}, {hi}]");
                seen = true;
            }
        }
    }
    assert!(seen);
}

#[test]
fn misspelt_key_exits_2_naming_line_and_nearest_key() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("typo.toml");
    std::fs::write(
        &f,
        format!(
            "base = \"{}\"\n\n[treatment]\ndropuot_rate_0_3m = 1.0\n",
            repo("scenarios/baseline.toml").display()
        ),
    )
    .unwrap();
    let o = pathsim(&["check", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("typo.toml:4:1"), "{err}");
    assert!(err.contains("treatment.ost_dropout_rate_0_3m"), "{err}");
    let o = pathsim(&["run", f.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn out_of_range_value_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.toml");
    std::fs::write(&f, "[court]\nconviction_probability = 1.2\n").unwrap();
    let out = dir.path().join("out");
    let o = pathsim(&["run", f.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.toml:2:1") && err.contains("court.conviction_probability"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn shipped_scenarios_all_validate() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 4);
    for f in files {
        let s = scenario::load(&f).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !s.params.description.is_empty(),
            "{} has no description",
            f.display()
        );
    }
}

#[test]
fn run_writes_manifest_that_repeats_the_run_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    let o = pathsim(&[
        "run",
        repo("scenarios/testing_extended.toml").to_str().unwrap(),
        "--scale",
        "1000",
        "--replicates",
        "2",
        "--quiet",
        "--out",
        a.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["seed"], 20261124);
    assert_eq!(manifest["replicates"], 2);
    assert!(manifest["parameters"]["levers"]["testing_extended"]["enabled"] == true);
    let o = pathsim(&[
        "run",
        a.join("scenario.toml").to_str().unwrap(),
        "--quiet",
        "--out",
        b.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        std::fs::read(a.join("results.csv")).unwrap(),
        std::fs::read(b.join("results.csv")).unwrap()
    );
}
