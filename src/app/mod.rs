//! The command layer: `pathsim`'s command line, one file per command. Each
//! command loads its input, builds the thread pool, calls the domain, writes
//! outputs and prints; no domain module imports anything from here.

mod bench;
mod calibrate;
mod classroom;
mod compare;
mod lesson;
mod run;
mod study;
mod sweep;
mod targets;

use crate::error::CliError;
use crate::params::Params;
use crate::scenario;
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
        #[command(flatten)]
        histories: HistoriesOpts,
    },
    /// Validate scenario, sweep and calibration files without running them
    /// (exit code 2 on the first error). The kind is told by content: a sweep
    /// file has a [design] table, a calibration file an [abc] table, a study
    /// file a [cohort] table.
    Check {
        /// Scenario, sweep or calibration files (TOML).
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
        #[command(flatten)]
        histories: HistoriesOpts,
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
        /// instead of running ABC-SMC; a stopped refinement resumes where it was
        /// (MAX_SIMULATIONS counts every session's simulations).
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
    Bench(bench::BenchArgs),
    /// Run a sensitivity sweep (grid, Latin hypercube, Sobol, Morris), resumably or as a shard.
    Sweep(sweep::SweepArgs),
    /// Merge the shard files of a sweep run as a Slurm job array.
    Merge(sweep::MergeArgs),
    /// Measure a custom study (a cohort, outcomes and breakdowns in TOML, see
    /// docs/studies.md) on a scenario's simulated histories; writes
    /// outputs/study-<study>-<scenario>/study.csv with 95% intervals.
    Study {
        /// Study file (TOML), e.g. studies/positive_test_2011.toml.
        study: PathBuf,
        /// Scenario file (TOML).
        scenario: PathBuf,
        #[command(flatten)]
        opts: RunOpts,
    },
    /// Run a ready-made classroom lesson (retention, testing) and write a one-page report.
    Lesson(lesson::LessonArgs),
    /// Serve the live classroom page (sliders that re-run a small paired
    /// simulation in about a second) and print its address.
    Classroom(classroom::ClassroomArgs),
    /// Rewrite the generated parts of the documentation (the parameter appendix
    /// of docs/model.md, the interventions table of docs/interventions.md) from
    /// the code, run from the repository root; --check only reports.
    Docs {
        /// Report out-of-date documents (exit code 2) without writing.
        #[arg(long)]
        check: bool,
    },
    /// List the interventions (UKDPC 2008): where each acts, its parameters and
    /// defaults, evidence grade, sources, and whether the baseline has it on.
    Interventions {
        /// Print as a Markdown table (as in docs/interventions.md).
        #[arg(long)]
        markdown: bool,
    },
}

/// Person-level microdata (`run` and `compare`): Parquet histories beside the
/// results (docs/histories.md).
#[derive(Args, Debug, Clone, Default)]
pub struct HistoriesOpts {
    /// Write the simulated histories as Parquet (histories/people.parquet,
    /// histories/events.parquet and histories/dictionary.csv; in a comparison
    /// one folder per arm, histories/baseline and histories/scenario).
    #[arg(long)]
    pub histories: bool,
    /// Only these replicates: "0", "0-2" or "0,3,5" (default: all).
    #[arg(long, value_name = "LIST", requires = "histories")]
    pub histories_replicates: Option<String>,
    /// Only events in these calendar years, and people in the model in them:
    /// "2011" or "2005-2010" (default: every year).
    #[arg(long, value_name = "YEARS", requires = "histories")]
    pub histories_years: Option<String>,
    /// Only this fraction of people, drawn by person id (the same people in
    /// both arms of a comparison); default 1.
    #[arg(long, value_name = "FRACTION", requires = "histories")]
    pub histories_sample: Option<f64>,
}

impl HistoriesOpts {
    /// The filter asked for, if histories are to be written.
    pub fn filter(&self) -> Result<Option<crate::microdata::Filter>, CliError> {
        if !self.histories {
            return Ok(None);
        }
        crate::microdata::Filter::parse(
            self.histories_replicates.as_deref(),
            self.histories_years.as_deref(),
            self.histories_sample,
        )
        .map(Some)
        .map_err(CliError::Input)
    }
}

/// What a histories folder holds, in one line.
fn histories_line(dir: &Path, w: &crate::microdata::Written) -> String {
    format!(
        "wrote {}/{{people.parquet, events.parquet, dictionary.csv}}: {} people, {} events, {:.1} MB",
        dir.display(),
        w.people,
        w.events,
        w.bytes as f64 / 1e6,
    )
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
    /// Override any parameter: --set treatment.ost_dropout_rate_0_3m=1.2 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// No progress bar or table.
    #[arg(long, short)]
    pub quiet: bool,
    /// Replace an --out folder that is not a pathsim output (its contents are lost).
    #[arg(long)]
    pub force: bool,
    /// Posterior parameter sets the replicates are spread over (at least 2
    /// replicates each), so intervals carry parameter uncertainty too.
    #[arg(long, default_value_t = 5)]
    pub draws: u32,
    /// The point estimate only (calibrated.toml): intervals are Monte Carlo noise.
    #[arg(long)]
    pub point: bool,
}

impl RunOpts {
    /// Load a scenario with this run's overrides applied.
    pub fn load(&self, path: &Path) -> Result<scenario::Scenario, CliError> {
        let overrides = scenario::Overrides {
            set: self.set.clone(),
            replicates: self.replicates,
            scale: self.scale,
            seed: self.seed,
        };
        Ok(overrides.load(path)?)
    }

    /// The parameter sets of a run of `p`: posterior draws, or the scenario
    /// itself with `--point` (or `--draws 0`).
    pub fn sets(&self, p: &crate::params::Params) -> Result<Vec<crate::params::Params>, CliError> {
        let draws = if self.point { 0 } else { self.draws };
        crate::ensemble::parameter_sets(p, draws, &crate::ensemble::posterior())
            .map_err(CliError::Input)
    }

