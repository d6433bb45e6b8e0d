//! Calibration that gives a posterior: screening, history matching and
//! importance sampling of the free parameters against the register, and the
//! posterior sample that `run` and `compare` draw from.
//!
//! The pipeline (numerical pieces in [`crate::history_matching`]):
//! 1. **Screening**: Morris trajectories over every free parameter; a parameter
//!    stays free if moving it by two thirds of its prior range moves some fitted
//!    target by more than `screening_threshold` SD beyond Monte Carlo noise;
//!    the others are fixed at the scenario's values.
//! 2. **History matching**, `waves` times: a Latin hypercube of `wave_size`
//!    simulations in the region not yet ruled out, one quadratic emulator per
//!    fitted target, and implausibility |E z| / sqrt(1 + Var z) < `cutoff` for
//!    every target some candidate can reach. Targets no candidate can reach are
//!    structural misses of the model: reported, and left out of the matching
//!    and the likelihood rather than allowed to drag every parameter.
//! 3. **Acceptable matches**: `final_size` simulations spread uniformly over the
//!    last non-implausible region (the proposal); those whose every reachable
//!    target is within `cutoff` SD (published error, discrepancy and Monte Carlo
//!    error combined) are accepted with equal weight: ABC rejection with the
//!    history-matching cut-off as its tolerance (Vernon et al. 2014). If fewer
//!    than a quarter pass, the tolerance widens to the quarter's largest miss and
//!    the output says so. The accepted set is resampled to `posterior_size`
//!    parameter sets; its effective sample size is the number accepted. (With
//!    likelihood weights instead, 40-80 fitted targets with SDs of a few per cent
//!    put almost all weight on one simulation; that ESS is reported too.)
//!
//! Every simulation uses the scenario's seed (common random numbers), and is
//! appended to a store as it finishes (`<stem>.simulations.jsonl`); a restart
//! recomputes the same points and reads the stored results, so an interrupted
//! calibration resumes where it stopped and finishes as an uninterrupted one.

use super::{params_at, Prior};
use crate::history_matching as hm;
use crate::params::Params;
use crate::studies::targets::{score, Role, Target};
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// History-matching settings of a calibration file (`[history_matching]`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HmConfig {
    /// Morris trajectories (each costs one simulation per parameter, plus one).
    #[serde(default = "d_trajectories")]
    pub screening_trajectories: usize,
    /// Mean absolute effect (target SDs, for a move of 2/3 of the prior range)
    /// a parameter needs on some target, beyond noise, to stay free.
    #[serde(default = "d_threshold")]
    pub screening_threshold: f64,
    /// Simulations per wave.
    #[serde(default = "d_wave")]
    pub wave_size: usize,
    #[serde(default = "d_waves")]
    pub waves: usize,
    /// Candidate points tested against the emulators in each wave.
    #[serde(default = "d_candidates")]
    pub candidates: usize,
    /// Implausibility cut-off (3: Pukelsheim's three-sigma rule).
    #[serde(default = "d_cutoff")]
    pub cutoff: f64,
    /// Simulations of the importance sample.
    #[serde(default = "d_final")]
    pub final_size: usize,
    /// Parameter sets in the posterior sample written.
    #[serde(default = "d_posterior")]
    pub posterior_size: usize,
    /// A temporal hold-out: fit only to sources published (seed studies) or
    /// describing periods (national series) before this year.
    #[serde(default)]
    pub fit_before: Option<i32>,
    /// Search a box of this half-width (on the unit scale of each prior) around
    /// the scenario's current values instead of the whole prior: the posterior is
    /// then over that box (uniform prior within it), and says so.
    #[serde(default)]
    pub search_half_width: Option<f64>,
    /// Free parameters each target's emulator uses: those that move it most in
    /// the screening (a quadratic in more needs more simulations than a wave has).
    #[serde(default = "d_terms")]
    pub emulator_parameters: usize,
    /// The simulation store (relative to the calibration file); two fits of the
    /// same scenario, priors, scale and seed may share one, and reuse every
    /// simulation at the same point (default: `<stem>.simulations.jsonl`).
    #[serde(default)]
    pub store: Option<String>,
}

fn d_trajectories() -> usize {
    4
}
fn d_threshold() -> f64 {
    0.3
}
fn d_wave() -> usize {
    120
}
fn d_waves() -> usize {
    2
}
fn d_candidates() -> usize {
    20_000
}
fn d_cutoff() -> f64 {
    3.0
}
fn d_final() -> usize {
    240
}
fn d_posterior() -> usize {
    200
}
fn d_terms() -> usize {
    12
}

/// The year a register row's source speaks for: a seed study's publication
/// year, a national series' period (its middle).
pub fn source_year(t: &Target) -> Option<f64> {
    match t.study.as_str() {
        "nta" => Some(2012.0),
        "ukdpc" | "volumes" => Some(2008.0),
        "best" => Some(2010.0),
        "bold" => Some(2023.0),
        "nao" => Some(2004.0),
        crate::studies::targets::NATIONAL => crate::studies::national::period_middle(&t.id),
        _ => None,
    }
}

