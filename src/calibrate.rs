//! Calibration by approximate Bayesian computation (ABC-SMC, Beaumont et al. 2009,
//! with adaptive tolerances as in Del Moral et al. 2012).
//!
//! Free parameters get uniform (or log-uniform) priors within bounds. Generation 0
//! samples the prior; each later generation resamples the previous particles by
//! weight, perturbs them with a Gaussian kernel (twice the weighted variance), and
//! keeps a proposal only if its distance to the calibration targets is below the
//! tolerance, the `quantile` of the previous generation's distances. Every
//! simulation uses the same seed (common random numbers), so distances differ only
//! through the parameters. Each generation is saved when it finishes; a restart
//! with the same file continues from the last saved generation, and because every
//! particle's proposals come from a stream keyed by (seed, generation, particle),
//! the result is the same as an uninterrupted run.
//!
//! Only register rows with role `calibration` enter the distance: validation
//! targets are never fitted (see [`objective_targets`] and its test).

pub mod posterior;

use crate::error::{CliError, ScenarioError};
use crate::input::Spans;
use crate::params::Params;
use crate::rng::{mix64, Stream};
use crate::studies::targets::{register, replicate_values, score, Role, Target};
use anyhow::Context;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A calibration file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrationFile {
    /// The scenario whose parameters are fitted (relative to this file).
    pub scenario: String,
    /// Where the fitted values are written, as a partial scenario (relative to this file).
    pub output: String,
    /// Seed of the proposals (the simulations use the scenario's seed).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Scale and replicates of each simulation during the fit.
    pub scale: f64,
    pub replicates: u32,
    /// Replicates at the scenario's own scale for the final fit report.
    #[serde(default = "default_report_replicates")]
    pub report_replicates: u32,
    /// ABC-SMC settings (the method when there is no `[history_matching]`).
    #[serde(default)]
    pub abc: Option<AbcConfig>,
    /// History matching and importance sampling (the method when present).
    #[serde(default)]
    pub history_matching: Option<crate::calibrate::posterior::HmConfig>,
    /// Studies whose targets stay out of the distance because they are fitted
    /// another way (the intervention volumes: coverage = published / simulated).
    #[serde(default)]
    pub exclude_studies: Vec<String>,
    #[serde(rename = "parameter")]
    pub parameters: Vec<Prior>,
}

impl CalibrationFile {
    /// The ABC-SMC settings, or the defaults when the file has none.
    pub fn abc_config(&self) -> AbcConfig {
        self.abc.clone().unwrap_or(AbcConfig {
            particles: 48,
            generations: 10,
            quantile: default_quantile(),
            max_attempts: default_attempts(),
        })
    }
}

fn default_seed() -> u64 {
    1
}
fn default_report_replicates() -> u32 {
    10
}

/// ABC-SMC settings.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AbcConfig {
    /// Particles per generation.
    pub particles: usize,
    /// Generations after the prior sample.
    pub generations: usize,
    /// Each tolerance is this quantile of the previous generation's distances.
    #[serde(default = "default_quantile")]
    pub quantile: f64,
    /// Proposals per particle before the particle keeps its best attempt.
    #[serde(default = "default_attempts")]
    pub max_attempts: usize,
}

fn default_quantile() -> f64 {
    0.5
}
fn default_attempts() -> usize {
    8
}

/// A free parameter and its prior.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Prior {
    /// Dotted parameter key (as in scenario files).
    pub key: String,
    pub min: f64,
    pub max: f64,
    /// Uniform on the log scale (for rates spanning orders of magnitude).
    #[serde(default)]
    pub log: bool,
    /// A key that moves by the opposite amount, so a sum stays fixed (the
    /// substance shares must sum to one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<String>,
}

impl Prior {
    fn to_unit(&self, v: f64) -> f64 {
        if self.log {
            (v.ln() - self.min.ln()) / (self.max.ln() - self.min.ln())
        } else {
            (v - self.min) / (self.max - self.min)
        }
    }
    /// The parameter's value at `u` of the unit range of its prior.
    pub fn value_at_unit(&self, u: f64) -> f64 {
        self.value_at(u)
    }
    fn value_at(&self, u: f64) -> f64 {
        if self.log {
            (self.min.ln() + u * (self.max.ln() - self.min.ln())).exp()
        } else {
            self.min + u * (self.max - self.min)
        }
    }
}

/// One generation of particles (positions on the unit cube of the priors).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Generation {
    pub index: usize,
    #[serde(with = "json_f64")]
    pub tolerance: f64,
    pub particles: Vec<Vec<f64>>,
    pub weights: Vec<f64>,
    #[serde(with = "json_f64::vec")]
    pub distances: Vec<f64>,
    pub simulations: usize,
}

/// Read a saved state: `None` if there is none or it was saved with other
/// settings (the fit starts afresh); an error if it cannot be read, does not
/// parse or does not fit the settings it claims (never a silent restart).
fn read_state(
    path: &Path,
    fingerprint: &str,
    file: &CalibrationFile,
) -> Result<Option<Vec<Generation>>, CliError> {
    let damaged = |why: String| {
        CliError::Input(format!(
            "{}: the saved calibration state is damaged ({why}); move it away to start the fit afresh",
            path.display()
        ))
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(damaged(format!("cannot read it: {e}"))),
    };
    let state: AbcState =
        serde_json::from_str(&text).map_err(|e| damaged(format!("it does not parse: {e}")))?;
    if state.fingerprint != fingerprint {
        return Ok(None);
    }
    let (n, dim) = (file.abc_config().particles, file.parameters.len());
    for (g, gen) in state.generations.iter().enumerate() {
        let shape_ok = gen.index == g
            && gen.particles.len() == n
            && gen.weights.len() == n
            && gen.distances.len() == n
            && gen
                .particles
                .iter()
                .all(|x| x.len() == dim && x.iter().all(|u| (0.0..=1.0).contains(u)))
            && gen.weights.iter().all(|w| w.is_finite() && *w >= 0.0);
        if !shape_ok {
            return Err(damaged(format!(
                "generation {g} does not hold {n} particles of {dim} parameters with weights"
            )));
        }
    }
    if state.generations.len() > file.abc_config().generations + 1 {
        return Err(damaged(format!(
            "{} generations saved, more than the {} asked for",
            state.generations.len(),
            file.abc_config().generations + 1
        )));
    }
    Ok(Some(state.generations))
}

/// JSON for numbers that may be infinite (a distance of a parameter set that
/// gives no valid scenario): finite numbers as numbers, others as the strings
/// "inf", "-inf" and "nan", so that a saved state reads back exactly.
pub(crate) mod json_f64 {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    enum Num {
        N(f64),
        S(String),
    }

