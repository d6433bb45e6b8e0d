//! Output files and folders. Everything one command writes goes into a staging
//! folder beside the destination (`.NAME.tmp-PID`), is flushed to disk and is
//! swapped into place in one atomic step, so a crash or an error never leaves a
//! half-written folder, or none, where a finished one is expected. A lock file
//! beside the destination (`.NAME.lock`) keeps a second pathsim process from
//! writing the same folder; the next writer removes what killed ones left.
//!
//! A scenario name names its folder, `outputs/<name>`, so it must be one plain
//! path component ([`crate::scenario::check_name`]); `--out` replaces only folders pathsim wrote
//! ([`MARKER`]) unless `--force`.

use crate::error::CliError;
use crate::metrics::Row;
use crate::run::{RunOutput, Summary};
use anyhow::{Context, Result};
use serde::Serialize;
use std::ffi::{OsStr, OsString};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// The marker file in every output folder pathsim writes. `--out` replaces an
/// existing folder only if it has this marker (or a pathsim `manifest.json`, or
/// a sweep journal), or is empty, unless `--force` is given.
pub const MARKER: &str = ".pathsim-output";

/// Whether a folder is one pathsim wrote (so replacing it loses nothing of the
/// user's): it has the marker, a `manifest.json` or `sweep.json` with a
/// `pathsim_version` (folders written before the marker), a sweep journal, or
/// nothing at all.
pub fn is_pathsim_output(dir: &Path) -> bool {
    if dir.join(MARKER).is_file() {
        return true;
    }
    let by_pathsim = |file: &str| {
        std::fs::metadata(dir.join(file)).is_ok_and(|m| m.is_file() && m.len() < 1 << 30)
            && std::fs::read(dir.join(file))
                .ok()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                .is_some_and(|v| v.get("pathsim_version").is_some())
    };
    if by_pathsim("manifest.json") || by_pathsim("sweep.json") {
        return true;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let mut empty = true;
    for e in entries.flatten() {
        empty = false;
        let name = e.file_name().to_string_lossy().into_owned();
        // A sweep's journal or shard file (`runs.journal.csv`, `runs.shard-I-of-N.csv`).
        let sweep_file = name == "runs.journal.csv"
            || (name.starts_with("runs.shard-") && name.ends_with(".csv"));
        if sweep_file {
            let mut head = [0u8; 16];
            let n = std::fs::File::open(e.path())
                .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
                .unwrap_or(0);
            if head[..n].starts_with(b"# pathsim sweep ") {
                return true;
            }
        }
    }
    empty
}

/// Refuse a destination that pathsim must not replace: a file (always), or a
/// folder (or link) that is not a pathsim output (unless `force`).
fn check_destination(dest: &Path, force: bool) -> Result<(), CliError> {
    let meta = match std::fs::symlink_metadata(dest) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(anyhow::Error::new(e)
                .context(format!("cannot inspect {}", dest.display()))
                .into())
        }
    };
    if meta.is_dir() {
        if force || is_pathsim_output(dest) {
            return Ok(());
        }
        let entries = std::fs::read_dir(dest).map(|d| d.count()).unwrap_or(0);
        return Err(CliError::Input(format!(
            "{} exists and is not a pathsim output (it has no {MARKER} file or pathsim \
             manifest.json); writing the output there could delete or overwrite the {entries} file(s) or \
             folder(s) in it. Use another --out, or pass --force to replace it",
            dest.display()
        )));
    }
    if meta.file_type().is_symlink() {
        if force {
            return Ok(());
        }
        return Err(CliError::Input(format!(
            "{} is a symbolic link, not a pathsim output folder; writing the output would \
             replace the link. Use another --out, or pass --force to replace it",
            dest.display()
        )));
    }
    Err(CliError::Input(format!(
        "{} is a file, not an output folder; pathsim never replaces a file with its output \
         (not even with --force). Use another --out",
        dest.display()
    )))
}

/// The folder a destination lies in ("." for a bare name) and its last component,
/// which must be a plain name (not `.`, `..` or a root).
fn split_destination(dest: &Path) -> Result<(PathBuf, OsString), CliError> {
    match dest.components().next_back() {
        Some(Component::Normal(name)) => {
            let parent = dest
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            Ok((parent.to_path_buf(), name.to_os_string()))
        }
        _ => Err(CliError::Input(format!(
            "cannot write output to `{}`: give a folder name, e.g. --out outputs/my-run",
            dest.display()
        ))),
    }
}

