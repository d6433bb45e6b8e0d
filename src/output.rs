//! Output files. Everything for one run is written into a temporary folder beside
//! the destination and renamed into place at the end, so a crash or an error never
//! leaves a half-written file where a finished one is expected.

use crate::metrics::Row;
use crate::run::{RunOutput, Summary};
use anyhow::{Context, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// A folder being written; [`Staging::commit`] moves it into place.
pub struct Staging {
    tmp: PathBuf,
    dest: PathBuf,
}

impl Staging {
    pub fn new(dest: &Path) -> Result<Staging> {
        let parent = dest.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp)?;
        }
        std::fs::create_dir_all(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        Ok(Staging {
            tmp,
            dest: dest.to_path_buf(),
        })
    }
    /// Path of a file inside the staging folder.
    pub fn path(&self, file: &str) -> PathBuf {
        self.tmp.join(file)
    }
    /// Replace the destination folder with the staged one.
    pub fn commit(self) -> Result<PathBuf> {
        let old = self.dest.with_file_name(format!(
            ".{}.old-{}",
            self.dest.file_name().unwrap_or_default().to_string_lossy(),
            std::process::id()
        ));
        if self.dest.exists() {
            std::fs::rename(&self.dest, &old)
                .with_context(|| format!("cannot move aside {}", self.dest.display()))?;
        }
        std::fs::rename(&self.tmp, &self.dest)
            .with_context(|| format!("cannot move output into {}", self.dest.display()))?;
        if old.exists() {
            std::fs::remove_dir_all(&old).ok();
        }
        Ok(self.dest.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.tmp.exists() {
            std::fs::remove_dir_all(&self.tmp).ok();
        }
    }
}

/// Write one file atomically (temporary name, then rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot rename to {}", path.display()))?;
    Ok(())
}

/// Format a float so that equal values always print identically.
fn num(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{v:.1}")
    } else {
        format!("{v}")
    }
}

/// `results.csv`: scenario, replicate, metric, group, period, value.
pub fn write_results(path: &Path, scenario: &str, replicates: &[Vec<Row>]) -> Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record([
        "scenario",
        "replicate",
        "metric",
        "group",
        "period",
        "value",
    ])?;
    for (r, rows) in replicates.iter().enumerate() {
        for row in rows {
            w.write_record([
                scenario,
                &r.to_string(),
                row.metric.name(),
                &row.group,
                &row.period.to_string(),
                &num(row.value),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

/// `summary.csv`: scenario, metric, group, period, mean, lo95, hi95, n.
pub fn write_summary(path: &Path, scenario: &str, summary: &[Summary]) -> Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record([
        "scenario", "metric", "group", "period", "mean", "lo95", "hi95", "n",
    ])?;
    for s in summary {
        w.write_record([
            scenario,
            s.metric.name(),
            &s.group,
            &s.period.to_string(),
            &num(s.mean),
            &num(s.lo95),
            &num(s.hi95),
            &s.n.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// What `manifest.json` records: enough to repeat the run exactly.
#[derive(Serialize)]
pub struct Manifest<'a> {
    pub pathsim_version: &'static str,
    pub command_line: Vec<String>,
    pub scenario: &'a str,
    pub scenario_files: Vec<String>,
    pub seed: u64,
    pub replicates: u32,
    pub scale: f64,
    pub threads: usize,
    pub wall_seconds: f64,
    pub people_simulated: u64,
    pub person_years_simulated: f64,
    pub events_simulated: u64,
    pub outputs: Vec<&'static str>,
    /// Repeat with: pathsim run <output folder>/scenario.toml
    pub repeat_with: String,
    /// Effects of interventions the UKDPC review found unevaluated that this
    /// scenario sets: results that depend on them rest on an assumption.
    pub assumed_effects: Vec<String>,
    pub parameters: &'a crate::params::Params,
}

impl<'a> Manifest<'a> {
    pub fn new(out: &'a RunOutput, files: &[PathBuf], threads: usize, dest: &Path) -> Manifest<'a> {
        Manifest {
            pathsim_version: env!("CARGO_PKG_VERSION"),
            command_line: std::env::args().collect(),
            scenario: &out.params.name,
            scenario_files: files.iter().map(|f| f.display().to_string()).collect(),
            seed: out.params.run.seed,
            replicates: out.params.run.replicates,
            scale: out.params.run.scale,
            threads,
            wall_seconds: out.wall_seconds,
            people_simulated: out.people,
            person_years_simulated: out.person_years,
            events_simulated: out.events,
            outputs: vec![
                "results.csv",
                "summary.csv",
                "manifest.json",
                "scenario.toml",
                "report.html",
                "charts/",
            ],
            repeat_with: format!("pathsim run {}", dest.join("scenario.toml").display()),
            assumed_effects: crate::interventions::unevaluated_effects(&out.params.interventions),
            parameters: &out.params,
        }
    }
}

/// Write results, summary, manifest and the resolved scenario for one run, then
/// whatever `extra` adds (given the staging folder and the manifest JSON), and
/// move the folder into place.
pub fn write_run(
    dest: &Path,
    out: &RunOutput,
    summary: &[Summary],
    files: &[PathBuf],
    threads: usize,
    extra: impl FnOnce(&Path, &str) -> Result<()>,
) -> Result<PathBuf> {
    let stage = Staging::new(dest)?;
    let name = &out.params.name;
    write_results(&stage.path("results.csv"), name, &out.replicates)?;
    write_summary(&stage.path("summary.csv"), name, summary)?;
    std::fs::write(
        stage.path("scenario.toml"),
        crate::scenario::to_toml(&out.params),
    )?;
    let manifest = Manifest::new(out, files, threads, dest);
    let manifest_json = serde_json::to_string_pretty(&manifest)?;
    std::fs::write(stage.path("manifest.json"), &manifest_json)?;
    extra(&stage.path(""), &manifest_json)?;
    stage.commit()
}

/// `differences.csv` of a comparison: both means and the paired difference.
pub fn write_differences(
    path: &Path,
    base: &[Summary],
    scenario: &[Summary],
    diff: &[Summary],
) -> Result<()> {
    use std::collections::HashMap;
    let key = |s: &Summary| (s.metric, s.group.clone(), s.period);
    let b: HashMap<_, f64> = base.iter().map(|s| (key(s), s.mean)).collect();
    let c: HashMap<_, f64> = scenario.iter().map(|s| (key(s), s.mean)).collect();
    let mut w = csv::Writer::from_path(path)?;
    w.write_record([
        "metric",
        "group",
        "period",
        "baseline_mean",
        "scenario_mean",
        "difference_mean",
        "difference_lo95",
        "difference_hi95",
        "relative_difference",
        "n",
    ])?;
    for d in diff {
        let k = key(d);
        let (bm, sm) = (
            b.get(&k).copied().unwrap_or(f64::NAN),
            c.get(&k).copied().unwrap_or(f64::NAN),
        );
        let rel = if bm != 0.0 { d.mean / bm } else { f64::NAN };
        w.write_record([
            d.metric.name(),
            &d.group,
            &d.period.to_string(),
            &num(bm),
            &num(sm),
            &num(d.mean),
            &num(d.lo95),
            &num(d.hi95),
            &if rel.is_finite() {
                num(rel)
            } else {
                String::new()
            },
            &d.n.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}
