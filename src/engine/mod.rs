//! The engine: simulates people chunk by chunk, in parallel, and hands each
//! chunk's histories to observers (metrics, studies) that reduce them at once.
//!
//! Memory stays bounded: a chunk's histories live only until its observers have
//! read them, and observers keep integer counts, whose sums do not depend on the
//! order chunks finish in. So the same seed gives the same output on any number
//! of threads.

pub use crate::history::Observer;
pub use crate::pathway::{CapacityPlan, Model, PersonSim};

use crate::history::Histories;
use crate::params::Params;
use crate::pathway::population::Roster;
use rayon::prelude::*;

/// People per chunk.
pub const CHUNK: u64 = 2048;

/// Simulate people `ids` into `out` (cleared first).
pub fn simulate_people(
    params: &Params,
    model: &Model,
    roster: &Roster,
    seed: u64,
    ids: std::ops::Range<u64>,
    out: &mut Histories,
) {
    out.clear();
    let mut events = std::mem::take(&mut out.events);
    for id in ids {
        let mut person = roster.person(params, seed, id);
        let start = events.len() as u32;
        let sim = PersonSim::new(model, person, seed, &mut events);
        person.exit_day = sim.run();
        out.people.push(person);
        out.ranges.push((start, events.len() as u32));
    }
    out.events = events;
}

/// Simulate people `ids` under two models that behave alike before day `from`
/// (a lever's start, [`crate::pathway::levers::shared_until`]) into `out_a` and
/// `out_b` (cleared first): each person once up to `from` under `model_a`, then
/// each arm on from a copy of that state, random streams included. The
/// histories are exactly those of [`simulate_people`] under each model alone.
#[allow(clippy::too_many_arguments)]
pub fn simulate_pair(
    params: &Params,
    model_a: &Model,
    model_b: &Model,
    roster: &Roster,
    seed: u64,
    from: f64,
    ids: std::ops::Range<u64>,
    out_a: &mut Histories,
    out_b: &mut Histories,
) {
    out_a.clear();
    out_b.clear();
    let mut ea = std::mem::take(&mut out_a.events);
    let mut eb = std::mem::take(&mut out_b.events);
    for id in ids {
        let mut pa = roster.person(params, seed, id);
        let mut pb = pa;
        let (sa, sb) = (ea.len(), eb.len());
        if pa.entry_day as f64 >= from {
            // Enters after the arms part: nothing to share.
            pa.exit_day = PersonSim::new(model_a, pa, seed, &mut ea).run();
            pb.exit_day = PersonSim::new(model_b, pb, seed, &mut eb).run();
        } else {
            let mut a = PersonSim::new(model_a, pa, seed, &mut ea);
            a.begin();
            if a.advance(from) {
                pa.exit_day = a.last_day();
                pb.exit_day = pa.exit_day;
                eb.extend_from_slice(&ea[sa..]);
            } else {
                eb.extend_from_slice(a.recorded_since(sa));
                let mut b = a.fork(model_b, &mut eb, from);
                b.advance(f64::INFINITY);
                pb.exit_day = b.last_day();
                a.advance(f64::INFINITY);
                pa.exit_day = a.last_day();
            }
        }
        out_a.people.push(pa);
        out_a.ranges.push((sa as u32, ea.len() as u32));
        out_b.people.push(pb);
        out_b.ranges.push((sb as u32, eb.len() as u32));
    }
    out_a.events = ea;
    out_b.events = eb;
}

/// Simulate one replicate of two arms that behave alike before day `from`
/// with shared prefixes ([`simulate_pair`]), reducing each arm's histories with
/// its own observers: the results equal two runs of [`run_with`].
#[allow(clippy::too_many_arguments)]
pub fn run_paired_with<O, F, G>(
    params: &Params,
    model_a: &Model,
    model_b: &Model,
    roster: &Roster,
    seed: u64,
    from: f64,
    make_a: F,
    make_b: G,
    tick: &(dyn Fn() + Sync),
) -> (O, O)
where
    O: Observer,
    F: Fn() -> O + Sync,
    G: Fn() -> O + Sync,
{
    let n = n_chunks(roster);
    let hist = || Histories::with_capacity(CHUNK as usize, CHUNK as usize * 64);
    (0..n)
        .into_par_iter()
        .fold(
            || (make_a(), make_b(), hist(), hist()),
            |(mut oa, mut ob, mut ha, mut hb), c| {
                let ids = c * CHUNK..((c + 1) * CHUNK).min(roster.total);
                simulate_pair(
                    params, model_a, model_b, roster, seed, from, ids, &mut ha, &mut hb,
                );
                oa.observe(&ha);
                ob.observe(&hb);
                tick();
                tick();
                (oa, ob, ha, hb)
            },
        )
        .map(|(oa, ob, _, _)| (oa, ob))
        .reduce(
            || (make_a(), make_b()),
            |(mut a, mut b), (x, y)| {
                a.merge(x);
                b.merge(y);
                (a, b)
            },
        )
}

