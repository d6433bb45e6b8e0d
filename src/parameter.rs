//! What a parameter declaration is: a value by substance group, and the unit,
//! range and source every numeric parameter carries. The foundation the stage
//! and intervention registries are built from; it depends on no model module.

use crate::history::Substance;
use serde::{Deserialize, Serialize};

/// A value for each substance group.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BySubstance {
    pub opiates_crack: f64,
    pub other_drugs: f64,
    pub alcohol: f64,
    pub none: f64,
}

impl BySubstance {
    pub const fn new(opiates_crack: f64, other_drugs: f64, alcohol: f64, none: f64) -> Self {
        BySubstance {
            opiates_crack,
            other_drugs,
            alcohol,
            none,
        }
    }
    #[inline]
    pub fn get(&self, s: Substance) -> f64 {
        match s {
            Substance::OpiatesCrack => self.opiates_crack,
            Substance::OtherDrugs => self.other_drugs,
            Substance::Alcohol => self.alcohol,
            Substance::None => self.none,
        }
    }
}

/// Unit, range and source of a numeric parameter.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ParamInfo {
    /// Dotted key; a trailing `.*` stands for the four substance groups.
    pub key: &'static str,
    pub unit: &'static str,
    pub min: f64,
    pub max: f64,
    /// Seed figure id(s) the value is calibrated to or taken from, or "assumption: why".
    pub source: &'static str,
}

pub const INF: f64 = f64::INFINITY;

macro_rules! p {
    ($key:expr, $unit:expr, $min:expr, $max:expr, $source:expr) => {
        ParamInfo {
            key: $key,
            unit: $unit,
            min: $min,
            max: $max,
            source: $source,
        }
    };
}
pub(crate) use p;

/// Every numeric leaf of a serialised value as (dotted key, value), in
/// declaration order, keys starting with `prefix`.
pub fn collect_numeric(prefix: &str, v: &toml::Value, out: &mut Vec<(String, f64)>) {
    match v {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                collect_numeric(&key, v, out);
            }
        }
        toml::Value::Integer(i) => out.push((prefix.to_string(), *i as f64)),
        toml::Value::Float(f) => out.push((prefix.to_string(), *f)),
        _ => {}
    }
}
