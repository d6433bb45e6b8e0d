//! Charts (SVG, drawn with plotters) and a self-contained HTML report for a run or
//! a comparison: what a modeller pastes into a briefing and a class reads at a glance.
//!
//! SVG needs no system libraries (fonts are the browser's), so reports render the
//! same on a laptop and on a compute node. Everything the page needs is inline: no
//! network, no scripts.

pub mod charts;
pub mod html;
pub mod national;
pub mod sweep_html;
pub mod targets_html;

pub use crate::studies::retention::RetentionCurves;
pub use crate::sweep::{SweepAnalysis, SweepSummary};
pub use sweep_html::sweep_report;
pub use targets_html::targets_report;

use crate::metrics::M;
use crate::params::Params;
use crate::run::Summary;
use anyhow::{Context, Result};
use std::path::Path;

/// Headline metrics, in the order readers meet them: (metric, group, label).
pub mod terminal;
pub mod value_charts;
pub mod value_html;
pub use terminal::{difference_table, headline_table, HEADLINES};

/// The unit a metric is declared with ("share", "arrests", ...).
pub fn unit_of(metric: M) -> &'static str {
    metric.def().unit
}

/// A metric's unit in words for a headline card ("arrests a year", "share, in %").
pub fn unit_words(metric: M) -> String {
    use crate::metrics::Kind;
    let d = metric.def();
    match d.kind {
        _ if d.unit == "share" => "share, in %".to_string(),
        Kind::Count | Kind::Thousandths => format!("{} a year, England and Wales", d.unit),
        Kind::PersonYears => "person-years in the year, England and Wales".to_string(),
        Kind::Ratio(..) => d.unit.to_string(),
    }
}

/// The unit of a difference of a metric in words ("percentage points").
pub fn diff_unit_words(metric: M) -> String {
    if unit_of(metric) == "share" {
        "percentage points (pp), scenario minus baseline".to_string()
    } else {
        format!("{}, scenario minus baseline", unit_words(metric))
    }
}

/// One metric and group over the years: (year, mean, lo95, hi95), by year.
pub fn series(summary: &[Summary], metric: M, group: &str) -> Vec<(i32, f64, f64, f64)> {
    let mut v: Vec<_> = summary
        .iter()
        .filter(|s| s.metric == metric && s.group == group)
        .map(|s| (s.period, s.mean, s.lo95, s.hi95))
        .collect();
    v.sort_by_key(|p| p.0);
    v
}

/// The latest year at or before `year` for which a metric has a value.
pub fn pick<'a>(summary: &'a [Summary], metric: M, group: &str, year: i32) -> Option<&'a Summary> {
    summary
        .iter()
        .filter(|s| s.metric == metric && s.group == group && s.period <= year)
        .max_by_key(|s| s.period)
}

/// The value of one metric, group and year exactly.
pub fn at<'a>(summary: &'a [Summary], metric: M, group: &str, year: i32) -> Option<&'a Summary> {
    summary
        .iter()
        .find(|s| s.metric == metric && s.group == group && s.period == year)
}

/// Whole number with thousands separators.
pub fn thousands(v: f64) -> String {
    let s = format!("{:.0}", v.round());
    let (sign, digits) = s.strip_prefix('-').map(|d| ("-", d)).unwrap_or(("", &s));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if out == "0" {
        return "0".into();
    }
    format!("{sign}{out}")
}

/// A count rounded for a headline: two significant figures (whole numbers
/// under 100), with separators; "n/a" when not a number.
pub fn approx(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    let a = v.abs();
    let step = if a >= 1000.0 {
        10f64.powi(a.log10().floor() as i32 - 1)
    } else if a >= 100.0 {
        10.0
    } else {
        1.0
    };
    thousands((v / step).round() * step)
}

/// A value in its unit: shares as percentages, counts with separators.
pub fn fmt_value(metric: M, v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    if unit_of(metric) == "share" {
        format!("{:.1}%", v * 100.0)
    } else if v.abs() < 10.0 && v != v.trunc() {
        format!("{v:.2}")
    } else {
        thousands(v)
    }
}

/// A difference in its unit: shares in percentage points, with a sign.
pub fn fmt_diff(metric: M, v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    let sign = if v > 0.0 { "+" } else { "" };
    if unit_of(metric) == "share" {
        format!("{sign}{:.2} pp", v * 100.0)
    } else if v.abs() < 10.0 && v != v.trunc() {
        format!("{sign}{v:.2}")
    } else {
        format!("{sign}{}", thousands(v))
    }
}

