//! The report of `pathsim targets`: how many published figures the scenario
//! reproduces, every target's published value beside its simulated mean and 95%
//! Monte Carlo interval, observed versus causal reductions, and the full table.
//!
//! Targets have many units (percentages, people a year, a ratio), so the charts
//! put each simulated value on one scale: as a percentage of its published value.
//! A target is met when |z| <= 2, z = (simulated - published) / combined SD
//! (sampling error, model discrepancy, Monte Carlo error); the grey band is
//! published +/- 2 SD on the same scale, and the numbers in their own units are
//! printed on each row.

use super::charts::{self, Dot, DotChart, DotRow, PALETTE};
use super::html::{card, changes_table, esc, figure, manifest_section, page};
use super::{changes, chart_dir, thousands, write_chart};
use crate::params::Params;
use crate::studies::causal::CausalRow;
use crate::studies::targets::{register, Role, TargetResult};
use anyhow::Result;
use plotters::style::RGBColor;
use std::path::Path;

/// The report's file name. Not `report.html`: `pathsim targets` writes into the
/// folder of a `pathsim run` of the same scenario, and must not replace its report.
pub const FILE: &str = "report.html";

const MET: RGBColor = PALETTE[2];
const MISSED: RGBColor = PALETTE[1];
/// Ratios to the published value beyond this are drawn at the chart's edge.
const MAX_RATIO: f64 = 3.0;

/// What each study is, for chart titles.
fn study_title(study: &str) -> String {
    match study {
        "nta" => "NTA (2012): reconviction before and after a treatment start".into(),
        "ukdpc" => "UKDPC (2008): arrestees, testing, DIP and orders".into(),
        "bold" => "BOLD (2023): probation orders linked to treatment".into(),
        "nao" => "NAO (2004): Drug Treatment and Testing Orders".into(),
        "best" => "Best et al. (2010): high-rate offenders".into(),
        "national" => "Official national series, England and Wales (calibration targets)".into(),
        other => other.to_uppercase(),
    }
}

/// A value in a register unit: percentages with a % sign, counts with separators.
pub fn show(v: f64, unit: &str) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    if unit == "percent" {
        if v.abs() < 10.0 {
            format!("{v:.2}%")
        } else {
            format!("{v:.1}%")
        }
    } else if v.abs() >= 100.0 {
        thousands(v)
    } else {
        format!("{v:.2}")
    }
}

fn role_short(r: Role) -> &'static str {
    match r {
        Role::Calibration => "cal",
        Role::Validation => "val",
        Role::Context => "context",
        Role::Verification => "verif",
        Role::Diagnostic => "diag",
    }
}

/// Calibration, validation and input rows: the ones the met rule applies to.
fn scored(results: &[TargetResult]) -> impl Iterator<Item = &TargetResult> {
    results.iter().filter(|r| {
        matches!(
            r.role,
            Role::Calibration | Role::Validation | Role::Verification
        )
    })
}

/// Whether a target is drawn as a ratio to its published value (else on its own
/// scale: direction targets have no published number).
fn has_ratio(r: &TargetResult) -> bool {
    r.published.is_some_and(|p| p.is_finite() && p != 0.0)
}

fn colour(r: &TargetResult) -> RGBColor {
    if r.met == Some(true) {
        MET
    } else {
        MISSED
    }
}

fn interval_text(r: &TargetResult) -> String {
    if r.n == 0 {
        "no value (empty cohort)".into()
    } else {
        format!(
            "{} [{} to {}]",
            show(r.mean, &r.unit),
            show(r.lo95, &r.unit),
            show(r.hi95, &r.unit)
        )
    }
}

/// One chart row per target, simulated as a share of published.
fn ratio_row(r: &TargetResult) -> DotRow {
    let p = r.published.unwrap_or(f64::NAN);
    let c = r.centre.unwrap_or(p);
    let band = (r.sd() > 0.0 && r.sd() < c.abs())
        .then(|| ((c - 2.0 * r.sd()) / p, (c + 2.0 * r.sd()) / p));
    DotRow {
        label: r.id.clone(),
        dots: vec![Dot {
            value: r.mean / p,
            lo: r.lo95 / p,
            hi: r.hi95 / p,
            color: colour(r),
        }],
        band,
        marker: Some(c / p),
        text: format!(
            "{}: {} vs {}",
            role_short(r.role),
            show(p, &r.unit),
            interval_text(r)
        ),
    }
}

