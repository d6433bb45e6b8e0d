//! Sensitivity measures from finished runs: Sobol indices (Saltelli 2010 first
//! order, Jansen 1999 total) with bootstrap intervals, Morris elementary effects,
//! and outputs binned by parameter value for grids and Latin hypercubes.
//!
//! Each function takes outputs in run order; runs whose output is missing (a
//! ratio with an empty denominator) are left out of the blocks they belong to.

use super::design::Draws;
use crate::run::quantile;

/// First-order and total Sobol indices of one parameter for one output.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SobolIndex {
    pub s1: f64,
    pub s1_lo: f64,
    pub s1_hi: f64,
    pub st: f64,
    pub st_lo: f64,
    pub st_hi: f64,
}

const BOOTSTRAP_SALT: u64 = 0x424F_4F54_0000_0004;

/// Point estimates from the base samples `rows` (indices into the blocks).
fn sobol_point(y: &[f64], k: usize, rows: &[usize]) -> Vec<(f64, f64)> {
    let n = rows.len() as f64;
    let w = k + 2;
    // Saltelli 2010 take the variance over A and B together.
    let mean = rows.iter().map(|&j| y[j * w] + y[j * w + 1]).sum::<f64>() / (2.0 * n);
    let var = rows
        .iter()
        .map(|&j| (y[j * w] - mean).powi(2) + (y[j * w + 1] - mean).powi(2))
        .sum::<f64>()
        / (2.0 * n);
    (0..k)
        .map(|i| {
            let (mut first, mut total) = (0.0, 0.0);
            for &j in rows {
                let (fa, fb, fab) = (y[j * w], y[j * w + 1], y[j * w + 2 + i]);
                // Centring f_B leaves the expectation unchanged (E[f_AB - f_A] = 0)
                // but removes noise proportional to the output's mean.
                first += (fb - mean) * (fab - fa);
                total += (fa - fab).powi(2);
            }
            if var > 0.0 {
                (first / n / var, total / (2.0 * n) / var)
            } else {
                (f64::NAN, f64::NAN)
            }
        })
        .collect()
}

/// Sobol indices from outputs laid out as in [`super::design::saltelli`]: for each
/// base sample j, y[j(k+2)] = f(A_j), y[j(k+2)+1] = f(B_j), y[j(k+2)+2+i] = f(AB_i,j).
/// Intervals are bootstrap percentiles over `resamples` resamplings of base samples.
pub fn sobol_indices(y: &[f64], k: usize, resamples: usize, seed: u64) -> Vec<SobolIndex> {
    let w = k + 2;
    let complete: Vec<usize> = (0..y.len() / w)
        .filter(|&j| y[j * w..(j + 1) * w].iter().all(|v| v.is_finite()))
        .collect();
    if complete.len() < 2 {
        let nan = f64::NAN;
        return vec![
            SobolIndex {
                s1: nan,
                s1_lo: nan,
                s1_hi: nan,
                st: nan,
                st_lo: nan,
                st_hi: nan
            };
            k
        ];
    }
    let point = sobol_point(y, k, &complete);
    let mut draws = Draws::new(seed, BOOTSTRAP_SALT);
    let mut boot: Vec<(Vec<f64>, Vec<f64>)> =
        vec![(Vec::with_capacity(resamples), Vec::with_capacity(resamples)); k];
    let mut rows = vec![0; complete.len()];
    for _ in 0..resamples {
        for r in rows.iter_mut() {
            *r = complete[draws.below(complete.len())];
        }
        for (i, (s1, st)) in sobol_point(y, k, &rows).into_iter().enumerate() {
            if s1.is_finite() && st.is_finite() {
                boot[i].0.push(s1);
                boot[i].1.push(st);
            }
        }
    }
    point
        .into_iter()
        .zip(boot)
        .map(|((s1, st), (mut b1, mut bt))| {
            b1.sort_by(f64::total_cmp);
            bt.sort_by(f64::total_cmp);
            SobolIndex {
                s1,
                s1_lo: quantile(&b1, 0.025),
                s1_hi: quantile(&b1, 0.975),
                st,
                st_lo: quantile(&bt, 0.025),
                st_hi: quantile(&bt, 0.975),
            }
        })
        .collect()
}

/// Morris measures of one parameter for one output.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MorrisIndex {
    /// Mean elementary effect (signed).
    pub mu: f64,
    /// Mean absolute elementary effect: the ranking measure.
    pub mu_star: f64,
    /// Standard deviation of the effects: interaction or non-linearity.
    pub sigma: f64,
    /// Elementary effects used.
    pub n: usize,
}