/// `.NAME<suffix>` beside the destination.
fn beside(parent: &Path, name: &OsStr, suffix: &str) -> PathBuf {
    let mut s = OsString::from(".");
    s.push(name);
    s.push(suffix);
    parent.join(s)
}

/// Take the exclusive advisory lock `.NAME.lock` beside a destination, or refuse
/// at once if another process holds it. The lock file is left in place (deleting
/// it would let two processes lock different files); the lock ends with the process.
fn lock_destination(parent: &Path, name: &OsStr, dest: &Path) -> Result<File, CliError> {
    let path = beside(parent, name, ".lock");
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("cannot open the lock file {}", path.display()))?;
    match fs4::FileExt::try_lock(&file) {
        Ok(()) => Ok(file),
        Err(fs4::TryLockError::WouldBlock) => Err(CliError::Input(format!(
            "another pathsim process is writing {} (it holds the lock {}); wait for it to \
             finish, or use another --out",
            dest.display(),
            path.display()
        ))),
        Err(fs4::TryLockError::Error(e)) => Err(anyhow::Error::new(e)
            .context(format!("cannot lock {}", path.display()))
            .into()),
    }
}

/// Remove what killed writers left beside the destination: `.NAME.tmp-PID`
/// (unfinished staging folders) and `.NAME.old-PID` (old versions moved aside by
/// the portable commit, or by earlier pathsim versions). Called with the lock held,
/// so no live pathsim process owns them. If the destination is missing and an old
/// version is there (a kill between the two renames of a portable commit), the
/// newest old version is put back first.
fn clean_stale(parent: &Path, name: &OsStr, dest: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefix = beside(Path::new(""), name, ".");
    let prefix = prefix.to_string_lossy().into_owned();
    let mut stale = Vec::new();
    let mut old = Vec::new();
    for e in entries.flatten() {
        let file_name = e.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let (kind, pid) = match rest.split_once('-') {
            Some((kind @ ("tmp" | "old"), pid)) => (kind, pid),
            _ => continue,
        };
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let modified = e.metadata().and_then(|m| m.modified()).ok();
        if kind == "old" {
            old.push((modified, e.path()));
        } else {
            stale.push(e.path());
        }
    }
    if std::fs::symlink_metadata(dest).is_err() {
        old.sort();
        if let Some((_, newest)) = old.pop() {
            if std::fs::rename(&newest, dest).is_ok() {
                eprintln!(
                    "note: restored {} from {}, left by a pathsim process that was killed",
                    dest.display(),
                    newest.display()
                );
            }
        }
    }
    for path in stale.into_iter().chain(old.into_iter().map(|(_, p)| p)) {
        remove_any(&path);
    }
}

/// Remove a folder tree, file or link; errors are ignored.
fn remove_any(path: &Path) {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(path).ok(),
        Ok(_) => std::fs::remove_file(path).ok(),
        Err(_) => None,
    };
}

/// Flush a folder's entries to disk, so that files and renames in it survive a
/// crash (a no-op where folders cannot be opened, as on Windows).
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        d.sync_all().ok();
    }
}

/// Flush every file under `dir` to disk, then every folder, deepest first.
fn sync_tree(dir: &Path) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let t = e.file_type()?;
        if t.is_dir() {
            sync_tree(&e.path())?;
        } else if t.is_file() {
            File::open(e.path())?.sync_all()?;
        }
    }
    sync_dir(dir);
    Ok(())
}

/// Swap the folders at `a` and `b` in one atomic step (Linux 3.15+).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let a = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let b = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths that outlive the call;
    // AT_FDCWD resolves relative paths from the working folder.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Put the complete folder `new` at `dest`. Returns where the old version now is
