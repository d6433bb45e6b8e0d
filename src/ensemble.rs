//! Parameter uncertainty in every run: the posterior sample of the calibration
//! (`calibration/posterior.csv`, built in) and the parameter sets a run draws
//! from it.
//!
//! A run of `replicates` replicates with `draws` parameter sets simulates
//! `replicates / draws` replicates (at least 2) of each of `draws` posterior
//! draws, evenly spaced through the sample; replicate `g` of the run has seed
//! `replicate_seed(seed, g)` whatever its draw, so a comparison pairs the same
//! draw and seed in both arms (common random numbers). Every interval is then
//! over parameter sets and stochastic replicates together, and the share of the
//! variance each brings is reported ([`variance_split`]). A draw sets the fitted
//! parameters the scenario leaves at the calibrated values; a scenario that sets
//! a fitted parameter itself keeps its own value.

use crate::metrics::{Row, M};
use crate::params::Params;
use std::collections::HashMap;

/// The posterior sample, as built into the binary.
pub const POSTERIOR_CSV: &str = include_str!("../calibration/posterior.csv");

/// The posterior's parameter sets: one list of (key, value) per draw.
pub fn parse_posterior(text: &str) -> anyhow::Result<Vec<Vec<(String, f64)>>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r.headers()?.clone();
    // Columns after the bookkeeping ones are parameter keys.
    let first_key = headers
        .iter()
        .position(|h| h.contains('.'))
        .ok_or_else(|| anyhow::anyhow!("the posterior has no parameter columns"))?;
    let mut out = Vec::new();
    for (i, row) in r.records().enumerate() {
        let row = row?;
        let mut set = Vec::new();
        for (k, v) in headers.iter().zip(row.iter()).skip(first_key) {
            let v: f64 = v
                .parse()
                .map_err(|_| anyhow::anyhow!("row {}: `{k}` is not a number: `{v}`", i + 2))?;
            set.push((k.to_string(), v));
        }
        out.push(set);
    }
    anyhow::ensure!(!out.is_empty(), "the posterior has no draws");
    Ok(out)
}

/// The built-in posterior (checked by the tests, so it always parses).
pub fn posterior() -> Vec<Vec<(String, f64)>> {
    parse_posterior(POSTERIOR_CSV).expect("calibration/posterior.csv parses (tested)")
}

/// `n` draws evenly spaced through a sample of `len`.
pub fn spaced(len: usize, n: usize) -> Vec<usize> {
    (0..n)
        .map(|j| ((j as f64 + 0.5) * len as f64 / n as f64) as usize)
        .collect()
}

/// The keys a draw may set in `p`: the numeric parameters `p` leaves at the
/// calibrated (baseline) values.
fn calibrated_keys(p: &Params) -> std::collections::HashSet<String> {
    let base: HashMap<String, f64> = crate::params::baseline()
        .numeric_leaves()
        .into_iter()
        .collect();
    p.numeric_leaves()
        .into_iter()
        .filter(|(k, v)| base.get(k) == Some(v))
        .map(|(k, _)| k)
        .collect()
}

/// The scenario with a draw's values for the fitted parameters among `keys`.
fn with_draw(
    p: &Params,
    keys: &std::collections::HashSet<String>,
    draw: &[(String, f64)],
) -> Result<Params, String> {
    let values: Vec<(String, f64)> = draw
        .iter()
        .filter(|(k, _)| keys.contains(k))
        .cloned()
        .collect();
    crate::scenario::with_values(p, &values)
}

/// The parameter sets of a run of `p` with `draws` posterior draws (fewer if
/// the replicates do not give each two): the scenario itself when `draws` is 0
/// or the run has fewer than 4 replicates (a point-estimate run).
pub fn parameter_sets(
    p: &Params,
    draws: u32,
    sample: &[Vec<(String, f64)>],
) -> Result<Vec<Params>, String> {
    if draws == 0 {
        return Ok(vec![p.clone()]);
    }
    // At least two replicates per set, and two sets, or the point estimate.
    let d = draws.min(p.run.replicates / 2) as usize;
    if d < 2 {
        return Ok(vec![p.clone()]);
    }
    let keys = calibrated_keys(p);
    spaced(sample.len(), d)
        .into_iter()
        .map(|i| with_draw(p, &keys, &sample[i]))
        .collect()
}

/// How much of an output's variance comes from the parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub metric: M,
    pub group: String,
    pub period: i32,
    pub mean: f64,
    /// Total SD over every replicate of every draw.
    pub sd: f64,
    /// Between-draw variance (beyond what the stochastic part explains) as a
    /// share of the total: one-way random-effects ANOVA, clamped to 0-1.
    pub parameter_share: f64,
}

