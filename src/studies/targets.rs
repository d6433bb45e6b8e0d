//! The target register and its scoring: every published figure beside the value
//! the virtual studies measure, with its Monte Carlo interval over replicates.
//!
//! The register (`calibration/targets.csv`, embedded at build time so the binary
//! always scores against the register it was built with) says for every figure of
//! `shared/seed_figures.csv` whether it is a calibration target (fitted), a
//! validation target (never fitted) or context (not represented, with the reason),
//! and which study measures it and how. The official national series of
//! `shared/national_series.csv` are calibration targets under their own ids, measured
//! by the `national` study and counted apart from the seed studies'; a national row
//! a calendar input was derived from would have the role `input` (met by
//! construction, reported as verification, never fitted).
//!
//! Scoring. Each target's standard deviation combines three parts: the published
//! figure's own sampling error (from its base: a share of 40,000 BOLD records, a
//! few hundred DTTO pilot offenders; an administrative count has none), a stated
//! model discrepancy (`discrepancy_rel` x the figure: how close a model that
//! simplifies can be expected to come), and the Monte Carlo error of the simulated
//! mean. The score is z = (simulated mean - published) / combined SD, and a target
//! is met when |z| <= 2. There is no "inside the replicate range" escape: with
//! enough replicates the Monte Carlo part vanishes and the other two remain.
//! Qualitative targets (`scale_conversion` "direction: positive" or "direction:
//! negative") are met when the mean has that sign.
//!
//! Independence. A row whose figure is another row's (`depends_on` "same:ID") or an
//! arithmetic consequence of other rows ("derived:...") is scored and shown but not
//! counted in the headlines or in the calibration distance, so no statistic counts
//! twice. Rows met by construction (an intervention's coverage is set from them)
//! have the role `verification`.

use super::{Studies, Value};
use crate::params::Params;
use crate::rng::replicate_seed;
use crate::run::quantile;
use anyhow::Context;
use indicatif::ProgressBar;
use serde::Deserialize;
use std::path::Path;

/// The register, as built into the binary.
pub const REGISTER_CSV: &str = include_str!("../../calibration/targets.csv");

/// What a register row is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Fitted by calibration.
    Calibration,
    /// Reproduced without being fitted to.
    Validation,
    /// Not represented by the model (the register says why).
    Context,
    /// A figure the model meets by construction (a coverage or a calendar input
    /// is derived from it): reported as verification, never fitted or counted as
    /// a calibration target met.
    Verification,
    /// Not a published figure: a value a study reports to explain the others
    /// (cohort sizes, the parts of a share).
    Diagnostic,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Calibration => "calibration",
            Role::Validation => "validation",
            Role::Context => "context",
            Role::Verification => "verification",
            Role::Diagnostic => "diagnostic",
        }
    }
}

/// The study of the official national series (`shared/national_series.csv`):
/// calibration targets under their own ids, reported beside the seed studies'.
pub const NATIONAL: &str = "national";

/// One row of the register.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Target {
    pub id: String,
    pub role: Role,
    /// Empty for qualitative figures.
    pub published: Option<f64>,
    pub unit: String,
    /// The study that computes it; empty for context.
    pub study: String,
    /// Model discrepancy SD as a share of the published figure.
    pub discrepancy_rel: Option<f64>,
    /// The figure's base (people, records, orders) for its sampling error.
    pub base: Option<f64>,
    /// How the published figure's own error is computed ([`Sampling`]).
    pub sampling: String,
    /// Empty when independent; "same:ID" when it is another row's figure;
    /// "derived:..." when it follows arithmetically from other rows.
    pub depends_on: String,
    pub scale_conversion: String,
    pub reason: String,
}

/// The error of a published figure, as the register states it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Sampling {
    /// A share (percent) of `base` people or records: binomial.
    Binomial,
    /// A count of independent events: Poisson.
    Poisson,
    /// An administrative count or rate over everyone: no sampling error.
    Census,
    /// A published 95% interval.
    Interval95(f64, f64),
    /// A published range with no point value: its middle, spread uniformly.
    Range(f64, f64),
}

