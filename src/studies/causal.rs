//! Observed versus causal: the NTA before/after reduction a study would see, next
//! to the part of it that treatment causes, on the same people.
//!
//! Each replicate is simulated twice on common random numbers: as the scenario
//! says (the factual run), and with treatment's effect on offending switched off
//! from each drug user's first treatment start in the NTA window on (the paired
//! run, [`Counterfactual`]). Up to that start the two histories are the same
//! draws, so the cohort, its index starts and its "before" convictions are
//! identical in both (checked for every member, [`Pair::same_people`]). The
//! outcome groups (retained, completed, dropped out) are read from the factual
//! run only, and each member's counterfactual "after" convictions are read from
//! the paired run by person id. Then, for each group:
//! - `observed` is the study's reduction, 1 - after/before;
//! - `without_treatment_effect` is the reduction the same people would have shown
//!   with no effect of treatment on their offending: regression to the mean (people
//!   start treatment at a high point of offending), ageing, desistance, custody;
//! - `causal` is treatment's own reduction of after-window convictions,
//!   1 - after / after without the effect = 1 - (1 - observed) / (1 - without).
//!
//! Both readings of the NTA's cohort are reported: trigger convictions only (the
//! study's definition, the register's rows) and convictions for any offence.

use super::nta::{self, Member};
use super::Studies;
use crate::params::Params;
use crate::pathway::treatment::Counterfactual;
use crate::rng::replicate_seed;
use indicatif::ProgressBar;

/// Exactly what the paired run switches off, for every label.
pub const EFFECTS_OFF: &str =
    "treatment's effect on offending (in treatment and after completion) \
switched off from each cohort member's index start; its effects on deaths, order breach, recovery \
and re-entry left on";

/// The NTA groups compared, with their register ids and group index.
pub const GROUPS: &[(&str, &str, usize)] = &[
    (
        "all treatment starters in the cohort",
        "nta_all_reduction",
        nta::ALL,
    ),
    (
        "retained for 2 years",
        "nta_retained_2y_reduction",
        nta::RETAINED,
    ),
    (
        "completed after 6+ months",
        "nta_completed_6m_reduction",
        nta::COMPLETED_6M,
    ),
    ("dropped out", "nta_dropout_reduction", nta::DROPOUT),
    (
        "completed, did not return",
        "nta_completed_no_return_reduction",
        nta::COMPLETED_NO_RETURN,
    ),
];

/// Which convictions define the cohort and are counted before and after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cohort {
    /// Trigger offences only, as the NTA did.
    Trigger,
    /// Convictions for any offence.
    AnyConviction,
}

impl Cohort {
    pub const ALL: [Cohort; 2] = [Cohort::Trigger, Cohort::AnyConviction];
    pub fn name(self) -> &'static str {
        match self {
            Cohort::Trigger => "trigger convictions",
            Cohort::AnyConviction => "any conviction",
        }
    }
    fn counts(self, m: &Member) -> (u32, u32) {
        match self {
            Cohort::Trigger => (m.before, m.after),
            Cohort::AnyConviction => (m.before_any, m.after_any),
        }
    }
}

/// One group's observed and causal reductions (percent), mean and 95% interval
/// over replicates, and its mean size.
#[derive(Debug, Clone, PartialEq)]
pub struct CausalRow {
    pub cohort: Cohort,
    pub group: &'static str,
    pub id: &'static str,
    pub observed: [f64; 3],
    pub without_treatment_effect: [f64; 3],
    pub causal: [f64; 3],
    /// Members of the group (simulated, not scaled), mean over replicates.
    pub people: f64,
}

/// The paired run's parameters: the scenario, with treatment's effect on
/// offending off from each NTA cohort member's index start.
pub fn without_effect(params: &Params) -> Params {
    let mut p = params.clone();
    let w = nta::Nta::default().window;
    p.counterfactual = Counterfactual {
        offending_effect_off_from_start_in: Some((w.first, w.last)),
    };
    p
}

fn describe(v: Vec<f64>) -> [f64; 3] {
    crate::run::mean_and_interval(&v)
}

/// Causal reduction (percent) from observed and no-effect reductions (percent).
pub fn causal_reduction(observed: f64, without: f64) -> f64 {
    100.0 * (1.0 - (1.0 - observed / 100.0) / (1.0 - without / 100.0))
}

