//! Sensitivity sweeps: run a design (grid, Latin hypercube, Sobol/Saltelli,
//! Morris) over parameter ranges, resumably, on one machine or as shards of a
//! Slurm job array, then compute sensitivity indices.
//!
//! Run i takes its parameter values from the design and its simulation seed from
//! the sweep seed and i alone, so any run can be repeated by itself, and results
//! do not depend on how runs were split across threads, restarts or shards.
//! Finished runs go to a journal at once ([`store`]); final files are written
//! sorted by run index, so they are byte-identical however the work was done.

pub mod analysis;
pub mod design;
pub mod slurm;
pub mod spec;
pub mod store;

use crate::error::CliError;
use crate::params::Params;
use crate::report::{SweepAnalysis, SweepSummary};
use crate::rng::mix64;
use anyhow::Context;
use design::Kind;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use spec::Sweep;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use store::{Journal, Shard};

/// `pathsim sweep`: run a sensitivity sweep (or one shard of it).
#[derive(clap::Args, Debug, Clone)]
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
#[derive(clap::Args, Debug, Clone)]
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

const SEED_SALT: u64 = 0x5357_4545_5000_0005;

/// The simulation seed of run `i`: from the sweep seed and the index only. Kept
/// below 2^63 so it fits a TOML integer (`pathsim run --seed` can repeat the run).
pub fn run_seed(sweep: &Sweep, i: u64) -> u64 {
    let root = mix64(sweep.file.seed ^ SEED_SALT);
    let seed = if sweep.file.common_random_numbers {
        root
    } else {
        mix64(root ^ mix64(i))
    };
    seed >> 1
}

/// (key, value) of every varied parameter in run `i`.
pub fn run_values(sweep: &Sweep, i: u64) -> Vec<(String, f64)> {
    sweep
        .factors
        .iter()
        .zip(&sweep.design.values[i as usize])
        .map(|(f, &v)| (f.key.clone(), v))
        .collect()
}

/// The full parameters of run `i`.
pub fn run_params(sweep: &Sweep, i: u64) -> Result<Params, String> {
    let mut p = crate::scenario::with_values(&sweep.base, &run_values(sweep, i))?;
    p.run.seed = run_seed(sweep, i);
    Ok(p)
}

/// Simulate one run: each output averaged over replicates (NaN where no replicate has it).
pub fn simulate(sweep: &Sweep, p: &Params) -> Vec<f64> {
    let mut sum = vec![0.0; sweep.outputs.len()];
    let mut n = vec![0u32; sweep.outputs.len()];
    for r in 0..p.run.replicates {
        let rows = crate::run::replicate_metrics(p, r, &|| {}).rows(p.run.scale);
        for (k, o) in sweep.outputs.iter().enumerate() {
            if let Some(row) = rows.iter().find(|row| {
                row.metric == o.metric && row.group == o.group && row.period == o.period
            }) {
                sum[k] += row.value;
                n[k] += 1;
            }
        }
    }
    sum.iter()
        .zip(&n)
        .map(|(s, &n)| if n > 0 { s / n as f64 } else { f64::NAN })
        .collect()
}

/// A number as written in CSV files: shortest round-trip form; empty if missing.
fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

/// A number for the terminal: four significant figures, no exponent for big counts.
fn short(v: f64) -> String {
    if !v.is_finite() {
        "-".into()
    } else if v.abs() >= 1000.0 {
        format!("{v:.0}")
    } else {
        let digits = (3 - v.abs().max(1e-12).log10().floor() as i32).clamp(0, 12) as usize;
        format!("{v:.digits$}")
    }
}

/// The `runs.csv` header: run, seed, parameter keys, output columns.
pub fn header(sweep: &Sweep) -> String {
    let mut cols = vec!["run".to_string(), "seed".to_string()];
    cols.extend(sweep.factors.iter().map(|f| f.key.clone()));
    cols.extend(sweep.outputs.iter().map(|o| o.column()));
    cols.join(",")
}

