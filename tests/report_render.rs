//! Render run and comparison reports from small real runs and check that each page
//! is self-contained: inline SVG, no network addresses, headlines first.
//!
//! Set PATHSIM_REPORT_OUT=<folder> to keep the reports (scripts/screenshot_test.sh does).

use pathsim::report::{self, run_with_retention};
use pathsim::run::{self, summarise};
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
    let (a, retention) = run_with_retention(&base, &bar);
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
    report::compare_report(&dir, &sa, &sc, &sd, &base, &scen, "{\"scenario\": {}}").unwrap();
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert_self_contained(&html);
    let headlines = html.find("id=\"headlines\"").expect("headline section");
    assert!(headlines < html.find("<svg").expect("inline svg"));
    assert!(
        html.contains("levers.retention.enabled"),
        "lever changes listed"
    );
    assert!(html.contains("95% interval"));
    assert!(dir
        .join("charts/difference_proven_reoffending_rate.svg")
        .exists());
}