    fn to(v: f64) -> Num {
        if v.is_finite() {
            Num::N(v)
        } else if v.is_nan() {
            Num::S("nan".into())
        } else if v > 0.0 {
            Num::S("inf".into())
        } else {
            Num::S("-inf".into())
        }
    }

    fn from<E: serde::de::Error>(n: Num) -> Result<f64, E> {
        match n {
            Num::N(v) => Ok(v),
            Num::S(s) => match s.as_str() {
                "inf" => Ok(f64::INFINITY),
                "-inf" => Ok(f64::NEG_INFINITY),
                "nan" => Ok(f64::NAN),
                _ => Err(E::custom(format!("expected a number, got {s:?}"))),
            },
        }
    }

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        to(*v).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        from(Num::deserialize(d)?)
    }

    pub mod vec {
        use super::*;

        pub fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
            v.iter().map(|&x| to(x)).collect::<Vec<_>>().serialize(s)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
            Vec::<Num>::deserialize(d)?.into_iter().map(from).collect()
        }
    }
}

/// The saved state of a calibration: enough to resume.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AbcState {
    /// Fingerprint of the settings; a resume with other settings starts afresh.
    pub fingerprint: String,
    pub generations: Vec<Generation>,
}

fn stream_for(seed: u64, generation: usize, particle: usize) -> Stream {
    Stream::seed_from_u64(mix64(
        mix64(seed ^ 0xABC0_5EC0) ^ mix64(generation as u64) ^ (particle as u64),
    ))
}

/// Run ABC-SMC on the unit cube of `dim` parameters with a distance function.
/// `save` is called after every generation (for checkpoints); `start` resumes.
///
/// `initial`, if given, replaces the first prior draw of generation 0 (the current
/// values of the scenario), so the fit can only improve on where it started.
#[allow(clippy::too_many_arguments)]
pub fn abc_smc<D, S>(
    dim: usize,
    config: &AbcConfig,
    seed: u64,
    distance: D,
    initial: Option<Vec<f64>>,
    start: Vec<Generation>,
    mut save: S,
) -> anyhow::Result<Vec<Generation>>
where
    D: Fn(&[f64]) -> f64 + Sync,
    S: FnMut(&[Generation]) -> anyhow::Result<()>,
{
    let mut gens = start;
    if gens.is_empty() {
        let results: Vec<(Vec<f64>, f64)> = (0..config.particles)
            .into_par_iter()
            .map(|i| {
                let mut rng = stream_for(seed, 0, i);
                let mut x: Vec<f64> = (0..dim).map(|_| rng.random::<f64>()).collect();
                if i == 0 {
                    if let Some(init) = &initial {
                        x = init.clone();
                    }
                }
                let d = distance(&x);
                (x, d)
            })
            .collect();
        let (particles, distances): (Vec<_>, Vec<_>) = results.into_iter().unzip();
        gens.push(Generation {
            index: 0,
            // f64::MAX, not infinity: JSON has no infinity, and the state must
            // read back exactly for a resume.
            tolerance: f64::MAX,
            weights: vec![1.0 / config.particles as f64; config.particles],
            particles,
            distances,
            simulations: config.particles,
        });
        save(&gens)?;
    }
    while gens.len() <= config.generations {
        let prev = gens.last().expect("a generation").clone();
        let g = gens.len();
        let mut sorted: Vec<f64> = prev
            .distances
            .iter()
            .copied()
            .filter(|d| d.is_finite())
            .collect();
        sorted.sort_by(f64::total_cmp);
        let tolerance = crate::run::quantile(&sorted, config.quantile);
        // Kernel: twice the weighted variance of each coordinate.
        let sd: Vec<f64> = (0..dim)
            .map(|k| {
                let mean: f64 = prev
                    .particles
                    .iter()
                    .zip(&prev.weights)
                    .map(|(p, w)| p[k] * w)
                    .sum();
                let var: f64 = prev
                    .particles
                    .iter()
                    .zip(&prev.weights)
                    .map(|(p, w)| w * (p[k] - mean).powi(2))
                    .sum();
                // In many dimensions a wide kernel almost never lands a good
                // proposal; cap it at 0.15 of the prior range.
                (2.0 * var).sqrt().clamp(1e-4, 0.15)
            })
            .collect();
        let cumulative: Vec<f64> = prev
            .weights
            .iter()
            .scan(0.0, |acc, w| {
                *acc += w;
                Some(*acc)
            })
            .collect();
        let results: Vec<(Vec<f64>, f64, usize)> = (0..config.particles)
            .into_par_iter()
            .map(|i| {
                let mut rng = stream_for(seed, g, i);
                let mut best: Option<(Vec<f64>, f64)> = None;
                let mut sims = 0;
                for _ in 0..config.max_attempts {
                    let u: f64 = rng.random::<f64>() * cumulative.last().copied().unwrap_or(1.0);
                    let j = cumulative
                        .partition_point(|&c| c < u)
                        .min(prev.particles.len() - 1);
                    let x: Vec<f64> = (0..dim)
                        .map(|k| {
                            let z: f64 = StandardNormal.sample(&mut rng);
                            reflect(prev.particles[j][k] + sd[k] * z)
                        })
                        .collect();
                    let d = distance(&x);
                    sims += 1;
                    if best.as_ref().is_none_or(|b| d < b.1) {
                        best = Some((x, d));
                    }
                    if d <= tolerance {
                        break;
                    }
                }
                let (x, d) = best.unwrap_or_else(|| (prev.particles[i].clone(), prev.distances[i]));
                (x, d, sims)
            })
            .collect();
        let simulations = results.iter().map(|r| r.2).sum();
        let particles: Vec<Vec<f64>> = results.iter().map(|r| r.0.clone()).collect();
        let distances: Vec<f64> = results.iter().map(|r| r.1).collect();
        // Importance weights: uniform prior over the kernel mixture density.
        let mut weights: Vec<f64> = particles
            .iter()
            .map(|x| {
                let mix: f64 = prev
                    .particles
                    .iter()
                    .zip(&prev.weights)
                    .map(|(p, w)| {
                        w * (0..dim)
                            .map(|k| (-0.5 * ((x[k] - p[k]) / sd[k]).powi(2)).exp() / sd[k])
                            .product::<f64>()
                    })
                    .sum();
                if mix > 0.0 {
                    1.0 / mix
                } else {
                    0.0
                }
            })
            .collect();
        let total: f64 = weights.iter().sum();
        if total > 0.0 {
            weights.iter_mut().for_each(|w| *w /= total);
        } else {
            weights = vec![1.0 / particles.len() as f64; particles.len()];
        }
        gens.push(Generation {
            index: g,
            tolerance,
            particles,
            weights,
            distances,
            simulations,
        });
        save(&gens)?;
    }
    Ok(gens)
}

