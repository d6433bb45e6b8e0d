//! Observed versus causal: the NTA before/after reduction a study would see, next
//! to the part of it that treatment causes.
//!
//! The same people are simulated twice on common random numbers: once as the
//! scenario says, once with treatment's effect on offending switched off
//! (`treatment.offending_multiplier_in_treatment` and
//! `treatment.offending_multiplier_after_completion` set to 1). Histories are
//! identical up to each person's first treatment start, so the NTA cohort and its
//! "before" convictions are the same in both runs. Then, for each outcome group:
//! - `observed` is the study's reduction, 1 - after/before;
//! - `without_treatment_effect` is the reduction that remains with no causal effect
//!   at all: regression to the mean (people start treatment at a high point of
//!   offending), ageing, desistance and custody;
//! - `causal` is treatment's own reduction of after-window convictions,
//!   1 - after / after without the effect = 1 - (1 - observed) / (1 - without).

use super::targets::replicate_values;
use crate::params::Params;
use crate::run::quantile;
use indicatif::ProgressBar;

/// The NTA groups compared, with their register ids.
pub const GROUPS: &[(&str, &str)] = &[
    ("all treatment starters in the cohort", "nta_all_reduction"),
    ("retained for 2 years", "nta_retained_2y_reduction"),
    ("completed after 6+ months", "nta_completed_6m_reduction"),
    ("dropped out", "nta_dropout_reduction"),
    (
        "completed, did not return",
        "nta_completed_no_return_reduction",
    ),
];

/// One group's observed and causal reductions (percent), mean and 95% interval
/// over replicates.
#[derive(Debug, Clone, PartialEq)]
pub struct CausalRow {
    pub group: &'static str,
    pub id: &'static str,
    pub observed: [f64; 3],
    pub without_treatment_effect: [f64; 3],
    pub causal: [f64; 3],
}

/// The scenario with treatment's effect on offending removed.
pub fn without_effect(params: &Params) -> Params {
    let mut p = params.clone();
    p.treatment.offending_multiplier_in_treatment = 1.0;
    p.treatment.offending_multiplier_after_completion = 1.0;
    p
}

fn describe(mut v: Vec<f64>) -> [f64; 3] {
    v.retain(|x| x.is_finite());
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return [f64::NAN; 3];
    }
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    [mean, quantile(&v, 0.025), quantile(&v, 0.975)]
}

/// Causal reduction (percent) from observed and no-effect reductions (percent).
pub fn causal_reduction(observed: f64, without: f64) -> f64 {
    100.0 * (1.0 - (1.0 - observed / 100.0) / (1.0 - without / 100.0))
}

/// Run both versions of the scenario and compare the NTA groups.
pub fn observed_vs_causal(params: &Params, bar: &ProgressBar) -> Vec<CausalRow> {
    let with = replicate_values(params, bar);
    let without = replicate_values(&without_effect(params), bar);
    let get = |reps: &[Vec<super::Value>], r: usize, id: &str| {
        reps[r]
            .iter()
            .find(|v| v.0 == id)
            .map(|v| v.1)
            .unwrap_or(f64::NAN)
    };
    GROUPS
        .iter()
        .map(|&(group, id)| {
            let n = with.len();
            let obs: Vec<f64> = (0..n).map(|r| get(&with, r, id)).collect();
            let wo: Vec<f64> = (0..n).map(|r| get(&without, r, id)).collect();
            let causal: Vec<f64> = obs
                .iter()
                .zip(&wo)
                .map(|(&o, &w)| causal_reduction(o, w))
                .collect();
            CausalRow {
                group,
                id,
                observed: describe(obs),
                without_treatment_effect: describe(wo),
                causal: describe(causal),
            }
        })
        .collect()
}

/// A terminal table.
pub fn table(rows: &[CausalRow]) -> String {
    let cell = |v: &[f64; 3]| format!("{:5.1} [{:5.1}, {:5.1}]", v[0], v[1], v[2]);
    let mut out = format!(
        "{:<38} {:>22} {:>26} {:>22}\n",
        "NTA 2006-07 cohort, convictions",
        "observed reduction %",
        "with no treatment effect %",
        "caused by treatment %"
    );
    for r in rows {
        out.push_str(&format!(
            "{:<38} {:>22} {:>26} {:>22}\n",
            r.group,
            cell(&r.observed),
            cell(&r.without_treatment_effect),
            cell(&r.causal)
        ));
    }
    out
}

/// `observed_vs_causal.csv`.
pub fn write_csv(path: &std::path::Path, rows: &[CausalRow]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "group",
        "target_id",
        "observed_reduction",
        "observed_lo95",
        "observed_hi95",
        "no_effect_reduction",
        "no_effect_lo95",
        "no_effect_hi95",
        "causal_reduction",
        "causal_lo95",
        "causal_hi95",
    ])?;
    for r in rows {
        let mut rec = vec![r.group.to_string(), r.id.to_string()];
        for v in [&r.observed, &r.without_treatment_effect, &r.causal] {
            rec.extend(v.iter().map(|x| format!("{x}")));
        }
        w.write_record(&rec)?;
    }
    crate::output::write_atomic(path, &w.into_inner()?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causal_reduction_removes_the_no_effect_part() {
        // Observed 47% with 20% that would happen anyway: after/before = 0.53 vs
        // 0.80, so treatment cut after-window convictions by 1 - 0.53/0.80.
        assert!((causal_reduction(47.0, 20.0) - 33.75).abs() < 1e-9);
        assert_eq!(causal_reduction(30.0, 30.0), 0.0);
    }

    #[test]
    fn no_effect_scenario_only_switches_the_effect_off() {
        let p = crate::params::baseline();
        let q = without_effect(&p);
        assert_eq!(q.treatment.offending_multiplier_in_treatment, 1.0);
        assert_eq!(q.treatment.offending_multiplier_after_completion, 1.0);
        let mut r = q.clone();
        r.treatment = p.treatment.clone();
        assert_eq!(r, p);
    }

    #[test]
    fn with_no_effect_observed_equals_no_effect_and_causal_is_zero() {
        let mut p = crate::params::baseline();
        p.run.scale = 400.0;
        p.run.replicates = 1;
        p = without_effect(&p);
        let rows = observed_vs_causal(&p, &ProgressBar::hidden());
        let all = &rows[0];
        assert_eq!(all.observed[0], all.without_treatment_effect[0]);
        assert!(all.causal[0].abs() < 1e-9);
        // And with the effect on, some of the observed fall is causal.
        let mut q = crate::params::baseline();
        q.run.scale = 100.0;
        q.run.replicates = 1;
        let rows = observed_vs_causal(&q, &ProgressBar::hidden());
        // Treatment cuts offending, so the causal fall is positive. Scale 100:
        // at 400 the noise between the two runs (different people enter the
        // cohort, issue 16) reached -4 points. (Whether the
        // observed fall exceeds it, regression to the mean, is a calibrated
        // property: the calibration issue checks it, not this test.)
        let r = &rows[0];
        assert!(r.causal[0] > 5.0, "{r:?}");
    }
}
