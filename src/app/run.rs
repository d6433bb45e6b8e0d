//! `pathsim run`: one scenario's replicates, its files and report.

use super::{headline_year, print_assumed_effects, HistoriesOpts, RunOpts};
use crate::error::CliError;
use crate::output;
use crate::run::{self, summarise};
use std::path::{Path, PathBuf};

pub fn run(path: &Path, opts: &RunOpts, histories: &HistoriesOpts) -> Result<(), CliError> {
    let sc = opts.load(path)?;
    let filter = histories.filter()?;
    let pool = opts.pool()?;
    let p = &sc.params;
    let dest = opts
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("outputs").join(&p.name));
    let stage = output::Staging::claim(&dest, opts.force)?;
    let sets = opts.sets(p)?;
    let bar = crate::progress::chunks(run::total_chunks_of(p, &sets), &p.name, opts.quiet);
    let recorder = match filter {
        Some(filter) => Some(crate::microdata::Recorder {
            filter,
            writer: crate::microdata::Writer::create(&stage.path("histories"))?,
        }),
        None => None,
    };
    let (out, retention) = pool.install(|| {
        run::run_sets_recorded(
            p,
            &sets,
            &bar,
            || crate::studies::retention::RetentionCurves::for_params(p),
            recorder.as_ref(),
        )
    });
    bar.finish_and_clear();
    let written = match recorder {
        Some(r) => Some(r.writer.finish()?),
        None => None,
    };
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
        if let Some(w) = &written {
            println!("{}", super::histories_line(&dest.join("histories"), w));
        }
    }
    Ok(())
}