/// Fold a proposal back into [0, 1] (reflection at the prior bounds).
fn reflect(mut v: f64) -> f64 {
    for _ in 0..4 {
        if v < 0.0 {
            v = -v;
        } else if v > 1.0 {
            v = 2.0 - v;
        } else {
            return v;
        }
    }
    v.clamp(0.0, 1.0)
}

/// The register rows the distance uses: independent calibration targets with a
/// published value (no repeat or derived row counts twice; verification rows
/// are met by construction and validation rows are never fitted).
pub fn objective_targets(register: &[Target]) -> Vec<&Target> {
    register
        .iter()
        .filter(|t| t.role == Role::Calibration && t.published.is_some() && t.independent())
        .collect()
}

/// Root-mean-square z over the calibration targets (z as the register scores
/// it: sampling error, model discrepancy and Monte Carlo error combined); a
/// target with no simulated value counts as a miss of 10 SD.
pub fn distance(register: &[Target], replicates: &[Vec<crate::studies::Value>]) -> f64 {
    let targets = objective_targets(register);
    let scored = score(register, replicates);
    let mut sum = 0.0;
    for t in &targets {
        let r = scored.iter().find(|r| r.id == t.id).expect("scored");
        let z = r.z.unwrap_or(10.0);
        sum += z.abs().min(100.0).powi(2);
    }
    (sum / targets.len().max(1) as f64).sqrt()
}

/// Parameters at a point of the unit cube.
pub fn params_at(base: &Params, priors: &[Prior], x: &[f64]) -> Result<Params, String> {
    let mut values: Vec<(String, f64)> = priors
        .iter()
        .zip(x)
        .map(|(p, &u)| (p.key.clone(), p.value_at(u)))
        .collect();
    if priors.iter().any(|p| p.balance.is_some()) {
        let leaves: std::collections::HashMap<String, f64> =
            base.numeric_leaves().into_iter().collect();
        for (p, &u) in priors.iter().zip(x) {
            let Some(b) = &p.balance else { continue };
            let (Some(&from), Some(&other)) = (leaves.get(&p.key), leaves.get(b)) else {
                return Err(format!("unknown parameter `{}` or `{b}`", p.key));
            };
            values.push((b.clone(), other - (p.value_at(u) - from)));
        }
    }
    crate::scenario::with_values(base, &values)
}

/// A calibration file, checked, with its scenario loaded.
#[derive(Debug, Clone)]
pub struct Calibration {
    pub path: PathBuf,
    pub file: CalibrationFile,
    /// The scenario whose parameters are fitted, as loaded.
    pub scenario: crate::scenario::Scenario,
    /// Where the fitted values are written.
    pub output: PathBuf,
    /// Working files beside the calibration file, named after it.
    pub state: PathBuf,
    pub posterior: PathBuf,
    pub report: PathBuf,
}

/// Most particles, generations and attempts a calibration file may ask for
/// (far beyond any useful fit: a guard against typing mistakes).
const MAX_PARTICLES: usize = 100_000;
const MAX_GENERATIONS: usize = 10_000;
const MAX_ATTEMPTS: usize = 10_000;

/// The working files of a calibration file: `<stem>.abc_state.json`,
/// `<stem>.posterior.csv` and `<stem>.fit_report.csv` beside it, so that two
/// calibration files in one folder keep theirs apart. The shipped
/// `calibration.toml` keeps its historical names (`abc_state.json`,
/// `posterior.csv`, `fit_report.csv`).
pub fn working_files(path: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let (dir, prefix) = working_prefix(path);
    (
        dir.join(format!("{prefix}abc_state.json")),
        dir.join(format!("{prefix}posterior.csv")),
        dir.join(format!("{prefix}fit_report.csv")),
    )
}

