//! Custom studies: a cohort, outcomes and breakdowns written in TOML
//! (`pathsim study FILE SCENARIO`, docs/studies.md), measured on the simulated
//! histories as they stream past, without writing microdata.
//!
//! A study names an index event (a kind, with conditions on its columns, in a
//! date window), who counts (attributes at the index, events in windows around
//! it), and outcomes in windows relative to the index day. The names are those
//! of the events table `--histories` writes, so a study and a microdata query
//! mean the same thing. Conventions, as for the built-in studies:
//! - windows are whole days relative to the index day, both ends included;
//! - the index event itself is never counted by a condition or an outcome;
//! - `recorded = "before"` (or `"after"`) keeps only events recorded before (or
//!   after) the index in the person's history, which orders events on one day;
//! - an index counts only if the person is observed to the end of the longest
//!   window after it (outcomes, conditions, retention): their history goes on
//!   past it, or ended inside it by death, but not by the simulation horizon.
//!
//! Counts are integers keyed by group, so merging chunks in any order gives the
//! same answer on any number of threads.

pub mod spec;
#[cfg(test)]
mod tests;

use super::{observed_until, percent};
use crate::history::{Disposal, Event, EventKind, Histories, Observer, Person};
use crate::metrics::{AgeBand, PriorBand};
use crate::microdata::columns::{risk_band, Cell, EventRow, Ty, EVENTS};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Which matching events in the window are index events.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Occurrence {
    /// Every one: a person may be in the cohort more than once.
    #[default]
    Every,
    /// The person's first in the window.
    FirstInWindow,
    /// The person's first ever, if it falls in the window.
    First,
}

/// Which events a window looks at, by their place in the history.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recorded {
    /// Every event on the window's days.
    #[default]
    Any,
    /// Only events recorded before the index.
    Before,
    /// Only events recorded after the index.
    After,
}

/// What an outcome reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Share of the cohort with at least one event in the window (percent).
    Any,
    /// Mean number of events per cohort member.
    Count,
    /// Mean days from the index to the first event, among those with one.
    FirstDay,
    /// Change in the cohort's total count, `after` against `before` (percent).
    Change,
}

impl Measure {
    pub fn name(self) -> &'static str {
        match self {
            Measure::Any => "percent_with_any",
            Measure::Count => "mean_count",
            Measure::FirstDay => "mean_days_to_first",
            Measure::Change => "percent_change",
        }
    }
}

/// What a condition or outcome counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Kind(EventKind),
    /// A conviction or a caution (simple or conditional): a proven offence.
    ProvenOffence,
}

/// Values a column must take.
#[derive(Clone, Debug, PartialEq)]
pub enum Wanted {
    Cats(Vec<&'static str>),
    Bool(bool),
}

/// An episode an index event starts, and the event that ends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Episode {
    Order,
    Treatment,
    Custody,
}

impl Episode {
    fn end(self) -> EventKind {
        match self {
            Episode::Order => EventKind::OrderEnd,
            Episode::Treatment => EventKind::TreatmentEnd,
            Episode::Custody => EventKind::Release,
        }
    }
    /// Names of the outcomes of an episode; the last is "open" (no end recorded).
    pub fn outcome_names(self) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = match self {
            Episode::Order => crate::history::OrderOutcome::ALL
                .iter()
                .map(|o| o.name())
                .collect(),
            Episode::Treatment => crate::history::TreatmentExit::ALL
                .iter()
                .map(|o| o.name())
                .collect(),
            Episode::Custody => vec!["released"],
        };
        v.push("open");
        v
    }
    fn outcome_code(self, end: Option<&Event>) -> u16 {
        let open = self.outcome_names().len() as u16 - 1;
        match (self, end) {
            (_, None) => open,
            (Episode::Custody, Some(_)) => 0,
            (_, Some(e)) => e.extra.min(open - 1),
        }
    }
}

