//! `pathsim sweep` and `pathsim merge`: a sensitivity sweep run here, as one
//! shard of a Slurm job array, or as Slurm scripts; and the merge of shards.

use crate::error::CliError;
use crate::sweep::{self, spec::Sweep, store::Journal, store::Shard, Finished};
use anyhow::Context;
use clap::Args;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `pathsim sweep`: run a sensitivity sweep (or one shard of it).
#[derive(Args, Debug, Clone)]
pub struct SweepArgs {
    /// Sweep file (TOML), e.g. scenarios/sweeps/teaching.toml.
    pub sweep: PathBuf,
    /// Run only the runs with index % N == I (one task of a job array), e.g. --shard 3/16.
    /// Writes runs.shard-I-of-N.csv; combine the shards with `pathsim merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
    /// Write Slurm scripts for a job array of N tasks and a merge job into <out>/slurm/, then stop.
    #[arg(long, value_name = "N", conflicts_with = "shard")]
    pub emit_slurm: Option<u64>,
    /// Extra #SBATCH option for --emit-slurm (repeatable), e.g. --sbatch=--time=02:00:00.
    #[arg(
        long = "sbatch",
        value_name = "OPTION",
        requires = "emit_slurm",
        allow_hyphen_values = true
    )]
    pub sbatch: Vec<String>,
    /// Run only run I and print its parameters and outputs (writes nothing).
    #[arg(long, value_name = "I", conflicts_with_all = ["shard", "emit_slurm"])]
    pub run: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress bar or ranking.
    #[arg(long, short)]
    pub quiet: bool,
    /// Output folder (default: outputs/sweep-<name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write into an --out folder that is not a pathsim output (files of the same
    /// names in it are replaced).
    #[arg(long)]
    pub force: bool,
}