/// Load a calibration file and check every field (and its scenario) before
/// any work: errors name the file, line and key.
pub fn load(path: &Path) -> Result<Calibration, ScenarioError> {
    let text = crate::input::read_text(path, "calibration file")?;
    let (file, spans): (CalibrationFile, Spans) = crate::input::parse_toml(path, text)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    if file.scenario.trim().is_empty() {
        return Err(spans.invalid("scenario", "must name the scenario file to fit"));
    }
    let scenario = crate::scenario::load(&dir.join(&file.scenario))?;
    if file.output.trim().is_empty() {
        return Err(spans.invalid("output", "must name the file to write the fit to"));
    }
    let output = dir.join(&file.output);
    if output.is_dir() {
        return Err(spans.invalid("output", "names a folder; give a file name (TOML)"));
    }
    if output
        .parent()
        .is_some_and(|p| !p.as_os_str().is_empty() && !p.is_dir())
    {
        return Err(spans.invalid("output", "is in a folder that does not exist"));
    }
    let (state, posterior, report) = working_files(path);
    // The run settings of the fit, checked as the scenario checks them.
    let mut p = scenario.params.clone();
    p.run.scale = file.scale;
    p.run.replicates = file.replicates;
    if let Some(bad) = p.validate().into_iter().next() {
        let key = match bad.key.as_str() {
            "run.scale" => "scale",
            "run.replicates" => "replicates",
            _ => "scenario",
        };
        return Err(spans.invalid(key, format!("`{}` {}", bad.key, bad.message)));
    }
    p.run.replicates = file.report_replicates;
    if let Some(bad) = p.validate().into_iter().find(|b| b.key == "run.replicates") {
        return Err(spans.invalid("report_replicates", bad.message));
    }
    if let Some(h) = &file.history_matching {
        let counts = [
            (
                "history_matching.screening_trajectories",
                h.screening_trajectories,
                2,
            ),
            ("history_matching.wave_size", h.wave_size, 20),
            ("history_matching.candidates", h.candidates, 100),
            ("history_matching.final_size", h.final_size, 20),
            ("history_matching.posterior_size", h.posterior_size, 1),
        ];
        for (key, v, min) in counts {
            if !(min..=MAX_PARTICLES * 10).contains(&v) {
                return Err(spans.invalid(
                    key,
                    format!("must be from {min} to {}, got {v}", MAX_PARTICLES * 10),
                ));
            }
        }
        if h.waves > 20 {
            return Err(spans.invalid(
                "history_matching.waves",
                format!("must be from 0 to 20, got {}", h.waves),
            ));
        }
        if !(h.cutoff > 0.0 && h.cutoff.is_finite()) {
            return Err(spans.invalid("history_matching.cutoff", "must be a positive number"));
        }
        if !(h.screening_threshold >= 0.0 && h.screening_threshold.is_finite()) {
            return Err(spans.invalid(
                "history_matching.screening_threshold",
                "must be zero or a positive number",
            ));
        }
        if file.replicates < 2 {
            return Err(spans.invalid(
                "replicates",
                "history matching needs at least 2 replicates per simulation (their spread is the Monte Carlo error)",
            ));
        }
    } else if file.abc.is_none() {
        return Err(spans.invalid(
            "history_matching",
            "a calibration file needs a [history_matching] or an [abc] section",
        ));
    }
    let abc = &file.abc_config();
    if !(2..=MAX_PARTICLES).contains(&abc.particles) {
        return Err(spans.invalid(
            "abc.particles",
            format!("must be from 2 to {MAX_PARTICLES}, got {}", abc.particles),
        ));
    }
    if abc.generations > MAX_GENERATIONS {
        return Err(spans.invalid(
            "abc.generations",
            format!(
                "must be from 0 to {MAX_GENERATIONS}, got {}",
                abc.generations
            ),
        ));
    }
    if !(abc.quantile > 0.0 && abc.quantile < 1.0) {
        return Err(spans.invalid(
            "abc.quantile",
            format!("must be between 0 and 1 (exclusive), got {}", abc.quantile),
        ));
    }
    if !(1..=MAX_ATTEMPTS).contains(&abc.max_attempts) {
        return Err(spans.invalid(
            "abc.max_attempts",
            format!(
                "must be from 1 to {MAX_ATTEMPTS} (proposals per particle), got {}",
                abc.max_attempts
            ),
        ));
    }
    let mut reg = register();
    for (i, study) in file.exclude_studies.iter().enumerate() {
        if !reg.iter().any(|t| &t.study == study) {
            let mut studies: Vec<&str> = reg.iter().map(|t| t.study.as_str()).collect();
            studies.sort_unstable();
            studies.dedup();
            return Err(spans.invalid(
                &format!("exclude_studies[{i}]"),
                format!(
                    "`{}` is not a study of the register; studies: {}",
                    crate::input::shorten(study),
                    studies.join(", ")
                ),
            ));
        }
    }
    reg.retain(|t| !file.exclude_studies.contains(&t.study));
    if objective_targets(&reg).is_empty() {
        return Err(spans.invalid("exclude_studies", "leaves no calibration target to fit"));
    }
    if file.parameters.is_empty() {
        return Err(spans.invalid("parameter", "at least one [[parameter]] is needed"));
    }
    let leaves: std::collections::HashMap<String, f64> =
        scenario.params.numeric_leaves().into_iter().collect();
    let numeric = |key: &str| {
        leaves.contains_key(key) && crate::params::info(key).is_some_and(|i| i.is_numeric())
    };
    for (i, prior) in file.parameters.iter().enumerate() {
        let at = |field: &str| format!("parameter[{i}].{field}");
        if !numeric(&prior.key) {
            let hint = crate::input::nearest_key(&prior.key, leaves.keys())
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            return Err(spans.invalid(
                &at("key"),
                format!(
                    "`{}` is not a numeric parameter of the scenario (see `pathsim params`){hint}",
                    crate::input::shorten(&prior.key)
                ),
            ));
        }
        if prior.key.starts_with("run.") {
            return Err(spans.invalid(
                &at("key"),
                format!("`{}` cannot be fitted: it is a run setting", prior.key),
            ));
        }
        if file.parameters[..i].iter().any(|q| q.key == prior.key) {
            return Err(spans.invalid(&at("key"), format!("`{}` is listed twice", prior.key)));
        }
        if !prior.min.is_finite() {
            return Err(spans.invalid(
                &at("min"),
                format!("must be a finite number, got {}", prior.min),
            ));
        }
        if !prior.max.is_finite() || prior.max <= prior.min {
            return Err(spans.invalid(
                &at("max"),
                format!(
                    "must be a finite number greater than min ({}), got {}",
                    prior.min, prior.max
                ),
            ));
        }
        if prior.log && prior.min <= 0.0 {
            return Err(spans.invalid(
                &at("min"),
                format!("must be positive for a log prior, got {}", prior.min),
            ));
        }
        let info = crate::params::info(&prior.key).expect("checked numeric");
        if prior.min < info.min || prior.max > info.max {
            let field = if prior.min < info.min { "min" } else { "max" };
            return Err(spans.invalid(
                &at(field),
                format!(
                    "the prior of `{}` must stay within its range, {} to {} ({}); got {} to {}",
                    prior.key, info.min, info.max, info.unit, prior.min, prior.max
                ),
            ));
        }
        if let Some(b) = &prior.balance {
            if !numeric(b) || b == &prior.key || b.starts_with("run.") {
                return Err(spans.invalid(
                    &at("balance"),
                    format!(
                        "`{}` must be another numeric parameter of the scenario",
                        crate::input::shorten(b)
                    ),
                ));
            }
            if file.parameters.iter().any(|q| &q.key == b) {
                return Err(spans.invalid(
                    &at("balance"),
                    format!(
                        "`{b}` is fitted itself, so it cannot also balance `{}`",
                        prior.key
                    ),
                ));
            }
        }
    }
    Ok(Calibration {
        path: path.to_path_buf(),
        file,
        scenario,
        output,
        state,
        posterior,
        report,
    })
}

/// The partial scenario holding the fitted values.
pub fn calibrated_toml(values: &[(String, f64)], note: &str) -> String {
    let mut table = toml::Table::new();
    for (key, v) in values {
        let v = *v;
        let parts: Vec<&str> = key.split('.').collect();
        let mut node = &mut table;
        for part in &parts[..parts.len() - 1] {
            node = node
                .entry(part.to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()))
                .as_table_mut()
                .expect("tables");
        }
        // Ten significant figures: the fitted values come rounded to four
        // ([`fitted_values`]), and a balancing key keeps its sum exact.
        let rounded = format!("{v:.9e}").parse::<f64>().unwrap_or(v);
        node.insert(
            parts[parts.len() - 1].to_string(),
            toml::Value::Float(rounded),
        );
    }
    let mut out = String::new();
    for line in note.lines() {
        out.push_str(&format!("# {line}\n"));
    }
    out.push_str(
        "\ndescription = \"Calibrated parameter values: a partial scenario, the base of baseline.toml.\"\n\n",
    );
    out.push_str(&toml::to_string_pretty(&table).expect("serialise"));
    out
}

/// The fitted values at `x`, with any balancing keys, as (key, value) pairs:
/// each fitted value rounded to four significant figures (enough for the fit,
/// readable in review), and each balancing key moved by the opposite of its
/// rounded partner's change, so that a sum it keeps stays exact.
pub fn fitted_values(base: &Params, priors: &[Prior], x: &[f64]) -> Vec<(String, f64)> {
    let round4 = |v: f64| format!("{v:.3e}").parse::<f64>().unwrap_or(v);
    let mut out: Vec<(String, f64)> = priors
        .iter()
        .zip(x)
        .map(|(p, &u)| (p.key.clone(), round4(p.value_at(u))))
        .collect();
    let leaves: std::collections::HashMap<String, f64> =
        base.numeric_leaves().into_iter().collect();
    for (p, (_, v)) in priors.iter().zip(out.clone()) {
        if let Some(b) = &p.balance {
            if let (Some(&from), Some(&other)) = (leaves.get(&p.key), leaves.get(b)) {
                out.push((b.clone(), other - (v - from)));
            }
        }
    }
    out
}

