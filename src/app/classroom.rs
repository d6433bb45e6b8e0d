//! `pathsim classroom`: the live classroom page.

use crate::classroom::server::{serve, Classroom, Listen};
use crate::error::CliError;
use clap::Args;
use std::net::IpAddr;
use std::path::PathBuf;

/// Serve the live classroom page: sliders that re-run a small paired simulation.
#[derive(Args, Debug, Clone)]
pub struct ClassroomArgs {
    /// Address to listen on: 127.0.0.1 (this computer only) or 0.0.0.0 (also
    /// students' browsers on the same network).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Port to listen on (0: any free port; the address is printed).
    #[arg(long, default_value_t = 8765)]
    pub port: u16,
    /// The world the sliders change (default: scenarios/lessons/classroom.toml).
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Override the scenario's scale (real people per simulated person): larger
    /// is faster and noisier.
    #[arg(long)]
    pub scale: Option<f64>,
    /// Override the scenario's replicates per change.
    #[arg(long)]
    pub replicates: Option<u32>,
    /// Posterior parameter sets the replicates are spread over (at least 2
    /// replicates each), so intervals carry parameter uncertainty too.
    #[arg(long, default_value_t = 4)]
    pub draws: u32,
    /// The point estimate only: intervals are Monte Carlo noise.
    #[arg(long)]
    pub point: bool,
    /// Print only the address.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn classroom(args: &ClassroomArgs) -> Result<(), CliError> {
    let file = args
        .scenario
        .clone()
        .unwrap_or_else(|| crate::lesson::lesson_file("classroom.toml"));
    let sc = crate::scenario::Overrides {
        scale: args.scale,
        replicates: args.replicates,
        ..Default::default()
    }
    .load(&file)?;
    let draws = if args.point { 0 } else { args.draws };
    let sets = crate::ensemble::parameter_sets(&sc.params, draws, &crate::ensemble::posterior())
        .map_err(CliError::Input)?;
    let pool = crate::engine::thread_pool(args.threads)?;
    serve(
        Classroom::new(sc.params, sets, pool),
        &Listen {
            bind: args.bind,
            port: args.port,
            quiet: args.quiet,
        },
    )
}