/// One `runs.csv` line.
fn row(sweep: &Sweep, i: u64, outputs: &[f64]) -> String {
    let mut s = format!("{i},{}", run_seed(sweep, i));
    for &v in sweep.design.values[i as usize].iter().chain(outputs) {
        s.push(',');
        s.push_str(&num(v));
    }
    s
}

/// Parse the outputs back out of a `runs.csv` line.
fn row_outputs(sweep: &Sweep, line: &str) -> Vec<f64> {
    line.split(',')
        .skip(2 + sweep.factors.len())
        .map(|f| f.parse().unwrap_or(f64::NAN))
        .collect()
}

fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, CliError> {
    if threads == Some(0) {
        return Err(CliError::Input("--threads must be at least 1".into()));
    }
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        b = b.num_threads(n);
    }
    Ok(b.build().context("cannot start worker threads")?)
}

fn default_out(sweep: &Sweep, out: &Option<PathBuf>) -> PathBuf {
    out.clone()
        .unwrap_or_else(|| PathBuf::from("outputs").join(format!("sweep-{}", sweep.name)))
}

/// A progress bar over runs with an ETA, hidden when stderr is not a terminal.
fn progress(len: u64, done: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(
            "sweep [{bar:40.cyan/blue}] {pos}/{len} runs, {elapsed} elapsed, ETA {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_position(done);
    bar.reset_eta();
    bar
}

/// Check every run's parameters before any is simulated, so a bad value stops
/// the sweep at once rather than hours in.
fn check_runs(sweep: &Sweep, runs: &[u64]) -> Result<(), CliError> {
    let bad = runs
        .par_iter()
        .find_map_first(|&i| run_params(sweep, i).err().map(|e| (i, e)));
    match bad {
        Some((i, e)) => Err(CliError::Input(format!(
            "{}: run {i} would be invalid: {e} (its values: {})",
            sweep.path.display(),
            run_values(sweep, i)
                .iter()
                .map(|(k, v)| format!("{k} = {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        None => Ok(()),
    }
}

/// Run `pathsim sweep`.
pub fn cmd_sweep(args: &SweepArgs) -> Result<(), CliError> {
    let sweep = spec::load(&args.sweep)?;
    let out = default_out(&sweep, &args.out);
    let total = sweep.design.len() as u64;
    if let Some(tasks) = args.emit_slurm {
        crate::output::claim_folder(&out, args.force)?;
        return emit_slurm(&sweep, args, &out, tasks);
    }
    let pool = pool(args.threads)?;
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
        &store::tag(&sweep.hash, shard, total),
        &header(&sweep),
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
    check_runs(&sweep, &pending)?;
    let bar = progress(mine, mine - pending.len() as u64, args.quiet);
    pool.install(|| {
        pending.par_iter().try_for_each(|&i| {
            let p = run_params(&sweep, i).map_err(CliError::Input)?;
            let outputs = simulate(&sweep, &p);
            journal.append(&row(&sweep, i, &outputs))?;
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
    let rows = store::read(&journal_path, header(&sweep).split(',').count())?.rows;
    finish(&sweep, &out, &rows, args.quiet)?;
    drop(journal);
    Ok(())
}

/// Run `pathsim merge`: check the shard files and write the final outputs.
pub fn cmd_merge(args: &MergeArgs) -> Result<(), CliError> {
    let sweep = spec::load(&args.sweep)?;
    let out = default_out(&sweep, &args.out);
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
    let header = header(&sweep);
    let columns = header.split(',').count();
    let mut rows = BTreeMap::new();
    for (shard, path) in &shards {
        let c = store::read(path, columns)?;
        let want = store::tag(&sweep.hash, *shard, total);
        if c.tag != want {
            let found = store::parse_tag(&c.tag)
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
    finish(&sweep, &out, &rows, args.quiet)
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
    let job = slurm::Job {
        name: &sweep.name,
        exe: std::env::current_exe().context("cannot find the pathsim binary")?,
        sweep: abs(&args.sweep)?,
        out: abs(out)?,
        tasks,
        cpus_per_task: args.threads.unwrap_or(1).max(1),
        extra: &args.sbatch,
    };
    let dir = slurm::emit(&job)?;
    if !args.quiet {
        println!(
            "wrote {}/{{sweep.sbatch, merge.sbatch, submit.sh}}: {tasks} array tasks of about {} runs each",
            dir.display(),
            total.div_ceil(tasks)
        );
        println!("submit with: sh {}", dir.join("submit.sh").display());
    }
    Ok(())
}

fn run_one(sweep: &Sweep, pool: &rayon::ThreadPool, i: u64) -> Result<(), CliError> {
    let total = sweep.design.len() as u64;
    if i >= total {
        return Err(CliError::Input(format!(
            "--run {i}: this sweep has runs 0 to {}",
            total - 1
        )));
    }
    let p =
        run_params(sweep, i).map_err(|e| CliError::Input(format!("run {i} is invalid: {e}")))?;
    let outputs = pool.install(|| simulate(sweep, &p));
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
    for (k, v) in run_values(sweep, i) {
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
    let sets: String = run_values(sweep, i)
        .iter()
        .map(|(k, v)| format!(" --set {k}={v:?}"))
        .collect();
    println!(
        "same as: pathsim run {base} --seed {} --replicates {} --scale {:?}{sets}",
        p.run.seed, p.run.replicates, p.run.scale
    );
    println!("row: {}", row(sweep, i, &outputs));
    Ok(())
}

/// A parameter's distribution in words, for the report.
fn dist_words(d: &design::Dist) -> String {
    use design::Dist;
    match d {
        Dist::Uniform { min, max } => format!("uniform, {min} to {max}"),
        Dist::LogUniform { min, max } => format!("log-uniform, {min} to {max}"),
        Dist::Triangular { min, max, mode } => {
            format!("triangular, {min} to {max}, most likely {mode}")
        }
        Dist::Levels(v) => format!(
            "levels {}",
            v.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Write `runs.csv`, the analysis for the design, `sweep.json` and `report.html`;
/// print a ranking.
fn finish(
    sweep: &Sweep,
    out: &Path,
    rows: &BTreeMap<u64, String>,
    quiet: bool,
) -> Result<(), CliError> {
    let total = sweep.design.len() as u64;
    if rows.len() as u64 != total || rows.keys().enumerate().any(|(n, &i)| n as u64 != i) {
        return Err(CliError::Input(format!(
            "only {} of {total} runs are finished",
            rows.len()
        )));
    }
    let mut runs = header(sweep);
    runs.push('\n');
    for line in rows.values() {
        runs.push_str(line);
        runs.push('\n');
    }
    let y: Vec<Vec<f64>> = rows.values().map(|l| row_outputs(sweep, l)).collect();
    let column = |k: usize| -> Vec<f64> { y.iter().map(|r| r[k]).collect() };
    if !quiet {
        for (k, o) in sweep.outputs.iter().enumerate() {
            let missing = column(k).iter().filter(|v| !v.is_finite()).count();
            if missing == y.len() {
                eprintln!(
                    "warning: {} is missing in every run (a rate with nobody to count, or a \
                     reoffending year whose follow-up runs past the horizon)",
                    o.column()
                );
            } else if missing > 0 {
                eprintln!(
                    "note: {} is missing in {missing} of {} runs; the analysis leaves them out",
                    o.column(),
                    y.len()
                );
            }
        }
    }
    let mut files = vec![("runs.csv", runs)];
    let mut ranking = String::new();
    // Kept for the report, output by output, as written to the CSV files.
    let mut sobol = Vec::new();
    let mut morris = Vec::new();
    let mut binned = Vec::new();
    let names: Vec<&str> = sweep.factors.iter().map(|f| f.key.as_str()).collect();
    let pw = names.iter().map(|n| n.len()).max().unwrap_or(9).max(9);
    match sweep.design.plan.kind() {
        Kind::Sobol => {
            let mut csv = String::from("parameter,output,S1,S1_lo,S1_hi,ST,ST_lo,ST_hi\n");
            let _ = writeln!(
                ranking,
                "Sobol indices ({} base samples, {total} runs; 95% bootstrap intervals over {} resamples)",
                total / (sweep.factors.len() as u64 + 2),
                sweep.bootstrap
            );
            for (k, o) in sweep.outputs.iter().enumerate() {
                let idx = analysis::sobol_indices(
                    &column(k),
                    sweep.factors.len(),
                    sweep.bootstrap,
                    sweep.file.seed,
                );
                for (name, s) in names.iter().zip(&idx) {
                    let v = [s.s1, s.s1_lo, s.s1_hi, s.st, s.st_lo, s.st_hi].map(num);
                    let _ = writeln!(csv, "{name},{},{}", o.column(), v.join(","));
                }
                let _ = writeln!(
                    ranking,
                    "\n{}\n  {:<pw$} {:>22} {:>22}",
                    o.column(),
                    "parameter",
                    "first order S1",
                    "total ST"
                );
                let mut order: Vec<usize> = (0..idx.len()).collect();
                order.sort_by(|&a, &b| idx[b].st.total_cmp(&idx[a].st).then(a.cmp(&b)));
                for &i in order.iter().take(10) {
                    let s = &idx[i];
                    let _ = writeln!(
                        ranking,
                        "  {:<pw$} {:>22} {:>22}",
                        names[i],
                        format!("{:.2} [{:.2}, {:.2}]", s.s1, s.s1_lo, s.s1_hi),
                        format!("{:.2} [{:.2}, {:.2}]", s.st, s.st_lo, s.st_hi)
                    );
                }
                sobol.push(idx);
            }
            files.push(("sobol_indices.csv", csv));
        }
        Kind::Morris => {
            let mut csv = String::from("parameter,output,mu,mu_star,sigma,n\n");
            let _ = writeln!(
                ranking,
                "Morris elementary effects ({} trajectories; effects per whole parameter range)",
                total / (sweep.factors.len() as u64 + 1)
            );
            for (k, o) in sweep.outputs.iter().enumerate() {
                let idx =
                    analysis::morris_indices(&sweep.design.unit, &column(k), sweep.factors.len());
                for (name, m) in names.iter().zip(&idx) {
                    let _ = writeln!(
                        csv,
                        "{name},{},{},{},{},{}",
                        o.column(),
                        num(m.mu),
                        num(m.mu_star),
                        num(m.sigma),
                        m.n
                    );
                }
                let _ = writeln!(
                    ranking,
                    "\n{}\n  {:<pw$} {:>12} {:>12} {:>12}",
                    o.column(),
                    "parameter",
                    "mu*",
                    "mu",
                    "sigma"
                );
                let mut order: Vec<usize> = (0..idx.len()).collect();
                order.sort_by(|&a, &b| idx[b].mu_star.total_cmp(&idx[a].mu_star).then(a.cmp(&b)));
                for &i in order.iter().take(10) {
                    let m = &idx[i];
                    let _ = writeln!(
                        ranking,
                        "  {:<pw$} {:>12} {:>12} {:>12}",
                        names[i],
                        short(m.mu_star),
                        short(m.mu),
                        short(m.sigma)
                    );
                }
                morris.push(idx);
            }
            files.push(("morris.csv", csv));
        }
        Kind::Grid | Kind::Lhs => {
            let mut csv = String::from("parameter,bin,value_lo,value_hi,output,n,mean,lo95,hi95\n");
            let _ = writeln!(
                ranking,
                "Outputs by parameter value ({total} runs): spread of bin means"
            );
            for (k, o) in sweep.outputs.iter().enumerate() {
                let yk = column(k);
                let mut spreads = Vec::new();
                let mut by_param = Vec::new();
                for (j, name) in names.iter().enumerate() {
                    let x: Vec<f64> = sweep.design.values.iter().map(|v| v[j]).collect();
                    let bins = analysis::by_value(&x, &yk);
                    for b in &bins {
                        let _ = writeln!(
                            csv,
                            "{name},{},{},{},{},{},{},{},{}",
                            b.bin,
                            num(b.value_lo),
                            num(b.value_hi),
                            o.column(),
                            b.n,
                            num(b.mean),
                            num(b.lo95),
                            num(b.hi95)
                        );
                    }
                    spreads.push((analysis::spread(&bins), j));
                    by_param.push(bins);
                }
                spreads.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                let _ = writeln!(
                    ranking,
                    "\n{}\n  {:<pw$} {:>14}",
                    o.column(),
                    "parameter",
                    "spread"
                );
                for (s, j) in spreads.iter().take(10) {
                    let _ = writeln!(ranking, "  {:<pw$} {:>14}", names[*j], short(*s));
                }
                binned.push(by_param);
            }
            files.push(("by_parameter.csv", csv));
        }
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let manifest = serde_json::json!({
        "pathsim_version": env!("CARGO_PKG_VERSION"),
        "command_line": std::env::args().collect::<Vec<_>>(),
        "sweep": sweep.name,
        "description": sweep.file.description,
        "sweep_file": sweep.path.display().to_string(),
        "base_files": sweep.base_files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
        "sweep_hash": sweep.hash,
        "seed": sweep.file.seed,
        "common_random_numbers": sweep.file.common_random_numbers,
        "replicates": sweep.base.run.replicates,
        "scale": sweep.base.run.scale,
        "design": sweep.design.plan,
        "runs": total,
        "parameters": sweep.factors,
        "outputs": sweep.outputs,
        "files": files.iter().map(|f| f.0).chain(["report.html", "charts/"]).collect::<Vec<_>>(),
        "repeat_one_run": format!("pathsim sweep {} --run I", sweep.path.display()),
    });
    for (name, text) in &files {
        crate::output::write_atomic(&out.join(name), text.as_bytes())?;
    }
    let json = serde_json::to_string_pretty(&manifest).context("manifest")?;
    crate::output::write_atomic(&out.join("sweep.json"), json.as_bytes())?;
    let analysis = match sweep.design.plan.kind() {
        Kind::Sobol => SweepAnalysis::Sobol {
            base_samples: total / (sweep.factors.len() as u64 + 2),
            resamples: sweep.bootstrap,
            indices: sobol,
        },
        Kind::Morris => SweepAnalysis::Morris {
            trajectories: total / (sweep.factors.len() as u64 + 1),
            indices: morris,
        },
        Kind::Grid | Kind::Lhs => SweepAnalysis::Binned { bins: binned },
    };
    let summary = SweepSummary {
        name: sweep.name.clone(),
        description: sweep.file.description.clone(),
        design: sweep.design.plan.kind().to_string(),
        runs: total,
        replicates: sweep.base.run.replicates,
        scale: sweep.base.run.scale,
        common_random_numbers: sweep.file.common_random_numbers,
        parameters: sweep
            .factors
            .iter()
            .map(|f| (f.key.clone(), dist_words(&f.dist)))
            .collect(),
        outputs: sweep
            .outputs
            .iter()
            .map(|o| (o.column(), o.metric.clone()))
            .collect(),
        files: files
            .iter()
            .map(|f| f.0.to_string())
            .chain(["sweep.json".into()])
            .collect(),
        analysis,
    };
    crate::report::sweep_report(out, &summary, &json)?;
    if !quiet {
        print!("{ranking}");
        let list: Vec<&str> = files
            .iter()
            .map(|f| f.0)
            .chain(["sweep.json", "report.html"])
            .collect();
        println!("\nwrote {}/{{{}}}", out.display(), list.join(", "));
    }
    Ok(())
}