impl Target {
    /// The sampling rule, parsed (the register test checks every row parses).
    pub fn sampling(&self) -> Result<Option<Sampling>, String> {
        let s = self.sampling.trim();
        let pair = |rest: &str| -> Result<(f64, f64), String> {
            let (a, b) = rest
                .split_once('-')
                .ok_or_else(|| format!("`{s}`: expected LO-HI"))?;
            let (a, b) = (a.trim().parse::<f64>(), b.trim().parse::<f64>());
            match (a, b) {
                (Ok(a), Ok(b)) if a < b => Ok((a, b)),
                _ => Err(format!("`{s}`: expected LO-HI with LO < HI")),
            }
        };
        Ok(Some(match s {
            "" => return Ok(None),
            "binomial" => {
                if !self.base.is_some_and(|b| b >= 1.0) {
                    return Err("binomial sampling needs a base of at least 1".into());
                }
                Sampling::Binomial
            }
            "poisson" => Sampling::Poisson,
            "census" => Sampling::Census,
            _ => {
                if let Some(rest) = s.strip_prefix("ci95:") {
                    let (a, b) = pair(rest)?;
                    Sampling::Interval95(a, b)
                } else if let Some(rest) = s.strip_prefix("range:") {
                    let (a, b) = pair(rest)?;
                    Sampling::Range(a, b)
                } else {
                    return Err(format!(
                        "unknown sampling `{s}` (binomial, poisson, census, ci95:LO-HI, range:LO-HI)"
                    ));
                }
            }
        }))
    }

    /// The value scored against: the published figure, or a range's middle.
    pub fn centre(&self) -> Option<f64> {
        match self.sampling() {
            Ok(Some(Sampling::Range(a, b))) => Some((a + b) / 2.0),
            _ => self.published,
        }
    }

    /// The published figure's own standard deviation, in its unit.
    pub fn sd_published(&self) -> f64 {
        let Some(c) = self.centre() else { return 0.0 };
        match self.sampling() {
            Ok(Some(Sampling::Binomial)) => {
                let n = self.base.unwrap_or(f64::INFINITY);
                let (p, k) = if self.unit == "percent" {
                    (c / 100.0, 100.0)
                } else {
                    (c, 1.0)
                };
                k * (p.clamp(0.0, 1.0) * (1.0 - p.clamp(0.0, 1.0)) / n).sqrt()
            }
            Ok(Some(Sampling::Poisson)) => c.abs().sqrt(),
            Ok(Some(Sampling::Interval95(a, b))) => (b - a) / (2.0 * 1.959964),
            Ok(Some(Sampling::Range(a, b))) => (b - a) / 12f64.sqrt(),
            _ => 0.0,
        }
    }

    /// The model discrepancy SD, in the figure's unit.
    pub fn sd_discrepancy(&self) -> f64 {
        self.discrepancy_rel.unwrap_or(0.0) * self.centre().unwrap_or(0.0).abs()
    }

    /// Counted in headlines and the distance: not another row's figure, not
    /// derived from other rows.
    pub fn independent(&self) -> bool {
        self.depends_on.trim().is_empty()
    }
}

/// Parse a register.
pub fn parse_register(text: &str) -> anyhow::Result<Vec<Target>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, row) in r.deserialize().enumerate() {
        out.push(row.with_context(|| format!("calibration/targets.csv: row {}", i + 2))?);
    }
    Ok(out)
}

/// The embedded register (checked by the tests, so it always parses).
pub fn register() -> Vec<Target> {
    parse_register(REGISTER_CSV).expect("calibration/targets.csv parses (tested)")
}

/// A target (or diagnostic) scored over replicates.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetResult {
    pub id: String,
    pub role: Role,
    pub study: String,
    pub unit: String,
    pub published: Option<f64>,
    /// Mean and 95% interval over the replicates that produced a value (NaN if none).
    pub mean: f64,
    pub lo95: f64,
    pub hi95: f64,
    /// Replicates that produced a value (a cohort can be empty at a coarse scale).
    pub n: usize,
    /// (mean - published) / published.
    pub rel_error: Option<f64>,
    /// The value scored against (the published figure, or a range's middle).
    pub centre: Option<f64>,
    /// The three parts of the combined SD: the published figure's sampling
    /// error, the model discrepancy, and the Monte Carlo error of the mean.
    pub sd_published: f64,
    pub sd_discrepancy: f64,
    pub sd_mc: f64,
    /// (mean - centre) / combined SD.
    pub z: Option<f64>,
    /// Counted in headlines (not a duplicate or a derived figure).
    pub independent: bool,
    /// None for context and diagnostics.
    pub met: Option<bool>,
}

impl TargetResult {
    /// The combined SD z is scaled by.
    pub fn sd(&self) -> f64 {
        (self.sd_published.powi(2) + self.sd_discrepancy.powi(2) + self.sd_mc.powi(2)).sqrt()
    }
}