/// (to be removed), if there was one. On Linux the two are swapped atomically, so
/// `dest` always holds a complete version; elsewhere (or on a file system without
/// the exchange) the old version is moved aside to `old` first, and a crash
/// between the two renames is repaired by the next writer ([`clean_stale`]).
fn swap_into_place(new: &Path, dest: &Path, old: &Path) -> std::io::Result<Option<PathBuf>> {
    if std::fs::symlink_metadata(dest).is_err() {
        std::fs::rename(new, dest)?;
        return Ok(None);
    }
    #[cfg(target_os = "linux")]
    match exchange(new, dest) {
        Ok(()) => return Ok(Some(new.to_path_buf())),
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(libc::EINVAL | libc::ENOSYS | libc::ENOTSUP)
            ) => {}
        Err(e) => return Err(e),
    }
    std::fs::rename(dest, old)?;
    if let Err(e) = std::fs::rename(new, dest) {
        std::fs::rename(old, dest).ok();
        return Err(e);
    }
    Ok(Some(old.to_path_buf()))
}

/// A folder being written, beside its destination, under the destination's lock;
/// [`Staging::commit`] puts it in place.
pub struct Staging {
    tmp: PathBuf,
    dest: PathBuf,
    parent: PathBuf,
    name: OsString,
    _lock: File,
}

impl Staging {
    /// Claim `dest` for writing, before any work starts: refuse a file, or a
    /// folder that is not a pathsim output unless `force`; take the destination's
    /// lock (refusing if another pathsim process holds it); remove what killed
    /// writers left beside it; start an empty staging folder holding the marker.
    pub fn claim(dest: &Path, force: bool) -> Result<Staging, CliError> {
        let (parent, name) = split_destination(dest)?;
        check_destination(dest, force)?;
        std::fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let lock = lock_destination(&parent, &name, dest)?;
        clean_stale(&parent, &name, dest);
        // Again under the lock: another process may have written it meanwhile.
        check_destination(dest, force)?;
        let tmp = beside(&parent, &name, &format!(".tmp-{}", std::process::id()));
        std::fs::create_dir(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        let stage = Staging {
            tmp,
            dest: dest.to_path_buf(),
            parent,
            name,
            _lock: lock,
        };
        std::fs::write(
            stage.path(MARKER),
            format!(
                "Written by pathsim {}. pathsim replaces this folder whole when it writes this \
                 output again.\n",
                env!("CARGO_PKG_VERSION")
            ),
        )
        .with_context(|| format!("cannot write {}", stage.path(MARKER).display()))?;
        Ok(stage)
    }
    /// Where the output goes.
    pub fn dest(&self) -> &Path {
        &self.dest
    }
    /// Path of a file inside the staging folder.
    pub fn path(&self, file: &str) -> PathBuf {
        self.tmp.join(file)
    }
    /// Replace the destination with the staged folder: flush every file and
    /// folder to disk, swap the folder into place atomically, flush the parent,
    /// then remove the old version. At every instant the destination is either
    /// the complete old version or the complete new one.
    pub fn commit(self) -> Result<PathBuf> {
        sync_tree(&self.tmp).with_context(|| format!("cannot flush {}", self.tmp.display()))?;
        let old = beside(
            &self.parent,
            &self.name,
            &format!(".old-{}", std::process::id()),
        );
        let previous = swap_into_place(&self.tmp, &self.dest, &old)
            .with_context(|| format!("cannot move output into {}", self.dest.display()))?;
        sync_dir(&self.parent);
        if let Some(previous) = previous {
            remove_any(&previous);
        }
        Ok(self.dest.clone())
        // The lock is released when `self` is dropped, after the swap.
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // Unfinished (an error before commit), or the old version after an
        // exchange whose removal failed.
        remove_any(&self.tmp);
    }
}

/// Claim a folder that a command writes into file by file (a sweep): refuse a
/// file, or a folder that is not a pathsim output unless `force`; create it with
/// the marker if needed.
pub fn claim_folder(dir: &Path, force: bool) -> Result<(), CliError> {
    split_destination(dir)?;
    check_destination(dir, force)?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let marker = dir.join(MARKER);
    if !marker.exists() {
        // Its presence is what counts: written in place, so processes claiming
        // the folder at once (shards) never see it half there.
        std::fs::write(
            &marker,
            format!(
                "Written by pathsim {}: a sweep's journals and outputs.\n",
                env!("CARGO_PKG_VERSION")
            ),
        )
        .with_context(|| format!("cannot write {}", marker.display()))?;
    }
    Ok(())
}

/// Write one file atomically: a temporary name, flushed to disk, then renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut f = File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    drop(f);
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

/// The data dictionary written beside every results file.
pub const CODEBOOK: &str = "codebook.csv";

/// The header of `codebook.csv`.
pub const CODEBOOK_HEADER: [&str; 4] = ["metric", "group", "unit", "definition"];

/// What a metric's groups are, in words.
fn grouping_words(g: crate::metrics::Grouping) -> &'static str {
    use crate::metrics::Grouping;
    match g {
        Grouping::Substance => "main problem substance group",
        Grouping::Route => "treatment referral route",
        Grouping::Order => "community order type",
        Grouping::Custody => "custody kind",
        Grouping::Sentence => "sentence type",
        Grouping::Scheme => "intervention scheme",
        Grouping::Offence => "offence group",
        Grouping::Disposal => "police disposal of an arrest",
        Grouping::Length => "custodial sentence length band",
        Grouping::Index => "what put the offender in the proven-reoffending cohort (adults)",
        Grouping::Priors => {
            "previous proven offences at the event (cohort entry, or treatment start)"
        }
        Grouping::Age => "age band at the event (Ministry of Justice bands)",
        Grouping::Sex => "sex",
        Grouping::Modality => "treatment modality",
        Grouping::Cause => "cause of death",
        Grouping::ReleaseWeeks => "weeks since release from custody",
        Grouping::TreatmentStatus => "treatment status at death",
        Grouping::Setting => "treatment modality and setting (community or prison)",
        Grouping::Health => {
            "health state (custody, treatment by modality, using, abstinent, no problem use)"
        }
    }
}

