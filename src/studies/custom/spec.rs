//! Study files as written, and their compilation into a [`Study`]: every name
//! is checked against the events table's columns, so a study filters on
//! exactly what `--histories` writes. Errors name the file, line and key.

use super::{
    Attribute, Condition, Episode, GroupKey, Measure, Occurrence, Outcome, Recorded, Study, Target,
    Wanted,
};
use crate::calendar::Date;
use crate::error::ScenarioError;
use crate::history::{by_name, EventKind, Substance};
use crate::input::{nearest_key, Spans};
use crate::metrics::PriorBand;
use crate::microdata::columns::{Ty, EVENTS};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// A study file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudyFile {
    /// Names the output folder and the rows.
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub cohort: CohortSpec,
    /// Break the results down by these (attributes, or the index event's columns).
    #[serde(default)]
    pub group_by: Vec<String>,
    #[serde(rename = "outcome", default)]
    pub outcomes: Vec<OutcomeSpec>,
}

/// `[cohort]`: the index event and who is in.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CohortSpec {
    pub event: String,
    #[serde(rename = "where", default)]
    pub filter: BTreeMap<String, toml::Value>,
    pub from: Date,
    pub to: Date,
    #[serde(default)]
    pub occurrence: Occurrence,
    /// Only index episodes (orders, journeys, receptions) with a recorded end.
    #[serde(default)]
    pub ended: bool,
    /// An index episode lasting at least this many days is "retained".
    #[serde(default)]
    pub retained_days: Option<i32>,
    #[serde(default)]
    pub sex: Option<Vec<String>>,
    #[serde(default)]
    pub substance: Option<Vec<String>>,
    /// Age in whole years at the index, both ends included.
    #[serde(default)]
    pub age: Option<[i32; 2]>,
    #[serde(default)]
    pub previous_offences: Option<Vec<String>>,
    #[serde(default)]
    pub risk_band: Option<Vec<String>>,
    #[serde(default)]
    pub unstable_housing: Option<bool>,
    #[serde(default)]
    pub mental_health: Option<bool>,
    #[serde(default)]
    pub offends: Option<bool>,
    #[serde(default)]
    pub require: Vec<ConditionSpec>,
    #[serde(default)]
    pub exclude: Vec<ConditionSpec>,
}

/// `[[cohort.require]]` or `[[cohort.exclude]]`: events around the index.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionSpec {
    pub event: String,
    #[serde(rename = "where", default)]
    pub filter: BTreeMap<String, toml::Value>,
    /// Days relative to the index day, both ends included.
    pub days: [i32; 2],
    #[serde(default)]
    pub offence_days: Option<[i32; 2]>,
    #[serde(default)]
    pub recorded: Recorded,
    #[serde(default)]
    pub at_least: Option<u32>,
    #[serde(default)]
    pub at_most: Option<u32>,
}

/// `[[outcome]]`: what is measured after (or before) the index.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeSpec {
    pub name: String,
    pub event: String,
    #[serde(rename = "where", default)]
    pub filter: BTreeMap<String, toml::Value>,
    pub measure: Measure,
    #[serde(default)]
    pub days: Option<[i32; 2]>,
    #[serde(default)]
    pub before: Option<[i32; 2]>,
    #[serde(default)]
    pub after: Option<[i32; 2]>,
    #[serde(default)]
    pub offence_days: Option<[i32; 2]>,
    #[serde(default)]
    pub recorded: Recorded,
}

/// The names `event` may take: every event kind, and `proven_offence` (a
/// conviction or a caution, the unit of the proven-reoffending measure).
pub fn event_names() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = EventKind::ALL
        .iter()
        .filter(|k| **k != EventKind::OffendingRate)
        .map(|k| k.name())
        .collect();
    v.push(PROVEN_OFFENCE);
    v
}

pub const PROVEN_OFFENCE: &str = "proven_offence";

