//! Output files. Everything for one run is written into a temporary folder beside
//! the destination and renamed into place at the end, so a crash or an error never
//! leaves a half-written file where a finished one is expected.

use crate::metrics::Row;
use crate::run::{RunOutput, Summary};
use anyhow::{Context, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The longest scenario name, in bytes: names become folder names, and derived
/// folder names (`compare-<a>-vs-<b>`, staging folders) must stay within the
/// 255-byte limit of common file systems.
pub const MAX_NAME_LEN: usize = 100;

/// Check that a scenario name can name its output folder `outputs/<name>`: a
/// single, visible path component. Returns why not, as a phrase to follow "key
/// `name`".
pub fn check_name(name: &str) -> Result<(), String> {
    let why = if name.is_empty() {
        "must not be empty".to_string()
    } else if name == "." || name == ".." {
        format!("must not be `{name}`")
    } else if name.contains(['/', '\\']) {
        format!("must not contain `/` or `\\`, got {name:?}")
    } else if name.chars().any(char::is_control) {
        format!("must not contain control characters, got {name:?}")
    } else if name.starts_with('.') {
        format!("must not start with a dot (a hidden folder), got {name:?}")
    } else if name.len() > MAX_NAME_LEN {
        format!(
            "must be at most {MAX_NAME_LEN} bytes long, got {} bytes",
            name.len()
        )
    } else {
        return Ok(());
    };
    Err(format!(
        "{why}: it names the output folder outputs/<name>, so it must be one plain \
         folder name such as `retention_improved`"
    ))
}

/// [`check_name`] as a scenario error pointing where the name was set: the last
/// `--set name=...` override, else the file's `name` key (`at`), else the file
/// name it defaults to.
pub fn check_scenario_name(
    name: &str,
    file: &Path,
    at: Option<crate::error::Location>,
    overrides: &[String],
) -> Result<(), crate::error::ScenarioError> {
    use crate::error::{Location, ScenarioError};
    let Err(why) = check_name(name) else {
        return Ok(());
    };
    let set = overrides
        .iter()
        .rev()
        .find(|a| a.split_once('=').is_some_and(|(k, _)| k.trim() == "name"));
    Err(match (set, at) {
        (Some(assignment), _) => ScenarioError::Override {
            assignment: assignment.clone(),
            message: format!("key `name` {why}"),
        },
        (None, Some(at)) => ScenarioError::Invalid {
            at,
            key: "name".into(),
            message: why,
        },
        (None, None) => ScenarioError::Invalid {
            at: Location {
                file: file.to_path_buf(),
                line: 0,
                column: 0,
            },
            key: "name".into(),
            message: format!("(taken from the file name) {why}; set `name = \"...\"` in the file"),
        },
    })
}

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
                row.metric,
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
            s.metric,
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
            assumed_effects: crate::interventions::unevaluated_effects(&out.params),
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
            d.metric,
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

/// Headline metrics for the terminal: (metric, group) pairs and a year.
pub const HEADLINES: &[(&str, &str, &str)] = &[
    ("active_offenders", "all", "Active offenders (person-years)"),
    ("arrests", "all", "Arrests"),
    ("positive_test_rate", "all", "Tests positive (share)"),
    ("treatment_starts", "all", "Treatment starts"),
    ("completion_share", "all", "Completions among exits (share)"),
    ("order_starts", "drr", "DRR starts"),
    ("custody_receptions", "all", "Custody receptions"),
    ("deaths", "all", "Deaths"),
    (
        "proven_reoffending_rate",
        "all",
        "Proven reoffending (share)",
    ),
];

fn fmt_value(v: f64) -> String {
    if v.abs() < 10.0 {
        format!("{v:.3}")
    } else {
        crate::report::thousands(v)
    }
}

/// The latest year at or before `year` for which a metric has a value.
fn pick<'a>(summary: &'a [Summary], metric: &str, group: &str, year: i32) -> Option<&'a Summary> {
    summary
        .iter()
        .filter(|s| s.metric == metric && s.group == group && s.period <= year)
        .max_by_key(|s| s.period)
}

/// A small table of headline metrics (mean and 95% interval) for the terminal.
pub fn headline_table(summary: &[Summary], year: i32) -> String {
    let mut out = format!(
        "{:<34} {:>6} {:>14} {:>27}\n",
        "headline", "year", "mean", "95% interval"
    );
    for (metric, group, label) in HEADLINES {
        if let Some(s) = pick(summary, metric, group, year) {
            out.push_str(&format!(
                "{:<34} {:>6} {:>14} {:>27}\n",
                label,
                s.period,
                fmt_value(s.mean),
                format!("[{}, {}]", fmt_value(s.lo95), fmt_value(s.hi95))
            ));
        }
    }
    out
}

/// Headline differences (scenario minus baseline) for the terminal.
pub fn difference_table(base: &[Summary], diff: &[Summary], year: i32) -> String {
    let mut out = format!(
        "{:<34} {:>6} {:>14} {:>14} {:>27}\n",
        "headline", "year", "baseline", "difference", "95% interval"
    );
    for (metric, group, label) in HEADLINES {
        if let (Some(b), Some(d)) = (
            pick(base, metric, group, year),
            pick(diff, metric, group, year),
        ) {
            out.push_str(&format!(
                "{:<34} {:>6} {:>14} {:>14} {:>27}\n",
                label,
                d.period,
                fmt_value(b.mean),
                fmt_value(d.mean),
                format!("[{}, {}]", fmt_value(d.lo95), fmt_value(d.hi95))
            ));
        }
    }
    out
}
