//! A finished sweep's analysis as typed results: what the report renders and
//! the terminal ranks, computed once by the sweep.

use super::analysis::{Bin, MorrisIndex, SobolIndex};

/// What a sweep's analysis produced, one entry per output (in the sweep's output
/// order), each with one entry per parameter (in the sweep's parameter order).
#[derive(Clone, Debug)]
pub enum SweepAnalysis {
    Sobol {
        base_samples: u64,
        resamples: usize,
        indices: Vec<Vec<SobolIndex>>,
    },
    Morris {
        trajectories: u64,
        indices: Vec<Vec<MorrisIndex>>,
    },
    /// Grids and Latin hypercubes: outputs by bins of each parameter's value.
    Binned { bins: Vec<Vec<Vec<Bin>>> },
}

/// Everything the sweep report shows.
#[derive(Clone, Debug)]
pub struct SweepSummary {
    pub name: String,
    pub description: String,
    /// The design's name, e.g. "Morris".
    pub design: String,
    pub runs: u64,
    pub replicates: u32,
    pub scale: f64,
    pub common_random_numbers: bool,
    /// (key, distribution in words).
    pub parameters: Vec<(String, String)>,
    /// (column of runs.csv, metric), so values print in the metric's unit.
    pub outputs: Vec<(String, crate::metrics::M)>,
    /// Files the sweep wrote, for the reader to find the numbers.
    pub files: Vec<String>,
    pub analysis: SweepAnalysis,
}
