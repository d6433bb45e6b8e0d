//! Every model parameter: its typed home, default, unit, range and source.
//!
//! Each parameter is declared once, in the file of the pathway stage it belongs
//! to (`src/pathway/*.rs`, with the [`crate::parameter::parameters`] macro): its
//! field, doc, default, unit, valid range and source (a seed figure id from
//! `shared/seed_figures.csv`, or "assumption: reason"); a fitted default is read
//! from `scenarios/calibrated.toml`. This module gathers the declarations into the
//! [`registry`], validates whole scenarios against it, and writes the generated
//! baseline file and parameter tables. `pathsim params` prints the registry.

use crate::calendar::Date;
use crate::history::Substance;
use crate::parameter::collect_numeric;
pub use crate::parameter::{BySubstance, ParamInfo};
pub use crate::pathway::levers::{
    CommunityInsteadLever, Levers, RetentionLever, TestingExtendedLever, TreatmentAccessLever,
};
pub use crate::pathway::population::PopulationParams;
pub use crate::pathway::{
    arrest::{DipParams, OffendingParams, TestingParams},
    custody::CustodyParams,
    mortality::MortalityParams,
    orders::OrderParams,
    sentencing::{CourtParams, SentencingParams},
    treatment::TreatmentParams,
    Params, RunParams,
};

/// Every parameter, block by block in scenario order: each stage's
/// declarations ([`Params::BLOCKS`]), every intervention block's
/// ([`crate::interventions::registry`]) and the capacity block's. A test checks
/// they cover every numeric key of [`Params`] and nothing else.
pub fn registry() -> impl Iterator<Item = &'static ParamInfo> {
    Params::BLOCKS
        .iter()
        .copied()
        .flatten()
        .chain(crate::interventions::registry())
        .chain(crate::interventions::Capacity::INFO)
        .chain(crate::series::registry())
}

impl ParamInfo {
    /// Dates and switches are listed for documentation; only numbers have ranges.
    pub fn is_numeric(&self) -> bool {
        !matches!(self.unit, "date" | "on/off" | "choice")
    }
}

/// The registry entry for a dotted key (matching `.*` entries for substance groups).
pub fn info(key: &str) -> Option<&'static ParamInfo> {
    registry().find(|p| {
        p.key == key
            || p.key.strip_suffix(".*").is_some_and(|stem| {
                key.strip_prefix(stem)
                    .and_then(|rest| rest.strip_prefix('.'))
                    .is_some_and(|g| Substance::ALL.iter().any(|s| s.name() == g))
            })
    })
}

/// One invalid value: the dotted key and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    pub key: String,
    pub message: String,
}

impl Params {
    /// Every numeric value as (dotted key, value), in declaration order.
    pub fn numeric_leaves(&self) -> Vec<(String, f64)> {
        let value = toml::Value::try_from(self).expect("parameters serialise");
        let mut out = Vec::new();
        collect_numeric("", &value, &mut out);
        out
    }

