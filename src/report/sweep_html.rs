//! The report of `pathsim sweep` (and `pathsim merge`): which parameters move
//! each output most, ranked and charted from the same indices the sweep writes to
//! its CSV files (Sobol, Morris, or outputs binned by parameter value).
//!
//! The sweep hands over finished analysis results ([`SweepSummary`]), so the
//! report never re-runs or re-derives anything and matches the CSV files exactly.

use super::charts::{self, Dot, DotChart, DotRow, PALETTE};
use super::html::{card, esc, figure, manifest_section, page};
use super::{chart_dir, fmt_value, write_chart};
use crate::metrics::M;
use crate::sweep::analysis::{spread, Bin, MorrisIndex, SobolIndex};
use crate::sweep::{SweepAnalysis, SweepSummary};
use anyhow::Result;
use plotters::style::RGBColor;
use std::path::Path;

/// A key for sorting in descending order with missing values last.
fn desc(v: f64) -> f64 {
    if v.is_finite() {
        -v
    } else {
        f64::INFINITY
    }
}

/// Parameter indices ranked by total Sobol index, largest first (the ranking
/// `sobol_indices.csv` readers care about: ST counts interactions too).
pub fn sobol_order(idx: &[SobolIndex]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..idx.len()).collect();
    order.sort_by(|&a, &b| desc(idx[a].st).total_cmp(&desc(idx[b].st)).then(a.cmp(&b)));
    order
}

/// Parameter indices ranked by Morris mu*, largest first.
pub fn morris_order(idx: &[MorrisIndex]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..idx.len()).collect();
    order.sort_by(|&a, &b| {
        desc(idx[a].mu_star)
            .total_cmp(&desc(idx[b].mu_star))
            .then(a.cmp(&b))
    });
    order
}

/// Parameter indices ranked by the spread of their bin means, largest first.
pub fn binned_order(bins: &[Vec<Bin>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..bins.len()).collect();
    order.sort_by(|&a, &b| {
        desc(spread(&bins[a]))
            .total_cmp(&desc(spread(&bins[b])))
            .then(a.cmp(&b))
    });
    order
}

/// The spread of bin means in the output's unit: shares in percentage points.
fn fmt_spread(metric: M, v: f64) -> String {
    if super::unit_of(metric) == "share" && v.is_finite() {
        format!("{:.2} pp", v * 100.0)
    } else {
        fmt_value(metric, v)
    }
}

/// The unit of an output column (`metric.group.period`) in words: shares in %.
fn output_unit(column: &str) -> String {
    let metric = column.split('.').next().and_then(M::from_name);
    match metric.map(super::unit_of) {
        Some("share") => "share, shown as %".to_string(),
        Some(u) => u.to_string(),
        None => "output units".to_string(),
    }
}

/// The unit of an output column's raw values (shares as 0 to 1).
fn raw_unit(column: &str) -> String {
    let metric = column.split('.').next().and_then(M::from_name);
    match metric.map(super::unit_of) {
        Some("share") => "share (0 to 1)".to_string(),
        Some(u) => u.to_string(),
        None => "output units".to_string(),
    }
}

/// A parameter's unit from the registry, if it has one.
fn param_unit(key: &str) -> &'static str {
    crate::params::info(key).map_or("", |i| i.unit)
}

/// Escaped, with line-break opportunities after dots: parameter keys are long.
fn breakable(key: &str) -> String {
    esc(key).replace('.', ".<wbr>")
}

/// Three significant figures, for indices and effects of any size.
fn sig(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    if v.abs() < 1e-9 {
        return "0".into();
    }
    if v.abs() >= 1000.0 {
        return super::thousands(v);
    }
    let digits = (2 - v.abs().log10().floor() as i32).clamp(0, 8) as usize;
    format!("{v:.digits$}")
}

fn interval(v: f64, lo: f64, hi: f64) -> String {
    if v.is_finite() {
        format!("{v:.2} [{lo:.2}, {hi:.2}]")
    } else {
        "n/a".into()
    }
}

