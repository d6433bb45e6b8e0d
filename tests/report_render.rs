//! Render run, comparison, targets and sweep reports from small real runs (and
//! sweep charts from hand-built indices) and check that each page is
//! self-contained (inline SVG, no network addresses), puts headlines first, and
//! charts what it claims to.
//!
//! Set PATHSIM_REPORT_OUT=<folder> to keep the reports (scripts/screenshot_test.sh does).

use pathsim::report;
use pathsim::run::{self, summarise};
use pathsim::studies::retention::RetentionCurves;
use std::path::{Path, PathBuf};

fn load(name: &str) -> pathsim::params::Params {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    pathsim::scenario::load_with(&path, &["run.scale=2000".into(), "run.replicates=3".into()])
        .expect("scenario loads")
        .params
}

fn out_dir(tmp: &tempfile::TempDir, name: &str) -> PathBuf {
    let dir = match std::env::var_os("PATHSIM_REPORT_OUT") {
        Some(d) => PathBuf::from(d).join(name),
        None => tmp.path().join(name),
    };
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// No external resources: every src and href stays in the page.
fn assert_self_contained(html: &str) {
    let lower = html.to_ascii_lowercase();
    for attr in ["src=", "href=", "url("] {
        for (i, _) in lower.match_indices(attr) {
            let rest = lower[i + attr.len()..].trim_start_matches(['"', '\'', ' ']);
            assert!(
                !rest.starts_with("http:")
                    && !rest.starts_with("https:")
                    && !rest.starts_with("//"),
                "external resource at byte {i}: {}",
                &html[i..(i + 80).min(html.len())]
            );
        }
    }
    assert!(!lower.contains("<script"), "no scripts");
    assert!(!lower.contains("<link"), "no linked stylesheets");
    assert!(!lower.contains("@import"), "no imported stylesheets");
}

#[test]
fn run_and_compare_reports_are_self_contained() {
    let tmp = tempfile::tempdir().unwrap();
    let bar = indicatif::ProgressBar::hidden();

    let base = load("baseline.toml");
    let (a, retention) = pathsim::run::run_with(&base, &bar, || RetentionCurves::for_params(&base));
    let sa = summarise(a.replicates.iter().map(|r| r.as_slice()));
    let dir = out_dir(&tmp, "run");
    let manifest = serde_json::json!({"repeat_with": "pathsim run scenarios/baseline.toml", "seed": base.run.seed});
    report::run_report(&dir, &sa, &base, &manifest.to_string(), Some(&retention)).unwrap();
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert_self_contained(&html);
    assert!(html.starts_with("<!DOCTYPE html>"));
    let headlines = html.find("id=\"headlines\"").expect("headline section");
    let first_svg = html.find("<svg").expect("inline svg");
    assert!(headlines < first_svg, "headlines come before the charts");
    assert!(
        html.find("id=\"manifest\"").unwrap() > first_svg,
        "manifest comes last"
    );
    assert!(html.contains("<details>"));
    assert!(
        html.matches("<svg").count() >= 4,
        "reoffending, starts, flow and retention charts"
    );
    assert!(html.contains("Proven reoffending"));
    for chart in [
        "proven_reoffending_by_substance",
        "treatment_starts_by_route",
        "pathway_flow",
        "retention_by_route",
        "retention_by_substance",
    ] {
        let svg = std::fs::read_to_string(dir.join("charts").join(format!("{chart}.svg"))).unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"), "{chart}");
    }
    // Retention curves start at 100% and never rise.
    for (label, pts) in retention.curves() {
        assert_eq!(pts[0], (0.0, 1.0), "{label}");
        assert!(pts.windows(2).all(|w| w[1].1 <= w[0].1 + 1e-12), "{label}");
    }

    let scen = load("retention_improved.toml");
    let c = run::run(&scen, &bar);
    let sc = summarise(c.replicates.iter().map(|r| r.as_slice()));
    let diffs = run::differences(&a, &c);
    let sd = summarise(diffs.iter().map(|r| r.as_slice()));
    let dir = out_dir(&tmp, "compare");
    let value = pathsim::value_for_money::appraise(
        &a.replicates,
        &c.replicates,
        &scen.value_for_money,
        c.sets,
    )
    .unwrap();
    report::compare_report(
        &dir,
        &sa,
        &sc,
        &sd,
        &base,
        &scen,
        "{\"scenario\": {}}",
        Some(&value),
    )
    .unwrap();
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert_self_contained(&html);
    let headlines = html.find("id=\"headlines\"").expect("headline section");
    assert!(headlines < html.find("<svg").expect("inline svg"));
    assert!(
        html.contains("levers.retention.enabled"),
        "lever changes listed"
    );
    assert!(html.contains("95% interval"));
    assert!(
        html.contains("id=\"value-for-money\""),
        "value for money section"
    );
    assert!(dir
        .join("charts/difference_proven_reoffending_rate.svg")
        .exists());
}

fn exe() -> &'static str {
    env!("CARGO_BIN_EXE_pathsim")
}

