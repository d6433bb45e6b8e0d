//! Running a scenario: replicates in sequence, people in parallel within each.

use crate::engine;
use crate::history::Observer;
use crate::metrics::{Metrics, Row, M};
use crate::microdata::Recorder;
use crate::params::Params;
use crate::pathway::population::Roster;
use crate::rng::replicate_seed;
use indicatif::ProgressBar;
use std::time::Instant;

/// The results of every replicate of one scenario.
#[derive(Debug, Clone)]
pub struct RunOutput {
    pub params: Params,
    /// Tidy rows of each replicate, in replicate order.
    pub replicates: Vec<Vec<Row>>,
    pub wall_seconds: f64,
    /// Events recorded and person-years simulated, summed over replicates.
    pub events: u64,
    pub person_years: f64,
    pub people: u64,
    /// Parameter sets the replicates are spread over (1: a point-estimate run;
    /// more: posterior draws, `replicates.len() / sets` replicates each, in order).
    pub sets: usize,
}

/// Chunks a run will process (for sizing progress bars).
pub fn total_chunks(params: &Params) -> u64 {
    total_chunks_of(params, std::slice::from_ref(params))
}

/// Chunks a run over parameter sets will process.
pub fn total_chunks_of(params: &Params, sets: &[Params]) -> u64 {
    let reps = params.run.replicates as usize / sets.len().max(1);
    sets.iter()
        .map(|p| engine::n_chunks(&Roster::new(p)) * reps as u64)
        .sum()
}

/// Simulate one replicate and reduce it with observers made by `make`: the
/// model is compiled (with its waiting-list plan, from pilot runs, when a
/// capacity limit is set) and every person simulated. `tick` is called once per
/// finished chunk (for progress bars).
pub fn run_replicate<O, F>(params: &Params, seed: u64, make: F, tick: &(dyn Fn() + Sync)) -> O
where
    O: crate::history::Observer,
    F: Fn() -> O + Sync,
{
    let roster = Roster::new(params);
    let model = crate::capacity::model_for(params, seed, &roster);
    engine::run_with(params, &model, &roster, seed, make, tick)
}

/// [`run_replicate`], writing the replicate's histories (replicate `g` of a
/// run with master seed `run_seed`) to `recorder` as it goes, in person order.
pub fn run_replicate_recorded<O, F>(
    params: &Params,
    seed: u64,
    make: F,
    tick: &(dyn Fn() + Sync),
    recorder: &Recorder,
    run_seed: u64,
    g: u32,
) -> O
where
    O: crate::history::Observer,
    F: Fn() -> O + Sync,
{
    let roster = Roster::new(params);
    let model = crate::capacity::model_for(params, seed, &roster);
    let filter = &recorder.filter;
    engine::run_in_order(
        params,
        &model,
        &roster,
        seed,
        make,
        |h| crate::microdata::batches(filter, run_seed, g, h),
        |b| recorder.writer.send(b),
        tick,
    )
}

/// Simulate one replicate and return its metrics.
pub fn replicate_metrics(params: &Params, replicate: u32, tick: &(dyn Fn() + Sync)) -> Metrics {
    let seed = replicate_seed(params.run.seed, replicate);
    run_replicate(params, seed, || Metrics::new(params), tick)
}

/// Run every replicate of a scenario.
pub fn run(params: &Params, bar: &ProgressBar) -> RunOutput {
    run_with(params, bar, || ()).0
}

/// Run every replicate of a scenario and, beside its metrics, an `extra`
/// observer of the same histories (merged over replicates), without simulating
/// twice. The metrics are identical to those of [`run`].
pub fn run_with<E, F>(params: &Params, bar: &ProgressBar, extra: F) -> (RunOutput, E)
where
    E: Observer,
    F: Fn() -> E + Sync,
{
    run_sets_with(params, std::slice::from_ref(params), bar, extra)
}