/// S1 and ST with bootstrap intervals, parameters sorted by ST.
pub fn sobol_chart(
    output: &str,
    names: &[String],
    idx: &[SobolIndex],
    resamples: usize,
) -> Result<String> {
    let rows: Vec<DotRow> = sobol_order(idx)
        .into_iter()
        .map(|i| {
            let s = &idx[i];
            DotRow {
                label: names[i].clone(),
                dots: vec![
                    Dot {
                        value: s.s1,
                        lo: s.s1_lo,
                        hi: s.s1_hi,
                        color: PALETTE[0],
                    },
                    Dot {
                        value: s.st,
                        lo: s.st_lo,
                        hi: s.st_hi,
                        color: PALETTE[1],
                    },
                ],
                text: format!(
                    "S1 {}  ST {}",
                    interval(s.s1, s.s1_lo, s.s1_hi),
                    interval(s.st, s.st_lo, s.st_hi)
                ),
                ..DotRow::default()
            }
        })
        .collect();
    let (lo, hi) = charts::span(
        idx.iter()
            .flat_map(|s| [s.s1, s.s1_lo, s.s1_hi, s.st, s.st_lo, s.st_hi]),
        (0.0, 0.1),
    );
    let title = format!("Sobol indices: {output}");
    let fmt = |v: f64, step: f64| format!("{v:.d$}", d = charts::decimals_for(step).max(1));
    charts::dot_chart(&DotChart {
        title: &title,
        x_label: "Share of the output's variance (index, 0 to 1)",
        rows,
        reference: Some((0.0, "0")),
        x_range: (lo.max(-0.5), hi.min(1.5)),
        x_fmt: &fmt,
        legend: vec![
            ("first order S1 (the parameter alone)".into(), PALETTE[0]),
            ("total ST (with its interactions)".into(), PALETTE[1]),
        ],
        note: format!(
            "Sorted by ST, largest first. Bars: 95% bootstrap intervals over {resamples} resamples of the base \
             samples. ST well above S1 means the parameter acts through interactions; indices a little below 0 \
             are sampling noise around 0."
        ),
    })
}

/// mu* as bars and sigma as dots, parameters sorted by mu*.
pub fn morris_chart(output: &str, names: &[String], idx: &[MorrisIndex]) -> Result<String> {
    let rows: Vec<DotRow> = morris_order(idx)
        .into_iter()
        .map(|i| {
            let m = &idx[i];
            DotRow {
                label: names[i].clone(),
                dots: vec![
                    Dot {
                        value: m.mu_star,
                        lo: 0.0,
                        hi: m.mu_star,
                        color: PALETTE[0],
                    },
                    Dot {
                        value: m.sigma,
                        lo: f64::NAN,
                        hi: f64::NAN,
                        color: PALETTE[4],
                    },
                ],
                text: format!(
                    "mu* {}  mu {}  sigma {}",
                    sig(m.mu_star),
                    sig(m.mu),
                    sig(m.sigma)
                ),
                ..DotRow::default()
            }
        })
        .collect();
    // mu* and sigma are never negative: the axis starts at 0.
    let (_, hi) = charts::span(idx.iter().flat_map(|m| [m.mu_star, m.sigma]), (0.0, 0.0));
    let title = format!("Morris screening: {output}");
    let fmt = |v: f64, step: f64| charts::count_ticks(v, step);
    let x_label = format!(
        "Change in the output per whole range of the parameter ({})",
        raw_unit(output)
    );
    charts::dot_chart(&DotChart {
        title: &title,
        x_label: &x_label,
        rows,
        reference: None,
        x_range: (0.0, hi),
        x_fmt: &fmt,
        legend: vec![
            ("mu* (mean absolute effect: importance)".into(), PALETTE[0]),
            ("sigma (spread of effects)".into(), PALETTE[4]),
        ],
        note: "Sorted by mu*, largest first. A sigma as large as mu* means the effect depends on the other \
               parameters' values (interactions) or is not linear."
            .into(),
    })
}

