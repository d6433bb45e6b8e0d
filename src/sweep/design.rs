//! Experimental designs on the unit hypercube, and the distributions that map a
//! unit coordinate to a parameter value.
//!
//! Every design is a pure function of its settings and a seed, drawn from our
//! own SplitMix64 counter rather than a library generator, so a design (and so
//! every run of a sweep) stays the same across crate upgrades and machines.

use crate::rng::mix64;
use serde::{Deserialize, Serialize};

/// How a parameter's values are spread over its range.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Dist {
    Uniform {
        min: f64,
        max: f64,
    },
    LogUniform {
        min: f64,
        max: f64,
    },
    Triangular {
        min: f64,
        max: f64,
        mode: f64,
    },
    /// A finite list of values, equally likely.
    Levels(Vec<f64>),
}

impl Dist {
    /// The value at unit coordinate `u` in [0, 1] (the inverse CDF).
    pub fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        match self {
            Dist::Uniform { min, max } => min + u * (max - min),
            Dist::LogUniform { min, max } => (min.ln() + u * (max.ln() - min.ln())).exp(),
            Dist::Triangular { min, max, mode } => {
                let (a, b, c) = (*min, *max, *mode);
                let fc = (c - a) / (b - a);
                if u < fc {
                    a + (u * (b - a) * (c - a)).sqrt()
                } else {
                    b - ((1.0 - u) * (b - a) * (b - c)).sqrt()
                }
            }
            Dist::Levels(v) => v[((u * v.len() as f64) as usize).min(v.len() - 1)],
        }
        // Guard the end points against rounding (exp(ln x) != x).
        .clamp(self.lo(), self.hi())
    }
    /// Smallest value the distribution can give.
    pub fn lo(&self) -> f64 {
        match self {
            Dist::Uniform { min, .. }
            | Dist::LogUniform { min, .. }
            | Dist::Triangular { min, .. } => *min,
            Dist::Levels(v) => v.iter().copied().fold(f64::INFINITY, f64::min),
        }
    }
    /// Largest value the distribution can give.
    pub fn hi(&self) -> f64 {
        match self {
            Dist::Uniform { max, .. }
            | Dist::LogUniform { max, .. }
            | Dist::Triangular { max, .. } => *max,
            Dist::Levels(v) => v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }
    /// Grid coordinates: every listed level, or `levels` points from end to end.
    fn grid_coords(&self, levels: usize) -> Vec<f64> {
        match self {
            Dist::Levels(v) => (0..v.len())
                .map(|j| (j as f64 + 0.5) / v.len() as f64)
                .collect(),
            _ if levels == 1 => vec![0.5],
            _ => (0..levels)
                .map(|j| j as f64 / (levels - 1) as f64)
                .collect(),
        }
    }
}

/// The kind of design and its size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Grid,
    Lhs,
    Sobol,
    Morris,
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Kind::Grid => "grid",
            Kind::Lhs => "Latin hypercube",
            Kind::Sobol => "Sobol/Saltelli",
            Kind::Morris => "Morris",
        })
    }
}

/// A design's settings, resolved from the sweep file.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum Plan {
    /// Every combination; `levels` points for each continuous parameter.
    Grid { levels: usize },
    /// `n` runs, one in each of `n` equal-probability strata per parameter.
    Lhs { n: usize },
    /// Saltelli's scheme: `n` base samples, k + 2 runs each (A, B, AB_1..AB_k).
    Sobol { n: usize },
    /// `r` one-at-a-time trajectories of k + 1 runs on a `levels`-point grid.
    Morris { r: usize, levels: usize },
}

impl Plan {
    /// Runs the design needs for `k` parameters (saturating: huge grids are refused later).
    pub fn runs(&self, dists: &[Dist]) -> u64 {
        let k = dists.len() as u64;
        match *self {
            Plan::Grid { levels } => dists.iter().fold(1u64, |acc, d| {
                acc.saturating_mul(d.grid_coords(levels).len() as u64)
            }),
            Plan::Lhs { n } => n as u64,
            Plan::Sobol { n } => n as u64 * (k + 2),
            Plan::Morris { r, .. } => r as u64 * (k + 1),
        }
    }
    pub fn kind(&self) -> Kind {
        match self {
            Plan::Grid { .. } => Kind::Grid,
            Plan::Lhs { .. } => Kind::Lhs,
            Plan::Sobol { .. } => Kind::Sobol,
            Plan::Morris { .. } => Kind::Morris,
        }
    }
}

/// Unit coordinates of every run (run-major) and the parameter values they map to.
#[derive(Clone, Debug, PartialEq)]
pub struct Design {
    pub plan: Plan,
    pub k: usize,
    pub unit: Vec<Vec<f64>>,
    pub values: Vec<Vec<f64>>,
}