/// The worker threads every command runs people on (`None`: all cores).
/// Results do not depend on the number.
pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, crate::error::CliError> {
    use anyhow::Context;
    if threads == Some(0) {
        return Err(crate::error::CliError::Input(
            "--threads must be at least 1".into(),
        ));
    }
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        b = b.num_threads(n);
    }
    Ok(b.build().context("cannot start worker threads")?)
}

/// Number of chunks a replicate is split into.
pub fn n_chunks(roster: &Roster) -> u64 {
    roster.total.div_ceil(CHUNK)
}

/// Simulate one replicate with a given compiled model and roster.
pub fn run_with<O, F>(
    params: &Params,
    model: &Model,
    roster: &Roster,
    seed: u64,
    make: F,
    tick: &(dyn Fn() + Sync),
) -> O
where
    O: Observer,
    F: Fn() -> O + Sync,
{
    let n = n_chunks(roster);
    (0..n)
        .into_par_iter()
        .fold(
            || {
                (
                    make(),
                    Histories::with_capacity(CHUNK as usize, CHUNK as usize * 64),
                )
            },
            |(mut obs, mut hist), c| {
                let ids = c * CHUNK..((c + 1) * CHUNK).min(roster.total);
                simulate_people(params, model, roster, seed, ids, &mut hist);
                obs.observe(&hist);
                tick();
                (obs, hist)
            },
        )
        .map(|(obs, _)| obs)
        .reduce(&make, |mut a, b| {
            a.merge(b);
            a
        })
}

/// Chunks simulated together by [`run_in_order`] before their output is handed on.
pub const WINDOW: u64 = 16;

/// Simulate one replicate as [`run_with`] does, and also convert each chunk's
/// histories with `convert` (on the worker threads) and hand the results to
/// `consume` on the calling thread in chunk order: for output that must not
/// depend on the thread count (microdata). Chunks go in windows of [`WINDOW`],
/// so at most one window's conversions are held at once. The observer's result
/// equals [`run_with`]'s: its merge does not depend on order.
#[allow(clippy::too_many_arguments)]
pub fn run_in_order<O, F, B, C, W>(
    params: &Params,
    model: &Model,
    roster: &Roster,
    seed: u64,
    make: F,
    convert: C,
    mut consume: W,
    tick: &(dyn Fn() + Sync),
) -> O
where
    O: Observer,
    F: Fn() -> O + Sync,
    B: Send,
    C: Fn(&Histories) -> B + Sync,
    W: FnMut(B),
{
    let n = n_chunks(roster);
    let mut total = make();
    let mut first = 0;
    while first < n {
        let last = (first + WINDOW).min(n);
        let (obs, mut out) = (first..last)
            .into_par_iter()
            .fold(
                || {
                    (
                        make(),
                        Vec::new(),
                        Histories::with_capacity(CHUNK as usize, CHUNK as usize * 64),
                    )
                },
                |(mut obs, mut out, mut hist), c| {
                    let ids = c * CHUNK..((c + 1) * CHUNK).min(roster.total);
                    simulate_people(params, model, roster, seed, ids, &mut hist);
                    obs.observe(&hist);
                    out.push((c, convert(&hist)));
                    tick();
                    (obs, out, hist)
                },
            )
            .map(|(obs, out, _)| (obs, out))
            .reduce(
                || (make(), Vec::new()),
                |(mut a, mut va), (b, vb)| {
                    a.merge(b);
                    va.extend(vb);
                    (a, va)
                },
            );
        total.merge(obs);
        out.sort_by_key(|x| x.0);
        for (_, b) in out {
            consume(b);
        }
        first = last;
    }
    total
}