/// Run a scenario over parameter sets ([`crate::ensemble`]): `params.run.replicates
/// / sets.len()` replicates of each set in turn, replicate `g` of the run with
/// seed `replicate_seed(seed, g)`. With one set (the scenario) this is [`run_with`].
pub fn run_sets_with<E, F>(
    params: &Params,
    sets: &[Params],
    bar: &ProgressBar,
    extra: F,
) -> (RunOutput, E)
where
    E: Observer,
    F: Fn() -> E + Sync,
{
    run_sets_recorded(params, sets, bar, extra, None)
}

/// [`run_sets_with`], writing the histories `recorder`'s filter keeps as it
/// goes. The metrics and the extra observer are identical to a run without it.
pub fn run_sets_recorded<E, F>(
    params: &Params,
    sets: &[Params],
    bar: &ProgressBar,
    extra: F,
    recorder: Option<&Recorder>,
) -> (RunOutput, E)
where
    E: Observer,
    F: Fn() -> E + Sync,
{
    let started = Instant::now();
    let mut tally = Tally::default();
    let mut pooled = extra();
    let tick = || bar.inc(1);
    for (set, g, seed) in replicate_plan(params, sets) {
        let make = || (Metrics::new(set), extra());
        let (m, e) = match recorder {
            Some(rec) if rec.filter.keeps_replicate(g) => {
                run_replicate_recorded(set, seed, make, &tick, rec, params.run.seed, g)
            }
            _ => run_replicate(set, seed, make, &tick),
        };
        tally.add(set, m);
        pooled.merge(e);
    }
    let wall = started.elapsed().as_secs_f64();
    (tally.output(params, sets.len(), wall), pooled)
}

/// Two arms over their parameter sets, replicate by replicate on common
/// random numbers, as two runs of [`run_sets_with`] give them: where a
/// replicate's two sets differ only from a lever's start
/// ([`crate::pathway::levers::shared_until`]) each person's history before it
/// is simulated once and each arm continues from a copy
/// ([`engine::run_paired_with`]); otherwise each arm runs alone. The outputs
/// equal those of the two runs; each arm's wall time is the pair's.
pub fn run_sets_paired(
    a: &Params,
    a_sets: &[Params],
    b: &Params,
    b_sets: &[Params],
    bar: &ProgressBar,
) -> (RunOutput, RunOutput) {
    run_sets_paired_recorded(a, a_sets, b, b_sets, bar, None)
}

