//! `pathsim compare` appraises value for money: the table, the yearly
//! breakdown, every run's increments, the acceptability curve and the unit
//! costs used, with charts in the report; the appraisal terms come from the
//! scenario, change no simulated event, and bad terms are refused by key.

use std::collections::HashMap;
use std::path::Path;

mod common;
use common::{pathsim, repo};

/// The coarse retention comparison of `common` over 2 draws x 2 replicates,
/// with `extra` flags.
fn compare(out: &Path, extra: &[&str]) -> std::process::Output {
    common::compare_retention(out, &[&["--draws", "2", "--quiet"], extra].concat())
}

fn table(path: &Path) -> HashMap<String, (f64, String)> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records()
        .map(|x| {
            let x = x.unwrap();
            (
                x[0].to_string(),
                (x[3].parse().unwrap_or(f64::NAN), x[2].to_string()),
            )
        })
        .collect()
}

#[test]
fn compare_appraises_value_for_money_over_the_posterior() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    let o = compare(&out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let t = table(&out.join("value_for_money.csv"));
    for id in [
        "incremental_cost_public_sector",
        "incremental_cost_society",
        "crimes_averted_acquisitive",
        "deaths_averted_drug_poisoning",
        "qalys_gained",
        "qalys_gained_health_rate_1_5",
        "icer_public_sector",
        "net_monetary_benefit_public_sector_20k",
        "net_monetary_benefit_society_30k",
        "benefit_cost_ratio",
        "probability_benefits_exceed_costs",
        "probability_cost_effective_public_sector_30k",
    ] {
        assert!(t.contains_key(id), "no {id}");
    }
    // A quarter less dropout keeps people in treatment: more is spent on it,
    // and the undiscounted health gain exceeds the discounted one.
    assert!(t["incremental_cost_treatment"].0 > 0.0);
    assert!(t["qalys_gained_health_rate_1_5"].0 > t["qalys_gained"].0);
    let p = t["probability_benefits_exceed_costs"].0;
    assert!((0.0..=1.0).contains(&p) && (p * 4.0).fract() == 0.0, "{p}");
    // Every run, paired, with its parameter set.
    let runs = csv::Reader::from_path(out.join("value_for_money_by_replicate.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap()[1].to_string())
        .collect::<Vec<_>>();
    assert_eq!(runs, ["0", "0", "1", "1"]);
    // Each unit cost used names its source and price year.
    let mut r = csv::Reader::from_path(out.join("unit_costs_used.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (src, year) = (col("source"), col("price_year"));
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert!(rows.len() >= 20);
    for row in &rows {
        assert!(!row[src].is_empty() && row[year].parse::<i32>().is_ok());
    }
    assert!(out.join("acceptability_curve.csv").exists());
    assert!(out.join("value_for_money_by_year.csv").exists());
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("id=\"value-for-money\""));
    for chart in [
        "value_cost_effectiveness_plane",
        "value_acceptability_curve",
        "value_spending_by_year",
    ] {
        assert!(out.join(format!("charts/{chart}.svg")).exists(), "{chart}");
    }

    // Prices in another year: the same runs, every cost scaled by the GDP
    // deflator's ratio (2014/15 = 82.8 x ... of 2024/25), QALYs unchanged.
    let other = dir.path().join("prices2014");
    let o = compare(&other, &["--set", "value_for_money.price_year=2014"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let u = table(&other.join("value_for_money.csv"));
    let deflator = std::fs::read_to_string(repo("data/costs/gdp_deflator.csv")).unwrap();
    let index = |y: &str| -> f64 {
        deflator
            .lines()
            .find(|l| l.split(',').nth(1) == Some(y))
            .and_then(|l| l.split(',').nth(2))
            .unwrap()
            .parse()
            .unwrap()
    };
    let ratio = index("2014") / index("2024");
    for id in ["incremental_cost_public_sector", "incremental_cost_victims"] {
        let (a, b) = (t[id].0, u[id].0);
        assert!(
            (b - a * ratio).abs() <= 1e-9 * a.abs(),
            "{id}: {b} vs {a} x {ratio}"
        );
    }
    assert_eq!(t["qalys_gained"].0, u["qalys_gained"].0);
}

#[test]
fn appraisal_terms_outside_the_run_are_refused_by_key() {
    let dir = tempfile::tempdir().unwrap();
    for (set, key) in [
        ("value_for_money.years=30", "value_for_money.years"),
        ("value_for_money.from=1980", "value_for_money.from"),
        (
            "value_for_money.price_year=1999",
            "value_for_money.price_year",
        ),
        ("value_for_money.wtp_high=100", "value_for_money.wtp_high"),
    ] {
        let out = dir.path().join(key);
        let o = compare(&out, &["--set", set]);
        assert_eq!(o.status.code(), Some(2), "{set}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(key), "{set}: {err}");
        assert!(!out.exists(), "{set}: nothing is written");
    }
    // A run that ends before the default appraisal years runs as before, and
    // is refused only when compared, before anything runs.
    let short = dir.path().join("short.toml");
    std::fs::write(
        &short,
        format!(
            "base = \"{}\"\n[run]\nhorizon = 2012-01-01\nscale = 2000.0\nreplicates = 2\n",
            repo("scenarios/baseline.toml").display()
        ),
    )
    .unwrap();
    let o = pathsim(&["check", short.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = dir.path().join("short_cmp");
    let o = pathsim(&[
        "compare",
        short.to_str().unwrap(),
        short.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("short.toml") && err.contains("value_for_money.from"),
        "{err}"
    );
    assert!(!out.exists());
}