/// [`run_paired_with`], also converting each arm's histories chunk by chunk
/// with `convert` and handing them to `consume(arm, converted)` in chunk order,
/// as [`run_in_order`] does for one arm: each arm's sequence is the one
/// [`run_in_order`] gives that arm alone.
#[allow(clippy::too_many_arguments)]
pub fn run_paired_in_order<O, F, G, B, C, W>(
    params: &Params,
    model_a: &Model,
    model_b: &Model,
    roster: &Roster,
    seed: u64,
    from: f64,
    make_a: F,
    make_b: G,
    convert: C,
    mut consume: W,
    tick: &(dyn Fn() + Sync),
) -> (O, O)
where
    O: Observer,
    F: Fn() -> O + Sync,
    G: Fn() -> O + Sync,
    B: Send,
    C: Fn(&Histories) -> B + Sync,
    W: FnMut(usize, B),
{
    let n = n_chunks(roster);
    let (mut total_a, mut total_b) = (make_a(), make_b());
    let hist = || Histories::with_capacity(CHUNK as usize, CHUNK as usize * 64);
    let mut first = 0;
    while first < n {
        let last = (first + WINDOW).min(n);
        let (oa, ob, mut out) = (first..last)
            .into_par_iter()
            .fold(
                || (make_a(), make_b(), Vec::new(), hist(), hist()),
                |(mut oa, mut ob, mut out, mut ha, mut hb), c| {
                    let ids = c * CHUNK..((c + 1) * CHUNK).min(roster.total);
                    simulate_pair(
                        params, model_a, model_b, roster, seed, from, ids, &mut ha, &mut hb,
                    );
                    oa.observe(&ha);
                    ob.observe(&hb);
                    out.push((c, convert(&ha), convert(&hb)));
                    tick();
                    tick();
                    (oa, ob, out, ha, hb)
                },
            )
            .map(|(oa, ob, out, _, _)| (oa, ob, out))
            .reduce(
                || (make_a(), make_b(), Vec::new()),
                |(mut a, mut b, mut va), (x, y, vb)| {
                    a.merge(x);
                    b.merge(y);
                    va.extend(vb);
                    (a, b, va)
                },
            );
        total_a.merge(oa);
        total_b.merge(ob);
        out.sort_by_key(|x| x.0);
        for (_, ba, bb) in out {
            consume(0, ba);
            consume(1, bb);
        }
        first = last;
    }
    (total_a, total_b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{EventKind, Histories};

    /// Counts people and career starts: an observer whose merge is a sum.
    #[derive(Default)]
    struct Count {
        people: u64,
        starts: u64,
        ids: u64,
    }

    impl Observer for Count {
        fn observe(&mut self, h: &Histories) {
            for (p, events) in h.iter() {
                self.people += 1;
                self.ids = self.ids.wrapping_add(p.id.wrapping_mul(0x9E37_79B9));
                self.starts += events
                    .iter()
                    .filter(|e| e.kind == EventKind::CareerStart)
                    .count() as u64;
            }
        }
        fn merge(&mut self, other: Self) {
            self.people += other.people;
            self.starts += other.starts;
            self.ids = self.ids.wrapping_add(other.ids);
        }
    }

    #[test]
    fn every_person_is_simulated_once_in_chunks_on_any_pool() {
        let mut p = crate::params::baseline();
        p.run.scale = 2000.0;
        let roster = Roster::new(&p);
        let model = Model::new(&p);
        assert_eq!(n_chunks(&roster), roster.total.div_ceil(CHUNK));
        let count = |threads| {
            thread_pool(Some(threads))
                .unwrap()
                .install(|| run_with(&p, &model, &roster, 7, Count::default, &|| {}))
        };
        let (one, two) = (count(1), count(2));
        assert_eq!(one.people, roster.total);
        assert_eq!(one.starts, roster.total, "one career start per person");
        let expected_ids = (0..roster.total).fold(0u64, |a, i| {
            a.wrapping_add(roster.stream_id(i).wrapping_mul(0x9E37_79B9))
        });
        assert_eq!(one.ids, expected_ids, "every person once, by stream id");
        assert_eq!(
            (two.people, two.starts, two.ids),
            (one.people, one.starts, one.ids)
        );
    }

    #[test]
    fn in_order_runs_observe_the_same_and_hand_on_chunks_in_order() {
        let mut p = crate::params::baseline();
        p.run.scale = 100.0;
        let roster = Roster::new(&p);
        let model = Model::new(&p);
        assert!(n_chunks(&roster) > 2 * WINDOW, "more than two windows");
        let plain = run_with(&p, &model, &roster, 7, Count::default, &|| {});
        for threads in [1, 2] {
            let mut firsts = Vec::new();
            let obs = thread_pool(Some(threads)).unwrap().install(|| {
                run_in_order(
                    &p,
                    &model,
                    &roster,
                    7,
                    Count::default,
                    |h| h.people[0].id,
                    |id| firsts.push(id),
                    &|| {},
                )
            });
            assert_eq!(
                (obs.people, obs.starts, obs.ids),
                (plain.people, plain.starts, plain.ids)
            );
            let expected: Vec<u64> = (0..n_chunks(&roster))
                .map(|c| roster.stream_id(c * CHUNK))
                .collect();
            assert_eq!(firsts, expected, "{threads} threads: chunk order");
        }
    }

    /// Shared prefixes are exact: every lever scenario paired with the
    /// baseline gives, person by person, the histories of each arm run alone.
    #[test]
    fn paired_arms_with_a_shared_prefix_equal_each_arm_alone() {
        use crate::pathway::levers::shared_until;
        let load = |name: &str| {
            let mut p = crate::scenario::load(std::path::Path::new(name))
                .unwrap()
                .params;
            p.run.scale = 2000.0;
            p
        };
        let base = load("scenarios/baseline.toml");
        let ma = Model::new(&base);
        let roster = Roster::new(&base);
        let mut paired = 0;
        for name in [
            "scenarios/retention_improved.toml",
            "scenarios/testing_extended.toml",
            "scenarios/community_instead_of_short_custody.toml",
            "scenarios/treatment_access.toml",
            "scenarios/prison_ost_continuity.toml",
            "scenarios/baseline.toml",
        ] {
            let arm = load(name);
            let from = shared_until(&base, &arm).expect("a lever scenario shares a prefix");
            assert!(from > ma.start_day, "{name}");
            let mb = Model::new(&arm);
            let ids = 0..roster.total;
            let (mut a, mut b, mut a1, mut b1) = Default::default();
            simulate_pair(
                &base,
                &ma,
                &mb,
                &roster,
                5,
                from,
                ids.clone(),
                &mut a,
                &mut b,
            );
            simulate_people(&base, &ma, &roster, 5, ids.clone(), &mut a1);
            simulate_people(&arm, &mb, &roster, 5, ids, &mut b1);
            let same = |x: &Histories, y: &Histories| {
                x.people == y.people && x.ranges == y.ranges && x.events == y.events
            };
            assert!(same(&a, &a1), "{name}: the baseline arm");
            assert!(same(&b, &b1), "{name}: the scenario arm");
            paired += (a.events != b.events) as u32;
        }
        assert_eq!(paired, 5, "each lever scenario differs from the baseline");
        // A difference outside the levers (or a capacity limit) shares nothing.
        let mut other = base.clone();
        other.offending.age_decline *= 1.1;
        assert_eq!(shared_until(&base, &other), None);
        // So does a change to an intervention other than its dated expansion.
        let mut other = base.clone();
        other.interventions.detox_maintenance.coverage *= 0.5;
        assert_eq!(shared_until(&base, &other), None);
        let capped = load("scenarios/capacity_cut_fifth.toml");
        assert_eq!(shared_until(&capped, &capped), None);
        assert_eq!(shared_until(&base, &base), Some(f64::INFINITY));
    }

    #[test]
    fn a_chunk_of_histories_keeps_each_persons_events_together() {
        let mut p = crate::params::baseline();
        p.run.scale = 2000.0;
        let roster = Roster::new(&p);
        let model = Model::new(&p);
        let mut h = Histories::default();
        simulate_people(&p, &model, &roster, 7, 10..20, &mut h);
        assert_eq!(h.people.len(), 10);
        for (i, (person, events)) in h.iter().enumerate() {
            assert_eq!(person.id, 10 + i as u64);
            assert_eq!(events[0].kind, EventKind::CareerStart);
            assert!(
                events.windows(2).all(|w| w[0].day <= w[1].day),
                "in time order"
            );
        }
        assert!(thread_pool(Some(0)).is_err());
    }
}