/// The register rows the fit uses: independent calibration targets with a
/// published value, of sources before `fit_before` if set.
pub fn fitted_targets(register: &[Target], fit_before: Option<i32>) -> Vec<&Target> {
    register
        .iter()
        .filter(|t| t.role == Role::Calibration && t.centre().is_some() && t.independent())
        .filter(|t| match fit_before {
            Some(y) => source_year(t).is_some_and(|s| s < y as f64),
            None => true,
        })
        .collect()
}

/// One simulation: the point on the unit cube of every prior, and the mean and
/// Monte Carlo standard error of every register row with a value (register
/// order, NaN where the study gave none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Simulation {
    pub stage: String,
    pub index: usize,
    pub x: Vec<f64>,
    #[serde(with = "super::json_f64::vec")]
    pub mean: Vec<f64>,
    #[serde(with = "super::json_f64::vec")]
    pub se: Vec<f64>,
}

/// The first line of a store: what its simulations were run with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct StoreHeader {
    fingerprint: String,
    ids: Vec<String>,
}

/// The append-only store of simulations of one calibration.
pub struct Store {
    path: PathBuf,
    /// By the exact bits of the point.
    done: HashMap<Vec<u64>, Simulation>,
    /// Simulations run in this session (not read back).
    pub new: usize,
}

impl Store {
    /// Open (or create) the store; an error if it was written with other settings.
    pub fn open(path: &Path, fingerprint: &str, ids: Vec<String>) -> anyhow::Result<Store> {
        let header = StoreHeader {
            fingerprint: fingerprint.to_string(),
            ids,
        };
        let mut done = HashMap::new();
        match std::fs::read_to_string(path) {
            Ok(text) if !text.trim().is_empty() => {
                let mut lines = text.lines();
                let first: StoreHeader = serde_json::from_str(lines.next().unwrap_or_default())
                    .with_context(|| format!("{}: line 1 is not a store header", path.display()))?;
                if first != header {
                    anyhow::bail!(
                        "{}: written for other parameters, seed, scale, register or scenario \
                         (fingerprint {} here, {} now); delete it (or name another store) to start afresh",
                        path.display(),
                        first.fingerprint,
                        header.fingerprint
                    );
                }
                let count = text.lines().count();
                let mut kept = Vec::new();
                for (i, line) in lines.enumerate() {
                    // A line cut short by an interruption is the last one: drop it.
                    match serde_json::from_str::<Simulation>(line) {
                        Ok(s) => {
                            done.insert(bits(&s.x), s);
                            kept.push(line);
                        }
                        Err(_) if i + 2 == count => {}
                        Err(e) => anyhow::bail!("{}: line {}: {e}", path.display(), i + 2),
                    }
                }
                // Rewrite without a cut line (or after a missing final newline),
                // so appends start on a fresh line.
                if kept.len() + 1 < count || !text.ends_with('\n') {
                    let mut out = serde_json::to_string(&header)? + "\n";
                    for line in kept {
                        out.push_str(line);
                        out.push('\n');
                    }
                    crate::output::write_atomic(path, out.as_bytes())?;
                }
            }
            _ => {
                let out = serde_json::to_string(&header)? + "\n";
                crate::output::write_atomic(path, out.as_bytes())?;
            }
        }
        Ok(Store {
            path: path.to_path_buf(),
            done,
            new: 0,
        })
    }

    /// The simulation at exactly `x`, if one was run.
    pub fn get(&self, x: &[f64]) -> Option<&Simulation> {
        self.done.get(&bits(x))
    }

    fn append(&mut self, s: Simulation) -> anyhow::Result<()> {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&self.path)
            .with_context(|| format!("cannot append to {}", self.path.display()))?;
        writeln!(f, "{}", serde_json::to_string(&s)?)?;
        f.sync_data()?;
        self.done.insert(bits(&s.x), s);
        self.new += 1;
        Ok(())
    }
}

fn bits(x: &[f64]) -> Vec<u64> {
    x.iter().map(|v| v.to_bits()).collect()
}

/// What the pipeline needs from the model: the scenario, the priors and the
/// register, and how to simulate a point.
pub struct Problem<'a> {
    pub base: &'a Params,
    pub priors: &'a [Prior],
    pub register: &'a [Target],
    /// The unit-cube position of the scenario's current values (where screened
    /// parameters are fixed).
    pub current: Vec<f64>,
}

impl Problem<'_> {
    /// Simulate `x` (every replicate of the base scenario's scale) and score it.
    pub fn simulate(&self, stage: &str, index: usize, x: &[f64]) -> Simulation {
        let hidden = indicatif::ProgressBar::hidden();
        let scored = match params_at(self.base, self.priors, x) {
            Ok(p) => score(
                self.register,
                &crate::studies::targets::replicate_values(&p, &hidden),
            ),
            Err(_) => Vec::new(),
        };
        let (mean, se) = self
            .register
            .iter()
            .map(|t| {
                scored
                    .iter()
                    .find(|r| r.id == t.id)
                    .map_or((f64::NAN, f64::NAN), |r| (r.mean, r.sd_mc))
            })
            .unzip();
        Simulation {
            stage: stage.into(),
            index,
            x: x.to_vec(),
            mean,
            se,
        }
    }
}