/// The year a run report's headlines show: 2024 if observed, else the last year
/// (the same rule as the terminal table).
pub fn headline_year(p: &Params) -> i32 {
    (p.run.horizon.year() - 1).min(2024)
}

/// One setting that differs between two parameter sets.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub key: String,
    pub base: String,
    pub scenario: String,
    pub unit: String,
}

/// Every setting (numbers, switches, dates) whose value differs, by key with each
/// lever's switch first; name and description are left out, and so are the
/// settings of a lever that is off in both.
pub fn changes(base: &Params, scenario: &Params) -> Vec<Change> {
    let leaves = |p: &Params| {
        let mut out = Vec::new();
        if let Ok(v) = toml::Value::try_from(p) {
            crate::parameter::for_each_leaf("", &v, &mut |key, leaf| {
                let text = match leaf {
                    toml::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                out.push((key.to_string(), text));
            });
        }
        out
    };
    let a: std::collections::HashMap<String, String> = leaves(base).into_iter().collect();
    let off = |p: &Params, lever: &str| {
        let l = &p.levers;
        match lever {
            "retention" => !l.retention.enabled,
            "testing_extended" => !l.testing_extended.enabled,
            "community_instead_of_short_custody" => !l.community_instead_of_short_custody.enabled,
            "treatment_access" => !l.treatment_access.enabled,
            _ => false,
        }
    };
    let mut list: Vec<Change> = leaves(scenario)
        .into_iter()
        .filter(|(k, _)| k != "name" && k != "description")
        .filter(|(k, _)| {
            let lever = k.strip_prefix("levers.").and_then(|r| r.split('.').next());
            !lever.is_some_and(|l| off(base, l) && off(scenario, l))
        })
        .filter_map(|(k, v)| {
            let b = a.get(&k).cloned().unwrap_or_default();
            (b != v).then(|| Change {
                unit: crate::params::info(&k)
                    .map(|i| i.unit.to_string())
                    .unwrap_or_default(),
                key: k,
                base: b,
                scenario: v,
            })
        })
        .collect();
    list.sort_by(|a, b| {
        let parent = |k: &str| {
            k.rsplit_once('.')
                .map_or(String::new(), |(p, _)| p.to_string())
        };
        (parent(&a.key), !a.key.ends_with(".enabled"), &a.key).cmp(&(
            parent(&b.key),
            !b.key.ends_with(".enabled"),
            &b.key,
        ))
    });
    list
}

/// Year (as a fraction) of the earliest enabled lever's start, for chart markers.
pub fn first_lever_start(p: &Params) -> Option<f64> {
    let l = &p.levers;
    [
        (l.retention.enabled, l.retention.start),
        (l.testing_extended.enabled, l.testing_extended.start),
        (
            l.community_instead_of_short_custody.enabled,
            l.community_instead_of_short_custody.start,
        ),
        (l.treatment_access.enabled, l.treatment_access.start),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, d)| {
        let (y, m, dd) = d.parts();
        y as f64 + ((m - 1) as f64 * 30.44 + (dd - 1) as f64) / crate::calendar::DAYS_PER_YEAR
    })
    .reduce(f64::min)
}

/// Write an SVG chart as `charts/<name>.svg`, beside the page that inlines it.
fn write_chart(dir: &Path, name: &str, svg: &str) -> Result<()> {
    let path = dir.join("charts").join(format!("{name}.svg"));
    crate::output::write_atomic(&path, svg.as_bytes())
}

/// Write an SVG chart into `charts/` and keep it for inlining.
fn save_chart(dir: &Path, name: &str, svg: String, out: &mut Vec<(String, String)>) -> Result<()> {
    write_chart(dir, name, &svg)?;
    out.push((name.to_string(), svg));
    Ok(())
}

fn chart_dir(dest_dir: &Path) -> Result<()> {
    let charts = dest_dir.join("charts");
    std::fs::create_dir_all(&charts).with_context(|| format!("cannot create {}", charts.display()))
}