/// Where a pattern search stands: the best point and its distance, the step,
/// the simulations done, and the next move to try (coordinate `i`, direction
/// `d`: 0 up, 1 down; `moved` if this sweep improved). Saved after every
/// simulation, so a search killed at any moment resumes on the same path with
/// the budget it had left.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchState {
    pub x: Vec<f64>,
    #[serde(with = "json_f64")]
    pub fx: f64,
    pub step: f64,
    pub evals: usize,
    pub i: usize,
    pub d: usize,
    pub moved: bool,
}

impl SearchState {
    /// A new search from `x0` (whose distance is `fx0`, one simulation).
    pub fn start(x0: &[f64], fx0: f64, step: f64) -> SearchState {
        SearchState {
            x: x0.to_vec(),
            fx: fx0,
            step,
            evals: 1,
            i: 0,
            d: 0,
            moved: false,
        }
    }
}

/// Compass (pattern) search on the unit cube: try a step up and down each
/// coordinate in turn, keep the first improvement, halve the step after a sweep
/// without one; stop at `min_step` or after `max_evals` simulations in all
/// (those of earlier sessions included). `improved` is called at each
/// improvement, `checkpoint` after every simulation and step change.
pub fn pattern_search_from(
    mut st: SearchState,
    mut f: impl FnMut(&[f64]) -> f64,
    min_step: f64,
    max_evals: usize,
    mut improved: impl FnMut(&[f64], f64, usize) -> anyhow::Result<()>,
    mut checkpoint: impl FnMut(&SearchState) -> anyhow::Result<()>,
) -> anyhow::Result<(Vec<f64>, f64, usize)> {
    let n = st.x.len();
    while st.step >= min_step && st.evals < max_evals {
        if st.i >= n {
            if !st.moved {
                st.step /= 2.0;
            }
            st.i = 0;
            st.d = 0;
            st.moved = false;
            checkpoint(&st)?;
            continue;
        }
        let dir = if st.d == 0 { 1.0 } else { -1.0 };
        let v = (st.x[st.i] + dir * st.step).clamp(0.0, 1.0);
        let next = |st: &mut SearchState| {
            st.d += 1;
            if st.d == 2 {
                st.d = 0;
                st.i += 1;
            }
        };
        if v == st.x[st.i] {
            next(&mut st);
            continue;
        }
        let mut y = st.x.clone();
        y[st.i] = v;
        let fy = f(&y);
        st.evals += 1;
        if fy < st.fx {
            st.x = y;
            st.fx = fy;
            st.moved = true;
            st.d = 0;
            st.i += 1;
            improved(&st.x, st.fx, st.evals)?;
        } else {
            next(&mut st);
        }
        checkpoint(&st)?;
    }
    Ok((st.x, st.fx, st.evals))
}

/// [`pattern_search_from`] a new start, without checkpoints.
pub fn pattern_search(
    x0: &[f64],
    mut f: impl FnMut(&[f64]) -> f64,
    step: f64,
    min_step: f64,
    max_evals: usize,
    improved: impl FnMut(&[f64], f64, usize) -> anyhow::Result<()>,
) -> anyhow::Result<(Vec<f64>, f64, usize)> {
    let fx0 = f(x0);
    pattern_search_from(
        SearchState::start(x0, fx0, step),
        f,
        min_step,
        max_evals,
        improved,
        |_| Ok(()),
    )
}

/// A saved pattern search: the state, the settings it was started with, and
/// the fitted values last written, so a resume picks up only its own search.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RefineState {
    fingerprint: String,
    written: Vec<(String, f64)>,
    search: SearchState,
}

/// Where a refinement keeps its state: beside the ABC state file.
fn refine_state_path(abc_state: &Path) -> PathBuf {
    let name = abc_state
        .file_name()
        .map(|n| n.to_string_lossy().replace("abc_state", "refine_state"))
        .unwrap_or_else(|| "refine_state.json".into());
    abc_state.with_file_name(name)
}