    /// All range and consistency checks, in one place. Empty means valid.
    pub fn validate(&self) -> Vec<Invalid> {
        let mut bad = Vec::new();
        let mut err = |key: &str, message: String| {
            bad.push(Invalid {
                key: key.to_string(),
                message,
            })
        };
        for (key, v) in self.numeric_leaves() {
            let Some(info) = info(&key).filter(|i| i.is_numeric()) else {
                err(&key, "is not a known parameter".into());
                continue;
            };
            if !v.is_finite() {
                err(&key, format!("must be a finite number, got {v}"));
            } else if v < info.min || v > info.max {
                err(
                    &key,
                    format!(
                        "must be between {} and {} ({}), got {v}",
                        info.min, info.max, info.unit
                    ),
                );
            }
        }
        let share_sum: f64 = Substance::ALL
            .iter()
            .map(|&s| self.population.substance_share.get(s))
            .sum();
        if (share_sum - 1.0).abs() > 1e-6 {
            err(
                "population.substance_share",
                format!("shares must sum to 1, they sum to {share_sum}"),
            );
        }
        let r = &self.run;
        if r.start < Date::ymd(1970, 1, 1) {
            err(
                "run.start",
                format!(
                    "must be 1970-01-01 or later (day numbers count from 1970), got {}",
                    r.start
                ),
            );
        }
        if r.start >= r.horizon {
            err(
                "run.horizon",
                format!("must come after run.start ({}), got {}", r.start, r.horizon),
            );
        }
        if r.observe_from < r.start.year() || r.observe_from >= r.horizon.year() {
            err(
                "run.observe_from",
                format!(
                    "must be a year from run.start ({}) to before run.horizon ({}), got {}",
                    r.start.year(),
                    r.horizon.year(),
                    r.observe_from
                ),
            );
        }
        if self.value_for_money != crate::appraisal::AppraisalParams::default() {
            for (key, message) in self.value_for_money.check(r.observe_from, r.last_year()) {
                err(&key, message);
            }
        }
        for &input in crate::series::Input::ALL {
            let o = self.calendar.override_of(input);
            if o.from >= o.to {
                err(
                    &format!("calendar.{}.to", input.name()),
                    format!(
                        "must come after calendar.{}.from ({}), got {}",
                        input.name(),
                        o.from,
                        o.to
                    ),
                );
            }
        }
        if self.dip.start > self.dip.required_assessment_start {
            err(
                "dip.required_assessment_start",
                format!("must not come before dip.start ({})", self.dip.start),
            );
        }
        let s = &self.sentencing;
        if s.dtto_pilot_start > s.dtto_start {
            err(
                "sentencing.dtto_start",
                format!(
                    "must not come before sentencing.dtto_pilot_start ({})",
                    s.dtto_pilot_start
                ),
            );
        }
        if s.dtto_start > s.drr_start {
            err(
                "sentencing.drr_start",
                format!(
                    "must not come before sentencing.dtto_start ({})",
                    s.dtto_start
                ),
            );
        }
        let w = s.weight_discharge_fine
            + s.weight_community
            + s.weight_suspended
            + s.weight_short_custody
            + s.weight_long_custody;
        if w.is_finite() && w <= 0.0 {
            err(
                "sentencing.weight_discharge_fine",
                "sentence weights must not all be zero".into(),
            );
        }
        // Through text, so dates come back as TOML dates.
        let iv: toml::Table = toml::to_string(&self.interventions)
            .ok()
            .and_then(|t| toml::from_str(&t).ok())
            .unwrap_or_default();
        for (name, block) in &iv {
            let date = |k: &str| {
                block.get(k).and_then(|v| match v {
                    toml::Value::Datetime(d) => Some(d.to_string()),
                    toml::Value::String(s) => Some(s.clone()),
                    _ => None,
                })
            };
            if let (Some(start), Some(end)) = (date("start"), date("end")) {
                if start >= end {
                    err(
                        &format!("interventions.{name}.end"),
                        format!("must come after interventions.{name}.start ({start}), got {end}"),
                    );
                }
            }
        }
        let c = &self.capacity;
        if c.start >= c.end {
            err(
                "capacity.end",
                format!(
                    "must come after capacity.start ({}), got {}",
                    c.start, c.end
                ),
            );
        }
        if c.enabled && c.community_places_per_year <= 0.0 {
            err(
                "capacity.community_places_per_year",
                "must be positive when capacity is enabled".into(),
            );
        }
        if self.run.scale > 0.0 {
            let people = (self.population.initial_offenders
                + self.population.entrants_per_year * (r.horizon.as_f64() - r.start.as_f64())
                    / crate::calendar::DAYS_PER_YEAR)
                / self.run.scale;
            if people > 4.0e9 {
                err(
                    "run.scale",
                    format!("would simulate {people:.0} people; raise the scale"),
                );
            }
        }
        bad
    }
}

/// The numeric keys a partial scenario sets (None if the file is absent).
pub fn fitted_keys(path: &std::path::Path) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(path).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    let mut out = Vec::new();
    collect_numeric("", &toml::Value::Table(table), &mut out);
    Some(out.into_iter().map(|(k, _)| k).collect())
}

/// The shipped baseline: the defaults, named.
pub fn baseline() -> Params {
    Params {
        name: "baseline".into(),
        description: "England and Wales as it was and as it will be if nothing changes.".into(),
        ..Params::default()
    }
}