/// A condition on the person at the index.
#[derive(Clone, Debug, PartialEq)]
pub enum Attribute {
    Sex(Vec<u16>),
    Substance(Vec<u16>),
    PreviousOffences(Vec<u16>),
    RiskBand(Vec<u16>),
    Age(i32, i32),
    UnstableHousing(bool),
    MentalHealth(bool),
    Offends(bool),
}

/// Events around the index that must (or must not) be there.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub target: Target,
    pub filter: Vec<(usize, Wanted)>,
    pub days: (i32, i32),
    pub offence: Option<(i32, i32)>,
    pub recorded: Recorded,
    pub at_least: u32,
    pub at_most: Option<u32>,
}

/// One measured outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub name: String,
    pub target: Target,
    pub filter: Vec<(usize, Wanted)>,
    pub measure: Measure,
    pub days: (i32, i32),
    pub before: (i32, i32),
    pub after: (i32, i32),
    pub offence: Option<(i32, i32)>,
    pub recorded: Recorded,
}

/// A breakdown of the results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupKey {
    Sex,
    AgeBand,
    PreviousOffences,
    Substance,
    RiskBand,
    UnstableHousing,
    MentalHealth,
    /// The calendar year of the index (the first year of the cohort window).
    IndexYear(i32),
    IndexOutcome(Episode),
    Retained,
    /// A category or boolean column of the index event (an index into EVENTS).
    IndexColumn(usize),
}

impl GroupKey {
    /// The column heading of the key in the results.
    pub fn name(self) -> &'static str {
        match self {
            GroupKey::Sex => "sex",
            GroupKey::AgeBand => "age_band",
            GroupKey::PreviousOffences => "previous_offences",
            GroupKey::Substance => "substance",
            GroupKey::RiskBand => "risk_band",
            GroupKey::UnstableHousing => "unstable_housing",
            GroupKey::MentalHealth => "mental_health",
            GroupKey::IndexYear(_) => "index_year",
            GroupKey::IndexOutcome(_) => "index_outcome",
            GroupKey::Retained => "retained",
            GroupKey::IndexColumn(c) => EVENTS[c].name,
        }
    }
    /// The label of a code of this key.
    pub fn label(self, code: u16) -> String {
        let from = |names: &[&str]| names.get(code as usize).copied().unwrap_or("?").to_string();
        match self {
            GroupKey::Sex => from(&spec::SEX_NAMES),
            GroupKey::AgeBand => from(&AgeBand::NAMES),
            GroupKey::PreviousOffences => from(&PriorBand::NAMES),
            GroupKey::Substance => from(&spec::substance_names()),
            GroupKey::RiskBand => from(&spec::RISK_BANDS),
            GroupKey::UnstableHousing | GroupKey::MentalHealth => from(&["false", "true"]),
            GroupKey::IndexYear(_) => (code as i32 + 1900).to_string(),
            GroupKey::IndexOutcome(e) => from(&e.outcome_names()),
            GroupKey::Retained => from(&["not_retained", "retained"]),
            GroupKey::IndexColumn(c) => match EVENTS[c].ty {
                Ty::Bool => from(&["false", "true", NOT_RECORDED]),
                _ => {
                    let mut names = column_values(c);
                    names.push(NOT_RECORDED);
                    from(&names)
                }
            },
        }
    }
}

/// The values a category column can take, read off the column's own decoder
/// over every detail and extra code the engine records, so the list cannot
/// drift from what `--histories` writes.
pub fn column_values(col: usize) -> Vec<&'static str> {
    let c = &EVENTS[col];
    let mut out: Vec<&'static str> = Vec::new();
    for &kind in c.applies_to {
        for detail in 0..32u8 {
            for extra in 0..64u16 {
                let row = EventRow {
                    replicate: 0,
                    person: 0,
                    sequence: 0,
                    event: Event::new(0, kind, detail, extra),
                };
                if let Cell::Cat(s) = (c.get)(&row) {
                    if !out.contains(&s) {
                        out.push(s);
                    }
                }
            }
        }
    }
    out
}