/// `pathsim calibrate FILE`.
///
/// With `finish`, no further generations run: the result is written from the
/// generations saved so far (to stop a long fit early without losing it). With
/// `refine`, no ABC runs: a pattern search starts from the scenario's current
/// values (the last fit), writes every improvement, and saves its state after
/// every simulation (`refine_state.json` beside the ABC state), so re-running
/// resumes the same search with the budget it had left.
pub fn calibrate(
    path: &Path,
    threads: Option<usize>,
    quiet: bool,
    finish: bool,
    refine: Option<usize>,
) -> Result<(), CliError> {
    let cal = load(path)?;
    let file = cal.file;
    let output = cal.output;
    // Working files live beside the calibration file, not among the scenarios.
    let state_path = cal.state;
    let posterior = cal.posterior;
    let report = cal.report;
    let sc = cal.scenario;
    let mut base = sc.params.clone();
    base.run.scale = file.scale;
    base.run.replicates = file.replicates;
    let mut reg = register();
    reg.retain(|t| !file.exclude_studies.contains(&t.study));
    // Start from the scenario's current values (clamped into the priors).
    let current: std::collections::HashMap<String, f64> =
        base.numeric_leaves().into_iter().collect();
    let initial: Vec<f64> = file
        .parameters
        .iter()
        .map(|p| {
            let v = current.get(&p.key).copied().unwrap_or(p.min);
            p.to_unit(v.clamp(p.min, p.max)).clamp(0.0, 1.0)
        })
        .collect();
    let fingerprint = format!(
        "{:016x}",
        mix64(
            serde_json::to_string(&(
                &file.abc,
                &file.parameters,
                file.seed,
                file.scale,
                file.replicates
            ))
            .context("fingerprint")?
            .bytes()
            .fold(0u64, |h, b| mix64(h ^ b as u64))
        )
    );
    let start = match read_state(&state_path, &fingerprint, &file)? {
        Some(generations) => {
            if !quiet {
                println!(
                    "resuming from {} ({} generation(s) done)",
                    state_path.display(),
                    generations.len()
                );
            }
            generations
        }
        None => Vec::new(),
    };
    let pool = crate::engine::thread_pool(threads)?;
    if let (Some(h), None) = (&file.history_matching, refine) {
        return history_match(
            path, &file, h, &sc.params, &base, &reg, &initial, &output, &posterior, &report, &pool,
            quiet,
        );
    }
    let total = (file.abc_config().generations + 1) as u64;
    let bar = crate::progress::bar(total, 0, "calibrate", "generations", quiet);
    bar.set_position(start.len() as u64);
    let hidden = indicatif::ProgressBar::hidden();
    let dist = |x: &[f64]| -> f64 {
        match params_at(&base, &file.parameters, x) {
            Ok(p) => distance(&reg, &replicate_values(&p, &hidden)),
            Err(_) => f64::INFINITY,
        }
    };
    if let Some(max_evals) = refine {
        let refine_path = refine_state_path(&state_path);
        // Resume only the search that wrote the scenario's current values.
        let now: std::collections::HashMap<String, f64> =
            base.numeric_leaves().into_iter().collect();
        let saved: Option<RefineState> = match std::fs::read_to_string(&refine_path) {
            Ok(text) => Some(serde_json::from_str(&text).map_err(|e| {
                CliError::Input(format!(
                    "{}: the refinement state is damaged ({e}); delete it to start afresh",
                    refine_path.display()
                ))
            })?),
            Err(_) => None,
        };
        let resumed = saved.filter(|s| {
            s.fingerprint == fingerprint
                && s.written
                    .iter()
                    .all(|(k, v)| now.get(k).is_some_and(|w| w == v))
        });
        // The values the scenario holds now, as a later load will read them.
        let current_values: Vec<(String, f64)> = fitted_values(&base, &file.parameters, &initial)
            .into_iter()
            .map(|(k, v)| {
                let now_v = now.get(&k).copied().unwrap_or(v);
                (k, now_v)
            })
            .collect();
        let state = match resumed {
            Some(s) => {
                if !quiet {
                    println!(
                        "resuming the refinement from {} ({} simulations done, step {})",
                        refine_path.display(),
                        s.search.evals,
                        s.search.step
                    );
                }
                s.search
            }
            None => {
                let fx0 = pool.install(|| dist(&initial));
                SearchState::start(&initial, fx0, 0.1)
            }
        };
        let bar = crate::progress::bar(
            max_evals as u64,
            state.evals.min(max_evals) as u64,
            "refine",
            "simulations",
            quiet,
        );
        let written = std::sync::Mutex::new(current_values);
        // Write a fit with its header (every session's simulations counted).
        let write_fit = |x: &[f64], d: f64, evals: usize| -> anyhow::Result<()> {
            let note = format!(
                "Fitted by `pathsim calibrate {} --refine` (pattern search from the previous fit, \
                 {evals} simulations so far at scale {} x {} replicates).\n\
                 Distance (RMS of error / tolerance over calibration targets): {d:.3}.\n\
                 Generated file: do not edit by hand; re-run the calibration instead.",
                path.display(),
                file.scale,
                file.replicates
            );
            let values = fitted_values(&base, &file.parameters, x);
            let text = calibrated_toml(&values, &note);
            crate::output::write_atomic(&output, text.as_bytes())?;
            // What a later load reads back (values are rounded when written).
            let back: toml::Table = text.parse()?;
            let mut leaves = Vec::new();
            crate::parameter::collect_numeric("", &toml::Value::Table(back), &mut leaves);
            *written.lock().expect("one writer") = values
                .iter()
                .map(|(k, _)| {
                    let v = leaves.iter().find(|(l, _)| l == k).map(|(_, v)| *v);
                    (k.clone(), v.unwrap_or(f64::NAN))
                })
                .collect();
            Ok(())
        };
        let (best_x, best_d, evals) = pool
            .install(|| {
                pattern_search_from(
                    state,
                    dist,
                    0.01,
                    max_evals,
                    |x, d, evals| {
                        bar.set_message(format!("best {d:.3}"));
                        write_fit(x, d, evals)
                    },
                    |st| {
                        bar.set_position(st.evals as u64);
                        let saved = RefineState {
                            fingerprint: fingerprint.clone(),
                            written: written.lock().expect("one writer").clone(),
                            search: st.clone(),
                        };
                        crate::output::write_atomic(
                            &refine_path,
                            serde_json::to_string(&saved)?.as_bytes(),
                        )
                    },
                )
            })
            .map_err(|e| CliError::Input(e.to_string()))?;
        // The best may not have moved in this session: the header still counts
        // its simulations. (Same values, so the saved state still matches.)
        write_fit(&best_x, best_d, evals).map_err(|e| CliError::Input(e.to_string()))?;
        bar.finish_and_clear();
        return finish_report(
            &sc.params, &file, &reg, &best_x, best_d, evals, &output, &report, &pool, quiet,
        );
    }
    let mut abc = file.abc_config();
    if finish {
        if start.is_empty() {
            return Err(CliError::Input(format!(
                "--finish: no saved generations in {}",
                state_path.display()
            )));
        }
        abc.generations = start.len() - 1;
    }
    let gens = pool.install(|| {
        abc_smc(
            file.parameters.len(),
            &abc,
            file.seed,
            dist,
            Some(initial),
            start,
            |g| {
                let state = AbcState {
                    fingerprint: fingerprint.clone(),
                    generations: g.to_vec(),
                };
                crate::output::write_atomic(
                    &state_path,
                    serde_json::to_string(&state)?.as_bytes(),
                )?;
                bar.set_position(g.len() as u64);
                let last = g.last().expect("a generation");
                let best = last.distances.iter().copied().fold(f64::INFINITY, f64::min);
                bar.set_message(format!("best {best:.2}"));
                Ok(())
            },
        )
    })?;
    bar.finish_and_clear();
    let last = gens.last().expect("a generation");
    if !gens
        .iter()
        .flat_map(|g| &g.distances)
        .any(|d| d.is_finite())
    {
        return Err(CliError::Input(format!(
            "{}: no simulation of the fit gave a valid scenario (every distance is infinite); \
             {} is not written. Check the priors and their `balance` keys.",
            path.display(),
            output.display()
        )));
    }
    // The point estimate: the closest particle of any generation (the posterior
    // sample is the last generation, written beside it).
    let (best_x, best_d) = gens
        .iter()
        .flat_map(|g| g.particles.iter().zip(&g.distances))
        .min_by(|a, b| a.1.total_cmp(b.1))
        .map(|(x, d)| (x.clone(), *d))
        .expect("particles");
    let sims: usize = gens.iter().map(|g| g.simulations).sum();
    let note = format!(
        "Fitted by `pathsim calibrate {}` (ABC-SMC: {} particles, {} generations, {} simulations at scale {} x {} replicates).\n\
         Distance (RMS of error / tolerance over calibration targets): {:.3}. Posterior: {}.\n\
         Generated file: do not edit by hand; re-run the calibration instead.",
        path.display(),
        file.abc_config().particles,
        file.abc_config().generations,
        sims,
        file.scale,
        file.replicates,
        best_d,
        posterior.display()
    );
    crate::output::write_atomic(
        &output,
        calibrated_toml(&fitted_values(&base, &file.parameters, &best_x), &note).as_bytes(),
    )?;
    write_posterior(&posterior, &file.parameters, last)?;
    finish_report(
        &sc.params, &file, &reg, &best_x, best_d, sims, &output, &report, &pool, quiet,
    )
}