/// Mean, 2.5% and 97.5% quantiles and the standard error of the mean of some
/// values (NaN if there are none; the standard error is 0 for one value).
fn describe(mut v: Vec<f64>) -> (f64, f64, f64, usize, f64) {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return (f64::NAN, f64::NAN, f64::NAN, 0, 0.0);
    }
    let mean = v.iter().sum::<f64>() / n as f64;
    let se = if n > 1 {
        (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64 / n as f64).sqrt()
    } else {
        0.0
    };
    (mean, quantile(&v, 0.025), quantile(&v, 0.975), n, se)
}

/// A target is met when |z| is at most this.
pub const MET_Z: f64 = 2.0;

/// Whether a target is met, by the rule in the module documentation.
fn is_met(t: &Target, mean: f64, z: Option<f64>, n: usize) -> Option<bool> {
    if matches!(t.role, Role::Context | Role::Diagnostic) {
        return None;
    }
    if n == 0 {
        return Some(false);
    }
    match t.published {
        Some(_) => Some(z.is_some_and(|z| z.abs() <= MET_Z)),
        None => match t.scale_conversion.as_str() {
            "direction: positive" => Some(mean > 0.0),
            "direction: negative" => Some(mean < 0.0),
            _ => None,
        },
    }
}

/// Score the register against the values of each replicate. Register rows come
/// first, in register order; then every other value the studies reported, as
/// diagnostics, in the order first seen.
pub fn score(register: &[Target], replicates: &[Vec<Value>]) -> Vec<TargetResult> {
    let values_of = |id: &str| -> Vec<f64> {
        replicates
            .iter()
            .flat_map(|r| r.iter().filter(|v| v.0 == id).map(|v| v.1))
            .filter(|v| v.is_finite())
            .collect()
    };
    let mut out = Vec::new();
    for t in register {
        let (mean, lo95, hi95, n, se) = if t.role == Role::Context {
            (f64::NAN, f64::NAN, f64::NAN, 0, 0.0)
        } else {
            describe(values_of(&t.id))
        };
        let rel_error = t
            .published
            .filter(|&p| p != 0.0 && mean.is_finite())
            .map(|p| (mean - p) / p);
        let centre = t.centre();
        let (sd_published, sd_discrepancy) = (t.sd_published(), t.sd_discrepancy());
        let sd = (sd_published.powi(2) + sd_discrepancy.powi(2) + se.powi(2)).sqrt();
        let z = centre
            .filter(|_| mean.is_finite() && sd > 0.0 && t.role != Role::Context)
            .map(|c| (mean - c) / sd);
        out.push(TargetResult {
            id: t.id.clone(),
            role: t.role,
            study: t.study.clone(),
            unit: t.unit.clone(),
            published: t.published,
            mean,
            lo95,
            hi95,
            n,
            rel_error,
            centre,
            sd_published,
            sd_discrepancy,
            sd_mc: se,
            z,
            independent: t.independent(),
            met: is_met(t, mean, z, n),
        });
    }
    let mut seen: Vec<&'static str> = Vec::new();
    for r in replicates {
        for &(id, _) in r {
            if !seen.contains(&id) && !register.iter().any(|t| t.id == id) {
                seen.push(id);
            }
        }
    }
    for id in seen {
        let (mean, lo95, hi95, n, se) = describe(values_of(id));
        out.push(TargetResult {
            id: id.to_string(),
            role: Role::Diagnostic,
            study: id.split('_').next().unwrap_or_default().to_string(),
            unit: String::new(),
            published: None,
            mean,
            lo95,
            hi95,
            n,
            rel_error: None,
            centre: None,
            sd_published: 0.0,
            sd_discrepancy: 0.0,
            sd_mc: se,
            z: None,
            independent: false,
            met: None,
        });
    }
    out
}

/// Every study's values, one list per replicate (seeds as in [`crate::run`], so the
/// same simulated world a `run` reports on).
pub fn replicate_values(params: &Params, bar: &ProgressBar) -> Vec<Vec<Value>> {
    let tick = || bar.inc(1);
    (0..params.run.replicates)
        .map(|r| {
            let seed = replicate_seed(params.run.seed, r);
            let fresh = Studies::for_params(params);
            crate::run::run_replicate(params, seed, || fresh.clone(), &tick)
                .values(params.run.scale)
        })
        .collect()
}

/// Run every replicate and score every target of the register.
pub fn evaluate(params: &Params, bar: &ProgressBar) -> Vec<TargetResult> {
    score(&register(), &replicate_values(params, bar))
}

/// A number for CSV: empty when missing, shortest round-trip form otherwise.
fn cell(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() => format!("{v}"),
        _ => String::new(),
    }
}