/// The group of index events for which a grouping column is null (a
/// remand reception has no sentence length band).
pub const NOT_RECORDED: &str = "none";

/// A compiled study.
#[derive(Clone, Debug, PartialEq)]
pub struct Study {
    pub name: String,
    pub description: String,
    pub index: Target,
    pub index_filter: Vec<(usize, Wanted)>,
    /// Days of the cohort window, both included.
    pub window: (i32, i32),
    pub occurrence: Occurrence,
    pub episode: Option<Episode>,
    pub ended: bool,
    pub retained_days: Option<i32>,
    pub attributes: Vec<Attribute>,
    pub conditions: Vec<Condition>,
    pub outcomes: Vec<Outcome>,
    pub groups: Vec<GroupKey>,
    /// The values of each index column grouped by (so codes are not looked up
    /// in the decoder for every index).
    pub index_values: Vec<(usize, Vec<&'static str>)>,
}

impl Study {
    fn values_of(&self, col: usize) -> &[&'static str] {
        self.index_values
            .iter()
            .find(|(c, _)| *c == col)
            .map(|(_, v)| v.as_slice())
            .unwrap_or(&[])
    }
    /// Days after the index that the person must be observed to: the end of
    /// the latest window after it (an outcome's, a condition's, or the last
    /// day of the retention period), so a history the horizon cut short cannot
    /// pass for one with no events.
    pub fn follow_up(&self) -> i32 {
        let outcomes = self.outcomes.iter().map(|o| match o.measure {
            Measure::Change => o.before.1.max(o.after.1),
            _ => o.days.1,
        });
        let conditions = self.conditions.iter().map(|c| c.days.1);
        let retention = self.retained_days.map(|d| d - 1);
        outcomes
            .chain(conditions)
            .chain(retention)
            .max()
            .unwrap_or(0)
            .max(0)
    }
}

/// Counts of one outcome in one group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutcomeCounts {
    /// Cohort members with at least one event in the window.
    pub with_any: u64,
    /// Events in the window.
    pub events: u64,
    /// Days from the index to the first event (negative before it), summed
    /// over those with one.
    pub first_days: i64,
    /// Events in the `before` and `after` windows (measure "change").
    pub before: u64,
    pub after: u64,
}

/// Counts of one group: its index events and each outcome's counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupCounts {
    pub n: u64,
    pub outcomes: Vec<OutcomeCounts>,
}

impl GroupCounts {
    /// Add another group's counts into these.
    pub fn add(&mut self, o: &GroupCounts) {
        self.n += o.n;
        if self.outcomes.len() < o.outcomes.len() {
            self.outcomes
                .resize(o.outcomes.len(), OutcomeCounts::default());
        }
        for (a, b) in self.outcomes.iter_mut().zip(&o.outcomes) {
            a.with_any += b.with_any;
            a.events += b.events;
            a.first_days += b.first_days;
            a.before += b.before;
            a.after += b.after;
        }
    }
}

/// A study's counts over histories: an observer.
#[derive(Clone, Debug)]
pub struct Counter {
    pub study: std::sync::Arc<Study>,
    /// Counts by group codes (one code per group key).
    pub groups: BTreeMap<Vec<u16>, GroupCounts>,
}

impl Counter {
    pub fn new(study: std::sync::Arc<Study>) -> Counter {
        Counter {
            study,
            groups: BTreeMap::new(),
        }
    }
    /// Every group's counts summed.
    pub fn total(&self) -> GroupCounts {
        let mut t = GroupCounts {
            n: 0,
            outcomes: vec![OutcomeCounts::default(); self.study.outcomes.len()],
        };
        for g in self.groups.values() {
            t.add(g);
        }
        t
    }
}

fn row(e: &Event) -> EventRow {
    EventRow {
        replicate: 0,
        person: 0,
        sequence: 0,
        event: *e,
    }
}