/// A metric's definition for one of its groups, from its declaration.
pub fn metric_definition(def: &crate::metrics::MetricDef, group: &str) -> String {
    use crate::metrics::Kind;
    let what = match def.kind {
        Kind::Count => format!(
            "count of {} in the calendar year (period), scaled to real people (simulated count x scale)",
            def.unit
        ),
        Kind::PersonYears => {
            "time spent in the state during the calendar year (period), as real person-years".to_string()
        }
        Kind::Thousandths => format!(
            "expected count of {} in the calendar year (period): the integral of each person's offence rate, scaled to real people",
            def.unit
        ),
        Kind::Ratio(n, d) => {
            let (n, d) = (crate::metrics::METRICS[n].name, crate::metrics::METRICS[d].name);
            if def.unit == "share" {
                format!("{n} / {d} in the calendar year (period): a share from 0 to 1, not a percentage")
            } else {
                format!("{n} / {d} in the calendar year (period), in {}", def.unit)
            }
        }
    };
    let who = if group == "all" {
        format!("all {}s together", grouping_words(def.grouping))
    } else {
        format!("{} {group}", grouping_words(def.grouping))
    };
    format!("{}: {what}; {who}", def.label)
}

/// Rows of the metrics codebook: one per metric and each of its groups ("all"
/// last), in output order, from the declarations in [`crate::metrics::METRICS`].
pub fn metric_codebook_rows() -> Vec<[String; 4]> {
    let mut rows = Vec::new();
    for def in crate::metrics::METRICS {
        let mut groups = def.grouping.names();
        groups.push("all");
        for g in groups {
            rows.push([
                def.name.to_string(),
                g.to_string(),
                def.unit.to_string(),
                metric_definition(def, g),
            ]);
        }
    }
    rows
}

/// Write a codebook (header [`CODEBOOK_HEADER`]) with these rows.
pub fn write_codebook(path: &Path, rows: &[[String; 4]]) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CODEBOOK_HEADER)?;
    for r in rows {
        w.write_record(r)?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// Write the metrics codebook into the folder of a results file.
fn codebook_beside(path: &Path) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    write_codebook(&dir.join(CODEBOOK), &metric_codebook_rows())
}

/// How to read a seed exactly, for manifests and codebooks.
pub const SEED_NOTE: &str = "Seeds are unsigned 64-bit integers (below 2^63): read them as 64-bit integers or \
     as text (R: colClasses = c(seed = \"character\") or bit64; readr: col_character(); pandas reads int64 \
     exactly). Readers that parse numbers as doubles (R read.csv by default, Excel, JavaScript) change seeds \
     above 2^53 and so name a different run; seed_text and seeds.json give them as strings.";

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
    codebook_beside(path)
}

