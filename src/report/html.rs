//! The HTML page: one file, inline CSS and SVG, no scripts and no network, so it
//! opens anywhere, prints cleanly, and can be mailed or archived with the outputs.

use super::{
    at, changes, fmt_diff, fmt_value, pick, series, thousands, Change, Summary, HEADLINES,
};
use crate::metrics::M;
use crate::params::Params;
use crate::studies::retention::RetentionCurves;

/// Escape text for HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root { --ink:#212529; --muted:#6c757d; --line:#dee2e6; --accent:#0072b2; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); margin: 0 auto; max-width: 1100px; padding: 24px 32px 64px; line-height: 1.45; background: #fff; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 20px; padding-bottom: 10px; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 34px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 17px; margin: 22px 0 8px; }
.lead { font-size: 17px; margin: 4px 0; }
.meta, .note { color: var(--muted); font-size: 13px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 12px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 12px; }
.notice { border-left: 4px solid #c0392b; background: #fdf2f0; padding: 4px 16px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-left: 5px solid var(--accent); border-radius: 6px; padding: 10px 14px;
  min-width: 0; overflow-wrap: anywhere; }
.card .unit { font-size: 12px; color: var(--muted); }
.card .label { font-size: 13px; color: var(--muted); }
.card .value { font-size: 26px; font-weight: 650; margin: 2px 0; }
.card .ci { font-size: 13px; color: var(--muted); }
.card.flat { border-left-color: #ced4da; }
.card.met { border-left-color: #009e73; }
.card.missed { border-left-color: #d55e00; }
td.met { color: #00785a; font-weight: 600; }
td.missed { color: #b34700; font-weight: 600; }
.card code { font-size: 14px; overflow-wrap: anywhere; }
.card .value code { font-size: 16px; }
.card .rel { font-size: 14px; font-weight: 600; color: var(--ink); }
figure { margin: 18px 0 26px; }
figure svg { max-width: 100%; height: auto; display: block; border: 1px solid var(--line); border-radius: 4px; }
figcaption { font-size: 14px; color: var(--muted); margin-top: 6px; }
table { border-collapse: collapse; font-size: 14px; margin: 8px 0 16px; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
th { background: #f8f9fa; font-weight: 600; }
td small { color: var(--muted); display: block; font-size: 12px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
pre { background: #f8f9fa; border: 1px solid var(--line); padding: 12px; overflow-x: auto; font-size: 12px; }
details summary { cursor: pointer; font-weight: 600; }
@media print { body { padding: 0; } figure { break-inside: avoid; } .cards { break-inside: avoid; } }
"#;

pub(super) fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n",
        esc(title)
    )
}

/// Inline an SVG chart with an accessible name.
pub(super) fn figure(svg: &str, title: &str, caption: &str) -> String {
    let svg = svg.trim_start_matches(|c| c != '<');
    let svg = svg.strip_prefix("<?xml").map_or(svg, |rest| {
        rest.split_once("?>")
            .map_or(rest, |(_, after)| after.trim_start())
    });
    let svg = svg.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{}\" ", esc(title)),
        1,
    );
    format!("<figure>\n{svg}\n<figcaption>{caption}</figcaption>\n</figure>\n")
}

/// One headline card: label, big value, then `detail` (HTML) in smaller type.
/// `class` adds a modifier ("flat" greys the edge); label and value are HTML.
pub(super) fn card(class: &str, label: &str, value: &str, detail: &str) -> String {
    let class = if class.is_empty() {
        "card".to_string()
    } else {
        format!("card {class}")
    };
    format!(
        "<div class=\"{class}\"><div class=\"label\">{label}</div><div class=\"value\">{value}</div>{detail}</div>\n"
    )
}

fn chart<'a>(svgs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    svgs.iter()
        .find(|(n, _)| n == name)
        .map(|(_, s)| s.as_str())
}

/// The manifest, collapsed, with the command that repeats the run shown first.
pub(super) fn manifest_section(manifest_json: &str) -> String {
    let repeat = serde_json::from_str::<serde_json::Value>(manifest_json)
        .ok()
        .and_then(|v| {
            let repeat = v
                .get("repeat_with")
                .and_then(|r| r.as_str())
                .map(str::to_string);
            let command = v
                .get("command_line")
                .and_then(|c| c.as_array())
                .map(|args| {
                    args.iter()
                        .filter_map(|a| a.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                });
            repeat.or(command.filter(|c| !c.is_empty()))
        });
    let mut s = String::from("<section id=\"manifest\">\n<h2>Reproduce this run</h2>\n");
    if let Some(r) = repeat {
        s.push_str(&format!("<p>Repeat with <code>{}</code>: the same seed gives the same numbers on any number of threads.</p>\n", esc(&r)));
    }
    s.push_str(&format!(
        "<details><summary>manifest.json (version, seed, every resolved parameter, command line)</summary>\n<pre>{}</pre>\n</details>\n</section>\n",
        esc(manifest_json)
    ));
    s
}

pub(super) fn changes_table(list: &[Change], base_name: &str, scenario_name: &str) -> String {
    let (levers, rest): (Vec<&Change>, Vec<&Change>) =
        list.iter().partition(|c| c.key.starts_with("levers."));
    let (run, params): (Vec<&Change>, Vec<&Change>) =
        rest.into_iter().partition(|c| c.key.starts_with("run."));
    let mut s = String::new();
    if levers.is_empty() && params.is_empty() {
        s.push_str(&format!(
            "<p>No policy lever or model parameter differs from <strong>{}</strong>.</p>\n",
            esc(base_name)
        ));
    }
    for (title, rows) in [
        ("Policy levers", &levers),
        ("Model parameters", &params),
        ("Run settings", &run),
    ] {
        if rows.is_empty() {
            continue;
        }
        s.push_str(&format!(
            "<h3>{title}</h3>\n<table>\n<tr><th>Setting</th><th>{}</th><th>{}</th><th>Unit</th></tr>\n",
            esc(base_name),
            esc(scenario_name)
        ));
        for c in rows {
            s.push_str(&format!(
                "<tr><td><code>{}</code></td><td>{}</td><td><strong>{}</strong></td><td>{}</td></tr>\n",
                esc(&c.key),
                esc(&c.base),
                esc(&c.scenario),
                esc(&c.unit)
            ));
        }
        s.push_str("</table>\n");
    }
    s
}

fn mean_ci(metric: M, s: &Summary) -> String {
    format!(
        "{}<small>{} to {}</small>",
        esc(&fmt_value(metric, s.mean)),
        esc(&fmt_value(metric, s.lo95)),
        esc(&fmt_value(metric, s.hi95))
    )
}

/// Years for tables over time, from `from` on: at most eight, evenly spaced, and
/// always the last.
fn table_years(summary: &[Summary], from: i32) -> Vec<i32> {
    let years: Vec<i32> = series(summary, M::ARRESTS, "all")
        .iter()
        .map(|p| p.0)
        .filter(|&y| y >= from)
        .collect();
    let (Some(&first), Some(&last)) = (years.first(), years.last()) else {
        return Vec::new();
    };
    let step = ((last - first) as f64 / 7.0).ceil().max(1.0) as i32;
    let mut out: Vec<i32> = (first..=last).filter(|y| (y - first) % step == 0).collect();
    if out.last() != Some(&last) {
        out.push(last);
    }
    out
}

/// The page header every report opens with: title and lead (plain text,
/// escaped here) and a meta line (HTML).
pub(super) fn page_header(title: &str, lead: &str, meta: &str) -> String {
    format!(
        "<header>\n<h1>{}</h1>\n<p class=\"lead\">{}</p>\n<p class=\"meta\">{meta}</p>\n</header>\n",
        esc(title),
        esc(lead)
    )
}

/// A warning box listing results that rest on effects never evaluated (empty
/// when there are none).
pub(super) fn assumed_effects_notice(notes: &[String]) -> String {
    if notes.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        "<section id=\"assumed-effects\" class=\"notice\">\n<h2>Results resting on unevaluated effects</h2>\n\
         <p>The UKDPC review found no evaluation of these interventions; their effects here are assumptions, \
         and every figure they touch inherits that.</p>\n<ul>\n",
    );
    for n in notes {
        s.push_str(&format!("<li>{}</li>\n", esc(n)));
    }
    s.push_str("</ul>\n</section>\n");
    s
}

/// The report of one run.
/// What a run's intervals carry, from its manifest (`parameter_sets`).
fn uncertainty_words(manifest_json: &str) -> String {
    let sets = serde_json::from_str::<serde_json::Value>(manifest_json)
        .ok()
        .and_then(|v| {
            v.get("parameter_sets")
                .or_else(|| v.get("scenario").and_then(|s| s.get("parameter_sets")))
                .and_then(|s| s.as_u64())
        })
        .unwrap_or(1);
    if sets > 1 {
        format!(
            "parameter and stochastic uncertainty: the replicates are spread over {sets} parameter sets drawn from \
             the calibration's posterior (calibration/posterior.csv); variance_split.csv gives each output's share \
             from the parameters"
        )
    } else {
        "Monte Carlo uncertainty only: the point estimate, not uncertainty in the parameters (run without --point \
         to draw from the posterior)"
            .into()
    }
}

pub fn run_page(
    summary: &[Summary],
    p: &Params,
    manifest_json: &str,
    retention: Option<&RetentionCurves>,
    svgs: &[(String, String)],
    year: i32,
    national: &str,
) -> String {
    let n = summary.first().map(|s| s.n).unwrap_or(0);
    let mut b = String::new();
    b.push_str(&page_header(
        &format!("pathsim: {}", p.name),
        &p.description,
        &format!(
            "pathsim {} &middot; {} replicates &middot; each simulated person stands for {} real people \
             &middot; seed {} &middot; simulated from {} to {} &middot; calendar inputs observed to {}, \
             then the <strong>{} projection</strong>",
            env!("CARGO_PKG_VERSION"),
            p.run.replicates,
            esc(&p.run.scale.to_string()),
            p.run.seed,
            p.run.start,
            p.run.horizon,
            crate::series::variants_differ_from().year() - 1,
            p.calendar.projection.name()
        ),
    ));
    b.push_str(&assumed_effects_notice(
        &crate::interventions::unevaluated_effects(&p.interventions),
    ));
    // Headline cards first: what a reader takes away in ten seconds.
    b.push_str(&format!(
        "<section id=\"headlines\">\n<h2>Headline figures, {year}</h2>\n<div class=\"cards\">\n"
    ));
    for &(metric, group, label) in HEADLINES {
        if let Some(s) = pick(summary, metric, group, year) {
            let when = if s.period != year {
                format!(" ({})", s.period)
            } else {
                String::new()
            };
            b.push_str(&card(
                "",
                &format!("{}{when}", esc(label)),
                &esc(&fmt_value(metric, s.mean)),
                &format!(
                    "<div class=\"unit\">{}</div><div class=\"ci\">95% interval {} to {}</div>",
                    esc(&super::unit_words(metric)),
                    esc(&fmt_value(metric, s.lo95)),
                    esc(&fmt_value(metric, s.hi95))
                ),
            ));
        }
    }
    b.push_str(&format!(
        "</div>\n<p class=\"note\">Means over {n} replicates, scaled to England and Wales; the interval is the 2.5th to 97.5th \
         percentile of replicates ({}). The yearly bands to 2035 are the same fan. Proven reoffending needs 18 \
         months of follow-up, so its latest year may be earlier.</p>\n</section>\n",
        esc(&uncertainty_words(manifest_json))
    ));
    b.push_str("<section id=\"changes\">\n<h2>What this scenario changes</h2>\n");
    let base = crate::params::baseline();
    b.push_str(&changes_table(
        &changes(&base, p),
        "baseline defaults",
        &p.name,
    ));
    b.push_str("</section>\n<section id=\"charts\">\n<h2>Charts</h2>\n");
    let captions = [
        (
            "proven_reoffending_by_substance",
            "Proven reoffending by substance group",
            "Share of offenders sentenced to a non-custodial sentence or released from custody in a year who commit an \
             offence within 12 months that is proven by a conviction within 18 months (the Ministry of Justice measure).",
        ),
        (
            "treatment_starts_by_route",
            "Treatment starts by referral route",
            "Community treatment episodes started each year, by who referred the person.",
        ),
        (
            "pathway_flow",
            "The pathway in one year",
            "Read top to bottom: how many arrests lead to a test, a positive result, a DIP assessment and a treatment start, \
             and how treatment episodes end.",
        ),
        (
            "retention_by_route",
            "Retention by referral route",
            "How long treatment episodes last before dropout. Steeper early falls mean people leave in the first weeks, when \
             retention work matters most.",
        ),
        (
            "retention_by_substance",
            "Retention by substance",
            "The same retention curves by the person's main problem substance.",
        ),
    ];
    for (name, title, caption) in captions {
        if let Some(svg) = chart(svgs, name) {
            b.push_str(&figure(
                svg,
                title,
                &format!("{caption} File: <code>charts/{name}.svg</code>"),
            ));
        }
    }
    b.push_str("</section>\n<section id=\"tables\">\n<h2>Tables</h2>\n");
    // Headline metrics over time.
    let years = table_years(summary, i32::MIN);
    if !years.is_empty() {
        b.push_str("<h3>Headline metrics over time (mean, 95% interval below)</h3>\n<table>\n<tr><th>Metric</th>");
        for y in &years {
            b.push_str(&format!("<th>{y}</th>"));
        }
        b.push_str("</tr>\n");
        for &(metric, group, label) in HEADLINES {
            b.push_str(&format!("<tr><td>{}</td>", esc(label)));
            for y in &years {
                match at(summary, metric, group, *y) {
                    Some(s) => b.push_str(&format!("<td>{}</td>", mean_ci(metric, s))),
                    None => b.push_str("<td>&ndash;</td>"),
                }
            }
            b.push_str("</tr>\n");
        }
        b.push_str("</table>\n");
    }
    let flow = super::charts::flow_rows(summary, year);
    if !flow.is_empty() {
        b.push_str(&format!(
            "<h3>The pathway in {year}</h3>\n<table>\n<tr><th>Stage</th><th>Mean</th><th>95% interval</th><th>Conversion</th></tr>\n"
        ));
        for (st, mean, lo, hi, share) in flow {
            b.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{} to {}</td><td>{}</td></tr>\n",
                esc(st.label),
                thousands(mean),
                thousands(lo),
                thousands(hi),
                esc(&share)
            ));
        }
        b.push_str("</table>\n");
    }
    if let Some(r) = retention {
        b.push_str(&format!(
            "<h3>Retention in treatment, episodes starting {}</h3>\n<table>\n<tr><th>Group</th><th>Episodes (simulated)</th>\
             <th>4 weeks</th><th>13 weeks</th><th>26 weeks</th><th>52 weeks</th><th>104 weeks</th></tr>\n",
            esc(&r.window_label())
        ));
        let mut curves = r.by_route();
        curves.extend(r.by_substance());
        curves.push(r.overall());
        for c in curves.iter().filter(|c| c.episodes > 0) {
            b.push_str(&format!(
                "<tr><td>{}</td><td>{}</td>",
                esc(&c.label),
                thousands(c.episodes as f64)
            ));
            for w in [4.0, 13.0, 26.0, 52.0, 104.0] {
                match c.points.iter().rev().find(|pt| pt.0 <= w) {
                    Some(pt) if c.points.last().is_some_and(|l| l.0 >= w) => {
                        b.push_str(&format!("<td>{:.0}%</td>", pt.1 * 100.0))
                    }
                    _ => b.push_str("<td>&ndash;</td>"),
                }
            }
            b.push_str("</tr>\n");
        }
        b.push_str(
            "</table>\n<p class=\"note\">Kaplan-Meier: the share who would still be in treatment if dropout were the only \
             way out (completion, death, custody and the end of follow-up are censored).</p>\n",
        );
    }
    b.push_str(
        "<p class=\"note\">Every number here is in <code>summary.csv</code> (means and intervals) and <code>results.csv</code> \
         (each replicate), one row per metric, group and year.</p>\n</section>\n",
    );
    b.push_str(national);
    b.push_str(&manifest_section(manifest_json));
    page(&format!("pathsim report: {}", p.name), &b)
}

/// Whether a 95% interval excludes zero. Not "good" or "bad": more completions and
/// more arrests are both "up".
fn direction(d: &Summary) -> &'static str {
    if d.lo95 > 0.0 || d.hi95 < 0.0 {
        "clear"
    } else {
        "flat"
    }
}

/// The report of a comparison.
#[allow(clippy::too_many_arguments)]
pub fn compare_page(
    base: &[Summary],
    scenario: &[Summary],
    diff: &[Summary],
    bp: &Params,
    sp: &Params,
    manifest_json: &str,
    svgs: &[(String, String)],
    value: Option<&crate::value_for_money::Appraisal>,
) -> String {
    let n = diff.first().map(|s| s.n).unwrap_or(0);
    let year = sp.run.horizon.year() - 1;
    let mut b = String::new();
    b.push_str(&page_header(
        &format!("pathsim: {} compared with {}", sp.name, bp.name),
        &sp.description,
        &format!(
            "pathsim {} &middot; {} paired replicates on common random numbers &middot; each simulated person \
             stands for {} real people &middot; seed {}",
            env!("CARGO_PKG_VERSION"),
            sp.run.replicates,
            esc(&sp.run.scale.to_string()),
            sp.run.seed
        ),
    ));
    b.push_str(&assumed_effects_notice(
        &crate::interventions::unevaluated_effects(&sp.interventions),
    ));
    b.push_str(&format!(
        "<section id=\"headlines\">\n<h2>Headline differences, {year} (scenario minus baseline)</h2>\n<div class=\"cards\">\n"
    ));
    for &(metric, group, label) in HEADLINES {
        let (Some(d), Some(a)) = (
            pick(diff, metric, group, year),
            pick(base, metric, group, year),
        ) else {
            continue;
        };
        let when = if d.period != year {
            format!(" ({})", d.period)
        } else {
            String::new()
        };
        let rel = if a.mean != 0.0 && super::unit_of(metric) != "share" {
            format!(
                "<div class=\"rel\">{:+.1}% of baseline</div>",
                100.0 * d.mean / a.mean
            )
        } else {
            String::new()
        };
        b.push_str(&card(
            direction(d),
            &format!("{}{when}", esc(label)),
            &esc(&fmt_diff(metric, d.mean)),
            &format!(
                "<div class=\"unit\">{}</div>{rel}<div class=\"ci\">95% interval {} to {}<br>baseline {}</div>",
                esc(&super::diff_unit_words(metric)),
                esc(&fmt_diff(metric, d.lo95)),
                esc(&fmt_diff(metric, d.hi95)),
                esc(&fmt_value(metric, a.mean))
            ),
        ));
    }
    b.push_str(&format!(
        "</div>\n<p class=\"note\">Differences are paired replicate by replicate: both runs simulate the same people with \
         the same random numbers and the same parameter set, so the interval ({n} replicates, 2.5th to 97.5th percentile; {}) \
         reflects the policy, not chance. Blue edge: the interval excludes zero, a clear difference; grey edge: it includes zero, so the run cannot \
         tell the difference from none (more replicates or a smaller scale narrow it).</p>\n</section>\n",
        esc(&uncertainty_words(manifest_json))
    ));
    if let Some(ap) = value.filter(|ap| ap.runs() > 0) {
        b.push_str(&super::value_html::section(
            ap,
            svgs,
            &crate::interventions::unevaluated_effects(&sp.interventions),
        ));
    }
    b.push_str("<section id=\"changes\">\n<h2>What the scenario changes</h2>\n");
    b.push_str(&changes_table(&changes(bp, sp), &bp.name, &sp.name));
    b.push_str("</section>\n<section id=\"charts\">\n<h2>Charts</h2>\n");
    for (metric, _, title, _, _) in super::DIFFERENCE_CHARTS {
        let name = format!("difference_{metric}");
        if let Some(svg) = chart(svgs, &name) {
            b.push_str(&figure(
                svg,
                title,
                &format!(
                    "Mean paired difference with its 95% band. Before the lever starts the runs are identical \
                     (a proven-reoffending cohort can differ a year earlier: its follow-up runs past the start). \
                     File: <code>charts/{name}.svg</code>"
                ),
            ));
        }
    }
    if let Some(svg) = chart(svgs, "proven_reoffending_both") {
        b.push_str(&figure(
            svg,
            "Proven reoffending in both scenarios",
            "Both runs side by side. The bands are each run's spread over replicates: they can overlap where \
             the paired difference (stated in bold beside the chart, and in the cards above) is clear, because both \
             runs simulate the same people. File: <code>charts/proven_reoffending_both.svg</code>",
        ));
    }
    b.push_str("</section>\n<section id=\"tables\">\n<h2>Tables</h2>\n");
    b.push_str(&format!(
        "<h3>Headline metrics, {year}</h3>\n<table>\n<tr><th>Metric</th><th>Year</th><th>{}</th><th>{}</th>\
         <th>Difference</th><th>95% interval</th></tr>\n",
        esc(&bp.name),
        esc(&sp.name)
    ));
    for &(metric, group, label) in HEADLINES {
        let (Some(d), Some(a)) = (
            pick(diff, metric, group, year),
            pick(base, metric, group, year),
        ) else {
            continue;
        };
        let c = at(scenario, metric, group, d.period);
        b.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} to {}</td></tr>\n",
            esc(label),
            d.period,
            esc(&fmt_value(metric, a.mean)),
            c.map_or("&ndash;".to_string(), |c| esc(&fmt_value(metric, c.mean))),
            esc(&fmt_diff(metric, d.mean)),
            esc(&fmt_diff(metric, d.lo95)),
            esc(&fmt_diff(metric, d.hi95))
        ));
    }
    b.push_str("</table>\n");
    let from = super::first_lever_start(sp).map_or(i32::MIN, |m| m.floor() as i32 - 1);
    let years = table_years(diff, from);
    if !years.is_empty() {
        b.push_str("<h3>Differences over time (mean, 95% interval below)</h3>\n<table>\n<tr><th>Metric</th>");
        for y in &years {
            b.push_str(&format!("<th>{y}</th>"));
        }
        b.push_str("</tr>\n");
        for &(metric, group, label) in HEADLINES {
            b.push_str(&format!("<tr><td>{}</td>", esc(label)));
            for y in &years {
                match at(diff, metric, group, *y) {
                    Some(s) => b.push_str(&format!(
                        "<td>{}<small>{} to {}</small></td>",
                        esc(&fmt_diff(metric, s.mean)),
                        esc(&fmt_diff(metric, s.lo95)),
                        esc(&fmt_diff(metric, s.hi95))
                    )),
                    None => b.push_str("<td>&ndash;</td>"),
                }
            }
            b.push_str("</tr>\n");
        }
        b.push_str("</table>\n");
    }
    b.push_str(
        "<p class=\"note\">All numbers are in <code>differences.csv</code>; each replicate's differences are in \
         <code>differences_by_replicate.csv</code>.</p>\n</section>\n",
    );
    b.push_str(&manifest_section(manifest_json));
    page(&format!("pathsim: {} vs {}", sp.name, bp.name), &b)
}
