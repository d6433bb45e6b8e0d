//! The numerical pieces of calibration by history matching with importance
//! sampling (Vernon, Goldstein and Bower 2010; Andrianakis et al. 2015), on the
//! unit cube of the free parameters:
//!
//! - Morris elementary effects screen which parameters move any target by a
//!   noticeable share of its SD ([`morris_design`], [`morris_effects`]);
//! - a Latin hypercube ([`latin_hypercube`]) spreads each wave's simulations;
//! - one emulator per target, a quadratic regression with its own residual
//!   variance ([`Emulator`]), predicts the standardised output anywhere;
//! - implausibility |E[z(x)]| / sqrt(1 + Var[z(x)]) rules out where no target
//!   can be met ([`implausibility`]), wave after wave;
//! - in the region not ruled out, simulations weighted by their likelihood
//!   ([`importance_weights`], [`effective_sample_size`], [`systematic_resample`])
//!   give the posterior sample.
//!
//! Outputs are standardised before any of this: z = (simulated - published) / SD
//! with the SD of the register (sampling error and model discrepancy), so every
//! target speaks in the same unit and the published value is at 0.

use crate::rng::{mix64, Stream};
use rand::{RngExt, SeedableRng};

/// A stream for stage `stage`, item `i` of a calibration seeded `seed`.
pub fn stream(seed: u64, stage: u64, i: u64) -> Stream {
    Stream::seed_from_u64(mix64(
        mix64(seed ^ 0x4D41_5443_4845_5321) ^ mix64(stage) ^ i,
    ))
}

/// One Morris trajectory: a base point on the grid, then one parameter moved by
/// `delta` (up or down) at each step, every parameter once, in random order.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    pub points: Vec<Vec<f64>>,
    /// For step `s` (from point `s` to `s + 1`): the parameter moved and the
    /// signed move.
    pub moves: Vec<(usize, f64)>,
}

/// `r` trajectories over `k` parameters on a grid of `levels` levels, step
/// delta = levels / (2 (levels - 1)) (Morris 1991; Campolongo et al. 2007).
pub fn morris_design(k: usize, r: usize, levels: usize, seed: u64) -> Vec<Trajectory> {
    assert!(levels >= 2 && levels % 2 == 0, "an even number of levels");
    let step = 1.0 / (levels - 1) as f64;
    let delta = levels as f64 / (2.0 * (levels - 1) as f64);
    // Base levels low enough that + delta stays on the grid.
    let base_levels = levels / 2;
    (0..r)
        .map(|t| {
            let mut rng = stream(seed, 1, t as u64);
            let mut x: Vec<f64> = (0..k)
                .map(|_| rng.random_range(0..base_levels) as f64 * step)
                .collect();
            // A random direction per parameter: start high and go down, or low and up.
            let up: Vec<bool> = (0..k).map(|_| rng.random::<bool>()).collect();
            for i in 0..k {
                if !up[i] {
                    x[i] += delta;
                }
            }
            let mut order: Vec<usize> = (0..k).collect();
            for i in (1..k).rev() {
                let j = rng.random_range(0..=i);
                order.swap(i, j);
            }
            let mut points = vec![x.clone()];
            let mut moves = Vec::with_capacity(k);
            for &i in &order {
                let d = if up[i] { delta } else { -delta };
                x[i] += d;
                points.push(x.clone());
                moves.push((i, d));
            }
            Trajectory { points, moves }
        })
        .collect()
}

/// Morris mu*: for each parameter and output, the mean absolute elementary
/// effect |y(x + d e_i) - y(x)| over the trajectories, per move of `delta`
/// (so in the outputs' unit for a move of delta of the prior range). `outputs`
/// holds, per trajectory, the outputs at each of its points; missing outputs
/// (NaN) are skipped. Returns `[parameter][output]`.
pub fn morris_effects(design: &[Trajectory], outputs: &[Vec<Vec<f64>>]) -> Vec<Vec<f64>> {
    let k = design.first().map_or(0, |t| t.moves.len());
    let m = outputs
        .first()
        .and_then(|o| o.first())
        .map_or(0, |o| o.len());
    let mut sum = vec![vec![0.0; m]; k];
    let mut count = vec![vec![0usize; m]; k];
    for (t, out) in design.iter().zip(outputs) {
        for (s, &(i, _)) in t.moves.iter().enumerate() {
            for j in 0..m {
                let e = (out[s + 1][j] - out[s][j]).abs();
                if e.is_finite() {
                    sum[i][j] += e;
                    count[i][j] += 1;
                }
            }
        }
    }
    sum.iter()
        .zip(&count)
        .map(|(s, c)| {
            s.iter()
                .zip(c)
                .map(|(&s, &c)| if c > 0 { s / c as f64 } else { 0.0 })
                .collect()
        })
        .collect()
}