/// One replicate's cohort in the factual and the paired run, sorted by id.
#[derive(Debug, Clone)]
pub struct Pair {
    pub factual: Vec<Member>,
    pub counterfactual: Vec<Member>,
}

impl Pair {
    /// Whether both runs select the same people with the same index starts and
    /// the same before-window counts (the premise of the comparison). Whether a
    /// member is followed for two years (alive and observed) is an outcome and
    /// may differ; the factual run decides who is counted.
    pub fn same_people(&self) -> bool {
        self.factual.len() == self.counterfactual.len()
            && self.factual.iter().zip(&self.counterfactual).all(|(f, c)| {
                f.id == c.id
                    && f.start == c.start
                    && f.before == c.before
                    && f.before_any == c.before_any
            })
    }

    /// (observed, without effect) reductions in percent and the group's size.
    pub fn reductions(&self, cohort: Cohort, group: usize) -> (f64, f64, usize) {
        let (mut before, mut after, mut after_cf, mut n) = (0u64, 0u64, 0u64, 0);
        for (f, c) in self.factual.iter().zip(&self.counterfactual) {
            let (b, a) = cohort.counts(f);
            if b == 0 || !f.followed || !f.in_group(group) {
                continue;
            }
            n += 1;
            before += b as u64;
            after += a as u64;
            after_cf += cohort.counts(c).1 as u64;
        }
        let pct = |a: u64| {
            if before == 0 {
                f64::NAN
            } else {
                100.0 * (1.0 - a as f64 / before as f64)
            }
        };
        (pct(after), pct(after_cf), n)
    }
}

/// Simulate every replicate of the scenario and of its paired run.
pub fn pairs(params: &Params, bar: &ProgressBar) -> Vec<Pair> {
    let off = without_effect(params);
    let tick = || bar.inc(1);
    let cohort = |p: &Params, seed| {
        let fresh = Studies::for_params(p);
        let mut s = crate::run::run_replicate(p, seed, || fresh.clone(), &tick)
            .nta
            .members;
        s.sort_by_key(|m| m.id);
        s
    };
    (0..params.run.replicates)
        .map(|r| {
            let seed = replicate_seed(params.run.seed, r);
            Pair {
                factual: cohort(params, seed),
                counterfactual: cohort(&off, seed),
            }
        })
        .collect()
}

/// Compare the NTA groups on the same people, both cohort readings.
pub fn compare(pairs: &[Pair]) -> Vec<CausalRow> {
    let mut rows = Vec::new();
    for cohort in Cohort::ALL {
        for &(group, id, g) in GROUPS {
            let (mut obs, mut wo, mut causal, mut people) = (vec![], vec![], vec![], 0.0);
            for p in pairs {
                let (o, w, n) = p.reductions(cohort, g);
                obs.push(o);
                wo.push(w);
                causal.push(causal_reduction(o, w));
                people += n as f64 / pairs.len().max(1) as f64;
            }
            rows.push(CausalRow {
                cohort,
                group,
                id,
                observed: describe(obs),
                without_treatment_effect: describe(wo),
                causal: describe(causal),
                people,
            });
        }
    }
    rows
}

/// Run both versions of the scenario and compare the NTA groups.
pub fn observed_vs_causal(params: &Params, bar: &ProgressBar) -> Vec<CausalRow> {
    let pairs = pairs(params, bar);
    assert!(
        pairs.iter().all(Pair::same_people),
        "the paired run selected different people (a bug: histories must agree up to the index start)"
    );
    compare(&pairs)
}

/// A terminal table.
pub fn table(rows: &[CausalRow]) -> String {
    let cell = |v: &[f64; 3]| format!("{:5.1} [{:5.1}, {:5.1}]", v[0], v[1], v[2]);
    let mut out = format!("Paired run: {EFFECTS_OFF}.\n");
    for cohort in Cohort::ALL {
        out.push_str(&format!(
            "{:<38} {:>22} {:>26} {:>22}\n",
            format!("NTA 2006-07 cohort, {}", cohort.name()),
            "observed reduction %",
            "with no treatment effect %",
            "caused by treatment %"
        ));
        for r in rows.iter().filter(|r| r.cohort == cohort) {
            out.push_str(&format!(
                "{:<38} {:>22} {:>26} {:>22}\n",
                r.group,
                cell(&r.observed),
                cell(&r.without_treatment_effect),
                cell(&r.causal)
            ));
        }
    }
    out
}

