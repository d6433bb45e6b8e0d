//! The `pathsim` command line.

use crate::error::CliError;
use crate::params::{Params, REGISTRY};
use crate::run::{self, summarise};
use crate::{output, scenario};
use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};

/// pathsim: simulate drug-using offenders' pathways through criminal justice and
/// drug treatment in England and Wales, and compare policy scenarios.
///
/// Start with:  pathsim run scenarios/baseline.toml
/// Then:        pathsim compare scenarios/baseline.toml scenarios/retention_improved.toml
#[derive(Parser, Debug)]
#[command(name = "pathsim", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario: writes results.csv, summary.csv, manifest.json to outputs/<name>/.
    Run {
        /// Scenario file (TOML).
        scenario: PathBuf,
        #[command(flatten)]
        opts: RunOpts,
    },
    /// Validate scenario files without running them (exit code 2 on the first error).
    Check {
        /// Scenario files (TOML).
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
    /// Run a baseline and a scenario on common random numbers; write their
    /// differences with 95% intervals to outputs/compare-<scenario>-vs-<baseline>/.
    Compare {
        /// Baseline scenario file.
        baseline: PathBuf,
        /// Policy scenario file.
        scenario: PathBuf,
        #[command(flatten)]
        opts: RunOpts,
    },
    /// Score a scenario against every published figure (calibration and validation
    /// targets) with 95% Monte Carlo intervals; writes outputs/<name>-targets/ (targets.csv, report.html).
    Targets {
        /// Scenario file (TOML).
        scenario: PathBuf,
        #[command(flatten)]
        opts: RunOpts,
    },
    /// Fit free parameters to the calibration targets (ABC-SMC, resumable) and
    /// write them as a partial scenario that the baseline uses.
    Calibrate {
        /// Calibration file (TOML), e.g. calibration/calibration.toml.
        file: PathBuf,
        /// Worker threads (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// No progress bar or table.
        #[arg(long, short)]
        quiet: bool,
        /// Stop early: write the result from the generations saved so far.
        #[arg(long)]
        finish: bool,
        /// Refine the last fit by pattern search (at most this many simulations)
        /// instead of running ABC-SMC; resumes from the last improvement.
        #[arg(long, value_name = "MAX_SIMULATIONS", conflicts_with = "finish")]
        refine: Option<usize>,
    },
    /// List every parameter: key, default, unit, valid range and source.
    Params {
        /// Print as a Markdown table (as in docs/model.md).
        #[arg(long)]
        markdown: bool,
        /// Print the baseline scenario file with every parameter commented.
        #[arg(long, conflicts_with = "markdown")]
        toml: bool,
    },
    /// Measure throughput (person-years and events per second) and peak memory.
    Bench(crate::bench::BenchArgs),
    /// Run a sensitivity sweep (grid, Latin hypercube, Sobol, Morris), resumably or as a shard.
    Sweep(crate::sweep::SweepArgs),
    /// Merge the shard files of a sweep run as a Slurm job array.
    Merge(crate::sweep::MergeArgs),
    /// Run a ready-made classroom lesson (retention, testing) and write a one-page report.
    Lesson(crate::lesson::LessonArgs),
    /// List the interventions (UKDPC 2008): where each acts, its parameters and
    /// defaults, evidence grade, sources, and whether the baseline has it on.
    Interventions {
        /// Print as a Markdown table (as in docs/interventions.md).
        #[arg(long)]
        markdown: bool,
    },
}

/// Options shared by commands that run scenarios.
#[derive(Args, Debug, Clone, Default)]
pub struct RunOpts {
    /// Output folder (default: outputs/<scenario name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Override the number of replicates.
    #[arg(long)]
    pub replicates: Option<u32>,
    /// Override the scale (real people per simulated person).
    #[arg(long)]
    pub scale: Option<f64>,
    /// Override the seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override any parameter: --set treatment.dropout_rate_0_3m=1.2 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// No progress bar or table.
    #[arg(long, short)]
    pub quiet: bool,
    /// Replace an --out folder that is not a pathsim output (its contents are lost).
    #[arg(long)]
    pub force: bool,
}

