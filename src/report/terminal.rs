//! Tables for the terminal: headline figures of a run and of a comparison.

use crate::metrics::M;
use crate::run::Summary;

/// Headline metrics for the terminal: (metric, group) pairs and a year.
pub const HEADLINES: &[(M, &str, &str)] = &[
    (M::ACTIVE, "all", "Active offenders (person-years)"),
    (M::ARRESTS, "all", "Arrests"),
    (M::POSITIVE_RATE, "all", "Tests positive (share)"),
    (M::TREATMENT_STARTS, "all", "Treatment starts"),
    (
        M::COMPLETION_SHARE,
        "all",
        "Completions among exits (share)",
    ),
    (M::ORDER_STARTS, "drr", "DRR starts"),
    (M::CUSTODY_RECEPTIONS, "all", "Custody receptions"),
    (M::DEATHS, "all", "Deaths"),
    (M::PROVEN_REOFFENDING, "all", "Proven reoffending (share)"),
];

fn fmt_value(v: f64) -> String {
    if v.abs() < 10.0 {
        format!("{v:.3}")
    } else {
        super::thousands(v)
    }
}

/// The latest year at or before `year` for which a metric has a value.
fn pick<'a>(summary: &'a [Summary], metric: M, group: &str, year: i32) -> Option<&'a Summary> {
    summary
        .iter()
        .filter(|s| s.metric == metric && s.group == group && s.period <= year)
        .max_by_key(|s| s.period)
}

/// A small table of headline metrics (mean and 95% interval) for the terminal.
pub fn headline_table(summary: &[Summary], year: i32) -> String {
    let mut out = format!(
        "{:<34} {:>6} {:>14} {:>27}\n",
        "headline", "year", "mean", "95% interval"
    );
    for (metric, group, label) in HEADLINES {
        if let Some(s) = pick(summary, *metric, group, year) {
            out.push_str(&format!(
                "{:<34} {:>6} {:>14} {:>27}\n",
                label,
                s.period,
                fmt_value(s.mean),
                format!("[{}, {}]", fmt_value(s.lo95), fmt_value(s.hi95))
            ));
        }
    }
    out
}

/// Headline differences (scenario minus baseline) for the terminal.
pub fn difference_table(base: &[Summary], diff: &[Summary], year: i32) -> String {
    let mut out = format!(
        "{:<34} {:>6} {:>14} {:>14} {:>27}\n",
        "headline", "year", "baseline", "difference", "95% interval"
    );
    for (metric, group, label) in HEADLINES {
        if let (Some(b), Some(d)) = (
            pick(base, *metric, group, year),
            pick(diff, *metric, group, year),
        ) {
            out.push_str(&format!(
                "{:<34} {:>6} {:>14} {:>14} {:>27}\n",
                label,
                d.period,
                fmt_value(b.mean),
                fmt_value(d.mean),
                format!("[{}, {}]", fmt_value(d.lo95), fmt_value(d.hi95))
            ));
        }
    }
    out
}
