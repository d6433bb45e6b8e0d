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