/// `targets.csv`: one row per target and diagnostic, written atomically.
pub fn write_targets_csv(path: &Path, results: &[TargetResult]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "role",
        "study",
        "unit",
        "published",
        "mean",
        "lo95",
        "hi95",
        "n_replicates",
        "rel_error",
        "centre",
        "sd_published",
        "sd_discrepancy",
        "sd_mc",
        "z",
        "counted",
        "met",
    ])?;
    for r in results {
        let counted = r.independent
            && matches!(
                r.role,
                Role::Calibration | Role::Validation | Role::Verification
            );
        w.write_record([
            r.id.as_str(),
            r.role.name(),
            &r.study,
            &r.unit,
            &cell(r.published),
            &cell(Some(r.mean)),
            &cell(Some(r.lo95)),
            &cell(Some(r.hi95)),
            &r.n.to_string(),
            &cell(r.rel_error),
            &cell(r.centre),
            &cell(Some(r.sd_published)),
            &cell(Some(r.sd_discrepancy)),
            &cell(Some(r.sd_mc)),
            &cell(r.z),
            if counted { "true" } else { "false" },
            r.met.map_or("", |m| if m { "true" } else { "false" }),
        ])?;
    }
    let bytes = w.into_inner().context("cannot build targets.csv")?;
    crate::output::write_atomic(path, &bytes)
}

/// A number for the terminal: 3 significant-ish figures, thousands separated.
fn show(v: f64) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    if v.abs() >= 1000.0 {
        let s = format!("{:.0}", v.abs());
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        format!("{}{out}", if v < 0.0 { "-" } else { "" })
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// The scored targets as a table for the terminal (context rows are counted, not
/// listed: their reasons are in the register).
pub fn table(results: &[TargetResult]) -> String {
    let mut out = format!(
        "{:<36} {:<12} {:>10} {:>10} {:>24} {:>8} {:>6} {:>4}\n",
        "target", "role", "published", "simulated", "95% interval", "rel err", "z", "met"
    );
    for r in results.iter().filter(|r| r.role != Role::Context) {
        let interval = if r.n > 0 {
            format!("[{}, {}]", show(r.lo95), show(r.hi95))
        } else {
            "no value".into()
        };
        out.push_str(&format!(
            "{:<36} {:<12} {:>10} {:>10} {:>24} {:>8} {:>6} {:>4}{}\n",
            r.id,
            r.role.name(),
            r.published.map_or("-".into(), show),
            show(r.mean),
            interval,
            r.rel_error
                .map_or("-".into(), |e| format!("{:+.0}%", 100.0 * e)),
            r.z.map_or("-".into(), |z| format!("{z:+.1}")),
            r.met.map_or("", |m| if m { "yes" } else { "no" }),
            if r.independent || r.met.is_none() {
                ""
            } else {
                " (not counted: a duplicate or derived figure)"
            },
        ));
    }
    let [seed, national, validation, verification] = headline_groups(results);
    for (label, rows) in [
        ("calibration (seed studies)", seed),
        ("calibration (national series)", national),
        ("validation (independent)", validation),
    ] {
        let met = rows.iter().filter(|r| r.met == Some(true)).count();
        out.push_str(&format!(
            "{label}: {met} of {} met (|z| <= {MET_Z})\n",
            rows.len()
        ));
    }
    if !verification.is_empty() {
        let met = verification.iter().filter(|r| r.met == Some(true)).count();
        out.push_str(&format!(
            "verification: {met} of {} figures met by construction (a coverage or input is set from them)\n",
            verification.len()
        ));
    }
    let uncounted = results
        .iter()
        .filter(|r| r.met.is_some() && !r.independent)
        .count();
    out.push_str(&format!(
        "not counted: {uncounted} rows that repeat or follow from other rows (depends_on in calibration/targets.csv)\n"
    ));
    let context = results.iter().filter(|r| r.role == Role::Context).count();
    out.push_str(&format!(
        "context: {context} published figures the model does not represent (reasons in calibration/targets.csv)\n"
    ));
    out
}

/// The rows the headlines count, in order: seed studies' calibration targets,
/// the national series' (calibration targets too), validation targets, and
/// figures met by construction (role `verification`); only independent rows
/// (not a duplicate, not derived from others).
pub fn headline_groups(results: &[TargetResult]) -> [Vec<&TargetResult>; 4] {
    let of = |keep: &dyn Fn(&TargetResult) -> bool| {
        results
            .iter()
            .filter(|r| r.independent && keep(r))
            .collect()
    };
    [
        of(&|r| r.role == Role::Calibration && r.study != NATIONAL),
        of(&|r| r.role == Role::Calibration && r.study == NATIONAL),
        of(&|r| r.role == Role::Validation),
        of(&|r| r.role == Role::Verification),
    ]
}

/// Whether this runs under continuous integration: `CI` is set (CI services
/// set `CI=true`) to anything but empty, `0` or `false`.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false" | "FALSE" | "False"))
}

