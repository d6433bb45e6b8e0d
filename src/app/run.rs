//! `pathsim run`: one scenario's replicates, its files and report.

use super::{headline_year, print_assumed_effects, RunOpts};
use crate::error::CliError;
use crate::output;
use crate::run::{self, summarise};
use std::path::{Path, PathBuf};

pub fn run(path: &Path, opts: &RunOpts) -> Result<(), CliError> {
    let sc = opts.load(path)?;
    let pool = opts.pool()?;
    let p = &sc.params;
    let dest = opts
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("outputs").join(&p.name));
    let stage = output::Staging::claim(&dest, opts.force)?;
    let sets = opts.sets(p)?;
    let bar = crate::progress::chunks(run::total_chunks_of(p, &sets), &p.name, opts.quiet);
    let (out, retention) = pool.install(|| {
        run::run_sets_with(p, &sets, &bar, || {
            crate::studies::retention::RetentionCurves::for_params(p)
        })
    });
    bar.finish_and_clear();
    let summary = summarise(out.replicates.iter().map(|r| r.as_slice()));
    let split = crate::ensemble::variance_split(&out.replicates, out.sets);
    let dest = output::write_run_in(
        stage,
        &out,
        &summary,
        &sc.files,
        pool.current_num_threads(),
        |dir, manifest| {
            if !split.is_empty() {
                crate::ensemble::write_split(&dir.join("variance_split.csv"), &split)?;
            }
            crate::report::run_report(dir, &summary, p, manifest, Some(&retention))
        },
    )?;
    if !opts.quiet {
        println!(
            "{}: {} replicates at scale {} in {:.1} s ({:.0} person-years, {} events)",
            p.name,
            out.replicates.len(),
            p.run.scale,
            out.wall_seconds,
            out.person_years,
            out.events
        );
        println!("{}", crate::ensemble::describe(&out));
        print!(
            "{}",
            crate::report::headline_table(&summary, headline_year(p))
        );
        print!("{}", crate::ensemble::split_lines(&split, headline_year(p)));
        print_assumed_effects(p);
        println!(
            "calendar inputs: observed to {}, then the {} projection (calendar.projection)",
            crate::series::variants_differ_from().year() - 1,
            p.calendar.projection.name()
        );
        println!(
            "wrote {}/{{results.csv, summary.csv, manifest.json, scenario.toml, report.html{}}}",
            dest.display(),
            if split.is_empty() {
                ""
            } else {
                ", variance_split.csv"
            }
        );
    }
    Ok(())
}