fn run_pathsim(args: &[&std::ffi::OsStr]) {
    let o = std::process::Command::new(exe())
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "pathsim failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A text element of a plotters SVG, as it writes them (content on its own line).
fn svg_text(content: &str) -> String {
    format!(">\n{content}\n</text>")
}

/// Headlines first, then inline charts, then the manifest last.
fn assert_page_order(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"));
    let headlines = html.find("id=\"headlines\"").expect("headline section");
    let first_svg = html.find("<svg").expect("inline svg");
    assert!(headlines < first_svg, "headlines come before the charts");
    assert!(
        html.find("id=\"manifest\"").expect("manifest") > html.rfind("</svg>").unwrap(),
        "manifest comes last"
    );
}

/// `pathsim targets` writes its report beside targets.csv: every calibration and
/// validation target is a row of a chart, and the headline counts match the CSV.
#[test]
fn targets_report_charts_every_target() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = out_dir(&tmp, "targets");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    run_pathsim(&[
        "targets".as_ref(),
        scenario.as_os_str(),
        "--scale".as_ref(),
        "2000".as_ref(),
        "--replicates".as_ref(),
        "2".as_ref(),
        "--quiet".as_ref(),
        "--out".as_ref(),
        dir.as_os_str(),
    ]);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert_self_contained(&html);
    assert_page_order(&html);
    let charts = &html[html.find("id=\"charts\"").unwrap()..html.find("id=\"causal\"").unwrap()];
    let mut csv = csv::Reader::from_path(dir.join("targets.csv")).unwrap();
    let headers = csv.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (met_col, counted_col) = (col("met"), col("counted"));
    let (mut ids, mut met) = (Vec::new(), [(0, 0); 3]);
    for row in csv.records() {
        let row = row.unwrap();
        let k = match (&row[1], &row[2]) {
            ("calibration", "national") => 2,
            ("calibration", _) => 0,
            ("validation", _) => 1,
            _ => continue,
        };
        ids.push(row[0].to_string());
        // Repeats and derived rows are charted but not counted.
        if &row[counted_col] != "true" {
            continue;
        }
        met[k].1 += 1;
        met[k].0 += usize::from(&row[met_col] == "true");
    }
    assert!(ids.len() >= 30, "the register's targets: {}", ids.len());
    for id in &ids {
        assert_eq!(
            charts.matches(&svg_text(id)).count(),
            1,
            "{id}: one chart row"
        );
    }
    for (k, card) in [
        "Calibration targets met, seed studies",
        "Validation targets met",
        "Official national series met",
    ]
    .iter()
    .enumerate()
    {
        let at = html.find(card).expect("headline card");
        assert!(
            html[at..].contains(&format!("{} of {}", met[k].0, met[k].1)),
            "{card}: {met:?}"
        );
    }
    let section = &html[html.find("id=\"causal\"").unwrap()..];
    assert!(section.contains("caused by treatment"));
    assert!(html.contains("id=\"changes\""), "scenario changes listed");
    for chart in [
        "targets_nta",
        "targets_ukdpc",
        "targets_bold",
        "observed_vs_causal",
    ] {
        assert!(
            dir.join("charts").join(format!("{chart}.svg")).exists(),
            "{chart}"
        );
    }
}

/// A tiny real Sobol sweep writes report.html whose tables rank parameters as
/// sobol_indices.csv does (by ST, largest first).
#[test]
fn sweep_report_follows_sobol_indices() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = out_dir(&tmp, "sweep");
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let file = tmp.path().join("tiny_sobol.toml");
    std::fs::write(
        &file,
        format!(
            r#"name = "tiny_sobol"
description = "Three treatment parameters, eight base samples"
base = "{}"
seed = 7
replicates = 1
scale = 4000
common_random_numbers = true

[design]
kind = "sobol"
n = 8
bootstrap = 200

[[parameter]]
key = "treatment.ost_dropout_rate_0_3m"
distribution = "uniform"
min = 0.8
max = 2.4

[[parameter]]
key = "treatment.offending_multiplier_in_treatment"
distribution = "uniform"
min = 0.4
max = 0.9

[[parameter]]
key = "orders.drr_engagement_probability"
distribution = "uniform"
min = 0.2
max = 0.6

[[outputs]]
metric = "treatment_starts"
period = 2026

[[outputs]]
metric = "custody_receptions"
period = 2026
"#,
            base.display().to_string().replace('\\', "\\\\")
        ),
    )
    .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    run_pathsim(&[
        "sweep".as_ref(),
        file.as_os_str(),
        "--quiet".as_ref(),
        "--out".as_ref(),
        dir.as_os_str(),
    ]);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert_self_contained(&html);
    assert_page_order(&html);
    assert!(html.contains("Sobol/Saltelli"));
    let csv = std::fs::read_to_string(dir.join("sobol_indices.csv")).unwrap();
    for output in ["treatment_starts.all.2026", "custody_receptions.all.2026"] {
        let stem = format!("sobol_{}", output.replace('.', "_"));
        assert!(dir.join("charts").join(format!("{stem}.svg")).exists());
        let mut rows: Vec<(String, f64)> = csv
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect::<Vec<_>>())
            .filter(|f| f[1] == output)
            .map(|f| (f[0].to_string(), f[5].parse().unwrap_or(f64::NEG_INFINITY)))
            .collect();
        rows.sort_by(|a, b| b.1.total_cmp(&a.1));
        let table = &html[html
            .find(&format!("<h3><code>{output}</code></h3>"))
            .unwrap()..];
        let pos: Vec<usize> = rows
            .iter()
            .map(|(p, _)| table.find(&format!("<code>{p}</code>")).unwrap())
            .collect();
        assert!(pos.windows(2).all(|w| w[0] < w[1]), "{output}: {rows:?}");
    }
}