/// [`run_sets_paired`], writing each arm's histories its recorder's filter
/// keeps as it goes (`recorders[0]` the first arm's; both with the same
/// filter, as `compare` makes them): the files are those of each arm run alone
/// with [`run_sets_recorded`].
pub fn run_sets_paired_recorded(
    a: &Params,
    a_sets: &[Params],
    b: &Params,
    b_sets: &[Params],
    bar: &ProgressBar,
    recorders: Option<[&Recorder; 2]>,
) -> (RunOutput, RunOutput) {
    let started = Instant::now();
    let tick = || bar.inc(1);
    let mut arms = [Tally::default(), Tally::default()];
    let plan_b: Vec<_> = replicate_plan(b, b_sets).collect();
    let plan_a: Vec<_> = replicate_plan(a, a_sets).collect();
    let aligned = plan_a.len() == plan_b.len()
        && plan_a
            .iter()
            .zip(&plan_b)
            .all(|(x, y)| x.1 == y.1 && x.2 == y.2);
    for (i, &(sa, _, seed)) in plan_a.iter().enumerate() {
        let sb = plan_b.get(i).map(|x| x.0);
        let shared = sb
            .filter(|_| aligned)
            .and_then(|sb| crate::pathway::levers::shared_until(sa, sb).map(|f| (sb, f)));
        let g = plan_a[i].1;
        // The recorders that keep this replicate.
        let kept = |k: usize| {
            recorders
                .map(|r| r[k])
                .filter(|r| r.filter.keeps_replicate(g))
        };
        let alone = |p: &Params, k: usize| match kept(k) {
            Some(rec) => {
                run_replicate_recorded(p, seed, || Metrics::new(p), &tick, rec, a.run.seed, g)
            }
            None => run_replicate(p, seed, || Metrics::new(p), &tick),
        };
        let (ma, mb) = match shared {
            Some((sb, from)) => {
                let roster = Roster::new(sa);
                let (model_a, model_b) = (
                    crate::pathway::Model::new(sa),
                    crate::pathway::Model::new(sb),
                );
                match (kept(0), kept(1)) {
                    (None, None) => engine::run_paired_with(
                        sa,
                        &model_a,
                        &model_b,
                        &roster,
                        seed,
                        from,
                        || Metrics::new(sa),
                        || Metrics::new(sb),
                        &tick,
                    ),
                    (ra, rb) => {
                        let filter = &ra.or(rb).expect("one recorder").filter;
                        let run_seed = a.run.seed;
                        engine::run_paired_in_order(
                            sa,
                            &model_a,
                            &model_b,
                            &roster,
                            seed,
                            from,
                            || Metrics::new(sa),
                            || Metrics::new(sb),
                            |h| crate::microdata::batches(filter, run_seed, g, h),
                            |arm, batch| {
                                if let Some(rec) = [ra, rb][arm] {
                                    rec.writer.send(batch);
                                }
                            },
                            &tick,
                        )
                    }
                }
            }
            None => {
                arms[0].add(sa, alone(sa, 0));
                if let Some(sb) = sb.filter(|_| aligned) {
                    arms[1].add(sb, alone(sb, 1));
                }
                continue;
            }
        };
        arms[0].add(sa, ma);
        arms[1].add(sb.expect("paired"), mb);
    }
    if !aligned {
        // Replicates that do not pair run alone, in order.
        for &(sb, g, seed) in &plan_b {
            let mb = match recorders
                .map(|r| r[1])
                .filter(|r| r.filter.keeps_replicate(g))
            {
                Some(rec) => {
                    run_replicate_recorded(sb, seed, || Metrics::new(sb), &tick, rec, b.run.seed, g)
                }
                None => run_replicate(sb, seed, || Metrics::new(sb), &tick),
            };
            arms[1].add(sb, mb);
        }
    }
    let wall = started.elapsed().as_secs_f64();
    let [ta, tb] = arms;
    (
        ta.output(a, a_sets.len(), wall),
        tb.output(b, b_sets.len(), wall),
    )
}

/// The replicates of one arm as they come in.
#[derive(Default)]
struct Tally {
    replicates: Vec<Vec<Row>>,
    events: u64,
    person_days: u64,
    people: u64,
}

impl Tally {
    fn add(&mut self, set: &Params, m: Metrics) {
        self.events += m.events;
        self.person_days += m.person_days;
        self.people += Roster::new(set).total;
        self.replicates.push(m.rows(set.run.scale));
    }

    fn output(self, params: &Params, sets: usize, wall_seconds: f64) -> RunOutput {
        RunOutput {
            params: params.clone(),
            replicates: self.replicates,
            wall_seconds,
            events: self.events,
            person_years: self.person_days as f64 / crate::calendar::DAYS_PER_YEAR,
            people: self.people,
            sets,
        }
    }
}

/// One observer per replicate of a run over parameter sets, made by `make`
/// and returned in replicate order: the seeds and sets of [`run_sets_with`]
/// (replicate `g` with seed `replicate_seed(seed, g)`), without metrics.
pub fn replicates_with<O, F>(params: &Params, sets: &[Params], bar: &ProgressBar, make: F) -> Vec<O>
where
    O: Observer,
    F: Fn() -> O + Sync,
{
    let tick = || bar.inc(1);
    replicate_plan(params, sets)
        .map(|(set, _, seed)| run_replicate(set, seed, &make, &tick))
        .collect()
}

/// Every replicate of a run over parameter sets, in order: its set, its
/// number `g` and its seed. `params.run.replicates / sets.len()` replicates of
/// each set in turn, replicate `g` seeded `replicate_seed(seed, g)`, so every
/// command pairs the same replicates under common random numbers.
fn replicate_plan<'a>(
    params: &Params,
    sets: &'a [Params],
) -> impl Iterator<Item = (&'a Params, u32, u64)> {
    let per_set = params.run.replicates / sets.len().max(1) as u32;
    let seed = params.run.seed;
    sets.iter().enumerate().flat_map(move |(s, set)| {
        (0..per_set).map(move |r| {
            let g = s as u32 * per_set + r;
            (set, g, replicate_seed(seed, g))
        })
    })
}

