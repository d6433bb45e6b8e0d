//! `pathsim targets`: score a scenario against every published figure.

use super::RunOpts;
use crate::error::CliError;
use crate::run;
use crate::studies::{causal, targets};
use anyhow::Context;
use std::path::{Path, PathBuf};

/// `pathsim targets SCENARIO`: run the scenario's replicates through every virtual
/// study, write `targets.csv`, `observed_vs_causal.csv`, `manifest.json` and `report.html`
/// into the output folder, print the table.
///
/// Only these files and their charts (`charts/targets_*.svg`,
/// `charts/observed_vs_causal.svg`) are replaced, each atomically, so the results
/// and report of a `run` of the same scenario in that folder are kept.
pub fn targets(scenario: &Path, opts: &RunOpts) -> Result<(), CliError> {
    let sc = opts.load(scenario)?;
    let pool = opts.pool()?;
    let p = &sc.params;
    // Its own folder beside a run's (a run replaces its folder whole), claimed
    // before the work starts, staged and moved into place whole.
    let dest = opts
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("outputs").join(format!("{}-targets", p.name)));
    let stage = crate::output::Staging::claim(&dest, opts.force)?;
    // Three passes: the scenario's targets, then the NTA cohort with and without
    // treatment's causal effect (observed versus causal).
    let bar = crate::progress::chunks(3 * run::total_chunks(p), &p.name, opts.quiet);
    let started = std::time::Instant::now();
    let results = pool.install(|| targets::evaluate(p, &bar));
    let causal = pool.install(|| causal::observed_vs_causal(p, &bar));
    bar.finish_and_clear();
    let dir = stage.path("");
    targets::write_targets_csv(&stage.path("targets.csv"), &results)?;
    causal::write_csv(&stage.path("observed_vs_causal.csv"), &causal)?;
    // The manifest: enough to repeat the scoring.
    let manifest = serde_json::json!({
        "scenario": p.name,
        "scenario_files": sc.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
        "seed": p.run.seed,
        "replicates": p.run.replicates,
        "scale": p.run.scale,
        "threads": pool.current_num_threads(),
        "wall_seconds": started.elapsed().as_secs_f64(),
        "outputs": ["targets.csv", "observed_vs_causal.csv", "manifest.json", crate::report::targets_html::FILE, "charts/"],
        "assumed_effects": crate::interventions::unevaluated_effects(&p.interventions),
        "parameters": p,
    });
    let manifest_json = crate::output::manifest_json(&manifest)?;
    std::fs::write(stage.path("manifest.json"), &manifest_json).context("cannot write manifest")?;
    crate::report::targets_report(&dir, &results, &causal, p, &manifest_json)?;
    let dest = stage.commit()?;
    let path = dest.join("targets.csv");
    let causal_path = dest.join("observed_vs_causal.csv");
    let report_path = dest.join(crate::report::targets_html::FILE);
    if !opts.quiet {
        println!(
            "{}: {} replicates at scale {} in {:.1} s",
            p.name,
            p.run.replicates,
            p.run.scale,
            started.elapsed().as_secs_f64()
        );
        print!("{}", targets::table(&results));
        println!();
        print!("{}", causal::table(&causal));
        println!(
            "wrote {}, {} and {}",
            path.display(),
            causal_path.display(),
            report_path.display()
        );
    }
    Ok(())
}
