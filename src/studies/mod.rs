//! Virtual studies: each publication's measurement, repeated on simulated histories.
//!
//! A study selects its cohort from recorded [`Histories`] only (never engine state),
//! with the publication's own definitions and calendar windows, and keeps integer
//! counts, so merging chunks in any order gives the same answer on any number of
//! threads. [`Study::values`] turns the counts into the numbers the register
//! (`calibration/targets.csv`) compares with published figures; [`targets`] runs
//! them all and scores every target.
//!
//! Conventions shared by every study:
//! - windows are whole days and inclusive at both ends ([`Window`]);
//! - "2 years" is 730 days, "12 months" 365, "6 months" 183, "3 weeks" 21;
//! - a follow-up window counts only people observed to its end: their history ends
//!   after it, or ends inside it by death or desistance (then nothing more can
//!   happen, as in a records study), but not by the simulation horizon.

pub mod best;
pub mod bold;
pub mod causal;
pub mod custom;
pub mod nao;
pub mod national;
pub mod nta;
pub mod retention;
pub mod targets;
pub mod ukdpc;
pub mod volumes;

pub use best::Best;
pub use bold::Bold;
pub use nao::Nao;
pub use national::National;
pub use nta::Nta;
pub use ukdpc::Ukdpc;
pub use volumes::Volumes;

use crate::calendar::Date;
use crate::history::Observer;
use crate::history::{Event, EventKind, Histories, OrderOutcome, Person};

/// A value a study computes: (register id or diagnostic id, value).
pub type Value = (&'static str, f64);

/// A virtual study: an observer of histories that reports named values.
pub trait Study: Observer + Default {
    /// The study's name in the register's `study` column.
    const NAME: &'static str;
    /// Register ids this study computes (it may add diagnostics beyond these).
    const TARGETS: &'static [&'static str];
    /// Values from the counts: shares in percent, counts times `scale` (real people
    /// per simulated person). Values whose denominator is empty are left out.
    fn values(&self, scale: f64) -> Vec<Value>;
}

/// An inclusive range of days: `first..=last`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub first: i32,
    pub last: i32,
}

impl Window {
    /// From `from` to `to`, both included.
    pub fn new(from: Date, to: Date) -> Window {
        Window {
            first: from.day(),
            last: to.day(),
        }
    }
    /// A financial year: 1 April `year` to 31 March `year + 1`.
    pub fn financial_year(year: i32) -> Window {
        Window::new(Date::ymd(year, 4, 1), Date::ymd(year + 1, 3, 31))
    }
    #[inline]
    pub fn contains(self, day: i32) -> bool {
        self.first <= day && day <= self.last
    }
}

/// Days in the follow-up windows the publications use.
pub const TWO_YEARS: i32 = 730;
pub const ONE_YEAR: i32 = 365;
pub const SIX_MONTHS: i32 = 183;
pub const THREE_WEEKS: i32 = 21;

/// The last day on which this person could still have a recorded event: the end of
/// their history if it ended by the horizon, or never if by death or desistance.
pub fn observed_until(p: &Person, events: &[Event]) -> i32 {
    match events.last().map(|e| e.kind) {
        Some(EventKind::Death) | Some(EventKind::Desistance) => i32::MAX,
        _ => p.exit_day,
    }
}

/// `num / den` in percent, if the denominator is not empty.
pub fn percent(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| 100.0 * num as f64 / den as f64)
}

/// Reduction of `after` against `before` in percent (`1 - after/before`).
pub fn reduction(before: u64, after: u64) -> Option<f64> {
    (before > 0).then(|| 100.0 * (1.0 - after as f64 / before as f64))
}

/// The day and outcome of the order that started at `events[i]`: the next
/// `OrderEnd` (a person has one order at a time, and a new one ends the old).
pub fn order_end(events: &[Event], i: usize) -> Option<(i32, u16)> {
    events[i + 1..]
        .iter()
        .find(|e| e.kind == EventKind::OrderEnd)
        .map(|e| (e.day, e.extra))
}

/// Whether an order outcome is a successful completion.
pub fn is_completed(outcome: u16) -> bool {
    outcome == OrderOutcome::Completed as u16
}

/// Reconvicted within two years of day `s`: a conviction on a day in
/// `(s, s + 730]` for an offence committed after `s` (offence day = conviction day
/// minus the recorded lag), so the case the order was made for never counts.
pub fn reconvicted_2y(events: &[Event], s: i32) -> bool {
    events
        .iter()
        .skip_while(|e| e.day <= s)
        .take_while(|e| e.day <= s + TWO_YEARS)
        .any(|e| e.kind == EventKind::Conviction && e.day - e.extra as i32 > s)
}

/// Append `(id, value)` if the value exists.
pub(crate) fn push(out: &mut Vec<Value>, id: &'static str, v: Option<f64>) {
    if let Some(v) = v {
        out.push((id, v));
    }
}

/// Every study at once: one pass over each chunk feeds them all.
#[derive(Default, Debug, Clone)]
pub struct Studies {
    pub nta: Nta,
    pub ukdpc: Ukdpc,
    pub best: Best,
    pub bold: Bold,
    pub nao: Nao,
    pub volumes: Volumes,
    pub national: National,
}

