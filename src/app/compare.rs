//! `pathsim compare`: a baseline and a scenario on common random numbers.

use super::{headline_year, print_assumed_effects, HistoriesOpts, RunOpts};
use crate::error::CliError;
use crate::output;
use crate::run::{self, summarise};
use anyhow::Context;
use std::path::{Path, PathBuf};

pub fn compare(
    base_path: &Path,
    path: &Path,
    opts: &RunOpts,
    histories: &HistoriesOpts,
) -> Result<(), CliError> {
    let filter = histories.filter()?;
    let base = opts.load(base_path)?;
    let sc = opts.load(path)?;
    check_common_run(base_path, &base.params.run, path, &sc.params.run)?;
    check_appraisal(path, &sc.params)?;
    let pool = opts.pool()?;
    let dest = opts.out.clone().unwrap_or_else(|| {
        PathBuf::from("outputs").join(format!(
            "compare-{}-vs-{}",
            sc.params.name, base.params.name
        ))
    });
    let stage = output::Staging::claim(&dest, opts.force)?;
    // The same posterior draws in both arms, replicate by replicate.
    let base_sets = opts.sets(&base.params)?;
    let sc_sets = opts.sets(&sc.params)?;
    let total =
        run::total_chunks_of(&base.params, &base_sets) + run::total_chunks_of(&sc.params, &sc_sets);
    let bar = crate::progress::chunks(total, "compare", opts.quiet);
    // Each arm's histories in a folder of its own; the same people in both.
    let recorder = |arm: &str| -> Result<Option<crate::microdata::Recorder>, CliError> {
        match &filter {
            Some(f) => Ok(Some(crate::microdata::Recorder {
                filter: f.clone(),
                writer: crate::microdata::Writer::create(&stage.path("histories").join(arm))?,
            })),
            None => Ok(None),
        }
    };
    let (rec_a, rec_c) = (recorder("baseline")?, recorder("scenario")?);
    // The years before the arms part are simulated once; each arm's histories
    // are written in person order, as a run of that arm alone writes them.
    let recorders = match (&rec_a, &rec_c) {
        (Some(x), Some(y)) => Some([x, y]),
        _ => None,
    };
    let (a, c) = pool.install(|| {
        run::run_sets_paired_recorded(
            &base.params,
            &base_sets,
            &sc.params,
            &sc_sets,
            &bar,
            recorders,
        )
    });
    bar.finish_and_clear();
    let written = match (rec_a, rec_c) {
        (Some(x), Some(y)) => Some((x.writer.finish()?, y.writer.finish()?)),
        _ => None,
    };
    let sa = summarise(a.replicates.iter().map(|r| r.as_slice()));
    let sc_sum = summarise(c.replicates.iter().map(|r| r.as_slice()));
    let diffs = run::differences(&a, &c);
    let sd = summarise(diffs.iter().map(|r| r.as_slice()));
    let split = crate::ensemble::variance_split(&diffs, c.sets);
    if !split.is_empty() {
        crate::ensemble::write_split(&stage.path("variance_split.csv"), &split)?;
    }
    // Priced on the scenario's appraisal terms (src/appraisal.rs).
    let value = crate::value_for_money::appraise(
        &a.replicates,
        &c.replicates,
        &c.params.value_for_money,
        c.sets,
    )
    .map_err(CliError::Input)?;
    crate::value_for_money::tables::write_all(
        &stage.path(""),
        &value,
        &crate::interventions::unevaluated_effects(&c.params.interventions),
    )?;
    output::write_differences(&stage.path("differences.csv"), &sa, &sc_sum, &sd)?;
    output::write_results(
        &stage.path("differences_by_replicate.csv"),
        &c.params.name,
        &diffs,
    )?;
    output::write_summary(
        &stage.path("baseline_summary.csv"),
        &a.params.name,
        &sa,
        &a.params.calendar,
    )?;
    output::write_summary(
        &stage.path("scenario_summary.csv"),
        &c.params.name,
        &sc_sum,
        &c.params.calendar,
    )?;
    let threads = pool.current_num_threads();
    let manifest = serde_json::json!({
        "baseline": output::Manifest::new(&a, &base.files, threads, &dest),
        "scenario": output::Manifest::new(&c, &sc.files, threads, &dest),
    });
    let manifest_json = output::manifest_json(&manifest)?;
    std::fs::write(stage.path("manifest.json"), &manifest_json).context("cannot write manifest")?;
    crate::report::compare_report(
        &stage.path(""),
        &sa,
        &sc_sum,
        &sd,
        &a.params,
        &c.params,
        &manifest_json,
        Some(&value),
    )?;
    let dest = stage.commit()?;
    if !opts.quiet {
        println!(
            "{} minus {}: paired differences over {} replicates (common random numbers)",
            c.params.name,
            a.params.name,
            c.replicates.len()
        );
        println!("{}", crate::ensemble::describe(&c));
        let year = headline_year(&c.params).max(c.params.run.horizon.year() - 1);
        print!("{}", crate::report::difference_table(&sa, &sd, year));
        print!("{}", crate::ensemble::split_lines(&split, year));
        println!("value for money:");
        for line in value.reading() {
            println!("  {line}");
        }
        print_assumed_effects(&c.params);
        println!(
            "wrote {}/{{differences.csv, value_for_money.csv, report.html{}}}",
            dest.display(),
            if split.is_empty() {
                ""
            } else {
                ", variance_split.csv"
            }
        );
        if let Some((wa, wc)) = &written {
            let h = dest.join("histories");
            println!("{}", super::histories_line(&h.join("baseline"), wa));
            println!("{}", super::histories_line(&h.join("scenario"), wc));
        }
    }
    Ok(())
}