impl Design {
    pub fn len(&self) -> usize {
        self.unit.len()
    }
    pub fn is_empty(&self) -> bool {
        self.unit.is_empty()
    }
}

/// Build the design for these parameter distributions.
pub fn generate(plan: Plan, dists: &[Dist], seed: u64) -> Design {
    let k = dists.len();
    let unit = match plan {
        Plan::Grid { levels } => grid(
            &dists
                .iter()
                .map(|d| d.grid_coords(levels))
                .collect::<Vec<_>>(),
        ),
        Plan::Lhs { n } => lhs(n, k, seed),
        Plan::Sobol { n } => saltelli(n, k, seed),
        Plan::Morris { r, levels } => morris(r, k, levels, seed),
    };
    let values = unit
        .iter()
        .map(|u| u.iter().zip(dists).map(|(&x, d)| d.quantile(x)).collect())
        .collect();
    Design {
        plan,
        k,
        unit,
        values,
    }
}

/// A SplitMix64 stream: stable forever, unlike library generators.
pub struct Draws(u64);

impl Draws {
    pub fn new(seed: u64, salt: u64) -> Draws {
        Draws(mix64(seed ^ salt))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }
    /// Uniform in [0, 1) with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    /// Uniform integer in 0..n (Lemire's multiply-shift; bias below 2^-40 for our n).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }
    /// Fisher-Yates shuffle.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
    }
}

const LHS_SALT: u64 = 0x4C48_5300_0000_0001;
const SOBOL_SALT: u64 = 0x534F_424F_4C00_0002;
const MORRIS_SALT: u64 = 0x4D4F_5252_4953_0003;

/// Full factorial, last parameter varying fastest.
fn grid(coords: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut out = vec![Vec::with_capacity(coords.len())];
    for c in coords {
        out = out
            .into_iter()
            .flat_map(|p| {
                c.iter().map(move |&x| {
                    let mut q = p.clone();
                    q.push(x);
                    q
                })
            })
            .collect();
    }
    out
}

/// Latin hypercube: each parameter takes one point in each of n strata, at random
/// within the stratum, with strata paired at random across parameters.
pub fn lhs(n: usize, k: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut d = Draws::new(seed, LHS_SALT);
    let mut out = vec![Vec::with_capacity(k); n];
    for _ in 0..k {
        let mut strata: Vec<usize> = (0..n).collect();
        d.shuffle(&mut strata);
        for (point, s) in out.iter_mut().zip(strata) {
            point.push((s as f64 + d.unit()) / n as f64);
        }
    }
    out
}

/// Largest base sample count and parameter count the Sobol generator supports.
pub const SOBOL_MAX_N: usize = 1 << 16;
pub const SOBOL_MAX_K: usize = (sobol_burley::NUM_DIMENSIONS / 2) as usize;

/// Saltelli's scheme on an Owen-scrambled Sobol sequence of dimension 2k: matrix A
/// is the first k coordinates, B the last k, and AB_i is A with column i from B.
/// Run j(k+2) is A_j, then B_j, then AB_1,j .. AB_k,j, so each base sample's runs
/// sit together.
pub fn saltelli(n: usize, k: usize, seed: u64) -> Vec<Vec<f64>> {
    assert!(
        n <= SOBOL_MAX_N && k <= SOBOL_MAX_K,
        "Sobol design too large"
    );
    let scramble = (mix64(seed ^ SOBOL_SALT) >> 32) as u32;
    let mut out = Vec::with_capacity(n * (k + 2));
    for j in 0..n as u32 {
        let a: Vec<f64> = (0..k as u32)
            .map(|i| sobol_burley::sample(j, i, scramble) as f64)
            .collect();
        let b: Vec<f64> = (0..k as u32)
            .map(|i| sobol_burley::sample(j, k as u32 + i, scramble) as f64)
            .collect();
        out.push(a.clone());
        out.push(b.clone());
        for i in 0..k {
            let mut ab = a.clone();
            ab[i] = b[i];
            out.push(ab);
        }
    }
    out
}