/// `scenarios/baseline.toml`: every parameter, each with its unit and source.
///
/// `fitted` lists the keys set by `calibrated` (the partial scenario written by
/// `pathsim calibrate`): the baseline takes them from there (`base`), so here they
/// appear only as comments.
pub fn baseline_toml(calibrated: Option<(&str, &[String])>) -> String {
    let body = toml::to_string_pretty(&baseline()).expect("parameters serialise");
    let mut out = String::from(
        "# pathsim baseline scenario: every parameter, with its unit and source.\n\
         # Generated by `pathsim params --toml > scenarios/baseline.toml`; edit the\n\
         # declarations in src/pathway/*.rs. Sources are seed figure ids\n\
         # (shared/seed_figures.csv) or \"assumption: why\". Rates are per year unless\n\
         # the unit says otherwise; dates are YYYY-MM-DD.\n",
    );
    let fitted: &[String] = match calibrated {
        Some((file, keys)) => {
            out.push_str(&format!(
                "# Parameters fitted by `pathsim calibrate` come from {file} (see\n\
                 # docs/calibration.md); they appear below as comments.\n\nbase = \"{file}\"\n"
            ));
            keys
        }
        None => {
            out.push('\n');
            &[]
        }
    };
    let mut section = String::new();
    for line in body.lines() {
        let trimmed = line.trim();
        if let Some(name) = trimmed.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_string();
            out.push_str(line);
            out.push('\n');
            continue;
        }
        if let Some((key, _)) = trimmed.split_once(" = ") {
            let full = if section.is_empty() {
                key.to_string()
            } else {
                format!("{section}.{key}")
            };
            if let Some(i) = info(&full) {
                let first_of_group = !i.key.ends_with(".*") || full.ends_with(".opiates_crack");
                if first_of_group {
                    out.push_str(&format!("# {}; {}\n", i.unit, i.source));
                }
            }
            if fitted.contains(&full) {
                out.push_str(&format!("# {line}  (fitted: see the base file)\n"));
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Every leaf of the baseline as (dotted key, value as written in a scenario
/// file), in scenario order: numbers, dates and switches.
fn baseline_leaves() -> Vec<(String, String)> {
    // Through text, so dates come back as TOML dates.
    let text = toml::to_string(&baseline()).expect("parameters serialise");
    let value = toml::Value::Table(text.parse().expect("serialised parameters parse"));
    let mut out = Vec::new();
    crate::parameter::for_each_leaf("", &value, &mut |key, leaf| {
        let text = match leaf {
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            toml::Value::Datetime(d) => d.to_string(),
            toml::Value::String(s) if key.contains('.') => s.clone(),
            _ => return,
        };
        out.push((key.to_string(), text));
    });
    out
}

/// The parameter registry as a table: every key of the baseline with its
/// default, unit, range, source and meaning, from the declarations. Fitted
/// defaults (from `scenarios/calibrated.toml`) are marked. The Markdown form is
/// the appendix of docs/model.md (`pathsim docs` writes it).
pub fn params_table(markdown: bool) -> String {
    let mut out = String::new();
    if markdown {
        out.push_str(
            "| key | default | unit | range | source | meaning |\n| --- | --- | --- | --- | --- | --- |\n",
        );
    }
    for (key, v) in baseline_leaves() {
        let Some(info) = info(&key) else { continue };
        let range = if info.is_numeric() {
            format!("{} to {}", info.min, info.max)
        } else {
            String::new()
        };
        let fitted = crate::parameter::is_fitted(&key);
        let value = if fitted { format!("{v} (fitted)") } else { v };
        if markdown {
            out.push_str(&format!(
                "| `{key}` | {value} | {} | {range} | {} | {} |\n",
                info.unit,
                info.source,
                info.doc.trim()
            ));
        } else {
            out.push_str(&format!(
                "{key:<52} {value:>18} {:<32} {}\n",
                info.unit, info.source
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_covers_every_numeric_parameter_and_nothing_else() {
        let leaves = Params::default().numeric_leaves();
        for (key, _) in &leaves {
            assert!(info(key).is_some(), "no registry entry for {key}");
        }
        for p in registry().filter(|p| p.is_numeric()) {
            let covered = leaves
                .iter()
                .any(|(k, _)| info(k).is_some_and(|i| i.key == p.key));
            assert!(covered, "registry entry {} matches no parameter", p.key);
        }
    }

    #[test]
    fn baseline_file_is_the_generated_one_and_the_defaults_are_the_calibrated_values() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let path = dir.join("baseline.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let calibrated = fitted_keys(&dir.join("calibrated.toml"));
        let generated = baseline_toml(
            calibrated
                .as_ref()
                .map(|keys| ("calibrated.toml", keys.as_slice())),
        );
        assert_eq!(
            text, generated,
            "scenarios/baseline.toml is out of date: run `pathsim params --toml > scenarios/baseline.toml`"
        );
        // Loading the baseline (with its calibrated base) gives exactly the defaults:
        // the code's defaults are the calibrated values.
        let loaded = crate::scenario::load(&path).unwrap().params;
        let defaults: std::collections::HashMap<String, f64> =
            baseline().numeric_leaves().into_iter().collect();
        for (key, v) in loaded.numeric_leaves() {
            let d = defaults[&key];
            assert!(
                (v - d).abs() <= 1e-9 * d.abs().max(1.0),
                "{key}: calibrated.toml has {v}, src/params.rs has {d}"
            );
        }
    }

    #[test]
    fn every_calibrated_value_is_declared_fitted_and_nothing_else_is() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let keys = fitted_keys(&dir.join("calibrated.toml")).unwrap();
        assert!(
            keys.len() > 20,
            "calibrated.toml lists {} values",
            keys.len()
        );
        for key in &keys {
            let info = info(key).unwrap_or_else(|| panic!("{key} is not a parameter"));
            assert!(
                info.fitted,
                "{key} is in calibrated.toml: declare it `fitted`"
            );
        }
        for info in registry()
            .filter(|i| i.fitted || keys.iter().any(|k| info(k).is_some_and(|j| j.key == i.key)))
        {
            assert!(
                info.source.starts_with("calibrated"),
                "{} is fitted: its source must say so, got {:?}",
                info.key,
                info.source
            );
        }
        for info in registry().filter(|i| i.fitted) {
            let stem = info.key.trim_end_matches(".*");
            assert!(
                keys.iter()
                    .any(|k| k == stem || k.starts_with(&format!("{stem}."))),
                "{} is declared fitted but calibrated.toml has no value for it",
                info.key
            );
        }
    }

    #[test]
    fn a_declaration_gives_key_unit_range_source_and_doc() {
        let i = info("treatment.crisis_entry_multiplier").unwrap();
        assert_eq!(i.unit, "multiplier");
        assert_eq!((i.min, i.max), (0.0, 100.0));
        assert!(i.source.starts_with("calibrated (docs/calibration.md)"));
        assert!(i.doc.contains("crisis phase"), "{}", i.doc);
        assert!(i.fitted);
        let o = info("treatment.ost_dropout_rate_0_3m").unwrap();
        assert!(o.doc.contains("first 3 months"), "{}", o.doc);
        assert!(!o.fitted);
        let g = info("offending.offence_rate.none").unwrap();
        assert_eq!(g.key, "offending.offence_rate.*");
        assert_eq!(
            crate::pathway::treatment::TreatmentParams::default().psychosocial_completion_min_days,
            84.0
        );
        assert_eq!(
            crate::pathway::treatment::TreatmentParams::default().crisis_entry_multiplier,
            crate::parameter::fitted("treatment.crisis_entry_multiplier")
        );
    }

    #[test]
    fn the_parameter_table_lists_dates_switches_and_fitted_values() {
        let table = params_table(true);
        assert!(
            table.contains("| `dip.start` | 2003-04-01 | date |"),
            "{table}"
        );
        assert!(table.contains("| `levers.retention.enabled` | false | on/off |"));
        let share = crate::parameter::fitted("interventions.low_intensity_order.share");
        assert!(table.contains(&format!(
            "| `interventions.low_intensity_order.share` | {share} (fitted) |"
        )));
    }

    #[test]
    fn defaults_are_valid() {
        assert_eq!(Params::default().validate(), vec![]);
    }

    #[test]
    fn out_of_range_values_are_named() {
        let mut p = Params::default();
        p.treatment.ost_dropout_rate_0_3m = -1.0;
        p.court.conviction_probability = 1.5;
        p.offending.age_decline = f64::NAN;
        p.run.horizon = Date::ymd(1974, 1, 1);
        p.interventions.diversion.end = Date::ymd(2020, 1, 1);
        let keys: Vec<String> = p.validate().into_iter().map(|i| i.key).collect();
        assert!(keys.contains(&"interventions.diversion.end".to_string()));
        assert!(keys.contains(&"treatment.ost_dropout_rate_0_3m".to_string()));
        assert!(keys.contains(&"court.conviction_probability".to_string()));
        assert!(keys.contains(&"offending.age_decline".to_string()));
        assert!(keys.contains(&"run.horizon".to_string()));
    }
}