fn legend() -> Vec<(String, RGBColor)> {
    vec![
        ("published".into(), plotters::style::BLACK),
        ("simulated, met".into(), MET),
        ("simulated, not met".into(), MISSED),
    ]
}

/// Dot-and-interval charts of every calibration and validation target: one per
/// study on the ratio scale, and one for targets without a published number.
/// Returns (file stem, title, SVG).
pub fn target_charts(results: &[TargetResult]) -> Result<Vec<(String, String, String)>> {
    let reg = register();
    let mut studies: Vec<&str> = Vec::new();
    for r in scored(results).filter(|r| has_ratio(r)) {
        if !studies.contains(&r.study.as_str()) {
            studies.push(&r.study);
        }
    }
    let pct = |v: f64, step: f64| charts::pct_ticks(v * 100.0, step * 100.0);
    let mut out = Vec::new();
    for study in studies {
        let rows: Vec<DotRow> = scored(results)
            .filter(|r| r.study == study && has_ratio(r))
            .map(ratio_row)
            .collect();
        let values = rows.iter().flat_map(|row| {
            row.dots
                .iter()
                .flat_map(|d| [d.value, d.lo, d.hi])
                .chain(row.band.map_or([f64::NAN; 2], |b| [b.0, b.1]))
        });
        let (lo, hi) = charts::span(values, (0.5, 1.5));
        let title = study_title(study);
        let svg = charts::dot_chart(&DotChart {
            title: &title,
            x_label: "Simulated as % of the published value",
            rows,
            reference: Some((1.0, "published")),
            x_range: (lo.max(0.0), hi.min(MAX_RATIO)),
            x_fmt: &pct,
            legend: legend(),
            note: "Dot: simulated mean over replicates; bar: its 95% Monte Carlo interval. Black tick: the published \
                   value (100%; a published range at its middle). Grey: published +/- 2 combined SD (the figure's sampling \
                   error, the stated model discrepancy and the Monte Carlo error). Met when |z| <= 2. Right: \
                   published vs simulated in the target's own unit."
                .into(),
        })?;
        out.push((format!("targets_{study}"), title, svg));
    }
    let own: Vec<&TargetResult> = scored(results).filter(|r| !has_ratio(r)).collect();
    if !own.is_empty() {
        let rows: Vec<DotRow> = own
            .iter()
            .map(|r| DotRow {
                label: r.id.clone(),
                dots: vec![Dot {
                    value: r.mean,
                    lo: r.lo95,
                    hi: r.hi95,
                    color: colour(r),
                }],
                band: None,
                marker: r.published,
                text: format!(
                    "{}: expected {} vs {}",
                    role_short(r.role),
                    r.published.map_or_else(
                        || {
                            reg.iter()
                                .find(|t| t.id == r.id)
                                .map_or(String::new(), |t| t.scale_conversion.clone())
                        },
                        |p| show(p, &r.unit)
                    ),
                    interval_text(r)
                ),
            })
            .collect();
        let (lo, hi) = charts::span(
            own.iter().flat_map(|r| [r.mean, r.lo95, r.hi95]),
            (0.0, 0.0),
        );
        let fmt = |v: f64, step: f64| charts::count_ticks(v, step);
        let title = "Targets without a published number (direction of an effect)";
        let svg = charts::dot_chart(&DotChart {
            title,
            x_label: "Simulated value (in each target's own unit, given on the right)",
            rows,
            reference: Some((0.0, "zero")),
            x_range: (lo, hi),
            x_fmt: &fmt,
            legend: legend()[1..].to_vec(),
            note: "Dot: simulated mean; bar: 95% interval over replicates. Met when the mean has the expected sign."
                .into(),
        })?;
        out.push(("targets_direction".into(), title.into(), svg));
    }
    Ok(out)
}