/// Morris trajectories on a `levels`-point grid with step Δ = levels / (2 (levels - 1)).
/// Each trajectory starts at a random grid point and moves each parameter once, in
/// random order and direction, so every level is equally likely.
pub fn morris(r: usize, k: usize, levels: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut d = Draws::new(seed, MORRIS_SALT);
    let p = levels as f64;
    let step = levels / 2; // Δ in grid steps
    let delta = step as f64 / (p - 1.0);
    let mut out = Vec::with_capacity(r * (k + 1));
    for _ in 0..r {
        // Each parameter moves between level lo and lo + step, starting at either end.
        let mut x: Vec<f64> = Vec::with_capacity(k);
        let mut dir = Vec::with_capacity(k);
        for _ in 0..k {
            let lo = d.below(levels - step) as f64 / (p - 1.0);
            if d.below(2) == 0 {
                x.push(lo);
                dir.push(delta);
            } else {
                x.push(lo + delta);
                dir.push(-delta);
            }
        }
        let mut order: Vec<usize> = (0..k).collect();
        d.shuffle(&mut order);
        out.push(x.clone());
        for i in order {
            x[i] = (x[i] + dir[i]).clamp(0.0, 1.0);
            out.push(x.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lhs_puts_one_point_in_each_stratum() {
        let n = 37;
        let pts = lhs(n, 5, 11);
        for j in 0..5 {
            let mut strata: Vec<usize> = pts.iter().map(|p| (p[j] * n as f64) as usize).collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..n).collect::<Vec<_>>(), "parameter {j}");
        }
    }

    #[test]
    fn designs_are_deterministic_and_depend_on_the_seed() {
        let dists = vec![
            Dist::Uniform { min: 0.0, max: 1.0 },
            Dist::LogUniform {
                min: 0.1,
                max: 10.0,
            },
            Dist::Triangular {
                min: 0.0,
                max: 2.0,
                mode: 0.5,
            },
        ];
        for plan in [
            Plan::Lhs { n: 20 },
            Plan::Sobol { n: 16 },
            Plan::Morris { r: 6, levels: 4 },
        ] {
            let a = generate(plan, &dists, 7);
            assert_eq!(a, generate(plan, &dists, 7));
            assert_ne!(a.unit, generate(plan, &dists, 8).unit);
            assert_eq!(a.len() as u64, plan.runs(&dists));
        }
        // Pinned values: a change here silently changes every sweep users have run.
        assert_eq!(Draws::new(1, 2).unit(), 0.5933324358527345);
        assert_eq!(
            lhs(3, 2, 1)[0],
            vec![0.6514021345062023, 0.9920220462852516]
        );
        assert_eq!(saltelli(1, 1, 1)[0], vec![0.6131527423858643]);
    }

    #[test]
    fn grid_covers_every_combination_end_to_end() {
        let dists = vec![
            Dist::Uniform { min: 1.0, max: 3.0 },
            Dist::Levels(vec![10.0, 20.0]),
        ];
        let d = generate(Plan::Grid { levels: 3 }, &dists, 0);
        let v: Vec<(f64, f64)> = d.values.iter().map(|p| (p[0], p[1])).collect();
        assert_eq!(
            v,
            vec![
                (1.0, 10.0),
                (1.0, 20.0),
                (2.0, 10.0),
                (2.0, 20.0),
                (3.0, 10.0),
                (3.0, 20.0)
            ]
        );
    }

    #[test]
    fn saltelli_blocks_share_columns() {
        let k = 4;
        let pts = saltelli(8, k, 3);
        for j in 0..8 {
            let a = &pts[j * (k + 2)];
            let b = &pts[j * (k + 2) + 1];
            for i in 0..k {
                let ab = &pts[j * (k + 2) + 2 + i];
                for c in 0..k {
                    assert_eq!(ab[c], if c == i { b[c] } else { a[c] });
                }
            }
        }
    }

    #[test]
    fn morris_moves_one_parameter_by_delta_per_step() {
        let (k, levels) = (5, 4);
        let pts = morris(10, k, levels, 9);
        let delta = 4.0 / 6.0;
        for t in 0..10 {
            let mut moved = vec![false; k];
            for s in 1..=k {
                let (a, b) = (&pts[t * (k + 1) + s - 1], &pts[t * (k + 1) + s]);
                let diff: Vec<usize> = (0..k).filter(|&i| a[i] != b[i]).collect();
                assert_eq!(diff.len(), 1);
                assert!(((a[diff[0]] - b[diff[0]]).abs() - delta).abs() < 1e-12);
                moved[diff[0]] = true;
                assert!(b.iter().all(|&x| (0.0..=1.0).contains(&x)));
            }
            assert!(moved.iter().all(|&m| m));
        }
    }

    #[test]
    fn quantiles_hit_the_ends_and_the_mode() {
        let t = Dist::Triangular {
            min: 1.0,
            max: 5.0,
            mode: 2.0,
        };
        assert_eq!(t.quantile(0.0), 1.0);
        assert_eq!(t.quantile(1.0), 5.0);
        assert!((t.quantile(0.25) - 2.0).abs() < 1e-12);
        let l = Dist::LogUniform {
            min: 0.1,
            max: 10.0,
        };
        assert!((l.quantile(0.5) - 1.0).abs() < 1e-12);
        assert_eq!(l.quantile(1.0), 10.0);
        let v = Dist::Levels(vec![3.0, 1.0, 2.0]);
        assert_eq!(
            (v.quantile(0.0), v.quantile(0.5), v.quantile(1.0)),
            (3.0, 1.0, 2.0)
        );
    }
}