/// The variance split of every output over `sets` parameter sets of
/// `replicates.len() / sets` replicates each (in order, set by set).
pub fn variance_split(replicates: &[Vec<Row>], sets: usize) -> Vec<Split> {
    let n = replicates.len();
    if sets < 2 || n < 2 * sets || n % sets != 0 {
        return Vec::new();
    }
    let r = n / sets;
    let mut order: Vec<(M, String, i32)> = Vec::new();
    let mut values: HashMap<(M, String, i32), Vec<Option<f64>>> = HashMap::new();
    for (g, rows) in replicates.iter().enumerate() {
        for row in rows {
            let key = (row.metric, row.group.clone(), row.period);
            let v = values.entry(key.clone()).or_insert_with(|| {
                order.push(key);
                vec![None; n]
            });
            v[g] = Some(row.value);
        }
    }
    order
        .into_iter()
        .filter_map(|key| {
            let v = &values[&key];
            if v.iter().any(|x| x.is_none()) {
                return None;
            }
            let v: Vec<f64> = v.iter().map(|x| x.expect("checked")).collect();
            let mean = v.iter().sum::<f64>() / n as f64;
            let total = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            let means: Vec<f64> = v
                .chunks(r)
                .map(|c| c.iter().sum::<f64>() / r as f64)
                .collect();
            let within = v
                .chunks(r)
                .zip(&means)
                .map(|(c, m)| c.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (r - 1) as f64)
                .sum::<f64>()
                / sets as f64;
            let between_means =
                means.iter().map(|m| (m - mean).powi(2)).sum::<f64>() / (sets - 1) as f64;
            let between = (between_means - within / r as f64).max(0.0);
            let share = if between + within > 0.0 {
                between / (between + within)
            } else {
                0.0
            };
            Some(Split {
                metric: key.0,
                group: key.1,
                period: key.2,
                mean,
                sd: total.sqrt(),
                parameter_share: share,
            })
        })
        .collect()
}

/// `variance_split.csv`.
pub fn write_split(path: &std::path::Path, rows: &[Split]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "metric",
        "group",
        "period",
        "mean",
        "sd",
        "parameter_share",
        "stochastic_share",
    ])?;
    for s in rows {
        w.write_record([
            s.metric.name().to_string(),
            s.group.clone(),
            s.period.to_string(),
            format!("{}", s.mean),
            format!("{}", s.sd),
            format!("{:.4}", s.parameter_share),
            format!("{:.4}", 1.0 - s.parameter_share),
        ])?;
    }
    crate::output::write_atomic(path, &w.into_inner()?)?;
    Ok(())
}

/// One line saying what a run's intervals carry.
pub fn describe(out: &crate::run::RunOutput) -> String {
    if out.sets > 1 {
        format!(
            "intervals carry parameter and stochastic uncertainty: {} posterior parameter sets x {} replicates \
             (calibration/posterior.csv; --point for the point estimate alone)",
            out.sets,
            out.replicates.len() / out.sets
        )
    } else {
        "intervals are Monte Carlo noise only: the point estimate (calibrated.toml), without parameter \
         uncertainty (posterior draws need at least 4 replicates, and no --point)"
            .into()
    }
}

/// The headline rows' parameter share of variance, for the terminal.
pub fn split_lines(split: &[Split], year: i32) -> String {
    if split.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "share of each headline's variance from the parameters (the rest is stochastic):\n",
    );
    for (metric, group, label) in crate::report::terminal::HEADLINES {
        if let Some(s) = split
            .iter()
            .filter(|s| s.metric == *metric && s.group == *group && s.period <= year)
            .max_by_key(|s| s.period)
        {
            out.push_str(&format!(
                "  {:<34} {:>6} {:>5.0}%\n",
                label,
                s.period,
                100.0 * s.parameter_share
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(v: f64) -> Vec<Row> {
        vec![Row {
            metric: M::REOFFENDERS,
            group: "all".into(),
            period: 2030,
            value: v,
        }]
    }

    #[test]
    fn the_split_is_the_anova_of_draws_and_replicates() {
        // Two draws with means 10 and 20, replicates +-1 around them: within
        // variance 2 (pairs 9, 11: (1 + 1) / 1), draw means' variance 50, so
        // between = 50 - 2 / 2 = 49, share 49 / 51.
        let reps = vec![row(9.0), row(11.0), row(19.0), row(21.0)];
        let s = variance_split(&reps, 2);
        assert_eq!(s.len(), 1);
        assert!((s[0].parameter_share - 49.0 / 51.0).abs() < 1e-12);
        assert_eq!(s[0].mean, 15.0);
        // No parameter effect: between-draw spread is what noise explains.
        let reps = vec![row(9.0), row(11.0), row(11.0), row(9.0)];
        assert_eq!(variance_split(&reps, 2)[0].parameter_share, 0.0);
        // One set or unequal sets: no split.
        assert!(variance_split(&reps, 1).is_empty());
        assert!(variance_split(&reps[..3], 2).is_empty());
    }

    #[test]
    fn draws_are_spread_and_set_only_what_the_scenario_leaves_calibrated() {
        assert_eq!(spaced(200, 5), vec![20, 60, 100, 140, 180]);
        let sample = posterior();
        assert!(sample.len() >= 200, "{}", sample.len());
        let mut p = crate::params::baseline();
        p.run.replicates = 10;
        let sets = parameter_sets(&p, 5, &sample).unwrap();
        assert_eq!(sets.len(), 5);
        let leaves =
            |p: &Params| -> HashMap<String, f64> { p.numeric_leaves().into_iter().collect() };
        let first = leaves(&sets[0]);
        for (k, v) in &sample[spaced(sample.len(), 5)[0]] {
            assert_eq!(first[k], *v, "{k}");
        }
        // A scenario's own value of a fitted key wins.
        let (key, v) = &sample[0][0];
        let own = v * 1.01;
        let q = crate::scenario::with_values(&p, &[(key.clone(), own)]).unwrap();
        let sets = parameter_sets(&q, 5, &sample).unwrap();
        assert!(sets.iter().all(|s| leaves(s)[key] == own));
        // A point run is the scenario, and so is a run too small to spread.
        assert_eq!(parameter_sets(&p, 0, &sample).unwrap(), vec![p.clone()]);
        p.run.replicates = 6;
        assert_eq!(parameter_sets(&p, 5, &sample).unwrap().len(), 3);
        p.run.replicates = 3;
        assert_eq!(parameter_sets(&p, 5, &sample).unwrap(), vec![p.clone()]);
    }
}