/// Run (or read from the store) the simulations of `points`, in order.
fn run_stage(
    problem: &Problem,
    store: &mut Store,
    stage: &str,
    points: &[Vec<f64>],
    progress: &dyn Fn(usize),
) -> anyhow::Result<Vec<Simulation>> {
    let mut out = Vec::with_capacity(points.len());
    for (i, x) in points.iter().enumerate() {
        let sim = match store.get(x) {
            Some(s) => s.clone(),
            None => {
                let s = problem.simulate(stage, i, x);
                store.append(s.clone())?;
                s
            }
        };
        out.push(sim);
        progress(1);
    }
    Ok(out)
}

/// Standardised outputs of a simulation for the fitted targets: z without the
/// Monte Carlo part (the emulators carry that as their own variance).
fn z_of(sim: &Simulation, fitted: &[(usize, f64, f64)]) -> Vec<f64> {
    fitted
        .iter()
        .map(|&(row, centre, sd)| (sim.mean[row] - centre) / sd)
        .collect()
}

/// Each reachable fitted target's miss (simulated - published) and variance
/// (the register's SD squared plus the simulation's Monte Carlo error squared);
/// `None` if a target has no value.
fn misses(
    sim: &Simulation,
    fitted: &[(usize, f64, f64)],
    reachable: &[bool],
) -> Option<Vec<(f64, f64)>> {
    fitted
        .iter()
        .zip(reachable)
        .filter(|(_, &r)| r)
        .map(|(&(row, centre, sd), _)| {
            let m = sim.mean[row];
            let se = if sim.se[row].is_finite() {
                sim.se[row]
            } else {
                0.0
            };
            m.is_finite().then_some((m - centre, sd * sd + se * se))
        })
        .collect()
}

/// The largest |z| of a simulation over the reachable fitted targets, with its
/// Monte Carlo error in the SD (infinite if a target has no value).
fn worst_z(sim: &Simulation, fitted: &[(usize, f64, f64)], reachable: &[bool]) -> f64 {
    misses(sim, fitted, reachable).map_or(f64::INFINITY, |m| {
        m.iter().fold(0.0, |w, &(d, v)| w.max(d.abs() / v.sqrt()))
    })
}

/// The Gaussian log-likelihood of a simulation over the given targets, with
/// the Monte Carlo error of each mean added to its variance.
fn loglik(sim: &Simulation, fitted: &[(usize, f64, f64)], reachable: &[bool]) -> f64 {
    misses(sim, fitted, reachable).map_or(f64::NEG_INFINITY, |m| {
        m.iter().map(|&(d, v)| -0.5 * (d * d / v + v.ln())).sum()
    })
}

/// One parameter's screening result.
#[derive(Debug, Clone, PartialEq)]
pub struct Screened {
    pub key: String,
    /// Largest mean absolute effect on a fitted target (SDs), after noise.
    pub effect: f64,
    pub on: String,
    pub free: bool,
}

/// One wave's summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Wave {
    pub wave: usize,
    pub simulations: usize,
    /// Share of the candidates (inside the previous region) not ruled out.
    pub kept_share: f64,
    pub unreachable: Vec<String>,
    /// Median R^2 of the emulators.
    pub median_r2: f64,
}

/// The outcome of a calibration.
#[derive(Debug, Clone)]
pub struct Fit {
    pub screening: Vec<Screened>,
    pub waves: Vec<Wave>,
    /// The importance sample: simulations, normalised weights.
    pub sample: Vec<Simulation>,
    pub weights: Vec<f64>,
    pub ess: f64,
    /// What the effective sample size would be with likelihood weights (how
    /// sharply the stated SDs discriminate between acceptable matches).
    pub likelihood_ess: f64,
    /// Acceptance tolerance in SDs (the cut-off, or wider; see [`calibrate`]).
    pub tolerance: f64,
    /// The point estimate: index into `sample`.
    pub best: usize,
    /// Indices into `sample` of the posterior draws (resampled).
    pub draws: Vec<usize>,
    /// The fitted targets (register row, centre, SD) and which are reachable.
    pub fitted: Vec<(usize, f64, f64)>,
    pub reachable: Vec<bool>,
    pub simulations: usize,
}