fn fits(filter: &[(usize, Wanted)], e: &Event) -> bool {
    if filter.is_empty() {
        return true;
    }
    let r = row(e);
    filter
        .iter()
        .all(|(col, w)| match ((EVENTS[*col].get)(&r), w) {
            (Cell::Cat(s), Wanted::Cats(list)) => list.contains(&s),
            (Cell::Bool(b), Wanted::Bool(want)) => b == *want,
            _ => false,
        })
}

/// Whether `e` is what a target names (before its filter), and its offence day.
fn offence_day(t: Target, e: &Event) -> Option<i32> {
    match t {
        Target::Kind(k) if k == e.kind => Some(if k == EventKind::Conviction {
            e.day - e.extra as i32
        } else {
            e.day
        }),
        Target::ProvenOffence => match e.kind {
            EventKind::Conviction => Some(e.day - e.extra as i32),
            EventKind::Disposal if Disposal::from_u8(e.detail).is_caution() => Some(e.day),
            _ => None,
        },
        _ => None,
    }
}

/// Proven offences (convictions and cautions) recorded before position `i`,
/// with those before entry.
fn previous_offences(p: &Person, events: &[Event], i: usize) -> u32 {
    p.prior_offences as u32
        + events[..i]
            .iter()
            .filter(|e| offence_day(Target::ProvenOffence, e).is_some())
            .count() as u32
}

/// An event around the index matches a window of days and its other terms.
#[allow(clippy::too_many_arguments)]
fn in_window(
    e: &Event,
    j: usize,
    i: usize,
    s: i32,
    target: Target,
    filter: &[(usize, Wanted)],
    days: (i32, i32),
    offence: Option<(i32, i32)>,
    recorded: Recorded,
) -> bool {
    if j == i || e.day < s + days.0 || e.day > s + days.1 {
        return false;
    }
    match recorded {
        Recorded::Before if j > i => return false,
        Recorded::After if j < i => return false,
        _ => {}
    }
    let Some(od) = offence_day(target, e) else {
        return false;
    };
    if let Some((a, b)) = offence {
        if od < s + a || od > s + b {
            return false;
        }
    }
    fits(filter, e)
}

impl Counter {
    fn is_index(&self, e: &Event) -> bool {
        offence_day(self.study.index, e).is_some() && fits(&self.study.index_filter, e)
    }

    /// The index positions of one history.
    fn indices(&self, events: &[Event]) -> Vec<usize> {
        let (a, b) = self.study.window;
        let mut matching = events.iter().enumerate().filter(|(_, e)| self.is_index(e));
        match self.study.occurrence {
            Occurrence::Every => matching
                .filter(|(_, e)| a <= e.day && e.day <= b)
                .map(|(i, _)| i)
                .collect(),
            Occurrence::FirstInWindow => matching
                .find(|(_, e)| a <= e.day && e.day <= b)
                .map(|(i, _)| vec![i])
                .unwrap_or_default(),
            Occurrence::First => matching
                .next()
                .filter(|(_, e)| a <= e.day && e.day <= b)
                .map(|(i, _)| vec![i])
                .unwrap_or_default(),
        }
    }