/// Colour of bin `i` of `n`: from sky blue (lowest values) to vermillion (highest).
fn bin_colour(i: usize, n: usize) -> RGBColor {
    let t = if n > 1 {
        i as f64 / (n - 1) as f64
    } else {
        0.0
    };
    let (a, b) = (PALETTE[5], PALETTE[1]);
    let mix = |x: u8, y: u8| (x as f64 + t * (y as f64 - x as f64)).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Each parameter's bins as dots (low values blue, high values red) with their
/// 95% ranges, parameters sorted by the spread of bin means.
pub fn binned_chart(
    output: &str,
    metric: M,
    names: &[String],
    bins: &[Vec<Bin>],
) -> Result<String> {
    let rows: Vec<DotRow> = binned_order(bins)
        .into_iter()
        .map(|i| {
            let list = &bins[i];
            DotRow {
                label: names[i].clone(),
                dots: list
                    .iter()
                    .enumerate()
                    .map(|(j, b)| Dot {
                        value: b.mean,
                        lo: b.lo95,
                        hi: b.hi95,
                        color: bin_colour(j, list.len()),
                    })
                    .collect(),
                text: format!("spread {}", fmt_spread(metric, spread(list))),
                ..DotRow::default()
            }
        })
        .collect();
    let share = super::unit_of(metric) == "share";
    let (lo, hi) = charts::span(
        bins.iter().flatten().flat_map(|b| [b.mean, b.lo95, b.hi95]),
        (f64::INFINITY, f64::NEG_INFINITY),
    );
    let title = format!("Output by parameter value: {output}");
    let fmt = move |v: f64, step: f64| {
        if share {
            charts::pct_ticks(v * 100.0, step * 100.0)
        } else {
            charts::count_ticks(v, step)
        }
    };
    let x_label = format!("{output} ({})", output_unit(output));
    charts::dot_chart(&DotChart {
        title: &title,
        x_label: &x_label,
        rows,
        reference: None,
        x_range: (lo, hi),
        x_fmt: &fmt,
        legend: vec![
            ("runs with the lowest values".into(), bin_colour(0, 2)),
            ("highest values".into(), bin_colour(1, 2)),
        ],
        note: "Runs grouped by the parameter's value (a group per level, or five equal-count groups): dots are \
               group means, bars the 2.5th to 97.5th percentile of runs. Sorted by the spread of group means, \
               largest first: a crude ranking, since the other parameters vary too."
            .into(),
    })
}

/// The page; `svgs` are (file stem, output column, SVG), one per output.
pub fn sweep_page(
    s: &SweepSummary,
    manifest_json: &str,
    svgs: &[(String, String, String)],
) -> String {
    let names: Vec<String> = s.parameters.iter().map(|p| p.0.clone()).collect();
    let mut b = String::new();
    b.push_str(&super::html::page_header(
        &format!("pathsim sweep: {}", s.name),
        &s.description,
        &format!(
        "pathsim {} &middot; {} design &middot; {} runs &times; {} replicate(s) &middot; each simulated \
         person stands for {} real people &middot; {}",
        env!("CARGO_PKG_VERSION"),
        esc(&s.design),
        s.runs,
        s.replicates,
        esc(&s.scale.to_string()),
        if s.common_random_numbers {
            "one simulation seed for every run (common random numbers)"
        } else {
            "a simulation seed per run"
        }
        ),
    ));
    let assumed: Vec<String> = names
        .iter()
        .filter(|k| crate::interventions::is_unevaluated_effect(k))
        .map(|k| format!("{k} is swept: an assumed effect of an intervention never evaluated"))
        .collect();
    b.push_str(&super::html::assumed_effects_notice(&assumed));
    let (method, detail) = match &s.analysis {
        SweepAnalysis::Sobol {
            base_samples,
            resamples,
            ..
        } => (
            "Sobol indices",
            format!(
                "{base_samples} base samples; 95% bootstrap intervals over {resamples} resamples"
            ),
        ),
        SweepAnalysis::Morris { trajectories, .. } => (
            "Morris elementary effects",
            format!("{trajectories} trajectories"),
        ),
        SweepAnalysis::Binned { .. } => (
            "Outputs by parameter value",
            "spread of the output's mean across the parameter's range".to_string(),
        ),
    };
    b.push_str("<section id=\"headlines\">\n<h2>At a glance</h2>\n<div class=\"cards\">\n");
    b.push_str(&card(
        "",
        "design",
        &esc(&s.design),
        &format!(
            "<div class=\"ci\">{} runs, {} parameters, {} outputs</div>",
            s.runs,
            s.parameters.len(),
            s.outputs.len()
        ),
    ));
    for (k, (column, _)) in s.outputs.iter().enumerate() {
        let (top, measure) = match &s.analysis {
            SweepAnalysis::Sobol { indices, .. } => {
                let idx = &indices[k];
                let top = sobol_order(idx).first().copied();
                (top, top.map(|i| format!("ST {:.2}", idx[i].st)))
            }
            SweepAnalysis::Morris { indices, .. } => {
                let idx = &indices[k];
                let top = morris_order(idx).first().copied();
                (top, top.map(|i| format!("mu* {}", sig(idx[i].mu_star))))
            }
            SweepAnalysis::Binned { bins } => {
                let top = binned_order(&bins[k]).first().copied();
                (
                    top,
                    top.map(|i| {
                        format!("spread {}", fmt_spread(s.outputs[k].1, spread(&bins[k][i])))
                    }),
                )
            }
        };
        if let (Some(i), Some(m)) = (top, measure) {
            let unit = param_unit(&names[i]);
            b.push_str(&card(
                "",
                &format!(
                    "moves <code title=\"{}\">{}</code> most",
                    esc(column),
                    breakable(column)
                ),
                &format!(
                    "<code title=\"{}\">{}</code>",
                    esc(&names[i]),
                    breakable(&names[i])
                ),
                &format!(
                    "<div class=\"unit\">parameter in {}; output in {}</div><div class=\"ci\">{}</div>",
                    esc(if unit.is_empty() { "its own units" } else { unit }),
                    esc(&raw_unit(column)),
                    esc(&m)
                ),
            ));
        }
    }
    b.push_str(&format!(
        "</div>\n<p class=\"note\">{method}: {}.</p>\n</section>\n",
        esc(&detail)
    ));
    b.push_str("<section id=\"parameters\">\n<h2>What the sweep varies</h2>\n<table>\n<tr><th>Parameter</th><th>Values</th><th>Unit</th></tr>\n");
    for (key, dist) in &s.parameters {
        b.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
            esc(key),
            esc(dist),
            esc(param_unit(key))
        ));
    }
    b.push_str("</table>\n<p class=\"note\">Outputs: ");
    b.push_str(
        &s.outputs
            .iter()
            .map(|o| format!("<code>{}</code> ({})", esc(&o.0), esc(&raw_unit(&o.0))))
            .collect::<Vec<_>>()
            .join(", "),
    );
    b.push_str(".</p>\n</section>\n<section id=\"charts\">\n<h2>Rankings</h2>\n");
    for (name, column, svg) in svgs {
        b.push_str(&figure(
            svg,
            &format!("{method}: {column}"),
            &format!("File: <code>charts/{name}.svg</code>"),
        ));
    }
    b.push_str("</section>\n<section id=\"tables\">\n<h2>Tables</h2>\n");
    for (k, &(ref column, metric)) in s.outputs.iter().enumerate() {
        b.push_str(&format!("<h3><code>{}</code></h3>\n<table>\n", esc(column)));
        match &s.analysis {
            SweepAnalysis::Sobol { indices, .. } => {
                b.push_str("<tr><th>Parameter</th><th>S1</th><th>95% interval</th><th>ST</th><th>95% interval</th></tr>\n");
                let idx = &indices[k];
                for i in sobol_order(idx) {
                    let x = &idx[i];
                    b.push_str(&format!(
                        "<tr><td><code>{}</code></td><td>{:.3}</td><td>{:.3} to {:.3}</td><td>{:.3}</td><td>{:.3} to {:.3}</td></tr>\n",
                        esc(&names[i]), x.s1, x.s1_lo, x.s1_hi, x.st, x.st_lo, x.st_hi
                    ));
                }
            }
            SweepAnalysis::Morris { indices, .. } => {
                b.push_str("<tr><th>Parameter</th><th>mu*</th><th>mu</th><th>sigma</th><th>Effects</th></tr>\n");
                let idx = &indices[k];
                for i in morris_order(idx) {
                    let m = &idx[i];
                    b.push_str(&format!(
                        "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                        esc(&names[i]),
                        sig(m.mu_star),
                        sig(m.mu),
                        sig(m.sigma),
                        m.n
                    ));
                }
            }
            SweepAnalysis::Binned { bins } => {
                b.push_str("<tr><th>Parameter</th><th>Values</th><th>Runs</th><th>Mean</th><th>95% of runs</th></tr>\n");
                for i in binned_order(&bins[k]) {
                    for bin in &bins[k][i] {
                        b.push_str(&format!(
                            "<tr><td><code>{}</code></td><td>{} to {}</td><td>{}</td><td>{}</td><td>{} to {}</td></tr>\n",
                            esc(&names[i]),
                            sig(bin.value_lo),
                            sig(bin.value_hi),
                            bin.n,
                            esc(&fmt_value(metric, bin.mean)),
                            esc(&fmt_value(metric, bin.lo95)),
                            esc(&fmt_value(metric, bin.hi95))
                        ));
                    }
                }
            }
        }
        b.push_str("</table>\n");
    }
    b.push_str(&format!(
        "<p class=\"note\">Files: {}.</p>\n</section>\n",
        s.files
            .iter()
            .map(|f| format!("<code>{}</code>", esc(f)))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    b.push_str(&manifest_section(manifest_json));
    page(&format!("pathsim sweep: {}", s.name), &b)
}

/// The charts of a sweep: one per output, (file stem, output column, SVG).
pub fn sweep_charts(s: &SweepSummary) -> Result<Vec<(String, String, String)>> {
    let names: Vec<String> = s.parameters.iter().map(|p| p.0.clone()).collect();
    let mut out = Vec::new();
    for (k, (column, metric)) in s.outputs.iter().enumerate() {
        let (stem, svg) = match &s.analysis {
            SweepAnalysis::Sobol {
                indices, resamples, ..
            } => (
                "sobol",
                sobol_chart(column, &names, &indices[k], *resamples)?,
            ),
            SweepAnalysis::Morris { indices, .. } => {
                ("morris", morris_chart(column, &names, &indices[k])?)
            }
            SweepAnalysis::Binned { bins } => (
                "by_parameter",
                binned_chart(column, *metric, &names, &bins[k])?,
            ),
        };
        out.push((
            format!("{stem}_{}", column.replace('.', "_")),
            column.clone(),
            svg,
        ));
    }
    Ok(out)
}

/// Write `report.html` and `charts/*.svg` into the sweep's output folder.
pub fn sweep_report(dest_dir: &Path, s: &SweepSummary, manifest_json: &str) -> Result<()> {
    chart_dir(dest_dir)?;
    let charts = sweep_charts(s)?;
    for (name, _, svg) in &charts {
        write_chart(dest_dir, name, svg)?;
    }
    let page = sweep_page(s, manifest_json, &charts);
    crate::output::write_atomic(&dest_dir.join("report.html"), page.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 12: in the sweep report long parameter names spilled out of the
    /// cards over the next card's number, and raw keys had no units. Cards now
    /// wrap anywhere (with the full name as a title) and give the parameter's
    /// unit from the registry and the output's metric unit; so do the tables and
    /// the chart axes.
    #[test]
    fn sweep_cards_wrap_long_parameter_names_and_give_units() {
        let key = "treatment.offending_multiplier_in_treatment";
        let m = |mu_star: f64| MorrisIndex {
            mu: mu_star,
            mu_star,
            sigma: mu_star / 2.0,
            n: 4,
        };
        let s = SweepSummary {
            name: "t".into(),
            description: String::new(),
            design: "Morris".into(),
            runs: 8,
            replicates: 1,
            scale: 100.0,
            common_random_numbers: true,
            parameters: vec![
                (key.into(), "uniform, 0.4 to 0.9".into()),
                ("treatment.ost_dropout_rate_0_3m".into(), "uniform".into()),
            ],
            outputs: vec![("treatment_starts.all.2026".into(), M::TREATMENT_STARTS)],
            files: vec![],
            analysis: SweepAnalysis::Morris {
                trajectories: 4,
                indices: vec![vec![m(900.0), m(10.0)]],
            },
        };
        let charts = sweep_charts(&s).unwrap();
        let html = sweep_page(&s, "{}", &charts);
        let cards =
            &html[html.find("<div class=\"cards\">").unwrap()..html.find("</section>").unwrap()];
        assert!(
            cards.contains(&format!("<code title=\"{key}\">")),
            "the full name as a title: {cards}"
        );
        let unit = crate::params::info(key).unwrap().unit;
        assert!(!unit.is_empty());
        assert!(
            cards.contains(&format!("parameter in {}", esc(unit))),
            "{cards}"
        );
        assert!(cards.contains("output in journeys"), "{cards}");
        // The cards wrap long names inside themselves.
        let css = &html[html.find("<style>").unwrap()..html.find("</style>").unwrap()];
        let card_rule = css
            .lines()
            .skip_while(|l| !l.starts_with(".card {"))
            .take(2)
            .collect::<String>();
        assert!(card_rule.contains("overflow-wrap: anywhere"), "{card_rule}");
        assert!(card_rule.contains("min-width: 0"), "{card_rule}");
        // The parameters table has a unit column; the chart axis the output's unit.
        assert!(html.contains("<th>Unit</th>"));
        assert!(charts[0]
            .2
            .contains("whole range of the parameter (journeys)"));
    }
}