/// Calibrate by screening, history matching and importance sampling
/// ([`crate::calibrate::posterior`]); write the posterior, its predictive check, the
/// diagnostics and the point estimate (the sample's most likely simulation).
#[allow(clippy::too_many_arguments)]
fn history_match(
    path: &Path,
    file: &CalibrationFile,
    h: &crate::calibrate::posterior::HmConfig,
    scenario: &Params,
    base: &Params,
    reg: &[Target],
    initial: &[f64],
    output: &Path,
    posterior: &Path,
    report: &Path,
    pool: &rayon::ThreadPool,
    quiet: bool,
) -> Result<(), CliError> {
    use crate::calibrate::posterior as post;
    let started = std::time::Instant::now();
    let (dir, prefix) = working_prefix(path);
    let store_path = match &h.store {
        Some(s) => dir.join(s),
        None => dir.join(format!("{prefix}simulations.jsonl")),
    };
    // A simulation depends on the priors, seed, scale, replicates, scenario and
    // register, not on the fit's settings (so fits may share a store).
    let fingerprint = format!(
        "{:016x}",
        mix64(
            serde_json::to_string(&(
                &file.parameters,
                file.seed,
                file.scale,
                file.replicates,
                base,
                crate::studies::targets::REGISTER_CSV
            ))
            .context("fingerprint")?
            .bytes()
            .fold(0u64, |a, b| mix64(a ^ b as u64))
        )
    );
    let ids: Vec<String> = reg.iter().map(|t| t.id.clone()).collect();
    let mut store = post::Store::open(&store_path, &fingerprint, ids)
        .map_err(|e| CliError::Input(format!("{e:#}")))?;
    let k = file.parameters.len();
    let total = h.screening_trajectories * (k + 1) + h.waves * h.wave_size + h.final_size;
    let bar = crate::progress::bar(total as u64, 0, "calibrate", "simulations", quiet);
    let problem = post::Problem {
        base,
        priors: &file.parameters,
        register: reg,
        current: initial.to_vec(),
    };
    let fit = pool
        .install(|| post::calibrate(&problem, h, file.seed, &mut store, &|n| bar.inc(n as u64)))
        .map_err(|e| CliError::Input(format!("{}: {e:#}", path.display())))?;
    bar.finish_and_clear();
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    let best = fit.best;
    let best_x = fit.sample[best].x.clone();
    let free = fit.screening.iter().filter(|s| s.free).count();
    let note = format!(
        "Fitted by `pathsim calibrate {}` (screening, {} waves of history matching, importance sampling: \
         {} simulations at scale {} x {} replicates; {} of {} parameters free after screening).\n\
         These are the values of the most likely of the {:.0} acceptable matches (within {:.2} SD on every \
         reachable target, of {} simulations). Posterior: {}.\n\
         Generated file: do not edit by hand; re-run the calibration instead.",
        path.display(),
        h.waves,
        fit.simulations,
        file.scale,
        file.replicates,
        free,
        k,
        fit.ess,
        fit.tolerance,
        fit.sample.len(),
        posterior.display()
    );
    crate::output::write_atomic(
        output,
        calibrated_toml(&fitted_values(base, &file.parameters, &best_x), &note).as_bytes(),
    )?;
    post::write_posterior(posterior, &file.parameters, &fit, base)?;
    let predictive =
        post::write_predictive(&dir.join(format!("{prefix}predictive.csv")), reg, &fit)?;
    post::write_diagnostics(
        &dir.join(format!("{prefix}diagnostics")),
        &file.parameters,
        &fit,
    )?;
    if !quiet {
        println!(
            "{} simulations ({} run now, {} read from {}) in {minutes:.1} minutes",
            fit.simulations,
            store.new,
            fit.simulations - store.new.min(fit.simulations),
            store_path.display()
        );
        print!("{}", post::summary(&fit, &predictive, h.fit_before));
    }
    finish_report(
        scenario,
        file,
        reg,
        &best_x,
        f64::NAN,
        fit.simulations,
        output,
        report,
        pool,
        quiet,
    )
}

/// The folder of a calibration file and the prefix of its working files.
fn working_prefix(path: &Path) -> (PathBuf, String) {
    let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = if stem == "calibration" || stem.is_empty() {
        String::new()
    } else {
        format!("{stem}.")
    };
    (dir, prefix)
}

/// The fit report at the scenario's own scale and replicates, with the fitted
/// values, written and printed.
#[allow(clippy::too_many_arguments)]
fn finish_report(
    scenario: &Params,
    file: &CalibrationFile,
    reg: &[Target],
    best_x: &[f64],
    best_d: f64,
    sims: usize,
    output: &Path,
    report: &Path,
    pool: &rayon::ThreadPool,
    quiet: bool,
) -> Result<(), CliError> {
    let mut fitted = params_at(scenario, &file.parameters, best_x).map_err(CliError::Input)?;
    fitted.run.replicates = file.report_replicates;
    let bar = crate::progress::chunks(crate::run::total_chunks(&fitted), "fit report", quiet);
    let results = pool.install(|| score(reg, &replicate_values(&fitted, &bar)));
    bar.finish_and_clear();
    crate::studies::targets::write_targets_csv(report, &results)?;
    if !quiet {
        if best_d.is_finite() {
            println!(
                "distance {best_d:.3} after {sims} simulations; wrote {}",
                output.display()
            );
        } else {
            println!("{sims} simulations; wrote {}", output.display());
        }
        for (key, v) in fitted_values(scenario, &file.parameters, best_x) {
            println!("  {key:<48} {v:.4}");
        }
        print!("{}", crate::studies::targets::table(&results));
        println!("fit report: {}", report.display());
    }
    Ok(())
}