/// Run the pipeline.
pub fn calibrate(
    problem: &Problem,
    cfg: &HmConfig,
    seed: u64,
    store: &mut Store,
    progress: &dyn Fn(usize),
) -> anyhow::Result<Fit> {
    let k = problem.priors.len();
    let reg = problem.register;
    let fitted: Vec<(usize, f64, f64)> = fitted_targets(reg, cfg.fit_before)
        .into_iter()
        .map(|t| {
            let row = reg.iter().position(|r| r.id == t.id).expect("in register");
            let sd = (t.sd_published().powi(2) + t.sd_discrepancy().powi(2)).sqrt();
            (row, t.centre().expect("filtered"), sd.max(1e-9))
        })
        .collect();
    anyhow::ensure!(!fitted.is_empty(), "no calibration target to fit");
    let nt = fitted.len();
    let mut simulations = 0;

    // 1. Screening.
    let design = hm::morris_design(k, cfg.screening_trajectories, 4, seed);
    let mut outputs = Vec::new();
    let mut noise = vec![Vec::new(); nt];
    for (t, traj) in design.iter().enumerate() {
        let sims = run_stage(
            problem,
            store,
            &format!("morris{t}"),
            &traj.points,
            progress,
        )?;
        simulations += sims.len();
        for s in &sims {
            for (j, &(row, _, sd)) in fitted.iter().enumerate() {
                if s.se[row].is_finite() {
                    noise[j].push(s.se[row] / sd);
                }
            }
        }
        outputs.push(sims.iter().map(|s| z_of(s, &fitted)).collect::<Vec<_>>());
    }
    // The noise of a difference of two simulations, per target (median SE x sqrt 2).
    let noise: Vec<f64> = noise
        .into_iter()
        .map(|mut v| {
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).copied().unwrap_or(0.0) * 2f64.sqrt()
        })
        .collect();
    let mu = hm::morris_effects(&design, &outputs);
    let screening: Vec<Screened> = (0..k)
        .map(|i| {
            let (j, e) = (0..nt)
                .map(|j| (j, mu[i][j] - noise[j]))
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap_or((0, 0.0));
            Screened {
                key: problem.priors[i].key.clone(),
                effect: e,
                on: reg[fitted[j].0].id.clone(),
                free: e > cfg.screening_threshold,
            }
        })
        .collect();
    let active: Vec<usize> = (0..k).filter(|&i| screening[i].free).collect();
    anyhow::ensure!(!active.is_empty(), "screening left no parameter free");

    // 2. Waves. A point is the current values with the free parameters set.
    let place = |free: &[f64]| -> Vec<f64> {
        let mut x = problem.current.clone();
        for (a, &i) in active.iter().enumerate() {
            x[i] = free[a];
        }
        x
    };
    let na = active.len();
    // The search box: the whole prior, or a box around the current values.
    let (mut lo, mut hi): (Vec<f64>, Vec<f64>) = match cfg.search_half_width {
        Some(h) => active
            .iter()
            .map(|&i| {
                let c = problem.current[i];
                ((c - h).max(0.0), (c + h).min(1.0))
            })
            .unzip(),
        None => (vec![0.0; na], vec![1.0; na]),
    };
    // Each target's emulator: the free parameters that move it most.
    let emulator_sets: Vec<Vec<usize>> = (0..nt)
        .map(|j| {
            let mut by: Vec<usize> = active.clone();
            by.sort_by(|&a, &b| mu[b][j].total_cmp(&mu[a][j]));
            by.truncate(cfg.emulator_parameters.max(1));
            by.sort();
            by
        })
        .collect();
    let mut emulators: Vec<Vec<Option<hm::Emulator>>> = Vec::new();
    let mut reachable = vec![true; nt];
    let mut waves = Vec::new();
    let worst_implausibility =
        |x: &[f64], emulators: &[Vec<Option<hm::Emulator>>], reachable: &[bool]| -> f64 {
            // The largest implausibility over every wave's emulators.
            let mut worst: f64 = 0.0;
            for wave in emulators {
                for (j, e) in wave.iter().enumerate() {
                    if let (Some(e), true) = (e, reachable[j]) {
                        let (m, v) = e.predict(x);
                        worst = worst.max(hm::implausibility(m, v));
                    }
                }
            }
            worst
        };
    // Points in the current region: candidates in its bounding box that pass
    // every earlier wave.
    let region = |n: usize,
                  stage: u64,
                  lo: &[f64],
                  hi: &[f64],
                  emulators: &[Vec<Option<hm::Emulator>>],
                  reachable: &[bool]|
     -> Vec<Vec<f64>> {
        if emulators.is_empty() {
            return hm::latin_hypercube(n, lo, hi, seed, stage);
        }
        let cand = hm::latin_hypercube(cfg.candidates, lo, hi, seed, stage);
        let mut scored: Vec<(f64, Vec<f64>)> = cand
            .into_iter()
            .map(|c| (worst_implausibility(&place(&c), emulators, reachable), c))
            .collect();
        let inside: Vec<Vec<f64>> = scored
            .iter()
            .filter(|s| s.0 < cfg.cutoff)
            .map(|s| s.1.clone())
            .collect();
        if inside.len() >= n {
            // Evenly through the candidates (they are in random order).
            let step = inside.len() as f64 / n as f64;
            return (0..n)
                .map(|i| inside[(i as f64 * step) as usize].clone())
                .collect();
        }
        // Too few inside: the least implausible candidates.
        scored.sort_by(|a, b| a.0.total_cmp(&b.0));
        scored.into_iter().take(n).map(|s| s.1).collect()
    };
    for w in 0..cfg.waves {
        let pts: Vec<Vec<f64>> = region(
            cfg.wave_size,
            10 + w as u64,
            &lo,
            &hi,
            &emulators,
            &reachable,
        )
        .iter()
        .map(|c| place(c))
        .collect();
        let sims = run_stage(problem, store, &format!("wave{}", w + 1), &pts, progress)?;
        simulations += sims.len();
        let xs: Vec<Vec<f64>> = sims.iter().map(|s| s.x.clone()).collect();
        let zs: Vec<Vec<f64>> = sims.iter().map(|s| z_of(s, &fitted)).collect();
        let ems: Vec<Option<hm::Emulator>> = (0..nt)
            .map(|j| {
                let col: Vec<f64> = zs.iter().map(|z| z[j]).collect();
                hm::Emulator::fit(&xs, &col, &emulator_sets[j])
            })
            .collect();
        // Reachable: some candidate of this wave's box has implausibility < cutoff.
        let cand = hm::latin_hypercube(cfg.candidates, &lo, &hi, seed, 100 + w as u64);
        let placed: Vec<Vec<f64>> = cand.iter().map(|c| place(c)).collect();
        let mut min_i = vec![f64::INFINITY; nt];
        for x in &placed {
            for (j, e) in ems.iter().enumerate() {
                if let Some(e) = e {
                    let (m, v) = e.predict(x);
                    min_i[j] = min_i[j].min(hm::implausibility(m, v));
                }
            }
        }
        for j in 0..nt {
            if ems[j].is_some() && min_i[j] >= cfg.cutoff {
                reachable[j] = false;
            }
        }
        emulators.push(ems);
        let inside: Vec<&Vec<f64>> = cand
            .iter()
            .zip(&placed)
            .filter(|(_, x)| worst_implausibility(x, &emulators, &reachable) < cfg.cutoff)
            .map(|(c, _)| c)
            .collect();
        let kept_share = inside.len() as f64 / cand.len().max(1) as f64;
        if !inside.is_empty() {
            for a in 0..na {
                lo[a] = inside.iter().map(|c| c[a]).fold(1.0, f64::min);
                hi[a] = inside.iter().map(|c| c[a]).fold(0.0, f64::max);
            }
        }
        let mut r2: Vec<f64> = emulators
            .last()
            .expect("pushed")
            .iter()
            .flatten()
            .map(|e| e.r2)
            .collect();
        r2.sort_by(f64::total_cmp);
        waves.push(Wave {
            wave: w + 1,
            simulations: sims.len(),
            kept_share,
            unreachable: (0..nt)
                .filter(|&j| !reachable[j])
                .map(|j| reg[fitted[j].0].id.clone())
                .collect(),
            median_r2: r2.get(r2.len() / 2).copied().unwrap_or(f64::NAN),
        });
    }

    // 3. Importance sample.
    let pts: Vec<Vec<f64>> = region(cfg.final_size, 1000, &lo, &hi, &emulators, &reachable)
        .iter()
        .map(|c| place(c))
        .collect();
    let sample = run_stage(problem, store, "importance", &pts, progress)?;
    simulations += sample.len();
    // Acceptable matches: every reachable target within `tolerance` SD of its
    // published value, with the simulation's own Monte Carlo error added; the
    // tolerance is the cut-off, or wider if fewer than a quarter of the sample
    // would pass (then it is the quarter's largest miss, and says so).
    let worst: Vec<f64> = sample
        .iter()
        .map(|s| worst_z(s, &fitted, &reachable))
        .collect();
    let mut sorted: Vec<f64> = worst.iter().copied().filter(|w| w.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let quarter = sorted
        .get((sorted.len() / 4).saturating_sub(1))
        .copied()
        .unwrap_or(f64::INFINITY);
    let tolerance = cfg.cutoff.max(quarter);
    let accepted = worst.iter().filter(|&&w| w <= tolerance).count();
    let weights: Vec<f64> = worst
        .iter()
        .map(|&w| {
            if w <= tolerance {
                1.0 / accepted as f64
            } else {
                0.0
            }
        })
        .collect();
    let ll: Vec<f64> = sample
        .iter()
        .map(|s| loglik(s, &fitted, &reachable))
        .collect();
    let ess = hm::effective_sample_size(&weights);
    let likelihood_ess = hm::effective_sample_size(&hm::importance_weights(&ll));
    let u = {
        use rand::RngExt;
        hm::stream(seed, 2000, 0).random::<f64>()
    };
    let draws = hm::systematic_resample(&weights, cfg.posterior_size, u);
    // The point estimate: the accepted simulation with the highest likelihood.
    let best = (0..sample.len())
        .filter(|&i| weights[i] > 0.0)
        .max_by(|&a, &b| ll[a].total_cmp(&ll[b]))
        .unwrap_or(0);
    Ok(Fit {
        screening,
        waves,
        sample,
        weights,
        ess,
        likelihood_ess,
        tolerance,
        best,
        draws,
        fitted,
        reachable,
        simulations,
    })
}

