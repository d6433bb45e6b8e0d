//! `pathsim bench`: throughput and peak memory of the full engine, beside a bare
//! competing-risks kernel (the yardstick: six states, exponential exits, events
//! recorded) on the same machine.

use crate::engine;
use crate::history::Observer;
use crate::history::{Event, EventKind};
use crate::metrics::Metrics;
use crate::params::Params;
use crate::rng::{replicate_seed, stream, Process};
use rand_distr::{Distribution, Exp1};
use rayon::prelude::*;
use std::time::Instant;

/// Peak resident memory of this process so far (VmHWM), in MiB.
pub fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// One timing of the full engine.
#[derive(Debug, Clone)]
pub struct Timing {
    pub threads: usize,
    pub seconds: f64,
    pub person_years: f64,
    pub events: u64,
    pub people: u64,
}

/// Time `replicates` replicates of the engine on a pool of `threads`.
pub fn time_engine(p: &Params, threads: usize) -> Timing {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    let started = Instant::now();
    let mut events = 0;
    let mut days = 0;
    pool.install(|| {
        for r in 0..p.run.replicates {
            let seed = replicate_seed(p.run.seed, r);
            let m: Metrics = crate::run::run_replicate(p, seed, || Metrics::new(p), &|| {});
            events += m.events;
            days += m.person_days;
        }
    });
    Timing {
        threads,
        seconds: started.elapsed().as_secs_f64(),
        person_years: days as f64 / crate::calendar::DAYS_PER_YEAR,
        events,
        people: crate::pathway::population::Roster::new(p).total * p.run.replicates as u64,
    }
}

/// Counts events of the bare kernel (keeps the recording from being optimised away).
#[derive(Default)]
struct KernelCount(u64);

impl Observer for KernelCount {
    fn observe(&mut self, h: &crate::history::Histories) {
        self.0 += h.events.len() as u64;
    }
    fn merge(&mut self, other: Self) {
        self.0 += other.0;
    }
}

/// The yardstick: `people` people over `years` years through a six-state skeleton
/// (community, arrested, convicted, in treatment, in custody, dead) with constant
/// exponential exits, one stream each, histories recorded. Returns (events, seconds).
pub fn time_kernel(people: u64, years: f64, threads: usize) -> (u64, f64) {
    // Exit rates per year from each state, and where each exit goes.
    const EXITS: [[(f64, u8); 2]; 5] = [
        [(1.0, 1), (0.3, 3)],  // community -> arrested, treatment
        [(6.0, 2), (6.0, 0)],  // arrested -> convicted, released without charge
        [(3.0, 4), (3.0, 0)],  // convicted -> custody, community sentence
        [(1.5, 0), (0.02, 5)], // treatment -> exit, death
        [(2.0, 0), (0.01, 5)], // custody -> release, death
    ];
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    let horizon = years * 365.25;
    let chunk = engine::CHUNK;
    let started = Instant::now();
    let total = pool.install(|| {
        (0..people.div_ceil(chunk))
            .into_par_iter()
            .fold(
                || (KernelCount::default(), crate::history::Histories::default()),
                |(mut count, mut h), c| {
                    h.clear();
                    for id in c * chunk..((c + 1) * chunk).min(people) {
                        let mut rng = stream(1, id, Process::Offending);
                        let start = h.events.len() as u32;
                        let (mut t, mut state) = (0.0f64, 0u8);
                        while state != 5 {
                            let exits = &EXITS[state as usize];
                            let total = (exits[0].0 + exits[1].0) / 365.25;
                            let e: f64 = Exp1.sample(&mut rng);
                            t += e / total;
                            if t >= horizon {
                                break;
                            }
                            let u: f64 = rand::RngExt::random(&mut rng);
                            state = if u * total * 365.25 < exits[0].0 {
                                exits[0].1
                            } else {
                                exits[1].1
                            };
                            h.events
                                .push(Event::new(t as i32, EventKind::Arrest, state, 0));
                        }
                        h.ranges.push((start, h.events.len() as u32));
                    }
                    count.observe(&h);
                    (count, h)
                },
            )
            .map(|(c, _)| c)
            .reduce(KernelCount::default, |mut a, b| {
                a.merge(b);
                a
            })
    });
    (total.0, started.elapsed().as_secs_f64())
}
