//! `pathsim lesson`: a ready-made classroom lesson.

use crate::error::CliError;
use clap::Args;
use std::path::PathBuf;

/// Run a ready-made classroom lesson and write a one-page report.
#[derive(Args, Debug, Clone, Default)]
pub struct LessonArgs {
    /// The lesson to run (see --list).
    pub name: Option<String>,
    /// List the lessons with a one-line description each.
    #[arg(long)]
    pub list: bool,
    /// Output folder (default: outputs/lesson-<name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an --out folder that is not a pathsim output (its contents are lost).
    #[arg(long)]
    pub force: bool,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Only print where the page was written.
    #[arg(long, short)]
    pub quiet: bool,
    /// Override the scale of every lesson scenario (for quick tests).
    #[arg(long, hide = true)]
    pub scale: Option<f64>,
    /// Override the replicates of every lesson scenario (for quick tests).
    #[arg(long, hide = true)]
    pub replicates: Option<u32>,
    /// Posterior parameter sets the replicates are spread over (at least 2
    /// replicates each), so intervals carry parameter uncertainty too.
    #[arg(long, default_value_t = 5)]
    pub draws: u32,
    /// The point estimate only: intervals are Monte Carlo noise.
    #[arg(long)]
    pub point: bool,
}

pub fn lesson(args: &LessonArgs) -> Result<(), CliError> {
    crate::lesson::run_lesson(&crate::lesson::LessonArgs {
        name: args.name.clone(),
        list: args.list,
        out: args.out.clone(),
        force: args.force,
        threads: args.threads,
        quiet: args.quiet,
        scale: args.scale,
        replicates: args.replicates,
        draws: if args.point { 0 } else { args.draws },
    })
}