impl RunOpts {
    /// Load a scenario with this run's overrides applied.
    pub fn load(&self, path: &Path) -> Result<scenario::Scenario, CliError> {
        let mut sets = self.set.clone();
        if let Some(r) = self.replicates {
            sets.push(format!("run.replicates={r}"));
        }
        if let Some(s) = self.scale {
            sets.push(format!("run.scale={s:?}"));
        }
        if let Some(s) = self.seed {
            sets.push(format!("run.seed={s}"));
        }
        Ok(scenario::load_with(path, &sets)?)
    }

    /// A thread pool of the requested size.
    pub fn pool(&self) -> Result<rayon::ThreadPool, CliError> {
        if self.threads == Some(0) {
            return Err(CliError::Input("--threads must be at least 1".into()));
        }
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(n) = self.threads {
            b = b.num_threads(n);
        }
        Ok(b.build().context("cannot start worker threads")?)
    }
}

/// Run the command line; returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e:#}");
            e.exit_code()
        }
    }
}

fn dispatch(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Run { scenario, opts } => cmd_run(&scenario, &opts),
        Command::Check { scenarios } => {
            for s in &scenarios {
                let sc = scenario::load(s)?;
                println!(
                    "{}: ok (name = {}, {} replicates at scale {})",
                    s.display(),
                    sc.params.name,
                    sc.params.run.replicates,
                    sc.params.run.scale
                );
            }
            Ok(())
        }
        Command::Compare {
            baseline,
            scenario,
            opts,
        } => cmd_compare(&baseline, &scenario, &opts),
        Command::Params { markdown, toml } => {
            if toml {
                let keys = crate::params::fitted_keys(Path::new("scenarios/calibrated.toml"));
                print!(
                    "{}",
                    crate::params::baseline_toml(
                        keys.as_ref().map(|k| ("calibrated.toml", k.as_slice()))
                    )
                );
            } else {
                print!("{}", params_table(markdown));
            }
            Ok(())
        }
        Command::Bench(args) => crate::bench::run(&args),
        Command::Targets { scenario, opts } => {
            crate::studies::targets::cmd_targets(&scenario, &opts)
        }
        Command::Calibrate {
            file,
            threads,
            quiet,
            finish,
            refine,
        } => crate::calibrate::cmd_calibrate(&file, threads, quiet, finish, refine),
        Command::Sweep(args) => crate::sweep::cmd_sweep(&args),
        Command::Merge(args) => crate::sweep::cmd_merge(&args),
        Command::Lesson(args) => crate::lesson::cmd_lesson(&args),
        Command::Interventions { markdown } => {
            print!(
                "{}",
                crate::interventions_doc::interventions_table(markdown)
            );
            Ok(())
        }
    }
}

fn cmd_run(path: &Path, opts: &RunOpts) -> Result<(), CliError> {
    let sc = opts.load(path)?;
    let pool = opts.pool()?;
    let p = &sc.params;
    let dest = opts
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("outputs").join(&p.name));
    let stage = output::Staging::claim(&dest, opts.force)?;
    let bar = run::progress_bar(run::total_chunks(p), &p.name, opts.quiet);
    let (out, retention) = pool.install(|| crate::report::run_with_retention(p, &bar));
    bar.finish_and_clear();
    let summary = summarise(out.replicates.iter().map(|r| r.as_slice()));
    let dest = output::write_run_in(
        stage,
        &out,
        &summary,
        &sc.files,
        pool.current_num_threads(),
        |dir, manifest| crate::report::run_report(dir, &summary, p, manifest, Some(&retention)),
    )?;
    if !opts.quiet {
        println!(
            "{}: {} replicates at scale {} in {:.1} s ({:.0} person-years, {} events)",
            p.name, p.run.replicates, p.run.scale, out.wall_seconds, out.person_years, out.events
        );
        print!("{}", output::headline_table(&summary, headline_year(p)));
        print_assumed_effects(p);
        println!(
            "wrote {}/{{results.csv, summary.csv, manifest.json, scenario.toml, report.html}}",
            dest.display()
        );
    }
    Ok(())
}

/// Say so when results rest on effects of interventions never evaluated.
fn print_assumed_effects(p: &Params) {
    for note in crate::interventions::unevaluated_effects(p) {
        println!("note: {note}");
    }
}

/// The year headline tables show: 2024 if observed, else the last year.
fn headline_year(p: &Params) -> i32 {
    (p.run.horizon.year() - 1).min(2024)
}