    /// The group codes of an index, or `None` if the person is not in.
    fn admit(&self, p: &Person, events: &[Event], i: usize) -> Option<Vec<u16>> {
        let st = &self.study;
        let s = events[i].day;
        if observed_until(p, events) < s + st.follow_up() {
            return None;
        }
        let end = st
            .episode
            .and_then(|ep| events[i + 1..].iter().find(|e| e.kind == ep.end()));
        if st.ended && end.is_none() {
            return None;
        }
        let prior = || PriorBand::of(previous_offences(p, events, i)) as u16;
        let risk = || {
            if p.offends {
                spec::RISK_BANDS
                    .iter()
                    .position(|b| *b == risk_band(p.risk_score))
                    .unwrap_or(4) as u16
            } else {
                4
            }
        };
        let age = p.age_on(s);
        for a in &st.attributes {
            let ok = match a {
                Attribute::Sex(v) => v.contains(&(p.male as u16)),
                Attribute::Substance(v) => v.contains(&(p.substance.index() as u16)),
                Attribute::PreviousOffences(v) => v.contains(&prior()),
                Attribute::RiskBand(v) => v.contains(&risk()),
                Attribute::Age(lo, hi) => *lo <= age && age <= *hi,
                Attribute::UnstableHousing(b) => p.unstable_housing == *b,
                Attribute::MentalHealth(b) => p.mental_health == *b,
                Attribute::Offends(b) => p.offends == *b,
            };
            if !ok {
                return None;
            }
        }
        for c in &st.conditions {
            let n = events
                .iter()
                .enumerate()
                .filter(|(j, e)| {
                    in_window(
                        e, *j, i, s, c.target, &c.filter, c.days, c.offence, c.recorded,
                    )
                })
                .count() as u32;
            if n < c.at_least || c.at_most.is_some_and(|m| n > m) {
                return None;
            }
        }
        let codes = st
            .groups
            .iter()
            .map(|g| match *g {
                GroupKey::Sex => p.male as u16,
                GroupKey::AgeBand => AgeBand::of(age) as u16,
                GroupKey::PreviousOffences => prior(),
                GroupKey::Substance => p.substance.index() as u16,
                GroupKey::RiskBand => risk(),
                GroupKey::UnstableHousing => p.unstable_housing as u16,
                GroupKey::MentalHealth => p.mental_health as u16,
                GroupKey::IndexYear(_) => {
                    (crate::calendar::civil_from_days(s).0 - 1900).max(0) as u16
                }
                GroupKey::IndexOutcome(ep) => ep.outcome_code(end),
                GroupKey::Retained => {
                    let d = st.retained_days.unwrap_or(0);
                    end.is_none_or(|e| e.day >= s + d) as u16
                }
                GroupKey::IndexColumn(col) => {
                    let values = st.values_of(col);
                    match (EVENTS[col].get)(&row(&events[i])) {
                        Cell::Bool(b) => b as u16,
                        Cell::Cat(name) => values
                            .iter()
                            .position(|v| *v == name)
                            .unwrap_or(values.len())
                            as u16,
                        // Null for this event (a remand's length band): its own group.
                        _ => match EVENTS[col].ty {
                            Ty::Bool => 2,
                            _ => values.len() as u16,
                        },
                    }
                }
            })
            .collect();
        Some(codes)
    }

    /// Count one index's outcomes into its group.
    fn count(&mut self, codes: Vec<u16>, events: &[Event], i: usize) {
        let st = std::sync::Arc::clone(&self.study);
        let s = events[i].day;
        let g = self.groups.entry(codes).or_insert_with(|| GroupCounts {
            n: 0,
            outcomes: vec![OutcomeCounts::default(); st.outcomes.len()],
        });
        g.n += 1;
        for (o, c) in st.outcomes.iter().zip(g.outcomes.iter_mut()) {
            let hit = |w: (i32, i32), j: usize, e: &Event| {
                in_window(e, j, i, s, o.target, &o.filter, w, o.offence, o.recorded)
            };
            if o.measure == Measure::Change {
                for (j, e) in events.iter().enumerate() {
                    c.before += hit(o.before, j, e) as u64;
                    c.after += hit(o.after, j, e) as u64;
                }
                continue;
            }
            let mut first: Option<i32> = None;
            let mut n = 0;
            for (j, e) in events.iter().enumerate() {
                if hit(o.days, j, e) {
                    n += 1;
                    first = Some(first.map_or(e.day, |f| f.min(e.day)));
                }
            }
            c.events += n;
            if let Some(f) = first {
                c.with_any += 1;
                c.first_days += (f - s) as i64;
            }
        }
    }
}

