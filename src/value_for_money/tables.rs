//! The appraisal's files, written beside a comparison's differences: the
//! table of measures, where the money goes by year, every run's increments,
//! the acceptability curve, and the unit costs used at the price year.

use super::prices::{Category, Perspective, UNIT_COST_COLUMNS};
use super::{Appraisal, Measure};
use crate::history::{DeathCause, OffenceGroup};
use anyhow::Result;
use std::path::Path;

/// The files [`write_all`] writes, in a comparison's folder.
pub const FILES: [&str; 5] = [
    "value_for_money.csv",
    "value_for_money_by_year.csv",
    "value_for_money_by_replicate.csv",
    "acceptability_curve.csv",
    "unit_costs_used.csv",
];

fn num(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        format!("{v}")
    }
}

fn write(path: &Path, rows: Vec<Vec<String>>) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(&r)?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::output::write_atomic(path, &bytes)
}

fn strings<const N: usize>(a: [&str; N]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

/// Every file into `dir`; `assumed` lists the unevaluated effects the
/// scenario rests on (each row of the table says so).
pub fn write_all(dir: &Path, ap: &Appraisal, assumed: &[String]) -> Result<()> {
    let caveat = if assumed.is_empty() {
        "none".to_string()
    } else {
        format!("rests on unevaluated effects: {}", assumed.join("; "))
    };
    let s = &ap.settings;
    let terms = format!(
        "{}-{}, {} prices",
        s.from,
        s.to(),
        super::financial_year(ap.prices.price_year)
    );
    let mut rows = vec![strings([
        "measure", "label", "unit", "mean", "lo95", "hi95", "runs", "terms", "caveat",
    ])];
    for m in ap.measures() {
        let Measure {
            id,
            label,
            unit,
            mean,
            lo95,
            hi95,
        } = m;
        rows.push(vec![
            id,
            label.trim().to_string(),
            unit.to_string(),
            num(mean),
            num(lo95),
            num(hi95),
            ap.runs().to_string(),
            terms.clone(),
            caveat.clone(),
        ]);
    }
    write(&dir.join(FILES[0]), rows)?;

    let mut rows = vec![strings([
        "year",
        "category",
        "perspective",
        "baseline_gbp",
        "scenario_gbp",
        "difference_gbp",
        "difference_lo95",
        "difference_hi95",
    ])];
    for y in ap.by_year() {
        rows.push(vec![
            y.year.to_string(),
            y.category.name().into(),
            y.perspective.name().into(),
            num(y.base),
            num(y.scenario),
            num(y.mean),
            num(y.lo95),
            num(y.hi95),
        ]);
    }
    write(&dir.join(FILES[1]), rows)?;

    let mut head = strings(["replicate", "parameter_set"]);
    for c in Category::ALL {
        for p in Perspective::ALL {
            head.push(format!("cost_{}_{}_gbp", c.name(), p.name()));
        }
    }
    head.extend(strings(["qalys", "qalys_health_rate_1_5"]));
    for g in OffenceGroup::ALL {
        head.push(format!("offences_{}", g.name()));
    }
    for c in DeathCause::ALL {
        head.push(format!("deaths_{}", c.name()));
    }
    head.push("years_of_life_lost".into());
    let mut rows = vec![head];
    let per_set = (ap.runs() / ap.sets.max(1)).max(1);
    for (r, d) in ap.increments.iter().enumerate() {
        let mut row = vec![r.to_string(), (r / per_set).to_string()];
        for c in 0..Category::N {
            for p in 0..Perspective::N {
                row.push(num(d.cost[c][p]));
            }
        }
        row.push(num(d.qalys));
        row.push(num(d.qalys_sensitivity));
        row.extend(d.offences.iter().map(|&v| num(v)));
        row.extend(d.deaths.iter().map(|&v| num(v)));
        row.push(num(d.life_years_lost.iter().sum()));
        rows.push(row);
    }
    write(&dir.join(FILES[2]), rows)?;

    let mut rows = vec![strings([
        "wtp_gbp_per_qaly",
        "probability_public_sector",
        "probability_society",
    ])];
    for (w, a, b) in ap.acceptability_curve() {
        rows.push(vec![num(w), num(a), num(b)]);
    }
    write(&dir.join(FILES[3]), rows)?;

    // The file's own columns, then the price used and its difference.
    let mut head = strings(UNIT_COST_COLUMNS);
    head.extend(strings([
        "gbp_per_metric_unit_at_appraisal_prices",
        "present_value_difference_gbp",
    ]));
    let mut rows = vec![head];
    let n = ap.runs().max(1) as f64;
    for (i, (c, per)) in ap.prices.items.iter().enumerate() {
        let pv: f64 = ap.increments.iter().map(|d| d.items[i]).sum::<f64>() / n;
        rows.push(vec![
            c.id.clone(),
            c.item.clone(),
            c.category.name().into(),
            c.perspective.name().into(),
            c.metric.name().into(),
            c.group_name().into(),
            num(c.share),
            format!("{:?}", c.basis).to_lowercase(),
            num(c.value),
            c.price_year.to_string(),
            c.source.clone(),
            c.url.clone(),
            num(*per),
            num(pv),
        ]);
    }
    write(&dir.join(FILES[4]), rows)
}
