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
    /// The four values added up.
    pub fn total(&self) -> f64 {
        Substance::ALL.iter().map(|&s| self.get(s)).sum()
    }
    /// The values as shares of their total (all zero if it is zero).
    pub fn normalised(&self) -> BySubstance {
        let t = self.total();
        let f = |v: f64| if t > 0.0 { v / t } else { 0.0 };
        BySubstance::new(
            f(self.opiates_crack),
            f(self.other_drugs),
            f(self.alcohol),
            f(self.none),
        )
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
    /// What the parameter means (its doc comment), for `pathsim params` and the
    /// model document.
    pub doc: &'static str,
    /// The baseline takes the value from the calibration (`scenarios/calibrated.toml`).
    pub fitted: bool,
}

pub const INF: f64 = f64::INFINITY;

/// The calibrated values: the partial scenario `pathsim calibrate` writes,
/// compiled in, so the code's defaults are the calibrated baseline without any
/// copy of a fitted number in the source.
const CALIBRATED: &str = include_str!("../scenarios/calibrated.toml");

/// The calibrated value of a dotted key (e.g. `treatment.ost_dropout_rate_0_3m`).
///
/// Panics when `scenarios/calibrated.toml` lacks the key: a parameter declared
/// `fitted` must be fitted (the tests build every default, so this cannot reach a
/// release).
pub fn fitted(key: &str) -> f64 {
    static TABLE: std::sync::LazyLock<toml::Table> = std::sync::LazyLock::new(|| {
        CALIBRATED
            .parse()
            .expect("scenarios/calibrated.toml is valid TOML")
    });
    let mut v: Option<&toml::Value> = None;
    for (i, part) in key.split('.').enumerate() {
        v = if i == 0 {
            TABLE.get(part)
        } else {
            v.and_then(|t| t.get(part))
        };
    }
    match v {
        Some(toml::Value::Float(f)) => *f,
        Some(toml::Value::Integer(i)) => *i as f64,
        _ => panic!("{key} is declared fitted but scenarios/calibrated.toml has no value for it"),
    }
}

/// Whether the calibration fits this dotted key.
pub fn is_fitted(key: &str) -> bool {
    static KEYS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
        let table: toml::Table = CALIBRATED.parse().unwrap_or_default();
        let mut leaves = Vec::new();
        collect_numeric("", &toml::Value::Table(table), &mut leaves);
        leaves.into_iter().map(|(k, _)| k).collect()
    });
    KEYS.iter().any(|k| k == key)
}

/// Declare a block of parameters once: each field with its doc comment, type,
/// default, unit, valid range and source. The macro makes the serde struct (every
/// field optional in a scenario file, unknown keys refused), its `Default`, and
/// `INFO`, the registry rows, whose keys are the block's section and the field
/// name (`treatment.ost_dropout_rate_0_3m`; `.*` for a value by substance group).
///
/// A default is a number, `true`/`false`, `(year, month, day)` for a date,
/// `[opiates_crack, other_drugs, alcohol, none]` for a value by substance group,
/// or `fitted` (for a whole value or one group): the calibrated value from
/// `scenarios/calibrated.toml`.
macro_rules! parameters {
    (
        $(#[doc = $sdoc:literal])*
        pub struct $name:ident in $section:literal {
            $(
                $(#[doc = $doc:literal])*
                $field:ident : $ty:tt = $default:tt, $unit:literal, $min:expr, $max:expr, $source:literal;
            )*
        }
    ) => {
        $(#[doc = $sdoc])*
        #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct $name {
            $( $(#[doc = $doc])* pub $field: $ty, )*
        }

        impl Default for $name {
            fn default() -> Self {
                $name {
                    $( $field: $crate::parameter::param_default!($section, $field, $ty, $default), )*
                }
            }
        }

        impl $name {
            /// The registry rows of this block, in declaration order.
            pub const INFO: &'static [$crate::parameter::ParamInfo] = &[
                $(
                    $crate::parameter::ParamInfo {
                        key: $crate::parameter::param_key!($section, $field, $ty),
                        unit: $unit,
                        min: $min,
                        max: $max,
                        source: $source,
                        doc: concat!($($doc),*),
                        fitted: $crate::parameter::param_fitted!($default),
                    },
                )*
            ];
        }
    };
}
pub(crate) use parameters;

macro_rules! param_key {
    ($section:literal, $field:ident, BySubstance) => {
        concat!($section, ".", stringify!($field), ".*")
    };
    ($section:literal, $field:ident, $ty:tt) => {
        concat!($section, ".", stringify!($field))
    };
}
pub(crate) use param_key;

macro_rules! param_default {
    ($section:literal, $field:ident, $ty:tt, fitted) => {
        $crate::parameter::fitted(concat!($section, ".", stringify!($field)))
    };
    ($section:literal, $field:ident, BySubstance, [$a:tt, $b:tt, $c:tt, $d:tt]) => {
        $crate::parameter::BySubstance::new(
            $crate::parameter::group_default!($section, $field, opiates_crack, $a),
            $crate::parameter::group_default!($section, $field, other_drugs, $b),
            $crate::parameter::group_default!($section, $field, alcohol, $c),
            $crate::parameter::group_default!($section, $field, none, $d),
        )
    };
    ($section:literal, $field:ident, Date, ($y:literal, $m:literal, $d:literal)) => {
        $crate::calendar::Date::ymd($y, $m, $d)
    };
    ($section:literal, $field:ident, $ty:tt, $v:expr) => {
        $v
    };
}
pub(crate) use param_default;

macro_rules! group_default {
    ($section:literal, $field:ident, $group:ident, fitted) => {
        $crate::parameter::fitted(concat!(
            $section,
            ".",
            stringify!($field),
            ".",
            stringify!($group)
        ))
    };
    ($section:literal, $field:ident, $group:ident, $v:expr) => {
        $v
    };
}
pub(crate) use group_default;

/// Whether a declared default mentions `fitted` (whole value or any group).
macro_rules! param_fitted {
    (fitted) => {
        true
    };
    ([$($g:tt),*]) => {
        false $(|| $crate::parameter::param_fitted!(@group $g))*
    };
    (@group fitted) => {
        true
    };
    (@group $g:tt) => {
        false
    };
    ($other:tt) => {
        false
    };
}
pub(crate) use param_fitted;

/// Visit every leaf (any value but a table) of a TOML value with its dotted
/// key, in order: the one walk behind every flattening of a scenario.
pub fn for_each_leaf(prefix: &str, v: &toml::Value, f: &mut impl FnMut(&str, &toml::Value)) {
    match v {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                for_each_leaf(&key, v, f);
            }
        }
        leaf => f(prefix, leaf),
    }
}

/// Every numeric leaf of a serialised value as (dotted key, value), in
/// declaration order, keys starting with `prefix`.
pub fn collect_numeric(prefix: &str, v: &toml::Value, out: &mut Vec<(String, f64)>) {
    for_each_leaf(prefix, v, &mut |key, leaf| match leaf {
        toml::Value::Integer(i) => out.push((key.to_string(), *i as f64)),
        toml::Value::Float(f) => out.push((key.to_string(), *f)),
        _ => {}
    });
}