    /// A thread pool of the requested size.
    pub fn pool(&self) -> Result<rayon::ThreadPool, CliError> {
        crate::engine::thread_pool(self.threads)
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
        Command::Run {
            scenario,
            opts,
            histories,
        } => run::run(&scenario, &opts, &histories),
        Command::Check { scenarios } => {
            for s in &scenarios {
                check(s)?;
            }
            Ok(())
        }
        Command::Compare {
            baseline,
            scenario,
            opts,
            histories,
        } => compare::compare(&baseline, &scenario, &opts, &histories),
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
                print!("{}", crate::params::params_table(markdown));
            }
            Ok(())
        }
        Command::Bench(args) => bench::run(&args),
        Command::Targets { scenario, opts } => targets::targets(&scenario, &opts),
        Command::Calibrate {
            file,
            threads,
            quiet,
            finish,
            refine,
        } => calibrate::calibrate(&file, threads, quiet, finish, refine),
        Command::Sweep(args) => sweep::cmd_sweep(&args),
        Command::Merge(args) => sweep::cmd_merge(&args),
        Command::Lesson(args) => lesson::lesson(&args),
        Command::Classroom(args) => classroom::classroom(&args),
        Command::Study {
            study: file,
            scenario,
            opts,
        } => study::study(&file, &scenario, &opts),
        Command::Docs { check } => docs(check),
        Command::Interventions { markdown } => {
            print!(
                "{}",
                crate::interventions_doc::interventions_table(markdown)
            );
            Ok(())
        }
    }
}

/// What an input file is, told by its top-level tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Scenario,
    Sweep,
    Calibration,
    Study,
}

/// A sweep file has `[design]`, a calibration file `[abc]` (with `scenario`
/// and `output`); anything else, a file that does not parse included, is
/// checked as a scenario (whose loader reports the error).
fn file_kind(path: &Path) -> Result<FileKind, CliError> {
    let text = crate::input::read_text(path, "file")?;
    let Ok(doc) = toml::de::DeTable::parse(&text) else {
        return Ok(FileKind::Scenario);
    };
    let has = |k: &str| doc.get_ref().contains_key(k);
    Ok(if has("design") {
        FileKind::Sweep
    } else if has("abc") || has("history_matching") || (has("scenario") && has("output")) {
        FileKind::Calibration
    } else if has("cohort") {
        FileKind::Study
    } else {
        FileKind::Scenario
    })
}

/// `pathsim check FILE`: load and validate one file of any kind fully, and say so.
fn check(path: &Path) -> Result<(), CliError> {
    match file_kind(path)? {
        FileKind::Scenario => {
            let sc = scenario::load(path)?;
            println!(
                "{}: ok (scenario {}, {} replicates at scale {})",
                path.display(),
                sc.params.name,
                sc.params.run.replicates,
                sc.params.run.scale
            );
        }
        FileKind::Sweep => {
            let sw = crate::sweep::spec::load(path)?;
            println!(
                "{}: ok (sweep {}, {} design, {} parameters, {} runs x {} replicate(s) at scale {})",
                path.display(),
                sw.name,
                sw.design.plan.kind(),
                sw.factors.len(),
                sw.design.len(),
                sw.base.run.replicates,
                sw.base.run.scale
            );
        }
        FileKind::Study => {
            let st = crate::studies::custom::spec::load(path)?;
            println!(
                "{}: ok (study {}, {} outcome(s), {} condition(s), grouped by {})",
                path.display(),
                st.name,
                st.outcomes.len(),
                st.conditions.len(),
                if st.groups.is_empty() {
                    "nothing".to_string()
                } else {
                    st.groups
                        .iter()
                        .map(|g| g.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            );
        }
        FileKind::Calibration => {
            let cal = crate::calibrate::load(path)?;
            let method = match &cal.file.history_matching {
                Some(h) => format!(
                    "history matching: {} screening trajectories, {} waves of {}, {} importance simulations, {} posterior draws",
                    h.screening_trajectories, h.waves, h.wave_size, h.final_size, h.posterior_size
                ),
                None => {
                    let abc = cal.file.abc_config();
                    format!("ABC-SMC: {} particles x {} generations", abc.particles, abc.generations)
                }
            };
            println!(
                "{}: ok (calibration of {}, {} parameters, {method})",
                path.display(),
                cal.scenario.params.name,
                cal.file.parameters.len(),
            );
        }
    }
    Ok(())
}

/// Say so when results rest on effects of interventions never evaluated.
pub(crate) fn print_assumed_effects(p: &Params) {
    for note in crate::interventions::unevaluated_effects(&p.interventions) {
        println!("note: {note}");
    }
}

/// The year headline tables show: 2024 if observed, else the last year.
pub(crate) fn headline_year(p: &Params) -> i32 {
    (p.run.horizon.year() - 1).min(2024)
}

/// `pathsim docs`: regenerate (or check) the generated documentation.
fn docs(check: bool) -> Result<(), CliError> {
    let root = Path::new(".");
    let files = crate::docs::regenerate(root).map_err(CliError::Input)?;
    let mut stale = Vec::new();
    for (path, committed, generated) in files {
        if committed == generated {
            println!("{}: up to date", path.display());
        } else if check {
            stale.push(path.display().to_string());
        } else {
            crate::output::write_atomic(&path, generated.as_bytes())?;
            println!("{}: rewritten", path.display());
        }
    }
    if !stale.is_empty() {
        return Err(CliError::Input(format!(
            "out of date (run `pathsim docs`): {}",
            stale.join(", ")
        )));
    }
    Ok(())
}