/// The attribute group keys; the index event's category and boolean columns
/// are group keys too.
pub const ATTRIBUTE_KEYS: [&str; 10] = [
    "sex",
    "age_band",
    "previous_offences",
    "substance",
    "risk_band",
    "unstable_housing",
    "mental_health",
    "index_year",
    "index_outcome",
    "retained",
];

/// Load and compile a study file.
pub fn load(path: &Path) -> Result<Study, ScenarioError> {
    let text = crate::input::read_text(path, "study file")?;
    let (file, spans): (StudyFile, Spans) = crate::input::parse_toml(path, text)?;
    compile(&file, &spans)
}

fn target(name: &str, key: &str, spans: &Spans) -> Result<Target, ScenarioError> {
    if name == PROVEN_OFFENCE {
        return Ok(Target::ProvenOffence);
    }
    match by_name(&EventKind::ALL, EventKind::name, name) {
        Some(k) if k != EventKind::OffendingRate => Ok(Target::Kind(k)),
        _ => {
            let names = event_names();
            let hint = nearest_key(name, names.iter())
                .map(|n| format!(" (did you mean `{n}`?)"))
                .unwrap_or_default();
            Err(spans.invalid(
                key,
                format!(
                    "unknown event `{name}`{hint}; events are: {}",
                    names.join(", ")
                ),
            ))
        }
    }
}

/// The `where` table: each key a column of the events table that applies to
/// the event, each value one of the column's values (or a list of them).
fn wanted(
    t: Target,
    filter: &BTreeMap<String, toml::Value>,
    key: &str,
    spans: &Spans,
) -> Result<Vec<(usize, Wanted)>, ScenarioError> {
    let mut out = Vec::new();
    for (name, value) in filter {
        let k = format!("{key}.{name}");
        let Target::Kind(kind) = t else {
            return Err(spans.invalid(
                &k,
                "`proven_offence` takes no `where` conditions (use `conviction` or `disposal` for those)",
            ));
        };
        let applies: Vec<&str> = EVENTS
            .iter()
            .filter(|c| c.applies_to.contains(&kind))
            .map(|c| c.name)
            .collect();
        let Some(col) = EVENTS
            .iter()
            .position(|c| c.name == name && c.applies_to.contains(&kind))
        else {
            let list = if applies.is_empty() {
                format!("`{}` has no columns to filter on", kind.name())
            } else {
                format!("columns of `{}` are: {}", kind.name(), applies.join(", "))
            };
            return Err(spans.invalid(
                &k,
                format!("`{name}` is not a column of this event; {list}"),
            ));
        };
        out.push((col, value_of(col, value, &k, spans)?));
    }
    Ok(out)
}

/// One `where` value: true/false for a boolean column; a value or list of
/// values of a category column.
fn value_of(
    col: usize,
    v: &toml::Value,
    key: &str,
    spans: &Spans,
) -> Result<Wanted, ScenarioError> {
    let c = &EVENTS[col];
    match c.ty {
        Ty::Bool => match v {
            toml::Value::Boolean(b) => Ok(Wanted::Bool(*b)),
            _ => Err(spans.invalid(key, format!("`{}` is true or false", c.name))),
        },
        Ty::Category => {
            let values = super::column_values(col);
            let items: Vec<&toml::Value> = match v {
                toml::Value::Array(a) => a.iter().collect(),
                one => vec![one],
            };
            let mut wanted = Vec::new();
            for item in items {
                let s = item.as_str().ok_or_else(|| {
                    spans.invalid(key, format!("`{}` takes a name or a list of names", c.name))
                })?;
                let Some(&v) = values.iter().find(|v| **v == s) else {
                    return Err(spans.invalid(
                        key,
                        format!(
                            "`{s}` is not a value of `{}`; values are: {}",
                            c.name,
                            values.join(", ")
                        ),
                    ));
                };
                wanted.push(v);
            }
            if wanted.is_empty() {
                return Err(spans.invalid(key, "an empty list matches nothing"));
            }
            Ok(Wanted::Cats(wanted))
        }
        _ => Err(spans.invalid(
            key,
            format!(
                "`{}` is a number or date; filter on categories and true/false columns",
                c.name
            ),
        )),
    }
}

