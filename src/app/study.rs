//! `pathsim study`: a custom study (TOML) measured on a scenario's histories.

use super::RunOpts;
use crate::error::CliError;
use crate::output;
use crate::studies::custom;
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub fn study(file: &Path, scenario: &Path, opts: &RunOpts) -> Result<(), CliError> {
    let study = Arc::new(custom::spec::load(file)?);
    let sc = opts.load(scenario)?;
    let p = &sc.params;
    let pool = opts.pool()?;
    let dest = opts.out.clone().unwrap_or_else(|| {
        PathBuf::from("outputs").join(format!("study-{}-{}", study.name, p.name))
    });
    let stage = output::Staging::claim(&dest, opts.force)?;
    let sets = opts.sets(p)?;
    let bar = crate::progress::chunks(
        crate::run::total_chunks_of(p, &sets),
        &study.name,
        opts.quiet,
    );
    let started = std::time::Instant::now();
    let counters = pool.install(|| {
        crate::run::replicates_with(p, &sets, &bar, || custom::Counter::new(Arc::clone(&study)))
    });
    bar.finish_and_clear();
    let wall = started.elapsed().as_secs_f64();
    let values: Vec<Vec<custom::Value>> = counters.iter().map(|c| c.values(p.run.scale)).collect();
    let rows = custom::summarise(&values);
    custom::write_summary(&stage.path("study.csv"), &study, &rows)?;
    custom::write_replicates(&stage.path("study_by_replicate.csv"), &study, &values)?;
    let text = crate::input::read_text(file, "study file")?;
    std::fs::write(stage.path("study.toml"), text).context("cannot write study.toml")?;
    std::fs::write(stage.path("scenario.toml"), crate::scenario::to_toml(p))
        .context("cannot write scenario.toml")?;
    let manifest = serde_json::json!({
        "pathsim_version": env!("CARGO_PKG_VERSION"),
        "study": study.name,
        "study_file": file.display().to_string(),
        "scenario": p.name,
        "scenario_files": sc.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
        "seed": p.run.seed,
        "replicates": p.run.replicates,
        "scale": p.run.scale,
        "parameter_sets": sets.len(),
        "threads": pool.current_num_threads(),
        "wall_seconds": wall,
    });
    std::fs::write(
        stage.path("manifest.json"),
        output::manifest_json(&manifest)?,
    )
    .context("cannot write manifest.json")?;
    let dest = stage.commit()?;
    if !opts.quiet {
        println!(
            "{} on {}: {} replicates at scale {} in {:.1} s",
            study.name,
            p.name,
            values.len(),
            p.run.scale,
            wall
        );
        if !study.description.is_empty() {
            println!("{}", study.description);
        }
        println!(
            "intervals: 95% over replicates{}",
            if sets.len() > 1 {
                format!(
                    ", spread over {} posterior parameter sets (Monte Carlo and parameter uncertainty)",
                    sets.len()
                )
            } else {
                " (Monte Carlo noise only)".to_string()
            }
        );
        print!("{}", custom::table(&study, &rows));
        println!(
            "wrote {}/{{study.csv, study_by_replicate.csv, study.toml, scenario.toml, manifest.json}}",
            dest.display()
        );
    }
    Ok(())
}