fn cmd_compare(base_path: &Path, path: &Path, opts: &RunOpts) -> Result<(), CliError> {
    let base = opts.load(base_path)?;
    let mut sc = opts.load(path)?;
    // Common random numbers need the same seed, replicates and population.
    let (b, s) = (&base.params.run, &mut sc.params.run);
    if b.seed != s.seed || b.replicates != s.replicates || b.scale != s.scale {
        return Err(CliError::Input(format!(
            "{} and {} must share seed, replicates and scale for a paired comparison \
             (got seed {} vs {}, replicates {} vs {}, scale {} vs {})",
            base_path.display(),
            path.display(),
            b.seed,
            s.seed,
            b.replicates,
            s.replicates,
            b.scale,
            s.scale
        )));
    }
    let pool = opts.pool()?;
    let dest = opts.out.clone().unwrap_or_else(|| {
        PathBuf::from("outputs").join(format!(
            "compare-{}-vs-{}",
            sc.params.name, base.params.name
        ))
    });
    let stage = output::Staging::claim(&dest, opts.force)?;
    let total = run::total_chunks(&base.params) + run::total_chunks(&sc.params);
    let bar = run::progress_bar(total, "compare", opts.quiet);
    let (a, c) = pool.install(|| (run::run(&base.params, &bar), run::run(&sc.params, &bar)));
    bar.finish_and_clear();
    let sa = summarise(a.replicates.iter().map(|r| r.as_slice()));
    let sc_sum = summarise(c.replicates.iter().map(|r| r.as_slice()));
    let diffs = run::differences(&a, &c);
    let sd = summarise(diffs.iter().map(|r| r.as_slice()));
    output::write_differences(&stage.path("differences.csv"), &sa, &sc_sum, &sd)?;
    output::write_results(
        &stage.path("differences_by_replicate.csv"),
        &c.params.name,
        &diffs,
    )?;
    output::write_summary(&stage.path("baseline_summary.csv"), &a.params.name, &sa)?;
    output::write_summary(&stage.path("scenario_summary.csv"), &c.params.name, &sc_sum)?;
    let threads = pool.current_num_threads();
    let manifest = serde_json::json!({
        "pathsim_version": env!("CARGO_PKG_VERSION"),
        "command_line": std::env::args().collect::<Vec<_>>(),
        "baseline": output::Manifest::new(&a, &base.files, threads, &dest),
        "scenario": output::Manifest::new(&c, &sc.files, threads, &dest),
    });
    let manifest_json = serde_json::to_string_pretty(&manifest).context("manifest")?;
    std::fs::write(stage.path("manifest.json"), &manifest_json).context("cannot write manifest")?;
    crate::report::compare_report(
        &stage.path(""),
        &sa,
        &sc_sum,
        &sd,
        &a.params,
        &c.params,
        &manifest_json,
    )?;
    let dest = stage.commit()?;
    if !opts.quiet {
        println!(
            "{} minus {}: paired differences over {} replicates (common random numbers)",
            c.params.name, a.params.name, a.params.run.replicates
        );
        let year = headline_year(&c.params).max(c.params.run.horizon.year() - 1);
        print!("{}", output::difference_table(&sa, &sd, year));
        print_assumed_effects(&c.params);
        println!("wrote {}/{{differences.csv, report.html}}", dest.display());
    }
    Ok(())
}

/// The parameter registry as a table, with defaults.
pub fn params_table(markdown: bool) -> String {
    let defaults = crate::params::baseline().numeric_leaves();
    let mut out = String::new();
    if markdown {
        out.push_str(
            "| key | default | unit | range | source |\n| --- | --- | --- | --- | --- |\n",
        );
    }
    for (key, v) in defaults {
        let info = crate::params::info(&key).expect("registry covers every parameter");
        let range = format!("{} to {}", info.min, info.max);
        if markdown {
            out.push_str(&format!(
                "| `{key}` | {v} | {} | {range} | {} |\n",
                info.unit, info.source
            ));
        } else {
            out.push_str(&format!(
                "{key:<52} {v:>12} {:<32} {}\n",
                info.unit, info.source
            ));
        }
    }
    for info in REGISTRY.iter().filter(|i| !i.is_numeric()) {
        if markdown {
            out.push_str(&format!(
                "| `{}` | see baseline.toml | {} | | {} |\n",
                info.key, info.unit, info.source
            ));
        } else {
            out.push_str(&format!(
                "{:<52} {:>12} {:<32} {}\n",
                info.key, "", info.unit, info.source
            ));
        }
    }
    out
}
