//! `pathsim bench`: throughput and peak memory of the full engine beside the
//! bare competing-risks kernel, and (with `--compare`) what a posterior
//! comparison of two scenarios costs at their own settings.

use crate::bench;
use crate::error::CliError;
use crate::params::Params;
use clap::Args;
use std::path::PathBuf;

/// Options of `pathsim bench`.
#[derive(Args, Debug, Clone)]
pub struct BenchArgs {
    /// Scenario to time (default: the built-in baseline parameters).
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Real people per simulated person (1 = full England and Wales size).
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// Thread counts to time, comma-separated.
    #[arg(long, default_value = "1,2", value_delimiter = ',')]
    pub threads: Vec<usize>,
    /// Replicates per timing (peak memory should not grow with them).
    #[arg(long, default_value_t = 1)]
    pub replicates: u32,
    /// Skip the bare-kernel yardstick.
    #[arg(long)]
    pub no_kernel: bool,
    /// Also time a posterior comparison of two scenarios at their own settings
    /// (`--draws` parameter sets, both arms, paired): what `pathsim compare` costs.
    #[arg(long, num_args = 2, value_names = ["BASELINE", "SCENARIO"])]
    pub compare: Vec<PathBuf>,
    /// Posterior parameter sets of the timed comparison.
    #[arg(long, default_value_t = 5)]
    pub draws: u32,
}

pub fn run(args: &BenchArgs) -> Result<(), CliError> {
    if let Some(bad) = args.threads.iter().find(|&&t| t == 0) {
        return Err(CliError::Input(format!(
            "--threads takes thread counts of at least 1, got {bad}"
        )));
    }
    let mut p = match &args.scenario {
        Some(path) => crate::scenario::load(path)?.params,
        None => Params::default(),
    };
    p.run.scale = args.scale;
    p.run.replicates = args.replicates;
    if let Some(bad) = p.validate().into_iter().next() {
        return Err(CliError::Input(format!("{}: {}", bad.key, bad.message)));
    }
    let years = (p.run.horizon.as_f64() - p.run.start.as_f64()) / crate::calendar::DAYS_PER_YEAR;
    println!(
        "pathsim bench: scenario `{}`, scale {} ({} simulated people a replicate), {} replicate(s), {}-{} ({:.0} years incl. burn-in), {} cores",
        if p.name.is_empty() { "baseline (built-in)" } else { &p.name },
        p.run.scale,
        crate::pathway::population::Roster::new(&p).total,
        p.run.replicates,
        p.run.start,
        p.run.horizon,
        years,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    // The yardstick first, so each engine row can say how far it is from it.
    let kernel: Vec<(usize, u64, f64)> = if args.no_kernel {
        Vec::new()
    } else {
        args.threads
            .iter()
            .map(|&t| {
                let (events, secs) = bench::time_kernel(1_000_000, 36.0, t);
                (t, events, secs)
            })
            .collect()
    };
    let kernel_rate = |t: usize| {
        kernel
            .iter()
            .find(|k| k.0 == t)
            .map(|&(_, e, s)| e as f64 / s)
    };
    println!(
        "{:<24} {:>7} {:>9} {:>11} {:>15} {:>11} {:>10} {:>9}",
        "what",
        "threads",
        "seconds",
        "s/replicate",
        "person-years/s",
        "events/s",
        "kernel/x",
        "peak MiB"
    );
    let row = |what: &str, t: usize, secs: f64, reps: f64, py: f64, events: f64| {
        let ratio =
            kernel_rate(t).map_or("-".to_string(), |k| format!("{:.1}", k / (events / secs)));
        println!(
            "{:<24} {:>7} {:>9.2} {:>11.2} {:>15.3e} {:>11.3e} {:>10} {:>9.0}",
            what,
            t,
            secs,
            secs / reps,
            py / secs,
            events / secs,
            ratio,
            bench::peak_rss_mib().unwrap_or(f64::NAN)
        );
    };
    for &t in &args.threads {
        let timing = bench::time_engine(&p, t);
        row(
            "full engine",
            t,
            timing.seconds,
            p.run.replicates as f64,
            timing.person_years,
            timing.events as f64,
        );
    }
    if let [base, scenario] = args.compare.as_slice() {
        let b = crate::scenario::load(base)?.params;
        let s = crate::scenario::load(scenario)?.params;
        super::compare::check_appraisal(scenario, &s)?;
        let sample = crate::ensemble::posterior();
        let (bs, ss) = (
            crate::ensemble::parameter_sets(&b, args.draws, &sample).map_err(CliError::Input)?,
            crate::ensemble::parameter_sets(&s, args.draws, &sample).map_err(CliError::Input)?,
        );
        for &t in &args.threads {
            let pool = crate::engine::thread_pool(Some(t))?;
            let started = std::time::Instant::now();
            let hidden = indicatif::ProgressBar::hidden();
            let (a, c) = pool.install(|| crate::run::run_sets_paired(&b, &bs, &s, &ss, &hidden));
            let diffs = crate::run::differences(&a, &c);
            let split = crate::ensemble::variance_split(&diffs, c.sets);
            let value = crate::value_for_money::appraise(
                &a.replicates,
                &c.replicates,
                &s.value_for_money,
                c.sets,
            )
            .map_err(CliError::Input)?;
            let secs = started.elapsed().as_secs_f64();
            row(
                &format!(
                    "compare ({} x {}, both)",
                    c.sets,
                    c.replicates.len() / c.sets.max(1)
                ),
                t,
                secs,
                c.replicates.len() as f64,
                a.person_years + c.person_years,
                (a.events + c.events) as f64,
            );
            debug_assert!(c.sets < 2 || !split.is_empty());
            debug_assert_eq!(value.runs(), c.replicates.len());
        }
    }
    for &(t, events, secs) in &kernel {
        row(
            "bare kernel (1e6 x 36y)",
            t,
            secs,
            1.0,
            1e6 * 36.0,
            events as f64,
        );
    }
    println!(
        "kernel/x: the bare kernel's events a second over the row's (the engine's target is 3 or less); s/replicate for a comparison is per pair of replicates"
    );
    Ok(())
}