/// `report.html` and `charts/*.svg` for one run, written into `dest_dir` (a staging
/// folder, so the report appears with the rest of the outputs or not at all).
/// `retention` adds treatment retention curves when the run collected them.
pub fn run_report(
    dest_dir: &Path,
    summary: &[Summary],
    params: &Params,
    manifest_json: &str,
    retention: Option<&RetentionCurves>,
) -> Result<()> {
    chart_dir(dest_dir)?;
    let year = headline_year(params);
    let mut svgs = Vec::new();
    let n = summary.first().map(|s| s.n).unwrap_or(0);
    if let Some(svg) = charts::reoffending_by_substance(summary, n)? {
        save_chart(dest_dir, "proven_reoffending_by_substance", svg, &mut svgs)?;
    }
    if let Some(svg) = charts::treatment_starts_by_route(summary, n)? {
        save_chart(dest_dir, "treatment_starts_by_route", svg, &mut svgs)?;
    }
    if let Some(svg) = charts::pathway_flow(summary, year, params.run.scale)? {
        save_chart(dest_dir, "pathway_flow", svg, &mut svgs)?;
    }
    if let Some(r) = retention {
        let window = r.window_label();
        let routes = r.by_route();
        if !routes.is_empty() {
            let title =
                format!("Retention in treatment by referral route, episodes starting {window}");
            save_chart(
                dest_dir,
                "retention_by_route",
                charts::retention(&title, &routes)?,
                &mut svgs,
            )?;
        }
        let subs = r.by_substance();
        if !subs.is_empty() {
            let title = format!("Retention in treatment by substance, episodes starting {window}");
            save_chart(
                dest_dir,
                "retention_by_substance",
                charts::retention(&title, &subs)?,
                &mut svgs,
            )?;
        }
    }
    let panels = national::panels(Some(summary), None);
    let national = national::section(dest_dir, &panels, &mut svgs)?;
    let page = html::run_page(
        summary,
        params,
        manifest_json,
        retention,
        &svgs,
        year,
        &national,
    );
    crate::output::write_atomic(&dest_dir.join("report.html"), page.as_bytes())
}

/// Metrics the comparison charts: (metric, group, title, y label, scale to the axis).
pub const DIFFERENCE_CHARTS: &[(M, &str, &str, &str, f64)] = &[
    (
        M::PROVEN_REOFFENDING,
        "all",
        "Proven reoffending rate: scenario minus baseline",
        "Difference (percentage points)",
        100.0,
    ),
    (
        M::ARRESTS,
        "all",
        "Arrests: scenario minus baseline",
        "Difference (arrests a year)",
        1.0,
    ),
    (
        M::TREATMENT_STARTS,
        "all",
        "Treatment starts: scenario minus baseline",
        "Difference (episodes a year)",
        1.0,
    ),
    (
        M::CUSTODY_RECEPTIONS,
        "all",
        "Custody receptions: scenario minus baseline",
        "Difference (receptions a year)",
        1.0,
    ),
    (
        M::DEATHS,
        "all",
        "Deaths: scenario minus baseline",
        "Difference (deaths a year)",
        1.0,
    ),
];