fn window(w: [i32; 2], key: &str, spans: &Spans) -> Result<(i32, i32), ScenarioError> {
    if w[0] > w[1] {
        return Err(spans.invalid(
            key,
            format!("[{}, {}]: the first day comes after the last", w[0], w[1]),
        ));
    }
    if w[0].abs() > 100 * 366 || w[1].abs() > 100 * 366 {
        return Err(spans.invalid(key, "a window reaches more than 100 years from the index"));
    }
    Ok((w[0], w[1]))
}

fn offence_days(
    t: Target,
    w: Option<[i32; 2]>,
    key: &str,
    spans: &Spans,
) -> Result<Option<(i32, i32)>, ScenarioError> {
    let Some(w) = w else { return Ok(None) };
    if !matches!(
        t,
        Target::ProvenOffence | Target::Kind(EventKind::Conviction)
    ) {
        return Err(spans.invalid(
            key,
            "only a `conviction` or `proven_offence` has an offence date",
        ));
    }
    Ok(Some(window(w, key, spans)?))
}

/// Names from a fixed list, at a key.
fn names_in(
    list: &Option<Vec<String>>,
    valid: &[&'static str],
    key: &str,
    spans: &Spans,
) -> Result<Option<Vec<u16>>, ScenarioError> {
    let Some(list) = list else { return Ok(None) };
    let mut out = Vec::new();
    for s in list {
        match valid.iter().position(|v| v == s) {
            Some(i) => out.push(i as u16),
            None => {
                return Err(spans.invalid(key, format!("`{s}` is not one of: {}", valid.join(", "))))
            }
        }
    }
    if out.is_empty() {
        return Err(spans.invalid(key, "an empty list matches no one"));
    }
    Ok(Some(out))
}

/// Substance group names.
pub fn substance_names() -> Vec<&'static str> {
    Substance::ALL.iter().map(|s| s.name()).collect()
}

pub const SEX_NAMES: [&str; 2] = ["female", "male"];
pub const RISK_BANDS: [&str; 5] = ["low", "medium", "high", "very_high", "none"];

fn condition(
    c: &ConditionSpec,
    key: &str,
    exclude: bool,
    spans: &Spans,
) -> Result<Condition, ScenarioError> {
    let t = target(&c.event, &format!("{key}.event"), spans)?;
    let filter = wanted(t, &c.filter, &format!("{key}.where"), spans)?;
    let days = window(c.days, &format!("{key}.days"), spans)?;
    let offence = offence_days(t, c.offence_days, &format!("{key}.offence_days"), spans)?;
    let (at_least, at_most) = if exclude {
        if c.at_least.is_some() || c.at_most.is_some() {
            return Err(spans.invalid(
                &format!("{key}.at_least"),
                "an exclusion allows no matching event; use [[cohort.require]] with at_most for a count",
            ));
        }
        (0, Some(0))
    } else {
        (c.at_least.unwrap_or(1), c.at_most)
    };
    if let Some(m) = at_most {
        if m < at_least {
            return Err(spans.invalid(
                &format!("{key}.at_most"),
                format!("at_most = {m} is below at_least = {at_least}"),
            ));
        }
    }
    Ok(Condition {
        target: t,
        filter,
        days,
        offence,
        recorded: c.recorded,
        at_least,
        at_most,
    })
}

