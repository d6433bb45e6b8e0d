//! The calendar inputs end to end: projection variants change only the years
//! after the published figures (common random numbers keep everything before
//! identical), and the COVID-19 year shows its dip.

use pathsim::metrics::{Row, M};
use pathsim::series::{variants_differ_from, Projection};
use std::collections::HashMap;

fn rows(projection: Projection, scale: f64) -> Vec<Row> {
    let mut p = pathsim::params::baseline();
    p.run.scale = scale;
    p.run.replicates = 1;
    p.calendar.projection = projection;
    pathsim::run::replicate_metrics(&p, 0, &|| {}).rows(scale)
}

fn value(rows: &[Row], metric: M, group: &str, year: i32) -> f64 {
    rows.iter()
        .find(|r| r.metric == metric && r.group == group && r.period == year)
        .map(|r| r.value)
        .unwrap_or_else(|| panic!("{metric:?} {group} {year}"))
}

#[test]
fn a_projection_variant_changes_only_the_years_after_the_published_figures() {
    let from = variants_differ_from().year();
    let index = |rows: Vec<Row>| -> HashMap<(M, String, i32), f64> {
        rows.into_iter()
            .map(|r| ((r.metric, r.group, r.period), r.value))
            .collect()
    };
    let central = index(rows(Projection::Central, 1000.0));
    for variant in [Projection::Low, Projection::High] {
        let other = index(rows(variant, 1000.0));
        // Reoffending of a year is followed up for 18 months, so the year two
        // before the variants part is the last one wholly before them. A row
        // is written only when its count is not zero, so compare by key.
        for (key, a) in &central {
            if key.2 < from - 1 {
                assert_eq!(other.get(key), Some(a), "{key:?}");
            }
        }
        for key in other.keys().filter(|k| k.2 < from - 1) {
            assert!(central.contains_key(key), "{key:?} only in {variant:?}");
        }
        let differ = central
            .iter()
            .filter(|(k, a)| k.2 >= from && other.get(*k) != Some(a))
            .count();
        assert!(
            differ > 100,
            "{variant:?}: {differ} rows differ after {from}"
        );
    }
}

#[test]
fn the_covid_year_shows_fewer_arrests_and_sentences() {
    let r = rows(Projection::Central, 100.0);
    for (metric, group) in [(M::ARRESTS, "all"), (M::SENTENCES, "all")] {
        let (y19, y20) = (
            value(&r, metric, group, 2019),
            value(&r, metric, group, 2020),
        );
        assert!(
            y20 < 0.95 * y19,
            "{metric:?}: 2019 {y19:.0}, 2020 {y20:.0}: no COVID-19 dip"
        );
    }
}