/// `report.html` and `charts/*.svg` for a comparison: headline differences with 95%
/// intervals, scenario-minus-baseline charts, and what the scenario changes.
#[allow(clippy::too_many_arguments)]
pub fn compare_report(
    dest_dir: &Path,
    base: &[Summary],
    scenario: &[Summary],
    diff: &[Summary],
    base_params: &Params,
    scenario_params: &Params,
    manifest_json: &str,
    value: Option<&crate::value_for_money::Appraisal>,
) -> Result<()> {
    chart_dir(dest_dir)?;
    let marker = first_lever_start(scenario_params);
    let n = diff.first().map(|s| s.n).unwrap_or(0);
    let mut svgs = Vec::new();
    // Charts start five years before the first lever, where the story is.
    let from = marker.map_or(i32::MIN, |m| m.floor() as i32 - 5);
    for &(metric, group, title, ylabel, k) in DIFFERENCE_CHARTS {
        let mut pts = series(diff, metric, group);
        if pts.iter().filter(|p| p.0 >= from).count() > 1 {
            pts.retain(|p| p.0 >= from);
        }
        if pts.is_empty() {
            continue;
        }
        let svg = charts::difference(title, ylabel, &pts, k, marker, n)?;
        save_chart(dest_dir, &format!("difference_{metric}"), svg, &mut svgs)?;
    }
    // The paired difference in the headline year: the bands of two runs can
    // overlap where the paired interval excludes zero.
    let paired = pick(
        diff,
        M::PROVEN_REOFFENDING,
        "all",
        scenario_params.run.horizon.year() - 1,
    );
    if let Some(svg) = charts::reoffending_both(
        base,
        scenario,
        paired,
        (&base_params.name, &scenario_params.name),
        marker,
        from,
        n,
    )? {
        save_chart(dest_dir, "proven_reoffending_both", svg, &mut svgs)?;
    }
    if let Some(ap) = value.filter(|ap| ap.runs() > 0) {
        let plane = value_charts::cost_effectiveness_plane(ap)?;
        save_chart(dest_dir, "value_cost_effectiveness_plane", plane, &mut svgs)?;
        let curve = value_charts::acceptability_curve(ap)?;
        save_chart(dest_dir, "value_acceptability_curve", curve, &mut svgs)?;
        if let Some(svg) = value_charts::spending_by_year(ap)? {
            save_chart(dest_dir, "value_spending_by_year", svg, &mut svgs)?;
        }
    }
    let page = html::compare_page(
        base,
        scenario,
        diff,
        base_params,
        scenario_params,
        manifest_json,
        &svgs,
        value,
    );
    crate::output::write_atomic(&dest_dir.join("report.html"), page.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_list_only_what_differs() {
        let base = crate::params::baseline();
        assert!(changes(&base, &base).is_empty());
        let mut s = base.clone();
        s.name = "x".into();
        s.levers.retention.enabled = true;
        s.levers.retention.dropout_multiplier = 0.5;
        // A lever off in both: its settings are not changes.
        s.levers.treatment_access.entry_multiplier = 3.0;
        let c = changes(&base, &s);
        let keys: Vec<_> = c.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "levers.retention.enabled",
                "levers.retention.dropout_multiplier"
            ]
        );
        assert_eq!(c[0].base, "false");
        assert_eq!(c[0].scenario, "true");
        assert!(first_lever_start(&s).unwrap() > 2026.2);
        assert!(first_lever_start(&base).is_none());
    }

    /// With nothing to chart (no observed years) the reports still render.
    #[test]
    fn empty_summaries_still_render() {
        let dir = tempfile::tempdir().unwrap();
        let p = crate::params::baseline();
        run_report(dir.path(), &[], &p, "{}", None).unwrap();
        let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
        assert!(html.contains("id=\"headlines\""));
        compare_report(dir.path(), &[], &[], &[], &p, &p, "not json", None).unwrap();
        let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
        assert!(html.contains("not json"));
    }

    /// Issue 12: units on every card. Each headline card of the run and the
    /// comparison reports says its unit, and each difference chart's axis too.
    #[test]
    fn every_headline_card_and_difference_axis_has_a_unit() {
        let p = crate::params::baseline();
        let year = headline_year(&p);
        let cy = p.run.horizon.year() - 1;
        let sum = |v: f64, y: i32| -> Vec<Summary> {
            HEADLINES
                .iter()
                .map(|&(metric, group, _)| Summary {
                    metric,
                    group: group.into(),
                    period: y,
                    mean: v,
                    lo95: v * 0.9,
                    hi95: v * 1.1,
                    n: 3,
                })
                .collect()
        };
        let cards_of = |html: &str| -> Vec<String> {
            let at = html.find("<div class=\"cards\">").unwrap();
            let end = at + html[at..].find("</section>").unwrap();
            html[at..end]
                .split("<div class=\"card")
                .skip(2)
                .map(str::to_string)
                .collect()
        };
        let run = html::run_page(&sum(0.4, year), &p, "{}", None, &[], year, "");
        let cards = cards_of(&run);
        assert_eq!(cards.len(), HEADLINES.len());
        for c in &cards {
            assert!(c.contains("<div class=\"unit\">"), "no unit: {c}");
        }
        assert!(run.contains("arrests a year"));
        let diff = sum(-0.002, cy);
        let cmp = html::compare_page(&sum(0.4, cy), &sum(0.4, cy), &diff, &p, &p, "{}", &[], None);
        let cards = cards_of(&cmp);
        assert_eq!(cards.len(), HEADLINES.len());
        for c in &cards {
            assert!(c.contains("<div class=\"unit\">"), "no unit: {c}");
        }
        assert!(cmp.contains("percentage points (pp)"));
        for (_, _, _, ylabel, _) in DIFFERENCE_CHARTS {
            assert!(ylabel.contains('(') && ylabel.ends_with(')'), "{ylabel}");
        }
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(1234567.4), "1,234,567");
        assert_eq!(thousands(-1234.0), "-1,234");
        assert_eq!(fmt_value(M::PROVEN_REOFFENDING, 0.4567), "45.7%");
        assert_eq!(fmt_diff(M::PROVEN_REOFFENDING, -0.0123), "-1.23 pp");
        assert_eq!(fmt_diff(M::ARRESTS, 1500.0), "+1,500");
    }
}