/// Observed reductions beside the part treatment causes, with the published value.
pub fn causal_chart(rows: &[CausalRow], results: &[TargetResult]) -> Result<Option<String>> {
    if rows.is_empty() {
        return Ok(None);
    }
    let published = |id: &str| {
        results
            .iter()
            .find(|r| r.id == id)
            .and_then(|r| r.published)
    };
    let colours = [PALETTE[0], PALETTE[4], PALETTE[3]];
    let dot = |v: &[f64; 3], color| Dot {
        value: v[0],
        lo: v[1],
        hi: v[2],
        color,
    };
    let rows: Vec<&CausalRow> = rows
        .iter()
        .filter(|r| r.cohort == crate::studies::causal::Cohort::Trigger)
        .collect();
    let list: Vec<DotRow> = rows
        .iter()
        .map(|r| DotRow {
            label: r.group.to_string(),
            dots: vec![
                dot(&r.observed, colours[0]),
                dot(&r.without_treatment_effect, colours[1]),
                dot(&r.causal, colours[2]),
            ],
            band: None,
            marker: published(r.id),
            text: format!(
                "observed {:.0}%, no effect {:.0}%, caused {:.0}%",
                r.observed[0], r.without_treatment_effect[0], r.causal[0]
            ),
        })
        .collect();
    let (lo, hi) = charts::span(
        rows.iter().flat_map(|r| {
            [r.observed, r.without_treatment_effect, r.causal]
                .into_iter()
                .flatten()
                .chain(published(r.id))
        }),
        (0.0, 0.0),
    );
    let fmt = |v: f64, step: f64| charts::pct_ticks(v, step);
    charts::dot_chart(&DotChart {
        title: "NTA cohort: observed reduction in convictions and the part treatment causes",
        x_label: "Reduction in convictions, 2 years after vs 2 years before the start (%)",
        rows: list,
        reference: Some((0.0, "no change")),
        x_range: (lo, hi),
        x_fmt: &fmt,
        legend: vec![
            ("published".into(), plotters::style::BLACK),
            ("observed".into(), colours[0]),
            ("with no treatment effect".into(), colours[1]),
            ("caused by treatment".into(), colours[2]),
        ],
        note: "The same people simulated twice on common random numbers, once with treatment's effect on offending \
               switched off. What remains without the effect is regression to the mean, ageing, desistance and \
               custody. Dots: means; bars: 95% intervals over replicates."
            .into(),
    })
    .map(Some)
}

fn met_cell(m: Option<bool>) -> &'static str {
    match m {
        Some(true) => "<td class=\"met\">met</td>",
        Some(false) => "<td class=\"missed\">not met</td>",
        None => "<td>&ndash;</td>",
    }
}