/// Mean and 95% interval of one output over replicates.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub metric: crate::metrics::M,
    pub group: String,
    pub period: i32,
    pub mean: f64,
    pub lo95: f64,
    pub hi95: f64,
    pub n: usize,
}

/// Mean and 95% interval of replicate values, as the reports give them (the
/// 2.5% and 97.5% quantiles); values that are not finite are left out.
pub fn mean_and_interval(values: &[f64]) -> [f64; 3] {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return [f64::NAN; 3];
    }
    v.sort_by(f64::total_cmp);
    [
        v.iter().sum::<f64>() / v.len() as f64,
        quantile(&v, 0.025),
        quantile(&v, 0.975),
    ]
}

/// Quantile with linear interpolation between order statistics (R type 7).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Summarise values keyed by (metric, group, period) over replicates.
pub fn summarise<'a>(replicates: impl IntoIterator<Item = &'a [Row]>) -> Vec<Summary> {
    use std::collections::HashMap;
    let mut order: Vec<(M, String, i32)> = Vec::new();
    let mut values: HashMap<(M, String, i32), Vec<f64>> = HashMap::new();
    for rows in replicates {
        for r in rows {
            let key = (r.metric, r.group.clone(), r.period);
            let v = values.entry(key.clone()).or_insert_with(|| {
                order.push(key);
                Vec::new()
            });
            v.push(r.value);
        }
    }
    order
        .into_iter()
        .map(|key| {
            let mut v = values.remove(&key).expect("key recorded");
            v.sort_by(f64::total_cmp);
            let n = v.len();
            Summary {
                metric: key.0,
                group: key.1,
                period: key.2,
                mean: v.iter().sum::<f64>() / n as f64,
                lo95: quantile(&v, 0.025),
                hi95: quantile(&v, 0.975),
                n,
            }
        })
        .collect()
}

/// Paired differences (scenario minus baseline) replicate by replicate: with common
/// random numbers these carry far less noise than the difference of two means.
pub fn differences(base: &RunOutput, scenario: &RunOutput) -> Vec<Vec<Row>> {
    use std::collections::HashMap;
    base.replicates
        .iter()
        .zip(&scenario.replicates)
        .map(|(a, b)| {
            let index: HashMap<(M, &str, i32), f64> = a
                .iter()
                .map(|r| ((r.metric, r.group.as_str(), r.period), r.value))
                .collect();
            b.iter()
                .filter_map(|r| {
                    index
                        .get(&(r.metric, r.group.as_str(), r.period))
                        .map(|&va| Row {
                            metric: r.metric,
                            group: r.group.clone(),
                            period: r.period,
                            value: r.value - va,
                        })
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_interval_is_the_mean_and_the_reports_quantiles() {
        let s = mean_and_interval(&[3.0, 1.0, 2.0, f64::NAN]);
        assert_eq!(s[0], 2.0);
        assert_eq!(s[1], quantile(&[1.0, 2.0, 3.0], 0.025));
        assert_eq!(s[2], quantile(&[1.0, 2.0, 3.0], 0.975));
        assert!(mean_and_interval(&[]).iter().all(|v| v.is_nan()));
    }

    #[test]
    fn quantiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert_eq!(quantile(&v, 1.0), 5.0);
        assert!((quantile(&v, 0.025) - 1.1).abs() < 1e-12);
    }

    #[test]
    fn summaries_take_mean_and_interval() {
        let rows = |v: f64| {
            vec![Row {
                metric: M::ARRESTS,
                group: "all".into(),
                period: 2010,
                value: v,
            }]
        };
        let reps: Vec<Vec<Row>> = (1..=5).map(|v| rows(v as f64)).collect();
        let s = summarise(reps.iter().map(|r| r.as_slice()));
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].mean, 3.0);
        assert_eq!(s[0].n, 5);
        assert!((s[0].hi95 - 4.9).abs() < 1e-12);
    }
}
