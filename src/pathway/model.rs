//! Shared pieces of the compiled model: per-day conversions, age bands, dated
//! hooks, date windows and coverages. The composed [`super::Model`] lives with
//! the parameters in `pathway/mod.rs`; each stage compiles its own rates.

use crate::calendar::DAYS_PER_YEAR;
use crate::history::Substance;
use crate::parameter::BySubstance;

/// Annual rates by substance, converted to daily ones, indexed by `Substance`.
pub fn daily(b: &BySubstance) -> [f64; 4] {
    Substance::ALL.map(|s| b.get(s) / DAYS_PER_YEAR)
}

/// Values by substance, indexed by `Substance`.
pub fn by_group(b: &BySubstance) -> [f64; 4] {
    Substance::ALL.map(|s| b.get(s))
}

/// Tolerance (days) for reaching a scheduled boundary: start + b - start may
/// round below b.
pub const EPS: f64 = 1e-7;

/// Age effects are constant within bands of this many years.
pub const AGE_BAND_YEARS: f64 = 5.0;
/// Bands 0-4, 5-9, ..., 95-99, 100+.
pub const N_AGE_BANDS: usize = 21;

/// The multiplier of a band, taken at its middle age.
pub fn by_band(f: impl Fn(f64) -> f64) -> Vec<f64> {
    (0..N_AGE_BANDS)
        .map(|b| f((b as f64 + 0.5) * AGE_BAND_YEARS))
        .collect()
}

/// A multiplier that applies from a date on (a lever's hook on a rate); the
/// date is infinite when the lever is off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DatedMultiplier {
    pub from: f64,
    pub multiplier: f64,
}

impl DatedMultiplier {
    pub const NONE: DatedMultiplier = DatedMultiplier {
        from: f64::INFINITY,
        multiplier: 1.0,
    };
    /// `rate`, multiplied if the day `t` is on or after the start.
    #[inline]
    pub fn apply(&self, rate: f64, t: f64) -> f64 {
        if t >= self.from {
            rate * self.multiplier
        } else {
            rate
        }
    }
}

/// A share of decisions changed from a date on (a lever's hook on a decision).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DatedShare {
    pub from: f64,
    pub share: f64,
}

impl DatedShare {
    pub const NONE: DatedShare = DatedShare {
        from: f64::INFINITY,
        share: 0.0,
    };
}

/// A date window `[from, until)` as day numbers; closed when the scheme is off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub from: f64,
    pub until: f64,
}

impl Window {
    pub fn new(enabled: bool, start: crate::calendar::Date, end: crate::calendar::Date) -> Self {
        if enabled {
            Window {
                from: start.as_f64(),
                until: end.as_f64(),
            }
        } else {
            Window::CLOSED
        }
    }
    /// A scheme whose start date lives with its stage: open until `end`.
    pub fn until(enabled: bool, end: crate::calendar::Date) -> Self {
        if enabled {
            Window {
                from: f64::NEG_INFINITY,
                until: end.as_f64(),
            }
        } else {
            Window::CLOSED
        }
    }
    pub const CLOSED: Window = Window {
        from: f64::INFINITY,
        until: f64::INFINITY,
    };
    #[inline]
    pub fn open(&self, t: f64) -> bool {
        t >= self.from && t < self.until
    }
}

/// A coverage that may change on a date (a scheme's expansion or cut).
#[derive(Debug, Clone, Copy)]
pub struct Coverage {
    pub base: f64,
    pub from: f64,
    pub expanded: f64,
}

impl Coverage {
    pub fn new(base: f64, from: crate::calendar::Date, expanded: f64) -> Self {
        Coverage {
            base,
            from: from.as_f64(),
            expanded,
        }
    }
    #[inline]
    pub fn at(&self, t: f64) -> f64 {
        if t >= self.from {
            self.expanded
        } else {
            self.base
        }
    }
}