/// The page. `svgs` are (file stem, title, SVG) as [`target_charts`] makes them,
/// plus `observed_vs_causal` when there is one.
pub fn targets_page(
    results: &[TargetResult],
    causal: &[CausalRow],
    p: &Params,
    manifest_json: &str,
    svgs: &[(String, String, String)],
    dashboard: &str,
) -> String {
    let mut b = String::new();
    b.push_str(&super::html::page_header(
        &format!("pathsim targets: {}", p.name),
        &p.description,
        &format!(
            "pathsim {} &middot; {} replicates &middot; each simulated person stands for {} real people \
             &middot; seed {}",
            env!("CARGO_PKG_VERSION"),
            p.run.replicates,
            esc(&p.run.scale.to_string()),
            p.run.seed
        ),
    ));
    b.push_str(&super::html::assumed_effects_notice(
        &crate::interventions::unevaluated_effects(&p.interventions),
    ));
    b.push_str(
        "<section id=\"headlines\">\n<h2>Published figures reproduced</h2>\n<div class=\"cards\">\n",
    );
    let labels = [
        "Calibration targets met, seed studies (fitted)",
        "Official national series met (fitted)",
        "Validation targets met (independent, never fitted)",
        "Verification: figures met by construction (a coverage or input is set from them)",
    ];
    let groups = labels
        .into_iter()
        .zip(crate::studies::targets::headline_groups(results));
    for (label, rows) in groups {
        if rows.is_empty() {
            continue;
        }
        let met = rows.iter().filter(|r| r.met == Some(true)).count();
        b.push_str(&card(
            if met == rows.len() { "met" } else { "missed" },
            label,
            &format!("{met} of {}", rows.len()),
            &format!(
                "<div class=\"unit\">targets</div><div class=\"ci\">{:.0}% of targets</div>",
                100.0 * met as f64 / rows.len().max(1) as f64
            ),
        ));
    }
    let context = results.iter().filter(|r| r.role == Role::Context).count();
    b.push_str(&card(
        "flat",
        "Context figures",
        &context.to_string(),
        "<div class=\"unit\">published figures</div><div class=\"ci\">published figures the model does not represent (reasons below)</div>",
    ));
    b.push_str(
        "</div>\n<p class=\"note\">A target is met when |z| &le; 2, where z = (simulated mean &minus; published) / \
         combined SD, and the SD combines the published figure's own sampling error (from its base in the register), \
         a stated model discrepancy and the Monte Carlo error of the mean. Rows that repeat another row's figure or \
         follow from other rows arithmetically are shown but not counted. Direction targets are met when the mean \
         has the expected sign.</p>\n</section>\n",
    );
    b.push_str("<section id=\"changes\">\n<h2>What this scenario changes</h2>\n");
    b.push_str(&changes_table(
        &changes(&crate::params::baseline(), p),
        "baseline defaults",
        &p.name,
    ));
    b.push_str("</section>\n<section id=\"charts\">\n<h2>Published vs simulated, by study</h2>\n");
    for (name, title, svg) in svgs.iter().filter(|s| s.0.starts_with("targets_")) {
        b.push_str(&figure(
            svg,
            title,
            &format!(
                "Each row is one target: published value (black tick) against the simulated mean and 95% interval. \
                 File: <code>charts/{name}.svg</code>"
            ),
        ));
    }
    b.push_str("</section>\n<section id=\"causal\">\n<h2>Observed versus causal</h2>\n");
    if let Some((name, title, svg)) = svgs.iter().find(|s| s.0 == "observed_vs_causal") {
        b.push_str(&figure(
            svg,
            title,
            &format!(
                "A before/after study sees the observed reduction; only part of it is treatment's doing. \
                 File: <code>charts/{name}.svg</code>"
            ),
        ));
    }
    if !causal.is_empty() {
        b.push_str(&format!(
            "<p>The same people twice, on common random numbers: the paired run has {}. \
             Groups are those of the factual run. The NTA counted trigger convictions; the \
             wider reading counts convictions for any offence.</p>\n\
             <table>\n<tr><th>NTA 2006-07 cohort</th><th>Convictions counted</th><th>People (simulated)</th>\
             <th>Observed reduction</th><th>With no treatment effect</th><th>Caused by treatment</th></tr>\n",
            esc(crate::studies::causal::EFFECTS_OFF)
        ));
        let cell = |v: &[f64; 3]| {
            if v[0].is_finite() {
                format!(
                    "<td>{:.1}%<small>{:.1} to {:.1}</small></td>",
                    v[0], v[1], v[2]
                )
            } else {
                "<td>&ndash;</td>".into()
            }
        };
        for r in causal {
            b.push_str(&format!(
                "<tr><td>{}<small>{}</small></td><td>{}</td><td>{:.0}</td>{}{}{}</tr>\n",
                esc(r.group),
                esc(r.id),
                r.cohort.name(),
                r.people,
                cell(&r.observed),
                cell(&r.without_treatment_effect),
                cell(&r.causal)
            ));
        }
        b.push_str("</table>\n");
    }
    b.push_str("</section>\n<section id=\"tables\">\n<h2>Every target</h2>\n");
    b.push_str(
        "<table>\n<tr><th>Target</th><th>Role</th><th>Study</th><th>Unit</th><th>Published</th><th>Simulated</th>\
         <th>95% interval</th><th>Replicates</th><th>Relative error</th><th>SD (sampling, discrepancy, MC)</th>\
         <th>z</th><th>Met</th></tr>\n",
    );
    for r in scored(results) {
        let interval = if r.n > 0 {
            format!("{} to {}", show(r.lo95, &r.unit), show(r.hi95, &r.unit))
        } else {
            "no value".into()
        };
        b.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td>{}</tr>\n",
            esc(&r.id),
            if r.independent {
                r.role.name().to_string()
            } else {
                format!("{} (not counted)", r.role.name())
            },
            esc(&r.study),
            esc(&r.unit),
            r.published.map_or("&ndash;".into(), |v| esc(&show(v, &r.unit))),
            esc(&show(r.mean, &r.unit)),
            esc(&interval),
            r.n,
            r.rel_error
                .map_or("&ndash;".into(), |e| format!("{:+.0}%", 100.0 * e)),
            esc(&format!(
                "{} ({}, {}, {})",
                show(r.sd(), &r.unit),
                show(r.sd_published, &r.unit),
                show(r.sd_discrepancy, &r.unit),
                show(r.sd_mc, &r.unit)
            )),
            r.z.map_or("&ndash;".into(), |z| format!("{z:+.1}")),
            met_cell(r.met)
        ));
    }
    b.push_str("</table>\n");
    let diagnostics: Vec<_> = results
        .iter()
        .filter(|r| r.role == Role::Diagnostic)
        .collect();
    if !diagnostics.is_empty() {
        b.push_str(
            "<details><summary>Diagnostics: values the studies report to explain the targets</summary>\n<table>\n\
             <tr><th>Value</th><th>Study</th><th>Mean</th><th>95% interval</th><th>Replicates</th></tr>\n",
        );
        for r in diagnostics {
            b.push_str(&format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{} to {}</td><td>{}</td></tr>\n",
                esc(&r.id),
                esc(&r.study),
                esc(&show(r.mean, "")),
                esc(&show(r.lo95, "")),
                esc(&show(r.hi95, "")),
                r.n
            ));
        }
        b.push_str("</table>\n</details>\n");
    }
    let reg = register();
    let context: Vec<_> = results.iter().filter(|r| r.role == Role::Context).collect();
    if !context.is_empty() {
        b.push_str(
            "<details><summary>Context: published figures the model does not represent, and why</summary>\n<table>\n\
             <tr><th>Figure</th><th>Published</th><th>Unit</th><th>Why not modelled</th></tr>\n",
        );
        for r in context {
            let reason = reg
                .iter()
                .find(|t| t.id == r.id)
                .map_or("", |t| t.reason.as_str());
            b.push_str(&format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td style=\"text-align:left\">{}</td></tr>\n",
                esc(&r.id),
                r.published.map_or("&ndash;".into(), |v| esc(&show(v, &r.unit))),
                esc(&r.unit),
                esc(reason)
            ));
        }
        b.push_str("</table>\n</details>\n");
    }
    b.push_str(
        "<p class=\"note\">Every number here is in <code>targets.csv</code> and <code>observed_vs_causal.csv</code>; \
         the register with each target's definition is <code>calibration/targets.csv</code>.</p>\n</section>\n",
    );
    b.push_str(dashboard);
    b.push_str(&manifest_section(manifest_json));
    page(&format!("pathsim targets: {}", p.name), &b)
}

/// Write `report.html` and its `charts/*.svg` into `dest_dir`.
pub fn targets_report(
    dest_dir: &Path,
    results: &[TargetResult],
    causal: &[CausalRow],
    params: &Params,
    manifest_json: &str,
) -> Result<()> {
    chart_dir(dest_dir)?;
    let mut charts = target_charts(results)?;
    if let Some(svg) = causal_chart(causal, results)? {
        charts.push((
            "observed_vs_causal".into(),
            "Observed versus causal reductions".into(),
            svg,
        ));
    }
    for (name, _, svg) in &charts {
        write_chart(dest_dir, name, svg)?;
    }
    let panels = super::national::panels(None, Some(results));
    let dashboard = super::national::section(dest_dir, &panels, &mut Vec::new())?;
    let page = targets_page(results, causal, params, manifest_json, &charts, &dashboard);
    crate::output::write_atomic(&dest_dir.join(FILE), page.as_bytes())
}
