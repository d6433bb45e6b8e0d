//! The value-for-money section of a comparison's report: the reading in words,
//! the table of measures with the central 95% of runs, where the money goes by
//! category, and the three charts.

use super::html::{esc, figure};
use crate::value_for_money::prices::{Category, Perspective};
use crate::value_for_money::{
    financial_year, mean_costs, pct, tables, thousands, Appraisal, Measure,
};

fn cell(m: &Measure, v: f64) -> String {
    if v.is_nan() {
        return "&ndash;".into();
    }
    match m.unit {
        "probability" => format!("{:.0}%", 100.0 * v),
        "GBP per QALY" if v.is_infinite() => "&ndash;".into(),
        "GBP per QALY" => thousands(v),
        "ratio" if v.is_infinite() => "no cost rises".into(),
        "ratio" => format!("{v:.2}"),
        "GBP million" => format!("{v:.1}"),
        _ if v.abs() >= 100.0 => thousands(v),
        _ => format!("{v:.1}"),
    }
}

/// The section, with the charts named in `svgs` (`value_*`); `assumed` lists
/// the unevaluated effects the scenario rests on.
pub fn section(ap: &Appraisal, svgs: &[(String, String)], assumed: &[String]) -> String {
    let s = &ap.settings;
    let chart = |name: &str| {
        svgs.iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.as_str())
    };
    let mut b = format!(
        "<section id=\"value-for-money\">\n<h2>Value for money, {}-{}</h2>\n",
        s.from,
        s.to()
    );
    b.push_str("<div class=\"lead\">\n");
    for line in ap.reading() {
        b.push_str(&format!("<p>{}</p>\n", esc(&line)));
    }
    b.push_str("</div>\n");
    if !assumed.is_empty() {
        b.push_str(
            "<p class=\"notice\">Every figure below rests on the unevaluated effects listed at the top of this \
             report: no evaluation supports them, so neither the costs nor the benefits they drive are evidence.</p>\n",
        );
    }
    b.push_str(&format!(
        "<p class=\"note\">Scenario minus baseline, run by run on common random numbers. Costs in {} prices \
         (GDP deflator), discounted at {}% a year from {} (Green Book); QALYs at {}%, with 1.5% as a \
         sensitivity; crimes, deaths and years of life lost undiscounted. Unit costs, price years and sources: \
         <code>unit_costs_used.csv</code> (from <code>data/costs/unit_costs.csv</code>).</p>\n",
        financial_year(ap.prices.price_year),
        pct(s.discount_rate),
        s.from,
        pct(s.health_discount_rate)
    ));
    b.push_str(
        "<table>\n<tr><th>Measure</th><th>Unit</th><th>Mean</th><th>95% of runs</th></tr>\n",
    );
    for m in ap.measures() {
        let range = if m.lo95.is_nan() {
            "&ndash;".to_string()
        } else {
            format!("{} to {}", cell(&m, m.lo95), cell(&m, m.hi95))
        };
        b.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&m.label),
            esc(m.unit),
            cell(&m, m.mean),
            range
        ));
    }
    b.push_str("</table>\n");
    // Where the money goes: each arm's present value by category.
    let (base, scenario) = (mean_costs(&ap.base), mean_costs(&ap.scenario));
    b.push_str(
        "<h3>Where the money goes (present value, GBP million)</h3>\n<table>\n\
         <tr><th>Category</th><th>Borne by</th><th>Baseline</th><th>Scenario</th><th>Difference</th></tr>\n",
    );
    for c in Category::ALL {
        for p in Perspective::ALL {
            let (i, j) = (c as usize, p as usize);
            let (base, sc) = (base[i][j] / 1e6, scenario[i][j] / 1e6);
            if base == 0.0 && sc == 0.0 {
                continue;
            }
            b.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:+.1}</td></tr>\n",
                esc(c.label()),
                esc(&p.name().replace('_', " ")),
                thousands(base),
                thousands(sc),
                sc - base
            ));
        }
    }
    b.push_str("</table>\n");
    for (name, title, caption) in [
        (
            "value_cost_effectiveness_plane",
            "Cost-effectiveness plane",
            "Each dot is one paired run: QALYs gained against the extra public-sector cost. Below a dashed line the \
             scenario is cost-effective at that price per QALY.",
        ),
        (
            "value_acceptability_curve",
            "Cost-effectiveness acceptability curve",
            "The chance that the scenario is cost-effective, as the share of runs with a positive net monetary benefit, \
             at each price per QALY.",
        ),
        (
            "value_spending_by_year",
            "Where the money goes, year by year",
            "The extra cost by category and year, undiscounted. File: value_for_money_by_year.csv.",
        ),
    ] {
        if let Some(svg) = chart(name) {
            b.push_str(&figure(
                svg,
                title,
                &format!("{caption} File: <code>charts/{name}.svg</code>"),
            ));
        }
    }
    b.push_str(&format!(
        "<p class=\"note\">Files: {}.</p>\n</section>\n",
        tables::FILES
            .iter()
            .map(|f| format!("<code>{f}</code>"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    b
}