fn sobol(st: f64) -> pathsim::sweep::analysis::SobolIndex {
    pathsim::sweep::analysis::SobolIndex {
        s1: st * 0.8,
        s1_lo: st * 0.7,
        s1_hi: st * 0.9,
        st,
        st_lo: st * 0.9,
        st_hi: st * 1.1,
    }
}

fn summary(analysis: report::SweepAnalysis) -> report::SweepSummary {
    report::SweepSummary {
        name: "hand".into(),
        description: "hand-built".into(),
        design: "test".into(),
        runs: 10,
        replicates: 1,
        scale: 100.0,
        common_random_numbers: true,
        parameters: ["alpha", "beta", "gamma", "delta"]
            .iter()
            .map(|p| (p.to_string(), "uniform, 0 to 1".to_string()))
            .collect(),
        outputs: vec![("arrests.all.2030".into(), pathsim::metrics::M::ARRESTS)],
        files: vec!["runs.csv".into()],
        analysis,
    }
}

/// Where each parameter's label first appears in an SVG.
fn label_order(svg: &str, names: &[&str]) -> Vec<usize> {
    names
        .iter()
        .map(|n| {
            svg.find(&svg_text(n))
                .unwrap_or_else(|| panic!("{n} labelled"))
        })
        .collect()
}

/// Rankings on hand-built indices with known values: charts and tables list the
/// parameters largest first (missing values last), whatever their input order.
#[test]
fn sweep_charts_rank_hand_built_indices() {
    use pathsim::report::sweep_html::{sweep_charts, sweep_page};
    use pathsim::report::SweepAnalysis;
    use pathsim::sweep::analysis::{Bin, MorrisIndex};

    let s = summary(SweepAnalysis::Sobol {
        base_samples: 2,
        resamples: 100,
        indices: vec![vec![sobol(0.1), sobol(0.7), sobol(f64::NAN), sobol(0.3)]],
    });
    let charts = sweep_charts(&s).unwrap();
    assert_eq!(charts.len(), 1);
    assert_eq!(charts[0].0, "sobol_arrests_all_2030");
    let want = ["beta", "delta", "alpha", "gamma"];
    let order = label_order(&charts[0].2, &want);
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert!(charts[0].2.contains("ST 0.70 [0.63, 0.77]"));
    let html = sweep_page(&s, "{}", &charts);
    assert_self_contained(&html);
    assert_page_order(&html);
    let table = &html[html.find("id=\"tables\"").unwrap()..];
    let order: Vec<usize> = want
        .iter()
        .map(|n| table.find(&format!("<code>{n}</code>")).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]));
    assert!(html
        .contains("moves <code title=\"arrests.all.2030\">arrests.<wbr>all.<wbr>2030</code> most"));

    let m = |mu_star: f64| MorrisIndex {
        mu: -mu_star,
        mu_star,
        sigma: mu_star / 2.0,
        n: 5,
    };
    let s = summary(SweepAnalysis::Morris {
        trajectories: 2,
        indices: vec![vec![m(3.0), m(1.0), m(4.0), m(2.0)]],
    });
    let charts = sweep_charts(&s).unwrap();
    let order = label_order(&charts[0].2, &["gamma", "alpha", "delta", "beta"]);
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");

    let bins = |lo: f64, hi: f64| {
        vec![
            Bin {
                bin: 0,
                value_lo: 0.0,
                value_hi: 0.5,
                n: 5,
                mean: lo,
                lo95: lo - 1.0,
                hi95: lo + 1.0,
            },
            Bin {
                bin: 1,
                value_lo: 0.5,
                value_hi: 1.0,
                n: 5,
                mean: hi,
                lo95: hi - 1.0,
                hi95: hi + 1.0,
            },
        ]
    };
    let s = summary(SweepAnalysis::Binned {
        bins: vec![vec![
            bins(10.0, 12.0),
            bins(10.0, 30.0),
            bins(10.0, 11.0),
            bins(20.0, 10.0),
        ]],
    });
    let charts = sweep_charts(&s).unwrap();
    assert_eq!(charts[0].0, "by_parameter_arrests_all_2030");
    let order = label_order(&charts[0].2, &["beta", "delta", "alpha", "gamma"]);
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
}