/// `summary.csv`: scenario, metric, group, period, mean, lo95, hi95, n, and
/// `inputs`: whether the year's calendar inputs are observed or which
/// projection variant the year rests on.
pub fn write_summary(
    path: &Path,
    scenario: &str,
    summary: &[Summary],
    calendar: &crate::series::CalendarParams,
) -> Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record([
        "scenario", "metric", "group", "period", "mean", "lo95", "hi95", "n", "inputs",
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
            &crate::series::inputs_label(calendar, s.period),
        ])?;
    }
    w.flush()?;
    codebook_beside(path)
}

/// The one manifest builder: every `manifest.json` (and a sweep's `sweep.json`)
/// starts with the version of pathsim that wrote it and its command line, then
/// holds the command's own record `body` (a JSON object).
pub fn manifest_json(body: impl Serialize) -> Result<String> {
    let mut value = serde_json::to_value(body).context("manifest")?;
    let object = value
        .as_object_mut()
        .context("a manifest body is a JSON object")?;
    object.insert(
        "pathsim_version".into(),
        serde_json::Value::from(env!("CARGO_PKG_VERSION")),
    );
    object.insert(
        "command_line".into(),
        serde_json::Value::from(std::env::args().collect::<Vec<_>>()),
    );
    Ok(serde_json::to_string_pretty(&value)?)
}

/// What `manifest.json` records of one scenario's run: enough to repeat it exactly.
#[derive(Serialize)]
pub struct Manifest<'a> {
    pub scenario: &'a str,
    pub scenario_files: Vec<String>,
    pub seed: u64,
    /// The seed as text, for readers that would parse `seed` as a double.
    pub seed_text: String,
    /// How to read seeds exactly.
    pub seed_note: &'static str,
    pub replicates: u32,
    /// Posterior parameter sets the replicates are spread over (1: the point
    /// estimate), and what the intervals therefore carry.
    pub parameter_sets: usize,
    pub uncertainty: &'static str,
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
    /// What the years rest on: the calendar inputs are observed before
    /// `projection_from`, and from then follow the `projection` variant.
    pub projection: &'static str,
    pub projection_from: i32,
    pub parameters: &'a crate::params::Params,
}

impl<'a> Manifest<'a> {
    pub fn new(out: &'a RunOutput, files: &[PathBuf], threads: usize, dest: &Path) -> Manifest<'a> {
        Manifest {
            scenario: &out.params.name,
            scenario_files: files.iter().map(|f| f.display().to_string()).collect(),
            seed: out.params.run.seed,
            seed_text: out.params.run.seed.to_string(),
            seed_note: SEED_NOTE,
            replicates: out.params.run.replicates,
            parameter_sets: out.sets,
            uncertainty: if out.sets > 1 {
                "parameter and stochastic: replicates spread over posterior draws (calibration/posterior.csv)"
            } else {
                "stochastic only: the point estimate (calibrated.toml)"
            },
            scale: out.params.run.scale,
            threads,
            wall_seconds: out.wall_seconds,
            people_simulated: out.people,
            person_years_simulated: out.person_years,
            events_simulated: out.events,
            outputs: vec![
                "results.csv",
                "summary.csv",
                CODEBOOK,
                "manifest.json",
                "scenario.toml",
                "report.html",
                "charts/",
            ],
            repeat_with: format!("pathsim run {}", dest.join("scenario.toml").display()),
            assumed_effects: crate::interventions::unevaluated_effects(&out.params.interventions),
            projection: out.params.calendar.projection.name(),
            projection_from: crate::series::variants_differ_from().year(),
            parameters: &out.params,
        }
    }
}

/// Write results, summary, manifest and the resolved scenario for one run into
/// `stage` (claimed before the run started), then whatever `extra` adds (given
/// the staging folder and the manifest JSON), and move the folder into place.
pub fn write_run_in(
    stage: Staging,
    out: &RunOutput,
    summary: &[Summary],
    files: &[PathBuf],
    threads: usize,
    extra: impl FnOnce(&Path, &str) -> Result<()>,
) -> Result<PathBuf> {
    let name = &out.params.name;
    write_results(&stage.path("results.csv"), name, &out.replicates)?;
    write_summary(
        &stage.path("summary.csv"),
        name,
        summary,
        &out.params.calendar,
    )?;
    std::fs::write(
        stage.path("scenario.toml"),
        crate::scenario::to_toml(&out.params),
    )?;
    let manifest = Manifest::new(out, files, threads, stage.dest());
    let manifest_json = manifest_json(&manifest)?;
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
    codebook_beside(path)
}