/// The last generation as a weighted posterior sample.
fn write_posterior(path: &Path, priors: &[Prior], g: &Generation) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["particle".to_string(), "weight".into(), "distance".into()];
    header.extend(priors.iter().map(|p| p.key.clone()));
    w.write_record(&header)?;
    for (i, x) in g.particles.iter().enumerate() {
        let mut row = vec![
            i.to_string(),
            g.weights[i].to_string(),
            g.distances[i].to_string(),
        ];
        row.extend(
            priors
                .iter()
                .zip(x)
                .map(|(p, &u)| p.value_at(u).to_string()),
        );
        w.write_record(&row)?;
    }
    crate::output::write_atomic(path, &w.into_inner()?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_calibration_fits_exactly_the_parameters_declared_fitted() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let c = load(&root.join("calibration/calibration.toml")).unwrap();
        for prior in &c.file.parameters {
            assert!(
                crate::parameter::is_fitted(&prior.key),
                "{} is fitted by calibration/calibration.toml but declared set by hand",
                prior.key
            );
        }
    }

    fn config() -> AbcConfig {
        AbcConfig {
            particles: 60,
            generations: 6,
            quantile: 0.5,
            max_attempts: 8,
        }
    }

    #[test]
    fn abc_finds_the_minimum_of_a_known_distance() {
        let truth = [0.3, 0.7];
        let d = |x: &[f64]| ((x[0] - truth[0]).powi(2) + (x[1] - truth[1]).powi(2)).sqrt();
        let gens = abc_smc(2, &config(), 5, d, None, Vec::new(), |_| Ok(())).unwrap();
        let last = gens.last().unwrap();
        let mean: Vec<f64> = (0..2)
            .map(|k| {
                last.particles
                    .iter()
                    .zip(&last.weights)
                    .map(|(p, w)| p[k] * w)
                    .sum()
            })
            .collect();
        assert!(
            (mean[0] - 0.3).abs() < 0.03 && (mean[1] - 0.7).abs() < 0.03,
            "{mean:?}"
        );
        // Tolerances shrink generation by generation.
        assert!(gens[2].tolerance > gens.last().unwrap().tolerance);
    }

    #[test]
    fn resuming_gives_the_same_result_as_an_uninterrupted_run() {
        let d = |x: &[f64]| (x[0] - 0.5).abs() + (x[1] - 0.2).abs();
        let full = abc_smc(2, &config(), 9, d, None, Vec::new(), |_| Ok(())).unwrap();
        let mut cfg = config();
        cfg.generations = 2;
        let part = abc_smc(2, &cfg, 9, d, None, Vec::new(), |_| Ok(())).unwrap();
        // Through JSON, as a resume reads it from disk.
        let part: Vec<Generation> =
            serde_json::from_str(&serde_json::to_string(&part).unwrap()).unwrap();
        let resumed = abc_smc(2, &config(), 9, d, None, part, |_| Ok(())).unwrap();
        assert_eq!(full, resumed);
    }

    #[test]
    fn validation_targets_are_never_in_the_objective() {
        let reg = register();
        let used = objective_targets(&reg);
        assert!(!used.is_empty());
        for t in &used {
            assert_eq!(t.role, Role::Calibration, "{}", t.id);
        }
        let validation: Vec<&Target> = reg.iter().filter(|t| t.role == Role::Validation).collect();
        assert!(validation.len() >= 14);
        // Moving every validation figure changes no distance.
        let values: Vec<Vec<crate::studies::Value>> = vec![reg
            .iter()
            .filter_map(|t| t.published.map(|p| (leak(&t.id), p * 1.1)))
            .collect()];
        let mut moved = reg.clone();
        for t in moved.iter_mut().filter(|t| t.role == Role::Validation) {
            t.published = t.published.map(|p| p * 3.0 + 1.0);
        }
        assert_eq!(distance(&reg, &values), distance(&moved, &values));
    }

    fn leak(s: &str) -> &'static str {
        Box::leak(s.to_string().into_boxed_str())
    }

    #[test]
    fn priors_map_to_and_from_the_unit_cube() {
        let p = Prior {
            key: "x".into(),
            min: 0.01,
            max: 1.0,
            log: true,
            balance: None,
        };
        assert!((p.value_at(0.5) - 0.1).abs() < 1e-12);
        assert!((p.to_unit(0.1) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn pattern_search_finds_the_minimum_of_a_bowl() {
        let c = [0.3, 0.77, 0.05];
        let f = |x: &[f64]| x.iter().zip(c).map(|(a, b)| (a - b).powi(2)).sum::<f64>();
        let mut improvements = 0;
        let (x, fx, evals) = pattern_search(&[0.5; 3], f, 0.1, 0.001, 10_000, |_, _, _| {
            improvements += 1;
            Ok(())
        })
        .unwrap();
        for (a, b) in x.iter().zip(c) {
            assert!((a - b).abs() < 0.002, "{x:?}");
        }
        assert!(fx < 1e-5 && improvements > 5 && evals < 10_000);
        // The evaluation budget is respected.
        let (_, _, evals) = pattern_search(&[0.5; 3], f, 0.1, 0.001, 7, |_, _, _| Ok(())).unwrap();
        assert_eq!(evals, 7);
    }

    #[test]
    fn a_pattern_search_resumed_from_any_checkpoint_ends_where_an_unbroken_one_does() {
        let c = [0.3, 0.77, 0.05];
        let f = |x: &[f64]| x.iter().zip(c).map(|(a, b)| (a - b).powi(2)).sum::<f64>();
        let x0 = [0.5; 3];
        let mut checkpoints = Vec::new();
        let whole = pattern_search_from(
            SearchState::start(&x0, f(&x0), 0.1),
            f,
            0.001,
            200,
            |_, _, _| Ok(()),
            |st| {
                checkpoints.push(st.clone());
                Ok(())
            },
        )
        .unwrap();
        assert!(checkpoints.len() > 20);
        for k in [0, 7, checkpoints.len() / 2, checkpoints.len() - 1] {
            // Through JSON, as the state file stores it.
            let saved: SearchState =
                serde_json::from_str(&serde_json::to_string(&checkpoints[k]).unwrap()).unwrap();
            let resumed =
                pattern_search_from(saved, f, 0.001, 200, |_, _, _| Ok(()), |_| Ok(())).unwrap();
            assert_eq!(resumed, whole, "resumed from checkpoint {k}");
        }
        assert!(whole.2 < 200, "converged within the budget");
        // The budget counts every session's simulations.
        let part = pattern_search_from(
            checkpoints[3].clone(),
            f,
            0.001,
            10,
            |_, _, _| Ok(()),
            |_| Ok(()),
        )
        .unwrap();
        assert_eq!(part.2, 10);
    }

    #[test]
    fn a_balanced_prior_keeps_the_sum() {
        let base = crate::params::baseline();
        let prior = Prior {
            key: "population.substance_share.opiates_crack".into(),
            min: 0.1,
            max: 0.2,
            log: false,
            balance: Some("population.substance_share.none".into()),
        };
        let p = params_at(&base, &[prior], &[0.0]).unwrap();
        let s = &p.population.substance_share;
        assert!((s.opiates_crack - 0.1).abs() < 1e-12);
        let sum = s.opiates_crack + s.other_drugs + s.alcohol + s.none;
        assert!((sum - 1.0).abs() < 1e-12);
        assert!(
            (s.none
                - (base.population.substance_share.none
                    + base.population.substance_share.opiates_crack
                    - 0.1))
                .abs()
                < 1e-12
        );
    }
}