/// `n` points of a Latin hypercube on `[lo, hi]` in each of `k` dimensions:
/// every dimension cut into `n` equal strata, one point in each.
pub fn latin_hypercube(n: usize, lo: &[f64], hi: &[f64], seed: u64, stage: u64) -> Vec<Vec<f64>> {
    let k = lo.len();
    let mut rng = stream(seed, stage, 0);
    let mut x = vec![vec![0.0; k]; n];
    for d in 0..k {
        let mut perm: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = rng.random_range(0..=i);
            perm.swap(i, j);
        }
        for (i, row) in x.iter_mut().enumerate() {
            let u: f64 = rng.random();
            row[d] = lo[d] + (hi[d] - lo[d]) * (perm[i] as f64 + u) / n as f64;
        }
    }
    x
}

/// A quadratic regression emulator of one standardised output on some of the
/// parameters: features 1, x_i and x_i^2 (centred at 0.5), least squares with
/// a small ridge, and the residual variance as the emulator's own variance (it
/// holds Monte Carlo noise and what the other parameters do).
#[derive(Debug, Clone, PartialEq)]
pub struct Emulator {
    /// The parameters (indices into a point) it uses.
    pub active: Vec<usize>,
    pub beta: Vec<f64>,
    /// (F'F + ridge)^-1, for the prediction variance.
    inverse: Vec<Vec<f64>>,
    /// Residual variance.
    pub sigma2: f64,
    /// Share of the output's variance the regression explains.
    pub r2: f64,
}

fn features(x: &[f64], active: &[usize]) -> Vec<f64> {
    let mut f = Vec::with_capacity(1 + 2 * active.len());
    f.push(1.0);
    for &i in active {
        f.push(x[i] - 0.5);
    }
    for &i in active {
        f.push((x[i] - 0.5).powi(2));
    }
    f
}

/// Invert a symmetric positive definite matrix (Gauss-Jordan with pivoting).
fn invert(mut a: Vec<Vec<f64>>) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut inv: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| f64::from(u8::from(i == j))).collect())
        .collect();
    for c in 0..n {
        let p = (c..n).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[p][c].abs() < 1e-12 {
            return None;
        }
        a.swap(c, p);
        inv.swap(c, p);
        let d = a[c][c];
        for j in 0..n {
            a[c][j] /= d;
            inv[c][j] /= d;
        }
        for i in 0..n {
            if i != c {
                let f = a[i][c];
                if f != 0.0 {
                    for j in 0..n {
                        a[i][j] -= f * a[c][j];
                        inv[i][j] -= f * inv[c][j];
                    }
                }
            }
        }
    }
    Some(inv)
}

impl Emulator {
    /// Fit on the points whose output is finite; `None` if there are too few.
    pub fn fit(x: &[Vec<f64>], y: &[f64], active: &[usize]) -> Option<Emulator> {
        let rows: Vec<(Vec<f64>, f64)> = x
            .iter()
            .zip(y)
            .filter(|(_, y)| y.is_finite())
            .map(|(x, &y)| (features(x, active), y))
            .collect();
        let p = 1 + 2 * active.len();
        if rows.len() < p + 5 {
            return None;
        }
        let mut ftf = vec![vec![0.0; p]; p];
        let mut fty = vec![0.0; p];
        for (f, y) in &rows {
            for i in 0..p {
                fty[i] += f[i] * y;
                for j in 0..p {
                    ftf[i][j] += f[i] * f[j];
                }
            }
        }
        for (i, row) in ftf.iter_mut().enumerate().skip(1) {
            row[i] += 1e-6 * rows.len() as f64;
        }
        let inverse = invert(ftf)?;
        let beta: Vec<f64> = (0..p)
            .map(|i| (0..p).map(|j| inverse[i][j] * fty[j]).sum())
            .collect();
        let mean = rows.iter().map(|r| r.1).sum::<f64>() / rows.len() as f64;
        let (mut ss_res, mut ss_tot) = (0.0, 0.0);
        for (f, y) in &rows {
            let fit: f64 = f.iter().zip(&beta).map(|(a, b)| a * b).sum();
            ss_res += (y - fit).powi(2);
            ss_tot += (y - mean).powi(2);
        }
        let dof = (rows.len() - p).max(1) as f64;
        Some(Emulator {
            active: active.to_vec(),
            beta,
            inverse,
            sigma2: ss_res / dof,
            r2: if ss_tot > 0.0 {
                1.0 - ss_res / ss_tot
            } else {
                0.0
            },
        })
    }