/// The text of the seed figures file (`../shared/seed_figures.csv`) that the
/// register is checked against: `None` when it is missing outside CI (the
/// check is skipped with a note), an error when it is missing under CI (a
/// check that checks nothing must not pass there) or cannot be read.
pub fn seed_figures_text(path: &Path, ci: bool) -> Result<Option<String>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !ci => Ok(None),
        Err(e) => Err(format!(
            "{}: cannot read the seed figures the register is checked against: {e}{}",
            path.display(),
            if ci {
                " (CI is set: the check must run there; check out the shared folder beside the crate)"
            } else {
                ""
            }
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The validation set the brief fixes.
    const VALIDATION: [&str; 16] = [
        "nta_completed_6m_reduction",
        "nta_completed_no_return_reduction",
        "nta_retained_vs_dropout_ratio",
        "ukdpc_reconviction_completers",
        "nao_completer_reconviction_2y",
        "ukdpc_reconviction_noncompleters",
        "ukdpc_dip_reduced_offending_6m",
        "ukdpc_dip_increased_offending_6m",
        "bold_in_treatment_3w_atr",
        "bold_in_treatment_3w_drr",
        "bold_outcome_still_in",
        "bold_outcome_died",
        "ukdpc_dtto_drr_completions",
        "ukdpc_dip_monthly_entries_2008",
        "best_hccu_effect",
        "ukdpc_prison_detox_maintenance_1997",
    ];

    #[test]
    fn register_covers_every_seed_figure_once() {
        let reg = register();
        // The register is checked against the copy shipped in the repository, so
        // the check runs wherever the tests run (CI included); where the shared
        // folder is beside the crate, the shipped copy must equal it.
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(root.join("calibration/seed_figures.csv"))
            .expect("calibration/seed_figures.csv is shipped");
        let shared = root.join("../shared/seed_figures.csv");
        match seed_figures_text(&shared, false) {
            Ok(Some(original)) => assert!(
                original == text,
                "calibration/seed_figures.csv differs from {}: copy it again",
                shared.display()
            ),
            Ok(None) => println!(
                "note: {} not found; checked against the shipped copy only",
                shared.display()
            ),
            Err(e) => panic!("{e}"),
        }
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let headers = r.headers().unwrap().clone();
        let id_col = headers.iter().position(|h| h == "id").unwrap();
        let value_col = headers.iter().position(|h| h == "value").unwrap();
        let mut seeds = Vec::new();
        for row in r.records() {
            let row = row.unwrap();
            seeds.push((row[id_col].to_string(), row[value_col].parse::<f64>().ok()));
        }
        let seeded = reg.iter().filter(|t| t.study != NATIONAL).count();
        assert_eq!(seeded, seeds.len(), "one register row per seed figure");
        for (id, value) in &seeds {
            let rows: Vec<_> = reg.iter().filter(|t| &t.id == id).collect();
            assert_eq!(
                rows.len(),
                1,
                "{id} appears {} times in the register",
                rows.len()
            );
            assert_eq!(
                rows[0].published, *value,
                "{id}: published value differs from seeds"
            );
        }
    }

    /// (id, value, unit, coverage) of each row of an official-series file.
    fn official_rows(text: &str) -> Vec<(String, f64, String, String)> {
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let headers = r.headers().unwrap().clone();
        let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let (id_col, value_col, unit_col) = (col("id"), col("value"), col("unit"));
        let coverage_col = col("coverage");
        r.records()
            .map(|row| {
                let row = row.unwrap();
                let value = row[value_col].parse().unwrap();
                (
                    row[id_col].to_string(),
                    value,
                    row[unit_col].to_string(),
                    row[coverage_col].to_string(),
                )
            })
            .collect()
    }

    /// The `national` rows are the series of `shared/national_series.csv` (shipped
    /// as `calibration/national_series.csv`) the `national` study measures, with
    /// their published value and unit, and the tolerance of the national check
    /// (15% for counts, 3 points for percentages); every other series is listed
    /// as not measured, with the reason.
    #[test]
    fn national_rows_are_the_national_series() {
        let reg = register();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(root.join("calibration/national_series.csv"))
            .expect("calibration/national_series.csv is shipped");
        let shared = root.join("../shared/national_series.csv");
        match std::fs::read_to_string(&shared) {
            Ok(original) => assert!(
                original == text,
                "calibration/national_series.csv differs from {}: copy it again",
                shared.display()
            ),
            Err(_) => println!(
                "note: {} not read; checked against the shipped copy only",
                shared.display()
            ),
        }
        let series = official_rows(&text);
        let supplement = official_rows(crate::studies::national::SUPPLEMENT);
        let unmeasured = crate::studies::national::UNMEASURED;
        let national: Vec<&Target> = reg.iter().filter(|t| t.study == NATIONAL).collect();
        assert_eq!(
            national.len(),
            <crate::studies::National as crate::studies::Study>::TARGETS.len()
        );
        for t in &national {
            let supplementary = supplement.iter().any(|s| s.0 == t.id);
            let (_, value, unit, coverage) = series
                .iter()
                .chain(&supplement)
                .find(|s| s.0 == t.id)
                .unwrap_or_else(|| panic!("{}: not a national series", t.id));
            assert_eq!(t.published, Some(*value), "{}", t.id);
            assert_eq!(&t.unit, unit, "{}", t.id);
            if supplementary {
                assert_eq!(
                    t.role,
                    Role::Validation,
                    "{}: a supplementary row is never fitted",
                    t.id
                );
            } else {
                assert!(
                    matches!(t.role, Role::Calibration | Role::Verification),
                    "{}: a national row is a calibration target (or verification, met by construction)",
                    t.id
                );
            }
            // Half the national check's tolerance (3 points, 15%) as the
            // discrepancy SD: with no sampling error, |z| <= 2 is that check.
            let sd = t.sd_discrepancy();
            if unit == "percent" {
                assert!((sd - 1.5).abs() < 0.03, "{}: 1.5 points, not {sd}", t.id);
                assert_eq!(t.scale_conversion, "share x 100", "{}", t.id);
            } else {
                assert_eq!(t.discrepancy_rel, Some(0.075), "{}", t.id);
                // England-only series are scaled to England's share of the
                // population the model represents.
                let england = coverage.starts_with("England");
                let conversion = if england {
                    "count x scale x England share"
                } else {
                    "count x scale"
                };
                assert_eq!(t.scale_conversion, conversion, "{}", t.id);
            }
        }
        for (id, ..) in series.iter().chain(&supplement) {
            let registered = national.iter().any(|t| &t.id == id);
            let omitted = unmeasured.iter().any(|(u, why)| u == id && !why.is_empty());
            assert!(
                registered != omitted,
                "{id}: registered or listed as not measured, once"
            );
        }
    }

    #[test]
    fn validation_rows_are_exactly_the_briefs() {
        let reg = register();
        let mut got: Vec<&str> = reg
            .iter()
            .filter(|t| t.role == Role::Validation)
            .map(|t| t.id.as_str())
            .collect();
        // The brief's validation figures, and the supplementary national rows
        // (the prison population's parts and recalls), never fitted.
        let supplement = official_rows(crate::studies::national::SUPPLEMENT);
        let mut want = VALIDATION.to_vec();
        want.extend(supplement.iter().map(|s| s.0.as_str()));
        got.sort();
        want.sort();
        assert_eq!(got, want);
        assert!(reg.iter().all(|t| t.role != Role::Diagnostic));
    }

    #[test]
    fn register_and_studies_agree() {
        let reg = register();
        let catalogue = Studies::catalogue();
        for t in &reg {
            assert!(!t.reason.trim().is_empty(), "{}: no reason", t.id);
            if t.role == Role::Context {
                assert!(t.study.is_empty(), "{}: context rows name no study", t.id);
                continue;
            }
            let (_, ids) = catalogue
                .iter()
                .find(|(name, _)| *name == t.study)
                .unwrap_or_else(|| panic!("{}: unknown study `{}`", t.id, t.study));
            assert!(
                ids.contains(&t.id.as_str()),
                "{}: study {} does not compute it",
                t.id,
                t.study
            );
            assert!(
                t.published.is_some()
                    && t.discrepancy_rel.is_some()
                    && t.sampling().unwrap().is_some()
                    || t.scale_conversion.starts_with("direction"),
                "{}: needs a published value, a discrepancy and a sampling rule, or a direction",
                t.id
            );
            if let Some(same) = t.depends_on.strip_prefix("same:") {
                let other = reg
                    .iter()
                    .find(|o| o.id == same)
                    .unwrap_or_else(|| panic!("{}: same as unknown `{same}`", t.id));
                assert!(other.independent(), "{}: {same} is itself a repeat", t.id);
                assert_eq!(other.centre(), t.centre(), "{}: the same figure", t.id);
            } else if !t.independent() {
                assert!(t.depends_on.starts_with("derived:"), "{}", t.id);
            }
        }
        for (name, ids) in catalogue {
            for id in ids {
                let t = reg
                    .iter()
                    .find(|t| t.id == *id)
                    .expect("study target in register");
                assert_eq!(t.study, name);
                assert_ne!(t.role, Role::Context);
            }
        }
    }

    fn target(id: &str, published: Option<f64>, disc: f64, sampling: &str, base: f64) -> Target {
        Target {
            id: id.into(),
            role: Role::Calibration,
            published,
            unit: "percent".into(),
            study: "nta".into(),
            discrepancy_rel: Some(disc),
            base: Some(base),
            sampling: sampling.into(),
            depends_on: String::new(),
            scale_conversion: if published.is_some() {
                "share x 100".into()
            } else {
                "direction: positive".into()
            },
            reason: "test".into(),
        }
    }

    #[test]
    fn the_sd_combines_sampling_discrepancy_and_monte_carlo() {
        // 50% of 400: binomial SD 2.5 points; discrepancy 0.06 x 50 = 3 points.
        let t = target("a", Some(50.0), 0.06, "binomial", 400.0);
        assert!((t.sd_published() - 2.5).abs() < 1e-12);
        assert!((t.sd_discrepancy() - 3.0).abs() < 1e-12);
        // A published 95% interval of 291,029-302,146: SD 2,836.
        let mut ci = target("b", Some(293_879.0), 0.0, "ci95:291029-302146", 0.0);
        ci.unit = "people".into();
        assert!((ci.sd_published() - 2836.0).abs() < 1.0);
        // A range 33-50: scored at 41.5 with SD 17 / sqrt(12).
        let r = target("c", Some(33.0), 0.0, "range:33-50", 0.0);
        assert_eq!(r.centre(), Some(41.5));
        assert!((r.sd_published() - 17.0 / 12f64.sqrt()).abs() < 1e-12);
        // A count of 900 events: Poisson SD 30.
        let mut c = target("d", Some(900.0), 0.0, "poisson", 0.0);
        c.unit = "people".into();
        assert_eq!(c.sd_published(), 30.0);
        assert_eq!(
            target("e", Some(1.0), 0.1, "census", 0.0).sd_published(),
            0.0
        );
        for bad in ["binomial", "ci95:5", "range:9-3", "normal"] {
            assert!(
                target("f", Some(1.0), 0.1, bad, 0.0).sampling().is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn met_when_z_is_within_two() {
        let reg = vec![
            // SD sqrt(2.5^2 + 3^2 + MC^2); the values 46, 48, 50, 52, 54 average 50.
            target("a", Some(50.0), 0.06, "binomial", 400.0),
            // 46 against 50 with SD 1 (discrepancy 0.02 x 50): z = -4, missed.
            target("b", Some(50.0), 0.02, "census", 0.0),
            // 46 against 50 with SD 2.5: z = -1.6, met.
            target("c", Some(50.0), 0.05, "census", 0.0),
            target("d", None, 0.0, "", 0.0),
            target("e", Some(50.0), 0.01, "census", 0.0),
        ];
        let reps: Vec<Vec<Value>> = (0..5)
            .map(|k| {
                let k = k as f64;
                vec![
                    ("a", 46.0 + 2.0 * k),
                    ("b", 46.0),
                    ("c", 46.0),
                    ("d", -1.0 + k),
                    ("x_diag", k),
                ]
            })
            .collect();
        let s = score(&reg, &reps);
        assert_eq!(s.len(), 6);
        assert_eq!((s[0].mean, s[0].z, s[0].met), (50.0, Some(0.0), Some(true)));
        // The MC part: SD of 46..54 is sqrt(10), over sqrt(5) replicates.
        assert!((s[0].sd_mc - 2f64.sqrt()).abs() < 1e-12);
        assert!((s[0].sd() - (6.25f64 + 9.0 + 2.0).sqrt()).abs() < 1e-12);
        assert!((s[1].z.unwrap() + 4.0).abs() < 1e-12);
        assert_eq!(s[1].met, Some(false));
        assert!((s[2].z.unwrap() + 1.6).abs() < 1e-12);
        assert_eq!(s[2].met, Some(true));
        assert!((s[2].rel_error.unwrap() + 0.08).abs() < 1e-12);
        // mean 1 > 0
        assert_eq!(s[3].met, Some(true));
        // no value at all: not met
        assert_eq!((s[4].n, s[4].met), (0, Some(false)));
        assert_eq!(
            (s[5].role, s[5].study.as_str(), s[5].met),
            (Role::Diagnostic, "x", None)
        );
    }

    /// Every binomial base in the register comes from `calibration/target_bases.csv`,
    /// which says what it counts, where it is from, and whether it was
    /// published, derived from published numbers, or assumed.
    #[test]
    fn every_base_is_sourced() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(root.join("calibration/target_bases.csv")).unwrap();
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        for t in register() {
            if t.sampling().unwrap() != Some(Sampling::Binomial) {
                continue;
            }
            let row = rows
                .iter()
                .find(|row| &row[0] == t.id.as_str())
                .unwrap_or_else(|| panic!("{}: no row in target_bases.csv", t.id));
            assert_eq!(row[1].parse::<f64>().ok(), t.base, "{}", t.id);
            assert!(!row[2].trim().is_empty(), "{}: what the base counts", t.id);
            assert!(
                matches!(&row[5], "published" | "derived" | "assumed"),
                "{}: confidence `{}`",
                t.id,
                &row[5]
            );
        }
    }

    #[test]
    fn repeats_and_derived_rows_are_not_counted() {
        let reg = register();
        let not_counted: Vec<&str> = reg
            .iter()
            .filter(|t| !t.independent())
            .map(|t| t.id.as_str())
            .collect();
        for id in [
            "ukdpc_prison_reception_pdu_high",
            "ukdpc_order_completion_2003",
            "ukdpc_reconviction_completers",
            "nta_retained_vs_dropout_ratio",
            "bold_outcome_still_in",
        ] {
            assert!(not_counted.contains(&id), "{id}");
        }
        let reps = vec![vec![
            ("ukdpc_order_completion_2003", 28.0),
            ("nao_order_completion_2003", 28.0),
        ]];
        let s = score(&reg, &reps);
        let [seed, ..] = headline_groups(&s);
        assert!(seed.iter().any(|r| r.id == "nao_order_completion_2003"));
        assert!(!seed.iter().any(|r| r.id == "ukdpc_order_completion_2003"));
        // Volumes set a coverage: verification, not calibration.
        assert!(reg
            .iter()
            .filter(|t| t.study == "volumes" && t.role != Role::Validation)
            .all(|t| t.role == Role::Verification));
    }

    #[test]
    fn csv_and_table_render() {
        let reg = register();
        let reps = vec![vec![
            ("nta_retained_2y_reduction", 45.0),
            ("nta_cohort_n", 9000.0),
        ]];
        let s = score(&reg, &reps);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("targets.csv");
        write_targets_csv(&path, &s).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 1 + reg.len() + 1);
        assert!(
            text.contains("nta_retained_2y_reduction,calibration,nta,percent,47,45,45,45,1,"),
            "{text}"
        );
        let t = table(&s);
        assert!(t.contains("nta_cohort_n"));
        let [seed, national, validation, verification] = headline_groups(&s);
        assert!(t.contains(&format!(
            "validation (independent): 0 of {} met",
            validation.len()
        )));
        assert!(t.contains(&format!(
            "calibration (national series): 0 of {} met",
            national.len()
        )));
        assert!(t.contains(&format!(
            "verification: 0 of {} figures",
            verification.len()
        )));
        // The one seed figure given (45 against 47, SD about 3.6) is met.
        assert!(
            t.contains(&format!(
                "calibration (seed studies): 1 of {} met",
                seed.len()
            )),
            "{t}"
        );
    }

    /// The real engine at a coarse scale: every study runs, and the values do not
    /// depend on the number of threads.
    #[test]
    fn engine_values_are_thread_independent() {
        let mut p = crate::params::baseline();
        p.run.scale = 2000.0;
        p.run.replicates = 1;
        let bar = ProgressBar::hidden();
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let two = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let a = one.install(|| replicate_values(&p, &bar));
        let b = two.install(|| replicate_values(&p, &bar));
        assert_eq!(a, b);
        let s = score(&register(), &a);
        // cohorts of rare events can be empty this coarse; these never are
        for id in [
            "ukdpc_arrestee_pdu_share",
            "ukdpc_positive_test_rate",
            "bold_records",
        ] {
            let r = s.iter().find(|r| r.id == id).unwrap();
            assert_eq!(r.n, 1, "{id} has a value");
        }
        assert!(s.iter().all(|r| r.n == 0 || r.mean.is_finite()));
    }

    /// By hand: `PATHSIM_TARGETS_SCALE=100 cargo test --release print_targets -- --ignored --nocapture`.
    #[test]
    #[ignore = "runs the baseline at a coarse scale and prints the table"]
    fn print_targets() {
        let mut p = crate::params::baseline();
        p.run.scale = std::env::var("PATHSIM_TARGETS_SCALE")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(200.0);
        p.run.replicates = 3;
        let started = std::time::Instant::now();
        let s = evaluate(&p, &ProgressBar::hidden());
        println!("{}", table(&s));
        println!("{:.1} s", started.elapsed().as_secs_f64());
    }
}