/// `pathsim merge`: combine the shard files of a sweep into its final outputs.
#[derive(Args, Debug, Clone)]
pub struct MergeArgs {
    /// The sweep file the shards were run from.
    pub sweep: PathBuf,
    /// Folder holding runs.shard-I-of-N.csv (default: outputs/sweep-<name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// No ranking.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Run `pathsim sweep`.
pub fn cmd_sweep(args: &SweepArgs) -> Result<(), CliError> {
    let sweep = sweep::spec::load(&args.sweep)?;
    let out = sweep::default_out(&sweep, &args.out);
    let total = sweep.design.len() as u64;
    if let Some(tasks) = args.emit_slurm {
        crate::output::claim_folder(&out, args.force)?;
        return emit_slurm(&sweep, args, &out, tasks);
    }
    let pool = crate::engine::thread_pool(args.threads)?;
    if let Some(i) = args.run {
        return run_one(&sweep, &pool, i);
    }
    crate::output::claim_folder(&out, args.force)?;
    let shard = args.shard.unwrap_or(Shard::ALL);
    let journal_path = match args.shard {
        Some(s) => out.join(s.file_name()),
        None => out.join("runs.journal.csv"),
    };
    let (journal, done) = Journal::open(
        &journal_path,
        &sweep::store::tag(&sweep.hash, shard, total),
        &sweep::header(&sweep),
    )?;
    if let Some(&bad) = done
        .rows
        .keys()
        .find(|&&i| i >= total || !shard.contains(i))
    {
        return Err(CliError::Input(format!(
            "{}: run {bad} does not belong to shard {shard} of {total} runs; the journal is damaged",
            journal_path.display()
        )));
    }
    let pending: Vec<u64> = (shard.i..total)
        .step_by(shard.n as usize)
        .filter(|i| !done.rows.contains_key(i))
        .collect();
    let mine = shard.count(total);
    if !args.quiet {
        let part = if shard.n > 1 {
            format!(" (shard {shard}: {mine} runs)")
        } else {
            String::new()
        };
        eprintln!(
            "sweep {}: {} design, {} parameters, {total} runs{part} x {} replicate(s) at scale {}; {} done, {} to run",
            sweep.name,
            sweep.design.plan.kind(),
            sweep.factors.len(),
            sweep.base.run.replicates,
            sweep.base.run.scale,
            mine - pending.len() as u64,
            pending.len()
        );
        for w in &sweep.warnings {
            eprintln!("warning: {w}");
        }
        if done.partial {
            eprintln!(
                "  (cut off an unfinished line in {}; that run is repeated)",
                journal_path.display()
            );
        }
    }
    let bar = crate::progress::bar(
        mine,
        mine - pending.len() as u64,
        "sweep",
        "runs",
        args.quiet,
    );
    pool.install(|| {
        pending.par_iter().try_for_each(|&i| {
            let p = sweep::checked_params(&sweep, i)?;
            let outputs = sweep::simulate(&sweep, &p);
            journal.append(&sweep::row(&sweep, i, &outputs))?;
            bar.inc(1);
            Ok::<(), CliError>(())
        })
    })?;
    bar.finish_and_clear();
    // The journal (and its lock) stays open until the final files are written.
    if args.shard.is_some() {
        if !args.quiet {
            eprintln!(
                "shard {shard} complete: {}. When every shard is done: pathsim merge {} --out {}",
                journal_path.display(),
                args.sweep.display(),
                out.display()
            );
        }
        return Ok(());
    }
    let rows = sweep::store::read(&journal_path, sweep::header(&sweep).split(',').count())?.rows;
    report(
        &out,
        sweep::finish(&sweep, &out, &rows, args.quiet)?,
        args.quiet,
    )
}

/// Run `pathsim merge`: check the shard files and write the final outputs.
pub fn cmd_merge(args: &MergeArgs) -> Result<(), CliError> {
    let sweep = sweep::spec::load(&args.sweep)?;
    let out = sweep::default_out(&sweep, &args.out);
    let total = sweep.design.len() as u64;
    let entries = std::fs::read_dir(&out)
        .map_err(|e| CliError::Input(format!("cannot read {}: {e}", out.display())))?;
    let mut shards: Vec<(Shard, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            Shard::from_file_name(&e.file_name().to_string_lossy()).map(|s| (s, e.path()))
        })
        .collect();
    shards.sort_by_key(|(s, _)| (s.n, s.i));
    let Some(&(first, _)) = shards.first() else {
        return Err(CliError::Input(format!(
            "no shard files (runs.shard-I-of-N.csv) in {}; run `pathsim sweep {} --shard I/N --out {}` for each I first",
            out.display(),
            args.sweep.display(),
            out.display()
        )));
    };
    if let Some((other, p)) = shards.iter().find(|(s, _)| s.n != first.n) {
        return Err(CliError::Input(format!(
            "{} holds shards of different splits ({} and {}, e.g. {}); keep the files of one split only",
            out.display(),
            first.n,
            other.n,
            p.display()
        )));
    }
    let missing: Vec<String> = (0..first.n)
        .filter(|i| !shards.iter().any(|(s, _)| s.i == *i))
        .map(|i| i.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(CliError::Input(format!(
            "shard file(s) missing for shard {} of {} in {}",
            missing.join(", "),
            first.n,
            out.display()
        )));
    }
    let header = sweep::header(&sweep);
    let columns = header.split(',').count();
    let mut rows = BTreeMap::new();
    for (shard, path) in &shards {
        let c = sweep::store::read(path, columns)?;
        let want = sweep::store::tag(&sweep.hash, *shard, total);
        if c.tag != want {
            let found = sweep::store::parse_tag(&c.tag)
                .map(|(h, s, t)| format!("sweep {h}, shard {s}, {t} runs"))
                .unwrap_or_else(|| c.tag.clone());
            return Err(CliError::Input(format!(
                "{} was written by a different sweep ({found}; this is sweep {}, {total} runs): \
                 the sweep file, its base scenario or the pathsim version changed since it ran",
                path.display(),
                sweep.hash
            )));
        }
        if c.header != header {
            return Err(CliError::Input(format!(
                "{}: its columns differ from this sweep's",
                path.display()
            )));
        }
        let mine = shard.count(total);
        if let Some(&bad) = c.rows.keys().find(|&&i| i >= total || !shard.contains(i)) {
            return Err(CliError::Input(format!(
                "{} holds run {bad}, which is not in shard {shard}",
                path.display()
            )));
        }
        if (c.rows.len() as u64) < mine {
            let gaps: Vec<String> = (shard.i..total)
                .step_by(shard.n as usize)
                .filter(|i| !c.rows.contains_key(i))
                .take(5)
                .map(|i| i.to_string())
                .collect();
            return Err(CliError::Input(format!(
                "shard {shard} is incomplete: {} of {mine} runs done in {} (missing runs {}{}); \
                 finish it with `pathsim sweep {} --shard {shard} --out {}`",
                c.rows.len(),
                path.display(),
                gaps.join(", "),
                if mine - c.rows.len() as u64 > 5 {
                    ", ..."
                } else {
                    ""
                },
                args.sweep.display(),
                out.display()
            )));
        }
        for (i, line) in c.rows {
            if rows.insert(i, line).is_some() {
                return Err(CliError::Input(format!(
                    "run {i} appears in more than one shard file"
                )));
            }
        }
    }
    report(
        &out,
        sweep::finish(&sweep, &out, &rows, args.quiet)?,
        args.quiet,
    )
}