/// `observed_vs_causal.csv`.
pub fn write_csv(path: &std::path::Path, rows: &[CausalRow]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "cohort",
        "group",
        "target_id",
        "people",
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
        let mut rec = vec![
            r.cohort.name().to_string(),
            r.group.to_string(),
            r.id.to_string(),
            format!("{}", r.people),
        ];
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
    fn the_paired_run_changes_only_the_counterfactual_switch() {
        let p = crate::params::baseline();
        let q = without_effect(&p);
        let w = nta::Nta::default().window;
        assert_eq!(
            q.counterfactual.offending_effect_off_from_start_in,
            Some((w.first, w.last))
        );
        let mut r = q.clone();
        r.counterfactual = Counterfactual::default();
        assert_eq!(r, p);
    }

    fn member(id: u64, groups: u8, before: u32, after: u32) -> Member {
        Member {
            id,
            start: 100,
            groups,
            before,
            after,
            before_any: before + 1,
            after_any: after + 1,
            followed: true,
        }
    }

    #[test]
    fn groups_come_from_the_factual_run_and_outcomes_from_the_paired_one() {
        let all = 1 << nta::ALL;
        let retained = all | 1 << nta::RETAINED;
        let dropout = all | 1 << nta::DROPOUT;
        let pair = Pair {
            factual: vec![member(1, retained, 4, 1), member(2, dropout, 2, 2)],
            // Without the effect person 1 would have dropped out: their group
            // stays the factual one.
            counterfactual: vec![member(1, dropout, 4, 3), member(2, dropout, 2, 2)],
        };
        assert!(pair.same_people());
        let (o, w, n) = pair.reductions(Cohort::Trigger, nta::RETAINED);
        assert_eq!((o, w, n), (75.0, 25.0, 1));
        let (o, w, n) = pair.reductions(Cohort::Trigger, nta::ALL);
        assert_eq!((o, w, n), (50.0, 16.666666666666664, 2));
        // Any conviction: before 5 + 3, after 2 + 3 factual, 4 + 3 paired.
        let (o, w, _) = pair.reductions(Cohort::AnyConviction, nta::ALL);
        assert_eq!((o, w), (37.5, 12.5));
        let mut other = pair.clone();
        other.counterfactual[1].before = 1;
        assert!(!other.same_people());
        other.counterfactual[1].before = 2;
        other.counterfactual[1].id = 3;
        assert!(!other.same_people());
    }

    /// The premise, on the model: both runs select the same people with the same
    /// index starts and before-window counts, in every replicate; with the effect
    /// on, part of the fall is caused; with a scenario whose treatment has no
    /// effect on offending, none is.
    #[test]
    fn the_paired_runs_hold_the_same_cohort_member_by_member() {
        let mut p = crate::params::baseline();
        p.run.scale = 100.0;
        p.run.replicates = 2;
        let pairs = pairs(&p, &ProgressBar::hidden());
        for pair in &pairs {
            assert!(pair.factual.len() > 300, "{}", pair.factual.len());
            if !pair.same_people() {
                let d = pair
                    .factual
                    .iter()
                    .zip(&pair.counterfactual)
                    .find(|(f, c)| f != c);
                panic!(
                    "{} vs {}: {d:?}",
                    pair.factual.len(),
                    pair.counterfactual.len()
                );
            }
            // The paired run changed what comes after.
            assert!(pair
                .factual
                .iter()
                .zip(&pair.counterfactual)
                .any(|(f, c)| f.after != c.after));
        }
        let rows = compare(&pairs);
        let all = &rows[0];
        assert_eq!((all.cohort, all.id), (Cohort::Trigger, "nta_all_reduction"));
        assert!(all.causal[0] > 5.0, "{all:?}");
        assert!(all.observed[0] > all.without_treatment_effect[0], "{all:?}");
        // No effect to switch off: the paired run is the factual one.
        let mut q = p.clone();
        q.run.replicates = 1;
        q.treatment.offending_multiplier_in_treatment = 1.0;
        q.treatment.offending_multiplier_after_completion = 1.0;
        let pairs = super::pairs(&q, &ProgressBar::hidden());
        assert_eq!(pairs[0].factual, pairs[0].counterfactual);
        let rows = compare(&pairs);
        assert!(rows
            .iter()
            .all(|r| !r.causal[0].is_finite() || r.causal[0].abs() < 1e-9));
    }
}
