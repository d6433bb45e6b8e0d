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