/// The posterior sample file: one row per draw with its parameter values (every
/// free parameter, fixed ones at the scenario's values).
pub fn write_posterior(
    path: &Path,
    priors: &[Prior],
    fit: &Fit,
    base: &Params,
) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "draw".to_string(),
        "simulation".into(),
        "weight".into(),
        "ess".into(),
    ];
    let keys: Vec<String> = super::fitted_values(base, priors, &fit.sample[0].x)
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    header.extend(keys.iter().cloned());
    w.write_record(&header)?;
    for (d, &i) in fit.draws.iter().enumerate() {
        let mut row = vec![
            d.to_string(),
            i.to_string(),
            fit.weights[i].to_string(),
            format!("{:.1}", fit.ess),
        ];
        row.extend(
            super::fitted_values(base, priors, &fit.sample[i].x)
                .into_iter()
                .map(|(_, v)| v.to_string()),
        );
        w.write_record(&row)?;
    }
    crate::output::write_atomic(path, &w.into_inner()?)?;
    Ok(())
}

/// The posterior predictive of every register row with a value: weighted mean
/// and 95% interval over the importance sample (each simulation at the fit's
/// scale, so Monte Carlo noise is inside), the z of the mean, and whether the
/// row was fitted (a hold-out says which rows are predictions).
pub fn write_predictive(
    path: &Path,
    register: &[Target],
    fit: &Fit,
) -> anyhow::Result<Vec<Predictive>> {
    let rows = predictive(register, fit);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "role",
        "study",
        "unit",
        "published",
        "fitted",
        "counted",
        "mean",
        "lo95",
        "hi95",
        "z",
        "met",
    ])?;
    let cell = |v: f64| {
        if v.is_finite() {
            format!("{v}")
        } else {
            String::new()
        }
    };
    for r in &rows {
        w.write_record([
            r.id.clone(),
            r.role.name().to_string(),
            r.study.clone(),
            r.unit.clone(),
            cell(r.published),
            r.fitted.to_string(),
            r.independent.to_string(),
            cell(r.mean),
            cell(r.lo95),
            cell(r.hi95),
            cell(r.z),
            if r.z.is_finite() {
                (r.z.abs() <= 2.0).to_string()
            } else {
                String::new()
            },
        ])?;
    }
    crate::output::write_atomic(path, &w.into_inner()?)?;
    Ok(rows)
}