    /// Expectation and variance of the output at `x`.
    pub fn predict(&self, x: &[f64]) -> (f64, f64) {
        let f = features(x, &self.active);
        let mean = f.iter().zip(&self.beta).map(|(a, b)| a * b).sum();
        let mut q = 0.0;
        for (i, fi) in f.iter().enumerate() {
            for (j, fj) in f.iter().enumerate() {
                q += fi * self.inverse[i][j] * fj;
            }
        }
        (mean, self.sigma2 * (1.0 + q.max(0.0)))
    }
}

/// Implausibility of a standardised output: |E[z]| / sqrt(1 + Var[z]), where
/// 1 is the (standardised) variance of the published figure and discrepancy.
pub fn implausibility(mean: f64, var: f64) -> f64 {
    mean.abs() / (1.0 + var).sqrt()
}

/// Normalised importance weights from log-likelihoods (NaN counts as zero weight).
pub fn importance_weights(loglik: &[f64]) -> Vec<f64> {
    let max = loglik
        .iter()
        .copied()
        .filter(|l| l.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = loglik
        .iter()
        .map(|&l| if l.is_finite() { (l - max).exp() } else { 0.0 })
        .collect();
    let sum: f64 = w.iter().sum();
    if sum > 0.0 {
        w.iter().map(|v| v / sum).collect()
    } else {
        w
    }
}

/// Kish's effective sample size, (sum w)^2 / sum w^2.
pub fn effective_sample_size(w: &[f64]) -> f64 {
    let s: f64 = w.iter().sum();
    let s2: f64 = w.iter().map(|v| v * v).sum();
    if s2 > 0.0 {
        s * s / s2
    } else {
        0.0
    }
}

/// `n` indices drawn by systematic resampling with weights `w` (sum 1): each
/// index appears floor or ceil of n w_i times.
pub fn systematic_resample(w: &[f64], n: usize, u: f64) -> Vec<usize> {
    let mut out = Vec::with_capacity(n);
    let mut cum = 0.0;
    let mut i = 0;
    for k in 0..n {
        let target = (k as f64 + u) / n as f64;
        while i + 1 < w.len() && cum + w[i] < target {
            cum += w[i];
            i += 1;
        }
        out.push(i);
    }
    out
}

/// Weighted quantile of values (weights need not sum to 1).
pub fn weighted_quantile(values: &[f64], weights: &[f64], q: f64) -> f64 {
    let mut v: Vec<(f64, f64)> = values
        .iter()
        .zip(weights)
        .filter(|(x, w)| x.is_finite() && **w > 0.0)
        .map(|(&x, &w)| (x, w))
        .collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = v.iter().map(|p| p.1).sum();
    let mut cum = 0.0;
    for &(x, w) in &v {
        cum += w;
        if cum >= q * total {
            return x;
        }
    }
    v.last().expect("not empty").0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn morris_trajectories_move_each_parameter_once_by_delta() {
        let d = morris_design(5, 3, 4, 7);
        assert_eq!(d.len(), 3);
        for t in &d {
            assert_eq!(t.points.len(), 6);
            let mut moved: Vec<usize> = t.moves.iter().map(|m| m.0).collect();
            moved.sort();
            assert_eq!(moved, vec![0, 1, 2, 3, 4]);
            for (s, &(i, dlt)) in t.moves.iter().enumerate() {
                assert!((dlt.abs() - 2.0 / 3.0).abs() < 1e-12);
                for j in 0..5 {
                    let change = t.points[s + 1][j] - t.points[s][j];
                    assert!((change - if j == i { dlt } else { 0.0 }).abs() < 1e-12);
                }
            }
            assert!(t
                .points
                .iter()
                .flatten()
                .all(|&v| (-1e-12..=1.0 + 1e-12).contains(&v)));
        }
        assert_eq!(d, morris_design(5, 3, 4, 7), "reproducible");
    }

    #[test]
    fn morris_mu_star_of_a_linear_model_is_its_slope_times_delta() {
        // y0 = 3 x0 - 2 x2; y1 = x1^2 (elementary effect (x+d)^2 - x^2 varies).
        let d = morris_design(3, 10, 4, 1);
        let f = |x: &[f64]| vec![3.0 * x[0] - 2.0 * x[2], x[1] * x[1]];
        let out: Vec<Vec<Vec<f64>>> = d
            .iter()
            .map(|t| t.points.iter().map(|p| f(p)).collect())
            .collect();
        let mu = morris_effects(&d, &out);
        let delta = 2.0 / 3.0;
        assert!((mu[0][0] - 3.0 * delta).abs() < 1e-12);
        assert!((mu[2][0] - 2.0 * delta).abs() < 1e-12);
        assert_eq!(mu[1][0], 0.0);
        assert_eq!(mu[0][1], 0.0);
        // |(x + d)^2 - x^2| = d (2x + d) with x in {0, 1/3}: 4/9 or 8/9.
        assert!(mu[1][1] >= 4.0 / 9.0 - 1e-12 && mu[1][1] <= 8.0 / 9.0 + 1e-12);
    }

    #[test]
    fn latin_hypercube_puts_one_point_in_each_stratum() {
        let x = latin_hypercube(10, &[0.0, 0.2], &[1.0, 0.4], 3, 2);
        for d in 0..2 {
            let (lo, hi) = if d == 0 { (0.0, 1.0) } else { (0.2, 0.4) };
            let mut strata: Vec<usize> = x
                .iter()
                .map(|p| ((p[d] - lo) / (hi - lo) * 10.0) as usize)
                .collect();
            strata.sort();
            assert_eq!(strata, (0..10).collect::<Vec<_>>());
        }
    }

    #[test]
    fn the_emulator_recovers_a_quadratic_and_its_noise() {
        let x = latin_hypercube(200, &[0.0; 3], &[1.0; 3], 5, 1);
        let mut rng = stream(9, 9, 9);
        let y: Vec<f64> = x
            .iter()
            .map(|p| {
                let noise: f64 = rng.random::<f64>() - 0.5; // variance 1/12
                1.0 + 2.0 * (p[0] - 0.5) + 4.0 * (p[1] - 0.5).powi(2) + 0.2 * noise
            })
            .collect();
        let e = Emulator::fit(&x, &y, &[0, 1, 2]).unwrap();
        let (m, v) = e.predict(&[0.5, 0.5, 0.3]);
        assert!((m - 1.0).abs() < 0.03, "{m}");
        // Residual variance: 0.04 / 12.
        assert!((e.sigma2 / (0.04 / 12.0) - 1.0).abs() < 0.3, "{}", e.sigma2);
        assert!(v >= e.sigma2);
        assert!(e.r2 > 0.99);
        let (m, _) = e.predict(&[1.0, 0.0, 0.0]);
        assert!((m - 3.0).abs() < 0.05, "{m}");
    }

    #[test]
    fn weights_ess_and_resampling() {
        let w = importance_weights(&[0.0, 0.0, f64::NAN, (2f64).ln()]);
        assert_eq!(w, vec![0.25, 0.25, 0.0, 0.5]);
        assert!((effective_sample_size(&w) - 1.0 / (0.0625 + 0.0625 + 0.25)).abs() < 1e-12);
        assert_eq!(effective_sample_size(&[0.25; 4]), 4.0);
        let idx = systematic_resample(&w, 8, 0.5);
        let count = |i| idx.iter().filter(|&&j| j == i).count();
        assert_eq!((count(0), count(1), count(2), count(3)), (2, 2, 0, 4));
        assert_eq!(
            weighted_quantile(&[1.0, 2.0, 3.0], &[1.0, 1.0, 2.0], 0.5),
            2.0
        );
        assert_eq!(
            weighted_quantile(&[1.0, 2.0, 3.0], &[1.0, 1.0, 2.0], 0.6),
            3.0
        );
        assert_eq!(
            weighted_quantile(&[1.0, 2.0, 3.0], &[1.0, 1.0, 2.0], 0.25),
            1.0
        );
    }

    /// The whole method on a stochastic model with known parameters: three
    /// parameters drive five outputs (one parameter does nothing); targets are
    /// the model's own outputs at the truth. Screening drops the idle parameter,
    /// two waves of history matching shrink the space, and the importance
    /// sample's posterior means land near the truth, inside its 95% intervals.
    #[test]
    fn recovers_known_parameters_from_targets_the_model_generated() {
        let truth = [0.3, 0.7, 0.55, 0.5];
        let sd = [0.02, 0.02, 0.02, 0.03, 0.03];
        let model = |x: &[f64], rep: u64| -> Vec<f64> {
            let mut rng = stream(77, 77, rep);
            let mut e = || (rng.random::<f64>() - 0.5) * 0.02;
            vec![
                x[0] + e(),
                x[1] + 0.3 * x[0] + e(),
                x[2] * x[2] + e(),
                0.5 * x[0] + 0.5 * x[2] + e(),
                x[1] - x[2] + e(),
            ]
        };
        let observed = model(&truth, 0);
        let z = |x: &[f64], rep: u64| -> Vec<f64> {
            model(x, rep)
                .iter()
                .zip(&observed)
                .zip(&sd)
                .map(|((y, o), s)| (y - o) / s)
                .collect()
        };
        let k = 4;
        // Screening.
        let design = morris_design(k, 6, 4, 3);
        let out: Vec<Vec<Vec<f64>>> = design
            .iter()
            .enumerate()
            .map(|(t, tr)| {
                tr.points
                    .iter()
                    .enumerate()
                    .map(|(s, p)| z(p, (t * 100 + s) as u64 + 1))
                    .collect()
            })
            .collect();
        let mu = morris_effects(&design, &out);
        let active: Vec<usize> = (0..k)
            .filter(|&i| mu[i].iter().cloned().fold(0.0, f64::max) > 2.0)
            .collect();
        assert_eq!(active, vec![0, 1, 2], "{mu:?}");
        // Waves.
        let (mut lo, mut hi) = (vec![0.0; k], vec![1.0; k]);
        let mut rep = 10_000;
        for wave in 0..2 {
            let x = latin_hypercube(60, &lo, &hi, 11, 10 + wave);
            let y: Vec<Vec<f64>> = x
                .iter()
                .map(|p| {
                    rep += 1;
                    z(p, rep)
                })
                .collect();
            let ems: Vec<Emulator> = (0..5)
                .map(|j| {
                    let col: Vec<f64> = y.iter().map(|r| r[j]).collect();
                    Emulator::fit(&x, &col, &active).unwrap()
                })
                .collect();
            let cand = latin_hypercube(4000, &lo, &hi, 11, 100 + wave);
            let keep: Vec<&Vec<f64>> = cand
                .iter()
                .filter(|p| {
                    ems.iter().all(|e| {
                        let (m, v) = e.predict(p);
                        implausibility(m, v) < 3.0
                    })
                })
                .collect();
            assert!(!keep.is_empty());
            for &i in &active {
                lo[i] = keep.iter().map(|p| p[i]).fold(1.0, f64::min);
                hi[i] = keep.iter().map(|p| p[i]).fold(0.0, f64::max);
            }
        }
        for &i in &active {
            assert!(
                hi[i] - lo[i] < 0.5,
                "wave 2 box {i}: {} to {}",
                lo[i],
                hi[i]
            );
            assert!(lo[i] <= truth[i] && truth[i] <= hi[i]);
        }
        // Importance sample in the final box (the proposal is uniform there).
        let x = latin_hypercube(400, &lo, &hi, 11, 200);
        let ll: Vec<f64> = x
            .iter()
            .map(|p| {
                rep += 1;
                -0.5 * z(p, rep).iter().map(|v| v * v).sum::<f64>()
            })
            .collect();
        let w = importance_weights(&ll);
        assert!(
            effective_sample_size(&w) > 20.0,
            "{}",
            effective_sample_size(&w)
        );
        for &i in &active {
            let v: Vec<f64> = x.iter().map(|p| p[i]).collect();
            let mean: f64 = v.iter().zip(&w).map(|(a, b)| a * b).sum();
            let (q1, q9) = (
                weighted_quantile(&v, &w, 0.025),
                weighted_quantile(&v, &w, 0.975),
            );
            assert!(
                (mean - truth[i]).abs() < 0.05,
                "parameter {i}: {mean} vs {}",
                truth[i]
            );
            assert!(
                q1 <= truth[i] && truth[i] <= q9,
                "parameter {i}: {q1}..{q9}"
            );
        }
    }
}