impl Observer for Counter {
    fn observe(&mut self, h: &Histories) {
        for (p, events) in h.iter() {
            for i in self.indices(events) {
                if let Some(codes) = self.admit(p, events, i) {
                    self.count(codes, events, i);
                }
            }
        }
    }
    fn merge(&mut self, other: Self) {
        for (k, v) in other.groups {
            self.groups.entry(k).or_default().add(&v);
        }
    }
}

/// One replicate's value of one outcome (or the cohort size) in one group.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    /// Group labels, one per key ("all" for the total).
    pub group: Vec<String>,
    /// The outcome's name, or "cohort".
    pub outcome: String,
    pub measure: &'static str,
    /// Simulated index events in the group.
    pub n: u64,
    pub value: f64,
}

/// The value of an outcome from its counts, if its denominator is not empty.
pub fn outcome_value(m: Measure, n: u64, c: &OutcomeCounts) -> Option<f64> {
    match m {
        Measure::Any => percent(c.with_any, n),
        Measure::Count => (n > 0).then(|| c.events as f64 / n as f64),
        Measure::FirstDay => (c.with_any > 0).then(|| c.first_days as f64 / c.with_any as f64),
        Measure::Change => (c.before > 0).then(|| 100.0 * (c.after as f64 / c.before as f64 - 1.0)),
    }
}

impl Counter {
    /// Every value of this replicate: the total first, then each group; the
    /// cohort size is scaled to real people (`scale` per simulated person).
    pub fn values(&self, scale: f64) -> Vec<Value> {
        let st = &self.study;
        let mut rows: Vec<(Vec<String>, GroupCounts)> =
            vec![(vec!["all".to_string(); st.groups.len()], self.total())];
        if !st.groups.is_empty() {
            for (k, g) in &self.groups {
                let labels = st
                    .groups
                    .iter()
                    .zip(k)
                    .map(|(key, &code)| key.label(code))
                    .collect();
                rows.push((labels, g.clone()));
            }
        }
        let mut out = Vec::new();
        for (group, g) in rows {
            out.push(Value {
                group: group.clone(),
                outcome: "cohort".into(),
                measure: "people",
                n: g.n,
                value: g.n as f64 * scale,
            });
            for (o, c) in st.outcomes.iter().zip(&g.outcomes) {
                if let Some(v) = outcome_value(o.measure, g.n, c) {
                    out.push(Value {
                        group: group.clone(),
                        outcome: o.name.clone(),
                        measure: o.measure.name(),
                        n: g.n,
                        value: v,
                    });
                }
            }
        }
        out
    }
}

/// Mean and 95% interval of one value over replicates.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    pub group: Vec<String>,
    pub outcome: String,
    pub measure: &'static str,
    pub mean: f64,
    pub lo95: f64,
    pub hi95: f64,
    /// Replicates with a value (a group empty in a replicate has none).
    pub replicates: usize,
    /// Mean simulated index events per replicate.
    pub simulated: f64,
}

/// A summary row's group labels and outcome.
type RowKey = (Vec<String>, String);