/// One row of the posterior predictive.
#[derive(Debug, Clone, PartialEq)]
pub struct Predictive {
    pub id: String,
    pub role: Role,
    pub study: String,
    pub unit: String,
    pub published: f64,
    pub fitted: bool,
    pub independent: bool,
    pub mean: f64,
    pub lo95: f64,
    pub hi95: f64,
    /// (mean - centre) / sqrt(sd_published^2 + sd_discrepancy^2 + predictive variance).
    pub z: f64,
}

pub fn predictive(register: &[Target], fit: &Fit) -> Vec<Predictive> {
    register
        .iter()
        .enumerate()
        .filter(|(_, t)| !matches!(t.role, Role::Context) && t.centre().is_some())
        .map(|(row, t)| {
            let v: Vec<f64> = fit.sample.iter().map(|s| s.mean[row]).collect();
            let (mut sw, mut m) = (0.0, 0.0);
            for (x, w) in v.iter().zip(&fit.weights) {
                if x.is_finite() {
                    sw += w;
                    m += w * x;
                }
            }
            let mean = if sw > 0.0 { m / sw } else { f64::NAN };
            let var = v
                .iter()
                .zip(&fit.weights)
                .filter(|(x, _)| x.is_finite())
                .map(|(x, w)| w * (x - mean).powi(2))
                .sum::<f64>()
                / sw.max(1e-300);
            let c = t.centre().expect("filtered");
            let sd = (t.sd_published().powi(2) + t.sd_discrepancy().powi(2) + var).sqrt();
            Predictive {
                id: t.id.clone(),
                role: t.role,
                study: t.study.clone(),
                unit: t.unit.clone(),
                published: t.published.unwrap_or(f64::NAN),
                fitted: fit.fitted.iter().any(|f| f.0 == row),
                independent: t.independent(),
                mean,
                lo95: hm::weighted_quantile(&v, &fit.weights, 0.025),
                hi95: hm::weighted_quantile(&v, &fit.weights, 0.975),
                z: if sd > 0.0 { (mean - c) / sd } else { f64::NAN },
            }
        })
        .collect()
}