fn emit_slurm(sweep: &Sweep, args: &SweepArgs, out: &Path, tasks: u64) -> Result<(), CliError> {
    let total = sweep.design.len() as u64;
    if tasks == 0 || tasks > total {
        return Err(CliError::Input(format!(
            "--emit-slurm takes the number of array tasks, from 1 to the {total} runs of this sweep; got {tasks}"
        )));
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let abs = |p: &Path| {
        p.canonicalize()
            .with_context(|| format!("cannot resolve {}", p.display()))
    };
    let cpus_per_task = args.threads.unwrap_or(1).max(1);
    let cost = measure_cost(sweep, cpus_per_task, args.quiet)?;
    let job = sweep::slurm::Job {
        name: &sweep.name,
        exe: std::env::current_exe().context("cannot find the pathsim binary")?,
        sweep: abs(&args.sweep)?,
        out: abs(out)?,
        total,
        tasks,
        cpus_per_task,
        cost,
        extra: &args.sbatch,
    };
    let dir = sweep::slurm::emit(&job)?;
    if !args.quiet {
        println!(
            "wrote {}/{{sweep.sbatch, merge.sbatch, submit.sh, resubmit.sh}}: {tasks} array tasks of about {} runs each",
            dir.display(),
            total.div_ceil(tasks)
        );
        println!("submit with: sh {}", dir.join("submit.sh").display());
    }
    Ok(())
}

/// Time and peak memory of run 0 of the sweep here, with the task's threads: the
/// cost the Slurm scripts' default limits come from.
fn measure_cost(
    sweep: &Sweep,
    threads: usize,
    quiet: bool,
) -> Result<Option<sweep::slurm::Cost>, CliError> {
    let pool = crate::engine::thread_pool(Some(threads))?;
    let p = sweep::run_params(sweep, 0)
        .map_err(|e| CliError::Input(format!("run 0 is invalid: {e}")))?;
    if !quiet {
        eprintln!(
            "measuring the cost of one run (run 0, {} replicate(s) at scale {}, {threads} thread(s)) for the default --time and --mem",
            p.run.replicates, p.run.scale
        );
    }
    let started = std::time::Instant::now();
    pool.install(|| sweep::simulate(sweep, &p));
    let seconds = started.elapsed().as_secs_f64();
    let Some(peak) = crate::bench::peak_rss_mib() else {
        return Ok(None);
    };
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "this machine".into());
    let note = format!(
        "run 0 measured by `pathsim sweep --emit-slurm` on {host} with {threads} thread(s), pathsim {}",
        env!("CARGO_PKG_VERSION")
    );
    if !quiet {
        eprintln!("one run: {seconds:.2} s, peak resident memory {peak:.0} MiB");
    }
    Ok(Some(sweep::slurm::Cost {
        seconds_per_run: seconds,
        peak_rss_mib: peak,
        note,
    }))
}

fn run_one(sweep: &Sweep, pool: &rayon::ThreadPool, i: u64) -> Result<(), CliError> {
    let total = sweep.design.len() as u64;
    if i >= total {
        return Err(CliError::Input(format!(
            "--run {i}: this sweep has runs 0 to {}",
            total - 1
        )));
    }
    let p = sweep::run_params(sweep, i)
        .map_err(|e| CliError::Input(format!("run {i} is invalid: {e}")))?;
    let outputs = pool.install(|| sweep::simulate(sweep, &p));
    println!(
        "run {i} of {total} of sweep {} (seed {})",
        sweep.name, p.run.seed
    );
    let width = sweep
        .factors
        .iter()
        .map(|f| f.key.len())
        .chain(sweep.outputs.iter().map(|o| o.column().len()))
        .max()
        .unwrap_or(0);
    for (k, v) in sweep::run_values(sweep, i) {
        println!("  {k:<width$} = {v}");
    }
    println!("outputs (mean of {} replicate(s)):", p.run.replicates);
    for (o, v) in sweep.outputs.iter().zip(&outputs) {
        println!(
            "  {:<width$} = {}",
            o.column(),
            if v.is_finite() {
                v.to_string()
            } else {
                "missing".into()
            }
        );
    }
    let base = sweep
        .base_files
        .first()
        .map(|f| f.display().to_string())
        .unwrap_or_default();
    let sets: String = sweep::run_values(sweep, i)
        .iter()
        .map(|(k, v)| format!(" --set {k}={v:?}"))
        .collect();
    println!(
        "same as: pathsim run {base} --seed {} --replicates {} --scale {:?}{sets}",
        p.run.seed, p.run.replicates, p.run.scale
    );
    println!("row: {}", sweep::row(sweep, i, &outputs));
    Ok(())
}

/// Render `report.html` from a finished sweep and print its ranking.
fn report(out: &Path, done: Finished, quiet: bool) -> Result<(), CliError> {
    crate::report::sweep_report(out, &done.summary, &done.manifest_json)?;
    if !quiet {
        print!("{}", done.ranking);
        println!("\nwrote {}/{{{}}}", out.display(), done.files.join(", "));
    }
    Ok(())
}