impl Studies {
    /// Every study, for a run of `p` (the UKDPC study needs the offence-group
    /// shares to turn recorded offence rates into acquisitive offences).
    pub fn for_params(p: &crate::params::Params) -> Studies {
        let mut s = Studies::default();
        s.ukdpc.acquisitive_share = crate::pathway::arrest::offence_group_shares(&p.offending)
            .map(|g| g[crate::history::OffenceGroup::Acquisitive as usize]);
        s
    }
    /// Every study's values, study by study.
    pub fn values(&self, scale: f64) -> Vec<Value> {
        let mut out = self.nta.values(scale);
        out.extend(self.ukdpc.values(scale));
        out.extend(self.best.values(scale));
        out.extend(self.bold.values(scale));
        out.extend(self.nao.values(scale));
        out.extend(self.volumes.values(scale));
        out.extend(self.national.values(scale));
        out
    }
    /// (study name, register ids it computes) for every study.
    pub fn catalogue() -> [(&'static str, &'static [&'static str]); 7] {
        [
            (Nta::NAME, Nta::TARGETS),
            (Ukdpc::NAME, Ukdpc::TARGETS),
            (Best::NAME, Best::TARGETS),
            (Bold::NAME, Bold::TARGETS),
            (Nao::NAME, Nao::TARGETS),
            (Volumes::NAME, Volumes::TARGETS),
            (National::NAME, National::TARGETS),
        ]
    }
}

impl Observer for Studies {
    fn observe(&mut self, h: &Histories) {
        self.nta.observe(h);
        self.ukdpc.observe(h);
        self.best.observe(h);
        self.bold.observe(h);
        self.nao.observe(h);
        self.volumes.observe(h);
        self.national.observe(h);
    }
    fn merge(&mut self, other: Self) {
        self.nta.merge(other.nta);
        self.ukdpc.merge(other.ukdpc);
        self.best.merge(other.best);
        self.bold.merge(other.bold);
        self.nao.merge(other.nao);
        self.volumes.merge(other.volumes);
        self.national.merge(other.national);
    }
}

/// Helpers for hand-built histories in the studies' tests.
#[cfg(test)]
pub(crate) mod testkit {
    use crate::calendar::Date;
    use crate::history::{Event, EventKind, Person, Route, Sentence, Substance, TreatmentExit};

    pub fn day(y: i32, m: u32, d: u32) -> i32 {
        Date::ymd(y, m, d).day()
    }

    /// A person observed from 1995 to 2035.
    pub fn person(substance: Substance) -> Person {
        Person {
            id: 0,
            substance,
            male: true,
            birth_day: day(1970, 1, 1),
            entry_day: day(1995, 1, 1),
            exit_day: day(2035, 12, 31),
            propensity: 1.0,
            risk_score: 50,
            unstable_housing: false,
            mental_health: false,
            prior_offences: 0,
            offends: true,
        }
    }

    pub fn arrest(d: i32, trigger: bool) -> Event {
        Event::new(d, EventKind::Arrest, trigger as u8, 0)
    }
    pub fn test(d: i32, positive: bool) -> Event {
        Event::new(d, EventKind::Test, positive as u8, 0)
    }
    /// A conviction on day `d` for an offence `lag` days earlier.
    pub fn conviction(d: i32, lag: u16) -> Event {
        Event::new(d, EventKind::Conviction, Sentence::DischargeFine as u8, lag)
    }
    pub fn start(d: i32, route: Route) -> Event {
        Event::new(d, EventKind::TreatmentStart, route as u8, 0)
    }
    pub fn end(d: i32, route: Route, exit: TreatmentExit) -> Event {
        Event::new(d, EventKind::TreatmentEnd, route as u8, exit as u16)
    }

    /// Sort by day, keeping the given order within a day (as the engine records).
    pub fn sorted(mut events: Vec<Event>) -> Vec<Event> {
        events.sort_by_key(|e| e.day);
        events
    }
}

#[cfg(test)]
mod tests {
    use super::testkit::*;
    use super::*;

    #[test]
    fn windows_are_inclusive_at_both_ends() {
        let w = Window::financial_year(2006);
        assert!(!w.contains(day(2006, 3, 31)));
        assert!(w.contains(day(2006, 4, 1)));
        assert!(w.contains(day(2007, 3, 31)));
        assert!(!w.contains(day(2007, 4, 1)));
    }

    #[test]
    fn reconviction_needs_a_new_offence_within_two_years() {
        let s = day(2000, 1, 1);
        // the order's own case, convicted later: not a reconviction
        assert!(!reconvicted_2y(&[conviction(s + 100, 101)], s));
        assert!(reconvicted_2y(&[conviction(s + 100, 99)], s));
        assert!(reconvicted_2y(&[conviction(s + TWO_YEARS, 10)], s));
        assert!(!reconvicted_2y(&[conviction(s + TWO_YEARS + 1, 10)], s));
    }

    #[test]
    fn horizon_censors_but_death_does_not() {
        let mut p = person(crate::history::Substance::OpiatesCrack);
        p.exit_day = day(2010, 1, 1);
        assert_eq!(observed_until(&p, &[]), p.exit_day);
        let death = crate::history::Event::new(p.exit_day, EventKind::Death, 0, 0);
        assert_eq!(observed_until(&p, &[death]), i32::MAX);
    }

    #[test]
    fn catalogue_ids_are_unique() {
        let mut ids: Vec<&str> = Studies::catalogue()
            .iter()
            .flat_map(|(_, t)| t.iter().copied())
            .collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }
}