/// Morris measures from trajectories laid out as in [`super::design::morris`].
/// Elementary effects are on the unit scale: the change in output per whole
/// range of the parameter's distribution, so they compare across parameters.
pub fn morris_indices(unit: &[Vec<f64>], y: &[f64], k: usize) -> Vec<MorrisIndex> {
    let mut effects = vec![Vec::new(); k];
    for t in 0..unit.len() / (k + 1) {
        for s in 1..=k {
            let (a, b) = (t * (k + 1) + s - 1, t * (k + 1) + s);
            let Some(i) = (0..k).find(|&i| unit[a][i] != unit[b][i]) else {
                continue;
            };
            let ee = (y[b] - y[a]) / (unit[b][i] - unit[a][i]);
            if ee.is_finite() {
                effects[i].push(ee);
            }
        }
    }
    effects
        .into_iter()
        .map(|e| {
            let n = e.len();
            let mu = e.iter().sum::<f64>() / n as f64;
            let mu_star = e.iter().map(|x| x.abs()).sum::<f64>() / n as f64;
            let sigma = if n > 1 {
                (e.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
            } else {
                f64::NAN
            };
            MorrisIndex {
                mu,
                mu_star,
                sigma,
                n,
            }
        })
        .collect()
}

/// Outputs of the runs whose parameter value falls in one bin.
#[derive(Clone, Debug, PartialEq)]
pub struct Bin {
    pub bin: usize,
    pub value_lo: f64,
    pub value_hi: f64,
    pub n: usize,
    pub mean: f64,
    pub lo95: f64,
    pub hi95: f64,
}

/// Bins that many distinct values at most get a bin each; more are split into
/// this many equal-count bins (equal-probability strata for a Latin hypercube).
pub const MAX_BINS: usize = 10;
pub const CONTINUOUS_BINS: usize = 5;

/// Outputs binned by one parameter's value: a bin per distinct value when there
/// are few (grids, listed levels), else equal-count bins.
pub fn by_value(x: &[f64], y: &[f64]) -> Vec<Bin> {
    let mut pairs: Vec<(f64, f64)> = x.iter().copied().zip(y.iter().copied()).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut distinct: Vec<f64> = pairs.iter().map(|p| p.0).collect();
    distinct.dedup();
    let groups: Vec<&[(f64, f64)]> = if distinct.len() <= MAX_BINS {
        pairs.chunk_by(|a, b| a.0 == b.0).collect()
    } else {
        let b = CONTINUOUS_BINS;
        let n = pairs.len();
        (0..b).map(|i| &pairs[i * n / b..(i + 1) * n / b]).collect()
    };
    groups
        .into_iter()
        .enumerate()
        .filter(|(_, g)| !g.is_empty())
        .map(|(bin, g)| {
            let mut v: Vec<f64> = g.iter().map(|p| p.1).filter(|v| v.is_finite()).collect();
            v.sort_by(f64::total_cmp);
            let n = v.len();
            Bin {
                bin,
                value_lo: g[0].0,
                value_hi: g[g.len() - 1].0,
                n,
                mean: if n > 0 {
                    v.iter().sum::<f64>() / n as f64
                } else {
                    f64::NAN
                },
                lo95: quantile(&v, 0.025),
                hi95: quantile(&v, 0.975),
            }
        })
        .collect()
}

/// Spread of bin means: a crude importance measure for grids and hypercubes.
pub fn spread(bins: &[Bin]) -> f64 {
    let means = bins.iter().map(|b| b.mean).filter(|m| m.is_finite());
    let (lo, hi) = means.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), m| {
        (lo.min(m), hi.max(m))
    });
    if hi >= lo {
        hi - lo
    } else {
        f64::NAN
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::design::{lhs, morris, saltelli};
    use std::f64::consts::PI;

    fn ishigami(x: &[f64]) -> f64 {
        let (a, b) = (7.0, 0.1);
        x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
    }

    #[test]
    fn ishigami_indices_match_the_analytic_values() {
        let (n, k) = (1 << 14, 3);
        let y: Vec<f64> = saltelli(n, k, 2024)
            .iter()
            .map(|u| ishigami(&u.iter().map(|&v| -PI + 2.0 * PI * v).collect::<Vec<_>>()))
            .collect();
        let idx = sobol_indices(&y, k, 100, 1);
        let s1 = [0.3139, 0.4424, 0.0];
        let st = [0.5576, 0.4424, 0.2437];
        for i in 0..k {
            assert!(
                (idx[i].s1 - s1[i]).abs() < 0.005,
                "S1[{i}] = {} vs {}",
                idx[i].s1,
                s1[i]
            );
            assert!(
                (idx[i].st - st[i]).abs() < 0.005,
                "ST[{i}] = {} vs {}",
                idx[i].st,
                st[i]
            );
            assert!(
                idx[i].s1_lo <= idx[i].s1 && idx[i].s1 <= idx[i].s1_hi,
                "{:?}",
                idx[i]
            );
            assert!(
                idx[i].st_lo <= idx[i].st && idx[i].st <= idx[i].st_hi,
                "{:?}",
                idx[i]
            );
            assert!(
                idx[i].s1_lo <= s1[i] + 0.01 && s1[i] - 0.01 <= idx[i].s1_hi,
                "{:?}",
                idx[i]
            );
            assert!(idx[i].st_hi - idx[i].st_lo < 0.05, "{:?}", idx[i]);
        }
    }

    #[test]
    fn linear_model_indices_are_squared_weights() {
        // y = sum a_i x_i with x_i ~ U(0, 1): S1 = ST = a_i^2 / sum a^2, no interactions.
        let a = [4.0, 2.0, 1.0, 0.0];
        let total: f64 = a.iter().map(|v| v * v).sum();
        let (n, k) = (1 << 13, a.len());
        let y: Vec<f64> = saltelli(n, k, 5)
            .iter()
            .map(|u| u.iter().zip(&a).map(|(x, w)| x * w).sum())
            .collect();
        let idx = sobol_indices(&y, k, 50, 2);
        for i in 0..k {
            let want = a[i] * a[i] / total;
            assert!(
                (idx[i].s1 - want).abs() < 0.005,
                "S1[{i}] = {} vs {want}",
                idx[i].s1
            );
            assert!(
                (idx[i].st - want).abs() < 0.005,
                "ST[{i}] = {} vs {want}",
                idx[i].st
            );
        }
        assert_eq!(idx[3].st, 0.0);
    }

    #[test]
    fn missing_outputs_drop_their_blocks() {
        let (n, k) = (256, 2);
        let mut y: Vec<f64> = saltelli(n, k, 5)
            .iter()
            .map(|u| u[0] + 0.5 * u[1])
            .collect();
        y[7] = f64::NAN;
        let idx = sobol_indices(&y, k, 10, 2);
        assert!(idx.iter().all(|i| i.s1.is_finite() && i.st.is_finite()));
    }

    #[test]
    fn morris_ranks_a_linear_model_by_its_weights() {
        let a = [10.0, -5.0, 1.0, 0.0];
        let k = a.len();
        let unit = morris(20, k, 4, 3);
        let y: Vec<f64> = unit
            .iter()
            .map(|u| u.iter().zip(&a).map(|(x, w)| x * w).sum())
            .collect();
        let m = morris_indices(&unit, &y, k);
        for i in 0..k {
            assert!((m[i].mu_star - a[i].abs()).abs() < 1e-9, "{:?}", m[i]);
            assert!((m[i].mu - a[i]).abs() < 1e-9);
            assert!(m[i].sigma < 1e-9);
            assert_eq!(m[i].n, 20);
        }
    }

    #[test]
    fn bins_split_continuous_values_evenly_and_keep_levels() {
        let x: Vec<f64> = lhs(50, 1, 4).into_iter().map(|p| p[0]).collect();
        let y: Vec<f64> = x.iter().map(|v| 2.0 * v).collect();
        let bins = by_value(&x, &y);
        assert_eq!(bins.len(), CONTINUOUS_BINS);
        assert!(bins.iter().all(|b| b.n == 10));
        assert!(bins.windows(2).all(|w| w[0].mean < w[1].mean));
        let x = [1.0, 2.0, 1.0, 2.0];
        let y = [1.0, 3.0, 2.0, f64::NAN];
        let bins = by_value(&x, &y);
        assert_eq!(bins.len(), 2);
        assert_eq!((bins[0].n, bins[0].mean), (2, 1.5));
        assert_eq!((bins[1].n, bins[1].mean), (1, 3.0));
        assert_eq!(spread(&bins), 1.5);
    }
}