/// A terminal summary: screening, waves, the sample, and the predictive check
/// counted as the register counts (independent rows; fitted, or held out).
pub fn summary(fit: &Fit, predictive: &[Predictive], fit_before: Option<i32>) -> String {
    let free: Vec<&Screened> = fit.screening.iter().filter(|s| s.free).collect();
    let mut out = format!(
        "screening: {} of {} parameters free (effect > threshold on some target)\n",
        free.len(),
        fit.screening.len()
    );
    for w in &fit.waves {
        out.push_str(&format!(
            "wave {}: {} simulations, {:.1}% of candidates not implausible, median emulator R2 {:.2}, {} unreachable target(s){}\n",
            w.wave,
            w.simulations,
            100.0 * w.kept_share,
            w.median_r2,
            w.unreachable.len(),
            if w.unreachable.is_empty() {
                String::new()
            } else {
                format!(": {}", w.unreachable.join(", "))
            }
        ));
    }
    out.push_str(&format!(
        "acceptable matches: {:.0} of {} simulations within {:.2} SD on every reachable target{} \
         (likelihood weights would give an effective sample size of {:.1}); posterior sample of {} draws\n",
        fit.ess,
        fit.sample.len(),
        fit.tolerance,
        if fit.tolerance > 3.0 + 1e-9 { " (wider than the cut-off: too few met it)" } else { "" },
        fit.likelihood_ess,
        fit.draws.len()
    ));
    let count = |keep: &dyn Fn(&Predictive) -> bool| {
        let rows: Vec<&Predictive> = predictive
            .iter()
            .filter(|r| r.independent && r.z.is_finite() && keep(r))
            .collect();
        let met = rows.iter().filter(|r| r.z.abs() <= 2.0).count();
        (met, rows.len())
    };
    let (m, n) = count(&|r| r.fitted);
    out.push_str(&format!(
        "posterior predictive, fitted targets: {m} of {n} with |z| <= 2\n"
    ));
    let label = match fit_before {
        Some(y) => format!("held out (sources from {y} on) and validation"),
        None => "validation".into(),
    };
    let (m, n) = count(&|r| !r.fitted && matches!(r.role, Role::Calibration | Role::Validation));
    out.push_str(&format!(
        "posterior predictive, {label}: {m} of {n} with |z| <= 2\n"
    ));
    out
}

/// Diagnostics in `dir`: `screening.csv`, `waves.csv`, `convergence.csv` (each
/// free parameter's posterior mean and 95% interval from the whole importance
/// sample and from each half of it), `marginals.svg` (posterior histograms
/// against the flat prior) and `pairs.svg` (the most correlated pairs).
pub fn write_diagnostics(dir: &Path, priors: &[Prior], fit: &Fit) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["parameter", "effect_sd", "largest_on", "free"])?;
    for s in &fit.screening {
        w.write_record([
            s.key.clone(),
            format!("{:.4}", s.effect),
            s.on.clone(),
            s.free.to_string(),
        ])?;
    }
    crate::output::write_atomic(&dir.join("screening.csv"), &w.into_inner()?)?;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "wave",
        "simulations",
        "kept_share",
        "median_r2",
        "unreachable",
    ])?;
    for v in &fit.waves {
        w.write_record([
            v.wave.to_string(),
            v.simulations.to_string(),
            format!("{:.5}", v.kept_share),
            format!("{:.3}", v.median_r2),
            v.unreachable.join(";"),
        ])?;
    }
    crate::output::write_atomic(&dir.join("waves.csv"), &w.into_inner()?)?;
    let free: Vec<usize> = (0..priors.len())
        .filter(|&i| fit.screening[i].free)
        .collect();
    let value = |s: &Simulation, i: usize| priors[i].value_at_unit(s.x[i]);
    let n = fit.sample.len();
    let half = |range: std::ops::Range<usize>, i: usize| -> [f64; 3] {
        let v: Vec<f64> = range.clone().map(|j| value(&fit.sample[j], i)).collect();
        let w: Vec<f64> = range.map(|j| fit.weights[j]).collect();
        let sw: f64 = w.iter().sum();
        let mean = v.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>() / sw.max(1e-300);
        [
            mean,
            hm::weighted_quantile(&v, &w, 0.025),
            hm::weighted_quantile(&v, &w, 0.975),
        ]
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "parameter",
        "prior_min",
        "prior_max",
        "mean",
        "lo95",
        "hi95",
        "mean_first_half",
        "mean_second_half",
        "ess",
    ])?;
    for &i in &free {
        let all = half(0..n, i);
        let a = half(0..n / 2, i);
        let b = half(n / 2..n, i);
        w.write_record([
            priors[i].key.clone(),
            priors[i].min.to_string(),
            priors[i].max.to_string(),
            format!("{}", all[0]),
            format!("{}", all[1]),
            format!("{}", all[2]),
            format!("{}", a[0]),
            format!("{}", b[0]),
            format!("{:.1}", fit.ess),
        ])?;
    }
    crate::output::write_atomic(&dir.join("convergence.csv"), &w.into_inner()?)?;
    crate::output::write_atomic(
        &dir.join("marginals.svg"),
        marginals_svg(priors, fit, &free).as_bytes(),
    )?;
    crate::output::write_atomic(
        &dir.join("pairs.svg"),
        pairs_svg(priors, fit, &free).as_bytes(),
    )?;
    Ok(())
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Posterior histograms (the resampled draws) of the free parameters on their
/// prior range, with the flat prior's height as a line.
fn marginals_svg(priors: &[Prior], fit: &Fit, free: &[usize]) -> String {
    let cols = 4;
    let (cw, ch) = (300.0, 170.0);
    let rows = free.len().div_ceil(cols).max(1);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\" font-size=\"11\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
        cols as f64 * cw,
        rows as f64 * ch
    );
    let bins = 20;
    for (k, &i) in free.iter().enumerate() {
        let (ox, oy) = ((k % cols) as f64 * cw, (k / cols) as f64 * ch);
        let mut counts = vec![0usize; bins];
        for &d in &fit.draws {
            let u = fit.sample[d].x[i].clamp(0.0, 1.0 - 1e-12);
            counts[(u * bins as f64) as usize] += 1;
        }
        let total = fit.draws.len().max(1) as f64;
        // Density on the unit range: the prior's is 1.
        let dens: Vec<f64> = counts
            .iter()
            .map(|&c| c as f64 / total * bins as f64)
            .collect();
        let top = dens.iter().copied().fold(1.5, f64::max);
        let (x0, y0, w, h) = (ox + 20.0, oy + 30.0, cw - 40.0, ch - 60.0);
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\">{}</text>\n",
            x0,
            oy + 18.0,
            esc(&priors[i].key)
        ));
        for (b, d) in dens.iter().enumerate() {
            let bh = d / top * h;
            s.push_str(&format!(
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#0072b2\"/>\n",
                x0 + b as f64 * w / bins as f64,
                y0 + h - bh,
                w / bins as f64 - 1.0,
                bh
            ));
        }
        let py = y0 + h - h / top;
        s.push_str(&format!(
            "<line x1=\"{x0}\" y1=\"{py:.1}\" x2=\"{:.1}\" y2=\"{py:.1}\" stroke=\"#d55e00\" stroke-dasharray=\"4 3\"/>\n\
             <line x1=\"{x0}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"black\"/>\n\
             <text x=\"{x0}\" y=\"{:.1}\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n",
            x0 + w,
            y0 + h,
            x0 + w,
            y0 + h,
            y0 + h + 14.0,
            priors[i].min,
            x0 + w,
            y0 + h + 14.0,
            priors[i].max
        ));
    }
    s.push_str("</svg>\n");
    s
}