/// Check a parsed study file and compile it.
pub fn compile(f: &StudyFile, spans: &Spans) -> Result<Study, ScenarioError> {
    if f.name.trim().is_empty()
        || !f
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(spans.invalid(
            "name",
            "a study name is letters, digits, '_' and '-' (it names the output folder)",
        ));
    }
    let c = &f.cohort;
    let index = target(&c.event, "cohort.event", spans)?;
    let index_filter = wanted(index, &c.filter, "cohort.where", spans)?;
    if c.from > c.to {
        return Err(spans.invalid("cohort.to", "the cohort window ends before it starts"));
    }
    let episode = match index {
        Target::Kind(EventKind::OrderStart) => Some(Episode::Order),
        Target::Kind(EventKind::TreatmentStart) => Some(Episode::Treatment),
        Target::Kind(EventKind::CustodyStart) => Some(Episode::Custody),
        _ => None,
    };
    if episode.is_none() {
        for (set, key) in [
            (c.ended, "cohort.ended"),
            (c.retained_days.is_some(), "cohort.retained_days"),
        ] {
            if set {
                return Err(spans.invalid(
                    key,
                    "needs an index that starts an episode: order_start, treatment_start or custody_start",
                ));
            }
        }
    }
    if let Some(d) = c.retained_days {
        if d < 1 {
            return Err(spans.invalid("cohort.retained_days", "is at least 1 day"));
        }
    }
    let mut attributes = Vec::new();
    if let Some(v) = names_in(&c.sex, &SEX_NAMES, "cohort.sex", spans)? {
        attributes.push(Attribute::Sex(v));
    }
    if let Some(v) = names_in(&c.substance, &substance_names(), "cohort.substance", spans)? {
        attributes.push(Attribute::Substance(v));
    }
    if let Some(v) = names_in(
        &c.previous_offences,
        &PriorBand::NAMES,
        "cohort.previous_offences",
        spans,
    )? {
        attributes.push(Attribute::PreviousOffences(v));
    }
    if let Some(v) = names_in(&c.risk_band, &RISK_BANDS, "cohort.risk_band", spans)? {
        attributes.push(Attribute::RiskBand(v));
    }
    if let Some([a, b]) = c.age {
        if a > b || a < 0 || b > 120 {
            return Err(spans.invalid("cohort.age", "is [youngest, oldest] in years, 0 to 120"));
        }
        attributes.push(Attribute::Age(a, b));
    }
    if let Some(v) = c.unstable_housing {
        attributes.push(Attribute::UnstableHousing(v));
    }
    if let Some(v) = c.mental_health {
        attributes.push(Attribute::MentalHealth(v));
    }
    if let Some(v) = c.offends {
        attributes.push(Attribute::Offends(v));
    }
    let mut conditions = Vec::new();
    for (i, r) in c.require.iter().enumerate() {
        conditions.push(condition(r, &format!("cohort.require[{i}]"), false, spans)?);
    }
    for (i, r) in c.exclude.iter().enumerate() {
        conditions.push(condition(r, &format!("cohort.exclude[{i}]"), true, spans)?);
    }
    if f.outcomes.is_empty() {
        return Err(spans.invalid(
            "outcome",
            "a study measures at least one [[outcome]] (name, event, measure, days)",
        ));
    }
    let mut outcomes = Vec::new();
    for (i, o) in f.outcomes.iter().enumerate() {
        let key = format!("outcome[{i}]");
        if o.name.trim().is_empty() || outcomes.iter().any(|x: &Outcome| x.name == o.name) {
            return Err(spans.invalid(
                &format!("{key}.name"),
                format!("`{}`: outcome names are unique and not empty", o.name),
            ));
        }
        let t = target(&o.event, &format!("{key}.event"), spans)?;
        let filter = wanted(t, &o.filter, &format!("{key}.where"), spans)?;
        let offence = offence_days(t, o.offence_days, &format!("{key}.offence_days"), spans)?;
        let (days, before, after) = match o.measure {
            Measure::Change => {
                if o.days.is_some() {
                    return Err(spans.invalid(
                        &format!("{key}.days"),
                        "a change compares `before` with `after`; it has no `days`",
                    ));
                }
                let b = o.before.ok_or_else(|| {
                    spans.invalid(
                        &format!("{key}.measure"),
                        "a change needs `before` and `after` windows",
                    )
                })?;
                let a = o.after.ok_or_else(|| {
                    spans.invalid(
                        &format!("{key}.measure"),
                        "a change needs `before` and `after` windows",
                    )
                })?;
                (
                    (0, 0),
                    window(b, &format!("{key}.before"), spans)?,
                    window(a, &format!("{key}.after"), spans)?,
                )
            }
            _ => {
                if o.before.is_some() || o.after.is_some() {
                    return Err(spans.invalid(&format!("{key}.before"), "`before` and `after` are for measure = \"change\"; this measure takes `days`"));
                }
                let d = o.days.ok_or_else(|| {
                    spans.invalid(
                        &format!("{key}.measure"),
                        "needs a `days` window, e.g. days = [1, 730]",
                    )
                })?;
                let d = window(d, &format!("{key}.days"), spans)?;
                (d, (0, 0), (0, 0))
            }
        };
        outcomes.push(Outcome {
            name: o.name.clone(),
            target: t,
            filter,
            measure: o.measure,
            days,
            before,
            after,
            offence,
            recorded: o.recorded,
        });
    }
    let mut groups = Vec::new();
    for (i, g) in f.group_by.iter().enumerate() {
        let key = format!("group_by[{i}]");
        if f.group_by[..i].contains(g) {
            return Err(spans.invalid(&key, format!("`{g}` is listed twice")));
        }
        let k = match g.as_str() {
            "sex" => GroupKey::Sex,
            "age_band" => GroupKey::AgeBand,
            "previous_offences" => GroupKey::PreviousOffences,
            "substance" => GroupKey::Substance,
            "risk_band" => GroupKey::RiskBand,
            "unstable_housing" => GroupKey::UnstableHousing,
            "mental_health" => GroupKey::MentalHealth,
            "index_year" => GroupKey::IndexYear(c.from.year()),
            "index_outcome" => match episode {
                Some(e) => GroupKey::IndexOutcome(e),
                None => return Err(spans.invalid(&key, "`index_outcome` needs an index that starts an episode: order_start, treatment_start or custody_start")),
            },
            "retained" => {
                if c.retained_days.is_none() {
                    return Err(spans.invalid(&key, "`retained` needs cohort.retained_days"));
                }
                GroupKey::Retained
            }
            other => {
                let column = match index {
                    Target::Kind(kind) => EVENTS.iter().position(|c| {
                        c.name == other
                            && c.applies_to.contains(&kind)
                            && matches!(c.ty, Ty::Category | Ty::Bool)
                    }),
                    Target::ProvenOffence => None,
                };
                match column {
                    Some(col) => GroupKey::IndexColumn(col),
                    None => {
                        let mut valid: Vec<&str> = ATTRIBUTE_KEYS.to_vec();
                        if let Target::Kind(kind) = index {
                            valid.extend(EVENTS.iter().filter(|c| c.applies_to.contains(&kind) && matches!(c.ty, Ty::Category | Ty::Bool)).map(|c| c.name));
                        }
                        let hint = nearest_key(other, valid.iter()).map(|n| format!(" (did you mean `{n}`?)")).unwrap_or_default();
                        return Err(spans.invalid(&key, format!("cannot group by `{other}`{hint}; keys are: {}", valid.join(", "))));
                    }
                }
            }
        };
        groups.push(k);
    }
    if groups.len() > 3 {
        return Err(spans.invalid(
            "group_by",
            "at most three keys (the table grows as their product)",
        ));
    }
    Ok(Study {
        name: f.name.clone(),
        description: f.description.clone(),
        index,
        index_filter,
        window: (c.from.day(), c.to.day()),
        occurrence: c.occurrence,
        episode,
        ended: c.ended,
        retained_days: c.retained_days,
        attributes,
        conditions,
        outcomes,
        index_values: groups
            .iter()
            .filter_map(|g| match g {
                GroupKey::IndexColumn(c) => Some((*c, super::column_values(*c))),
                _ => None,
            })
            .collect(),
        groups,
    })
}