/// Summarise replicates' values: totals first, then groups in label order,
/// outcomes in the study's order.
pub fn summarise(replicates: &[Vec<Value>]) -> Vec<SummaryRow> {
    let mut order: Vec<RowKey> = Vec::new();
    let mut by: BTreeMap<RowKey, (Vec<f64>, u64, &'static str)> = BTreeMap::new();
    for rep in replicates {
        for v in rep {
            let key = (v.group.clone(), v.outcome.clone());
            let e = by.entry(key.clone()).or_insert_with(|| {
                order.push(key);
                (Vec::new(), 0, v.measure)
            });
            e.0.push(v.value);
            e.1 += v.n;
        }
    }
    // A group with no index events in a replicate has a cohort of 0 there,
    // not a missing value: its mean is over every replicate.
    for ((_, outcome), (v, _, _)) in by.iter_mut() {
        if outcome == "cohort" {
            v.resize(replicates.len(), 0.0);
        }
    }
    // Totals first, then groups in label order.
    order.sort_by(|a, b| {
        let all = |g: &Vec<String>| g.iter().all(|x| x == "all");
        all(&b.0).cmp(&all(&a.0)).then(a.0.cmp(&b.0))
    });
    order.dedup();
    let reps = replicates.len().max(1) as f64;
    order
        .into_iter()
        .map(|key| {
            let (mut v, n, measure) = by.remove(&key).expect("recorded");
            v.sort_by(f64::total_cmp);
            SummaryRow {
                mean: v.iter().sum::<f64>() / v.len() as f64,
                lo95: crate::run::quantile(&v, 0.025),
                hi95: crate::run::quantile(&v, 0.975),
                replicates: v.len(),
                simulated: n as f64 / reps,
                group: key.0,
                outcome: key.1,
                measure,
            }
        })
        .collect()
}

/// Write the summary as CSV: one column per group key, then the outcome,
/// its measure, mean, interval, replicates and the simulated cohort.
pub fn write_summary(
    path: &std::path::Path,
    study: &Study,
    rows: &[SummaryRow],
) -> anyhow::Result<()> {
    use anyhow::Context;
    let mut w = csv::Writer::from_path(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    let mut head = vec!["study".to_string()];
    head.extend(study.groups.iter().map(|g| g.name().to_string()));
    head.extend(
        [
            "outcome",
            "measure",
            "mean",
            "lo95",
            "hi95",
            "replicates",
            "simulated_cohort",
        ]
        .map(String::from),
    );
    w.write_record(&head)?;
    for r in rows {
        let mut rec = vec![study.name.clone()];
        rec.extend(r.group.iter().cloned());
        rec.extend([
            r.outcome.clone(),
            r.measure.to_string(),
            r.mean.to_string(),
            r.lo95.to_string(),
            r.hi95.to_string(),
            r.replicates.to_string(),
            format!("{:.1}", r.simulated),
        ]);
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

/// Every replicate's values as CSV (replicate, groups, outcome, measure,
/// simulated index events, value).
pub fn write_replicates(
    path: &std::path::Path,
    study: &Study,
    replicates: &[Vec<Value>],
) -> anyhow::Result<()> {
    use anyhow::Context;
    let mut w = csv::Writer::from_path(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    let mut head = vec!["replicate".to_string()];
    head.extend(study.groups.iter().map(|g| g.name().to_string()));
    head.extend(["outcome", "measure", "simulated_cohort", "value"].map(String::from));
    w.write_record(&head)?;
    for (g, rep) in replicates.iter().enumerate() {
        for v in rep {
            let mut rec = vec![g.to_string()];
            rec.extend(v.group.iter().cloned());
            rec.extend([
                v.outcome.clone(),
                v.measure.to_string(),
                v.n.to_string(),
                v.value.to_string(),
            ]);
            w.write_record(&rec)?;
        }
    }
    w.flush()?;
    Ok(())
}

/// The summary as a terminal table: the total and, if grouped, each group.
pub fn table(study: &Study, rows: &[SummaryRow]) -> String {
    let mut s = String::new();
    let groups: Vec<&str> = study.groups.iter().map(|g| g.name()).collect();
    let head = if groups.is_empty() {
        String::new()
    } else {
        format!("{:<28}", groups.join(" / "))
    };
    s.push_str(&format!(
        "{head}{:<28}{:<20}{:>12}  {:<22}{:>10}\n",
        "outcome", "measure", "mean", "95% interval", "simulated"
    ));
    for r in rows {
        let g = if groups.is_empty() {
            String::new()
        } else {
            format!("{:<28}", r.group.join(" / "))
        };
        let f = |x: f64| {
            if x.abs() >= 1000.0 {
                format!("{x:.0}")
            } else {
                format!("{x:.2}")
            }
        };
        s.push_str(&format!(
            "{g}{:<28}{:<20}{:>12}  {:<22}{:>10.1}\n",
            r.outcome,
            r.measure,
            f(r.mean),
            format!("{} to {}", f(r.lo95), f(r.hi95)),
            r.simulated
        ));
    }
    s
}