/// The scenario's appraisal years must lie inside its run (checked when it is
/// loaded only if it sets its own terms): refused before anything runs.
pub(crate) fn check_appraisal(path: &Path, p: &crate::params::Params) -> Result<(), CliError> {
    match p
        .value_for_money
        .check(p.run.observe_from, p.run.last_year())
        .into_iter()
        .next()
    {
        None => Ok(()),
        Some((key, message)) => Err(CliError::Input(format!(
            "{}: key `{key}` {message} (the appraisal's terms are set in [value_for_money])",
            path.display()
        ))),
    }
}

/// Common random numbers pair replicate r of the baseline with replicate r of
/// the scenario: that needs the same seed, replicates, population (scale) and
/// calendar (start, horizon, first observed year). Refuses any difference,
/// naming both files and every key that differs.
pub(crate) fn check_common_run(
    base_path: &Path,
    b: &crate::params::RunParams,
    path: &Path,
    s: &crate::params::RunParams,
) -> Result<(), CliError> {
    let mut differ = Vec::new();
    let mut cmp = |key: &str, x: String, y: String| {
        if x != y {
            differ.push(format!("run.{key} = {x} vs {y}"));
        }
    };
    cmp("seed", b.seed.to_string(), s.seed.to_string());
    cmp(
        "replicates",
        b.replicates.to_string(),
        s.replicates.to_string(),
    );
    cmp("scale", format!("{:?}", b.scale), format!("{:?}", s.scale));
    cmp("start", b.start.to_string(), s.start.to_string());
    cmp("horizon", b.horizon.to_string(), s.horizon.to_string());
    cmp(
        "observe_from",
        b.observe_from.to_string(),
        s.observe_from.to_string(),
    );
    if differ.is_empty() {
        return Ok(());
    }
    Err(CliError::Input(format!(
        "{} and {} must share run.seed, run.replicates, run.scale, run.start, run.horizon and \
         run.observe_from for a paired comparison on common random numbers; they differ in: {}",
        base_path.display(),
        path.display(),
        differ.join(", ")
    )))
}