/// Scatter plots of the six most correlated pairs of free parameters over the
/// resampled draws (unit scale of each prior).
fn pairs_svg(priors: &[Prior], fit: &Fit, free: &[usize]) -> String {
    let pts: Vec<&Vec<f64>> = fit.draws.iter().map(|&d| &fit.sample[d].x).collect();
    let corr = |a: usize, b: usize| -> f64 {
        let n = pts.len() as f64;
        let (ma, mb) = (
            pts.iter().map(|x| x[a]).sum::<f64>() / n,
            pts.iter().map(|x| x[b]).sum::<f64>() / n,
        );
        let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
        for x in &pts {
            sab += (x[a] - ma) * (x[b] - mb);
            saa += (x[a] - ma).powi(2);
            sbb += (x[b] - mb).powi(2);
        }
        if saa > 0.0 && sbb > 0.0 {
            sab / (saa * sbb).sqrt()
        } else {
            0.0
        }
    };
    let mut pairs: Vec<(usize, usize, f64)> = Vec::new();
    for (p, &a) in free.iter().enumerate() {
        for &b in &free[p + 1..] {
            pairs.push((a, b, corr(a, b)));
        }
    }
    pairs.sort_by(|x, y| y.2.abs().total_cmp(&x.2.abs()));
    pairs.truncate(6);
    let (cw, ch) = (300.0, 300.0);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\" font-size=\"10\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
        3.0 * cw,
        2.0 * ch
    );
    for (k, &(a, b, r)) in pairs.iter().enumerate() {
        let (ox, oy) = ((k % 3) as f64 * cw, (k / 3) as f64 * ch);
        let (x0, y0, w, h) = (ox + 20.0, oy + 40.0, cw - 40.0, ch - 70.0);
        s.push_str(&format!(
            "<text x=\"{x0}\" y=\"{}\">x: {}</text><text x=\"{x0}\" y=\"{}\">y: {} (r = {r:.2})</text>\n\
             <rect x=\"{x0}\" y=\"{y0}\" width=\"{w}\" height=\"{h}\" fill=\"none\" stroke=\"black\"/>\n",
            oy + 14.0,
            esc(&priors[a].key),
            oy + 28.0,
            esc(&priors[b].key)
        ));
        for x in &pts {
            s.push_str(&format!(
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2\" fill=\"#0072b2\" fill-opacity=\"0.4\"/>\n",
                x0 + x[a] * w,
                y0 + h - x[b] * h
            ));
        }
    }
    s.push_str("</svg>\n");
    s
}
